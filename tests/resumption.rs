//! Session resumption (issue 11): TLS 1.3 session tickets issued after the
//! handshake, and the handshakes that resume with them, against rustls's
//! client with its resumption on.

mod common;

use std::sync::Arc;

use common::rustls_pair::{default_client_config, ecdsa_server_config, Pair};
use stapler::codec::ClientHello;
use stapler::ProtocolVersion;

const NOW: u64 = 1_800_000_000;

/// The ClientHello the client would send next, as a view's owner: its
/// first record's handshake body.
fn next_hello(client: &Arc<rustls::ClientConfig>) -> Vec<u8> {
    let mut conn = rustls::ClientConnection::new(
        Arc::clone(client),
        "localhost".try_into().unwrap(),
    )
    .unwrap();
    let mut bytes = Vec::new();
    conn.write_tls(&mut bytes).unwrap();
    bytes[5 + 4..].to_vec()
}

#[test]
fn a_full_tls13_handshake_issues_tickets_the_client_takes() {
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    let server = Arc::new(ecdsa_server_config(false));
    // Before any handshake, the client has nothing to resume.
    let hello = next_hello(&client);
    assert!(ClientHello::parse(&hello).unwrap().pre_shared_key().is_none());

    let mut pair = Pair::at(Arc::clone(&client), Arc::clone(&server), "localhost", NOW);
    pair.run().unwrap();
    assert!(pair.server.is_handshake_complete());
    // The tickets came with the server's answer to the Finished.
    pair.server_to_client().unwrap();
    assert!(server.ticket_keys().is_some(), "the keys were made at NOW");

    let hello = next_hello(&client);
    let hello = ClientHello::parse(&hello).unwrap();
    let offer = hello.pre_shared_key().expect("the client offers a ticket");
    assert_eq!(offer.identities().count(), 1);
}

#[test]
fn a_connection_without_the_time_issues_no_ticket() {
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    let server = Arc::new(ecdsa_server_config(false));
    let mut pair = Pair::new((*client).clone(), Arc::clone(&server));
    pair.run().unwrap();
    pair.server_to_client().unwrap();
    assert!(server.ticket_keys().is_none());
}
