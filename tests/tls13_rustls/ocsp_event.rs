//! The OCSP event in TLS 1.3: its three answers (from this thread, another
//! thread, and a thousand connections at once), completions refused, the
//! request's certificate and issuer, and what the server takes while paused.

use std::sync::{mpsc, Arc};

use stapler::codec::AlertDescription;
use stapler::EmptyResponse;
use stapler::{
    CloseReason, CompleteError, Completion, Error, InvalidMessage, Misuse, OcspOutcome,
    OcspRequest, ServerConnection,
};

use super::common;
use super::common::hello_encoder::record;
use super::common::rustls_pair::{
    client_config, ecdsa_server_config, pki_der, roots_from, server_config, staple, Pair,
    RecordingVerifier,
};

/// A pair paused on the OCSP event; the request is returned.
fn paused(verifier: Arc<RecordingVerifier>) -> (Pair, OcspRequest) {
    Pair::paused(client_config(verifier))
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
    let summary = pair.summary().unwrap();
    assert_eq!(summary.ocsp, OcspOutcome::NotRequested);
    assert_eq!(summary.server_name.as_deref(), Some("localhost"));
    assert_eq!(verifier.last_staple(), Some(vec![]));
}

#[test]
fn staple_reaches_the_client_byte_for_byte() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused(verifier.clone());
    // rustls always sends status_request: the handshake is paused.
    assert!(pair.to_client.is_empty(), "nothing is written while paused");
    assert_eq!(req.certificate().as_ref(), &pki_der("leaf-ecdsa.crt")[..]);
    assert_eq!(
        req.issuer().map(|b| b.to_vec()),
        Some(pki_der("root-ca.crt"))
    );
    assert_eq!(req.server_name(), Some("localhost"));

    let bytes = staple(" pretend OCSP response");
    pair.complete(req.respond(bytes.clone()).unwrap()).unwrap();
    assert!(!pair.client.is_handshaking());
    assert_eq!(verifier.last_staple(), Some(bytes.clone()));
    assert_eq!(
        pair.summary().unwrap().ocsp,
        OcspOutcome::Stapled(bytes.len())
    );
    pair.exchange_data();
}

#[test]
fn no_response_staples_nothing() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused(verifier.clone());
    pair.complete(req.no_response()).unwrap();
    assert!(!pair.client.is_handshaking());
    assert_eq!(verifier.last_staple(), Some(vec![]));
    assert_eq!(pair.summary().unwrap().ocsp, OcspOutcome::NoResponse);
}

#[test]
fn an_empty_response_is_refused_and_the_request_handed_back() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused(verifier.clone());
    let Err(EmptyResponse(req)) = req.respond(Vec::new()) else {
        panic!("an empty staple must be refused");
    };
    assert!(pair.server.paused_for().is_some());
    let bytes = staple("second try");
    pair.complete(req.respond(bytes.clone()).unwrap()).unwrap();
    assert_eq!(verifier.last_staple(), Some(bytes));
}

#[test]
fn a_completion_for_another_connection_is_refused_and_handed_back() {
    let (va, vb) = (RecordingVerifier::new(), RecordingVerifier::new());
    let (mut a, req_a) = paused(va.clone());
    let (mut b, req_b) = paused(vb.clone());
    let (staple_a, staple_b) = (staple("for a"), staple("for b"));
    let completion_a = req_a.respond(staple_a.clone()).unwrap();
    let completion_b = req_b.respond(staple_b.clone()).unwrap();

    // A's completion at B, and B's at A: refused, handed back, no change.
    let Err(CompleteError::Foreign(completion_a)) =
        b.server.complete(completion_a, common::ANY_TIME)
    else {
        panic!("B took A's completion");
    };
    let Err(CompleteError::Foreign(completion_b)) =
        a.server.complete(completion_b, common::ANY_TIME)
    else {
        panic!("A took B's completion");
    };
    for pair in [&mut a, &mut b] {
        assert!(pair.server.paused_for().is_some());
        assert!(pair.server.poll_event().is_none());
        assert!(pair.server.poll_transmit().is_none());
    }

    // Each still completes with its own.
    a.complete(completion_a).unwrap();
    b.complete(completion_b).unwrap();
    assert_eq!(va.last_staple(), Some(staple_a));
    assert_eq!(vb.last_staple(), Some(staple_b));
}

#[test]
fn a_completion_is_refused_after_the_connection_moved_on() {
    // A completion whose connection was closed while it waited.
    let (mut pair, req) = paused(RecordingVerifier::new());
    pair.server.close();
    let refused = pair.server.complete(req.no_response(), common::ANY_TIME);
    assert!(matches!(refused, Err(CompleteError::Closed)));
    assert_eq!(
        Error::from(refused.unwrap_err()),
        Error::Misuse(Misuse::Closed)
    );
}

#[test]
fn requests_and_completions_are_send() {
    fn assert_send<T: Send>() {}
    assert_send::<OcspRequest>();
    assert_send::<Completion>();
    assert_send::<CompleteError>();
    assert_send::<ServerConnection>();
}

#[test]
fn completion_made_on_another_thread() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused(verifier.clone());
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        // What a real responder lookup would read.
        let tag = format!("for a {}-byte leaf", req.certificate().len());
        tx.send((tag.clone(), req.respond(staple(&tag)).unwrap()))
            .unwrap();
    });
    let (tag, completion) = rx.recv().unwrap();
    worker.join().unwrap();
    pair.complete(completion).unwrap();
    assert_eq!(verifier.last_staple(), Some(staple(&tag)));
}

/// splitmix64: a small, seeded generator so the order below is the same on
/// every run.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[test]
fn a_thousand_paused_connections_completed_in_random_order() {
    const N: usize = 1000;
    let config = Arc::new(ecdsa_server_config(true));
    let mut conns: Vec<(Pair, Arc<RecordingVerifier>, Option<OcspRequest>)> = (0..N)
        .map(|_| {
            let verifier = RecordingVerifier::new();
            let mut pair = Pair::new(client_config(verifier.clone()), Arc::clone(&config));
            pair.run().unwrap();
            let req = pair.ocsp_requests.pop().expect("OcspRequest");
            (pair, verifier, Some(req))
        })
        .collect();
    assert!(conns
        .iter()
        .all(|(p, _, _)| p.server.paused_for().is_some()));

    // Fisher-Yates with a fixed seed.
    let mut order: Vec<usize> = (0..N).collect();
    let mut seed: u64 = 0x5eed_0c5b;
    for i in (1..N).rev() {
        let j = (splitmix64(&mut seed) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    assert_ne!(order[..10], (0..10).collect::<Vec<_>>()[..]);

    for (done, &i) in order.iter().enumerate() {
        let (pair, _, req) = &mut conns[i];
        let req = req.take().unwrap();
        pair.complete(req.respond(staple(&format!("connection {i}"))).unwrap())
            .unwrap();
        assert!(pair.server.is_handshake_complete());
        // Every connection not yet answered is still paused.
        if done % 100 == 0 {
            let paused = conns
                .iter()
                .filter(|c| c.0.server.paused_for().is_some())
                .count();
            assert_eq!(paused, N - done - 1);
        }
    }
    for (i, (pair, verifier, _)) in conns.iter().enumerate() {
        assert!(!pair.client.is_handshaking());
        assert_eq!(
            verifier.staples(),
            vec![staple(&format!("connection {i}"))],
            "connection {i}"
        );
    }
}

#[test]
fn self_signed_leaf_has_no_issuer() {
    let verifier = RecordingVerifier::custom(roots_from(&["self-signed.crt"]), None);
    let mut pair = Pair::with_name(
        client_config(verifier.clone()),
        Arc::new(server_config("self-signed.crt", "self-signed.key", true)),
        "self-signed.example.test",
    );
    pair.run().unwrap();
    let req = pair.ocsp_requests.pop().expect("OcspRequest");
    assert_eq!(req.certificate().as_ref(), &pki_der("self-signed.crt")[..]);
    assert_eq!(req.issuer(), None);
    assert_eq!(req.server_name(), Some("self-signed.example.test"));
    let bytes = staple("self-signed");
    pair.complete(req.respond(bytes.clone()).unwrap()).unwrap();
    assert_eq!(verifier.last_staple(), Some(bytes));
}

#[test]
fn must_staple_leaf_raises_the_event() {
    let verifier = RecordingVerifier::new();
    let mut pair = Pair::with_name(
        client_config(verifier.clone()),
        Arc::new(server_config("must-staple.crt", "must-staple.key", true)),
        "must-staple.example.test",
    );
    pair.run().unwrap();
    let req = pair.ocsp_requests.pop().expect("OcspRequest");
    assert_eq!(req.certificate().as_ref(), &pki_der("must-staple.crt")[..]);
    assert_eq!(
        req.issuer().map(|b| b.to_vec()),
        Some(pki_der("root-ca.crt"))
    );
    let bytes = staple("must-staple");
    pair.complete(req.respond(bytes.clone()).unwrap()).unwrap();
    assert_eq!(verifier.last_staple(), Some(bytes));
}

// ---------------------------------------------------------------------------
// Backpressure while paused.

#[test]
fn feed_takes_nothing_while_paused() {
    let (mut pair, req) = paused(RecordingVerifier::new());
    // Whatever arrives (even bytes that would be fatal) is not taken, not
    // looked at, and nothing is written.
    for input in [&[0x17; 100][..], &[0xff; 20_000][..], &[22, 3, 3, 0, 1, 1]] {
        assert_eq!(pair.server.feed(input), Ok(0));
        assert!(pair.server.poll_transmit().is_none());
        assert!(pair.server.poll_event().is_none());
        assert!(pair.server.paused_for().is_some());
    }
    // It resumes normally.
    pair.complete(req.no_response()).unwrap();
    assert!(!pair.client.is_handshaking());
}

#[test]
fn bytes_behind_the_hello_wait_for_the_completion() {
    // The hello, and the client's compatibility CCS behind it in the same
    // read, reach a server that pauses on the hello.
    let mut pair = Pair::new(
        client_config(RecordingVerifier::new()),
        Arc::new(ecdsa_server_config(true)),
    );
    let mut flight = Vec::new();
    while pair.client.wants_write() {
        pair.client.write_tls(&mut flight).unwrap();
    }
    let hello_len = flight.len();
    flight.extend_from_slice(&[20, 3, 3, 0, 1, 1]);
    flight.extend_from_slice(&record(23, 0x0303, &[0xaa; 100]));

    let taken = pair.server.feed(&flight).unwrap();
    assert!(pair.server.paused_for().is_some());
    // What was taken is held (at most one record's worth of buffer);
    // nothing more is taken while paused.
    assert!(taken >= hello_len && taken <= hello_len + 5 + (1 << 14) + 256);
    assert!(pair.server.poll_transmit().is_none());
    assert_eq!(pair.server.feed(&flight[taken..]), Ok(0));
    assert_eq!(pair.server.feed(b"more"), Ok(0));
    pair.drain_server();
    assert_eq!(pair.ocsp_requests.len(), 1);
    assert_eq!(pair.events.len(), 0);

    // After the completion the buffered bytes are processed: the CCS is
    // dropped, the junk application_data record fails authentication.
    let req = pair.ocsp_requests.pop().unwrap();
    let result = pair.server.complete(req.no_response(), common::ANY_TIME);
    assert!(
        matches!(
            &result,
            Err(CompleteError::Failed(Error::InvalidMessage(
                InvalidMessage::DecryptFailed
            )))
        ),
        "{result:?}"
    );
    pair.drain_server();
    assert_eq!(
        pair.closed(),
        CloseReason::Error {
            error: InvalidMessage::DecryptFailed.into(),
            alert: Some(AlertDescription::BadRecordMac),
        }
    );
}
