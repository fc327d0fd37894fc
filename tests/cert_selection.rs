//! Several certificates in one config: an ECDSA and an RSA certificate for
//! the same name, chosen by the signature schemes the client accepts, and
//! certificates for different names, chosen by SNI (exact names before
//! wildcards). Each case is a real handshake with the rustls client, or the
//! OcspRequest event, which names the certificate chosen and its issuer.

mod common;

use std::sync::Arc;

use common::rustls_pair::{client_config, pki, pki_der, roots_from, Pair, RecordingVerifier};
use stapler::{Event, ServerConfig, SignatureScheme};

const ECDSA: (&str, &str) = ("leaf-ecdsa.crt", "leaf-ecdsa.key");
const RSA: (&str, &str) = ("leaf-rsa-chain.pem", "leaf-rsa.key");
const RSA_PKCS1: (&str, &str) = ("leaf-rsa-pkcs1.crt", "leaf-rsa-pkcs1.key");
const ED25519: (&str, &str) = ("leaf-ed25519.crt", "leaf-ed25519.key");

/// A config holding `chains` in this order, issuers looked up among the
/// test root and intermediate.
fn config(chains: &[(&str, &str)]) -> Arc<ServerConfig> {
    let mut builder = ServerConfig::builder();
    for (chain, key) in chains {
        builder = builder.certificate_chain(&pki(chain), &pki(key)).unwrap();
    }
    let mut cas = pki("root-ca.crt");
    cas.extend_from_slice(&pki("intermediate-ca.crt"));
    Arc::new(
        builder
            .ca_certificates(&cas)
            .unwrap()
            .ocsp_events(true)
            .build()
            .unwrap(),
    )
}

/// A full handshake to `localhost` by a client that accepts only
/// `schemes`; returns the leaf it received and the scheme the server
/// reports having signed with.
fn handshake(
    config: Arc<ServerConfig>,
    schemes: Vec<rustls::SignatureScheme>,
) -> (Vec<u8>, SignatureScheme) {
    let verifier = RecordingVerifier::custom(roots_from(&["root-ca.crt"]), Some(schemes));
    let mut pair = Pair::new(client_config(verifier), config);
    pair.client_to_server().unwrap();
    let request = pair.ocsp_requests.pop().expect("the client asks for OCSP");
    pair.complete(request.no_response()).unwrap();
    let leaf = pair.client.peer_certificates().expect("a certificate")[0].to_vec();
    let scheme = pair
        .summary()
        .expect("HandshakeComplete")
        .signature_scheme
        .expect("a full handshake signs");
    (leaf, scheme)
}

const ECDSA_SCHEMES: [rustls::SignatureScheme; 2] = [
    rustls::SignatureScheme::ECDSA_NISTP384_SHA384,
    rustls::SignatureScheme::ECDSA_NISTP256_SHA256,
];
const PSS_SCHEMES: [rustls::SignatureScheme; 2] = [
    rustls::SignatureScheme::RSA_PSS_SHA384,
    rustls::SignatureScheme::RSA_PSS_SHA256,
];

#[test]
fn an_rsa_only_client_gets_the_rsa_certificate() {
    let (leaf, scheme) = handshake(config(&[ECDSA, RSA]), PSS_SCHEMES.to_vec());
    assert_eq!(leaf, pki_der("leaf-rsa.crt"));
    // The server's own preference among those the client offered.
    assert_eq!(scheme, SignatureScheme::RsaPssRsaeSha256);
}

#[test]
fn an_ecdsa_only_client_gets_the_ecdsa_certificate() {
    let (leaf, scheme) = handshake(config(&[RSA, ECDSA]), ECDSA_SCHEMES.to_vec());
    assert_eq!(leaf, pki_der("leaf-ecdsa.crt"));
    assert_eq!(scheme, SignatureScheme::EcdsaSecp256r1Sha256);
}

#[test]
fn a_client_taking_both_gets_the_first_configured() {
    let both: Vec<_> = ECDSA_SCHEMES.iter().chain(&PSS_SCHEMES).copied().collect();
    let (leaf, _) = handshake(config(&[ECDSA, RSA]), both.clone());
    assert_eq!(leaf, pki_der("leaf-ecdsa.crt"));
    let (leaf, _) = handshake(config(&[RSA, ECDSA]), both);
    assert_eq!(leaf, pki_der("leaf-rsa.crt"));
}

#[test]
fn a_client_taking_neither_is_handshake_failure() {
    let verifier = RecordingVerifier::custom(
        roots_from(&["root-ca.crt"]),
        Some(vec![rustls::SignatureScheme::ED448]),
    );
    let mut pair = Pair::new(client_config(verifier), config(&[ECDSA, RSA]));
    let error = pair.client_to_server().unwrap_err();
    assert_eq!(
        stapler::codec::AlertDescription::from(&error),
        stapler::codec::AlertDescription::HandshakeFailure
    );
}

/// The OcspRequest raised for a client connecting to `name`: it names the
/// certificate the server chose, and that certificate's issuer.
fn request_for(config: Arc<ServerConfig>, name: &str) -> stapler::OcspRequest {
    let verifier = RecordingVerifier::custom(roots_from(&["root-ca.crt"]), None);
    let mut pair = Pair::with_name(client_config(verifier), config, name);
    pair.client_to_server().unwrap();
    assert!(
        !pair.events.iter().any(|e| matches!(e, Event::Closed(_))),
        "{:?}",
        pair.events
    );
    pair.ocsp_requests.pop().expect("an OcspRequest")
}

/// Three certificates: leaf-ecdsa names localhost and *.example.test,
/// leaf-rsa-pkcs1 names rsa-pkcs1.example.test (issued by the intermediate),
/// leaf-ed25519 names ed25519.example.test and localhost.
fn three_names() -> Arc<ServerConfig> {
    config(&[ECDSA, RSA_PKCS1, ED25519])
}

#[test]
fn sni_picks_the_certificate_naming_the_host_exactly_over_a_wildcard() {
    let request = request_for(three_names(), "rsa-pkcs1.example.test");
    assert_eq!(request.certificate()[..], pki_der("leaf-rsa-pkcs1.crt")[..]);
    assert_eq!(
        request.issuer().map(|i| &i[..]),
        Some(&pki_der("intermediate-ca.crt")[..])
    );
    assert_eq!(request.server_name(), Some("rsa-pkcs1.example.test"));

    let request = request_for(three_names(), "ed25519.example.test");
    assert_eq!(request.certificate()[..], pki_der("leaf-ed25519.crt")[..]);
    assert_eq!(
        request.issuer().map(|i| &i[..]),
        Some(&pki_der("root-ca.crt")[..])
    );
}

#[test]
fn sni_falls_back_to_a_wildcard_then_to_the_first_certificate() {
    let request = request_for(three_names(), "www.example.test");
    assert_eq!(request.certificate()[..], pki_der("leaf-ecdsa.crt")[..]);

    let request = request_for(config(&[RSA_PKCS1, ED25519]), "unknown.invalid");
    assert_eq!(request.certificate()[..], pki_der("leaf-rsa-pkcs1.crt")[..]);
}

#[test]
fn when_two_certificates_name_the_host_the_first_added_wins() {
    // leaf-ecdsa and leaf-ed25519 both name localhost exactly.
    let request = request_for(config(&[ED25519, ECDSA]), "localhost");
    assert_eq!(request.certificate()[..], pki_der("leaf-ed25519.crt")[..]);
    let request = request_for(config(&[ECDSA, ED25519]), "LocalHost");
    assert_eq!(request.certificate()[..], pki_der("leaf-ecdsa.crt")[..]);
}

#[test]
fn a_name_match_the_client_cannot_verify_gives_way_to_one_it_can() {
    // ed25519.example.test is named exactly by the Ed25519 leaf, but a
    // client without Ed25519 gets the ECDSA leaf whose wildcard covers it.
    let verifier =
        RecordingVerifier::custom(roots_from(&["root-ca.crt"]), Some(ECDSA_SCHEMES.to_vec()));
    let mut pair = Pair::with_name(
        client_config(verifier),
        config(&[ED25519, ECDSA]),
        "ed25519.example.test",
    );
    pair.client_to_server().unwrap();
    let request = pair.ocsp_requests.pop().expect("an OcspRequest");
    assert_eq!(request.certificate()[..], pki_der("leaf-ecdsa.crt")[..]);
    pair.complete(request.no_response()).unwrap();
    assert_eq!(
        pair.client.peer_certificates().unwrap()[0].as_ref(),
        &pki_der("leaf-ecdsa.crt")[..]
    );
}
