//! Alerts and closing after the handshake: warnings ignored, fatal alerts
//! close unanswered, and plaintext records after the key change refused.

use std::sync::Arc;

use stapler::{CloseReason, Error, Event, InvalidMessage, ServerConnection};

use super::common;
use super::common::rustls_pair::ecdsa_server_config;
use super::common::tls12_client::{
    split_records, tls12_extensions, tls12_hello, HandClient, ALERT, APPLICATION_DATA,
};
use super::common::wire::feed_all;
use super::{hand_data, hand_handshake};

#[test]
fn warnings_are_ignored_and_fatal_alerts_close() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    hand_handshake(&mut server, &mut client);
    // A warning (here unrecognized_name) lets the connection go on
    // (RFC 5246 §7.2.2).
    let (result, out, events) = feed_all(&mut server, &client.seal(ALERT, &[1, 112]));
    assert_eq!(result.map(|_| ()), Ok(()));
    assert!(out.is_empty() && events.is_empty());
    hand_data(&mut server, &mut client);
    // A fatal alert ends it, unanswered.
    let (result, out, events) = feed_all(&mut server, &client.seal(ALERT, &[2, 40]));
    let handshake_failure = stapler::codec::AlertDescription::HandshakeFailure;
    assert_eq!(result, Err(Error::AlertReceived(handshake_failure)));
    assert!(out.is_empty());
    assert!(matches!(
        &events[..],
        [Event::Closed(CloseReason::PeerAlert(a))] if *a == handshake_failure
    ));
}

#[test]
fn plaintext_records_after_the_key_change_are_refused() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    hand_handshake(&mut server, &mut client);
    let (result, out, _) = feed_all(
        &mut server,
        &common::hello_encoder::record(APPLICATION_DATA, 0x0303, b"in the clear, 24+ bytes long"),
    );
    assert_eq!(result, Err(InvalidMessage::DecryptFailed.into()));
    let records = split_records(&out);
    assert_eq!(records[0].typ, ALERT);
    assert_eq!(client.open(&records[0]), [2, 20]);
}
