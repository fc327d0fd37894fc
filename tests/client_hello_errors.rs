//! Every error path of record framing, handshake framing and ClientHello
//! parsing, each triggered by hand-built bytes. Each test asserts the exact
//! [`InvalidMessage`] and the alert it maps to (RFC 8446 §6.2), both through [`InvalidMessage::alert`] and through the one
//! `Error` → `AlertDescription` mapping.
//!
//! Hellos are built with the wire-level [`HelloBuilder`] from
//! `tests/common/hello_encoder.rs`: every length is computed, so each test
//! breaks exactly one thing.

mod common;

#[path = "client_hello_errors/extension_order.rs"]
mod extension_order;
#[path = "client_hello_errors/extensions.rs"]
mod extensions;
#[path = "client_hello_errors/fixed_fields.rs"]
mod fixed_fields;
#[path = "client_hello_errors/framing.rs"]
mod framing;
#[path = "client_hello_errors/positive.rs"]
mod positive;
#[path = "client_hello_errors/status_request.rs"]
mod status_request;
#[path = "client_hello_errors/truncation.rs"]
mod truncation;

use std::fmt::Debug;

use common::hello_encoder::{
    cat, der, psk_binders_list, u16_prefixed, u16s, u8_prefixed, HelloBuilder, DER_OCTET_STRING,
};
use stapler::codec::{AlertDescription, ClientHello, ExtensionType};
use stapler::{Error, Field, InvalidMessage};

use AlertDescription::DecodeError;

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
