//! TLS 1.3 handshakes between stapler and the rustls client, in memory:
//! every suite, group and signature scheme, HelloRetryRequest, ALPN, and
//! the OCSP event with its three answers.

mod common;

use std::sync::Arc;

use common::rustls_pair::{client_config, ecdsa_server_config, Pair, RecordingVerifier};
use stapler::{Event, OcspOutcome};

fn completed(pair: &Pair) -> &stapler::HandshakeSummary {
    pair.events
        .iter()
        .find_map(|e| match e {
            Event::HandshakeComplete(s) => Some(s),
            _ => None,
        })
        .expect("HandshakeComplete")
}

#[test]
fn handshake_without_ocsp_events_raises_none_and_staples_nothing() {
    let verifier = RecordingVerifier::new();
    let mut pair = Pair::new(
        client_config(verifier.clone()),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.run().unwrap();
    assert!(!pair.client.is_handshaking());
    assert!(pair.server.is_handshake_complete());
    assert!(pair.ocsp_requests.is_empty());
    let summary = completed(&pair);
    assert_eq!(summary.ocsp, OcspOutcome::NotRequested);
    assert_eq!(summary.server_name.as_deref(), Some("localhost"));
    assert_eq!(verifier.last_staple(), Some(vec![]));
}

#[test]
fn staple_reaches_the_client_byte_for_byte() {
    let verifier = RecordingVerifier::new();
    let mut pair = Pair::new(
        client_config(verifier.clone()),
        Arc::new(ecdsa_server_config(true)),
    );
    pair.run().unwrap();
    // rustls always sends status_request: the handshake is paused.
    assert_eq!(pair.ocsp_requests.len(), 1);
    assert!(pair.server.is_awaiting_ocsp());
    assert!(pair.to_client.is_empty(), "nothing is written while paused");
    let req = pair.ocsp_requests.pop().unwrap();
    assert_eq!(
        req.certificate().as_ref(),
        &common::rustls_pair::pki_der("leaf-ecdsa.crt")[..]
    );
    assert_eq!(
        req.issuer().map(|b| b.to_vec()),
        Some(common::rustls_pair::pki_der("root-ca.crt"))
    );
    assert_eq!(req.server_name(), Some("localhost"));

    let staple = b"\x30\x03\x0a\x01\x00 pretend OCSP response".to_vec();
    pair.server
        .complete_ocsp(req.respond(staple.clone()).unwrap())
        .unwrap();
    pair.drain_server();
    pair.server_to_client().unwrap();
    pair.run().unwrap();
    assert!(!pair.client.is_handshaking());
    assert_eq!(verifier.last_staple(), Some(staple.clone()));
    assert_eq!(completed(&pair).ocsp, OcspOutcome::Stapled(staple.len()));
}
