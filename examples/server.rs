//! A TCP demo of stapler: a TLS 1.3 and TLS 1.2 HTTPS server that staples
//! OCSP through the `OcspRequest` event, the way a Node.js server does with
//! its `'OCSPRequest'` listener, answering it from a `StapleCache` kept
//! fresh by a background thread.
//!
//! ```text
//! cargo run --release --example server            # the whole flow on loopback
//! cargo run --release --example server -- --help
//! ```
//!
//! With no arguments it makes a CA and a `localhost` certificate in memory
//! (ECDSA P-256; see `demo_pki/`) whose AIA names an OCSP responder on
//! 127.0.0.1:8888, and writes the CA to the temp directory for clients to
//! trust. Then it runs both sides of OCSP (see `demo_ocsp/`): the CA's
//! responder, which signs a fresh response on each request (fresh for ten
//! minutes, so that refreshes show), and the server's `StapleCache`, primed
//! from that responder before the first connection is accepted and
//! refreshed at the midpoint of each response's validity by a background
//! thread. `--ocsp fetch` does the same for a certificate given with
//! `--cert`, from the responder its AIA names. It prints `openssl s_client`
//! and `curl` commands to try.
//!
//! Each connection gets a thread and a `ServerConnection`, driven by the
//! contract in the crate docs: feed the bytes received until they are
//! consumed, drain the events, answer an `OcspRequest` (from the cache, at
//! once; or after `--ocsp-delay-ms` from another thread while this
//! connection alone waits), drain and write the output, and keep the bytes
//! a paused connection did not take for after the answer. Once the
//! handshake is done the server reads one HTTP request, answers with a page
//! describing the connection, sends close_notify and closes.
//!
//! With `--fleet redis://HOST:PORT --fleet-secret-file FILE`, several such
//! servers share one OCSP fetch per certificate and one session-ticket key
//! set through Redis (`stapler-redis`; see `demo_server/fleet.rs`).
//!
//! Everything is in `demo_server/`, which tests/demo_conformance.rs and
//! tests/fleet.rs also run; this file only hands it the command line.

#[path = "demo_ocsp/mod.rs"]
mod demo_ocsp;
#[path = "demo_pki/mod.rs"]
mod demo_pki;
#[path = "demo_server/mod.rs"]
mod demo_server;

fn main() -> std::process::ExitCode {
    demo_server::run(std::env::args().skip(1))
}
