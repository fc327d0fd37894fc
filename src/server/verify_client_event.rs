//! The client verification event: the application decides on a client's
//! certificate, as rustls #468 asks, for revocation checks against a
//! service or policy lookups that cannot run inside a verifier callback.
//!
//! With [`ServerConfigBuilder::client_certificate_events`](crate::server::ServerConfigBuilder::client_certificate_events)
//! on, a connection that has read a client's Certificate and checked its
//! CertificateVerify (so the client holds the key) raises
//! [`Event::VerifyClient`](crate::Event::VerifyClient) and pauses before
//! the client's Finished. The request carries the chain, what the
//! configured roots made of it ([`BuiltinVerdict`]), the SNI and the ALPN
//! protocol. The application answers with [`VerifyClientRequest::accept`],
//! [`VerifyClientRequest::reject`] (an alert of its choice) or
//! [`VerifyClientRequest::abort`] (internal_error), on any thread, and
//! hands the [`Completion`] to `ServerConnection::complete`.

use core::fmt;

use bytes::Bytes;

use crate::codec::AlertDescription;
use crate::enums::ProtocolVersion;
use crate::pki::Certificate;
use crate::server::client_auth::{BuiltinVerdict, PresentedClient};
use crate::server::request::{Answer, ClientAnswer, Completion, Ticket};

/// A client's certificate, for the application to accept or reject.
///
/// ```
/// # use stapler::{Event, ServerConnection};
/// # fn answer(conn: &mut ServerConnection, now: u64) -> Result<(), stapler::CompleteError> {
/// use stapler::server::{BuiltinVerdict, ClientRejection};
///
/// while let Some(event) = conn.poll_event() {
///     if let Event::VerifyClient(request) = event {
///         let completion = match request.builtin() {
///             BuiltinVerdict::Verified if request.leaf().common_name() != Some("revoked") => {
///                 request.accept()
///             }
///             _ => request.reject(ClientRejection::AccessDenied, "not on the allow list"),
///         };
///         conn.complete(completion, now)?;
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[must_use = "the connection stays paused until the request is answered"]
pub struct VerifyClientRequest {
    pub(crate) ticket: Ticket,
    pub(crate) client: PresentedClient,
    /// The client's leaf, parsed.
    pub(crate) leaf: Certificate,
    pub(crate) version: ProtocolVersion,
    pub(crate) server_name: Option<Box<str>>,
    pub(crate) alpn_protocol: Option<Bytes>,
}

/// The alert a rejected client is told why with (RFC 8446 §6.2, RFC 5246
/// §7.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientRejection {
    /// bad_certificate: corrupt, or signed wrongly.
    BadCertificate,
    /// unsupported_certificate: of a kind this server does not take.
    UnsupportedCertificate,
    /// certificate_revoked: revoked by its signer.
    CertificateRevoked,
    /// certificate_expired: expired or not yet valid.
    CertificateExpired,
    /// certificate_unknown: unacceptable for another reason.
    CertificateUnknown,
    /// unknown_ca: no path to a trusted authority.
    UnknownCa,
    /// access_denied: valid, but this client may not connect.
    AccessDenied,
}

impl From<ClientRejection> for AlertDescription {
    fn from(rejection: ClientRejection) -> Self {
        match rejection {
            ClientRejection::BadCertificate => Self::BadCertificate,
            ClientRejection::UnsupportedCertificate => Self::UnsupportedCertificate,
            ClientRejection::CertificateRevoked => Self::CertificateRevoked,
            ClientRejection::CertificateExpired => Self::CertificateExpired,
            ClientRejection::CertificateUnknown => Self::CertificateUnknown,
            ClientRejection::UnknownCa => Self::UnknownCa,
            ClientRejection::AccessDenied => Self::AccessDenied,
        }
    }
}

impl VerifyClientRequest {
    /// The client's certificate, parsed: its subject, SANs, SPIFFE ID.
    pub fn leaf(&self) -> &Certificate {
        &self.leaf
    }

    /// The chain as the client sent it, leaf first.
    pub fn chain(&self) -> &[Bytes] {
        &self.client.chain
    }

    /// What the configured roots made of the chain, at the connection's
    /// time.
    pub fn builtin(&self) -> &BuiltinVerdict {
        &self.client.verdict
    }

    /// What became of the client's OCSP staple (TLS 1.3, when the config
    /// asks for one); it is in the summary too, whatever the verdict.
    pub fn staple(&self) -> &crate::server::ClientStaple {
        &self.client.staple
    }

    /// The protocol version of the handshake.
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }

    /// The host name the client asked for (SNI), lower-cased.
    pub fn server_name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }

    /// The ALPN protocol negotiated, if any.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.alpn_protocol.as_deref()
    }

    /// The client is accepted: the handshake goes on, and
    /// [`HandshakeSummary::client_certificate`](crate::server::HandshakeSummary::client_certificate)
    /// holds it, verified by the roots if they verified it, else by the
    /// application ([`VerifiedBy`](crate::pki::VerifiedBy)).
    pub fn accept(self) -> Completion {
        let Self { ticket, client, .. } = self;
        ticket.complete(Answer::ClientVerification(ClientAnswer::Accept(
            client.into_accepted(),
        )))
    }

    /// The client is refused: the connection closes with `alert`, and
    /// `reason` is reported in the Closed event
    /// ([`Error::ClientRejected`](crate::Error::ClientRejected)).
    pub fn reject(self, alert: ClientRejection, reason: impl Into<String>) -> Completion {
        self.ticket
            .complete(Answer::ClientVerification(ClientAnswer::Reject(
                alert.into(),
                reason.into(),
            )))
    }

    /// No verdict can be reached (the service that decides is down): the
    /// connection closes with internal_error and `reason` is reported.
    pub fn abort(self, reason: impl Into<String>) -> Completion {
        self.ticket
            .complete(Answer::ClientVerification(ClientAnswer::Abort(
                reason.into(),
            )))
    }
}

impl fmt::Debug for VerifyClientRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyClientRequest")
            .field("subject", &self.leaf.common_name())
            .field("chain_len", &self.client.chain.len())
            .field("builtin", &self.client.verdict)
            .field("version", &self.version)
            .field("server_name", &self.server_name)
            .finish()
    }
}
