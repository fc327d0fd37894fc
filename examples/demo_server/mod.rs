//! The demo server's body: its options (`options.rs`), its setup
//! (`setup.rs`: certificates, the OCSP mode, the built-in responder, the
//! remote-key signer of `remote_key.rs`), the accept loop here that gives
//! each connection a thread, and the connection's run loop (`conn.rs`).
//!
//! Shared by `examples/server.rs` (which calls `run`, in `run.rs`: the
//! banner, the log to standard output), `tests/fleet.rs` (whose child
//! processes call `run` too) and `tests/demo_conformance.rs` (which runs
//! the pieces in-process on a free loopback port against real clients,
//! and reads the log lines they make), so not every item is used by all. Both declare `demo_ocsp` and
//! `demo_pki` beside it, at the crate root.
#![allow(dead_code)]

mod conn;
mod fleet;
pub mod http;
pub mod log;
mod options;
mod remote_key;
mod run;
mod setup;

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use stapler::ServerConfig;

// Each of the two crates that include this module uses part of these.
#[allow(unused_imports)]
pub use options::{parse_args, Command, OcspArg, Options, USAGE};
use remote_key::RemoteSigner;
#[allow(unused_imports)]
pub use run::run;
#[allow(unused_imports)]
pub use setup::{setup, OcspMode, Setup};

use crate::demo_ocsp::unix_now;

/// Connections served at once; more are refused (closed at once, logged),
/// so that a flood cannot make the demo spawn threads without bound.
const MAX_CONNECTIONS: usize = 512;
/// How long a connection may stay silent, and how long a handshake may wait
/// for its OCSP answer: a request that never gets one is timed out (a
/// sans-IO connection cannot notice a lost request by itself).
pub(crate) const TIMEOUT: Duration = Duration::from_secs(30);
/// After close_notify, how long to read what the client still sends before
/// closing the socket (closing with unread input makes the kernel send a
/// reset, which can destroy the response before the client reads it).
pub(crate) const LINGER: Duration = Duration::from_secs(2);

/// Where log lines go: standard output in the demo, a list the test reads
/// in tests/demo_conformance.rs.
pub type LogSink = Arc<dyn Fn(String) + Send + Sync>;

/// What every connection thread shares.
pub struct Shared {
    pub config: Arc<ServerConfig>,
    pub ocsp: OcspMode,
    pub ocsp_delay: Duration,
    /// How long a certificate selection takes to answer.
    pub select_delay: Duration,
    pub signer: Option<Arc<RemoteSigner>>,
    pub log: LogSink,
}

impl Shared {
    pub fn new(setup: Setup, options: &Options, log: LogSink) -> Self {
        Self {
            config: setup.config,
            ocsp: setup.ocsp,
            ocsp_delay: options.ocsp_delay,
            select_delay: options.select_delay.unwrap_or(Duration::ZERO),
            signer: setup.signer,
            log,
        }
    }
}

/// With `--ocsp fetch`: fills the cache before the first connection is
/// accepted (clients that connect meanwhile wait in the listen backlog), so
/// that the first is stapled, then starts the thread that keeps it fresh.
pub fn prime(ocsp: &OcspMode, log: &LogSink) -> Result<(), String> {
    if let OcspMode::Fetch(stapling) = ocsp {
        for report in stapling.run_due(unix_now()) {
            log(report.to_string());
        }
        stapling
            .start_refresher()
            .map_err(|e| format!("cannot start the OCSP refresher: {e}"))?;
    }
    Ok(())
}

/// Accepts connections for ever, each served by a thread of its own that
/// logs one line when it ends.
pub fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(e) => {
                // Out of file descriptors, say: wait rather than spin.
                (shared.log)(format!("accept: {e}"));
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let peer = peer_name(&stream);
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            (shared.log)(format!(
                "{peer}: refused: already serving {MAX_CONNECTIONS} connections"
            ));
            continue;
        }
        let slot = Slot(Arc::clone(&active));
        let for_thread = Arc::clone(shared);
        let thread_peer = peer.clone();
        let spawned = thread::Builder::new()
            .name(format!("conn {peer}"))
            .spawn(move || {
                let _slot = slot;
                let line = conn::handle(stream, &for_thread);
                (for_thread.log)(format!("{thread_peer}: {line}"));
            });
        if let Err(e) = spawned {
            (shared.log)(format!("{peer}: refused: cannot start a thread: {e}"));
        }
    }
}

/// One of the `MAX_CONNECTIONS` slots, given back when the thread ends.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn peer_name(stream: &TcpStream) -> String {
    stream
        .peer_addr()
        .map_or_else(|_| "?".into(), |a| a.to_string())
}
