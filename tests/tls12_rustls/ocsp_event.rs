//! The OCSP event in TLS 1.2: same event, same answers, and
//! CertificateStatus on the wire, for rustls and the hand-built client.

use std::sync::Arc;

use stapler::server::ProtocolVersion;
use stapler::{Event, OcspOutcome, ServerConnection};

use super::common;
use super::common::rustls_pair::{
    ecdsa_server_config, staple, tls12_client_config, Pair, RecordingVerifier,
};
use super::common::tls12_client::{tls12_extensions, tls12_hello, HandClient};
use super::common::wire::feed_all;
use super::{flight_shape, hand_data};

/// A TLS 1.2 pair (rustls always asks for OCSP) paused on the event.
fn paused_pair(verifier: Arc<RecordingVerifier>) -> (Pair, stapler::OcspRequest) {
    Pair::paused(tls12_client_config(verifier))
}

#[test]
fn staple_reaches_the_client_byte_for_byte() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused_pair(verifier.clone());
    assert_eq!(req.server_name(), Some("localhost"));
    assert!(req.issuer().is_some());
    let bytes = staple(" pretend OCSP response for TLS 1.2");
    pair.server
        .complete(req.respond(bytes.clone()).unwrap(), common::ANY_TIME)
        .unwrap();
    pair.drain_server();
    // ServerHello says status_request; CertificateStatus follows
    // Certificate (RFC 6066 §8).
    let (messages, extensions) = flight_shape(&pair.to_client);
    assert_eq!(messages, [2, 11, 22, 12, 14]);
    assert!(extensions.contains(&5), "{extensions:?}");
    pair.server_to_client().unwrap();
    pair.run().unwrap();
    assert!(!pair.client.is_handshaking());
    assert_eq!(verifier.last_staple(), Some(bytes.clone()));
    let summary = pair.summary().unwrap();
    assert_eq!(summary.version, ProtocolVersion::Tls12);
    assert_eq!(summary.ocsp, OcspOutcome::Stapled(bytes.len()));
    pair.exchange_data();
}

#[test]
fn no_response_sends_neither_extension_nor_certificate_status() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused_pair(verifier.clone());
    pair.server
        .complete(req.no_response(), common::ANY_TIME)
        .unwrap();
    pair.drain_server();
    let (messages, extensions) = flight_shape(&pair.to_client);
    assert_eq!(messages, [2, 11, 12, 14]);
    assert!(!extensions.contains(&5), "{extensions:?}");
    pair.server_to_client().unwrap();
    pair.run().unwrap();
    assert!(!pair.client.is_handshaking());
    assert_eq!(verifier.last_staple(), Some(vec![]));
    assert_eq!(pair.summary().unwrap().ocsp, OcspOutcome::NoResponse);
}

#[test]
fn without_ocsp_events_nothing_pauses_and_nothing_is_stapled() {
    let verifier = RecordingVerifier::new();
    let mut pair = Pair::new(
        tls12_client_config(verifier.clone()),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.client_to_server().unwrap();
    assert!(pair.ocsp_requests.is_empty());
    let (messages, extensions) = flight_shape(&pair.to_client);
    assert_eq!(messages, [2, 11, 12, 14]);
    assert!(!extensions.contains(&5));
    pair.run().unwrap();
    assert_eq!(verifier.last_staple(), Some(vec![]));
    assert_eq!(pair.summary().unwrap().ocsp, OcspOutcome::NotRequested);
}

#[test]
fn hand_client_receives_the_staple_too() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(true)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, true)));
    let (result, out, mut events) = feed_all(&mut server, &client.client_hello());
    result.unwrap();
    assert!(out.is_empty());
    let Some(Event::OcspRequest(req)) = events.pop() else {
        panic!("no OcspRequest")
    };
    let bytes = staple(" for the hand client");
    server
        .complete(req.respond(bytes.clone()).unwrap(), common::ANY_TIME)
        .unwrap();
    let flight = server.poll_transmit().unwrap();
    client.read_flight(&flight);
    assert_eq!(client.flight.ocsp_response.as_deref(), Some(&bytes[..]));
    assert_eq!(client.flight.extension(5), Some(&[][..]));
    let (result, out, _) = feed_all(&mut server, &client.second_flight());
    result.unwrap();
    client.read_server_finished(&out);
    hand_data(&mut server, &mut client);
}
