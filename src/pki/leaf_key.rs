//! What a handshake reads of a client's leaf certificate before its chain
//! is trusted or its names wanted: its public key and key usage, from the
//! framing `raw.rs` walks, without the whole parse of `certificate.rs`.

use bytes::Bytes;
use der::Decode;
use x509_cert::ext::pkix::KeyUsage as X509KeyUsage;
use x509_cert::spki::SubjectPublicKeyInfoRef;

use super::certificate::{CertificateError, KeyUsage, PublicKeyAlgorithm};
use super::oids::{self, Oid};
use super::raw::{share, Raw};

/// A certificate's public key and key usage, read from its DER without
/// the rest: enough to check a signature it makes. The names and the
/// other extensions wait for [`Certificate`](super::Certificate), parsed
/// when they are wanted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LeafKey {
    /// The subjectPublicKey's bytes (an EC point, an RSA key's DER, an
    /// Ed25519 key).
    pub(crate) public_key: Bytes,
    pub(crate) algorithm: PublicKeyAlgorithm,
    pub(crate) key_usage: Option<KeyUsage>,
}

impl LeafKey {
    /// Reads `der`'s key and key usage; the framing of the whole
    /// certificate must be sound.
    pub(crate) fn read(der: &Bytes) -> Result<Self, CertificateError> {
        let raw = Raw::walk(der)?;
        let spki = SubjectPublicKeyInfoRef::from_der(raw.spki)?;
        let key = spki
            .subject_public_key
            .as_bytes()
            .ok_or(CertificateError::UnusedBits)?;
        let algorithm =
            PublicKeyAlgorithm::classify(spki.algorithm.oid, spki.algorithm.parameters, key)?;
        let mut key_usage = None;
        raw.each_extension(|oid, value| {
            if oid == oids::CE_KEY_USAGE.as_bytes() {
                let oid = Oid(oids::CE_KEY_USAGE);
                if key_usage.is_some() {
                    return Err(CertificateError::DuplicateExtension(oid));
                }
                let ku = X509KeyUsage::from_der(value)
                    .map_err(|_| CertificateError::BadExtension(oid))?;
                key_usage = Some(KeyUsage::from_x509(&ku));
            }
            Ok(())
        })?;
        Ok(Self {
            public_key: share(der, key)?,
            algorithm,
            key_usage,
        })
    }
}
