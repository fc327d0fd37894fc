//! Deferred client verification (issue 12): with
//! `client_certificate_events`, a client's certificate raises
//! `Event::VerifyClient` once its CertificateVerify is checked, and the
//! handshake waits for the application's verdict. In memory against
//! rustls's client, in TLS 1.3 and TLS 1.2: answered at once, late from
//! another thread, dropped, rejected with an alert, and aborted.

mod common;

use std::sync::Arc;

use common::mtls_clients::{client_pki, client_with, client_without, presenting, VERSIONS};
use common::rustls_pair::{pki, Pair};
use stapler::codec::AlertDescription;
use stapler::pki::{ClientChainError, VerifiedBy};
use stapler::server::{BuiltinVerdict, ClientRejection, VerifyClientRequest};
use stapler::{ClientAuth, CloseReason, ConfigError, Decision, Error, Event, ServerConfig};

const NOW: u64 = 1_800_000_000;

fn builder() -> stapler::ServerConfigBuilder {
    ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .alpn_protocols(["h2"])
        .unwrap()
}

/// Client authentication under the test client CA, the verdict deferred.
fn deferred(mode: ClientAuth) -> Arc<ServerConfig> {
    Arc::new(
        builder()
            .client_auth(mode, &client_pki("client-ca.crt"))
            .unwrap()
            .client_certificate_events(true)
            .build()
            .unwrap(),
    )
}

/// Client authentication with no roots: the application verifies.
fn by_application() -> Arc<ServerConfig> {
    Arc::new(
        builder()
            .client_auth_by_application(ClientAuth::Required)
            .client_certificate_events(true)
            .build()
            .unwrap(),
    )
}

fn with_h2(client: Arc<rustls::ClientConfig>) -> Arc<rustls::ClientConfig> {
    let mut client = (*client).clone();
    client.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(client)
}

/// Runs `client` against `server` until the server pauses for its verdict
/// on the client, and returns the pair and the request.
fn paused(
    client: Arc<rustls::ClientConfig>,
    server: Arc<ServerConfig>,
) -> (Pair, VerifyClientRequest) {
    let mut pair = Pair::at(with_h2(client), server, "localhost", NOW);
    pair.run().unwrap();
    assert_eq!(pair.server.paused_for(), Some(Decision::ClientVerification));
    assert!(pair.summary().is_none(), "no handshake before the verdict");
    // The client's Finished came with its CertificateVerify: the server
    // holds it, unread, until the verdict (and completes on it alone).
    assert!(!pair.client.wants_write());
    let mut requests = Vec::new();
    pair.events.retain_mut(|e| match e {
        Event::VerifyClient(_) => {
            let Event::VerifyClient(r) = core::mem::replace(e, Event::DataReady) else {
                unreachable!()
            };
            requests.push(r);
            false
        }
        _ => true,
    });
    assert_eq!(requests.len(), 1, "one request");
    (pair, requests.remove(0))
}

/// After the answer: the handshake completes and data flows both ways.
fn completes(mut pair: Pair, completion: stapler::Completion) -> stapler::pki::VerifiedClient {
    pair.complete(completion).unwrap();
    assert!(pair.server.is_handshake_complete(), "{:?}", pair.closes());
    pair.exchange_data();
    pair.summary()
        .unwrap()
        .client_certificate
        .clone()
        .expect("the accepted client")
}

#[test]
fn a_verified_client_answered_at_once() {
    for version in VERSIONS {
        let (pair, request) = paused(
            client_with(version, "client-ecdsa.crt", "client-ecdsa.key"),
            deferred(ClientAuth::Required),
        );
        assert_eq!(request.builtin(), &BuiltinVerdict::Verified);
        assert_eq!(request.version(), version);
        assert_eq!(request.server_name(), Some("localhost"));
        assert_eq!(request.alpn_protocol(), Some(&b"h2"[..]));
        assert_eq!(request.leaf().common_name(), Some("client-a"));
        assert_eq!(request.chain().len(), 1);
        let client = completes(pair, request.accept());
        assert_eq!(client.verified_by(), VerifiedBy::Roots);
        assert_eq!(client.spiffe_id(), Some("spiffe://example.test/workload/a"));
    }
}

#[test]
fn a_chain_the_roots_refuse_is_the_applications_to_accept() {
    for version in VERSIONS {
        let (pair, request) = paused(
            client_with(version, "client-stranger.crt", "client-stranger.key"),
            deferred(ClientAuth::Optional),
        );
        assert_eq!(
            request.builtin(),
            &BuiltinVerdict::Refused(ClientChainError::UnknownIssuer)
        );
        let sent = request.chain().to_vec();
        let client = completes(pair, request.accept());
        assert_eq!(client.verified_by(), VerifiedBy::Application);
        assert_eq!(client.chain(), &sent[..]);
    }
}

#[test]
fn answered_late_from_another_thread() {
    for version in VERSIONS {
        let (pair, request) = paused(
            client_with(version, "client-rsa.crt", "client-rsa.key"),
            deferred(ClientAuth::Required),
        );
        let (tx, rx) = std::sync::mpsc::channel();
        let worker = std::thread::spawn(move || {
            // A policy service would be asked here.
            let allowed = request.leaf().common_name() == Some("client-rsa");
            let completion = if allowed {
                request.accept()
            } else {
                request.reject(ClientRejection::AccessDenied, "unknown workload")
            };
            tx.send(completion).unwrap();
        });
        worker.join().unwrap();
        let completion = rx.recv().unwrap();
        assert_eq!(completion.decision(), Decision::ClientVerification);
        let client = completes(pair, completion);
        assert_eq!(client.common_name(), Some("client-rsa"));
    }
}

/// The server closes with `error` and `alert`, and rustls reports `seen`.
fn closed_with(
    mut pair: Pair,
    completion: stapler::Completion,
    error: Error,
    alert: AlertDescription,
    seen: rustls::AlertDescription,
) {
    // The application's own decision: not an error of `complete`.
    pair.server.complete(completion, NOW).unwrap();
    pair.drain_server();
    assert_eq!(
        pair.closed(),
        CloseReason::Error {
            error,
            alert: Some(alert),
        }
    );
    assert_eq!(
        pair.server_to_client(),
        Err(rustls::Error::AlertReceived(seen))
    );
    assert!(pair.summary().is_none());
}

#[test]
fn a_rejection_sends_the_alert_the_application_chose() {
    let cases = [
        (
            ClientRejection::AccessDenied,
            AlertDescription::AccessDenied,
            rustls::AlertDescription::AccessDenied,
        ),
        (
            ClientRejection::CertificateRevoked,
            AlertDescription::CertificateRevoked,
            rustls::AlertDescription::CertificateRevoked,
        ),
        (
            ClientRejection::UnknownCa,
            AlertDescription::UnknownCa,
            rustls::AlertDescription::UnknownCA,
        ),
    ];
    for version in VERSIONS {
        for (rejection, alert, seen) in cases {
            let (pair, request) = paused(
                client_with(version, "client-ecdsa.crt", "client-ecdsa.key"),
                deferred(ClientAuth::Required),
            );
            let completion = request.reject(rejection, "denied by policy");
            let error = Error::ClientRejected {
                alert,
                reason: "denied by policy".into(),
            };
            closed_with(pair, completion, error, alert, seen);
        }
    }
}

#[test]
fn an_abort_is_internal_error() {
    for version in VERSIONS {
        let (pair, request) = paused(
            client_with(version, "client-ecdsa.crt", "client-ecdsa.key"),
            deferred(ClientAuth::Required),
        );
        closed_with(
            pair,
            request.abort("the policy service is down"),
            Error::ClientVerificationAborted("the policy service is down".into()),
            AlertDescription::InternalError,
            rustls::AlertDescription::InternalError,
        );
    }
}

#[test]
fn a_dropped_request_closes_with_internal_error() {
    for version in VERSIONS {
        let (mut pair, request) = paused(
            client_with(version, "client-ecdsa.crt", "client-ecdsa.key"),
            deferred(ClientAuth::Required),
        );
        drop(request);
        assert_eq!(pair.server.feed(&[]), Err(Error::RequestDropped));
        pair.drain_server();
        assert_eq!(
            pair.closed(),
            CloseReason::Error {
                error: Error::RequestDropped,
                alert: Some(AlertDescription::InternalError),
            }
        );
        assert_eq!(
            pair.server_to_client(),
            Err(rustls::Error::AlertReceived(
                rustls::AlertDescription::InternalError
            ))
        );
    }
}

#[test]
fn without_roots_the_application_is_the_verifier() {
    for version in VERSIONS {
        let (client, resolver) = presenting(version, false);
        let (pair, request) = paused(client, by_application());
        assert!(
            resolver.hints.lock().unwrap().is_empty(),
            "no roots, so no certificate_authorities"
        );
        assert_eq!(request.builtin(), &BuiltinVerdict::NotVerified);
        let client = completes(pair, request.accept());
        assert_eq!(client.verified_by(), VerifiedBy::Application);
        assert_eq!(client.common_name(), Some("client-a"));
    }
}

#[test]
fn no_certificate_raises_no_event() {
    for version in VERSIONS {
        let mut pair = Pair::at(
            with_h2(client_without(version)),
            deferred(ClientAuth::Optional),
            "localhost",
            NOW,
        );
        pair.run().unwrap();
        assert!(pair.server.is_handshake_complete(), "{:?}", pair.closes());
        assert!(!pair
            .events
            .iter()
            .any(|e| matches!(e, Event::VerifyClient(_))));
        assert_eq!(pair.summary().unwrap().client_certificate, None);
    }
}

#[test]
fn a_certificate_verify_that_fails_is_refused_before_any_event() {
    for version in VERSIONS {
        let (client, _) = presenting(version, true);
        let mut pair = Pair::at(client, deferred(ClientAuth::Required), "localhost", NOW);
        assert!(pair.run().is_err());
        assert!(!pair
            .events
            .iter()
            .any(|e| matches!(e, Event::VerifyClient(_))));
        assert_eq!(
            pair.closed(),
            CloseReason::Error {
                error: Error::InvalidMessage(stapler::InvalidMessage::CertificateVerifyMismatch),
                alert: Some(AlertDescription::DecryptError),
            }
        );
    }
}

#[test]
fn a_config_refuses_events_without_client_auth_and_no_roots_without_events() {
    let no_auth = builder().client_certificate_events(true).build();
    assert!(matches!(no_auth, Err(ConfigError::Unsupported(_))));
    let no_events = builder()
        .client_auth_by_application(ClientAuth::Optional)
        .build();
    assert!(matches!(no_events, Err(ConfigError::Unsupported(_))));
    let fine = builder()
        .client_auth(ClientAuth::Optional, &client_pki("client-ca.crt"))
        .unwrap()
        .client_certificate_events(true)
        .build()
        .unwrap();
    assert!(fine.client_certificate_events());
    assert_eq!(fine.client_auth(), ClientAuth::Optional);
}
