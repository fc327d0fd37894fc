//! Every error path of record framing, handshake framing and ClientHello
//! parsing, each triggered by hand-built bytes. Each test asserts the exact
//! [`InvalidMessage`] and the alert it maps to (RFC 8446 §6.2), both through [`InvalidMessage::alert`] and through the one
//! `Error` → `AlertDescription` mapping.
//!
//! Hellos are built with the wire-level [`HelloBuilder`] from
//! `tests/common/hello_encoder.rs`: every length is computed, so each test
//! breaks exactly one thing.

mod common;

use std::fmt::Debug;

use common::hello_encoder::{
    cat, der, ocsp_nonce_extension, psk_binders_list, record, u16_prefixed, u16s, u8_prefixed,
    HelloBuilder, RawExtension, CONTENT_HANDSHAKE, DER_OCTET_STRING, DER_SEQUENCE,
};
use stapler::codec::{
    split_handshake, split_record, AlertDescription, ClientHello, ContentType, ExtensionType,
    HandshakeJoiner, HandshakeType, RecordDeframer, MAX_CLIENT_HELLO_LEN,
    MAX_OTHER_CLIENT_MESSAGE_LEN, MAX_PLAINTEXT_LEN, RANDOM_LEN,
};
use stapler::{Error, Field, InvalidMessage};

use AlertDescription::{DecodeError, IllegalParameter};
use ExtensionType as T;

// ---------------------------------------------------------------------------
// Helpers

/// Asserts `got` failed with exactly `want`, and that `want` maps to `alert`
/// both directly and through `Error`.
#[track_caller]
fn assert_invalid<V: Debug>(
    got: Result<V, InvalidMessage>,
    want: InvalidMessage,
    alert: AlertDescription,
) {
    let err = match got {
        Ok(v) => panic!("expected {want:?}, but it parsed: {v:?}"),
        Err(e) => e,
    };
    assert_eq!(err, want);
    assert_eq!(err.alert(), alert, "alert of {err:?}");
    assert_eq!(
        AlertDescription::from(&Error::from(err)),
        alert,
        "alert of Error::from({err:?})"
    );
}

/// Parses `hello` and asserts the error.
#[track_caller]
fn hello_fails(hello: &HelloBuilder, want: InvalidMessage, alert: AlertDescription) {
    assert_invalid(ClientHello::parse(&hello.encode()), want, alert);
}

/// Parses a body cut to `len` bytes and asserts the error.
#[track_caller]
fn cut_fails(hello: &HelloBuilder, len: usize, want: InvalidMessage) {
    assert_invalid(
        ClientHello::parse(&hello.encode_truncated(len)),
        want,
        DecodeError,
    );
}

/// A hello with one extension of type `typ` and body `body`.
fn with_extension(typ: impl Into<u16>, body: impl Into<Vec<u8>>) -> HelloBuilder {
    HelloBuilder::default().extension(typ, body)
}

/// A hello whose extensions block (2-byte length included) holds exactly
/// `block`, which need not be a valid sequence of extensions.
fn with_raw_extensions_block(block: &[u8]) -> HelloBuilder {
    HelloBuilder {
        extensions: None,
        trailing: u16_prefixed(block),
        ..HelloBuilder::default()
    }
}

/// A hello with one extension, asserting the error it gives.
#[track_caller]
fn extension_fails(
    typ: ExtensionType,
    body: impl Into<Vec<u8>>,
    want: InvalidMessage,
    alert: AlertDescription,
) {
    hello_fails(&with_extension(typ, body), want, alert);
}

/// A decode_error inside the body of an extension of type `typ`.
#[track_caller]
fn extension_decode_error(typ: ExtensionType, body: impl Into<Vec<u8>>, want: InvalidMessage) {
    extension_fails(typ, body, want, DecodeError);
}

fn bad_length(typ: ExtensionType) -> InvalidMessage {
    InvalidMessage::BadLength(Field::Extension(typ))
}

fn truncated(typ: ExtensionType) -> InvalidMessage {
    InvalidMessage::Truncated(Field::Extension(typ))
}

fn trailing(typ: ExtensionType) -> InvalidMessage {
    InvalidMessage::TrailingBytes(Field::Extension(typ))
}

fn bad_der(typ: ExtensionType) -> InvalidMessage {
    InvalidMessage::BadDer(Field::Extension(typ))
}

/// A valid body for a few extensions, used around the one under test.
fn supported_versions_body() -> Vec<u8> {
    u8_prefixed(&u16s(&[0x0304, 0x0303]))
}

fn server_name_body(names: &[(u8, &[u8])]) -> Vec<u8> {
    u16_prefixed(&cat(names
        .iter()
        .map(|(t, n)| cat([vec![*t], u16_prefixed(n)]))))
}

fn key_share_body(entries: &[(u16, &[u8])]) -> Vec<u8> {
    u16_prefixed(&cat(entries
        .iter()
        .map(|(g, k)| cat([g.to_be_bytes().to_vec(), u16_prefixed(k)]))))
}

fn alpn_body(names: &[&[u8]]) -> Vec<u8> {
    u16_prefixed(&cat(names.iter().map(|n| u8_prefixed(n))))
}

/// pre_shared_key: identities (identity, age) then the binders.
fn psk_body(identities: &[(&[u8], u32)], binders: &[Vec<u8>]) -> Vec<u8> {
    cat([
        u16_prefixed(&cat(identities.iter().map(|(id, age)| {
            cat([u16_prefixed(id), age.to_be_bytes().to_vec()])
        }))),
        psk_binders_list(binders),
    ])
}

/// status_request of type ocsp from encoded responder IDs and the encoded
/// request_extensions field contents.
fn ocsp_status_request_body(responder_ids: &[&[u8]], request_extensions: &[u8]) -> Vec<u8> {
    cat([
        vec![1],
        u16_prefixed(&cat(responder_ids.iter().map(|id| u16_prefixed(id)))),
        u16_prefixed(request_extensions),
    ])
}

/// A small, well-formed ResponderID: byKey `[2] EXPLICIT OCTET STRING`.
fn responder_id() -> Vec<u8> {
    der(0xa2, &der(DER_OCTET_STRING, &[0xab; 20]))
}

const X25519: u16 = 0x001d;
const SECP256R1: u16 = 0x0017;

// ---------------------------------------------------------------------------
// Truncation at each fixed field

#[test]
fn empty_body_is_truncated() {
    cut_fails(
        &HelloBuilder::default(),
        0,
        InvalidMessage::Truncated(Field::ClientHello),
    );
}

#[test]
fn truncated_in_legacy_version() {
    cut_fails(
        &HelloBuilder::default(),
        1,
        InvalidMessage::Truncated(Field::ClientHello),
    );
}

#[test]
fn truncated_in_random() {
    cut_fails(
        &HelloBuilder::default(),
        2 + RANDOM_LEN - 1,
        InvalidMessage::Truncated(Field::ClientHello),
    );
}

#[test]
fn truncated_before_session_id_length() {
    let hello = HelloBuilder::default();
    cut_fails(
        &hello,
        hello.offsets().session_id,
        InvalidMessage::Truncated(Field::ClientHello),
    );
}

#[test]
fn truncated_in_session_id() {
    let hello = HelloBuilder::default();
    cut_fails(
        &hello,
        hello.offsets().session_id + 1 + 16,
        InvalidMessage::Truncated(Field::ClientHello),
    );
}

#[test]
fn truncated_in_cipher_suites_length() {
    let hello = HelloBuilder::default();
    cut_fails(
        &hello,
        hello.offsets().cipher_suites + 1,
        InvalidMessage::Truncated(Field::ClientHello),
    );
}

#[test]
fn truncated_in_cipher_suites() {
    let hello = HelloBuilder::default();
    cut_fails(
        &hello,
        hello.offsets().cipher_suites + 2 + 3,
        InvalidMessage::Truncated(Field::ClientHello),
    );
}

#[test]
fn truncated_before_compression_methods_length() {
    let hello = HelloBuilder::default();
    cut_fails(
        &hello,
        hello.offsets().compression_methods,
        InvalidMessage::Truncated(Field::ClientHello),
    );
}

#[test]
fn truncated_in_compression_methods() {
    let hello = HelloBuilder {
        compression_methods: vec![1, 0],
        ..HelloBuilder::default()
    };
    cut_fails(
        &hello,
        hello.offsets().compression_methods + 2,
        InvalidMessage::Truncated(Field::ClientHello),
    );
}

#[test]
fn truncated_in_extensions_block_length() {
    let hello = with_extension(T::SupportedVersions, supported_versions_body());
    cut_fails(
        &hello,
        hello.offsets().extensions + 1,
        InvalidMessage::Truncated(Field::Extensions),
    );
}

#[test]
fn truncated_in_extensions_block() {
    // The block's length claims more than what follows it.
    let hello = with_extension(T::SupportedVersions, supported_versions_body());
    cut_fails(
        &hello,
        hello.offsets().end - 1,
        InvalidMessage::Truncated(Field::Extensions),
    );
}

#[test]
fn truncated_in_extension_type() {
    // The block's length is right; the block holds one byte of a type.
    hello_fails(
        &with_raw_extensions_block(&[0x00]),
        InvalidMessage::Truncated(Field::Extensions),
        DecodeError,
    );
}

#[test]
fn truncated_in_extension_length() {
    hello_fails(
        &with_raw_extensions_block(&[0x00, 0x2b, 0x00]),
        InvalidMessage::Truncated(Field::Extensions),
        DecodeError,
    );
}

#[test]
fn truncated_in_extension_body() {
    // supported_versions says 5 bytes of body; the block holds 3.
    hello_fails(
        &with_raw_extensions_block(&[0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04]),
        InvalidMessage::Truncated(Field::Extensions),
        DecodeError,
    );
}

#[test]
fn truncated_in_second_extension_header() {
    let mut block = RawExtension::new(T::ExtendedMasterSecret, vec![]).encode();
    block.extend([0xff, 0x01, 0x00]);
    hello_fails(
        &with_raw_extensions_block(&block),
        InvalidMessage::Truncated(Field::Extensions),
        DecodeError,
    );
}

#[test]
fn trailing_bytes_after_extensions_block() {
    let hello = HelloBuilder {
        trailing: vec![0],
        ..with_extension(T::SupportedVersions, supported_versions_body())
    };
    hello_fails(
        &hello,
        InvalidMessage::TrailingBytes(Field::Extensions),
        DecodeError,
    );
}

#[test]
fn trailing_bytes_after_empty_extensions_block() {
    let hello = HelloBuilder {
        trailing: vec![0, 0],
        ..HelloBuilder::default()
    };
    hello_fails(
        &hello,
        InvalidMessage::TrailingBytes(Field::Extensions),
        DecodeError,
    );
}

#[test]
fn single_byte_where_extensions_block_would_start() {
    // Not "no extensions": one byte is the start of a block length.
    let hello = HelloBuilder {
        extensions: None,
        trailing: vec![0],
        ..HelloBuilder::default()
    };
    hello_fails(
        &hello,
        InvalidMessage::Truncated(Field::Extensions),
        DecodeError,
    );
}

// ---------------------------------------------------------------------------
// Bad lengths and values in the fixed fields

#[test]
fn session_id_of_33_bytes() {
    let hello = HelloBuilder {
        session_id: vec![7; 33],
        ..HelloBuilder::default()
    };
    hello_fails(
        &hello,
        InvalidMessage::BadLength(Field::SessionId),
        DecodeError,
    );
}

#[test]
fn session_id_of_255_bytes() {
    let hello = HelloBuilder {
        session_id: vec![7; 255],
        ..HelloBuilder::default()
    };
    hello_fails(
        &hello,
        InvalidMessage::BadLength(Field::SessionId),
        DecodeError,
    );
}

#[test]
fn session_id_of_32_bytes_and_of_0_bytes_parse() {
    for len in [0, 32] {
        let hello = HelloBuilder {
            session_id: vec![7; len],
            ..HelloBuilder::default()
        };
        let body = hello.encode();
        assert_eq!(
            ClientHello::parse(&body).unwrap().session_id(),
            &vec![7; len][..]
        );
    }
}

#[test]
fn empty_cipher_suites() {
    let hello = HelloBuilder {
        cipher_suites: vec![],
        ..HelloBuilder::default()
    };
    hello_fails(
        &hello,
        InvalidMessage::BadLength(Field::CipherSuites),
        DecodeError,
    );
}

#[test]
fn odd_length_cipher_suites() {
    let hello = HelloBuilder {
        cipher_suites: vec![0x13, 0x01, 0x13],
        ..HelloBuilder::default()
    };
    hello_fails(
        &hello,
        InvalidMessage::BadLength(Field::CipherSuites),
        DecodeError,
    );
}

#[test]
fn empty_compression_methods() {
    let hello = HelloBuilder {
        compression_methods: vec![],
        ..HelloBuilder::default()
    };
    hello_fails(
        &hello,
        InvalidMessage::BadLength(Field::CompressionMethods),
        DecodeError,
    );
}

#[test]
fn no_null_compression() {
    let hello = HelloBuilder {
        compression_methods: vec![1, 64],
        ..HelloBuilder::default()
    };
    hello_fails(&hello, InvalidMessage::NoNullCompression, IllegalParameter);
}

#[test]
fn null_compression_after_deflate_is_accepted() {
    let hello = HelloBuilder {
        compression_methods: vec![1, 0],
        ..HelloBuilder::default()
    };
    let body = hello.encode();
    assert_eq!(
        ClientHello::parse(&body).unwrap().compression_methods(),
        &[1, 0]
    );
}

// ---------------------------------------------------------------------------
// Duplicate extensions (RFC 8446 §4.2) and extension order (§4.2.11)

#[test]
fn duplicate_known_extension_server_name() {
    let body = server_name_body(&[(0, b"localhost")]);
    let hello = with_extension(T::ServerName, body.clone()).extension(T::ServerName, body);
    hello_fails(
        &hello,
        InvalidMessage::DuplicateExtension(T::ServerName),
        IllegalParameter,
    );
}

#[test]
fn duplicate_known_extension_not_adjacent_with_different_bodies() {
    let hello = with_extension(T::SupportedGroups, u16_prefixed(&u16s(&[X25519])))
        .extension(T::ExtendedMasterSecret, vec![])
        .extension(T::SupportedGroups, u16_prefixed(&u16s(&[SECP256R1])));
    hello_fails(
        &hello,
        InvalidMessage::DuplicateExtension(T::SupportedGroups),
        IllegalParameter,
    );
}

#[test]
fn duplicate_empty_extension_extended_master_secret() {
    let hello =
        with_extension(T::ExtendedMasterSecret, vec![]).extension(T::ExtendedMasterSecret, vec![]);
    hello_fails(
        &hello,
        InvalidMessage::DuplicateExtension(T::ExtendedMasterSecret),
        IllegalParameter,
    );
}

#[test]
fn a_malformed_extension_after_a_repeat_is_reported_first() {
    // Parse before judging: the repeat of extended_master_secret is only
    // judged once the rest of the block has parsed, and a supported_groups
    // with an odd length behind it is a decode_error.
    let hello = with_extension(T::ExtendedMasterSecret, vec![])
        .extension(T::ExtendedMasterSecret, vec![])
        .extension(T::SupportedGroups, u16_prefixed(&[0, 0x1d, 0]));
    hello_fails(&hello, bad_length(T::SupportedGroups), DecodeError);
    // And the repeated extension's own body counts too.
    let hello = with_extension(T::SupportedVersions, u8_prefixed(&u16s(&[0x0304])))
        .extension(T::SupportedVersions, vec![3]);
    hello_fails(&hello, truncated(T::SupportedVersions), DecodeError);
}

#[test]
fn duplicate_named_extension_without_typed_accessor() {
    // encrypt_then_mac has a name but no typed accessor: it takes the
    // "unknown" path of the duplicate check.
    let hello = with_extension(T::EncryptThenMac, vec![]).extension(T::EncryptThenMac, vec![]);
    hello_fails(
        &hello,
        InvalidMessage::DuplicateExtension(T::EncryptThenMac),
        IllegalParameter,
    );
}

#[test]
fn duplicate_unknown_extension_0x1234() {
    let hello = with_extension(0x1234u16, vec![1])
        .extension(T::ExtendedMasterSecret, vec![])
        .extension(0x1234u16, vec![2, 3]);
    hello_fails(
        &hello,
        InvalidMessage::DuplicateExtension(ExtensionType::Unknown(0x1234)),
        IllegalParameter,
    );
}

#[test]
fn duplicate_grease_extension() {
    let hello = with_extension(0x0a0au16, vec![]).extension(0x0a0au16, vec![0]);
    hello_fails(
        &hello,
        InvalidMessage::DuplicateExtension(ExtensionType::from_wire(0x0a0a)),
        IllegalParameter,
    );
}

#[test]
fn two_different_grease_extensions_are_accepted() {
    let hello = with_extension(0x0a0au16, vec![]).extension(0xfafau16, vec![0]);
    let body = hello.encode();
    let parsed = ClientHello::parse(&body).unwrap();
    assert_eq!(parsed.extensions().count(), 0);
}

#[test]
fn pre_shared_key_not_last() {
    let psk = psk_body(&[(b"ticket", 7)], &[vec![0xb1; 32]]);
    let hello = with_extension(T::PreSharedKey, psk)
        .extension(T::SupportedVersions, supported_versions_body());
    hello_fails(
        &hello,
        InvalidMessage::PreSharedKeyNotLast,
        IllegalParameter,
    );
}

#[test]
fn pre_shared_key_followed_by_grease_extension() {
    // Even a GREASE extension may not follow pre_shared_key.
    let psk = psk_body(&[(b"ticket", 7)], &[vec![0xb1; 32]]);
    let hello = with_extension(T::PreSharedKey, psk).extension(0x3a3au16, vec![]);
    hello_fails(
        &hello,
        InvalidMessage::PreSharedKeyNotLast,
        IllegalParameter,
    );
}

// ---------------------------------------------------------------------------
// pre_shared_key (RFC 8446 §4.2.11)

#[test]
fn psk_more_identities_than_binders() {
    extension_fails(
        T::PreSharedKey,
        psk_body(&[(b"one", 1), (b"two", 2)], &[vec![0xb1; 32]]),
        InvalidMessage::PskBinderCountMismatch,
        IllegalParameter,
    );
}

#[test]
fn psk_more_binders_than_identities() {
    extension_fails(
        T::PreSharedKey,
        psk_body(&[(b"one", 1)], &[vec![0xb1; 32], vec![0xb2; 48]]),
        InvalidMessage::PskBinderCountMismatch,
        IllegalParameter,
    );
}

#[test]
fn psk_binder_shorter_than_32() {
    // Two binders keep the list above its 33-byte minimum, so the check
    // that fires is the one on the second binder's own length.
    extension_decode_error(
        T::PreSharedKey,
        psk_body(
            &[(b"one", 1), (b"two", 2)],
            &[vec![0xb1; 32], vec![0xb2; 31]],
        ),
        bad_length(T::PreSharedKey),
    );
}

#[test]
fn psk_binders_list_shorter_than_33() {
    extension_decode_error(
        T::PreSharedKey,
        psk_body(&[(b"one", 1)], &[vec![0xb1; 31]]),
        bad_length(T::PreSharedKey),
    );
}

#[test]
fn psk_empty_identity() {
    extension_decode_error(
        T::PreSharedKey,
        psk_body(&[(b"one", 1), (b"", 2)], &[vec![0xb1; 32], vec![0xb2; 32]]),
        bad_length(T::PreSharedKey),
    );
}

#[test]
fn psk_identities_list_shorter_than_7() {
    extension_decode_error(
        T::PreSharedKey,
        psk_body(&[(b"", 1)], &[vec![0xb1; 32]]),
        bad_length(T::PreSharedKey),
    );
}

#[test]
fn psk_truncated_ticket_age() {
    // identities: identity "abc" then three of the four age bytes.
    let identities = u16_prefixed(&cat([u16_prefixed(b"abc"), vec![0, 0, 0]]));
    extension_decode_error(
        T::PreSharedKey,
        cat([identities, psk_binders_list(&[vec![0xb1; 32]])]),
        truncated(T::PreSharedKey),
    );
}

#[test]
fn psk_missing_binders() {
    let identities = u16_prefixed(&cat([u16_prefixed(b"abc"), vec![0, 0, 0, 1]]));
    extension_decode_error(T::PreSharedKey, identities, truncated(T::PreSharedKey));
}

#[test]
fn psk_trailing_bytes() {
    let mut body = psk_body(&[(b"one", 1)], &[vec![0xb1; 32]]);
    body.push(0);
    extension_decode_error(T::PreSharedKey, body, trailing(T::PreSharedKey));
}

// ---------------------------------------------------------------------------
// key_share (RFC 8446 §4.2.8)

#[test]
fn key_share_duplicate_group() {
    extension_fails(
        T::KeyShare,
        key_share_body(&[
            (X25519, &[1; 32]),
            (SECP256R1, &[4; 65]),
            (X25519, &[2; 32]),
        ]),
        InvalidMessage::DuplicateKeyShare(X25519),
        IllegalParameter,
    );
}

#[test]
fn key_share_entry_with_empty_key() {
    extension_decode_error(
        T::KeyShare,
        key_share_body(&[(X25519, &[1; 32]), (SECP256R1, &[])]),
        bad_length(T::KeyShare),
    );
}

#[test]
fn key_share_truncated_entry() {
    // One entry whose key length says 32 but only 31 bytes are in the list.
    let entry = cat([X25519.to_be_bytes().to_vec(), vec![0, 32], vec![1; 31]]);
    extension_decode_error(T::KeyShare, u16_prefixed(&entry), truncated(T::KeyShare));
}

#[test]
fn key_share_trailing_bytes() {
    let mut body = key_share_body(&[(X25519, &[1; 32])]);
    body.push(0);
    extension_decode_error(T::KeyShare, body, trailing(T::KeyShare));
}

#[test]
fn key_share_empty_list_is_accepted() {
    // A client may send no shares to ask for a HelloRetryRequest.
    let body = with_extension(T::KeyShare, u16_prefixed(&[])).encode();
    let hello = ClientHello::parse(&body).unwrap();
    assert_eq!(hello.key_share().unwrap().iter().count(), 0);
}

// ---------------------------------------------------------------------------
// supported_versions, supported_groups, signature_algorithms(_cert)

#[test]
fn supported_versions_odd_length() {
    extension_decode_error(
        T::SupportedVersions,
        u8_prefixed(&[0x03, 0x04, 0x03]),
        bad_length(T::SupportedVersions),
    );
}

#[test]
fn supported_versions_empty() {
    extension_decode_error(
        T::SupportedVersions,
        u8_prefixed(&[]),
        bad_length(T::SupportedVersions),
    );
}

#[test]
fn supported_versions_longer_than_254() {
    // With a one-byte length the only length above 254 is 255.
    extension_decode_error(
        T::SupportedVersions,
        u8_prefixed(&[0x03; 255]),
        bad_length(T::SupportedVersions),
    );
}

#[test]
fn supported_versions_of_254_bytes_is_accepted() {
    let versions: Vec<u16> = (0..127).map(|i| 0x0300 + i).collect();
    let body = with_extension(T::SupportedVersions, u8_prefixed(&u16s(&versions))).encode();
    let hello = ClientHello::parse(&body).unwrap();
    assert_eq!(
        hello
            .supported_versions()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        versions
    );
}

#[test]
fn supported_versions_length_beyond_body() {
    extension_decode_error(
        T::SupportedVersions,
        vec![4, 0x03, 0x04],
        truncated(T::SupportedVersions),
    );
}

#[test]
fn supported_versions_trailing_bytes() {
    let mut body = supported_versions_body();
    body.push(0);
    extension_decode_error(T::SupportedVersions, body, trailing(T::SupportedVersions));
}

#[test]
fn supported_groups_empty() {
    extension_decode_error(
        T::SupportedGroups,
        u16_prefixed(&[]),
        bad_length(T::SupportedGroups),
    );
}

#[test]
fn supported_groups_odd_length() {
    extension_decode_error(
        T::SupportedGroups,
        u16_prefixed(&[0x00, 0x1d, 0x00]),
        bad_length(T::SupportedGroups),
    );
}

#[test]
fn signature_algorithms_empty() {
    extension_decode_error(
        T::SignatureAlgorithms,
        u16_prefixed(&[]),
        bad_length(T::SignatureAlgorithms),
    );
}

#[test]
fn signature_algorithms_cert_empty() {
    extension_decode_error(
        T::SignatureAlgorithmsCert,
        u16_prefixed(&[]),
        bad_length(T::SignatureAlgorithmsCert),
    );
}

#[test]
fn signature_algorithms_missing_list_length() {
    extension_decode_error(
        T::SignatureAlgorithms,
        vec![0x04],
        truncated(T::SignatureAlgorithms),
    );
}

// ---------------------------------------------------------------------------
// ALPN (RFC 7301 §3.1)

#[test]
fn alpn_empty_list() {
    extension_decode_error(
        T::ApplicationLayerProtocolNegotiation,
        u16_prefixed(&[]),
        bad_length(T::ApplicationLayerProtocolNegotiation),
    );
}

#[test]
fn alpn_empty_protocol_name() {
    extension_decode_error(
        T::ApplicationLayerProtocolNegotiation,
        alpn_body(&[b"", b"h2"]),
        bad_length(T::ApplicationLayerProtocolNegotiation),
    );
}

#[test]
fn alpn_truncated_protocol_name() {
    extension_decode_error(
        T::ApplicationLayerProtocolNegotiation,
        u16_prefixed(&[5, b'h', b'2']),
        truncated(T::ApplicationLayerProtocolNegotiation),
    );
}

// ---------------------------------------------------------------------------
// server_name (RFC 6066 §3)

#[test]
fn server_name_duplicate_name_type() {
    extension_fails(
        T::ServerName,
        server_name_body(&[(0, b"a.example"), (0, b"b.example")]),
        InvalidMessage::DuplicateServerNameType(0),
        IllegalParameter,
    );
}

#[test]
fn server_name_duplicate_unknown_name_type() {
    extension_fails(
        T::ServerName,
        server_name_body(&[(0, b"a.example"), (200, b"x"), (200, b"y")]),
        InvalidMessage::DuplicateServerNameType(200),
        IllegalParameter,
    );
}

#[test]
fn server_name_empty_host_name() {
    extension_decode_error(
        T::ServerName,
        server_name_body(&[(0, b"")]),
        bad_length(T::ServerName),
    );
}

#[test]
fn server_name_empty_list() {
    extension_decode_error(T::ServerName, u16_prefixed(&[]), bad_length(T::ServerName));
}

#[test]
fn server_name_empty_body() {
    // The empty form is what a server sends back, never a client.
    extension_decode_error(T::ServerName, vec![], truncated(T::ServerName));
}

#[test]
fn server_name_truncated_host_name() {
    extension_decode_error(
        T::ServerName,
        u16_prefixed(&[0, 0, 9, b'l', b'o', b'c']),
        truncated(T::ServerName),
    );
}

// ---------------------------------------------------------------------------
// Extensions that must be empty, or must not be

#[test]
fn early_data_with_non_empty_body() {
    extension_decode_error(T::EarlyData, vec![0], trailing(T::EarlyData));
}

#[test]
fn cookie_empty() {
    extension_decode_error(T::Cookie, u16_prefixed(&[]), bad_length(T::Cookie));
}

#[test]
fn psk_key_exchange_modes_empty() {
    extension_decode_error(
        T::PskKeyExchangeModes,
        u8_prefixed(&[]),
        bad_length(T::PskKeyExchangeModes),
    );
}

// Extensions only TLS 1.2 reads: parsed without judging their bodies (a
// TLS 1.3 handshake ignores them), judged by check_tls12_extensions, and
// absent to their accessors while malformed.

/// A hello with one TLS 1.2-only extension whose body is malformed: it
/// parses, its accessor says the extension is absent, and
/// `check_tls12_extensions` gives `want` (a decode_error).
#[track_caller]
fn tls12_extension_fails(typ: ExtensionType, body: Vec<u8>, want: InvalidMessage) {
    let encoded = with_extension(typ, body.clone()).encode();
    let hello = ClientHello::parse(&encoded).expect("parsed, not judged");
    assert_eq!(hello.extension(typ), Some(&body[..]));
    assert!(hello.ec_point_formats().is_none());
    assert!(hello.renegotiation_info().is_none());
    assert!(!hello.extended_master_secret());
    assert_invalid(hello.check_tls12_extensions(), want, DecodeError);
}

#[test]
fn extended_master_secret_with_non_empty_body() {
    tls12_extension_fails(
        T::ExtendedMasterSecret,
        vec![0, 0],
        trailing(T::ExtendedMasterSecret),
    );
}

#[test]
fn ec_point_formats_empty() {
    tls12_extension_fails(
        T::EcPointFormats,
        u8_prefixed(&[]),
        bad_length(T::EcPointFormats),
    );
}

#[test]
fn ec_point_formats_random_bytes() {
    tls12_extension_fails(
        T::EcPointFormats,
        vec![9, 1, 2],
        truncated(T::EcPointFormats),
    );
}

#[test]
fn renegotiation_info_trailing_bytes() {
    tls12_extension_fails(
        T::RenegotiationInfo,
        vec![0, 0],
        trailing(T::RenegotiationInfo),
    );
}

#[test]
fn renegotiation_info_empty_body() {
    tls12_extension_fails(
        T::RenegotiationInfo,
        vec![],
        truncated(T::RenegotiationInfo),
    );
}

#[test]
fn well_formed_tls12_extensions_pass_the_check() {
    let encoded = HelloBuilder::default()
        .extension(T::EcPointFormats, u8_prefixed(&[0]))
        .extension(T::RenegotiationInfo, u8_prefixed(&[]))
        .extension(T::ExtendedMasterSecret, vec![])
        .encode();
    let hello = ClientHello::parse(&encoded).unwrap();
    assert_eq!(hello.check_tls12_extensions(), Ok(()));
    assert_eq!(hello.ec_point_formats(), Some(&[0][..]));
    assert_eq!(hello.renegotiation_info(), Some(&[][..]));
    assert!(hello.extended_master_secret());
}

// ---------------------------------------------------------------------------
// status_request (RFC 6066 §8)

#[test]
fn status_request_empty_body() {
    extension_decode_error(T::StatusRequest, vec![], truncated(T::StatusRequest));
}

#[test]
fn status_request_truncated_after_status_type() {
    extension_decode_error(T::StatusRequest, vec![1], truncated(T::StatusRequest));
}

#[test]
fn status_request_truncated_responder_id_list_length() {
    extension_decode_error(T::StatusRequest, vec![1, 0], truncated(T::StatusRequest));
}

#[test]
fn status_request_missing_request_extensions() {
    extension_decode_error(T::StatusRequest, vec![1, 0, 0], truncated(T::StatusRequest));
}

#[test]
fn status_request_truncated_responder_id() {
    // The list holds one ResponderID whose 2-byte length says 22, but only
    // 10 bytes follow inside the list.
    let list = cat([vec![0, 22], responder_id()[..10].to_vec()]);
    extension_decode_error(
        T::StatusRequest,
        cat([vec![1], u16_prefixed(&list), vec![0, 0]]),
        truncated(T::StatusRequest),
    );
}

#[test]
fn status_request_truncated_request_extensions() {
    extension_decode_error(
        T::StatusRequest,
        vec![1, 0, 0, 0, 5, 0x30, 0x03],
        truncated(T::StatusRequest),
    );
}

#[test]
fn status_request_trailing_bytes() {
    let mut body = ocsp_status_request_body(&[], &[]);
    body.push(0xff);
    extension_decode_error(T::StatusRequest, body, trailing(T::StatusRequest));
}

#[test]
fn status_request_responder_id_of_two_der_items() {
    let two = cat([responder_id(), der(DER_OCTET_STRING, &[1])]);
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[&responder_id(), &two], &[]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_responder_id_with_truncated_der() {
    // OCTET STRING whose DER length says 5; one content byte follows.
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[&[0x04, 0x05, 0xaa]], &[]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_empty_responder_id() {
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[&[]], &[]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_responder_id_with_indefinite_length() {
    // BER's indefinite form is not DER.
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[&[0xa2, 0x80, 0x04, 0x00, 0x00, 0x00]], &[]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_request_extensions_not_a_sequence() {
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[], &der(DER_OCTET_STRING, &[0x30, 0x00])),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_request_extensions_bad_der_inside() {
    // SEQUENCE { SEQUENCE of length 5 with one byte of contents }.
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[], &[0x30, 0x03, 0x30, 0x05, 0x00]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_request_extensions_two_sequences() {
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[], &[0x30, 0x00, 0x30, 0x00]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_request_extensions_non_minimal_length() {
    // Long-form length for 2 bytes of contents.
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[], &[0x30, 0x81, 0x02, 0x05, 0x00]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_ocsp_with_responder_ids_and_nonce_parses() {
    let nonce = ocsp_nonce_extension(false, &[9; 16]);
    let exts = der(DER_SEQUENCE, &nonce);
    let body = ocsp_status_request_body(&[&responder_id()], &exts);
    let encoded = with_extension(T::StatusRequest, body).encode();
    let hello = ClientHello::parse(&encoded).unwrap();
    assert!(hello.requests_ocsp());
    let ocsp = hello.status_request().unwrap().ocsp().unwrap();
    assert_eq!(
        ocsp.responder_ids().collect::<Vec<_>>(),
        [&responder_id()[..]]
    );
    assert_eq!(ocsp.request_extensions().collect::<Vec<_>>(), [&nonce[..]]);
    assert_eq!(ocsp.raw_request_extensions(), &exts[..]);
}

#[test]
fn status_request_of_another_type_is_kept_raw() {
    let encoded = with_extension(T::StatusRequest, vec![2, 0xde, 0xad]).encode();
    let hello = ClientHello::parse(&encoded).unwrap();
    let sr = hello.status_request().unwrap();
    assert_eq!(
        (sr.status_type(), sr.ocsp(), sr.raw()),
        (2, None, &[2, 0xde, 0xad][..])
    );
    assert!(!hello.requests_ocsp());
}

// ---------------------------------------------------------------------------
// status_request_v2 (RFC 6961 §2.2): framing only

#[test]
fn status_request_v2_empty_list() {
    extension_decode_error(
        T::StatusRequestV2,
        u16_prefixed(&[]),
        bad_length(T::StatusRequestV2),
    );
}

#[test]
fn status_request_v2_item_without_request_length() {
    extension_decode_error(
        T::StatusRequestV2,
        u16_prefixed(&[2]),
        truncated(T::StatusRequestV2),
    );
}

#[test]
fn status_request_v2_truncated_request() {
    extension_decode_error(
        T::StatusRequestV2,
        u16_prefixed(&[2, 0, 5, 0, 0]),
        truncated(T::StatusRequestV2),
    );
}

#[test]
fn status_request_v2_trailing_bytes() {
    let mut body = u16_prefixed(&[2, 0, 4, 0, 0, 0, 0]);
    body.push(9);
    extension_decode_error(T::StatusRequestV2, body, trailing(T::StatusRequestV2));
}

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

// ---------------------------------------------------------------------------
// Positive cases

#[test]
fn hello_without_extensions_block_parses() {
    // RFC 5246 §7.4.1.2: a TLS 1.2 client may end the hello after
    // compression_methods.
    let builder = HelloBuilder {
        session_id: vec![],
        cipher_suites: u16s(&[0xc02f, 0x009c]),
        extensions: None,
        ..HelloBuilder::default()
    };
    let body = builder.encode();
    assert_eq!(builder.offsets().extensions, body.len());
    let hello = ClientHello::parse(&body).unwrap();
    assert_eq!(hello.legacy_version(), 0x0303);
    assert_eq!(hello.random(), &builder.random);
    assert_eq!(hello.session_id(), &[] as &[u8]);
    assert_eq!(
        hello.cipher_suites().iter().collect::<Vec<_>>(),
        [0xc02f, 0x009c]
    );
    assert_eq!(hello.compression_methods(), &[0]);
    assert_eq!(hello.raw_extensions(), &[] as &[u8]);
    assert_eq!(hello.extensions().count(), 0);
    assert!(hello.server_name().is_none() && hello.supported_versions().is_none());
    assert!(hello.status_request().is_none() && !hello.requests_ocsp());
    assert!(!hello.extended_master_secret() && !hello.early_data());
}

#[test]
fn hello_with_empty_extensions_block_parses() {
    let body = HelloBuilder::default().encode();
    let hello = ClientHello::parse(&body).unwrap();
    assert_eq!(hello.raw_extensions(), &[] as &[u8]);
    assert_eq!(hello.extensions().count(), 0);
}

#[test]
fn grease_extensions_are_skipped_by_extensions_but_kept_in_raw_extensions() {
    let builder = with_extension(0x0a0au16, vec![])
        .extension(T::SupportedVersions, supported_versions_body())
        .extension(T::ExtendedMasterSecret, vec![])
        .extension(0xdadau16, vec![0]);
    let body = builder.encode();
    let hello = ClientHello::parse(&body).unwrap();
    let types: Vec<ExtensionType> = hello.extensions().map(|e| e.typ).collect();
    assert_eq!(types, [T::SupportedVersions, T::ExtendedMasterSecret]);
    assert_eq!(hello.raw_extensions(), &builder.extensions_block()[..]);
    assert_eq!(
        hello.extension(ExtensionType::from_wire(0xdada)),
        Some(&[0][..])
    );
    assert_eq!(
        hello.extension(ExtensionType::from_wire(0x0a0a)),
        Some(&[][..])
    );
}

#[test]
fn unknown_extensions_are_kept_in_wire_order() {
    let builder = with_extension(0x7777u16, vec![1, 2])
        .extension(T::ExtendedMasterSecret, vec![])
        .extension(0x1234u16, vec![])
        .extension(T::EncryptThenMac, vec![])
        .extension(0x0002u16, vec![3]);
    let body = builder.encode();
    let hello = ClientHello::parse(&body).unwrap();
    let got: Vec<(u16, &[u8])> = hello
        .extensions()
        .map(|e| (e.typ.to_wire(), e.body))
        .collect();
    assert_eq!(
        got,
        [
            (0x7777, &[1, 2][..]),
            (23, &[][..]),
            (0x1234, &[][..]),
            (22, &[][..]),
            (0x0002, &[3][..]),
        ]
    );
    assert_eq!(
        hello.extensions().nth(2).unwrap().typ,
        ExtensionType::Unknown(0x1234)
    );
}

#[test]
fn pre_shared_key_last_parses_and_binders_len_is_the_tail() {
    let binders = vec![vec![0xb1; 32], vec![0xb2; 48]];
    let builder = with_extension(T::SupportedVersions, supported_versions_body())
        .extension(T::PskKeyExchangeModes, u8_prefixed(&[1]))
        .extension(
            T::PreSharedKey,
            psk_body(&[(b"ticket-one", 0x0102_0304), (b"t2", 9)], &binders),
        );
    let body = builder.encode();
    let hello = ClientHello::parse(&body).unwrap();
    let psk = hello.pre_shared_key().unwrap();
    let tail = psk_binders_list(&binders);
    assert_eq!(psk.binders_len(), tail.len());
    assert_eq!(&body[body.len() - psk.binders_len()..], &tail[..]);
    assert_eq!(
        psk.identities()
            .map(|i| (i.identity, i.obfuscated_ticket_age))
            .collect::<Vec<_>>(),
        [(&b"ticket-one"[..], 0x0102_0304), (&b"t2"[..], 9)]
    );
    assert_eq!(
        psk.binders().collect::<Vec<_>>(),
        [&binders[0][..], &binders[1][..]]
    );
}

#[test]
fn built_hello_passes_record_and_handshake_layers() {
    // The builder's framing agrees with the crate's.
    let builder = with_extension(T::ServerName, server_name_body(&[(0, b"localhost")]))
        .extension(T::KeyShare, key_share_body(&[(X25519, &[7; 32])]))
        .extension(
            T::ApplicationLayerProtocolNegotiation,
            alpn_body(&[b"h2", b"http/1.1"]),
        );
    let rec = builder.record();
    let (r, used) = split_record(&rec, MAX_PLAINTEXT_LEN).unwrap().unwrap();
    assert_eq!(used, rec.len());
    let (m, used) = split_handshake(r.fragment).unwrap().unwrap();
    assert_eq!(
        (m.typ, used),
        (HandshakeType::ClientHello, r.fragment.len())
    );
    let hello = ClientHello::parse(m.body).unwrap();
    assert_eq!(
        hello.server_name().unwrap().host_name(),
        Some(&b"localhost"[..])
    );
    assert_eq!(
        hello
            .key_share()
            .unwrap()
            .find(X25519)
            .unwrap()
            .key_exchange,
        &[7; 32]
    );
    assert!(hello.alpn().unwrap().contains(b"h2"));
}
