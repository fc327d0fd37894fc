//! Bad ClientHellos for TLS 1.2: renegotiation_info, point formats,
//! signature algorithms, suites and groups the server cannot use, and the
//! certificate chosen by what the client can verify.

use std::sync::Arc;

use rustls::crypto::ring::{cipher_suite, kx_group};
use stapler::{Error, NamedGroup, PeerMisbehaved, ServerConfig, ServerConnection, SignatureScheme};

use super::common::hello_encoder::ExtensionModel;
use super::common::rustls_pair::{
    ecdsa_server_config, pinned_provider, pki, tls12_client_config_with, Pair, RecordingVerifier,
};
use super::common::tls12_client::{tls12_extensions, tls12_hello, HandClient};
use super::common::wire::rejects_with;
use super::hand_handshake;

#[track_caller]
fn hello_rejected(suites: &[u16], exts: Vec<ExtensionModel>, error: Error, description: u8) {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(suites, exts));
    rejects_with(&mut server, &client.client_hello(), error, description);
}

#[test]
fn non_empty_renegotiation_info_is_handshake_failure() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::RenegotiationInfo(_)));
    exts.push(ExtensionModel::RenegotiationInfo(vec![7; 12]));
    hello_rejected(
        &[0xc02b],
        exts,
        PeerMisbehaved::BadRenegotiationInfo.into(),
        40,
    );
}

#[test]
fn point_formats_without_uncompressed_is_illegal_parameter() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::EcPointFormats(_)));
    exts.push(ExtensionModel::EcPointFormats(vec![1, 2]));
    hello_rejected(
        &[0xc02b],
        exts,
        PeerMisbehaved::NoUncompressedPoints.into(),
        47,
    );
}

#[test]
fn no_signature_algorithms_is_handshake_failure() {
    // RFC 5246's default is SHA-1, which this server does not sign with.
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::SignatureAlgorithms(_)));
    hello_rejected(
        &[0xc02b],
        exts,
        PeerMisbehaved::NoCommonSignatureScheme.into(),
        40,
    );
}

#[test]
fn only_rsa_suites_for_an_ecdsa_certificate_is_handshake_failure() {
    hello_rejected(
        &[0xc02f, 0xc030, 0xcca8],
        tls12_extensions(true, false),
        PeerMisbehaved::NoCommonCipherSuite.into(),
        40,
    );
    // Suites this server does not implement at all (CBC, RSA key transport).
    hello_rejected(
        &[0xc009, 0x002f, 0x009c],
        tls12_extensions(true, false),
        PeerMisbehaved::NoCommonCipherSuite.into(),
        40,
    );
}

#[test]
fn no_common_group_is_handshake_failure() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::SupportedGroups(_)));
    exts.push(ExtensionModel::SupportedGroups(vec![0x0019, 0x001e]));
    hello_rejected(&[0xc02b], exts, PeerMisbehaved::NoCommonGroup.into(), 40);
}

#[test]
fn without_supported_groups_secp256r1_is_used() {
    // RFC 8422 §4: the client then accepts any curve.
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::SupportedGroups(_)));
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], exts));
    let summary = hand_handshake(&mut server, &mut client);
    assert_eq!(summary.group, Some(NamedGroup::Secp256r1));
}

#[test]
fn an_rsa_only_client_gets_the_rsa_certificate_beside_an_ecdsa_one() {
    let config = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .certificate_chain(&pki("leaf-rsa-chain.pem"), &pki("leaf-rsa.key"))
        .unwrap()
        .build()
        .unwrap();
    let config = Arc::new(config);
    for (rustls_suite, scheme) in [
        (
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            SignatureScheme::RsaPssRsaeSha256,
        ),
        (
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            SignatureScheme::EcdsaSecp256r1Sha256,
        ),
    ] {
        // x25519 for the key exchange; P-256 listed too, as the curve the
        // client verifies the ECDSA leaf on (RFC 8422 §5.1).
        let provider = pinned_provider(&[rustls_suite], &[kx_group::X25519, kx_group::SECP256R1]);
        let mut pair = Pair::new(
            tls12_client_config_with(RecordingVerifier::new(), provider),
            Arc::clone(&config),
        );
        pair.run().unwrap();
        assert_eq!(pair.summary().unwrap().signature_scheme, Some(scheme));
    }
}
