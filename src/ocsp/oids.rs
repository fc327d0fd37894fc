//! The object identifiers OCSP uses. Each is parsed at compile time
//! (`new_unwrap` in a `const`), so a typo fails the build, not a run.

use const_oid::ObjectIdentifier as Oid;

/// id-pkix-ocsp-basic (RFC 6960 §4.2.1): the one response type defined.
pub(crate) const ID_PKIX_OCSP_BASIC: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-pkix-ocsp-nonce (RFC 6960 §4.4.1, RFC 8954).
pub(crate) const ID_PKIX_OCSP_NONCE: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.2");

// Hash algorithms a CertID may name (RFC 6960 §4.1.1, RFC 5019 §2.1.1).
pub(crate) const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
pub(crate) const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
pub(crate) const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
