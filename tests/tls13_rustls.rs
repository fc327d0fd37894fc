//! TLS 1.3 handshakes between stapler and the rustls client, in memory:
//! every suite, group and signature scheme, HelloRetryRequest, ALPN, the
//! OCSP event with its three answers (from this thread, another thread, and
//! a thousand connections at once), KeyUpdate and close_notify; then bad
//! input on the wire, each error with the exact alert it sends.

mod common;

use std::sync::{mpsc, Arc};

use common::hello_encoder::{record, ExtensionModel};
use common::rustls_cases::{self, alpn_pair};
use common::rustls_pair::{
    client_config, client_config_with, config_with_versions, ecdsa_server_config, pinned_provider,
    pki, pki_der, roots_from, server_config, staple, Pair, RecordingVerifier,
};
use common::tls13_wire::{
    at_client_finished, fresh_server, good_hello, hkdf_expand_label, open_record, rejects,
    rejects_protected, seal_record, with, without,
};
use common::wire::{feed_all, rejects_with};
use rustls::crypto::ring::{cipher_suite, kx_group};
use stapler::codec::{AlertDescription, ContentType, ExtensionType};
use stapler::server::ProtocolVersion;
use stapler::EmptyResponse;
use stapler::{
    CipherSuite, CloseReason, CompleteError, Completion, Error, Event, Field, InvalidMessage,
    Misuse, NamedGroup, OcspOutcome, OcspRequest, PeerMisbehaved, ServerConfig, ServerConnection,
};

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
// HelloRetryRequest.

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
// The OCSP event.

/// A pair paused on the OCSP event; the request is returned.
fn paused(verifier: Arc<RecordingVerifier>) -> (Pair, OcspRequest) {
    Pair::paused(client_config(verifier))
}

#[test]
fn handshake_without_ocsp_events_raises_none_and_staples_nothing() {
    let verifier = RecordingVerifier::new();
    let mut pair = Pair::new(
        client_config(verifier.clone()),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.run().unwrap();
    assert!(!pair.client.is_handshaking());
    assert!(pair.server.is_handshake_complete());
    assert!(pair.ocsp_requests.is_empty());
    let summary = pair.summary().unwrap();
    assert_eq!(summary.ocsp, OcspOutcome::NotRequested);
    assert_eq!(summary.server_name.as_deref(), Some("localhost"));
    assert_eq!(verifier.last_staple(), Some(vec![]));
}

#[test]
fn staple_reaches_the_client_byte_for_byte() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused(verifier.clone());
    // rustls always sends status_request: the handshake is paused.
    assert!(pair.to_client.is_empty(), "nothing is written while paused");
    assert_eq!(req.certificate().as_ref(), &pki_der("leaf-ecdsa.crt")[..]);
    assert_eq!(
        req.issuer().map(|b| b.to_vec()),
        Some(pki_der("root-ca.crt"))
    );
    assert_eq!(req.server_name(), Some("localhost"));

    let bytes = staple(" pretend OCSP response");
    pair.complete(req.respond(bytes.clone()).unwrap()).unwrap();
    assert!(!pair.client.is_handshaking());
    assert_eq!(verifier.last_staple(), Some(bytes.clone()));
    assert_eq!(
        pair.summary().unwrap().ocsp,
        OcspOutcome::Stapled(bytes.len())
    );
    pair.exchange_data();
}

#[test]
fn no_response_staples_nothing() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused(verifier.clone());
    pair.complete(req.no_response()).unwrap();
    assert!(!pair.client.is_handshaking());
    assert_eq!(verifier.last_staple(), Some(vec![]));
    assert_eq!(pair.summary().unwrap().ocsp, OcspOutcome::NoResponse);
}

#[test]
fn an_empty_response_is_refused_and_the_request_handed_back() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused(verifier.clone());
    let Err(EmptyResponse(req)) = req.respond(Vec::new()) else {
        panic!("an empty staple must be refused");
    };
    assert!(pair.server.paused_for().is_some());
    let bytes = staple("second try");
    pair.complete(req.respond(bytes.clone()).unwrap()).unwrap();
    assert_eq!(verifier.last_staple(), Some(bytes));
}

#[test]
fn a_completion_for_another_connection_is_refused_and_handed_back() {
    let (va, vb) = (RecordingVerifier::new(), RecordingVerifier::new());
    let (mut a, req_a) = paused(va.clone());
    let (mut b, req_b) = paused(vb.clone());
    let (staple_a, staple_b) = (staple("for a"), staple("for b"));
    let completion_a = req_a.respond(staple_a.clone()).unwrap();
    let completion_b = req_b.respond(staple_b.clone()).unwrap();

    // A's completion at B, and B's at A: refused, handed back, no change.
    let Err(CompleteError::Foreign(completion_a)) =
        b.server.complete(completion_a, common::ANY_TIME)
    else {
        panic!("B took A's completion");
    };
    let Err(CompleteError::Foreign(completion_b)) =
        a.server.complete(completion_b, common::ANY_TIME)
    else {
        panic!("A took B's completion");
    };
    for pair in [&mut a, &mut b] {
        assert!(pair.server.paused_for().is_some());
        assert!(pair.server.poll_event().is_none());
        assert!(pair.server.poll_transmit().is_none());
    }

    // Each still completes with its own.
    a.complete(completion_a).unwrap();
    b.complete(completion_b).unwrap();
    assert_eq!(va.last_staple(), Some(staple_a));
    assert_eq!(vb.last_staple(), Some(staple_b));
}

#[test]
fn a_completion_is_refused_after_the_connection_moved_on() {
    // A completion whose connection was closed while it waited.
    let (mut pair, req) = paused(RecordingVerifier::new());
    pair.server.close();
    let refused = pair.server.complete(req.no_response(), common::ANY_TIME);
    assert!(matches!(refused, Err(CompleteError::Closed)));
    assert_eq!(
        Error::from(refused.unwrap_err()),
        Error::Misuse(Misuse::Closed)
    );
}

#[test]
fn requests_and_completions_are_send() {
    fn assert_send<T: Send>() {}
    assert_send::<OcspRequest>();
    assert_send::<Completion>();
    assert_send::<CompleteError>();
    assert_send::<ServerConnection>();
}

#[test]
fn completion_made_on_another_thread() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused(verifier.clone());
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        // What a real responder lookup would read.
        let tag = format!("for a {}-byte leaf", req.certificate().len());
        tx.send((tag.clone(), req.respond(staple(&tag)).unwrap()))
            .unwrap();
    });
    let (tag, completion) = rx.recv().unwrap();
    worker.join().unwrap();
    pair.complete(completion).unwrap();
    assert_eq!(verifier.last_staple(), Some(staple(&tag)));
}

/// splitmix64: a small, seeded generator so the order below is the same on
/// every run.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[test]
fn a_thousand_paused_connections_completed_in_random_order() {
    const N: usize = 1000;
    let config = Arc::new(ecdsa_server_config(true));
    let mut conns: Vec<(Pair, Arc<RecordingVerifier>, Option<OcspRequest>)> = (0..N)
        .map(|_| {
            let verifier = RecordingVerifier::new();
            let mut pair = Pair::new(client_config(verifier.clone()), Arc::clone(&config));
            pair.run().unwrap();
            let req = pair.ocsp_requests.pop().expect("OcspRequest");
            (pair, verifier, Some(req))
        })
        .collect();
    assert!(conns
        .iter()
        .all(|(p, _, _)| p.server.paused_for().is_some()));

    // Fisher-Yates with a fixed seed.
    let mut order: Vec<usize> = (0..N).collect();
    let mut seed: u64 = 0x5eed_0c5b;
    for i in (1..N).rev() {
        let j = (splitmix64(&mut seed) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    assert_ne!(order[..10], (0..10).collect::<Vec<_>>()[..]);

    for (done, &i) in order.iter().enumerate() {
        let (pair, _, req) = &mut conns[i];
        let req = req.take().unwrap();
        pair.complete(req.respond(staple(&format!("connection {i}"))).unwrap())
            .unwrap();
        assert!(pair.server.is_handshake_complete());
        // Every connection not yet answered is still paused.
        if done % 100 == 0 {
            let paused = conns
                .iter()
                .filter(|c| c.0.server.paused_for().is_some())
                .count();
            assert_eq!(paused, N - done - 1);
        }
    }
    for (i, (pair, verifier, _)) in conns.iter().enumerate() {
        assert!(!pair.client.is_handshaking());
        assert_eq!(
            verifier.staples(),
            vec![staple(&format!("connection {i}"))],
            "connection {i}"
        );
    }
}

#[test]
fn self_signed_leaf_has_no_issuer() {
    let verifier = RecordingVerifier::custom(roots_from(&["self-signed.crt"]), None);
    let mut pair = Pair::with_name(
        client_config(verifier.clone()),
        Arc::new(server_config("self-signed.crt", "self-signed.key", true)),
        "self-signed.example.test",
    );
    pair.run().unwrap();
    let req = pair.ocsp_requests.pop().expect("OcspRequest");
    assert_eq!(req.certificate().as_ref(), &pki_der("self-signed.crt")[..]);
    assert_eq!(req.issuer(), None);
    assert_eq!(req.server_name(), Some("self-signed.example.test"));
    let bytes = staple("self-signed");
    pair.complete(req.respond(bytes.clone()).unwrap()).unwrap();
    assert_eq!(verifier.last_staple(), Some(bytes));
}

#[test]
fn must_staple_leaf_raises_the_event() {
    let verifier = RecordingVerifier::new();
    let mut pair = Pair::with_name(
        client_config(verifier.clone()),
        Arc::new(server_config("must-staple.crt", "must-staple.key", true)),
        "must-staple.example.test",
    );
    pair.run().unwrap();
    let req = pair.ocsp_requests.pop().expect("OcspRequest");
    assert_eq!(req.certificate().as_ref(), &pki_der("must-staple.crt")[..]);
    assert_eq!(
        req.issuer().map(|b| b.to_vec()),
        Some(pki_der("root-ca.crt"))
    );
    let bytes = staple("must-staple");
    pair.complete(req.respond(bytes.clone()).unwrap()).unwrap();
    assert_eq!(verifier.last_staple(), Some(bytes));
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

// ---------------------------------------------------------------------------
// Bad input on the wire.

#[test]
fn the_hand_built_hello_is_accepted() {
    // The baseline every bad hello below departs from.
    let (result, out, events) = feed_all(&mut fresh_server(), &good_hello().builder().record());
    assert_eq!(result, Ok(good_hello().builder().record().len()));
    assert!(events.is_empty(), "{events:?}");
    // ServerHello in the clear, then the compatibility CCS, then the
    // encrypted rest of the flight.
    assert_eq!(out[..6], [0x16, 0x03, 0x03, out[3], out[4], 0x02]);
    let hello_len = 5 + usize::from(u16::from_be_bytes([out[3], out[4]]));
    assert_eq!(out[hello_len..hello_len + 6], [20, 3, 3, 0, 1, 1]);
    assert_eq!(out[hello_len + 6], 0x17);
}

#[test]
fn truncated_hello_is_decode_error() {
    let body = good_hello().builder().encode();
    // A well-framed message whose body ends inside the cipher suites: the
    // vector runs past the end of the ClientHello.
    let offsets = good_hello().builder().offsets();
    let cut = &body[..offsets.cipher_suites + 3];
    let input = record(
        22,
        0x0301,
        &common::hello_encoder::handshake_message(1, cut),
    );
    rejects(
        &input,
        InvalidMessage::Truncated(Field::ClientHello).into(),
        50,
    );
}

#[test]
fn hello_with_trailing_bytes_is_decode_error() {
    let mut builder = good_hello().builder();
    builder.trailing = vec![0];
    rejects(
        &builder.record(),
        InvalidMessage::TrailingBytes(Field::Extensions).into(),
        50,
    );
}

#[test]
fn duplicate_extension_is_illegal_parameter() {
    let builder = good_hello()
        .builder()
        .extension(ExtensionType::SupportedVersions, vec![2, 0x03, 0x04]);
    rejects(
        &builder.record(),
        InvalidMessage::DuplicateExtension(ExtensionType::SupportedVersions).into(),
        47,
    );
}

#[test]
fn compression_in_a_tls13_hello_is_illegal_parameter() {
    let mut hello = good_hello();
    hello.compression_methods = vec![0, 1];
    rejects(
        &hello.builder().record(),
        PeerMisbehaved::CompressionOffered.into(),
        47,
    );
}

#[test]
fn hello_without_key_share_is_missing_extension() {
    let hello = without(good_hello(), ExtensionType::KeyShare);
    rejects(
        &hello.builder().record(),
        PeerMisbehaved::Missing("key_share").into(),
        109,
    );
}

#[test]
fn hello_without_signature_algorithms_is_missing_extension() {
    let hello = without(good_hello(), ExtensionType::SignatureAlgorithms);
    rejects(
        &hello.builder().record(),
        PeerMisbehaved::Missing("signature_algorithms").into(),
        109,
    );
}

#[test]
fn tls12_only_hello_to_a_tls13_only_server_is_protocol_version() {
    let input = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/client_hello/openssl_tls12.bin"),
    )
    .unwrap();
    let config = config_with_versions(&[ProtocolVersion::Tls13]);
    let mut server = ServerConnection::new(Arc::new(config));
    rejects_with(
        &mut server,
        &input,
        PeerMisbehaved::NoCommonVersion.into(),
        70,
    );
}

#[test]
fn no_common_cipher_suite_is_handshake_failure() {
    let mut hello = good_hello();
    // TLS_AES_128_CCM_SHA256 and a TLS 1.2 suite: neither is served.
    hello.cipher_suites = vec![0x1304, 0xc02b];
    rejects(
        &hello.builder().record(),
        PeerMisbehaved::NoCommonCipherSuite.into(),
        40,
    );
}

#[test]
fn no_common_group_is_handshake_failure() {
    // x448 only, which the server does not implement.
    let hello = with(
        with(good_hello(), ExtensionModel::SupportedGroups(vec![0x001e])),
        ExtensionModel::KeyShare(vec![(0x001e, vec![9; 56])]),
    );
    rejects(
        &hello.builder().record(),
        PeerMisbehaved::NoCommonGroup.into(),
        40,
    );
}

#[test]
fn no_common_group_with_a_restricted_server_is_handshake_failure() {
    let mut server = ServerConnection::new(Arc::new(p384_only_config(false)));
    rejects_with(
        &mut server,
        &good_hello().builder().record(),
        PeerMisbehaved::NoCommonGroup.into(),
        40,
    );
}

#[test]
fn application_data_before_the_handshake_is_unexpected_message() {
    rejects(
        &record(23, 0x0303, b"GET / HTTP/1.1\r\n"),
        InvalidMessage::UnexpectedContentType(ContentType::ApplicationData).into(),
        10,
    );
}

#[test]
fn finished_before_the_hello_is_unexpected_message() {
    let input = record(
        22,
        0x0301,
        &common::hello_encoder::handshake_message(20, &[0; 32]),
    );
    rejects(
        &input,
        PeerMisbehaved::UnexpectedMessage("Finished").into(),
        10,
    );
}

#[test]
fn plaintext_record_over_2_14_is_record_overflow() {
    let input = record(22, 0x0301, &vec![0; (1 << 14) + 1]);
    rejects(
        &input,
        InvalidMessage::RecordOverflow {
            len: (1 << 14) + 1,
            max: 1 << 14,
        }
        .into(),
        22,
    );
}

#[test]
fn record_header_beyond_the_ciphertext_limit_is_record_overflow() {
    // Only the header: the length alone condemns it.
    let len: u16 = (1 << 14) + 256 + 1;
    let mut input = vec![22, 3, 1];
    input.extend(len.to_be_bytes());
    rejects(
        &input,
        InvalidMessage::RecordOverflow {
            len: usize::from(len),
            max: (1 << 14) + 256,
        }
        .into(),
        22,
    );
}

#[test]
fn invalid_key_share_is_illegal_parameter() {
    // 31 bytes is no X25519 public key.
    let hello = with(
        good_hello(),
        ExtensionModel::KeyShare(vec![(0x001d, vec![9; 31])]),
    );
    rejects(
        &hello.builder().record(),
        InvalidMessage::BadKeyShare(0x001d).into(),
        47,
    );
}

#[test]
fn change_cipher_spec_before_the_hello_is_unexpected_message() {
    rejects(
        &record(20, 0x0301, &[1]),
        PeerMisbehaved::BadChangeCipherSpec.into(),
        10,
    );
}

#[test]
fn fatal_alert_before_the_hello_is_not_answered() {
    let (result, out, events) = feed_all(&mut fresh_server(), &record(21, 0x0301, &[2, 40]));
    assert_eq!(
        result,
        Err(Error::AlertReceived(AlertDescription::HandshakeFailure))
    );
    assert!(out.is_empty());
    assert!(matches!(
        &events[..],
        [Event::Closed(CloseReason::PeerAlert(
            AlertDescription::HandshakeFailure
        ))]
    ));
}

#[test]
fn close_notify_before_the_hello_is_answered_in_the_clear() {
    let mut server = fresh_server();
    let (result, out, events) = feed_all(&mut server, &record(21, 0x0301, &[1, 0]));
    assert_eq!(result, Ok(7));
    assert_eq!(out, [0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00]);
    assert!(matches!(
        &events[..],
        [Event::Closed(CloseReason::PeerClosed)]
    ));
    assert!(server.is_closed());
}

// Bad input after the server's flight, where the alert is protected: the
// rustls client decrypts it, which checks the alert too.

#[test]
fn client_hello_where_finished_is_expected_is_unexpected_message() {
    let (mut pair, log, _finished) = at_client_finished();
    let secret = log.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET").unwrap();
    let hello = good_hello().builder().handshake();
    let input = seal_record(&secret, 0, 22, &hello);
    rejects_protected(
        &mut pair,
        &input,
        PeerMisbehaved::UnexpectedMessage("ClientHello").into(),
        AlertDescription::UnexpectedMessage,
        rustls::AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn plaintext_hello_where_finished_is_expected_is_unexpected_message() {
    let (mut pair, _log, _finished) = at_client_finished();
    rejects_protected(
        &mut pair,
        &good_hello().builder().record(),
        InvalidMessage::UnexpectedContentType(ContentType::Handshake).into(),
        AlertDescription::UnexpectedMessage,
        rustls::AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn wrong_finished_is_decrypt_error() {
    let (mut pair, log, _finished) = at_client_finished();
    let secret = log.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET").unwrap();
    let finished = common::hello_encoder::handshake_message(20, &[0; 32]);
    rejects_protected(
        &mut pair,
        &seal_record(&secret, 0, 22, &finished),
        InvalidMessage::FinishedMismatch.into(),
        AlertDescription::DecryptError,
        rustls::AlertDescription::DecryptError,
    );
}

#[test]
fn tampered_finished_record_is_bad_record_mac() {
    let (mut pair, _log, mut finished) = at_client_finished();
    // The compatibility CCS, then the protected Finished.
    assert_eq!(finished[..6], [20, 3, 3, 0, 1, 1]);
    assert_eq!(finished[6], 0x17);
    let last = finished.len() - 1;
    finished[last] ^= 0x01;
    rejects_protected(
        &mut pair,
        &finished,
        InvalidMessage::DecryptFailed.into(),
        AlertDescription::BadRecordMac,
        rustls::AlertDescription::BadRecordMac,
    );
}

#[test]
fn untampered_finished_completes() {
    // The control for the three tests above.
    let (mut pair, _log, finished) = at_client_finished();
    pair.pending_to_server = finished;
    pair.feed_pending().unwrap();
    assert!(pair.server.is_handshake_complete());
}

#[test]
fn protected_plaintext_over_2_14_is_record_overflow() {
    let (mut pair, log, finished) = at_client_finished();
    pair.pending_to_server = finished;
    pair.feed_pending().unwrap();
    let secret = log.get("CLIENT_TRAFFIC_SECRET_0").unwrap();
    let full = seal_record(&secret, 0, 23, &vec![b'a'; 1 << 14]);
    assert_eq!(pair.server.feed(&full), Ok(full.len()));
    pair.drain_server();
    assert_eq!(pair.server_reads().len(), 1 << 14);
    // TLSInnerPlaintext (content and type byte) may hold 2^14 + 1 bytes
    // (RFC 8446 §5.4); this one holds 2^14 + 2.
    rejects_protected(
        &mut pair,
        &seal_record(&secret, 1, 23, &vec![b'b'; (1 << 14) + 1]),
        InvalidMessage::RecordOverflow {
            len: (1 << 14) + 2,
            max: (1 << 14) + 1,
        }
        .into(),
        AlertDescription::RecordOverflow,
        rustls::AlertDescription::RecordOverflow,
    );
}

// "Handshake messages MUST NOT span key changes" (RFC 8446 §5.1): a message
// after which the client's keys change must end its record. The server must
// notice before it acts on the message: no flight, no event.

#[test]
fn hello_with_another_message_in_its_record_is_unexpected_message() {
    let mut fragment = good_hello().builder().handshake();
    fragment.extend(common::hello_encoder::handshake_message(20, &[0; 32]));
    let input = record(22, 0x0301, &fragment);
    rejects(&input, PeerMisbehaved::MessageSpansKeyChange.into(), 10);
    // Nor is an OCSP event raised for it.
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(true)));
    let mut fragment = with(
        good_hello(),
        ExtensionModel::StatusRequest(common::hello_encoder::StatusRequestModel::Ocsp {
            responder_ids: vec![],
            request_extensions: None,
        }),
    )
    .builder()
    .handshake();
    fragment.extend(common::hello_encoder::handshake_message(20, &[0; 32]));
    rejects_with(
        &mut server,
        &record(22, 0x0301, &fragment),
        PeerMisbehaved::MessageSpansKeyChange.into(),
        10,
    );
}

#[test]
fn finished_with_another_message_in_its_record_is_unexpected_message() {
    let (mut pair, log, finished) = at_client_finished();
    let secret = log.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET").unwrap();
    // rustls's own (correct) Finished, with a KeyUpdate behind it.
    let (typ, mut plaintext) = open_record(&secret, 0, &finished[6..]);
    assert_eq!((typ, plaintext[0]), (22, 20));
    plaintext.extend(common::hello_encoder::handshake_message(24, &[0]));
    rejects_protected(
        &mut pair,
        &seal_record(&secret, 0, 22, &plaintext),
        PeerMisbehaved::MessageSpansKeyChange.into(),
        AlertDescription::UnexpectedMessage,
        rustls::AlertDescription::UnexpectedMessage,
    );
    assert!(pair.summary().is_none(), "no HandshakeComplete");
}

#[test]
fn key_update_with_another_message_in_its_record_is_unexpected_message() {
    let (mut pair, log, finished) = at_client_finished();
    pair.pending_to_server = finished;
    pair.feed_pending().unwrap();
    assert!(pair.server.is_handshake_complete());
    let secret = log.get("CLIENT_TRAFFIC_SECRET_0").unwrap();
    let mut plaintext = common::hello_encoder::handshake_message(24, &[1]);
    plaintext.extend(common::hello_encoder::handshake_message(24, &[0]));
    rejects_protected(
        &mut pair,
        &seal_record(&secret, 0, 22, &plaintext),
        PeerMisbehaved::MessageSpansKeyChange.into(),
        AlertDescription::UnexpectedMessage,
        rustls::AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn more_key_updates_in_a_row_than_the_limit_is_unexpected_message() {
    let (mut pair, log, finished) = at_client_finished();
    pair.pending_to_server = finished;
    pair.feed_pending().unwrap();
    let mut secret = log.get("CLIENT_TRAFFIC_SECRET_0").unwrap();
    let mut seq = 0;
    let update = common::hello_encoder::handshake_message(24, &[0]);
    // As many as the limit are followed, and data between starts the
    // count again.
    for round in 0..2 {
        for _ in 0..stapler::server::MAX_KEY_UPDATES_IN_A_ROW {
            let record = seal_record(&secret, seq, 22, &update);
            assert_eq!(pair.server.feed(&record), Ok(record.len()));
            secret = hkdf_expand_label(&secret, b"traffic upd", 32);
            seq = 0;
        }
        if round == 0 {
            let data = seal_record(&secret, seq, 23, b"between");
            assert_eq!(pair.server.feed(&data), Ok(data.len()));
            seq += 1;
            let mut buf = [0; 16];
            assert_eq!(pair.server.read(&mut buf), Ok(7));
        }
    }
    rejects_protected(
        &mut pair,
        &seal_record(&secret, seq, 22, &update),
        PeerMisbehaved::TooManyKeyUpdates.into(),
        AlertDescription::UnexpectedMessage,
        rustls::AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn key_update_made_by_hand_is_followed() {
    // The control for the test above: one KeyUpdate(update_requested) per
    // record is taken, and data under the next key is read.
    let (mut pair, log, finished) = at_client_finished();
    pair.pending_to_server = finished;
    pair.feed_pending().unwrap();
    let secret0 = log.get("CLIENT_TRAFFIC_SECRET_0").unwrap();
    let update = common::hello_encoder::handshake_message(24, &[1]);
    let update = seal_record(&secret0, 0, 22, &update);
    assert_eq!(pair.server.feed(&update), Ok(update.len()));
    let secret1 = hkdf_expand_label(&secret0, b"traffic upd", 32);
    let data = seal_record(&secret1, 0, 23, b"under the next key");
    assert_eq!(pair.server.feed(&data), Ok(data.len()));
    pair.drain_server();
    assert_eq!(pair.server_reads(), b"under the next key");
    // The server's own KeyUpdate reaches rustls, which follows it.
    pair.server_to_client().unwrap();
    pair.server_sends(b"and back").unwrap();
    assert_eq!(pair.client_reads(), b"and back");
}

// ---------------------------------------------------------------------------
// Backpressure while paused.

#[test]
fn feed_takes_nothing_while_paused() {
    let (mut pair, req) = paused(RecordingVerifier::new());
    // Whatever arrives (even bytes that would be fatal) is not taken, not
    // looked at, and nothing is written.
    for input in [&[0x17; 100][..], &[0xff; 20_000][..], &[22, 3, 3, 0, 1, 1]] {
        assert_eq!(pair.server.feed(input), Ok(0));
        assert!(pair.server.poll_transmit().is_none());
        assert!(pair.server.poll_event().is_none());
        assert!(pair.server.paused_for().is_some());
    }
    // It resumes normally.
    pair.complete(req.no_response()).unwrap();
    assert!(!pair.client.is_handshaking());
}

#[test]
fn bytes_behind_the_hello_wait_for_the_completion() {
    // The hello, and the client's compatibility CCS behind it in the same
    // read, reach a server that pauses on the hello.
    let mut pair = Pair::new(
        client_config(RecordingVerifier::new()),
        Arc::new(ecdsa_server_config(true)),
    );
    let mut flight = Vec::new();
    while pair.client.wants_write() {
        pair.client.write_tls(&mut flight).unwrap();
    }
    let hello_len = flight.len();
    flight.extend_from_slice(&[20, 3, 3, 0, 1, 1]);
    flight.extend_from_slice(&record(23, 0x0303, &[0xaa; 100]));

    let taken = pair.server.feed(&flight).unwrap();
    assert!(pair.server.paused_for().is_some());
    // What was taken is held (at most one record's worth of buffer);
    // nothing more is taken while paused.
    assert!(taken >= hello_len && taken <= hello_len + 5 + (1 << 14) + 256);
    assert!(pair.server.poll_transmit().is_none());
    assert_eq!(pair.server.feed(&flight[taken..]), Ok(0));
    assert_eq!(pair.server.feed(b"more"), Ok(0));
    pair.drain_server();
    assert_eq!(pair.ocsp_requests.len(), 1);
    assert_eq!(pair.events.len(), 0);

    // After the completion the buffered bytes are processed: the CCS is
    // dropped, the junk application_data record fails authentication.
    let req = pair.ocsp_requests.pop().unwrap();
    let result = pair.server.complete(req.no_response(), common::ANY_TIME);
    assert!(
        matches!(
            &result,
            Err(CompleteError::Failed(Error::InvalidMessage(
                InvalidMessage::DecryptFailed
            )))
        ),
        "{result:?}"
    );
    pair.drain_server();
    assert_eq!(
        pair.closed(),
        CloseReason::Error {
            error: InvalidMessage::DecryptFailed.into(),
            alert: Some(AlertDescription::BadRecordMac),
        }
    );
}
