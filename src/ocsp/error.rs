//! [`OcspError`]: everything that can go wrong building a request, reading
//! a response or judging it.

use core::fmt;

use const_oid::ObjectIdentifier;

use crate::pki::SigError;

use super::hash::HashAlgorithm;
use super::status::ResponseStatus;

/// The part of an OCSP response that is malformed, for
/// [`OcspError::Malformed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponsePart {
    /// The outer OCSPResponse or its ResponseBytes (RFC 6960 §4.2.1).
    OcspResponse,
    /// The BasicOCSPResponse around the signed data: its framing, signature
    /// algorithm, signature BIT STRING or certificate list.
    BasicResponse,
    /// The signed ResponseData: its framing, version, times or lists.
    ResponseData,
    /// The ResponderID CHOICE.
    ResponderId,
    /// A SingleResponse, its CertID or its CertStatus.
    SingleResponse,
    /// A response extension, or the nonce extension's value.
    Extension,
}

/// Why an OCSP request could not be built, or a response was refused.
///
/// In order: errors building a request ([`Self::IssuerNameMismatch`] to
/// [`Self::RandomSource`]); errors reading a response ([`Self::TooLarge`]
/// to [`Self::CertIdHashLength`], see [`Self::is_parse_error`]);
/// then what [`OcspResponse::verify`] finds wrong with a well-formed one.
///
/// [`OcspResponse::verify`]: super::OcspResponse::verify
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspError {
    /// The certificate given as the issuer is not the leaf's issuer: its
    /// subject is not the leaf's issuer Name (RFC 5280 §4.1.2.4).
    IssuerNameMismatch,
    /// A nonce must be 1 to 32 bytes long (RFC 8954 §2.1); this many were
    /// given.
    NonceLength(usize),
    /// The system's random source failed while drawing a nonce.
    RandomSource,

    /// The response is longer than [`MAX_RESPONSE_LEN`](super::MAX_RESPONSE_LEN).
    TooLarge(usize),
    /// The bytes are not a well-formed DER response; the part says where.
    Malformed(ResponsePart),
    /// The responder answered with an error status instead of a response
    /// (RFC 6960 §4.2.1).
    Unsuccessful(ResponseStatus),
    /// The response is not an id-pkix-ocsp-basic response, the only type
    /// RFC 6960 §4.2.1 defines.
    UnsupportedResponseType(ObjectIdentifier),
    /// A CertID names a hash algorithm stapler computes, but its
    /// issuerNameHash or issuerKeyHash is not that algorithm's output
    /// length (RFC 6960 §4.1.1: both are hashes made with hashAlgorithm).
    /// Such a CertID could never match a certificate, and a response that
    /// carries one is not what its responder should have written.
    CertIdHashLength {
        /// The CertID's hashAlgorithm.
        algorithm: HashAlgorithm,
        /// The length of its issuerNameHash, in bytes.
        name_hash_len: usize,
        /// The length of its issuerKeyHash, in bytes.
        key_hash_len: usize,
    },

    /// No SingleResponse in the response is about this certificate: none
    /// has its serial number and its issuer's name and key hashes (RFC 6960
    /// §4.1.1), under that response's own hash algorithm.
    CertIdNotFound,
    /// The responderID names neither the issuer nor any certificate included
    /// in the response, so no key can check the signature.
    SignerNotFound,
    /// The delegated responder's certificate was not issued by the
    /// certificate's issuer: another issuer Name, or the issuer's key does
    /// not verify its signature (RFC 6960 §4.2.2.2).
    ResponderNotIssuedByIssuer,
    /// The delegated responder's certificate lacks id-kp-OCSPSigning in its
    /// extended key usage, so it may not sign responses (RFC 6960 §4.2.2.2).
    ResponderNotAuthorized,
    /// The delegated responder's certificate has a keyUsage extension that
    /// does not allow digitalSignature (RFC 5280 §4.2.1.3).
    ResponderKeyUsage,
    /// The delegated responder's certificate is not valid at `now`.
    ResponderCertificateNotValid {
        /// Its notBefore, seconds since the Unix epoch.
        not_before: u64,
        /// Its notAfter, seconds since the Unix epoch.
        not_after: u64,
    },
    /// The signature over tbsResponseData does not verify with the signer's
    /// key, or its algorithm is not one stapler verifies.
    Signature(SigError),
    /// A nonce was sent but the response carries none.
    NonceMissing,
    /// The response's nonce is not the one that was sent: it answers another
    /// request (RFC 8954 §2.1).
    NonceMismatch,
    /// thisUpdate is later than `now` plus the allowed clock skew.
    NotYetValid {
        /// The response's thisUpdate, seconds since the Unix epoch.
        this_update: u64,
    },
    /// `now` is at or past the end of the response's validity: nextUpdate,
    /// or thisUpdate plus the maximum age allowed when there is no
    /// nextUpdate.
    Expired {
        /// When the response stopped being fresh, seconds since the Unix
        /// epoch.
        valid_until: u64,
    },
    /// The response has no nextUpdate, and the options do not accept that
    /// (see [`VerifyOptions::max_age_without_next_update`]).
    ///
    /// [`VerifyOptions::max_age_without_next_update`]: super::VerifyOptions::max_age_without_next_update
    NoNextUpdate,
}

impl OcspError {
    /// Whether this is a problem with the response's bytes (unreadable, or
    /// an error status) rather than with what a readable response says.
    pub fn is_parse_error(&self) -> bool {
        matches!(
            self,
            Self::TooLarge(_)
                | Self::Malformed(_)
                | Self::Unsuccessful(_)
                | Self::UnsupportedResponseType(_)
                | Self::CertIdHashLength { .. }
        )
    }
}

impl fmt::Display for OcspError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IssuerNameMismatch => {
                f.write_str("the issuer's subject is not the certificate's issuer name")
            }
            Self::NonceLength(len) => write!(f, "an OCSP nonce must be 1 to 32 bytes, not {len}"),
            Self::RandomSource => f.write_str("the system random source failed"),
            Self::TooLarge(len) => write!(f, "OCSP response of {len} bytes is too large"),
            Self::Malformed(part) => write!(f, "malformed OCSP response: bad {part:?}"),
            Self::Unsuccessful(status) => write!(f, "OCSP responder answered {status}"),
            Self::UnsupportedResponseType(oid) => {
                write!(f, "unsupported OCSP response type {oid}")
            }
            Self::CertIdHashLength {
                algorithm,
                name_hash_len,
                key_hash_len,
            } => write!(
                f,
                "OCSP CertID hashes of {name_hash_len} and {key_hash_len} bytes \
                 are not {algorithm:?} digests of {} bytes",
                algorithm.output_len()
            ),
            Self::CertIdNotFound => f.write_str("OCSP response is not about this certificate"),
            Self::SignerNotFound => f.write_str("OCSP response's signer is not known"),
            Self::ResponderNotIssuedByIssuer => {
                f.write_str("OCSP responder certificate was not issued by the certificate's issuer")
            }
            Self::ResponderNotAuthorized => {
                f.write_str("OCSP responder certificate lacks id-kp-OCSPSigning")
            }
            Self::ResponderKeyUsage => {
                f.write_str("OCSP responder certificate's key usage forbids signing")
            }
            Self::ResponderCertificateNotValid {
                not_before,
                not_after,
            } => write!(
                f,
                "OCSP responder certificate is only valid from {not_before} to {not_after}"
            ),
            Self::Signature(e) => write!(f, "OCSP response signature: {e}"),
            Self::NonceMissing => f.write_str("OCSP response carries no nonce"),
            Self::NonceMismatch => f.write_str("OCSP response's nonce is not the one sent"),
            Self::NotYetValid { this_update } => {
                write!(f, "OCSP response is not valid before {this_update}")
            }
            Self::Expired { valid_until } => {
                write!(f, "OCSP response expired at {valid_until}")
            }
            Self::NoNextUpdate => f.write_str("OCSP response has no nextUpdate"),
        }
    }
}

impl std::error::Error for OcspError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Signature(e) => Some(e),
            _ => None,
        }
    }
}
