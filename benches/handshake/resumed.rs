//! Resumed handshakes in the benchmark: TLS 1.3 psk_dhe_ke, TLS 1.3 psk_ke
//! and a TLS 1.2 ticket, each by stapler beside rustls doing the same
//! (rustls has no psk_ke, so none there) and beside a ring floor of the
//! same cryptography (`floor_resumed.rs`, `floor12_resumed.rs`).

use std::hint::black_box;

use ring::agreement::{EphemeralPrivateKey, X25519};
use ring::rand::SystemRandom;

use crate::floor12_resumed::{Floor12Resumed, Pending12Resumed};
use crate::floor_resumed::FloorResumed;
use crate::handshake_driver::resumed::{
    psk_client::PskClient, rustls_resumed_handshake, stapler_psk_ke_handshake,
    stapler_resumed_handshake, Resumed,
};
use crate::handshake_driver::{Fixture, Io, Meter, Version};
use crate::Server;

/// The floors, sized as the real handshakes' messages.
pub struct ResumedFloors {
    dhe: FloorResumed,
    ke: FloorResumed,
    tls12: Floor12Resumed,
    rng: SystemRandom,
    client_finished: Vec<u8>,
}

impl ResumedFloors {
    pub fn new(fx: &Fixture, io: &mut Io) -> Self {
        let mut hello_len = |version| {
            let config = match version {
                Version::Tls13 => &fx.resumed.clients13[0],
                Version::Tls12 => &fx.resumed.clients12[0],
            };
            // A session first, so that the hello offers a ticket.
            stapler_resumed_handshake(fx, version, io, &mut Meter::default());
            let mut client =
                rustls::ClientConnection::new(config.clone(), fx.server_name.clone()).unwrap();
            let mut bytes = Vec::new();
            client.write_tls(&mut bytes).unwrap();
            bytes.len() - 5
        };
        let psk_hello_len = PskClient::new(&fx.resumed.psk)
            .hello(&fx.resumed.psk_ke_ticket, 0, &[0], false)
            .len()
            - 5;
        // TLS 1.3 ServerHello: version, random, a 32-byte session id, suite,
        // compression; supported_versions, pre_shared_key, and for
        // psk_dhe_ke key_share (x25519).
        let sh13 = 4 + 2 + 32 + 33 + 2 + 1 + 2 + 6 + 6;
        // TLS 1.2 ServerHello: version, random, the client's 32-byte
        // session id echoed, suite, compression; renegotiation_info,
        // extended_master_secret, ec_point_formats, session_ticket.
        let sh12 = 4 + 2 + 32 + 33 + 2 + 1 + 2 + 5 + 4 + 6 + 4;
        Self {
            dhe: FloorResumed::new(hello_len(Version::Tls13), sh13 + 40),
            ke: FloorResumed::new(psk_hello_len, sh13),
            tls12: Floor12Resumed::new(hello_len(Version::Tls12), sh12),
            rng: SystemRandom::new(),
            client_finished: Vec::new(),
        }
    }

    fn handshake(&mut self, kind: Resumed, m: &mut Meter) {
        match kind {
            Resumed::Tls13PskDheKe | Resumed::Tls13PskKe => {
                let dhe = kind == Resumed::Tls13PskDheKe;
                let client = EphemeralPrivateKey::generate(&X25519, &self.rng).unwrap();
                let share = client.compute_public_key().unwrap();
                let floor = if dhe { &mut self.dhe } else { &mut self.ke };
                let pending = m.server(|| floor.server_flight(dhe.then_some(share.as_ref())));
                FloorResumed::client_finished_record(&pending, &mut self.client_finished);
                let key = m.server(|| floor.client_finished(pending, &mut self.client_finished));
                black_box(key);
            }
            Resumed::Tls12Ticket => {
                let pending: Pending12Resumed = m.server(|| self.tls12.server_flight());
                Floor12Resumed::client_finished_record(&pending, &mut self.client_finished);
                let key = m
                    .server(|| Floor12Resumed::client_finished(pending, &mut self.client_finished));
                black_box(key);
            }
        }
    }
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
        (Server::Floor, _) => floors.handshake(kind, m),
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
