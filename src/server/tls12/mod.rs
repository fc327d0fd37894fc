//! The TLS 1.2 server handshake (RFC 5246 with RFC 8422 ECDHE, RFC 7627,
//! RFC 5746 and RFC 6066 §8 stapling).

// The state machine that uses these arrives with the connection wiring.
#[allow(dead_code)]
pub(crate) mod messages;
