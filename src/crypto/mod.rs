//! All of the cryptography of the server, on top of `ring`: suites,
//! transcript hash, the TLS 1.3 key schedule, record protection, key
//! exchange and signing keys, and TLS 1.2's PRF and records (`tls12`).
//! Nothing here parses or keeps protocol state beyond what a primitive
//! needs (a sequence number, a running hash); the server's state machine
//! drives it.
//!
//! Secrets live in fixed-size arrays and every hash input is passed by
//! reference, so the key schedule and record protection allocate nothing of
//! their own; the only allocations are an RSA signature's bytes and the growth
//! of a caller's output buffer.

// The server uses most of this. Not yet used outside tests: the exporter and
// resumption secrets (for RFC 8446 §7.5 exporters and tickets), the record
// limit that should trigger a KeyUpdate before §5.5's bound, and accessors
// the RFC 8448 vector tests read.
#![allow(dead_code)]

mod hybrid;
pub(crate) use hybrid::share_len as hybrid_share_len;
pub(crate) mod key_exchange;
pub(crate) mod key_schedule;
pub(crate) mod key_share;
pub(crate) mod random;
pub(crate) mod record_key;
pub(crate) mod record_protection;
pub(crate) mod signing;
pub(crate) mod suites;
pub(crate) mod tls12;
pub(crate) mod transcript;

#[cfg(test)]
mod rfc8448;
