//! Full TLS 1.3 and TLS 1.2 handshakes, driven in memory by the rustls
//! client, against a stapler server and against a rustls server set up to
//! do the same work, with the server's share of the work (and only that)
//! metered: time, and what the counting allocator saw.
//!
//! Included with `#[path]` by benches/handshake.rs and tests/handshake_alloc.rs,
//! next to `counting_alloc` (which both install as their global allocator).
//!
//! The handshake: x25519, ECDSA P-256 leaf (tests/data/pki/leaf-ecdsa),
//! SNI "localhost", no ALPN, no session tickets, no resumption; with or
//! without a 700-byte OCSP staple; in TLS 1.3 with TLS_AES_128_GCM_SHA256,
//! in TLS 1.2 with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and the extended
//! master secret (which the rustls client always offers). The client's
//! bytes are made outside the meter; everything the server does (making
//! the connection, taking its input, the OCSP event and its answer, writing
//! its output, dropping the connection) is inside it. Both servers write
//! into a buffer the caller owns and reuses.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rustls::crypto::ring::{cipher_suite, kx_group};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConnection, SignatureScheme};
use stapler::{Event, OcspOutcome, ServerConnection};

use crate::counting_alloc::Snapshot;
use recording_verifier::RecordingVerifier;

/// The time handed to `ServerConnection::complete`: the staple policy
/// here is `Trust`, so no check reads it and any value would do.
pub const ANY_TIME: u64 = 0;

#[path = "data_driver.rs"]
pub mod data;
#[path = "hybrid_client.rs"]
pub mod hybrid_client;
#[path = "mtls_driver.rs"]
pub mod mtls;
#[path = "recording_verifier.rs"]
mod recording_verifier;
#[path = "resumed_driver.rs"]
pub mod resumed;

/// The length of the pretend OCSP response stapled.
pub const STAPLE_LEN: usize = 700;

/// The protocol version a handshake is made with: the client offers that
/// one only, so that each server negotiates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    Tls13,
    Tls12,
}

impl Version {
    /// Both, in the order benchmarks report them.
    pub const ALL: [Version; 2] = [Version::Tls13, Version::Tls12];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Version::Tls13 => "tls13",
            Version::Tls12 => "tls12",
        }
    }

    fn rustls(self) -> &'static rustls::SupportedProtocolVersion {
        match self {
            Version::Tls13 => &rustls::version::TLS13,
            Version::Tls12 => &rustls::version::TLS12,
        }
    }
}

/// The server's share of some handshakes: time, and heap use.
#[derive(Clone, Copy, Debug, Default)]
pub struct Meter {
    pub elapsed: Duration,
    pub allocations: u64,
    pub bytes: u64,
}

impl Meter {
    /// Runs `f`, which is server work, and adds what it cost. The counters
    /// are read outside the timed window. Never inlined, so that callgrind
    /// can count inside it alone (`--toggle-collect='*Meter*server*'`).
    #[inline(never)]
    pub fn server<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let before = Snapshot::now();
        let start = Instant::now();
        let value = f();
        let elapsed = start.elapsed();
        let spent = Snapshot::now().since(before);
        self.elapsed += elapsed;
        self.allocations += spent.allocations;
        self.bytes += spent.bytes;
        value
    }
}

/// Reads a file under tests/data/pki.
pub fn pki(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/pki")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The ring provider pinned to one suite of `version` (TLS_AES_128_GCM_SHA256
/// or TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) and x25519, so that both
/// sides can agree on nothing else. In TLS 1.2 the client also lists
/// secp256r1 after x25519: supported_groups names the curves a TLS 1.2
/// client can verify ECDSA signatures on (RFC 8422 §5.1), and the leaf is
/// P-256; both servers still prefer x25519 for the key exchange.
fn provider(version: Version) -> CryptoProvider {
    let (suite, kx_groups) = match version {
        Version::Tls13 => (
            cipher_suite::TLS13_AES_128_GCM_SHA256,
            vec![kx_group::X25519],
        ),
        Version::Tls12 => (
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            vec![kx_group::X25519, kx_group::SECP256R1],
        ),
    };
    CryptoProvider {
        cipher_suites: vec![suite],
        kx_groups,
        ..rustls::crypto::ring::default_provider()
    }
}

/// Everything both servers and the client are made from.
pub struct Fixture {
    /// The client offering TLS 1.3 only, and the one offering TLS 1.2 only.
    pub client: Arc<rustls::ClientConfig>,
    pub client12: Arc<rustls::ClientConfig>,
    /// The client's check of the server: the CertificateVerify (TLS 1.3)
    /// or ServerKeyExchange (TLS 1.2) signature is verified for real; the
    /// chain is taken as it is (the client's cost is not measured, and
    /// tests/tls13_rustls.rs and tests/tls12_rustls.rs check chains). It
    /// keeps the latest staple, for a caller to compare.
    pub check: Arc<RecordingVerifier>,
    pub server_name: ServerName<'static>,
    /// stapler without OCSP events, and with them (each serves both
    /// versions, as stapler's default configuration does).
    pub stapler_plain: Arc<stapler::ServerConfig>,
    pub stapler_ocsp: Arc<stapler::ServerConfig>,
    /// rustls without an OCSP response, and with one: TLS 1.3 only.
    pub rustls_plain: Arc<rustls::ServerConfig>,
    pub rustls_stapled: Arc<rustls::ServerConfig>,
    /// The same for TLS 1.2 only.
    pub rustls12_plain: Arc<rustls::ServerConfig>,
    pub rustls12_stapled: Arc<rustls::ServerConfig>,
    /// A pretend OCSP response of [`STAPLE_LEN`] bytes: neither server nor
    /// this client parses it.
    pub staple: Bytes,
    /// stapler asking for all three decisions: certificate selection,
    /// OCSP, and (with `remote`) signing.
    pub stapler_deferred: Arc<stapler::ServerConfig>,
    /// The same leaf, its key held by `hsm`, outside stapler.
    pub remote: Arc<stapler::CertifiedKey>,
    pub hsm: ring::signature::EcdsaKeyPair,
    pub hsm_rng: ring::rand::SystemRandom,
    /// For resumed handshakes: see [`resumed`].
    pub resumed: resumed::ResumedFixture,
}

impl Fixture {
    pub fn new() -> Self {
        let cert = pki("leaf-ecdsa.crt.der");
        let key = pki("leaf-ecdsa.key.der");
        let staple: Vec<u8> = (0..STAPLE_LEN).map(|i| (i * 31 % 251) as u8).collect();

        let check = Arc::new(
            RecordingVerifier::any_certificate()
                .offering_only(&[SignatureScheme::ECDSA_NISTP256_SHA256])
                .keeping_the_last_staple_only(),
        );
        let client = |version: Version| {
            let mut client =
                rustls::ClientConfig::builder_with_provider(Arc::new(provider(version)))
                    .with_protocol_versions(&[version.rustls()])
                    .unwrap()
                    .dangerous()
                    .with_custom_certificate_verifier(check.clone())
                    .with_no_client_auth();
            client.resumption = rustls::client::Resumption::disabled();
            Arc::new(client)
        };

        let stapler = |ocsp_events| {
            Arc::new(
                stapler::ServerConfig::builder()
                    .certificate_chain(&cert, &key)
                    .unwrap()
                    .ca_certificates(&pki("root-ca.crt"))
                    .unwrap()
                    .ocsp_events(ocsp_events)
                    .build()
                    .unwrap(),
            )
        };
        let rustls = |version: Version, ocsp: &[u8]| {
            let mut config =
                rustls::ServerConfig::builder_with_provider(Arc::new(provider(version)))
                    .with_protocol_versions(&[version.rustls()])
                    .unwrap()
                    .with_no_client_auth()
                    .with_single_cert_with_ocsp(
                        vec![CertificateDer::from(cert.clone())],
                        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.clone())),
                        ocsp.to_vec(),
                    )
                    .unwrap();
            // stapler issues no tickets and keeps no sessions: neither does
            // this server (so its TLS 1.2 session id is empty too), so both
            // do the same handshake.
            config.send_tls13_tickets = 0;
            config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
            Arc::new(config)
        };

        let resumed = resumed::ResumedFixture::new(&cert, &key, &client, &stapler(false), &rustls);
        Self {
            client: client(Version::Tls13),
            client12: client(Version::Tls12),
            check,
            server_name: ServerName::try_from("localhost").unwrap(),
            stapler_plain: stapler(false),
            stapler_ocsp: stapler(true),
            rustls_plain: rustls(Version::Tls13, &[]),
            rustls_stapled: rustls(Version::Tls13, &staple),
            rustls12_plain: rustls(Version::Tls12, &[]),
            rustls12_stapled: rustls(Version::Tls12, &staple),
            staple: Bytes::from(staple),
            stapler_deferred: Arc::new(
                stapler::ServerConfig::builder()
                    .certificate_events(true)
                    .ocsp_events(true)
                    .build()
                    .unwrap(),
            ),
            remote: Arc::new(stapler::CertifiedKey::remote(&cert, &pki("root-ca.crt")).unwrap()),
            hsm: ring::signature::EcdsaKeyPair::from_pkcs8(
                &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                &key,
                &ring::rand::SystemRandom::new(),
            )
            .unwrap(),
            hsm_rng: ring::rand::SystemRandom::new(),
            resumed,
        }
    }

    /// The application's answer to any request of the deferred server:
    /// the remote certificate, the staple, the HSM's signature.
    pub fn answer(&self, event: Event) -> stapler::Completion {
        match event {
            Event::SelectCertificate(req) => req.select(self.remote.clone()),
            Event::OcspRequest(req) => req.answer(Some(self.staple.clone())),
            Event::SignRequest(req) => {
                let signature = self.hsm.sign(&self.hsm_rng, req.message()).unwrap();
                req.signature(signature.as_ref().to_vec())
            }
            other => panic!("not a request: {other:?}"),
        }
    }

    /// A new TLS 1.3 client and its first flight (ClientHello), in
    /// `io.to_server`.
    pub fn client_hello(&self, io: &mut Io) -> ClientConnection {
        self.client_hello_for(Version::Tls13, io)
    }

    /// A new client offering only `version`, and its ClientHello, in
    /// `io.to_server`.
    pub fn client_hello_for(&self, version: Version, io: &mut Io) -> ClientConnection {
        let config = match version {
            Version::Tls13 => &self.client,
            Version::Tls12 => &self.client12,
        };
        self.hello_of(config, io)
    }

    /// A new client made from `config`, for this fixture's server name,
    /// and its ClientHello, in `io.to_server`.
    pub fn hello_of(&self, config: &Arc<rustls::ClientConfig>, io: &mut Io) -> ClientConnection {
        let mut client =
            ClientConnection::new(Arc::clone(config), self.server_name.clone()).expect("client");
        io.to_server.clear();
        while client.wants_write() {
            client.write_tls(&mut io.to_server).unwrap();
        }
        client
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

/// Buffers reused from one handshake to the next, the caller's own: they
/// are made large enough up front that a server writing into them never
/// grows them (which would be counted as the server's allocation).
///
/// The server's connection lives in a slot here for the whole handshake,
/// as a server keeps each connection in its table: made in place, used by
/// reference, dropped in place. Handing it out of one metered closure and
/// into the next instead would copy it through the harness's stack frames
/// several times per handshake (stapler's is 3.6 KB, rustls's 1.2 KB),
/// work that no server does and that evicts the very cache lines both
/// servers and the floor read next.
pub struct Io {
    pub to_server: Vec<u8>,
    pub to_client: Vec<u8>,
    pub stapler: Option<ServerConnection>,
    pub rustls: Option<rustls::ServerConnection>,
}

impl Default for Io {
    fn default() -> Self {
        Self {
            to_server: Vec::with_capacity(1 << 16),
            to_client: Vec::with_capacity(1 << 16),
            stapler: None,
            rustls: None,
        }
    }
}

/// The client reads the server's flight from `io.to_client` and writes its
/// answer into `io.to_server`: in TLS 1.3 change_cipher_spec and Finished,
/// after which it is done; in TLS 1.2 ClientKeyExchange, change_cipher_spec
/// and Finished, after which it waits for the server's Finished.
pub fn client_answers(client: &mut ClientConnection, io: &mut Io) {
    client_reads(client, io);
    if client.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3) {
        assert!(!client.is_handshaking(), "client done");
    }
    io.to_server.clear();
    while client.wants_write() {
        client.write_tls(&mut io.to_server).unwrap();
    }
}

/// The client reads what the server wrote after the client's Finished (in
/// TLS 1.2 its change_cipher_spec and Finished; in TLS 1.3 nothing, since
/// neither server issues tickets) and must be done.
pub fn client_completes(client: &mut ClientConnection, io: &mut Io) {
    let tls13 = client.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3);
    assert!(
        !tls13 || io.to_client.is_empty(),
        "nothing after the handshake"
    );
    client_reads(client, io);
    assert!(!client.is_handshaking(), "client done");
    assert!(!client.wants_write(), "the client has nothing more to say");
}

pub(crate) fn client_reads(client: &mut ClientConnection, io: &mut Io) {
    let mut input = &io.to_client[..];
    while !input.is_empty() {
        client.read_tls(&mut input).unwrap();
        client
            .process_new_packets()
            .expect("client accepts the server's records");
    }
    io.to_client.clear();
}

/// What one stapler handshake produced, checked by the caller if it likes.
pub struct Outcome {
    pub version: stapler::server::ProtocolVersion,
    pub extended_master_secret: bool,
    pub ocsp: OcspOutcome,
    pub server_name: Option<Box<str>>,
    /// The key exchange group.
    pub group: Option<stapler::NamedGroup>,
    /// The client's accepted certificate, if one was asked for.
    pub client_certificate: Option<stapler::pki::VerifiedClient>,
    /// Bytes of the server flight (ServerHello through Finished).
    pub flight_len: usize,
    /// The lengths of its records' fragments, in order.
    pub records: Vec<usize>,
}

/// The fragment lengths of the records in `bytes`.
fn record_lengths(mut bytes: &[u8]) -> Vec<usize> {
    let mut lengths = Vec::new();
    while bytes.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        lengths.push(len);
        bytes = &bytes[(5 + len).min(bytes.len())..];
    }
    lengths
}

/// One stapler handshake in `version`; with `staple`, the OCSP event is
/// raised and answered with it.
pub fn stapler_handshake(
    fx: &Fixture,
    version: Version,
    staple: Option<&Bytes>,
    io: &mut Io,
    m: &mut Meter,
) -> Outcome {
    let client = fx.client_hello_for(version, io);
    let config = match staple {
        Some(_) => &fx.stapler_ocsp,
        None => &fx.stapler_plain,
    };
    m.server(|| {
        let conn = io.stapler.insert(ServerConnection::new(config.clone()));
        let consumed = conn.feed(&io.to_server).expect("hello accepted");
        debug_assert_eq!(consumed, io.to_server.len());
        if let Some(staple) = staple {
            let Some(Event::OcspRequest(request)) = conn.poll_event() else {
                panic!("no OCSP request");
            };
            let completion = request.respond(staple.clone()).expect("not empty");
            conn.complete(completion, ANY_TIME).expect("resumed");
        }
        conn.write_tls_into(&mut io.to_client);
    });
    finish(client, io, m)
}

/// One full TLS 1.3 handshake of `client` (a TLS 1.3 client of this
/// fixture's kind, with other key-exchange groups) with stapler's plain
/// configuration, whose default groups put the post-quantum hybrids
/// first.
pub fn stapler_handshake_of(
    fx: &Fixture,
    client: &Arc<rustls::ClientConfig>,
    io: &mut Io,
    m: &mut Meter,
) -> Outcome {
    let conn_client = fx.hello_of(client, io);
    m.server(|| {
        let conn = io
            .stapler
            .insert(ServerConnection::new(fx.stapler_plain.clone()));
        conn.feed(&io.to_server).expect("hello accepted");
        conn.write_tls_into(&mut io.to_client);
    });
    finish(conn_client, io, m)
}

/// The rest of a stapler handshake whose server flight is in
/// `io.to_client`, its connection in `io.stapler`: the client answers,
/// the server takes its Finished (metered) and is dropped, the client
/// completes.
pub(crate) fn finish(mut client: ClientConnection, io: &mut Io, m: &mut Meter) -> Outcome {
    let flight_len = io.to_client.len();
    let records = record_lengths(&io.to_client);
    client_answers(&mut client, io);
    let summary = m.server(|| {
        let conn = io.stapler.as_mut().expect("a connection in its slot");
        let consumed = conn.feed(&io.to_server).expect("Finished accepted");
        debug_assert_eq!(consumed, io.to_server.len());
        let Some(Event::HandshakeComplete(summary)) = conn.poll_event() else {
            panic!("handshake not complete");
        };
        conn.write_tls_into(&mut io.to_client);
        io.stapler = None;
        summary
    });
    client_completes(&mut client, io);
    Outcome {
        version: summary.version,
        extended_master_secret: summary.extended_master_secret,
        ocsp: summary.ocsp,
        server_name: summary.server_name,
        group: summary.group,
        client_certificate: summary.client_certificate,
        flight_len,
        records,
    }
}

/// One stapler handshake in `version` that pauses for all three
/// decisions, each answered at once: the remote certificate is selected,
/// the staple given, and the HSM signs.
pub fn stapler_deferred_handshake(
    fx: &Fixture,
    version: Version,
    io: &mut Io,
    m: &mut Meter,
) -> Outcome {
    let client = fx.client_hello_for(version, io);
    m.server(|| {
        let conn = io
            .stapler
            .insert(ServerConnection::new(fx.stapler_deferred.clone()));
        let consumed = conn.feed(&io.to_server).expect("hello accepted");
        debug_assert_eq!(consumed, io.to_server.len());
        let mut pauses = 0;
        while let Some(event) = conn.poll_event() {
            conn.complete(fx.answer(event), ANY_TIME).expect("resumed");
            pauses += 1;
        }
        assert_eq!(pauses, 3, "selection, OCSP and signing");
        conn.write_tls_into(&mut io.to_client);
    });
    finish(client, io, m)
}

/// The heap a deferred connection holds at each of its three pauses, in
/// order (selection, OCSP, signing), with its output drained: each from a
/// fresh connection whose earlier requests were answered, measured as
/// `stapler_paused` measures the OCSP pause.
pub fn stapler_deferred_pauses(fx: &Fixture, version: Version, io: &mut Io) -> Vec<Paused> {
    (0..3)
        .map(|pause| {
            let _client = fx.client_hello_for(version, io);
            let start = Snapshot::now();
            let mut conn = ServerConnection::new(fx.stapler_deferred.clone());
            conn.feed(&io.to_server).expect("hello accepted");
            for _ in 0..pause {
                let event = conn.poll_event().expect("a request");
                conn.complete(fx.answer(event), ANY_TIME).expect("resumed");
            }
            let event = conn.poll_event().expect("a request");
            while conn.poll_transmit().is_some() {}
            let both = Snapshot::now().since(start);
            drop(event);
            let connection = Snapshot::now().since(start);
            let paused = Paused {
                connection_heap: connection.live,
                event_heap: both.live - connection.live,
                connection_inline: size_of::<ServerConnection>(),
                event_inline: size_of::<Event>(),
            };
            drop(conn);
            paused
        })
        .collect()
}

/// The same handshake with the rustls server: the staple, if any, is the
/// one in its certified key.
pub fn rustls_handshake(
    fx: &Fixture,
    version: Version,
    stapled: bool,
    io: &mut Io,
    m: &mut Meter,
) -> usize {
    let mut client = fx.client_hello_for(version, io);
    let config = match (version, stapled) {
        (Version::Tls13, false) => &fx.rustls_plain,
        (Version::Tls13, true) => &fx.rustls_stapled,
        (Version::Tls12, false) => &fx.rustls12_plain,
        (Version::Tls12, true) => &fx.rustls12_stapled,
    };
    m.server(|| {
        let conn =
            (io.rustls).insert(rustls::ServerConnection::new(config.clone()).expect("server"));
        rustls_exchange(conn, &io.to_server, &mut io.to_client, "hello accepted");
    });
    let flight_len = io.to_client.len();
    client_answers(&mut client, io);
    m.server(|| {
        let conn = io.rustls.as_mut().expect("a connection in its slot");
        rustls_exchange(conn, &io.to_server, &mut io.to_client, "Finished accepted");
        assert!(!conn.is_handshaking());
        io.rustls = None;
    });
    client_completes(&mut client, io);
    flight_len
}

/// One full handshake of `client` with rustls's server `server`; returns
/// the key exchange group rustls negotiated.
pub fn rustls_handshake_of(
    fx: &Fixture,
    client: &Arc<rustls::ClientConfig>,
    server: &Arc<rustls::ServerConfig>,
    io: &mut Io,
    m: &mut Meter,
) -> Option<rustls::NamedGroup> {
    let mut conn_client = fx.hello_of(client, io);
    m.server(|| {
        let conn =
            (io.rustls).insert(rustls::ServerConnection::new(server.clone()).expect("server"));
        rustls_exchange(conn, &io.to_server, &mut io.to_client, "hello accepted");
    });
    client_answers(&mut conn_client, io);
    let group = m.server(|| {
        let conn = io.rustls.as_mut().expect("a connection in its slot");
        rustls_exchange(conn, &io.to_server, &mut io.to_client, "Finished accepted");
        assert!(!conn.is_handshaking());
        let group = conn.negotiated_key_exchange_group().map(|g| g.name());
        io.rustls = None;
        group
    });
    client_completes(&mut conn_client, io);
    group
}

/// rustls's server reads all of `to_server` (`what` it must accept) and
/// writes all it has to `to_client`.
pub(crate) fn rustls_exchange(
    conn: &mut rustls::ServerConnection,
    to_server: &[u8],
    to_client: &mut Vec<u8>,
    what: &str,
) {
    let mut input = to_server;
    while !input.is_empty() {
        conn.read_tls(&mut input).unwrap();
        conn.process_new_packets().expect(what);
    }
    while conn.wants_write() {
        conn.write_tls(to_client).unwrap();
    }
}

/// Heap held while a handshake waits for the application's OCSP answer.
#[derive(Debug)]
pub struct Paused {
    /// Bytes on the heap owned by the paused connection.
    pub connection_heap: i64,
    /// Bytes on the heap owned by the event (the OcspRequest) handed out.
    pub event_heap: i64,
    /// `size_of` the connection and the event themselves, wherever the
    /// caller keeps them.
    pub connection_inline: usize,
    pub event_inline: usize,
}

/// A stapler connection in `version` after its OcspRequest was raised and
/// taken.
pub fn stapler_paused(fx: &Fixture, version: Version, io: &mut Io) -> Paused {
    let _client = fx.client_hello_for(version, io);
    let start = Snapshot::now();
    let mut conn = ServerConnection::new(fx.stapler_ocsp.clone());
    conn.feed(&io.to_server).expect("hello accepted");
    let event = conn.poll_event().expect("event");
    assert!(matches!(event, Event::OcspRequest(_)));
    assert!(conn.paused_for().is_some() && conn.poll_transmit().is_none());
    let both = Snapshot::now().since(start);
    drop(event);
    let connection = Snapshot::now().since(start);
    let paused = Paused {
        connection_heap: connection.live,
        event_heap: both.live - connection.live,
        connection_inline: size_of::<ServerConnection>(),
        event_inline: size_of::<Event>(),
    };
    drop(conn);
    paused
}

/// rustls's nearest equivalent: an `Acceptor` that has read the same
/// ClientHello and handed out its `Accepted`, which the application holds
/// while it decides on a configuration (for example, fetches a staple).
pub fn rustls_paused(fx: &Fixture, version: Version, io: &mut Io) -> Paused {
    let _client = fx.client_hello_for(version, io);
    let start = Snapshot::now();
    let mut acceptor = rustls::server::Acceptor::default();
    let mut input = &io.to_server[..];
    let accepted = loop {
        acceptor.read_tls(&mut input).unwrap();
        if let Some(accepted) = acceptor.accept().map_err(|(e, _)| e).unwrap() {
            break accepted;
        }
    };
    let held = Snapshot::now().since(start);
    let paused = Paused {
        connection_heap: held.live,
        event_heap: 0,
        connection_inline: size_of::<rustls::server::Acceptor>()
            + size_of::<rustls::server::Accepted>(),
        event_inline: 0,
    };
    drop((acceptor, accepted));
    paused
}
