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

pub mod responder;
pub mod stapling;

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

/// A span of seconds, `1h 2m 3s` style, for the log.
pub fn span(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s}s"),
        _ => format!("{h}h {m}m {s}s"),
    }
}
