//! The `ocsp_response` target: [`OcspResponse::parse`] on arbitrary bytes,
//! then every accessor and [`OcspResponse::verify`] against the OCSP test
//! PKI (tests/data/ocsp), at a fixed time.
//!
//! Beyond "no panic", it checks what the toolkit's documentation promises:
//!
//! * a parsed response keeps exactly the bytes it was given, and the signed
//!   data, signature, algorithm and certificates are slices of them;
//! * parsing is deterministic;
//! * every CertID handed out has both hashes of its algorithm's length;
//! * a response that verifies is about the certificate asked for (`find`
//!   agrees, and gives the same status) and fresh at `now`.

use std::sync::OnceLock;

use stapler::ocsp::{OcspError, OcspResponse, VerifiedStatus, VerifyOptions};
use stapler::pki::Certificate;

/// Inside the validity of every response in tests/data/ocsp.
const NOW: u64 = 1_795_468_224 + 3600;

/// The leaf and issuer the target verifies against.
fn pki() -> &'static (Certificate, Certificate) {
    static PKI: OnceLock<(Certificate, Certificate)> = OnceLock::new();
    PKI.get_or_init(|| {
        let load = |pem: &[u8]| {
            Certificate::from_pem_chain(pem)
                .expect("test PKI parses")
                .remove(0)
        };
        (
            load(include_bytes!("../../tests/data/ocsp/leaf-good.crt")),
            load(include_bytes!("../../tests/data/ocsp/ca.crt")),
        )
    })
}

/// What the target got: the parse error, or the verification's outcome.
/// Panics (a fuzzer crash) when a promise above is broken.
pub fn ocsp_response(data: &[u8]) -> Result<Result<VerifiedStatus, OcspError>, OcspError> {
    let response = OcspResponse::parse(data.to_vec())?;
    assert_eq!(
        response.der().as_ref(),
        data,
        "the response keeps its bytes"
    );
    assert_eq!(OcspResponse::parse(data.to_vec()).as_ref(), Ok(&response));
    for part in [
        response.tbs_response_data(),
        response.signature_algorithm(),
        response.signature(),
    ]
    .into_iter()
    .chain(response.certificates().iter().map(|c| c.as_ref()))
    {
        assert!(
            is_within(response.der(), part),
            "parts are slices of the input"
        );
    }
    for single in response.responses() {
        let _ = (single.cert_id(), single.status(), single.next_update());
        // RFC 6960 §4.1.1: both hashes are made with the CertID's own
        // algorithm, so a CertID the parser hands out fits it.
        if let Some(id) = single.cert_id() {
            let len = id.hash_algorithm().output_len();
            assert_eq!(id.issuer_name_hash().len(), len);
            assert_eq!(id.issuer_key_hash().len(), len);
        }
    }
    let _ = (
        response.responder_id(),
        response.produced_at(),
        response.nonce(),
    );

    let (leaf, issuer) = pki();
    let verified = response.verify(leaf, issuer, NOW, &VerifyOptions::new());
    if let Ok(status) = &verified {
        let single = response
            .find(leaf, issuer)
            .expect("a verified response is about the leaf");
        assert_eq!(single.status(), status.status);
        assert!(status.this_update <= NOW + stapler::ocsp::DEFAULT_CLOCK_SKEW);
        assert!(NOW < status.valid_until);
    }
    Ok(verified)
}

/// Whether `part` lies inside `whole`, by address.
fn is_within(whole: &[u8], part: &[u8]) -> bool {
    let start = whole.as_ptr() as usize;
    let part_start = part.as_ptr() as usize;
    part.is_empty() || (part_start >= start && part_start + part.len() <= start + whole.len())
}
