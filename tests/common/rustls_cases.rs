//! What tests/tls13_rustls.rs and tests/tls12_rustls.rs check alike with
//! the rustls client in memory, given the version: the suite × group ×
//! signature scheme matrix, and the cases whose every step is the same in
//! both (an OCSP abort, ALPN without overlap, closing either way).

use std::sync::Arc;

use rustls::crypto::ring::{cipher_suite, kx_group};
use stapler::codec::AlertDescription;
use stapler::server::ProtocolVersion;
use stapler::{
    CipherSuite, CloseReason, Error, Misuse, NamedGroup, OcspOutcome, PeerMisbehaved, ServerConfig,
    SignatureScheme,
};

use super::rustls_pair::{
    default_client_config, pinned_provider, pki, roots_from, server_config, version_client_config,
    Pair, RecordingVerifier,
};
use super::wire::plaintext_alert;

/// The cipher of a suite; the version (and in TLS 1.2 the certificate's
/// key) make the rest of it.
#[derive(Clone, Copy, Debug)]
pub enum Cipher {
    /// AES-128-GCM with SHA-256.
    Aes128,
    /// AES-256-GCM with SHA-384.
    Aes256,
    /// ChaCha20-Poly1305 with SHA-256.
    Chacha,
}

/// The key a certificate holds, as a TLS 1.2 suite names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// ECDSA, or EdDSA, which signs for the ECDHE_ECDSA suites (RFC 8422
    /// §5.1.1).
    Ecdsa,
    /// RSA.
    Rsa,
}

impl Cipher {
    /// The suite of `version` with this cipher for a certificate of `auth`,
    /// as rustls and stapler name it.
    pub fn suite(
        self,
        version: ProtocolVersion,
        auth: Auth,
    ) -> (rustls::SupportedCipherSuite, CipherSuite) {
        use Auth::{Ecdsa, Rsa};
        use Cipher::{Aes128, Aes256, Chacha};
        match (version, self, auth) {
            (ProtocolVersion::Tls13, Aes128, _) => (
                cipher_suite::TLS13_AES_128_GCM_SHA256,
                CipherSuite::TlsAes128GcmSha256,
            ),
            (ProtocolVersion::Tls13, Aes256, _) => (
                cipher_suite::TLS13_AES_256_GCM_SHA384,
                CipherSuite::TlsAes256GcmSha384,
            ),
            (ProtocolVersion::Tls13, Chacha, _) => (
                cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
                CipherSuite::TlsChacha20Poly1305Sha256,
            ),
            (ProtocolVersion::Tls12, Aes128, Ecdsa) => (
                cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256,
            ),
            (ProtocolVersion::Tls12, Aes256, Ecdsa) => (
                cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                CipherSuite::TlsEcdheEcdsaWithAes256GcmSha384,
            ),
            (ProtocolVersion::Tls12, Chacha, Ecdsa) => (
                cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                CipherSuite::TlsEcdheEcdsaWithChacha20Poly1305Sha256,
            ),
            (ProtocolVersion::Tls12, Aes128, Rsa) => (
                cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                CipherSuite::TlsEcdheRsaWithAes128GcmSha256,
            ),
            (ProtocolVersion::Tls12, Aes256, Rsa) => (
                cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                CipherSuite::TlsEcdheRsaWithAes256GcmSha384,
            ),
            (ProtocolVersion::Tls12, Chacha, Rsa) => (
                cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                CipherSuite::TlsEcdheRsaWithChacha20Poly1305Sha256,
            ),
            (other, _, _) => panic!("no suites for {other:?}"),
        }
    }
}

/// A key exchange group.
#[derive(Clone, Copy, Debug)]
pub enum KxGroup {
    /// x25519.
    X25519,
    /// secp256r1.
    P256,
    /// secp384r1.
    P384,
}

impl KxGroup {
    /// The group as rustls has it.
    pub fn rustls(self) -> &'static dyn rustls::crypto::SupportedKxGroup {
        match self {
            Self::X25519 => kx_group::X25519,
            Self::P256 => kx_group::SECP256R1,
            Self::P384 => kx_group::SECP384R1,
        }
    }

    /// The group as stapler names it.
    pub fn stapler(self) -> NamedGroup {
        match self {
            Self::X25519 => NamedGroup::X25519,
            Self::P256 => NamedGroup::Secp256r1,
            Self::P384 => NamedGroup::Secp384r1,
        }
    }
}

/// A certificate to serve (PEM files under tests/data/pki), how the client
/// reaches and trusts it, and the one signature scheme the client offers.
#[derive(Debug)]
pub struct Leaf {
    /// The chain, leaf first.
    pub chain: &'static str,
    /// Its private key.
    pub key: &'static str,
    /// The name the client connects to.
    pub name: &'static str,
    /// What the client trusts.
    pub roots: &'static [&'static str],
    /// Its key.
    pub auth: Auth,
    /// The scheme, as stapler names it.
    pub scheme: SignatureScheme,
    /// The scheme, as rustls names it.
    pub rustls_scheme: rustls::SignatureScheme,
}

impl Leaf {
    /// The curve of an ECDSA leaf's key, which its scheme names.
    pub fn ecdsa_curve(&self) -> Option<KxGroup> {
        match self.scheme {
            SignatureScheme::EcdsaSecp256r1Sha256 => Some(KxGroup::P256),
            SignatureScheme::EcdsaSecp384r1Sha384 => Some(KxGroup::P384),
            _ => None,
        }
    }
}

/// The ECDSA P-256 leaf for localhost.
pub const ECDSA_P256: Leaf = Leaf {
    chain: "leaf-ecdsa.crt",
    key: "leaf-ecdsa.key",
    name: "localhost",
    roots: &["root-ca.crt"],
    auth: Auth::Ecdsa,
    scheme: SignatureScheme::EcdsaSecp256r1Sha256,
    rustls_scheme: rustls::SignatureScheme::ECDSA_NISTP256_SHA256,
};

/// The only P-384 leaf is self-signed; the client trusts it as its root.
pub const ECDSA_P384: Leaf = Leaf {
    chain: "self-signed.crt",
    key: "self-signed.key",
    name: "self-signed.example.test",
    roots: &["self-signed.crt"],
    auth: Auth::Ecdsa,
    scheme: SignatureScheme::EcdsaSecp384r1Sha384,
    rustls_scheme: rustls::SignatureScheme::ECDSA_NISTP384_SHA384,
};

/// The Ed25519 leaf for localhost.
pub const ED25519: Leaf = Leaf {
    chain: "leaf-ed25519.crt",
    key: "leaf-ed25519.key",
    name: "localhost",
    roots: &["root-ca.crt"],
    auth: Auth::Ecdsa,
    scheme: SignatureScheme::Ed25519,
    rustls_scheme: rustls::SignatureScheme::ED25519,
};

/// The RSA leaf (with its intermediate) signing with PKCS#1 v1.5 and
/// SHA-256, which only TLS 1.2 allows in a handshake.
pub const RSA_PKCS1_SHA256: Leaf = Leaf {
    chain: "leaf-rsa-chain.pem",
    key: "leaf-rsa.key",
    name: "localhost",
    roots: &["root-ca.crt"],
    auth: Auth::Rsa,
    scheme: SignatureScheme::RsaPkcs1Sha256,
    rustls_scheme: rustls::SignatureScheme::RSA_PKCS1_SHA256,
};

/// The RSA leaf with PKCS#1 v1.5 and SHA-384.
pub const RSA_PKCS1_SHA384: Leaf = Leaf {
    scheme: SignatureScheme::RsaPkcs1Sha384,
    rustls_scheme: rustls::SignatureScheme::RSA_PKCS1_SHA384,
    ..RSA_PKCS1_SHA256
};

/// The RSA leaf with PKCS#1 v1.5 and SHA-512.
pub const RSA_PKCS1_SHA512: Leaf = Leaf {
    scheme: SignatureScheme::RsaPkcs1Sha512,
    rustls_scheme: rustls::SignatureScheme::RSA_PKCS1_SHA512,
    ..RSA_PKCS1_SHA256
};

/// The RSA leaf with RSA-PSS and SHA-256.
pub const RSA_PSS_SHA256: Leaf = Leaf {
    scheme: SignatureScheme::RsaPssRsaeSha256,
    rustls_scheme: rustls::SignatureScheme::RSA_PSS_SHA256,
    ..RSA_PKCS1_SHA256
};

/// The RSA leaf with RSA-PSS and SHA-384.
pub const RSA_PSS_SHA384: Leaf = Leaf {
    scheme: SignatureScheme::RsaPssRsaeSha384,
    rustls_scheme: rustls::SignatureScheme::RSA_PSS_SHA384,
    ..RSA_PKCS1_SHA256
};

/// The RSA leaf with RSA-PSS and SHA-512.
pub const RSA_PSS_SHA512: Leaf = Leaf {
    scheme: SignatureScheme::RsaPssRsaeSha512,
    rustls_scheme: rustls::SignatureScheme::RSA_PSS_SHA512,
    ..RSA_PKCS1_SHA256
};

/// One handshake of the matrix: a rustls client of `version` offering only
/// `cipher`, `group` and `leaf`'s scheme. Both sides must agree on all of
/// them, and data must flow both ways.
pub fn matrix_case(version: ProtocolVersion, cipher: Cipher, group: KxGroup, leaf: &Leaf) {
    let (rustls_suite, stapler_suite) = cipher.suite(version, leaf.auth);
    let verifier =
        RecordingVerifier::custom(roots_from(leaf.roots), Some(vec![leaf.rustls_scheme]));
    // A TLS 1.2 client names in supported_groups the curves it verifies
    // ECDSA signatures on too (RFC 8422 §5.1), so one whose key exchange
    // is on another group lists the leaf's curve second; the server, which
    // takes `group` alone for key exchange, still chooses `group`.
    let mut groups = vec![group.rustls()];
    let server_config = match leaf.ecdsa_curve() {
        Some(curve) if version == ProtocolVersion::Tls12 && curve.stapler() != group.stapler() => {
            groups.push(curve.rustls());
            stapler::ServerConfig::builder()
                .certificate_chain(&pki(leaf.chain), &pki(leaf.key))
                .unwrap()
                .key_exchange_groups(&[group.stapler()])
                .unwrap()
                .build()
                .unwrap()
        }
        _ => server_config(leaf.chain, leaf.key, false),
    };
    let provider = pinned_provider(&[rustls_suite], &groups);
    let mut pair = Pair::with_name(
        version_client_config(version, verifier, provider),
        Arc::new(server_config),
        leaf.name,
    );
    pair.run().unwrap();
    assert!(!pair.client.is_handshaking());
    assert!(pair.server.is_handshake_complete());

    let summary = pair.summary().expect("HandshakeComplete").clone();
    assert_eq!(summary.version, version);
    assert_eq!(summary.cipher_suite, stapler_suite);
    assert_eq!(summary.group, Some(group.stapler()));
    assert_eq!(summary.signature_scheme, Some(leaf.scheme));
    assert_eq!(summary.alpn_protocol, None);
    assert_eq!(summary.server_name.as_deref(), Some(leaf.name));
    assert!(!summary.hello_retry);
    // TLS 1.3's key schedule always hashes the transcript in; in TLS 1.2
    // rustls always offers the extended master secret.
    assert!(summary.extended_master_secret);
    assert_eq!(summary.ocsp, OcspOutcome::NotRequested);

    // rustls agrees on what was negotiated.
    let rustls_version = match version {
        ProtocolVersion::Tls12 => rustls::ProtocolVersion::TLSv1_2,
        _ => rustls::ProtocolVersion::TLSv1_3,
    };
    assert_eq!(pair.client.protocol_version(), Some(rustls_version));
    let client_suite = pair.client.negotiated_cipher_suite().unwrap();
    assert_eq!(client_suite.suite(), rustls_suite.suite());
    let client_group = pair.client.negotiated_key_exchange_group().unwrap();
    assert_eq!(client_group.name(), group.rustls().name());

    pair.exchange_data();
}

/// One [`matrix_case`] test per (scheme, cipher, group) of
/// `stapler::server::ProtocolVersion::$version`:
/// `matrix::<scheme>::<cipher>_<group>`, for each `scheme => LEAF` (a
/// [`Leaf`] of this module).
#[allow(unused_macros)] // by the test binaries other than the two above
macro_rules! matrix_tests {
    ($version:ident; $($scheme:ident => $leaf:ident),* $(,)?) => {
        mod matrix {$(
            mod $scheme {
                use $crate::common::rustls_cases::{matrix_case, Cipher::*, KxGroup::*, $leaf};
                use stapler::server::ProtocolVersion::$version as VERSION;

                #[test] fn aes128_x25519() { matrix_case(VERSION, Aes128, X25519, &$leaf) }
                #[test] fn aes128_p256() { matrix_case(VERSION, Aes128, P256, &$leaf) }
                #[test] fn aes128_p384() { matrix_case(VERSION, Aes128, P384, &$leaf) }
                #[test] fn aes256_x25519() { matrix_case(VERSION, Aes256, X25519, &$leaf) }
                #[test] fn aes256_p256() { matrix_case(VERSION, Aes256, P256, &$leaf) }
                #[test] fn aes256_p384() { matrix_case(VERSION, Aes256, P384, &$leaf) }
                #[test] fn chacha_x25519() { matrix_case(VERSION, Chacha, X25519, &$leaf) }
                #[test] fn chacha_p256() { matrix_case(VERSION, Chacha, P256, &$leaf) }
                #[test] fn chacha_p384() { matrix_case(VERSION, Chacha, P384, &$leaf) }
            }
        )*}
    };
}
#[allow(unused_imports)] // likewise
pub(crate) use matrix_tests;

/// A pair of a `version` client offering `client_protocols` by ALPN and a
/// server of the ECDSA leaf speaking `h2` and `http/1.1`, in that order of
/// preference.
pub fn alpn_pair(version: ProtocolVersion, client_protocols: &[&[u8]]) -> Pair {
    let config = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .alpn_protocols(["h2", "http/1.1"])
        .unwrap()
        .build()
        .unwrap();
    let mut client = default_client_config(version);
    client.alpn_protocols = client_protocols.iter().map(|p| p.to_vec()).collect();
    Pair::new(client, Arc::new(config))
}

/// abort() from the OCSP event: a fatal internal_error alert, in the clear
/// (nothing was sent before it), and the reason in the Closed event.
pub fn abort_sends_internal_error_and_reports_the_reason(version: ProtocolVersion) {
    let (mut pair, req) = Pair::paused(default_client_config(version));
    let result = pair
        .server
        .complete(req.abort("responder down"), crate::common::ANY_TIME);
    assert!(
        result.is_ok(),
        "an abort is not an error of the call: {result:?}"
    );
    pair.drain_server();
    assert!(pair.server.is_closed());
    assert_eq!(pair.to_client, plaintext_alert(80));
    assert_eq!(
        pair.server_to_client(),
        Err(rustls::Error::AlertReceived(
            rustls::AlertDescription::InternalError
        ))
    );
    assert_eq!(
        pair.closed(),
        CloseReason::Error {
            error: Error::OcspAborted("responder down".into()),
            alert: Some(AlertDescription::InternalError),
        }
    );
    assert!(pair.summary().is_none());
}

/// ALPN offered on both sides without a protocol in common: the
/// no_application_protocol alert (RFC 7301 §3.2).
pub fn alpn_without_overlap_is_no_application_protocol(version: ProtocolVersion) {
    let mut pair = alpn_pair(version, &[b"h3", b"spdy/3"]);
    let expected = Error::PeerMisbehaved(PeerMisbehaved::NoCommonAlpnProtocol);
    assert_eq!(pair.client_to_server(), Err(expected.clone()));
    assert_eq!(pair.to_client, plaintext_alert(120));
    assert_eq!(
        pair.server_to_client(),
        Err(rustls::Error::AlertReceived(
            rustls::AlertDescription::NoApplicationProtocol
        ))
    );
    assert_eq!(
        pair.closed(),
        CloseReason::Error {
            error: expected,
            alert: Some(AlertDescription::NoApplicationProtocol),
        }
    );
    assert!(pair.server.is_closed());
}

/// The client's close_notify is answered with the server's, and the
/// connection takes nothing more.
pub fn client_close_notify_is_answered(version: ProtocolVersion) {
    let mut pair = Pair::established(default_client_config(version));
    pair.exchange_data();
    pair.client.send_close_notify();
    pair.client_to_server().unwrap();
    assert_eq!(pair.closed(), CloseReason::PeerClosed);
    assert!(pair.server.is_closed());
    assert!(!pair.to_client.is_empty(), "close_notify in answer");
    pair.server_to_client().unwrap();
    assert!(pair.client.process_new_packets().unwrap().peer_has_closed());
    assert_eq!(
        pair.server.send(b"late"),
        Err(Error::Misuse(Misuse::Closed))
    );
    assert_eq!(
        pair.server.feed(b"late"),
        Err(Error::Misuse(Misuse::Closed))
    );
}

/// The server's close() sends close_notify after the data before it;
/// closing twice does nothing more.
pub fn server_close_reaches_the_client(version: ProtocolVersion) {
    let mut pair = Pair::established(default_client_config(version));
    pair.server_sends(b"last words").unwrap();
    pair.server.close();
    pair.drain_server();
    assert_eq!(pair.closed(), CloseReason::LocalClose);
    pair.server_to_client().unwrap();
    assert!(pair.client.process_new_packets().unwrap().peer_has_closed());
    assert_eq!(pair.client_reads(), b"last words");
    pair.server.close();
    assert!(pair.server.poll_transmit().is_none());
    assert!(pair.server.poll_event().is_none());
}

/// A `#[test]` for each case above that needs nothing more of its version,
/// named as the case and run with
/// `stapler::server::ProtocolVersion::$version`.
#[allow(unused_macros)] // by the test binaries other than the two above
macro_rules! version_independent_tests {
    ($version:ident) => {
        $crate::common::scenario_tests!(
            rustls_cases, stapler::server::ProtocolVersion::$version;
            abort_sends_internal_error_and_reports_the_reason,
            alpn_without_overlap_is_no_application_protocol,
            client_close_notify_is_answered,
            server_close_reaches_the_client,
        );
    };
}
#[allow(unused_imports)] // likewise
pub(crate) use version_independent_tests;
