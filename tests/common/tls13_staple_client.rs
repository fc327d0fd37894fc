//! A TLS 1.3 client second flight built by hand: Certificate (with an OCSP
//! staple in the leaf's status_request, RFC 8446 §4.4.2.1, if given),
//! CertificateVerify and Finished, under the secrets rustls's client
//! logged. No client on the market staples its own certificate (rustls,
//! OpenSSL, Go and GnuTLS all ignore status_request in a
//! CertificateRequest), so this stands in for one.
//!
//! rustls makes the ClientHello and reads the server's flight (AES-128-GCM
//! and x25519, pinned); this module keeps the transcript, signs the
//! CertificateVerify with the client's ECDSA P-256 key and computes the
//! Finished (RFC 8446 §4.4.3, §4.4.4).

use std::sync::Arc;

use ring::digest::{digest, SHA256};
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use stapler::ServerConfig;

use super::hello_encoder::{handshake_message, u16_prefixed, u24_prefixed, u8_prefixed};
use super::mtls_clients::{chain_and_key, client_pki};
use super::recording_verifier::RecordingVerifier;
use super::rustls_pair::{pinned_provider, Pair, SecretLog};
use super::tls13_wire::{hkdf_expand_label, open_record, seal_record};

/// A client that has read the server's flight and has yet to send its
/// own second flight.
pub struct StapleClient {
    pub pair: Pair,
    /// Every handshake message so far, ClientHello to the server's
    /// Finished.
    transcript: Vec<u8>,
    /// CLIENT_HANDSHAKE_TRAFFIC_SECRET.
    client_secret: Vec<u8>,
    /// The CertificateRequest, as the server sent it.
    pub certificate_request: Vec<u8>,
}

/// rustls's TLS 1.3 client presenting client-ecdsa, pinned to
/// TLS_AES_128_GCM_SHA256 and x25519 (the suite the wire helpers of
/// `tls13_wire.rs` seal with), logging its secrets into the log returned.
pub fn logging_client() -> (Arc<rustls::ClientConfig>, Arc<SecretLog>) {
    let provider = pinned_provider(
        &[rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256],
        &[rustls::crypto::ring::kx_group::X25519],
    );
    let (chain, key) = chain_and_key("client-ecdsa.crt", "client-ecdsa.key");
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(RecordingVerifier::new())
        .with_client_auth_cert(chain, key)
        .unwrap();
    let log = Arc::new(SecretLog::default());
    config.key_log = log.clone();
    (Arc::new(config), log)
}

/// A client's Certificate body (RFC 8446 §4.4.2): `context`, then one
/// entry of `cert` with `extensions` (its block's contents).
pub fn certificate_body(context: &[u8], cert: &[u8], extensions: &[u8]) -> Vec<u8> {
    let entry = [u24_prefixed(cert), u16_prefixed(extensions)].concat();
    [u8_prefixed(context), u24_prefixed(&entry)].concat()
}

/// The handshake messages of `flight` (records as the server wrote them):
/// the plaintext ServerHello, then what the protected records hold, opened
/// with `server_secret`.
fn server_messages(flight: &[u8], server_secret: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = flight;
    let mut seq = 0;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let (record, after) = rest.split_at(5 + len);
        match record[0] {
            22 => out.extend_from_slice(&record[5..]),
            20 => {} // the compatibility change_cipher_spec
            23 => {
                let (typ, plain) = open_record(server_secret, seq, record);
                seq += 1;
                assert_eq!(typ, 22, "the server flight holds handshake messages");
                out.extend_from_slice(&plain);
            }
            other => panic!("record type {other} in the server flight"),
        }
        rest = after;
    }
    out
}

/// Splits concatenated handshake messages.
pub fn split_messages(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while bytes.len() >= 4 {
        let len = u32::from_be_bytes([0, bytes[1], bytes[2], bytes[3]]) as usize;
        let (message, rest) = bytes.split_at(4 + len);
        out.push(message.to_vec());
        bytes = rest;
    }
    out
}

impl StapleClient {
    /// Runs rustls's client (presenting client-ecdsa, so that it accepts a
    /// CertificateRequest) against `server`, started at `now`, until it has
    /// read the server's flight.
    pub fn start(server: Arc<ServerConfig>, now: u64) -> Self {
        let (config, log) = logging_client();
        let mut pair = Pair::at(config, server, "localhost", now);
        let mut hello = Vec::new();
        while pair.client.wants_write() {
            pair.client.write_tls(&mut hello).unwrap();
        }
        assert_eq!(hello[0], 22, "a plaintext ClientHello record");
        let mut transcript = hello[5..].to_vec();
        pair.pending_to_server = hello;
        pair.feed_pending().unwrap();
        let flight = pair.to_client.clone();
        pair.server_to_client().unwrap();
        let server_secret = log.get("SERVER_HANDSHAKE_TRAFFIC_SECRET").unwrap();
        let client_secret = log.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET").unwrap();
        let messages = server_messages(&flight, &server_secret);
        let certificate_request = split_messages(&messages)
            .into_iter()
            .find(|m| m[0] == 13)
            .expect("a CertificateRequest");
        transcript.extend_from_slice(&messages);
        Self {
            pair,
            transcript,
            client_secret,
            certificate_request,
        }
    }

    /// The client's second flight: Certificate (client-ecdsa, its leaf
    /// entry carrying `leaf_extensions`), CertificateVerify and Finished,
    /// one record each.
    pub fn second_flight(&self, leaf_extensions: &[u8]) -> Vec<u8> {
        let leaf = stapler::pki::pem::certificates_from_pem_or_der(&client_pki("client-ecdsa.crt"))
            .unwrap()[0]
            .to_vec();
        let certificate = handshake_message(11, &certificate_body(&[], &leaf, leaf_extensions));
        let mut transcript = [&self.transcript[..], &certificate].concat();

        // CertificateVerify (RFC 8446 §4.4.3): 64 spaces, the context
        // string, a zero byte, the transcript hash; ECDSA P-256 SHA-256.
        let hash = digest(&SHA256, &transcript);
        let signed = [
            &[0x20u8; 64][..],
            b"TLS 1.3, client CertificateVerify",
            &[0],
            hash.as_ref(),
        ]
        .concat();
        let key_pem = client_pki("client-ecdsa.key");
        let key = stapler::pki::pem::private_key_from_pem_or_der(&key_pem).unwrap();
        let rng = ring::rand::SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, key.der(), &rng)
            .expect("client-ecdsa.key is PKCS#8 P-256");
        let signature = key.sign(&rng, &signed).unwrap();
        let signature = signature.as_ref();
        let cv_body = [
            &0x0403u16.to_be_bytes()[..],
            &(signature.len() as u16).to_be_bytes(),
            signature,
        ]
        .concat();
        let certificate_verify = handshake_message(15, &cv_body);
        transcript.extend_from_slice(&certificate_verify);

        // Finished (§4.4.4): HMAC over the transcript hash with the key
        // the client handshake secret makes.
        let finished_key = hkdf_expand_label(&self.client_secret, b"finished", 32);
        let hash = digest(&SHA256, &transcript);
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &finished_key);
        let verify_data = ring::hmac::sign(&key, hash.as_ref());
        let finished = handshake_message(20, verify_data.as_ref());

        [certificate, certificate_verify, finished]
            .iter()
            .enumerate()
            .flat_map(|(seq, m)| seal_record(&self.client_secret, seq as u64, 22, m))
            .collect()
    }

    /// Sends `flight` and collects what the server says.
    pub fn send(&mut self, flight: Vec<u8>) -> Result<(), stapler::Error> {
        self.pair.pending_to_server = flight;
        self.pair.feed_pending()
    }
}

/// A leaf CertificateEntry's status_request extension carrying `response`
/// (RFC 8446 §4.4.2.1: a CertificateStatus of type ocsp).
pub fn status_request_extension(response: &[u8]) -> Vec<u8> {
    let status = [&[1u8][..], &u24_prefixed(response)].concat();
    [&5u16.to_be_bytes()[..], &u16_prefixed(&status)].concat()
}
