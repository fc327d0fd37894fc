//! The registries of the algorithms a handshake negotiates.

use super::wire_enum::wire_enum;

wire_enum! {
    /// A cipher suite code point. The three TLS 1.3 suites and the six
    /// TLS 1.2 ECDHE AEAD suites are implemented; the others are named so
    /// that what clients offer prints readably.
    pub enum CipherSuite: u16 {
        /// TLS 1.3, AES-128-GCM with SHA-256 (RFC 8446 §B.4).
        TlsAes128GcmSha256 = 0x1301 => "TLS_AES_128_GCM_SHA256",
        /// TLS 1.3, AES-256-GCM with SHA-384 (RFC 8446 §B.4).
        TlsAes256GcmSha384 = 0x1302 => "TLS_AES_256_GCM_SHA384",
        /// TLS 1.3, ChaCha20-Poly1305 with SHA-256 (RFC 8446 §B.4).
        TlsChacha20Poly1305Sha256 = 0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        /// TLS 1.3, AES-128-CCM with SHA-256 (RFC 8446 §B.4).
        TlsAes128CcmSha256 = 0x1304 => "TLS_AES_128_CCM_SHA256",
        /// TLS 1.3, AES-128-CCM with an 8-byte tag (RFC 8446 §B.4).
        TlsAes128Ccm8Sha256 = 0x1305 => "TLS_AES_128_CCM_8_SHA256",
        /// TLS 1.2, RSA key transport, AES-128-CBC, HMAC-SHA1 (RFC 5246).
        TlsRsaWithAes128CbcSha = 0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        /// TLS 1.2, RSA key transport, AES-256-CBC, HMAC-SHA1 (RFC 5246).
        TlsRsaWithAes256CbcSha = 0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        /// TLS 1.2, RSA key transport, AES-128-GCM (RFC 5288).
        TlsRsaWithAes128GcmSha256 = 0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        /// TLS 1.2, RSA key transport, AES-256-GCM (RFC 5288).
        TlsRsaWithAes256GcmSha384 = 0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        /// The renegotiation signalling value (RFC 5746 §3.3).
        TlsEmptyRenegotiationInfoScsv = 0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        /// The downgrade signalling value (RFC 7507 §2).
        TlsFallbackScsv = 0x5600 => "TLS_FALLBACK_SCSV",
        /// TLS 1.2, ECDHE with ECDSA, AES-128-CBC, HMAC-SHA1 (RFC 8422).
        TlsEcdheEcdsaWithAes128CbcSha = 0xc009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        /// TLS 1.2, ECDHE with ECDSA, AES-256-CBC, HMAC-SHA1 (RFC 8422).
        TlsEcdheEcdsaWithAes256CbcSha = 0xc00a => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        /// TLS 1.2, ECDHE with RSA, AES-128-CBC, HMAC-SHA1 (RFC 8422).
        TlsEcdheRsaWithAes128CbcSha = 0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        /// TLS 1.2, ECDHE with RSA, AES-256-CBC, HMAC-SHA1 (RFC 8422).
        TlsEcdheRsaWithAes256CbcSha = 0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        /// TLS 1.2, ECDHE with ECDSA, AES-128-GCM (RFC 5289).
        TlsEcdheEcdsaWithAes128GcmSha256 = 0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        /// TLS 1.2, ECDHE with ECDSA, AES-256-GCM (RFC 5289).
        TlsEcdheEcdsaWithAes256GcmSha384 = 0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        /// TLS 1.2, ECDHE with RSA, AES-128-GCM (RFC 5289).
        TlsEcdheRsaWithAes128GcmSha256 = 0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        /// TLS 1.2, ECDHE with RSA, AES-256-GCM (RFC 5289).
        TlsEcdheRsaWithAes256GcmSha384 = 0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        /// TLS 1.2, ECDHE with RSA, ChaCha20-Poly1305 (RFC 7905).
        TlsEcdheRsaWithChacha20Poly1305Sha256 = 0xcca8
            => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        /// TLS 1.2, ECDHE with ECDSA, ChaCha20-Poly1305 (RFC 7905).
        TlsEcdheEcdsaWithChacha20Poly1305Sha256 = 0xcca9
            => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    }
}

wire_enum! {
    /// A `NamedGroup` of supported_groups and key_share (RFC 8446 §4.2.7,
    /// RFC 7919, and the IANA "TLS Supported Groups" registry). Only
    /// x25519, secp256r1 and secp384r1 can be used; the rest are named so
    /// that logs of what clients offer are readable.
    pub enum NamedGroup: u16 {
        /// NIST P-256 (RFC 8446 §4.2.7).
        Secp256r1 = 0x0017 => "secp256r1",
        /// NIST P-384.
        Secp384r1 = 0x0018 => "secp384r1",
        /// NIST P-521.
        Secp521r1 = 0x0019 => "secp521r1",
        /// Curve25519 (RFC 7748).
        X25519 = 0x001d => "x25519",
        /// Curve448 (RFC 7748).
        X448 = 0x001e => "x448",
        /// Finite-field group of RFC 7919, 2048 bits.
        Ffdhe2048 = 0x0100 => "ffdhe2048",
        /// Finite-field group of RFC 7919, 3072 bits.
        Ffdhe3072 = 0x0101 => "ffdhe3072",
        /// Finite-field group of RFC 7919, 4096 bits.
        Ffdhe4096 = 0x0102 => "ffdhe4096",
        /// Finite-field group of RFC 7919, 6144 bits.
        Ffdhe6144 = 0x0103 => "ffdhe6144",
        /// Finite-field group of RFC 7919, 8192 bits.
        Ffdhe8192 = 0x0104 => "ffdhe8192",
        /// ML-KEM-512 alone (draft-connolly-tls-mlkem-key-agreement).
        Mlkem512 = 0x0200 => "MLKEM512",
        /// ML-KEM-768 alone.
        Mlkem768 = 0x0201 => "MLKEM768",
        /// ML-KEM-1024 alone.
        Mlkem1024 = 0x0202 => "MLKEM1024",
        /// Hybrid P-256 + ML-KEM-768 (draft-ietf-tls-ecdhe-mlkem).
        SecP256r1Mlkem768 = 0x11eb => "SecP256r1MLKEM768",
        /// Hybrid x25519 + ML-KEM-768, sent by current browsers.
        X25519Mlkem768 = 0x11ec => "X25519MLKEM768",
        /// Hybrid P-384 + ML-KEM-1024.
        SecP384r1Mlkem1024 = 0x11ed => "SecP384r1MLKEM1024",
        /// The pre-standard hybrid Chrome sent in 2023-24.
        X25519Kyber768Draft00 = 0x6399 => "X25519Kyber768Draft00",
    }
}

wire_enum! {
    /// A `SignatureScheme` (RFC 8446 §4.2.3), including the TLS 1.2 code
    /// points that reuse the same space (RFC 5246 §7.4.1.4.1 hash and
    /// signature pairs).
    pub enum SignatureScheme: u16 {
        /// RSASSA-PKCS1-v1_5 with SHA-1; legacy, never in TLS 1.3.
        RsaPkcs1Sha1 = 0x0201 => "rsa_pkcs1_sha1",
        /// ECDSA with SHA-1; legacy, never in TLS 1.3.
        EcdsaSha1 = 0x0203 => "ecdsa_sha1",
        /// RSASSA-PKCS1-v1_5 with SHA-256; certificates only in TLS 1.3.
        RsaPkcs1Sha256 = 0x0401 => "rsa_pkcs1_sha256",
        /// ECDSA on P-256 with SHA-256.
        EcdsaSecp256r1Sha256 = 0x0403 => "ecdsa_secp256r1_sha256",
        /// RSASSA-PKCS1-v1_5 with SHA-384; certificates only in TLS 1.3.
        RsaPkcs1Sha384 = 0x0501 => "rsa_pkcs1_sha384",
        /// ECDSA on P-384 with SHA-384.
        EcdsaSecp384r1Sha384 = 0x0503 => "ecdsa_secp384r1_sha384",
        /// RSASSA-PKCS1-v1_5 with SHA-512; certificates only in TLS 1.3.
        RsaPkcs1Sha512 = 0x0601 => "rsa_pkcs1_sha512",
        /// ECDSA on P-521 with SHA-512.
        EcdsaSecp521r1Sha512 = 0x0603 => "ecdsa_secp521r1_sha512",
        /// RSASSA-PSS with SHA-256, rsaEncryption key.
        RsaPssRsaeSha256 = 0x0804 => "rsa_pss_rsae_sha256",
        /// RSASSA-PSS with SHA-384, rsaEncryption key.
        RsaPssRsaeSha384 = 0x0805 => "rsa_pss_rsae_sha384",
        /// RSASSA-PSS with SHA-512, rsaEncryption key.
        RsaPssRsaeSha512 = 0x0806 => "rsa_pss_rsae_sha512",
        /// EdDSA on Curve25519 (RFC 8032).
        Ed25519 = 0x0807 => "ed25519",
        /// EdDSA on Curve448 (RFC 8032).
        Ed448 = 0x0808 => "ed448",
        /// RSASSA-PSS with SHA-256, RSASSA-PSS key.
        RsaPssPssSha256 = 0x0809 => "rsa_pss_pss_sha256",
        /// RSASSA-PSS with SHA-384, RSASSA-PSS key.
        RsaPssPssSha384 = 0x080a => "rsa_pss_pss_sha384",
        /// RSASSA-PSS with SHA-512, RSASSA-PSS key.
        RsaPssPssSha512 = 0x080b => "rsa_pss_pss_sha512",
    }
}
