//! The demo server's command line: its options, and the checks that
//! reject combinations that cannot work.

use std::path::PathBuf;
use std::time::Duration;

use stapler::ocsp::CachePolicy;
use stapler::{NamedGroup, SUPPORTED_GROUPS};

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
  --ocsp-url URL       with fetch and --cert: ask this OCSP responder instead of
                       the one each certificate's AIA names
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
  --select-delay-ms N  ask the application to select each connection's
                       certificate (Event::SelectCertificate), answered from
                       another thread after N ms by SNI among the chains
                       served (0: at once)
  --remote-key         keep the private keys out of stapler, in a signer
                       thread standing in for an HSM: each handshake asks it
                       for its one signature (Event::SignRequest)
  --sign-delay-ms N    with --remote-key: the signer answers after N ms
  --tickets N          TLS 1.3 session tickets sent after each full
                       handshake (default 2; TLS 1.2 gets one); 0 turns
                       resumption off
  --client-ca PEM      ask clients for a certificate chaining to the roots
                       in PEM (mTLS); the log line says client=<name>
  --client-auth MODE   with --client-ca: required (the default) or optional
  --client-staples     with --client-ca: also ask TLS 1.3 clients for an
                       OCSP staple of their certificate (RFC 8446 §4.4.2.1),
                       verified and reported, never required; the log line
                       says client_staple=good|revoked|absent|..
  --groups LIST        the key exchange groups in preference order,
                       comma-separated, from X25519MLKEM768,
                       SecP256r1MLKEM768, SecP384r1MLKEM1024, x25519,
                       secp256r1 and secp384r1 (default: all, in that
                       order); a client without a share for any of them
                       gets a HelloRetryRequest
  --psk-ke             resume TLS 1.3 with psk_ke when the client offers
                       it: no key exchange, and no forward secrecy for
                       resumed sessions
  --ticket-keys FILE   the session-ticket keys: read from FILE, or made and
                       written there (mode 0600), so that servers sharing
                       the file resume each other's sessions
  --fleet URL          share staples and ticket keys with the other servers
                       of a fleet through the Redis at URL (redis://HOST:PORT):
                       one OCSP fetch per certificate for the whole fleet, and
                       one ticket-key set, so each server resumes the
                       others' sessions. Needs --fleet-secret-file
  --fleet-secret-file FILE  the fleet's shared secret (32 to 4096 random
                       bytes, e.g. head -c 32 /dev/urandom > FILE): staples
                       in Redis are tagged and keys sealed with it, so a
                       Redis others can write cannot inject either
  --fleet-sync-secs N  with --fleet: follow the fleet's ticket keys and put
                       back staples Redis lost every N seconds (default 60)
  --help               this text";

/// How often a fleet member follows the fleet's ticket keys unless
/// `--fleet-sync-secs` says: well within the fleet's rotation lead (ten
/// minutes), so that no member finds its key due before the fleet's new
/// one reaches it.
const DEFAULT_FLEET_SYNC: Duration = Duration::from_secs(60);

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
    /// `--select-delay-ms`: certificate selection, and its delay.
    pub select_delay: Option<Duration>,
    pub remote_key: bool,
    pub sign_delay: Duration,
    /// `--tickets`: how many, if given.
    pub tickets: Option<u8>,
    pub ticket_keys: Option<PathBuf>,
    /// `--psk-ke`.
    pub psk_ke: bool,
    /// `--groups`: the key exchange groups in preference order, if given.
    pub groups: Option<Vec<NamedGroup>>,
    /// `--client-ca`: the roots client certificates must chain to.
    pub client_ca: Option<PathBuf>,
    /// `--client-auth optional`.
    pub client_auth_optional: bool,
    /// `--client-staples`: ask TLS 1.3 clients to staple. Off unless asked:
    /// no common client staples, and one client library (tlslite-ng)
    /// refuses the empty status_request that asks, which RFC 8446
    /// §4.4.2.1 prescribes.
    pub client_staples: bool,
    /// `--ocsp-url`: the responder to ask instead of each AIA's.
    pub ocsp_url: Option<String>,
    /// `--fleet` and `--fleet-secret-file`.
    pub fleet: Option<FleetArgs>,
}

/// `--fleet URL --fleet-secret-file FILE [--fleet-sync-secs N]`.
#[derive(Clone, Debug)]
pub struct FleetArgs {
    pub url: String,
    pub secret_file: PathBuf,
    pub sync_every: Duration,
}

impl FleetArgs {
    /// `--fleet-sync-secs`, for the log.
    pub fn every_secs(&self) -> u64 {
        self.sync_every.as_secs()
    }
}

impl Options {
    /// Whether OCSP requests are answered from the staple cache.
    pub fn fetches(&self) -> bool {
        match self.ocsp.as_slice() {
            [] => self.chains.is_empty(),
            [OcspArg::Fetch] => true,
            _ => false,
        }
    }
}

/// `--groups`' list: names of [`SUPPORTED_GROUPS`] as the IANA registry
/// spells them, in any case.
fn parse_groups(list: &str) -> Result<Vec<NamedGroup>, String> {
    list.split(',')
        .map(|name| {
            SUPPORTED_GROUPS
                .into_iter()
                .find(|g| {
                    g.name()
                        .is_some_and(|n| n.eq_ignore_ascii_case(name.trim()))
                })
                .ok_or_else(|| format!("--groups: unknown group {name:?}"))
        })
        .collect()
}

/// What the command line asks for.
// Made once per run; boxing the options would only add noise.
#[allow(clippy::large_enum_variant)]
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
    let mut select_delay = None;
    let mut remote_key = false;
    let mut sign_delay = None;
    let mut tickets = None;
    let mut ticket_keys = None;
    let mut psk_ke = false;
    let mut groups = None;
    let mut client_ca = None;
    let mut client_auth_optional = None;
    let mut client_staples = false;
    let mut ocsp_url = None;
    let (mut fleet, mut fleet_secret_file, mut fleet_sync) = (None, None, None);
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
            "--ocsp-url" => ocsp_url = Some(value()?),
            "--fleet" => fleet = Some(value()?),
            "--fleet-secret-file" => fleet_secret_file = Some(PathBuf::from(value()?)),
            "--fleet-sync-secs" => {
                let n = value()?;
                fleet_sync = Some(match n.parse::<u64>() {
                    Ok(secs) if secs > 0 => Duration::from_secs(secs),
                    _ => return Err(format!("bad --fleet-sync-secs {n}: a number of seconds")),
                });
            }
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
            "--ocsp-delay-ms" => ocsp_delay = millis(&arg, &value()?)?,
            "--select-delay-ms" => select_delay = Some(millis(&arg, &value()?)?),
            "--remote-key" => remote_key = true,
            "--sign-delay-ms" => sign_delay = Some(millis(&arg, &value()?)?),
            "--tickets" => {
                let n = value()?;
                tickets = Some(
                    n.parse()
                        .map_err(|_| format!("bad --tickets {n}: 0 to 255"))?,
                );
            }
            "--ticket-keys" => ticket_keys = Some(value()?.into()),
            "--psk-ke" => psk_ke = true,
            "--groups" => groups = Some(parse_groups(&value()?)?),
            "--client-ca" => client_ca = Some(value()?.into()),
            "--client-staples" => client_staples = true,
            "--client-auth" => {
                client_auth_optional = Some(match value()?.as_str() {
                    "required" => false,
                    "optional" => true,
                    other => {
                        return Err(format!("bad --client-auth {other}: required or optional"))
                    }
                })
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
    if sign_delay.is_some() && !remote_key {
        return Err("--sign-delay-ms is for --remote-key".into());
    }
    let fleet = match (fleet, fleet_secret_file) {
        (Some(url), Some(secret_file)) => Some(FleetArgs {
            url,
            secret_file,
            sync_every: fleet_sync.unwrap_or(DEFAULT_FLEET_SYNC),
        }),
        (None, None) if fleet_sync.is_none() => None,
        (Some(_), None) => return Err("--fleet needs --fleet-secret-file".into()),
        _ => return Err("--fleet-secret-file and --fleet-sync-secs are for --fleet".into()),
    };
    let options = Options {
        listen,
        chains,
        ca,
        ocsp,
        ocsp_cache,
        ocsp_responder,
        ocsp_validity,
        ocsp_delay,
        select_delay,
        remote_key,
        sign_delay: sign_delay.unwrap_or(Duration::ZERO),
        tickets,
        ticket_keys,
        psk_ke,
        groups,
        client_auth_optional: client_auth_optional.unwrap_or(false),
        client_staples,
        client_ca,
        ocsp_url,
        fleet,
    };
    if client_auth_optional.is_some() && options.client_ca.is_none() {
        return Err("--client-auth needs --client-ca".into());
    }
    if options.client_staples && options.client_ca.is_none() {
        return Err("--client-staples needs --client-ca".into());
    }
    if options.tickets == Some(0) && options.ticket_keys.is_some() {
        return Err("--ticket-keys is for tickets; --tickets 0 turns them off".into());
    }
    if options.ca.is_some() && options.chains.is_empty() {
        return Err("--ca is for --cert (the generated PKI has its own CA)".into());
    }
    if options.ocsp_cache.is_some() && !options.fetches() {
        return Err("--ocsp-cache is for --ocsp fetch".into());
    }
    if options.ocsp_url.is_some() && (options.chains.is_empty() || !options.fetches()) {
        return Err("--ocsp-url is for --ocsp fetch with --cert".into());
    }
    if options.fleet.is_some() && options.ticket_keys.is_some() {
        return Err(
            "--fleet shares the ticket keys through Redis; --ticket-keys shares them \
             through a file: give one"
                .into(),
        );
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

/// A `--*-ms` value.
fn millis(option: &str, value: &str) -> Result<Duration, String> {
    value
        .parse()
        .map(Duration::from_millis)
        .map_err(|_| format!("bad {option} {value}: a number of milliseconds"))
}
