//! Instruction counts of stapler's server, beside rustls's, under
//! callgrind, in the manner of rustls's ci-bench: instruction counts do
//! not move with a busy machine, so CI can hold them to the committed
//! numbers (icount/baseline.tsv) within 2%.
//!
//! ```text
//! cargo run --release -p stapler-icount            # the table, and the check
//! cargo run --release -p stapler-icount -- update  # commit new numbers
//! ```
//!
//! Scenarios: ClientHello parsing; full TLS 1.3 and TLS 1.2 handshakes,
//! plain and stapled; a TLS 1.3 resumption; a 1 MiB transfer each way
//! (see `scenarios.rs`). Needs valgrind.

#![forbid(unsafe_code)]

#[path = "../../tests/common/recording_verifier.rs"]
mod recording_verifier;
mod report;
mod scenarios;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args[..] {
        ["run", scenario, server] => scenarios::run(scenario, server),
        [] | ["check"] => check(),
        ["update"] => report::measure_all().and_then(|rows| {
            report::print_table(&rows, &[]);
            report::write_baseline(&rows)
        }),
        _ => Err("usage: stapler-icount [check | update | run SCENARIO SERVER]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stapler-icount: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Counts, prints, and fails if a scenario grew past the bound.
fn check() -> Result<(), String> {
    let baseline = report::read_baseline()?;
    let rows = report::measure_all()?;
    let grown = report::print_table(&rows, &baseline);
    if grown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "instruction counts grew by more than 2%: {} (if intended, run `update` and commit)",
            grown.join(", ")
        ))
    }
}
