//! A `ServerConnection` fed bytes made by hand, whole, and what it answers:
//! the bytes it wrote, its events, and the alert it closed with.

use stapler::codec::AlertDescription;
use stapler::{CloseReason, Error, Event, ServerConnection};

/// The plaintext fatal alert record a server sends before it protects its
/// records: alert(21), legacy version 0x0303, length 2, fatal(2), and the
/// description.
pub fn plaintext_alert(description: u8) -> Vec<u8> {
    vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, description]
}

/// Feeds `input` whole; returns the result, everything written, and the
/// events.
pub fn feed_all(
    server: &mut ServerConnection,
    input: &[u8],
) -> (Result<usize, Error>, Vec<u8>, Vec<Event>) {
    let result = server.feed(input);
    let mut out = Vec::new();
    while let Some(bytes) = server.poll_transmit() {
        out.extend(bytes);
    }
    let events = std::iter::from_fn(|| server.poll_event()).collect();
    (result, out, events)
}

/// `input` fails with `error`, sends exactly the plaintext alert
/// `description` (the one `error` maps to), and closes with both.
#[track_caller]
pub fn rejects_with(server: &mut ServerConnection, input: &[u8], error: Error, description: u8) {
    let (result, out, events) = feed_all(server, input);
    assert_eq!(result, Err(error.clone()));
    assert_eq!(out, plaintext_alert(description), "alert bytes");
    let alert = AlertDescription::from(&error);
    assert_eq!(u8::from(alert), description);
    match &events[..] {
        [Event::Closed(reason)] => assert_eq!(
            *reason,
            CloseReason::Error {
                error,
                alert: Some(alert),
            }
        ),
        other => panic!("expected one Closed event, got {other:?}"),
    }
    assert!(server.is_closed());
}
