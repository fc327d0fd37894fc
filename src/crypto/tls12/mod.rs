//! The cryptography of TLS 1.2 (RFC 5246) with ECDHE and AEAD suites: the
//! suites themselves, the PRF and what it derives, and record protection.
//! Key exchange and signing are shared with TLS 1.3 (`key_exchange`,
//! `signing`), as is the running handshake hash (`transcript`).

pub(crate) mod prf;
pub(crate) mod record_protection;
pub(crate) mod suites;
