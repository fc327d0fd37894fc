//! Requests: the bytes `openssl ocsp -reqout` writes, their HTTP POST and
//! GET forms, and the responder and issuer URLs from the leaf's AIA.

use stapler::ocsp::{
    ca_issuer_urls, responder_urls, CertId, HashAlgorithm, Nonce, OcspQuery, MAX_GET_URL_LEN,
    OCSP_REQUEST_CONTENT_TYPE,
};

use super::{ca, cert, leaf, nonce_from_file, read};

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
