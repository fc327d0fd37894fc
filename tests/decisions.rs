//! Every decision the application owns (certificate selection, OCSP,
//! signing with a remote key), each answered at once, late from another
//! thread, never (dropped), with an abort, and first on the wrong
//! connection, in TLS 1.3 and TLS 1.2, against a rustls client in memory;
//! and the decisions combined in one handshake.

mod common;

use std::sync::Arc;

use common::decision_pair::{drive, Answers, Driven, Knob, Plan, Signer};
use common::rustls_pair::{default_client_config, pki, staple, Pair};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use stapler::codec::AlertDescription;
use stapler::{
    CertifiedKey, CloseReason, Decision, Error, OcspOutcome, ProtocolVersion, ServerConfig,
    SignRequest,
};

const VERSIONS: [ProtocolVersion; 2] = [ProtocolVersion::Tls13, ProtocolVersion::Tls12];
const KNOBS: [Knob; 5] = [
    Knob::Now,
    Knob::LateThread,
    Knob::Drop,
    Knob::Abort,
    Knob::WrongConnection,
];

fn local_cert() -> Arc<CertifiedKey> {
    Arc::new(
        CertifiedKey::from_pem(
            &pki("leaf-ecdsa.crt"),
            &pki("leaf-ecdsa.key"),
            &pki("root-ca.crt"),
        )
        .unwrap(),
    )
}

fn remote_cert() -> Arc<CertifiedKey> {
    Arc::new(CertifiedKey::remote(&pki("leaf-ecdsa.crt"), &pki("root-ca.crt")).unwrap())
}

/// Stands in for an HSM: the leaf's private key, kept outside stapler.
fn hsm() -> Signer {
    let der = stapler::pki::pem::private_key_from_pem_or_der(&pki("leaf-ecdsa.key")).unwrap();
    let rng = SystemRandom::new();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, der.der(), &rng).unwrap();
    Arc::new(move |req: &SignRequest| {
        assert_eq!(req.scheme(), stapler::SignatureScheme::EcdsaSecp256r1Sha256);
        key.sign(&rng, req.message()).unwrap().as_ref().to_vec()
    })
}

/// A server that asks for every decision in `decisions`.
fn config_for(decisions: &[Decision]) -> Arc<ServerConfig> {
    let select = decisions.contains(&Decision::CertificateSelection);
    let sign = decisions.contains(&Decision::Signing);
    let mut builder = ServerConfig::builder()
        .certificate_events(select)
        .ocsp_events(decisions.contains(&Decision::Ocsp))
        .ca_certificates(&pki("root-ca.crt"))
        .unwrap();
    if !select {
        builder = if sign {
            builder.remote_certificate_chain(&pki("leaf-ecdsa.crt"))
        } else {
            builder.certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        }
        .unwrap();
    }
    Arc::new(builder.build().unwrap())
}

fn answers_for(decisions: &[Decision]) -> Answers {
    let sign = decisions.contains(&Decision::Signing);
    Answers {
        certificate: Some(if sign { remote_cert() } else { local_cert() }),
        config: None,
        staple: Some(staple("decisions")),
        signer: Some(hsm()),
    }
}

/// Drives a `version` handshake asking for `decisions`, answered as
/// `plan` says.
fn run(version: ProtocolVersion, decisions: &[Decision], plan: Plan) -> Driven {
    let config = config_for(decisions);
    let answers = answers_for(decisions);
    let pair = || {
        Pair::with_name(
            default_client_config(version),
            Arc::clone(&config),
            "localhost",
        )
    };
    drive(pair(), plan, &answers, &pair)
}

/// The handshake completed, with the staple if OCSP was asked for, and
/// the client saw the leaf it was meant to.
fn assert_completed(driven: &mut Driven, decisions: &[Decision], label: &str) {
    assert_eq!(driven.error, None, "{label}");
    assert_eq!(driven.paused_for, decisions, "{label}");
    let summary = driven
        .pair
        .summary()
        .unwrap_or_else(|| panic!("{label}: no summary"));
    let expected_ocsp = if decisions.contains(&Decision::Ocsp) {
        OcspOutcome::Stapled(staple("decisions").len())
    } else {
        OcspOutcome::NotRequested
    };
    assert_eq!(summary.ocsp, expected_ocsp, "{label}");
    let leaf = driven.pair.client.peer_certificates().unwrap()[0].to_vec();
    assert_eq!(leaf, local_cert().leaf_der().to_vec(), "{label}");
    driven.pair.exchange_data();
}

/// The server closed with `error` and told the client `alert`.
fn assert_closed(driven: &Driven, error: &Error, alert: AlertDescription, label: &str) {
    let Some(CloseReason::Error {
        error: got,
        alert: sent,
    }) = driven.pair.closes().first().copied()
    else {
        panic!("{label}: {:?}", driven.pair.closes());
    };
    assert_eq!(got, error, "{label}");
    assert_eq!(*sent, Some(alert), "{label}");
    let client = driven.error.as_deref().unwrap_or_default();
    // rustls spells this one the British way.
    let name = match alert {
        AlertDescription::UnrecognizedName => "UnrecognisedName".to_string(),
        other => format!("{other:?}"),
    };
    let told = format!("received fatal alert: {name}");
    assert!(client.contains(&told), "{label}: {client}");
    assert!(!driven.pair.server.is_handshake_complete());
}

/// What an abort of `decision` closes with.
fn aborted(decision: Decision) -> (Error, AlertDescription) {
    match decision {
        Decision::CertificateSelection => (
            Error::SelectionAborted {
                alert: AlertDescription::UnrecognizedName,
                reason: "no certificate for this name".into(),
            },
            AlertDescription::UnrecognizedName,
        ),
        Decision::Ocsp => (
            Error::OcspAborted("responder down".into()),
            AlertDescription::InternalError,
        ),
        _ => (
            Error::SigningAborted("the HSM is offline".into()),
            AlertDescription::InternalError,
        ),
    }
}

/// Each decision alone, with each knob, in each version.
#[test]
fn each_decision_with_each_knob_in_each_version() {
    for decision in [
        Decision::CertificateSelection,
        Decision::Ocsp,
        Decision::Signing,
    ] {
        for version in VERSIONS {
            for knob in KNOBS {
                let label = format!("{decision:?} {version:?} {knob:?}");
                let mut driven = run(version, &[decision], Plan::only(decision, knob));
                match knob {
                    Knob::Now | Knob::LateThread | Knob::WrongConnection => {
                        assert_completed(&mut driven, &[decision], &label)
                    }
                    Knob::Drop => assert_closed(
                        &driven,
                        &Error::RequestDropped,
                        AlertDescription::InternalError,
                        &label,
                    ),
                    Knob::Abort => {
                        let (error, alert) = aborted(decision);
                        assert_closed(&driven, &error, alert, &label);
                    }
                }
            }
        }
    }
}

/// Two and three pauses in one handshake, each knob on each of them.
#[test]
fn decisions_combine_in_one_handshake() {
    use Decision::*;
    for decisions in [
        &[CertificateSelection, Ocsp][..],
        &[Ocsp, Signing],
        &[CertificateSelection, Ocsp, Signing],
    ] {
        for version in VERSIONS {
            for knob in [Knob::Now, Knob::LateThread, Knob::WrongConnection] {
                let label = format!("{decisions:?} {version:?} {knob:?}");
                let mut driven = run(version, decisions, Plan::all(knob));
                assert_completed(&mut driven, decisions, &label);
            }
            // The last decision dropped, after the others were answered.
            let last = *decisions.last().unwrap();
            let label = format!("{decisions:?} {version:?} last dropped");
            let driven = run(version, decisions, Plan::only(last, Knob::Drop));
            assert_eq!(driven.paused_for, decisions, "{label}");
            assert_closed(
                &driven,
                &Error::RequestDropped,
                AlertDescription::InternalError,
                &label,
            );
        }
    }
}
