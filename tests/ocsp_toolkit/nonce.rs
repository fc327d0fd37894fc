//! The response's nonce checked against the one sent: match, mismatch,
//! missing, and not asked for.

use stapler::ocsp::{Nonce, OcspError, VerifyOptions};

use super::{ca, leaf, nonce_from_file, now_for, parse, verify};

// ---------------------------------------------------------------- nonce

#[test]
fn nonce_match_and_mismatch() {
    let sent = nonce_from_file();
    let response = parse("nonce.der");
    assert_eq!(response.nonce(), Some(sent.as_bytes()));
    let now = now_for("nonce.der");
    let matching = VerifyOptions::new().nonce(sent.clone());
    assert!(response.verify(&leaf(), &ca(), now, &matching).is_ok());
    let other = VerifyOptions::new().nonce(Nonce::new(vec![0x5a; 16]).unwrap());
    assert_eq!(
        response.verify(&leaf(), &ca(), now, &other),
        Err(OcspError::NonceMismatch)
    );
    // A response without a nonce, when one was sent.
    assert_eq!(
        verify("good.der", &leaf(), &matching),
        Err(OcspError::NonceMissing)
    );
    // Not asking for a nonce accepts a response that has one.
    assert!(response
        .verify(&leaf(), &ca(), now, &VerifyOptions::new())
        .is_ok());
}
