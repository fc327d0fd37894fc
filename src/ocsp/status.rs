//! [`ResponseStatus`]: whether a responder answered at all (RFC 6960
//! §4.2.1). A leaf of the OCSP module: errors and responses both name it.

use core::fmt;

/// OCSPResponseStatus (RFC 6960 §4.2.1): whether the responder answered
/// with a response or an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseStatus {
    /// successful (0): the response has responseBytes.
    Successful,
    /// malformedRequest (1): the request did not conform to the protocol.
    MalformedRequest,
    /// internalError (2): the responder reached an inconsistent state.
    InternalError,
    /// tryLater (3): the responder cannot answer now.
    TryLater,
    /// sigRequired (5): the request must be signed.
    SigRequired,
    /// unauthorized (6): the responder will not answer for this certificate.
    Unauthorized,
    /// A value RFC 6960 does not define (4 is unused).
    Unrecognized(u32),
}

impl ResponseStatus {
    pub(crate) fn from_value(value: u32) -> Self {
        match value {
            0 => Self::Successful,
            1 => Self::MalformedRequest,
            2 => Self::InternalError,
            3 => Self::TryLater,
            5 => Self::SigRequired,
            6 => Self::Unauthorized,
            other => Self::Unrecognized(other),
        }
    }
}

impl fmt::Display for ResponseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Successful => f.write_str("successful"),
            Self::MalformedRequest => f.write_str("malformedRequest"),
            Self::InternalError => f.write_str("internalError"),
            Self::TryLater => f.write_str("tryLater"),
            Self::SigRequired => f.write_str("sigRequired"),
            Self::Unauthorized => f.write_str("unauthorized"),
            Self::Unrecognized(value) => write!(f, "unrecognized status {value}"),
        }
    }
}
