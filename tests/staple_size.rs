//! Staples at the edge of what each version can carry, end to end.
//!
//! TLS 1.3 puts the staple in the status_request extension of the leaf's
//! CertificateEntry, whose extensions block has a 16-bit length (RFC 8446
//! §4.4.2.1): at most `MAX_STAPLE_LEN_TLS13` = 65,527 bytes. TLS 1.2 sends
//! it as a CertificateStatus message, whose length is 24 bits (RFC 6066
//! §8): at most `MAX_STAPLE_LEN_TLS12` = 2^24 - 5. A larger staple is
//! refused when the application hands it over, under every StaplePolicy,
//! with `Error::StapleTooLarge` and an internal_error alert, and nothing
//! else is written. One of exactly the limit goes out whole.
//!
//! rustls refuses any handshake message over 64 KiB (and buffers no more
//! than that while joining one), so it cannot take a TLS 1.3 Certificate
//! message carrying the largest staple, nor a TLS 1.2 CertificateStatus
//! near it. Those flights are read here instead: TLS 1.3's with the
//! handshake secret the rustls client logged, TLS 1.2's by the hand-written
//! client of `common::tls12_client`, which completes the handshake.

mod common;

use std::sync::Arc;

use common::rustls_pair::{
    client_config, logging_client_config, pki, pki_der, tls12_client_config, Pair,
    RecordingVerifier,
};
use common::tls12_client::{
    split_messages, split_records, tls12_extensions, tls12_hello, HandClient, HANDSHAKE,
};
use common::wire::{feed_all, plaintext_alert};
use rustls::crypto::ring::kx_group;
use stapler::codec::AlertDescription;
use stapler::ocsp::{
    OnBadStaple, StaplePolicy, VerifyOptions, MAX_STAPLE_LEN_TLS12, MAX_STAPLE_LEN_TLS13,
};
use stapler::server::ProtocolVersion;
use stapler::{
    CloseReason, CompleteError, Error, Event, OcspOutcome, ServerConfig, ServerConnection,
};

/// Any time: under Verify, the size is judged before the response is.
const NOW: u64 = 1_800_000_000;

/// internal_error (RFC 8446 §6.2).
const INTERNAL_ERROR: u8 = 80;

/// Every policy a staple can be handed to.
fn policies() -> [StaplePolicy; 3] {
    let verify = |on_failure| StaplePolicy::Verify {
        options: VerifyOptions::new(),
        on_failure,
    };
    [
        StaplePolicy::Trust,
        verify(OnBadStaple::Abort),
        verify(OnBadStaple::StapleNothing),
    ]
}

/// The ECDSA leaf for localhost, with its issuer, OCSP events on, under
/// `policy`.
fn config(policy: StaplePolicy) -> Arc<ServerConfig> {
    Arc::new(
        ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .ca_certificates(&pki("root-ca.crt"))
            .unwrap()
            .ocsp_events(true)
            .staple_policy(policy)
            .build()
            .unwrap(),
    )
}

/// `len` bytes that are not all alike, so that a byte lost, doubled or
/// moved anywhere shows.
fn response(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Runs `pair` until the server raises its OcspRequest, and takes it.
fn paused(pair: &mut Pair) -> stapler::OcspRequest {
    pair.run().unwrap();
    assert!(pair.server.paused_for().is_some());
    pair.ocsp_requests.pop().expect("OcspRequest")
}

/// Hands `len` bytes to a paused `pair` whose version is `version` and
/// checks the refusal: the typed error from `complete_ocsp_at` and in the
/// Closed event, one plaintext internal_error alert and nothing else on the
/// wire, and the client reading that alert.
#[track_caller]
fn refused(mut pair: Pair, len: usize, version: ProtocolVersion, max: usize) {
    let request = paused(&mut pair);
    let completion = request.respond(response(len)).unwrap();
    let expected = Error::StapleTooLarge { len, max, version };
    match pair.server.complete(completion, NOW) {
        Err(CompleteError::Failed(error)) => assert_eq!(error, expected),
        other => panic!("{len} bytes in {version:?}: {other:?}"),
    }
    assert_eq!(
        AlertDescription::from(&expected),
        AlertDescription::InternalError
    );
    pair.drain_server();
    assert_eq!(pair.to_client, plaintext_alert(INTERNAL_ERROR));
    assert_eq!(
        pair.closed(),
        CloseReason::Error {
            error: expected,
            alert: Some(AlertDescription::InternalError),
        }
    );
    assert!(pair.server.is_closed());
    assert!(pair.summary().is_none());
    assert_eq!(
        pair.server_to_client(),
        Err(rustls::Error::AlertReceived(
            rustls::AlertDescription::InternalError
        ))
    );
}

#[test]
fn tls13_refuses_a_staple_one_byte_over_the_limit_under_every_policy() {
    assert_eq!(MAX_STAPLE_LEN_TLS13, 65_527);
    // One byte over, and one over extension_data's own bound (65,535 - 4):
    // the extensions block around it is what overflows first.
    for len in [MAX_STAPLE_LEN_TLS13 + 1, 65_532] {
        for policy in policies() {
            let pair = Pair::new(client_config(RecordingVerifier::new()), config(policy));
            refused(pair, len, ProtocolVersion::Tls13, MAX_STAPLE_LEN_TLS13);
        }
    }
    let error = Error::StapleTooLarge {
        len: 65_532,
        max: MAX_STAPLE_LEN_TLS13,
        version: ProtocolVersion::Tls13,
    };
    assert_eq!(
        error.to_string(),
        "the OCSP response of 65532 bytes is too large to staple in TLS 1.3 (at most 65527)"
    );
}

#[test]
fn tls12_refuses_a_staple_one_byte_over_the_limit_under_every_policy() {
    assert_eq!(MAX_STAPLE_LEN_TLS12, (1 << 24) - 1 - 4);
    for policy in policies() {
        let pair = Pair::new(
            tls12_client_config(RecordingVerifier::new()),
            config(policy),
        );
        refused(
            pair,
            MAX_STAPLE_LEN_TLS12 + 1,
            ProtocolVersion::Tls12,
            MAX_STAPLE_LEN_TLS12,
        );
    }
}

// ---------------------------------------------------------------- TLS 1.3

/// The handshake messages in the protected records of `records`, opened
/// with TLS_AES_128_GCM_SHA256 under the server's handshake traffic secret
/// (RFC 8446 §5.2, §5.3, §7.3).
fn open_flight(secret: &[u8], records: &[common::tls12_client::RawRecord]) -> Vec<u8> {
    let mut handshake = Vec::new();
    for (seq, record) in records.iter().enumerate() {
        assert_eq!(record.typ, 23, "protected records only");
        let len = u16::try_from(record.fragment.len()).unwrap().to_be_bytes();
        let wire = [&[23, 3, 3, len[0], len[1]][..], &record.fragment].concat();
        let (typ, content) = common::tls13_wire::open_record(secret, seq as u64, &wire);
        assert_eq!(typ, HANDSHAKE);
        handshake.extend_from_slice(&content);
    }
    handshake
}

/// A big-endian number of 1 to 3 bytes.
fn be(bytes: &[u8]) -> usize {
    bytes.iter().fold(0, |acc, &b| acc << 8 | usize::from(b))
}

#[test]
fn tls13_staples_a_response_of_exactly_the_limit_byte_for_byte() {
    // AES-128-GCM, so that the records can be opened here with the secret
    // rustls logs.
    let (client, log) = logging_client_config(&[kx_group::X25519]);
    let mut pair = Pair::new(client, config(StaplePolicy::Trust));
    let request = paused(&mut pair);
    let staple = response(MAX_STAPLE_LEN_TLS13);
    pair.server
        .complete(request.respond(staple.clone()).unwrap(), NOW)
        .unwrap();
    pair.drain_server();
    assert!(pair.events.is_empty(), "{:?}", pair.events);
    let flight = pair.to_client.clone();
    // rustls reads the ServerHello and logs the handshake secrets, then
    // refuses the Certificate message for its size (over its 64 KiB
    // limit), which is no fault of the message.
    let _ = pair.server_to_client();
    let secret = log
        .get("SERVER_HANDSHAKE_TRAFFIC_SECRET")
        .expect("rustls read the ServerHello");

    let records = split_records(&flight);
    assert_eq!(records[0].typ, HANDSHAKE, "ServerHello in the clear");
    // The compatibility change_cipher_spec (rustls sends a session id).
    assert_eq!(records[1].typ, 20);
    let messages = split_messages(&open_flight(&secret, &records[2..]));
    let types: Vec<u8> = messages.iter().map(|(t, _)| *t).collect();
    // EncryptedExtensions, Certificate, CertificateVerify, Finished.
    assert_eq!(types, [8, 11, 15, 20]);

    // Certificate (RFC 8446 §4.4.2), read field by field.
    let certificate = &messages[1].1[4..];
    assert_eq!(certificate[0], 0, "empty certificate_request_context");
    let list = &certificate[4..];
    assert_eq!(be(&certificate[1..4]), list.len());
    let leaf = pki_der("leaf-ecdsa.crt");
    assert_eq!(be(&list[..3]), leaf.len());
    assert_eq!(list[3..3 + leaf.len()], leaf[..]);
    let extensions = &list[3 + leaf.len()..];
    // The leaf's extensions block is full to its last byte.
    assert_eq!(be(&extensions[..2]), 0xffff);
    let extension = &extensions[2..2 + 0xffff];
    assert_eq!(be(&extension[..2]), 5, "status_request");
    assert_eq!(be(&extension[2..4]), 0xffff - 4);
    assert_eq!(extension[4], 1, "status_type ocsp");
    assert_eq!(be(&extension[5..8]), MAX_STAPLE_LEN_TLS13);
    assert!(extension[8..] == staple[..], "the staple, byte for byte");
    // The rest of the chain follows, without extensions, to the end of
    // the list.
    let mut rest = &extensions[2 + 0xffff..];
    while !rest.is_empty() {
        let len = be(&rest[..3]);
        assert_eq!(rest[3 + len..5 + len], [0, 0]);
        rest = &rest[5 + len..];
    }
    assert!(!pair.server.is_closed(), "the server waits for Finished");
}

// ---------------------------------------------------------------- TLS 1.2

/// A whole TLS 1.2 handshake with the hand client, the application
/// stapling `staple`: what the client received as CertificateStatus.
fn hand_client_staple(staple: &[u8]) -> Vec<u8> {
    let mut server = ServerConnection::new(config(StaplePolicy::Trust));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, true)));
    let (result, out, mut events) = feed_all(&mut server, &client.client_hello());
    result.unwrap();
    assert!(out.is_empty());
    let Some(Event::OcspRequest(request)) = events.pop() else {
        panic!("no OcspRequest")
    };
    server
        .complete(request.respond(staple.to_vec()).unwrap(), NOW)
        .unwrap();
    let flight = server.poll_transmit().unwrap();
    let received = client
        .read_flight(&flight)
        .ocsp_response
        .clone()
        .expect("CertificateStatus");
    assert_eq!(client.flight.message_types, [2, 11, 22, 12, 14]);
    // The handshake completes on it: the flight was hashed as sent.
    let (result, out, events) = feed_all(&mut server, &client.second_flight());
    result.unwrap();
    client.read_server_finished(&out);
    match &events[..] {
        [Event::HandshakeComplete(summary)] => {
            assert_eq!(summary.ocsp, OcspOutcome::Stapled(staple.len()));
        }
        other => panic!("{other:?}"),
    }
    received
}

#[test]
fn tls12_staples_a_response_over_the_tls13_limit() {
    let staple = response(100_000);
    assert!(hand_client_staple(&staple) == staple, "byte for byte");
}

#[test]
fn tls12_staples_a_response_of_exactly_the_limit() {
    let staple = response(MAX_STAPLE_LEN_TLS12);
    assert!(hand_client_staple(&staple) == staple, "byte for byte");
}
