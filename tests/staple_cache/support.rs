//! What every module shares: the default policy's numbers, the committed
//! responses and certificates in tests/data/ocsp, helpers that read updates,
//! and week-long responses made by `openssl ocsp` when the tests run.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use stapler::ocsp::{CachePolicy, OcspResponse, Rejection, StapleCache, Update};
use stapler::pki::Certificate;

use super::common::peers::{self, OPENSSL};

pub(crate) const HOUR: u64 = 3600;
pub(crate) const DAY: u64 = 86_400;
pub(crate) const WEEK: u64 = 7 * DAY;

/// The default policy's numbers, which the timelines below assert.
pub(crate) const RETRY_INITIAL: u64 = 60;
pub(crate) const RETRY_MAX: u64 = 3600;
pub(crate) const FETCH_TIMEOUT: u64 = 120;

/// When the index says leaf-revoked was revoked (2026-01-01), and why.
pub(crate) const REVOKED_AT: u64 = 1_767_225_600;

// ---------------------------------------------------------------- data

pub(crate) fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ocsp")
}

pub(crate) fn data_path(name: &str) -> String {
    data_dir().join(name).to_str().unwrap().to_owned()
}

pub(crate) fn read(name: &str) -> Bytes {
    let path = data_dir().join(name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into()
}

/// The DER of the certificate in `NAME.crt`.
pub(crate) fn der(name: &str) -> Bytes {
    Certificate::from_pem_chain(&read(&format!("{name}.crt")))
        .unwrap()
        .remove(0)
        .der()
        .clone()
}

pub(crate) fn leaf_good() -> Bytes {
    der("leaf-good")
}

pub(crate) fn leaf_revoked() -> Bytes {
    der("leaf-revoked")
}

pub(crate) fn leaf_unknown() -> Bytes {
    der("leaf-unknown")
}

pub(crate) fn ca() -> Bytes {
    der("ca")
}

/// thisUpdate and nextUpdate of a one-response OCSP response.
pub(crate) fn window(response: &[u8]) -> (u64, u64) {
    let parsed = OcspResponse::parse(Bytes::copy_from_slice(response)).unwrap();
    let single = &parsed.responses()[0];
    (single.this_update(), single.next_update().unwrap())
}

pub(crate) fn midpoint(response: &[u8]) -> u64 {
    let (this_update, next_update) = window(response);
    this_update + (next_update - this_update) / 2
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Where the last byte of `response`'s signature is (certificates may
/// follow it).
pub(crate) fn signature_end(response: &Bytes) -> usize {
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
pub(crate) fn signed_end(response: &Bytes) -> usize {
    let parsed = OcspResponse::parse(response.clone()).unwrap();
    let tbs = parsed.tbs_response_data();
    response.windows(tbs.len()).position(|w| w == tbs).unwrap() + tbs.len() - 1
}

/// `response` with one byte flipped.
pub(crate) fn flipped(response: &[u8], at: usize) -> Bytes {
    let mut bytes = response.to_vec();
    bytes[at] ^= 0x01;
    bytes.into()
}

/// The default policy without jitter: every time below is exact.
pub(crate) fn exact() -> CachePolicy {
    CachePolicy {
        jitter_percent: 0,
        ..CachePolicy::default()
    }
}

pub(crate) fn exact_cache() -> StapleCache {
    StapleCache::with_jitter_seed(exact(), 7)
}

pub(crate) fn rejection(update: &Update) -> &Rejection {
    match update {
        Update::Rejected { reason, .. } => reason,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

pub(crate) fn retry_at(update: &Update) -> u64 {
    match update {
        Update::Rejected { retry_at, .. } => *retry_at,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

pub(crate) fn still_serving(update: &Update) -> bool {
    match update {
        Update::Rejected { still_serving, .. } => *still_serving,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

pub(crate) fn refresh_at(update: &Update) -> u64 {
    match update {
        Update::Stored { refresh_at, .. } | Update::Revoked { refresh_at, .. } => *refresh_at,
        other => panic!("expected a stored response, got {other:?}"),
    }
}

/// Takes the fetch due at `now` and hands back `result` at the same time.
pub(crate) fn deliver(cache: &mut StapleCache, now: u64, result: Result<Bytes, &str>) -> Update {
    let fetch = cache
        .poll_fetch(now)
        .unwrap_or_else(|| panic!("a fetch is due at {now}"));
    cache
        .handle_fetch_result(fetch.id(), now, result.map_err(str::to_owned))
        .unwrap()
}

/// Whether the openssl tests run: true unless skipped on purpose; fails
/// the test when openssl is missing.
pub(crate) fn openssl_available() -> bool {
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
pub(crate) struct Week {
    /// good, signed by the CA.
    pub(crate) good: Bytes,
    /// revoked (keyCompromise), thisUpdate not before `good`'s.
    pub(crate) revoked: Bytes,
    /// unknown: an index without leaf-good; valid for two weeks, so still
    /// valid at `later`'s midpoint.
    pub(crate) unknown: Bytes,
    /// good again, thisUpdate at least a second after `good`'s, valid
    /// for two weeks: at `good`'s midpoint it is still before its own.
    pub(crate) later: Bytes,
}

pub(crate) fn week() -> &'static Week {
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
