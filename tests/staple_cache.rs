//! `StapleCache` against issue 5's requirements.
//!
//! Part one drives the cache through timelines with injected time: primed
//! at startup, refreshed at the midpoint, serving the last good staple
//! while the responder is down, backing off, re-issuing lost fetches,
//! refusing bad responses, surviving a restart, and answering a real
//! `OcspRequest` raised by a `ServerConnection` talking to rustls. The
//! responses are made by `openssl ocsp`: the committed ones in
//! tests/data/ocsp (valid for 100 years), and week-long ones made when the
//! test runs, so that windows are realistic.
//!
//! Part two starts `openssl ocsp -port` on loopback with an index of good
//! and revoked certificates and does the HTTP itself, feeding what comes
//! back to the cache.
//!
//! A missing `openssl` fails these tests (naming the Debian package), as
//! for every interop test; `STAPLER_SKIP_INTEROP=1` skips them.

mod common;

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;
use stapler::ocsp::{
    CacheError, CachePolicy, CertId, CertStatus, Fetch, ImportError, Nonce, OcspError, OcspQuery,
    OcspResponse, Offer, Rejection, RevocationReason, Signer, StapleCache, Update, VerifyOptions,
    OCSP_REQUEST_CONTENT_TYPE,
};
use stapler::pki::Certificate;
use stapler::{OcspOutcome, ServerConfig};

use common::peers::{self, OPENSSL};
use common::rustls_pair::{client_config, Pair, RecordingVerifier};

const HOUR: u64 = 3600;
const DAY: u64 = 86_400;
const WEEK: u64 = 7 * DAY;

/// The default policy's numbers, which the timelines below assert.
const RETRY_INITIAL: u64 = 60;
const RETRY_MAX: u64 = 3600;
const FETCH_TIMEOUT: u64 = 120;

/// When the index says leaf-revoked was revoked (2026-01-01), and why.
const REVOKED_AT: u64 = 1_767_225_600;

// ---------------------------------------------------------------- data

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ocsp")
}

fn data_path(name: &str) -> String {
    data_dir().join(name).to_str().unwrap().to_owned()
}

fn read(name: &str) -> Bytes {
    let path = data_dir().join(name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into()
}

/// The DER of the certificate in `NAME.crt`.
fn der(name: &str) -> Bytes {
    Certificate::from_pem_chain(&read(&format!("{name}.crt")))
        .unwrap()
        .remove(0)
        .der()
        .clone()
}

fn leaf_good() -> Bytes {
    der("leaf-good")
}

fn leaf_revoked() -> Bytes {
    der("leaf-revoked")
}

fn leaf_unknown() -> Bytes {
    der("leaf-unknown")
}

fn ca() -> Bytes {
    der("ca")
}

/// thisUpdate and nextUpdate of a one-response OCSP response.
fn window(response: &[u8]) -> (u64, u64) {
    let parsed = OcspResponse::parse(Bytes::copy_from_slice(response)).unwrap();
    let single = &parsed.responses()[0];
    (single.this_update(), single.next_update().unwrap())
}

fn midpoint(response: &[u8]) -> u64 {
    let (this_update, next_update) = window(response);
    this_update + (next_update - this_update) / 2
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Where the last byte of `response`'s signature is (certificates may
/// follow it).
fn signature_end(response: &Bytes) -> usize {
    let signature = OcspResponse::parse(response.clone())
        .unwrap()
        .signature()
        .to_vec();
    let start = response
        .windows(signature.len())
        .position(|w| w == signature)
        .unwrap();
    start + signature.len() - 1
}

/// Where the last byte of `response`'s signed data is.
fn signed_end(response: &Bytes) -> usize {
    let parsed = OcspResponse::parse(response.clone()).unwrap();
    let tbs = parsed.tbs_response_data();
    response.windows(tbs.len()).position(|w| w == tbs).unwrap() + tbs.len() - 1
}

/// `response` with one byte flipped.
fn flipped(response: &[u8], at: usize) -> Bytes {
    let mut bytes = response.to_vec();
    bytes[at] ^= 0x01;
    bytes.into()
}

/// The default policy without jitter: every time below is exact.
fn exact() -> CachePolicy {
    CachePolicy {
        jitter_percent: 0,
        ..CachePolicy::default()
    }
}

fn exact_cache() -> StapleCache {
    StapleCache::with_jitter_seed(exact(), 7)
}

fn rejection(update: &Update) -> &Rejection {
    match update {
        Update::Rejected { reason, .. } => reason,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn retry_at(update: &Update) -> u64 {
    match update {
        Update::Rejected { retry_at, .. } => *retry_at,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn still_serving(update: &Update) -> bool {
    match update {
        Update::Rejected { still_serving, .. } => *still_serving,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn refresh_at(update: &Update) -> u64 {
    match update {
        Update::Stored { refresh_at, .. } | Update::Revoked { refresh_at, .. } => *refresh_at,
        other => panic!("expected a stored response, got {other:?}"),
    }
}

/// Takes the fetch due at `now` and hands back `result` at the same time.
fn deliver(cache: &mut StapleCache, now: u64, result: Result<Bytes, &str>) -> Update {
    let fetch = cache
        .poll_fetch(now)
        .unwrap_or_else(|| panic!("a fetch is due at {now}"));
    cache
        .handle_fetch_result(fetch.id(), now, result.map_err(str::to_owned))
        .unwrap()
}

/// Whether the openssl tests run: true unless skipped on purpose; fails
/// the test when openssl is missing.
fn openssl_available() -> bool {
    !peers::skip_unless_installed(&[OPENSSL])
}

// ------------------------------------------- responses made at test time

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "stapler-cache-{}-{tag}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Index lines (`openssl ca`'s database format) for leaf-good (serial
/// 0x1001) and leaf-revoked (0x1002).
const GOOD_1001: &str = "V\t491231235959Z\t\t1001\tunknown\t/CN=good.example.test\n";
const REVOKED_1001: &str =
    "R\t491231235959Z\t260101000000Z,keyCompromise\t1001\tunknown\t/CN=good.example.test\n";
const REVOKED_1002: &str =
    "R\t491231235959Z\t260101000000Z,keyCompromise\t1002\tunknown\t/CN=revoked.example.test\n";

/// `openssl ocsp` answering `request` (a file in tests/data/ocsp) from an
/// index holding `index`, signed by `signer`, valid for `days` from now.
fn respond_now(index: &str, request: &str, signer: &str, days: u32) -> Bytes {
    let dir = Scratch::new("respond");
    std::fs::write(dir.path("index.txt"), index).unwrap();
    let out = peers::run(
        OPENSSL,
        &[
            "ocsp",
            "-index",
            &dir.path("index.txt"),
            "-CA",
            &data_path("ca.crt"),
            "-rsigner",
            &data_path(&format!("{signer}.crt")),
            "-rkey",
            &data_path(&format!("{signer}.key")),
            "-reqin",
            &data_path(request),
            "-respout",
            &dir.path("response.der"),
            "-ndays",
            &days.to_string(),
        ],
        b"",
    );
    out.assert_success();
    std::fs::read(dir.path("response.der")).unwrap().into()
}

/// Week-long responses about leaf-good, made once per test run.
struct Week {
    /// good, signed by the CA.
    good: Bytes,
    /// revoked (keyCompromise), thisUpdate not before `good`'s.
    revoked: Bytes,
    /// unknown: an index without leaf-good; valid for two weeks, so still
    /// valid at `later`'s midpoint.
    unknown: Bytes,
    /// good again, thisUpdate at least a second after `good`'s, valid
    /// for two weeks: at `good`'s midpoint it is still before its own.
    later: Bytes,
}

fn week() -> &'static Week {
    static WEEK_RESPONSES: OnceLock<Week> = OnceLock::new();
    WEEK_RESPONSES.get_or_init(|| {
        let request = "req-good-sha1.der";
        let good = respond_now(GOOD_1001, request, "ca", 7);
        let revoked = respond_now(REVOKED_1001, request, "ca", 7);
        let unknown = respond_now(REVOKED_1002, request, "ca", 14);
        // thisUpdate has a resolution of one second: wait for the next.
        let (first, _) = window(&good);
        while unix_now() <= first {
            thread::sleep(Duration::from_millis(20));
        }
        let later = respond_now(GOOD_1001, request, "ca", 14);
        assert!(window(&later).0 > first);
        Week {
            good,
            revoked,
            unknown,
            later,
        }
    })
}

// ================================================================ timelines

#[test]
fn primed_at_startup_and_served_from_memory() {
    let good = read("good.der");
    let (this_update, _) = window(&good);
    let t0 = this_update + 60;
    let leaf = leaf_good();
    let mut cache = exact_cache();
    assert_eq!(cache.next_deadline(), None);
    assert!(cache.poll_fetch(t0).is_none());

    cache.add(leaf.clone(), ca(), None, t0).unwrap();
    assert_eq!(cache.next_deadline(), Some(t0), "due at once");
    assert_eq!(cache.staple(&leaf, t0), None);

    let fetch = cache.poll_fetch(t0).expect("a fetch at once");
    assert_eq!(
        fetch.url(),
        "http://ocsp.example.test/",
        "the AIA's http URL"
    );
    assert_eq!(fetch.certificate(), &leaf);
    // The request is the one openssl's own client makes.
    assert_eq!(fetch.body(), &read("req-good-sha1.der"));
    let get = fetch.get_url().unwrap();
    assert!(get.starts_with("http://ocsp.example.test/MEMwQTA%2FMD0wOzAJBgUrDgMCGgUABBSRQ2L%2F"));
    let state = cache.state(&leaf).unwrap();
    assert!(state.fetching);
    assert_eq!(state.next_attempt, t0 + FETCH_TIMEOUT);
    assert_eq!(cache.next_deadline(), Some(t0 + FETCH_TIMEOUT));

    let update = cache
        .handle_fetch_result(fetch.id(), t0, Ok(good.clone()))
        .unwrap();
    match &update {
        Update::Stored { status, refresh_at } => {
            assert_eq!(status.status, CertStatus::Good);
            assert_eq!(status.signer, Signer::Issuer);
            assert_eq!(status.this_update, this_update);
            assert_eq!(*refresh_at, midpoint(&good));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(cache.staple(&leaf, t0), Some(good.clone()));
    assert_eq!(cache.next_deadline(), Some(midpoint(&good)));
    let state = cache.state(&leaf).unwrap();
    assert_eq!(state.staple.unwrap().status, CertStatus::Good);
    assert!(!state.fetching);
    assert_eq!(state.failures, 0);
    assert_eq!(state.last_rejection, None);
    assert!(cache.poll_fetch(t0).is_none());
    // Another certificate is not served this one's staple.
    assert_eq!(cache.staple(&leaf_revoked(), t0), None);
    assert!(cache.state(&leaf_revoked()).is_none());
}

#[test]
fn refreshed_at_the_midpoint_and_served_while_the_refresh_is_out() {
    if !openssl_available() {
        return;
    }
    let week = week();
    let (this_update, next_update) = window(&week.good);
    assert_eq!(next_update - this_update, WEEK);
    let mid = this_update + WEEK / 2;
    let leaf = leaf_good();
    let mut cache = exact_cache();
    cache.add(leaf.clone(), ca(), None, this_update).unwrap();
    let update = deliver(&mut cache, this_update, Ok(week.good.clone()));
    assert_eq!(refresh_at(&update), mid);

    // Nothing is due before the midpoint, however often the cache is asked.
    for now in [this_update, this_update + 1, this_update + DAY, mid - 1] {
        assert!(cache.poll_fetch(now).is_none(), "fetch at {now}");
        assert_eq!(cache.staple(&leaf, now), Some(week.good.clone()));
    }
    assert_eq!(cache.next_deadline(), Some(mid));

    // At the midpoint: one fetch; the old staple is served while it is out.
    let fetch = cache.poll_fetch(mid).expect("refresh at the midpoint");
    assert!(cache.poll_fetch(mid + 10).is_none());
    assert_eq!(cache.staple(&leaf, mid + 10), Some(week.good.clone()));

    // The newer response replaces it, and is refreshed at its own midpoint.
    let update = cache
        .handle_fetch_result(fetch.id(), mid + 10, Ok(week.later.clone()))
        .unwrap();
    assert_eq!(refresh_at(&update), midpoint(&week.later));
    assert_eq!(cache.staple(&leaf, mid + 10), Some(week.later.clone()));
}

#[test]
fn responder_down_backoff_doubles_to_the_cap_and_the_staple_serves_until_next_update() {
    if !openssl_available() {
        return;
    }
    let good = &week().good;
    let (this_update, next_update) = window(good);
    let leaf = leaf_good();
    let mut cache = exact_cache();
    cache.add(leaf.clone(), ca(), None, this_update).unwrap();
    deliver(&mut cache, this_update, Ok(good.clone()));

    let mut now = midpoint(good);
    let mut attempts = HashSet::new();
    let mut waits = Vec::new();
    let mut last_attempt_while_fresh = 0;
    loop {
        assert!(attempts.insert(now), "two attempts at {now}");
        let update = deliver(&mut cache, now, Err("connection refused"));
        assert_eq!(
            rejection(&update),
            &Rejection::Fetch("connection refused".into())
        );
        let next = retry_at(&update);
        // Never due in the past, nor twice at the same second: asked again
        // at once, the cache has nothing to fetch.
        assert!(next > now);
        assert!(cache.poll_fetch(now).is_none(), "busy loop at {now}");
        assert!(cache.poll_fetch(next - 1).is_none());
        assert_eq!(cache.next_deadline(), Some(next));
        let fresh = now < next_update;
        assert_eq!(still_serving(&update), fresh);
        assert_eq!(cache.staple(&leaf, now).is_some(), fresh);
        assert!(next - now <= RETRY_MAX);
        if fresh {
            last_attempt_while_fresh = now;
            // Near the end, retries come faster so the staple does not lapse
            // for want of trying, but never faster than retry_initial.
            let half_left = (next_update - now) / 2;
            assert!(next - now <= half_left.max(RETRY_INITIAL), "{now}");
        }
        waits.push(next - now);
        now = next;
        if now > next_update + 3 * RETRY_MAX {
            break;
        }
    }
    // Exponential from retry_initial, doubling to the cap.
    assert_eq!(
        waits[..9],
        [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600],
        "{waits:?}"
    );
    // The last try before the staple lapsed came in its final two minutes.
    assert!(last_attempt_while_fresh >= next_update - 2 * RETRY_INITIAL);
    // Once stale: no staple at all, and retries at the cap.
    assert_eq!(cache.staple(&leaf, next_update - 1), Some(good.clone()));
    assert_eq!(cache.staple(&leaf, next_update), None);
    assert_eq!(*waits.last().unwrap(), RETRY_MAX);
    let state = cache.state(&leaf).unwrap();
    assert_eq!(state.failures as usize, waits.len());
    assert_eq!(state.staple.unwrap().this_update, this_update);

    // An older response, even one still valid, does not take the lapsed
    // staple's place: that would let an old "good" be replayed over a
    // newer "revoked".
    let update = deliver(&mut cache, now, Ok(read("good.der")));
    assert!(matches!(rejection(&update), Rejection::Older { .. }));
    assert_eq!(cache.staple(&leaf, now), None);
    // The responder comes back with a newer one: stored, failures reset.
    now = retry_at(&update);
    let update = deliver(&mut cache, now, Ok(week().later.clone()));
    assert!(matches!(update, Update::Stored { .. }), "{update:?}");
    assert_eq!(cache.state(&leaf).unwrap().failures, 0);
    assert_eq!(cache.staple(&leaf, now), Some(week().later.clone()));
}

#[test]
fn a_response_past_its_midpoint_is_refetched_with_backoff_not_every_minute() {
    if !openssl_available() {
        return;
    }
    // A CDN in front of the responder keeps serving the same response well
    // past its midpoint: each time, the next refresh waits longer.
    let good = &week().good;
    let (this_update, next_update) = window(good);
    let mid = midpoint(good);
    let mut cache = exact_cache();
    cache.add(leaf_good(), ca(), None, this_update).unwrap();
    deliver(&mut cache, this_update, Ok(good.clone()));
    let mut now = mid;
    let mut waits = Vec::new();
    while now < next_update - HOUR {
        let update = deliver(&mut cache, now, Ok(good.clone()));
        let next = refresh_at(&update);
        assert!(next > now);
        waits.push(next - now);
        now = next;
    }
    assert_eq!(waits[..8], [60, 120, 240, 480, 960, 1920, 3600, 3600]);
    // About one an hour over three and a half days, not one a minute.
    assert!(waits.len() < 100, "{} refreshes", waits.len());

    // A newer response resets the schedule to its own midpoint.
    let later = &week().later;
    let update = deliver(&mut cache, now, Ok(later.clone()));
    assert_eq!(refresh_at(&update), midpoint(later));
    let update = deliver(&mut cache, midpoint(later), Ok(later.clone()));
    assert_eq!(refresh_at(&update), midpoint(later) + RETRY_INITIAL);
}

#[test]
fn a_lost_fetch_is_reissued_at_its_timeout_and_its_late_result_refused() {
    let good = read("good.der");
    let t0 = window(&good).0 + 60;
    let leaf = leaf_good();
    let mut cache = exact_cache();
    cache.add(leaf.clone(), ca(), None, t0).unwrap();
    let lost = cache.poll_fetch(t0).unwrap();
    assert!(cache.poll_fetch(t0 + FETCH_TIMEOUT - 1).is_none());
    assert_eq!(cache.next_deadline(), Some(t0 + FETCH_TIMEOUT));

    let again = cache
        .poll_fetch(t0 + FETCH_TIMEOUT)
        .expect("handed out again at the timeout");
    assert_ne!(again.id(), lost.id());
    assert_eq!(again.body(), lost.body());
    assert_eq!(again.certificate(), lost.certificate());
    let state = cache.state(&leaf).unwrap();
    assert_eq!(state.failures, 1);
    assert!(matches!(state.last_rejection, Some(Rejection::Fetch(_))));
    assert!(state.fetching);

    // The lost fetch's late answer is refused, even a good one.
    assert_eq!(
        cache
            .handle_fetch_result(lost.id(), t0 + FETCH_TIMEOUT + 1, Ok(good.clone()))
            .unwrap_err()
            .0,
        lost.id()
    );
    assert_eq!(cache.staple(&leaf, t0 + FETCH_TIMEOUT + 1), None);
    let update = cache
        .handle_fetch_result(again.id(), t0 + FETCH_TIMEOUT + 1, Ok(good.clone()))
        .unwrap();
    assert!(matches!(update, Update::Stored { .. }));
    // A result is taken once.
    assert!(cache
        .handle_fetch_result(again.id(), t0 + FETCH_TIMEOUT + 2, Ok(good))
        .is_err());
    assert_eq!(cache.state(&leaf).unwrap().failures, 0);
}

#[test]
fn lost_fetches_back_off_like_failures() {
    let t0 = window(&read("good.der")).0;
    let leaf = leaf_good();
    let mut cache = exact_cache();
    cache.add(leaf.clone(), ca(), None, t0).unwrap();
    // Each fetch is lost. The retry is due retry_initial × 2^failures after
    // the lost fetch was handed out, and never before it timed out.
    let mut issued = Vec::new();
    let mut now = t0;
    while issued.len() < 8 {
        if let Some(fetch) = cache.poll_fetch(now) {
            issued.push((now, fetch.id()));
            assert!(cache.poll_fetch(now).is_none());
        }
        let next = cache.next_deadline().unwrap();
        assert!(next > now);
        now = next;
    }
    let gaps: Vec<u64> = issued.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert_eq!(gaps, [120, 120, 240, 480, 960, 1920, 3600]);
    let ids: HashSet<_> = issued.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids.len(), issued.len());
    // Seven lost (the eighth is still out).
    assert_eq!(cache.state(&leaf).unwrap().failures, 7);
}

#[test]
fn one_fetch_per_certificate_however_often_asked() {
    let t0 = window(&read("good.der")).0;
    let mut cache = exact_cache();
    cache.add(leaf_good(), ca(), None, t0).unwrap();
    cache
        .add(leaf_revoked(), ca(), Some("http://127.0.0.1:9/"), t0)
        .unwrap();
    cache
        .add(leaf_unknown(), ca(), Some("http://127.0.0.1:9/"), t0)
        .unwrap();
    let mut fetches: Vec<Fetch> = Vec::new();
    for _ in 0..1000 {
        fetches.extend(cache.poll_fetch(t0 + 5));
    }
    assert_eq!(fetches.len(), 3);
    let certificates: HashSet<_> = fetches.iter().map(|f| f.certificate().clone()).collect();
    assert_eq!(
        certificates,
        HashSet::from([leaf_good(), leaf_revoked(), leaf_unknown()])
    );
    assert_eq!(
        fetches[1].url(),
        "http://127.0.0.1:9/",
        "the URL given wins"
    );
    // Answered: nothing more until a refresh is due.
    let answers = [read("good.der"), read("revoked.der"), read("unknown.der")];
    for fetch in &fetches {
        let body = if fetch.certificate() == &leaf_good() {
            &answers[0]
        } else if fetch.certificate() == &leaf_revoked() {
            &answers[1]
        } else {
            &answers[2]
        };
        cache
            .handle_fetch_result(fetch.id(), t0 + 5, Ok(body.clone()))
            .unwrap();
    }
    for _ in 0..100 {
        assert!(cache.poll_fetch(t0 + 5).is_none());
    }
    // leaf-unknown's "unknown" is a failure: retried after retry_initial.
    assert_eq!(cache.next_deadline(), Some(t0 + 5 + RETRY_INITIAL));
}

/// What a rejection must be.
type Expectation = dyn Fn(&Rejection) -> bool;

#[test]
fn bad_responses_never_replace_a_good_one() {
    if !openssl_available() {
        return;
    }
    let week = week();
    let held = week.later.clone();
    let (this_update, _) = window(&held);
    let leaf = leaf_good();
    let mut cache = exact_cache();
    cache.add(leaf.clone(), ca(), None, this_update).unwrap();
    deliver(&mut cache, this_update, Ok(held.clone()));

    let signature_at = signature_end(&held);
    // A digit of nextUpdate's seconds, near the end of the signed data.
    let tbs_at = signed_end(&held) - 2;
    let is_parse_error = |r: &Rejection| matches!(r, Rejection::Invalid(e) if e.is_parse_error());
    let signature = |r: &Rejection| matches!(r, Rejection::Invalid(OcspError::Signature(_)));
    let cases: Vec<(&str, Bytes, &Expectation)> = vec![
        (
            "garbage",
            Bytes::from_static(b"<html>502</html>"),
            &is_parse_error,
        ),
        ("empty", Bytes::new(), &is_parse_error),
        ("truncated", held.slice(..held.len() / 2), &is_parse_error),
        (
            "signature byte flipped",
            flipped(&held, signature_at),
            &signature,
        ),
        ("signed byte flipped", flipped(&held, tbs_at), &|r| {
            matches!(r, Rejection::Invalid(_))
        }),
        ("openssl -badsig", read("good-badsig.der"), &signature),
        (
            "signed by the decoy CA",
            read("wrong-signer.der"),
            &signature,
        ),
        (
            "delegated without the EKU",
            read("delegated-no-eku.der"),
            &|r| r == &Rejection::Invalid(OcspError::ResponderNotAuthorized),
        ),
        (
            "delegated by the decoy CA",
            read("delegated-decoy.der"),
            &|r| r == &Rejection::Invalid(OcspError::ResponderNotIssuedByIssuer),
        ),
        ("about another certificate", read("unknown.der"), &|r| {
            r == &Rejection::Invalid(OcspError::CertIdNotFound)
        }),
        ("status unknown", week.unknown.clone(), &|r| {
            r == &Rejection::Unknown
        }),
        (
            "older",
            read("good.der"),
            &|r| matches!(r, Rejection::Older { this_update: t, held: h } if t < h),
        ),
    ];
    let mut now = this_update + HOUR;
    for (what, body, expected) in cases {
        // Each bad answer comes in as the result of a real fetch.
        let fetch = loop {
            if let Some(fetch) = cache.poll_fetch(now) {
                break fetch;
            }
            now = cache.next_deadline().unwrap();
        };
        let update = cache
            .handle_fetch_result(fetch.id(), now, Ok(body))
            .unwrap();
        assert!(expected(rejection(&update)), "{what}: {update:?}");
        assert!(still_serving(&update), "{what}");
        assert_eq!(cache.staple(&leaf, now), Some(held.clone()), "{what}");
        let state = cache.state(&leaf).unwrap();
        assert_eq!(state.staple.unwrap().this_update, this_update, "{what}");
        assert_eq!(state.last_rejection.as_ref(), Some(rejection(&update)));
    }
}

#[test]
fn a_verified_revoked_response_replaces_good_and_is_reported() {
    if !openssl_available() {
        return;
    }
    let week = week();
    let (this_update, _) = window(&week.good);
    let leaf = leaf_good();
    let mut cache = exact_cache();
    cache.add(leaf.clone(), ca(), None, this_update).unwrap();
    deliver(&mut cache, this_update, Ok(week.good.clone()));
    let now = midpoint(&week.good);
    match deliver(&mut cache, now, Ok(week.revoked.clone())) {
        Update::Revoked { status, refresh_at } => {
            assert_eq!(
                status.status,
                CertStatus::Revoked {
                    time: REVOKED_AT,
                    reason: Some(RevocationReason::KeyCompromise)
                }
            );
            assert_eq!(refresh_at, now + RETRY_INITIAL, "past its midpoint");
        }
        other => panic!("{other:?}"),
    }
    // It is the truth: stapled, so clients act on it.
    assert_eq!(cache.staple(&leaf, now), Some(week.revoked.clone()));
}

#[test]
fn the_committed_revoked_response_is_reported_revoked() {
    let revoked = read("revoked.der");
    let now = window(&revoked).0 + 60;
    let mut cache = exact_cache();
    cache
        .add(leaf_revoked(), ca(), Some("http://127.0.0.1:9/"), now)
        .unwrap();
    match deliver(&mut cache, now, Ok(revoked.clone())) {
        Update::Revoked { status, refresh_at } => {
            assert!(matches!(
                status.status,
                CertStatus::Revoked {
                    time: REVOKED_AT,
                    reason: Some(RevocationReason::KeyCompromise)
                }
            ));
            assert_eq!(refresh_at, midpoint(&revoked));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(cache.staple(&leaf_revoked(), now), Some(revoked));
}

// ------------------------------------------------------------ export/import

#[test]
fn export_then_import_serves_without_fetching_and_refreshes_at_the_midpoint() {
    let good = read("good.der");
    let revoked = read("revoked.der");
    let now = window(&good).0 + HOUR;
    let url = Some("http://127.0.0.1:9/");
    let mut before = exact_cache();
    before.add(leaf_good(), ca(), None, now).unwrap();
    before.add(leaf_revoked(), ca(), url, now).unwrap();
    before.add(leaf_unknown(), ca(), url, now).unwrap();
    while let Some(fetch) = before.poll_fetch(now) {
        let body = if fetch.certificate() == &leaf_good() {
            good.clone()
        } else if fetch.certificate() == &leaf_revoked() {
            revoked.clone()
        } else {
            read("unknown.der")
        };
        before
            .handle_fetch_result(fetch.id(), now, Ok(body))
            .unwrap();
    }
    let exported = before.export();
    assert!(exported.len() > good.len() + revoked.len());

    // A restart, a day later: the same certificates are added, then the
    // export is read back.
    let later = now + DAY;
    let mut after = StapleCache::with_jitter_seed(exact(), 99);
    after.add(leaf_unknown(), ca(), url, later).unwrap();
    after.add(leaf_good(), ca(), None, later).unwrap();
    after.add(leaf_revoked(), ca(), url, later).unwrap();
    assert_eq!(after.import(&exported, later), Ok(2));
    assert_eq!(after.staple(&leaf_good(), later), Some(good.clone()));
    assert_eq!(after.staple(&leaf_revoked(), later), Some(revoked.clone()));
    assert_eq!(after.staple(&leaf_unknown(), later), None);
    // Only the certificate without a staple is fetched now.
    let fetch = after.poll_fetch(later).unwrap();
    assert_eq!(fetch.certificate(), &leaf_unknown());
    assert!(after.poll_fetch(later).is_none());
    // The imported staples are refreshed at their midpoint.
    assert_eq!(
        after.state(&leaf_good()).unwrap().next_attempt,
        midpoint(&good)
    );
    assert_eq!(
        after.state(&leaf_revoked()).unwrap().next_attempt,
        midpoint(&revoked)
    );
    // Exporting again gives the same bytes (entries in the order added
    // differ, but the staples are the same set).
    let again = after.export();
    assert_eq!(again.len(), exported.len());

    // A certificate not added is skipped, not an error.
    let mut other = exact_cache();
    other.add(leaf_unknown(), ca(), url, later).unwrap();
    assert_eq!(other.import(&exported, later), Ok(0));
    // An empty export is fine.
    assert_eq!(exact_cache().import(&exact_cache().export(), later), Ok(0));
}

#[test]
fn import_refuses_garbage_and_truncation_with_typed_errors() {
    let good = read("good.der");
    let now = window(&good).0 + HOUR;
    let mut source = exact_cache();
    source.add(leaf_good(), ca(), None, now).unwrap();
    deliver(&mut source, now, Ok(good.clone()));
    let exported = source.export();

    let fresh = || {
        let mut cache = exact_cache();
        cache.add(leaf_good(), ca(), None, now).unwrap();
        cache
    };
    for garbage in [&b""[..], b"garbage", b"stapler-staples/2\n", &good[..]] {
        assert_eq!(
            fresh().import(garbage, now),
            Err(ImportError::NotAnExport),
            "{garbage:?}"
        );
    }
    // Every cut inside the entry is noticed, and nothing is taken.
    let header = exported.len() - good.len() - 36;
    assert_eq!(fresh().import(&exported[..header], now), Ok(0));
    for cut in header + 1..exported.len() {
        let mut cache = fresh();
        assert_eq!(
            cache.import(&exported[..cut], now),
            Err(ImportError::Truncated),
            "cut at {cut}"
        );
        assert_eq!(cache.staple(&leaf_good(), now), None);
    }
    // A length far beyond the input is truncation, not an allocation.
    let mut huge = exported[..header + 32].to_vec();
    huge.extend_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(fresh().import(&huge, now), Err(ImportError::Truncated));
    // Two entries, the second cut short: refused whole, the first not
    // taken either.
    let revoked = read("revoked.der");
    let url = Some("http://127.0.0.1:9/");
    let mut two = exact_cache();
    two.add(leaf_good(), ca(), None, now).unwrap();
    two.add(leaf_revoked(), ca(), url, now).unwrap();
    while let Some(fetch) = two.poll_fetch(now) {
        let body = if fetch.certificate() == &leaf_good() {
            good.clone()
        } else {
            revoked.clone()
        };
        two.handle_fetch_result(fetch.id(), now, Ok(body)).unwrap();
    }
    let both = two.export();
    let mut cache = fresh();
    cache.add(leaf_revoked(), ca(), url, now).unwrap();
    assert_eq!(
        cache.import(&both[..both.len() - 1], now),
        Err(ImportError::Truncated)
    );
    assert_eq!(cache.staple(&leaf_good(), now), None);
    assert_eq!(cache.staple(&leaf_revoked(), now), None);
    assert_eq!(cache.import(&both, now), Ok(2));

    // A damaged response inside a well-formed export is skipped.
    let mut damaged = exported.clone();
    damaged[header + 36 + signature_end(&good)] ^= 1;
    assert_eq!(fresh().import(&damaged, now), Ok(0));
    assert_eq!(fresh().import(&exported, now), Ok(1));
}

#[test]
fn an_expired_exported_staple_is_skipped_on_import() {
    if !openssl_available() {
        return;
    }
    let good = &week().good;
    let (this_update, next_update) = window(good);
    let mut source = exact_cache();
    source.add(leaf_good(), ca(), None, this_update).unwrap();
    deliver(&mut source, this_update, Ok(good.clone()));
    let exported = source.export();
    for (now, taken) in [
        (next_update - 1, 1),
        (next_update, 0),
        (next_update + WEEK, 0),
    ] {
        let mut cache = exact_cache();
        cache.add(leaf_good(), ca(), None, now).unwrap();
        assert_eq!(cache.import(&exported, now), Ok(taken), "at {now}");
        assert_eq!(cache.staple(&leaf_good(), now).is_some(), taken == 1);
        // Skipped means still due for a fetch at once.
        assert_eq!(cache.poll_fetch(now).is_some(), taken == 0);
    }
    // Past its midpoint, an imported staple is refreshed soon.
    let mut cache = exact_cache();
    let now = midpoint(good) + HOUR;
    cache.add(leaf_good(), ca(), None, now).unwrap();
    assert_eq!(cache.import(&exported, now), Ok(1));
    assert_eq!(
        cache.state(&leaf_good()).unwrap().next_attempt,
        now + RETRY_INITIAL
    );
}

#[test]
fn import_keeps_a_newer_staple_and_an_outstanding_fetch() {
    if !openssl_available() {
        return;
    }
    let week = week();
    let (this_update, _) = window(&week.good);
    let mut old = exact_cache();
    old.add(leaf_good(), ca(), None, this_update).unwrap();
    deliver(&mut old, this_update, Ok(week.good.clone()));
    let exported = old.export();

    let now = window(&week.later).0;
    let mut cache = exact_cache();
    cache.add(leaf_good(), ca(), None, now).unwrap();
    deliver(&mut cache, now, Ok(week.later.clone()));
    assert_eq!(cache.import(&exported, now), Ok(0), "older than held");
    assert_eq!(cache.staple(&leaf_good(), now), Some(week.later.clone()));

    // A fetch out when the import lands is still awaited.
    let mut cache = exact_cache();
    cache.add(leaf_good(), ca(), None, now).unwrap();
    let fetch = cache.poll_fetch(now).unwrap();
    assert_eq!(cache.import(&exported, now), Ok(1));
    assert!(cache.state(&leaf_good()).unwrap().fetching);
    let update = cache
        .handle_fetch_result(fetch.id(), now, Ok(week.later.clone()))
        .unwrap();
    assert!(matches!(update, Update::Stored { .. }));
    assert_eq!(cache.staple(&leaf_good(), now), Some(week.later.clone()));
}

/// `offer`: a response from another server answers a fetch only when it
/// verifies and is newer than the one held; otherwise the fetch is still
/// out, to be done.
#[test]
fn an_offered_response_answers_a_fetch_only_when_valid_and_newer() {
    if !openssl_available() {
        return;
    }
    let week = week();
    let now = window(&week.later).0;
    let mut cache = exact_cache();
    cache.add(leaf_good(), ca(), None, now).unwrap();

    // Forged (one bit of the signature flipped): refused, fetch still out.
    let fetch = cache.poll_fetch(now).unwrap();
    let forged = flipped(&week.good, signature_end(&week.good) - 1);
    match cache.offer(fetch.id(), now, forged).unwrap() {
        Offer::Refused(Rejection::Invalid(_)) => {}
        other => panic!("{other:?}"),
    }
    assert!(cache.state(&leaf_good()).unwrap().fetching);
    assert_eq!(cache.staple(&leaf_good(), now), None);

    // Valid and newer than nothing: taken, and the fetch is answered.
    match cache.offer(fetch.id(), now, week.good.clone()).unwrap() {
        Offer::Taken(Update::Stored { .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(!cache.state(&leaf_good()).unwrap().fetching);
    assert_eq!(cache.staple(&leaf_good(), now), Some(week.good.clone()));
    assert!(cache
        .handle_fetch_result(fetch.id(), now, Ok(week.good.clone()))
        .is_err());

    // At the refresh, the same response again is no refresh: refused,
    // and the fetch stays out for its result.
    let refresh = refresh_at(&offer_later_at_the_refresh(&mut cache, now, week));
    let fetch = cache.poll_fetch(refresh).unwrap();
    match cache
        .offer(fetch.id(), refresh, week.later.clone())
        .unwrap()
    {
        Offer::Refused(Rejection::NotNewer { .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(cache.state(&leaf_good()).unwrap().fetching);
    assert!(cache
        .handle_fetch_result(fetch.id(), refresh, Ok(week.later.clone()))
        .is_ok());
    // An id the cache is not waiting for is an error, as for a result.
    assert!(cache
        .offer(fetch.id(), refresh, week.later.clone())
        .is_err());
}

/// Takes `week.later` through a fetch at `now` (newer than `week.good`,
/// held), returning the update.
fn offer_later_at_the_refresh(cache: &mut StapleCache, now: u64, week: &Week) -> Update {
    let fetch = cache.poll_fetch(refresh_time(cache)).unwrap();
    match cache.offer(fetch.id(), now, week.later.clone()).unwrap() {
        Offer::Taken(update) => update,
        other => panic!("{other:?}"),
    }
}

/// When the cache's one certificate is next due.
fn refresh_time(cache: &StapleCache) -> u64 {
    cache.next_deadline().unwrap()
}

// ----------------------------------------------------------------- jitter

#[test]
fn jitter_stays_within_its_bounds_and_varies_across_seeds() {
    let good = read("good.der");
    let (this_update, next_update) = window(&good);
    let window_len = next_update - this_update;
    let mid = midpoint(&good);
    let policy = CachePolicy {
        jitter_percent: 10,
        ..CachePolicy::default()
    };
    let spread = window_len / 10;
    let mut refreshes = HashSet::new();
    let mut first_retries = HashSet::new();
    let mut retries = HashSet::new();
    for seed in 0..64 {
        let mut cache = StapleCache::with_jitter_seed(policy.clone(), seed);
        cache.add(leaf_good(), ca(), None, this_update).unwrap();
        let at = refresh_at(&deliver(&mut cache, this_update, Ok(good.clone())));
        assert!((mid - spread..=mid + spread).contains(&at), "seed {seed}");
        refreshes.insert(at);

        // Retries move by up to 10% of the wait, within [initial, max].
        let mut now = at;
        for failure in 0..8u32 {
            let update = deliver(&mut cache, now, Err("down"));
            let wait = retry_at(&update) - now;
            let nominal = (RETRY_INITIAL << failure).min(RETRY_MAX);
            let lower = (nominal - nominal / 10).max(RETRY_INITIAL);
            let upper = (nominal + nominal / 10).min(RETRY_MAX);
            assert!((lower..=upper).contains(&wait), "seed {seed}: {wait}");
            if failure == 0 {
                first_retries.insert(wait);
            }
            retries.insert((failure, wait));
            now += wait;
        }
    }
    // Every seed its own schedule (a collision or two is chance).
    assert!(refreshes.len() >= 60, "{} distinct", refreshes.len());
    assert!(refreshes.iter().any(|&t| t < mid) && refreshes.iter().any(|&t| t > mid));
    assert!(first_retries.len() > 1, "the first retry never moves");
    assert!(retries.len() > 8 * 10);

    // The same seed replays the same schedule.
    let schedule = |seed| {
        let mut cache = StapleCache::with_jitter_seed(policy.clone(), seed);
        cache.add(leaf_good(), ca(), None, this_update).unwrap();
        refresh_at(&deliver(&mut cache, this_update, Ok(good.clone())))
    };
    assert_eq!(schedule(5), schedule(5));

    // Seeded by the system: still within bounds.
    let mut cache = StapleCache::new(policy.clone());
    cache.add(leaf_good(), ca(), None, this_update).unwrap();
    let at = refresh_at(&deliver(&mut cache, this_update, Ok(good.clone())));
    assert!((mid - spread..=mid + spread).contains(&at));

    // At most 40% either way, whatever is asked.
    let wild = CachePolicy {
        jitter_percent: 200,
        ..CachePolicy::default()
    };
    for seed in 0..32 {
        let mut cache = StapleCache::with_jitter_seed(wild.clone(), seed);
        cache.add(leaf_good(), ca(), None, this_update).unwrap();
        let at = refresh_at(&deliver(&mut cache, this_update, Ok(good.clone())));
        let limit = window_len * 40 / 100;
        assert!((mid - limit..=mid + limit).contains(&at), "seed {seed}");
    }
}

#[test]
fn schedule_is_never_in_the_past_nor_twice_in_one_second() {
    // A long run of mixed outcomes under the default (jittered) policy.
    let good = read("good.der");
    let mut now = window(&good).0;
    let mut cache = StapleCache::with_jitter_seed(CachePolicy::default(), 42);
    cache.add(leaf_good(), ca(), None, now).unwrap();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut last_issue = None;
    for step in 0..2000 {
        let Some(fetch) = cache.poll_fetch(now) else {
            let next = cache.next_deadline().unwrap();
            assert!(next > now, "step {step}: due in the past");
            now = next;
            continue;
        };
        assert!(last_issue.is_none_or(|t| t < now), "two fetches at {now}");
        last_issue = Some(now);
        assert!(cache.poll_fetch(now).is_none());
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let result = match state % 4 {
            0 => Ok(good.clone()),
            1 => Err("refused".to_owned()),
            2 => Ok(Bytes::from_static(b"garbage")),
            _ => continue, // lost
        };
        cache.handle_fetch_result(fetch.id(), now, result).unwrap();
        assert!(cache.poll_fetch(now).is_none(), "step {step}: busy loop");
        assert!(cache.next_deadline().unwrap() > now);
    }
}

// ------------------------------------------------------ add, config, answer

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

// ======================================================== a live responder

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
