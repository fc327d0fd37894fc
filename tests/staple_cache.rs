//! `StapleCache` against issue 5's requirements.
//!
//! Part one drives the cache through timelines with injected time: primed
//! at startup, refreshed at the midpoint, serving the last good staple
//! while the responder is down, backing off, re-issuing lost fetches,
//! refusing bad responses, surviving a restart, and answering a real
//! `OcspRequest` raised by a `ServerConnection` talking to rustls. The
//! responses are made by `openssl ocsp`: the committed ones in
//! tests/data/ocsp (valid for 100 years), and week-long ones made when the
//! test runs, so that windows are realistic.
//!
//! Part two starts `openssl ocsp -port` on loopback with an index of good
//! and revoked certificates and does the HTTP itself, feeding what comes
//! back to the cache.
//!
//! A missing `openssl` fails these tests (naming the Debian package), as
//! for every interop test; `STAPLER_SKIP_INTEROP=1` skips them.

mod common;
#[path = "staple_cache/export_import.rs"]
mod export_import;
#[path = "staple_cache/jitter.rs"]
mod jitter;
#[path = "staple_cache/live.rs"]
mod live;
#[path = "staple_cache/registration.rs"]
mod registration;
#[path = "staple_cache/support.rs"]
mod support;
#[path = "staple_cache/timelines.rs"]
mod timelines;
