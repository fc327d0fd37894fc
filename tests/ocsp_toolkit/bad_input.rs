//! Bad input: unsuccessful response statuses by name, and truncated,
//! corrupted, foreign-typed and oversized responses refused without a panic.

use stapler::ocsp::{
    OcspError, OcspResponse, ResponsePart, ResponseStatus, VerifyOptions, MAX_RESPONSE_LEN,
};

use super::{ca, find, leaf, now_for, parse, read};

// ---------------------------------------------------------------- bad input

#[test]
fn error_statuses_are_named() {
    for (value, status) in [
        (1, ResponseStatus::MalformedRequest),
        (2, ResponseStatus::InternalError),
        (3, ResponseStatus::TryLater),
        (5, ResponseStatus::SigRequired),
        (6, ResponseStatus::Unauthorized),
        (4, ResponseStatus::Unrecognized(4)),
        (99, ResponseStatus::Unrecognized(99)),
    ] {
        // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED }
        let der = [0x30, 0x03, 0x0a, 0x01, value];
        let err = OcspResponse::parse(der.to_vec()).unwrap_err();
        assert_eq!(err, OcspError::Unsuccessful(status));
        assert!(err.is_parse_error());
    }
    assert_eq!(
        OcspResponse::parse(vec![0x30, 0x03, 0x0a, 0x01, 0x03])
            .unwrap_err()
            .to_string(),
        "OCSP responder answered tryLater"
    );
    // successful, but without responseBytes.
    assert_eq!(
        OcspResponse::parse(vec![0x30, 0x03, 0x0a, 0x01, 0x00]),
        Err(OcspError::Malformed(ResponsePart::OcspResponse))
    );
}

#[test]
fn malformed_responses_are_refused_without_panicking() {
    let good = read("good.der");
    // Every truncation, and a trailing byte.
    for len in 0..good.len() {
        let err = OcspResponse::parse(good[..len].to_vec()).unwrap_err();
        assert!(err.is_parse_error(), "{len}: {err}");
    }
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(
        OcspResponse::parse(trailing),
        Err(OcspError::Malformed(ResponsePart::OcspResponse))
    );
    // Another response type: id-pkix-ocsp-basic's last arc changed.
    let oid = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];
    let at = find(&good, &oid) + oid.len() - 1;
    let mut other = good.clone();
    other[at] = 0x05;
    assert!(matches!(
        OcspResponse::parse(other),
        Err(OcspError::UnsupportedResponseType(oid)) if oid.to_string() == "1.3.6.1.5.5.7.48.1.5"
    ));
    // Every single-byte corruption parses or fails cleanly, and none
    // inside the signed data or the signature still verifies.
    let leaf = leaf();
    let ca = ca();
    let now = now_for("good.der");
    let response = parse("good.der");
    let signed_start = find(&good, response.tbs_response_data());
    let signature_end = find(&good, response.signature()) + response.signature().len();
    for at in 0..good.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut bytes = good.clone();
            bytes[at] ^= flip;
            if let Ok(response) = OcspResponse::parse(bytes) {
                let verified = response.verify(&leaf, &ca, now, &VerifyOptions::new());
                assert!(
                    verified.is_err() || !(signed_start..signature_end).contains(&at),
                    "byte {at} ^ {flip:#04x} still verifies"
                );
            }
        }
    }
    // Too large to staple.
    assert_eq!(
        OcspResponse::parse(vec![0; MAX_RESPONSE_LEN + 1]),
        Err(OcspError::TooLarge(MAX_RESPONSE_LEN + 1))
    );
}
