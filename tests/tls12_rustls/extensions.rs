//! ALPN and SNI as in TLS 1.3, secure renegotiation answered, and
//! renegotiation refused after the handshake.

use std::sync::Arc;

use stapler::server::ProtocolVersion;
use stapler::{PeerMisbehaved, ServerConnection};

use super::common::hello_encoder::ExtensionModel;
use super::common::rustls_cases::alpn_pair;
use super::common::rustls_pair::ecdsa_server_config;
use super::common::tls12_client::{
    split_records, tls12_extensions, tls12_hello, HandClient, ALERT, HANDSHAKE,
};
use super::common::wire::feed_all;
use super::{flight_shape, hand_data, hand_handshake};

#[test]
fn alpn_and_sni_as_in_tls13() {
    let mut pair = alpn_pair(ProtocolVersion::Tls12, &[b"http/1.1", b"h2"]);
    pair.client_to_server().unwrap();
    let (_, extensions) = flight_shape(&pair.to_client);
    assert!(extensions.contains(&16), "ALPN in ServerHello");
    assert!(extensions.contains(&0), "SNI acknowledged");
    assert!(extensions.contains(&0xff01), "renegotiation_info answered");
    assert!(extensions.contains(&23), "EMS echoed");
    pair.run().unwrap();
    assert_eq!(pair.client.alpn_protocol(), Some(&b"h2"[..]));
    let summary = pair.summary().unwrap();
    assert_eq!(summary.alpn_protocol.as_deref(), Some(&b"h2"[..]));
    assert_eq!(summary.server_name.as_deref(), Some("localhost"));
}

#[test]
fn the_renegotiation_scsv_is_answered_with_renegotiation_info() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::RenegotiationInfo(_)));
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b, 0x00ff], exts.clone()));
    hand_handshake(&mut server, &mut client);
    assert_eq!(client.flight.extension(0xff01), Some(&[0][..]));
    // Neither the SCSV nor the extension: no renegotiation_info.
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], exts));
    hand_handshake(&mut server, &mut client);
    assert_eq!(client.flight.extension(0xff01), None);
}

#[test]
fn a_renegotiation_attempt_gets_a_warning_and_the_connection_goes_on() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    hand_handshake(&mut server, &mut client);
    let hello = client.hello.builder().handshake();
    let record = client.seal(HANDSHAKE, &hello);
    let (result, out, events) = feed_all(&mut server, &record);
    result.unwrap();
    assert!(events.is_empty(), "{events:?}");
    let records = split_records(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].typ, ALERT);
    // warning(1) no_renegotiation(100), protected (RFC 5246 §7.2.2).
    assert_eq!(client.open(&records[0]), [1, 100]);
    assert!(server.is_handshake_complete());
    hand_data(&mut server, &mut client);
}

#[test]
fn other_handshake_messages_after_the_handshake_are_unexpected() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    hand_handshake(&mut server, &mut client);
    let record = client.seal(
        HANDSHAKE,
        &[20, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let (result, out, _) = feed_all(&mut server, &record);
    assert_eq!(
        result,
        Err(PeerMisbehaved::UnexpectedMessage("Finished").into())
    );
    // The alert is protected now.
    let records = split_records(&out);
    assert_eq!(records[0].typ, ALERT);
    assert_eq!(client.open(&records[0]), [2, 10]);
}
