//! The layers below the hello: records (RFC 8446 §5.1) and handshake
//! framing (RFC 8446 §4), with their size limits.

use stapler::codec::{
    split_handshake, split_record, AlertDescription, ContentType, HandshakeJoiner, HandshakeType,
    RecordDeframer, MAX_CLIENT_HELLO_LEN, MAX_OTHER_CLIENT_MESSAGE_LEN, MAX_PLAINTEXT_LEN,
};
use stapler::InvalidMessage;

use super::assert_invalid;
use super::common::hello_encoder::{cat, record, CONTENT_HANDSHAKE};

use stapler::codec::AlertDescription::DecodeError;

// ---------------------------------------------------------------------------
// Records (RFC 8446 §5.1)

#[test]
fn record_unknown_content_type() {
    // 24 is heartbeat (RFC 6520), which this server does not speak.
    assert_invalid(
        split_record(&[24, 3, 3, 0, 1, 0], MAX_PLAINTEXT_LEN),
        InvalidMessage::UnknownContentType(24),
        AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn record_http_request_is_an_unknown_content_type() {
    // Plain HTTP on a TLS port fails at its first byte, 'G', which is not a
    // content type, before the version is looked at.
    assert_invalid(
        split_record(
            b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
            MAX_PLAINTEXT_LEN,
        ),
        InvalidMessage::UnknownContentType(b'G'),
        AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn record_sslv2_client_hello_is_an_unknown_content_type() {
    // An SSL 2.0-format hello: 2-byte length with the top bit set, msg 1.
    assert_invalid(
        split_record(
            &[0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15],
            MAX_PLAINTEXT_LEN,
        ),
        InvalidMessage::UnknownContentType(0x80),
        AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn record_version_without_major_3_is_not_tls() {
    assert_invalid(
        split_record(&[22, 2, 0, 0, 1, 1], MAX_PLAINTEXT_LEN),
        InvalidMessage::NotTls(0x0200),
        AlertDescription::ProtocolVersion,
    );
}

#[test]
fn record_handshake_byte_then_http_text_is_not_tls() {
    // A valid content type followed by text: the version bytes are "GE".
    let mut bytes = vec![CONTENT_HANDSHAKE];
    bytes.extend_from_slice(b"GET / HTTP/1.1\r\n");
    assert_invalid(
        split_record(&bytes, MAX_PLAINTEXT_LEN),
        InvalidMessage::NotTls(u16::from_be_bytes([b'G', b'E'])),
        AlertDescription::ProtocolVersion,
    );
}

#[test]
fn record_over_2_to_the_14() {
    // The header alone is enough: no body has arrived.
    let header = [CONTENT_HANDSHAKE, 3, 1, 0x40, 0x01];
    assert_invalid(
        split_record(&header, MAX_PLAINTEXT_LEN),
        InvalidMessage::RecordOverflow {
            len: MAX_PLAINTEXT_LEN + 1,
            max: MAX_PLAINTEXT_LEN,
        },
        AlertDescription::RecordOverflow,
    );
}

#[test]
fn record_over_2_to_the_14_through_the_deframer() {
    let mut deframer = RecordDeframer::new();
    assert_eq!(deframer.push(&[23, 3, 3, 0xff, 0xff]), 5);
    assert_invalid(
        deframer.next_record().map(|r| r.map(|r| r.header)),
        InvalidMessage::RecordOverflow {
            len: 0xffff,
            max: MAX_PLAINTEXT_LEN,
        },
        AlertDescription::RecordOverflow,
    );
}

#[test]
fn record_of_exactly_2_to_the_14_is_accepted() {
    let rec = record(CONTENT_HANDSHAKE, 0x0303, &vec![0; MAX_PLAINTEXT_LEN]);
    let (r, used) = split_record(&rec, MAX_PLAINTEXT_LEN).unwrap().unwrap();
    assert_eq!((r.fragment.len(), used), (MAX_PLAINTEXT_LEN, rec.len()));
}

#[test]
fn empty_handshake_record() {
    assert_invalid(
        split_record(&[CONTENT_HANDSHAKE, 3, 1, 0, 0], MAX_PLAINTEXT_LEN),
        InvalidMessage::EmptyFragment(ContentType::Handshake),
        DecodeError,
    );
}

#[test]
fn empty_alert_record() {
    assert_invalid(
        split_record(&[21, 3, 3, 0, 0], MAX_PLAINTEXT_LEN),
        InvalidMessage::EmptyFragment(ContentType::Alert),
        DecodeError,
    );
}

// ---------------------------------------------------------------------------
// Handshake framing (RFC 8446 §4)

fn client_hello_header(len: usize) -> [u8; 4] {
    let [_, a, b, c] = (len as u32).to_be_bytes();
    [1, a, b, c]
}

#[test]
fn client_hello_over_max_len() {
    assert_invalid(
        split_handshake(&client_hello_header(MAX_CLIENT_HELLO_LEN + 1)),
        InvalidMessage::MessageTooLarge {
            typ: HandshakeType::ClientHello,
            len: MAX_CLIENT_HELLO_LEN + 1,
            max: MAX_CLIENT_HELLO_LEN,
        },
        DecodeError,
    );
}

#[test]
fn client_hello_of_max_24_bit_len() {
    assert_invalid(
        split_handshake(&[1, 0xff, 0xff, 0xff]),
        InvalidMessage::MessageTooLarge {
            typ: HandshakeType::ClientHello,
            len: 0xff_ffff,
            max: MAX_CLIENT_HELLO_LEN,
        },
        DecodeError,
    );
}

#[test]
fn client_hello_over_max_len_through_records_and_joiner() {
    // The header arrives split over two records: the joiner refuses the
    // message as soon as the fourth header byte arrives.
    let header = client_hello_header(MAX_CLIENT_HELLO_LEN + 1);
    let mut stream = record(CONTENT_HANDSHAKE, 0x0301, &header[..2]);
    stream.extend(record(
        CONTENT_HANDSHAKE,
        0x0301,
        &cat([&header[2..], &[0; 100]]),
    ));
    let mut deframer = RecordDeframer::new();
    assert_eq!(deframer.push(&stream), stream.len());
    let mut joiner = HandshakeJoiner::new();
    let first = deframer.next_record().unwrap().unwrap();
    joiner.push(first.fragment).unwrap();
    let second = deframer.next_record().unwrap().unwrap();
    assert_invalid(
        joiner.push(second.fragment),
        InvalidMessage::MessageTooLarge {
            typ: HandshakeType::ClientHello,
            len: MAX_CLIENT_HELLO_LEN + 1,
            max: MAX_CLIENT_HELLO_LEN,
        },
        DecodeError,
    );
}

#[test]
fn other_client_message_over_its_limit() {
    let [_, a, b, c] = ((MAX_OTHER_CLIENT_MESSAGE_LEN + 1) as u32).to_be_bytes();
    assert_invalid(
        split_handshake(&[16, a, b, c]),
        InvalidMessage::MessageTooLarge {
            typ: HandshakeType::ClientKeyExchange,
            len: MAX_OTHER_CLIENT_MESSAGE_LEN + 1,
            max: MAX_OTHER_CLIENT_MESSAGE_LEN,
        },
        DecodeError,
    );
}
