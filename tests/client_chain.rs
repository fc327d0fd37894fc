//! Client-certificate chains validated with `ClientRoots::verify`
//! (rustls-webpki underneath) against the client test PKI made by
//! `tests/data/client_pki/make.sh`: each refusal the exact reason a TLS
//! server must give.

use bytes::Bytes;
use stapler::pki::pem::certificates_from_pem_or_der;
use stapler::pki::{ClientChainError, ClientRoots, MAX_CLIENT_CHAIN_LEN};

/// After every certificate of the client PKI began (December 2026), long
/// before any but client-expired ends.
const NOW: u64 = 1_800_000_000;

fn file(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/data/client_pki/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn chain(name: &str) -> Vec<Bytes> {
    certificates_from_pem_or_der(&file(name)).unwrap()
}

fn roots() -> ClientRoots {
    ClientRoots::from_pem_or_der(&file("client-ca.crt")).unwrap()
}

#[test]
fn clients_of_each_key_type_verify_and_say_who_they_are() {
    let roots = roots();
    let a = roots.verify(&chain("client-ecdsa.crt"), NOW).unwrap();
    assert_eq!(a.common_name(), Some("client-a"));
    assert_eq!(a.spiffe_id(), Some("spiffe://example.test/workload/a"));
    assert_eq!(a.uris(), ["spiffe://example.test/workload/a"]);
    assert_eq!(a.dns_names(), ["a.clients.example.test"]);
    assert_eq!(a.chain().len(), 1, "a leaf straight under the root");
    for (name, cn) in [
        ("client-rsa.crt", "client-rsa"),
        ("client-ed25519.crt", "client-ed25519"),
    ] {
        let client = roots.verify(&chain(name), NOW).unwrap();
        assert_eq!(client.common_name(), Some(cn));
        assert_eq!(client.spiffe_id(), None);
    }
}

#[test]
fn a_chain_under_no_configured_root_is_unknown_issuer() {
    assert_eq!(
        roots().verify(&chain("client-stranger.crt"), NOW),
        Err(ClientChainError::UnknownIssuer)
    );
    // Its own root, configured, makes it good.
    let strangers = ClientRoots::from_pem_or_der(&file("stranger-ca.crt")).unwrap();
    assert!(strangers.verify(&chain("client-stranger.crt"), NOW).is_ok());
}

#[test]
fn validity_is_judged_at_the_time_given() {
    let roots = roots();
    // Valid only in 2020.
    assert_eq!(
        roots.verify(&chain("client-expired.crt"), NOW),
        Err(ClientChainError::Expired)
    );
    // In 2020 it was valid. Its root's certificate was not yet, but a
    // trust anchor is a name and a key (RFC 5280 §6.1.1 d), its dates
    // not checked.
    assert!(roots
        .verify(&chain("client-expired.crt"), 1_590_000_000)
        .is_ok());
    // A good leaf before its notBefore (December 2026).
    assert_eq!(
        roots.verify(&chain("client-ecdsa.crt"), 1_700_000_000),
        Err(ClientChainError::NotYetValid)
    );
    // A good leaf, a century and a half on.
    assert_eq!(
        roots.verify(&chain("client-ecdsa.crt"), 5_000_000_000),
        Err(ClientChainError::Expired)
    );
}

#[test]
fn a_leaf_without_client_auth_is_refused() {
    assert_eq!(
        roots().verify(&chain("client-no-eku.crt"), NOW),
        Err(ClientChainError::NotForClientAuth)
    );
}

#[test]
fn name_constraints_hold_through_an_intermediate() {
    let roots = roots();
    let inside = roots
        .verify(&chain("client-inside-chain.pem"), NOW)
        .unwrap();
    assert_eq!(inside.chain().len(), 2, "the leaf and its intermediate");
    assert_eq!(inside.dns_names(), ["c.clients.example.test"]);
    assert_eq!(
        roots.verify(&chain("client-outside-chain.pem"), NOW),
        Err(ClientChainError::NameConstraints)
    );
    // Without the intermediate there is no path.
    assert_eq!(
        roots.verify(&chain("client-inside.crt"), NOW),
        Err(ClientChainError::UnknownIssuer)
    );
}

#[test]
fn empty_long_and_malformed_chains_are_refused() {
    let roots = roots();
    assert_eq!(roots.verify(&[], NOW), Err(ClientChainError::Empty));
    let leaf = chain("client-ecdsa.crt").remove(0);
    let long = vec![leaf.clone(); MAX_CLIENT_CHAIN_LEN + 1];
    assert_eq!(roots.verify(&long, NOW), Err(ClientChainError::TooLong));
    let mut cut = leaf.to_vec();
    cut.truncate(cut.len() - 10);
    assert!(matches!(
        roots.verify(&[Bytes::from(cut)], NOW),
        Err(ClientChainError::Malformed(_))
    ));
    // The same bytes, one of the signature's flipped: the issuer's
    // signature no longer verifies.
    let mut forged = leaf.to_vec();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    assert!(matches!(
        roots.verify(&[Bytes::from(forged)], NOW),
        Err(ClientChainError::BadSignature | ClientChainError::Malformed(_))
    ));
}

#[test]
fn roots_list_their_subjects_for_certificate_authorities() {
    let mut roots = roots();
    roots.add_pem_or_der(&file("stranger-ca.crt")).unwrap();
    assert_eq!(roots.len(), 2);
    let expected: Vec<Vec<u8>> = ["client-ca.crt", "stranger-ca.crt"]
        .iter()
        .map(|name| {
            let der = chain(name).remove(0);
            stapler::pki::Certificate::from_der(der)
                .unwrap()
                .subject()
                .to_vec()
        })
        .collect();
    let subjects: Vec<Vec<u8>> = roots.subjects().iter().map(|s| s.to_vec()).collect();
    assert_eq!(subjects, expected);
    // Each a DER Name: a SEQUENCE.
    assert!(subjects.iter().all(|s| s[0] == 0x30));
    assert!(ClientRoots::from_pem_or_der(b"not a certificate").is_err());
}
