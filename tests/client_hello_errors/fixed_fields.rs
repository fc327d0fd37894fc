//! Bad lengths and values in the hello's fixed fields: session_id,
//! cipher_suites and compression_methods.

use stapler::codec::ClientHello;
use stapler::{Field, InvalidMessage};

use super::common::hello_encoder::HelloBuilder;
use super::hello_fails;

use stapler::codec::AlertDescription::{DecodeError, IllegalParameter};

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
