//! TLS 1.3 handshakes between stapler and the rustls client, in memory:
//! every suite, group and signature scheme, HelloRetryRequest, ALPN, the
//! OCSP event with its three answers (from this thread, another thread, and
//! a thousand connections at once), KeyUpdate and close_notify; then bad
//! input on the wire, each error with the exact alert it sends.

#[path = "tls13_rustls/bad_hello.rs"]
mod bad_hello;
#[path = "tls13_rustls/bad_protected.rs"]
mod bad_protected;
mod common;
#[path = "tls13_rustls/hello_retry.rs"]
mod hello_retry;
#[path = "tls13_rustls/ocsp_event.rs"]
mod ocsp_event;
#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod targets;

use std::sync::Arc;

use common::rustls_cases::{self, alpn_pair};
use common::rustls_pair::{
    client_config, client_config_with, ecdsa_server_config, pinned_provider, pki, Pair,
    RecordingVerifier,
};
use rustls::crypto::ring::{cipher_suite, kx_group};
use stapler::server::ProtocolVersion;
use stapler::{CipherSuite, NamedGroup, ServerConfig};

// ---------------------------------------------------------------------------
// Every suite × group × signature scheme.

rustls_cases::matrix_tests! {
    Tls13;
    ecdsa_secp256r1_sha256 => ECDSA_P256,
    ecdsa_secp384r1_sha384 => ECDSA_P384,
    ed25519 => ED25519,
    rsa_pss_rsae_sha256 => RSA_PSS_SHA256,
    rsa_pss_rsae_sha384 => RSA_PSS_SHA384,
    rsa_pss_rsae_sha512 => RSA_PSS_SHA512,
}

// Abort from the OCSP event, ALPN without overlap, closing either way.
rustls_cases::version_independent_tests!(Tls13);

#[test]
fn server_prefers_its_own_suite_and_group_order() {
    // The client prefers ChaCha20 and P-384 but offers everything and sends
    // a P-384 share only; the server's defaults put AES-128 first and, with
    // a share already in hand, take P-384 rather than ask for x25519.
    let provider = pinned_provider(
        &[
            cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
            cipher_suite::TLS13_AES_256_GCM_SHA384,
            cipher_suite::TLS13_AES_128_GCM_SHA256,
        ],
        &[kx_group::SECP384R1, kx_group::X25519],
    );
    let mut pair = Pair::new(
        client_config_with(RecordingVerifier::new(), provider),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.run().unwrap();
    let summary = pair.summary().unwrap();
    assert_eq!(summary.cipher_suite, CipherSuite::TlsAes128GcmSha256);
    assert_eq!(summary.group, Some(NamedGroup::Secp384r1));
    assert!(!summary.hello_retry);
}

// ---------------------------------------------------------------------------
// Shared with the HelloRetryRequest and bad-input modules.

/// Only P-384, so a client that leads with an x25519 share is asked again.
fn p384_only_config(ocsp_events: bool) -> ServerConfig {
    ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .ca_certificates(&pki("root-ca.crt"))
        .unwrap()
        .key_exchange_groups(&[NamedGroup::Secp384r1])
        .unwrap()
        .ocsp_events(ocsp_events)
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------
// ALPN.

#[test]
fn alpn_picks_the_protocol_both_speak() {
    let mut pair = alpn_pair(ProtocolVersion::Tls13, &[b"http/1.1"]);
    pair.run().unwrap();
    assert_eq!(
        pair.summary().unwrap().alpn_protocol.as_deref(),
        Some(&b"http/1.1"[..])
    );
    assert_eq!(pair.client.alpn_protocol(), Some(&b"http/1.1"[..]));
}

#[test]
fn alpn_follows_the_server_preference() {
    let mut pair = alpn_pair(ProtocolVersion::Tls13, &[b"http/1.1", b"h2"]);
    pair.run().unwrap();
    assert_eq!(pair.client.alpn_protocol(), Some(&b"h2"[..]));
}

#[test]
fn alpn_absent_when_the_client_offers_none() {
    let mut pair = alpn_pair(ProtocolVersion::Tls13, &[]);
    pair.run().unwrap();
    assert_eq!(pair.summary().unwrap().alpn_protocol, None);
    assert_eq!(pair.client.alpn_protocol(), None);
}

// ---------------------------------------------------------------------------
// KeyUpdate and closing.

#[test]
fn key_update_requested_by_the_client() {
    let mut pair = Pair::established(client_config(RecordingVerifier::new()));
    pair.exchange_data();
    for _ in 0..3 {
        // rustls sends KeyUpdate(update_requested): the server must take
        // the client's new key and answer with its own.
        pair.client.refresh_traffic_keys().unwrap();
        pair.client_to_server().unwrap();
        assert!(!pair.to_client.is_empty(), "the server's KeyUpdate");
        pair.server_to_client().unwrap();
        pair.exchange_data();
    }
    assert!(pair.closes().is_empty());
}
