//! A hand-built TLS 1.3 client's pieces, for bad input on the wire: a
//! minimal ClientHello to depart from, records protected under the secrets
//! a rustls client logs, and the checks of what the server answers.

use std::sync::Arc;

use rustls::crypto::ring::kx_group;
use stapler::codec::{AlertDescription, ExtensionType};
use stapler::{CloseReason, Error, ServerConnection};

use super::hello_encoder::{ExtensionModel, HelloModel};
use super::rustls_pair::{ecdsa_server_config, logging_client_config, Pair, SecretLog};
use super::wire::rejects_with;

/// A fresh default server (ECDSA leaf, no OCSP events).
pub fn fresh_server() -> ServerConnection {
    ServerConnection::new(Arc::new(ecdsa_server_config(false)))
}

/// `input` to a fresh server fails with `error`, sends exactly the plaintext
/// alert `description`, and closes with both.
#[track_caller]
pub fn rejects(input: &[u8], error: Error, description: u8) {
    rejects_with(&mut fresh_server(), input, error, description);
}

pub fn x25519_public_key() -> Vec<u8> {
    let rng = ring::rand::SystemRandom::new();
    let private =
        ring::agreement::EphemeralPrivateKey::generate(&ring::agreement::X25519, &rng).unwrap();
    private.compute_public_key().unwrap().as_ref().to_vec()
}

/// A minimal, valid TLS 1.3 ClientHello for localhost.
pub fn good_hello() -> HelloModel {
    HelloModel {
        legacy_version: 0x0303,
        random: [7; 32],
        session_id: vec![0x5e; 32],
        cipher_suites: vec![0x1301, 0x1302, 0x1303],
        compression_methods: vec![0],
        extensions: Some(vec![
            ExtensionModel::ServerName(vec![(0, b"localhost".to_vec())]),
            ExtensionModel::SupportedVersions(vec![0x0304]),
            ExtensionModel::SupportedGroups(vec![0x001d]),
            ExtensionModel::SignatureAlgorithms(vec![0x0403]),
            ExtensionModel::KeyShare(vec![(0x001d, x25519_public_key())]),
        ]),
    }
}

pub fn without(mut hello: HelloModel, typ: ExtensionType) -> HelloModel {
    hello
        .extensions
        .as_mut()
        .unwrap()
        .retain(|e| e.extension_type() != typ);
    hello
}

pub fn with(mut hello: HelloModel, ext: ExtensionModel) -> HelloModel {
    let typ = ext.extension_type();
    let exts = hello.extensions.as_mut().unwrap();
    exts.retain(|e| e.extension_type() != typ);
    exts.push(ext);
    hello
}

/// HKDF-Expand-Label (RFC 8446 §7.1) with SHA-256 and an empty context.
pub fn hkdf_expand_label(secret: &[u8], label: &[u8], len: usize) -> Vec<u8> {
    struct Len(usize);
    impl ring::hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }
    let prk = ring::hkdf::Prk::new_less_safe(ring::hkdf::HKDF_SHA256, secret);
    let label = [&b"tls13 "[..], label].concat();
    let out_len = (len as u16).to_be_bytes();
    let info = [&out_len[..], &[label.len() as u8], &label, &[0]];
    let mut out = vec![0; len];
    prk.expand(&info, Len(len)).unwrap().fill(&mut out).unwrap();
    out
}

/// The TLS_AES_128_GCM_SHA256 key of the traffic secret `secret`, and the
/// nonce of record `seq` (RFC 8446 §5.3, §7.3).
pub fn record_key(secret: &[u8], seq: u64) -> (ring::aead::LessSafeKey, ring::aead::Nonce) {
    use ring::aead;
    let key = hkdf_expand_label(secret, b"key", 16);
    let iv = hkdf_expand_label(secret, b"iv", 12);
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&iv);
    for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
        *n ^= s;
    }
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &key).unwrap());
    (key, aead::Nonce::assume_unique_for_key(nonce))
}

/// A TLS 1.3 record protected with TLS_AES_128_GCM_SHA256 under the
/// traffic secret `secret`, sequence number `seq` (RFC 8446 §5.2).
pub fn seal_record(secret: &[u8], seq: u64, content_type: u8, plaintext: &[u8]) -> Vec<u8> {
    let (key, nonce) = record_key(secret, seq);
    let mut inner = plaintext.to_vec();
    inner.push(content_type);
    let len = (inner.len() + 16) as u16;
    let header = [23, 3, 3, len.to_be_bytes()[0], len.to_be_bytes()[1]];
    key.seal_in_place_append_tag(nonce, ring::aead::Aad::from(header), &mut inner)
        .unwrap();
    [&header[..], &inner].concat()
}

/// The content type and plaintext of one record protected as
/// [`seal_record`] does.
pub fn open_record(secret: &[u8], seq: u64, record: &[u8]) -> (u8, Vec<u8>) {
    let (key, nonce) = record_key(secret, seq);
    let (header, body) = record.split_at(5);
    let mut body = body.to_vec();
    let plain = key
        .open_in_place(nonce, ring::aead::Aad::from(header), &mut body)
        .unwrap();
    let end = plain.iter().rposition(|&b| b != 0).unwrap();
    (plain[end], plain[..end].to_vec())
}

/// A rustls client (AES-128-GCM only, logging its secrets) that has read
/// the server's whole flight; what it would send next is returned, not
/// delivered.
pub fn at_client_finished() -> (Pair, Arc<SecretLog>, Vec<u8>) {
    let (config, log) = logging_client_config(&[kx_group::X25519]);
    let mut pair = Pair::new(config, Arc::new(ecdsa_server_config(false)));
    pair.client_to_server().unwrap();
    pair.server_to_client().unwrap();
    let mut next = Vec::new();
    while pair.client.wants_write() {
        pair.client.write_tls(&mut next).unwrap();
    }
    assert!(!pair.server.is_handshake_complete());
    (pair, log, next)
}

/// Feeds `input`, expects `error` and a protected alert `description` that
/// the rustls client reads as such.
#[track_caller]
pub fn rejects_protected(
    pair: &mut Pair,
    input: &[u8],
    error: Error,
    description: AlertDescription,
    rustls_alert: rustls::AlertDescription,
) {
    let result = pair.server.feed(input);
    assert_eq!(result, Err(error.clone()));
    pair.drain_server();
    assert_eq!(pair.to_client[0], 0x17, "the alert is protected");
    assert_eq!(
        pair.server_to_client(),
        Err(rustls::Error::AlertReceived(rustls_alert))
    );
    assert_eq!(
        pair.closed(),
        CloseReason::Error {
            error,
            alert: Some(description),
        }
    );
}
