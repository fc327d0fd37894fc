//! Server-side cost of one full TLS 1.3 handshake (x25519, ECDSA P-256,
//! TLS_AES_128_GCM_SHA256), without and with a 700-byte OCSP staple, driven
//! in memory by the rustls client, for three servers in one run:
//!
//! - `stapler`: `ServerConnection` (with the staple: the OcspRequest event
//!   and its answer, `respond` + `complete_ocsp`);
//! - `rustls`: rustls's server with the same certificate, key, suite and
//!   group, no tickets, the staple in its certified key;
//! - `floor`: the cryptography alone, with ring (see `handshake/floor.rs`).
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
//! `HANDSHAKE_PROFILE=stapler-stapled:200 valgrind --tool=callgrind
//! --toggle-collect='*Meter*server*' target/release/deps/handshake-*`
//! (servers `stapler`, `rustls`, `floor`; variants `plain`, `stapled`).

#[path = "../tests/common/counting_alloc.rs"]
mod counting_alloc;
#[path = "handshake/floor.rs"]
mod floor;
#[path = "../tests/common/handshake_driver.rs"]
mod handshake_driver;

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use ring::agreement::{EphemeralPrivateKey, X25519};
use ring::rand::SystemRandom;
use stapler::{Event, ServerConnection};

use counting_alloc::Counting;
use floor::Floor;
use handshake_driver::{
    pki, rustls_handshake, rustls_paused, stapler_handshake, stapler_paused, Fixture, Io, Meter,
    STAPLE_LEN,
};

#[global_allocator]
static GLOBAL: Counting = Counting;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Server {
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

/// The floor with its client: a fresh x25519 share per handshake, and the
/// client's Finished, both made outside the meter.
struct FloorRig {
    floor: Floor,
    rng: SystemRandom,
    client_finished: Vec<u8>,
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
            conn.complete_ocsp(request.respond(fx.staple.clone()).unwrap())
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
            stapler_flight.abs_diff(ours) <= 2,
            "floor flight {ours} bytes, stapler's {stapler_flight}"
        );
        Self {
            floor,
            rng,
            client_finished: Vec::new(),
        }
    }

    fn handshake(&mut self, m: &mut Meter) {
        let client = EphemeralPrivateKey::generate(&X25519, &self.rng).unwrap();
        let share = client.compute_public_key().unwrap();
        let pending = m.server(|| self.floor.server_flight(share.as_ref()));
        Floor::client_finished_record(&pending, &mut self.client_finished);
        let key = m.server(|| Floor::client_finished(pending, &mut self.client_finished));
        black_box(key);
    }
}

/// The fragment of the first record in `bytes`.
fn first_record(bytes: &[u8]) -> &[u8] {
    let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
    &bytes[5..5 + len]
}

/// EncryptedExtensions (the empty server_name acknowledgement) and
/// Certificate (one entry, the staple in its status_request extension), as
/// RFC 8446 §4.3.1 and §4.4.2 lay them out.
fn ee_and_certificate(cert: &[u8], staple: Option<&[u8]>) -> Vec<u8> {
    fn u24(n: usize) -> [u8; 3] {
        let [_, a, b, c] = (n as u32).to_be_bytes();
        [a, b, c]
    }
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
}

impl Rig {
    fn new() -> Self {
        floor::check_against_rfc8448();
        let fx = Fixture::new();
        let floors = [FloorRig::new(&fx, false), FloorRig::new(&fx, true)];
        Self {
            fx,
            io: Io::default(),
            floors,
        }
    }

    fn handshake(&mut self, server: Server, stapled: bool, m: &mut Meter) {
        let Self { fx, io, floors } = self;
        match server {
            Server::Stapler => {
                stapler_handshake(fx, stapled.then_some(&fx.staple), io, m);
            }
            Server::Rustls => {
                rustls_handshake(fx, stapled, io, m);
            }
            Server::Floor => floors[usize::from(stapled)].handshake(m),
        }
    }

    /// Checks once that each server does the handshake it is said to: the
    /// staple arrives byte for byte when there is one, and not otherwise.
    fn check(&mut self) {
        for (stapled, _) in VARIANTS {
            for (server, name) in SERVERS {
                if server == Server::Floor {
                    continue;
                }
                self.handshake(server, stapled, &mut Meter::default());
                let got = self.fx.check.staple.lock().unwrap().clone();
                let want: &[u8] = if stapled { &self.fx.staple } else { &[] };
                assert_eq!(got, want, "{name}: staple");
            }
        }
    }
}

/// Allocations per server handshake, and heap held while paused.
fn report_heap(rig: &mut Rig) {
    eprintln!("heap allocations per server handshake (count, bytes requested):");
    for (stapled, variant) in VARIANTS {
        for (server, name) in SERVERS {
            // Warm up, then require every handshake to cost the same.
            rig.handshake(server, stapled, &mut Meter::default());
            let mut per = Vec::new();
            for _ in 0..20 {
                let mut m = Meter::default();
                rig.handshake(server, stapled, &mut m);
                per.push((m.allocations, m.bytes));
            }
            let (min, max) = (per.iter().min().unwrap(), per.iter().max().unwrap());
            let spread = if min.0 == max.0 {
                String::new()
            } else {
                format!(" (varies: {} to {})", min.0, max.0)
            };
            eprintln!(
                "  {variant:8} {name:8} {:4} allocations, {:6} bytes{spread}",
                max.0, max.1
            );
        }
    }
    let ours = stapler_paused(&rig.fx, &mut rig.io);
    let theirs = rustls_paused(&rig.fx, &mut rig.io);
    eprintln!("heap held while paused for OCSP (the client's hello read, the event out):");
    eprintln!(
        "  stapler  connection {} bytes on the heap (+{} inline); its OcspRequest {} (+{} inline)",
        ours.connection_heap, ours.connection_inline, ours.event_heap, ours.event_inline
    );
    eprintln!(
        "  rustls   Acceptor + Accepted {} bytes on the heap (+{} inline)",
        theirs.connection_heap, theirs.connection_inline
    );
}

/// The three servers timed in turns, one handshake each at a time, so that
/// a busy machine slows all of them alike; each handshake's server time is
/// kept, and the report gives the median and the 10th percentile (a
/// handshake the scheduler interrupted is slow, never fast, so the low
/// percentile is the steadier figure on a shared machine).
fn report_times(rig: &mut Rig) {
    const HANDSHAKES: usize = 1000;
    eprintln!("server time per handshake, interleaved, {HANDSHAKES} each (p10 / median):");
    for (stapled, variant) in VARIANTS {
        let mut times = [const { Vec::new() }; 3];
        for _ in 0..HANDSHAKES {
            for (i, (server, _)) in SERVERS.iter().enumerate() {
                let mut m = Meter::default();
                rig.handshake(*server, stapled, &mut m);
                times[i].push(m.elapsed.as_nanos() as f64);
            }
        }
        let quantiles = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            [v[v.len() / 10], v[v.len() / 2]]
        };
        let [s, r, f] = times.each_mut().map(quantiles);
        let ratios = |i: usize| {
            format!(
                "stapler/floor {:.3}, rustls/floor {:.3}, stapler/rustls {:.3}",
                s[i] / f[i],
                r[i] / f[i],
                s[i] / r[i]
            )
        };
        for (i, which) in ["p10", "median"].iter().enumerate() {
            eprintln!(
                "  {variant:8} {which:6} stapler {:6.0} ns, rustls {:6.0} ns, floor {:6.0} ns; {}",
                s[i],
                r[i],
                f[i],
                ratios(i)
            );
        }
    }
}

/// Runs one server's handshakes without criterion, for callgrind.
fn profile(spec: &str) {
    let (what, count) = spec.split_once(':').unwrap_or((spec, "100"));
    let (server, variant) = what.split_once('-').expect("SERVER-VARIANT[:N]");
    let server = SERVERS
        .iter()
        .find(|(_, n)| *n == server)
        .expect("server")
        .0;
    let stapled = VARIANTS
        .iter()
        .find(|(_, n)| *n == variant)
        .expect("variant")
        .0;
    let mut rig = Rig::new();
    let mut m = Meter::default();
    let count: u32 = count.parse().expect("count");
    for _ in 0..count {
        rig.handshake(server, stapled, &mut m);
    }
    eprintln!(
        "{what}: {count} handshakes, {:?} per handshake",
        m.elapsed / count
    );
}

fn bench(c: &mut Criterion, rig: &mut Rig) {
    for (stapled, variant) in VARIANTS {
        let mut group = c.benchmark_group(format!("handshake/{variant}"));
        for (server, name) in SERVERS {
            group.bench_function(name, |b| {
                b.iter_custom(|iters| {
                    let mut m = Meter::default();
                    for _ in 0..iters {
                        rig.handshake(server, stapled, &mut m);
                    }
                    m.elapsed
                });
            });
        }
        group.finish();
    }
}

fn main() {
    if let Ok(spec) = std::env::var("HANDSHAKE_PROFILE") {
        profile(&spec);
        return;
    }
    let mut rig = Rig::new();
    rig.check();
    eprintln!("staple: {STAPLE_LEN} bytes");
    report_heap(&mut rig);
    // Timing only under `cargo bench`; `cargo test --benches` runs each
    // benchmark once, as a test.
    if std::env::args().any(|a| a == "--bench") {
        report_times(&mut rig);
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench(&mut c, &mut rig);
    c.final_summary();
}
