//! Bad ClientKeyExchange, change_cipher_spec and Finished from the
//! hand-built client, each with its alert; and the second flight fed a
//! byte at a time.

use std::sync::Arc;

use stapler::{InvalidMessage, NamedGroup, PeerMisbehaved, ServerConfig, ServerConnection};

use super::common;
use super::common::hello_encoder::ExtensionModel;
use super::common::rustls_pair::pki;
use super::common::tls12_client::{
    tls12_extensions, tls12_hello, HandClient, APPLICATION_DATA, HANDSHAKE,
};
use super::common::wire::{feed_all, rejects_with};

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
