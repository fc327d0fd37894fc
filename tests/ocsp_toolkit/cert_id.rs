//! CertIDs: SHA-1 and SHA-256 ones byte for byte as openssl makes them,
//! matching by each response's own hash algorithm, and hashes that must fit
//! their algorithm.

use std::path::Path;

use stapler::ocsp::{CertId, HashAlgorithm, OcspError, OcspResponse, VerifyOptions};

use super::{ca, find, leaf, parse, read, tlv, verify};

// ---------------------------------------------------------------- CertID

#[test]
fn cert_id_sha1_and_sha256() {
    let sha1 = CertId::sha1(&leaf(), &ca()).unwrap();
    assert_eq!(sha1.hash_algorithm(), HashAlgorithm::Sha1);
    assert_eq!(sha1.issuer_name_hash().len(), 20);
    assert_eq!(sha1.serial_number(), [0x10, 0x01]);
    let sha256 = CertId::new(&leaf(), &ca(), HashAlgorithm::Sha256).unwrap();
    assert_eq!(sha256.issuer_key_hash().len(), 32);

    // Each CertID is, byte for byte, the one openssl put in its request.
    let openssl_sha1 = read("req-good-sha1.der");
    let openssl_sha256 = read("req-good-sha256.der");
    find(&openssl_sha1, &sha1.to_der());
    find(&openssl_sha256, &sha256.to_der());

    // And each matches the CertID openssl's responder answered with.
    for (file, id) in [("good.der", &sha1), ("good-sha256.der", &sha256)] {
        let response = parse(file);
        assert_eq!(response.responses()[0].cert_id(), Some(id), "{file}");
        assert!(
            verify(file, &leaf(), &VerifyOptions::new()).is_ok(),
            "{file}"
        );
    }
}

#[test]
fn a_response_matches_by_its_own_hash_algorithm() {
    // verify() is not told which hash the request used: it computes the
    // CertID with each SingleResponse's own algorithm.
    let response = parse("good-sha256.der");
    let id = response.responses()[0].cert_id().unwrap();
    assert_eq!(id.hash_algorithm(), HashAlgorithm::Sha256);
    assert!(response.find(&leaf(), &ca()).is_some());

    // OpenSSL 3.0's `-rcid sha256` answers a SHA-1 request with a SHA-256
    // CertID whose serial number is 0 (it loses the serial): the hashes
    // match, the serial does not, so it is not about our certificate.
    let response = parse("good-rcid-sha256.der");
    let id = response.responses()[0].cert_id().unwrap();
    let ours = CertId::new(&leaf(), &ca(), HashAlgorithm::Sha256).unwrap();
    assert_eq!(id.issuer_name_hash(), ours.issuer_name_hash());
    assert_eq!(id.issuer_key_hash(), ours.issuer_key_hash());
    assert_eq!(id.serial_number(), [0]);
    assert!(response.find(&leaf(), &ca()).is_none());
    assert_eq!(
        verify("good-rcid-sha256.der", &leaf(), &VerifyOptions::new()),
        Err(OcspError::CertIdNotFound)
    );
}

/// DER of the OBJECT IDENTIFIERs of SHA-1, SHA-256 and SHA-512.
const SHA1_OID: [u8; 7] = [0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a];
const SHA256_OID: [u8; 11] = [
    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
];
const SHA512_OID: [u8; 11] = [
    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
];

/// `der` with the one TLV `old` replaced by `new`, every enclosing length
/// re-encoded (the OCTET STRING around the BasicOCSPResponse included).
fn replace_tlv(der: &[u8], old: &[u8], new: &[u8]) -> Vec<u8> {
    fn rewrite(der: &[u8], at: usize, old: &[u8], new: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < der.len() {
            if i == at {
                out.extend_from_slice(new);
                i += old.len();
                continue;
            }
            let (header, len) = match der[i + 1] {
                short @ 0..=0x7f => (2, usize::from(short)),
                long => {
                    let n = usize::from(long & 0x7f);
                    let len = der[i + 2..i + 2 + n]
                        .iter()
                        .fold(0, |acc, &b| acc << 8 | usize::from(b));
                    (2 + n, len)
                }
            };
            let end = i + header + len;
            if (i..end).contains(&at) {
                let inner = rewrite(&der[i + header..end], at - i - header, old, new);
                out.extend(tlv(der[i], &inner));
            } else {
                out.extend_from_slice(&der[i..end]);
            }
            i = end;
        }
        out
    }
    assert_eq!(der.windows(old.len()).filter(|w| w == &old).count(), 1);
    rewrite(der, find(der, old), old, new)
}

#[test]
fn cert_id_hashes_must_fit_their_algorithm() {
    // openssl's SHA-1 response relabelled SHA-512, its 20-byte hashes
    // kept: the saved fuzz regression, which once parsed into a CertId
    // claiming SHA-512 over 20-byte hashes (RFC 6960 §4.1.1 makes both
    // hashes digests of hashAlgorithm).
    let relabelled = replace_tlv(&read("good.der"), &SHA1_OID, &SHA512_OID);
    let saved = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz_regressions/ocsp_response-certid-hash-length.bin");
    assert_eq!(std::fs::read(saved).unwrap(), relabelled);
    assert_eq!(
        OcspResponse::parse(relabelled),
        Err(OcspError::CertIdHashLength {
            algorithm: HashAlgorithm::Sha512,
            name_hash_len: 20,
            key_hash_len: 20,
        })
    );
    // The SHA-256 response relabelled the same way: 32-byte hashes.
    let relabelled = replace_tlv(&read("good-sha256.der"), &SHA256_OID, &SHA512_OID);
    let err = OcspResponse::parse(relabelled).unwrap_err();
    assert_eq!(
        err,
        OcspError::CertIdHashLength {
            algorithm: HashAlgorithm::Sha512,
            name_hash_len: 32,
            key_hash_len: 32,
        }
    );
    assert!(err.is_parse_error());
    assert_eq!(
        err.to_string(),
        "OCSP CertID hashes of 32 and 32 bytes are not Sha512 digests of 64 bytes"
    );
    // And the other way: SHA-1 named over SHA-256's 32-byte hashes.
    let relabelled = replace_tlv(&read("good-sha256.der"), &SHA256_OID, &SHA1_OID);
    assert_eq!(
        OcspResponse::parse(relabelled),
        Err(OcspError::CertIdHashLength {
            algorithm: HashAlgorithm::Sha1,
            name_hash_len: 32,
            key_hash_len: 32,
        })
    );
    // The re-encoding itself is sound: SHA-1 relabelled SHA-1 is the
    // response as openssl wrote it.
    assert_eq!(
        replace_tlv(&read("good.der"), &SHA1_OID, &SHA1_OID),
        read("good.der")
    );
}
