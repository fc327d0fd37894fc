//! The demo server's `main`: the command line read, the listener bound,
//! the setup made and announced, the OCSP cache primed and the fleet
//! joined, then connections served for ever. examples/server.rs calls it,
//! and so does tests/fleet.rs, whose child processes are demo servers.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::process::ExitCode;
use std::sync::Arc;

use super::{
    accept_loop, parse_args, prime, setup, Command, LogSink, OcspMode, Setup, Shared, USAGE,
};

/// Runs the demo server with `args` (without the program name), logging
/// to standard output.
pub fn run(args: impl IntoIterator<Item = String>) -> ExitCode {
    let options = match parse_args(args) {
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
    let setup = match setup(&options, addr.port()) {
        Ok(setup) => setup,
        Err(e) => {
            eprintln!("server: {e}");
            return ExitCode::FAILURE;
        }
    };
    print_banner(addr, &setup);
    let log: LogSink = Arc::new(|line| println!("{line}"));
    if let Err(e) = prime(&setup.ocsp, &log) {
        eprintln!("server: {e}");
        return ExitCode::FAILURE;
    }
    println!("One line per connection follows.");
    let mut setup = setup;
    if let Some(member) = setup.fleet.take() {
        let stapling = match &setup.ocsp {
            OcspMode::Fetch(stapling) => Some(Arc::clone(stapling)),
            _ => None,
        };
        if let Err(e) = member.start(stapling, Arc::clone(&log)) {
            eprintln!("server: cannot start the fleet sync: {e}");
            return ExitCode::FAILURE;
        }
    }
    let shared = Arc::new(Shared::new(setup, &options, log));
    accept_loop(&listener, &shared);
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
