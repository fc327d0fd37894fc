//! What can be wrong with bytes on the wire: [`InvalidMessage`], where it
//! was found ([`Field`]), and [`LengthOverflow`] when a writer is given
//! more than a length prefix can say. Each `InvalidMessage` names the alert
//! it is reported with; `crate::error` folds these into its `Error`.

use core::fmt;

use crate::enums::{AlertDescription, ContentType, ExtensionType, HandshakeType};

/// Which part of a message a decoding error was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// A record header (RFC 8446 §5.1).
    RecordHeader,
    /// A handshake message header (RFC 8446 §4).
    HandshakeHeader,
    /// The ClientHello body as a whole.
    ClientHello,
    /// ClientHello.legacy_session_id.
    SessionId,
    /// ClientHello.cipher_suites.
    CipherSuites,
    /// ClientHello.legacy_compression_methods.
    CompressionMethods,
    /// The extensions block of a hello.
    Extensions,
    /// The body of one extension.
    Extension(ExtensionType),
    /// An alert message.
    Alert,
    /// The body of a handshake message of this type.
    Message(HandshakeType),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RecordHeader => f.write_str("record header"),
            Self::HandshakeHeader => f.write_str("handshake header"),
            Self::ClientHello => f.write_str("ClientHello"),
            Self::SessionId => f.write_str("legacy_session_id"),
            Self::CipherSuites => f.write_str("cipher_suites"),
            Self::CompressionMethods => f.write_str("legacy_compression_methods"),
            Self::Extensions => f.write_str("extensions"),
            Self::Extension(typ) => write!(f, "{typ} extension"),
            Self::Alert => f.write_str("alert"),
            Self::Message(typ) => write!(f, "{typ} message"),
        }
    }
}

/// What was wrong with bytes the peer sent. Each variant maps to one alert
/// (see [`InvalidMessage::alert`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidMessage {
    /// A length or fixed-size field ran past the end of its enclosing
    /// structure. Alert: decode_error.
    Truncated(Field),
    /// Bytes were left over after a structure ended. Alert: decode_error.
    TrailingBytes(Field),
    /// A vector's length lay outside the bounds its RFC gives it (for example
    /// an empty cipher suite list), or was not a whole number of elements.
    /// Alert: decode_error.
    BadLength(Field),
    /// A DER item inside a TLS structure (an OCSP responder ID or request
    /// extension) was not well formed. Alert: decode_error.
    BadDer(Field),
    /// A record's content type is not one TLS defines (RFC 8446 §5: "If a TLS
    /// implementation receives an unexpected record type, it MUST terminate
    /// the connection with an unexpected_message alert").
    UnknownContentType(u8),
    /// A record's legacy_version does not even start with major version 3, so
    /// these bytes are not TLS. Alert: protocol_version.
    NotTls(u16),
    /// A record is longer than the limit in force (RFC 8446 §5.1, §5.2).
    /// Alert: record_overflow.
    RecordOverflow {
        /// The length in the record header.
        len: usize,
        /// The largest length allowed at this point.
        max: usize,
    },
    /// A handshake or alert record with no body, which RFC 8446 §5.1
    /// forbids. Alert: decode_error.
    EmptyFragment(ContentType),
    /// A handshake message longer than its type can be, or than this server
    /// accepts for it. The length is wrong for what the message is, so the
    /// alert is decode_error (RFC 8446 §6.2: "a message could not be decoded
    /// because ... a field was out of its specified range or the length of
    /// the message was incorrect").
    MessageTooLarge {
        /// The message type.
        typ: HandshakeType,
        /// The length in its header.
        len: usize,
        /// This server's limit for that type.
        max: usize,
    },
    /// The same extension type appeared twice in one message
    /// (RFC 8446 §4.2). Alert: illegal_parameter.
    DuplicateExtension(ExtensionType),
    /// pre_shared_key was not the last extension of the ClientHello
    /// (RFC 8446 §4.2.11). Alert: illegal_parameter.
    PreSharedKeyNotLast,
    /// legacy_compression_methods lacked the null method, which every
    /// ClientHello must offer (RFC 5246 §7.4.1.2). Alert: illegal_parameter.
    NoNullCompression,
    /// key_share offered the same group twice (RFC 8446 §4.2.8).
    /// Alert: illegal_parameter.
    DuplicateKeyShare(u16),
    /// server_name listed two names of the same type (RFC 6066 §3).
    /// Alert: illegal_parameter.
    DuplicateServerNameType(u8),
    /// pre_shared_key had a different number of identities and binders
    /// (RFC 8446 §4.2.11). Alert: illegal_parameter.
    PskBinderCountMismatch,
    /// A protected record failed authentication: wrong key, tampered bytes
    /// or a truncated tag (RFC 8446 §5.2). Alert: bad_record_mac.
    DecryptFailed,
    /// A decrypted TLSInnerPlaintext was all zeros, so it names no content
    /// type (RFC 8446 §5.4). Alert: unexpected_message.
    NoInnerContentType,
    /// A record of a content type that is not allowed where it arrived: a
    /// protected record whose outer type is not application_data, or whose
    /// inner type is change_cipher_spec or unknown (RFC 8446 §5, §5.2).
    /// Alert: unexpected_message.
    UnexpectedContentType(ContentType),
    /// A protected handshake or alert record with no content
    /// (RFC 8446 §5.4). Alert: unexpected_message.
    EmptyInnerContent(ContentType),
    /// A key share that is not a valid public key of its group: wrong length,
    /// not an uncompressed point, not on the curve, or one that yields an
    /// all-zero X25519 secret (RFC 8446 §4.2.8.2, §7.4.2).
    /// Alert: illegal_parameter.
    BadKeyShare(u16),
    /// A Finished message whose verify_data is wrong (RFC 8446 §4.4.4).
    /// Alert: decrypt_error.
    FinishedMismatch,
    /// A PSK binder that does not verify (RFC 8446 §4.2.11.2): the server
    /// must abort, with decrypt_error (§6.2).
    BinderMismatch,
    /// A client's CertificateVerify whose signature does not verify with
    /// its certificate's key (RFC 8446 §4.4.3: the receiver MUST abort
    /// with decrypt_error).
    CertificateVerifyMismatch,
}

impl InvalidMessage {
    /// The alert that tells the peer about this error.
    pub const fn alert(&self) -> AlertDescription {
        match self {
            Self::Truncated(_)
            | Self::TrailingBytes(_)
            | Self::BadLength(_)
            | Self::BadDer(_)
            | Self::EmptyFragment(_)
            | Self::MessageTooLarge { .. } => AlertDescription::DecodeError,
            Self::UnknownContentType(_) => AlertDescription::UnexpectedMessage,
            Self::NotTls(_) => AlertDescription::ProtocolVersion,
            Self::RecordOverflow { .. } => AlertDescription::RecordOverflow,
            Self::DuplicateExtension(_)
            | Self::PreSharedKeyNotLast
            | Self::NoNullCompression
            | Self::DuplicateKeyShare(_)
            | Self::DuplicateServerNameType(_)
            | Self::PskBinderCountMismatch
            | Self::BadKeyShare(_) => AlertDescription::IllegalParameter,
            Self::DecryptFailed => AlertDescription::BadRecordMac,
            Self::NoInnerContentType
            | Self::UnexpectedContentType(_)
            | Self::EmptyInnerContent(_) => AlertDescription::UnexpectedMessage,
            Self::FinishedMismatch | Self::BinderMismatch | Self::CertificateVerifyMismatch => {
                AlertDescription::DecryptError
            }
        }
    }
}

impl fmt::Display for InvalidMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated(field) => write!(f, "{field} is truncated"),
            Self::TrailingBytes(field) => write!(f, "trailing bytes after {field}"),
            Self::BadLength(field) => write!(f, "{field} has a length its RFC forbids"),
            Self::BadDer(field) => write!(f, "{field} holds malformed DER"),
            Self::UnknownContentType(t) => write!(f, "unknown record content type {t}"),
            Self::NotTls(v) => write!(f, "record version {v:#06x} is not TLS"),
            Self::RecordOverflow { len, max } => {
                write!(f, "record of {len} bytes exceeds the limit of {max}")
            }
            Self::EmptyFragment(t) => write!(f, "empty {t} record"),
            Self::MessageTooLarge { typ, len, max } => {
                write!(f, "{typ} of {len} bytes exceeds the limit of {max}")
            }
            Self::DuplicateExtension(t) => write!(f, "duplicate {t} extension"),
            Self::PreSharedKeyNotLast => f.write_str("pre_shared_key is not the last extension"),
            Self::NoNullCompression => f.write_str("the null compression method is not offered"),
            Self::DuplicateKeyShare(g) => write!(f, "two key shares for group {g:#06x}"),
            Self::DuplicateServerNameType(t) => write!(f, "two server names of type {t}"),
            Self::PskBinderCountMismatch => {
                f.write_str("pre_shared_key has different numbers of identities and binders")
            }
            Self::DecryptFailed => f.write_str("a protected record failed authentication"),
            Self::NoInnerContentType => f.write_str("a protected record has no content type"),
            Self::UnexpectedContentType(t) => write!(f, "unexpected {t} record"),
            Self::EmptyInnerContent(t) => write!(f, "empty protected {t} record"),
            Self::BadKeyShare(g) => write!(f, "invalid key share for group {g:#06x}"),
            Self::FinishedMismatch => f.write_str("Finished verify_data does not match"),
            Self::BinderMismatch => f.write_str("a PSK binder does not match"),
            Self::CertificateVerifyMismatch => {
                f.write_str("the client's CertificateVerify does not verify")
            }
        }
    }
}

impl std::error::Error for InvalidMessage {}

/// A vector longer than its length prefix can say (RFC 8446 §3.4): the
/// writers refuse it instead of clamping the prefix. See
/// [`Error::LengthOverflow`](crate::Error::LengthOverflow).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LengthOverflow {
    /// The vector's length, in bytes.
    pub len: usize,
    /// The most its prefix can say.
    pub max: usize,
}

impl fmt::Display for LengthOverflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} bytes do not fit a length prefix of at most {}",
            self.len, self.max
        )
    }
}

impl std::error::Error for LengthOverflow {}
