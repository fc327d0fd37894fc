//! Server configuration: an immutable snapshot shared by connections.
//!
//! A connection takes an `Arc<ServerConfig>` when it is made and keeps it
//! for its whole life, so building a new configuration affects only later
//! connections (Node.js: changes apply to "connections established after").

use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use ring::rand::SystemRandom;

use super::client_auth::{ClientAuth, ClientAuthConfig};
use super::client_staple::ClientStaplePolicy;
use crate::codec::{MAX_CIPHERTEXT_LEN_TLS13, RECORD_HEADER_LEN};
use crate::crypto::key_share::{NamedGroup, SUPPORTED_GROUPS};
use crate::crypto::signing::SigningKey;
use crate::crypto::suites::{CipherSuite, Tls13Suite, TLS13_SUITES};
use crate::crypto::tls12::suites::{Tls12Suite, TLS12_SUITES};
use crate::enums::ProtocolVersion;
use crate::error::CryptoError;
use crate::ocsp::{MustStaplePolicy, StaplePolicy};
use crate::pki::ClientRoots;
use crate::pki::{pem, Certificate};
pub use crate::server::certified_key::CertifiedKey;
use crate::server::certified_key::{parse_chain, parse_remote_chain};
pub use crate::server::config_error::ConfigError;
use crate::tickets::{TicketKeyPolicy, TicketKeys};

/// Everything a connection needs to know, fixed when it is built.
pub struct ServerConfig {
    pub(crate) certs: Vec<Arc<CertifiedKey>>,
    pub(crate) ocsp_events: bool,
    pub(crate) certificate_events: bool,
    pub(crate) alpn: Vec<Bytes>,
    pub(crate) suites: Vec<&'static Tls13Suite>,
    pub(crate) tls12_suites: Vec<&'static Tls12Suite>,
    pub(crate) groups: Vec<NamedGroup>,
    pub(crate) tls13: bool,
    pub(crate) tls12: bool,
    /// Refuse TLS 1.2 clients that do not offer the extended master secret
    /// (RFC 7627 §5.3).
    pub(crate) require_ems: bool,
    /// Whether a HelloRetryRequest asks a TLS 1.3 client for the share of
    /// a preferred hybrid it listed but did not send.
    pub(crate) hybrid_retry: bool,
    pub(crate) staple_policy: StaplePolicy,
    pub(crate) must_staple_policy: MustStaplePolicy,
    pub(crate) rng: SystemRandom,
    pub(crate) resumption: Resumption,
    /// Client certificates, when asked for.
    pub(crate) client_auth: Option<ClientAuthConfig>,
    /// Bytes of output a connection may hold before `send` takes less.
    pub(crate) output_limit: usize,
    /// Whether a TLS 1.3 close_notify closes only the client's side.
    pub(crate) half_close: bool,
}

/// How sessions resume: with tickets sealed by one key set, shared by every
/// connection of the config.
pub(crate) struct Resumption {
    /// The keys, given to the builder or made by the first connection that
    /// knows the time (`None` inside if the system's RNG failed then).
    keys: OnceLock<Option<Arc<TicketKeys>>>,
    /// NewSessionTickets after each TLS 1.3 handshake; 0 turns tickets off.
    pub(crate) tickets: u8,
    /// Whether TLS 1.3 resumes with psk_ke (no (EC)DHE) when the client
    /// offers it.
    pub(crate) psk_ke: bool,
}

/// Bytes of protected output a connection holds, by default, before
/// [`ServerConnection::send`](crate::ServerConnection::send) takes less
/// than it is given: four full records, as much as a socket takes in a
/// write or two, so a sender that keeps up never waits on it, and one that
/// does not drain holds no more than this.
pub const DEFAULT_OUTPUT_LIMIT: usize = 4 * MIN_OUTPUT_LIMIT;

/// The smallest output limit: one full record, so that a connection whose
/// output is drained always takes some data.
pub const MIN_OUTPUT_LIMIT: usize = RECORD_HEADER_LEN + MAX_CIPHERTEXT_LEN_TLS13;

/// NewSessionTickets sent after a full TLS 1.3 handshake, by default: two,
/// as rustls and OpenSSL send, so that a client can open two connections
/// (or retry one) without a second full handshake.
pub const DEFAULT_TICKETS: u8 = 2;

impl Resumption {
    /// The key set to seal a new ticket with at `now`, rotated first if it
    /// is due (so that a server that never rotates its keys itself still
    /// does); `None` when tickets are off.
    pub(crate) fn sealing_keys(&self, now: u64) -> Result<Option<&Arc<TicketKeys>>, CryptoError> {
        let Some(keys) = self.keys_at(now) else {
            return Ok(None);
        };
        keys.rotate(now).map_err(|_| CryptoError::Random)?;
        Ok(Some(keys))
    }

    /// The key set, made at `now` by the first connection that asks if the
    /// builder was given none. `None` when tickets are off.
    pub(crate) fn keys_at(&self, now: u64) -> Option<&Arc<TicketKeys>> {
        if self.tickets == 0 {
            return None;
        }
        self.keys
            .get_or_init(|| {
                TicketKeys::new(TicketKeyPolicy::default(), now)
                    .ok()
                    .map(Arc::new)
            })
            .as_ref()
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("certs", &self.certs)
            .field("ocsp_events", &self.ocsp_events)
            .field("certificate_events", &self.certificate_events)
            .field("alpn", &self.alpn)
            .field("groups", &self.groups)
            .field("tls13", &self.tls13)
            .field("tls12", &self.tls12)
            .field("require_ems", &self.require_ems)
            .field("hybrid_retry", &self.hybrid_retry)
            .field("staple_policy", &self.staple_policy)
            .field("must_staple_policy", &self.must_staple_policy)
            .finish_non_exhaustive()
    }
}

impl ServerConfig {
    /// Starts a configuration.
    pub fn builder() -> ServerConfigBuilder {
        ServerConfigBuilder::default()
    }

    /// The session-ticket keys, once made: given to the builder, or made by
    /// the first connection started with its time
    /// (`ServerConnection::new_at`). Rotate them with
    /// [`TicketKeys::rotate`] (connections also do, when due) and share
    /// them with [`TicketKeys::export`].
    pub fn ticket_keys(&self) -> Option<&Arc<TicketKeys>> {
        self.resumption.keys.get().and_then(Option::as_ref)
    }

    /// The certificates, in the order they were added.
    pub fn certificates(&self) -> &[Arc<CertifiedKey>] {
        &self.certs
    }

    /// Whether clients are asked for a certificate, and must send one.
    pub fn client_auth(&self) -> ClientAuth {
        self.client_auth
            .as_ref()
            .map_or(ClientAuth::None, |c| c.mode)
    }

    /// Whether connections raise `Event::SelectCertificate`.
    pub fn certificate_events(&self) -> bool {
        self.certificate_events
    }

    /// Whether connections raise `Event::VerifyClient` for each client
    /// certificate (see [`ServerConfigBuilder::client_certificate_events`]).
    pub fn client_certificate_events(&self) -> bool {
        self.client_auth.as_ref().is_some_and(|c| c.deferred)
    }

    /// Whether connections raise `Event::OcspRequest`.
    pub fn ocsp_events(&self) -> bool {
        self.ocsp_events
    }

    /// What is done with a response the application hands back.
    pub fn staple_policy(&self) -> &StaplePolicy {
        &self.staple_policy
    }

    /// What is done when a Must-Staple certificate gets no good staple.
    pub fn must_staple_policy(&self) -> MustStaplePolicy {
        self.must_staple_policy
    }

    /// Whether this configuration speaks `version`.
    pub fn speaks(&self, version: ProtocolVersion) -> bool {
        match version {
            ProtocolVersion::Tls13 => self.tls13,
            ProtocolVersion::Tls12 => self.tls12,
        }
    }
}

/// Builds a [`ServerConfig`].
#[derive(Default)]
pub struct ServerConfigBuilder {
    chains: Vec<(Vec<Certificate>, SigningKey)>,
    ca: Vec<Certificate>,
    ocsp_events: bool,
    certificate_events: bool,
    alpn: Vec<Bytes>,
    suites: Option<(Vec<&'static Tls13Suite>, Vec<&'static Tls12Suite>)>,
    groups: Option<Vec<NamedGroup>>,
    versions: Option<(bool, bool)>,
    require_ems: bool,
    hybrid_retry: bool,
    staple_policy: StaplePolicy,
    must_staple_policy: MustStaplePolicy,
    ticket_keys: Option<Arc<TicketKeys>>,
    tickets: Option<u8>,
    psk_ke: bool,
    client_auth: Option<ClientAuthConfig>,
    client_certificate_events: bool,
    client_staples: ClientStaplePolicy,
    output_limit: Option<usize>,
    half_close: bool,
}

impl ServerConfigBuilder {
    /// Whether a TLS 1.3 client's close_notify closes only its side of
    /// the connection (RFC 8446 §6.1: closing one's write side "does not
    /// have any effect on its read side"). Off by default: close_notify is
    /// answered with close_notify and the connection closes. On, the
    /// connection raises [`Event::PeerClosedWrite`](crate::Event::PeerClosedWrite),
    /// ignores whatever the client sends after it (§6.1), and goes on
    /// sending until [`ServerConnection::close`](crate::ServerConnection::close).
    /// TLS 1.2 has no half-close: there the other side "MUST respond with a
    /// close_notify alert of its own and close down the connection
    /// immediately" (RFC 5246 §7.2.1), whatever this says.
    ///
    /// ```
    /// let config = stapler::ServerConfig::builder()
    ///     .certificate_chain(
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"),
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.key"),
    ///     )?
    ///     .half_close(true)
    ///     .build()?;
    /// # Ok::<(), stapler::ConfigError>(())
    /// ```
    pub fn half_close(mut self, on: bool) -> Self {
        self.half_close = on;
        self
    }

    /// How many bytes of protected output a connection may hold for the
    /// peer before [`ServerConnection::send`](crate::ServerConnection::send)
    /// takes less than it is given (backpressure; the caller offers the
    /// rest once the output is drained). Default
    /// [`DEFAULT_OUTPUT_LIMIT`]; a limit below [`MIN_OUTPUT_LIMIT`] is
    /// raised to it. The handshake's own flights are never cut short.
    ///
    /// ```
    /// let config = stapler::ServerConfig::builder()
    ///     .certificate_chain(
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"),
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.key"),
    ///     )?
    ///     .output_limit(256 * 1024)
    ///     .build()?;
    /// # Ok::<(), stapler::ConfigError>(())
    /// ```
    pub fn output_limit(mut self, bytes: usize) -> Self {
        self.output_limit = Some(bytes.max(MIN_OUTPUT_LIMIT));
        self
    }

    /// The key set that seals session tickets, for example one imported
    /// from the rest of a fleet. Without it, the first connection that
    /// knows the time makes one ([`ServerConfig::ticket_keys`]).
    pub fn ticket_keys(mut self, keys: Arc<TicketKeys>) -> Self {
        self.ticket_keys = Some(keys);
        self
    }

    /// How many NewSessionTickets follow a full TLS 1.3 handshake
    /// (default [`DEFAULT_TICKETS`]); 0 turns resumption off. TLS 1.2
    /// sends one ticket (RFC 5077), unless this is 0.
    pub fn tickets(mut self, count: u8) -> Self {
        self.tickets = Some(count);
        self
    }

    /// Asks clients for a certificate (`Optional` or `Required`) that
    /// chains to one of `roots` (PEM, any number of certificates, or one
    /// DER), validated at each connection's time: start connections with
    /// [`ServerConnection::new_at`](crate::server::ServerConnection::new_at).
    /// `ClientAuth::None` turns it off. The CertificateRequest lists the
    /// roots' names unless [`Self::client_ca_names`] says not to.
    ///
    /// Both versions ask (RFC 8446 §4.3.2, RFC 5246 §7.4.4). Such a config
    /// issues no session tickets, and resumes none.
    ///
    /// ```
    /// use stapler::{ClientAuth, ServerConfig};
    ///
    /// let config = ServerConfig::builder()
    ///     .certificate_chain(
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"),
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.key"),
    ///     )?
    ///     .client_auth(
    ///         ClientAuth::Required,
    ///         include_bytes!("../../tests/data/client_pki/client-ca.crt"),
    ///     )?
    ///     .build()?;
    /// assert_eq!(config.client_auth(), ClientAuth::Required);
    /// # Ok::<(), stapler::ConfigError>(())
    /// ```
    pub fn client_auth(self, mode: ClientAuth, roots: &[u8]) -> Result<Self, ConfigError> {
        if mode == ClientAuth::None {
            return Ok(self.set_client_auth(mode, ClientRoots::default()));
        }
        let roots = ClientRoots::from_pem_or_der(roots).map_err(ConfigError::Certificate)?;
        if roots.is_empty() {
            return Err(ConfigError::Unsupported(
                "client authentication without a root",
            ));
        }
        Ok(self.set_client_auth(mode, roots))
    }

    /// Asks clients for a certificate (`Optional` or `Required`) with no
    /// roots: the application is the verifier. Every certificate a client
    /// presents (and proves its key for) raises
    /// [`Event::VerifyClient`](crate::Event::VerifyClient) with
    /// [`BuiltinVerdict::NotVerified`](crate::server::BuiltinVerdict::NotVerified),
    /// so [`Self::client_certificate_events`] must be on, or `build`
    /// refuses. The CertificateRequest names no authority.
    ///
    /// For a PKI whose trust lives outside the server: SPIFFE bundles
    /// fetched from a workload API, pinned keys, a verification service.
    pub fn client_auth_by_application(self, mode: ClientAuth) -> Self {
        self.set_client_auth(mode, ClientRoots::default())
    }

    fn set_client_auth(mut self, mode: ClientAuth, roots: ClientRoots) -> Self {
        if mode == ClientAuth::None {
            self.client_auth = None;
            return self;
        }
        let send_ca_names = self.client_auth.as_ref().is_none_or(|c| c.send_ca_names);
        self.client_auth = Some(ClientAuthConfig {
            mode,
            roots,
            send_ca_names,
            deferred: false,
            staples: ClientStaplePolicy::Off,
        });
        self
    }

    /// Whether the application decides on each client certificate
    /// (default: no; the roots decide). With it, once a client has sent
    /// its certificate and proved its key, the connection raises
    /// [`Event::VerifyClient`](crate::Event::VerifyClient) with the chain,
    /// what the roots made of it, the SNI and the ALPN protocol, and
    /// pauses until the application accepts or rejects: revocation checks
    /// against a service, or policy lookups. Needs [`Self::client_auth`]
    /// or [`Self::client_auth_by_application`].
    ///
    /// ```
    /// use stapler::{ClientAuth, ServerConfig};
    ///
    /// let config = ServerConfig::builder()
    ///     .certificate_chain(
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"),
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.key"),
    ///     )?
    ///     .client_auth_by_application(ClientAuth::Required)
    ///     .client_certificate_events(true)
    ///     .build()?;
    /// assert!(config.client_certificate_events());
    /// # Ok::<(), stapler::ConfigError>(())
    /// ```
    pub fn client_certificate_events(mut self, enabled: bool) -> Self {
        self.client_certificate_events = enabled;
        self
    }

    /// Whether TLS 1.3 clients are asked to staple an OCSP response to
    /// their certificate (RFC 8446 §4.4.2.1), and what the staple decides
    /// (default [`ClientStaplePolicy::Off`]). The staple is verified at the
    /// connection's time against the leaf's issuer and reported in
    /// [`HandshakeSummary::client_staple`](crate::server::HandshakeSummary::client_staple).
    /// Needs [`Self::client_auth`] or [`Self::client_auth_by_application`].
    ///
    /// ```
    /// use stapler::server::ClientStaplePolicy;
    /// use stapler::{ClientAuth, ServerConfig};
    ///
    /// let config = ServerConfig::builder()
    ///     .certificate_chain(
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"),
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.key"),
    ///     )?
    ///     .client_auth(
    ///         ClientAuth::Required,
    ///         include_bytes!("../../tests/data/client_pki/client-ca.crt"),
    ///     )?
    ///     .client_staples(ClientStaplePolicy::RejectRevoked)
    ///     .build()?;
    /// # Ok::<(), stapler::ConfigError>(())
    /// ```
    pub fn client_staples(mut self, policy: ClientStaplePolicy) -> Self {
        self.client_staples = policy;
        self
    }

    /// Whether the CertificateRequest lists the client roots' names
    /// (certificate_authorities, RFC 8446 §4.2.4); on by default. Off
    /// suits a large root set, whose names would swell every flight.
    pub fn client_ca_names(mut self, send: bool) -> Self {
        if let Some(c) = self.client_auth.as_mut() {
            c.send_ca_names = send;
        }
        self
    }

    /// Resumes TLS 1.3 sessions with psk_ke (RFC 8446 §4.2.9) when the
    /// client offers it: the ticket's PSK alone, with no (EC)DHE. Off by
    /// default, so every resumption exchanges fresh keys (psk_dhe_ke).
    ///
    /// On, a resumption skips the key exchange, most of its cost, but the
    /// connection's keys then come from the ticket alone: whoever later
    /// learns the ticket key can read it (no forward secrecy), and a
    /// client offering both modes gets psk_ke. Tickets are issued to
    /// clients that offer only psk_ke too.
    ///
    /// ```
    /// let config = stapler::ServerConfig::builder()
    ///     .certificate_chain(
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"),
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.key"),
    ///     )?
    ///     .psk_ke(true)
    ///     .build()?;
    /// # Ok::<(), stapler::ConfigError>(())
    /// ```
    pub fn psk_ke(mut self, on: bool) -> Self {
        self.psk_ke = on;
        self
    }

    /// Adds a certificate chain (leaf first) and its private key, each PEM
    /// or DER. The key may be PKCS#8, SEC1 (EC) or PKCS#1 (RSA). Several
    /// chains may be added, for example an ECDSA and an RSA certificate, or
    /// certificates for different names. Each handshake takes, among the
    /// chains whose key can sign with a scheme the client accepts, the first
    /// added that names the SNI exactly, else the first whose wildcard
    /// covers it, else the first added.
    pub fn certificate_chain(self, chain: &[u8], key: &[u8]) -> Result<Self, ConfigError> {
        let certs = pem::certificates_from_pem_or_der(chain)?;
        let key = pem::private_key_from_pem_or_der(key)?;
        self.certificate_chain_der(certs, key.der())
    }

    /// Adds a chain given as DER certificates (leaf first) and a DER key.
    pub fn certificate_chain_der(
        mut self,
        chain: Vec<Bytes>,
        key_der: &[u8],
    ) -> Result<Self, ConfigError> {
        self.chains.push(parse_chain(chain, key_der)?);
        Ok(self)
    }

    /// Adds a certificate chain (leaf first, PEM or DER) whose private key
    /// the application holds elsewhere (see
    /// [`CertifiedKey::remote`]): handshakes that choose it raise
    /// `Event::SignRequest`.
    pub fn remote_certificate_chain(mut self, chain: &[u8]) -> Result<Self, ConfigError> {
        self.chains.push(parse_remote_chain(chain)?);
        Ok(self)
    }

    /// Adds CA certificates (PEM bundle or one DER certificate) among which
    /// each leaf's issuer is looked up, like Node.js's `ca` option. They are
    /// never sent to clients.
    pub fn ca_certificates(mut self, certs: &[u8]) -> Result<Self, ConfigError> {
        for der in pem::certificates_from_pem_or_der(certs)? {
            self.ca.push(Certificate::from_der(der)?);
        }
        Ok(self)
    }

    /// Whether connections raise `Event::OcspRequest` when a client asks
    /// for certificate status (default: no).
    pub fn ocsp_events(mut self, enabled: bool) -> Self {
        self.ocsp_events = enabled;
        self
    }

    /// Whether connections raise `Event::SelectCertificate` once a
    /// client's final ClientHello is in, so that the application chooses
    /// the certificate, or a whole configuration, for each connection
    /// (default: no; the certificates added here are chosen by SNI). With
    /// it, a configuration may have no certificate of its own.
    pub fn certificate_events(mut self, enabled: bool) -> Self {
        self.certificate_events = enabled;
        self
    }

    /// The ALPN protocols this server speaks, most preferred first
    /// (RFC 7301). With none, ALPN is not negotiated.
    pub fn alpn_protocols<P: AsRef<[u8]>>(
        mut self,
        protocols: impl IntoIterator<Item = P>,
    ) -> Result<Self, ConfigError> {
        self.alpn = protocols
            .into_iter()
            .map(|p| {
                let p = p.as_ref();
                if p.is_empty() || p.len() > 255 {
                    return Err(ConfigError::BadAlpnProtocol);
                }
                Ok(Bytes::copy_from_slice(p))
            })
            .collect::<Result<_, _>>()?;
        Ok(self)
    }

    /// The cipher suites to use, most preferred first, TLS 1.3 and TLS 1.2
    /// suites in one list; each version uses the suites of its own, so a
    /// list without TLS 1.2 suites leaves TLS 1.2 clients nothing to agree
    /// on (handshake_failure). Default: AES-128-GCM, AES-256-GCM,
    /// ChaCha20-Poly1305 for TLS 1.3; ECDHE with ECDSA then RSA, each with
    /// AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305, for TLS 1.2.
    pub fn cipher_suites(mut self, suites: &[CipherSuite]) -> Result<Self, ConfigError> {
        let (mut tls13, mut tls12) = (Vec::new(), Vec::new());
        for suite in suites {
            let code = suite.to_wire();
            match (Tls13Suite::from_wire(code), Tls12Suite::from_wire(code)) {
                (Some(s), _) => tls13.push(s),
                (None, Some(s)) => tls12.push(s),
                (None, None) => return Err(ConfigError::Unsupported("cipher suite")),
            }
        }
        self.suites = Some((tls13, tls12));
        Ok(self)
    }

    /// The protocol versions to speak (default: TLS 1.3 and TLS 1.2). The
    /// highest version both sides speak is used; order does not matter.
    pub fn protocol_versions(mut self, versions: &[ProtocolVersion]) -> Result<Self, ConfigError> {
        let tls13 = versions.contains(&ProtocolVersion::Tls13);
        let tls12 = versions.contains(&ProtocolVersion::Tls12);
        if !tls13 && !tls12 {
            return Err(ConfigError::NoProtocolVersion);
        }
        self.versions = Some((tls13, tls12));
        Ok(self)
    }

    /// Whether TLS 1.2 clients must offer the extended master secret
    /// (RFC 7627); those that do not get handshake_failure (§5.3). Default:
    /// no; it is used whenever offered. TLS 1.3 always binds its secrets to
    /// the handshake.
    pub fn require_extended_master_secret(mut self, required: bool) -> Self {
        self.require_ems = required;
        self
    }

    /// The key exchange groups to use, most preferred first. The default
    /// puts the post-quantum hybrids (draft-ietf-tls-ecdhe-mlkem) first:
    /// X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024, then x25519,
    /// secp256r1, secp384r1. A TLS 1.3 client gets the first of these it
    /// sent a share for, so a browser offering X25519MLKEM768 beside
    /// x25519 gets the hybrid; TLS 1.2 skips the hybrids.
    ///
    /// ```
    /// use stapler::{NamedGroup, ServerConfig};
    ///
    /// // Classical groups only.
    /// let config = ServerConfig::builder()
    ///     .certificate_chain(
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"),
    ///         include_bytes!("../../tests/data/pki/leaf-ecdsa.key"),
    ///     )?
    ///     .key_exchange_groups(&[NamedGroup::X25519, NamedGroup::Secp256r1])?
    ///     .build()?;
    /// # Ok::<(), stapler::ConfigError>(())
    /// ```
    pub fn key_exchange_groups(mut self, groups: &[NamedGroup]) -> Result<Self, ConfigError> {
        if groups.iter().any(|g| !SUPPORTED_GROUPS.contains(g)) {
            return Err(ConfigError::Unsupported("key exchange group"));
        }
        self.groups = Some(groups.to_vec());
        Ok(self)
    }

    /// Whether a TLS 1.3 client that lists a hybrid group the server
    /// prefers, but sent a share only for a classical one, is asked for
    /// the hybrid's share with a HelloRetryRequest (default: no).
    ///
    /// The trade-off: on, such a client pays a round trip (and sends a
    /// 1,216-byte share again) for a post-quantum exchange; off, it gets
    /// the classical group at once, and its session could be recorded now
    /// and decrypted by a future quantum computer. Browsers send the
    /// hybrid's share unasked, so this matters for clients that list it
    /// without predicting it.
    pub fn hybrid_retry(mut self, on: bool) -> Self {
        self.hybrid_retry = on;
        self
    }

    /// Whether a response the application hands back is stapled as given
    /// (the default) or verified first; see [`StaplePolicy`].
    pub fn staple_policy(mut self, policy: StaplePolicy) -> Self {
        self.staple_policy = policy;
        self
    }

    /// What to do when a Must-Staple certificate (RFC 7633) is asked for
    /// its status and the completion brings no good staple; see
    /// [`MustStaplePolicy`].
    pub fn must_staple_policy(mut self, policy: MustStaplePolicy) -> Self {
        self.must_staple_policy = policy;
        self
    }

    /// Checks and freezes the configuration. Each leaf's issuer is looked up
    /// here, among the rest of its chain and the CA certificates, by name
    /// and by signature.
    pub fn build(self) -> Result<ServerConfig, ConfigError> {
        // Without certificate events every handshake needs one of these;
        // with them, the application may select every certificate itself.
        if self.chains.is_empty() && !self.certificate_events {
            return Err(ConfigError::NoCertificate);
        }
        let mut client_auth = self.client_auth;
        match client_auth.as_mut() {
            Some(auth) => {
                if auth.roots.is_empty() && !self.client_certificate_events {
                    return Err(ConfigError::Unsupported(
                        "client authentication without roots and without client_certificate_events",
                    ));
                }
                auth.deferred = self.client_certificate_events;
                auth.staples = self.client_staples;
            }
            None if self.client_certificate_events => {
                return Err(ConfigError::Unsupported(
                    "client_certificate_events without client authentication",
                ))
            }
            None if self.client_staples.asks() => {
                return Err(ConfigError::Unsupported(
                    "client_staples without client authentication",
                ))
            }
            None => {}
        }
        let ca = self.ca;
        let certs = self
            .chains
            .into_iter()
            .map(|(certs, key)| CertifiedKey::assemble(certs, key, &ca).map(Arc::new))
            .collect::<Result<Vec<_>, ConfigError>>()?;
        let (suites, tls12_suites) = self
            .suites
            .unwrap_or_else(|| (TLS13_SUITES.to_vec(), TLS12_SUITES.to_vec()));
        let (tls13, tls12) = self.versions.unwrap_or((true, true));
        Ok(ServerConfig {
            certs,
            ocsp_events: self.ocsp_events,
            certificate_events: self.certificate_events,
            alpn: self.alpn,
            suites,
            tls12_suites,
            groups: self.groups.unwrap_or_else(|| SUPPORTED_GROUPS.to_vec()),
            tls13,
            tls12,
            require_ems: self.require_ems,
            hybrid_retry: self.hybrid_retry,
            staple_policy: self.staple_policy,
            must_staple_policy: self.must_staple_policy,
            rng: SystemRandom::new(),
            resumption: Resumption {
                keys: match self.ticket_keys {
                    Some(keys) => OnceLock::from(Some(keys)),
                    None => OnceLock::new(),
                },
                tickets: self.tickets.unwrap_or(DEFAULT_TICKETS),
                psk_ke: self.psk_ke,
            },
            client_auth,
            output_limit: self.output_limit.unwrap_or(DEFAULT_OUTPUT_LIMIT),
            half_close: self.half_close,
        })
    }
}
