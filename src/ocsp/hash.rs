//! [`HashAlgorithm`]: the hashes a CertID is made with.

use const_oid::ObjectIdentifier;
use ring::digest;

use super::oids;

/// A hash algorithm for a CertID's issuerNameHash and issuerKeyHash
/// (RFC 6960 §4.1.1).
///
/// RFC 5019 §2.1.1 has clients use SHA-1, which every responder answers;
/// here SHA-1 identifies a certificate and protects nothing, so its
/// weakness as a signature hash does not apply. The SHA-2 hashes are there
/// for responders that ask for them and for matching responses that use
/// them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-1, the default (RFC 5019 §2.1.1).
    #[default]
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// The algorithm's object identifier.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => oids::SHA1,
            Self::Sha256 => oids::SHA256,
            Self::Sha384 => oids::SHA384,
            Self::Sha512 => oids::SHA512,
        }
    }

    /// The algorithm an object identifier names, if it is one of these.
    pub fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512]
            .into_iter()
            .find(|alg| alg.oid() == oid)
    }

    /// The length of a digest, in bytes.
    pub fn output_len(self) -> usize {
        self.ring().output_len()
    }

    /// The digest of `data`.
    pub(crate) fn digest(self, data: &[u8]) -> digest::Digest {
        digest::digest(self.ring(), data)
    }

    fn ring(self) -> &'static digest::Algorithm {
        match self {
            // Identification only (see the type's documentation).
            Self::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => &digest::SHA256,
            Self::Sha384 => &digest::SHA384,
            Self::Sha512 => &digest::SHA512,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_round_trip_and_lengths() {
        for (alg, len) in [
            (HashAlgorithm::Sha1, 20),
            (HashAlgorithm::Sha256, 32),
            (HashAlgorithm::Sha384, 48),
            (HashAlgorithm::Sha512, 64),
        ] {
            assert_eq!(HashAlgorithm::from_oid(alg.oid()), Some(alg));
            assert_eq!(alg.output_len(), len);
            assert_eq!(alg.digest(b"abc").as_ref().len(), len);
        }
        assert_eq!(HashAlgorithm::from_oid(oids::ID_PKIX_OCSP_NONCE), None);
        assert_eq!(HashAlgorithm::default(), HashAlgorithm::Sha1);
        // FIPS 180 "abc" vector.
        assert_eq!(
            HashAlgorithm::Sha1.digest(b"abc").as_ref()[..4],
            [0xa9, 0x99, 0x3e, 0x36]
        );
    }
}
