//! What a server does with the response an application hands back
//! ([`StaplePolicy`]), and with a Must-Staple certificate left without a
//! good staple ([`MustStaplePolicy`]). Both are set on the
//! [`ServerConfig`](crate::ServerConfig) and applied by the connection when
//! an [`OcspRequest`](super::OcspRequest) is completed.

use std::fmt;

use bytes::Bytes;

use crate::pki::Certificate;

use super::error::OcspError;
use super::response::{CertStatus, OcspResponse};
use super::verify::VerifyOptions;

/// Whether a response handed to `OcspRequest::respond` is checked before
/// it is stapled.
///
/// A bad staple costs more than none: a client that checks it (Firefox,
/// curl `--cert-status`, OpenSSL with a status callback) refuses the
/// connection, while with no staple it goes on. `Verify` keeps a broken,
/// stale or revoked response off the wire.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum StaplePolicy {
    /// Staple the bytes as given, unread, as Node.js does (the default).
    #[default]
    Trust,
    /// Parse and verify the response first (RFC 6960: its CertID names the
    /// certificate, the issuer or its delegated responder signed it,
    /// thisUpdate ≤ now + skew < nextUpdate) and require status good.
    /// Freshness is judged at the time given to
    /// `ServerConnection::complete`. A response that fails is
    /// treated as `on_failure` says, and the handshake's
    /// [`OcspOutcome`](super::OcspOutcome) names the reason.
    Verify {
        /// How to verify (clock skew, responses without nextUpdate).
        options: VerifyOptions,
        /// What to do with a response that fails.
        on_failure: OnBadStaple,
    },
}

/// What [`StaplePolicy::Verify`] does with a response that fails its check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnBadStaple {
    /// Go on without a staple (the default): the client sees no status,
    /// as when the responder is down.
    #[default]
    StapleNothing,
    /// End the handshake with an internal_error alert.
    Abort,
}

/// What a connection does when its certificate carries the TLS Feature
/// extension with status_request (RFC 7633, "Must-Staple"), the client
/// asked for a staple, and the completion brings no good one.
///
/// A client that honours Must-Staple refuses such a handshake anyway
/// (RFC 7633 §4.2.3); `Abort` fails it on the server, where it is logged,
/// instead of in the client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum MustStaplePolicy {
    /// Complete the handshake without a staple and report it: the
    /// summary's `must_staple` is set and its `ocsp` outcome is not
    /// `Stapled` (the default, as Node.js does).
    #[default]
    Continue,
    /// End the handshake with an internal_error alert.
    Abort,
}

/// Why [`StaplePolicy::Verify`] refused a response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BadStaple {
    /// The certificate's issuer is not known (not in its chain nor among
    /// the CA certificates), so the signature cannot be checked.
    NoIssuer,
    /// The response does not parse or verify.
    Invalid(OcspError),
    /// The response is valid but the status is not good: revoked, or
    /// unknown to the responder.
    Status(CertStatus),
}

impl fmt::Display for BadStaple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoIssuer => f.write_str("the certificate's issuer is not known"),
            Self::Invalid(e) => write!(f, "{e}"),
            Self::Status(CertStatus::Revoked { .. }) => f.write_str("the certificate is revoked"),
            Self::Status(_) => f.write_str("the responder does not know the certificate"),
        }
    }
}

impl std::error::Error for BadStaple {}

/// Checks `response` for `leaf` under `options`: the whole of
/// [`StaplePolicy::Verify`]'s test.
pub(crate) fn check_staple(
    response: &Bytes,
    leaf: &Certificate,
    issuer: Option<&Certificate>,
    now: u64,
    options: &VerifyOptions,
) -> Result<(), BadStaple> {
    let issuer = issuer.ok_or(BadStaple::NoIssuer)?;
    let parsed = OcspResponse::parse(response.clone()).map_err(BadStaple::Invalid)?;
    let verified = parsed
        .verify(leaf, issuer, now, options)
        .map_err(BadStaple::Invalid)?;
    match verified.status {
        CertStatus::Good => Ok(()),
        other => Err(BadStaple::Status(other)),
    }
}

/// What happened to OCSP stapling in one handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspOutcome {
    /// The client did not ask (no status_request of type ocsp), or the
    /// configuration does not raise OCSP events.
    NotRequested,
    /// A response of this many bytes was stapled.
    Stapled(usize),
    /// The application answered with no response; nothing was stapled.
    NoResponse,
    /// The application aborted the handshake with this reason.
    Aborted(String),
    /// The application's response failed the check of
    /// [`StaplePolicy::Verify`](StaplePolicy::Verify), so nothing
    /// was stapled.
    Refused(BadStaple),
}
