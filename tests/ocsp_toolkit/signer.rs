//! Who signed: the issuer, a delegated responder with or without the OCSP
//! signing EKU, a decoy CA, tampered signatures, and responses stripped of
//! their signer's certificate.

use stapler::ocsp::{
    CertId, CertStatus, OcspError, OcspResponse, ResponderId, Signer, VerifyOptions,
};
use stapler::pki::SigError;

use super::{ca, cert, find, leaf, now_for, parse, read, tlv, validity, verify};

// ---------------------------------------------------------------- who signed

#[test]
fn wrong_issuer() {
    // The decoy CA has the real CA's name but another key: the CertID's key
    // hash gives it away.
    let decoy = cert("ca-decoy");
    assert_eq!(decoy.subject(), ca().subject());
    let response = parse("good.der");
    assert!(response.find(&leaf(), &decoy).is_none());
    assert_eq!(
        response.verify(&leaf(), &decoy, now_for("good.der"), &VerifyOptions::new()),
        Err(OcspError::CertIdNotFound)
    );
    // A certificate from another issuer is refused when making a CertID.
    assert_eq!(
        CertId::sha1(&leaf(), &leaf()),
        Err(OcspError::IssuerNameMismatch)
    );

    // A response about our leaf signed by the decoy, naming it by its
    // (shared) Name: the issuer's key does not verify it.
    assert_eq!(
        verify("wrong-signer.der", &leaf(), &VerifyOptions::new()),
        Err(OcspError::Signature(SigError::BadSignature))
    );
}

#[test]
fn tampered_signature_or_data() {
    let options = VerifyOptions::new();
    let now = now_for("good.der");
    // openssl's own -badsig.
    assert_eq!(
        parse("good-badsig.der").verify(&leaf(), &ca(), now, &options),
        Err(OcspError::Signature(SigError::BadSignature))
    );

    // A flipped byte in the signature: the last byte of the signature BIT
    // STRING, which sits just before the [0] certs list.
    let good = read("good.der");
    let response = parse("good.der");
    let signature_end = find(&good, response.signature()) + response.signature().len();
    let mut bad = good.clone();
    bad[signature_end - 1] ^= 0x01;
    assert_eq!(
        OcspResponse::parse(bad)
            .unwrap()
            .verify(&leaf(), &ca(), now, &options),
        Err(OcspError::Signature(SigError::BadSignature))
    );

    // A flipped byte in the signed data that keeps it well-formed: the
    // last digit of the seconds in producedAt.
    let produced = find(&good, b"Z\x30") - 1; // ...SSZ then the responses SEQUENCE
    let mut bad = good.clone();
    bad[produced] = if bad[produced] == b'0' { b'1' } else { b'0' };
    let tampered = OcspResponse::parse(bad).unwrap();
    assert_ne!(tampered.produced_at(), response.produced_at());
    assert_eq!(
        tampered.verify(&leaf(), &ca(), now, &options),
        Err(OcspError::Signature(SigError::BadSignature))
    );
}

#[test]
fn delegated_responder_with_the_eku_is_accepted() {
    for (file, responder) in [
        ("delegated.der", "responder"),
        ("delegated-bykey.der", "responder"),
        ("delegated-p384.der", "responder-p384"),
        ("delegated-rsa-pkcs1.der", "responder-rsa"),
        ("delegated-rsa-pss.der", "responder-rsa"),
        ("delegated-ed25519.der", "responder-ed25519"),
    ] {
        let response = parse(file);
        assert!(response.responder_id().matches(&cert(responder)), "{file}");
        assert!(!response.responder_id().matches(&ca()), "{file}");
        let verified = response
            .verify(&leaf(), &ca(), now_for(file), &VerifyOptions::new())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(verified.status, CertStatus::Good, "{file}");
        assert_eq!(
            verified.signer,
            Signer::Delegated(cert(responder).der().clone()),
            "{file}"
        );
    }
    assert!(matches!(
        parse("delegated-bykey.der").responder_id(),
        ResponderId::ByKey(hash) if hash.len() == 20
    ));
}

#[test]
fn delegated_responder_without_the_eku_is_refused() {
    assert_eq!(
        verify("delegated-no-eku.der", &leaf(), &VerifyOptions::new()),
        Err(OcspError::ResponderNotAuthorized)
    );
}

#[test]
fn delegated_responder_issued_by_another_ca_is_refused() {
    // Same responder name, same issuer Name, but the decoy CA signed it.
    assert_eq!(
        verify("delegated-decoy.der", &leaf(), &VerifyOptions::new()),
        Err(OcspError::ResponderNotIssuedByIssuer)
    );
}

#[test]
fn delegated_responder_must_be_valid_now() {
    let (not_before, not_after) = validity("responder-expired");
    assert_eq!(not_after - not_before, 86_400, "valid for one day");
    let response = parse("delegated-expired.der");
    let options = VerifyOptions::new();
    assert!(response.verify(&leaf(), &ca(), not_after, &options).is_ok());
    assert_eq!(
        response.verify(&leaf(), &ca(), not_after + 1, &options),
        Err(OcspError::ResponderCertificateNotValid {
            not_before,
            not_after
        })
    );
}

#[test]
fn a_response_without_its_signer_certificate() {
    // Signed by the issuer, named by key, no certs: the issuer is enough.
    let response = parse("good-bykey.der");
    assert!(response.certificates().is_empty());
    assert!(matches!(response.responder_id(), ResponderId::ByKey(_)));
    let verified = response
        .verify(
            &leaf(),
            &ca(),
            now_for("good-bykey.der"),
            &VerifyOptions::new(),
        )
        .unwrap();
    assert_eq!(verified.signer, Signer::Issuer);

    // A delegated response stripped of its certificates names a signer
    // nobody can find.
    let delegated = parse("delegated.der");
    assert_eq!(delegated.certificates(), [cert("responder").der().clone()]);
    let stripped = OcspResponse::parse(reencode(&delegated, &[])).unwrap();
    assert!(stripped.certificates().is_empty());
    assert_eq!(
        stripped.verify(
            &leaf(),
            &ca(),
            now_for("delegated.der"),
            &VerifyOptions::new()
        ),
        Err(OcspError::SignerNotFound)
    );
    // The same response with the responder's certificate put back verifies
    // (so the re-encoding is right), and with an unrelated certificate in
    // its place finds no signer.
    let restored = reencode(&delegated, &[cert("responder").der()]);
    assert!(OcspResponse::parse(restored)
        .unwrap()
        .verify(
            &leaf(),
            &ca(),
            now_for("delegated.der"),
            &VerifyOptions::new()
        )
        .is_ok());
    let unrelated = reencode(&delegated, &[cert("leaf-unknown").der()]);
    assert_eq!(
        OcspResponse::parse(unrelated).unwrap().verify(
            &leaf(),
            &ca(),
            now_for("delegated.der"),
            &VerifyOptions::new()
        ),
        Err(OcspError::SignerNotFound)
    );
}

/// `response` encoded again with `certs` in place of its certificates.
fn reencode(response: &OcspResponse, certs: &[&[u8]]) -> Vec<u8> {
    let mut basic = Vec::new();
    basic.extend_from_slice(response.tbs_response_data());
    basic.extend_from_slice(response.signature_algorithm());
    let mut bits = vec![0];
    bits.extend_from_slice(response.signature());
    basic.extend(tlv(0x03, &bits));
    if !certs.is_empty() {
        basic.extend(tlv(0xa0, &tlv(0x30, &certs.concat())));
    }
    let basic_oid = [
        0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01,
    ];
    let response_bytes = tlv(
        0x30,
        &[&basic_oid[..], &tlv(0x04, &tlv(0x30, &basic))].concat(),
    );
    tlv(
        0x30,
        &[&[0x0a, 0x01, 0x00][..], &tlv(0xa0, &response_bytes)].concat(),
    )
}
