//! Truncation at each field of the hello, from the fixed fields through
//! the extensions block's own framing, and bytes left over after it.

use stapler::codec::RANDOM_LEN;
use stapler::{Field, InvalidMessage};

use super::common::hello_encoder::{HelloBuilder, RawExtension};
use super::{
    cut_fails, hello_fails, supported_versions_body, with_extension, with_raw_extensions_block,
};

use stapler::codec::AlertDescription::DecodeError;
use stapler::codec::ExtensionType as T;

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
