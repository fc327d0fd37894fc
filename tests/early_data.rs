//! 0-RTT data that the server does not accept (RFC 8446 §4.2.10): it is
//! skipped, up to `MAX_SKIPPED_EARLY_DATA`, and the handshake goes on as a
//! 1-RTT one. Real 0-RTT comes from a rustls client holding a ticket that
//! a rustls server issued with early data allowed; the limits are driven
//! with hand-built hellos and records.

mod common;

use std::sync::Arc;

use common::hello_encoder::{record, ExtensionModel, HelloModel};
use common::rustls_pair::{client_config, pki, Pair, RecordingVerifier};
use common::tls12_client::split_records;
use common::tls13_wire::{fresh_server, good_hello, with};
use common::wire::{feed_all, rejects_with};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use stapler::{
    Event, InvalidMessage, NamedGroup, PeerMisbehaved, ServerConfig, ServerConnection,
    MAX_SKIPPED_EARLY_DATA,
};

const APPLICATION_DATA: u8 = 23;

/// A rustls server that issues tickets allowing 16 KiB of early data.
fn ticket_server() -> Arc<rustls::ServerConfig> {
    let cert = common::rustls_pair::pki_der("leaf-ecdsa.crt");
    let key = pki("leaf-ecdsa.key.der");
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(cert)],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
    )
    .unwrap();
    config.max_early_data_size = 16384;
    Arc::new(config)
}

/// A rustls client config that holds a 0-RTT ticket for "localhost",
/// issued by another server (a rustls one): the position of every client
/// that meets stapler behind a load balancer it shares with such servers.
fn client_with_ticket() -> rustls::ClientConfig {
    let mut config = client_config(RecordingVerifier::new());
    config.enable_early_data = true;
    let config = Arc::new(config);
    let name = ServerName::try_from("localhost").unwrap();
    let mut client = rustls::ClientConnection::new(config.clone(), name).unwrap();
    let mut server = rustls::ServerConnection::new(ticket_server()).unwrap();
    // Until the client has read the tickets the server sends after its
    // Finished.
    for _ in 0..10 {
        let mut buf = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut buf).unwrap();
        }
        server.read_tls(&mut &buf[..]).unwrap();
        server.process_new_packets().unwrap();
        let mut buf = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut buf).unwrap();
        }
        client.read_tls(&mut &buf[..]).unwrap();
        client.process_new_packets().unwrap();
    }
    assert!(!client.is_handshaking());
    (*config).clone()
}

/// A pair whose client offers a ticket stapler cannot use and has written
/// `early` as 0-RTT data behind its ClientHello.
fn pair_with_early_data(server: ServerConfig, early: &[u8]) -> Pair {
    let mut pair = Pair::new(client_with_ticket(), Arc::new(server));
    let mut writer = pair
        .client
        .early_data()
        .expect("the ticket allows early data");
    assert_eq!(
        std::io::Write::write(&mut writer, early).unwrap(),
        early.len()
    );
    pair
}

fn ecdsa_server() -> ServerConfig {
    common::rustls_pair::ecdsa_server_config(false)
}

#[test]
fn early_data_after_a_1rtt_server_hello_is_skipped() {
    let mut pair = pair_with_early_data(ecdsa_server(), b"GET /early HTTP/1.1\r\n\r\n");
    pair.run().unwrap();
    assert!(pair.server.is_handshake_complete());
    // EncryptedExtensions carried no early_data: the client knows its
    // 0-RTT data was refused.
    assert!(!pair.client.is_early_data_accepted());
    assert!(
        pair.server_reads().is_empty(),
        "0-RTT data never reaches the application"
    );
    // The connection works as a 1-RTT one.
    std::io::Write::write_all(&mut pair.client.writer(), b"GET / HTTP/1.1\r\n\r\n").unwrap();
    pair.run().unwrap();
    assert_eq!(pair.server_reads(), b"GET / HTTP/1.1\r\n\r\n");
}

#[test]
fn early_data_in_many_records_is_skipped() {
    // 16 KiB in 40 records (rustls cuts 0-RTT writes into records as it
    // would any data): each is tried with the handshake key and dropped.
    let early: Vec<u8> = (0..16384u32).map(|i| i as u8).collect();
    let mut pair = pair_with_early_data(ecdsa_server(), &early);
    pair.run().unwrap();
    assert!(pair.server.is_handshake_complete());
    assert!(pair.server_reads().is_empty());
}

#[test]
fn early_data_after_a_hello_retry_is_skipped_until_the_second_hello() {
    // The server takes P-384 only; the rustls client's one share is x25519.
    let mut pair = pair_with_early_data(p384_config(), b"GET /early HTTP/1.1\r\n\r\n");
    pair.run().unwrap();
    assert!(pair.server.is_handshake_complete());
    assert!(pair.summary().unwrap().hello_retry);
    assert!(!pair.client.is_early_data_accepted());
    assert!(pair.server_reads().is_empty());
}

/// A TLS 1.3 hello that offers early data with a PSK this server cannot
/// use (it accepts none), as a client resuming elsewhere would.
fn hello_offering_early_data(groups: &[u16], share_group: u16) -> HelloModel {
    let mut hello = good_hello();
    let exts = hello.extensions.as_mut().unwrap();
    exts.retain(|e| {
        !matches!(
            e,
            ExtensionModel::SupportedGroups(_) | ExtensionModel::KeyShare(_)
        )
    });
    exts.push(ExtensionModel::SupportedGroups(groups.to_vec()));
    exts.push(ExtensionModel::KeyShare(vec![(
        share_group,
        common::tls13_wire::x25519_public_key(),
    )]));
    exts.push(ExtensionModel::EarlyData);
    exts.push(ExtensionModel::PskKeyExchangeModes(vec![1]));
    exts.push(ExtensionModel::PreSharedKey {
        identities: vec![(b"a ticket from another server".to_vec(), 0x1234_5678)],
        binders: vec![vec![0xb1; 32]],
    });
    hello
}

/// Application data records of `len` bytes each, holding bytes no key of
/// this connection opens, `total` bytes on the wire in all.
fn undecryptable_records(total: usize, len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < total {
        let body = (total - out.len() - 5).min(len);
        out.extend(record(APPLICATION_DATA, 0x0303, &vec![0xee; body]));
    }
    assert_eq!(out.len(), total);
    out
}

#[test]
fn skipped_early_data_is_bounded_after_a_server_hello() {
    let hello = hello_offering_early_data(&[0x001d], 0x001d)
        .builder()
        .record();
    // Up to the limit: skipped, nothing but the server flight is written.
    let mut server = fresh_server();
    let flood = undecryptable_records(MAX_SKIPPED_EARLY_DATA, 16384 + 256);
    let (result, out, events) = feed_all(&mut server, &[hello.clone(), flood.clone()].concat());
    assert_eq!(result, Ok(hello.len() + flood.len()));
    assert!(events.is_empty(), "{events:?}");
    assert!(!out.is_empty() && !server.is_closed());
    // One byte more is a record that fails authentication: bad_record_mac,
    // protected under the server's handshake key.
    let (result, out, _) = feed_all(&mut server, &record(APPLICATION_DATA, 0x0303, &[0xee]));
    assert_eq!(result, Err(InvalidMessage::DecryptFailed.into()));
    assert_eq!(out[0], APPLICATION_DATA, "a protected alert");
    assert!(server.is_closed());
}

#[test]
fn without_an_early_data_offer_nothing_is_skipped() {
    // The control: the same record after a hello that offers no early data
    // is a record that fails authentication.
    let hello = with(good_hello(), ExtensionModel::PskKeyExchangeModes(vec![1]))
        .builder()
        .record();
    let mut server = fresh_server();
    let input = [hello, record(APPLICATION_DATA, 0x0303, &[0xee; 40])].concat();
    let (result, _, _) = feed_all(&mut server, &input);
    assert_eq!(result, Err(InvalidMessage::DecryptFailed.into()));
}

/// A config that takes P-384 only, so that an x25519 share gets a
/// HelloRetryRequest.
fn p384_config() -> ServerConfig {
    ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .key_exchange_groups(&[NamedGroup::Secp384r1])
        .unwrap()
        .build()
        .unwrap()
}

fn p384_server() -> ServerConnection {
    ServerConnection::new(Arc::new(p384_config()))
}

#[test]
fn skipped_early_data_is_bounded_after_a_hello_retry() {
    let hello = hello_offering_early_data(&[0x001d, 0x0018], 0x001d)
        .builder()
        .record();
    let mut server = p384_server();
    let flood = undecryptable_records(MAX_SKIPPED_EARLY_DATA, 1000);
    let (result, out, events) = feed_all(&mut server, &[hello.clone(), flood.clone()].concat());
    assert_eq!(result, Ok(hello.len() + flood.len()));
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(out[0], 22, "the HelloRetryRequest");
    // Past the limit: unexpected_message, in the clear (no keys yet).
    rejects_with(
        &mut server,
        &record(APPLICATION_DATA, 0x0303, &[0xee]),
        PeerMisbehaved::TooMuchEarlyData.into(),
        10,
    );
}

#[test]
fn a_second_hello_that_still_offers_early_data_is_illegal_parameter() {
    let first = hello_offering_early_data(&[0x001d, 0x0018], 0x001d);
    let mut server = p384_server();
    let (result, out, _) = feed_all(&mut server, &first.builder().record());
    assert!(result.is_ok() && out[0] == 22);
    // The second hello answers the retry with a P-384 share but keeps
    // early_data (RFC 8446 §4.1.2 says to remove it).
    let mut second = first;
    for ext in second.extensions.as_mut().unwrap() {
        if let ExtensionModel::KeyShare(shares) = ext {
            *shares = vec![(0x0018, p384_public_key())];
        }
    }
    rejects_with(
        &mut server,
        &second.builder().record(),
        PeerMisbehaved::EarlyDataAfterRetry.into(),
        47,
    );
}

fn p384_public_key() -> Vec<u8> {
    let rng = ring::rand::SystemRandom::new();
    let private =
        ring::agreement::EphemeralPrivateKey::generate(&ring::agreement::ECDH_P384, &rng).unwrap();
    private.compute_public_key().unwrap().as_ref().to_vec()
}

#[test]
fn skipped_records_leave_no_event_and_the_flight_is_whole() {
    // The ServerHello flight comes out once, whether or not early data
    // follows the hello in the same read.
    let hello = hello_offering_early_data(&[0x001d], 0x001d)
        .builder()
        .record();
    let (_, alone, _) = feed_all(&mut fresh_server(), &hello);
    let mut server = fresh_server();
    let input = [hello, undecryptable_records(3000, 1000)].concat();
    let (result, out, events) = feed_all(&mut server, &input);
    assert_eq!(result, Ok(input.len()));
    let types = |bytes: &[u8]| -> Vec<u8> { split_records(bytes).iter().map(|r| r.typ).collect() };
    assert_eq!(types(&out), types(&alone));
    assert!(!events.iter().any(|e| matches!(e, Event::DataReady)));
    assert!(server.received().is_empty());
}
