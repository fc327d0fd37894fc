//! Choosing the parameters of a TLS 1.2 handshake from a ClientHello, once
//! TLS 1.2 is the version (see `hello::choose_version`).
//!
//! Like TLS 1.3's negotiation this is a pure function of the hello and the
//! configuration. The certificate decides half of the suite: its key must
//! be of the suite's kind (ECDSA or EdDSA for ECDHE_ECDSA, RSA for
//! ECDHE_RSA, RFC 8422 §5.1) and sign with an algorithm the client lists.

use super::messages::POINT_FORMAT_UNCOMPRESSED;
use crate::codec::ClientHello;
use crate::crypto::key_exchange::NamedGroup;
use crate::crypto::signing::KeyAlgorithm;
use crate::crypto::tls12::prf::RANDOM_LEN;
use crate::crypto::tls12::suites::Tls12Suite;
use crate::enums::CipherSuite;
use crate::enums::ProtocolVersion;
use crate::error::PeerMisbehaved;
use crate::server::config::ServerConfig;
use crate::server::hello::{choose_alpn, choose_certificate, CertSource, Chosen, VersionParams};

/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3).
const RENEGOTIATION_SCSV: u16 = 0x00ff;

/// What only TLS 1.2 chooses, and what of the ClientHello the rest of
/// the handshake needs (so that no buffer of it is kept).
pub(crate) struct Tls12Params {
    pub(crate) suite: &'static Tls12Suite,
    pub(crate) client_random: [u8; RANDOM_LEN],
    /// The client offered the extended master secret (RFC 7627 §5.1).
    pub(crate) extended_master_secret: bool,
    /// The client signalled RFC 5746 support, by extension or SCSV.
    pub(crate) secure_renegotiation: bool,
    /// The client sent ec_point_formats, which the server then answers.
    pub(crate) ec_point_formats: bool,
}

impl VersionParams for Tls12Params {
    const VERSION: ProtocolVersion = ProtocolVersion::Tls12;

    fn cipher_suite(&self) -> CipherSuite {
        self.suite.suite
    }

    fn extended_master_secret(&self) -> bool {
        self.extended_master_secret
    }
}

/// Chooses the parameters of a TLS 1.2 handshake.
pub(crate) fn choose(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
    source: CertSource<'_>,
) -> Result<Chosen<Tls12Params>, PeerMisbehaved> {
    let group = check_hello(config, hello)?;
    let extended_master_secret = hello.extended_master_secret();
    let ec_point_formats = hello.ec_point_formats();

    // RFC 5246 §7.4.1.4.1: without signature_algorithms the client accepts
    // only SHA-1 signatures, which this server (ring) does not make.
    let sigalgs = hello
        .signature_algorithms()
        .ok_or(PeerMisbehaved::NoCommonSignatureScheme)?;
    let suite_for = |key: &crate::crypto::signing::SigningKey| {
        config
            .tls12_suites
            .iter()
            .copied()
            .find(|s| s.authentication.accepts(key.algorithm()) && offers(hello, s))
    };
    let (server_name, selected) = source.resolve(hello)?;
    let scheme_for = |key: &crate::crypto::signing::SigningKey| {
        suite_for(key)?;
        key.choose_scheme(sigalgs.iter(), false)
    };
    let (cert, scheme, sni_matched) =
        choose_certificate(config, selected, server_name.as_deref(), |key| {
            scheme_for(key).filter(|_| curve_offered(hello, key.algorithm()))
        })
        .ok_or_else(|| {
            // Say why nothing fits: only the curves (some certificate would do
            // but for them), no signature algorithm, or no suite at all.
            let candidates = match selected {
                Some(cert) => core::slice::from_ref(cert),
                None => &config.certs[..],
            };
            if candidates.iter().any(|c| scheme_for(c.key()).is_some()) {
                PeerMisbehaved::NoCertificateForClientCurves
            } else if candidates.iter().any(|c| suite_for(c.key()).is_some()) {
                PeerMisbehaved::NoCommonSignatureScheme
            } else {
                PeerMisbehaved::NoCommonCipherSuite
            }
        })?;
    let suite = suite_for(cert.key()).ok_or(PeerMisbehaved::NoCommonCipherSuite)?;

    let alpn = choose_alpn(config, hello)?;

    Ok(Chosen {
        params: Tls12Params {
            suite,
            client_random: *hello.random(),
            extended_master_secret,
            secure_renegotiation: offers_renegotiation(hello),
            ec_point_formats: ec_point_formats.is_some(),
        },
        group,
        cert,
        scheme,
        alpn,
        server_name,
        sni_matched,
    })
}

/// Whether the client signalled RFC 5746 support, by extension or SCSV.
pub(crate) fn offers_renegotiation(hello: &ClientHello<'_>) -> bool {
    hello.renegotiation_info().is_some() || hello.offers_cipher_suite(RENEGOTIATION_SCSV)
}

/// What a TLS 1.2 hello must be whatever certificate serves it; returns
/// the ECDHE group.
pub(crate) fn check_hello(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
) -> Result<NamedGroup, PeerMisbehaved> {
    check_extensions(config, hello)?;
    choose_group(config, hello)
}

/// What a TLS 1.2 hello must be, resumed or not.
pub(crate) fn check_extensions(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
) -> Result<(), PeerMisbehaved> {
    // RFC 5746 §3.6: on a first handshake renegotiated_connection must be
    // empty.
    if hello.renegotiation_info().is_some_and(|r| !r.is_empty()) {
        return Err(PeerMisbehaved::BadRenegotiationInfo);
    }
    if config.require_ems && !hello.extended_master_secret() {
        return Err(PeerMisbehaved::NoExtendedMasterSecret);
    }
    // RFC 8422 §5.1.2: a list without the uncompressed format (the only one
    // left, §5.1.2) cannot be served.
    if hello
        .ec_point_formats()
        .is_some_and(|f| !f.contains(&POINT_FORMAT_UNCOMPRESSED))
    {
        return Err(PeerMisbehaved::NoUncompressedPoints);
    }
    Ok(())
}

/// Whether a TLS 1.2 client can verify a signature by a key of
/// `algorithm`: for ECDSA, "the public key MUST use a curve ... that the
/// client supports" (RFC 8422 §5.3), and a client names those curves in
/// supported_groups or, by sending none, accepts any (§5.1, §4). TLS 1.2
/// signature schemes do not name the curve, so only this says whether a
/// P-256 certificate may go to a client that listed x25519 and P-384.
/// Other keys have no curve for the client to lack.
fn curve_offered(hello: &ClientHello<'_>, algorithm: KeyAlgorithm) -> bool {
    let curve = match algorithm {
        KeyAlgorithm::EcdsaP256 => NamedGroup::Secp256r1,
        KeyAlgorithm::EcdsaP384 => NamedGroup::Secp384r1,
        KeyAlgorithm::Ed25519 | KeyAlgorithm::Rsa { .. } => return true,
    };
    hello
        .supported_groups()
        .is_none_or(|groups| groups.contains(curve.to_wire()))
}

fn offers(hello: &ClientHello<'_>, suite: &Tls12Suite) -> bool {
    hello.offers_cipher_suite(suite.suite.to_wire())
}

/// The ECDHE group: the server's most preferred one in the client's
/// supported_groups. A client without that extension accepts any curve
/// (RFC 8422 §4); secp256r1 is then taken if configured, as the curve every
/// ECC client implements, else the server's first.
fn choose_group(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
) -> Result<NamedGroup, PeerMisbehaved> {
    // The hybrids are TLS 1.3's alone (draft-ietf-tls-ecdhe-mlkem §3).
    let mut classical = config.groups.iter().copied().filter(|g| !g.is_hybrid());
    match hello.supported_groups() {
        Some(groups) => classical.find(|g| groups.contains(g.to_wire())),
        None => config
            .groups
            .iter()
            .copied()
            .find(|&g| g == NamedGroup::Secp256r1)
            .or_else(|| classical.next()),
    }
    .ok_or(PeerMisbehaved::NoCommonGroup)
}
