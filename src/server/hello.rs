//! Choosing the protocol version from a ClientHello, then the parameters
//! of a TLS 1.3 handshake, and the choices both versions make alike
//! (certificate, SNI, ALPN). TLS 1.2's own choices are in `tls12::hello`.
//!
//! Negotiation is a pure function of the hello and the configuration: it
//! returns what was chosen, or the specific reason the handshake cannot go
//! on, whose alert RFC 8446 names (§4.1.1, §4.2, §9.2).

use std::sync::Arc;

use bytes::Bytes;

use crate::codec::{ClientHello, KeyShareEntry};
use crate::crypto::key_exchange::{NamedGroup, ServerShare, SharedSecret};
use crate::crypto::key_share;
use crate::crypto::signing::SignatureScheme;
use crate::crypto::suites::Tls13Suite;
use crate::enums::CipherSuite;
use crate::enums::ProtocolVersion;
use crate::error::{CryptoError, Error, PeerMisbehaved};
use crate::ocsp::OcspOutcome;
use crate::pki::DnsReference;
use crate::server::config::{CertifiedKey, ServerConfig};
use crate::server::events::{HandshakeSummary, Resumption};
use crate::server::sni::server_name;
use crate::tickets::state::StateView;

/// TLS 1.3's version number (RFC 8446 §4.2.1).
pub(crate) const TLS13: u16 = 0x0304;

/// TLS 1.2's version number (RFC 5246 §6.2.1).
pub(crate) const TLS12: u16 = 0x0303;

/// SSL 3.0's version number (RFC 6101), the highest legacy_version a
/// client may never send (RFC 8446 Appendix D.5).
const SSL30: u16 = 0x0300;

/// TLS_FALLBACK_SCSV (RFC 7507 §2).
const FALLBACK_SCSV: u16 = 0x5600;

/// The version to speak with this client: the highest both sides speak.
///
/// With supported_versions, only it counts (RFC 8446 §4.2.1); without, the
/// client offers every version up to legacy_version, which names at most
/// TLS 1.2 (a TLS 1.3 client always sends supported_versions).
///
/// A client that says it is falling back (TLS_FALLBACK_SCSV) while the
/// server speaks a version above the client's highest is refused with
/// inappropriate_fallback (RFC 7507 §3): an attacker made its first attempt
/// fail.
/// The smallest record_size_limit a client may send: "Endpoints MUST NOT
/// send a "record_size_limit" extension with a value smaller than 64"
/// (RFC 8449 §4).
pub(crate) const MIN_RECORD_SIZE_LIMIT: u16 = 64;

/// The client's record_size_limit, if it sent one; below
/// [`MIN_RECORD_SIZE_LIMIT`] is illegal_parameter (RFC 8449 §4).
pub(crate) fn record_size_limit(hello: &ClientHello<'_>) -> Result<Option<u16>, PeerMisbehaved> {
    match hello.record_size_limit() {
        Some(limit) if limit < MIN_RECORD_SIZE_LIMIT => {
            Err(PeerMisbehaved::RecordSizeLimitTooSmall(limit))
        }
        limit => Ok(limit),
    }
}

pub(crate) fn choose_version(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
) -> Result<ProtocolVersion, PeerMisbehaved> {
    let (offers13, offers12, client_max) = match hello.supported_versions() {
        Some(versions) => {
            let known = versions.iter().filter(|v| (0x0300..=TLS13).contains(v));
            (
                versions.contains(TLS13),
                versions.contains(TLS12),
                known.max().unwrap_or(0),
            )
        }
        None => {
            let legacy = hello.legacy_version().min(TLS12);
            (false, legacy == TLS12, legacy)
        }
    };
    // "Any endpoint receiving a Hello message with ClientHello.legacy_version
    // ... set to 0x0300 MUST abort the handshake with a protocol_version
    // alert" (RFC 8446 Appendix D.5), whatever supported_versions offers:
    // SSL 3.0 and whatever claims to be older are never spoken here.
    if hello.legacy_version() <= SSL30 {
        return Err(PeerMisbehaved::ObsoleteLegacyVersion(
            hello.legacy_version(),
        ));
    }
    if offers13 && config.tls13 {
        return Ok(ProtocolVersion::Tls13);
    }
    let server_max = if config.tls13 { TLS13 } else { TLS12 };
    if hello.offers_cipher_suite(FALLBACK_SCSV) && client_max < server_max {
        return Err(PeerMisbehaved::InappropriateFallback);
    }
    if offers12 && config.tls12 {
        return Ok(ProtocolVersion::Tls12);
    }
    Err(PeerMisbehaved::NoCommonVersion)
}

/// The largest classical key share: an uncompressed P-384 point (1 + 2 ×
/// 48 bytes). Shares up to this are kept inline.
pub(crate) const MAX_SHARE_LEN: usize = 97;

/// A client key share, copied out of the hello so that a paused handshake
/// needs no buffer of the hello itself. A hybrid's (1,216 to 1,665 bytes,
/// most of it an ML-KEM encapsulation key) goes to the heap, and is
/// dropped with the flight that consumes it: it never outlives the key
/// exchange.
#[derive(Clone)]
pub(crate) enum ClientShare {
    Inline { bytes: [u8; MAX_SHARE_LEN], len: u8 },
    Hybrid(Vec<u8>),
}

impl ClientShare {
    /// The share of `entry` in `group`; `None` if it cannot be a share of
    /// that group (too long for a classical one, the wrong length for a
    /// hybrid: nothing so malformed is copied).
    fn new(group: NamedGroup, entry: &KeyShareEntry<'_>) -> Option<Self> {
        let share = entry.key_exchange;
        if group.is_hybrid() {
            return (Some(share.len()) == crate::crypto::hybrid_share_len(group))
                .then(|| Self::Hybrid(share.to_vec()));
        }
        let mut bytes = [0; MAX_SHARE_LEN];
        bytes.get_mut(..share.len())?.copy_from_slice(share);
        Some(Self::Inline {
            bytes,
            len: u8::try_from(share.len()).ok()?,
        })
    }

    /// The share's bytes. `new` only sets a length whose bytes it copied,
    /// so they are always there; were they not, the key exchange must fail
    /// as the bug it would be, not as a bad share from the client.
    pub(crate) fn as_bytes(&self) -> Result<&[u8], CryptoError> {
        match self {
            Self::Inline { bytes, len } => {
                bytes.get(..usize::from(*len)).ok_or(CryptoError::Refused)
            }
            Self::Hybrid(bytes) => Ok(bytes),
        }
    }

    /// TLS 1.3's key exchange with this share in `group`: the server's
    /// share and the shared secret. A hybrid's server share takes this
    /// share's buffer.
    pub(crate) fn respond(
        self,
        group: NamedGroup,
        rng: &dyn ring::rand::SecureRandom,
    ) -> Result<(ServerShare, SharedSecret), Error> {
        match self {
            Self::Hybrid(share) => key_share::respond_hybrid(group, share, rng),
            inline => key_share::respond(group, inline.as_bytes()?, rng),
        }
    }
}

/// legacy_session_id, echoed in ServerHello (RFC 8446 §4.1.3).
#[derive(Clone, Copy, Default)]
pub(crate) struct SessionId {
    bytes: [u8; 32],
    len: u8,
}

impl SessionId {
    pub(crate) fn new(id: &[u8]) -> Self {
        let mut s = Self::default();
        if let Some(dst) = s.bytes.get_mut(..id.len()) {
            dst.copy_from_slice(id);
            s.len = id.len() as u8;
        }
        s
    }

    /// The session ID's bytes. `new` only sets a length whose bytes it
    /// copied, so they are always there; were they not, the handshake must
    /// fail rather than echo an empty ID.
    pub(crate) fn as_bytes(&self) -> Result<&[u8], CryptoError> {
        self.bytes
            .get(..usize::from(self.len))
            .ok_or(CryptoError::Refused)
    }
}

/// Everything chosen for a handshake: what both versions choose alike,
/// and in `params` what only the negotiated version chooses
/// ([`Tls13Params`], or TLS 1.2's `tls12::hello::Tls12Params`).
pub(crate) struct Chosen<V> {
    pub(crate) params: V,
    pub(crate) group: NamedGroup,
    pub(crate) cert: Arc<CertifiedKey>,
    pub(crate) scheme: SignatureScheme,
    pub(crate) alpn: Option<Bytes>,
    pub(crate) server_name: Option<Box<str>>,
    /// Whether the selected certificate was chosen by the client's SNI,
    /// which the server acknowledges with an empty server_name extension
    /// (RFC 6066 §3).
    pub(crate) sni_matched: bool,
}

/// What a version's own choices tell the summary.
pub(crate) trait VersionParams {
    const VERSION: ProtocolVersion;
    fn cipher_suite(&self) -> CipherSuite;
    /// Whether the secrets are bound to the whole handshake (RFC 7627).
    fn extended_master_secret(&self) -> bool;
    /// Whether a HelloRetryRequest was needed (TLS 1.3 only).
    fn hello_retry(&self) -> bool {
        false
    }
}

impl<V: VersionParams> Chosen<V> {
    /// What was negotiated, for `Event::HandshakeComplete`: the one place
    /// a summary is made, for both versions.
    pub(crate) fn into_summary(self, ocsp: OcspOutcome) -> HandshakeSummary {
        HandshakeSummary {
            version: V::VERSION,
            cipher_suite: self.params.cipher_suite(),
            group: Some(self.group),
            signature_scheme: Some(self.scheme),
            alpn_protocol: self.alpn,
            server_name: self.server_name,
            hello_retry: self.params.hello_retry(),
            extended_master_secret: self.params.extended_master_secret(),
            ocsp,
            must_staple: self.cert.leaf().must_staple(),
            resumption: None,
            client_certificate: None,
            client_staple: crate::server::ClientStaple::NotAsked,
        }
    }
}

/// What a resumed session carries into its summary: the ticket's SNI,
/// ALPN and certificate, and how it resumed.
pub(crate) struct ResumedSession {
    pub(crate) alpn: Option<Bytes>,
    pub(crate) server_name: Option<Box<str>>,
    /// The configured certificate the session was made with, if the
    /// configuration holds it (for `must_staple`).
    pub(crate) cert: Option<Arc<CertifiedKey>>,
}

impl ResumedSession {
    /// Whether this hello may resume the session a ticket's state
    /// describes: the hello's SNI host name and ALPN protocol
    /// (`server_name`, `alpn`, as this server chose them) are the
    /// ticket's (RFC 8446 §4.6.1, §4.2.11; RFC 6066 §3 for TLS 1.2), and
    /// its certificate is still served: configured, or possibly so when
    /// certificate events may serve certificates the configuration does
    /// not hold. Then `Some`, with the configured certificate if any.
    /// Nothing is allocated: the caller moves the name and protocol into
    /// [`Self`] once a ticket is chosen.
    pub(crate) fn matching(
        config: &ServerConfig,
        state: &StateView<'_>,
        server_name: Option<&str>,
        alpn: Option<&[u8]>,
    ) -> Option<Option<Arc<CertifiedKey>>> {
        if state.server_name != server_name.unwrap_or_default().as_bytes()
            || state.alpn_protocol != alpn.unwrap_or_default()
        {
            return None;
        }
        let cert = config
            .certs
            .iter()
            .find(|c| c.leaf_sha256() == &state.certificate_hash)
            .cloned();
        if cert.is_none() && !config.certificate_events {
            return None;
        }
        Some(cert)
    }

    /// What a handshake that resumed this session agreed on: the other
    /// place a summary is made, beside [`Chosen::into_summary`]. `group`
    /// is `None` when no key was exchanged (a TLS 1.2 ticket, TLS 1.3
    /// psk_ke).
    pub(crate) fn into_summary(
        self,
        version: ProtocolVersion,
        cipher_suite: CipherSuite,
        group: Option<NamedGroup>,
        extended_master_secret: bool,
        hello_retry: bool,
        how: Resumption,
    ) -> HandshakeSummary {
        HandshakeSummary {
            version,
            cipher_suite,
            group,
            signature_scheme: None,
            alpn_protocol: self.alpn,
            server_name: self.server_name,
            hello_retry,
            extended_master_secret,
            ocsp: OcspOutcome::NotRequested,
            must_staple: self.cert.is_some_and(|c| c.leaf().must_staple()),
            resumption: Some(how),
            client_certificate: None,
            client_staple: crate::server::ClientStaple::NotAsked,
        }
    }
}

/// What only TLS 1.3 chooses.
pub(crate) struct Tls13Params {
    pub(crate) suite: &'static Tls13Suite,
    /// The client's share for the chosen group, or `None` if a
    /// HelloRetryRequest must ask for one.
    pub(crate) share: Option<ClientShare>,
    /// Whether the server prefers a group the client supports to the one
    /// its share was for, and so tells the client its groups in
    /// EncryptedExtensions (RFC 8446 §4.2.7).
    pub(crate) advertise_groups: bool,
    pub(crate) session_id: SessionId,
    /// Whether a HelloRetryRequest came before this choice (made from the
    /// second ClientHello).
    pub(crate) hello_retry: bool,
    /// Whether the middlebox-compatibility change_cipher_spec has been
    /// sent (after the retry, if any).
    pub(crate) ccs_sent: bool,
    /// The PSK modes the client offered (psk_key_exchange_modes, RFC 8446
    /// §4.2.9), which tickets and resumptions must keep to.
    pub(crate) psk_modes: PskModes,
}

/// The PSK key exchange modes a client offered (RFC 8446 §4.2.9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PskModes {
    /// psk_ke (0): the PSK alone.
    pub(crate) ke: bool,
    /// psk_dhe_ke (1): the PSK with (EC)DHE.
    pub(crate) dhe_ke: bool,
}

impl PskModes {
    /// The modes of a ClientHello's psk_key_exchange_modes; none without
    /// the extension (then no ticket may be sent, §4.2.9).
    pub(crate) fn of(hello: &ClientHello<'_>) -> Self {
        let modes = hello.psk_key_exchange_modes().unwrap_or_default();
        Self {
            ke: modes.contains(&0),
            dhe_ke: modes.contains(&1),
        }
    }

    /// Whether a ticket could be used with these modes: psk_dhe_ke, which
    /// keeps forward secrecy, or psk_ke where `psk_ke` (the config) allows
    /// it.
    pub(crate) fn usable(self, psk_ke: bool) -> bool {
        self.dhe_ke || (self.ke && psk_ke)
    }

    /// Whether a resumption goes without (EC)DHE: the config allows
    /// psk_ke and the client offered it. The operator who turns psk_ke on
    /// has chosen to trade the forward secrecy of resumed sessions for the
    /// key exchange's cost, so it is taken whenever offered.
    pub(crate) fn psk_ke(self, psk_ke: bool) -> bool {
        self.ke && psk_ke
    }
}

impl VersionParams for Tls13Params {
    const VERSION: ProtocolVersion = ProtocolVersion::Tls13;

    fn cipher_suite(&self) -> CipherSuite {
        self.suite.suite
    }

    /// TLS 1.3's key schedule hashes the transcript in.
    fn extended_master_secret(&self) -> bool {
        true
    }

    fn hello_retry(&self) -> bool {
        self.hello_retry
    }
}

/// Whether the client offers TLS 1.3.
pub(crate) fn offers_tls13(hello: &ClientHello<'_>) -> bool {
    hello
        .supported_versions()
        .is_some_and(|versions| versions.contains(TLS13))
}

/// Chooses the parameters of a TLS 1.3 handshake.
pub(crate) fn choose(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
    source: CertSource<'_>,
) -> Result<Chosen<Tls13Params>, PeerMisbehaved> {
    let KeyExchangeChoice {
        suite,
        group,
        share,
        advertise_groups,
    } = choose_key_exchange(config, hello)?;
    let sigalgs = hello
        .signature_algorithms()
        .ok_or(PeerMisbehaved::Missing("signature_algorithms"))?;
    let (server_name, selected) = source.resolve(hello)?;
    let (cert, scheme, sni_matched) =
        choose_certificate(config, selected, server_name.as_deref(), |key| {
            key.choose_scheme(sigalgs.iter(), true)
        })
        .ok_or(PeerMisbehaved::NoCommonSignatureScheme)?;

    let alpn = choose_alpn(config, hello)?;

    Ok(Chosen {
        params: Tls13Params {
            suite,
            share,
            advertise_groups,
            session_id: SessionId::new(hello.session_id()),
            hello_retry: false,
            ccs_sent: false,
            psk_modes: PskModes::of(hello),
        },
        group,
        cert,
        scheme,
        alpn,
        server_name,
        sni_matched,
    })
}

/// What TLS 1.3 key exchange a hello leads to, before any certificate is
/// chosen: enough to tell whether a HelloRetryRequest is needed.
pub(crate) struct KeyExchangeChoice {
    pub(crate) suite: &'static Tls13Suite,
    pub(crate) group: NamedGroup,
    /// The client's share for `group`, or `None` if a HelloRetryRequest
    /// must ask for one.
    pub(crate) share: Option<ClientShare>,
    advertise_groups: bool,
}

impl KeyExchangeChoice {
    /// What the choice fixed, without the share.
    pub(crate) fn fixed(&self) -> KxFixed {
        KxFixed {
            suite: self.suite,
            group: self.group,
            has_share: self.share.is_some(),
        }
    }
}

/// What a TLS 1.3 key exchange choice fixed: the suite and group a
/// HelloRetryRequest pins, and whether the client's share came (if not,
/// the retry asks for one). Copied freely; the share stays where it is.
#[derive(Clone, Copy)]
pub(crate) struct KxFixed {
    pub(crate) suite: &'static Tls13Suite,
    pub(crate) group: NamedGroup,
    pub(crate) has_share: bool,
}

impl KxFixed {
    /// The key exchange part of a whole choice.
    pub(crate) fn of(chosen: &Chosen<Tls13Params>) -> Self {
        Self {
            suite: chosen.params.suite,
            group: chosen.group,
            has_share: chosen.params.share.is_some(),
        }
    }
}

/// The TLS 1.3 suite for a hello that resumes with psk_ke and so needs
/// no (EC)DHE: the server's first the client offers, once the hello is
/// TLS 1.3 with null compression (§4.1.2).
pub(crate) fn choose_psk_suite(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
) -> Option<&'static Tls13Suite> {
    if !offers_tls13(hello) || hello.compression_methods() != [0] {
        return None;
    }
    config
        .suites
        .iter()
        .copied()
        .find(|s| hello.offers_cipher_suite(s.suite.to_wire()))
}

/// Judges a TLS 1.3 hello and chooses its suite and group.
pub(crate) fn choose_key_exchange(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
) -> Result<KeyExchangeChoice, PeerMisbehaved> {
    if !offers_tls13(hello) {
        return Err(PeerMisbehaved::NoCommonVersion);
    }
    // "For every TLS 1.3 ClientHello, this vector MUST contain exactly one
    // byte, set to zero" (§4.1.2).
    if hello.compression_methods() != [0] {
        return Err(PeerMisbehaved::CompressionOffered);
    }

    let suite = config
        .suites
        .iter()
        .copied()
        .find(|s| hello.offers_cipher_suite(s.suite.to_wire()))
        .ok_or(PeerMisbehaved::NoCommonCipherSuite)?;

    // Without a PSK, certificate authentication with (EC)DHE needs all
    // three (§9.2).
    let groups = hello
        .supported_groups()
        .ok_or(PeerMisbehaved::Missing("supported_groups"))?;
    let shares = hello
        .key_share()
        .ok_or(PeerMisbehaved::Missing("key_share"))?;
    if hello.signature_algorithms().is_none() {
        return Err(PeerMisbehaved::Missing("signature_algorithms"));
    }
    // "A client MUST provide a psk_key_exchange_modes extension if it
    // offers a pre_shared_key extension. If clients offer pre_shared_key
    // without a psk_key_exchange_modes extension, servers MUST abort the
    // handshake" (§4.2.9), with missing_extension (§4.2.9, §9.2). No PSK is
    // accepted here, but the offer is still judged.
    if hello.pre_shared_key().is_some() && hello.psk_key_exchange_modes().is_none() {
        return Err(PeerMisbehaved::Missing("psk_key_exchange_modes"));
    }

    // "Each KeyShareEntry value MUST correspond to a group offered in the
    // supported_groups extension" (§4.2.8).
    if let Some(stray) = shares.iter().find(|s| !groups.contains(s.group)) {
        return Err(PeerMisbehaved::KeyShareNotInGroups(stray.group));
    }
    // Prefer a group the client already sent a share for (saving a round
    // trip), in the server's order; otherwise ask for a mutual one.
    let (group, share) = match config
        .groups
        .iter()
        .find_map(|&g| shares.find(g.to_wire()).map(|s| (g, s)))
    {
        Some((group, entry)) => match preferred_hybrid(config, groups, group) {
            // Asked for with a retry (`hybrid_retry`): no share is copied.
            Some(hybrid) => (hybrid, None),
            None => {
                let share = ClientShare::new(group, &entry).ok_or(PeerMisbehaved::BadKeyShare)?;
                (group, Some(share))
            }
        },
        None => {
            let group = config
                .groups
                .iter()
                .copied()
                .find(|g| groups.contains(g.to_wire()))
                .ok_or(PeerMisbehaved::NoCommonGroup)?;
            (group, None)
        }
    };

    // A group before the chosen one in the server's order that the client
    // supports, but sent no share for: the server would have preferred it
    // (after a retry, the chosen group is the preferred one).
    let advertise_groups = config
        .groups
        .iter()
        .take_while(|&&g| g != group)
        .any(|g| groups.contains(g.to_wire()));

    Ok(KeyExchangeChoice {
        suite,
        group,
        share,
        advertise_groups,
    })
}

/// With `hybrid_retry`, the hybrid group the server prefers to the
/// classical `chosen` one, that the client supports (but sent no share
/// for, or it would have been chosen).
fn preferred_hybrid(
    config: &ServerConfig,
    client_groups: crate::codec::U16List<'_>,
    chosen: NamedGroup,
) -> Option<NamedGroup> {
    if !config.hybrid_retry || chosen.is_hybrid() {
        return None;
    }
    config
        .groups
        .iter()
        .copied()
        .take_while(|&g| g != chosen)
        .find(|g| g.is_hybrid() && client_groups.contains(g.to_wire()))
}

/// Where a handshake's certificate comes from.
pub(crate) enum CertSource<'a> {
    /// The configuration's certificates, by SNI and signature scheme.
    Config,
    /// As the application's certificate selection said: its certificate,
    /// or (`None`) the configuration's. The SNI host name, read once for
    /// the request, comes back with the answer.
    Selected {
        cert: Option<&'a Arc<CertifiedKey>>,
        server_name: Option<Box<str>>,
    },
}

/// The SNI host name, and the certificate the application selected, if
/// any.
type Resolved<'a> = (Option<Box<str>>, Option<&'a Arc<CertifiedKey>>);

impl<'a> CertSource<'a> {
    /// The SNI host name, and the selected certificate if any.
    pub(crate) fn resolve(self, hello: &ClientHello<'_>) -> Result<Resolved<'a>, PeerMisbehaved> {
        match self {
            Self::Config => Ok((server_name(hello)?, None)),
            Self::Selected { cert, server_name } => Ok((server_name, cert)),
        }
    }
}

/// The certificate for this handshake, among those whose key can sign with
/// a scheme the client accepts: the first that names the SNI exactly, else
/// the first whose wildcard covers it, else (no match, or no SNI) the first
/// of all. Exact before wildcard is how name-based virtual hosts are chosen
/// by web servers, and it keeps `a.example.com` on its own certificate even
/// when a `*.example.com` one was configured before it.
///
/// A certificate the application selected is the only candidate; the SNI
/// is acknowledged when it names the host.
pub(crate) fn choose_certificate(
    config: &ServerConfig,
    selected: Option<&Arc<CertifiedKey>>,
    server_name: Option<&str>,
    scheme_for: impl Fn(&crate::crypto::signing::SigningKey) -> Option<SignatureScheme>,
) -> Option<(Arc<CertifiedKey>, SignatureScheme, bool)> {
    let usable = |c: &Arc<CertifiedKey>| scheme_for(c.key()).map(|s| (Arc::clone(c), s));
    if let Some(cert) = selected {
        let named = server_name.is_some_and(|n| cert.leaf().matches_dns_name(n.as_bytes()));
        return usable(cert).map(|(cert, scheme)| (cert, scheme, named));
    }
    // The name is checked once, not once per certificate and pass.
    if let Some(name) = server_name.and_then(|n| DnsReference::new(n.as_bytes())) {
        let exact = |c: &&Arc<CertifiedKey>| c.leaf().names_reference_exactly(name);
        let covered = |c: &&Arc<CertifiedKey>| c.leaf().matches_reference(name);
        let by_name = (config.certs.iter().filter(exact).find_map(usable))
            .or_else(|| config.certs.iter().filter(covered).find_map(usable));
        if let Some((cert, scheme)) = by_name {
            return Some((cert, scheme, true));
        }
    }
    config
        .certs
        .iter()
        .find_map(usable)
        .map(|(cert, scheme)| (cert, scheme, false))
}

/// ALPN (RFC 7301 §3.2): the server's most preferred protocol that the
/// client offered; no overlap is fatal, with no_application_protocol.
pub(crate) fn choose_alpn(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
) -> Result<Option<Bytes>, PeerMisbehaved> {
    let Some(offered) = hello.alpn() else {
        return Ok(None);
    };
    if config.alpn.is_empty() {
        return Ok(None);
    }
    config
        .alpn
        .iter()
        .find(|p| offered.contains(p))
        .cloned()
        .map(Some)
        .ok_or(PeerMisbehaved::NoCommonAlpnProtocol)
}
