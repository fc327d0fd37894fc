//! The data path of an established TLS 1.3 connection, server side:
//! sealing and opening records of 16 KiB and of 1 KiB with
//! AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305, for three servers in
//! one run:
//!
//! - `stapler`: `send_into` a buffer the caller reuses, and
//!   `feed_in_place` (records opened where they lie, data borrowed); the
//!   buffered path (`feed`, `received`, `consume`) is reported beside;
//! - `rustls`: its `Writer` and `write_tls`, its `read_tls`,
//!   `process_new_packets` and `Reader` (a copy out, its only way);
//! - `floor`: ring's bare AEAD, sealing and opening in place with the
//!   nonce made from a sequence number, over each record's TLS 1.3 inner
//!   plaintext (the data and its content type byte, RFC 8446 §5.2): what
//!   a TLS 1.3 record layer must do at the least; `aead`, the same over
//!   the data alone, is reported beside it.
//!
//! The client (rustls) makes the records a server opens, outside the
//! timed window; only the server's calls are timed, in batches of
//! [`BATCH`] records. Before criterion runs, the bench prints the three
//! servers measured interleaved (the ratios to trust on a busy machine),
//! the allocations per record, and the heap held per idle connection
//! over [`IDLE_CONNECTIONS`] connections of stapler and of rustls.
//!
//! `cargo bench --bench data_path` (the criterion groups take about a
//! minute; `-- --warm-up-time 1 --measurement-time 3` for steadier
//! numbers).

#[path = "../tests/common/counting_alloc.rs"]
mod counting_alloc;
#[path = "../tests/common/handshake_driver.rs"]
mod handshake_driver;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use ring::aead;
use rustls::crypto::ring::cipher_suite;
use rustls::ClientConnection;
use stapler::ServerConnection;

use counting_alloc::{Counting, Snapshot};
use handshake_driver::data::{
    client_records, rustls_established, rustls_open, rustls_seal, stapler_established,
    stapler_open_buffered, stapler_open_in_place, stapler_seal, stapler_with_record_limit,
    SuiteFixture,
};
use handshake_driver::{Fixture, Io};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Records per timed batch: enough that the clock's cost disappears, few
/// enough that the client's records for one batch stay in cache.
const BATCH: usize = 32;

/// Connections held open at once to measure the heap of an idle one.
const IDLE_CONNECTIONS: usize = 10_000;

/// Rounds of the interleaved measurement (each times one batch of each
/// server).
const ROUNDS: usize = 200;

const SIZES: [(usize, &str); 2] = [(1 << 14, "16k"), (1 << 10, "1k")];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Server {
    Stapler,
    StaplerBuffered,
    Rustls,
    Floor,
    Bare,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Direction {
    Seal,
    Open,
}

struct Suite {
    name: &'static str,
    rustls: rustls::SupportedCipherSuite,
    ring: &'static aead::Algorithm,
}

fn suites() -> [Suite; 3] {
    [
        Suite {
            name: "aes128gcm",
            rustls: cipher_suite::TLS13_AES_128_GCM_SHA256,
            ring: &aead::AES_128_GCM,
        },
        Suite {
            name: "aes256gcm",
            rustls: cipher_suite::TLS13_AES_256_GCM_SHA384,
            ring: &aead::AES_256_GCM,
        },
        Suite {
            name: "chacha20poly1305",
            rustls: cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
            ring: &aead::CHACHA20_POLY1305,
        },
    ]
}

/// Both servers established with their clients, and the floor's keys, for
/// one suite.
struct Rig {
    stapler: ServerConnection,
    stapler_client: ClientConnection,
    rustls: rustls::ServerConnection,
    rustls_client: ClientConnection,
    floor: FloorKey,
    bare: FloorKey,
    /// The client's records for a batch, made outside the timed window.
    tls: Vec<u8>,
    out: Vec<u8>,
    read_buf: Vec<u8>,
    data: Vec<u8>,
}

impl Rig {
    fn new(suite: &Suite) -> Self {
        let fx = SuiteFixture::new(suite.rustls);
        let mut io = Io::default();
        let (stapler, stapler_client, _) =
            stapler_established(&fx.stapler, &fx.client, None, &mut io);
        let (rustls, rustls_client, _) = rustls_established(&fx.rustls, &fx.client, &mut io);
        Self {
            stapler,
            stapler_client,
            rustls,
            rustls_client,
            floor: FloorKey::new(suite.ring, true),
            bare: FloorKey::new(suite.ring, false),
            tls: Vec::with_capacity(BATCH * ((1 << 14) + 64)),
            out: Vec::with_capacity(BATCH * ((1 << 14) + 64)),
            read_buf: vec![0; 1 << 16],
            data: (0..1 << 14).map(|i| (i * 7) as u8).collect(),
        }
    }

    /// Makes, untimed, what a batch of `size`-byte records needs: the
    /// client's records for an opening server (for the floor, its own
    /// sealed records).
    fn prepare(&mut self, server: Server, direction: Direction, size: usize) {
        self.tls.clear();
        self.out.clear();
        if direction == Direction::Seal {
            return;
        }
        let data = &self.data[..size];
        match server {
            Server::Stapler | Server::StaplerBuffered => {
                for _ in 0..BATCH {
                    client_records(&mut self.stapler_client, data, &mut self.tls);
                }
            }
            Server::Rustls => {
                for _ in 0..BATCH {
                    client_records(&mut self.rustls_client, data, &mut self.tls);
                }
            }
            Server::Floor => self.floor.seal_batch(data, &mut self.tls),
            Server::Bare => self.bare.seal_batch(data, &mut self.tls),
        }
    }

    /// One batch of `size`-byte records through `server`, timed; the
    /// preparation is not.
    fn batch(&mut self, server: Server, direction: Direction, size: usize) -> Duration {
        self.prepare(server, direction, size);
        let start = Instant::now();
        self.run(server, direction, size);
        start.elapsed()
    }

    /// The server's work on a batch that [`Rig::prepare`] made ready.
    fn run(&mut self, server: Server, direction: Direction, size: usize) {
        let data = &self.data[..size];
        match (server, direction) {
            (Server::Stapler | Server::StaplerBuffered, Direction::Seal) => {
                for _ in 0..BATCH {
                    stapler_seal(&mut self.stapler, data, &mut self.out);
                    // The output limit counts what `out` holds: a sender
                    // writes it out, here between records.
                    black_box(&self.out);
                    self.out.clear();
                }
            }
            (Server::Stapler, Direction::Open) => {
                let n = stapler_open_in_place(&mut self.stapler, &mut self.tls, |d| {
                    black_box(d);
                });
                debug_assert_eq!(n, BATCH * size);
            }
            (Server::StaplerBuffered, Direction::Open) => {
                let n = stapler_open_buffered(&mut self.stapler, &self.tls, |d| {
                    black_box(d);
                });
                debug_assert_eq!(n, BATCH * size);
            }
            (Server::Rustls, Direction::Seal) => {
                for _ in 0..BATCH {
                    rustls_seal(&mut self.rustls, data, &mut self.out);
                    black_box(&self.out);
                    self.out.clear();
                }
            }
            (Server::Rustls, Direction::Open) => {
                let n = rustls_open(&mut self.rustls, &self.tls, &mut self.read_buf);
                debug_assert_eq!(n, BATCH * size);
            }
            (Server::Floor, Direction::Seal) => {
                for _ in 0..BATCH {
                    self.floor.seal(data, &mut self.out);
                    black_box(&self.out);
                    self.out.clear();
                }
            }
            (Server::Floor, Direction::Open) => self.floor.open_batch(&mut self.tls, size),
            (Server::Bare, Direction::Seal) => {
                for _ in 0..BATCH {
                    self.bare.seal(data, &mut self.out);
                    black_box(&self.out);
                    self.out.clear();
                }
            }
            (Server::Bare, Direction::Open) => self.bare.open_batch(&mut self.tls, size),
        }
    }
}

/// ring's AEAD and nothing else: the nonce is the IV XOR a sequence
/// number, the additional data a 5-byte header, and the record sealed and
/// opened in place, as a TLS 1.3 record layer must at the least.
struct FloorKey {
    /// Whether a record's plaintext carries TLS 1.3's inner content type
    /// (RFC 8446 §5.2), one byte after the data: the least a TLS 1.3
    /// record layer seals. Without it, the AEAD over the data alone.
    inner_type: bool,
    sealing: aead::LessSafeKey,
    opening: aead::LessSafeKey,
    iv: [u8; 12],
    seal_seq: u64,
    open_seq: u64,
}

impl FloorKey {
    fn new(algorithm: &'static aead::Algorithm, inner_type: bool) -> Self {
        let key = vec![0x42; algorithm.key_len()];
        let make = || aead::LessSafeKey::new(aead::UnboundKey::new(algorithm, &key).unwrap());
        Self {
            inner_type,
            sealing: make(),
            opening: make(),
            iv: [7; 12],
            seal_seq: 0,
            open_seq: 0,
        }
    }

    fn nonce(iv: [u8; 12], seq: u64) -> aead::Nonce {
        let mut nonce = iv;
        for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
            *n ^= s;
        }
        aead::Nonce::assume_unique_for_key(nonce)
    }

    /// One record of `data` appended to `out`: header, content, tag.
    fn seal(&mut self, data: &[u8], out: &mut Vec<u8>) {
        let seq = self.seal_seq;
        self.seal_seq += 1;
        self.seal_at(seq, data, out);
    }

    /// The record of sequence number `seq`.
    fn seal_at(&self, seq: u64, data: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        let inner = usize::from(self.inner_type);
        let len = (data.len() + inner + 16) as u16;
        let header = [23, 3, 3, (len >> 8) as u8, len as u8];
        out.extend_from_slice(&header);
        out.extend_from_slice(data);
        if self.inner_type {
            out.push(23);
        }
        let nonce = Self::nonce(self.iv, seq);
        let tag = self
            .sealing
            .seal_in_place_separate_tag(nonce, aead::Aad::from(header), &mut out[start + 5..])
            .unwrap();
        out.extend_from_slice(tag.as_ref());
    }

    /// The next batch to open: records sealed with the opening side's
    /// sequence numbers (the same key serves both sides).
    fn seal_batch(&mut self, data: &[u8], out: &mut Vec<u8>) {
        for i in 0..BATCH as u64 {
            self.seal_at(self.open_seq + i, data, out);
        }
    }

    /// Opens the batch of `size`-byte records in `tls` where they lie.
    fn open_batch(&mut self, tls: &mut [u8], size: usize) {
        for record in tls.chunks_mut(5 + size + usize::from(self.inner_type) + 16) {
            let (header, body) = record.split_at_mut(5);
            let nonce = Self::nonce(self.iv, self.open_seq);
            self.open_seq += 1;
            let plain = self
                .opening
                .open_in_place(nonce, aead::Aad::from(&*header), body)
                .unwrap();
            black_box(plain);
        }
    }
}

const SERVERS: [Server; 5] = [
    Server::Stapler,
    Server::StaplerBuffered,
    Server::Rustls,
    Server::Floor,
    Server::Bare,
];

/// The interleaved measurement: every server's batch in turn, `ROUNDS`
/// times, so that a busy machine slows them alike; prints bytes/s and
/// the ratios to the floor and to rustls, and allocations per record.
fn interleaved_report() {
    eprintln!(
        "data path, TLS 1.3, {ROUNDS} interleaved rounds of {BATCH} records; \
         throughput in MB/s (10^6 bytes of plaintext per second), median of rounds"
    );
    eprintln!(
        "{:<18} {:>4} {:<5} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7} {:>8} {:>13}",
        "suite",
        "size",
        "way",
        "stapler",
        "buffered",
        "rustls",
        "floor",
        "aead",
        "/floor",
        "/aead",
        "/rustls",
        "allocs/record"
    );
    for suite in suites() {
        let mut rig = Rig::new(&suite);
        for (size, size_name) in SIZES {
            for direction in [Direction::Seal, Direction::Open] {
                let mut times: [Vec<Duration>; 5] = Default::default();
                let mut allocations = [0u64; 5];
                for round in 0..ROUNDS + 5 {
                    for (i, server) in SERVERS.into_iter().enumerate() {
                        let elapsed = rig.batch(server, direction, size);
                        if round >= 5 {
                            times[i].push(elapsed);
                        }
                    }
                }
                for (i, server) in SERVERS.into_iter().enumerate() {
                    allocations[i] = allocations_per_batch(&mut rig, server, direction, size);
                }
                let rate = |t: &mut Vec<Duration>| {
                    t.sort();
                    let median = t[t.len() / 2].as_secs_f64();
                    (BATCH * size) as f64 / median / 1e6
                };
                let rates: Vec<f64> = times.iter_mut().map(rate).collect();
                let way = match direction {
                    Direction::Seal => "seal",
                    Direction::Open => "open",
                };
                eprintln!(
                    "{:<18} {:>4} {:<5} {:>9.0} {:>9.0} {:>9.0} {:>9.0} {:>9.0} {:>7.3} {:>7.3} {:>8.3} {:>6.2}/{:<6.2}",
                    suite.name,
                    size_name,
                    way,
                    rates[0],
                    rates[1],
                    rates[2],
                    rates[3],
                    rates[4],
                    rates[0] / rates[3],
                    rates[0] / rates[4],
                    rates[0] / rates[2],
                    allocations[0] as f64 / BATCH as f64,
                    allocations[2] as f64 / BATCH as f64,
                );
            }
        }
    }
    eprintln!(
        "(floor: ring's AEAD over each record's TLS 1.3 inner plaintext, the data and its \
         content type byte; aead: over the data alone. allocs/record: stapler in place / \
         rustls; the buffered path allocates its record buffer once per feed that empties it)"
    );
}

/// The server's allocations over one batch, counted around the server's
/// calls alone (the preparation is the client's).
fn allocations_per_batch(rig: &mut Rig, server: Server, direction: Direction, size: usize) -> u64 {
    rig.prepare(server, direction, size);
    let before = Snapshot::now();
    rig.run(server, direction, size);
    Snapshot::now().since(before).allocations
}

/// What a client's record_size_limit (RFC 8449) costs a sender: 16 KiB
/// writes sealed (AES-128-GCM) into records of at most the limit, against
/// no limit, interleaved.
fn record_size_limit_report() {
    let fx = Fixture::new();
    let limits = [None, Some(4096), Some(1024), Some(512)];
    let mut conns: Vec<ServerConnection> = limits
        .iter()
        .map(|&limit| stapler_with_record_limit(&fx, limit))
        .collect();
    let data = vec![0x5a; 1 << 14];
    let mut out = Vec::with_capacity(1 << 16);
    let mut times = vec![Vec::new(); limits.len()];
    for round in 0..ROUNDS + 5 {
        for (conn, times) in conns.iter_mut().zip(&mut times) {
            let start = Instant::now();
            for _ in 0..BATCH {
                stapler_seal(conn, &data, &mut out);
                black_box(&out);
                out.clear();
            }
            if round >= 5 {
                times.push(start.elapsed());
            }
        }
    }
    let rates: Vec<f64> = times
        .iter_mut()
        .map(|t| {
            t.sort();
            (BATCH * data.len()) as f64 / t[t.len() / 2].as_secs_f64() / 1e6
        })
        .collect();
    let line: Vec<String> = limits
        .iter()
        .zip(&rates)
        .map(|(limit, rate)| {
            let name = limit.map_or("none".to_owned(), |l| l.to_string());
            format!("{name}: {rate:.0} MB/s ({:.3})", rate / rates[0])
        })
        .collect();
    eprintln!(
        "16 KiB writes sealed under the client's record_size_limit (TLS 1.3, AES-128-GCM): {}",
        line.join(", ")
    );
}

/// Heap held per idle established connection, over `IDLE_CONNECTIONS`
/// connections of each server held open at once.
fn idle_report() {
    let fx = SuiteFixture::new(cipher_suite::TLS13_AES_128_GCM_SHA256);
    let mut io = Io::default();
    let mut held = 0i64;
    let mut stapler = Vec::with_capacity(IDLE_CONNECTIONS);
    for _ in 0..IDLE_CONNECTIONS {
        let (conn, _client, heap) = stapler_established(&fx.stapler, &fx.client, None, &mut io);
        held += heap;
        stapler.push(conn);
    }
    let mut their_held = 0i64;
    let mut rustls = Vec::with_capacity(IDLE_CONNECTIONS);
    for _ in 0..IDLE_CONNECTIONS {
        let (conn, _client, heap) = rustls_established(&fx.rustls, &fx.client, &mut io);
        their_held += heap;
        rustls.push(conn);
    }
    let n = IDLE_CONNECTIONS as i64;
    eprintln!(
        "idle TLS 1.3 connection, over {IDLE_CONNECTIONS} held at once: stapler {} B of heap \
         + {} B inline = {} B; rustls {} B + {} B = {} B",
        held / n,
        size_of::<ServerConnection>(),
        held / n + size_of::<ServerConnection>() as i64,
        their_held / n,
        size_of::<rustls::ServerConnection>(),
        their_held / n + size_of::<rustls::ServerConnection>() as i64,
    );
}

fn criterion_groups(c: &mut Criterion) {
    for suite in suites() {
        let mut rig = Rig::new(&suite);
        for (size, size_name) in SIZES {
            for direction in [Direction::Seal, Direction::Open] {
                let way = match direction {
                    Direction::Seal => "seal",
                    Direction::Open => "open",
                };
                let mut group = c.benchmark_group(format!("data/{}/{size_name}/{way}", suite.name));
                group.throughput(criterion::Throughput::Bytes(size as u64));
                group.warm_up_time(Duration::from_millis(300));
                group.measurement_time(Duration::from_millis(700));
                group.sample_size(20);
                for server in [Server::Stapler, Server::Rustls, Server::Floor] {
                    let name = match server {
                        Server::Stapler => "stapler",
                        Server::Rustls => "rustls",
                        _ => "floor",
                    };
                    group.bench_function(name, |b| {
                        b.iter_custom(|iters| {
                            let batches = iters.div_ceil(BATCH as u64);
                            let mut total = Duration::ZERO;
                            for _ in 0..batches {
                                total += rig.batch(server, direction, size);
                            }
                            // One iteration is one record: scale the
                            // batches' time to exactly `iters` records.
                            let records = batches * BATCH as u64;
                            total.mul_f64(iters as f64 / records as f64)
                        })
                    });
                }
                group.finish();
            }
        }
    }
}

fn main() {
    let report_only = std::env::args().any(|a| a == "--report-only");
    interleaved_report();
    record_size_limit_report();
    idle_report();
    if report_only {
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    criterion_groups(&mut c);
    c.final_summary();
}
