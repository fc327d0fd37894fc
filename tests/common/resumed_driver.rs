//! Resumed handshakes, the server's part metered, for the benchmark and
//! the allocation test: TLS 1.3 psk_dhe_ke and TLS 1.2 tickets by the
//! rustls client against stapler and against rustls's server, and TLS 1.3
//! psk_ke by the hand-built PSK client (`tls13_psk_client.rs`; rustls
//! neither offers nor accepts psk_ke) against stapler.
//!
//! Each server issues new tickets as it resumes: stapler two in TLS 1.3 and
//! one in TLS 1.2 (its defaults), rustls the same (its ticketer, two TLS
//! 1.3 tickets).

use std::sync::Arc;

use rustls::ClientConnection;
use stapler::tickets::{ResumptionState, TicketKeyPolicy, TicketKeys};
use stapler::{Event, ServerConnection};

use super::{client_answers, client_reads, rustls_exchange, Fixture, Io, Meter, Version};

#[path = "tls13_psk_client.rs"]
pub mod psk_client;

/// The time resumed handshakes start at.
pub const RESUME_NOW: u64 = 1_800_000_000;

/// How a handshake resumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resumed {
    Tls13PskDheKe,
    Tls13PskKe,
    Tls12Ticket,
}

impl Resumed {
    pub const ALL: [Resumed; 3] = [
        Resumed::Tls13PskDheKe,
        Resumed::Tls13PskKe,
        Resumed::Tls12Ticket,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Resumed::Tls13PskDheKe => "tls13-psk_dhe_ke",
            Resumed::Tls13PskKe => "tls13-psk_ke",
            Resumed::Tls12Ticket => "tls12-ticket",
        }
    }
}

/// The clients and servers of resumed handshakes.
pub struct ResumedFixture {
    /// Clients that keep tickets, one per server and version (a client
    /// offers a server the tickets it got for that name, whoever issued
    /// them), indexed by [`STAPLER`], [`RUSTLS`] and [`FLOOR`].
    pub clients13: [Arc<rustls::ClientConfig>; 3],
    pub clients12: [Arc<rustls::ClientConfig>; 3],
    /// stapler with its defaults (tickets on).
    pub stapler: Arc<stapler::ServerConfig>,
    /// rustls with its ticketer, each version its own config.
    pub rustls13: Arc<rustls::ServerConfig>,
    pub rustls12: Arc<rustls::ServerConfig>,
    /// stapler allowing psk_ke, with keys the fixture holds, and a ticket
    /// it sealed with them for the PSK client, with its PSK.
    pub stapler_psk_ke: Arc<stapler::ServerConfig>,
    pub psk_ke_ticket: Vec<u8>,
    pub psk: Vec<u8>,
    /// The secret of the key `stapler_psk_ke` seals with, for the
    /// benchmark's floor, which opens and seals tickets with ring alone.
    pub ticket_secret: [u8; 32],
}

/// Which client of [`ResumedFixture`]'s is whose.
pub const STAPLER: usize = 0;
pub const RUSTLS: usize = 1;
pub const FLOOR: usize = 2;

impl ResumedFixture {
    pub fn new(
        cert: &[u8],
        key: &[u8],
        client: &dyn Fn(Version) -> Arc<rustls::ClientConfig>,
        stapler: &Arc<stapler::ServerConfig>,
        rustls: &dyn Fn(Version, &[u8]) -> Arc<rustls::ServerConfig>,
    ) -> Self {
        let resuming = |version| {
            let mut config = (*client(version)).clone();
            config.resumption = rustls::client::Resumption::in_memory_sessions(16);
            Arc::new(config)
        };
        let with_tickets = |version| {
            let mut config = (*rustls(version, &[])).clone();
            config.ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
            config.send_tls13_tickets = 2;
            Arc::new(config)
        };
        let keys = Arc::new(TicketKeys::new(TicketKeyPolicy::default(), RESUME_NOW).unwrap());
        let psk: Vec<u8> = (0..32).collect();
        let state = ResumptionState {
            version: stapler::ProtocolVersion::Tls13,
            cipher_suite: stapler::CipherSuite::from_wire(0x1301),
            secret: zeroize::Zeroizing::new(psk.clone()),
            extended_master_secret: true,
            issued: RESUME_NOW,
            lifetime: 3600,
            age_add: 0,
            certificate_hash: ring::digest::digest(&ring::digest::SHA256, cert)
                .as_ref()
                .try_into()
                .unwrap(),
            server_name: Some("localhost".into()),
            alpn_protocol: None,
        };
        let psk_ke_ticket = keys.seal(&state.encode().unwrap()).unwrap();
        // The export's layout (src/tickets/export.rs): a 21-byte tag, the
        // count, then each key's name (16), creation time (8) and secret.
        let exported = keys.export();
        let ticket_secret = exported[21 + 1 + 16 + 8..][..32].try_into().unwrap();
        Self {
            clients13: [(); 3].map(|_| resuming(Version::Tls13)),
            clients12: [(); 3].map(|_| resuming(Version::Tls12)),
            stapler: Arc::clone(stapler),
            rustls13: with_tickets(Version::Tls13),
            rustls12: with_tickets(Version::Tls12),
            stapler_psk_ke: Arc::new(
                stapler::ServerConfig::builder()
                    .certificate_chain(cert, key)
                    .unwrap()
                    .ticket_keys(keys)
                    .psk_ke(true)
                    .build()
                    .unwrap(),
            ),
            psk_ke_ticket,
            psk,
            ticket_secret,
        }
    }

    /// The client of `version` that `server` ([`STAPLER`], [`RUSTLS`],
    /// [`FLOOR`]) serves.
    pub fn client(&self, version: Version, server: usize) -> &Arc<rustls::ClientConfig> {
        match version {
            Version::Tls13 => &self.clients13[server],
            Version::Tls12 => &self.clients12[server],
        }
    }
}

/// One handshake of the resuming rustls client offering `version` with
/// stapler (started at [`RESUME_NOW`], so it issues and takes tickets),
/// the server's part metered; the client keeps the tickets. Returns
/// whether it resumed: the first is a full handshake.
pub fn stapler_resumed_handshake(
    fx: &Fixture,
    version: Version,
    io: &mut Io,
    m: &mut Meter,
) -> bool {
    let rf = &fx.resumed;
    let client = rf.client(version, STAPLER);
    let summary = stapler_serves(fx, client, &rf.stapler, io, m, None);
    summary.resumption.is_some()
}

/// One handshake of `client`'s client with `server` started at
/// [`RESUME_NOW`], the server's part metered; the client keeps the
/// tickets. `server_hello`, if given, receives the ServerHello message.
pub fn stapler_serves(
    fx: &Fixture,
    client: &Arc<rustls::ClientConfig>,
    server: &Arc<stapler::ServerConfig>,
    io: &mut Io,
    m: &mut Meter,
    server_hello: Option<&mut Vec<u8>>,
) -> stapler::HandshakeSummary {
    let mut client = resuming_hello(client, fx, io);
    m.server(|| {
        let conn = io
            .stapler
            .insert(ServerConnection::new_at(server.clone(), RESUME_NOW));
        conn.feed(&io.to_server).expect("hello accepted");
        conn.write_tls_into(&mut io.to_client);
    });
    if let Some(out) = server_hello {
        *out = first_message(&io.to_client).to_vec();
    }
    client_answers(&mut client, io);
    let summary = m.server(|| finish(io));
    client_reads(&mut client, io);
    assert!(!client.is_handshaking());
    summary
}

/// The first handshake message in the first record of `records`.
pub fn first_message(records: &[u8]) -> &[u8] {
    let message = &records[5..];
    let len =
        usize::from(message[1]) << 16 | usize::from(message[2]) << 8 | usize::from(message[3]);
    &message[..4 + len]
}

/// The same with rustls's server.
pub fn rustls_resumed_handshake(
    fx: &Fixture,
    version: Version,
    io: &mut Io,
    m: &mut Meter,
) -> bool {
    let rf = &fx.resumed;
    let config = match version {
        Version::Tls13 => &rf.rustls13,
        Version::Tls12 => &rf.rustls12,
    };
    let mut client = resuming_hello(rf.client(version, RUSTLS), fx, io);
    m.server(|| {
        let conn =
            (io.rustls).insert(rustls::ServerConnection::new(config.clone()).expect("server"));
        rustls_exchange(conn, &io.to_server, &mut io.to_client, "hello accepted");
    });
    client_answers(&mut client, io);
    let resumed = m.server(|| {
        let conn = io.rustls.as_mut().expect("a connection in its slot");
        rustls_exchange(conn, &io.to_server, &mut io.to_client, "Finished accepted");
        let resumed = conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
        io.rustls = None;
        resumed
    });
    client_reads(&mut client, io);
    assert!(!client.is_handshaking());
    resumed
}

/// One psk_ke handshake of the hand-built PSK client with stapler, the
/// server's part metered; always resumed (the ticket is the fixture's).
pub fn stapler_psk_ke_handshake(fx: &Fixture, io: &mut Io, m: &mut Meter) -> bool {
    let rf = &fx.resumed;
    let mut client = psk_client::PskClient::new(&rf.psk);
    io.to_server.clear();
    io.to_client.clear();
    io.to_server
        .extend_from_slice(&client.hello(&rf.psk_ke_ticket, 0, &[0], false));
    m.server(|| {
        let conn = (io.stapler).insert(ServerConnection::new_at(
            rf.stapler_psk_ke.clone(),
            RESUME_NOW,
        ));
        conn.feed(&io.to_server).expect("hello accepted");
        conn.write_tls_into(&mut io.to_client);
    });
    let answer = client.read(&io.to_client);
    assert_eq!(answer.key_share_group, None, "psk_ke");
    io.to_server.clear();
    io.to_client.clear();
    io.to_server.extend_from_slice(&client.finished());
    let summary = m.server(|| finish(io));
    summary.resumption == Some(stapler::Resumption::Tls13PskKe)
}

/// stapler (its connection in `io.stapler`) takes the client's last
/// flight and writes what follows (the tickets); the connection is
/// dropped in its slot, its summary returned.
fn finish(io: &mut Io) -> stapler::HandshakeSummary {
    let conn = io.stapler.as_mut().expect("a connection in its slot");
    conn.feed(&io.to_server).expect("Finished accepted");
    let Some(Event::HandshakeComplete(summary)) = conn.poll_event() else {
        panic!("handshake not complete");
    };
    conn.write_tls_into(&mut io.to_client);
    io.stapler = None;
    summary
}

/// A resuming client's hello, in `io.to_server`.
fn resuming_hello(
    config: &Arc<rustls::ClientConfig>,
    fx: &Fixture,
    io: &mut Io,
) -> ClientConnection {
    io.to_client.clear();
    fx.hello_of(config, io)
}
