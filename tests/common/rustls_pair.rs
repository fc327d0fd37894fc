//! A stapler server and a rustls client driven against each other in
//! memory: bytes go straight from one to the other, no sockets.

#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};
use stapler::server::ProtocolVersion;
use stapler::{CloseReason, Event, OcspRequest, ServerConfig, ServerConnection};

pub use super::recording_verifier::RecordingVerifier;

/// Reads a file under tests/data/pki.
pub fn pki(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/pki")
            .join(name),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The DER of the first certificate in a PEM file under tests/data/pki.
pub fn pki_der(name: &str) -> Vec<u8> {
    stapler::pki::pem::certificates_from_pem(&pki(name)).unwrap()[0].to_vec()
}

/// The test root, as a rustls trust anchor store.
pub fn roots() -> RootCertStore {
    roots_from(&["root-ca.crt"])
}

/// A trust anchor store of these PEM certificates under tests/data/pki.
pub fn roots_from(names: &[&str]) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    for name in names {
        roots.add(CertificateDer::from(pki_der(name))).unwrap();
    }
    roots
}

/// The ring provider with exactly these TLS 1.3 suites and groups, in this
/// order of preference.
pub fn pinned_provider(
    suites: &[rustls::SupportedCipherSuite],
    groups: &[&'static dyn rustls::crypto::SupportedKxGroup],
) -> rustls::crypto::CryptoProvider {
    rustls::crypto::CryptoProvider {
        cipher_suites: suites.to_vec(),
        kx_groups: groups.to_vec(),
        ..rustls::crypto::ring::default_provider()
    }
}

/// A server config of one chain and key (PEM files under tests/data/pki),
/// with root-ca as the place issuers are looked up.
pub fn server_config(chain: &str, key: &str, ocsp_events: bool) -> ServerConfig {
    ServerConfig::builder()
        .certificate_chain(&pki(chain), &pki(key))
        .unwrap()
        .ca_certificates(&pki("root-ca.crt"))
        .unwrap()
        .ocsp_events(ocsp_events)
        .build()
        .unwrap()
}

/// The ECDSA leaf for localhost, speaking only `versions`.
pub fn config_with_versions(versions: &[ProtocolVersion]) -> ServerConfig {
    ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .protocol_versions(versions)
        .unwrap()
        .build()
        .unwrap()
}

/// A rustls client config of `version` alone, checking the server with
/// `verifier`, with `provider`'s suites and groups. rustls always asks for
/// a staple, and in TLS 1.2 always offers the extended master secret.
pub fn version_client_config(
    version: ProtocolVersion,
    verifier: Arc<RecordingVerifier>,
    provider: rustls::crypto::CryptoProvider,
) -> ClientConfig {
    let rustls_version = match version {
        ProtocolVersion::Tls13 => &rustls::version::TLS13,
        ProtocolVersion::Tls12 => &rustls::version::TLS12,
        other => panic!("rustls does not speak {other:?}"),
    };
    client_config_offering(&[rustls_version], verifier, provider)
}

/// A rustls client config offering `versions`, as
/// [`version_client_config`].
pub fn client_config_offering(
    versions: &[&'static rustls::SupportedProtocolVersion],
    verifier: Arc<RecordingVerifier>,
    provider: rustls::crypto::CryptoProvider,
) -> ClientConfig {
    ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(versions)
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth()
}

/// A TLS 1.3 rustls client config with the default provider.
pub fn client_config(verifier: Arc<RecordingVerifier>) -> ClientConfig {
    client_config_with(verifier, rustls::crypto::ring::default_provider())
}

/// A TLS 1.3 rustls client config with a custom provider (to pin suites
/// or groups).
pub fn client_config_with(
    verifier: Arc<RecordingVerifier>,
    provider: rustls::crypto::CryptoProvider,
) -> ClientConfig {
    version_client_config(ProtocolVersion::Tls13, verifier, provider)
}

/// A TLS 1.2 rustls client config with the default provider.
pub fn tls12_client_config(verifier: Arc<RecordingVerifier>) -> ClientConfig {
    tls12_client_config_with(verifier, rustls::crypto::ring::default_provider())
}

/// A TLS 1.2 rustls client config with a custom provider.
pub fn tls12_client_config_with(
    verifier: Arc<RecordingVerifier>,
    provider: rustls::crypto::CryptoProvider,
) -> ClientConfig {
    version_client_config(ProtocolVersion::Tls12, verifier, provider)
}

/// A `version` rustls client config trusting the test root, with the
/// default provider.
pub fn default_client_config(version: ProtocolVersion) -> ClientConfig {
    version_client_config(
        version,
        RecordingVerifier::new(),
        rustls::crypto::ring::default_provider(),
    )
}

/// A pretend OCSP response: stapler staples bytes, it does not parse them.
pub fn staple(tag: &str) -> Vec<u8> {
    let mut der = vec![0x30, 0x03, 0x0a, 0x01, 0x00];
    der.extend_from_slice(tag.as_bytes());
    der
}

/// The ECDSA leaf for localhost, issued by the test root.
pub fn ecdsa_server_config(ocsp_events: bool) -> ServerConfig {
    server_config("leaf-ecdsa.crt", "leaf-ecdsa.key", ocsp_events)
}

/// A rustls client pinned to TLS_AES_128_GCM_SHA256 (the suite tests open
/// the server's records with) and `groups`, logging its secrets into the
/// log returned.
pub fn logging_client_config(
    groups: &[&'static dyn rustls::crypto::SupportedKxGroup],
) -> (ClientConfig, Arc<SecretLog>) {
    let provider = pinned_provider(
        &[rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256],
        groups,
    );
    let mut config = client_config_with(RecordingVerifier::new(), provider);
    let log = Arc::new(SecretLog::default());
    config.key_log = log.clone();
    (config, log)
}

/// Records the secrets a rustls client derives (its `KeyLog`), so a test can
/// protect records of its own making as that client would.
#[derive(Debug, Default)]
pub struct SecretLog {
    secrets: Mutex<Vec<(String, Vec<u8>)>>,
}

impl SecretLog {
    /// The last secret logged under `label` (NSS key log names, e.g.
    /// `CLIENT_HANDSHAKE_TRAFFIC_SECRET`).
    pub fn get(&self, label: &str) -> Option<Vec<u8>> {
        self.secrets
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|(l, _)| l == label)
            .map(|(_, s)| s.clone())
    }
}

impl rustls::KeyLog for SecretLog {
    fn log(&self, label: &str, _client_random: &[u8], secret: &[u8]) {
        self.secrets
            .lock()
            .unwrap()
            .push((label.to_owned(), secret.to_vec()));
    }

    fn will_log(&self, _label: &str) -> bool {
        true
    }
}

/// A client and a server connection wired together in memory.
pub struct Pair {
    pub client: ClientConnection,
    pub server: ServerConnection,
    /// Every event the server raised, in order (OcspRequests are kept
    /// aside in `ocsp_requests` instead).
    pub events: Vec<Event>,
    pub ocsp_requests: Vec<OcspRequest>,
    /// Bytes the server wrote that the client has not read yet.
    pub to_client: Vec<u8>,
    /// Bytes the client wrote that the server has not taken yet.
    pub pending_to_server: Vec<u8>,
    /// Plaintext the client received and the test has not read yet (taken
    /// from rustls as it arrives, so its buffer never fills).
    pub client_received: Vec<u8>,
    /// Application data the server has received and the pair has read
    /// from it, not yet taken by `server_reads`.
    pub server_received: Vec<u8>,
}

impl Pair {
    pub fn new(client_config: ClientConfig, server_config: Arc<ServerConfig>) -> Self {
        Self::with_name(client_config, server_config, "localhost")
    }

    /// A pair of `client` and the ECDSA server without OCSP events, with
    /// its handshake done.
    pub fn established(client: ClientConfig) -> Self {
        let mut pair = Self::new(client, Arc::new(ecdsa_server_config(false)));
        pair.run().unwrap();
        assert!(pair.server.is_handshake_complete());
        pair
    }

    /// A pair of `client` and the ECDSA server with OCSP events, paused on
    /// the event, having written nothing; the request is returned.
    pub fn paused(client: ClientConfig) -> (Self, OcspRequest) {
        let mut pair = Self::new(client, Arc::new(ecdsa_server_config(true)));
        pair.run().unwrap();
        assert!(pair.server.paused_for().is_some());
        assert!(pair.to_client.is_empty(), "nothing is written while paused");
        let req = pair.ocsp_requests.pop().expect("OcspRequest");
        assert!(pair.ocsp_requests.is_empty());
        (pair, req)
    }

    /// A pair whose client connects to `server_name` (sent as SNI and
    /// checked against the certificate).
    pub fn with_name(
        client_config: ClientConfig,
        server_config: Arc<ServerConfig>,
        server_name: &str,
    ) -> Self {
        let name = ServerName::try_from(server_name.to_owned()).unwrap();
        Self {
            client: ClientConnection::new(Arc::new(client_config), name).unwrap(),
            server: ServerConnection::new(server_config),
            events: Vec::new(),
            ocsp_requests: Vec::new(),
            to_client: Vec::new(),
            pending_to_server: Vec::new(),
            client_received: Vec::new(),
            server_received: Vec::new(),
        }
    }

    /// As [`Pair::with_name`], the server started at `now`, so that it
    /// issues and accepts session tickets.
    pub fn at(
        client_config: Arc<ClientConfig>,
        server_config: Arc<ServerConfig>,
        server_name: &str,
        now: u64,
    ) -> Self {
        let name = ServerName::try_from(server_name.to_owned()).unwrap();
        Self {
            client: ClientConnection::new(client_config, name).unwrap(),
            server: ServerConnection::new_at(server_config, now),
            events: Vec::new(),
            ocsp_requests: Vec::new(),
            to_client: Vec::new(),
            pending_to_server: Vec::new(),
            client_received: Vec::new(),
            server_received: Vec::new(),
        }
    }

    /// A whole handshake to "localhost" with the server started at `now`,
    /// which must complete; the client takes the tickets that follow.
    pub fn completed_at(
        client_config: &Arc<ClientConfig>,
        server_config: &Arc<ServerConfig>,
        now: u64,
    ) -> Self {
        let mut pair = Self::at(
            Arc::clone(client_config),
            Arc::clone(server_config),
            "localhost",
            now,
        );
        pair.run().unwrap();
        assert!(pair.server.is_handshake_complete(), "{:?}", pair.closes());
        pair
    }

    /// Whether the handshake resumed a session, as both sides agree.
    pub fn resumed(&self) -> bool {
        let by_client = self.client.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
        let by_server = self.summary().unwrap().resumption.is_some();
        assert_eq!(by_client, by_server);
        by_server
    }

    /// Client → server: everything the client has to send, as far as the
    /// server takes it (a paused server takes nothing). Returns the
    /// server's error, if it failed.
    pub fn client_to_server(&mut self) -> Result<(), stapler::Error> {
        while self.client.wants_write() {
            self.client.write_tls(&mut self.pending_to_server).unwrap();
        }
        self.feed_pending()
    }

    /// Offers the server the bytes it has not taken yet.
    pub fn feed_pending(&mut self) -> Result<(), stapler::Error> {
        let mut offset = 0;
        let mut result = Ok(());
        while offset < self.pending_to_server.len() {
            let taken = match self.server.feed(&self.pending_to_server[offset..]) {
                Ok(n) => n,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            offset += taken;
            // The server takes at most one more record while data it
            // received is unread: read it, as an application would.
            let read = match self.read_server_data() {
                Ok(n) => n,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            if taken == 0 && read == 0 {
                break;
            }
        }
        self.pending_to_server.drain(..offset);
        self.drain_server();
        result
    }

    /// Reads what application data the server holds into
    /// `server_received`, without a copy out of the server but the one
    /// into that buffer; returns how many bytes.
    fn read_server_data(&mut self) -> Result<usize, stapler::Error> {
        let mut total = 0;
        loop {
            let data = self.server.received();
            if data.is_empty() {
                return Ok(total);
            }
            let n = data.len();
            self.server_received.extend_from_slice(data);
            total += n;
            self.server.consume(n)?;
        }
    }

    /// Collects the server's events and output.
    pub fn drain_server(&mut self) {
        while let Some(ev) = self.server.poll_event() {
            match ev {
                Event::OcspRequest(req) => self.ocsp_requests.push(req),
                // Read as it comes, in `feed_pending`.
                Event::DataReady => {}
                other => self.events.push(other),
            }
        }
        while let Some(bytes) = self.server.poll_transmit() {
            self.to_client.extend_from_slice(&bytes);
        }
    }

    /// Server → client. Returns the client's error, if any.
    pub fn server_to_client(&mut self) -> Result<(), rustls::Error> {
        let data = core::mem::take(&mut self.to_client);
        let mut bytes = &data[..];
        let mut result = Ok(());
        while !bytes.is_empty() {
            self.client.read_tls(&mut bytes).unwrap();
            if let Err(e) = self.client.process_new_packets() {
                result = Err(e);
                break;
            }
            self.take_client_plaintext();
        }
        result
    }

    fn take_client_plaintext(&mut self) {
        use std::io::Read;
        let mut buf = [0u8; 4096];
        loop {
            match self.client.reader().read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.client_received.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => panic!("client read: {e}"),
            }
        }
    }

    /// The client writes `data` as application data and it goes to the
    /// server.
    pub fn client_sends(&mut self, data: &[u8]) -> Result<(), stapler::Error> {
        use std::io::Write;
        self.client.writer().write_all(data).unwrap();
        self.client_to_server()
    }

    /// The server sends `data` and the client processes it.
    pub fn server_sends(&mut self, data: &[u8]) -> Result<(), rustls::Error> {
        assert_eq!(self.server.send(data), Ok(data.len()));
        self.drain_server();
        self.server_to_client()
    }

    /// Every plaintext byte the client has received and not yet read.
    pub fn client_reads(&mut self) -> Vec<u8> {
        self.take_client_plaintext();
        core::mem::take(&mut self.client_received)
    }

    /// The application data the server has delivered so far, joined, and
    /// removed from `events`.
    pub fn server_reads(&mut self) -> Vec<u8> {
        // Data a completion released (the client's records behind a
        // pause) is read here too.
        if let Err(e) = self.read_server_data() {
            panic!("reading the server's data: {e:?}");
        }
        core::mem::take(&mut self.server_received)
    }

    /// The summary of the completed handshake, if the server raised it.
    pub fn summary(&self) -> Option<&stapler::HandshakeSummary> {
        self.events.iter().find_map(|e| match e {
            Event::HandshakeComplete(s) => Some(s),
            _ => None,
        })
    }

    /// The one Closed event the server raised.
    pub fn closed(&self) -> CloseReason {
        match self.closes()[..] {
            [reason] => reason.clone(),
            ref other => panic!("expected one Closed event, got {other:?}"),
        }
    }

    /// Application data both ways, one small and one larger than a record.
    pub fn exchange_data(&mut self) {
        let big: Vec<u8> = (0..40_000u32).map(|i| (i * 7) as u8).collect();
        for data in [&b"ping from the client"[..], &big] {
            self.client_sends(data).unwrap();
            assert_eq!(self.server_reads(), data, "client to server");
            self.server_sends(data).unwrap();
            assert_eq!(self.client_reads(), data, "server to client");
        }
    }

    /// Every Closed event the server raised.
    pub fn closes(&self) -> Vec<&CloseReason> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Closed(reason) => Some(reason),
                _ => None,
            })
            .collect()
    }

    /// Hands `completion` to the server, then runs both sides to the end
    /// of the handshake.
    pub fn complete(&mut self, completion: stapler::Completion) -> Result<(), String> {
        self.server
            .complete(completion, crate::common::ANY_TIME)
            .map_err(|e| format!("complete_ocsp: {e}"))?;
        self.drain_server();
        self.server_to_client()
            .map_err(|e| format!("client: {e}"))?;
        self.run()
    }

    /// Runs both sides until neither has anything to say.
    pub fn run(&mut self) -> Result<(), String> {
        for _ in 0..16 {
            self.client_to_server()
                .map_err(|e| format!("server: {e}"))?;
            if self.to_client.is_empty() && !self.client.wants_write() {
                return Ok(());
            }
            self.server_to_client()
                .map_err(|e| format!("client: {e}"))?;
        }
        Err("no progress after 16 rounds".into())
    }
}
