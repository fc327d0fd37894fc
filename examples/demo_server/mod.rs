//! The demo server's body: its options, its setup (certificates, the OCSP
//! mode, the built-in responder), and the accept loop that gives each
//! connection a thread and a `ServerConnection`.
//!
//! Shared by `examples/server.rs` (which adds the banner and prints the
//! log) and `tests/demo_conformance.rs` (which runs it in-process on a free
//! loopback port against real clients, and reads the log lines it makes),
//! so not every item is used by both. Both declare `demo_ocsp` and
//! `demo_pki` beside it, at the crate root.
#![allow(dead_code)]

pub mod http;
pub mod log;

use std::io::{self, ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use stapler::ocsp::{CachePolicy, StapleCache};
use stapler::pki::Certificate;
use stapler::{Completion, Event, OcspRequest, ServerConfig, ServerConnection};

use crate::demo_ocsp::responder::Responder;
use crate::demo_ocsp::stapling::Stapling;
use crate::demo_ocsp::{span, system_clock, unix_now};
use crate::demo_pki;

use log::{cert_label, describe, ConnLog};

/// Connections served at once; more are refused (closed at once, logged),
/// so that a flood cannot make the demo spawn threads without bound.
const MAX_CONNECTIONS: usize = 512;
/// How long a connection may stay silent, and how long a handshake may wait
/// for its OCSP answer: a request that never gets one is timed out (a
/// sans-IO connection cannot notice a lost request by itself).
const TIMEOUT: Duration = Duration::from_secs(30);
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

/// `--help`.
pub const USAGE: &str = "\
usage: server [options]

  --listen ADDR        address to listen on (default 127.0.0.1:8443)
  --cert PEM --key PEM serve this certificate chain (leaf first) and key
                       instead of the generated throwaway PKI. Repeat the
                       pair to serve several chains side by side, such as
                       an ECDSA and an RSA one: each handshake gets one the
                       client can verify, by its signature algorithms and
                       SNI. The log line says which (cert=KEY/NAME).
  --ca PEM             CA certificates in which each leaf's issuer is looked
                       up (as Node's `ca` option); only with --cert
  --ocsp MODE          how to answer each OcspRequest event:
                         fetch      from a StapleCache, fetched from the
                                    OCSP responder in the certificate's AIA
                                    and refreshed in the background
                         file:PATH  staple the DER OCSP response in PATH
                         none       no staple (the handshake continues)
                         abort      fail the handshake (internal_error alert)
                       given once, it applies to every certificate. With
                       several --cert, give instead one --ocsp per --cert, in
                       the same order, each file:PATH or none, e.g.
                         --ocsp file:ecdsa.der --ocsp file:rsa.der
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
pub enum OcspMode {
    /// Per certificate, in the order of the config's: its leaf (DER), and
    /// the response read from a file to staple for it, if any. The leaf is
    /// the key because the event names the certificate the handshake chose.
    Files(Vec<(Bytes, Option<Bytes>)>),
    /// No staple, for any certificate.
    NoResponse,
    /// Fail every handshake that asks.
    Abort,
    /// From the staple cache, in memory.
    Fetch(Arc<Stapling>),
}

impl OcspMode {
    fn answer(&self, request: OcspRequest) -> Completion {
        match self {
            Self::Files(files) => {
                let staple = files
                    .iter()
                    .find(|(leaf, _)| leaf == request.certificate())
                    .and_then(|(_, staple)| staple.clone());
                match staple {
                    Some(response) => request
                        .respond(response)
                        .unwrap_or_else(|empty| empty.0.no_response()),
                    None => request.no_response(),
                }
            }
            Self::NoResponse => request.no_response(),
            Self::Abort => request.abort("the demo server runs with --ocsp abort"),
            Self::Fetch(stapling) => stapling.answer(request),
        }
    }

    /// Whether some handshake may get a staple.
    pub fn staples(&self) -> bool {
        match self {
            Self::Files(files) => files.iter().any(|(_, staple)| staple.is_some()),
            Self::Fetch(_) => true,
            Self::NoResponse | Self::Abort => false,
        }
    }
}

/// One `--ocsp`, as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OcspArg {
    Fetch,
    File(PathBuf),
    None,
    Abort,
}

/// The command line.
#[derive(Debug)]
pub struct Options {
    pub listen: String,
    /// `--cert` and `--key`, paired in the order given.
    pub chains: Vec<(PathBuf, PathBuf)>,
    pub ca: Option<PathBuf>,
    /// Empty (the default), one for every certificate, or one per chain.
    pub ocsp: Vec<OcspArg>,
    pub ocsp_cache: Option<PathBuf>,
    pub ocsp_responder: Option<String>,
    pub ocsp_validity: Option<Duration>,
    pub ocsp_delay: Duration,
}

impl Options {
    /// Whether OCSP requests are answered from the staple cache.
    fn fetches(&self) -> bool {
        match self.ocsp.as_slice() {
            [] => self.chains.is_empty(),
            [OcspArg::Fetch] => true,
            _ => false,
        }
    }
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// `--help`.
    Help,
    /// Serve.
    Run(Options),
}

/// Reads the command line (without the program name). An error is a usage
/// error, to print with [`USAGE`].
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut listen = "127.0.0.1:8443".to_owned();
    let (mut certs, mut keys) = (Vec::<PathBuf>::new(), Vec::<PathBuf>::new());
    let mut ca = None;
    let mut ocsp = Vec::new();
    let mut ocsp_cache = None;
    let mut ocsp_responder = None;
    let mut ocsp_validity = None;
    let mut ocsp_delay = Duration::ZERO;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            return Ok(Command::Help);
        }
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--listen" => listen = value()?,
            "--cert" => certs.push(value()?.into()),
            "--key" => keys.push(value()?.into()),
            "--ca" => ca = Some(value()?.into()),
            "--ocsp" => ocsp.push(match value()?.as_str() {
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
            }),
            "--ocsp-cache" => ocsp_cache = Some(value()?.into()),
            "--ocsp-responder" => ocsp_responder = Some(value()?),
            "--ocsp-validity" => {
                let secs = value()?;
                let min = 2 * CachePolicy::default().retry_initial;
                match secs.parse::<u64>() {
                    Ok(secs) if secs >= min => ocsp_validity = Some(Duration::from_secs(secs)),
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
                ocsp_delay = Duration::from_millis(ms);
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    // Pairs are matched by position: the n-th --cert with the n-th --key.
    // Unequal counts leave a chain without its key (or a key without a
    // chain), which no order of reading could mend.
    if certs.len() != keys.len() {
        return Err(format!(
            "--cert and --key go in pairs, one --key per --cert in the same order \
             (got {} --cert and {} --key)",
            certs.len(),
            keys.len()
        ));
    }
    let chains: Vec<_> = certs.into_iter().zip(keys).collect();
    if ocsp.len() > 1 {
        // Several --ocsp: one per chain. fetch and abort are about every
        // certificate at once (fetch goes by each one's own AIA), so they
        // are given once.
        if ocsp.len() != chains.len() {
            return Err(format!(
                "--ocsp given {} times for {} certificate chain(s): give it once, for every \
                 certificate, or once per --cert, in the same order",
                ocsp.len(),
                chains.len().max(1)
            ));
        }
        if ocsp
            .iter()
            .any(|o| matches!(o, OcspArg::Fetch | OcspArg::Abort))
        {
            return Err(
                "--ocsp fetch and --ocsp abort apply to every certificate: give them \
                        once; one --ocsp per --cert takes file:PATH or none"
                    .into(),
            );
        }
    }
    if let [OcspArg::File(path)] = ocsp.as_slice() {
        // One response names one certificate (RFC 6960 §4.2.1, its
        // CertID): stapling it to another chain's handshake would only
        // make that client fail.
        if chains.len() > 1 {
            return Err(format!(
                "--ocsp file:{} is one certificate's response, and {} chains are served: \
                 give one --ocsp per --cert (file:PATH or none), in the same order",
                path.display(),
                chains.len()
            ));
        }
    }
    let options = Options {
        listen,
        chains,
        ca,
        ocsp,
        ocsp_cache,
        ocsp_responder,
        ocsp_validity,
        ocsp_delay,
    };
    if options.ca.is_some() && options.chains.is_empty() {
        return Err("--ca is for --cert (the generated PKI has its own CA)".into());
    }
    if options.ocsp_cache.is_some() && !options.fetches() {
        return Err("--ocsp-cache is for --ocsp fetch".into());
    }
    let built_in_responder = options.fetches() && options.chains.is_empty();
    if (options.ocsp_responder.is_some() || options.ocsp_validity.is_some()) && !built_in_responder
    {
        return Err(
            "--ocsp-responder and --ocsp-validity are for the built-in responder, which runs \
             for the generated PKI with --ocsp fetch (the default)"
                .into(),
        );
    }
    Ok(Command::Run(options))
}

/// What the server runs with, and what to tell the user about it.
pub struct Setup {
    pub config: Arc<ServerConfig>,
    pub ocsp: OcspMode,
    /// The CA file clients should trust, if known.
    pub ca_path: Option<PathBuf>,
    /// The built-in responder's URL and the leaf's file, to query it with
    /// `openssl ocsp`.
    pub responder: Option<(String, PathBuf)>,
    /// Lines describing the setup, printed at startup.
    pub notes: Vec<String>,
}

/// `port` names the files written, so that demo servers on different ports
/// do not overwrite each other's.
pub fn setup(options: &Options, port: u16) -> Result<Setup, String> {
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let write = |path: &PathBuf, contents: &str| {
        std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let mut notes = Vec::new();
    let mut responder = None;
    let (builder, ca_path) = if options.chains.is_empty() {
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
    } else {
        let mut builder = ServerConfig::builder();
        for (cert, key) in &options.chains {
            builder = builder
                .certificate_chain(&read(cert)?, &read(key)?)
                .map_err(|e| format!("{}, {}: {e}", cert.display(), key.display()))?;
        }
        if let Some(ca) = &options.ca {
            builder = builder
                .ca_certificates(&read(ca)?)
                .map_err(|e| format!("{}: {e}", ca.display()))?;
        }
        (builder, options.ca.clone())
    };
    let config = builder
        .ocsp_events(true)
        .alpn_protocols(["http/1.1"])
        .and_then(|b| b.build())
        .map_err(|e| format!("configuration: {e}"))?;
    // The config keeps the chains in the order they were added, which is
    // the order of --cert.
    for ((cert, _), certified) in options.chains.iter().zip(config.certificates()) {
        notes.push(format!(
            "certificate {}: {}: {}",
            cert_label(certified),
            cert.display(),
            if certified.issuer().is_some() {
                "issuer known"
            } else {
                "issuer unknown (no OCSP request can be made for it; see --ca)"
            }
        ));
    }
    let leaves = || config.certificates().iter().map(|c| c.leaf_der().clone());
    let ocsp = match options.ocsp.as_slice() {
        [] if options.fetches() => OcspMode::Fetch(staple_cache(&config, options, &mut notes)?),
        [] | [OcspArg::None] => OcspMode::NoResponse,
        [OcspArg::Abort] => OcspMode::Abort,
        [OcspArg::Fetch] => OcspMode::Fetch(staple_cache(&config, options, &mut notes)?),
        // One file for the one chain, or one choice per chain (checked
        // when the options were read).
        per_chain => {
            let mut files = Vec::new();
            for (leaf, arg) in leaves().zip(per_chain) {
                let staple = match arg {
                    OcspArg::File(path) => {
                        let der = read(path)?;
                        if der.first() != Some(&0x30) {
                            return Err(format!(
                                "{}: not a DER OCSPResponse (a SEQUENCE)",
                                path.display()
                            ));
                        }
                        Some(Bytes::from(der))
                    }
                    _ => None,
                };
                files.push((leaf, staple));
            }
            OcspMode::Files(files)
        }
    };
    match &ocsp {
        OcspMode::Files(files) => {
            for ((_, staple), certified) in files.iter().zip(config.certificates()) {
                notes.push(match staple {
                    Some(r) => format!(
                        "OCSP for {}: staple a {}-byte response when asked",
                        cert_label(certified),
                        r.len()
                    ),
                    None => format!(
                        "OCSP for {}: answer with no response",
                        cert_label(certified)
                    ),
                });
            }
        }
        OcspMode::NoResponse => notes.push("OCSP: answer every request with no response".into()),
        OcspMode::Abort => {
            notes.push("OCSP: abort every handshake that asks (internal_error)".into());
        }
        OcspMode::Fetch(_) => notes.push(
            "OCSP: each OcspRequest is answered at once from the cache (no staple if it \
             holds no fresh response)"
                .into(),
        ),
    }
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

/// Where log lines go: standard output in the demo, a list the test reads
/// in tests/demo_conformance.rs.
pub type LogSink = Arc<dyn Fn(String) + Send + Sync>;

/// What every connection thread shares.
pub struct Shared {
    pub config: Arc<ServerConfig>,
    pub ocsp: OcspMode,
    pub ocsp_delay: Duration,
    pub log: LogSink,
}

impl Shared {
    pub fn new(setup: Setup, options: &Options, log: LogSink) -> Self {
        Self {
            config: setup.config,
            ocsp: setup.ocsp,
            ocsp_delay: options.ocsp_delay,
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
                let line = handle(stream, &for_thread);
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

/// Serves one connection and returns its log line.
fn handle(mut stream: TcpStream, shared: &Shared) -> String {
    let mut log = ConnLog::default();
    if let Err(e) = serve(&mut stream, shared, &mut log) {
        log.io = Some(e);
    }
    linger(&mut stream);
    describe(&log, &shared.config)
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
    // The request head so far; http::read_head bounds it.
    let mut request_head: Vec<u8> = Vec::new();
    loop {
        if !pending.is_empty() && conn.paused_for().is_none() && !conn.is_closed() {
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
                    log.leaf = Some(request.certificate().clone());
                    ocsp_request = Some(request);
                }
                Event::HandshakeComplete(summary) => log.summary = Some(summary),
                Event::ApplicationData(data) => {
                    if log.http.is_some() {
                        continue; // answered already: ignore pipelined data
                    }
                    request_head.extend_from_slice(&data);
                    let head = http::read_head(&request_head);
                    if let Some((response, request_line, status)) =
                        http::response(&head, log, &shared.config)
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
            let _ = conn.complete(completion, unix_now());
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
fn answer_ocsp(request: OcspRequest, shared: &Shared) -> Option<Completion> {
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
