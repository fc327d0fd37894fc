//! A request dropped unanswered must not hang its connection: the next
//! call notices, closes with internal_error and says why. A request still
//! held, however long, leaves the connection paused.

mod common;

use common::rustls_pair::{client_config, tls12_client_config, Pair, RecordingVerifier};
use common::wire::plaintext_alert;
use stapler::{CloseReason, CompleteError, Error, Event, ServerConnection};

const INTERNAL_ERROR: u8 = 80;

fn paused_pairs() -> [(Pair, stapler::OcspRequest); 2] {
    [
        Pair::paused(client_config(RecordingVerifier::new())),
        Pair::paused(tls12_client_config(RecordingVerifier::new())),
    ]
}

/// Asserts that `server` closed because its request was dropped: the
/// internal_error alert in the clear (nothing had been written), then the
/// Closed event with the reason.
#[track_caller]
fn closed_for_the_drop(server: &mut ServerConnection) {
    let events: Vec<Event> = std::iter::from_fn(|| server.poll_event()).collect();
    assert!(server.is_closed());
    assert!(server.paused_for().is_none());
    match &events[..] {
        [Event::Closed(CloseReason::Error { error, alert })] => {
            assert_eq!(*error, Error::RequestDropped);
            assert_eq!(alert.map(u8::from), Some(INTERNAL_ERROR));
        }
        other => panic!("{other:?}"),
    }
    let mut out = Vec::new();
    server.write_tls_into(&mut out);
    assert_eq!(out, plaintext_alert(INTERNAL_ERROR));
}

#[test]
fn a_dropped_request_closes_the_connection_on_the_next_feed() {
    for (mut pair, request) in paused_pairs() {
        drop(request);
        assert_eq!(pair.server.feed(&[]), Err(Error::RequestDropped));
        closed_for_the_drop(&mut pair.server);
    }
}

#[test]
fn a_dropped_completion_is_noticed_like_a_dropped_request() {
    for (mut pair, request) in paused_pairs() {
        drop(request.no_response());
        // Draining is a call too: the Closed event comes out of it.
        closed_for_the_drop(&mut pair.server);
    }
}

#[test]
fn polling_alone_notices_the_drop() {
    for (mut pair, request) in paused_pairs() {
        drop(request);
        let mut out = Vec::new();
        pair.server.write_tls_into(&mut out);
        assert_eq!(out, plaintext_alert(INTERNAL_ERROR));
        assert!(pair.server.is_closed());
    }
}

#[test]
fn a_request_still_held_keeps_the_connection_paused() {
    for (mut pair, request) in paused_pairs() {
        for _ in 0..3 {
            assert_eq!(pair.server.feed(b"\x16\x03\x03"), Ok(0));
            assert!(pair.server.poll_event().is_none());
            assert!(pair.server.poll_transmit().is_none());
            assert!(pair.server.paused_for().is_some());
        }
        // And it still completes.
        pair.complete(request.no_response()).unwrap();
        pair.run().unwrap();
        assert!(pair.server.is_handshake_complete());
    }
}

#[test]
fn a_completion_for_a_closed_connection_is_refused_as_closed() {
    for (mut pair, request) in paused_pairs() {
        pair.server.close();
        let refused = pair
            .server
            .complete(request.no_response(), common::ANY_TIME);
        assert!(matches!(refused, Err(CompleteError::Closed)), "{refused:?}");
    }
}

#[test]
fn answer_staples_some_and_takes_empty_or_none_for_no_staple() {
    use stapler::OcspOutcome;
    let staple = bytes::Bytes::from_static(b"\x30\x03\x0a\x01\x00 a staple");
    for (answer, outcome) in [
        (Some(staple.clone()), OcspOutcome::Stapled(staple.len())),
        (Some(bytes::Bytes::new()), OcspOutcome::NoResponse),
        (None, OcspOutcome::NoResponse),
    ] {
        for (mut pair, request) in paused_pairs() {
            pair.complete(request.answer(answer.clone())).unwrap();
            assert_eq!(pair.summary().unwrap().ocsp, outcome);
        }
    }
}
