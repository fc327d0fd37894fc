//! ClientHello parsing against its peer, in one run: for each captured first
//! flight, stapler (record + handshake framing + the zero-copy parse +
//! `requests_ocsp()`) next to rustls's `Acceptor` reading the same bytes up
//! to its `Accepted`, which is the point where rustls has parsed the hello.
//!
//! `cargo bench --bench client_hello` takes about two minutes; pass a filter
//! (e.g. `-- chromium`) for one capture.

use std::fs;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use stapler::codec::{split_handshake, split_record, ClientHello, MAX_PLAINTEXT_LEN};

/// Every `*.bin` capture, sorted by name.
fn captures() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/client_hello");
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("tests/data/client_hello")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).expect("readable capture"))
        })
        .collect();
    files.sort();
    files
}

/// stapler: first record, first message, parse, and the OCSP question.
fn stapler_parse(flight: &[u8]) -> bool {
    let (record, _) = split_record(flight, MAX_PLAINTEXT_LEN)
        .expect("valid record")
        .expect("whole record");
    let (message, _) = split_handshake(record.fragment)
        .expect("valid message")
        .expect("whole message");
    ClientHello::parse(message.body)
        .expect("valid hello")
        .requests_ocsp()
}

/// rustls: a fresh `Acceptor` reads the flight until it yields `Accepted`;
/// the server name is read from its parsed hello.
fn rustls_parse(flight: &[u8]) -> bool {
    let mut acceptor = rustls::server::Acceptor::default();
    let mut input = flight;
    loop {
        if !input.is_empty() {
            acceptor.read_tls(&mut input).expect("read_tls");
        }
        match acceptor.accept() {
            Ok(Some(accepted)) => return accepted.client_hello().server_name().is_some(),
            Ok(None) if input.is_empty() => panic!("rustls wants more than the capture"),
            Ok(None) => {}
            Err((e, _)) => panic!("rustls refused the capture: {e}"),
        }
    }
}

fn client_hello(c: &mut Criterion) {
    for (name, flight) in captures() {
        // Both must accept the capture before either is timed.
        stapler_parse(&flight);
        rustls_parse(&flight);

        let mut group = c.benchmark_group(format!("client_hello/{name}"));
        group.throughput(Throughput::Bytes(flight.len() as u64));
        group.bench_function("stapler", |b| {
            b.iter(|| stapler_parse(black_box(&flight)));
        });
        group.bench_function("rustls", |b| {
            b.iter(|| rustls_parse(black_box(&flight)));
        });
        group.finish();
    }
}

/// The worst hellos known: 64 KiB of distinct unknown extensions, and of
/// distinct key shares (tests/data/fuzz_regressions). Their duplicate checks
/// once cost quadratic time (0.37 s and 0.24 s); a linear parse costs about
/// as much per byte as a real hello.
fn adversarial(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz_regressions");
    let mut group = c.benchmark_group("client_hello/adversarial");
    for name in [
        "client_hello-quadratic-unknown-extensions",
        "client_hello-quadratic-key-shares",
    ] {
        let body = fs::read(dir.join(format!("{name}.bin"))).expect("regression input");
        assert!(ClientHello::parse(&body).is_ok());
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| ClientHello::parse(black_box(&body)).is_ok());
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    targets = client_hello, adversarial
}
criterion_main!(benches);
