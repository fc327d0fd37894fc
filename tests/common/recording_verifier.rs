//! The rustls client's check of a stapler server, for every test and bench
//! that drives one: it records the OCSP response the server stapled (for a
//! byte-for-byte comparison), verifies the handshake signature for real,
//! and either verifies the certificate chain against trust roots, as rustls
//! does, or takes any certificate, where the chain is not what is under
//! test. It may also limit the signature schemes the client offers (rustls
//! puts `supported_verify_schemes` in signature_algorithms), which pins the
//! scheme the server must sign with.
//!
//! Part of `common`, and included with `#[path]` by
//! tests/common/handshake_driver.rs (and so by benches/handshake.rs): it
//! depends on nothing else here.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

/// Verifies the server as set up, and records its staples.
#[derive(Debug)]
pub struct RecordingVerifier {
    /// The chain check, or `None` to take any certificate.
    chain: Option<Arc<WebPkiServerVerifier>>,
    /// How handshake signatures are verified (ring's algorithms).
    algorithms: WebPkiSupportedAlgorithms,
    /// The schemes offered, when not all that `algorithms` verify.
    only_schemes: Option<Vec<SignatureScheme>>,
    /// Whether to keep only the latest staple, for a client that makes
    /// handshakes without end (a benchmark).
    keep_last_only: bool,
    /// The staples, oldest first; empty where none came.
    staples: Mutex<Vec<Vec<u8>>>,
}

impl RecordingVerifier {
    /// Trusts tests/data/pki's root; offers every scheme it verifies.
    pub fn new() -> Arc<Self> {
        Self::custom(test_root(), None)
    }

    /// Trusts `roots`; offers only `only_schemes` when given.
    pub fn custom(roots: RootCertStore, only_schemes: Option<Vec<SignatureScheme>>) -> Arc<Self> {
        let mut verifier = Self::trusting(roots);
        verifier.only_schemes = only_schemes;
        Arc::new(verifier)
    }

    /// Verifies the chain to `roots`, and the server's name and the
    /// certificates' validity, as rustls does.
    pub fn trusting(roots: RootCertStore) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let chain = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .expect("a usable set of trust roots");
        Self {
            chain: Some(chain),
            ..Self::any_certificate()
        }
    }

    /// Takes any certificate; still verifies the handshake signature made
    /// with it.
    pub fn any_certificate() -> Self {
        Self {
            chain: None,
            algorithms: rustls::crypto::ring::default_provider().signature_verification_algorithms,
            only_schemes: None,
            keep_last_only: false,
            staples: Mutex::new(Vec::new()),
        }
    }

    /// Offers only `schemes`.
    pub fn offering_only(self, schemes: &[SignatureScheme]) -> Self {
        Self {
            only_schemes: Some(schemes.to_vec()),
            ..self
        }
    }

    /// Keeps only the latest staple rather than every one.
    pub fn keeping_the_last_staple_only(self) -> Self {
        Self {
            keep_last_only: true,
            ..self
        }
    }

    /// The staple of the latest handshake (empty if none was stapled), or
    /// `None` before the first.
    pub fn last_staple(&self) -> Option<Vec<u8>> {
        self.staples.lock().unwrap().last().cloned()
    }

    /// Forgets the staples recorded so far.
    pub fn forget_staples(&self) {
        self.staples.lock().unwrap().clear();
    }

    /// Every staple recorded, oldest first.
    pub fn staples(&self) -> Vec<Vec<u8>> {
        self.staples.lock().unwrap().clone()
    }
}

/// tests/data/pki's root CA as a trust store.
fn test_root() -> RootCertStore {
    // Beside this file, wherever the crate that includes it lives.
    let pem = include_bytes!("../data/pki/root-ca.crt");
    let der = stapler::pki::pem::certificates_from_pem(pem).expect("the root's PEM")[0].to_vec();
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(der))
        .expect("a usable trust anchor");
    roots
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        {
            let mut staples = self.staples.lock().unwrap();
            if self.keep_last_only {
                staples.clear();
            }
            staples.push(ocsp_response.to_vec());
        }
        match &self.chain {
            Some(chain) => {
                chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        match &self.only_schemes {
            Some(schemes) => schemes.clone(),
            None => self.algorithms.supported_schemes(),
        }
    }
}
