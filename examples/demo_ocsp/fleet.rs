//! The refresher's side of a fleet (`--fleet`): each fetch the cache hands
//! out is first looked for in Redis, where another server may have put
//! it; only the server holding the fetch lease goes to the responder, and
//! it puts the staple there for the rest. When Redis is away the server
//! fetches alone, as it would without a fleet.

use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use stapler::ocsp::{Fetch, Offer, Update};
use stapler_redis::{Claim, Fleet, FleetError};

use super::stapling::{FetchReport, Stapling};

/// How often a server waiting on another's fetch looks for its staple.
const POLL: Duration = Duration::from_millis(100);
/// How long past the other server's lease a server waits before it
/// fetches alone: that server may have died holding it, and then the
/// lease runs out and this one takes it; this bounds the wait if the
/// leases keep going to servers that never publish.
const WAIT_PAST_LEASE: Duration = Duration::from_secs(5);

impl Stapling {
    /// Does `fetch` the fleet's way; the report, or `None` if the cache
    /// no longer waits for it.
    pub(super) fn fetch_for_fleet(
        &self,
        fleet: &Mutex<Fleet>,
        fetch: &Fetch,
    ) -> Option<FetchReport> {
        let mut fleet = fleet.lock().unwrap_or_else(PoisonError::into_inner);
        let give_up = Instant::now() + fleet.policy().staple_lease + WAIT_PAST_LEASE;
        loop {
            let now = (self.clock)();
            let started = Instant::now();
            match fleet.shared_staple(fetch.certificate()) {
                Ok(Some(shared)) => {
                    // Its own statement: the lock is let go before the
                    // report takes it again.
                    let offered = self.lock().offer(fetch.id(), now, shared);
                    match offered {
                        Ok(Offer::Taken(update)) => {
                            let via = "from the fleet: fetched by another server".to_owned();
                            return Some(self.report(
                                "SHARED",
                                fetch,
                                started.elapsed(),
                                update,
                                now,
                                Some(via),
                            ));
                        }
                        // Not newer than what this server holds, or not
                        // valid for it: the fetch is still to be done.
                        Ok(Offer::Refused(_)) => {}
                        Err(_) => return None,
                    }
                }
                Ok(None) => {}
                Err(FleetError::Store(e)) => return self.alone(fetch, now, &e),
                // A forged or oversized value: never used; the fetch
                // below replaces it for the fleet.
                Err(e) => println!("fleet: {e}"),
            }
            match fleet.claim_fetch(fetch.certificate()) {
                Ok(Claim::Fetch(lease)) => {
                    let via = Some("fetched for the fleet".to_owned());
                    let Some(report) = self.fetch_alone(fetch, now, via) else {
                        let _ = fleet.release(lease);
                        return None;
                    };
                    let staple = self.lock().staple(fetch.certificate(), now);
                    let published = match (&report.update, staple) {
                        (
                            Update::Stored { status, .. } | Update::Revoked { status, .. },
                            Some(der),
                        ) => fleet.publish_staple(lease, &der, status.valid_until, now),
                        _ => fleet.release(lease),
                    };
                    if let Err(e) = published {
                        println!("fleet: could not share the staple: {e}");
                    }
                    return Some(report);
                }
                Ok(Claim::Busy { lease_left }) => {
                    if Instant::now() >= give_up {
                        let why = "another server's fetch never came";
                        return self.alone(fetch, now, &why);
                    }
                    thread::sleep(POLL.min(lease_left).max(Duration::from_millis(10)));
                }
                Err(e) => return self.alone(fetch, now, &e),
            }
        }
    }

    /// Fetches alone, saying why in the report.
    fn alone(&self, fetch: &Fetch, now: u64, why: &dyn std::fmt::Display) -> Option<FetchReport> {
        let via = Some(format!("fetched alone: {why}"));
        self.fetch_alone(fetch, now, via)
    }

    /// Puts each staple this server holds back in Redis where the fleet
    /// has none (Redis restarted empty, or a staple was evicted). Returns
    /// how many were put back.
    pub fn share_held(&self) -> Result<usize, FleetError> {
        let Some((fleet, leaves)) = &self.fleet else {
            return Ok(0);
        };
        let mut fleet = fleet.lock().unwrap_or_else(PoisonError::into_inner);
        let now = (self.clock)();
        let mut shared = 0;
        for leaf in leaves {
            let held = {
                let cache = self.lock();
                let staple = cache.staple(leaf, now);
                let until = cache
                    .state(leaf)
                    .and_then(|s| s.staple)
                    .map(|s| s.valid_until);
                staple.zip(until)
            };
            if let Some((der, valid_until)) = held {
                if fleet.share_staple(leaf, &der, valid_until, now)? {
                    shared += 1;
                }
            }
        }
        Ok(shared)
    }
}
