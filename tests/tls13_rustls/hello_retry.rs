//! HelloRetryRequest: a client whose key share is for a group the server
//! does not take is asked again, and the OCSP event waits for its second hello.

use std::sync::Arc;

use rustls::crypto::ring::{cipher_suite, kx_group};
use stapler::{NamedGroup, OcspOutcome, PeerMisbehaved, ServerConnection};

use super::common::hello_encoder::ExtensionModel;
use super::common::rustls_pair::{
    client_config_with, pinned_provider, staple, Pair, RecordingVerifier,
};
use super::common::tls13_wire::{good_hello, with};
use super::common::wire::{feed_all, rejects_with};
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
