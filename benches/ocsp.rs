//! The OCSP toolkit against its floor, in one run: verifying a response
//! (parse, CertID match, signer checks, signature, freshness) next to ring
//! checking the same signature(s) alone, with the keys and the signed bytes
//! already at hand. Verification should cost no more than the signature
//! checks it contains plus 10%:
//!
//! - `verify/issuer_p256` vs `floor/issuer_p256`: `good.der`, signed by its
//!   ECDSA P-256 issuer; the floor is one ECDSA P-256 verification.
//! - `verify/delegated_p256` vs `floor/delegated_p256`: `delegated.der`,
//!   signed by a P-256 delegated responder; the floor is the two ECDSA
//!   verifications it needs (the response by the responder, the
//!   responder's certificate by the issuer).
//! - `parts/*`: what verification adds to the signature checks, measured
//!   alone (parsing the response, matching the CertID).
//! - `request/*`: a CertID and a DER OCSPRequest, and its GET URL.
//!
//! After criterion's report, the `verify / floor` ratio of each pair is
//! printed, measured by interleaving short batches of both and keeping the
//! fastest batch of each, which a busy machine disturbs far less than two
//! separate criterion runs. `cargo bench --bench ocsp` takes about a minute.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{criterion_group, Criterion};
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_ASN1};
use stapler::ocsp::{CertId, CertStatus, OcspQuery, OcspResponse, VerifyOptions};
use stapler::pki::Certificate;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/ocsp")
            .join(name),
    )
    .expect("OCSP test data")
}

fn cert(name: &str) -> Certificate {
    Certificate::from_pem_chain(&read(&format!("{name}.crt")))
        .expect("PEM certificate")
        .remove(0)
}

/// An hour after the responses' thisUpdate (see tests/data/ocsp/times.txt).
const NOW: u64 = 1_795_468_224 + 3600;

/// One verify/floor pair: the whole verification, and the bare ring
/// signature checks it contains.
struct Pair {
    name: &'static str,
    verify: Box<dyn Fn()>,
    floor: Box<dyn Fn()>,
}

fn pairs() -> Vec<Pair> {
    let leaf = cert("leaf-good");
    let issuer = cert("ca");
    let responder = cert("responder");
    let issuer_key = issuer.public_key().to_vec();
    let mut pairs = Vec::new();
    for (name, file) in [
        ("issuer_p256", "good.der"),
        ("delegated_p256", "delegated.der"),
    ] {
        let der = Bytes::from(read(file));
        let response = OcspResponse::parse(der.clone()).expect("test response parses");
        let verified = response
            .verify(&leaf, &issuer, NOW, &VerifyOptions::new())
            .expect("test response verifies");
        assert_eq!(verified.status, CertStatus::Good);

        let (leaf, issuer) = (leaf.clone(), issuer.clone());
        let verify = Box::new(move || {
            let response = OcspResponse::parse(black_box(der.clone())).unwrap();
            let options = VerifyOptions::new();
            black_box(
                response
                    .verify(&leaf, &issuer, black_box(NOW), &options)
                    .unwrap(),
            );
        });

        let tbs = response.tbs_response_data().to_vec();
        let signature = response.signature().to_vec();
        let issuer_key = issuer_key.clone();
        let floor: Box<dyn Fn()> = if name == "issuer_p256" {
            Box::new(move || {
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &issuer_key)
                    .verify(black_box(&tbs), black_box(&signature))
                    .unwrap()
            })
        } else {
            let responder_key = responder.public_key().to_vec();
            let cert_tbs = responder.tbs().to_vec();
            let cert_signature = responder.signature().to_vec();
            Box::new(move || {
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &responder_key)
                    .verify(black_box(&tbs), black_box(&signature))
                    .unwrap();
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &issuer_key)
                    .verify(black_box(&cert_tbs), black_box(&cert_signature))
                    .unwrap()
            })
        };
        pairs.push(Pair {
            name,
            verify,
            floor,
        });
    }
    pairs
}

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("ocsp");
    for pair in pairs() {
        group.bench_function(format!("verify/{}", pair.name), |b| b.iter(&pair.verify));
        group.bench_function(format!("floor/{}", pair.name), |b| b.iter(&pair.floor));
    }
    group.finish();
}

fn parts(c: &mut Criterion) {
    let leaf = cert("leaf-good");
    let issuer = cert("ca");
    let good = Bytes::from(read("good.der"));
    let delegated = Bytes::from(read("delegated.der"));
    let mut group = c.benchmark_group("ocsp");
    group.bench_function("parts/parse_issuer_p256", |b| {
        b.iter(|| OcspResponse::parse(black_box(good.clone())).unwrap())
    });
    group.bench_function("parts/parse_delegated_p256", |b| {
        b.iter(|| OcspResponse::parse(black_box(delegated.clone())).unwrap())
    });
    let response = OcspResponse::parse(good.clone()).unwrap();
    group.bench_function("parts/find_cert_id", |b| {
        b.iter(|| black_box(&response).find(&leaf, &issuer).is_some())
    });
    group.finish();
}

fn request(c: &mut Criterion) {
    let leaf = cert("leaf-good");
    let issuer = cert("ca");
    let mut group = c.benchmark_group("ocsp");
    group.bench_function("request/build_sha1", |b| {
        b.iter(|| OcspQuery::new(CertId::sha1(black_box(&leaf), black_box(&issuer)).unwrap()))
    });
    let query = OcspQuery::new(CertId::sha1(&leaf, &issuer).unwrap());
    group.bench_function("request/get_url", |b| {
        b.iter(|| {
            black_box(&query)
                .get_url("http://ocsp.example.test/")
                .unwrap()
        })
    });
    group.finish();
}

/// Prints `verify / floor` for each pair (see the module docs).
fn ratios() {
    const ROUNDS: usize = 40;
    const BATCH: u32 = 25;
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..BATCH {
            f();
        }
        start.elapsed() / BATCH
    };
    for pair in pairs() {
        let (mut verify, mut floor) = (Duration::MAX, Duration::MAX);
        for _ in 0..ROUNDS {
            verify = verify.min(time(&pair.verify));
            floor = floor.min(time(&pair.floor));
        }
        println!(
            "ocsp/ratio/{}: verify {:.1} µs / floor {:.1} µs = {:.3}",
            pair.name,
            verify.as_secs_f64() * 1e6,
            floor.as_secs_f64() * 1e6,
            verify.as_secs_f64() / floor.as_secs_f64()
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = verify, parts, request
}

fn main() {
    benches();
    ratios();
    Criterion::default().configure_from_args().final_summary();
}
