//! What must hold for any hello the parser accepts, whatever its origin, and
//! the outcome a truncated or corrupted hello body must have.

use std::cmp::Ordering;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use stapler::codec::{is_grease, AlertDescription, ClientHello, ExtensionType, RANDOM_LEN};
use stapler::{Field, InvalidMessage};

use super::common::hello_encoder::{cat, psk_binders_list, u16_prefixed, u8_prefixed};

use stapler::codec::ExtensionType as T;

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
pub(crate) fn check_invariants(h: &ClientHello<'_>, body: &[u8]) -> Result<(), TestCaseError> {
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
pub(crate) fn check_truncation(
    body: &[u8],
    ext_start: usize,
    cut: usize,
) -> Result<(), TestCaseError> {
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
pub(crate) fn extensions_offset(body: &[u8]) -> usize {
    let mut at = 2 + RANDOM_LEN;
    at += 1 + usize::from(body[at]);
    at += 2 + usize::from(u16::from_be_bytes([body[at], body[at + 1]]));
    at += 1 + usize::from(body[at]);
    at
}

/// A corrupted body either parses into a self-consistent view or fails with
/// decode_error or illegal_parameter.
pub(crate) fn check_corrupted(body: &[u8]) -> Result<(), TestCaseError> {
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
