//! record_size_limit (RFC 8449): the server keeps every protected record it
//! sends within the client's limit, in both versions, answers with its own
//! limit (TLS 1.3 in EncryptedExtensions, TLS 1.2 in ServerHello), and
//! refuses a limit below 64 with illegal_parameter and a malformed body
//! with decode_error. The real peer that sends the extension, gnutls-cli
//! with `--recordsize`, is in tests/interop_tls13.rs and interop_tls12.rs.

mod common;

use common::hello_encoder::ExtensionModel;
use common::tls12_client::{
    split_records, tls12_extensions, tls12_hello, HandClient, APPLICATION_DATA,
};
use common::tls13_wire::{fresh_server, good_hello, rejects, with};
use common::wire::feed_all;
use stapler::codec::ExtensionType;
use stapler::{Error, Event, Field, InvalidMessage, PeerMisbehaved, ServerConnection};

const RECORD_SIZE_LIMIT: u16 = 28;
const HANDSHAKE: u8 = 22;
const CHANGE_CIPHER_SPEC: u8 = 20;
const TLS13_TAG_AND_TYPE: usize = 16 + 1;
/// TLS 1.2 AES-128-GCM: the explicit nonce and the tag.
const TLS12_AEAD_OVERHEAD: usize = 8 + 16;

fn limit(value: &[u8]) -> ExtensionModel {
    ExtensionModel::Unknown(RECORD_SIZE_LIMIT, value.to_vec())
}

/// The fragment lengths of the protected records of a TLS 1.3 server
/// flight: those after ServerHello and change_cipher_spec.
fn protected_lengths(flight: &[u8]) -> Vec<usize> {
    let records = split_records(flight);
    assert_eq!(records[0].typ, HANDSHAKE, "ServerHello first");
    records
        .iter()
        .skip(1)
        .filter(|r| r.typ != CHANGE_CIPHER_SPEC)
        .map(|r| r.fragment.len())
        .collect()
}

#[test]
fn tls13_protected_records_stay_within_the_clients_limit() {
    for value in [64u16, 100, 500] {
        let hello = with(good_hello(), limit(&value.to_be_bytes()))
            .builder()
            .record();
        let (result, flight, _) = feed_all(&mut fresh_server(), &hello);
        result.unwrap();
        let lengths = protected_lengths(&flight);
        // The limit counts the inner content type byte (RFC 8449 §4).
        let most = usize::from(value) - 1 + TLS13_TAG_AND_TYPE;
        assert!(lengths.len() > 1, "the flight was split: {lengths:?}");
        assert!(lengths.iter().all(|&l| l <= most), "{value}: {lengths:?}");
        assert!(
            lengths[..lengths.len() - 1].iter().all(|&l| l == most),
            "full records"
        );
    }
}

#[test]
fn tls13_without_the_extension_or_with_a_large_limit_the_flight_is_one_record() {
    for hello in [
        good_hello(),
        with(good_hello(), limit(&16385u16.to_be_bytes())),
        with(good_hello(), limit(&u16::MAX.to_be_bytes())),
    ] {
        let (result, flight, _) = feed_all(&mut fresh_server(), &hello.builder().record());
        result.unwrap();
        assert_eq!(protected_lengths(&flight).len(), 1);
    }
}

#[test]
fn a_limit_below_64_is_illegal_parameter() {
    for value in [0u16, 1, 63] {
        let hello = with(good_hello(), limit(&value.to_be_bytes()))
            .builder()
            .record();
        rejects(
            &hello,
            Error::PeerMisbehaved(PeerMisbehaved::RecordSizeLimitTooSmall(value)),
            47,
        );
    }
}

#[test]
fn a_malformed_limit_is_decode_error() {
    let field = Field::Extension(ExtensionType::RecordSizeLimit);
    for (body, error) in [
        (&[][..], InvalidMessage::Truncated(field)),
        (&[0x40][..], InvalidMessage::Truncated(field)),
        (&[0x40, 0, 0][..], InvalidMessage::TrailingBytes(field)),
    ] {
        let hello = with(good_hello(), limit(body)).builder().record();
        rejects(&hello, Error::InvalidMessage(error), 50);
    }
}

/// A TLS 1.2 handshake with the hand client offering `limit`; returns the
/// server and the client.
fn tls12_with_limit(value: Option<u16>) -> (ServerConnection, HandClient) {
    let mut exts = tls12_extensions(true, false);
    if let Some(value) = value {
        exts.push(limit(&value.to_be_bytes()));
    }
    let mut client = HandClient::new(tls12_hello(&[0xc02b], exts));
    let mut server = fresh_server();
    let (result, flight, _) = feed_all(&mut server, &client.client_hello());
    result.unwrap();
    let answered = client
        .read_flight(&flight)
        .extension(RECORD_SIZE_LIMIT)
        .map(<[u8]>::to_vec);
    // RFC 8449 §4: the server's own limit in ServerHello, 2^14 in TLS 1.2.
    assert_eq!(answered, value.map(|_| 16384u16.to_be_bytes().to_vec()));
    let (result, out, events) = feed_all(&mut server, &client.second_flight());
    result.unwrap();
    client.read_server_finished(&out);
    assert!(matches!(events[..], [Event::HandshakeComplete(_)]));
    (server, client)
}

#[test]
fn tls12_answers_the_extension_and_keeps_data_records_within_the_limit() {
    let (mut server, mut client) = tls12_with_limit(Some(256));
    let data: Vec<u8> = (0..1000).map(|i| i as u8).collect();
    assert_eq!(server.send(&data), Ok(1000));
    let out = server.poll_transmit().unwrap();
    let records = split_records(&out);
    assert_eq!(records.len(), 4, "256 + 256 + 256 + 232");
    let mut got = Vec::new();
    for record in &records {
        assert_eq!(record.typ, APPLICATION_DATA);
        assert!(record.fragment.len() <= 256 + TLS12_AEAD_OVERHEAD);
        got.extend(client.open(record));
    }
    assert_eq!(got, data);
}

#[test]
fn tls12_without_the_extension_sends_full_records() {
    let (mut server, _client) = tls12_with_limit(None);
    assert_eq!(server.send(&[7; 1000]), Ok(1000));
    assert_eq!(split_records(&server.poll_transmit().unwrap()).len(), 1);
}
