//! OCSP over HTTP for the demo server, both ends of it:
//!
//! - [`responder`]: a tiny HTTP/1.0-1.1 OCSP responder for the demo PKI,
//!   signing a fresh response on each request (RFC 6960 Appendix A, RFC
//!   5019 §5), so that the demo can show the whole flow on loopback;
//! - [`stapling`]: the server's side, a `stapler::ocsp::StapleCache` owned
//!   by a background thread that fetches over HTTP (the `minreq` crate)
//!   when the cache says so, while connection threads answer their
//!   `OcspRequest` events from memory.
//!
//! Shared by `examples/server.rs` and `tests/demo_ocsp.rs` (which runs
//! both ends in-process), so not every item is used by both.
#![allow(dead_code)]

mod fleet;
pub mod responder;
pub mod stapling;

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where both ends read the time: seconds since the Unix epoch. The demo
/// reads the system clock; the tests inject time.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock as a [`Clock`].
pub fn system_clock() -> Clock {
    Arc::new(unix_now)
}

/// Seconds since the Unix epoch (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `unix` as a time of day, `HH:MM:SS UTC`, for the log.
pub fn time_of_day(unix: u64) -> String {
    let seconds = unix % 86_400;
    format!(
        "{:02}:{:02}:{:02} UTC",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// `unix` as a date and time, `YYYY-MM-DD HH:MM:SS UTC`, for the log.
pub fn date_time(unix: u64) -> String {
    // Days since 1970-01-01 to a civil date, counting in 400-year eras
    // that start on March 1st (so that leap days end each year).
    let days = unix / 86_400;
    let shifted = days + 719_468; // days from 0000-03-01 to 1970-01-01
    let era = shifted / 146_097;
    let day_of_era = shifted % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    let time = time_of_day(unix);
    format!("{year:04}-{month:02}-{day:02} {time}")
}

/// A span of seconds, `1h 2m 3s` style, for the log.
pub fn span(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s}s"),
        _ => format!("{h}h {m}m {s}s"),
    }
}

/// The most bytes of any one peer-chosen string [`escape`] shows: a
/// request line or a host name is rarely longer, and past it the rest is
/// summarised by its length rather than let a peer fill the log.
pub const MAX_SHOWN: usize = 256;

/// A peer's bytes (an SNI, an ALPN name, an HTTP request line or target)
/// as printable ASCII, for the log and the demo's page: the demo's one way
/// of showing them.
///
/// Printed as they came, such bytes could rewrite the operator's terminal
/// (ANSI escape sequences: colours, cursor moves, window titles), forge
/// log lines (a CR or LF, then text that looks like another connection's
/// line), or hide text behind Unicode tricks (bidirectional overrides). So
/// printable ASCII stays as it is, except `"` and `\`, which get a
/// backslash (a quoted field cannot be closed from inside); tab, CR and LF
/// become `\t`, `\r` and `\n`; every other byte (control bytes, DEL, and
/// each byte of a non-ASCII character) becomes `\xHH`. Non-ASCII is shown
/// byte by byte rather than decoded: what is logged is what came on the
/// wire, and no character can pass for another. Past [`MAX_SHOWN`] bytes
/// the rest is cut, and its length said.
pub fn escape(bytes: &[u8]) -> String {
    escape_cut(bytes, MAX_SHOWN)
}

/// [`escape`], showing at most `max` bytes of `bytes`.
pub fn escape_cut(bytes: &[u8], max: usize) -> String {
    let shown = &bytes[..bytes.len().min(max)];
    let mut out = String::with_capacity(shown.len());
    for &b in shown {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b' '..=b'~' => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    if bytes.len() > shown.len() {
        let _ = write!(out, "...({} more bytes)", bytes.len() - shown.len());
    }
    out
}
