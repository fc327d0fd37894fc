//! Certificates and keys: the X.509 (RFC 5280) side of stapler.
//!
//! This module loads what a server configuration is made of and what an
//! OCSP event needs to know about it:
//!
//! - [`pem`]: splits PEM files into certificates and private keys (PKCS#8,
//!   SEC1, PKCS#1), and tells PEM from DER.
//! - [`Certificate`]: one DER certificate, parsed once at load into the
//!   fields stapler uses (names, key, validity, SANs, AIA URLs, must-staple).
//! - [`verify_signature`] and [`verify_signed_by`]: "was this signed by that
//!   key", with ring; also used for OCSP responses.
//! - [`find_issuer`] and [`is_self_signed`]: issuer discovery the way
//!   Node.js reports it (no issuer for a self-signed certificate).
//! - [`Certificate::matches_dns_name`]: SNI matching (RFC 6125 §6.4).
//!
//! - [`ClientRoots`]: the roots client certificates must chain to, and
//!   [`ClientRoots::verify`], which validates a client's chain with
//!   rustls-webpki (path, validity at a given time, name constraints,
//!   clientAuth) into a [`VerifiedClient`].
//!
//! A server's own chain is presented, never judged: only client chains
//! are validated.
//!
//! ```
//! use stapler::pki::{find_issuer, Certificate, PublicKeyAlgorithm};
//!
//! let leaf = Certificate::from_pem_chain(include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"))?
//!     .remove(0);
//! let root = Certificate::from_pem_chain(include_bytes!("../../tests/data/pki/root-ca.crt"))?
//!     .remove(0);
//!
//! assert_eq!(leaf.public_key_algorithm(), &PublicKeyAlgorithm::EcP256);
//! assert!(leaf.matches_dns_name(b"www.example.test"));
//! assert_eq!(leaf.ocsp_urls(), ["http://127.0.0.1:8888/"]);
//! assert_eq!(find_issuer(&leaf, [&root]), Some(&root));
//! # Ok::<(), stapler::pki::CertificateError>(())
//! ```

// The crate denies indexing, unwrapping and panics everywhere (lib.rs);
// here, where DER lengths and times are added up, unchecked arithmetic too.
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

mod certificate;
mod client_chain;
mod issuer;
mod leaf_key;
mod names;
mod oids;
pub mod pem;
mod raw;
mod verify;

pub use certificate::{Certificate, CertificateError, KeyUsage, PublicKeyAlgorithm};
pub(crate) use client_chain::ClientLeaf;
pub use client_chain::{
    ClientChainError, ClientRoots, VerifiedBy, VerifiedClient, MAX_CLIENT_CHAIN_LEN,
};
pub use issuer::{find_issuer, is_self_signed};
pub(crate) use leaf_key::LeafKey;
#[cfg(test)]
pub(crate) use names::MAX_LABEL_LEN;
pub use names::{dns_name_matches, is_valid_dns_reference};
pub(crate) use names::{DnsReference, LabelScan, MAX_NAME_LEN};
pub use oids::{Oid, ID_AD_CA_ISSUERS, ID_AD_OCSP, ID_KP_OCSP_SIGNING, ID_KP_SERVER_AUTH};
pub use pem::{KeyFormat, PemError, PrivateKeyDer};
pub(crate) use raw::share as shared_slice;
pub use verify::{verify_signature, verify_signed_by, SigError, SignatureAlgorithm};

/// The handshake's light reading of a client certificate, its public key
/// and key usage, public only with the `fuzzing` feature: the `certificate`
/// fuzz target checks that it agrees with [`Certificate::from_der`].
#[cfg(feature = "fuzzing")]
pub fn read_leaf_key(
    der: &bytes::Bytes,
) -> Result<(bytes::Bytes, Option<KeyUsage>), CertificateError> {
    leaf_key::LeafKey::read(der).map(|key| (key.public_key, key.key_usage))
}
