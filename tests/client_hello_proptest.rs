//! Property tests for [`ClientHello::parse`].
//!
//! a. Round trip: a generated, valid [`HelloModel`] (encoded by the test
//!    encoder in `tests/common/hello_encoder.rs`, not by the crate) parses,
//!    and every accessor returns exactly the model's values.
//! b. Robustness on real captures (`tests/data/client_hello/*.bin`): every
//!    truncation and every single-byte corruption of each hello body either
//!    parses (and then the view is self-consistent) or fails with
//!    decode_error or illegal_parameter. Never a panic.
//! c. Resource bounds: the largest inputs are still judged correctly (their
//!    cost is measured in benches/client_hello.rs).

mod common;

use std::cmp::Ordering;
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use common::hello_encoder::{
    cat, der, ocsp_nonce_extension, psk_binders_list, u16_prefixed, u16s, u8_prefixed,
    ExtensionModel, HelloBuilder, HelloModel, StatusRequestModel, DER_OCTET_STRING, MODELLED_TYPES,
};
use proptest::collection::{btree_map, vec, SizeRange};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use stapler::codec::{
    is_grease, split_handshake, split_record, AlertDescription, ClientHello, ExtensionType,
    HandshakeType, U16List, MAX_PLAINTEXT_LEN, RANDOM_LEN,
};
use stapler::{Field, InvalidMessage};

use ExtensionModel as E;
use ExtensionType as T;

// ===========================================================================
// Strategies for valid models

/// One of the 16 GREASE values.
fn grease() -> impl Strategy<Value = u16> {
    (0u16..16).prop_map(|i| 0x0a0a + i * 0x1010)
}

/// A 16-bit code point, GREASE now and then.
fn code_point() -> impl Strategy<Value = u16> {
    prop_oneof![6 => any::<u16>(), 1 => grease()]
}

fn bytes(len: impl Into<SizeRange>) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), len)
}

/// A map's entries in a random order (distinct keys, any order).
fn shuffled<K, V>(
    map: impl Strategy<Value = std::collections::BTreeMap<K, V>>,
) -> impl Strategy<Value = Vec<(K, V)>>
where
    K: Clone + std::fmt::Debug + Ord,
    V: Clone + std::fmt::Debug,
{
    map.prop_map(|m| m.into_iter().collect::<Vec<_>>())
        .prop_shuffle()
}

fn server_names() -> impl Strategy<Value = Vec<(u8, Vec<u8>)>> {
    prop_oneof![
        // What every client sends: one host name.
        3 => bytes(1..40).prop_map(|host| vec![(0u8, host)]),
        1 => shuffled(btree_map(any::<u8>(), bytes(1..24), 1..4)),
    ]
}

fn key_shares() -> impl Strategy<Value = Vec<(u16, Vec<u8>)>> {
    shuffled(btree_map(code_point(), bytes(1..70), 0..4))
}

fn status_request() -> impl Strategy<Value = StatusRequestModel> {
    let responder_id = bytes(0..24).prop_map(|c| der(DER_OCTET_STRING, &c));
    // Nonces up to 150 bytes make the DER use long-form lengths.
    let extension =
        (any::<bool>(), bytes(0..150)).prop_map(|(critical, n)| ocsp_nonce_extension(critical, &n));
    prop_oneof![
        4 => (vec(responder_id, 0..=3), proptest::option::of(vec(extension, 0..3))).prop_map(
            |(responder_ids, request_extensions)| StatusRequestModel::Ocsp {
                responder_ids,
                request_extensions,
            }
        ),
        1 => (any::<u8>().prop_filter("not ocsp", |t| *t != 1), bytes(0..20)).prop_map(
            |(status_type, request)| StatusRequestModel::Other {
                status_type,
                request,
            }
        ),
    ]
}

fn pre_shared_key() -> impl Strategy<Value = ExtensionModel> {
    (1usize..4).prop_flat_map(|n| {
        (vec((bytes(1..40), any::<u32>()), n), vec(bytes(32..=64), n)).prop_map(
            |(identities, binders)| E::PreSharedKey {
                identities,
                binders,
            },
        )
    })
}

/// Types no typed accessor covers (so a model never holds two of a type).
fn unknown_type() -> impl Strategy<Value = u16> {
    any::<u16>().prop_filter("neither modelled nor GREASE", |t| {
        !is_grease(*t) && !MODELLED_TYPES.contains(&ExtensionType::from_wire(*t))
    })
}

/// A set of extensions with distinct types, in random order, with
/// pre_shared_key (if any) last.
fn extensions() -> impl Strategy<Value = Vec<ExtensionModel>> {
    let u16_list = || vec(code_point(), 1..24);
    let first = (
        proptest::option::of(server_names().prop_map(E::ServerName)),
        proptest::option::of(vec(code_point(), 1..=127).prop_map(E::SupportedVersions)),
        proptest::option::of(u16_list().prop_map(E::SupportedGroups)),
        proptest::option::of(u16_list().prop_map(E::SignatureAlgorithms)),
        proptest::option::of(u16_list().prop_map(E::SignatureAlgorithmsCert)),
        proptest::option::of(key_shares().prop_map(E::KeyShare)),
        proptest::option::of(bytes(1..4).prop_map(E::PskKeyExchangeModes)),
        proptest::option::of(vec(bytes(1..16), 1..5).prop_map(E::Alpn)),
        proptest::option::of(Just(E::ExtendedMasterSecret)),
    );
    let second = (
        proptest::option::of(bytes(0..33).prop_map(E::RenegotiationInfo)),
        proptest::option::of(bytes(0..200).prop_map(E::SessionTicket)),
        proptest::option::of(bytes(1..4).prop_map(E::EcPointFormats)),
        proptest::option::of(
            prop_oneof![(0usize..300).prop_map(|n| vec![0; n]), bytes(0..50)].prop_map(E::Padding),
        ),
        proptest::option::of(status_request().prop_map(E::StatusRequest)),
        proptest::option::of(vec((any::<u8>(), bytes(0..20)), 1..3).prop_map(E::StatusRequestV2)),
        proptest::option::of(bytes(1..100).prop_map(E::Cookie)),
        proptest::option::of(Just(E::EarlyData)),
    );
    let third = (
        btree_map(unknown_type(), bytes(0..20), 0..4),
        btree_map(grease(), bytes(0..2), 0..3),
        proptest::option::of(pre_shared_key()),
    );
    (first, second, third).prop_flat_map(|(first, second, (unknown, greased, psk))| {
        let (a, b, c, d, e, f, g, h, i) = first;
        let (j, k, l, m, n, o, p, q) = second;
        let mut exts: Vec<ExtensionModel> = [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q]
            .into_iter()
            .flatten()
            .collect();
        exts.extend(unknown.into_iter().map(|(t, body)| E::Unknown(t, body)));
        exts.extend(greased.into_iter().map(|(t, body)| E::Grease(t, body)));
        Just(exts).prop_shuffle().prop_map(move |mut exts| {
            exts.extend(psk.clone());
            exts
        })
    })
}

/// Compression methods: a few arbitrary bytes with null somewhere.
fn compression_methods() -> impl Strategy<Value = Vec<u8>> {
    (bytes(0..4), any::<Index>()).prop_map(|(mut methods, at)| {
        methods.insert(at.index(methods.len() + 1), 0);
        methods
    })
}

fn hello_model() -> impl Strategy<Value = HelloModel> {
    (
        any::<u16>(),
        any::<[u8; RANDOM_LEN]>(),
        bytes(0..=32),
        vec(code_point(), 1..40),
        compression_methods(),
        proptest::option::weighted(0.9, extensions()),
    )
        .prop_map(
            |(legacy_version, random, session_id, cipher_suites, compression_methods, exts)| {
                HelloModel {
                    legacy_version,
                    random,
                    session_id,
                    cipher_suites,
                    compression_methods,
                    extensions: exts,
                }
            },
        )
}

// ===========================================================================
// Checks

/// `list` holds exactly `model`: raw with GREASE, iteration without.
fn check_u16_list(list: U16List<'_>, model: &[u16]) -> Result<(), TestCaseError> {
    prop_assert_eq!(list.raw(), &u16s(model)[..]);
    let non_grease: Vec<u16> = model.iter().copied().filter(|v| !is_grease(*v)).collect();
    prop_assert_eq!(list.iter().collect::<Vec<_>>(), non_grease);
    for &v in model {
        prop_assert_eq!(list.contains(v), !is_grease(v));
    }
    Ok(())
}

fn check_opt_u16_list(
    what: &str,
    list: Option<U16List<'_>>,
    model: Option<&Vec<u16>>,
) -> Result<(), TestCaseError> {
    match (list, model) {
        (None, None) => Ok(()),
        (Some(list), Some(model)) => check_u16_list(list, model),
        (list, model) => Err(TestCaseError::fail(format!(
            "{what}: parsed {list:?}, model {model:?}"
        ))),
    }
}

/// Every accessor of `hello` returns exactly what `m` holds.
fn check_round_trip(hello: &ClientHello<'_>, m: &HelloModel) -> Result<(), TestCaseError> {
    prop_assert_eq!(hello.legacy_version(), m.legacy_version);
    prop_assert_eq!(hello.random(), &m.random);
    prop_assert_eq!(hello.session_id(), &m.session_id[..]);
    check_u16_list(hello.cipher_suites(), &m.cipher_suites)?;
    for &s in &m.cipher_suites {
        prop_assert_eq!(hello.offers_cipher_suite(s), !is_grease(s));
    }
    prop_assert_eq!(hello.compression_methods(), &m.compression_methods[..]);

    // The block, all extensions in order, and lookup by type.
    prop_assert_eq!(hello.raw_extensions(), &m.builder().extensions_block()[..]);
    let got: Vec<(ExtensionType, Vec<u8>)> = hello
        .extensions()
        .map(|e| (e.typ, e.body.to_vec()))
        .collect();
    let want: Vec<(ExtensionType, Vec<u8>)> = m
        .extensions()
        .iter()
        .filter(|e| !e.is_grease())
        .map(|e| (e.extension_type(), e.body()))
        .collect();
    prop_assert_eq!(got, want);
    for e in m.extensions() {
        prop_assert_eq!(hello.extension(e.extension_type()), Some(&e.body()[..]));
    }

    // server_name
    let names = m.pick(|e| match e {
        E::ServerName(v) => Some(v),
        _ => None,
    });
    prop_assert_eq!(
        hello
            .server_name()
            .map(|s| s.iter().map(|(t, n)| (t, n.to_vec())).collect::<Vec<_>>()),
        names.cloned()
    );
    prop_assert_eq!(
        hello.server_name().and_then(|s| s.host_name()),
        names
            .and_then(|v| v.iter().find(|(t, _)| *t == 0))
            .map(|(_, n)| &n[..])
    );

    // u16 lists
    let pick_list = |t: ExtensionType| {
        m.pick(move |e| match e {
            E::SupportedVersions(v)
            | E::SupportedGroups(v)
            | E::SignatureAlgorithms(v)
            | E::SignatureAlgorithmsCert(v)
                if e.extension_type() == t =>
            {
                Some(v)
            }
            _ => None,
        })
    };
    check_opt_u16_list(
        "supported_versions",
        hello.supported_versions(),
        pick_list(T::SupportedVersions),
    )?;
    check_opt_u16_list(
        "supported_groups",
        hello.supported_groups(),
        pick_list(T::SupportedGroups),
    )?;
    check_opt_u16_list(
        "signature_algorithms",
        hello.signature_algorithms(),
        pick_list(T::SignatureAlgorithms),
    )?;
    check_opt_u16_list(
        "signature_algorithms_cert",
        hello.signature_algorithms_cert(),
        pick_list(T::SignatureAlgorithmsCert),
    )?;

    // key_share
    let shares = m.pick(|e| match e {
        E::KeyShare(v) => Some(v),
        _ => None,
    });
    prop_assert_eq!(hello.key_share().is_some(), shares.is_some());
    if let (Some(ks), Some(model)) = (hello.key_share(), shares) {
        let got: Vec<(u16, Vec<u8>)> = ks
            .iter()
            .map(|e| (e.group, e.key_exchange.to_vec()))
            .collect();
        let want: Vec<(u16, Vec<u8>)> = model
            .iter()
            .filter(|(g, _)| !is_grease(*g))
            .cloned()
            .collect();
        prop_assert_eq!(got, want);
        for (group, key) in model {
            let found = ks.find(*group).map(|e| (e.group, e.key_exchange));
            prop_assert_eq!(found, Some((*group, &key[..])));
        }
        let absent = (0..=u16::MAX).find(|g| model.iter().all(|(h, _)| h != g));
        prop_assert!(ks.find(absent.unwrap()).is_none());
    }

    // Opaque vectors and raw bodies.
    let opaque = |t: ExtensionType| {
        m.pick(move |e| match e {
            E::PskKeyExchangeModes(v)
            | E::RenegotiationInfo(v)
            | E::SessionTicket(v)
            | E::EcPointFormats(v)
            | E::Padding(v)
            | E::Cookie(v)
                if e.extension_type() == t =>
            {
                Some(&v[..])
            }
            _ => None,
        })
    };
    prop_assert_eq!(
        hello.psk_key_exchange_modes(),
        opaque(T::PskKeyExchangeModes)
    );
    prop_assert_eq!(hello.renegotiation_info(), opaque(T::RenegotiationInfo));
    prop_assert_eq!(hello.session_ticket(), opaque(T::SessionTicket));
    prop_assert_eq!(hello.ec_point_formats(), opaque(T::EcPointFormats));
    prop_assert_eq!(hello.padding(), opaque(T::Padding));
    prop_assert_eq!(hello.cookie(), opaque(T::Cookie));
    let v2 = m.pick(|e| matches!(e, E::StatusRequestV2(_)).then(|| e.body()));
    prop_assert_eq!(hello.status_request_v2().map(<[u8]>::to_vec), v2);

    // ALPN
    let alpn = m.pick(|e| match e {
        E::Alpn(v) => Some(v),
        _ => None,
    });
    prop_assert_eq!(
        hello
            .alpn()
            .map(|a| a.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()),
        alpn.cloned()
    );
    if let (Some(parsed), Some(names)) = (hello.alpn(), alpn) {
        for name in names {
            prop_assert!(parsed.contains(name));
        }
    }

    // Flags
    prop_assert_eq!(
        hello.extended_master_secret(),
        m.extensions()
            .iter()
            .any(|e| matches!(e, E::ExtendedMasterSecret))
    );
    prop_assert_eq!(
        hello.early_data(),
        m.extensions().iter().any(|e| matches!(e, E::EarlyData))
    );

    // pre_shared_key
    let psk = m.pick(|e| match e {
        E::PreSharedKey {
            identities,
            binders,
        } => Some((identities, binders)),
        _ => None,
    });
    prop_assert_eq!(hello.pre_shared_key().is_some(), psk.is_some());
    if let (Some(offer), Some((identities, binders))) = (hello.pre_shared_key(), psk) {
        let got: Vec<(Vec<u8>, u32)> = offer
            .identities()
            .map(|i| (i.identity.to_vec(), i.obfuscated_ticket_age))
            .collect();
        prop_assert_eq!(&got, identities);
        let got: Vec<Vec<u8>> = offer.binders().map(<[u8]>::to_vec).collect();
        prop_assert_eq!(&got, binders);
        let tail = psk_binders_list(binders);
        prop_assert_eq!(offer.binders_len(), tail.len());
        let body = hello.body();
        prop_assert_eq!(&body[body.len() - offer.binders_len()..], &tail[..]);
    }

    // status_request
    let sr_model = m.pick(|e| match e {
        E::StatusRequest(sr) => Some(sr),
        _ => None,
    });
    prop_assert_eq!(hello.status_request().is_some(), sr_model.is_some());
    prop_assert_eq!(
        hello.requests_ocsp(),
        matches!(sr_model, Some(StatusRequestModel::Ocsp { .. }))
    );
    if let (Some(sr), Some(model)) = (hello.status_request(), sr_model) {
        prop_assert_eq!(sr.raw(), &model.encode()[..]);
        match model {
            StatusRequestModel::Ocsp {
                responder_ids,
                request_extensions,
            } => {
                prop_assert_eq!(sr.status_type(), 1);
                let Some(ocsp) = sr.ocsp() else {
                    return Err(TestCaseError::fail("ocsp() is None for type ocsp"));
                };
                let got: Vec<&[u8]> = ocsp.responder_ids().collect();
                let want: Vec<&[u8]> = responder_ids.iter().map(|v| &v[..]).collect();
                prop_assert_eq!(got, want);
                prop_assert_eq!(ocsp.raw_responder_ids(), &model.responder_id_list()[..]);
                prop_assert_eq!(
                    ocsp.raw_request_extensions(),
                    &model.request_extensions_der()[..]
                );
                let got: Vec<&[u8]> = ocsp.request_extensions().collect();
                let want: Vec<&[u8]> = request_extensions
                    .iter()
                    .flatten()
                    .map(|v| &v[..])
                    .collect();
                prop_assert_eq!(got, want);
            }
            StatusRequestModel::Other { status_type, .. } => {
                prop_assert_eq!(sr.status_type(), *status_type);
                prop_assert!(sr.ocsp().is_none());
            }
        }
    }
    Ok(())
}

/// Splits a well-formed TLS vector sequence: `(type, body)` pairs. Written
/// independently of the crate's reader.
fn walk_extensions(mut block: &[u8]) -> Option<Vec<(u16, &[u8])>> {
    let mut out = Vec::new();
    while !block.is_empty() {
        let (header, rest) = block.split_first_chunk::<4>()?;
        let typ = u16::from_be_bytes([header[0], header[1]]);
        let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
        let body = rest.get(..len)?;
        out.push((typ, body));
        block = &rest[len..];
    }
    Some(out)
}

/// The contents of one DER item with a definite length (no checks beyond
/// what is needed to find them).
fn der_contents(item: &[u8]) -> Option<&[u8]> {
    let first = *item.get(1)?;
    let header = if first < 0x80 {
        2
    } else {
        2 + usize::from(first & 0x7f)
    };
    item.get(header..)
}

/// What must hold for any hello `parse` accepted, whatever its origin: the
/// view re-encodes to the input, each typed view re-encodes to its
/// extension's body, and the rules the parser enforces hold.
fn check_invariants(h: &ClientHello<'_>, body: &[u8]) -> Result<(), TestCaseError> {
    prop_assert_eq!(h.body(), body);
    prop_assert!(h.session_id().len() <= 32);
    let suites = h.cipher_suites().raw();
    prop_assert!(!suites.is_empty() && suites.len() % 2 == 0);
    prop_assert!(h.compression_methods().contains(&0));

    // The fixed fields and the block re-encode to the body.
    let fixed = cat([
        h.legacy_version().to_be_bytes().to_vec(),
        h.random().to_vec(),
        u8_prefixed(h.session_id()),
        u16_prefixed(suites),
        u8_prefixed(h.compression_methods()),
    ]);
    prop_assert_eq!(&body[..fixed.len()], &fixed[..]);
    let rest = &body[fixed.len()..];
    prop_assert!(rest.is_empty() || rest == u16_prefixed(h.raw_extensions()));

    // Extensions: framing, distinct types, GREASE filtering, lookup.
    let Some(raw) = walk_extensions(h.raw_extensions()) else {
        return Err(TestCaseError::fail("accepted block does not walk"));
    };
    for (i, (t, _)) in raw.iter().enumerate() {
        prop_assert!(
            raw[..i].iter().all(|(u, _)| u != t),
            "duplicate type {:#x}",
            t
        );
    }
    let listed: Vec<(u16, &[u8])> = h.extensions().map(|e| (e.typ.to_wire(), e.body)).collect();
    let non_grease: Vec<(u16, &[u8])> = raw
        .iter()
        .copied()
        .filter(|(t, _)| !is_grease(*t))
        .collect();
    prop_assert_eq!(listed, non_grease);
    for &(t, b) in &raw {
        prop_assert_eq!(h.extension(ExtensionType::from_wire(t)), Some(b));
    }
    let body_of = |t: ExtensionType| h.extension(t);
    // Extensions only TLS 1.2 reads are parsed without judging their
    // bodies; a malformed one reads as absent to its accessor, and
    // check_tls12_extensions fails exactly then.
    let tls12_well_formed = |t: ExtensionType, b: &[u8]| match t {
        T::ExtendedMasterSecret => b.is_empty(),
        T::EcPointFormats => b.len() >= 2 && usize::from(b[0]) == b.len() - 1,
        T::RenegotiationInfo => !b.is_empty() && usize::from(b[0]) == b.len() - 1,
        _ => true,
    };
    let tls12_malformed = [
        T::EcPointFormats,
        T::ExtendedMasterSecret,
        T::RenegotiationInfo,
    ]
    .into_iter()
    .any(|t| body_of(t).is_some_and(|b| !tls12_well_formed(t, b)));
    prop_assert_eq!(h.check_tls12_extensions().is_err(), tls12_malformed);
    let judged = |t: ExtensionType| body_of(t).filter(|b| tls12_well_formed(t, b));

    // Each typed view agrees with its extension's body.
    prop_assert_eq!(
        h.server_name()
            .map(|s| u16_prefixed(&cat(s.iter().map(|(t, n)| cat([vec![t], u16_prefixed(n)]))))),
        body_of(T::ServerName).map(<[u8]>::to_vec)
    );
    if let Some(s) = h.server_name() {
        let types: Vec<u8> = s.iter().map(|(t, _)| t).collect();
        prop_assert!(types
            .iter()
            .enumerate()
            .all(|(i, t)| !types[..i].contains(t)));
        prop_assert!(s.iter().all(|(_, n)| !n.is_empty()));
    }
    prop_assert_eq!(
        h.supported_versions().map(|l| u8_prefixed(l.raw())),
        body_of(T::SupportedVersions).map(<[u8]>::to_vec)
    );
    for (list, t) in [
        (h.supported_groups(), T::SupportedGroups),
        (h.signature_algorithms(), T::SignatureAlgorithms),
        (h.signature_algorithms_cert(), T::SignatureAlgorithmsCert),
    ] {
        prop_assert_eq!(
            list.map(|l| u16_prefixed(l.raw())),
            body_of(t).map(<[u8]>::to_vec)
        );
        if let Some(l) = list {
            prop_assert!(!l.raw().is_empty() && l.raw().len() % 2 == 0);
        }
    }
    for (value, t) in [
        (h.psk_key_exchange_modes(), T::PskKeyExchangeModes),
        (h.ec_point_formats(), T::EcPointFormats),
        (h.renegotiation_info(), T::RenegotiationInfo),
    ] {
        prop_assert_eq!(value.map(u8_prefixed), judged(t).map(<[u8]>::to_vec));
    }
    prop_assert_eq!(
        h.cookie().map(u16_prefixed),
        body_of(T::Cookie).map(<[u8]>::to_vec)
    );
    prop_assert_eq!(h.padding(), body_of(T::Padding));
    prop_assert_eq!(h.session_ticket(), body_of(T::SessionTicket));
    prop_assert_eq!(h.status_request_v2(), body_of(T::StatusRequestV2));
    prop_assert_eq!(
        h.extended_master_secret().then_some(&[][..]),
        judged(T::ExtendedMasterSecret)
    );
    prop_assert_eq!(h.early_data().then_some(&[][..]), body_of(T::EarlyData));
    prop_assert_eq!(
        h.alpn()
            .map(|a| u16_prefixed(&cat(a.iter().map(u8_prefixed)))),
        body_of(T::ApplicationLayerProtocolNegotiation).map(<[u8]>::to_vec)
    );

    // key_share: walked by hand (the view hides GREASE groups).
    prop_assert_eq!(h.key_share().is_some(), body_of(T::KeyShare).is_some());
    if let (Some(ks), Some(b)) = (h.key_share(), body_of(T::KeyShare)) {
        let mut entries = Vec::new();
        let mut rest = &b[2..];
        while let Some((head, tail)) = rest.split_first_chunk::<4>() {
            let group = u16::from_be_bytes([head[0], head[1]]);
            let len = usize::from(u16::from_be_bytes([head[2], head[3]]));
            entries.push((group, &tail[..len]));
            rest = &tail[len..];
        }
        prop_assert!(rest.is_empty());
        let shown: Vec<(u16, &[u8])> = ks.iter().map(|e| (e.group, e.key_exchange)).collect();
        let want: Vec<(u16, &[u8])> = entries
            .iter()
            .copied()
            .filter(|(g, _)| !is_grease(*g))
            .collect();
        prop_assert_eq!(shown, want);
        for (i, &(g, k)) in entries.iter().enumerate() {
            prop_assert!(!k.is_empty());
            prop_assert!(entries[..i].iter().all(|(h, _)| *h != g));
            prop_assert_eq!(ks.find(g).map(|e| e.key_exchange), Some(k));
        }
    }

    // pre_shared_key: last, re-encodes, binders are the tail.
    prop_assert_eq!(
        h.pre_shared_key().is_some(),
        body_of(T::PreSharedKey).is_some()
    );
    if let Some(psk) = h.pre_shared_key() {
        prop_assert_eq!(raw.last().map(|(t, _)| *t), Some(T::PreSharedKey.to_wire()));
        let identities: Vec<_> = psk.identities().collect();
        let binders: Vec<Vec<u8>> = psk.binders().map(<[u8]>::to_vec).collect();
        prop_assert!(!identities.is_empty());
        prop_assert_eq!(identities.len(), binders.len());
        prop_assert!(identities.iter().all(|i| !i.identity.is_empty()));
        prop_assert!(binders.iter().all(|b| b.len() >= 32));
        let reencoded = cat([
            u16_prefixed(&cat(identities.iter().map(|i| {
                cat([
                    u16_prefixed(i.identity),
                    i.obfuscated_ticket_age.to_be_bytes().to_vec(),
                ])
            }))),
            psk_binders_list(&binders),
        ]);
        prop_assert_eq!(Some(&reencoded[..]), body_of(T::PreSharedKey));
        prop_assert!(psk.binders_len() <= body.len());
        prop_assert_eq!(
            &body[body.len() - psk.binders_len()..],
            &psk_binders_list(&binders)[..]
        );
    }

    // status_request: raw is the body; an OCSP request re-encodes and its
    // request extensions cover the SEQUENCE's contents exactly.
    prop_assert_eq!(
        h.status_request().map(|s| s.raw()),
        body_of(T::StatusRequest)
    );
    prop_assert_eq!(
        h.requests_ocsp(),
        h.status_request().is_some_and(|s| s.status_type() == 1)
    );
    if let Some(ocsp) = h.status_request().and_then(|s| s.ocsp()) {
        let ids: Vec<&[u8]> = ocsp.responder_ids().collect();
        prop_assert!(ids.iter().all(|id| !id.is_empty()));
        prop_assert_eq!(
            cat(ids.iter().map(|id| u16_prefixed(id))),
            ocsp.raw_responder_ids().to_vec()
        );
        let reencoded = cat([
            vec![1],
            u16_prefixed(ocsp.raw_responder_ids()),
            u16_prefixed(ocsp.raw_request_extensions()),
        ]);
        prop_assert_eq!(Some(&reencoded[..]), body_of(T::StatusRequest));
        let items = cat(ocsp.request_extensions());
        let raw_ext = ocsp.raw_request_extensions();
        if raw_ext.is_empty() {
            prop_assert!(items.is_empty());
        } else {
            prop_assert_eq!(raw_ext[0], 0x30);
            prop_assert_eq!(Some(&items[..]), der_contents(raw_ext));
        }
    }
    Ok(())
}

/// Which outcome a hello body cut to `cut` bytes must have, given where its
/// extensions block starts (`ext_start`; equal to the length if it has none).
fn check_truncation(body: &[u8], ext_start: usize, cut: usize) -> Result<(), TestCaseError> {
    let result = ClientHello::parse(&body[..cut]);
    match cut.cmp(&ext_start) {
        // Inside the fixed fields.
        Ordering::Less => prop_assert_eq!(
            result,
            Err(InvalidMessage::Truncated(Field::ClientHello)),
            "cut at {}",
            cut
        ),
        // Exactly before the block: a valid TLS 1.2-style hello without
        // extensions, the one cut that can parse.
        Ordering::Equal => match result {
            Ok(h) => {
                prop_assert!(h.raw_extensions().is_empty());
                prop_assert_eq!(h.extensions().count(), 0);
                check_invariants(&h, &body[..cut])?;
            }
            Err(e) => return Err(TestCaseError::fail(format!("cut at {cut}: {e:?}"))),
        },
        // Inside the block: its length no longer matches what follows.
        Ordering::Greater => prop_assert_eq!(
            result,
            Err(InvalidMessage::Truncated(Field::Extensions)),
            "cut at {}",
            cut
        ),
    }
    Ok(())
}

/// Where a hello's extensions block starts, computed by hand from the fixed
/// fields' length bytes.
fn extensions_offset(body: &[u8]) -> usize {
    let mut at = 2 + RANDOM_LEN;
    at += 1 + usize::from(body[at]);
    at += 2 + usize::from(u16::from_be_bytes([body[at], body[at + 1]]));
    at += 1 + usize::from(body[at]);
    at
}

/// A corrupted body either parses into a self-consistent view or fails with
/// decode_error or illegal_parameter.
fn check_corrupted(body: &[u8]) -> Result<(), TestCaseError> {
    match ClientHello::parse(body) {
        Ok(h) => check_invariants(&h, body),
        Err(e) => {
            prop_assert!(
                matches!(
                    e.alert(),
                    AlertDescription::DecodeError | AlertDescription::IllegalParameter
                ),
                "{:?} gives {:?}",
                e,
                e.alert()
            );
            Ok(())
        }
    }
}

// ===========================================================================
// Captures

struct Capture {
    name: String,
    record: Vec<u8>,
}

impl Capture {
    /// The ClientHello body: the record without its 5-byte header and the
    /// handshake message without its 4-byte header. Each capture is one
    /// record holding exactly one ClientHello; that is asserted.
    fn body(&self) -> &[u8] {
        let r = &self.record;
        let name = &self.name;
        assert_eq!(r[0], 22, "{name}: handshake record");
        assert_eq!(
            usize::from(u16::from_be_bytes([r[3], r[4]])),
            r.len() - 5,
            "{name}: one record"
        );
        assert_eq!(r[5], 1, "{name}: client_hello");
        assert_eq!(
            u32::from_be_bytes([0, r[6], r[7], r[8]]) as usize,
            r.len() - 9,
            "{name}: one message filling the record"
        );
        &r[9..]
    }
}

fn captures() -> &'static [Capture] {
    static CAPTURES: OnceLock<Vec<Capture>> = OnceLock::new();
    CAPTURES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/client_hello");
        let mut out: Vec<Capture> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "bin"))
            .map(|p| Capture {
                name: p.file_name().unwrap().to_string_lossy().into_owned(),
                record: fs::read(&p).unwrap(),
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        assert!(out.len() >= 12, "captures missing from {}", dir.display());
        out
    })
}

/// Runs a property check outside `proptest!`, panicking with its message.
#[track_caller]
fn must(result: Result<(), TestCaseError>, context: impl std::fmt::Display) {
    if let Err(e) = result {
        panic!("{context}: {e}");
    }
}

#[test]
fn every_capture_parses_and_is_self_consistent() {
    for c in captures() {
        let body = c.body();
        let hello = ClientHello::parse(body).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        must(check_invariants(&hello, body), &c.name);
        // The whole record also goes through the crate's framing.
        let (record, used) = split_record(&c.record, MAX_PLAINTEXT_LEN).unwrap().unwrap();
        assert_eq!(used, c.record.len());
        let (message, _) = split_handshake(record.fragment).unwrap().unwrap();
        assert_eq!(message.typ, HandshakeType::ClientHello);
        assert_eq!(message.body, body);
    }
}

#[test]
fn every_truncation_of_every_capture_fails_except_before_the_extensions_block() {
    for c in captures() {
        let body = c.body();
        let ext_start = extensions_offset(body);
        // Every capture has an extensions block, so exactly one cut parses.
        assert!(ext_start < body.len(), "{}: no extensions block", c.name);
        for cut in 0..body.len() {
            must(check_truncation(body, ext_start, cut), &c.name);
        }
    }
}

#[test]
fn every_bit_flip_and_byte_inversion_of_every_capture_is_handled() {
    // Exhaustive over positions: the 8 single-bit flips and 0xff.
    let mut parsed = 0usize;
    let mut total = 0usize;
    for c in captures() {
        let mut body = c.body().to_vec();
        for at in 0..body.len() {
            for xor in [1u8, 2, 4, 8, 16, 32, 64, 128, 0xff] {
                body[at] ^= xor;
                parsed += usize::from(ClientHello::parse(&body).is_ok());
                must(
                    check_corrupted(&body),
                    format_args!("{} at {at} ^ {xor:#x}", c.name),
                );
                body[at] ^= xor;
                total += 1;
            }
        }
    }
    // Bit flips inside random, session_id, key shares, names, ... are
    // harmless, so many corruptions parse; most in lengths do not.
    assert!(parsed > 0 && parsed < total, "{parsed} of {total} parsed");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// Any single-byte corruption of a capture's hello body.
    #[test]
    fn corrupted_capture_parses_or_fails_with_decode_error_or_illegal_parameter(
        file in any::<Index>(),
        at in any::<Index>(),
        xor in 1u8..=255,
    ) {
        let c = file.get(captures());
        let mut body = c.body().to_vec();
        let at = at.index(body.len());
        body[at] ^= xor;
        check_corrupted(&body)?;
    }

    /// A random truncation of a capture (the exhaustive test covers all;
    /// this one shrinks to a readable counterexample if that ever fails).
    #[test]
    fn truncated_capture_fails_except_before_extensions_block(file in any::<Index>(), cut in any::<Index>()) {
        let body = file.get(captures()).body();
        check_truncation(body, extensions_offset(body), cut.index(body.len()))?;
    }

    /// Corruption anywhere in the record, headers included, through the
    /// whole pipeline: record and handshake errors add their own alerts.
    #[test]
    fn corrupted_capture_record_through_framing(
        file in any::<Index>(),
        at in any::<Index>(),
        xor in 1u8..=255,
    ) {
        let mut rec = file.get(captures()).record.clone();
        let at = at.index(rec.len());
        rec[at] ^= xor;
        let outcome = split_record(&rec, MAX_PLAINTEXT_LEN).and_then(|r| match r {
            Some((record, _)) => split_handshake(record.fragment).and_then(|m| match m {
                Some((m, _)) if m.typ == HandshakeType::ClientHello => {
                    ClientHello::parse(m.body).map(|h| Some(h.body().len()))
                }
                _ => Ok(None),
            }),
            None => Ok(None),
        });
        if let Err(e) = outcome {
            prop_assert!(
                matches!(
                    e.alert(),
                    AlertDescription::DecodeError
                        | AlertDescription::IllegalParameter
                        | AlertDescription::UnexpectedMessage
                        | AlertDescription::ProtocolVersion
                        | AlertDescription::RecordOverflow
                ),
                "{:?} gives {:?}", e, e.alert()
            );
        }
    }
}

// ===========================================================================
// Generated hellos

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A valid model parses and every accessor returns the model's values.
    #[test]
    fn generated_hello_round_trips(model in hello_model()) {
        let body = model.encode();
        let hello = match ClientHello::parse(&body) {
            Ok(h) => h,
            Err(e) => return Err(TestCaseError::fail(format!("refused: {e:?}"))),
        };
        prop_assert_eq!(hello.body(), &body[..]);
        check_round_trip(&hello, &model)?;
        check_invariants(&hello, &body)?;
    }

    /// The same model wrapped in a record and a handshake header comes out
    /// of the crate's framing unchanged.
    #[test]
    fn generated_hello_passes_framing(model in hello_model()) {
        let rec = model.builder().record();
        prop_assume!(rec.len() - 5 <= MAX_PLAINTEXT_LEN);
        let (record, used) = split_record(&rec, MAX_PLAINTEXT_LEN)?.unwrap();
        prop_assert_eq!(used, rec.len());
        let (message, _) = split_handshake(record.fragment)?.unwrap();
        prop_assert_eq!(message.typ, HandshakeType::ClientHello);
        prop_assert_eq!(message.body, &model.encode()[..]);
    }

    /// Any truncation of a generated hello fails, except the cut right
    /// before its extensions block.
    #[test]
    fn generated_hello_truncation_fails_except_before_extensions_block(model in hello_model(), cut in any::<Index>()) {
        let body = model.encode();
        let ext_start = model.builder().offsets().extensions;
        check_truncation(&body, ext_start, cut.index(body.len()))?;
    }

    /// Any single-byte corruption of a generated hello.
    #[test]
    fn generated_hello_corruption(
        model in hello_model(),
        at in any::<Index>(),
        xor in 1u8..=255,
    ) {
        let mut body = model.encode();
        let at = at.index(body.len());
        body[at] ^= xor;
        check_corrupted(&body)?;
    }
}

/// The generator reaches every kind of extension, PSK included, and both
/// forms of status_request, so the round trip above covers them all.
#[test]
fn generator_covers_every_extension_kind() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = hello_model();
    let mut seen = std::collections::BTreeSet::new();
    let (mut no_block, mut grease, mut unknown, mut ocsp, mut other_status) = (0, 0, 0, 0, 0);
    for _ in 0..300 {
        let model = strategy.new_tree(&mut runner).unwrap().current();
        no_block += usize::from(model.extensions.is_none());
        for e in model.extensions() {
            match e {
                E::Grease(..) => grease += 1,
                E::Unknown(..) => unknown += 1,
                E::StatusRequest(StatusRequestModel::Ocsp { .. }) => ocsp += 1,
                E::StatusRequest(StatusRequestModel::Other { .. }) => other_status += 1,
                _ => {}
            }
            if MODELLED_TYPES.contains(&e.extension_type()) {
                seen.insert(e.typ());
            }
        }
    }
    assert_eq!(seen.len(), MODELLED_TYPES.len(), "kinds seen: {seen:?}");
    for (what, count) in [
        ("no extensions block", no_block),
        ("GREASE extensions", grease),
        ("unknown extensions", unknown),
        ("status_request ocsp", ocsp),
        ("status_request other", other_status),
    ] {
        assert!(count > 0, "no {what} in 300 models");
    }
}

// ===========================================================================
// Resource bounds: "no hang on any input" (ARCHITECTURE.md, "Invariants")
//
// A 64 KiB hello can hold ~16,000 extensions or ~13,000 key shares; the
// duplicate checks over them once took quadratic time (0.37 s for one
// hello). What they cost now is measured in benches/client_hello.rs
// (`adversarial`); here, that the large inputs are still judged correctly.

/// A hello with `n` empty extensions of distinct types the parser has no
/// typed accessor for (no GREASE: 0x1000.. stays below 0x1a1a for n < 2586),
/// then `extra`.
fn hello_with_unknown_extensions(n: usize, extra: Option<u16>) -> Vec<u8> {
    let mut hello = HelloBuilder::default();
    for typ in (0..n).map(|i| 0x1000 + i as u16).chain(extra) {
        hello = hello.extension(typ, vec![]);
    }
    hello.encode()
}

/// A hello with one key_share of `n` entries of distinct groups, 1-byte keys,
/// then `extra`.
fn hello_with_key_shares(n: usize, extra: Option<u16>) -> Vec<u8> {
    let entries = cat((0..n)
        .map(|i| 0x1000 + i as u16)
        .chain(extra)
        .map(|g| cat([g.to_be_bytes().to_vec(), vec![0, 1, 7]])));
    HelloBuilder::default()
        .extension(T::KeyShare, u16_prefixed(&entries))
        .encode()
}

#[test]
fn thousands_of_unknown_extensions_are_checked_for_duplicates() {
    let n = 2500;
    let body = hello_with_unknown_extensions(n, None);
    let hello = ClientHello::parse(&body).unwrap();
    assert_eq!(hello.extensions().count(), n);
    for dup in [0x1000, 0x1000 + 17, 0x1000 + n as u16 - 1] {
        let body = hello_with_unknown_extensions(n, Some(dup));
        assert_eq!(
            ClientHello::parse(&body),
            Err(InvalidMessage::DuplicateExtension(T::from_wire(dup)))
        );
    }
}

#[test]
fn thousands_of_key_shares_are_checked_for_duplicates() {
    let n = 2500;
    let body = hello_with_key_shares(n, None);
    let hello = ClientHello::parse(&body).unwrap();
    assert_eq!(hello.key_share().unwrap().iter().count(), n);
    for dup in [0x1000, 0x1000 + 17, 0x1000 + n as u16 - 1] {
        assert_eq!(
            ClientHello::parse(&hello_with_key_shares(n, Some(dup))),
            Err(InvalidMessage::DuplicateKeyShare(dup))
        );
    }
}
