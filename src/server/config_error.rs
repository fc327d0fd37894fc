//! What can be wrong with a configuration: the one error of building a
//! `ServerConfig` or a `CertifiedKey`.

use std::fmt;

use crate::error::KeyError;
use crate::pki::{CertificateError, PemError};

/// What is wrong with a configuration.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// No certificate chain was given.
    NoCertificate,
    /// A chain had no certificate in it.
    EmptyChain,
    /// A PEM or DER input could not be read.
    Pem(PemError),
    /// A certificate could not be parsed.
    Certificate(CertificateError),
    /// The private key could not be loaded (unsupported type, malformed).
    Key(KeyError),
    /// The private key does not belong to the leaf certificate.
    KeyMismatch,
    /// A certificate is larger than TLS can carry (2^24 - 1 bytes).
    CertificateTooLarge,
    /// An ALPN protocol name was empty or longer than 255 bytes (RFC 7301).
    BadAlpnProtocol,
    /// A cipher suite or group in a preference list is not implemented.
    Unsupported(&'static str),
    /// The list of protocol versions to speak was empty.
    NoProtocolVersion,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCertificate => f.write_str("no certificate chain configured"),
            Self::EmptyChain => f.write_str("the certificate chain is empty"),
            Self::Pem(e) => write!(f, "{e}"),
            Self::Certificate(e) => write!(f, "bad certificate: {e}"),
            Self::Key(e) => write!(f, "bad private key: {e}"),
            Self::KeyMismatch => f.write_str("the private key does not match the certificate"),
            Self::CertificateTooLarge => f.write_str("a certificate exceeds 2^24-1 bytes"),
            Self::BadAlpnProtocol => f.write_str("ALPN protocol names must be 1 to 255 bytes"),
            Self::Unsupported(what) => write!(f, "unsupported {what}"),
            Self::NoProtocolVersion => f.write_str("no protocol version enabled"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<PemError> for ConfigError {
    fn from(e: PemError) -> Self {
        Self::Pem(e)
    }
}

impl From<CertificateError> for ConfigError {
    fn from(e: CertificateError) -> Self {
        Self::Certificate(e)
    }
}

impl From<KeyError> for ConfigError {
    fn from(e: KeyError) -> Self {
        Self::Key(e)
    }
}
