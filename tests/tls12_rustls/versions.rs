//! Versions: the server's version limit, the TLS 1.3 downgrade sentinel in
//! ServerHello.random, and the fallback SCSV (RFC 7507).

use std::sync::Arc;

use stapler::server::ProtocolVersion;
use stapler::{PeerMisbehaved, ServerConfig, ServerConnection};

use super::common;
use super::common::rustls_pair::{
    client_config_offering, config_with_versions, ecdsa_server_config, pki, tls12_client_config,
    Pair, RecordingVerifier,
};
use super::common::tls12_client::{
    split_records, tls12_extensions, tls12_hello, HandClient, HANDSHAKE,
};
use super::common::wire::{plaintext_alert, rejects_with};
use super::{hand_data, hand_handshake};

/// The server's ServerHello.random, read from its first flight (TLS 1.2's
/// flight is in the clear).
fn server_random(flight: &[u8]) -> [u8; 32] {
    let records = split_records(flight);
    assert_eq!(records[0].typ, HANDSHAKE);
    let hello = &records[0].fragment;
    assert_eq!(hello[0], 2, "ServerHello first");
    hello[6..38].try_into().unwrap()
}

const DOWNGRD_01: [u8; 8] = *b"DOWNGRD\x01";

#[test]
fn a_server_that_speaks_tls13_marks_a_tls12_server_hello() {
    let mut pair = Pair::new(
        tls12_client_config(RecordingVerifier::new()),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.client_to_server().unwrap();
    let random = server_random(&pair.to_client);
    // RFC 8446 §4.1.3: the last eight bytes, exactly.
    assert_eq!(random[24..], DOWNGRD_01);
    assert_eq!(
        random[24..],
        [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]
    );
    pair.run().unwrap();
    assert_eq!(pair.summary().unwrap().version, ProtocolVersion::Tls12);
}

#[test]
fn a_tls12_only_server_does_not_mark_its_random() {
    for _ in 0..4 {
        let mut pair = Pair::new(
            tls12_client_config(RecordingVerifier::new()),
            Arc::new(config_with_versions(&[ProtocolVersion::Tls12])),
        );
        pair.client_to_server().unwrap();
        assert_ne!(server_random(&pair.to_client)[24..], DOWNGRD_01);
    }
}

#[test]
fn a_tls13_client_gets_tls12_from_a_tls12_only_server() {
    // rustls offers both and checks the sentinel: it must find none.
    let both = client_config_offering(
        &[&rustls::version::TLS13, &rustls::version::TLS12],
        RecordingVerifier::new(),
        rustls::crypto::ring::default_provider(),
    );
    let mut pair = Pair::new(
        both,
        Arc::new(config_with_versions(&[ProtocolVersion::Tls12])),
    );
    pair.run().unwrap();
    assert_eq!(
        pair.client.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );
    assert_eq!(pair.summary().unwrap().version, ProtocolVersion::Tls12);
    pair.exchange_data();
}

#[test]
fn a_tls12_client_gets_protocol_version_from_a_tls13_only_server() {
    let mut pair = Pair::new(
        tls12_client_config(RecordingVerifier::new()),
        Arc::new(config_with_versions(&[ProtocolVersion::Tls13])),
    );
    assert_eq!(
        pair.client_to_server(),
        Err(PeerMisbehaved::NoCommonVersion.into())
    );
    assert_eq!(pair.to_client, plaintext_alert(70));
}

#[test]
fn an_empty_version_list_is_refused() {
    let err = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .protocol_versions(&[])
        .err()
        .unwrap();
    assert!(matches!(
        err,
        stapler::server::ConfigError::NoProtocolVersion
    ));
}

const FALLBACK_SCSV: u16 = 0x5600;

#[test]
fn fallback_scsv_to_a_tls13_server_is_inappropriate_fallback() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(
        &[0xc02b, FALLBACK_SCSV],
        tls12_extensions(true, false),
    ));
    rejects_with(
        &mut server,
        &client.client_hello(),
        PeerMisbehaved::InappropriateFallback.into(),
        86,
    );
}

#[test]
fn fallback_scsv_to_a_tls12_only_server_is_no_fallback() {
    // The client's highest version is the server's: nothing was lost.
    let mut server =
        ServerConnection::new(Arc::new(config_with_versions(&[ProtocolVersion::Tls12])));
    let mut client = HandClient::new(tls12_hello(
        &[FALLBACK_SCSV, 0xc02b],
        tls12_extensions(true, false),
    ));
    hand_handshake(&mut server, &mut client);
    hand_data(&mut server, &mut client);
}

#[test]
fn fallback_scsv_from_a_client_offering_tls13_is_no_fallback() {
    // With TLS 1.3 offered and taken, the SCSV says nothing (RFC 7507 §3
    // compares with the client's highest version).
    let mut pair = Pair::new(
        common::rustls_pair::client_config(RecordingVerifier::new()),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.run().unwrap();
    assert_eq!(pair.summary().unwrap().version, ProtocolVersion::Tls13);
}
