//! Part two: `openssl ocsp -port` on loopback with an index of good and
//! revoked certificates, the HTTP done here and the answers fed to the cache.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use stapler::ocsp::{
    CertId, CertStatus, Nonce, OcspError, OcspQuery, OcspResponse, Rejection, RevocationReason,
    Signer, StapleCache, Update, VerifyOptions, OCSP_REQUEST_CONTENT_TYPE,
};
use stapler::pki::Certificate;

use super::common::peers::{self, OPENSSL};
use super::support::{
    ca, data_path, der, exact_cache, flipped, leaf_good, leaf_revoked, leaf_unknown,
    openssl_available, read, refresh_at, rejection, retry_at, signature_end, signed_end,
    still_serving, unix_now, window, RETRY_INITIAL, REVOKED_AT, WEEK,
};

/// `openssl ocsp -port` on loopback, killed on drop.
struct Responder {
    child: Child,
    port: u16,
}

impl Responder {
    /// Answers from tests/data/ocsp/index.txt for the test CA, signed by
    /// `signer` (a `.crt`/`.key` pair in tests/data/ocsp), each response
    /// valid for a week.
    fn start(signer: &str) -> Self {
        let program = peers::require(OPENSSL);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            // A free port: bound, read and released. Another process may
            // take it first; then openssl exits and another is tried.
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let child = Command::new(&program)
                .args([
                    "ocsp",
                    "-index",
                    &data_path("index.txt"),
                    "-port",
                    &port.to_string(),
                    "-rsigner",
                    &data_path(&format!("{signer}.crt")),
                    "-rkey",
                    &data_path(&format!("{signer}.key")),
                    "-CA",
                    &data_path("ca.crt"),
                    "-ndays",
                    "7",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start openssl ocsp");
            let mut responder = Self { child, port };
            loop {
                // Ready once it answers a real request. (A bare connect
                // closed at once would leave openssl 3.0's one-at-a-time
                // server waiting on that connection for ever.)
                if post(&responder.url(), &read("req-good-sha1.der")).is_ok() {
                    return responder;
                }
                if responder.child.try_wait().unwrap().is_some() {
                    break; // did not bind: try another port
                }
                assert!(Instant::now() < deadline, "openssl ocsp never listened");
                thread::sleep(Duration::from_millis(10));
            }
            assert!(Instant::now() < deadline, "openssl ocsp never started");
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP/1.0 POST of `body` to `url` (`http://127.0.0.1:PORT/...`): the
/// response body if the status is 200, otherwise why not.
fn post(url: &str, body: &[u8]) -> Result<Bytes, String> {
    let rest = url.strip_prefix("http://").ok_or("not an http URL")?;
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, "/"),
    };
    let addr: SocketAddr = authority.parse().map_err(|e| format!("{authority}: {e}"))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.0\r\nHost: {authority}\r\nContent-Type: {OCSP_REQUEST_CONTENT_TYPE}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .map_err(|e| format!("send: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| format!("receive: {e}"))?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        return Err(format!("HTTP status: {status}"));
    }
    Ok(Bytes::copy_from_slice(&response[split + 4..]))
}

/// Performs the fetch due now over HTTP and hands the result to the cache
/// at the time it came back.
fn fetch_live(cache: &mut StapleCache) -> (Update, u64) {
    let now = unix_now();
    let fetch = cache.poll_fetch(now).expect("a fetch is due");
    let result = post(fetch.url(), fetch.body());
    let now = unix_now();
    (
        cache.handle_fetch_result(fetch.id(), now, result).unwrap(),
        now,
    )
}

#[test]
fn live_good_revoked_and_unknown() {
    if !openssl_available() {
        return;
    }
    let responder = Responder::start("ca");
    let url = responder.url();
    let now = unix_now();
    let mut cache = exact_cache();
    for leaf in [leaf_good(), leaf_revoked(), leaf_unknown()] {
        cache.add(leaf, ca(), Some(&url), now).unwrap();
    }
    let mut seen = 0;
    while let Some(fetch) = cache.poll_fetch(unix_now()) {
        seen += 1;
        let result = post(fetch.url(), fetch.body());
        let body = result.clone().unwrap();
        let now = unix_now();
        let update = cache.handle_fetch_result(fetch.id(), now, result).unwrap();
        let (this_update, next_update) = window(&body);
        assert_eq!(next_update - this_update, WEEK, "-ndays 7");
        let leaf = fetch.certificate().clone();
        if leaf == leaf_good() {
            match update {
                Update::Stored { status, refresh_at } => {
                    assert_eq!(status.status, CertStatus::Good);
                    assert_eq!(status.signer, Signer::Issuer);
                    assert_eq!(refresh_at, this_update + WEEK / 2);
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(cache.staple(&leaf, now), Some(body));
        } else if leaf == leaf_revoked() {
            match update {
                Update::Revoked { status, .. } => assert_eq!(
                    status.status,
                    CertStatus::Revoked {
                        time: REVOKED_AT,
                        reason: Some(RevocationReason::KeyCompromise)
                    }
                ),
                other => panic!("{other:?}"),
            }
            assert_eq!(cache.staple(&leaf, now), Some(body));
        } else {
            assert_eq!(rejection(&update), &Rejection::Unknown);
            assert!(!still_serving(&update));
            assert_eq!(cache.staple(&leaf, now), None);
        }
    }
    assert_eq!(seen, 3);
}

#[test]
fn live_delegated_responder_with_and_without_the_eku() {
    if !openssl_available() {
        return;
    }
    let delegated = Responder::start("responder");
    let mut cache = exact_cache();
    cache
        .add(leaf_good(), ca(), Some(&delegated.url()), unix_now())
        .unwrap();
    match fetch_live(&mut cache).0 {
        Update::Stored { status, .. } => {
            assert_eq!(status.signer, Signer::Delegated(der("responder")));
        }
        other => panic!("{other:?}"),
    }

    let no_eku = Responder::start("responder-no-eku");
    let mut cache = exact_cache();
    cache
        .add(leaf_good(), ca(), Some(&no_eku.url()), unix_now())
        .unwrap();
    let (update, now) = fetch_live(&mut cache);
    assert_eq!(
        rejection(&update),
        &Rejection::Invalid(OcspError::ResponderNotAuthorized)
    );
    assert_eq!(cache.staple(&leaf_good(), now), None);
}

#[test]
fn live_wrong_issuer_is_refused() {
    if !openssl_available() {
        return;
    }
    // The decoy CA has the CA's Name and another key.
    let decoy = Responder::start("ca-decoy");
    let mut cache = exact_cache();
    cache
        .add(leaf_good(), ca(), Some(&decoy.url()), unix_now())
        .unwrap();
    let (update, _) = fetch_live(&mut cache);
    assert!(
        matches!(
            rejection(&update),
            Rejection::Invalid(OcspError::Signature(_))
        ),
        "{update:?}"
    );

    // A delegated responder certified by the decoy CA.
    let decoy_delegate = Responder::start("responder-decoy");
    let mut cache = exact_cache();
    cache
        .add(leaf_good(), ca(), Some(&decoy_delegate.url()), unix_now())
        .unwrap();
    assert_eq!(
        rejection(&fetch_live(&mut cache).0),
        &Rejection::Invalid(OcspError::ResponderNotIssuedByIssuer)
    );
}

#[test]
fn live_responder_down_keeps_the_old_staple() {
    if !openssl_available() {
        return;
    }
    let mut responder = Responder::start("ca");
    let mut cache = exact_cache();
    cache
        .add(leaf_good(), ca(), Some(&responder.url()), unix_now())
        .unwrap();
    let (update, _) = fetch_live(&mut cache);
    let staple = cache.staple(&leaf_good(), unix_now()).unwrap();
    let mid = refresh_at(&update);
    responder.kill();

    // At the midpoint the responder is gone.
    let fetch = cache.poll_fetch(mid).unwrap();
    let result = post(fetch.url(), fetch.body());
    assert!(result.is_err());
    let update = cache.handle_fetch_result(fetch.id(), mid, result).unwrap();
    assert!(
        matches!(rejection(&update), Rejection::Fetch(_)),
        "{update:?}"
    );
    assert!(still_serving(&update));
    assert_eq!(retry_at(&update), mid + RETRY_INITIAL);
    assert_eq!(cache.staple(&leaf_good(), mid), Some(staple));
    assert!(cache.poll_fetch(mid).is_none());
}

#[test]
fn live_response_outside_its_window_is_refused() {
    if !openssl_available() {
        return;
    }
    let responder = Responder::start("ca");
    let url = responder.url();
    // One live response, handed to caches living at other times (fetched
    // once: a second fetch could be stamped a second later).
    let body = post(&url, &read("req-good-sha1.der")).unwrap();
    let (this_update, next_update) = window(&body);
    let expired = OcspError::Expired {
        valid_until: next_update,
    };
    let cases = [
        (next_update, Err(expired.clone())),
        (next_update + WEEK, Err(expired)),
        (
            this_update - 301,
            Err(OcspError::NotYetValid { this_update }),
        ),
        // Within the clock skew (300 s) and the window: taken.
        (this_update - 300, Ok(())),
        (next_update - 1, Ok(())),
    ];
    for (now, expected) in cases {
        let mut cache = exact_cache();
        cache.add(leaf_good(), ca(), Some(&url), now).unwrap();
        let fetch = cache.poll_fetch(now).unwrap();
        let update = cache
            .handle_fetch_result(fetch.id(), now, Ok(body.clone()))
            .unwrap();
        match expected {
            Err(error) => {
                assert_eq!(rejection(&update), &Rejection::Invalid(error), "at {now}");
                assert_eq!(cache.staple(&leaf_good(), now), None);
            }
            Ok(()) => {
                assert!(matches!(update, Update::Stored { .. }), "{update:?}");
                assert_eq!(cache.staple(&leaf_good(), now), Some(body.clone()));
            }
        }
    }
}

#[test]
fn live_tampered_response_is_refused_and_the_old_staple_kept() {
    if !openssl_available() {
        return;
    }
    let responder = Responder::start("ca");
    let mut cache = exact_cache();
    cache
        .add(leaf_good(), ca(), Some(&responder.url()), unix_now())
        .unwrap();
    let (update, _) = fetch_live(&mut cache);
    let held = cache.staple(&leaf_good(), unix_now()).unwrap();
    let mut now = refresh_at(&update);
    // Flip the signature's last byte, then a digit of nextUpdate's seconds
    // (signed data).
    let signature: fn(&Bytes) -> usize = |body| signature_end(body);
    let signed: fn(&Bytes) -> usize = |body| signed_end(body) - 2;
    for (what, at) in [("signature", signature), ("signed data", signed)] {
        let fetch = cache.poll_fetch(now).unwrap();
        let body = post(fetch.url(), fetch.body()).unwrap();
        let update = cache
            .handle_fetch_result(fetch.id(), now, Ok(flipped(&body, at(&body))))
            .unwrap();
        assert!(
            matches!(
                rejection(&update),
                Rejection::Invalid(OcspError::Signature(_))
            ),
            "{what}: {update:?}"
        );
        assert!(still_serving(&update));
        assert_eq!(cache.staple(&leaf_good(), now), Some(held.clone()));
        now = retry_at(&update);
    }
}

#[test]
fn live_nonce_is_echoed_and_checked() {
    if !openssl_available() {
        return;
    }
    let responder = Responder::start("ca");
    let leaf = Certificate::from_der(leaf_good()).unwrap();
    let issuer = Certificate::from_der(ca()).unwrap();
    let nonce = Nonce::random().unwrap();
    let query = OcspQuery::with_nonce(CertId::sha1(&leaf, &issuer).unwrap(), nonce.clone());
    let body = post(&responder.url(), query.der()).unwrap();
    let response = OcspResponse::parse(body).unwrap();
    assert_eq!(response.nonce(), Some(nonce.as_bytes()));
    let now = unix_now();
    let verified = response
        .verify(&leaf, &issuer, now, &VerifyOptions::new().nonce(nonce))
        .unwrap();
    assert_eq!(verified.status, CertStatus::Good);
    let other = Nonce::new(vec![0x5a; 16]).unwrap();
    assert_eq!(
        response.verify(&leaf, &issuer, now, &VerifyOptions::new().nonce(other)),
        Err(OcspError::NonceMismatch)
    );
    // A request without a nonce gets none back; expecting one then fails.
    let plain = OcspQuery::new(CertId::sha1(&leaf, &issuer).unwrap());
    let response = OcspResponse::parse(post(&responder.url(), plain.der()).unwrap()).unwrap();
    assert_eq!(response.nonce(), None);
    assert_eq!(
        response.verify(
            &leaf,
            &issuer,
            now,
            &VerifyOptions::new().nonce(Nonce::random().unwrap())
        ),
        Err(OcspError::NonceMissing)
    );
}
