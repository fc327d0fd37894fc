//! Keys the application holds (`CertifiedKey::remote`): what a signing
//! request asks for, and a wrong signature refused before it reaches the
//! wire.

mod common;

use std::sync::Arc;

use common::decision_pair::{paused_at, take_request, Answers, Request, START};
use common::rustls_pair::{default_client_config, pki, Pair};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use stapler::codec::AlertDescription;
use stapler::{
    CloseReason, CompleteError, Decision, Error, ProtocolVersion, ServerConfig, SignatureScheme,
};

fn remote_config() -> Arc<ServerConfig> {
    Arc::new(
        ServerConfig::builder()
            .remote_certificate_chain(&pki("leaf-ecdsa.crt"))
            .unwrap()
            .build()
            .unwrap(),
    )
}

fn paused_for_signature(version: ProtocolVersion) -> (Pair, stapler::SignRequest) {
    let pair = Pair::new(default_client_config(version), remote_config());
    let mut pair = paused_at(pair, Decision::Signing, &Answers::default());
    let Some(Request::Sign(request)) = take_request(&mut pair) else {
        panic!("no signing request");
    };
    (pair, request)
}

#[test]
fn the_request_carries_the_exact_bytes_to_sign() {
    let (pair, req) = paused_for_signature(ProtocolVersion::Tls13);
    assert_eq!(req.scheme(), SignatureScheme::EcdsaSecp256r1Sha256);
    assert_eq!(req.version(), ProtocolVersion::Tls13);
    assert_eq!(
        req.certificate().to_vec(),
        common::rustls_pair::pki_der("leaf-ecdsa.crt")
    );
    // RFC 8446 §4.4.3: 64 spaces, the context string, a zero byte, then
    // the transcript hash (SHA-256 for the default suite).
    let message = req.message();
    assert_eq!(&message[..64], &[0x20; 64][..]);
    assert_eq!(&message[64..98], b"TLS 1.3, server CertificateVerify\0");
    assert_eq!(message.len(), 98 + 32);
    // What comes before CertificateVerify is already on its way.
    assert!(!pair.to_client.is_empty());

    let (pair, req) = paused_for_signature(ProtocolVersion::Tls12);
    assert_eq!(req.version(), ProtocolVersion::Tls12);
    // RFC 8422 §5.4: client_random, server_random, then the ECDH params:
    // named_curve (3), the group, and the point (x25519: 32 bytes).
    let message = req.message();
    assert_eq!(message.len(), 32 + 32 + 4 + 32);
    assert_eq!(&message[64..67], &[3, 0x00, 0x1d]);
    // The server random is ServerHello's, already sent: in the clear at
    // offset 5 (record) + 4 (header) + 2 (version).
    assert_eq!(&message[32..64], &pair.to_client[11..43]);
    drop(req);
}

/// A signature by another key, bytes that are no signature, and nothing:
/// each is refused with BadSignature, the client is told internal_error,
/// and no CertificateVerify or ServerKeyExchange carrying it is sent.
#[test]
fn a_wrong_signature_is_refused_before_it_is_sent() {
    let rng = SystemRandom::new();
    let other_key = EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_ASN1_SIGNING,
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .unwrap()
            .as_ref(),
        &rng,
    )
    .unwrap();
    assert_eq!(other_key.public_key().as_ref().len(), 65);
    for version in [ProtocolVersion::Tls13, ProtocolVersion::Tls12] {
        let forged = |message: &[u8]| other_key.sign(&rng, message).unwrap().as_ref().to_vec();
        for (what, make) in [
            ("another key's", &forged as &dyn Fn(&[u8]) -> Vec<u8>),
            ("garbage", &|_: &[u8]| vec![0x30, 0x06, 2, 1, 1, 2, 1, 1]),
            ("empty", &|_: &[u8]| Vec::new()),
        ] {
            let label = format!("{version:?} {what}");
            let (mut pair, req) = paused_for_signature(version);
            let sent_before = pair.to_client.len();
            let signature = make(req.message());
            let result = pair.server.complete(req.signature(signature), START);
            assert!(
                matches!(result, Err(CompleteError::Failed(Error::BadSignature))),
                "{label}: {result:?}"
            );
            pair.drain_server();
            assert_eq!(
                pair.closed(),
                CloseReason::Error {
                    error: Error::BadSignature,
                    alert: Some(AlertDescription::InternalError),
                },
                "{label}"
            );
            // All that followed the first part of the flight is one alert
            // record (sealed in TLS 1.3, whose keys changed; clear in 1.2).
            let after = &pair.to_client[sent_before..];
            assert_eq!(
                after[0],
                if version == ProtocolVersion::Tls13 {
                    23
                } else {
                    21
                }
            );
            let record_len = 5 + usize::from(u16::from_be_bytes([after[3], after[4]]));
            assert_eq!(after.len(), record_len, "{label}");
            let err = pair.server_to_client().unwrap_err();
            assert!(
                err.to_string().contains("InternalError"),
                "{label}: the client is told internal_error, not a bad signature: {err}"
            );
        }
    }
}
