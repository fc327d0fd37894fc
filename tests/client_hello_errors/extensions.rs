//! Malformed bodies of the extensions the parser reads: pre_shared_key,
//! key_share, the u16 lists, ALPN, server_name, the must-be-empty ones and
//! those only TLS 1.2 reads.

use stapler::codec::{ClientHello, ExtensionType};
use stapler::InvalidMessage;

use super::common::hello_encoder::{
    cat, psk_binders_list, u16_prefixed, u16s, u8_prefixed, HelloBuilder,
};
use super::{
    alpn_body, assert_invalid, bad_length, extension_decode_error, extension_fails, key_share_body,
    psk_body, server_name_body, supported_versions_body, trailing, truncated, with_extension,
    SECP256R1, X25519,
};

use stapler::codec::AlertDescription::{DecodeError, IllegalParameter};
use stapler::codec::ExtensionType as T;

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
