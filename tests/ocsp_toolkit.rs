//! The OCSP toolkit against `openssl ocsp`: requests compared byte for byte
//! with what `openssl ocsp -reqout` writes (and handed to openssl's own
//! responder), responses made by `openssl ocsp -index` parsed and verified
//! with an explicit `now`, inside and outside their validity.
//!
//! The files are in tests/data/ocsp, made by its make.sh (see its README).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use stapler::ocsp::{
    ca_issuer_urls, responder_urls, CertId, CertStatus, HashAlgorithm, Nonce, OcspError, OcspQuery,
    OcspResponse, ResponderId, ResponsePart, ResponseStatus, RevocationReason, Signer,
    VerifiedStatus, VerifyOptions, DEFAULT_CLOCK_SKEW, MAX_GET_URL_LEN, MAX_RESPONSE_LEN,
    OCSP_REQUEST_CONTENT_TYPE,
};
use stapler::pki::{Certificate, SigError};

// Only the peer lookup of the shared helpers: the rest needs rustls.
#[allow(dead_code)]
#[path = "common/peers.rs"]
mod peers;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ocsp")
}

fn read(name: &str) -> Vec<u8> {
    let path = data_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cert(name: &str) -> Certificate {
    Certificate::from_pem_chain(&read(&format!("{name}.crt")))
        .unwrap()
        .remove(0)
}

fn leaf() -> Certificate {
    cert("leaf-good")
}

fn ca() -> Certificate {
    cert("ca")
}

fn parse(name: &str) -> OcspResponse {
    OcspResponse::parse(read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One line of times.txt: the times openssl printed for a response.
#[derive(Clone, Copy, Debug)]
struct Times {
    produced_at: u64,
    this_update: u64,
    next_update: Option<u64>,
    revocation_time: Option<u64>,
}

fn times(name: &str) -> Times {
    let text = String::from_utf8(read("times.txt")).unwrap();
    let optional = |field: &str| (field != "-").then(|| field.parse().unwrap());
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|cols| cols[0] == name)
        .map(|cols| Times {
            produced_at: cols[1].parse().unwrap(),
            this_update: cols[2].parse().unwrap(),
            next_update: optional(cols[3]),
            revocation_time: optional(cols[4]),
        })
        .unwrap_or_else(|| panic!("{name} not in times.txt"))
}

/// validity.txt: notBefore and notAfter of each certificate.
fn validity(name: &str) -> (u64, u64) {
    let text = String::from_utf8(read("validity.txt")).unwrap();
    let cols: HashMap<_, _> = text
        .lines()
        .map(|line| {
            let cols: Vec<_> = line.split_whitespace().collect();
            (
                cols[0].to_owned(),
                (cols[1].parse().unwrap(), cols[2].parse().unwrap()),
            )
        })
        .collect();
    cols[name]
}

/// An hour into the response's validity: inside every window.
fn now_for(name: &str) -> u64 {
    times(name).this_update + 3600
}

fn verify(
    name: &str,
    leaf: &Certificate,
    options: &VerifyOptions,
) -> Result<VerifiedStatus, OcspError> {
    parse(name).verify(leaf, &ca(), now_for(name), options)
}

fn nonce_from_file() -> Nonce {
    let hex = String::from_utf8(read("nonce.hex")).unwrap();
    let bytes: Vec<u8> = (0..hex.trim().len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(bytes.len(), 16, "openssl's default nonce length");
    Nonce::new(bytes).unwrap()
}

// ---------------------------------------------------------------- status

#[test]
fn good_response_signed_by_the_issuer() {
    let response = parse("good.der");
    let t = times("good.der");
    assert_eq!(response.produced_at(), t.produced_at);
    assert_eq!(
        response.responder_id(),
        &ResponderId::ByName(ca().subject().to_vec().into())
    );
    assert!(response.responder_id().matches(&ca()));
    // openssl includes the signer's certificate by default.
    assert_eq!(response.certificates(), [ca().der().clone()]);
    assert_eq!(response.responses().len(), 1);
    assert_eq!(response.nonce(), None);
    assert_eq!(response.der().as_ref(), read("good.der"));

    let verified = response
        .verify(&leaf(), &ca(), now_for("good.der"), &VerifyOptions::new())
        .unwrap();
    assert_eq!(verified.status, CertStatus::Good);
    assert_eq!(verified.this_update, t.this_update);
    assert_eq!(verified.next_update, t.next_update);
    assert_eq!(verified.valid_until, t.next_update.unwrap());
    assert_eq!(verified.produced_at, t.produced_at);
    assert_eq!(verified.signer, Signer::Issuer);
}

#[test]
fn revoked_with_time_and_reason() {
    let leaf = cert("leaf-revoked");
    let verified = verify("revoked.der", &leaf, &VerifyOptions::new()).unwrap();
    let t = times("revoked.der");
    assert_eq!(
        t.revocation_time,
        Some(1_767_225_600),
        "index.txt says 2026-01-01"
    );
    assert_eq!(
        verified.status,
        CertStatus::Revoked {
            time: 1_767_225_600,
            reason: Some(RevocationReason::KeyCompromise)
        }
    );
    // The good leaf is not in this response.
    assert_eq!(
        verify("revoked.der", &self::leaf(), &VerifyOptions::new()),
        Err(OcspError::CertIdNotFound)
    );
}

#[test]
fn unknown_status() {
    let verified = verify("unknown.der", &cert("leaf-unknown"), &VerifyOptions::new()).unwrap();
    assert_eq!(verified.status, CertStatus::Unknown);
}

// ---------------------------------------------------------------- freshness

#[test]
fn expired_at_next_update() {
    let response = parse("good.der");
    let next_update = times("good.der").next_update.unwrap();
    let options = VerifyOptions::new();
    assert!(response
        .verify(&leaf(), &ca(), next_update - 1, &options)
        .is_ok());
    assert_eq!(
        response.verify(&leaf(), &ca(), next_update, &options),
        Err(OcspError::Expired {
            valid_until: next_update
        })
    );
    assert_eq!(
        response.verify(&leaf(), &ca(), u64::MAX, &options),
        Err(OcspError::Expired {
            valid_until: next_update
        })
    );
}

#[test]
fn not_yet_valid_before_this_update_less_the_skew() {
    let response = parse("good.der");
    let this_update = times("good.der").this_update;
    let default = VerifyOptions::new();
    let earliest = this_update - DEFAULT_CLOCK_SKEW;
    assert!(response.verify(&leaf(), &ca(), earliest, &default).is_ok());
    assert_eq!(
        response.verify(&leaf(), &ca(), earliest - 1, &default),
        Err(OcspError::NotYetValid { this_update })
    );
    assert_eq!(
        response.verify(&leaf(), &ca(), 0, &default),
        Err(OcspError::NotYetValid { this_update })
    );
    let strict = VerifyOptions::new().clock_skew(0);
    assert!(response
        .verify(&leaf(), &ca(), this_update, &strict)
        .is_ok());
    assert_eq!(
        response.verify(&leaf(), &ca(), this_update - 1, &strict),
        Err(OcspError::NotYetValid { this_update })
    );
}

#[test]
fn missing_next_update_is_refused_unless_a_max_age_is_given() {
    let response = parse("good-no-next-update.der");
    let this_update = times("good-no-next-update.der").this_update;
    assert_eq!(times("good-no-next-update.der").next_update, None);
    assert_eq!(response.responses()[0].next_update(), None);
    let now = this_update + 60;
    assert_eq!(
        response.verify(&leaf(), &ca(), now, &VerifyOptions::new()),
        Err(OcspError::NoNextUpdate)
    );
    let lenient = VerifyOptions::new().max_age_without_next_update(3600);
    let verified = response.verify(&leaf(), &ca(), now, &lenient).unwrap();
    assert_eq!(
        (verified.next_update, verified.valid_until),
        (None, this_update + 3600)
    );
    assert_eq!(
        response.verify(&leaf(), &ca(), this_update + 3600, &lenient),
        Err(OcspError::Expired {
            valid_until: this_update + 3600
        })
    );
}

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

/// Where `needle` starts in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in haystack")
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

/// A DER TLV (definite length, short or long form).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
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

// ---------------------------------------------------------------- requests

#[test]
fn requests_are_the_bytes_openssl_writes() {
    for (file, leaf, hash) in [
        ("req-good-sha1.der", "leaf-good", HashAlgorithm::Sha1),
        ("req-good-sha256.der", "leaf-good", HashAlgorithm::Sha256),
        ("req-revoked.der", "leaf-revoked", HashAlgorithm::Sha1),
        ("req-unknown.der", "leaf-unknown", HashAlgorithm::Sha1),
    ] {
        let id = CertId::new(&cert(leaf), &ca(), hash).unwrap();
        let query = OcspQuery::new(id.clone());
        assert_eq!(query.der().as_ref(), read(file), "{file}");
        assert_eq!(query.cert_id(), &id);
        assert_eq!(query.nonce(), None);
    }
    // With the nonce openssl drew, our request is openssl's, byte for byte.
    let query = OcspQuery::with_nonce(CertId::sha1(&leaf(), &ca()).unwrap(), nonce_from_file());
    assert_eq!(query.der().as_ref(), read("req-good-nonce.der"));
    assert_eq!(query.nonce(), Some(&nonce_from_file()));
}

#[test]
fn http_forms() {
    let query = OcspQuery::new(CertId::sha1(&leaf(), &ca()).unwrap());
    assert_eq!(OCSP_REQUEST_CONTENT_TYPE, "application/ocsp-request");
    assert_eq!(query.post_body(), query.der());

    // The GET URL carries openssl's base64 of the request, URL-escaped.
    let base64 = String::from_utf8(read("req-good-sha1.b64")).unwrap();
    let escaped = base64
        .trim()
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let url = query.get_url("http://ocsp.example.test").unwrap();
    assert_eq!(url, format!("http://ocsp.example.test/{escaped}"));
    assert_eq!(query.get_url("http://ocsp.example.test/").unwrap(), url);
    assert_eq!(
        query.get_url("http://ocsp.example.test:8080/ocsp").unwrap(),
        format!("http://ocsp.example.test:8080/ocsp/{escaped}")
    );

    // RFC 5019 §5: GET only while the whole URL fits in 255 bytes.
    let room = MAX_GET_URL_LEN - escaped.len() - "http://".len() - "/".len();
    let fits = format!("http://{}", "h".repeat(room));
    assert_eq!(query.get_url(&fits).unwrap().len(), MAX_GET_URL_LEN);
    assert_eq!(query.get_url(&format!("{fits}h")), None);

    // A SHA-512 CertID with a nonce is too long for GET at any responder.
    let big = OcspQuery::with_nonce(
        CertId::new(&leaf(), &ca(), HashAlgorithm::Sha512).unwrap(),
        Nonce::new(vec![1; 32]).unwrap(),
    );
    assert!(big.der().len() > 190);
    assert_eq!(big.get_url("http://o"), None);
}

#[test]
fn responder_and_issuer_urls_from_the_aia() {
    let leaf = leaf();
    assert_eq!(
        leaf.ocsp_urls(),
        [
            "http://ocsp.example.test/",
            "https://ocsp.example.test/secure",
            "HTTP://OCSP2.example.test:8080/path"
        ]
    );
    // Plain http only, in order.
    assert_eq!(
        responder_urls(&leaf).collect::<Vec<_>>(),
        [
            "http://ocsp.example.test/",
            "HTTP://OCSP2.example.test:8080/path"
        ]
    );
    assert_eq!(
        ca_issuer_urls(&leaf).collect::<Vec<_>>(),
        ["http://ca.example.test/ca.der"]
    );
    let none = cert("leaf-revoked");
    assert_eq!(responder_urls(&none).count(), 0);
    assert_eq!(ca_issuer_urls(&none).count(), 0);
}

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

// ---------------------------------------------------------------- openssl live

/// Whether the live openssl checks run. As for every interop test, a
/// missing `openssl` fails the test, naming the Debian package to install;
/// only `STAPLER_SKIP_INTEROP=1` skips them.
fn have_openssl() -> bool {
    !peers::skip_unless_installed(&[peers::OPENSSL])
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stapler-ocsp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["index.txt", "ca.crt", "ca.key"] {
        std::fs::copy(data_dir().join(file), dir.join(file)).unwrap();
    }
    dir
}

fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "openssl {}\n--- stdout\n{stdout}\n--- stderr\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn openssl_answers_our_requests() {
    if !have_openssl() {
        return;
    }
    let dir = scratch_dir("responder");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for (leaf_name, expected) in [
        ("leaf-good", "good"),
        ("leaf-revoked", "revoked"),
        ("leaf-unknown", "unknown"),
    ] {
        let leaf = cert(leaf_name);
        let nonce = Nonce::random().unwrap();
        let query = OcspQuery::with_nonce(CertId::sha1(&leaf, &ca()).unwrap(), nonce.clone());
        std::fs::write(dir.join("ours.der"), query.der()).unwrap();

        // openssl reads our request and sees our nonce...
        let text = openssl(&dir, &["ocsp", "-reqin", "ours.der", "-req_text"]);
        let hex: String = nonce
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        assert!(text.contains("OCSP Nonce"), "{text}");
        assert!(text.replace([' ', '\n'], "").contains(&hex), "{text}");

        // ...its responder answers it, echoing the nonce...
        openssl(
            &dir,
            &[
                "ocsp",
                "-index",
                "index.txt",
                "-CA",
                "ca.crt",
                "-rsigner",
                "ca.crt",
                "-rkey",
                "ca.key",
                "-reqin",
                "ours.der",
                "-respout",
                "resp.der",
                "-ndays",
                "1",
            ],
        );
        // ...and the answer verifies, nonce included.
        let response = OcspResponse::parse(std::fs::read(dir.join("resp.der")).unwrap()).unwrap();
        let verified = response
            .verify(&leaf, &ca(), now, &VerifyOptions::new().nonce(nonce))
            .unwrap_or_else(|e| panic!("{leaf_name}: {e}"));
        let status = match verified.status {
            CertStatus::Good => "good",
            CertStatus::Revoked { .. } => "revoked",
            CertStatus::Unknown => "unknown",
        };
        assert_eq!(status, expected, "{leaf_name}");
        assert!(verified.valid_until > now && verified.valid_until <= now + 86_400 + 60);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
