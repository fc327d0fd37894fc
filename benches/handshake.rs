//! Server-side cost of one full handshake, without and with a 700-byte OCSP
//! staple, driven in memory by the rustls client, in both versions:
//!
//! - TLS 1.3: x25519, ECDSA P-256, TLS_AES_128_GCM_SHA256;
//! - TLS 1.2: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, x25519, ECDSA P-256,
//!   the extended master secret; the staple in CertificateStatus;
//!
//! for three servers in one run:
//!
//! - `stapler`: `ServerConnection` (with the staple: the OcspRequest event
//!   and its answer, `respond` + `complete_ocsp`);
//! - `rustls`: rustls's server with the same certificate, key, suite and
//!   group, no tickets, no session cache, the staple in its certified key;
//! - `floor`: the cryptography alone, with ring (see `handshake/floor.rs`
//!   and `handshake/floor12.rs`), answering the same client the servers
//!   answer, so that every server's metered steps start from the caches
//!   that client's work leaves (so do the resumed, mTLS and hybrid
//!   floors).
//!
//! Only the server's work is timed (`iter_custom`, accumulating the time
//! spent inside the server's calls); the client's is not. Before criterion
//! runs, the bench prints to stderr the heap allocations per server
//! handshake, the heap held by a connection paused for OCSP, and the three
//! servers' times measured interleaved (which keeps the ratios honest on a
//! busy machine).
//!
//! `cargo bench --bench handshake -- --warm-up-time 1 --measurement-time 3`
//!
//! For instruction counts, which a busy machine does not disturb:
//! `HANDSHAKE_PROFILE=stapler-tls12-stapled:200 valgrind --tool=callgrind
//! --toggle-collect='*Meter*server*' target/release/deps/handshake-*`
//! (servers `stapler`, `rustls`, `floor`; versions `tls13` (the default
//! when left out) and `tls12`; variants `plain`, `stapled`); resumed
//! handshakes with `HANDSHAKE_PROFILE=resumed/stapler/tls12-ticket:2000`
//! (kinds `tls13-psk_dhe_ke`, `tls13-psk_ke`, `tls12-ticket`); TLS 1.3
//! with a client certificate with `HANDSHAKE_PROFILE=mtls/stapler:200`;
//! the server's first step alone, hot, with `HANDSHAKE_PROFILE=flight/stapler:5000`
//! (or `flight/floor`).
//!
//! Also a full TLS 1.3 handshake with a client certificate (ECDSA P-256
//! both sides): stapler (`ClientAuth::Required`), rustls
//! (`WebPkiClientVerifier`) and the floor of `handshake/floor_mtls.rs`.

#[path = "../tests/common/counting_alloc.rs"]
mod counting_alloc;
#[path = "handshake/floor.rs"]
mod floor;
#[path = "handshake/floor12.rs"]
mod floor12;
#[path = "handshake/floor12_resumed.rs"]
mod floor12_resumed;
#[path = "handshake/floor_mtls.rs"]
mod floor_mtls;
#[path = "handshake/floor_resumed.rs"]
mod floor_resumed;
#[path = "../tests/common/handshake_driver.rs"]
mod handshake_driver;
#[path = "handshake/hybrid.rs"]
mod hybrid;
#[path = "handshake/mtls.rs"]
mod mtls;
#[path = "handshake/report.rs"]
mod report;
#[path = "handshake/resumed.rs"]
mod resumed;

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use ring::agreement::{EphemeralPrivateKey, X25519};
use ring::rand::SystemRandom;
use stapler::{Event, ServerConnection};

use counting_alloc::Counting;
use floor::Floor;
use floor12::Floor12;
use handshake_driver::resumed::Resumed;
use handshake_driver::{
    client_answers, client_completes, pki, rustls_handshake, stapler_handshake, Fixture, Io, Meter,
    Version, STAPLE_LEN,
};
use hybrid::HybridRig;
use mtls::MtlsRig;
use resumed::ResumedFloors;

#[global_allocator]
static GLOBAL: Counting = Counting;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Server {
    Stapler,
    Rustls,
    Floor,
}

const SERVERS: [(Server, &str); 3] = [
    (Server::Stapler, "stapler"),
    (Server::Rustls, "rustls"),
    (Server::Floor, "floor"),
];

const VARIANTS: [(bool, &str); 2] = [(false, "plain"), (true, "stapled")];

/// How far a floor's flight may be from stapler's in bytes when they are
/// checked against each other: each carries its own ECDSA P-256
/// signature, whose DER runs 70 to 72 bytes for nearly every signature (r
/// and s each 32 bytes, or 33 when the high bit is set), 69 or less when a
/// leading byte of r or s is zero (1 in 256 each). A slack of 4 fails only
/// when one of them lost two leading bytes, about 1 in 2^15 checks.
pub const SIGNATURE_SLACK: usize = 4;

/// The floor with its client, the same rustls client the servers have
/// (see [`floor_answers`]).
struct FloorRig {
    floor: Floor,
    rng: SystemRandom,
}

impl FloorRig {
    /// Takes the real handshake's messages (ClientHello from the rustls
    /// client, ServerHello from stapler, EncryptedExtensions and
    /// Certificate as stapler encodes them) so the floor hashes and seals
    /// as many bytes, and checks the flight's length against stapler's.
    fn new(fx: &Fixture, stapled: bool) -> Self {
        let mut io = Io::default();
        let _client = fx.client_hello(&mut io);
        let client_hello = first_record(&io.to_server).to_vec();
        let mut conn = ServerConnection::new(fx.stapler_plain.clone());
        conn.feed(&io.to_server).unwrap();
        let mut out = Vec::new();
        conn.write_tls_into(&mut out);
        let server_hello = first_record(&out).to_vec();
        let server_hello_record = 5 + server_hello.len();

        let cert = pki("leaf-ecdsa.crt.der");
        let staple = stapled.then_some(&fx.staple[..]);
        let ee_and_certificate = ee_and_certificate(&cert, staple);
        let mut floor = Floor::new(
            &pki("leaf-ecdsa.key.der"),
            client_hello,
            server_hello,
            ee_and_certificate,
        );

        // The same flight as stapler's, give or take the ECDSA signature's
        // DER length (no meter here: profiles must count handshakes only).
        let stapler_flight = if stapled {
            let mut conn = ServerConnection::new(fx.stapler_ocsp.clone());
            conn.feed(&io.to_server).unwrap();
            let Some(Event::OcspRequest(request)) = conn.poll_event() else {
                panic!("no OCSP request");
            };
            conn.complete(request.respond(fx.staple.clone()).unwrap(), 0)
                .unwrap();
            let mut flight = Vec::new();
            conn.write_tls_into(&mut flight);
            flight.len()
        } else {
            out.len()
        };
        let rng = SystemRandom::new();
        let share = EphemeralPrivateKey::generate(&X25519, &rng)
            .unwrap()
            .compute_public_key()
            .unwrap();
        floor.server_flight(share.as_ref());
        // ServerHello, change_cipher_spec, the protected flight.
        let ours = server_hello_record + 6 + floor.record().len();
        assert!(
            stapler_flight.abs_diff(ours) <= SIGNATURE_SLACK,
            "floor flight {ours} bytes, stapler's {stapler_flight}"
        );
        Self { floor, rng }
    }

    /// One handshake with the rustls client.
    fn handshake(&mut self, fx: &Fixture, io: &mut Io, m: &mut Meter) {
        let client = fx.client_hello(io);
        let key = floor_answers(&mut self.floor, client, X25519_GROUP, io, m);
        black_box(key);
    }
}

/// The x25519 group's code point (RFC 8446 §4.2.7).
const X25519_GROUP: u16 = 0x001d;

/// The rest of a handshake between `floor` and `client`, whose ClientHello
/// is in `io.to_server` with a share of `group`: the floor's two steps,
/// metered, with the client's work (reading the floor's flight, checking
/// its signature and Finished, sending its own Finished) unmetered in
/// between, as it is between stapler's steps and rustls's. The floor's
/// steps thus start from the caches that client's work leaves (a client
/// made up of a bare key pair left them warmer: ring's base-point table
/// hot, no client code in between). Returns the floor's application keys.
fn floor_answers(
    floor: &mut Floor,
    client: rustls::ClientConnection,
    group: u16,
    io: &mut Io,
    m: &mut Meter,
) -> (ring::aead::LessSafeKey, ring::aead::LessSafeKey) {
    floor_answers_with(floor, client, group, io, m, Floor::client_finished)
}

/// [`floor_answers`] with `second` as the floor's second step, given the
/// client's flight after its change_cipher_spec.
fn floor_answers_with<K>(
    floor: &mut Floor,
    mut client: rustls::ClientConnection,
    group: u16,
    io: &mut Io,
    m: &mut Meter,
    second: impl FnOnce(floor::Pending, &mut [u8]) -> K,
) -> K {
    let hello = first_record(&io.to_server);
    let share = key_share(hello, group);
    let pending = m.server(|| floor.answer(hello, share));
    io.to_client.clear();
    put_tls13_flight(&mut io.to_client, floor.server_hello(), floor.record());
    client_answers(&mut client, io);
    let mut flight = after_ccs(&io.to_server).to_vec();
    let keys = m.server(|| second(pending, &mut flight));
    client_completes(&mut client, io);
    keys
}

/// A TLS 1.3 floor's records, as stapler frames them: ServerHello, the
/// compatibility change_cipher_spec (RFC 8446 Appendix D.4), the protected
/// flight.
fn put_tls13_flight(out: &mut Vec<u8>, server_hello: &[u8], record: &[u8]) {
    put_record(out, server_hello);
    out.extend_from_slice(&CCS_RECORD);
    out.extend_from_slice(record);
}

/// A client's flight after its change_cipher_spec, which it must start
/// with.
fn after_ccs(flight: &[u8]) -> &[u8] {
    flight
        .strip_prefix(&CCS_RECORD[..])
        .expect("the client's change_cipher_spec, then its flight")
}

/// `message` in a handshake record of its own.
fn put_record(out: &mut Vec<u8>, message: &[u8]) {
    out.extend_from_slice(&[22, 3, 3]);
    out.extend_from_slice(&(message.len() as u16).to_be_bytes());
    out.extend_from_slice(message);
}

/// A change_cipher_spec record, as TLS 1.3's middlebox compatibility mode
/// sends it (RFC 8446 Appendix D.4).
const CCS_RECORD: [u8; 6] = [20, 3, 3, 0, 1, 1];

/// A u16 length at `at` in `bytes`.
fn u16_at(bytes: &[u8], at: usize) -> usize {
    usize::from(u16::from_be_bytes([bytes[at], bytes[at + 1]]))
}

/// The body of extension `typ` in a ClientHello or ServerHello message:
/// the benchmark's floors find what they answer (a share, a ticket) the
/// way a server does, outside the meter (parsing is not the floors' work).
fn extension(hello: &[u8], typ: u16) -> Option<&[u8]> {
    // Type and length, legacy_version, random, session id; then a
    // ClientHello's suites and compression methods, or a ServerHello's one
    // suite and compression method.
    let after_id = 4 + 2 + 32 + 1 + usize::from(hello[38]);
    let at = if hello[0] == 1 {
        let after_suites = after_id + 2 + u16_at(hello, after_id);
        after_suites + 1 + usize::from(hello[after_suites])
    } else {
        after_id + 3
    };
    let end = at + 2 + u16_at(hello, at);
    let mut at = at + 2;
    while at < end {
        let body = at + 4..at + 4 + u16_at(hello, at + 2);
        if u16_at(hello, at) == usize::from(typ) {
            return Some(&hello[body]);
        }
        at = body.end;
    }
    None
}

/// Where extension `typ`'s body starts in `hello`.
fn extension_at(hello: &[u8], typ: u16) -> Option<usize> {
    let body = extension(hello, typ)?;
    Some(body.as_ptr() as usize - hello.as_ptr() as usize)
}

/// The share of `group` in a ClientHello message (RFC 8446 §4.2.8).
fn key_share(hello: &[u8], group: u16) -> &[u8] {
    let shares = extension(hello, 51).expect("a key_share extension");
    let mut entry = 2;
    while entry < shares.len() {
        let next = entry + 4 + u16_at(shares, entry + 2);
        if u16_at(shares, entry) == usize::from(group) {
            return &shares[entry + 4..next];
        }
        entry = next;
    }
    panic!("no share of group {group:#06x} in the ClientHello");
}

/// The fragment of the first record in `bytes`.
fn first_record(bytes: &[u8]) -> &[u8] {
    let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
    &bytes[5..5 + len]
}

/// A 24-bit length.
fn u24(n: usize) -> [u8; 3] {
    let [_, a, b, c] = (n as u32).to_be_bytes();
    [a, b, c]
}

/// The TLS 1.2 floor, driven by the rustls client like the two servers.
struct FloorRig12 {
    floor: Floor12,
}

impl FloorRig12 {
    /// Takes ServerHello as stapler sends it, encodes Certificate (and
    /// CertificateStatus) as RFC 5246 §7.4.2 and RFC 6066 §8 lay them out,
    /// and checks the flight's length against stapler's.
    fn new(fx: &Fixture, stapled: bool) -> Self {
        let mut io = Io::default();
        let _client = fx.client_hello_for(Version::Tls12, &mut io);
        let config = if stapled {
            &fx.stapler_ocsp
        } else {
            &fx.stapler_plain
        };
        let mut conn = ServerConnection::new(config.clone());
        conn.feed(&io.to_server).unwrap();
        if stapled {
            let Some(Event::OcspRequest(request)) = conn.poll_event() else {
                panic!("no OCSP request");
            };
            conn.complete(request.respond(fx.staple.clone()).unwrap(), 0)
                .unwrap();
        }
        let mut stapler_flight = Vec::new();
        conn.write_tls_into(&mut stapler_flight);
        let messages = first_record(&stapler_flight);
        assert_eq!(messages[0], 2, "ServerHello first");
        let hello_len = 4 + usize::from(u16::from_be_bytes([messages[2], messages[3]]));
        let server_hello = &messages[..hello_len];

        let cert = pki("leaf-ecdsa.crt.der");
        let mut certificate = vec![11];
        certificate.extend_from_slice(&u24(3 + 3 + cert.len()));
        certificate.extend_from_slice(&u24(3 + cert.len()));
        certificate.extend_from_slice(&u24(cert.len()));
        certificate.extend_from_slice(&cert);
        if stapled {
            certificate.push(22);
            certificate.extend_from_slice(&u24(1 + 3 + fx.staple.len()));
            certificate.push(1); // ocsp
            certificate.extend_from_slice(&u24(fx.staple.len()));
            certificate.extend_from_slice(&fx.staple);
        }
        let rig = Self {
            floor: Floor12::new(&pki("leaf-ecdsa.key.der"), server_hello, &certificate),
        };
        // One handshake with the real client, unmetered (profiles count
        // the benchmarked handshakes only); the same flight as stapler's,
        // give or take the signature's DER length.
        let ours = rig.handshake(fx, &mut io, None);
        assert!(
            stapler_flight.len().abs_diff(ours) <= SIGNATURE_SLACK,
            "floor flight {ours} bytes, stapler's {}",
            stapler_flight.len()
        );
        rig
    }

    /// One handshake, its server steps metered by `m` if given; returns
    /// the length of the server's first flight.
    fn handshake(&self, fx: &Fixture, io: &mut Io, mut m: Option<&mut Meter>) -> usize {
        fn step<T>(m: Option<&mut Meter>, f: impl FnOnce() -> T) -> T {
            match m {
                Some(m) => m.server(f),
                None => f(),
            }
        }
        let mut client = fx.client_hello_for(Version::Tls12, io);
        let pending = step(m.as_deref_mut(), || {
            self.floor.server_flight(&io.to_server, &mut io.to_client)
        });
        let flight_len = io.to_client.len();
        client_answers(&mut client, io);
        let keys = step(m, || {
            Floor12::client_flight(pending, &mut io.to_server, &mut io.to_client)
        });
        black_box(keys);
        client_completes(&mut client, io);
        flight_len
    }
}

/// EncryptedExtensions (the empty server_name acknowledgement) and
/// Certificate (one entry, the staple in its status_request extension), as
/// RFC 8446 §4.3.1 and §4.4.2 lay them out.
fn ee_and_certificate(cert: &[u8], staple: Option<&[u8]>) -> Vec<u8> {
    let mut out = vec![8, 0, 0, 6, 0, 4, 0, 0, 0, 0];
    let mut extensions = Vec::new();
    if let Some(staple) = staple {
        extensions.extend_from_slice(&[0, 5]);
        extensions.extend_from_slice(&((4 + staple.len()) as u16).to_be_bytes());
        extensions.push(1);
        extensions.extend_from_slice(&u24(staple.len()));
        extensions.extend_from_slice(staple);
    }
    let entry_len = 3 + cert.len() + 2 + extensions.len();
    out.push(11);
    out.extend_from_slice(&u24(1 + 3 + entry_len));
    out.push(0);
    out.extend_from_slice(&u24(entry_len));
    out.extend_from_slice(&u24(cert.len()));
    out.extend_from_slice(cert);
    out.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
    out.extend_from_slice(&extensions);
    out
}

/// Everything one benchmark needs, made once.
struct Rig {
    fx: Fixture,
    io: Io,
    floors: [FloorRig; 2],
    floors12: [FloorRig12; 2],
    resumed: ResumedFloors,
    mtls: MtlsRig,
    hybrid: HybridRig,
}

impl Rig {
    fn new() -> Self {
        floor::check_against_rfc8448();
        floor12::check_prf();
        let fx = Fixture::new();
        let floors = [FloorRig::new(&fx, false), FloorRig::new(&fx, true)];
        let floors12 = [FloorRig12::new(&fx, false), FloorRig12::new(&fx, true)];
        let mut io = Io::default();
        let resumed = ResumedFloors::new(&fx, &mut io);
        resumed::warm_up(&fx, &mut io);
        let mtls = MtlsRig::new(&fx);
        let hybrid = HybridRig::new(&fx);
        Self {
            fx,
            io,
            floors,
            floors12,
            resumed,
            mtls,
            hybrid,
        }
    }

    /// One full TLS 1.3 handshake with X25519MLKEM768; `false` if `server`
    /// is not in that comparison.
    fn hybrid(&mut self, server: Server, m: &mut Meter) -> bool {
        self.hybrid.handshake(&self.fx, &mut self.io, server, m)
    }

    /// One full TLS 1.3 handshake with a client certificate.
    fn mtls(&mut self, server: Server, m: &mut Meter) {
        self.mtls.handshake(&self.fx, &mut self.io, server, m);
    }

    /// One resumed handshake; `false` if `server` does not do `kind`.
    fn resumed(&mut self, server: Server, kind: Resumed, m: &mut Meter) -> bool {
        resumed::handshake(&self.fx, &mut self.io, &mut self.resumed, server, kind, m)
    }

    fn handshake(&mut self, server: Server, version: Version, stapled: bool, m: &mut Meter) {
        let Self {
            fx,
            io,
            floors,
            floors12,
            ..
        } = self;
        match (server, version) {
            (Server::Stapler, _) => {
                stapler_handshake(fx, version, stapled.then_some(&fx.staple), io, m);
            }
            (Server::Rustls, _) => {
                rustls_handshake(fx, version, stapled, io, m);
            }
            (Server::Floor, Version::Tls13) => floors[usize::from(stapled)].handshake(fx, io, m),
            (Server::Floor, Version::Tls12) => {
                floors12[usize::from(stapled)].handshake(fx, io, Some(m));
            }
        }
    }

    /// Checks once that each server does the handshake it is said to: the
    /// staple arrives byte for byte when there is one, and not otherwise.
    fn check(&mut self) {
        for version in Version::ALL {
            for (stapled, _) in VARIANTS {
                for (server, name) in SERVERS {
                    self.fx.check.forget_staples();
                    self.handshake(server, version, stapled, &mut Meter::default());
                    let got = self.fx.check.last_staple().expect("the client checked");
                    let want: &[u8] = if stapled { &self.fx.staple } else { &[] };
                    assert_eq!(got, want, "{name} {}: staple", version.name());
                }
            }
        }
    }
}

/// The server a profile spec names.
fn server_named(name: &str) -> Server {
    SERVERS.iter().find(|(_, n)| *n == name).expect("server").0
}

/// Runs `one` `count` times on a fresh rig, metered, and says what one run
/// cost (`unit`: what a run is).
fn run_profile(what: &str, count: &str, unit: &str, mut one: impl FnMut(&mut Rig, &mut Meter)) {
    let count: u32 = count.parse().expect("count");
    let mut rig = Rig::new();
    let mut m = Meter::default();
    for _ in 0..count {
        one(&mut rig, &mut m);
    }
    eprintln!(
        "{what}: {count} {unit}s, {:?} per {unit}",
        m.elapsed / count
    );
}

/// Runs one server's handshakes without criterion, for callgrind:
/// `SERVER-[VERSION-]VARIANT[:N]`, `resumed/SERVER/KIND[:N]`,
/// `mtls/SERVER[:N]`, `hybrid/SERVER[:N]` or `flight/SERVER[:N]`.
fn profile(spec: &str) {
    let (what, count) = spec.split_once(':').unwrap_or((spec, "100"));
    if let Some(server) = what.strip_prefix("flight/") {
        // The server's first step alone, hot, in a loop with nothing
        // between (stapler: one ClientHello fed to a new connection each
        // time; the floor: its flight for one share), to set beside the
        // interleaved handshakes.
        let stapler = server == "stapler";
        let mut hello_and_share = None;
        let mut out = Vec::with_capacity(1 << 16);
        run_profile(what, count, "flight", |rig, m| {
            let (hello, share) = hello_and_share.get_or_insert_with(|| {
                let mut io = Io::default();
                let _client = rig.fx.client_hello(&mut io);
                let share = EphemeralPrivateKey::generate(&X25519, &rig.floors[0].rng)
                    .unwrap()
                    .compute_public_key()
                    .unwrap();
                (io.to_server, share)
            });
            if stapler {
                m.server(|| {
                    let mut conn = ServerConnection::new(rig.fx.stapler_plain.clone());
                    conn.feed(hello).unwrap();
                    out.clear();
                    conn.write_tls_into(&mut out);
                    black_box(conn);
                });
            } else {
                m.server(|| black_box(rig.floors[0].floor.server_flight(share.as_ref())));
            }
        });
    } else if let Some(server) = what.strip_prefix("hybrid/") {
        let server = server_named(server);
        run_profile(what, count, "handshake", |rig, m| {
            assert!(rig.hybrid(server, m));
        });
    } else if let Some(server) = what.strip_prefix("mtls/") {
        let server = server_named(server);
        run_profile(what, count, "handshake", |rig, m| rig.mtls(server, m));
    } else if let Some(resumed) = what.strip_prefix("resumed/") {
        // KIND as `Resumed::name` says.
        let (server, kind) = resumed.split_once('/').expect("resumed/SERVER/KIND");
        let server = server_named(server);
        let kind = Resumed::ALL
            .into_iter()
            .find(|k| k.name() == kind)
            .expect("kind");
        run_profile(what, count, "handshake", |rig, m| {
            assert!(rig.resumed(server, kind, m));
        });
    } else {
        let parts: Vec<&str> = what.split('-').collect();
        let (server, version, variant) = match parts[..] {
            [server, variant] => (server, "tls13", variant),
            [server, version, variant] => (server, version, variant),
            _ => panic!("SERVER-[VERSION-]VARIANT[:N]"),
        };
        let version = Version::ALL
            .into_iter()
            .find(|v| v.name() == version)
            .expect("version");
        let server = server_named(server);
        let stapled = VARIANTS
            .iter()
            .find(|(_, n)| *n == variant)
            .expect("variant")
            .0;
        run_profile(what, count, "handshake", |rig, m| {
            rig.handshake(server, version, stapled, m);
        });
    }
}

fn bench(c: &mut Criterion, rig: &mut Rig) {
    for version in Version::ALL {
        for (stapled, variant) in VARIANTS {
            let group_name = format!("handshake/{}-{variant}", version.name());
            let mut group = c.benchmark_group(group_name);
            for (server, name) in SERVERS {
                group.bench_function(name, |b| {
                    b.iter_custom(|iters| {
                        let mut m = Meter::default();
                        for _ in 0..iters {
                            rig.handshake(server, version, stapled, &mut m);
                        }
                        m.elapsed
                    });
                });
            }
            group.finish();
        }
    }
    for kind in Resumed::ALL {
        let mut group = c.benchmark_group(format!("resumed/{}", kind.name()));
        for (server, name) in SERVERS {
            if !rig.resumed(server, kind, &mut Meter::default()) {
                continue;
            }
            group.bench_function(name, |b| {
                b.iter_custom(|iters| {
                    let mut m = Meter::default();
                    for _ in 0..iters {
                        rig.resumed(server, kind, &mut m);
                    }
                    m.elapsed
                });
            });
        }
        group.finish();
    }
    let mut group = c.benchmark_group("handshake/tls13-x25519mlkem768");
    for (server, name) in SERVERS {
        if !rig.hybrid(server, &mut Meter::default()) {
            continue;
        }
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut m = Meter::default();
                for _ in 0..iters {
                    rig.hybrid(server, &mut m);
                }
                m.elapsed
            });
        });
    }
    group.finish();
    let mut group = c.benchmark_group("handshake/tls13-mtls");
    for (server, name) in SERVERS {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut m = Meter::default();
                for _ in 0..iters {
                    rig.mtls(server, &mut m);
                }
                m.elapsed
            });
        });
    }
    group.finish();
}

fn main() {
    if let Ok(spec) = std::env::var("HANDSHAKE_PROFILE") {
        profile(&spec);
        return;
    }
    let mut rig = Rig::new();
    rig.check();
    eprintln!("staple: {STAPLE_LEN} bytes");
    report::heap(&mut rig);
    // Timing only under `cargo bench`; `cargo test --benches` runs each
    // benchmark once, as a test.
    if std::env::args().any(|a| a == "--bench") {
        report::times(&mut rig);
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench(&mut c, &mut rig);
    c.final_summary();
}
