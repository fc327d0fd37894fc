//! Resumed handshakes in the benchmark: TLS 1.3 psk_dhe_ke, TLS 1.3 psk_ke
//! and a TLS 1.2 ticket, each by stapler beside rustls doing the same
//! (rustls has no psk_ke, so none there) and beside a ring floor of the
//! same cryptography (`floor_resumed.rs`, `floor12_resumed.rs`).

use std::hint::black_box;

use crate::floor12_resumed::Floor12Resumed;
use crate::floor_resumed::FloorResumed;
use crate::handshake_driver::resumed::{
    first_message, psk_client::PskClient, rustls_resumed_handshake, stapler_psk_ke_handshake,
    stapler_resumed_handshake, stapler_serves, Resumed, FLOOR,
};
use crate::handshake_driver::{client_answers, client_reads, Fixture, Io, Meter, Version};
use crate::{
    after_ccs, extension, first_record, key_share, put_record, put_tls13_flight, u16_at, Server,
    X25519_GROUP,
};

/// The floors, answering the clients the servers answer.
pub struct ResumedFloors {
    dhe: FloorResumed,
    ke: FloorResumed,
    tls12: Floor12Resumed,
    finished: Vec<u8>,
}

impl ResumedFloors {
    /// The floor's own rustls clients get their first tickets from stapler,
    /// sealing with the fixture's keys (which the floors hold too), in a
    /// full handshake and a resumed one; the ServerHello stapler resumes
    /// with is the floor's. The floor then issues the tickets those
    /// clients resume with.
    pub fn new(fx: &Fixture, io: &mut Io) -> Self {
        let rf = &fx.resumed;
        let mut server_hello = |version| {
            let client = rf.client(version, FLOOR);
            let mut m = Meter::default();
            let full = stapler_serves(fx, client, &rf.stapler_psk_ke, io, &mut m, None);
            assert!(full.resumption.is_none());
            let mut server_hello = Vec::new();
            let resumed = stapler_serves(
                fx,
                client,
                &rf.stapler_psk_ke,
                io,
                &mut m,
                Some(&mut server_hello),
            );
            assert!(
                resumed.resumption.is_some(),
                "stapler resumes the floor's client"
            );
            server_hello
        };
        let dhe = FloorResumed::new(rf.ticket_secret, server_hello(Version::Tls13));
        let tls12 = Floor12Resumed::new(rf.ticket_secret, server_hello(Version::Tls12));
        // psk_ke: the ServerHello stapler answers the PSK client with.
        let mut client = PskClient::new(&rf.psk);
        let hello = client.hello(&rf.psk_ke_ticket, 0, &[0], false);
        let mut conn = stapler::ServerConnection::new_at(
            rf.stapler_psk_ke.clone(),
            crate::handshake_driver::resumed::RESUME_NOW,
        );
        conn.feed(&hello).expect("hello accepted");
        let mut flight = Vec::new();
        conn.write_tls_into(&mut flight);
        let ke = FloorResumed::new(rf.ticket_secret, first_message(&flight).to_vec());
        Self {
            dhe,
            ke,
            tls12,
            finished: Vec::new(),
        }
    }

    fn handshake(&mut self, fx: &Fixture, io: &mut Io, kind: Resumed, m: &mut Meter) {
        let rf = &fx.resumed;
        match kind {
            Resumed::Tls13PskDheKe => {
                io.to_client.clear();
                let mut client = fx.hello_of(rf.client(Version::Tls13, FLOOR), io);
                let hello = first_record(&io.to_server);
                let ticket = psk_identity(hello);
                let share = key_share(hello, X25519_GROUP);
                let floor = &mut self.dhe;
                let pending = m.server(|| floor.answer(hello, ticket, Some(share)));
                put_tls13_flight(&mut io.to_client, floor.server_hello(), floor.record());
                client_answers(&mut client, io);
                self.finished.clear();
                self.finished.extend_from_slice(after_ccs(&io.to_server));
                let key = m.server(|| floor.client_finished(pending, &mut self.finished));
                black_box(key);
                // The client keeps the tickets for its next resumption.
                io.to_client.extend_from_slice(floor.tickets());
                client_reads(&mut client, io);
            }
            Resumed::Tls13PskKe => {
                let mut client = PskClient::new(&rf.psk);
                let hello_record = client.hello(&rf.psk_ke_ticket, 0, &[0], false);
                let hello = first_record(&hello_record);
                let floor = &mut self.ke;
                let pending = m.server(|| floor.answer(hello, &rf.psk_ke_ticket, None));
                io.to_client.clear();
                put_record(&mut io.to_client, floor.server_hello());
                io.to_client.extend_from_slice(floor.record());
                let answer = client.read(&io.to_client);
                assert_eq!(answer.selected, Some(0), "the floor resumed");
                self.finished = client.finished();
                let key = m.server(|| floor.client_finished(pending, &mut self.finished));
                black_box(key);
            }
            Resumed::Tls12Ticket => {
                io.to_client.clear();
                let mut client = fx.hello_of(rf.client(Version::Tls12, FLOOR), io);
                let hello = first_record(&io.to_server);
                let ticket = extension(hello, 35).expect("a session ticket");
                let floor = &mut self.tls12;
                let pending = m.server(|| floor.answer(hello, ticket));
                io.to_client.extend_from_slice(floor.flight());
                client_answers(&mut client, io);
                // The Finished record's fragment.
                self.finished.clear();
                self.finished
                    .extend_from_slice(&after_ccs(&io.to_server)[5..]);
                let key = m.server(|| Floor12Resumed::client_finished(pending, &mut self.finished));
                black_box(key);
                assert!(
                    !client.is_handshaking(),
                    "the client resumed with the floor"
                );
            }
        }
    }
}

/// The first identity a ClientHello's pre_shared_key offers (RFC 8446
/// §4.2.11).
fn psk_identity(hello: &[u8]) -> &[u8] {
    let offer = extension(hello, 41).expect("a pre_shared_key offer");
    &offer[4..4 + u16_at(offer, 2)]
}

/// One resumed handshake by `server`, metered; `false` for a server that
/// does not resume this way (rustls, psk_ke).
pub fn handshake(
    fx: &Fixture,
    io: &mut Io,
    floors: &mut ResumedFloors,
    server: Server,
    kind: Resumed,
    m: &mut Meter,
) -> bool {
    let version = match kind {
        Resumed::Tls12Ticket => Version::Tls12,
        _ => Version::Tls13,
    };
    match (server, kind) {
        (Server::Stapler, Resumed::Tls13PskKe) => {
            assert!(stapler_psk_ke_handshake(fx, io, m), "psk_ke");
        }
        (Server::Stapler, _) => {
            assert!(stapler_resumed_handshake(fx, version, io, m), "resumed");
        }
        (Server::Rustls, Resumed::Tls13PskKe) => return false,
        (Server::Rustls, _) => {
            assert!(rustls_resumed_handshake(fx, version, io, m), "resumed");
        }
        (Server::Floor, _) => floors.handshake(fx, io, kind, m),
    }
    true
}

/// Warms each client up with a first, full handshake, so that every
/// handshake after resumes.
pub fn warm_up(fx: &Fixture, io: &mut Io) {
    for version in Version::ALL {
        stapler_resumed_handshake(fx, version, io, &mut Meter::default());
        rustls_resumed_handshake(fx, version, io, &mut Meter::default());
    }
}
