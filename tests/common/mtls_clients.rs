//! rustls clients that present client certificates from
//! `tests/data/client_pki`: well-behaved, and with a signer that signs
//! wrongly, for the client authentication tests.

use std::sync::{Arc, Mutex};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use stapler::ProtocolVersion;

use super::recording_verifier::RecordingVerifier;

/// Both versions, for tests that run each case in each.
pub const VERSIONS: [ProtocolVersion; 2] = [ProtocolVersion::Tls13, ProtocolVersion::Tls12];

/// A file of the client test PKI.
pub fn client_pki(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/data/client_pki/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn rustls_version(version: ProtocolVersion) -> &'static rustls::SupportedProtocolVersion {
    match version {
        ProtocolVersion::Tls12 => &rustls::version::TLS12,
        _ => &rustls::version::TLS13,
    }
}

pub fn chain_and_key(
    chain: &str,
    key: &str,
) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let chain = stapler::pki::pem::certificates_from_pem_or_der(&client_pki(chain))
        .unwrap()
        .into_iter()
        .map(|c| CertificateDer::from(c.to_vec()))
        .collect();
    let key = stapler::pki::pem::private_key_from_pem_or_der(&client_pki(key)).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.der().to_vec()));
    (chain, key)
}

pub fn builder(
    version: ProtocolVersion,
) -> rustls::ConfigBuilder<rustls::ClientConfig, rustls::client::WantsClientCert> {
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[rustls_version(version)])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(RecordingVerifier::new())
}

/// A rustls client of `version` presenting `chain` (PEM, leaf first) and
/// `key`.
pub fn client_with(version: ProtocolVersion, chain: &str, key: &str) -> Arc<rustls::ClientConfig> {
    let (chain, key) = chain_and_key(chain, key);
    Arc::new(builder(version).with_client_auth_cert(chain, key).unwrap())
}

pub fn client_without(version: ProtocolVersion) -> Arc<rustls::ClientConfig> {
    Arc::new(builder(version).with_no_client_auth())
}

/// A client key whose signatures are wrong: rustls's own signer, with the
/// last byte of each signature flipped.
#[derive(Debug)]
pub struct WrongSigner(Arc<dyn rustls::sign::SigningKey>);

#[derive(Debug)]
pub struct WrongSignature(Box<dyn rustls::sign::Signer>);

impl rustls::sign::SigningKey for WrongSigner {
    fn choose_scheme(
        &self,
        offered: &[rustls::SignatureScheme],
    ) -> Option<Box<dyn rustls::sign::Signer>> {
        self.0
            .choose_scheme(offered)
            .map(|s| Box::new(WrongSignature(s)) as Box<dyn rustls::sign::Signer>)
    }

    fn algorithm(&self) -> rustls::SignatureAlgorithm {
        self.0.algorithm()
    }
}

impl rustls::sign::Signer for WrongSignature {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        let mut signature = self.0.sign(message)?;
        if let Some(last) = signature.last_mut() {
            *last ^= 1;
        }
        Ok(signature)
    }

    fn scheme(&self) -> rustls::SignatureScheme {
        self.0.scheme()
    }
}

/// Presents one certificate with a given key, and keeps the CA names the
/// server hinted (certificate_authorities).
#[derive(Debug)]
pub struct Presenting {
    pub key: Arc<rustls::sign::CertifiedKey>,
    pub hints: Mutex<Vec<Vec<u8>>>,
}

impl rustls::client::ResolvesClientCert for Presenting {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        _: &[rustls::SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        *self.hints.lock().unwrap() = root_hint_subjects.iter().map(|s| s.to_vec()).collect();
        Some(Arc::clone(&self.key))
    }

    fn has_certs(&self) -> bool {
        true
    }
}

pub fn presenting(
    version: ProtocolVersion,
    wrong: bool,
) -> (Arc<rustls::ClientConfig>, Arc<Presenting>) {
    let (chain, key) = chain_and_key("client-ecdsa.crt", "client-ecdsa.key");
    let signer = rustls::crypto::ring::sign::any_supported_type(&key).unwrap();
    let signer: Arc<dyn rustls::sign::SigningKey> = if wrong {
        Arc::new(WrongSigner(signer))
    } else {
        signer
    };
    let resolver = Arc::new(Presenting {
        key: Arc::new(rustls::sign::CertifiedKey::new(chain, signer)),
        hints: Mutex::new(Vec::new()),
    });
    let config = builder(version).with_client_cert_resolver(Arc::clone(&resolver) as Arc<_>);
    (Arc::new(config), resolver)
}
