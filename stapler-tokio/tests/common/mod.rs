//! What the adapter's tests share: the server config of the test PKI, a
//! tokio-rustls client that records the staple it got, and handlers.

#![allow(dead_code)]

#[path = "../../../tests/common/recording_verifier.rs"]
pub mod recording_verifier;

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use stapler::{Completion, OcspRequest, ServerConfig};
use stapler_tokio::Handler;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::client::TlsStream as ClientStream;
use tokio_rustls::TlsConnector;

pub use recording_verifier::RecordingVerifier;

const LEAF: &[u8] = include_bytes!("../../../tests/data/pki/leaf-ecdsa.crt");
const LEAF_KEY: &[u8] = include_bytes!("../../../tests/data/pki/leaf-ecdsa.key");
const ROOT: &[u8] = include_bytes!("../../../tests/data/pki/root-ca.crt");

/// The ECDSA leaf for localhost, its issuer known, OCSP events on.
pub fn server_config() -> Arc<ServerConfig> {
    Arc::new(
        ServerConfig::builder()
            .certificate_chain(LEAF, LEAF_KEY)
            .and_then(|b| b.ca_certificates(ROOT))
            .map(|b| b.ocsp_events(true))
            .and_then(|b| b.build())
            .expect("the test leaf"),
    )
}

/// A rustls client of `version` (TLS 1.3 or 1.2) that checks the chain
/// against the test root and records the staple.
pub fn client(tls13: bool) -> (TlsConnector, Arc<RecordingVerifier>) {
    let verifier = RecordingVerifier::new();
    let version = if tls13 {
        &rustls::version::TLS13
    } else {
        &rustls::version::TLS12
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[version])
    .expect("version")
    .dangerous()
    .with_custom_certificate_verifier(verifier.clone())
    .with_no_client_auth();
    (TlsConnector::from(Arc::new(config)), verifier)
}

/// Connects `connector` to the server over `io`, for "localhost".
pub async fn connect<IO>(connector: &TlsConnector, io: IO) -> std::io::Result<ClientStream<IO>>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let name = ServerName::try_from("localhost").expect("name");
    connector.connect(name, io).await
}

/// Staples `staple` after `delay`.
pub struct StapleAfter {
    pub staple: Vec<u8>,
    pub delay: Duration,
}

impl Handler for StapleAfter {
    async fn ocsp(&self, request: OcspRequest) -> Completion {
        tokio::time::sleep(self.delay).await;
        request.answer(Some(self.staple.clone().into()))
    }
}

/// Every decision its default: no staple, the config's certificate.
pub struct Defaults;

impl Handler for Defaults {}

/// Never answers the OCSP request.
pub struct NeverAnswers;

impl Handler for NeverAnswers {
    async fn ocsp(&self, request: OcspRequest) -> Completion {
        std::future::pending::<()>().await;
        request.answer(None)
    }
}

/// A pretend OCSP response: neither end parses it.
pub fn staple(tag: &str) -> Vec<u8> {
    let mut der = vec![0x30, 0x03, 0x0a, 0x01, 0x00];
    der.extend_from_slice(tag.as_bytes());
    der
}

#[path = "../../../tests/common/peers.rs"]
pub mod peers;

/// The test root's path, for peers that read it from a file.
pub const ROOT_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/pki/root-ca.crt");
