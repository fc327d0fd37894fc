//! [`CertId`]: how OCSP names a certificate (RFC 6960 §4.1.1).

use core::fmt;

use bytes::Bytes;

use crate::pki::Certificate;

use super::encode::{self, INTEGER, OBJECT_IDENTIFIER, OCTET_STRING, SEQUENCE};
use super::error::OcspError;
use super::hash::HashAlgorithm;

/// A certificate's identity in OCSP (RFC 6960 §4.1.1):
///
/// ```text
/// CertID ::= SEQUENCE {
///     hashAlgorithm   AlgorithmIdentifier,
///     issuerNameHash  OCTET STRING, -- Hash of issuer's DN
///     issuerKeyHash   OCTET STRING, -- Hash of issuer's public key
///     serialNumber    CertificateSerialNumber }
/// ```
///
/// Both hashes are needed because two CAs may share a name; the serial
/// number is only unique per issuer.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CertId {
    hash_algorithm: HashAlgorithm,
    issuer_name_hash: Bytes,
    issuer_key_hash: Bytes,
    serial_number: Bytes,
}

impl CertId {
    /// The CertID of `leaf`, issued by `issuer`, hashed with `hash`:
    /// issuerNameHash over the DER of the issuer's subject Name,
    /// issuerKeyHash over the issuer's subjectPublicKey BIT STRING contents
    /// (not the whole SubjectPublicKeyInfo), and the leaf's serial number.
    ///
    /// Fails with [`OcspError::IssuerNameMismatch`] when `issuer`'s subject
    /// is not `leaf`'s issuer Name: a CertID made from the wrong issuer would
    /// never match a response. (The signature is not checked here; see
    /// [`find_issuer`](crate::pki::find_issuer).)
    pub fn new(
        leaf: &Certificate,
        issuer: &Certificate,
        hash: HashAlgorithm,
    ) -> Result<Self, OcspError> {
        if leaf.issuer() != issuer.subject() {
            return Err(OcspError::IssuerNameMismatch);
        }
        let digest = |data: &[u8]| Bytes::copy_from_slice(hash.digest(data).as_ref());
        Ok(Self {
            hash_algorithm: hash,
            issuer_name_hash: digest(issuer.subject()),
            issuer_key_hash: digest(issuer.public_key()),
            serial_number: Bytes::copy_from_slice(leaf.serial()),
        })
    }

    /// [`CertId::new`] with SHA-1, what RFC 5019 §2.1.1 has clients send
    /// and every responder answers.
    pub fn sha1(leaf: &Certificate, issuer: &Certificate) -> Result<Self, OcspError> {
        Self::new(leaf, issuer, HashAlgorithm::Sha1)
    }

    /// Whether this CertID names `leaf` issued by `issuer`, with hashes
    /// computed under this CertID's own algorithm (cheap checks first, and
    /// no allocation).
    pub(crate) fn names(&self, leaf: &Certificate, issuer: &Certificate) -> bool {
        let hash = self.hash_algorithm;
        self.serial_number.as_ref() == leaf.serial()
            && self.issuer_name_hash.as_ref() == hash.digest(issuer.subject()).as_ref()
            && self.issuer_key_hash.as_ref() == hash.digest(issuer.public_key()).as_ref()
    }

    /// A CertID read from a response.
    pub(crate) fn from_parts(
        hash_algorithm: HashAlgorithm,
        issuer_name_hash: Bytes,
        issuer_key_hash: Bytes,
        serial_number: Bytes,
    ) -> Self {
        Self {
            hash_algorithm,
            issuer_name_hash,
            issuer_key_hash,
            serial_number,
        }
    }

    /// The hash algorithm of both hashes.
    pub fn hash_algorithm(&self) -> HashAlgorithm {
        self.hash_algorithm
    }

    /// issuerNameHash: the hash of the issuer's subject Name, DER.
    pub fn issuer_name_hash(&self) -> &[u8] {
        &self.issuer_name_hash
    }

    /// issuerKeyHash: the hash of the issuer's public key bits.
    pub fn issuer_key_hash(&self) -> &[u8] {
        &self.issuer_key_hash
    }

    /// The serial number's INTEGER contents, as encoded (big-endian two's
    /// complement, with its leading zero byte if it has one).
    pub fn serial_number(&self) -> &[u8] {
        &self.serial_number
    }

    /// The DER CertID.
    pub fn to_der(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Appends the DER CertID to `out`. The AlgorithmIdentifier carries NULL
    /// parameters, as OpenSSL writes them (RFC 5754 §2 allows both forms).
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        encode::nested(out, SEQUENCE, |cert_id| {
            encode::nested(cert_id, SEQUENCE, |algorithm| {
                encode::tlv(
                    algorithm,
                    OBJECT_IDENTIFIER,
                    self.hash_algorithm.oid().as_bytes(),
                );
                algorithm.extend_from_slice(&encode::NULL);
            });
            encode::tlv(cert_id, OCTET_STRING, &self.issuer_name_hash);
            encode::tlv(cert_id, OCTET_STRING, &self.issuer_key_hash);
            encode::tlv(cert_id, INTEGER, &self.serial_number);
        });
    }
}

impl fmt::Debug for CertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        f.debug_struct("CertId")
            .field("hash_algorithm", &self.hash_algorithm)
            .field("issuer_name_hash", &hex(&self.issuer_name_hash))
            .field("issuer_key_hash", &hex(&self.issuer_key_hash))
            .field("serial_number", &hex(&self.serial_number))
            .finish()
    }
}
