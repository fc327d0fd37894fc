//! Cipher suites: the registry of code points (RFC 8446 §B.4, RFC 5246
//! §A.5 and the IANA "TLS Cipher Suites" registry) and the three TLS 1.3
//! suites this server implements, each described by the ring algorithms it
//! is made of.

pub use crate::enums::CipherSuite;
use ring::{aead, digest, hkdf, hmac};

/// The longest hash of any suite here (SHA-384): the size of the
/// fixed arrays secrets and transcript hashes are kept in.
pub(crate) const MAX_HASH_LEN: usize = 48;

/// One TLS 1.3 cipher suite: an AEAD and the hash its HKDF, HMAC and
/// transcript use (RFC 8446 §B.4).
#[derive(Debug)]
pub(crate) struct Tls13Suite {
    /// Its code point.
    pub(crate) suite: CipherSuite,
    /// The record protection algorithm (RFC 8446 §5.2).
    pub(crate) aead: &'static aead::Algorithm,
    /// HKDF over the suite's hash, for the key schedule (RFC 8446 §7.1).
    pub(crate) hkdf: hkdf::Algorithm,
    /// HMAC over the suite's hash: HKDF-Extract and Finished (§4.4.4).
    pub(crate) hmac: hmac::Algorithm,
    /// The transcript hash (RFC 8446 §4.4.1).
    pub(crate) digest: &'static digest::Algorithm,
    /// `Hash.length`: the length of every secret and transcript hash.
    pub(crate) hash_len: usize,
    /// How many records one key may protect before it must be updated
    /// (RFC 8446 §5.5: about 2^24.5 full-size records for AES-GCM; the
    /// ChaCha20-Poly1305 limit lies beyond 2^64).
    pub(crate) confidentiality_limit: u64,
}

/// 2^24.5 rounded down: the AES-GCM record limit of RFC 8446 §5.5.
pub(crate) const AES_GCM_RECORD_LIMIT: u64 = 23_726_566;

/// TLS_AES_128_GCM_SHA256 (0x1301), the suite every TLS 1.3 implementation
/// must support (RFC 8446 §9.1).
pub(crate) static TLS13_AES_128_GCM_SHA256: Tls13Suite = Tls13Suite {
    suite: CipherSuite::TlsAes128GcmSha256,
    aead: &aead::AES_128_GCM,
    hkdf: hkdf::HKDF_SHA256,
    hmac: hmac::HMAC_SHA256,
    digest: &digest::SHA256,
    hash_len: 32,
    confidentiality_limit: AES_GCM_RECORD_LIMIT,
};

/// TLS_AES_256_GCM_SHA384 (0x1302).
pub(crate) static TLS13_AES_256_GCM_SHA384: Tls13Suite = Tls13Suite {
    suite: CipherSuite::TlsAes256GcmSha384,
    aead: &aead::AES_256_GCM,
    hkdf: hkdf::HKDF_SHA384,
    hmac: hmac::HMAC_SHA384,
    digest: &digest::SHA384,
    hash_len: 48,
    confidentiality_limit: AES_GCM_RECORD_LIMIT,
};

/// TLS_CHACHA20_POLY1305_SHA256 (0x1303).
pub(crate) static TLS13_CHACHA20_POLY1305_SHA256: Tls13Suite = Tls13Suite {
    suite: CipherSuite::TlsChacha20Poly1305Sha256,
    aead: &aead::CHACHA20_POLY1305,
    hkdf: hkdf::HKDF_SHA256,
    hmac: hmac::HMAC_SHA256,
    digest: &digest::SHA256,
    hash_len: 32,
    confidentiality_limit: u64::MAX,
};

/// The TLS 1.3 suites implemented, in the server's order of preference.
pub(crate) static TLS13_SUITES: [&Tls13Suite; 3] = [
    &TLS13_AES_128_GCM_SHA256,
    &TLS13_AES_256_GCM_SHA384,
    &TLS13_CHACHA20_POLY1305_SHA256,
];

impl Tls13Suite {
    /// The implemented TLS 1.3 suite with this code point, if any.
    pub(crate) fn from_wire(code: u16) -> Option<&'static Self> {
        TLS13_SUITES
            .iter()
            .copied()
            .find(|s| s.suite.to_wire() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_agree_with_ring() {
        for suite in TLS13_SUITES {
            assert_eq!(suite.hash_len, suite.digest.output_len());
            assert!(suite.hash_len <= MAX_HASH_LEN);
            assert_eq!(suite.hkdf.hmac_algorithm(), suite.hmac);
            assert_eq!(suite.hmac.digest_algorithm(), suite.digest);
            assert_eq!(suite.aead.nonce_len(), 12, "RFC 8446 §5.3 assumes 12");
            // Traffic keys are expanded in one HKDF block (§7.3).
            assert!(suite.aead.key_len() <= suite.hash_len);
            assert!(core::ptr::eq(
                Tls13Suite::from_wire(suite.suite.to_wire()).unwrap(),
                suite
            ));
        }
    }

    #[test]
    fn lookup_by_code_point() {
        assert_eq!(
            Tls13Suite::from_wire(0x1302).map(|s| s.suite),
            Some(CipherSuite::TlsAes256GcmSha384)
        );
        assert!(Tls13Suite::from_wire(0x1304).is_none(), "CCM: named only");
        assert!(Tls13Suite::from_wire(0xc02f).is_none(), "TLS 1.2 suite");
        assert!(Tls13Suite::from_wire(0x0a0a).is_none(), "GREASE");
        assert_eq!(
            CipherSuite::from_wire(0x1303).to_string(),
            "TLS_CHACHA20_POLY1305_SHA256"
        );
        assert_eq!(CipherSuite::from_wire(0x0a0a).to_string(), "unknown(0xa0a)");
    }
}
