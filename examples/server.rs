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
//! The options, the setup and the connections are in `demo_server/`, which
//! tests/demo_conformance.rs also runs; this file adds the banner and sends
//! the log to standard output.

#[path = "demo_ocsp/mod.rs"]
mod demo_ocsp;
#[path = "demo_pki/mod.rs"]
mod demo_pki;
#[path = "demo_server/mod.rs"]
mod demo_server;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::process::ExitCode;
use std::sync::Arc;

use demo_server::{Command, OcspMode, Setup, Shared, USAGE};

fn main() -> ExitCode {
    let options = match demo_server::parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(options)) => options,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("server: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Listen first: a second instance on a busy port must fail before it
    // overwrites the first one's files.
    let listener = match TcpListener::bind(&options.listen) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("server: cannot listen on {}: {e}", options.listen);
            return ExitCode::FAILURE;
        }
    };
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let setup = match demo_server::setup(&options, addr.port()) {
        Ok(setup) => setup,
        Err(e) => {
            eprintln!("server: {e}");
            return ExitCode::FAILURE;
        }
    };
    print_banner(addr, &setup);
    let log: demo_server::LogSink = Arc::new(|line| println!("{line}"));
    if let Err(e) = demo_server::prime(&setup.ocsp, &log) {
        eprintln!("server: {e}");
        return ExitCode::FAILURE;
    }
    println!("One line per connection follows.");
    let shared = Arc::new(Shared::new(setup, &options, log));
    demo_server::accept_loop(&listener, &shared);
    ExitCode::SUCCESS
}

/// What the server runs with, and commands to try it.
fn print_banner(addr: SocketAddr, setup: &Setup) {
    let host = match addr.ip() {
        ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip => ip,
    };
    let connect = SocketAddr::new(host, addr.port());
    let port = addr.port();
    let ca = setup
        .ca_path
        .as_ref()
        .map_or_else(|| "YOUR-CA.pem".into(), |p| p.display().to_string());
    println!("stapler demo server: TLS 1.3 and 1.2, ALPN http/1.1, listening on {addr}");
    for note in &setup.notes {
        println!("  {note}");
    }
    println!();
    println!("Try (TLS 1.3; add -tls1_2 to openssl or --tls-max 1.2 to curl for TLS 1.2):");
    let s_client = format!(
        "openssl s_client -connect {connect} -servername localhost -status -CAfile {ca} </dev/null"
    );
    println!("  {s_client}");
    if setup.ocsp.staples() {
        println!(
            "      look for \"OCSP Response Status: successful\", \"Cert Status: good\" and \
                 \"Verify return code: 0 (ok)\""
        );
        println!("  curl --cacert {ca} --cert-status https://localhost:{port}/");
        println!("      --cert-status makes curl fail unless a valid staple arrives");
        println!("  {}", s_client.replace(" -status", " -tls1_2 -status"));
        println!("  curl --tls-max 1.2 --cacert {ca} --cert-status https://localhost:{port}/");
    } else if matches!(setup.ocsp, OcspMode::Abort) {
        println!("      expect \"tlsv1 alert internal error\" (this server aborts)");
        println!("  curl --cacert {ca} https://localhost:{port}/     (no status request: served)");
    } else {
        println!("      expect \"OCSP response: no response sent\" (this server staples none)");
        println!("  curl --cacert {ca} https://localhost:{port}/");
    }
    if let Some((url, leaf)) = &setup.responder {
        println!("Ask the built-in OCSP responder yourself:");
        println!(
            "  openssl ocsp -url {url} -issuer {ca} -cert {} -CAfile {ca} -resp_text",
            leaf.display()
        );
    }
    println!();
}
