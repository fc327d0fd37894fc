//! The six TLS 1.2 cipher suites this server implements: ECDHE key
//! exchange, authenticated by an ECDSA (or EdDSA) or an RSA certificate,
//! with an AEAD (RFC 5289 for AES-GCM, RFC 7905 for ChaCha20-Poly1305).

use ring::{aead, digest, hmac};

use crate::crypto::signing::KeyAlgorithm;
// AES-GCM keys wear out after the same 2^24.5 records in TLS 1.2 as in
// TLS 1.3 (RFC 8446 §5.5); TLS 1.2 just cannot change them.
use crate::crypto::suites::{CipherSuite, AES_GCM_RECORD_LIMIT};

/// How the server proves it owns the ECDHE parameters it sends: with the
/// key of its certificate, which must be of the suite's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Authentication {
    /// ECDHE_ECDSA: an ECDSA key, or an EdDSA key (RFC 8422 §5.1.1 lets
    /// ed25519 sign for these suites).
    Ecdsa,
    /// ECDHE_RSA: an RSA key, PKCS#1 v1.5 or PSS (RFC 8446 §4.2.3 carries
    /// the PSS code points back into TLS 1.2).
    Rsa,
}

impl Authentication {
    /// Whether a key of `algorithm` can sign for this kind of suite.
    pub(crate) fn accepts(self, algorithm: KeyAlgorithm) -> bool {
        match self {
            Self::Ecdsa => matches!(
                algorithm,
                KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 | KeyAlgorithm::Ed25519
            ),
            Self::Rsa => matches!(algorithm, KeyAlgorithm::Rsa { .. }),
        }
    }
}

/// How a record's 12-byte AEAD nonce is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NonceShape {
    /// AES-GCM (RFC 5288 §3): a 4-byte implicit salt from the key block,
    /// then 8 explicit bytes carried at the front of each record.
    SaltAndExplicit,
    /// ChaCha20-Poly1305 (RFC 7905 §2): a 12-byte IV from the key block
    /// XORed with the sequence number; nothing is carried in the record.
    IvXorSequence,
}

/// One TLS 1.2 cipher suite.
#[derive(Debug)]
pub(crate) struct Tls12Suite {
    /// Its code point.
    pub(crate) suite: CipherSuite,
    /// The kind of certificate key that signs the ServerKeyExchange.
    pub(crate) authentication: Authentication,
    /// The record protection algorithm.
    pub(crate) aead: &'static aead::Algorithm,
    /// HMAC over the suite's PRF hash (RFC 5246 §5: SHA-256 unless the
    /// suite says otherwise; SHA-384 for the AES-256 suites, RFC 5289 §3.2).
    pub(crate) prf: hmac::Algorithm,
    /// The handshake hash, the same hash as the PRF (RFC 5246 §7.4.9).
    pub(crate) digest: &'static digest::Algorithm,
    /// How the per-record nonce is made.
    pub(crate) nonce: NonceShape,
    /// How many records one key may protect. TLS 1.2 has no key update, so
    /// a connection that reaches this must end (RFC 9325 §4.4 bounds
    /// AES-GCM the same way RFC 8446 §5.5 does).
    pub(crate) confidentiality_limit: u64,
}

impl Tls12Suite {
    /// `SecurityParameters.fixed_iv_length`: the bytes of IV the key block
    /// holds for each direction (RFC 5288 §3: 4; RFC 7905 §2: 12).
    pub(crate) fn fixed_iv_len(&self) -> usize {
        match self.nonce {
            NonceShape::SaltAndExplicit => 4,
            NonceShape::IvXorSequence => 12,
        }
    }

    /// `SecurityParameters.record_iv_length`: the explicit nonce bytes
    /// that travel in each record (RFC 5246 §6.2.3.3).
    pub(crate) fn explicit_nonce_len(&self) -> usize {
        match self.nonce {
            NonceShape::SaltAndExplicit => 8,
            NonceShape::IvXorSequence => 0,
        }
    }

    /// The implemented TLS 1.2 suite with this code point, if any.
    pub(crate) fn from_wire(code: u16) -> Option<&'static Self> {
        TLS12_SUITES
            .iter()
            .copied()
            .find(|s| s.suite.to_wire() == code)
    }
}

/// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (0xc02b).
pub(crate) static ECDHE_ECDSA_AES_128_GCM_SHA256: Tls12Suite = Tls12Suite {
    suite: CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256,
    authentication: Authentication::Ecdsa,
    aead: &aead::AES_128_GCM,
    prf: hmac::HMAC_SHA256,
    digest: &digest::SHA256,
    nonce: NonceShape::SaltAndExplicit,
    confidentiality_limit: AES_GCM_RECORD_LIMIT,
};

/// TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (0xc02c).
pub(crate) static ECDHE_ECDSA_AES_256_GCM_SHA384: Tls12Suite = Tls12Suite {
    suite: CipherSuite::TlsEcdheEcdsaWithAes256GcmSha384,
    authentication: Authentication::Ecdsa,
    aead: &aead::AES_256_GCM,
    prf: hmac::HMAC_SHA384,
    digest: &digest::SHA384,
    nonce: NonceShape::SaltAndExplicit,
    confidentiality_limit: AES_GCM_RECORD_LIMIT,
};

/// TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (0xcca9).
pub(crate) static ECDHE_ECDSA_CHACHA20_POLY1305_SHA256: Tls12Suite = Tls12Suite {
    suite: CipherSuite::TlsEcdheEcdsaWithChacha20Poly1305Sha256,
    authentication: Authentication::Ecdsa,
    aead: &aead::CHACHA20_POLY1305,
    prf: hmac::HMAC_SHA256,
    digest: &digest::SHA256,
    nonce: NonceShape::IvXorSequence,
    confidentiality_limit: u64::MAX,
};

/// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f).
pub(crate) static ECDHE_RSA_AES_128_GCM_SHA256: Tls12Suite = Tls12Suite {
    suite: CipherSuite::TlsEcdheRsaWithAes128GcmSha256,
    authentication: Authentication::Rsa,
    ..ECDHE_ECDSA_AES_128_GCM_SHA256
};

/// TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030).
pub(crate) static ECDHE_RSA_AES_256_GCM_SHA384: Tls12Suite = Tls12Suite {
    suite: CipherSuite::TlsEcdheRsaWithAes256GcmSha384,
    authentication: Authentication::Rsa,
    ..ECDHE_ECDSA_AES_256_GCM_SHA384
};

/// TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (0xcca8).
pub(crate) static ECDHE_RSA_CHACHA20_POLY1305_SHA256: Tls12Suite = Tls12Suite {
    suite: CipherSuite::TlsEcdheRsaWithChacha20Poly1305Sha256,
    authentication: Authentication::Rsa,
    ..ECDHE_ECDSA_CHACHA20_POLY1305_SHA256
};

/// The TLS 1.2 suites implemented, in the server's order of preference:
/// by cipher as for TLS 1.3, ECDSA before RSA (the certificate decides
/// which half can be used).
pub(crate) static TLS12_SUITES: [&Tls12Suite; 6] = [
    &ECDHE_ECDSA_AES_128_GCM_SHA256,
    &ECDHE_ECDSA_AES_256_GCM_SHA384,
    &ECDHE_ECDSA_CHACHA20_POLY1305_SHA256,
    &ECDHE_RSA_AES_128_GCM_SHA256,
    &ECDHE_RSA_AES_256_GCM_SHA384,
    &ECDHE_RSA_CHACHA20_POLY1305_SHA256,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_agree_with_ring_and_the_rfcs() {
        for suite in TLS12_SUITES {
            assert_eq!(suite.prf.digest_algorithm(), suite.digest);
            assert_eq!(suite.aead.nonce_len(), 12);
            assert_eq!(
                suite.fixed_iv_len() + suite.explicit_nonce_len(),
                12,
                "{:?}",
                suite.suite
            );
            // The name says the PRF hash: ..._SHA256 or ..._SHA384.
            let name = suite.suite.to_string();
            let hash = if name.ends_with("SHA384") { 48 } else { 32 };
            assert_eq!(suite.digest.output_len(), hash, "{name}");
            assert!(name.contains(match suite.authentication {
                Authentication::Ecdsa => "_ECDSA_",
                Authentication::Rsa => "_RSA_",
            }));
            assert!(core::ptr::eq(
                Tls12Suite::from_wire(suite.suite.to_wire()).unwrap(),
                suite
            ));
        }
        assert!(Tls12Suite::from_wire(0x1301).is_none(), "TLS 1.3 suite");
        assert!(Tls12Suite::from_wire(0xc013).is_none(), "CBC: named only");
    }

    #[test]
    fn authentication_matches_key_kinds() {
        let rsa = KeyAlgorithm::Rsa { modulus_bits: 2048 };
        assert!(Authentication::Ecdsa.accepts(KeyAlgorithm::EcdsaP256));
        assert!(Authentication::Ecdsa.accepts(KeyAlgorithm::EcdsaP384));
        assert!(Authentication::Ecdsa.accepts(KeyAlgorithm::Ed25519));
        assert!(!Authentication::Ecdsa.accepts(rsa));
        assert!(Authentication::Rsa.accepts(rsa));
        assert!(!Authentication::Rsa.accepts(KeyAlgorithm::EcdsaP256));
    }
}
