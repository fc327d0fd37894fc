//! Adding and removing certificates (one by one or from a `ServerConfig`),
//! fetch ids, and answering a real `OcspRequest` raised by a rustls handshake.

use std::sync::Arc;

use bytes::Bytes;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;
use stapler::ocsp::{CacheError, OcspError, StapleCache, Update};
use stapler::{OcspOutcome, ServerConfig};

use super::common::rustls_pair::{client_config, Pair, RecordingVerifier};
use super::support::{
    ca, deliver, der, exact, exact_cache, leaf_good, leaf_revoked, read, window, HOUR,
};

#[test]
fn add_refuses_what_it_cannot_fetch_for() {
    let now = window(&read("good.der")).0;
    let mut cache = exact_cache();
    assert!(matches!(
        cache.add(Bytes::from_static(b"junk"), ca(), None, now),
        Err(CacheError::Certificate(_))
    ));
    assert!(matches!(
        cache.add(leaf_good(), Bytes::from_static(b"junk"), None, now),
        Err(CacheError::Certificate(_))
    ));
    // The leaf as its own issuer: wrong Name.
    assert_eq!(
        cache.add(leaf_good(), leaf_good(), None, now),
        Err(CacheError::CertId(OcspError::IssuerNameMismatch))
    );
    // The decoy CA: the right Name, another key. Every response would be
    // refused; say so now.
    assert_eq!(
        cache.add(leaf_good(), der("ca-decoy"), None, now),
        Err(CacheError::IssuerMismatch)
    );
    // No http responder in the AIA, and none given.
    assert_eq!(
        cache.add(leaf_revoked(), ca(), None, now),
        Err(CacheError::NoResponderUrl)
    );
    assert_eq!(cache.next_deadline(), None, "nothing was added");

    cache.add(leaf_good(), ca(), None, now).unwrap();
    assert_eq!(
        cache.add(leaf_good(), ca(), Some("http://127.0.0.1:9/"), now),
        Err(CacheError::AlreadyAdded)
    );
}

#[test]
fn remove_forgets_a_certificate_and_its_outstanding_fetch() {
    let good = read("good.der");
    let now = window(&good).0;
    let mut cache = exact_cache();
    cache.add(leaf_good(), ca(), None, now).unwrap();
    let fetch = cache.poll_fetch(now).unwrap();
    assert!(cache.remove(&leaf_good()));
    assert!(!cache.remove(&leaf_good()));
    assert!(cache
        .handle_fetch_result(fetch.id(), now, Ok(good.clone()))
        .is_err());
    assert_eq!(cache.next_deadline(), None);
    assert_eq!(cache.staple(&leaf_good(), now), None);
    // Added again (a renewed certificate would be a new one): fetched anew.
    cache.add(leaf_good(), ca(), None, now).unwrap();
    assert!(matches!(
        deliver(&mut cache, now, Ok(good)),
        Update::Stored { .. }
    ));
}

#[test]
fn a_fetch_id_from_another_cache_is_unknown() {
    let good = read("good.der");
    let now = window(&good).0;
    let mut first = StapleCache::new(exact());
    let mut second = StapleCache::new(exact());
    first.add(leaf_good(), ca(), None, now).unwrap();
    second.add(leaf_good(), ca(), None, now).unwrap();
    let mine = first.poll_fetch(now).unwrap();
    let theirs = second.poll_fetch(now).unwrap();
    assert_ne!(mine.id(), theirs.id());
    assert!(first
        .handle_fetch_result(theirs.id(), now, Ok(good.clone()))
        .is_err());
    assert!(first.handle_fetch_result(mine.id(), now, Ok(good)).is_ok());
}

/// A server config for leaf-good (tests/data/ocsp), issuer found among
/// the CA certificates.
fn ocsp_server_config(with_ca: bool) -> ServerConfig {
    let mut builder = ServerConfig::builder()
        .certificate_chain(&read("leaf-good.crt"), &read("leaf-good.key"))
        .unwrap();
    if with_ca {
        builder = builder.ca_certificates(&read("ca.crt")).unwrap();
    }
    builder.ocsp_events(true).build().unwrap()
}

#[test]
fn add_config_takes_each_certificate_with_an_issuer_and_a_responder() {
    let now = window(&read("good.der")).0;
    let config = ServerConfig::builder()
        .certificate_chain(&read("leaf-good.crt"), &read("leaf-good.key"))
        .unwrap()
        .certificate_chain(&read("leaf-revoked.crt"), &read("leaf-revoked.key"))
        .unwrap()
        .ca_certificates(&read("ca.crt"))
        .unwrap()
        .build()
        .unwrap();
    let mut cache = exact_cache();
    let skipped = cache.add_config(&config, now);
    assert_eq!(skipped, [(leaf_revoked(), CacheError::NoResponderUrl)]);
    let fetch = cache.poll_fetch(now).unwrap();
    assert_eq!(fetch.certificate(), &leaf_good());
    assert!(cache.poll_fetch(now).is_none());
    // What was skipped can be added with a URL.
    cache
        .add(leaf_revoked(), ca(), Some("http://127.0.0.1:9/"), now)
        .unwrap();
    // Adding the config again changes nothing.
    let again = cache.add_config(&config, now);
    assert!(again.iter().all(|(_, e)| e == &CacheError::AlreadyAdded));
    assert_eq!(again.len(), 2);

    // With a responder given, every certificate is asked there, the one
    // whose AIA names none included.
    let mut cache = exact_cache();
    let url = "http://127.0.0.1:9/ocsp";
    assert!(cache
        .add_config_with_responder(&config, url, now)
        .is_empty());
    let mut asked = Vec::new();
    while let Some(fetch) = cache.poll_fetch(now) {
        assert_eq!(fetch.url(), url);
        asked.push(fetch.certificate().clone());
    }
    assert_eq!(asked, [leaf_good(), leaf_revoked()]);

    // Without the CA certificate the issuer is unknown.
    let mut cache = exact_cache();
    assert_eq!(
        cache.add_config(&ocsp_server_config(false), now),
        [(leaf_good(), CacheError::NoIssuer)]
    );
    assert_eq!(cache.next_deadline(), None);
}

/// A rustls client trusting the OCSP test CA, to good.example.test.
fn pair_for_leaf_good(config: Arc<ServerConfig>) -> (Pair, Arc<RecordingVerifier>) {
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(ca().to_vec())).unwrap();
    let verifier = RecordingVerifier::custom(roots, None);
    let pair = Pair::with_name(client_config(verifier.clone()), config, "good.example.test");
    (pair, verifier)
}

#[test]
fn answer_completes_a_real_ocsp_request_from_memory() {
    let good = read("good.der");
    let (this_update, next_update) = window(&good);
    let now = this_update + HOUR;
    let config = Arc::new(ocsp_server_config(true));
    let mut cache = exact_cache();
    assert!(cache.add_config(&config, now).is_empty());

    // Before the first response: no staple, and the handshake goes on.
    let (mut pair, verifier) = pair_for_leaf_good(config.clone());
    pair.client_to_server().unwrap();
    let request = pair.ocsp_requests.pop().expect("an OcspRequest event");
    assert_eq!(request.certificate(), &leaf_good());
    assert_eq!(request.issuer(), Some(&ca()));
    pair.complete(cache.answer(request, now)).unwrap();
    assert_eq!(pair.summary().unwrap().ocsp, OcspOutcome::NoResponse);
    assert_eq!(verifier.last_staple(), Some(Vec::new()));

    deliver(&mut cache, now, Ok(good.clone()));
    // With one held: stapled, byte for byte.
    let (mut pair, verifier) = pair_for_leaf_good(config.clone());
    pair.client_to_server().unwrap();
    let request = pair.ocsp_requests.pop().unwrap();
    pair.complete(cache.answer(request, now)).unwrap();
    assert_eq!(
        pair.summary().unwrap().ocsp,
        OcspOutcome::Stapled(good.len())
    );
    assert_eq!(verifier.last_staple(), Some(good.to_vec()));
    assert_eq!(pair.client_reads(), b"");

    // Past nextUpdate it is not fresh: no staple rather than a stale one.
    let (mut pair, verifier) = pair_for_leaf_good(config);
    pair.client_to_server().unwrap();
    let request = pair.ocsp_requests.pop().unwrap();
    pair.complete(cache.answer(request, next_update)).unwrap();
    assert_eq!(pair.summary().unwrap().ocsp, OcspOutcome::NoResponse);
    assert_eq!(verifier.last_staple(), Some(Vec::new()));
}
