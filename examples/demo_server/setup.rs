//! The demo server's setup: certificates (generated or given, their keys
//! local or with `--remote-key` in a signer thread), the OCSP mode and
//! the built-in responder, and the switches for deferred decisions.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use stapler::ocsp::{CachePolicy, StapleCache};
use stapler::pki::Certificate;
use stapler::tickets::{TicketKeyPolicy, TicketKeys};
use stapler::{ClientAuth, Completion, OcspRequest, ServerConfig};

use super::fleet::FleetMember;
use super::log::cert_label;
use super::options::{OcspArg, Options};
use super::remote_key::RemoteSigner;
use crate::demo_ocsp::responder::Responder;
use crate::demo_ocsp::stapling::Stapling;
use crate::demo_ocsp::{span, system_clock, unix_now};
use crate::demo_pki;
use stapler_redis::Fleet;

/// Where the built-in OCSP responder listens unless told otherwise.
const DEFAULT_RESPONDER: &str = "127.0.0.1:8888";
/// How long the built-in responder's responses are fresh for: short, so
/// that the cache's refresh at the midpoint shows in the log within
/// minutes.
const DEFAULT_OCSP_VALIDITY: Duration = Duration::from_secs(600);

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
    pub fn answer(&self, request: OcspRequest) -> Completion {
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
    /// With `--remote-key`: the thread that holds the private keys.
    pub signer: Option<Arc<RemoteSigner>>,
    /// With `--fleet`: this server's membership, to start once serving.
    pub fleet: Option<FleetMember>,
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
    // With --remote-key, the private keys go to the signer thread, in the
    // order the chains are added (the config's order).
    let mut remote_keys: Vec<Vec<u8>> = Vec::new();
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
        let chain = pki.leaf_chain_pem.as_bytes();
        let builder = if options.remote_key {
            remote_keys.push(pki.leaf_key_pkcs8_der.clone());
            ServerConfig::builder().remote_certificate_chain(chain)
        } else {
            ServerConfig::builder().certificate_chain(chain, &pki.leaf_key_pkcs8_der)
        };
        let builder = builder
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
            let (chain, key_bytes) = (read(cert)?, read(key)?);
            builder = if options.remote_key {
                remote_keys.push(key_bytes);
                builder.remote_certificate_chain(&chain)
            } else {
                builder.certificate_chain(&chain, &key_bytes)
            }
            .map_err(|e| format!("{}, {}: {e}", cert.display(), key.display()))?;
        }
        if let Some(ca) = &options.ca {
            builder = builder
                .ca_certificates(&read(ca)?)
                .map_err(|e| format!("{}: {e}", ca.display()))?;
        }
        (builder, options.ca.clone())
    };
    let builder = match options.tickets {
        Some(count) => builder.tickets(count),
        None => builder,
    }
    .psk_ke(options.psk_ke);
    let builder = match &options.groups {
        Some(groups) => builder
            .key_exchange_groups(groups)
            .map_err(|e| format!("--groups: {e}"))?,
        None => builder,
    };
    let builder = match &options.client_ca {
        Some(path) => {
            let mode = if options.client_auth_optional {
                ClientAuth::Optional
            } else {
                ClientAuth::Required
            };
            let (staples, staples_note) = if options.client_staples {
                (
                    stapler::server::ClientStaplePolicy::Report,
                    "; TLS 1.3 clients asked to staple (reported, not required)",
                )
            } else {
                (stapler::server::ClientStaplePolicy::Off, "")
            };
            notes.push(format!(
                "client certificates: {mode:?}, chaining to {}{staples_note}",
                path.display()
            ));
            builder
                .client_auth(mode, &read(path)?)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .client_staples(staples)
        }
        None => builder,
    };
    let fleet = match &options.fleet {
        Some(args) => Some(FleetMember::join(
            args,
            options.tickets != Some(0),
            &mut notes,
        )?),
        None => None,
    };
    let builder = match (
        &options.ticket_keys,
        fleet.as_ref().and_then(FleetMember::keys),
    ) {
        (Some(path), _) => {
            let (keys, note) = ticket_keys(path)?;
            notes.push(note);
            builder.ticket_keys(keys)
        }
        (None, Some(keys)) => builder.ticket_keys(keys),
        (None, None) => builder,
    };
    let config = builder
        .ocsp_events(true)
        .certificate_events(options.select_delay.is_some())
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
    let fleet_handle = || fleet.as_ref().map(FleetMember::handle);
    let ocsp = match options.ocsp.as_slice() {
        [] | [OcspArg::Fetch] if options.fetches() => {
            OcspMode::Fetch(staple_cache(&config, options, fleet_handle(), &mut notes)?)
        }
        [] | [OcspArg::None] => OcspMode::NoResponse,
        [OcspArg::Abort] => OcspMode::Abort,
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
    if let Some(delay) = options.select_delay {
        notes.push(format!(
            "certificate selection: each connection's certificate is chosen by the \
             application (Event::SelectCertificate), by SNI among the chains served, \
             from another thread after {} ms",
            delay.as_millis()
        ));
    }
    let signer = if options.remote_key {
        let keys = leaves().zip(remote_keys).collect();
        let signer = RemoteSigner::start(keys, options.sign_delay)?;
        notes.push(format!(
            "private keys: held by a signer thread standing in for an HSM, not by \
             stapler; each handshake asks it for its signature (Event::SignRequest), \
             answered after {} ms and checked with the certificate's public key",
            options.sign_delay.as_millis()
        ));
        Some(Arc::new(signer))
    } else {
        None
    };
    Ok(Setup {
        config: Arc::new(config),
        ocsp,
        ca_path,
        responder,
        notes,
        signer,
        fleet,
    })
}

/// `--ticket-keys FILE`: the key set in FILE, or a new one written there
/// (readable by this user alone: the bytes are the keys).
fn ticket_keys(path: &PathBuf) -> Result<(Arc<TicketKeys>, String), String> {
    let policy = TicketKeyPolicy::default();
    match std::fs::read(path) {
        Ok(bytes) => {
            let keys = TicketKeys::import(policy, &bytes, unix_now())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok((
                Arc::new(keys),
                format!("session-ticket keys: read from {}", path.display()),
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let keys = TicketKeys::new(policy, unix_now()).map_err(|e| e.to_string())?;
            write_secret(path, &keys.export())?;
            Ok((
                Arc::new(keys),
                format!(
                    "session-ticket keys: made and written to {}",
                    path.display()
                ),
            ))
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Writes `bytes` to a new file only its owner may read.
fn write_secret(path: &PathBuf, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut file| file.write_all(bytes))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The staple cache for every certificate of `config` that names an OCSP
/// responder and whose issuer is known.
fn staple_cache(
    config: &ServerConfig,
    options: &Options,
    fleet: Option<Fleet>,
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
    let skipped = match &options.ocsp_url {
        Some(url) => {
            notes.push(format!(
                "OCSP responder: {url} (--ocsp-url), for every certificate"
            ));
            cache.add_config_with_responder(config, url, unix_now())
        }
        None => cache.add_config(config, unix_now()),
    };
    for (leaf, why) in skipped {
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
    let stapling = match fleet {
        Some(fleet) => {
            let leaves = config.certificates().iter().map(|c| c.leaf_der().clone());
            stapling.with_fleet(fleet, leaves.collect())
        }
        None => stapling,
    };
    Ok(Arc::new(stapling))
}
