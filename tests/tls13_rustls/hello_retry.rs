//! HelloRetryRequest: a client whose key share is for a group the server
//! does not take is asked again, and the OCSP event waits for its second hello.

use std::sync::Arc;

use ring::agreement::{EphemeralPrivateKey, ECDH_P384};
use ring::rand::SystemRandom;
use rustls::crypto::ring::{cipher_suite, kx_group};
use stapler::codec::ExtensionType;
use stapler::{NamedGroup, OcspOutcome, PeerMisbehaved, ServerConnection};

use super::common::hello_encoder::{ExtensionModel, HelloModel};
use super::common::rustls_pair::{
    client_config_with, pinned_provider, staple, Pair, RecordingVerifier,
};
use super::common::tls13_wire::{good_hello, with, without};
use super::common::wire::{feed_all, plaintext_alert, rejects_with};
use super::p384_only_config;

/// All suites; x25519 first (rustls sends a share for it only), then P-384.
fn x25519_first_client(verifier: Arc<RecordingVerifier>) -> rustls::ClientConfig {
    let provider = pinned_provider(
        &[
            cipher_suite::TLS13_AES_128_GCM_SHA256,
            cipher_suite::TLS13_AES_256_GCM_SHA384,
            cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
        ],
        &[kx_group::X25519, kx_group::SECP384R1],
    );
    client_config_with(verifier, provider)
}

/// The ServerHello.random that marks a HelloRetryRequest (RFC 8446 §4.1.3).
const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Whether `flight` starts with a handshake record holding a
/// HelloRetryRequest.
fn is_hello_retry(flight: &[u8]) -> bool {
    // record header (5), handshake header (4), legacy_version (2), random
    flight.len() > 43 && flight[0] == 0x16 && flight[5] == 2 && flight[11..43] == HRR_RANDOM
}

#[test]
fn hello_retry_when_the_share_is_for_a_group_the_server_does_not_take() {
    let mut pair = Pair::new(
        x25519_first_client(RecordingVerifier::new()),
        Arc::new(p384_only_config(false)),
    );
    pair.client_to_server().unwrap();
    assert!(is_hello_retry(&pair.to_client), "first answer is an HRR");
    assert!(pair.events.is_empty());
    pair.run().unwrap();
    assert!(!pair.client.is_handshaking());
    let summary = pair.summary().unwrap();
    assert!(summary.hello_retry);
    assert_eq!(summary.group, Some(NamedGroup::Secp384r1));
    assert_eq!(
        pair.client.negotiated_key_exchange_group().unwrap().name(),
        rustls::NamedGroup::secp384r1
    );
    pair.exchange_data();
}

#[test]
fn hello_retry_then_ocsp_event_raised_once_after_the_second_hello() {
    let verifier = RecordingVerifier::new();
    let mut pair = Pair::new(
        x25519_first_client(verifier.clone()),
        Arc::new(p384_only_config(true)),
    );
    // First hello: HRR, no event, not paused.
    pair.client_to_server().unwrap();
    assert!(is_hello_retry(&pair.to_client));
    assert!(pair.ocsp_requests.is_empty());
    assert!(pair.server.paused_for().is_none());
    // Second hello: now the event, and the pause.
    pair.server_to_client().unwrap();
    pair.client_to_server().unwrap();
    assert_eq!(pair.ocsp_requests.len(), 1);
    assert!(pair.server.paused_for().is_some());
    assert!(pair.to_client.is_empty());

    let req = pair.ocsp_requests.pop().unwrap();
    let bytes = staple("after a retry");
    pair.complete(req.respond(bytes.clone()).unwrap()).unwrap();
    assert!(pair.ocsp_requests.is_empty(), "the event is raised once");
    assert_eq!(verifier.last_staple(), Some(bytes.clone()));
    let summary = pair.summary().unwrap();
    assert!(summary.hello_retry);
    assert_eq!(summary.ocsp, OcspOutcome::Stapled(bytes.len()));
}

#[test]
fn second_hello_without_the_requested_share_is_illegal_parameter() {
    let mut server = ServerConnection::new(Arc::new(p384_only_config(false)));
    let hello = with(
        good_hello(),
        ExtensionModel::SupportedGroups(vec![0x001d, 0x0018]),
    );
    let (result, out, events) = feed_all(&mut server, &hello.builder().record());
    assert_eq!(result, Ok(hello.builder().record().len()));
    assert!(is_hello_retry(&out));
    assert!(events.is_empty());
    // The same hello again: still an x25519 share, not the P-384 one asked
    // for.
    rejects_with(
        &mut server,
        &hello.builder().record(),
        PeerMisbehaved::RetryWithoutRequestedShare.into(),
        47,
    );
}

// ---------------------------------------------------------------------------
// The second hello must be the first again (RFC 8446 §4.1.2).

/// `hello` with its extension of `ext`'s type replaced where it stands.
fn replaced(mut hello: HelloModel, ext: ExtensionModel) -> HelloModel {
    let typ = ext.extension_type();
    let exts = hello.extensions.as_mut().unwrap();
    let at = exts.iter().position(|e| e.extension_type() == typ).unwrap();
    exts[at] = ext;
    hello
}

/// A first hello that gets a retry from the P-384-only server (its share
/// is x25519), with GREASE and padding, and the second hello that answers
/// it: the P-384 share in the key_share's place, and the padding longer,
/// which §4.1.2 allows.
fn retry_pair() -> (HelloModel, HelloModel) {
    let mut first = with(
        good_hello(),
        ExtensionModel::SupportedGroups(vec![0x001d, 0x0018]),
    );
    let exts = first.extensions.as_mut().unwrap();
    exts.insert(0, ExtensionModel::Grease(0x0a0a, Vec::new()));
    exts.push(ExtensionModel::Padding(vec![0; 16]));
    let share = EphemeralPrivateKey::generate(&ECDH_P384, &SystemRandom::new())
        .unwrap()
        .compute_public_key()
        .unwrap();
    let second = replaced(
        replaced(
            first.clone(),
            ExtensionModel::KeyShare(vec![(0x0018, share.as_ref().to_vec())]),
        ),
        ExtensionModel::Padding(vec![0; 200]),
    );
    (first, second)
}

/// A P-384-only server that has answered `first` with a retry.
fn retried(first: &HelloModel) -> ServerConnection {
    let mut server = ServerConnection::new(Arc::new(p384_only_config(false)));
    let (result, out, _) = feed_all(&mut server, &first.builder().record());
    assert!(result.is_ok() && is_hello_retry(&out));
    server
}

#[test]
fn second_hello_changed_only_where_a_retry_allows_is_answered() {
    let (first, second) = retry_pair();
    let mut server = retried(&first);
    let (result, out, _) = feed_all(&mut server, &second.builder().record());
    assert_eq!(result, Ok(second.builder().record().len()));
    // A ServerHello, not another retry.
    assert!(out.len() > 43 && out[0] == 0x16 && out[5] == 2 && !is_hello_retry(&out));
}

#[test]
fn second_hello_that_changed_anything_else_is_illegal_parameter() {
    let (first, second) = retry_pair();
    let reversed = {
        let mut h = second.clone();
        h.extensions.as_mut().unwrap().reverse();
        h
    };
    let other_grease = {
        let mut h = second.clone();
        h.extensions.as_mut().unwrap()[0] = ExtensionModel::Grease(0x1a1a, Vec::new());
        h
    };
    let changes: Vec<(&str, HelloModel)> = vec![
        ("extensions reordered", reversed),
        (
            "random",
            HelloModel {
                random: [8; 32],
                ..second.clone()
            },
        ),
        (
            "legacy_session_id",
            HelloModel {
                session_id: vec![0x5f; 32],
                ..second.clone()
            },
        ),
        (
            "cipher_suites",
            HelloModel {
                cipher_suites: vec![0x1301, 0x1302],
                ..second.clone()
            },
        ),
        (
            "legacy_version",
            HelloModel {
                legacy_version: 0x0301,
                ..second.clone()
            },
        ),
        (
            "signature_algorithms",
            replaced(
                second.clone(),
                ExtensionModel::SignatureAlgorithms(vec![0x0403, 0x0804]),
            ),
        ),
        ("GREASE value", other_grease),
        (
            "server_name dropped",
            without(second.clone(), ExtensionType::ServerName),
        ),
        (
            "extension added",
            with(second.clone(), ExtensionModel::Unknown(0x4444, vec![1])),
        ),
    ];
    for (what, changed) in changes {
        let mut server = retried(&first);
        let (result, out, _) = feed_all(&mut server, &changed.builder().record());
        assert_eq!(
            result,
            Err(PeerMisbehaved::RetryChangedHello.into()),
            "{what}"
        );
        assert_eq!(out, plaintext_alert(47), "{what}: illegal_parameter");
    }
}

/// The fuzz `server` target goes through a retry and past the second-hello
/// check: a hello with an empty share list gets a HelloRetryRequest (no
/// alert, the connection open), and the same hello with an x25519 share in
/// its place gets the server flight. `STAPLER_FUZZ_SEEDS` names a
/// directory to write the two hellos to as a seed, in the target's form,
/// so that the fuzzer starts with both.
#[test]
fn the_fuzz_server_target_goes_through_a_seeded_retry() {
    let second = good_hello();
    let first = replaced(second.clone(), ExtensionModel::KeyShare(Vec::new()));
    let mut input = vec![0, 0, 0];
    input.extend(first.builder().record());
    let retry_only = super::targets::server::server(&input);
    assert!(
        retry_only.output > 0 && !retry_only.closed,
        "{retry_only:?}"
    );
    input.extend(second.builder().record());
    let run = super::targets::server::server(&input);
    assert!(
        run.output > retry_only.output && !run.closed,
        "the second hello is answered: {run:?}"
    );
    // The second hello changed (its random), and the run ends in an alert.
    let mut changed_input = vec![0, 0, 0];
    changed_input.extend(first.builder().record());
    changed_input.extend(
        HelloModel {
            random: [8; 32],
            ..second
        }
        .builder()
        .record(),
    );
    assert!(super::targets::server::server(&changed_input).closed);
    if let Some(dir) = std::env::var_os("STAPLER_FUZZ_SEEDS") {
        std::fs::write(std::path::Path::new(&dir).join("hello-retry-tls13"), &input).unwrap();
    }
}
