//! Duplicate extensions (RFC 8446 §4.2) and extension order: pre_shared_key
//! must come last (§4.2.11).

use stapler::codec::{ClientHello, ExtensionType};
use stapler::InvalidMessage;

use super::common::hello_encoder::{u16_prefixed, u16s, u8_prefixed};
use super::{
    bad_length, hello_fails, psk_body, server_name_body, supported_versions_body, truncated,
    with_extension, SECP256R1, X25519,
};

use stapler::codec::AlertDescription::{DecodeError, IllegalParameter};
use stapler::codec::ExtensionType as T;

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
