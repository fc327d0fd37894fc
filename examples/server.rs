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

#[path = "demo_ocsp/mod.rs"]
mod demo_ocsp;
#[path = "demo_pki/mod.rs"]
mod demo_pki;

use std::fmt::Write as _;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use stapler::ocsp::{CachePolicy, StapleCache};
use stapler::pki::Certificate;
use stapler::server::ProtocolVersion;
use stapler::{
    CloseReason, Event, HandshakeSummary, OcspCompletion, OcspOutcome, OcspRequest, ServerConfig,
    ServerConnection,
};

use demo_ocsp::responder::Responder;
use demo_ocsp::stapling::Stapling;
use demo_ocsp::{span, system_clock, unix_now};

/// Connections served at once; more are refused (closed at once, logged),
/// so that a flood cannot make the demo spawn threads without bound.
const MAX_CONNECTIONS: usize = 512;
/// How long a connection may stay silent, and how long a handshake may wait
/// for its OCSP answer: a request that never gets one is timed out (a
/// sans-IO connection cannot notice a lost request by itself).
const TIMEOUT: Duration = Duration::from_secs(30);
/// The largest HTTP request head read (request line and headers).
const MAX_REQUEST_HEAD: usize = 16 * 1024;
/// The most of a request line shown on the page and in the log.
const MAX_LOGGED_LINE: usize = 256;
/// After close_notify, how long to read what the client still sends before
/// closing the socket (closing with unread input makes the kernel send a
/// reset, which can destroy the response before the client reads it).
const LINGER: Duration = Duration::from_secs(2);
/// Where the built-in OCSP responder listens unless told otherwise.
const DEFAULT_RESPONDER: &str = "127.0.0.1:8888";
/// How long the built-in responder's responses are fresh for: short, so
/// that the cache's refresh at the midpoint shows in the log within
/// minutes.
const DEFAULT_OCSP_VALIDITY: Duration = Duration::from_secs(600);

const USAGE: &str = "\
usage: server [options]

  --listen ADDR        address to listen on (default 127.0.0.1:8443)
  --cert PEM --key PEM serve this certificate chain (leaf first) and key
                       instead of the generated throwaway PKI
  --ca PEM             CA certificates in which the leaf's issuer is looked
                       up (as Node's `ca` option); only with --cert
  --ocsp MODE          how to answer each OcspRequest event:
                         fetch      from a StapleCache, fetched from the
                                    OCSP responder in the certificate's AIA
                                    and refreshed in the background
                         file:PATH  staple the DER OCSP response in PATH
                         none       no staple (the handshake continues)
                         abort      fail the handshake (internal_error alert)
                       default: fetch, from the built-in responder, for the
                       generated PKI; none with --cert
  --ocsp-cache FILE    with fetch: keep the staples in FILE, read at startup
                       and written after each new staple, so a restart
                       keeps them
  --ocsp-responder ADDR  for the generated PKI with fetch: where the built-in
                       OCSP responder listens (default 127.0.0.1:8888; the
                       leaf's AIA names it)
  --ocsp-validity SECS how long the built-in responder's responses are fresh
                       (default 600; the cache refreshes at about half)
  --ocsp-delay-ms N    answer each OcspRequest from another thread after N ms
                       (that handshake waits; other connections do not)
  --help               this text";

/// How every OcspRequest is answered.
#[derive(Clone)]
enum OcspMode {
    Staple(Bytes),
    NoResponse,
    Abort,
    /// From the staple cache, in memory.
    Fetch(Arc<Stapling>),
}

impl OcspMode {
    fn answer(&self, request: OcspRequest) -> OcspCompletion {
        match self {
            Self::Staple(response) => request
                .respond(response.clone())
                .unwrap_or_else(|empty| empty.0.no_response()),
            Self::NoResponse => request.no_response(),
            Self::Abort => request.abort("the demo server runs with --ocsp abort"),
            Self::Fetch(stapling) => stapling.answer(request),
        }
    }
}

/// `--ocsp`, as given.
enum OcspArg {
    Fetch,
    File(PathBuf),
    None,
    Abort,
}

struct Options {
    listen: String,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    ca: Option<PathBuf>,
    ocsp: Option<OcspArg>,
    ocsp_cache: Option<PathBuf>,
    ocsp_responder: Option<String>,
    ocsp_validity: Option<Duration>,
    ocsp_delay: Duration,
}

impl Options {
    /// Whether OCSP requests are answered from the staple cache.
    fn fetches(&self) -> bool {
        match self.ocsp {
            Some(OcspArg::Fetch) => true,
            Some(_) => false,
            None => self.cert.is_none(),
        }
    }
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        listen: "127.0.0.1:8443".into(),
        cert: None,
        key: None,
        ca: None,
        ocsp: None,
        ocsp_cache: None,
        ocsp_responder: None,
        ocsp_validity: None,
        ocsp_delay: Duration::ZERO,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--listen" => options.listen = value()?,
            "--cert" => options.cert = Some(value()?.into()),
            "--key" => options.key = Some(value()?.into()),
            "--ca" => options.ca = Some(value()?.into()),
            "--ocsp" => {
                options.ocsp = Some(match value()?.as_str() {
                    "fetch" => OcspArg::Fetch,
                    "none" => OcspArg::None,
                    "abort" => OcspArg::Abort,
                    other => match other.strip_prefix("file:") {
                        Some(path) if !path.is_empty() => OcspArg::File(path.into()),
                        _ => {
                            return Err(format!(
                                "bad --ocsp {other}: fetch, file:PATH, none or abort"
                            ))
                        }
                    },
                })
            }
            "--ocsp-cache" => options.ocsp_cache = Some(value()?.into()),
            "--ocsp-responder" => options.ocsp_responder = Some(value()?),
            "--ocsp-validity" => {
                let secs = value()?;
                let min = 2 * CachePolicy::default().retry_initial;
                match secs.parse::<u64>() {
                    Ok(secs) if secs >= min => {
                        options.ocsp_validity = Some(Duration::from_secs(secs));
                    }
                    // The cache waits at least retry_initial between
                    // fetches, so a shorter window would expire before its
                    // refresh.
                    _ => return Err(format!("bad --ocsp-validity {secs}: at least {min}")),
                }
            }
            "--ocsp-delay-ms" => {
                let ms = value()?;
                let ms: u64 = ms
                    .parse()
                    .map_err(|_| format!("bad --ocsp-delay-ms {ms}"))?;
                options.ocsp_delay = Duration::from_millis(ms);
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if options.cert.is_some() != options.key.is_some() {
        return Err("--cert and --key go together".into());
    }
    if options.ca.is_some() && options.cert.is_none() {
        return Err("--ca is for --cert (the generated PKI has its own CA)".into());
    }
    if options.ocsp_cache.is_some() && !options.fetches() {
        return Err("--ocsp-cache is for --ocsp fetch".into());
    }
    let built_in_responder = options.fetches() && options.cert.is_none();
    if (options.ocsp_responder.is_some() || options.ocsp_validity.is_some()) && !built_in_responder
    {
        return Err(
            "--ocsp-responder and --ocsp-validity are for the built-in responder, which runs \
             for the generated PKI with --ocsp fetch (the default)"
                .into(),
        );
    }
    Ok(options)
}

/// What the server runs with, and what to tell the user about it.
struct Setup {
    config: Arc<ServerConfig>,
    ocsp: OcspMode,
    /// The CA file clients should trust, if known.
    ca_path: Option<PathBuf>,
    /// The built-in responder's URL and the leaf's file, to query it with
    /// `openssl ocsp`.
    responder: Option<(String, PathBuf)>,
    /// Lines describing the setup, printed at startup.
    notes: Vec<String>,
}

/// `port` names the files written, so that demo servers on different ports
/// do not overwrite each other's.
fn setup(options: &Options, port: u16) -> Result<Setup, String> {
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let write = |path: &PathBuf, contents: &str| {
        std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let mut notes = Vec::new();
    let mut responder = None;
    let (builder, ca_path) = match (&options.cert, &options.key) {
        (Some(cert), Some(key)) => {
            let mut builder = ServerConfig::builder()
                .certificate_chain(&read(cert)?, &read(key)?)
                .map_err(|e| format!("{}, {}: {e}", cert.display(), key.display()))?;
            if let Some(ca) = &options.ca {
                builder = builder
                    .ca_certificates(&read(ca)?)
                    .map_err(|e| format!("{}: {e}", ca.display()))?;
            }
            notes.push(format!("certificate: {}", cert.display()));
            (builder, options.ca.clone())
        }
        _ => {
            // The responder's socket comes first: the leaf's AIA names the
            // address it actually got.
            let responder_listener = if options.fetches() {
                let addr = options
                    .ocsp_responder
                    .as_deref()
                    .unwrap_or(DEFAULT_RESPONDER);
                let listener = TcpListener::bind(addr).map_err(|e| {
                    format!(
                        "cannot listen on {addr} for the built-in OCSP responder: {e} \
                         (choose another address with --ocsp-responder)"
                    )
                })?;
                let local = listener.local_addr().map_err(|e| e.to_string())?;
                let host = match local.ip() {
                    ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
                    ip => ip,
                };
                Some((
                    listener,
                    format!("http://{}/", SocketAddr::new(host, local.port())),
                ))
            } else {
                None
            };
            let ocsp_url = responder_listener
                .as_ref()
                .map_or(demo_pki::OCSP_URL, |(_, url)| url.as_str());
            let pki = demo_pki::generate_with_ocsp_url(unix_now(), ocsp_url);
            let dir = std::env::temp_dir();
            let ca_path = dir.join(format!("stapler-demo-ca-{port}.pem"));
            let leaf_path = dir.join(format!("stapler-demo-leaf-{port}.pem"));
            write(&ca_path, &pki.ca_pem)?;
            write(&leaf_path, &pki.leaf_pem)?;
            let builder = ServerConfig::builder()
                .certificate_chain(pki.leaf_chain_pem.as_bytes(), &pki.leaf_key_pkcs8_der)
                .and_then(|b| b.ca_certificates(pki.ca_pem.as_bytes()))
                .map_err(|e| format!("the generated PKI: {e}"))?;
            notes.push(format!(
                "certificate: generated now: a throwaway CA (ECDSA P-256) and a leaf for \
                 localhost and 127.0.0.1 whose AIA names the OCSP responder {}; the server \
                 sends both",
                pki.ocsp_url
            ));
            notes.push(format!(
                "CA certificate (trust this): {}",
                ca_path.display()
            ));
            if let Some((listener, url)) = responder_listener {
                let validity = options.ocsp_validity.unwrap_or(DEFAULT_OCSP_VALIDITY);
                Responder::new(pki.ocsp_signer, validity, system_clock())
                    .start(listener)
                    .map_err(|e| format!("cannot start the OCSP responder: {e}"))?;
                notes.push(format!(
                    "OCSP responder: {url}, built in (a thread of this process, standing in \
                     for the CA's): signs a fresh \"good\" response for the leaf on each \
                     request (POST, or GET as RFC 5019 has it), fresh for {}; \
                     \"unauthorized\" for any other certificate",
                    span(validity.as_secs())
                ));
                responder = Some((url, leaf_path));
            }
            (builder, Some(ca_path))
        }
    };
    let config = builder
        .ocsp_events(true)
        .alpn_protocols(["http/1.1"])
        .and_then(|b| b.build())
        .map_err(|e| format!("configuration: {e}"))?;
    let ocsp = match &options.ocsp {
        Some(OcspArg::None) => OcspMode::NoResponse,
        Some(OcspArg::Abort) => OcspMode::Abort,
        Some(OcspArg::File(path)) => {
            let der = read(path)?;
            if der.first() != Some(&0x30) {
                return Err(format!(
                    "{}: not a DER OCSPResponse (a SEQUENCE)",
                    path.display()
                ));
            }
            OcspMode::Staple(Bytes::from(der))
        }
        Some(OcspArg::Fetch) => OcspMode::Fetch(staple_cache(&config, options, &mut notes)?),
        None if options.fetches() => OcspMode::Fetch(staple_cache(&config, options, &mut notes)?),
        None => OcspMode::NoResponse,
    };
    notes.push(match &ocsp {
        OcspMode::Staple(r) => format!("OCSP: staple a {}-byte response when asked", r.len()),
        OcspMode::NoResponse => "OCSP: answer every request with no response".into(),
        OcspMode::Abort => "OCSP: abort every handshake that asks (internal_error)".into(),
        OcspMode::Fetch(_) => "OCSP: each OcspRequest is answered at once from the cache \
                               (no staple if it holds no fresh response)"
            .into(),
    });
    if !options.ocsp_delay.is_zero() {
        notes.push(format!(
            "OCSP: each answer comes from another thread after {} ms",
            options.ocsp_delay.as_millis()
        ));
    }
    Ok(Setup {
        config: Arc::new(config),
        ocsp,
        ca_path,
        responder,
        notes,
    })
}

/// The staple cache for every certificate of `config` that names an OCSP
/// responder and whose issuer is known.
fn staple_cache(
    config: &ServerConfig,
    options: &Options,
    notes: &mut Vec<String>,
) -> Result<Arc<Stapling>, String> {
    let policy = CachePolicy::default();
    notes.push(format!(
        "OCSP staple cache: fetches from each certificate's responder before the first \
         connection is accepted (GET when the request fits in 255 bytes, else POST), \
         verifies, refreshes at the midpoint of each response's validity (±{}%), retries \
         from {} s backing off to {}, and keeps the last good staple meanwhile",
        policy.jitter_percent,
        policy.retry_initial,
        span(policy.retry_max)
    ));
    let mut cache = StapleCache::new(policy);
    let mut refused = Vec::new();
    for (leaf, why) in cache.add_config(config, unix_now()) {
        let names = Certificate::from_der(leaf)
            .map(|c| c.dns_names().join(", "))
            .unwrap_or_default();
        refused.push(format!("certificate for [{names}]: {why}"));
    }
    if cache.next_deadline().is_none() {
        return Err(format!(
            "--ocsp fetch: no certificate to fetch a response for ({})",
            refused.join("; ")
        ));
    }
    notes.extend(
        refused
            .into_iter()
            .map(|r| format!("OCSP: not stapled: {r}")),
    );
    let (stapling, imported) = Stapling::new(cache, options.ocsp_cache.clone(), system_clock());
    notes.extend(imported.map(|note| format!("OCSP staple file: {note}")));
    Ok(Arc::new(stapling))
}

/// What every connection thread shares.
struct Shared {
    config: Arc<ServerConfig>,
    ocsp: OcspMode,
    ocsp_delay: Duration,
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
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
    if let OcspMode::Fetch(stapling) = &setup.ocsp {
        // Prime the cache before accepting anyone (clients that connect
        // meanwhile wait in the listen backlog), so the first is stapled.
        for report in stapling.run_due(unix_now()) {
            println!("{report}");
        }
        if let Err(e) = stapling.start_refresher() {
            eprintln!("server: cannot start the OCSP refresher: {e}");
            return ExitCode::FAILURE;
        }
    }
    println!("One line per connection follows.");

    let shared = Arc::new(Shared {
        config: setup.config,
        ocsp: setup.ocsp,
        ocsp_delay: options.ocsp_delay,
    });
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(e) => {
                // Out of file descriptors, say: wait rather than spin.
                eprintln!("accept: {e}");
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let peer = peer_name(&stream);
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            println!("{peer}: refused: already serving {MAX_CONNECTIONS} connections");
            continue;
        }
        let slot = Slot(Arc::clone(&active));
        let shared = Arc::clone(&shared);
        let name = format!("conn {peer}");
        let thread_peer = peer.clone();
        let spawned = thread::Builder::new().name(name).spawn(move || {
            let _slot = slot;
            let line = handle(stream, &shared);
            println!("{thread_peer}: {line}");
        });
        if let Err(e) = spawned {
            println!("{peer}: refused: cannot start a thread: {e}");
        }
    }
    ExitCode::SUCCESS
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
    match setup.ocsp {
        OcspMode::Staple(_) | OcspMode::Fetch(_) => {
            println!(
                "      look for \"OCSP Response Status: successful\", \"Cert Status: good\" and \
                 \"Verify return code: 0 (ok)\""
            );
            println!("  curl --cacert {ca} --cert-status https://localhost:{port}/");
            println!("      --cert-status makes curl fail unless a valid staple arrives");
            println!("  {}", s_client.replace(" -status", " -tls1_2 -status"));
            println!("  curl --tls-max 1.2 --cacert {ca} --cert-status https://localhost:{port}/");
        }
        OcspMode::NoResponse => {
            println!("      expect \"OCSP response: no response sent\" (this server staples none)");
            println!("  curl --cacert {ca} https://localhost:{port}/");
        }
        OcspMode::Abort => {
            println!("      expect \"tlsv1 alert internal error\" (this server aborts)");
            println!(
                "  curl --cacert {ca} https://localhost:{port}/     (no status request: served)"
            );
        }
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

/// What one connection did, for its log line.
#[derive(Default)]
struct ConnLog {
    ocsp_requested: bool,
    /// How long the handshake waited for the OCSP answer.
    ocsp_wait: Option<Duration>,
    summary: Option<HandshakeSummary>,
    /// The request line and the status sent.
    http: Option<(String, u16)>,
    closed: Option<CloseReason>,
    /// An I/O problem or timeout, which the TLS layer does not see.
    io: Option<String>,
}

/// Serves one connection and returns its log line.
fn handle(mut stream: TcpStream, shared: &Shared) -> String {
    let mut log = ConnLog::default();
    if let Err(e) = serve(&mut stream, shared, &mut log) {
        log.io = Some(e);
    }
    linger(&mut stream);
    describe(&log)
}

/// The run loop: bytes in, events and bytes out, until the connection is
/// closed, the peer goes away or a timeout.
fn serve(stream: &mut TcpStream, shared: &Shared, log: &mut ConnLog) -> Result<(), String> {
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_nodelay(true))
        .map_err(|e| format!("socket setup: {e}"))?;
    let mut conn = ServerConnection::new(Arc::clone(&shared.config));
    // Bytes received and not yet consumed (kept while the handshake waits
    // for the OCSP answer).
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    let mut request_head: Vec<u8> = Vec::new();
    loop {
        if !pending.is_empty() && !conn.is_awaiting_ocsp() && !conn.is_closed() {
            // An error closes the connection; its alert and the Closed event
            // come out below.
            if let Ok(n) = conn.feed(&pending) {
                pending.drain(..n);
            }
        }

        let mut ocsp_request = None;
        while let Some(event) = conn.poll_event() {
            match event {
                Event::OcspRequest(request) => {
                    log.ocsp_requested = true;
                    ocsp_request = Some(request);
                }
                Event::HandshakeComplete(summary) => log.summary = Some(summary),
                Event::ApplicationData(data) => {
                    if log.http.is_some() {
                        continue; // answered already: ignore pipelined data
                    }
                    request_head.extend_from_slice(&data);
                    if let Some((response, request_line, status)) =
                        http_response(&request_head, log)
                    {
                        log.http = Some((request_line, status));
                        // Errors close the connection and show as an event.
                        let _ = conn.send(&response);
                        conn.close();
                    }
                }
                Event::Closed(reason) => log.closed = Some(reason),
                _ => {}
            }
        }
        while let Some(out) = conn.poll_transmit() {
            stream.write_all(&out).map_err(|e| format!("write: {e}"))?;
        }
        if conn.is_closed() {
            return Ok(());
        }

        if let Some(request) = ocsp_request {
            let started = Instant::now();
            let completion = answer_ocsp(request, shared);
            log.ocsp_wait = Some(started.elapsed());
            let Some(completion) = completion else {
                // The answer never came: give up on this handshake.
                conn.close();
                while let Some(out) = conn.poll_transmit() {
                    let _ = stream.write_all(&out);
                }
                return Err(format!(
                    "no OCSP answer within {} s; handshake abandoned",
                    TIMEOUT.as_secs()
                ));
            };
            // An error closes the connection: its events and alert come out
            // at the top of the loop.
            let _ = conn.complete_ocsp(completion);
            continue;
        }
        if !pending.is_empty() {
            // feed() takes everything unless it pauses or closes.
            return Err(format!("{} bytes not consumed; giving up", pending.len()));
        }

        let n = match stream.read(&mut buf) {
            Ok(0) => {
                return Err(if conn.is_handshake_complete() {
                    "the client closed TCP without close_notify".into()
                } else {
                    "the client closed TCP during the handshake".into()
                })
            }
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(format!("no data for {} s; closed", TIMEOUT.as_secs()))
            }
            Err(e) => return Err(format!("read: {e}")),
        };
        pending.extend_from_slice(&buf[..n]);
    }
}

/// Answers an OCSP request: at once, or after `--ocsp-delay-ms` from
/// another thread while this connection's thread waits on a channel (and
/// every other connection goes on). `None` if no answer came in time.
fn answer_ocsp(request: OcspRequest, shared: &Shared) -> Option<OcspCompletion> {
    if shared.ocsp_delay.is_zero() {
        return Some(shared.ocsp.answer(request));
    }
    let (tx, rx) = mpsc::channel();
    let mode = shared.ocsp.clone();
    let delay = shared.ocsp_delay;
    let spawned = thread::Builder::new()
        .name("ocsp answer".into())
        .spawn(move || {
            thread::sleep(delay);
            // The connection may have given up waiting; then nobody listens.
            let _ = tx.send(mode.answer(request));
        });
    if spawned.is_err() {
        return None;
    }
    rx.recv_timeout(TIMEOUT).ok()
}

/// Once the request head is complete (or too long), the response to send,
/// the request line and the status.
fn http_response(head: &[u8], log: &ConnLog) -> Option<(Vec<u8>, String, u16)> {
    // The end of the head, if it came within the limit.
    let end = match head.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) if end + 4 <= MAX_REQUEST_HEAD => Some(end),
        None if head.len() <= MAX_REQUEST_HEAD => return None,
        _ => None,
    };
    let head = &head[..end.unwrap_or(head.len()).min(MAX_REQUEST_HEAD)];
    let line = head.split(|&b| b == b'\r').next().unwrap_or_default();
    // Shown on the page and in the log: no more than a line's worth.
    let line = String::from_utf8_lossy(&line[..line.len().min(MAX_LOGGED_LINE)]).into_owned();
    let mut parts = line.split(' ');
    let (method, target, version) = (parts.next(), parts.next(), parts.next());
    let well_formed = end.is_some()
        && parts.next().is_none()
        && method.is_some_and(|m| !m.is_empty())
        && target.is_some_and(|t| !t.is_empty())
        && matches!(version, Some("HTTP/1.0" | "HTTP/1.1"));
    let (status, reason, body) = if well_formed {
        (200, "OK", page(log, &line))
    } else if end.is_none() {
        (
            431,
            "Request Header Fields Too Large",
            "request head over 16 KiB\n".into(),
        )
    } else {
        (
            400,
            "Bad Request",
            "expected an HTTP/1.0 or 1.1 request\n".into(),
        )
    };
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\nConnection: close\r\nServer: stapler-demo\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if method != Some("HEAD") {
        response.extend_from_slice(body.as_bytes());
    }
    Some((response, line, status))
}

/// The page: what the handshake negotiated.
fn page(log: &ConnLog, request_line: &str) -> String {
    let mut page = String::from("Hello from stapler, a sans-IO TLS server.\n\n");
    if let Some(s) = &log.summary {
        let _ = writeln!(page, "version:          {}", version_name(s.version));
        let _ = writeln!(page, "cipher suite:     {}", s.cipher_suite);
        let _ = writeln!(page, "key exchange:     {}", s.group);
        let _ = writeln!(page, "signature scheme: {}", s.signature_scheme);
        let _ = writeln!(page, "ALPN:             {}", alpn_name(s, "(none)"));
        let _ = writeln!(
            page,
            "SNI:              {}",
            s.server_name.as_deref().unwrap_or("(none)")
        );
        let _ = writeln!(page, "hello retry:      {}", yes_no(s.hello_retry));
        let _ = writeln!(page, "OCSP:             {}", ocsp_text(log, s));
    }
    let _ = writeln!(page, "request:          {request_line}");
    page
}

fn version_name(version: ProtocolVersion) -> &'static str {
    match version {
        ProtocolVersion::Tls13 => "TLS 1.3",
        ProtocolVersion::Tls12 => "TLS 1.2",
        _ => "TLS (unknown version)",
    }
}

fn alpn_name(summary: &HandshakeSummary, none: &str) -> String {
    summary
        .alpn_protocol
        .as_ref()
        .map_or_else(|| none.into(), |p| String::from_utf8_lossy(p).into_owned())
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// What happened to OCSP, with the wait if there was one.
fn ocsp_text(log: &ConnLog, summary: &HandshakeSummary) -> String {
    let mut text = match &summary.ocsp {
        OcspOutcome::Stapled(n) => format!("stapled {n} bytes"),
        OcspOutcome::NoResponse => "requested; none stapled (answered with no response)".into(),
        OcspOutcome::NotRequested => "not requested (no status_request in the hello)".into(),
        OcspOutcome::Aborted(reason) => format!("aborted: {reason}"),
        other => format!("{other:?}"),
    };
    if let Some(wait) = log.ocsp_wait.filter(|w| *w >= Duration::from_millis(1)) {
        let _ = write!(text, " after a {} ms wait", wait.as_millis());
    }
    text
}

/// The connection's log line.
fn describe(log: &ConnLog) -> String {
    let mut line = String::new();
    match &log.summary {
        Some(s) => {
            let _ = write!(
                line,
                "{} {} {} {} sni={} alpn={} ocsp_requested={} ocsp={}",
                version_name(s.version),
                s.cipher_suite,
                s.group,
                s.signature_scheme,
                s.server_name.as_deref().unwrap_or("-"),
                alpn_name(s, "-"),
                yes_no(log.ocsp_requested),
                ocsp_text(log, s),
            );
        }
        None => {
            let _ = write!(
                line,
                "no handshake; ocsp_requested={}",
                yes_no(log.ocsp_requested)
            );
            if let Some(wait) = log.ocsp_wait.filter(|w| *w >= Duration::from_millis(1)) {
                let _ = write!(line, " (waited {} ms)", wait.as_millis());
            }
        }
    }
    if let Some((request, status)) = &log.http {
        let _ = write!(line, "; \"{request}\" {status}");
    }
    match &log.closed {
        Some(CloseReason::PeerClosed) => line.push_str("; client sent close_notify (answered)"),
        Some(CloseReason::LocalClose) => line.push_str("; server sent close_notify"),
        Some(CloseReason::PeerAlert(alert)) => {
            let _ = write!(line, "; client sent alert {alert}");
        }
        Some(CloseReason::Error { error, alert }) => {
            let _ = write!(line, "; error: {error}");
            if let Some(alert) = alert {
                let _ = write!(line, " (sent alert {alert})");
            }
        }
        Some(other) => {
            let _ = write!(line, "; closed: {other:?}");
        }
        None => {}
    }
    if let Some(io) = &log.io {
        let _ = write!(line, "; {io}");
    }
    line
}

/// Ends the connection gracefully: no more writes, then read and drop what
/// the client still sends (its close_notify, say) until it closes or
/// `LINGER` passes, so that closing does not reset the connection under
/// the response.
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}
