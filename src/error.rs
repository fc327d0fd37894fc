//! Errors, and the one place where each error is mapped to the TLS alert
//! that tells the peer about it (RFC 8446 §6.2, RFC 5246 §7.2.2).

use core::fmt;

pub use crate::codec::{Field, InvalidMessage, LengthOverflow};
use crate::enums::{AlertDescription, ContentType};

/// A cryptographic operation on this side failed or was misused. None of
/// these is the peer's doing; each is reported with internal_error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CryptoError {
    /// The system's random number generator failed.
    Random,
    /// ring refused an operation whose inputs this crate sizes itself (an
    /// HKDF output length, an AEAD key length, sealing a record, making a
    /// signature), or such an input was not where this crate had put it (a
    /// message just written, for the transcript; the client's session ID or
    /// key share, kept in a fixed array). It means a bug, not bad input.
    Refused,
    /// The record sequence number would wrap; RFC 8446 §5.3 requires a key
    /// update or the end of the connection before that.
    SequenceExhausted,
    /// More than 2^14 bytes were given to protect as one record
    /// (RFC 8446 §5.1): the caller must fragment first.
    PlaintextTooLong {
        /// The length given.
        len: usize,
    },
    /// A key exchange was asked for a group this crate does not implement.
    UnsupportedGroup(u16),
    /// A signature was asked for with a scheme the key cannot make.
    UnsupportedScheme(u16),
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Random => f.write_str("the random number generator failed"),
            Self::Refused => f.write_str("the cryptographic library refused an internal operation"),
            Self::SequenceExhausted => f.write_str("the record sequence number is exhausted"),
            Self::PlaintextTooLong { len } => {
                write!(f, "{len} bytes do not fit in one record")
            }
            Self::UnsupportedGroup(g) => write!(f, "key exchange group {g:#06x} is not supported"),
            Self::UnsupportedScheme(s) => {
                write!(f, "the key cannot sign with scheme {s:#06x}")
            }
        }
    }
}

impl std::error::Error for CryptoError {}

/// Why a private key could not be loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyError {
    /// The bytes are not DER of a private key in one of the formats read
    /// here: PKCS#8 (RFC 5208), SEC1 ECPrivateKey (RFC 5915) or PKCS#1
    /// RSAPrivateKey (RFC 8017).
    Malformed,
    /// An encrypted PKCS#8 key (EncryptedPrivateKeyInfo); decrypt it first.
    Encrypted,
    /// A key type or curve that cannot sign here; the name says which
    /// (for example "secp521r1", "Ed448", "RSASSA-PSS").
    UnsupportedAlgorithm(&'static str),
    /// An EC key without its optional public key, which this crate needs to
    /// load it (RFC 5915 §3 makes the field optional; `openssl ec -no_public`
    /// drops it). Re-export the key with its public key.
    MissingPublicKey,
    /// The key decoded but was refused, for the reason given (for example an
    /// RSA modulus outside 2048..=4096 bits, or a private and public key that
    /// do not match).
    Rejected(&'static str),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str("not a DER PKCS#8, SEC1 or PKCS#1 private key"),
            Self::Encrypted => f.write_str("the private key is encrypted"),
            Self::UnsupportedAlgorithm(name) => write!(f, "{name} keys are not supported"),
            Self::MissingPublicKey => f.write_str("the EC private key lacks its public key"),
            Self::Rejected(why) => write!(f, "the private key was rejected: {why}"),
        }
    }
}

impl std::error::Error for KeyError {}

/// The peer broke a rule of the handshake that is not about encoding: what
/// it offered cannot be agreed on, or it did something out of turn. Each
/// variant maps to the alert RFC 8446 names for it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerMisbehaved {
    /// No protocol version in common (neither TLS 1.3 nor TLS 1.2 both
    /// offered and enabled).
    /// Alert: protocol_version.
    NoCommonVersion,
    /// A TLS 1.3 ClientHello whose legacy_compression_methods is not exactly
    /// `[0]` (RFC 8446 §4.1.2). Alert: illegal_parameter.
    CompressionOffered,
    /// No cipher suite in common. Alert: handshake_failure.
    NoCommonCipherSuite,
    /// No key exchange group in common. Alert: handshake_failure.
    NoCommonGroup,
    /// No certificate whose key can sign with a scheme the client accepts.
    /// Alert: handshake_failure.
    NoCommonSignatureScheme,
    /// The client's ALPN protocols and the server's do not overlap
    /// (RFC 7301 §3.2). Alert: no_application_protocol.
    NoCommonAlpnProtocol,
    /// A TLS 1.3 ClientHello lacked an extension it must carry (RFC 8446
    /// §9.2). Alert: missing_extension.
    Missing(&'static str),
    /// A key share for a group not in supported_groups (RFC 8446 §4.2.8).
    /// Alert: illegal_parameter.
    KeyShareNotInGroups(u16),
    /// A key share that cannot be a public key of its group.
    /// Alert: illegal_parameter.
    BadKeyShare,
    /// SNI that is not a DNS host name of LDH labels (RFC 6066 §3; see
    /// the crate docs for what is stripped and what counts as no SNI).
    /// Alert: illegal_parameter.
    BadServerName,
    /// The ClientHello after a HelloRetryRequest did not carry exactly one
    /// key share, for the group the server asked for (RFC 8446 §4.1.4).
    /// Alert: illegal_parameter.
    RetryWithoutRequestedShare,
    /// The ClientHello after a HelloRetryRequest changed what it must keep:
    /// the offered versions or the chosen cipher suite (RFC 8446 §4.1.2).
    /// Alert: illegal_parameter.
    RetryChangedHello,
    /// A handshake message arrived that is not allowed at this point.
    /// Alert: unexpected_message.
    UnexpectedMessage(&'static str),
    /// A change_cipher_spec record other than the single byte 0x01, or one
    /// where none may appear (RFC 8446 §5). Alert: unexpected_message.
    BadChangeCipherSpec,
    /// A handshake message straddled a change of keys (RFC 8446 §5.1).
    /// Alert: unexpected_message.
    MessageSpansKeyChange,
    /// A KeyUpdate whose request_update is neither 0 nor 1 (RFC 8446
    /// §4.6.3). Alert: illegal_parameter.
    BadKeyUpdate(u8),
    /// TLS_FALLBACK_SCSV from a client whose highest version is below the
    /// server's (RFC 7507 §3). Alert: inappropriate_fallback.
    InappropriateFallback,
    /// A TLS 1.2 ClientHello without extended_master_secret, which the
    /// configuration requires (RFC 7627 §5.3). Alert: handshake_failure.
    NoExtendedMasterSecret,
    /// A first ClientHello whose renegotiation_info is not empty
    /// (RFC 5746 §3.6). Alert: handshake_failure.
    BadRenegotiationInfo,
    /// ec_point_formats without the uncompressed format (RFC 8422 §5.1.2).
    /// Alert: illegal_parameter.
    NoUncompressedPoints,
    /// A ClientHello whose legacy_version is SSL 3.0 (0x0300) or below,
    /// which RFC 8446 Appendix D.5 says MUST be refused whatever
    /// supported_versions offers. Alert: protocol_version.
    ObsoleteLegacyVersion(u16),
    /// Handshake records interleaved with records of another type: this
    /// one arrived while a handshake message was only partly received
    /// (RFC 8446 §5.1, RFC 5246 §6.2.1). Alert: unexpected_message.
    Interleaved(ContentType),
    /// More warning alerts (or TLS 1.3 user_canceled alerts) in a row than
    /// [`MAX_IGNORED_ALERTS`](crate::MAX_IGNORED_ALERTS) with nothing else
    /// between them: a peer that keeps the server busy without progress
    /// (the CVE-2016-8610 class). Alert: unexpected_message.
    TooManyWarningAlerts,
    /// More change_cipher_spec records than
    /// [`MAX_COMPAT_CCS`](crate::MAX_COMPAT_CCS) in a TLS 1.3 handshake,
    /// where RFC 8446 Appendix D.4 has a client send one.
    /// Alert: unexpected_message.
    TooManyChangeCipherSpecs,
    /// More 0-RTT application data skipped after a HelloRetryRequest than
    /// [`MAX_SKIPPED_EARLY_DATA`](crate::MAX_SKIPPED_EARLY_DATA) allows
    /// (RFC 8446 §4.2.10, §4.6.1). Alert: unexpected_message.
    TooMuchEarlyData,
    /// The ClientHello after a HelloRetryRequest still offered early_data,
    /// which RFC 8446 §4.1.2 says it must remove. Alert: illegal_parameter.
    EarlyDataAfterRetry,
    /// No certificate fits a TLS 1.2 client: those whose key and scheme
    /// would do are ECDSA on curves outside the client's supported_groups
    /// (RFC 8422 §5.1, §5.3). Alert: handshake_failure.
    NoCertificateForClientCurves,
    /// A TLS 1.2 hello without extended_master_secret offered a ticket
    /// for a session that used it, which RFC 7627 §5.3 says the server
    /// MUST abort. Alert: handshake_failure.
    ResumptionWithoutExtendedMasterSecret,
    /// A client's Certificate whose certificate_request_context is not the
    /// one the CertificateRequest sent (RFC 8446 §4.4.2). Alert:
    /// illegal_parameter.
    BadCertificateRequestContext,
    /// An extension in a client's CertificateEntry that the server did not
    /// ask for (RFC 8446 §4.2, §4.4.2). Alert: unsupported_extension.
    UnsolicitedCertificateExtension(u16),
    /// A client's stapled CertificateStatus with a status_type other than
    /// ocsp, the only one a CertificateEntry carries (RFC 8446 §4.4.2.1).
    /// Alert: illegal_parameter.
    BadCertificateStatusType(u8),
    /// A client's CertificateVerify with a scheme the CertificateRequest
    /// did not offer (RFC 8446 §4.4.3). Alert: illegal_parameter.
    UnofferedSignatureScheme(u16),
    /// A client's CertificateVerify with an offered scheme that its
    /// certificate's key cannot make: another algorithm, or in TLS 1.3 an
    /// ECDSA scheme for another curve (RFC 8446 §4.4.3, §4.2.3). Alert:
    /// illegal_parameter.
    SchemeNotForClientKey(u16),
    /// A TLS 1.2 client sent no certificate where one is required (RFC
    /// 5246 §7.4.6; TLS 1.3 says certificate_required, see
    /// [`ClientChainError::Empty`](crate::pki::ClientChainError::Empty)).
    /// Alert: handshake_failure.
    NoClientCertificate,
    /// A record_size_limit below 64 (RFC 8449 §4: an endpoint "MUST treat
    /// receipt of a smaller value as a fatal error").
    /// Alert: illegal_parameter.
    RecordSizeLimitTooSmall(u16),
    /// More KeyUpdates in a row, with no application data between them,
    /// than [`MAX_KEY_UPDATES_IN_A_ROW`](crate::server::MAX_KEY_UPDATES_IN_A_ROW)
    /// allows (RFC 8446 §4.6.3). Alert: unexpected_message.
    TooManyKeyUpdates,
}

impl PeerMisbehaved {
    /// The alert that tells the peer about this.
    pub const fn alert(&self) -> AlertDescription {
        match self {
            Self::NoCommonVersion => AlertDescription::ProtocolVersion,
            Self::NoCommonCipherSuite | Self::NoCommonGroup | Self::NoCommonSignatureScheme => {
                AlertDescription::HandshakeFailure
            }
            Self::NoCommonAlpnProtocol => AlertDescription::NoApplicationProtocol,
            Self::Missing(_) => AlertDescription::MissingExtension,
            Self::CompressionOffered
            | Self::KeyShareNotInGroups(_)
            | Self::BadKeyShare
            | Self::BadServerName
            | Self::RetryWithoutRequestedShare
            | Self::RetryChangedHello
            | Self::BadKeyUpdate(_)
            | Self::NoUncompressedPoints
            | Self::EarlyDataAfterRetry
            | Self::BadCertificateRequestContext
            | Self::BadCertificateStatusType(_)
            | Self::UnofferedSignatureScheme(_)
            | Self::SchemeNotForClientKey(_)
            | Self::RecordSizeLimitTooSmall(_) => AlertDescription::IllegalParameter,
            Self::UnsolicitedCertificateExtension(_) => AlertDescription::UnsupportedExtension,
            Self::ObsoleteLegacyVersion(_) => AlertDescription::ProtocolVersion,
            Self::NoCertificateForClientCurves => AlertDescription::HandshakeFailure,
            Self::InappropriateFallback => AlertDescription::InappropriateFallback,
            Self::NoExtendedMasterSecret
            | Self::BadRenegotiationInfo
            | Self::ResumptionWithoutExtendedMasterSecret
            | Self::NoClientCertificate => AlertDescription::HandshakeFailure,
            Self::UnexpectedMessage(_)
            | Self::BadChangeCipherSpec
            | Self::MessageSpansKeyChange
            | Self::Interleaved(_)
            | Self::TooManyWarningAlerts
            | Self::TooManyChangeCipherSpecs
            | Self::TooManyKeyUpdates
            | Self::TooMuchEarlyData => AlertDescription::UnexpectedMessage,
        }
    }
}

impl fmt::Display for PeerMisbehaved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCommonVersion => f.write_str("no protocol version in common"),
            Self::CompressionOffered => f.write_str("TLS 1.3 hello offers compression"),
            Self::NoCommonCipherSuite => f.write_str("no cipher suite in common"),
            Self::NoCommonGroup => f.write_str("no key exchange group in common"),
            Self::NoCommonSignatureScheme => f.write_str("no signature scheme in common"),
            Self::NoCommonAlpnProtocol => f.write_str("no ALPN protocol in common"),
            Self::Missing(ext) => write!(f, "ClientHello lacks {ext}"),
            Self::KeyShareNotInGroups(g) => {
                write!(f, "key share for {g:#06x}, not in supported_groups")
            }
            Self::BadKeyShare => f.write_str("malformed key share"),
            Self::BadServerName => f.write_str("server_name is not a DNS host name of LDH labels"),
            Self::RetryWithoutRequestedShare => {
                f.write_str("second ClientHello lacks exactly the requested key share")
            }
            Self::RetryChangedHello => f.write_str("second ClientHello changed its offer"),
            Self::UnexpectedMessage(what) => write!(f, "unexpected {what}"),
            Self::BadChangeCipherSpec => f.write_str("invalid change_cipher_spec"),
            Self::MessageSpansKeyChange => f.write_str("handshake message spans a key change"),
            Self::BadKeyUpdate(v) => write!(f, "KeyUpdate with request_update {v}"),
            Self::InappropriateFallback => {
                f.write_str("fallback signalled, but the server speaks a higher version")
            }
            Self::NoExtendedMasterSecret => {
                f.write_str("TLS 1.2 hello lacks the required extended_master_secret")
            }
            Self::BadRenegotiationInfo => f.write_str("renegotiation_info is not empty"),
            Self::NoUncompressedPoints => {
                f.write_str("ec_point_formats lacks the uncompressed format")
            }
            Self::ObsoleteLegacyVersion(v) => {
                write!(f, "ClientHello legacy_version {v:#06x} is SSL 3.0 or older")
            }
            Self::Interleaved(t) => write!(f, "{t} record inside a handshake message"),
            Self::TooManyWarningAlerts => f.write_str("too many warning alerts in a row"),
            Self::TooManyChangeCipherSpecs => f.write_str("too many change_cipher_spec records"),
            Self::TooMuchEarlyData => f.write_str("too much early data after HelloRetryRequest"),
            Self::EarlyDataAfterRetry => f.write_str("second ClientHello still offers early_data"),
            Self::NoClientCertificate => f.write_str("the client sent no certificate"),
            Self::TooManyKeyUpdates => f.write_str("too many KeyUpdates without data between"),
            Self::RecordSizeLimitTooSmall(limit) => {
                write!(f, "record_size_limit {limit} is below 64")
            }
            Self::BadCertificateRequestContext => {
                f.write_str("client Certificate's request context is not the server's")
            }
            Self::UnsolicitedCertificateExtension(t) => {
                write!(f, "client CertificateEntry carries extension {t} unasked")
            }
            Self::BadCertificateStatusType(t) => {
                write!(
                    f,
                    "client stapled a CertificateStatus of type {t}, not ocsp"
                )
            }
            Self::UnofferedSignatureScheme(s) => {
                write!(
                    f,
                    "client CertificateVerify uses scheme {s:#06x}, not offered"
                )
            }
            Self::SchemeNotForClientKey(s) => {
                write!(
                    f,
                    "client CertificateVerify uses scheme {s:#06x}, which its certificate's key cannot make"
                )
            }
            Self::ResumptionWithoutExtendedMasterSecret => f.write_str(
                "a ticket for a session with the extended master secret, offered without it",
            ),
            Self::NoCertificateForClientCurves => {
                f.write_str("no certificate on a curve the TLS 1.2 client supports")
            }
        }
    }
}

impl std::error::Error for PeerMisbehaved {}

/// The application used a connection in a way its contract does not allow.
/// Such a call changes nothing and sends nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misuse {
    /// A completion was handed to a connection other than the one whose
    /// request it answers, or to one that is not waiting for it.
    ForeignCompletion,
    /// Application data was sent before the handshake completed.
    HandshakeNotComplete,
    /// The connection is closed.
    Closed,
}

impl fmt::Display for Misuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ForeignCompletion => "this completion belongs to another request",
            Self::HandshakeNotComplete => "the handshake has not completed",
            Self::Closed => "the connection is closed",
        })
    }
}

impl std::error::Error for Misuse {}

/// Everything that can go wrong in stapler.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The peer sent bytes that do not decode, or decode to something the
    /// protocol forbids.
    InvalidMessage(InvalidMessage),
    /// A cryptographic operation on this side failed. Alert: internal_error.
    Crypto(CryptoError),
    /// A private key given in the configuration could not be used. Never
    /// the peer's doing; if it surfaces in a handshake, internal_error.
    Key(KeyError),
    /// The peer broke a rule of the handshake.
    PeerMisbehaved(PeerMisbehaved),
    /// The peer sent this fatal alert; none is sent back.
    AlertReceived(AlertDescription),
    /// The application answered a certificate selection with abort: the
    /// alert it chose (unrecognized_name or handshake_failure) and its
    /// reason.
    SelectionAborted {
        /// The alert sent.
        alert: AlertDescription,
        /// The application's reason.
        reason: String,
    },
    /// What the application selected cannot serve this client (for
    /// example, its key signs with no scheme the client accepts is
    /// reported as the peer's [`PeerMisbehaved::NoCommonSignatureScheme`];
    /// this is for what no client could change). Alert: handshake_failure.
    SelectionUnusable(&'static str),
    /// The application answered an OCSP request with abort, giving this
    /// reason. Alert: internal_error.
    OcspAborted(String),
    /// The application answered a signing request with abort, giving this
    /// reason. Alert: internal_error.
    SigningAborted(String),
    /// The application rejected the client's certificate, answering
    /// [`Event::VerifyClient`](crate::Event::VerifyClient): the alert it
    /// chose and its reason.
    ClientRejected {
        /// The alert sent.
        alert: AlertDescription,
        /// The application's reason.
        reason: String,
    },
    /// The application answered a client verification request with
    /// abort, giving this reason. Alert: internal_error.
    ClientVerificationAborted(String),
    /// A state the code never reaches was reached: a bug, reported as one
    /// rather than blamed on the peer or papered over. The text says
    /// which. Alert: internal_error.
    Internal(&'static str),
    /// The signature the application returned for a remote key does not
    /// verify with the certificate's public key, so it was not sent.
    /// Alert: internal_error.
    BadSignature,
    /// The application's OCSP response failed the check of
    /// [`StaplePolicy::Verify`](crate::ocsp::StaplePolicy::Verify), whose
    /// `on_failure` says abort. Alert: internal_error.
    BadStaple(crate::ocsp::BadStaple),
    /// The certificate is Must-Staple (RFC 7633), the client asked for its
    /// status, no good staple came, and the config's
    /// [`MustStaplePolicy`](crate::ocsp::MustStaplePolicy) says abort.
    /// Alert: internal_error.
    MustStapleUnmet,
    /// The application misused the connection; nothing changed.
    Misuse(Misuse),
    /// The application dropped the request the connection was paused for
    /// (and its completion) without answering; the connection noticed on
    /// its next call and closed. Alert: internal_error.
    RequestDropped,
    /// A vector the server was writing did not fit its length prefix, so
    /// the message was not sent rather than sent malformed: a bug, or a
    /// configuration (a certificate chain) larger than a message can carry.
    /// Alert: internal_error.
    LengthOverflow(LengthOverflow),
    /// The application's OCSP response is larger than the negotiated
    /// version can staple, whatever the
    /// [`StaplePolicy`](crate::ocsp::StaplePolicy): at most
    /// [`MAX_STAPLE_LEN_TLS13`](crate::ocsp::MAX_STAPLE_LEN_TLS13) bytes in
    /// TLS 1.3 and
    /// [`MAX_STAPLE_LEN_TLS12`](crate::ocsp::MAX_STAPLE_LEN_TLS12) in
    /// TLS 1.2. Nothing was written. Alert: internal_error.
    StapleTooLarge {
        /// The response's length, in bytes.
        len: usize,
        /// The most the version can carry.
        max: usize,
        /// The negotiated version.
        version: crate::enums::ProtocolVersion,
    },
    /// The client's certificate chain did not verify. Alert, by the
    /// reason: unknown_ca, certificate_expired, certificate_revoked,
    /// unsupported_certificate (not for client authentication),
    /// certificate_required (none sent where one is required, TLS 1.3), or
    /// bad_certificate.
    ClientCertificate(crate::pki::ClientChainError),
}

impl From<PeerMisbehaved> for Error {
    fn from(e: PeerMisbehaved) -> Self {
        Self::PeerMisbehaved(e)
    }
}

impl From<Misuse> for Error {
    fn from(e: Misuse) -> Self {
        Self::Misuse(e)
    }
}

impl From<InvalidMessage> for Error {
    fn from(e: InvalidMessage) -> Self {
        Self::InvalidMessage(e)
    }
}

impl From<CryptoError> for Error {
    fn from(e: CryptoError) -> Self {
        Self::Crypto(e)
    }
}

impl From<KeyError> for Error {
    fn from(e: KeyError) -> Self {
        Self::Key(e)
    }
}

impl Error {
    /// Whether the application's own answer ended the handshake (an
    /// abort, or a staple its policy refuses): the connection closes as
    /// asked, and `complete` reports no error of its own.
    pub(crate) fn is_application_decision(&self) -> bool {
        matches!(
            self,
            Self::SelectionAborted { .. }
                | Self::OcspAborted(_)
                | Self::SigningAborted(_)
                | Self::ClientRejected { .. }
                | Self::ClientVerificationAborted(_)
                | Self::BadStaple(_)
                | Self::MustStapleUnmet
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMessage(e) => write!(f, "invalid message from peer: {e}"),
            Self::Crypto(e) => write!(f, "cryptographic failure: {e}"),
            Self::Key(e) => write!(f, "unusable private key: {e}"),
            Self::PeerMisbehaved(e) => write!(f, "peer misbehaved: {e}"),
            Self::AlertReceived(a) => write!(f, "peer sent fatal alert {a}"),
            Self::SelectionAborted { alert, reason } => {
                write!(f, "certificate selection aborted ({alert}): {reason}")
            }
            Self::SelectionUnusable(why) => write!(f, "selected certificate unusable: {why}"),
            Self::OcspAborted(reason) => write!(f, "OCSP request aborted: {reason}"),
            Self::SigningAborted(reason) => write!(f, "signing request aborted: {reason}"),
            Self::ClientRejected { alert, reason } => {
                write!(f, "client certificate rejected ({alert}): {reason}")
            }
            Self::ClientVerificationAborted(reason) => {
                write!(f, "client verification aborted: {reason}")
            }
            Self::Internal(what) => write!(f, "internal error (a bug): {what}"),
            Self::BadSignature => f.write_str(
                "the signature returned for the remote key does not verify with its public key",
            ),
            Self::BadStaple(why) => write!(f, "OCSP response refused: {why}"),
            Self::MustStapleUnmet => {
                f.write_str("the certificate is Must-Staple and no good staple was given")
            }
            Self::Misuse(e) => write!(f, "{e}"),
            Self::RequestDropped => {
                f.write_str("the application dropped the request the handshake waited for")
            }
            Self::LengthOverflow(e) => write!(f, "encoding failed: {e}"),
            Self::StapleTooLarge { len, max, version } => {
                let version = match version {
                    crate::enums::ProtocolVersion::Tls13 => "TLS 1.3",
                    crate::enums::ProtocolVersion::Tls12 => "TLS 1.2",
                };
                write!(
                    f,
                    "the OCSP response of {len} bytes is too large to staple in {version} \
                     (at most {max})"
                )
            }
            Self::ClientCertificate(e) => write!(f, "client certificate refused: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidMessage(e) => Some(e),
            Self::Crypto(e) => Some(e),
            Self::Key(e) => Some(e),
            Self::PeerMisbehaved(e) => Some(e),
            Self::Misuse(e) => Some(e),
            Self::BadStaple(why) => Some(why),
            Self::AlertReceived(_)
            | Self::SelectionAborted { .. }
            | Self::SelectionUnusable(_)
            | Self::OcspAborted(_)
            | Self::SigningAborted(_)
            | Self::ClientRejected { .. }
            | Self::ClientVerificationAborted(_)
            | Self::Internal(_)
            | Self::BadSignature
            | Self::MustStapleUnmet
            | Self::RequestDropped => None,
            Self::LengthOverflow(e) => Some(e),
            Self::StapleTooLarge { .. } => None,
            Self::ClientCertificate(e) => Some(e),
        }
    }
}

/// The alert a fatal error is reported to the peer with. This is the only
/// place the mapping is made (RFC 8446 §6.2; ARCHITECTURE.md lists the
/// limits whose errors land here).
impl From<&Error> for AlertDescription {
    fn from(e: &Error) -> Self {
        match e {
            Error::InvalidMessage(e) => e.alert(),
            Error::PeerMisbehaved(e) => e.alert(),
            // An alert is never answered with one; the value is unused.
            Error::AlertReceived(a) => *a,
            Error::SelectionAborted { alert, .. } | Error::ClientRejected { alert, .. } => *alert,
            Error::SelectionUnusable(_) => AlertDescription::HandshakeFailure,
            Error::Crypto(_)
            | Error::Key(_)
            | Error::OcspAborted(_)
            | Error::SigningAborted(_)
            | Error::ClientVerificationAborted(_)
            | Error::Internal(_)
            | Error::BadSignature
            | Error::BadStaple(_)
            | Error::MustStapleUnmet
            | Error::Misuse(_)
            | Error::RequestDropped => AlertDescription::InternalError,
            Error::LengthOverflow(_) | Error::StapleTooLarge { .. } => {
                AlertDescription::InternalError
            }
            Error::ClientCertificate(e) => client_chain_alert(e),
        }
    }
}

/// The alert that names exactly why a client's chain was refused (RFC
/// 8446 §6.2, RFC 5246 §7.2.2).
fn client_chain_alert(e: &crate::pki::ClientChainError) -> AlertDescription {
    use crate::pki::ClientChainError as C;
    match e {
        C::Empty => AlertDescription::CertificateRequired,
        C::UnknownIssuer => AlertDescription::UnknownCa,
        C::Expired | C::NotYetValid => AlertDescription::CertificateExpired,
        C::Revoked => AlertDescription::CertificateRevoked,
        C::NotForClientAuth => AlertDescription::UnsupportedCertificate,
        C::NoGoodStaple => AlertDescription::BadCertificateStatusResponse,
        _ => AlertDescription::BadCertificate,
    }
}

impl From<LengthOverflow> for Error {
    fn from(e: LengthOverflow) -> Self {
        Self::LengthOverflow(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_chain_refusal_has_its_exact_alert() {
        use crate::pki::ClientChainError as C;
        use AlertDescription as A;
        for (e, alert) in [
            (C::Empty, A::CertificateRequired),
            (C::TooLong, A::BadCertificate),
            (C::UnknownIssuer, A::UnknownCa),
            (C::Expired, A::CertificateExpired),
            (C::NotYetValid, A::CertificateExpired),
            (C::Revoked, A::CertificateRevoked),
            (C::NoGoodStaple, A::BadCertificateStatusResponse),
            (C::NotForClientAuth, A::UnsupportedCertificate),
            (C::NameConstraints, A::BadCertificate),
            (C::BadSignature, A::BadCertificate),
            (C::Malformed("x".into()), A::BadCertificate),
        ] {
            assert_eq!(A::from(&Error::ClientCertificate(e.clone())), alert, "{e}");
        }
    }

    #[test]
    fn crypto_and_key_errors_map_to_their_alerts() {
        use AlertDescription as A;
        let cases: [(Error, A); 12] = [
            (InvalidMessage::DecryptFailed.into(), A::BadRecordMac),
            (InvalidMessage::FinishedMismatch.into(), A::DecryptError),
            (
                InvalidMessage::NoInnerContentType.into(),
                A::UnexpectedMessage,
            ),
            (
                InvalidMessage::UnexpectedContentType(ContentType::ChangeCipherSpec).into(),
                A::UnexpectedMessage,
            ),
            (
                InvalidMessage::EmptyInnerContent(ContentType::Alert).into(),
                A::UnexpectedMessage,
            ),
            (
                InvalidMessage::BadKeyShare(0x1d).into(),
                A::IllegalParameter,
            ),
            (CryptoError::Random.into(), A::InternalError),
            (CryptoError::SequenceExhausted.into(), A::InternalError),
            (
                CryptoError::PlaintextTooLong { len: 1 }.into(),
                A::InternalError,
            ),
            (
                CryptoError::UnsupportedScheme(0x0201).into(),
                A::InternalError,
            ),
            (KeyError::MissingPublicKey.into(), A::InternalError),
            (
                KeyError::UnsupportedAlgorithm("Ed448").into(),
                A::InternalError,
            ),
        ];
        for (error, alert) in cases {
            assert_eq!(A::from(&error), alert, "{error}");
            assert!(std::error::Error::source(&error).is_some());
        }
        assert_eq!(
            Error::from(KeyError::UnsupportedAlgorithm("Ed448")).to_string(),
            "unusable private key: Ed448 keys are not supported"
        );
        assert_eq!(
            Error::from(InvalidMessage::BadKeyShare(0x17)).to_string(),
            "invalid message from peer: invalid key share for group 0x0017"
        );
    }
}
