//! Established connections, and application data through them, for
//! tests/data_path_alloc.rs and benches/data_path.rs: a stapler server and
//! a rustls server, each with the rustls client in memory, and what each
//! server's calls cost in heap.
//!
//! Every server call is made inside [`metered`], which adds the bytes the
//! call left allocated (its allocations less its frees, on this thread) to
//! a running count, so that after a handshake the count is the heap the
//! server connection holds, and nothing of the client's is in it. What a
//! server hands out (events, output) is dropped or moved into a buffer the
//! caller made large enough up front, inside the call.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::ClientConnection;
use stapler::ServerConnection;

use super::resumed::{psk_client::PskClient, RESUME_NOW};
use super::{client_answers, client_reads, pki, rustls_exchange, Fixture, Io};
use crate::counting_alloc::Snapshot;

/// Runs `f`, a server's call, and adds to `held` the heap it left
/// allocated.
pub fn metered<T>(held: &mut i64, f: impl FnOnce() -> T) -> T {
    let before = Snapshot::now();
    let value = f();
    *held += Snapshot::now().since(before).live;
    value
}

/// A stapler connection of `config` with its handshake done and its output
/// read by the client, and the heap it holds. With `now`, it issues the
/// session tickets the config says (the client reads them).
pub fn stapler_established(
    config: &Arc<stapler::ServerConfig>,
    client: &Arc<rustls::ClientConfig>,
    now: Option<u64>,
    io: &mut Io,
) -> (ServerConnection, ClientConnection, i64) {
    let mut held = 0;
    let mut client = client_hello(client, io);
    let mut conn = metered(&mut held, || {
        let mut conn = match now {
            Some(now) => ServerConnection::new_at(config.clone(), now),
            None => ServerConnection::new(config.clone()),
        };
        conn.feed(&io.to_server).expect("hello accepted");
        while conn.poll_event().is_some() {}
        conn.write_tls_into(&mut io.to_client);
        conn
    });
    client_answers(&mut client, io);
    metered(&mut held, || {
        conn.feed(&io.to_server).expect("Finished accepted");
        while conn.poll_event().is_some() {}
        conn.write_tls_into(&mut io.to_client);
    });
    client_reads(&mut client, io);
    assert!(conn.is_handshake_complete() && !client.is_handshaking());
    (conn, client, held)
}

/// The same with a rustls server.
pub fn rustls_established(
    config: &Arc<rustls::ServerConfig>,
    client: &Arc<rustls::ClientConfig>,
    io: &mut Io,
) -> (rustls::ServerConnection, ClientConnection, i64) {
    let mut held = 0;
    let mut client = client_hello(client, io);
    let mut conn = metered(&mut held, || {
        let mut conn = rustls::ServerConnection::new(config.clone()).expect("server");
        rustls_exchange(
            &mut conn,
            &io.to_server,
            &mut io.to_client,
            "hello accepted",
        );
        conn
    });
    client_answers(&mut client, io);
    metered(&mut held, || {
        rustls_exchange(
            &mut conn,
            &io.to_server,
            &mut io.to_client,
            "Finished accepted",
        )
    });
    client_reads(&mut client, io);
    assert!(!conn.is_handshaking() && !client.is_handshaking());
    (conn, client, held)
}

fn client_hello(config: &Arc<rustls::ClientConfig>, io: &mut Io) -> ClientConnection {
    let name = ServerName::try_from("localhost").unwrap();
    let mut client = ClientConnection::new(config.clone(), name).expect("client");
    io.to_server.clear();
    io.to_client.clear();
    while client.wants_write() {
        client.write_tls(&mut io.to_server).unwrap();
    }
    client
}

/// The client's records for `data`, appended to `tls`.
pub fn client_records(client: &mut ClientConnection, data: &[u8], tls: &mut Vec<u8>) {
    client.writer().write_all(data).unwrap();
    while client.wants_write() {
        client.write_tls(tls).unwrap();
    }
}

/// The client reads `tls` (the server's records) and returns the data.
pub fn client_opens(client: &mut ClientConnection, tls: &[u8]) -> Vec<u8> {
    let mut input = tls;
    let mut got = Vec::new();
    let mut buf = vec![0; 1 << 16];
    while !input.is_empty() {
        client.read_tls(&mut input).unwrap();
        client.process_new_packets().expect("client accepts");
        loop {
            match client.reader().read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => panic!("client read: {e}"),
            }
        }
    }
    got
}

/// stapler opens the records in `tls` where they lie and hands each
/// record's data to `sink`; returns the bytes of data.
pub fn stapler_open_in_place(
    conn: &mut ServerConnection,
    tls: &mut [u8],
    mut sink: impl FnMut(&[u8]),
) -> usize {
    let mut start = 0;
    let mut total = 0;
    while start < tls.len() {
        let fed = conn
            .feed_in_place(&mut tls[start..])
            .expect("record accepted");
        assert!(fed.consumed > 0, "whole records only");
        total += fed.data.len();
        sink(fed.data);
        start += fed.consumed;
    }
    total
}

/// stapler takes the records in `tls` with `feed` and they are read with
/// `received` and `consume`; returns the bytes of data.
pub fn stapler_open_buffered(
    conn: &mut ServerConnection,
    tls: &[u8],
    mut sink: impl FnMut(&[u8]),
) -> usize {
    let mut rest = tls;
    let mut total = 0;
    while !rest.is_empty() {
        let taken = conn.feed(rest).expect("record accepted");
        rest = &rest[taken..];
        while conn.poll_event().is_some() {}
        loop {
            let data = conn.received();
            if data.is_empty() {
                break;
            }
            sink(data);
            let n = data.len();
            total += n;
            conn.consume(n).expect("records accepted");
        }
    }
    total
}

/// rustls's server reads the records in `tls` and the data is read into
/// `buf`, its `Reader` being a copy out; returns the bytes of data.
pub fn rustls_open(conn: &mut rustls::ServerConnection, tls: &[u8], buf: &mut [u8]) -> usize {
    let mut input = tls;
    let mut total = 0;
    while !input.is_empty() {
        conn.read_tls(&mut input).unwrap();
        conn.process_new_packets().expect("record accepted");
        loop {
            match conn.reader().read(buf) {
                Ok(0) => break,
                Ok(n) => total += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => panic!("rustls read: {e}"),
            }
        }
    }
    total
}

/// stapler seals all of `data` into `out`, which the caller owns.
pub fn stapler_seal(conn: &mut ServerConnection, data: &[u8], out: &mut Vec<u8>) {
    let mut rest = data;
    while !rest.is_empty() {
        let taken = conn.send_into(rest, out).expect("sealed");
        assert!(taken > 0, "output limit reached: drain out between calls");
        rest = &rest[taken..];
    }
}

/// rustls's server seals all of `data` and writes it into `out`.
pub fn rustls_seal(conn: &mut rustls::ServerConnection, data: &[u8], out: &mut Vec<u8>) {
    conn.writer().write_all(data).unwrap();
    while conn.wants_write() {
        conn.write_tls(out).unwrap();
    }
}

/// A client and both servers for TLS 1.3 with one cipher suite: the ECDSA
/// P-256 leaf, x25519, no tickets.
pub struct SuiteFixture {
    pub client: Arc<rustls::ClientConfig>,
    pub stapler: Arc<stapler::ServerConfig>,
    pub rustls: Arc<rustls::ServerConfig>,
}

impl SuiteFixture {
    pub fn new(suite: rustls::SupportedCipherSuite) -> Self {
        let cert = pki("leaf-ecdsa.crt.der");
        let key = pki("leaf-ecdsa.key.der");
        let provider = || {
            Arc::new(rustls::crypto::CryptoProvider {
                cipher_suites: vec![suite],
                kx_groups: vec![rustls::crypto::ring::kx_group::X25519],
                ..rustls::crypto::ring::default_provider()
            })
        };
        let mut client = rustls::ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(
                super::recording_verifier::RecordingVerifier::any_certificate(),
            ))
            .with_no_client_auth();
        client.resumption = rustls::client::Resumption::disabled();
        let mut rustls = rustls::ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(cert.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.clone())),
            )
            .unwrap();
        rustls.send_tls13_tickets = 0;
        rustls.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        let stapler = stapler::ServerConfig::builder()
            .certificate_chain(&cert, &key)
            .unwrap()
            .build()
            .unwrap();
        Self {
            client: Arc::new(client),
            stapler: Arc::new(stapler),
            rustls: Arc::new(rustls),
        }
    }
}

/// A stapler connection in traffic (TLS 1.3, AES-128-GCM) whose client
/// sent record_size_limit `limit` (RFC 8449), or none: a psk_ke resumption
/// by the hand-built PSK client, the one client here that can send the
/// extension. For sealing only: nothing opens what it sends.
pub fn stapler_with_record_limit(fx: &Fixture, limit: Option<u16>) -> ServerConnection {
    let rf = &fx.resumed;
    let mut client = PskClient::new(&rf.psk);
    if let Some(limit) = limit {
        let [hi, lo] = limit.to_be_bytes();
        client.extra_extensions = vec![0, 28, 0, 2, hi, lo];
    }
    let hello = client.hello(&rf.psk_ke_ticket, 0, &[0], false);
    let mut conn = ServerConnection::new_at(rf.stapler_psk_ke.clone(), RESUME_NOW);
    conn.feed(&hello).expect("hello accepted");
    let answer = client.read(&conn.poll_transmit().expect("flight"));
    assert_eq!(answer.selected, Some(0), "resumed");
    conn.feed(&client.finished()).expect("Finished accepted");
    while conn.poll_event().is_some() {}
    while conn.poll_transmit().is_some() {}
    assert!(conn.is_handshake_complete());
    conn
}
