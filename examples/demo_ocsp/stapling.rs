//! The server's side of OCSP: a [`StapleCache`] shared by the connection
//! threads, which answer from memory, and a refresher thread, which does
//! every fetch the cache asks for over HTTP.
//!
//! The lock is held for memory work only (an answer, a poll, storing a
//! result), never across a fetch: a handshake never waits on a responder.
//! The cache is primed before the server accepts connections (see
//! [`Stapling::run_due`]), so the first client is stapled too.

use std::fmt;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use stapler::ocsp::{
    CertStatus, Fetch, StapleCache, Update, MAX_RESPONSE_LEN, OCSP_REQUEST_CONTENT_TYPE,
};
use stapler::{Completion, OcspRequest};
use stapler_redis::Fleet;

use super::{date_time, span, time_of_day, Clock};

/// How long one fetch may take, connecting included (seconds).
const FETCH_TIMEOUT_SECS: u64 = 10;
/// The longest the refresher sleeps before looking at the clock again, so
/// that a clock that jumps (a suspended laptop) is noticed.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// The cache, and where to persist it.
pub struct Stapling {
    cache: Mutex<StapleCache>,
    /// `--ocsp-cache FILE`: exported after each new staple, imported at
    /// startup.
    persist: Option<PathBuf>,
    pub(super) clock: Clock,
    /// `--fleet`: the fleet's Redis, and the leaves in the cache (to put
    /// their staples back where Redis lost them).
    pub(super) fleet: Option<(Mutex<Fleet>, Vec<Bytes>)>,
}

/// What one fetch did, for the log.
pub struct FetchReport {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The responder URL (for GET, without the request).
    pub url: String,
    /// How long the HTTP exchange took.
    pub elapsed: Duration,
    /// The size of the staple now served for the certificate, if any.
    pub staple_len: Option<usize>,
    /// What the cache made of the result.
    pub update: Update,
    /// With a fleet: where the staple came from, or why it was fetched
    /// alone.
    pub via: Option<String>,
    /// When the result was handed to the cache.
    pub now: u64,
    /// A problem persisting the cache, if any.
    pub persist_error: Option<String>,
}

impl Stapling {
    /// Wraps `cache` (its certificates already added). With `persist`, the
    /// staples in that file, if it exists, are imported first (each one
    /// verified again); returns a note on what was imported.
    pub fn new(
        mut cache: StapleCache,
        persist: Option<PathBuf>,
        clock: Clock,
    ) -> (Self, Option<String>) {
        let note = persist.as_ref().map(|path| {
            let now = clock();
            match std::fs::read(path) {
                Ok(bytes) => match cache.import(&bytes, now) {
                    Ok(n) => format!(
                        "imported {n} staple(s) still valid for these certificates from {}",
                        path.display()
                    ),
                    Err(e) => format!("{}: {e}; starting empty", path.display()),
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    format!("{} does not exist yet; starting empty", path.display())
                }
                Err(e) => format!("cannot read {}: {e}; starting empty", path.display()),
            }
        });
        let stapling = Self {
            cache: Mutex::new(cache),
            persist,
            clock,
            fleet: None,
        };
        (stapling, note)
    }

    /// Shares fetches with a fleet through `fleet` (see `fleet.rs`);
    /// `leaves` are the certificates added to the cache.
    pub fn with_fleet(mut self, fleet: Fleet, leaves: Vec<Bytes>) -> Self {
        self.fleet = Some((Mutex::new(fleet), leaves));
        self
    }

    /// The cache, even if a thread panicked holding it (its state is still
    /// consistent: every cache method leaves it so before returning).
    pub(super) fn lock(&self) -> MutexGuard<'_, StapleCache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Answers an `OcspRequest` event from memory, now: the staple if a
    /// fresh one is held, else no staple.
    pub fn answer(&self, request: OcspRequest) -> Completion {
        let now = (self.clock)();
        self.lock().answer(request, now)
    }

    /// The staple served for `leaf` (DER) at `now`.
    pub fn staple(&self, leaf: &[u8], now: u64) -> Option<Bytes> {
        self.lock().staple(leaf, now)
    }

    /// When something is next due, if anything is in the cache.
    pub fn next_deadline(&self) -> Option<u64> {
        self.lock().next_deadline()
    }

    /// Does every fetch due at `now`, one after another, and reports each.
    pub fn run_due(&self, now: u64) -> Vec<FetchReport> {
        let mut reports = Vec::new();
        // Each certificate is handed out once per round: a result
        // reschedules it after `now`.
        loop {
            // Its own statement, so that the lock is let go before the
            // fetch.
            let fetch = self.lock().poll_fetch(now);
            let Some(fetch) = fetch else {
                break;
            };
            let report = match &self.fleet {
                Some((fleet, _)) => self.fetch_for_fleet(fleet, &fetch),
                None => self.fetch_alone(&fetch, now, None),
            };
            reports.extend(report);
        }
        reports
    }

    /// Fetches `fetch` from its responder and hands the result to the
    /// cache at `now`. `None` if the cache no longer waits for it (it
    /// timed the fetch out and handed it out again, in this same round).
    pub(super) fn fetch_alone(
        &self,
        fetch: &Fetch,
        now: u64,
        via: Option<String>,
    ) -> Option<FetchReport> {
        let started = Instant::now();
        let (method, result) = fetch_over_http(fetch);
        let elapsed = started.elapsed();
        // Its own statement: the lock is let go before the report.
        let update = self.lock().handle_fetch_result(fetch.id(), now, result);
        Some(self.report(method, fetch, elapsed, update.ok()?, now, via))
    }

    /// The report of a result the cache took (or refused), persisting the
    /// cache if a staple was stored.
    pub(super) fn report(
        &self,
        method: &'static str,
        fetch: &Fetch,
        elapsed: Duration,
        update: Update,
        now: u64,
        via: Option<String>,
    ) -> FetchReport {
        let cache = self.lock();
        let staple_len = cache.staple(fetch.certificate(), now).map(|s| s.len());
        let exported = match (&update, &self.persist) {
            (Update::Stored { .. } | Update::Revoked { .. }, Some(_)) => Some(cache.export()),
            _ => None,
        };
        drop(cache);
        let persist_error = exported.and_then(|bytes| self.persist(&bytes).err());
        FetchReport {
            method,
            url: fetch.url().to_owned(),
            elapsed,
            staple_len,
            update,
            now,
            via,
            persist_error,
        }
    }

    /// Writes an export where `--ocsp-cache` says, through a temporary
    /// file, so that a crash never leaves half a file.
    fn persist(&self, bytes: &[u8]) -> Result<(), String> {
        let Some(path) = &self.persist else {
            return Ok(());
        };
        let mut temporary = path.clone().into_os_string();
        temporary.push(".tmp");
        std::fs::write(&temporary, bytes)
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// Starts the refresher: it sleeps until the cache's next deadline,
    /// does what is due, logs each result, and so on while the process
    /// runs.
    pub fn start_refresher(self: &Arc<Self>) -> std::io::Result<()> {
        let stapling = Arc::clone(self);
        thread::Builder::new()
            .name("ocsp refresher".into())
            .spawn(move || loop {
                let Some(deadline) = stapling.next_deadline() else {
                    return; // nothing to refresh
                };
                let wait = deadline.saturating_sub((stapling.clock)());
                if wait > 0 {
                    thread::sleep(Duration::from_secs(wait).min(MAX_SLEEP));
                    continue;
                }
                let reports = stapling.run_due((stapling.clock)());
                if reports.is_empty() {
                    // Due, yet nothing to fetch: never spin on it.
                    thread::sleep(Duration::from_secs(1));
                }
                for report in reports {
                    println!("{report}");
                }
            })
            .map(drop)
    }
}

/// Fetches `fetch` over HTTP: GET when the request fits in a GET URL (RFC
/// 5019 §5: cacheable by HTTP caches in front of the responder), else
/// POST. The body, bounded by what a staple may be, or why there is none.
pub fn fetch_over_http(fetch: &Fetch) -> (&'static str, Result<Bytes, String>) {
    match fetch.get_url() {
        Some(url) => ("GET", http_get(&url)),
        None => ("POST", http_post(fetch.url(), fetch.body())),
    }
}

/// `GET url`; the body of a 200 answer.
pub fn http_get(url: &str) -> Result<Bytes, String> {
    receive(minreq::get(url))
}

/// `POST body` to `url` as an OCSP request; the body of a 200 answer.
pub fn http_post(url: &str, body: &[u8]) -> Result<Bytes, String> {
    receive(
        minreq::post(url)
            .with_header("Content-Type", OCSP_REQUEST_CONTENT_TYPE)
            .with_body(body.to_vec()),
    )
}

fn receive(request: minreq::Request) -> Result<Bytes, String> {
    let response = request
        .with_timeout(FETCH_TIMEOUT_SECS)
        .with_max_redirects(3)
        .send_lazy()
        .map_err(|e| e.to_string())?;
    if response.status_code != 200 {
        return Err(format!(
            "HTTP {} {}",
            response.status_code, response.reason_phrase
        ));
    }
    // Read one byte past the limit to tell "at the limit" from "over".
    let limit = MAX_RESPONSE_LEN.saturating_add(1);
    let mut body = Vec::new();
    response
        .take(u64::try_from(limit).unwrap_or(u64::MAX))
        .read_to_end(&mut body)
        .map_err(|e| format!("reading the response: {e}"))?;
    if body.len() > MAX_RESPONSE_LEN {
        return Err(format!("response over {MAX_RESPONSE_LEN} bytes"));
    }
    Ok(Bytes::from(body))
}

impl fmt::Display for FetchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ocsp: {} {} ({} ms): ",
            self.method,
            self.url,
            self.elapsed.as_millis()
        )?;
        let now = self.now;
        let next = |f: &mut fmt::Formatter<'_>, what: &str, at: u64| {
            write!(
                f,
                "; {what} at {} (in {})",
                time_of_day(at),
                span(at.saturating_sub(now))
            )
        };
        match &self.update {
            Update::Stored { status, refresh_at } => {
                write!(
                    f,
                    "stored a good response, {} bytes, thisUpdate {}, fresh until {}",
                    self.staple_len.unwrap_or(0),
                    time_of_day(status.this_update),
                    time_of_day(status.valid_until),
                )?;
                next(f, "next refresh", *refresh_at)?;
            }
            Update::Revoked { status, refresh_at } => {
                let (time, reason) = match &status.status {
                    CertStatus::Revoked { time, reason } => (*time, *reason),
                    _ => (0, None),
                };
                write!(
                    f,
                    "REVOKED: the responder says the certificate was revoked on {}",
                    date_time(time)
                )?;
                if let Some(reason) = reason {
                    write!(f, " ({reason:?})")?;
                }
                write!(f, "; stapling that verified response")?;
                next(f, "next fetch", *refresh_at)?;
            }
            Update::Rejected {
                reason,
                retry_at,
                still_serving,
            } => {
                write!(f, "rejected: {reason}")?;
                next(f, "retry", *retry_at)?;
                f.write_str(if *still_serving {
                    "; still serving the previous staple"
                } else {
                    "; no staple to serve meanwhile"
                })?;
            }
            other => write!(f, "{other:?}")?,
        }
        if let Some(via) = &self.via {
            write!(f, "; {via}")?;
        }
        if let Some(e) = &self.persist_error {
            write!(f, "; {e}")?;
        }
        Ok(())
    }
}
