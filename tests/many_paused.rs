//! A thousand connections paused at once, at all three decisions, and
//! answered in a random order: each completion reaches only its own
//! connection, and every handshake completes.

mod common;

use std::sync::Arc;

use common::decision_pair::{take_request, Answers, Request, START};
use common::rustls_pair::{default_client_config, pki, staple, Pair};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use stapler::{CertifiedKey, Decision, OcspOutcome, ProtocolVersion, ServerConfig, SignRequest};

const CONNECTIONS: usize = 1000;

/// A small deterministic generator (xorshift64*), so that a failing order
/// can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

/// Runs `pair` until it pauses or finishes; returns its request, if any.
fn advance(pair: &mut Pair) -> Option<Request> {
    for _ in 0..8 {
        pair.client_to_server().unwrap();
        if let Some(request) = take_request(pair) {
            return Some(request);
        }
        pair.server_to_client().unwrap();
        if pair.to_client.is_empty() && !pair.client.wants_write() {
            return None;
        }
    }
    panic!("no progress");
}

#[test]
fn a_thousand_connections_paused_at_three_points_complete_in_random_order() {
    let config = Arc::new(
        ServerConfig::builder()
            .certificate_events(true)
            .ocsp_events(true)
            .build()
            .unwrap(),
    );
    let der = stapler::pki::pem::private_key_from_pem_or_der(&pki("leaf-ecdsa.key")).unwrap();
    let sign_rng = SystemRandom::new();
    let key =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, der.der(), &sign_rng).unwrap();
    let remote =
        Arc::new(CertifiedKey::remote(&pki("leaf-ecdsa.crt"), &pki("root-ca.crt")).unwrap());
    let sign = |req: &SignRequest| {
        key.sign(&sign_rng, req.message())
            .unwrap()
            .as_ref()
            .to_vec()
    };

    let versions = [ProtocolVersion::Tls13, ProtocolVersion::Tls12];
    let mut conns: Vec<(Pair, Option<Request>)> = (0..CONNECTIONS)
        .map(|i| {
            let mut pair = Pair::new(default_client_config(versions[i % 2]), Arc::clone(&config));
            let request = advance(&mut pair);
            assert!(matches!(request, Some(Request::Select(_))));
            (pair, request)
        })
        .collect();

    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut open: Vec<usize> = (0..CONNECTIONS).collect();
    let mut seen_all_three_at_once = false;
    let answers = Answers {
        certificate: Some(remote),
        staple: Some(staple("many")),
        ..Answers::default()
    };
    while !open.is_empty() {
        let at = rng.below(open.len());
        let index = open[at];
        let (pair, request) = &mut conns[index];
        let request = request.take().expect("a paused connection has a request");
        assert_eq!(pair.server.paused_for(), Some(request.decision()));
        let completion = match request {
            Request::Sign(req) => {
                let signature = sign(&req);
                req.signature(signature)
            }
            other => other.answer(&answers, false),
        };
        pair.server.complete(completion, START).unwrap();
        pair.drain_server();
        pair.server_to_client().unwrap();
        match advance(pair) {
            Some(next) => conns[index].1 = Some(next),
            None => {
                assert!(pair.server.is_handshake_complete(), "connection {index}");
                let summary = pair.summary().unwrap();
                assert_eq!(summary.ocsp, OcspOutcome::Stapled(staple("many").len()));
                open.swap_remove(at);
            }
        }
        let mut paused = [0usize; 3];
        for (pair, _) in &conns {
            match pair.server.paused_for() {
                Some(Decision::CertificateSelection) => paused[0] += 1,
                Some(Decision::Ocsp) => paused[1] += 1,
                Some(Decision::Signing) => paused[2] += 1,
                _ => {}
            }
        }
        seen_all_three_at_once |= paused.iter().all(|&n| n >= 100);
    }
    assert!(
        seen_all_three_at_once,
        "never a hundred paused at each point at once"
    );
    for (pair, _) in &conns {
        assert!(pair.server.is_handshake_complete());
    }
}
