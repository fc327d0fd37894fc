//! TLS 1.2 handshakes against the rustls client limited to TLS 1.2, in
//! memory: every suite, group and signature algorithm, the OCSP event with
//! its three answers, the version limit, the downgrade sentinel, ALPN and
//! SNI, data and close_notify. Then what rustls will not do, with a TLS 1.2
//! client written for the tests (`common::tls12_client`): no extended
//! master secret, fallback SCSV, renegotiation, and bad ClientKeyExchange,
//! change_cipher_spec and Finished, each with its alert checked on the
//! wire.

mod common;

use std::sync::Arc;

use common::hello_encoder::ExtensionModel;
use common::rustls_cases::{self, alpn_pair};
use common::rustls_pair::{
    client_config_offering, config_with_versions, ecdsa_server_config, pinned_provider, pki,
    staple, tls12_client_config, tls12_client_config_with, Pair, RecordingVerifier,
};
use common::tls12_client::{
    split_records, tls12_extensions, tls12_hello, HandClient, ALERT, APPLICATION_DATA, HANDSHAKE,
};
use common::wire::{feed_all, plaintext_alert, rejects_with};
use rustls::crypto::ring::{cipher_suite, kx_group};
use stapler::server::ProtocolVersion;
use stapler::{
    CloseReason, Error, Event, InvalidMessage, NamedGroup, OcspOutcome, PeerMisbehaved,
    ServerConfig, ServerConnection, SignatureScheme,
};

/// The server's ServerHello.random, read from its first flight (TLS 1.2's
/// flight is in the clear).
fn server_random(flight: &[u8]) -> [u8; 32] {
    let records = split_records(flight);
    assert_eq!(records[0].typ, HANDSHAKE);
    let hello = &records[0].fragment;
    assert_eq!(hello[0], 2, "ServerHello first");
    hello[6..38].try_into().unwrap()
}

const DOWNGRD_01: [u8; 8] = *b"DOWNGRD\x01";

// ---------------------------------------------------------------------------
// Every suite × group × signature algorithm.

rustls_cases::matrix_tests! {
    Tls12;
    ecdsa_secp256r1_sha256 => ECDSA_P256,
    ecdsa_secp384r1_sha384 => ECDSA_P384,
    ed25519 => ED25519,
    rsa_pkcs1_sha256 => RSA_PKCS1_SHA256,
    rsa_pkcs1_sha384 => RSA_PKCS1_SHA384,
    rsa_pkcs1_sha512 => RSA_PKCS1_SHA512,
    rsa_pss_rsae_sha256 => RSA_PSS_SHA256,
    rsa_pss_rsae_sha384 => RSA_PSS_SHA384,
    rsa_pss_rsae_sha512 => RSA_PSS_SHA512,
}

// Abort from the OCSP event, ALPN without overlap, closing either way.
rustls_cases::version_independent_tests!(Tls12);

// ---------------------------------------------------------------------------
// Hand-built client: the no-EMS path.

/// Runs a whole handshake with the hand client; returns the server's
/// summary.
fn hand_handshake(
    server: &mut ServerConnection,
    client: &mut HandClient,
) -> stapler::HandshakeSummary {
    let (result, flight, events) = feed_all(server, &client.client_hello());
    result.unwrap();
    assert!(events.is_empty(), "{events:?}");
    client.read_flight(&flight);
    let second = client.second_flight();
    let (result, out, events) = feed_all(server, &second);
    result.unwrap();
    client.read_server_finished(&out);
    match &events[..] {
        [Event::HandshakeComplete(summary)] => summary.clone(),
        other => panic!("{other:?}"),
    }
}

/// Application data both ways through the hand client.
fn hand_data(server: &mut ServerConnection, client: &mut HandClient) {
    let record = client.seal(APPLICATION_DATA, b"GET / HTTP/1.0\r\n\r\n");
    let (result, out, events) = feed_all(server, &record);
    result.unwrap();
    assert!(out.is_empty());
    match &events[..] {
        [Event::DataReady] => assert_eq!(server.received(), b"GET / HTTP/1.0\r\n\r\n"),
        other => panic!("{other:?}"),
    }
    server.consume(server.received().len()).unwrap();
    server.send(b"HTTP/1.0 200 OK\r\n\r\n").unwrap();
    let out = server.poll_transmit().unwrap();
    let records = split_records(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].typ, APPLICATION_DATA);
    assert_eq!(client.open(&records[0]), b"HTTP/1.0 200 OK\r\n\r\n");
}

#[test]
fn hand_client_with_extended_master_secret() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    let summary = hand_handshake(&mut server, &mut client);
    assert!(summary.extended_master_secret);
    assert_eq!(client.flight.extension(23), Some(&[][..]), "EMS echoed");
    hand_data(&mut server, &mut client);
}

#[test]
fn without_extended_master_secret_the_classic_derivation_is_used() {
    for suite in [0xc02b, 0xc02c, 0xcca9] {
        let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
        let mut client = HandClient::new(tls12_hello(&[suite], tls12_extensions(false, false)));
        let summary = hand_handshake(&mut server, &mut client);
        assert!(!summary.extended_master_secret);
        assert_eq!(summary.cipher_suite.to_wire(), suite);
        assert_eq!(client.flight.extension(23), None, "EMS not echoed");
        hand_data(&mut server, &mut client);
    }
}

#[test]
fn extended_master_secret_can_be_required() {
    let config = || {
        ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .require_extended_master_secret(true)
            .build()
            .unwrap()
    };
    // A client that offers it is served as usual...
    let mut server = ServerConnection::new(Arc::new(config()));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    assert!(hand_handshake(&mut server, &mut client).extended_master_secret);
    // ...one that does not gets handshake_failure (RFC 7627 §5.3).
    let mut server = ServerConnection::new(Arc::new(config()));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(false, false)));
    rejects_with(
        &mut server,
        &client.client_hello(),
        PeerMisbehaved::NoExtendedMasterSecret.into(),
        40,
    );
    // And so does rustls, were it to leave it out: it never does.
    let mut pair = Pair::new(
        tls12_client_config(RecordingVerifier::new()),
        Arc::new(config()),
    );
    pair.run().unwrap();
    assert!(pair.summary().unwrap().extended_master_secret);
}

// ---------------------------------------------------------------------------
// The OCSP event: same event, same answers, CertificateStatus on the wire.

/// A TLS 1.2 pair (rustls always asks for OCSP) paused on the event.
fn paused_pair(verifier: Arc<RecordingVerifier>) -> (Pair, stapler::OcspRequest) {
    Pair::paused(tls12_client_config(verifier))
}

/// The handshake message types of a plaintext flight, and ServerHello's
/// extension types.
fn flight_shape(flight: &[u8]) -> (Vec<u8>, Vec<u16>) {
    let mut joined = Vec::new();
    for rec in split_records(flight) {
        assert_eq!(rec.typ, HANDSHAKE);
        joined.extend(rec.fragment);
    }
    let messages = common::tls12_client::split_messages(&joined);
    let hello = &messages[0].1[4..];
    let mut at = 34 + 1 + usize::from(hello[34]) + 3;
    let mut extensions = Vec::new();
    if at < hello.len() {
        at += 2;
        while at < hello.len() {
            extensions.push(u16::from_be_bytes([hello[at], hello[at + 1]]));
            at += 4 + usize::from(u16::from_be_bytes([hello[at + 2], hello[at + 3]]));
        }
    }
    (messages.iter().map(|(t, _)| *t).collect(), extensions)
}

#[test]
fn staple_reaches_the_client_byte_for_byte() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused_pair(verifier.clone());
    assert_eq!(req.server_name(), Some("localhost"));
    assert!(req.issuer().is_some());
    let bytes = staple(" pretend OCSP response for TLS 1.2");
    pair.server
        .complete(req.respond(bytes.clone()).unwrap(), common::ANY_TIME)
        .unwrap();
    pair.drain_server();
    // ServerHello says status_request; CertificateStatus follows
    // Certificate (RFC 6066 §8).
    let (messages, extensions) = flight_shape(&pair.to_client);
    assert_eq!(messages, [2, 11, 22, 12, 14]);
    assert!(extensions.contains(&5), "{extensions:?}");
    pair.server_to_client().unwrap();
    pair.run().unwrap();
    assert!(!pair.client.is_handshaking());
    assert_eq!(verifier.last_staple(), Some(bytes.clone()));
    let summary = pair.summary().unwrap();
    assert_eq!(summary.version, ProtocolVersion::Tls12);
    assert_eq!(summary.ocsp, OcspOutcome::Stapled(bytes.len()));
    pair.exchange_data();
}

#[test]
fn no_response_sends_neither_extension_nor_certificate_status() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused_pair(verifier.clone());
    pair.server
        .complete(req.no_response(), common::ANY_TIME)
        .unwrap();
    pair.drain_server();
    let (messages, extensions) = flight_shape(&pair.to_client);
    assert_eq!(messages, [2, 11, 12, 14]);
    assert!(!extensions.contains(&5), "{extensions:?}");
    pair.server_to_client().unwrap();
    pair.run().unwrap();
    assert!(!pair.client.is_handshaking());
    assert_eq!(verifier.last_staple(), Some(vec![]));
    assert_eq!(pair.summary().unwrap().ocsp, OcspOutcome::NoResponse);
}

#[test]
fn without_ocsp_events_nothing_pauses_and_nothing_is_stapled() {
    let verifier = RecordingVerifier::new();
    let mut pair = Pair::new(
        tls12_client_config(verifier.clone()),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.client_to_server().unwrap();
    assert!(pair.ocsp_requests.is_empty());
    let (messages, extensions) = flight_shape(&pair.to_client);
    assert_eq!(messages, [2, 11, 12, 14]);
    assert!(!extensions.contains(&5));
    pair.run().unwrap();
    assert_eq!(verifier.last_staple(), Some(vec![]));
    assert_eq!(pair.summary().unwrap().ocsp, OcspOutcome::NotRequested);
}

#[test]
fn hand_client_receives_the_staple_too() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(true)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, true)));
    let (result, out, mut events) = feed_all(&mut server, &client.client_hello());
    result.unwrap();
    assert!(out.is_empty());
    let Some(Event::OcspRequest(req)) = events.pop() else {
        panic!("no OcspRequest")
    };
    let bytes = staple(" for the hand client");
    server
        .complete(req.respond(bytes.clone()).unwrap(), common::ANY_TIME)
        .unwrap();
    let flight = server.poll_transmit().unwrap();
    client.read_flight(&flight);
    assert_eq!(client.flight.ocsp_response.as_deref(), Some(&bytes[..]));
    assert_eq!(client.flight.extension(5), Some(&[][..]));
    let (result, out, _) = feed_all(&mut server, &client.second_flight());
    result.unwrap();
    client.read_server_finished(&out);
    hand_data(&mut server, &mut client);
}

// ---------------------------------------------------------------------------
// Versions: the limit, the downgrade sentinel, the fallback SCSV.

#[test]
fn a_server_that_speaks_tls13_marks_a_tls12_server_hello() {
    let mut pair = Pair::new(
        tls12_client_config(RecordingVerifier::new()),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.client_to_server().unwrap();
    let random = server_random(&pair.to_client);
    // RFC 8446 §4.1.3: the last eight bytes, exactly.
    assert_eq!(random[24..], DOWNGRD_01);
    assert_eq!(
        random[24..],
        [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]
    );
    pair.run().unwrap();
    assert_eq!(pair.summary().unwrap().version, ProtocolVersion::Tls12);
}

#[test]
fn a_tls12_only_server_does_not_mark_its_random() {
    for _ in 0..4 {
        let mut pair = Pair::new(
            tls12_client_config(RecordingVerifier::new()),
            Arc::new(config_with_versions(&[ProtocolVersion::Tls12])),
        );
        pair.client_to_server().unwrap();
        assert_ne!(server_random(&pair.to_client)[24..], DOWNGRD_01);
    }
}

#[test]
fn a_tls13_client_gets_tls12_from_a_tls12_only_server() {
    // rustls offers both and checks the sentinel: it must find none.
    let both = client_config_offering(
        &[&rustls::version::TLS13, &rustls::version::TLS12],
        RecordingVerifier::new(),
        rustls::crypto::ring::default_provider(),
    );
    let mut pair = Pair::new(
        both,
        Arc::new(config_with_versions(&[ProtocolVersion::Tls12])),
    );
    pair.run().unwrap();
    assert_eq!(
        pair.client.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );
    assert_eq!(pair.summary().unwrap().version, ProtocolVersion::Tls12);
    pair.exchange_data();
}

#[test]
fn a_tls12_client_gets_protocol_version_from_a_tls13_only_server() {
    let mut pair = Pair::new(
        tls12_client_config(RecordingVerifier::new()),
        Arc::new(config_with_versions(&[ProtocolVersion::Tls13])),
    );
    assert_eq!(
        pair.client_to_server(),
        Err(PeerMisbehaved::NoCommonVersion.into())
    );
    assert_eq!(pair.to_client, plaintext_alert(70));
}

#[test]
fn an_empty_version_list_is_refused() {
    let err = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .protocol_versions(&[])
        .err()
        .unwrap();
    assert!(matches!(
        err,
        stapler::server::ConfigError::NoProtocolVersion
    ));
}

const FALLBACK_SCSV: u16 = 0x5600;

#[test]
fn fallback_scsv_to_a_tls13_server_is_inappropriate_fallback() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(
        &[0xc02b, FALLBACK_SCSV],
        tls12_extensions(true, false),
    ));
    rejects_with(
        &mut server,
        &client.client_hello(),
        PeerMisbehaved::InappropriateFallback.into(),
        86,
    );
}

#[test]
fn fallback_scsv_to_a_tls12_only_server_is_no_fallback() {
    // The client's highest version is the server's: nothing was lost.
    let mut server =
        ServerConnection::new(Arc::new(config_with_versions(&[ProtocolVersion::Tls12])));
    let mut client = HandClient::new(tls12_hello(
        &[FALLBACK_SCSV, 0xc02b],
        tls12_extensions(true, false),
    ));
    hand_handshake(&mut server, &mut client);
    hand_data(&mut server, &mut client);
}

#[test]
fn fallback_scsv_from_a_client_offering_tls13_is_no_fallback() {
    // With TLS 1.3 offered and taken, the SCSV says nothing (RFC 7507 §3
    // compares with the client's highest version).
    let mut pair = Pair::new(
        common::rustls_pair::client_config(RecordingVerifier::new()),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.run().unwrap();
    assert_eq!(pair.summary().unwrap().version, ProtocolVersion::Tls13);
}

// ---------------------------------------------------------------------------
// ALPN, SNI, secure renegotiation and renegotiation refused.

#[test]
fn alpn_and_sni_as_in_tls13() {
    let mut pair = alpn_pair(ProtocolVersion::Tls12, &[b"http/1.1", b"h2"]);
    pair.client_to_server().unwrap();
    let (_, extensions) = flight_shape(&pair.to_client);
    assert!(extensions.contains(&16), "ALPN in ServerHello");
    assert!(extensions.contains(&0), "SNI acknowledged");
    assert!(extensions.contains(&0xff01), "renegotiation_info answered");
    assert!(extensions.contains(&23), "EMS echoed");
    pair.run().unwrap();
    assert_eq!(pair.client.alpn_protocol(), Some(&b"h2"[..]));
    let summary = pair.summary().unwrap();
    assert_eq!(summary.alpn_protocol.as_deref(), Some(&b"h2"[..]));
    assert_eq!(summary.server_name.as_deref(), Some("localhost"));
}

#[test]
fn the_renegotiation_scsv_is_answered_with_renegotiation_info() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::RenegotiationInfo(_)));
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b, 0x00ff], exts.clone()));
    hand_handshake(&mut server, &mut client);
    assert_eq!(client.flight.extension(0xff01), Some(&[0][..]));
    // Neither the SCSV nor the extension: no renegotiation_info.
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], exts));
    hand_handshake(&mut server, &mut client);
    assert_eq!(client.flight.extension(0xff01), None);
}

#[test]
fn a_renegotiation_attempt_gets_a_warning_and_the_connection_goes_on() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    hand_handshake(&mut server, &mut client);
    let hello = client.hello.builder().handshake();
    let record = client.seal(HANDSHAKE, &hello);
    let (result, out, events) = feed_all(&mut server, &record);
    result.unwrap();
    assert!(events.is_empty(), "{events:?}");
    let records = split_records(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].typ, ALERT);
    // warning(1) no_renegotiation(100), protected (RFC 5246 §7.2.2).
    assert_eq!(client.open(&records[0]), [1, 100]);
    assert!(server.is_handshake_complete());
    hand_data(&mut server, &mut client);
}

#[test]
fn other_handshake_messages_after_the_handshake_are_unexpected() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    hand_handshake(&mut server, &mut client);
    let record = client.seal(
        HANDSHAKE,
        &[20, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let (result, out, _) = feed_all(&mut server, &record);
    assert_eq!(
        result,
        Err(PeerMisbehaved::UnexpectedMessage("Finished").into())
    );
    // The alert is protected now.
    let records = split_records(&out);
    assert_eq!(records[0].typ, ALERT);
    assert_eq!(client.open(&records[0]), [2, 10]);
}

// ---------------------------------------------------------------------------
// Bad ClientHellos for TLS 1.2.

#[track_caller]
fn hello_rejected(suites: &[u16], exts: Vec<ExtensionModel>, error: Error, description: u8) {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(suites, exts));
    rejects_with(&mut server, &client.client_hello(), error, description);
}

#[test]
fn non_empty_renegotiation_info_is_handshake_failure() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::RenegotiationInfo(_)));
    exts.push(ExtensionModel::RenegotiationInfo(vec![7; 12]));
    hello_rejected(
        &[0xc02b],
        exts,
        PeerMisbehaved::BadRenegotiationInfo.into(),
        40,
    );
}

#[test]
fn point_formats_without_uncompressed_is_illegal_parameter() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::EcPointFormats(_)));
    exts.push(ExtensionModel::EcPointFormats(vec![1, 2]));
    hello_rejected(
        &[0xc02b],
        exts,
        PeerMisbehaved::NoUncompressedPoints.into(),
        47,
    );
}

#[test]
fn no_signature_algorithms_is_handshake_failure() {
    // RFC 5246's default is SHA-1, which this server does not sign with.
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::SignatureAlgorithms(_)));
    hello_rejected(
        &[0xc02b],
        exts,
        PeerMisbehaved::NoCommonSignatureScheme.into(),
        40,
    );
}

#[test]
fn only_rsa_suites_for_an_ecdsa_certificate_is_handshake_failure() {
    hello_rejected(
        &[0xc02f, 0xc030, 0xcca8],
        tls12_extensions(true, false),
        PeerMisbehaved::NoCommonCipherSuite.into(),
        40,
    );
    // Suites this server does not implement at all (CBC, RSA key transport).
    hello_rejected(
        &[0xc009, 0x002f, 0x009c],
        tls12_extensions(true, false),
        PeerMisbehaved::NoCommonCipherSuite.into(),
        40,
    );
}

#[test]
fn no_common_group_is_handshake_failure() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::SupportedGroups(_)));
    exts.push(ExtensionModel::SupportedGroups(vec![0x0019, 0x001e]));
    hello_rejected(&[0xc02b], exts, PeerMisbehaved::NoCommonGroup.into(), 40);
}

#[test]
fn without_supported_groups_secp256r1_is_used() {
    // RFC 8422 §4: the client then accepts any curve.
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::SupportedGroups(_)));
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], exts));
    let summary = hand_handshake(&mut server, &mut client);
    assert_eq!(summary.group, Some(NamedGroup::Secp256r1));
}

#[test]
fn an_rsa_only_client_gets_the_rsa_certificate_beside_an_ecdsa_one() {
    let config = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .certificate_chain(&pki("leaf-rsa-chain.pem"), &pki("leaf-rsa.key"))
        .unwrap()
        .build()
        .unwrap();
    let config = Arc::new(config);
    for (rustls_suite, scheme) in [
        (
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            SignatureScheme::RsaPssRsaeSha256,
        ),
        (
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            SignatureScheme::EcdsaSecp256r1Sha256,
        ),
    ] {
        // x25519 for the key exchange; P-256 listed too, as the curve the
        // client verifies the ECDSA leaf on (RFC 8422 §5.1).
        let provider = pinned_provider(&[rustls_suite], &[kx_group::X25519, kx_group::SECP256R1]);
        let mut pair = Pair::new(
            tls12_client_config_with(RecordingVerifier::new(), provider),
            Arc::clone(&config),
        );
        pair.run().unwrap();
        assert_eq!(pair.summary().unwrap().signature_scheme, Some(scheme));
    }
}

// ---------------------------------------------------------------------------
// Bad ClientKeyExchange, change_cipher_spec and Finished.

/// A server and hand client that have exchanged hellos; the server waits
/// for the ClientKeyExchange.
///
/// The key exchange is on the first of `groups`: the server takes those
/// alone, in that order. The client also lists P-256, the leaf's curve,
/// which a TLS 1.2 client must support to verify it (RFC 8422 §5.1).
fn at_client_key_exchange(suite: u16, groups: Vec<u16>) -> (ServerConnection, HandClient) {
    let server_groups: Vec<NamedGroup> = groups.iter().map(|&g| NamedGroup::from_wire(g)).collect();
    let mut listed = groups;
    if !listed.contains(&0x0017) {
        listed.push(0x0017);
    }
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::SupportedGroups(_)));
    exts.push(ExtensionModel::SupportedGroups(listed));
    let config = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .key_exchange_groups(&server_groups)
        .unwrap()
        .build()
        .unwrap();
    let mut server = ServerConnection::new(Arc::new(config));
    let mut client = HandClient::new(tls12_hello(&[suite], exts));
    let (result, flight, _) = feed_all(&mut server, &client.client_hello());
    result.unwrap();
    client.read_flight(&flight);
    (server, client)
}

#[test]
fn client_key_exchange_of_the_wrong_length_is_decode_error() {
    let field = stapler::Field::Message(stapler::codec::HandshakeType::ClientKeyExchange);
    for (body, error) in [
        // The point's length says 33, 32 bytes follow.
        (
            [&[33u8][..], &[9; 32]].concat(),
            InvalidMessage::Truncated(field),
        ),
        // One byte too many after the point.
        (
            [&[32u8][..], &[9; 33]].concat(),
            InvalidMessage::TrailingBytes(field),
        ),
        // An empty point (ECPoint is <1..2^8-1>).
        (vec![0], InvalidMessage::BadLength(field)),
        (vec![], InvalidMessage::Truncated(field)),
    ] {
        let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
        let record = client.client_key_exchange_with_body(&body);
        rejects_with(&mut server, &record, error.into(), 50);
    }
}

#[test]
fn client_key_exchange_with_an_invalid_point_is_illegal_parameter() {
    let rng = ring::rand::SystemRandom::new();
    let p256 = ring::agreement::EphemeralPrivateKey::generate(&ring::agreement::ECDH_P256, &rng)
        .unwrap()
        .compute_public_key()
        .unwrap()
        .as_ref()
        .to_vec();
    let mut off_curve = p256.clone();
    off_curve[64] ^= 1;
    let mut compressed = p256[..33].to_vec();
    compressed[0] = 2;
    for (group, point) in [
        (0x001d, vec![9; 31]), // x25519: 31 bytes
        (0x001d, vec![0; 32]), // x25519: small order, all-zero secret
        (0x0017, off_curve),   // P-256: not on the curve
        (0x0017, compressed),  // P-256: compressed form
        (0x0017, vec![4; 97]), // a P-384-sized point for P-256
    ] {
        let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![group]);
        assert_eq!(client.flight.group, group);
        let mut body = vec![point.len() as u8];
        body.extend(&point);
        let record = client.client_key_exchange_with_body(&body);
        rejects_with(
            &mut server,
            &record,
            InvalidMessage::BadKeyShare(group).into(),
            47,
        );
    }
}

#[test]
fn wrong_finished_is_decrypt_error() {
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let mut input = client.client_key_exchange();
    input.extend(HandClient::change_cipher_spec());
    let mut finished = client.finished_message();
    finished[4] ^= 1;
    input.extend(client.seal(HANDSHAKE, &finished));
    // The server has not sent its change_cipher_spec: the alert is in the
    // clear.
    rejects_with(
        &mut server,
        &input,
        InvalidMessage::FinishedMismatch.into(),
        51,
    );
}

#[test]
fn finished_of_the_wrong_length_is_decode_error() {
    let (mut server, mut client) = at_client_key_exchange(0xcca9, vec![0x0017]);
    let mut input = client.client_key_exchange();
    input.extend(HandClient::change_cipher_spec());
    input.extend(client.seal(
        HANDSHAKE,
        &[20, 0, 0, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ));
    rejects_with(
        &mut server,
        &input,
        InvalidMessage::BadLength(stapler::Field::Message(
            stapler::codec::HandshakeType::Finished,
        ))
        .into(),
        50,
    );
}

#[test]
fn tampered_finished_record_is_bad_record_mac() {
    let (mut server, mut client) = at_client_key_exchange(0xc02c, vec![0x0018]);
    let mut input = client.client_key_exchange();
    input.extend(HandClient::change_cipher_spec());
    let finished = client.finished_message();
    let mut record = client.seal(HANDSHAKE, &finished);
    let last = record.len() - 1;
    record[last] ^= 0x80;
    input.extend(record);
    rejects_with(
        &mut server,
        &input,
        InvalidMessage::DecryptFailed.into(),
        20,
    );
}

#[test]
fn finished_without_change_cipher_spec_is_unexpected_message() {
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let mut input = client.client_key_exchange();
    let finished = client.finished_message();
    input.extend(common::hello_encoder::record(HANDSHAKE, 0x0303, &finished));
    rejects_with(
        &mut server,
        &input,
        PeerMisbehaved::UnexpectedMessage("Finished").into(),
        10,
    );
}

#[test]
fn change_cipher_spec_before_the_key_exchange_is_unexpected_message() {
    let (mut server, _) = at_client_key_exchange(0xc02b, vec![0x001d]);
    rejects_with(
        &mut server,
        &HandClient::change_cipher_spec(),
        PeerMisbehaved::BadChangeCipherSpec.into(),
        10,
    );
}

#[test]
fn malformed_or_repeated_change_cipher_spec_is_unexpected_message() {
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let mut input = client.client_key_exchange();
    input.extend(common::hello_encoder::record(20, 0x0303, &[2]));
    rejects_with(
        &mut server,
        &input,
        PeerMisbehaved::BadChangeCipherSpec.into(),
        10,
    );
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let mut input = client.client_key_exchange();
    input.extend(HandClient::change_cipher_spec());
    input.extend(HandClient::change_cipher_spec());
    rejects_with(
        &mut server,
        &input,
        PeerMisbehaved::BadChangeCipherSpec.into(),
        10,
    );
}

#[test]
fn a_message_split_around_change_cipher_spec_is_unexpected_message() {
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let mut input = client.client_key_exchange();
    // Half a Finished in the clear, then the key change.
    input.extend(common::hello_encoder::record(
        HANDSHAKE,
        0x0303,
        &[20, 0, 0],
    ));
    input.extend(HandClient::change_cipher_spec());
    rejects_with(
        &mut server,
        &input,
        PeerMisbehaved::MessageSpansKeyChange.into(),
        10,
    );
}

#[test]
fn application_data_before_the_finished_is_unexpected_message() {
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let mut input = client.client_key_exchange();
    input.extend(HandClient::change_cipher_spec());
    input.extend(client.seal(APPLICATION_DATA, b"too early"));
    rejects_with(
        &mut server,
        &input,
        InvalidMessage::UnexpectedContentType(stapler::codec::ContentType::ApplicationData).into(),
        10,
    );
}

#[test]
fn the_whole_second_flight_may_come_in_pieces() {
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let input = client.second_flight();
    let mut out = Vec::new();
    for byte in &input {
        assert_eq!(server.feed(std::slice::from_ref(byte)), Ok(1));
        while let Some(bytes) = server.poll_transmit() {
            out.extend(bytes);
        }
    }
    client.read_server_finished(&out);
    assert!(server.is_handshake_complete());
}

// ---------------------------------------------------------------------------
// Alerts and closing.

#[test]
fn warnings_are_ignored_and_fatal_alerts_close() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    hand_handshake(&mut server, &mut client);
    // A warning (here unrecognized_name) lets the connection go on
    // (RFC 5246 §7.2.2).
    let (result, out, events) = feed_all(&mut server, &client.seal(ALERT, &[1, 112]));
    assert_eq!(result.map(|_| ()), Ok(()));
    assert!(out.is_empty() && events.is_empty());
    hand_data(&mut server, &mut client);
    // A fatal alert ends it, unanswered.
    let (result, out, events) = feed_all(&mut server, &client.seal(ALERT, &[2, 40]));
    let handshake_failure = stapler::codec::AlertDescription::HandshakeFailure;
    assert_eq!(result, Err(Error::AlertReceived(handshake_failure)));
    assert!(out.is_empty());
    assert!(matches!(
        &events[..],
        [Event::Closed(CloseReason::PeerAlert(a))] if *a == handshake_failure
    ));
}

#[test]
fn plaintext_records_after_the_key_change_are_refused() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    hand_handshake(&mut server, &mut client);
    let (result, out, _) = feed_all(
        &mut server,
        &common::hello_encoder::record(APPLICATION_DATA, 0x0303, b"in the clear, 24+ bytes long"),
    );
    assert_eq!(result, Err(InvalidMessage::DecryptFailed.into()));
    let records = split_records(&out);
    assert_eq!(records[0].typ, ALERT);
    assert_eq!(client.open(&records[0]), [2, 20]);
}
