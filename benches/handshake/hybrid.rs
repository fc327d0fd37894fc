//! A full TLS 1.3 handshake with X25519MLKEM768 in the benchmark: stapler
//! (its default groups put the hybrid first) beside the floor of the same
//! cryptography (`floor.rs` with `hybrid`: the ML-KEM-768 key checked and
//! encapsulated to with libcrux, x25519 with ring), and beside stapler and
//! the floor with x25519 alone. The client is rustls with a hybrid group
//! on RustCrypto's ML-KEM (tests/common/hybrid_client.rs), not timed.
//! rustls's own server is not in this comparison: its ring provider has no
//! ML-KEM, and its aws-lc-rs provider is not built here (see the closing
//! note of the issue).

use std::hint::black_box;
use std::sync::Arc;

use ring::agreement::{EphemeralPrivateKey, X25519};
use ring::rand::SystemRandom;
use stapler::{NamedGroup, ServerConnection};

use crate::floor::Floor;
use crate::handshake_driver::{hybrid_client, pki, stapler_handshake_of, Fixture, Io, Meter};
use crate::{ee_and_certificate, first_record, Server};

/// The hybrid client and the hybrid floor.
pub struct HybridRig {
    client: Arc<rustls::ClientConfig>,
    floor: Floor,
    rng: SystemRandom,
}

impl HybridRig {
    /// Takes the real handshake's ClientHello and ServerHello, and checks
    /// the floor's flight against stapler's.
    pub fn new(fx: &Fixture) -> Self {
        let provider = hybrid_client::provider(vec![hybrid_client::all()[0]]);
        let client =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::CryptoProvider {
                cipher_suites: vec![rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256],
                ..(*provider).clone()
            }))
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(fx.check.clone())
            .with_no_client_auth();
        let client = Arc::new(client);

        let mut io = Io::default();
        let outcome = stapler_handshake_of(fx, &client, &mut io, &mut Meter::default());
        assert_eq!(outcome.group, Some(NamedGroup::X25519Mlkem768));
        // One more hello for the templates.
        let mut hello = Vec::new();
        let mut conn =
            rustls::ClientConnection::new(client.clone(), fx.server_name.clone()).unwrap();
        while conn.wants_write() {
            conn.write_tls(&mut hello).unwrap();
        }
        let mut server = ServerConnection::new(fx.stapler_plain.clone());
        server.feed(&hello).unwrap();
        let mut flight = Vec::new();
        server.write_tls_into(&mut flight);
        let server_hello = first_record(&flight).to_vec();
        let mut floor = Floor::new(
            &pki("leaf-ecdsa.key.der"),
            first_record(&hello).to_vec(),
            server_hello.clone(),
            ee_and_certificate(&pki("leaf-ecdsa.crt.der"), None),
        );
        floor.hybrid = true;
        let rng = SystemRandom::new();
        let share = hybrid_share(&rng);
        floor.server_flight(&share);
        let ours = 5 + server_hello.len() + 6 + floor.record().len();
        assert!(
            flight.len().abs_diff(ours) <= 2,
            "floor flight {ours} bytes, stapler's {}",
            flight.len()
        );
        Self { client, floor, rng }
    }

    /// One X25519MLKEM768 handshake by `server`, metered; `false` for a
    /// server not in this comparison (rustls).
    pub fn handshake(&mut self, fx: &Fixture, io: &mut Io, server: Server, m: &mut Meter) -> bool {
        match server {
            Server::Stapler => {
                let outcome = stapler_handshake_of(fx, &self.client, io, m);
                debug_assert_eq!(outcome.group, Some(NamedGroup::X25519Mlkem768));
            }
            Server::Rustls => return false,
            Server::Floor => {
                let share = hybrid_share(&self.rng);
                let pending = m.server(|| self.floor.server_flight(&share));
                let mut record = Vec::new();
                Floor::client_finished_record(&pending, &mut record);
                let keys = m.server(|| Floor::client_finished(pending, &mut record));
                black_box(keys);
            }
        }
        true
    }
}

/// A client's X25519MLKEM768 share: a fresh ML-KEM-768 encapsulation key
/// and x25519 key (made outside the meter).
fn hybrid_share(rng: &SystemRandom) -> Vec<u8> {
    use ring::rand::SecureRandom;
    let mut seed = [0; 64];
    rng.fill(&mut seed).unwrap();
    let pair = libcrux_ml_kem::mlkem768::generate_key_pair(seed);
    let x25519 = EphemeralPrivateKey::generate(&X25519, rng)
        .unwrap()
        .compute_public_key()
        .unwrap();
    [pair.public_key().as_slice(), x25519.as_ref()].concat()
}
