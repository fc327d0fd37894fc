//! What can end a connection, as the typed source of the `io::Error`s the
//! adapter returns: `io::Error::get_ref` and `downcast_ref::<Error>` find
//! it.

use std::fmt;
use std::io;
use std::time::Duration;

use stapler::CloseReason;

/// Why a handshake or a stream failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The handshake did not complete within the acceptor's timeout: a
    /// peer that stalls, or a decision the handler never answered.
    HandshakeTimeout(Duration),
    /// The connection closed during the handshake, for this reason (an
    /// error, with the alert sent, or the peer's alert).
    Closed(CloseReason),
    /// stapler refused a call (its error says why; the connection is
    /// closed and its alert was sent).
    Tls(stapler::Error),
    /// The peer closed TCP without close_notify: the data may have been
    /// cut short (a truncation attack looks the same).
    UnexpectedEof,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HandshakeTimeout(after) => {
                write!(f, "the TLS handshake did not complete within {after:?}")
            }
            Self::Closed(reason) => write!(f, "the TLS connection closed: {reason:?}"),
            Self::Tls(e) => write!(f, "TLS: {e}"),
            Self::UnexpectedEof => f.write_str("the peer closed TCP without close_notify"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Tls(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        let kind = match &e {
            Error::HandshakeTimeout(_) => io::ErrorKind::TimedOut,
            Error::UnexpectedEof => io::ErrorKind::UnexpectedEof,
            Error::Closed(CloseReason::PeerClosed) => io::ErrorKind::ConnectionAborted,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}

impl From<stapler::Error> for Error {
    fn from(e: stapler::Error) -> Self {
        Self::Tls(e)
    }
}
