//! The demo server's OCSP path (examples/demo_ocsp), run in-process: its
//! responder on a free loopback port, and its staple cache fetching from
//! that responder through the real HTTP client, with time injected into
//! both. The staples are checked by `openssl ocsp` and by stapler's own
//! verifier, and served to a rustls client through the `OcspRequest`
//! event; the responder also answers `openssl ocsp -url` itself.

#[path = "../examples/demo_ocsp/mod.rs"]
mod demo_ocsp;
#[path = "../examples/demo_pki/mod.rs"]
mod demo_pki;

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::peers::{self, skip_unless_installed, OPENSSL};
use common::rustls_pair::{client_config, tls12_client_config, Pair, RecordingVerifier};
use demo_ocsp::responder::Responder;
use demo_ocsp::stapling::{http_get, http_post, Stapling};
use demo_ocsp::{unix_now, Clock};
use demo_pki::DemoPki;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;
use stapler::ocsp::{
    CachePolicy, CertId, CertStatus, OcspError, OcspQuery, OcspResponse, Rejection, ResponseStatus,
    StapleCache, Update, VerifyOptions,
};
use stapler::pki::Certificate;
use stapler::{OcspOutcome, ServerConfig};

/// The demo's responses are fresh for this long (its default).
const VALIDITY: u64 = 600;

/// A clock the test sets.
struct TestClock(Arc<AtomicU64>);

impl TestClock {
    fn new(start: u64) -> Self {
        Self(Arc::new(AtomicU64::new(start)))
    }

    fn set(&self, now: u64) {
        self.0.store(now, Ordering::SeqCst);
    }

    fn clock(&self) -> Clock {
        let time = Arc::clone(&self.0);
        Arc::new(move || time.load(Ordering::SeqCst))
    }
}

/// A demo PKI whose leaf names a responder on a free loopback port, and
/// that responder, running on `clock`.
fn pki_with_responder(clock: Clock) -> DemoPki {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let pki = demo_pki::generate_with_ocsp_url(unix_now(), &url);
    Responder::new(
        Arc::clone(&pki.ocsp_signer),
        Duration::from_secs(VALIDITY),
        clock,
    )
    .start(listener)
    .unwrap();
    pki
}

/// The server config the demo builds for its PKI.
fn demo_config(pki: &DemoPki) -> ServerConfig {
    ServerConfig::builder()
        .certificate_chain(pki.leaf_chain_pem.as_bytes(), &pki.leaf_key_pkcs8_der)
        .unwrap()
        .ca_certificates(pki.ca_pem.as_bytes())
        .unwrap()
        .ocsp_events(true)
        .alpn_protocols(["http/1.1"])
        .unwrap()
        .build()
        .unwrap()
}

fn certificate(der: &[u8]) -> Certificate {
    Certificate::from_der(der.to_vec()).unwrap()
}

/// Verifies `staple` for the demo leaf at `now` with stapler.
fn verify(pki: &DemoPki, staple: &[u8], now: u64) -> stapler::ocsp::VerifiedStatus {
    OcspResponse::parse(staple.to_vec())
        .unwrap()
        .verify(
            &certificate(&pki.leaf_der),
            &certificate(&pki.ca_der),
            now,
            &VerifyOptions::new(),
        )
        .unwrap()
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stapler-demo-ocsp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `openssl ocsp` checks `staple` against the CA, as a TLS client holding
/// the CA would, at the real time: signature, CertID, freshness.
fn openssl_verifies(dir: &Path, pki: &DemoPki, staple: &[u8], name: &str) -> String {
    let ca = dir.join("ca.pem");
    let leaf = dir.join("leaf.pem");
    let response = dir.join(name);
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    std::fs::write(&leaf, &pki.leaf_pem).unwrap();
    std::fs::write(&response, staple).unwrap();
    let out = peers::run(
        OPENSSL,
        &[
            "ocsp",
            "-respin",
            path_str(&response),
            "-CAfile",
            path_str(&ca),
            "-issuer",
            path_str(&ca),
            "-cert",
            path_str(&leaf),
            "-resp_text",
        ],
        b"",
    );
    out.assert_success();
    out.assert_contains("Response verify OK");
    out.assert_contains(&format!("{}: good", leaf.display()));
    out.stdout
}

/// A full handshake with a rustls client (TLS 1.3 or 1.2), the server
/// answering its OcspRequest from `stapling` as the demo does; the staple
/// the client received.
fn handshake_staple(
    pki: &DemoPki,
    config: &Arc<ServerConfig>,
    stapling: &Stapling,
    tls12: bool,
) -> Vec<u8> {
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(pki.ca_der.clone())).unwrap();
    let verifier = RecordingVerifier::custom(roots, None);
    let client = if tls12 {
        tls12_client_config(verifier.clone())
    } else {
        client_config(verifier.clone())
    };
    let mut pair = Pair::new(client, Arc::clone(config));
    pair.run().unwrap();
    let request = pair.ocsp_requests.pop().expect("an OcspRequest");
    pair.complete(stapling.answer(request)).unwrap();
    assert!(!pair.client.is_handshaking());
    let staple = verifier
        .last_staple()
        .expect("the client saw the certificate");
    let expected = if staple.is_empty() {
        OcspOutcome::NoResponse
    } else {
        OcspOutcome::Stapled(staple.len())
    };
    assert_eq!(pair.summary().unwrap().ocsp, expected);
    staple
}

#[test]
fn the_cache_primes_from_the_responder_and_refreshes_after_the_midpoint() {
    let openssl = !skip_unless_installed(&[OPENSSL]);
    let real_now = unix_now();
    // First fetch 400 s in the past, so that both staples (fresh for 600
    // s, the second made after the first one's midpoint) are still fresh
    // at the real time at which openssl checks them.
    let t1 = real_now - 400;
    let time = TestClock::new(t1);
    let pki = pki_with_responder(time.clock());
    let config = Arc::new(demo_config(&pki));
    let dir = scratch_dir("refresh");
    let persisted = dir.join("staples");

    // The demo's setup: every certificate of the config, found by its AIA.
    let mut cache = StapleCache::new(CachePolicy::default());
    assert!(cache.add_config(&config, t1).is_empty());
    let (stapling, note) = Stapling::new(cache, Some(persisted.clone()), time.clock());
    assert!(note.unwrap().contains("does not exist yet"));
    // Before priming, a client gets no staple (and does not wait).
    assert!(handshake_staple(&pki, &config, &stapling, false).is_empty());

    // Priming: one fetch, by GET (the request fits in 255 bytes).
    let reports = stapling.run_due(t1);
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!(report.method, "GET");
    assert_eq!(report.url, pki.ocsp_url);
    let Update::Stored { status, refresh_at } = &report.update else {
        panic!("not stored: {report}");
    };
    assert_eq!(status.status, CertStatus::Good);
    assert_eq!(status.this_update, t1);
    assert_eq!(status.valid_until, t1 + VALIDITY);
    // The midpoint, moved by at most the default 10% jitter.
    let refresh_at = *refresh_at;
    assert!(
        (t1 + VALIDITY / 2 - VALIDITY / 10..=t1 + VALIDITY / 2 + VALIDITY / 10)
            .contains(&refresh_at),
        "{report}"
    );
    let line = report.to_string();
    assert!(line.starts_with("ocsp: GET http://127.0.0.1:"), "{line}");
    assert!(line.contains("stored a good response"), "{line}");
    assert!(line.contains("next refresh at"), "{line}");

    let first = stapling.staple(&pki.leaf_der, t1).expect("a staple");
    assert_eq!(report.staple_len, Some(first.len()));
    verify(&pki, &first, t1);
    if openssl {
        let text = openssl_verifies(&dir, &pki, &first, "first.der");
        assert!(text.contains("Cert Status: good"), "{text}");
    }
    // What the connections serve, over TLS 1.3 and 1.2.
    assert_eq!(handshake_staple(&pki, &config, &stapling, false), first);
    assert_eq!(handshake_staple(&pki, &config, &stapling, true), first);

    // Nothing is due before the refresh time.
    assert_eq!(stapling.next_deadline(), Some(refresh_at));
    time.set(refresh_at - 1);
    assert!(stapling.run_due(refresh_at - 1).is_empty());

    // At the refresh time: a new response, signed then.
    time.set(refresh_at);
    let reports = stapling.run_due(refresh_at);
    assert_eq!(reports.len(), 1, "one fetch per certificate");
    let Update::Stored { status, .. } = &reports[0].update else {
        panic!("not stored: {}", reports[0]);
    };
    assert_eq!(status.this_update, refresh_at);
    assert!(status.this_update > t1);
    let second = stapling.staple(&pki.leaf_der, refresh_at).unwrap();
    assert_ne!(second, first);
    assert_eq!(verify(&pki, &second, refresh_at).this_update, refresh_at);
    if openssl {
        openssl_verifies(&dir, &pki, &second, "second.der");
    }
    assert_eq!(handshake_staple(&pki, &config, &stapling, false), second);

    // The file written after the refresh gives a restarted server the same
    // staple at once, with nothing to fetch before its refresh time.
    let mut cache = StapleCache::new(CachePolicy::default());
    assert!(cache.add_config(&config, refresh_at).is_empty());
    let (restarted, note) = Stapling::new(cache, Some(persisted), time.clock());
    assert!(note.unwrap().starts_with("imported 1 staple"));
    assert_eq!(restarted.staple(&pki.leaf_der, refresh_at), Some(second));
    assert!(restarted.next_deadline().unwrap() > refresh_at);
    assert!(restarted.run_due(refresh_at).is_empty());

    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_responder_that_is_down_leaves_no_staple_and_a_retry() {
    let pki = demo_pki::generate(unix_now());
    // A port nothing listens on: bound, then closed.
    let url = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", listener.local_addr().unwrap())
    };
    let now = unix_now();
    let mut cache = StapleCache::new(CachePolicy::default());
    cache
        .add(pki.leaf_der.clone(), pki.ca_der.clone(), Some(&url), now)
        .unwrap();
    let (stapling, note) = Stapling::new(cache, None, demo_ocsp::system_clock());
    assert!(note.is_none());
    let reports = stapling.run_due(now);
    assert_eq!(reports.len(), 1);
    let Update::Rejected {
        reason: Rejection::Fetch(_),
        retry_at,
        still_serving: false,
    } = reports[0].update
    else {
        panic!("{}", reports[0]);
    };
    assert!(retry_at >= now + CachePolicy::default().retry_initial);
    let line = reports[0].to_string();
    assert!(line.contains("rejected: fetch failed"), "{line}");
    assert!(line.contains("no staple to serve meanwhile"), "{line}");
    assert!(stapling.staple(&pki.leaf_der, now).is_none());
    assert!(stapling.run_due(now).is_empty(), "backoff: no busy loop");
}

#[test]
fn the_responder_answers_post_and_get_and_refuses_other_certificates() {
    let now = unix_now();
    let time = TestClock::new(now);
    let pki = pki_with_responder(time.clock());
    let leaf = certificate(&pki.leaf_der);
    let ca = certificate(&pki.ca_der);
    let query = OcspQuery::new(CertId::sha1(&leaf, &ca).unwrap());

    // POST and GET of the same request: good, fresh from the responder's
    // time for the validity window.
    let posted = http_post(&pki.ocsp_url, query.der()).unwrap();
    let got = http_get(&query.get_url(&pki.ocsp_url).unwrap()).unwrap();
    for body in [&posted, &got] {
        let status = verify(&pki, body, now);
        assert_eq!(status.status, CertStatus::Good);
        assert_eq!(status.this_update, now);
        assert_eq!(status.next_update, Some(now + VALIDITY));
    }

    // The GET answer says what it is and how long HTTP caches may keep it
    // (RFC 5019 §6.2; half the window); the POST answer is not cacheable.
    let get = minreq::get(query.get_url(&pki.ocsp_url).unwrap())
        .send()
        .unwrap();
    assert_eq!(
        get.header("Content-Type"),
        Some("application/ocsp-response")
    );
    assert_eq!(
        get.header("Cache-Control"),
        Some("max-age=300, public, no-transform, must-revalidate")
    );
    let post = minreq::post(&pki.ocsp_url)
        .with_header("Content-Type", "application/ocsp-request")
        .with_body(query.der().to_vec())
        .send()
        .unwrap();
    assert_eq!(post.header("Cache-Control"), None);

    // Another CA's leaf: unauthorized (RFC 6960 §2.3), unsigned.
    let other = demo_pki::generate(now);
    let other_query = OcspQuery::new(
        CertId::sha1(&certificate(&other.leaf_der), &certificate(&other.ca_der)).unwrap(),
    );
    let refused = http_post(&pki.ocsp_url, other_query.der()).unwrap();
    assert_eq!(
        OcspResponse::parse(refused).unwrap_err(),
        OcspError::Unsuccessful(ResponseStatus::Unauthorized)
    );
    // The same CA, another serial number (the request ends with the
    // serial's last byte): unauthorized too.
    let mut other_serial = query.der().to_vec();
    *other_serial.last_mut().unwrap() ^= 1;
    let refused = http_post(&pki.ocsp_url, &other_serial).unwrap();
    assert_eq!(
        OcspResponse::parse(refused).unwrap_err(),
        OcspError::Unsuccessful(ResponseStatus::Unauthorized)
    );
    // Not a request at all: malformedRequest.
    let garbage = http_post(&pki.ocsp_url, b"\x30\x03\x02\x01\x00").unwrap();
    assert_eq!(
        OcspResponse::parse(garbage).unwrap_err(),
        OcspError::Unsuccessful(ResponseStatus::MalformedRequest)
    );

    // HTTP mistakes get HTTP errors.
    let status = |request: minreq::Request| request.send().unwrap().status_code;
    assert_eq!(
        status(minreq::post(&pki.ocsp_url).with_body(query.der().to_vec())),
        415,
        "a POST without the OCSP content type"
    );
    assert_eq!(
        status(minreq::get(format!("{}not*base64", pki.ocsp_url))),
        400
    );
    assert_eq!(status(minreq::put(&pki.ocsp_url)), 405);
}

#[test]
fn openssl_ocsp_asks_the_responder_with_a_nonce_and_sha256() {
    if skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let time = TestClock::new(unix_now());
    let pki = pki_with_responder(time.clock());
    let dir = scratch_dir("openssl-url");
    let ca = dir.join("ca.pem");
    let leaf = dir.join("leaf.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    std::fs::write(&leaf, &pki.leaf_pem).unwrap();
    let ask = |extra: &[&str]| {
        // openssl takes the CertID's digest only before -cert.
        let mut args = vec!["ocsp", "-url", &pki.ocsp_url, "-resp_text"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&[
            "-issuer",
            path_str(&ca),
            "-cert",
            path_str(&leaf),
            "-CAfile",
            path_str(&ca),
        ]);
        let out = peers::run(OPENSSL, &args, b"");
        out.assert_success();
        out.assert_contains("Response verify OK");
        out.assert_contains(&format!("{}: good", leaf.display()));
        out
    };
    // openssl sends a nonce by default: it comes back, so no warning.
    let out = ask(&[]);
    out.assert_contains("OCSP Nonce");
    out.assert_lacks("WARNING: no nonce in response");
    // A SHA-256 CertID is recognised and echoed as asked.
    let out = ask(&["-sha256", "-no_nonce"]);
    out.assert_contains("Hash Algorithm: sha256");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_log_says_revoked_loudly_with_the_date() {
    // A verified "revoked" response made by `openssl ocsp`
    // (tests/data/ocsp: revoked on 2026-01-01 for keyCompromise).
    let data = |name: &str| {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/ocsp")
                .join(name),
        )
        .unwrap()
    };
    let pem =
        |name: &str| stapler::pki::pem::certificates_from_pem(&data(name)).unwrap()[0].clone();
    let body = data("revoked.der");
    let now = OcspResponse::parse(body.clone()).unwrap().produced_at() + 60;
    let mut cache = StapleCache::new(CachePolicy::default());
    cache
        .add(
            pem("leaf-revoked.crt"),
            pem("ca.crt"),
            Some("http://127.0.0.1:1/"),
            now,
        )
        .unwrap();
    let fetch = cache.poll_fetch(now).unwrap();
    let update = cache
        .handle_fetch_result(fetch.id(), now, Ok(body.into()))
        .unwrap();
    assert!(matches!(update, Update::Revoked { .. }), "{update:?}");
    let report = demo_ocsp::stapling::FetchReport {
        method: "GET",
        url: fetch.url().to_owned(),
        elapsed: Duration::from_millis(3),
        staple_len: cache.staple(fetch.certificate(), now).map(|s| s.len()),
        via: None,
        update,
        now,
        persist_error: None,
    };
    let line = report.to_string();
    assert!(
        line.contains(
            "REVOKED: the responder says the certificate was revoked on 2026-01-01 00:00:00 UTC \
             (KeyCompromise)"
        ),
        "{line}"
    );
    assert!(line.contains("next fetch at"), "{line}");
}

#[test]
fn log_dates_are_civil_utc() {
    use demo_ocsp::{date_time, span};
    assert_eq!(date_time(0), "1970-01-01 00:00:00 UTC");
    assert_eq!(date_time(951_782_400), "2000-02-29 00:00:00 UTC");
    assert_eq!(date_time(951_868_799), "2000-02-29 23:59:59 UTC");
    assert_eq!(date_time(951_868_800), "2000-03-01 00:00:00 UTC");
    assert_eq!(date_time(1_767_225_599), "2025-12-31 23:59:59 UTC");
    assert_eq!(date_time(4_107_542_400), "2100-03-01 00:00:00 UTC");
    assert_eq!(span(59), "59s");
    assert_eq!(span(300), "5m 0s");
    assert_eq!(span(3_725), "1h 2m 5s");
}
