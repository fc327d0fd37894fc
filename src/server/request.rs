//! What every deferred decision shares: the identity of a paused
//! handshake, the liveness that tells a dropped request, the one
//! [`Completion`] type that carries every answer back, and why
//! [`ServerConnection::complete`](crate::server::ServerConnection::complete) can refuse one.
//!
//! Each decision the application owns (certificate selection, OCSP,
//! signing, client verification) is an event carrying a request object. Exactly one answer
//! method consumes the request and yields a [`Completion`], which is
//! `Send`: it may be made on any thread, at any time, and is handed to
//! the connection that raised the request.

use core::fmt;
use std::sync::Arc;

use bytes::Bytes;

use crate::codec::AlertDescription;
use crate::error::{Error, Misuse};
use crate::server::config::{CertifiedKey, ServerConfig};

/// Identifies one paused handshake, so that a completion can only resume
/// the connection whose request it answers. 128 random bits, drawn when
/// the request is made.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RequestId(pub(crate) [u8; 16]);

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, ..] = self.0;
        write!(f, "RequestId({a:02x}{b:02x}..)")
    }
}

/// Shared by a request, then its completion, and the connection that
/// waits for them: when neither is left, the connection sees the count of
/// strong references fall to zero and knows it was dropped unanswered.
pub(crate) type Liveness = Arc<()>;

/// What a request carries to be answered: its identity and liveness.
#[derive(Debug)]
pub(crate) struct Ticket {
    pub(crate) id: RequestId,
    pub(crate) alive: Liveness,
}

impl Ticket {
    /// The completion this request's answer makes.
    pub(crate) fn complete(self, answer: Answer) -> Completion {
        Completion {
            id: self.id,
            _alive: self.alive,
            answer,
        }
    }
}

/// The decisions a handshake can pause for, in the order they come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Which certificate (or whole configuration) serves this client:
    /// [`Event::SelectCertificate`](crate::Event::SelectCertificate).
    CertificateSelection,
    /// The OCSP response to staple:
    /// [`Event::OcspRequest`](crate::Event::OcspRequest).
    Ocsp,
    /// A signature by a key the application holds:
    /// [`Event::SignRequest`](crate::Event::SignRequest).
    Signing,
    /// Whether a client's certificate is accepted:
    /// [`Event::VerifyClient`](crate::Event::VerifyClient).
    ClientVerification,
}

/// The application's answer to one request, to be handed to the
/// connection that raised it with
/// [`ServerConnection::complete`](crate::server::ServerConnection::complete).
/// Any other connection refuses it, changes nothing and hands it back
/// ([`CompleteError::Foreign`]).
#[must_use = "hand the completion to ServerConnection::complete"]
#[derive(Debug)]
pub struct Completion {
    pub(crate) id: RequestId,
    /// Keeps the connection from taking the request for dropped while the
    /// answer is on its way.
    pub(crate) _alive: Liveness,
    pub(crate) answer: Answer,
}

impl Completion {
    /// Which decision this completion answers.
    pub fn decision(&self) -> Decision {
        match self.answer {
            Answer::Selection { .. } => Decision::CertificateSelection,
            Answer::Ocsp { .. } => Decision::Ocsp,
            Answer::Signature(_) => Decision::Signing,
            Answer::ClientVerification(_) => Decision::ClientVerification,
        }
    }
}

/// What a completion says, by decision.
#[derive(Debug)]
pub(crate) enum Answer {
    Selection {
        selection: Selection,
        /// The ClientHello message and its SNI host name, lent to the
        /// request and coming back.
        hello: Bytes,
        server_name: Option<Box<str>>,
    },
    Ocsp {
        answer: OcspAnswer,
        /// The request's SNI, going back to the paused handshake (which
        /// lends it to the request rather than keep a copy) for its
        /// summary.
        server_name: Option<Box<str>>,
    },
    Signature(SignAnswer),
    ClientVerification(ClientAnswer),
}

/// Why [`ServerConnection::complete`](crate::server::ServerConnection::complete)
/// refused or failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum CompleteError {
    /// The completion answers another connection's request, or this
    /// connection is not waiting for it. Nothing changed; the completion
    /// is handed back so that the connection it belongs to can still
    /// resume. As an [`Error`], this is [`Misuse::ForeignCompletion`].
    Foreign(Completion),
    /// Resuming the handshake failed and the connection is closed; drain
    /// the events and the output, which may hold an alert.
    Failed(Error),
    /// The connection was already closed: there is nothing left to
    /// answer. As an [`Error`], this is [`Misuse::Closed`].
    Closed,
}

impl From<CompleteError> for Error {
    fn from(e: CompleteError) -> Self {
        match e {
            CompleteError::Foreign(_) => Misuse::ForeignCompletion.into(),
            CompleteError::Closed => Misuse::Closed.into(),
            CompleteError::Failed(e) => e,
        }
    }
}

impl fmt::Display for CompleteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Foreign(_) => fmt::Display::fmt(&Misuse::ForeignCompletion, f),
            Self::Closed => fmt::Display::fmt(&Misuse::Closed, f),
            Self::Failed(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for CompleteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Foreign(_) | Self::Closed => None,
            Self::Failed(e) => Some(e),
        }
    }
}

/// The alert a refused client is told why with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalAlert {
    /// unrecognized_name (RFC 6066 §3): no certificate for the name the
    /// client asked for.
    UnrecognizedName,
    /// handshake_failure: no acceptable parameters.
    HandshakeFailure,
}

impl From<RefusalAlert> for AlertDescription {
    fn from(alert: RefusalAlert) -> Self {
        match alert {
            RefusalAlert::UnrecognizedName => Self::UnrecognizedName,
            RefusalAlert::HandshakeFailure => Self::HandshakeFailure,
        }
    }
}

/// What a certificate-selection completion says.
pub(crate) enum Selection {
    Certificate(Arc<CertifiedKey>),
    Config(Arc<ServerConfig>),
    Default,
    Abort(RefusalAlert, String),
}

impl fmt::Debug for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Certificate(cert) => f.debug_tuple("Certificate").field(cert).finish(),
            Self::Config(_) => f.write_str("Config"),
            Self::Default => f.write_str("Default"),
            Self::Abort(alert, reason) => {
                f.debug_tuple("Abort").field(alert).field(reason).finish()
            }
        }
    }
}

/// What an OCSP completion says.
#[derive(Debug)]
pub(crate) enum OcspAnswer {
    Staple(Bytes),
    NoStaple,
    Abort(String),
}

/// What a client verification completion says.
#[derive(Debug)]
pub(crate) enum ClientAnswer {
    Accept(crate::pki::VerifiedClient),
    Reject(AlertDescription, String),
    Abort(String),
}

/// What a signing completion says.
#[derive(Debug)]
pub(crate) enum SignAnswer {
    Signature(Bytes),
    Abort(String),
}
