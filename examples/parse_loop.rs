//! Parses one captured first flight many times, for instruction counting:
//!
//! ```text
//! cargo build --release --example parse_loop
//! valgrind --tool=callgrind target/release/examples/parse_loop tests/data/client_hello/openssl_tls13_status.bin 10000
//! ```
//!
//! The work per iteration is what `benches/client_hello.rs` times for
//! stapler: record framing, handshake framing, the ClientHello parse and
//! `requests_ocsp()`. Run it twice with different counts and divide the
//! difference in instructions by the difference in counts to get the cost
//! of one parse without the start-up.
//!
//! With `--time` it instead times 50 batches of COUNT parses and prints the
//! fastest batch's time per parse: the least disturbed by whatever else the
//! machine is running.

use std::hint::black_box;

use stapler::codec::{split_handshake, split_record, ClientHello, MAX_PLAINTEXT_LEN};

#[inline(never)]
fn parse(flight: &[u8]) -> bool {
    let Ok(Some((record, _))) = split_record(flight, MAX_PLAINTEXT_LEN) else {
        return false;
    };
    let Ok(Some((message, _))) = split_handshake(record.fragment) else {
        return false;
    };
    ClientHello::parse(message.body).is_ok_and(|hello| hello.requests_ocsp())
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let time = args.iter().any(|a| a == "--time");
    args.retain(|a| a != "--time");
    let mut args = args.into_iter();
    let path = args
        .next()
        .expect("usage: parse_loop [--time] FILE [COUNT]");
    let count: u64 = args.next().map_or(1_000_000, |n| n.parse().expect("COUNT"));
    let flight = std::fs::read(path).expect("readable capture");
    if time {
        let fastest = (0..50)
            .map(|_| {
                let start = std::time::Instant::now();
                for _ in 0..count {
                    black_box(parse(black_box(&flight)));
                }
                start.elapsed()
            })
            .min()
            .expect("50 batches");
        println!(
            "{:.1} ns per parse",
            fastest.as_nanos() as f64 / count as f64
        );
        return;
    }
    let mut ocsp = 0u64;
    for _ in 0..count {
        ocsp += u64::from(parse(black_box(&flight)));
    }
    println!("{count} parses, {ocsp} asked for OCSP");
}
