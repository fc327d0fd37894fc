//! The data path after a real handshake: a `ServerConnection` and the
//! rustls client (TLS 1.3 or TLS 1.2, as the input's first byte says)
//! complete a handshake in memory, then the rest of the input is a program
//! of calls on both: the client writes, the server is fed in pieces of
//! any size (`feed`, or `feed_in_place` over a buffer of its own), reads
//! with `read` or `received` + `consume`, and sends with `send` or
//! `send_into`, the client reading what it sends.
//!
//! What it checks beyond "no panic": no call on valid traffic fails; what
//! the server has read is always a prefix of what the client wrote, and
//! the other way round; at the end, with everything fed and read, both
//! sides got every byte; the server never holds more than a record of
//! input beyond unread data, nor more output than its limit.
//!
//! Not part of `stapler_fuzz` (whose files `tests/fuzz_corpus.rs` also
//! builds without rustls): rustls is this target's alone.

#![no_main]

#[path = "../../tests/common/recording_verifier.rs"]
#[allow(dead_code)]
mod recording_verifier;

use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use rustls::pki_types::ServerName;
use rustls::ClientConnection;
use stapler::server::{DEFAULT_OUTPUT_LIMIT, IN_PLACE_MIN_BUFFER};
use stapler::{ServerConfig, ServerConnection};

const LEAF: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.crt");
const LEAF_KEY: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.key");

/// Most bytes one client write makes: a little over three records, so
/// that writes span record boundaries.
const MAX_WRITE: usize = 3 * (1 << 14) + 300;

/// The test leaf's config, with TLS 1.3 half-close or without.
fn server_config(half_close: bool) -> Arc<ServerConfig> {
    static CONFIGS: OnceLock<[Arc<ServerConfig>; 2]> = OnceLock::new();
    let configs = CONFIGS.get_or_init(|| {
        [false, true].map(|half_close| {
            let config = ServerConfig::builder()
                .certificate_chain(LEAF, LEAF_KEY)
                .map(|b| b.half_close(half_close))
                .and_then(|b| b.build())
                .expect("the test leaf");
            Arc::new(config)
        })
    });
    configs[usize::from(half_close)].clone()
}

fn client_config(tls13: bool) -> Arc<rustls::ClientConfig> {
    static CONFIGS: OnceLock<[Arc<rustls::ClientConfig>; 2]> = OnceLock::new();
    let configs = CONFIGS.get_or_init(|| {
        let make = |version: &'static rustls::SupportedProtocolVersion| {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_protocol_versions(&[version])
                .expect("version")
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(
                    recording_verifier::RecordingVerifier::any_certificate(),
                ))
                .with_no_client_auth();
            config.resumption = rustls::client::Resumption::disabled();
            Arc::new(config)
        };
        [make(&rustls::version::TLS13), make(&rustls::version::TLS12)]
    });
    configs[usize::from(!tls13)].clone()
}

/// Both ends and what each has sent and read.
struct Rig {
    server: ServerConnection,
    client: ClientConnection,
    /// TLS bytes from the client the server has not taken yet.
    to_server: Vec<u8>,
    client_sent: Vec<u8>,
    server_read: Vec<u8>,
    server_sent: Vec<u8>,
    client_read: Vec<u8>,
    /// The buffer `feed_in_place` reads into, and how much of it is full.
    in_place: Vec<u8>,
    in_place_len: usize,
    next_byte: u8,
    /// KeyUpdates the client sent in this run: at most 24, under the 32 in
    /// a row each end allows (the server answers each with its own, and
    /// those may reach the client together, long after).
    key_updates: u8,
    /// The client sent close_notify (with half-close on, in TLS 1.3): it
    /// writes nothing more, and the server goes on.
    client_closed: bool,
}

impl Rig {
    fn new(tls13: bool, half_close: bool) -> Self {
        let name = ServerName::try_from("localhost").expect("name");
        let mut rig = Self {
            server: ServerConnection::new(server_config(half_close)),
            client: ClientConnection::new(client_config(tls13), name).expect("client"),
            to_server: Vec::new(),
            client_sent: Vec::new(),
            server_read: Vec::new(),
            server_sent: Vec::new(),
            client_read: Vec::new(),
            in_place: vec![0; IN_PLACE_MIN_BUFFER],
            in_place_len: 0,
            next_byte: 0,
            key_updates: 0,
            client_closed: false,
        };
        for _ in 0..4 {
            if !rig.client.is_handshaking() && rig.server.is_handshake_complete() {
                break;
            }
            rig.client_flush();
            let taken = rig.server.feed(&rig.to_server).expect("handshake");
            rig.to_server.drain(..taken);
            while rig.server.poll_event().is_some() {}
            rig.server_to_client();
        }
        assert!(rig.server.is_handshake_complete());
        rig
    }

    fn client_flush(&mut self) {
        while self.client.wants_write() {
            self.client
                .write_tls(&mut self.to_server)
                .expect("to memory");
        }
    }

    /// Everything the server has for the client, read by the client.
    fn server_to_client(&mut self) {
        let mut out = Vec::new();
        self.server.write_tls_into(&mut out);
        self.client_takes(&out);
    }

    fn client_takes(&mut self, tls: &[u8]) {
        let mut input = tls;
        while !input.is_empty() {
            self.client.read_tls(&mut input).expect("client reads");
            self.client.process_new_packets().expect("client accepts");
            let mut buf = [0; 4096];
            while let Ok(n @ 1..) = self.client.reader().read(&mut buf) {
                self.client_read.extend_from_slice(&buf[..n]);
            }
        }
    }

    fn pattern(&mut self, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                self.next_byte = self.next_byte.wrapping_mul(31).wrapping_add(7);
                self.next_byte
            })
            .collect()
    }

    /// Reads what the server holds with `received` and `consume`, `step`
    /// bytes at a time.
    fn consume_all(&mut self, step: usize) {
        loop {
            let data = self.server.received();
            if data.is_empty() {
                return;
            }
            let n = data.len().min(step.max(1));
            self.server_read.extend_from_slice(&data[..n]);
            self.server.consume(n).expect("records accepted");
        }
    }

    /// Bytes waiting in the in-place buffer come first in the stream: put
    /// them back in front of the rest, for `feed`.
    fn unstage_in_place(&mut self) {
        let staged = self.in_place[..self.in_place_len].to_vec();
        self.to_server.splice(..0, staged);
        self.in_place_len = 0;
    }

    fn feed(&mut self, len: usize) {
        self.unstage_in_place();
        let len = len.min(self.to_server.len());
        let held_before = self.server.received().len();
        let taken = self
            .server
            .feed(&self.to_server[..len])
            .expect("records accepted");
        assert!(taken <= len);
        if held_before > 0 {
            // Unread data lets in at most one more record.
            assert!(
                taken <= 5 + (1 << 14) + 256,
                "{taken} bytes past unread data"
            );
        }
        self.to_server.drain(..taken);
        while self.server.poll_event().is_some() {}
    }

    /// Moves up to `len` bytes into the in-place buffer and feeds it.
    fn feed_in_place(&mut self, len: usize) {
        let room = self.in_place.len() - self.in_place_len;
        let len = len.min(room).min(self.to_server.len());
        self.in_place[self.in_place_len..self.in_place_len + len]
            .copy_from_slice(&self.to_server[..len]);
        self.to_server.drain(..len);
        self.in_place_len += len;
        let mut start = 0;
        loop {
            let fed = self
                .server
                .feed_in_place(&mut self.in_place[start..self.in_place_len])
                .expect("records accepted");
            self.server_read.extend_from_slice(fed.data);
            start += fed.consumed;
            if fed.consumed == 0 {
                break;
            }
        }
        self.in_place.copy_within(start..self.in_place_len, 0);
        self.in_place_len -= start;
        while self.server.poll_event().is_some() {}
        // Bytes handed to `feed` first are read as `feed`'s are.
        self.consume_all(usize::MAX);
    }

    fn send(&mut self, len: usize, into: bool) {
        let data = self.pattern(len);
        let taken = if into {
            let mut out = Vec::new();
            let taken = self.server.send_into(&data, &mut out).expect("sealed");
            assert!(out.len() <= DEFAULT_OUTPUT_LIMIT);
            self.client_takes(&out);
            taken
        } else {
            let taken = self.server.send(&data).expect("sealed");
            self.server_to_client();
            taken
        };
        self.server_sent.extend_from_slice(&data[..taken]);
    }

    fn check_prefixes(&self) {
        assert!(
            self.client_sent.starts_with(&self.server_read),
            "server read bytes never sent"
        );
        assert!(
            self.server_sent.starts_with(&self.client_read),
            "client read bytes never sent"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, program)) = data.split_first() else {
        return;
    };
    let tls13 = first & 1 == 0;
    let half_close = tls13 && first & 2 != 0;
    let mut rig = Rig::new(tls13, half_close);
    for op in program.chunks(3) {
        let [kind, a, b] = [op[0], *op.get(1).unwrap_or(&0), *op.get(2).unwrap_or(&0)];
        let arg = usize::from(u16::from_be_bytes([a, b]));
        match kind % 8 {
            _ if rig.client_closed && matches!(kind % 8, 0 | 7) => {}
            0 => {
                let chunk = rig.pattern(arg % (MAX_WRITE + 1));
                rig.client
                    .writer()
                    .write_all(&chunk)
                    .expect("client writes");
                rig.client_sent.extend_from_slice(&chunk);
                rig.client_flush();
            }
            1 => rig.feed(arg),
            2 => rig.feed_in_place(arg),
            3 => {
                let mut buf = vec![0; arg % 20_000];
                let n = rig.server.read(&mut buf).expect("records accepted");
                rig.server_read.extend_from_slice(&buf[..n]);
            }
            4 => rig.consume_all(arg),
            5 => rig.send(arg % (MAX_WRITE + 1), false),
            6 => rig.send(arg % (MAX_WRITE + 1), true),
            _ if half_close && arg & 0x8000 != 0 => {
                // The client closes its side; the server must go on.
                rig.client.send_close_notify();
                rig.client_flush();
                rig.client_closed = true;
            }
            _ if rig.key_updates < 24 => {
                // A KeyUpdate from the client (TLS 1.3; a no-op in 1.2).
                if rig.client.refresh_traffic_keys().is_ok() {
                    rig.key_updates += 1;
                }
                rig.client_flush();
            }
            _ => {}
        }
        rig.check_prefixes();
    }
    // Everything fed and read: both sides got every byte.
    rig.unstage_in_place();
    while !rig.to_server.is_empty() || !rig.server.received().is_empty() {
        rig.feed(usize::MAX);
        rig.consume_all(usize::MAX);
    }
    rig.server_to_client();
    assert_eq!(rig.server_read, rig.client_sent, "the server missed data");
    assert_eq!(rig.client_read, rig.server_sent, "the client missed data");
    // A half-closed connection is open for sending; a full one is too.
    assert!(!rig.server.is_closed(), "closed by a client's close_notify");
    rig.send(100, false);
    assert!(rig.client_read.len() == rig.server_sent.len());
});
