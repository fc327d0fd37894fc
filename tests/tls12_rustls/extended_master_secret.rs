//! The hand-built client's no-EMS path: the extended master secret offered
//! or not, and required by the server (RFC 7627).

use std::sync::Arc;

use stapler::{PeerMisbehaved, ServerConfig, ServerConnection};

use super::common::rustls_pair::{
    ecdsa_server_config, pki, tls12_client_config, Pair, RecordingVerifier,
};
use super::common::tls12_client::{tls12_extensions, tls12_hello, HandClient};
use super::common::wire::rejects_with;
use super::{hand_data, hand_handshake};

#[test]
fn hand_client_with_extended_master_secret() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    let summary = hand_handshake(&mut server, &mut client);
    assert!(summary.extended_master_secret);
    assert_eq!(client.flight.extension(23), Some(&[][..]), "EMS echoed");
    hand_data(&mut server, &mut client);
}

#[test]
fn without_extended_master_secret_the_classic_derivation_is_used() {
    for suite in [0xc02b, 0xc02c, 0xcca9] {
        let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
        let mut client = HandClient::new(tls12_hello(&[suite], tls12_extensions(false, false)));
        let summary = hand_handshake(&mut server, &mut client);
        assert!(!summary.extended_master_secret);
        assert_eq!(summary.cipher_suite.to_wire(), suite);
        assert_eq!(client.flight.extension(23), None, "EMS not echoed");
        hand_data(&mut server, &mut client);
    }
}

#[test]
fn extended_master_secret_can_be_required() {
    let config = || {
        ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .require_extended_master_secret(true)
            .build()
            .unwrap()
    };
    // A client that offers it is served as usual...
    let mut server = ServerConnection::new(Arc::new(config()));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    assert!(hand_handshake(&mut server, &mut client).extended_master_secret);
    // ...one that does not gets handshake_failure (RFC 7627 §5.3).
    let mut server = ServerConnection::new(Arc::new(config()));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(false, false)));
    rejects_with(
        &mut server,
        &client.client_hello(),
        PeerMisbehaved::NoExtendedMasterSecret.into(),
        40,
    );
    // And so does rustls, were it to leave it out: it never does.
    let mut pair = Pair::new(
        tls12_client_config(RecordingVerifier::new()),
        Arc::new(config()),
    );
    pair.run().unwrap();
    assert!(pair.summary().unwrap().extended_master_secret);
}
