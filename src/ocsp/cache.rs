//! [`StapleCache`]: one verified staple per certificate, and a schedule that
//! tells the application what to fetch and when. Sans-IO like the rest:
//! time is a parameter, fetching is the application's job.
//!
//! The rules it keeps are those a server needs so that stapling never hurts
//! availability (the server-side requirements Ryan Sleevi set out for
//! Apache and nginx):
//!
//! - **Ready before the first handshake.** Certificates are added at
//!   startup and fetched at once ([`StapleCache::poll_fetch`] hands them out
//!   immediately); [`StapleCache::answer`] completes an
//!   [`OcspRequest`] from memory, so no handshake ever waits on a
//!   responder.
//! - **Refresh early.** A response is refreshed at the midpoint of its
//!   thisUpdate..nextUpdate window, moved by a random jitter so that many
//!   servers (or certificates) do not ask at the same second. One already
//!   past its midpoint when it arrives (an HTTP cache in front of the
//!   responder may serve the same response for hours) is refreshed soon,
//!   then with backoff while the same one keeps coming.
//! - **Keep the last good response.** It is served while a refresh runs
//!   and while the responder is down, until its nextUpdate. A malformed or
//!   unverifiable response never replaces it, and neither does an older
//!   one or one saying "unknown".
//! - **Back off on failure**, exponentially with a cap: never a busy loop
//!   (no certificate is due twice within [`CachePolicy::retry_initial`]).
//!   While the staple is fresh, a retry never waits more than half its
//!   remaining life, so it does not lapse for want of trying.
//! - **One fetch per certificate**, however many connections ask. A fetch
//!   the application loses is handed out again after
//!   [`CachePolicy::fetch_timeout`] (or its backoff, if longer), and its
//!   late result refused.
//! - **Revocation is loud.** A verified "revoked" response is stored and
//!   stapled (it is the truth, and clients act on it) and reported as
//!   [`Update::Revoked`].
//! - **Survives restarts.** [`StapleCache::export`] writes the staples as
//!   bytes to persist; [`StapleCache::import`] reads them back, verifying
//!   each again.

use std::fmt;

use bytes::Bytes;
use ring::digest::{digest, SHA256};
use ring::rand::{SecureRandom, SystemRandom};

use crate::pki::{find_issuer, Certificate, CertificateError};

use super::cert_id::CertId;
use super::error::OcspError;
use super::request::OcspQuery;
use super::response::{CertStatus, OcspResponse};
use super::urls::responder_urls;
use super::verify::{VerifiedStatus, VerifyOptions};

mod export;
mod offer;
pub use export::ImportError;
pub use offer::Offer;

/// How a [`StapleCache`] schedules fetches. All durations are in seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachePolicy {
    /// The first retry after a failed fetch comes this long after it;
    /// each further failure doubles the wait (default 60, at least 1). It
    /// is also the shortest time between two fetches for one certificate.
    pub retry_initial: u64,
    /// The longest wait between retries (default 3600).
    pub retry_max: u64,
    /// A fetch not answered within this long is taken as lost: it counts
    /// as a failed attempt and is handed out again (default 120).
    pub fetch_timeout: u64,
    /// Jitter, in percent, either way (default 10, at most 40): the
    /// refresh time moves by up to this share of the response's validity
    /// window, and each retry's wait by up to this share of itself. 0
    /// makes every time exact.
    pub jitter_percent: u8,
    /// Options for verifying each response (clock skew; validity of a
    /// response without nextUpdate).
    pub verify: VerifyOptions,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            retry_initial: 60,
            retry_max: 3600,
            fetch_timeout: 120,
            jitter_percent: 10,
            verify: VerifyOptions::new(),
        }
    }
}

/// Identifies one fetch handed out by [`StapleCache::poll_fetch`]; its
/// result is accepted once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FetchId(u64);

/// A request for the application to send: POST [`Fetch::body`] to
/// [`Fetch::url`] with content type
/// [`OCSP_REQUEST_CONTENT_TYPE`](super::OCSP_REQUEST_CONTENT_TYPE), or GET
/// [`Fetch::get_url`] when it is `Some`, then hand the response body (or
/// the failure) to [`StapleCache::handle_fetch_result`].
#[derive(Clone, Debug)]
pub struct Fetch {
    id: FetchId,
    certificate: Bytes,
    url: String,
    query: OcspQuery,
}

impl Fetch {
    /// The id to give back with the result.
    pub fn id(&self) -> FetchId {
        self.id
    }

    /// The DER certificate whose status is asked for.
    pub fn certificate(&self) -> &Bytes {
        &self.certificate
    }

    /// The responder URL (from the certificate's AIA, or as added).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The DER OCSPRequest to POST.
    pub fn body(&self) -> &Bytes {
        self.query.der()
    }

    /// The RFC 5019 GET form of the request, when it fits in 255 bytes.
    /// GET lets HTTP caches and CDNs in front of the responder answer.
    pub fn get_url(&self) -> Option<String> {
        self.query.get_url(&self.url)
    }
}

/// Why a certificate cannot be added to a [`StapleCache`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheError {
    /// The certificate or its issuer is not a readable certificate.
    Certificate(CertificateError),
    /// No CertID can be made: the issuer is not the certificate's issuer.
    CertId(OcspError),
    /// The certificate's issuer is not known (a config entry whose issuer
    /// was found neither in its chain nor among the CA certificates).
    NoIssuer,
    /// The certificate names no http OCSP responder in its Authority
    /// Information Access, and none was given.
    NoResponderUrl,
    /// The issuer has the Name the certificate names as its issuer, but
    /// its key did not sign the certificate (a re-keyed or impostor CA):
    /// every response would be refused.
    IssuerMismatch,
    /// The certificate is already in the cache.
    AlreadyAdded,
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Certificate(e) => write!(f, "unreadable certificate: {e}"),
            Self::CertId(e) => write!(f, "cannot build an OCSP request: {e}"),
            Self::NoIssuer => f.write_str("the certificate's issuer is not known"),
            Self::NoResponderUrl => f.write_str("the certificate names no http OCSP responder"),
            Self::IssuerMismatch => f.write_str("the issuer's key did not sign the certificate"),
            Self::AlreadyAdded => f.write_str("the certificate is already in the cache"),
        }
    }
}

impl std::error::Error for CacheError {}

/// Why a fetched response was not stored.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// The fetch failed (the application's words).
    Fetch(String),
    /// The response did not parse or verify.
    Invalid(OcspError),
    /// The responder does not know the certificate (status unknown).
    Unknown,
    /// The response is older than the one already held.
    Older {
        /// thisUpdate of the response received.
        this_update: u64,
        /// thisUpdate of the response kept.
        held: u64,
    },
    /// A response offered from elsewhere ([`StapleCache::offer`]) is no
    /// newer than the one held: the fetch is still needed.
    NotNewer {
        /// thisUpdate of both.
        this_update: u64,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fetch(why) => write!(f, "fetch failed: {why}"),
            Self::Invalid(e) => write!(f, "response refused: {e}"),
            Self::Unknown => f.write_str("the responder does not know the certificate"),
            Self::Older { this_update, held } => write!(
                f,
                "response from {this_update} is older than the one held (from {held})"
            ),
            Self::NotNewer { this_update } => write!(
                f,
                "the response offered is the one held (from {this_update}), not a newer one"
            ),
        }
    }
}

/// What [`StapleCache::handle_fetch_result`] did with a result.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Update {
    /// A verified "good" response is now the staple.
    Stored {
        /// What the response says.
        status: VerifiedStatus,
        /// When it will be refreshed.
        refresh_at: u64,
    },
    /// A verified "revoked" response is now the staple: the certificate
    /// has been revoked, and the operator must hear of it.
    Revoked {
        /// What the response says (see its `status` for time and reason).
        status: VerifiedStatus,
        /// When it will be fetched again.
        refresh_at: u64,
    },
    /// Nothing changed; the previous staple, if any, is kept.
    Rejected {
        /// Why.
        reason: Rejection,
        /// When the next attempt is due.
        retry_at: u64,
        /// Whether a staple is still being served (fresh at the time of the
        /// result).
        still_serving: bool,
    },
}

/// The id given to [`StapleCache::handle_fetch_result`] is not a fetch
/// the cache is waiting for: already answered, timed out and handed out
/// again, or from another cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownFetch(pub FetchId);

impl fmt::Display for UnknownFetch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no fetch {:?} is outstanding", self.0)
    }
}

impl std::error::Error for UnknownFetch {}

/// What the cache holds for one certificate, for logs and health checks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EntryState {
    /// The staple's verified content, if there is one (fresh or not).
    pub staple: Option<VerifiedStatus>,
    /// Failed attempts since the last stored response.
    pub failures: u32,
    /// When the next fetch is due (or the outstanding one times out).
    pub next_attempt: u64,
    /// Whether a fetch is out, waiting for its result.
    pub fetching: bool,
    /// The last rejection, if the last attempt failed.
    pub last_rejection: Option<Rejection>,
}

/// A verified response and what it says.
#[derive(Clone, Debug)]
struct Staple {
    der: Bytes,
    verified: VerifiedStatus,
}

#[derive(Debug)]
struct Entry {
    leaf_der: Bytes,
    /// SHA-256 of `leaf_der`: the key exported entries are matched by.
    leaf_hash: [u8; 32],
    leaf: Certificate,
    issuer: Certificate,
    url: String,
    query: OcspQuery,
    staple: Option<Staple>,
    failures: u32,
    /// Responses stored in a row that were already past their refresh
    /// time: the responder (or a cache in front of it) has nothing newer
    /// yet, so each next refresh waits longer, as a retry would.
    stale_refreshes: u32,
    /// When to fetch next; while a fetch is out, when it times out.
    next_attempt: u64,
    in_flight: Option<InFlight>,
    last_rejection: Option<Rejection>,
}

/// A fetch handed out and not yet answered.
#[derive(Clone, Copy, Debug)]
struct InFlight {
    id: FetchId,
    /// When [`StapleCache::poll_fetch`] handed it out.
    issued_at: u64,
}

/// Keeps one staple per certificate and says what to fetch and when.
///
/// ```
/// use stapler::ocsp::{StapleCache, CachePolicy};
///
/// let pem = |bytes: &[u8]| stapler::pki::pem::certificates_from_pem(bytes).map(|c| c[0].clone());
/// let leaf = pem(include_bytes!("../../tests/data/ocsp/leaf-good.crt"))?;
/// let issuer = pem(include_bytes!("../../tests/data/ocsp/ca.crt"))?;
/// let body = include_bytes!("../../tests/data/ocsp/good.der");
/// let now = stapler::ocsp::OcspResponse::parse(&body[..])?.produced_at() + 60;
///
/// let mut cache = StapleCache::new(CachePolicy::default());
/// cache.add(leaf.clone(), issuer, None, now)?;
///
/// // At startup, and whenever `next_deadline()` passes:
/// while let Some(fetch) = cache.poll_fetch(now) {
///     // POST fetch.body() to fetch.url(), then:
///     let update = cache.handle_fetch_result(fetch.id(), now, Ok(body.to_vec().into()))?;
///     println!("{update:?}");
/// }
/// assert!(cache.staple(&leaf[..], now).is_some());
/// // Then, on Event::OcspRequest(request): conn.complete(cache.answer(request, now), now)
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct StapleCache {
    policy: CachePolicy,
    entries: Vec<Entry>,
    next_fetch_id: u64,
    jitter: Jitter,
}

impl StapleCache {
    /// An empty cache. Jitter is seeded from the system's random source.
    pub fn new(policy: CachePolicy) -> Self {
        let mut seed = [0u8; 8];
        // A failed random source leaves the seed fixed: jitter then
        // repeats across servers, which costs spread, not correctness.
        let _ = SystemRandom::new().fill(&mut seed);
        Self::with_jitter_seed(policy, u64::from_le_bytes(seed))
    }

    /// An empty cache whose jitter comes from `seed`, so a schedule can be
    /// replayed exactly (in tests, or to compare runs).
    pub fn with_jitter_seed(mut policy: CachePolicy, seed: u64) -> Self {
        policy.jitter_percent = policy.jitter_percent.min(MAX_JITTER_PERCENT);
        policy.retry_initial = policy.retry_initial.max(1);
        policy.retry_max = policy.retry_max.max(policy.retry_initial);
        policy.fetch_timeout = policy.fetch_timeout.max(1);
        let mut jitter = Jitter::new(seed);
        Self {
            policy,
            entries: Vec::new(),
            // Ids start at a random point, so that an id from another cache
            // (there may be one per configuration) is refused here rather
            // than taken for one of this cache's fetches.
            next_fetch_id: jitter.next(),
            jitter,
        }
    }

    /// Adds a certificate (DER) and its issuer (DER), to be fetched at
    /// once. `url` overrides the responder named in the certificate's AIA.
    pub fn add(
        &mut self,
        leaf: impl Into<Bytes>,
        issuer: impl Into<Bytes>,
        url: Option<&str>,
        now: u64,
    ) -> Result<(), CacheError> {
        let leaf_der = leaf.into();
        let leaf = Certificate::from_der(leaf_der.clone()).map_err(CacheError::Certificate)?;
        let issuer = Certificate::from_der(issuer.into()).map_err(CacheError::Certificate)?;
        if self.find(&leaf_der).is_some() {
            return Err(CacheError::AlreadyAdded);
        }
        let url = match url {
            Some(url) => url.to_owned(),
            None => responder_urls(&leaf)
                .next()
                .ok_or(CacheError::NoResponderUrl)?
                .to_owned(),
        };
        let cert_id = CertId::sha1(&leaf, &issuer).map_err(CacheError::CertId)?;
        if find_issuer(&leaf, [&issuer]).is_none() {
            return Err(CacheError::IssuerMismatch);
        }
        self.entries.push(Entry {
            leaf_hash: sha256(&leaf_der),
            leaf_der,
            leaf,
            issuer,
            url,
            query: OcspQuery::new(cert_id),
            staple: None,
            failures: 0,
            stale_refreshes: 0,
            next_attempt: now,
            in_flight: None,
            last_rejection: None,
        });
        Ok(())
    }

    /// Forgets `leaf` (DER) and its staple, for example when a renewed
    /// certificate replaces it; the result of a fetch still out for it
    /// will be refused with [`UnknownFetch`]. Returns whether it was there.
    pub fn remove(&mut self, leaf: &[u8]) -> bool {
        let Some(index) = self.find(leaf) else {
            return false;
        };
        self.entries.remove(index);
        true
    }

    /// The earliest time something is due: a fetch to start, or an
    /// outstanding one to time out. `None` when the cache is empty. Call
    /// [`Self::poll_fetch`] when it passes.
    pub fn next_deadline(&self) -> Option<u64> {
        self.entries.iter().map(|e| e.next_attempt).min()
    }

    /// The next fetch due at `now`, if any. Call it until it returns
    /// `None`. Each certificate has at most one fetch out.
    ///
    /// A fetch not answered within [`CachePolicy::fetch_timeout`] is lost:
    /// it counts as a failed attempt, and is handed out again once both
    /// its timeout and its backoff (measured from when it was handed out)
    /// have passed; its result, if it ever comes, is refused.
    pub fn poll_fetch(&mut self, now: u64) -> Option<Fetch> {
        let timeout = self.policy.fetch_timeout;
        let index = loop {
            let index = self.entries.iter().position(|e| e.next_attempt <= now)?;
            let Some(lost) = self.entries.get(index)?.in_flight else {
                break index;
            };
            let retry_at = self.failed(
                index,
                lost.issued_at,
                now,
                Rejection::Fetch(LOST_FETCH.into()),
            );
            if retry_at <= now {
                break index;
            }
            // Otherwise the entry is now due after `now`: the loop moves on.
        };
        let id = FetchId(self.next_fetch_id);
        self.next_fetch_id = self.next_fetch_id.wrapping_add(1);
        let entry = self.entries.get_mut(index)?;
        entry.in_flight = Some(InFlight { id, issued_at: now });
        entry.next_attempt = now.saturating_add(timeout);
        Some(Fetch {
            id,
            certificate: entry.leaf_der.clone(),
            url: entry.url.clone(),
            query: entry.query.clone(),
        })
    }

    /// Takes the result of a fetch: the HTTP response body, or why there
    /// is none (a transport error, a non-200 status). The body is parsed
    /// and verified against the certificate and its issuer at `now`, and
    /// stored only if it is valid, says good or revoked, and is not older
    /// than the response held.
    pub fn handle_fetch_result(
        &mut self,
        id: FetchId,
        now: u64,
        result: Result<Bytes, String>,
    ) -> Result<Update, UnknownFetch> {
        let index = self.awaiting(id)?;
        let checked = match result {
            Ok(body) => self.check(index, body, now),
            Err(why) => Err(Rejection::Fetch(why)),
        };
        Ok(match checked {
            Ok(staple) => self.answered(index, staple, now),
            Err(reason) => {
                let retry_at = self.failed(index, now, now, reason.clone());
                Update::Rejected {
                    reason,
                    retry_at,
                    still_serving: self.serving(index, now),
                }
            }
        })
    }

    /// The staple for `leaf` (DER) at `now`: the held response, if it is
    /// still fresh (now < nextUpdate).
    pub fn staple(&self, leaf: &[u8], now: u64) -> Option<Bytes> {
        let staple = self.entries.get(self.find(leaf)?)?.staple.as_ref()?;
        (now < staple.verified.valid_until).then(|| staple.der.clone())
    }

    /// What the cache knows about `leaf` (DER), if it was added.
    pub fn state(&self, leaf: &[u8]) -> Option<EntryState> {
        let entry = self.entries.get(self.find(leaf)?)?;
        Some(EntryState {
            staple: entry.staple.as_ref().map(|s| s.verified.clone()),
            failures: entry.failures,
            next_attempt: entry.next_attempt,
            fetching: entry.in_flight.is_some(),
            last_rejection: entry.last_rejection.clone(),
        })
    }

    /// The entry whose fetch `id` is out.
    fn awaiting(&self, id: FetchId) -> Result<usize, UnknownFetch> {
        self.entries
            .iter()
            .position(|e| e.in_flight.is_some_and(|f| f.id == id))
            .ok_or(UnknownFetch(id))
    }

    /// Ends entry `index`'s fetch with `staple`, which is stored.
    fn answered(&mut self, index: usize, staple: Staple, now: u64) -> Update {
        if let Some(entry) = self.entries.get_mut(index) {
            entry.in_flight = None;
        }
        self.store(index, staple, now)
    }

    fn find(&self, leaf: &[u8]) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.leaf_der.as_ref() == leaf)
    }

    fn serving(&self, index: usize, now: u64) -> bool {
        self.entries
            .get(index)
            .and_then(|e| e.staple.as_ref())
            .is_some_and(|s| now < s.verified.valid_until)
    }

    /// Parses and verifies `body` for entry `index`, and checks it may
    /// replace what is held.
    fn check(&self, index: usize, body: Bytes, now: u64) -> Result<Staple, Rejection> {
        let entry = self
            .entries
            .get(index)
            .ok_or(Rejection::Fetch("no such entry".into()))?;
        let response = OcspResponse::parse(body).map_err(Rejection::Invalid)?;
        let verified = response
            .verify(&entry.leaf, &entry.issuer, now, &self.policy.verify)
            .map_err(Rejection::Invalid)?;
        if verified.status == CertStatus::Unknown {
            return Err(Rejection::Unknown);
        }
        if let Some(held) = &entry.staple {
            if verified.this_update < held.verified.this_update {
                return Err(Rejection::Older {
                    this_update: verified.this_update,
                    held: held.verified.this_update,
                });
            }
        }
        Ok(Staple {
            der: response.der().clone(),
            verified,
        })
    }

    /// Makes `staple` entry `index`'s and schedules its refresh, unless a
    /// fetch is out for it: then `next_attempt` stays that fetch's timeout
    /// until its result comes in.
    ///
    /// The refresh comes at the midpoint of thisUpdate..nextUpdate, moved
    /// by jitter: a responder has a newer response by then, and half the
    /// window is left to get it. A response already past that point (an
    /// old response from a CDN, or one imported after a restart) is
    /// refreshed `retry_initial` later, and if the next one is past it too,
    /// with the same doubling as a retry: a responder that has nothing
    /// newer is not asked every minute until expiry.
    fn store(&mut self, index: usize, staple: Staple, now: u64) -> Update {
        let start = staple.verified.this_update.min(now);
        let end = staple.verified.valid_until;
        let window = end.saturating_sub(start);
        let midpoint = start.saturating_add(window.saturating_div(2));
        let jittered = self.jitter.around(midpoint, self.spread(window));
        let Some(stale_refreshes) = self.entries.get(index).map(|e| e.stale_refreshes) else {
            return Update::Rejected {
                reason: Rejection::Fetch("no such entry".into()),
                retry_at: now,
                still_serving: false,
            };
        };
        let (refresh_at, stale_refreshes) = if jittered > now {
            let soonest = now.saturating_add(self.policy.retry_initial);
            (jittered.max(soonest), 0)
        } else {
            let wait = self.backoff(stale_refreshes, now, Some(end));
            (now.saturating_add(wait), stale_refreshes.saturating_add(1))
        };
        let status = staple.verified.clone();
        if let Some(entry) = self.entries.get_mut(index) {
            entry.staple = Some(staple);
            entry.failures = 0;
            entry.stale_refreshes = stale_refreshes;
            entry.last_rejection = None;
            if entry.in_flight.is_none() {
                entry.next_attempt = refresh_at;
            }
        }
        match status.status {
            CertStatus::Revoked { .. } => Update::Revoked { status, refresh_at },
            _ => Update::Stored { status, refresh_at },
        }
    }

    /// Records a failed attempt for entry `index`, handed out at `from`,
    /// and schedules the retry after [`Self::backoff`] from then, but not
    /// before `now`. Returns when the retry is due.
    fn failed(&mut self, index: usize, from: u64, now: u64, reason: Rejection) -> u64 {
        let Some(entry) = self.entries.get(index) else {
            return now;
        };
        let failures = entry.failures;
        let fresh_until = entry
            .staple
            .as_ref()
            .map(|s| s.verified.valid_until)
            .filter(|&until| now < until);
        let wait = self.backoff(failures, now, fresh_until);
        let retry_at = from.saturating_add(wait).max(now);
        if let Some(entry) = self.entries.get_mut(index) {
            entry.failures = failures.saturating_add(1);
            entry.in_flight = None;
            entry.last_rejection = Some(reason);
            entry.next_attempt = retry_at;
        }
        retry_at
    }

    /// The wait before the next attempt after `attempts` unsuccessful ones
    /// in a row: `retry_initial` doubled per attempt up to `retry_max`,
    /// moved by the policy's jitter, and never less than `retry_initial`
    /// (≥ 1 s), so that no time is ever due twice: never a busy loop.
    ///
    /// While a staple is still fresh (`fresh_until`), the wait is also at
    /// most half the time it has left, so a long backoff cannot let it
    /// lapse untried: near the end attempts come closer together, down to
    /// `retry_initial`.
    fn backoff(&mut self, attempts: u32, now: u64, fresh_until: Option<u64>) -> u64 {
        let (initial, max) = (self.policy.retry_initial, self.policy.retry_max);
        let factor = 1u64
            .checked_shl(attempts.min(MAX_DOUBLINGS))
            .unwrap_or(u64::MAX);
        let wait = initial.saturating_mul(factor).min(max);
        let wait = self.jitter.around(wait, self.spread(wait));
        let wait = match fresh_until {
            Some(until) => wait.min(until.saturating_sub(now).saturating_div(2)),
            None => wait,
        };
        wait.clamp(initial, max)
    }

    /// How far jitter may move a time chosen within `span` seconds.
    fn spread(&self, span: u64) -> u64 {
        span.saturating_mul(u64::from(self.policy.jitter_percent))
            .saturating_div(100)
    }
}

/// The reason recorded for a fetch not answered within
/// [`CachePolicy::fetch_timeout`].
const LOST_FETCH: &str = "no result within the fetch timeout";

/// The most the refresh time may move: beyond 40% of the window either
/// way, a refresh could land right after thisUpdate or right before expiry.
const MAX_JITTER_PERCENT: u8 = 40;

/// 2^20 × a one-second retry is already 12 days: any cap is reached first.
const MAX_DOUBLINGS: u32 = 20;

fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, data).as_ref());
    out
}

/// A small xorshift generator for jitter: spread, not secrecy.
#[derive(Debug)]
struct Jitter(u64);

impl Jitter {
    fn new(seed: u64) -> Self {
        // Seeds are often small numbers (0, 1, 2, ...): mixing them first
        // (SplitMix64's finaliser) makes each its own sequence. xorshift
        // never leaves zero, so zero is replaced.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ z.wrapping_shr(30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ z.wrapping_shr(27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z.wrapping_shr(31);
        Self(if z == 0 { 0x2545_f491_4f6c_dd1d } else { z })
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0.wrapping_shl(13);
        self.0 ^= self.0.wrapping_shr(7);
        self.0 ^= self.0.wrapping_shl(17);
        self.0
    }

    /// A value in `center - spread ..= center + spread`, uniform enough.
    fn around(&mut self, center: u64, spread: u64) -> u64 {
        let range = spread.saturating_mul(2).saturating_add(1);
        let offset = self.next().checked_rem(range).unwrap_or(0);
        center.saturating_sub(spread).saturating_add(offset)
    }
}
