//! Client OCSP staples (RFC 8446 §4.4.2.1): a TLS 1.3 server may ask the
//! client to staple an OCSP response to its certificate, with an empty
//! status_request extension in CertificateRequest. The client's answer
//! rides in the status_request extension of its leaf's CertificateEntry.
//!
//! The staple is checked with the OCSP toolkit ([`OcspResponse::verify`]
//! at the connection's time, against the leaf's issuer) and reported in
//! [`HandshakeSummary::client_staple`](crate::server::HandshakeSummary::client_staple).
//! The [`ClientStaplePolicy`] says whether a revoked status, or a missing
//! good one, refuses the client; by default it only reports.
//!
//! TLS 1.2 has no way for a client to staple (RFC 6066 §8 is the server's
//! only), so a TLS 1.2 client's staple is [`ClientStaple::NotAsked`].

use crate::error::Error;
use crate::ocsp::{CertStatus, OcspError, OcspResponse, VerifiedStatus, VerifyOptions};
use crate::pki::{Certificate, ClientChainError};

/// Whether the server asks clients for an OCSP staple, and what it does
/// with the answer. TLS 1.3 only (see the module docs).
///
/// Asking puts an empty status_request in the CertificateRequest, as RFC
/// 8446 §4.4.2.1 says. Clients that do not staple ignore it (openssl,
/// curl, gnutls, Go, Node and rustls were tried), but one library refuses
/// it: tlslite-ng, under tlsfuzzer, expects a full CertificateStatusRequest
/// there and aborts. So ask only where clients are known to staple or to
/// ignore the request; the default asks nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientStaplePolicy {
    /// No staple is asked for (the default).
    #[default]
    Off,
    /// A staple is asked for, verified and reported; nothing is refused
    /// for it.
    Report,
    /// As `Report`, and a verified revoked status refuses the client with
    /// certificate_revoked.
    RejectRevoked,
    /// The client must staple a verified good status: revoked is
    /// certificate_revoked; absent, unknown or invalid is
    /// bad_certificate_status_response. A TLS 1.2 client, which cannot
    /// staple, is refused too: use it with TLS 1.3 only.
    Require,
}

impl ClientStaplePolicy {
    /// Whether the CertificateRequest asks for a staple.
    pub(crate) fn asks(self) -> bool {
        self != Self::Off
    }
}

/// What became of a client's OCSP staple. The details are boxed: every
/// handshake carries one of these in its summary, and most say `NotAsked`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientStaple {
    /// None was asked for: the policy is off, the version is TLS 1.2, or
    /// the client sent no certificate.
    #[default]
    NotAsked,
    /// Asked for; the client sent none.
    Absent,
    /// A verified response: the certificate is good.
    Good(Box<VerifiedStatus>),
    /// A verified response: the certificate is revoked.
    Revoked(Box<VerifiedStatus>),
    /// A verified response: the responder does not know the certificate.
    Unknown(Box<VerifiedStatus>),
    /// A response that does not parse or verify (another certificate, a
    /// signer without authority, stale): why.
    Invalid(Box<OcspError>),
    /// A response came, but no certificate of the leaf's issuer is known
    /// (not in the client's chain, not among the roots) to check it with.
    Unverifiable,
}

impl ClientStaple {
    /// A short name for logs: `good`, `revoked`, `unknown`, `invalid`,
    /// `unverifiable`, `absent` or `not-asked`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::NotAsked => "not-asked",
            Self::Absent => "absent",
            Self::Good(_) => "good",
            Self::Revoked(_) => "revoked",
            Self::Unknown(_) => "unknown",
            Self::Invalid(_) => "invalid",
            Self::Unverifiable => "unverifiable",
        }
    }
}

/// What the client's Certificate said about a staple.
#[derive(Clone, Copy, Debug)]
pub(crate) enum StapleSent<'a> {
    /// The version cannot carry one (TLS 1.2), or none was asked for.
    NotAsked,
    /// Asked for; none came.
    Absent,
    /// The leaf's status_request held this OCSPResponse.
    Response(&'a [u8]),
}

/// Checks the OCSP response `der`, stapled to `leaf`, at `now`, its
/// issuer looked for among `issuers` (by subject, in order).
pub(crate) fn judge<'c>(
    der: &[u8],
    leaf: &Certificate,
    mut issuers: impl Iterator<Item = &'c Certificate>,
    now: u64,
) -> ClientStaple {
    let Some(issuer) = issuers.find(|c| c.subject() == leaf.issuer()) else {
        return ClientStaple::Unverifiable;
    };
    let verified = OcspResponse::parse(bytes::Bytes::copy_from_slice(der))
        .and_then(|r| r.verify(leaf, issuer, now, &VerifyOptions::default()));
    match verified {
        Ok(v) => match v.status {
            CertStatus::Good => ClientStaple::Good(Box::new(v)),
            CertStatus::Revoked { .. } => ClientStaple::Revoked(Box::new(v)),
            CertStatus::Unknown => ClientStaple::Unknown(Box::new(v)),
        },
        Err(e) => ClientStaple::Invalid(Box::new(e)),
    }
}

/// Refuses the client if `policy` says `staple` must: under `Require`, a
/// TLS 1.2 client's `NotAsked` too, since it cannot staple.
pub(crate) fn enforce(policy: ClientStaplePolicy, staple: &ClientStaple) -> Result<(), Error> {
    let refuse_revoked = matches!(
        policy,
        ClientStaplePolicy::RejectRevoked | ClientStaplePolicy::Require
    );
    match staple {
        ClientStaple::Revoked(_) if refuse_revoked => {
            Err(Error::ClientCertificate(ClientChainError::Revoked))
        }
        ClientStaple::Good(_) => Ok(()),
        _ if policy == ClientStaplePolicy::Require => {
            Err(Error::ClientCertificate(ClientChainError::NoGoodStaple))
        }
        _ => Ok(()),
    }
}
