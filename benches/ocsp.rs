//! The OCSP toolkit against its floor, in one run: verifying a response
//! (parse, CertID match, signer checks, signature, nonce, freshness) next to
//! ring checking the same signature(s) alone, with the key and the signed
//! bytes already at hand. Verification should cost no more than the
//! signature checks it contains plus 10%:
//!
//! - `verify/issuer_p256` vs `floor/issuer_p256`: `good.der`, signed by its
//!   ECDSA P-256 issuer; the floor is one ECDSA P-256 verification.
//! - `verify/delegated_p256` vs `floor/delegated_p256`: `delegated.der`,
//!   signed by a P-256 delegated responder; the floor is the two ECDSA
//!   verifications it needs (the response by the responder, the
//!   responder's certificate by the issuer).
//! - `request/*`: a CertID and a DER OCSPRequest, and its GET URL.
//!
//! The ratio to report is `verify / floor` for each pair.
//! `cargo bench --bench ocsp` takes about a minute.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
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

fn verify(c: &mut Criterion) {
    let leaf = cert("leaf-good");
    let issuer = cert("ca");
    let responder = cert("responder");
    let options = VerifyOptions::new();
    let mut group = c.benchmark_group("ocsp");

    for (name, file) in [
        ("issuer_p256", "good.der"),
        ("delegated_p256", "delegated.der"),
    ] {
        let der = Bytes::from(read(file));
        let verified = OcspResponse::parse(der.clone())
            .and_then(|r| r.verify(&leaf, &issuer, NOW, &options))
            .expect("the test response verifies");
        assert_eq!(verified.status, CertStatus::Good);

        group.bench_function(format!("verify/{name}"), |b| {
            b.iter(|| {
                let response = OcspResponse::parse(black_box(der.clone())).unwrap();
                response
                    .verify(&leaf, &issuer, black_box(NOW), &options)
                    .unwrap()
            })
        });

        // The floor: the same signature checks with ring alone.
        let response = OcspResponse::parse(der.clone()).unwrap();
        let tbs = response.tbs_response_data().to_vec();
        let signature = response.signature().to_vec();
        let issuer_key =
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, issuer.public_key().to_vec());
        if name == "issuer_p256" {
            group.bench_function(format!("floor/{name}"), |b| {
                b.iter(|| {
                    issuer_key
                        .verify(black_box(&tbs), black_box(&signature))
                        .unwrap()
                })
            });
        } else {
            let responder_key =
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, responder.public_key().to_vec());
            let (cert_tbs, cert_signature) =
                (responder.tbs().to_vec(), responder.signature().to_vec());
            group.bench_function(format!("floor/{name}"), |b| {
                b.iter(|| {
                    responder_key
                        .verify(black_box(&tbs), black_box(&signature))
                        .unwrap();
                    issuer_key
                        .verify(black_box(&cert_tbs), black_box(&cert_signature))
                        .unwrap()
                })
            });
        }
    }
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

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = verify, request
}
criterion_main!(benches);
