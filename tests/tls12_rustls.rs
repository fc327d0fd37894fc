//! TLS 1.2 handshakes against the rustls client limited to TLS 1.2, in
//! memory: every suite, group and signature algorithm, the OCSP event with
//! its three answers, the version limit, the downgrade sentinel, ALPN and
//! SNI, data and close_notify. Then what rustls will not do, with a TLS 1.2
//! client written for the tests (`common::tls12_client`): no extended
//! master secret, fallback SCSV, renegotiation, and bad ClientKeyExchange,
//! change_cipher_spec and Finished, each with its alert checked on the
//! wire.

#[path = "tls12_rustls/alerts.rs"]
mod alerts;
#[path = "tls12_rustls/bad_hello.rs"]
mod bad_hello;
#[path = "tls12_rustls/bad_key_exchange.rs"]
mod bad_key_exchange;
mod common;
#[path = "tls12_rustls/extended_master_secret.rs"]
mod extended_master_secret;
#[path = "tls12_rustls/extensions.rs"]
mod extensions;
#[path = "tls12_rustls/ocsp_event.rs"]
mod ocsp_event;
#[path = "tls12_rustls/versions.rs"]
mod versions;

use common::rustls_cases;
use common::tls12_client::{split_records, HandClient, APPLICATION_DATA, HANDSHAKE};
use common::wire::feed_all;
use stapler::{Event, ServerConnection};

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
// Helpers shared by the modules: the hand-built client's handshake and
// data, and the shape of a server flight.

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
