//! Client OCSP staples (issue 12, RFC 8446 §4.4.2.1): the server asks with
//! an empty status_request in its CertificateRequest; a hand-built TLS 1.3
//! client second flight (tests/common/tls13_staple_client.rs) staples a
//! response made by `openssl ocsp` for the client's certificate. Good,
//! revoked, unknown-to-us and absent staples, each policy, and the
//! malformed extensions with their exact alerts.

mod common;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use common::mtls_clients::{client_pki, client_with, VERSIONS};
use common::openssl_pki::TempDir;
use common::peers::{self, OPENSSL};
use common::rustls_pair::{pki, Pair};
use common::tls13_staple_client::{split_messages, status_request_extension, StapleClient};
use stapler::codec::AlertDescription;
use stapler::ocsp::{CertStatus, OcspError};
use stapler::pki::{ClientChainError, VerifiedBy};
use stapler::server::{ClientStaple, ClientStaplePolicy};
use stapler::{
    ClientAuth, CloseReason, Error, Event, InvalidMessage, PeerMisbehaved, ProtocolVersion,
    ServerConfig,
};

/// Staples are made now by `openssl ocsp` and fresh for a week, so the
/// connection runs at the real time.
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn server(policy: ClientStaplePolicy) -> Arc<ServerConfig> {
    server_with(policy, false)
}

fn server_with(policy: ClientStaplePolicy, events: bool) -> Arc<ServerConfig> {
    Arc::new(
        ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .client_auth(ClientAuth::Required, &client_pki("client-ca.crt"))
            .unwrap()
            .client_staples(policy)
            .client_certificate_events(events)
            .build()
            .unwrap(),
    )
}

/// A DER OCSPResponse about the client certificate `cert` (of
/// tests/data/client_pki), signed now by client-ca with `openssl ocsp`,
/// saying good or revoked. `None` (the test skips) without openssl.
fn staple(cert: &str, revoked: bool) -> Option<Vec<u8>> {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return None;
    }
    let dir = TempDir::new("client-staple");
    let der = &stapler::pki::pem::certificates_from_pem_or_der(&client_pki(cert)).unwrap()[0];
    let leaf = stapler::pki::Certificate::from_der(der.clone()).unwrap();
    let serial: String = leaf
        .serial()
        .iter()
        .skip_while(|b| **b == 0)
        .map(|b| format!("{b:02X}"))
        .collect();
    // `openssl ca`'s database layout: status, expiry, revocation, serial,
    // file, subject.
    let line = if revoked {
        format!("R\t491231235959Z\t240101000000Z,keyCompromise\t{serial}\tunknown\t/CN=x\n")
    } else {
        format!("V\t491231235959Z\t\t{serial}\tunknown\t/CN=x\n")
    };
    std::fs::write(dir.path().join("index.txt"), line).unwrap();
    let data = |name: &str| {
        format!(
            "{}/tests/data/client_pki/{name}",
            env!("CARGO_MANIFEST_DIR")
        )
    };
    let (ca, ca_key, cert) = (data("client-ca.crt"), data("client-ca.key"), data(cert));
    let args = [
        "ocsp",
        "-index",
        "index.txt",
        "-rsigner",
        &ca,
        "-rkey",
        &ca_key,
        "-CA",
        &ca,
        "-issuer",
        &ca,
        "-cert",
        &cert,
        "-no_nonce",
        "-ndays",
        "7",
        "-respout",
        "staple.der",
    ];
    peers::spawn_in(OPENSSL, &args, b"", Some(dir.path()))
        .wait(peers::PEER_TIMEOUT)
        .assert_success();
    Some(std::fs::read(dir.path().join("staple.der")).unwrap())
}

/// The hand-built client's second flight, its leaf stapled with `leaf_ext`
/// (extension bytes), sent to a server with `policy`.
fn second_flight(policy: ClientStaplePolicy, leaf_ext: &[u8]) -> StapleClient {
    let mut client = StapleClient::start(server(policy), now());
    let flight = client.second_flight(leaf_ext);
    let _ = client.send(flight);
    client
}

fn completed(client: &StapleClient) -> ClientStaple {
    let summary = client.pair.summary().unwrap_or_else(|| {
        panic!("no handshake: {:?}", client.pair.closes());
    });
    let verified = summary.client_certificate.as_ref().expect("a client");
    assert_eq!(verified.verified_by(), VerifiedBy::Roots);
    summary.client_staple.clone()
}

fn refused(client: &StapleClient, error: Error, alert: AlertDescription) {
    assert!(client.pair.summary().is_none());
    assert_eq!(
        client.pair.closed(),
        CloseReason::Error {
            error,
            alert: Some(alert),
        }
    );
}

#[test]
fn the_certificate_request_asks_for_a_staple_only_when_told() {
    for (policy, asks) in [
        (ClientStaplePolicy::Off, false),
        (ClientStaplePolicy::Report, true),
        (ClientStaplePolicy::Require, true),
    ] {
        let client = StapleClient::start(server(policy), now());
        let request = &client.certificate_request;
        // context<0..255> (empty), then the extensions block.
        assert_eq!(request[4], 0, "an empty certificate_request_context");
        let mut exts = &request[7..];
        let mut status = None;
        while exts.len() >= 4 {
            let typ = u16::from_be_bytes([exts[0], exts[1]]);
            let len = usize::from(u16::from_be_bytes([exts[2], exts[3]]));
            if typ == 5 {
                status = Some(exts[4..4 + len].to_vec());
            }
            exts = &exts[4 + len..];
        }
        match asks {
            true => assert_eq!(status, Some(Vec::new()), "{policy:?}: empty status_request"),
            false => assert_eq!(status, None, "{policy:?}"),
        }
    }
}

#[test]
fn a_good_staple_is_verified_and_reported() {
    let Some(good) = staple("client-ecdsa.crt", false) else {
        return;
    };
    let ext = status_request_extension(&good);
    for policy in [
        ClientStaplePolicy::Report,
        ClientStaplePolicy::RejectRevoked,
        ClientStaplePolicy::Require,
    ] {
        let client = second_flight(policy, &ext);
        let ClientStaple::Good(status) = completed(&client) else {
            panic!("{policy:?}: {:?}", client.pair.summary());
        };
        assert_eq!(status.status, CertStatus::Good);
        assert!(status.valid_until > now());
    }
}

#[test]
fn a_revoked_staple_is_reported_or_refused_with_certificate_revoked() {
    let Some(revoked) = staple("client-ecdsa.crt", true) else {
        return;
    };
    let ext = status_request_extension(&revoked);
    let client = second_flight(ClientStaplePolicy::Report, &ext);
    assert!(matches!(completed(&client), ClientStaple::Revoked(_)));
    for policy in [
        ClientStaplePolicy::RejectRevoked,
        ClientStaplePolicy::Require,
    ] {
        refused(
            &second_flight(policy, &ext),
            Error::ClientCertificate(ClientChainError::Revoked),
            AlertDescription::CertificateRevoked,
        );
    }
}

#[test]
fn an_absent_staple_is_reported_or_refused_when_required() {
    for policy in [
        ClientStaplePolicy::Report,
        ClientStaplePolicy::RejectRevoked,
    ] {
        let client = second_flight(policy, &[]);
        assert_eq!(completed(&client), ClientStaple::Absent, "{policy:?}");
    }
    refused(
        &second_flight(ClientStaplePolicy::Require, &[]),
        Error::ClientCertificate(ClientChainError::NoGoodStaple),
        AlertDescription::BadCertificateStatusResponse,
    );
    // rustls never staples: under Require it is refused in TLS 1.3, and in
    // TLS 1.2, which has no client staples at all; under Report TLS 1.2
    // reports that none was asked for.
    for version in VERSIONS {
        let client = client_with(version, "client-ecdsa.crt", "client-ecdsa.key");
        let mut pair = Pair::at(
            client.clone(),
            server(ClientStaplePolicy::Require),
            "localhost",
            now(),
        );
        assert!(pair.run().is_err());
        assert_eq!(
            pair.server_to_client(),
            Err(rustls::Error::AlertReceived(
                rustls::AlertDescription::BadCertificateStatusResponse
            )),
            "{version:?}"
        );
        let mut pair = Pair::at(
            client,
            server(ClientStaplePolicy::Report),
            "localhost",
            now(),
        );
        pair.run().unwrap();
        let expected = match version {
            ProtocolVersion::Tls13 => ClientStaple::Absent,
            _ => ClientStaple::NotAsked,
        };
        assert_eq!(pair.summary().unwrap().client_staple, expected);
    }
}

#[test]
fn a_staple_about_another_certificate_or_stale_is_invalid() {
    let Some(other) = staple("client-rsa.crt", false) else {
        return;
    };
    let client = second_flight(
        ClientStaplePolicy::Report,
        &status_request_extension(&other),
    );
    assert_eq!(
        completed(&client),
        ClientStaple::Invalid(Box::new(OcspError::CertIdNotFound))
    );
    refused(
        &second_flight(
            ClientStaplePolicy::Require,
            &status_request_extension(&other),
        ),
        Error::ClientCertificate(ClientChainError::NoGoodStaple),
        AlertDescription::BadCertificateStatusResponse,
    );
    // A good staple judged a month later has gone stale.
    let good = staple("client-ecdsa.crt", false).unwrap();
    let mut client =
        StapleClient::start(server(ClientStaplePolicy::Report), now() + 30 * 24 * 3600);
    let flight = client.second_flight(&status_request_extension(&good));
    client.send(flight).unwrap();
    assert!(matches!(
        completed(&client),
        ClientStaple::Invalid(e) if matches!(*e, OcspError::Expired { .. })
    ));
}

#[test]
fn the_verification_event_sees_the_staple() {
    let Some(good) = staple("client-ecdsa.crt", false) else {
        return;
    };
    let mut client = StapleClient::start(server_with(ClientStaplePolicy::Report, true), now());
    let flight = client.second_flight(&status_request_extension(&good));
    client.send(flight).unwrap();
    let request = client
        .pair
        .events
        .drain(..)
        .find_map(|e| match e {
            Event::VerifyClient(r) => Some(r),
            _ => None,
        })
        .expect("a VerifyClient event");
    assert!(matches!(request.staple(), ClientStaple::Good(_)));
    client.pair.complete(request.accept()).unwrap_or_default();
    assert!(matches!(completed(&client), ClientStaple::Good(_)));
}

/// The staple's wire rules, each with its alert: no staple-less server
/// takes a status_request, the status type must be ocsp, one extension of
/// a type per entry, and a response is never empty.
#[test]
fn malformed_staples_get_their_exact_alerts() {
    let status = |typ: u8, body: &[u8]| {
        let len = (body.len() as u32).to_be_bytes();
        let data = [&[typ][..], &len[1..], body].concat();
        [
            &5u16.to_be_bytes()[..],
            &(data.len() as u16).to_be_bytes(),
            &data,
        ]
        .concat()
    };
    let response = b"\x30\x03\x0a\x01\x00";
    let cases: [(ClientStaplePolicy, Vec<u8>, Error, AlertDescription); 4] = [
        (
            ClientStaplePolicy::Off,
            status(1, response),
            PeerMisbehaved::UnsolicitedCertificateExtension(5).into(),
            AlertDescription::UnsupportedExtension,
        ),
        (
            ClientStaplePolicy::Report,
            status(2, response),
            PeerMisbehaved::BadCertificateStatusType(2).into(),
            AlertDescription::IllegalParameter,
        ),
        (
            ClientStaplePolicy::Report,
            [status(1, response), status(1, response)].concat(),
            InvalidMessage::DuplicateExtension(stapler::codec::ExtensionType::StatusRequest).into(),
            AlertDescription::IllegalParameter,
        ),
        (
            ClientStaplePolicy::Report,
            status(1, &[]),
            InvalidMessage::BadLength(stapler::Field::Extension(
                stapler::codec::ExtensionType::StatusRequest,
            ))
            .into(),
            AlertDescription::DecodeError,
        ),
    ];
    for (policy, ext, error, alert) in cases {
        refused(&second_flight(policy, &ext), error, alert);
    }
}

#[test]
fn the_hand_client_flight_is_what_a_server_flight_expects() {
    // The helper's own check: without a staple its flight completes a
    // handshake that never asked for one.
    let client = second_flight(ClientStaplePolicy::Off, &[]);
    assert_eq!(completed(&client), ClientStaple::NotAsked);
    assert_eq!(split_messages(&client.certificate_request)[0][0], 13);
}
