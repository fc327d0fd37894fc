//! The object identifiers this module reads. Each is parsed at compile time
//! (`new_unwrap` in a `const`), so a typo fails the build, not a run.

use core::fmt;

use const_oid::ObjectIdentifier as RawOid;

/// An ASN.1 object identifier, as a certificate names an algorithm, an
/// extension or a usage. Displays in dotted form (`1.3.6.1.5.5.7.3.1`).
/// stapler's own type, so that no ASN.1 crate's type is part of its API.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Oid(pub(crate) RawOid);

impl Oid {
    /// The identifier's DER contents: the encoded arcs, without tag or
    /// length.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({})", self.0)
    }
}

// Public key algorithms.
pub(crate) const EC_PUBLIC_KEY: RawOid = RawOid::new_unwrap("1.2.840.10045.2.1");
pub(crate) const SECP256R1: RawOid = RawOid::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const SECP384R1: RawOid = RawOid::new_unwrap("1.3.132.0.34");
pub(crate) const RSA_ENCRYPTION: RawOid = RawOid::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const ID_ED25519: RawOid = RawOid::new_unwrap("1.3.101.112");

// Signature algorithms (RFC 5758, RFC 4055, RFC 8410).
pub(crate) const ECDSA_WITH_SHA256: RawOid = RawOid::new_unwrap("1.2.840.10045.4.3.2");
pub(crate) const ECDSA_WITH_SHA384: RawOid = RawOid::new_unwrap("1.2.840.10045.4.3.3");
pub(crate) const SHA256_WITH_RSA: RawOid = RawOid::new_unwrap("1.2.840.113549.1.1.11");
pub(crate) const SHA384_WITH_RSA: RawOid = RawOid::new_unwrap("1.2.840.113549.1.1.12");
pub(crate) const SHA512_WITH_RSA: RawOid = RawOid::new_unwrap("1.2.840.113549.1.1.13");
/// id-RSASSA-PSS: both a signature algorithm and a (PSS-only) key type.
pub(crate) const RSASSA_PSS: RawOid = RawOid::new_unwrap("1.2.840.113549.1.1.10");
pub(crate) const MGF1: RawOid = RawOid::new_unwrap("1.2.840.113549.1.1.8");
pub(crate) const SHA256: RawOid = RawOid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const SHA384: RawOid = RawOid::new_unwrap("2.16.840.1.101.3.4.2.2");
pub(crate) const SHA512: RawOid = RawOid::new_unwrap("2.16.840.1.101.3.4.2.3");

// Certificate extensions (RFC 5280 §4.2, RFC 7633).
pub(crate) const CE_KEY_USAGE: RawOid = RawOid::new_unwrap("2.5.29.15");
pub(crate) const CE_SUBJECT_ALT_NAME: RawOid = RawOid::new_unwrap("2.5.29.17");
pub(crate) const CE_BASIC_CONSTRAINTS: RawOid = RawOid::new_unwrap("2.5.29.19");
pub(crate) const CE_EXT_KEY_USAGE: RawOid = RawOid::new_unwrap("2.5.29.37");
pub(crate) const PE_AUTHORITY_INFO_ACCESS: RawOid = RawOid::new_unwrap("1.3.6.1.5.5.7.1.1");
pub(crate) const PE_TLS_FEATURE: RawOid = RawOid::new_unwrap("1.3.6.1.5.5.7.1.24");

/// id-ad-ocsp (RFC 5280 §4.2.2.1): an AIA access method whose location is an
/// OCSP responder.
pub const ID_AD_OCSP: Oid = Oid(RawOid::new_unwrap("1.3.6.1.5.5.7.48.1"));
/// id-ad-caIssuers (RFC 5280 §4.2.2.1): an AIA access method whose location
/// serves the issuer's certificate.
pub const ID_AD_CA_ISSUERS: Oid = Oid(RawOid::new_unwrap("1.3.6.1.5.5.7.48.2"));
/// id-kp-serverAuth (RFC 5280 §4.2.1.12): TLS server authentication.
pub const ID_KP_SERVER_AUTH: Oid = Oid(RawOid::new_unwrap("1.3.6.1.5.5.7.3.1"));
/// id-kp-OCSPSigning (RFC 5280 §4.2.1.12): the key signs OCSP responses on
/// behalf of the issuing CA (a delegated responder, RFC 6960 §4.2.2.2).
pub const ID_KP_OCSP_SIGNING: Oid = Oid(RawOid::new_unwrap("1.3.6.1.5.5.7.3.9"));
