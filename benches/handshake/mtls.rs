//! Full TLS 1.3 handshakes with a client certificate in the benchmark:
//! stapler beside rustls doing the same (`WebPkiClientVerifier`) and
//! beside the ring floor of the same cryptography (`floor_mtls.rs`).

use std::hint::black_box;

use ring::agreement::{EphemeralPrivateKey, X25519};
use ring::rand::SystemRandom;
use stapler::ServerConnection;

use crate::floor::Floor;
use crate::floor_mtls::FloorMtls;
use crate::handshake_driver::mtls::{
    rustls_mtls_handshake, stapler_mtls_handshake, MtlsFixture, MTLS_NOW,
};
use crate::handshake_driver::{pki, Fixture, Io, Meter};
use crate::{ee_and_certificate, first_record, floor_answers_with, Server, X25519_GROUP};

/// The mTLS fixture and its floor.
pub struct MtlsRig {
    pub fx: MtlsFixture,
    floor: Floor,
    client: FloorMtls,
}

/// CertificateRequest as stapler sends it (RFC 8446 §4.3.2): an empty
/// context, signature_algorithms (the six schemes it verifies), and
/// certificate_authorities naming the one root.
fn certificate_request(ca_subject: &[u8]) -> Vec<u8> {
    let schemes: [u16; 6] = [0x0403, 0x0503, 0x0807, 0x0804, 0x0805, 0x0806];
    let mut exts = vec![0, 13, 0, 14, 0, 12];
    exts.extend(schemes.iter().flat_map(|s| s.to_be_bytes()));
    let names_len = 2 + ca_subject.len();
    exts.extend_from_slice(&[0, 47]);
    exts.extend_from_slice(&((2 + names_len) as u16).to_be_bytes());
    exts.extend_from_slice(&(names_len as u16).to_be_bytes());
    exts.extend_from_slice(&(ca_subject.len() as u16).to_be_bytes());
    exts.extend_from_slice(ca_subject);
    let body_len = 1 + 2 + exts.len();
    let mut out = vec![13];
    out.extend_from_slice(&(body_len as u32).to_be_bytes()[1..]);
    out.push(0);
    out.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    out.extend_from_slice(&exts);
    out
}

impl MtlsRig {
    /// Takes the real handshake's ClientHello and ServerHello, builds the
    /// rest of the flight as stapler lays it out, and checks its length
    /// against stapler's.
    pub fn new(fx: &Fixture) -> Self {
        let mfx = MtlsFixture::new(fx);
        let mut io = Io::default();
        let _client = mfx.client_hello(fx, &mut io);
        let client_hello = first_record(&io.to_server).to_vec();
        let mut conn = ServerConnection::new_at(mfx.stapler.clone(), MTLS_NOW);
        conn.feed(&io.to_server).unwrap();
        let mut flight = Vec::new();
        conn.write_tls_into(&mut flight);
        let server_hello = first_record(&flight).to_vec();

        let ca = stapler::pki::Certificate::from_der(mfx.ca_cert.clone()).unwrap();
        let ee_cert = ee_and_certificate(&pki("leaf-ecdsa.crt.der"), None);
        // EncryptedExtensions is the first 10 bytes; CertificateRequest
        // goes between it and Certificate.
        let (ee, cert) = ee_cert.split_at(10);
        let templates = [ee, &certificate_request(ca.subject()), cert].concat();
        let mut floor = Floor::new(
            &pki("leaf-ecdsa.key.der"),
            client_hello,
            server_hello.clone(),
            templates,
        );
        floor.keep_transcript = true;
        let rng = SystemRandom::new();
        let share = EphemeralPrivateKey::generate(&X25519, &rng)
            .unwrap()
            .compute_public_key()
            .unwrap();
        floor.server_flight(share.as_ref());
        let ours = 5 + server_hello.len() + 6 + floor.record().len();
        assert!(
            flight.len().abs_diff(ours) <= crate::SIGNATURE_SLACK,
            "floor flight {ours} bytes, stapler's {}",
            flight.len()
        );
        let client = FloorMtls::new(&mfx.client_cert, &mfx.ca_cert);
        Self {
            fx: mfx,
            floor,
            client,
        }
    }

    /// One mTLS handshake by `server`, metered.
    pub fn handshake(&mut self, fx: &Fixture, io: &mut Io, server: Server, m: &mut Meter) {
        match server {
            Server::Stapler => {
                let name = stapler_mtls_handshake(fx, &self.fx, io, m);
                debug_assert_eq!(name, "client-a");
            }
            Server::Rustls => {
                assert!(rustls_mtls_handshake(fx, &self.fx, io, m));
            }
            Server::Floor => {
                // The rustls client the servers answer, its certificate
                // and all.
                let client = self.fx.client_hello(fx, io);
                let floor_mtls = &self.client;
                let keys = floor_answers_with(
                    &mut self.floor,
                    client,
                    X25519_GROUP,
                    io,
                    m,
                    |pending, flight| floor_mtls.client_flight(pending, flight),
                );
                black_box(keys);
            }
        }
    }
}
