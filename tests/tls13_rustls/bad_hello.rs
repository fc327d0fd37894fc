//! Bad input on the wire before the server's first flight: malformed or
//! unacceptable ClientHellos and stray records, each error with the exact
//! alert it sends in the clear.

use std::sync::Arc;

use stapler::codec::{AlertDescription, ContentType, ExtensionType};
use stapler::server::ProtocolVersion;
use stapler::{CloseReason, Error, Event, Field, InvalidMessage, PeerMisbehaved, ServerConnection};

use super::common;
use super::common::hello_encoder::{record, ExtensionModel};
use super::common::rustls_pair::config_with_versions;
use super::common::tls13_wire::{fresh_server, good_hello, rejects, with, without};
use super::common::wire::{feed_all, rejects_with};
use super::p384_only_config;

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
