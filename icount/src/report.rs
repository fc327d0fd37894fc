//! Counting under callgrind, the table, and the check against the
//! committed numbers.
//!
//! Each scenario runs in a child process of this same program under
//! `valgrind --tool=callgrind --toggle-collect='*measured*'`, so only the
//! server's calls are counted, and the total is read from the output
//! file's `totals:` line.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::scenarios::{Scenario, SCENARIOS};

/// How much a scenario may grow against the committed number before the
/// check fails: 2% (the bound), above the noise of random key
/// shares and nonces, which is far smaller.
const MAX_GROWTH: f64 = 0.02;

/// The committed numbers: stapler's instructions per operation.
fn baseline_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("baseline.tsv")
}

/// One scenario's counts per operation.
pub struct Row {
    pub scenario: &'static Scenario,
    pub stapler: u64,
    pub rustls: u64,
}

/// Counts every scenario for both servers.
pub fn measure_all() -> Result<Vec<Row>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    SCENARIOS
        .iter()
        .map(|scenario| {
            let stapler = count(&exe, scenario.name, "stapler")? / scenario.ops;
            let rustls = count(&exe, scenario.name, "rustls")? / scenario.ops;
            Ok(Row {
                scenario,
                stapler,
                rustls,
            })
        })
        .collect()
}

/// Instructions counted inside `measured` for one run of `scenario`.
fn count(exe: &Path, scenario: &str, server: &str) -> Result<u64, String> {
    let out = std::env::temp_dir().join(format!(
        "stapler-icount-{}-{scenario}-{server}.callgrind",
        std::process::id()
    ));
    let status = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--toggle-collect=*measured*",
            "--dump-instr=no",
            "--quiet",
        ])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(exe)
        .args(["run", scenario, server])
        .status()
        .map_err(|e| {
            format!(
                "cannot run valgrind ({e}): install it (Debian: apt-get install valgrind) \
                 to count instructions"
            )
        })?;
    if !status.success() {
        return Err(format!(
            "{scenario} for {server} failed under valgrind: {status}"
        ));
    }
    let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let _ = std::fs::remove_file(&out);
    text.lines()
        .find_map(|line| line.strip_prefix("totals:"))
        .and_then(|n| n.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no totals in callgrind's output for {scenario}/{server}"))
}

/// The committed numbers, by scenario.
pub fn read_baseline() -> Result<Vec<(String, u64)>, String> {
    let path = baseline_path();
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut fields = line.split('\t');
            let name = fields.next().unwrap_or_default().to_owned();
            let count = fields
                .next()
                .and_then(|n| n.trim().parse().ok())
                .ok_or_else(|| format!("{}: bad line {line:?}", path.display()))?;
            Ok((name, count))
        })
        .collect()
}

/// Writes `rows` as the committed numbers.
pub fn write_baseline(rows: &[Row]) -> Result<(), String> {
    let mut text = String::from(
        "# stapler's instructions per operation under callgrind, by scenario\n\
         # (icount/src/scenarios.rs). CI fails when one grows by more than 2%.\n\
         # Written by `cargo run --release -p stapler-icount -- update`.\n",
    );
    for row in rows {
        text.push_str(&format!("{}\t{}\n", row.scenario.name, row.stapler));
    }
    std::fs::write(baseline_path(), text).map_err(|e| format!("writing the baseline: {e}"))
}

/// Prints the table, with the change against `baseline`; returns the
/// scenarios that grew past [`MAX_GROWTH`].
pub fn print_table(rows: &[Row], baseline: &[(String, u64)]) -> Vec<String> {
    println!(
        "{:<15} {:>12} {:>12} {:>9} {:>12} {:>8}",
        "scenario", "stapler", "rustls", "/rustls", "committed", "change"
    );
    let mut grown = Vec::new();
    for row in rows {
        let committed = baseline
            .iter()
            .find(|(name, _)| name == row.scenario.name)
            .map(|(_, n)| *n);
        let change = committed.map(|c| row.stapler as f64 / c as f64 - 1.0);
        println!(
            "{:<15} {:>12} {:>12} {:>9.3} {:>12} {:>8}",
            row.scenario.name,
            row.stapler,
            row.rustls,
            row.stapler as f64 / row.rustls as f64,
            committed.map_or("-".into(), |c| c.to_string()),
            change.map_or("new".into(), |c| format!("{:+.2}%", c * 100.0)),
        );
        if change.is_some_and(|c| c > MAX_GROWTH) {
            grown.push(row.scenario.name.to_owned());
        }
    }
    println!("(instructions per operation; the operations:)");
    for row in rows {
        println!("  {:<15} {}", row.scenario.name, row.scenario.what);
    }
    grown
}
