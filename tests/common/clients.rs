//! The real clients of the interop tests, each invoked the one way the
//! tests need: against a [`LoopbackServer`] as `localhost` (SNI and
//! certificate name) at 127.0.0.1, trusting the [`OpensslPki`] CA, asking
//! for a stapled OCSP response. The caller passes the version arguments,
//! so TLS 1.3 and TLS 1.2 tests share these.

use std::path::PathBuf;

use super::loopback::LoopbackServer;
use super::openssl_pki::OpensslPki;
use super::peers::{self, Output, CURL, GNUTLS_CLI, NODE, OPENSSL};

/// The request the HTTP clients send (s_client and gnutls-cli from their
/// standard input).
pub const HTTP_GET: &[u8] = b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";

/// `openssl s_client` with `args` after the common ones: it trusts the test
/// CA and checks the name `localhost` (a failed check is fatal), prints
/// every handshake message it receives decrypted (`-msg`, read back with
/// [`peers::s_client_received_messages`]), sends [`HTTP_GET`] and waits for
/// the server to close (`-ign_eof`). Add `-status` to ask for a staple, and
/// the version (`-tls1_3`, `-tls1_2`).
pub fn s_client(server: &LoopbackServer, pki: &OpensslPki, args: &[&str]) -> Output {
    s_client_spawn(server, pki, args).wait(peers::PEER_TIMEOUT)
}

/// [`s_client`], started and not waited for.
pub fn s_client_spawn(server: &LoopbackServer, pki: &OpensslPki, args: &[&str]) -> peers::Running {
    s_client_with_input(server, pki, &[&["-ign_eof"], args].concat(), HTTP_GET)
}

/// [`s_client`] without `-ign_eof`: it reads `commands` from its standard
/// input as commands (`R` renegotiates, `Q` quits) rather than as data.
pub fn s_client_commands(
    server: &LoopbackServer,
    pki: &OpensslPki,
    args: &[&str],
    commands: &[u8],
) -> Output {
    s_client_with_input(server, pki, args, commands).wait(peers::PEER_TIMEOUT)
}

fn s_client_with_input(
    server: &LoopbackServer,
    pki: &OpensslPki,
    args: &[&str],
    input: &[u8],
) -> peers::Running {
    let connect = server.addr().to_string();
    let mut all = vec![
        "s_client",
        "-connect",
        &connect,
        "-servername",
        "localhost",
        "-verify_hostname",
        "localhost",
        "-CAfile",
        pki.ca_arg(),
        "-verify_return_error",
        "-msg",
    ];
    all.extend_from_slice(args);
    peers::spawn(OPENSSL, &all, input)
}

/// `curl --cert-status` for `https://localhost:PORT/`, resolved to
/// 127.0.0.1, with `version_args` (`--tlsv1.3`; `--tlsv1.2 --tls-max 1.2`).
/// curl fails (exit status 91) unless a valid staple for a good
/// certificate arrives.
pub fn curl_cert_status(
    server: &LoopbackServer,
    pki: &OpensslPki,
    version_args: &[&str],
) -> Output {
    let port = server.port();
    let resolve = format!("localhost:{port}:127.0.0.1");
    let url = format!("https://localhost:{port}/");
    let mut args = vec![
        "--silent",
        "--show-error",
        "--max-time",
        "15",
        "--cert-status",
        "--cacert",
        pki.ca_arg(),
        "--resolve",
        &resolve,
    ];
    args.extend_from_slice(version_args);
    args.push(&url);
    peers::run(CURL, &args, b"")
}

/// `gnutls-cli` with `priority` (`NORMAL:-VERS-ALL:+VERS-TLS1.3`) and
/// `args`, fed `input`. It trusts the test CA and connects to 127.0.0.1
/// with SNI and name check `localhost`, rather than to `localhost`, which
/// may resolve to ::1 first.
pub fn gnutls_cli(
    server: &LoopbackServer,
    pki: &OpensslPki,
    priority: &str,
    args: &[&str],
    input: &[u8],
) -> Output {
    let port = server.port().to_string();
    let mut all = vec![
        "--x509cafile",
        pki.ca_arg(),
        "--sni-hostname",
        "localhost",
        "--verify-hostname",
        "localhost",
        "--priority",
        priority,
        "-p",
        &port,
    ];
    all.extend_from_slice(args);
    all.push("127.0.0.1");
    peers::run(GNUTLS_CLI, &all, input)
}

/// [`gnutls_cli`] with `--ocsp --verbose` (verbose: it prints the staple it
/// got), sending [`HTTP_GET`] and saving the staple to a file; returns the
/// output and the saved bytes (empty when none was saved).
pub fn gnutls_cli_ocsp(
    server: &LoopbackServer,
    pki: &OpensslPki,
    priority: &str,
) -> (Output, Vec<u8>) {
    let saved: PathBuf = pki
        .dir()
        .join(format!("gnutls-staple-{}.der", server.port()));
    let save = format!("--save-ocsp={}", saved.to_str().expect("UTF-8 path"));
    let out = gnutls_cli(
        server,
        pki,
        priority,
        &["--verbose", "--ocsp", &save],
        HTTP_GET,
    );
    (out, std::fs::read(&saved).unwrap_or_default())
}

/// What tests/data/interop/ocsp_client.js reported, as key=value lines.
#[derive(Debug)]
pub struct NodeReport {
    /// The run.
    pub output: Output,
    lines: Vec<(String, String)>,
}

impl NodeReport {
    /// The value reported for `key`; fails the test if there is none.
    pub fn get(&self, key: &str) -> &str {
        self.lines
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("node reported no {key}:\n{}", self.output))
    }
}

/// Runs tests/data/interop/ocsp_client.js (Node's `tls.connect` with
/// `requestOCSP: true`) against `server` with versions from `min_version`
/// to `max_version` (Node's names: `TLSv1.3`).
pub fn node_ocsp_client(
    server: &LoopbackServer,
    pki: &OpensslPki,
    min_version: &str,
    max_version: &str,
) -> NodeReport {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/interop/ocsp_client.js"
    );
    let port = server.port().to_string();
    let output = peers::run(
        NODE,
        &[
            script,
            "127.0.0.1",
            &port,
            pki.ca_arg(),
            "localhost",
            min_version,
            max_version,
        ],
        b"",
    );
    let lines = output
        .stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    NodeReport { output, lines }
}

/// What tests/data/interop/go_client.go printed: `index.key=value` lines,
/// one group per connection.
#[derive(Debug)]
pub struct GoReport {
    pub output: Output,
}

impl GoReport {
    /// The value the client printed for `key` of connection `index`;
    /// fails the test if it printed none.
    pub fn get(&self, index: usize, key: &str) -> &str {
        let prefix = format!("{index}.{key}=");
        self.output
            .stdout
            .lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {prefix} in the output of\n{}", self.output))
    }

    /// Fails the test unless connection `index` printed `key=value`
    /// among its lines of that key (the `page` lines, say).
    pub fn assert_line(&self, index: usize, key: &str, value: &str) {
        let line = format!("{index}.{key}={value}");
        assert!(
            self.output.stdout.lines().any(|l| l == line),
            "no {line:?} in the output of\n{}",
            self.output
        );
    }
}

/// Runs tests/data/interop/go_client.go (Go's crypto/tls client), built
/// once per test binary, against `addr` trusting `ca`, with `args` after
/// those (`-version 1.3`, `-connections 2`, `-cert`/`-key`, `-alpn`).
pub fn go_client(addr: &str, ca: &str, args: &[&str]) -> GoReport {
    let program = built_go_client();
    let mut all = vec!["-addr", addr, "-ca", ca, "-name", "localhost"];
    all.extend_from_slice(args);
    GoReport {
        output: peers::run_program(&program, "go_client", &all, b""),
    }
}

/// Builds the Go client into this test binary's scratch directory the
/// first time a test asks for it. The source uses only the standard
/// library, so the build needs no network and no module file.
fn built_go_client() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let source = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/data/interop/go_client.go"
            );
            let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("go_client-{}", std::process::id()));
            let out_arg = out.to_str().expect("a UTF-8 path");
            let build = peers::run(peers::GO, &["build", "-o", out_arg, source], b"");
            assert!(build.success(), "building the Go client failed:\n{build}");
            out
        })
        .clone()
}
