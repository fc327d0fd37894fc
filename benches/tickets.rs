//! Sealing and opening one session ticket: a 200-byte resumption state
//! (about what a TLS 1.3 ticket carries: the secret, names, a certificate
//! hash), under AES-256-GCM with the key made for each operation, as
//! `TicketKeys` does so that only its wiped raw keys outlive a call.
//! Target: under 1 µs each (issue 11).
//!
//! `cargo bench --bench tickets`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use stapler::tickets::{TicketKeyPolicy, TicketKeys};

const NOW: u64 = 1_800_000_000;

fn bench(c: &mut Criterion) {
    let keys = TicketKeys::new(TicketKeyPolicy::default(), NOW).expect("keys");
    let state = [0x5a; 200];
    let ticket = keys.seal(&state).expect("sealed");
    let mut group = c.benchmark_group("ticket");
    group.bench_function("seal", |b| b.iter(|| keys.seal(black_box(&state))));
    group.bench_function("open", |b| {
        b.iter(|| keys.open(black_box(&ticket), NOW).expect("opens"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
