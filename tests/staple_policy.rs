//! The server's stapling policies, end to end with the rustls client in
//! memory: `StaplePolicy::Verify` checks the application's response (real
//! responses made by `openssl ocsp`, tests/data/ocsp) before stapling it,
//! and `MustStaplePolicy` decides what a Must-Staple certificate (RFC 7633)
//! does without a good staple. Each outcome is checked where it shows: the
//! summary the server reports, and what the client received.

mod common;

use std::sync::Arc;

use common::rustls_pair::{
    client_config, pki, roots_from, tls12_client_config, Pair, RecordingVerifier,
};
use stapler::codec::AlertDescription;
use stapler::ocsp::{
    BadStaple, CertStatus, MustStaplePolicy, OcspError, OnBadStaple, StaplePolicy, VerifyOptions,
};
use stapler::{CloseReason, Error, OcspOutcome, ServerConfig};

fn ocsp_data(name: &str) -> Vec<u8> {
    pki(&format!("../ocsp/{name}"))
}

/// thisUpdate and nextUpdate of `good.der` and `revoked.der`
/// (tests/data/ocsp/times.txt).
const THIS_UPDATE: u64 = 1_795_468_224;
const NEXT_UPDATE: u64 = 4_949_068_224;
/// A time inside every test response's window.
const NOW: u64 = THIS_UPDATE + 3600;

fn verify(on_failure: OnBadStaple) -> StaplePolicy {
    StaplePolicy::Verify {
        options: VerifyOptions::new(),
        on_failure,
    }
}

/// A config serving tests/data/ocsp's `leaf` (good, revoked) with the
/// OCSP test CA as issuer, under `policy`.
fn config(leaf: &str, policy: StaplePolicy, with_ca: bool) -> Arc<ServerConfig> {
    let mut builder = ServerConfig::builder()
        .certificate_chain(
            &ocsp_data(&format!("leaf-{leaf}.crt")),
            &ocsp_data(&format!("leaf-{leaf}.key")),
        )
        .unwrap();
    if with_ca {
        builder = builder.ca_certificates(&ocsp_data("ca.crt")).unwrap();
    }
    Arc::new(
        builder
            .ocsp_events(true)
            .staple_policy(policy)
            .build()
            .unwrap(),
    )
}

#[derive(Clone, Copy)]
enum Version {
    Tls13,
    Tls12,
}

/// A handshake with `config` paused on its OcspRequest. The client records
/// the staple and checks the handshake signature, but takes any
/// certificate: tests/data/ocsp's leaves exist to be named in OCSP
/// responses (leaf-revoked has no subjectAltName), and what is under test
/// here is the server's policy.
fn paused(
    config: Arc<ServerConfig>,
    leaf: &str,
    version: Version,
) -> (Pair, Arc<RecordingVerifier>) {
    let verifier = Arc::new(RecordingVerifier::any_certificate());
    let client = match version {
        Version::Tls13 => client_config(Arc::clone(&verifier)),
        Version::Tls12 => tls12_client_config(Arc::clone(&verifier)),
    };
    let mut pair = Pair::with_name(client, config, &format!("{leaf}.example.test"));
    pair.client_to_server().unwrap();
    assert_eq!(pair.ocsp_requests.len(), 1);
    (pair, verifier)
}

/// Answers the paused request with `response` at `now` and runs the
/// handshake to its end.
fn respond(pair: &mut Pair, response: &[u8], now: u64) -> Result<(), String> {
    let request = pair.ocsp_requests.pop().unwrap();
    let completion = request.respond(response.to_vec()).unwrap();
    pair.server
        .complete(completion, now)
        .map_err(|e| format!("complete: {e}"))?;
    pair.drain_server();
    pair.server_to_client()
        .map_err(|e| format!("client: {e}"))?;
    pair.run()
}

fn outcome(pair: &Pair) -> OcspOutcome {
    pair.summary().expect("HandshakeComplete").ocsp.clone()
}

#[test]
fn a_good_fresh_response_is_stapled_in_both_versions() {
    let good = ocsp_data("good.der");
    for version in [Version::Tls13, Version::Tls12] {
        let (mut pair, verifier) = paused(
            config("good", verify(OnBadStaple::Abort), true),
            "good",
            version,
        );
        respond(&mut pair, &good, NOW).unwrap();
        assert_eq!(outcome(&pair), OcspOutcome::Stapled(good.len()));
        assert_eq!(verifier.last_staple(), Some(good.clone()));
    }
}

/// Each way a response can fail the check, with what the outcome says.
/// Under `StapleNothing` the handshake completes and the client gets no
/// staple (in TLS 1.2: no CertificateStatus message at all).
#[test]
fn a_failing_response_is_not_stapled_and_the_outcome_says_why() {
    // (leaf, response, time given, issuer known, what the outcome must say)
    type Case = (
        &'static str,
        &'static str,
        u64,
        bool,
        fn(&BadStaple) -> bool,
    );
    let cases: [Case; 6] = [
        ("good", "good.der", NOW, false, |b| {
            *b == BadStaple::NoIssuer
        }),
        ("good", "good.der", NEXT_UPDATE, true, |b| {
            *b == BadStaple::Invalid(OcspError::Expired {
                valid_until: NEXT_UPDATE,
            })
        }),
        ("good", "good.der", THIS_UPDATE - 3600, true, |b| {
            matches!(b, BadStaple::Invalid(OcspError::NotYetValid { .. }))
        }),
        ("good", "good-badsig.der", NOW, true, |b| {
            matches!(b, BadStaple::Invalid(OcspError::Signature(_)))
        }),
        ("good", "revoked.der", NOW, true, |b| {
            *b == BadStaple::Invalid(OcspError::CertIdNotFound)
        }),
        ("revoked", "revoked.der", NOW, true, |b| {
            matches!(b, BadStaple::Status(CertStatus::Revoked { .. }))
        }),
    ];
    for (leaf, response, now, with_ca, expected) in cases {
        for version in [Version::Tls13, Version::Tls12] {
            let label = format!("{leaf} {response} {now}");
            let config = config(leaf, verify(OnBadStaple::StapleNothing), with_ca);
            let (mut pair, verifier) = paused(config, leaf, version);
            respond(&mut pair, &ocsp_data(response), now)
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            let OcspOutcome::Refused(bad) = outcome(&pair) else {
                panic!("{label}: {:?}", outcome(&pair));
            };
            assert!(expected(&bad), "{label}: {bad:?}");
            assert_eq!(verifier.last_staple(), Some(Vec::new()), "{label}");
        }
    }
}

#[test]
fn a_failing_response_aborts_when_the_policy_says_so() {
    for version in [Version::Tls13, Version::Tls12] {
        let (mut pair, _) = paused(
            config("good", verify(OnBadStaple::Abort), true),
            "good",
            version,
        );
        let err = respond(&mut pair, &ocsp_data("good-badsig.der"), NOW).unwrap_err();
        assert!(err.contains("InternalError"), "{err}");
        let closes = pair.closes();
        let [CloseReason::Error { error, alert }] = closes.as_slice() else {
            panic!("{closes:?}");
        };
        assert!(
            matches!(error, Error::BadStaple(BadStaple::Invalid(_))),
            "{error:?}"
        );
        assert_eq!(*alert, Some(AlertDescription::InternalError));
        assert!(pair.summary().is_none());
    }
}

#[test]
fn trust_staples_whatever_it_is_given() {
    let junk = b"not an OCSP response".to_vec();
    let (mut pair, verifier) = paused(
        config("good", StaplePolicy::Trust, true),
        "good",
        Version::Tls13,
    );
    respond(&mut pair, &junk, NOW).unwrap();
    assert_eq!(outcome(&pair), OcspOutcome::Stapled(junk.len()));
    assert_eq!(verifier.last_staple(), Some(junk));
}

/// must-staple.crt (tests/data/pki) carries the TLS Feature extension
/// with status_request.
fn must_staple_config(policy: MustStaplePolicy, staple: StaplePolicy) -> Arc<ServerConfig> {
    Arc::new(
        ServerConfig::builder()
            .certificate_chain(&pki("must-staple.crt"), &pki("must-staple.key"))
            .unwrap()
            .ca_certificates(&pki("root-ca.crt"))
            .unwrap()
            .ocsp_events(true)
            .staple_policy(staple)
            .must_staple_policy(policy)
            .build()
            .unwrap(),
    )
}

fn must_staple_pair(config: Arc<ServerConfig>) -> Pair {
    let verifier = RecordingVerifier::custom(roots_from(&["root-ca.crt"]), None);
    let mut pair = Pair::with_name(client_config(verifier), config, "must-staple.example.test");
    pair.client_to_server().unwrap();
    assert!(pair.ocsp_requests[0].must_staple());
    pair
}

#[test]
fn must_staple_without_a_staple_aborts_when_configured() {
    let mut pair = must_staple_pair(must_staple_config(
        MustStaplePolicy::Abort,
        StaplePolicy::Trust,
    ));
    let request = pair.ocsp_requests.pop().unwrap();
    let err = pair.complete(request.no_response()).unwrap_err();
    assert!(err.contains("InternalError"), "{err}");
    assert_eq!(
        pair.closes(),
        [&CloseReason::Error {
            error: Error::MustStapleUnmet,
            alert: Some(AlertDescription::InternalError)
        }]
    );
}

#[test]
fn must_staple_with_a_refused_staple_aborts_when_configured() {
    // The response is for another CA's certificate: refused, so no staple.
    let config = must_staple_config(MustStaplePolicy::Abort, verify(OnBadStaple::StapleNothing));
    let mut pair = must_staple_pair(config);
    let err = respond(&mut pair, &ocsp_data("good.der"), NOW).unwrap_err();
    assert!(err.contains("InternalError"), "{err}");
    assert!(matches!(
        pair.closes().as_slice(),
        [CloseReason::Error {
            error: Error::MustStapleUnmet,
            ..
        }]
    ));
}

#[test]
fn must_staple_without_a_staple_continues_and_reports_by_default() {
    let mut pair = must_staple_pair(must_staple_config(
        MustStaplePolicy::default(),
        StaplePolicy::Trust,
    ));
    let request = pair.ocsp_requests.pop().unwrap();
    pair.complete(request.no_response()).unwrap();
    let summary = pair.summary().unwrap();
    assert!(summary.must_staple);
    assert!(summary.must_staple_unmet());
    assert_eq!(summary.ocsp, OcspOutcome::NoResponse);
}

#[test]
fn must_staple_with_a_staple_is_met() {
    let mut pair = must_staple_pair(must_staple_config(
        MustStaplePolicy::Abort,
        StaplePolicy::Trust,
    ));
    let request = pair.ocsp_requests.pop().unwrap();
    pair.complete(request.respond(b"\x30\x03\x0a\x01\x00".to_vec()).unwrap())
        .unwrap();
    let summary = pair.summary().unwrap();
    assert!(summary.must_staple && !summary.must_staple_unmet());
}

#[test]
fn an_ordinary_leaf_is_not_must_staple() {
    let (mut pair, _) = paused(
        config("good", StaplePolicy::Trust, true),
        "good",
        Version::Tls13,
    );
    assert!(!pair.ocsp_requests[0].must_staple());
    let request = pair.ocsp_requests.pop().unwrap();
    pair.complete(request.no_response()).unwrap();
    let summary = pair.summary().unwrap();
    assert!(!summary.must_staple && !summary.must_staple_unmet());
}
