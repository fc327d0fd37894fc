//! What every version's states share: the input of a step, and the rule
//! that only the expected message may come (RFC 8446 §4, RFC 5246 §7.4:
//! unexpected_message otherwise).

use crate::codec::{HandshakeMessage, HandshakeType};
use crate::error::{Error, PeerMisbehaved};

/// One handshake message, as a state's step takes it.
#[derive(Clone, Copy)]
pub(crate) struct Input<'a> {
    pub(crate) message: HandshakeMessage<'a>,
    /// Whether more handshake bytes came behind the message in the same
    /// record, which is fatal where the client's keys change after it
    /// (RFC 8446 §5.1; the TLS 1.3 states check it).
    pub(crate) followed: bool,
    /// When the connection started, if known: what session tickets are
    /// issued and checked at.
    pub(crate) now: Option<u64>,
}

/// Refuses any message but `typ`.
pub(crate) fn expect(message: &HandshakeMessage<'_>, typ: HandshakeType) -> Result<(), Error> {
    if message.typ == typ {
        Ok(())
    } else {
        Err(unexpected(message.typ))
    }
}

/// A handshake message of type `typ` where none of that type may come.
pub(crate) fn unexpected(typ: HandshakeType) -> Error {
    PeerMisbehaved::UnexpectedMessage(match typ {
        HandshakeType::ClientHello => "ClientHello",
        HandshakeType::Finished => "Finished",
        HandshakeType::KeyUpdate => "KeyUpdate",
        HandshakeType::Certificate => "Certificate",
        HandshakeType::CertificateVerify => "CertificateVerify",
        HandshakeType::EndOfEarlyData => "EndOfEarlyData",
        HandshakeType::ClientKeyExchange => "ClientKeyExchange",
        _ => "handshake message",
    })
    .into()
}
