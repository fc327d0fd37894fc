//! A full TLS 1.3 handshake with X25519MLKEM768 in the benchmark: stapler
//! (its default groups put the hybrid first) beside the floor of the same
//! cryptography (`floor.rs` with `hybrid`: the ML-KEM-768 key checked and
//! encapsulated to with libcrux, x25519 with ring), and beside stapler and
//! the floor with x25519 alone. The client, of all three, is rustls with a
//! hybrid group on RustCrypto's ML-KEM (tests/common/hybrid_client.rs),
//! not timed.
//! rustls's server runs on its aws-lc-rs provider (its ring provider has
//! no ML-KEM): AWS-LC's ML-KEM, x25519 and ECDSA, the same suite, no
//! tickets.

use std::hint::black_box;
use std::sync::Arc;

use ring::agreement::{EphemeralPrivateKey, X25519};
use ring::rand::SystemRandom;
use stapler::{NamedGroup, ServerConnection};

use crate::floor::Floor;
use crate::handshake_driver::{
    hybrid_client, pki, rustls_handshake_of, stapler_handshake_of, Fixture, Io, Meter,
};
use crate::{ee_and_certificate, first_record, floor_answers, Server};

/// X25519MLKEM768's code point (draft-ietf-tls-ecdhe-mlkem).
const X25519_MLKEM768: u16 = 0x11ec;

/// The hybrid client and the hybrid floor.
pub struct HybridRig {
    client: Arc<rustls::ClientConfig>,
    /// rustls's server on aws-lc-rs, X25519MLKEM768 first.
    rustls: Arc<rustls::ServerConfig>,
    floor: Floor,
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
            flight.len().abs_diff(ours) <= crate::SIGNATURE_SLACK,
            "floor flight {ours} bytes, stapler's {}",
            flight.len()
        );
        Self {
            client,
            rustls: aws_lc_rs_server(),
            floor,
        }
    }

    /// One x25519 handshake by rustls on aws-lc-rs (the fixture's x25519
    /// client), metered: the baseline its hybrid handshake is set beside.
    pub fn rustls_x25519(&mut self, fx: &Fixture, io: &mut Io, m: &mut Meter) {
        let group = rustls_handshake_of(fx, &fx.client, &self.rustls, io, m);
        debug_assert_eq!(group, Some(rustls::NamedGroup::X25519));
    }

    /// One X25519MLKEM768 handshake by `server`, metered.
    pub fn handshake(&mut self, fx: &Fixture, io: &mut Io, server: Server, m: &mut Meter) -> bool {
        match server {
            Server::Stapler => {
                let outcome = stapler_handshake_of(fx, &self.client, io, m);
                debug_assert_eq!(outcome.group, Some(NamedGroup::X25519Mlkem768));
            }
            Server::Rustls => {
                let group = rustls_handshake_of(fx, &self.client, &self.rustls, io, m);
                debug_assert_eq!(group, Some(rustls::NamedGroup::X25519MLKEM768));
            }
            Server::Floor => {
                let client = fx.hello_of(&self.client, io);
                let keys = floor_answers(&mut self.floor, client, X25519_MLKEM768, io, m);
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

/// rustls's server on aws-lc-rs: TLS_AES_128_GCM_SHA256, X25519MLKEM768
/// then x25519, the ECDSA leaf, no tickets and no session cache (as
/// stapler, which issues none without the time).
fn aws_lc_rs_server() -> Arc<rustls::ServerConfig> {
    use rustls::crypto::aws_lc_rs::{cipher_suite, default_provider, kx_group};
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let provider = rustls::crypto::CryptoProvider {
        cipher_suites: vec![cipher_suite::TLS13_AES_128_GCM_SHA256],
        kx_groups: vec![kx_group::X25519MLKEM768, kx_group::X25519],
        ..default_provider()
    };
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(pki("leaf-ecdsa.crt.der"))],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki("leaf-ecdsa.key.der"))),
        )
        .unwrap();
    config.send_tls13_tickets = 0;
    config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    Arc::new(config)
}
