//! Certificate selection (`certificate_events`): what the request shows,
//! what each answer does, and the handshakes it must refuse.

mod common;

use std::sync::Arc;

use common::decision_pair::{drive, paused_at, take_request, Answers, Plan, Request, START};
use common::rustls_pair::{
    client_config_offering, default_client_config, pinned_provider, pki, Pair, RecordingVerifier,
};
use stapler::codec::AlertDescription;
use stapler::{
    CertifiedKey, CloseReason, ConfigError, Decision, Error, NamedGroup, PeerMisbehaved,
    ProtocolVersion, ServerConfig,
};

fn cert(chain: &str, key: &str) -> Arc<CertifiedKey> {
    Arc::new(CertifiedKey::from_pem(&pki(chain), &pki(key), &pki("root-ca.crt")).unwrap())
}

fn selecting() -> ServerConfig {
    ServerConfig::builder()
        .certificate_events(true)
        .build()
        .unwrap()
}

/// Selecting, with secp384r1 alone: a client that sends an x25519 share
/// is asked to retry.
fn selecting_p384_only() -> ServerConfig {
    ServerConfig::builder()
        .certificate_events(true)
        .key_exchange_groups(&[NamedGroup::Secp384r1])
        .unwrap()
        .build()
        .unwrap()
}

fn client_with_alpn(version: ProtocolVersion, alpn: &[&[u8]]) -> rustls::ClientConfig {
    let mut config = default_client_config(version);
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    config
}

#[test]
fn a_config_needs_a_certificate_unless_the_application_selects_them() {
    assert!(matches!(
        ServerConfig::builder().build(),
        Err(ConfigError::NoCertificate)
    ));
    let config = selecting();
    assert!(config.certificate_events() && config.certificates().is_empty());
}

#[test]
fn the_request_shows_what_the_client_offered() {
    for version in [ProtocolVersion::Tls13, ProtocolVersion::Tls12] {
        let client = client_with_alpn(version, &[b"h2", b"http/1.1"]);
        let mut pair = Pair::with_name(client, Arc::new(selecting()), "WWW.Example.Test");
        pair.client_to_server().unwrap();
        let Some(Request::Select(req)) = take_request(&mut pair) else {
            panic!("no selection request");
        };
        assert_eq!(
            pair.server.paused_for(),
            Some(Decision::CertificateSelection)
        );
        assert!(pair.to_client.is_empty(), "nothing is written while paused");
        assert_eq!(req.server_name(), Some("www.example.test"));
        assert_eq!(req.version(), version);
        let alpn: Vec<&[u8]> = req.alpn_protocols().collect();
        assert_eq!(alpn, [&b"h2"[..], b"http/1.1"]);
        assert!(req
            .signature_schemes()
            .any(|s| s == stapler::SignatureScheme::EcdsaSecp256r1Sha256));
        assert!(req.named_groups().any(|g| g == NamedGroup::X25519));
        assert!(req.cipher_suites().count() > 0);
        let versions: Vec<u16> = req.client_versions().collect();
        let wire = match version {
            ProtocolVersion::Tls13 => 0x0304,
            _ => 0x0303,
        };
        assert!(versions.contains(&wire), "{versions:x?}");
        assert!(req.client_hello().is_some());
    }
}

/// A whole configuration for one name: its certificate (RSA here) and its
/// ALPN protocols serve the connection, not the connection's own.
#[test]
fn a_selected_config_serves_the_connection() {
    for version in [ProtocolVersion::Tls13, ProtocolVersion::Tls12] {
        let own = ServerConfig::builder()
            .certificate_events(true)
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .alpn_protocols(["http/1.1"])
            .unwrap()
            .build()
            .unwrap();
        let other = ServerConfig::builder()
            .certificate_chain(&pki("leaf-rsa-chain.pem"), &pki("leaf-rsa.key"))
            .unwrap()
            .alpn_protocols(["h2"])
            .unwrap()
            .build()
            .unwrap();
        let answers = Answers {
            config: Some(Arc::new(other)),
            ..Answers::default()
        };
        let own = Arc::new(own);
        let client = || client_with_alpn(version, &[b"h2", b"http/1.1"]);
        let pair = || Pair::new(client(), Arc::clone(&own));
        let mut driven = drive(pair(), Plan::now(), &answers, &pair);
        assert_eq!(driven.error, None, "{version:?}");
        let summary = driven.pair.summary().unwrap();
        assert_eq!(
            summary.alpn_protocol.as_deref(),
            Some(&b"h2"[..]),
            "{version:?}"
        );
        let leaf = driven.pair.client.peer_certificates().unwrap()[0].to_vec();
        assert_eq!(
            leaf,
            cert("leaf-rsa.crt", "leaf-rsa.key").leaf_der().to_vec()
        );
        driven.pair.exchange_data();
    }
}

/// use_default chooses among the connection's own certificates by SNI,
/// as without the switch.
#[test]
fn use_default_chooses_as_without_events() {
    let own = Arc::new(
        ServerConfig::builder()
            .certificate_events(true)
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .certificate_chain(&pki("leaf-ed25519.crt"), &pki("leaf-ed25519.key"))
            .unwrap()
            .build()
            .unwrap(),
    );
    let client = || default_client_config(ProtocolVersion::Tls13);
    let pair = || Pair::with_name(client(), Arc::clone(&own), "ed25519.example.test");
    let driven = drive(pair(), Plan::now(), &Answers::default(), &pair);
    assert_eq!(driven.error, None);
    let leaf = driven.pair.client.peer_certificates().unwrap()[0].to_vec();
    assert_eq!(
        leaf,
        cert("leaf-ed25519.crt", "leaf-ed25519.key")
            .leaf_der()
            .to_vec()
    );
    assert_eq!(
        driven.pair.summary().unwrap().signature_scheme,
        Some(stapler::SignatureScheme::Ed25519)
    );
}

/// After a HelloRetryRequest the request comes for the second hello, the
/// only one that is final, and the handshake completes with the retry.
#[test]
fn selection_follows_a_hello_retry() {
    let own = Arc::new(selecting_p384_only());
    let answers = Answers {
        certificate: Some(cert("leaf-ecdsa.crt", "leaf-ecdsa.key")),
        ..Answers::default()
    };
    let client = || default_client_config(ProtocolVersion::Tls13);
    let pair = || Pair::new(client(), Arc::clone(&own));
    let mut driven = drive(pair(), Plan::now(), &answers, &pair);
    assert_eq!(driven.error, None);
    assert_eq!(driven.paused_for, [Decision::CertificateSelection]);
    let summary = driven.pair.summary().unwrap();
    assert!(summary.hello_retry);
    assert_eq!(summary.group, Some(NamedGroup::Secp384r1));
    driven.pair.exchange_data();
}

/// After a retry, a selected configuration must keep the retry's group:
/// one that cannot is refused with handshake_failure, and the error says
/// it was the selection, not the client.
#[test]
fn a_config_that_breaks_the_retry_is_refused() {
    let own = Arc::new(selecting_p384_only());
    let other = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .key_exchange_groups(&[NamedGroup::Secp256r1])
        .unwrap()
        .build()
        .unwrap();
    assert_unusable(&own, other, ProtocolVersion::Tls13);
}

/// A certificate whose key signs with no scheme the client accepts is
/// handshake_failure, as when the config's own certificates do not fit.
#[test]
fn a_selected_certificate_the_client_cannot_verify_is_handshake_failure() {
    for version in [ProtocolVersion::Tls13, ProtocolVersion::Tls12] {
        let verifier = Arc::new(
            RecordingVerifier::trusting(common::rustls_pair::roots())
                .offering_only(&[rustls::SignatureScheme::ECDSA_NISTP256_SHA256]),
        );
        let rustls_version = match version {
            ProtocolVersion::Tls13 => &rustls::version::TLS13,
            _ => &rustls::version::TLS12,
        };
        let client = client_config_offering(
            &[rustls_version],
            verifier,
            pinned_provider(
                &rustls::crypto::ring::default_provider().cipher_suites,
                &rustls::crypto::ring::default_provider().kx_groups,
            ),
        );
        let answers = Answers {
            certificate: Some(cert("leaf-rsa.crt", "leaf-rsa.key")),
            ..Answers::default()
        };
        let mut pair = paused_at(
            Pair::new(client, Arc::new(selecting())),
            Decision::CertificateSelection,
            &answers,
        );
        let Some(request) = take_request(&mut pair) else {
            panic!("no request");
        };
        let completion = request.answer(&answers, false);
        let result = pair.server.complete(completion, START);
        assert!(result.is_err(), "{version:?}");
        pair.drain_server();
        assert_eq!(
            pair.closed(),
            CloseReason::Error {
                error: Error::PeerMisbehaved(PeerMisbehaved::NoCommonSignatureScheme),
                alert: Some(AlertDescription::HandshakeFailure),
            },
            "{version:?}"
        );
    }
}

/// A configuration that does not speak the version already chosen cannot
/// serve the connection.
#[test]
fn a_selected_config_must_speak_the_chosen_version() {
    let tls13_only = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .protocol_versions(&[ProtocolVersion::Tls13])
        .unwrap()
        .build()
        .unwrap();
    assert_unusable(&Arc::new(selecting()), tls13_only, ProtocolVersion::Tls12);
}

/// A `version` handshake on `own`, whose selection answers with `other`,
/// is refused with handshake_failure, and the error says the selection
/// could not serve it.
fn assert_unusable(own: &Arc<ServerConfig>, other: ServerConfig, version: ProtocolVersion) {
    let answers = Answers {
        config: Some(Arc::new(other)),
        ..Answers::default()
    };
    let pair = || Pair::new(default_client_config(version), Arc::clone(own));
    let driven = drive(pair(), Plan::now(), &answers, &pair);
    assert!(matches!(
        driven.pair.closed(),
        CloseReason::Error {
            error: Error::SelectionUnusable(_),
            alert: Some(AlertDescription::HandshakeFailure)
        }
    ));
}

/// Every request and its completion can cross threads: the application
/// may answer from anywhere (compile-time check).
#[test]
fn requests_and_completions_are_send() {
    fn send<T: Send + 'static>() {}
    send::<stapler::CertificateSelection>();
    send::<stapler::OcspRequest>();
    send::<stapler::SignRequest>();
    send::<stapler::Completion>();
    send::<stapler::Event>();
    send::<stapler::CompleteError>();
    send::<stapler::ServerConnection>();
}
