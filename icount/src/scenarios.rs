//! The scenarios, each for stapler's server and for rustls's: the server's
//! calls run inside [`measured`], which callgrind's `--toggle-collect`
//! counts (the client's work and the setup are not counted).
//!
//! Every handshake: the rustls client (ring), x25519, the ECDSA P-256 leaf
//! of tests/data/pki, SNI "localhost"; TLS 1.3 with TLS_AES_128_GCM_SHA256,
//! TLS 1.2 with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and the extended
//! master secret. Neither server issues tickets except in `tls13_resumed`.

use std::io::{Read, Write};
use std::sync::Arc;

use bytes::Bytes;
use rustls::crypto::ring::{cipher_suite, default_provider, kx_group};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::ClientConnection;
use stapler::codec::{split_handshake, split_record, ClientHello, MAX_PLAINTEXT_LEN};
use stapler::{Event, ServerConnection};

use crate::recording_verifier::RecordingVerifier;

const CERT: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.crt.der");
const KEY: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.key.der");
/// The first flight of `openssl s_client -tls1_3 -status`, as captured.
const HELLO: &[u8] = include_bytes!("../../tests/data/client_hello/openssl_tls13_status.bin");
/// A stand-in OCSP response: neither server nor this client parses it.
const STAPLE_LEN: usize = 700;
/// The connections' clock, for tickets.
const NOW: u64 = 1_800_000_000;
/// A mebibyte, the transfer's size each way.
const MIB: usize = 1 << 20;

/// What one scenario counts, and how many operations one run makes (the
/// table divides by it).
pub struct Scenario {
    pub name: &'static str,
    pub ops: u64,
    pub what: &'static str,
}

pub const SCENARIOS: [Scenario; 7] = [
    Scenario {
        name: "hello_parse",
        ops: 1000,
        what: "a captured ClientHello: stapler frames and parses it; rustls's Acceptor reads it to Accepted",
    },
    Scenario {
        name: "tls13_full",
        ops: 10,
        what: "a full TLS 1.3 handshake",
    },
    Scenario {
        name: "tls13_stapled",
        ops: 10,
        what: "the same with a 700-byte staple (stapler: the OCSP event answered)",
    },
    Scenario {
        name: "tls12_full",
        ops: 10,
        what: "a full TLS 1.2 handshake",
    },
    Scenario {
        name: "tls12_stapled",
        ops: 10,
        what: "the same with a 700-byte staple",
    },
    Scenario {
        name: "tls13_resumed",
        ops: 10,
        what: "a TLS 1.3 resumption, psk_dhe_ke, with its new tickets",
    },
    Scenario {
        name: "transfer_1mib",
        ops: 1,
        what: "1 MiB each way over TLS 1.3 in 16 KiB records (stapler: feed_in_place, send_into)",
    },
];

/// The server's share: never inlined, so that callgrind counts inside it
/// alone (`--toggle-collect='*measured*'`).
#[inline(never)]
pub fn measured<T>(f: impl FnOnce() -> T) -> T {
    std::hint::black_box(f())
}

/// Runs `scenario` for `server` ("stapler" or "rustls").
pub fn run(scenario: &str, server: &str) -> Result<(), String> {
    let rig = Rig::new();
    let stapler = server == "stapler";
    let ops = SCENARIOS
        .iter()
        .find(|s| s.name == scenario)
        .ok_or_else(|| format!("no scenario {scenario}"))?
        .ops;
    for _ in 0..ops {
        match (scenario, stapler) {
            ("hello_parse", true) => stapler_hello_parse(),
            ("hello_parse", false) => rustls_hello_parse(),
            ("tls13_full", true) => rig.stapler_full(&rig.client13, false),
            ("tls13_stapled", true) => rig.stapler_full(&rig.client13, true),
            ("tls12_full", true) => rig.stapler_full(&rig.client12, false),
            ("tls12_stapled", true) => rig.stapler_full(&rig.client12, true),
            ("tls13_full", false) => rig.rustls_full(&rig.client13, &rig.rustls13),
            ("tls13_stapled", false) => rig.rustls_full(&rig.client13, &rig.rustls13_stapled),
            ("tls12_full", false) => rig.rustls_full(&rig.client12, &rig.rustls12),
            ("tls12_stapled", false) => rig.rustls_full(&rig.client12, &rig.rustls12_stapled),
            ("tls13_resumed", true) => rig.stapler_resumed(),
            ("tls13_resumed", false) => rig.rustls_resumed(),
            ("transfer_1mib", true) => rig.stapler_transfer(),
            ("transfer_1mib", false) => rig.rustls_transfer(),
            _ => return Err(format!("no scenario {scenario} for {server}")),
        }
    }
    Ok(())
}

fn stapler_hello_parse() {
    measured(|| {
        let (record, _) = split_record(HELLO, MAX_PLAINTEXT_LEN).ok()??;
        let (message, _) = split_handshake(record.fragment).ok()??;
        let hello = ClientHello::parse(message.body).ok()?;
        Some(hello.requests_ocsp())
    })
    .expect("the capture parses");
}

fn rustls_hello_parse() {
    measured(|| {
        let mut acceptor = rustls::server::Acceptor::default();
        let mut input = HELLO;
        acceptor.read_tls(&mut input).ok()?;
        acceptor.accept().ok()?
    })
    .expect("the capture is accepted");
}

/// Every config the scenarios use, made once, outside the count.
struct Rig {
    client13: Arc<rustls::ClientConfig>,
    client12: Arc<rustls::ClientConfig>,
    /// Keeps the tickets it is given, for `tls13_resumed`.
    resuming_client: Arc<rustls::ClientConfig>,
    stapler_plain: Arc<stapler::ServerConfig>,
    stapler_ocsp: Arc<stapler::ServerConfig>,
    stapler_tickets: Arc<stapler::ServerConfig>,
    rustls13: Arc<rustls::ServerConfig>,
    rustls13_stapled: Arc<rustls::ServerConfig>,
    rustls12: Arc<rustls::ServerConfig>,
    rustls12_stapled: Arc<rustls::ServerConfig>,
    rustls_tickets: Arc<rustls::ServerConfig>,
    staple: Bytes,
}

fn provider(tls13: bool) -> Arc<rustls::crypto::CryptoProvider> {
    let suite = match tls13 {
        true => cipher_suite::TLS13_AES_128_GCM_SHA256,
        false => cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    };
    // TLS 1.2 clients must list the ECDSA leaf's curve too (RFC 8422
    // §5.1); x25519 comes first, and both servers choose it.
    let kx_groups = match tls13 {
        true => vec![kx_group::X25519],
        false => vec![kx_group::X25519, kx_group::SECP256R1],
    };
    Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites: vec![suite],
        kx_groups,
        ..default_provider()
    })
}

fn version(tls13: bool) -> &'static rustls::SupportedProtocolVersion {
    match tls13 {
        true => &rustls::version::TLS13,
        false => &rustls::version::TLS12,
    }
}

impl Rig {
    fn new() -> Self {
        let staple: Vec<u8> = (0..STAPLE_LEN).map(|i| (i * 31 % 251) as u8).collect();
        let client = |tls13: bool, resume: bool| {
            let mut config = rustls::ClientConfig::builder_with_provider(provider(tls13))
                .with_protocol_versions(&[version(tls13)])
                .expect("version")
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(RecordingVerifier::any_certificate()))
                .with_no_client_auth();
            if !resume {
                config.resumption = rustls::client::Resumption::disabled();
            }
            Arc::new(config)
        };
        let stapler = |ocsp: bool, tickets: u8| {
            let config = stapler::ServerConfig::builder()
                .certificate_chain(CERT, KEY)
                .expect("the test leaf")
                .ocsp_events(ocsp)
                .tickets(tickets)
                .build()
                .expect("config");
            Arc::new(config)
        };
        let rustls = |tls13: bool, ocsp: &[u8], tickets: bool| {
            let mut config = rustls::ServerConfig::builder_with_provider(provider(tls13))
                .with_protocol_versions(&[version(tls13)])
                .expect("version")
                .with_no_client_auth()
                .with_single_cert_with_ocsp(
                    vec![CertificateDer::from(CERT.to_vec())],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(KEY.to_vec())),
                    ocsp.to_vec(),
                )
                .expect("the test leaf");
            config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
            if tickets {
                config.ticketer = rustls::crypto::ring::Ticketer::new().expect("ticketer");
                config.send_tls13_tickets = 2;
            } else {
                config.send_tls13_tickets = 0;
            }
            Arc::new(config)
        };
        Self {
            client13: client(true, false),
            client12: client(false, false),
            resuming_client: client(true, true),
            stapler_plain: stapler(false, 0),
            stapler_ocsp: stapler(true, 0),
            stapler_tickets: stapler(false, 2),
            rustls13: rustls(true, &[], false),
            rustls13_stapled: rustls(true, &staple, false),
            rustls12: rustls(false, &[], false),
            rustls12_stapled: rustls(false, &staple, false),
            rustls_tickets: rustls(true, &[], true),
            staple: Bytes::from(staple),
        }
    }

    fn stapler_full(&self, client: &Arc<rustls::ClientConfig>, stapled: bool) {
        let config = match stapled {
            true => &self.stapler_ocsp,
            false => &self.stapler_plain,
        };
        let staple = stapled.then(|| self.staple.clone());
        let mut server = measured(|| ServerConnection::new(config.clone()));
        stapler_handshake(&mut server, client, staple);
        measured(|| drop(server));
    }

    fn rustls_full(&self, client: &Arc<rustls::ClientConfig>, config: &Arc<rustls::ServerConfig>) {
        let mut server =
            measured(|| rustls::ServerConnection::new(config.clone()).expect("server"));
        rustls_handshake(&mut server, client);
        measured(|| drop(server));
    }

    fn stapler_resumed(&self) {
        // A full handshake gives the client its tickets, uncounted.
        let mut first = ServerConnection::new_at(self.stapler_tickets.clone(), NOW);
        stapler_exchange_uncounted(&mut first, &self.resuming_client);
        let mut server = measured(|| ServerConnection::new_at(self.stapler_tickets.clone(), NOW));
        stapler_handshake(&mut server, &self.resuming_client, None);
        measured(|| drop(server));
    }

    fn rustls_resumed(&self) {
        let mut first = rustls::ServerConnection::new(self.rustls_tickets.clone()).expect("server");
        let client = self.resuming_client.clone();
        let mut client_conn = new_client(&client);
        pump_rustls(&mut first, &mut client_conn, false);
        let mut server = measured(|| {
            rustls::ServerConnection::new(self.rustls_tickets.clone()).expect("server")
        });
        rustls_handshake(&mut server, &self.resuming_client);
        measured(|| drop(server));
    }

    fn stapler_transfer(&self) {
        let mut server = ServerConnection::new(self.stapler_plain.clone());
        let mut client = stapler_exchange_uncounted(&mut server, &self.client13);
        let data = vec![0x5a; 1 << 14];
        let mut tls = client_mebibyte(&mut client, &data);
        let mut out = Vec::with_capacity(MIB + MIB / 64);
        measured(|| {
            let mut start = 0;
            while start < tls.len() {
                let fed = server.feed_in_place(&mut tls[start..]).expect("records");
                std::hint::black_box(fed.data);
                start += fed.consumed;
            }
            let mut sent = 0;
            while sent < MIB {
                sent += server.send_into(&data, &mut out).expect("sealed");
                std::hint::black_box(&out);
                out.clear();
            }
        });
    }

    fn rustls_transfer(&self) {
        let mut server = rustls::ServerConnection::new(self.rustls13.clone()).expect("server");
        let mut client = new_client(&self.client13);
        pump_rustls(&mut server, &mut client, false);
        let data = vec![0x5a; 1 << 14];
        let tls = client_mebibyte(&mut client, &data);
        let mut out = Vec::with_capacity(MIB + MIB / 64);
        let mut buf = vec![0; 1 << 16];
        measured(|| {
            let mut input = &tls[..];
            while !input.is_empty() {
                server.read_tls(&mut input).expect("read");
                server.process_new_packets().expect("records");
                while let Ok(n @ 1..) = server.reader().read(&mut buf) {
                    std::hint::black_box(&buf[..n]);
                }
            }
            let mut sent = 0;
            while sent < MIB {
                server.writer().write_all(&data).expect("sealed");
                sent += data.len();
                while server.wants_write() {
                    server.write_tls(&mut out).expect("to memory");
                }
                std::hint::black_box(&out);
                out.clear();
            }
        });
    }
}

/// A mebibyte of the client's records, `data` at a time: what a transfer
/// scenario's server opens.
fn client_mebibyte(client: &mut ClientConnection, data: &[u8]) -> Vec<u8> {
    let mut tls = Vec::with_capacity(MIB + MIB / 64);
    while tls.len() < MIB {
        client.writer().write_all(data).expect("client writes");
        while client.wants_write() {
            client.write_tls(&mut tls).expect("to memory");
        }
    }
    tls
}

fn new_client(config: &Arc<rustls::ClientConfig>) -> ClientConnection {
    let name = ServerName::try_from("localhost").expect("name");
    ClientConnection::new(config.clone(), name).expect("client")
}

/// Runs `f` inside [`measured`] when `counted`, else as it is.
fn maybe_measured<T>(counted: bool, f: impl FnOnce() -> T) -> T {
    if counted {
        measured(f)
    } else {
        f()
    }
}

/// A stapler handshake with a new client of `client`, the server's calls
/// counted; with `staple`, the OCSP event is answered with it.
fn stapler_handshake(
    server: &mut ServerConnection,
    client: &Arc<rustls::ClientConfig>,
    staple: Option<Bytes>,
) -> ClientConnection {
    stapler_exchange(server, client, staple, true)
}

/// The same, uncounted: setup for the counted part of a scenario.
fn stapler_exchange_uncounted(
    server: &mut ServerConnection,
    client: &Arc<rustls::ClientConfig>,
) -> ClientConnection {
    stapler_exchange(server, client, None, false)
}

fn stapler_exchange(
    server: &mut ServerConnection,
    client: &Arc<rustls::ClientConfig>,
    mut staple: Option<Bytes>,
    counted: bool,
) -> ClientConnection {
    let mut client = new_client(client);
    let mut to_client = Vec::with_capacity(1 << 16);
    let mut to_server = Vec::with_capacity(1 << 16);
    while client.is_handshaking() || client.wants_write() {
        to_server.clear();
        while client.wants_write() {
            client.write_tls(&mut to_server).expect("to memory");
        }
        to_client.clear();
        maybe_measured(counted, || {
            server.feed(&to_server).expect("server accepts");
            while let Some(event) = server.poll_event() {
                if let Event::OcspRequest(request) = event {
                    let answer = request.answer(staple.take());
                    server.complete(answer, NOW).expect("resumed");
                }
            }
            server.write_tls_into(&mut to_client);
        });
        let mut input = &to_client[..];
        while !input.is_empty() {
            client.read_tls(&mut input).expect("client reads");
            client.process_new_packets().expect("client accepts");
        }
    }
    assert!(server.is_handshake_complete());
    client
}

fn rustls_handshake(server: &mut rustls::ServerConnection, client: &Arc<rustls::ClientConfig>) {
    let mut client = new_client(client);
    pump_rustls(server, &mut client, true);
}

/// Runs a rustls handshake to its end; the server's calls are counted
/// when `counted`.
fn pump_rustls(
    server: &mut rustls::ServerConnection,
    client: &mut ClientConnection,
    counted: bool,
) {
    let mut to_client = Vec::with_capacity(1 << 16);
    let mut to_server = Vec::with_capacity(1 << 16);
    let step =
        |server: &mut rustls::ServerConnection, to_server: &[u8], to_client: &mut Vec<u8>| {
            let mut input = to_server;
            while !input.is_empty() {
                server.read_tls(&mut input).expect("server reads");
                server.process_new_packets().expect("server accepts");
            }
            while server.wants_write() {
                server.write_tls(to_client).expect("to memory");
            }
        };
    while client.is_handshaking() || client.wants_write() || server.is_handshaking() {
        to_server.clear();
        while client.wants_write() {
            client.write_tls(&mut to_server).expect("to memory");
        }
        to_client.clear();
        maybe_measured(counted, || step(server, &to_server, &mut to_client));
        let mut input = &to_client[..];
        while !input.is_empty() {
            client.read_tls(&mut input).expect("client reads");
            client.process_new_packets().expect("client accepts");
        }
    }
}
