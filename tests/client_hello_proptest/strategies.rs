//! Proptest strategies for valid [`HelloModel`]s: every kind of extension,
//! GREASE and unknown types, in random order with pre_shared_key last.

use proptest::collection::{btree_map, vec, SizeRange};
use proptest::prelude::*;
use proptest::sample::Index;
use stapler::codec::{is_grease, ExtensionType, RANDOM_LEN};

use super::common::hello_encoder::{
    der, ocsp_nonce_extension, ExtensionModel, HelloModel, StatusRequestModel, DER_OCTET_STRING,
    MODELLED_TYPES,
};

use super::common::hello_encoder::ExtensionModel as E;

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

pub(crate) fn hello_model() -> impl Strategy<Value = HelloModel> {
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
