//! A fleet of stapler servers sharing, through Redis, one OCSP fetch per
//! certificate and one session-ticket key set.
//!
//! Behind a load balancer every server staples the same certificates and
//! should resume the others' sessions. Without sharing, each server asks
//! the OCSP responder for itself (nginx's way: one fetch per worker) and
//! seals tickets no other server opens. With a [`Fleet`]:
//!
//! - **Staples.** Each certificate's staple is kept in Redis until its
//!   nextUpdate. When a server's `StapleCache` hands out a fetch, the
//!   server first looks there ([`Fleet::shared_staple`], then
//!   `StapleCache::offer`); only if nothing newer is there does it claim
//!   the fetch ([`Fleet::claim_fetch`], a `SET NX PX` lease). The one that
//!   gets the lease fetches and publishes ([`Fleet::publish_staple`]); the
//!   others find its staple a moment later. One fetch per certificate per
//!   refresh, for the whole fleet.
//! - **Ticket keys.** One key set, sealed, is kept in Redis. Every server
//!   adopts it into the `TicketKeys` its config seals with
//!   ([`Fleet::sync_ticket_keys`]); whichever holds the rotation lease
//!   when it is due rotates it, ahead of time, so that no server finds
//!   its key due first. A ticket from any server resumes on any other.
//!
//! **What Redis may not do.** Redis is shared infrastructure that others
//! may be able to write to. Nothing read from it is trusted on its own:
//! staples are tagged (HMAC-SHA256) under a key drawn from the fleet's
//! secret and then verified by the cache as any fetched response is
//! (`StaplePolicy::Verify`'s checks: signature, responder, certificate,
//! times), so a forged staple, or a genuine old one replayed from
//! elsewhere, is never stapled; the ticket keys are sealed (AES-256-GCM)
//! under another key from the same secret, so they can neither be read
//! nor planted. Values are read through `GETRANGE` with a bound, so a
//! huge value costs nothing.
//!
//! **When Redis is away**, every call returns [`FleetError::Store`] within
//! [`FleetPolicy::timeout`], and each server carries on alone: it keeps
//! serving its last good staple until that staple's nextUpdate, fetches
//! for itself when its cache says so, and keeps its ticket keys (rotating
//! them alone when due). When Redis is back the next calls pick up.
//!
//! **Time and scheduling stay the caller's**, as in stapler: every call
//! that needs the time takes `now`, and nothing here starts a thread or
//! sleeps. The calls block (the `redis` crate's synchronous connection),
//! each bounded by [`FleetPolicy::timeout`]; from async code, run them on
//! a blocking thread. One [`Fleet`] holds one connection and is used from
//! one thread at a time; clone it for another thread.
//!
//! ```no_run
//! use stapler::ocsp::{Offer, StapleCache, Update};
//! use stapler_redis::{Claim, Fleet, FleetSecret};
//!
//! # fn http_fetch(_: &stapler::ocsp::Fetch) -> Result<bytes::Bytes, String> { unimplemented!() }
//! # fn run(cache: &mut StapleCache, keys: &stapler::tickets::TicketKeys, now: u64) -> Result<(), Box<dyn std::error::Error>> {
//! let secret = FleetSecret::from_file("/etc/stapler/fleet-secret".as_ref())?;
//! let mut fleet = Fleet::new("redis://10.0.0.5:6379", secret)?;
//!
//! // Every minute or so: follow (or rotate) the fleet's ticket keys.
//! fleet.sync_ticket_keys(keys, now)?;
//!
//! // Whenever the cache hands out a fetch:
//! while let Some(fetch) = cache.poll_fetch(now) {
//!     if let Ok(Some(shared)) = fleet.shared_staple(fetch.certificate()) {
//!         if let Offer::Taken(_) = cache.offer(fetch.id(), now, shared)? {
//!             continue; // another server fetched it
//!         }
//!     }
//!     match fleet.claim_fetch(fetch.certificate()) {
//!         Ok(Claim::Fetch(lease)) => {
//!             let update = cache.handle_fetch_result(fetch.id(), now, http_fetch(&fetch))?;
//!             match (update, cache.staple(fetch.certificate(), now)) {
//!                 (Update::Stored { status, .. } | Update::Revoked { status, .. }, Some(der)) => {
//!                     fleet.publish_staple(lease, &der, status.valid_until, now)?
//!                 }
//!                 _ => fleet.release(lease)?,
//!             }
//!         }
//!         // Another server is fetching: look again shortly (the fetch
//!         // stays out in the cache meanwhile).
//!         Ok(Claim::Busy { lease_left }) => { let _ = lease_left; }
//!         // Redis is away: fetch alone.
//!         Err(_) => { cache.handle_fetch_result(fetch.id(), now, http_fetch(&fetch))?; }
//!     }
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// No panic on anything Redis sends: no indexing, slicing or unwrapping
// outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

use std::sync::Arc;
use std::time::Duration;

mod error;
mod secret;
mod staples;
mod store;
mod ticket_keys;

pub use error::FleetError;
pub use secret::{FleetSecret, MAX_SECRET_LEN, MIN_SECRET_LEN};
pub use staples::{Claim, FetchLease, MAX_STAPLE_VALUE_LEN};
pub use ticket_keys::{KeySync, MAX_KEYS_VALUE_LEN};

use store::Store;

/// How a [`Fleet`] uses Redis.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FleetPolicy {
    /// How long one server may take to fetch a staple before another may
    /// try (the lease's `PX`). Default 30 s: longer than a fetch's own
    /// timeout, so two servers do not fetch at once, and short enough
    /// that a server that died holding it delays the fleet little.
    pub staple_lease: Duration,
    /// How long the rotation of the ticket keys may take (default 10 s:
    /// it is a read, a key made, and a write).
    pub key_lease: Duration,
    /// How long before the fleet's current ticket key is due its
    /// successor is made, in seconds (default 600). Servers that sync
    /// their keys more often than this never find the key due themselves,
    /// so none makes a key the others would not know.
    pub rotation_lead: u64,
    /// The longest one Redis command may take, connecting included
    /// (default 1 s): what a call costs when Redis is away.
    pub timeout: Duration,
}

impl Default for FleetPolicy {
    fn default() -> Self {
        Self {
            staple_lease: Duration::from_secs(30),
            key_lease: Duration::from_secs(10),
            rotation_lead: 600,
            timeout: Duration::from_secs(1),
        }
    }
}

/// One server's handle on the fleet's Redis: its connection (made when
/// first needed, remade after an error), the fleet's keys, and the prefix
/// under which the fleet's data lives. See the crate docs.
///
/// A clone shares the keys and has a connection of its own, for another
/// thread.
pub struct Fleet {
    store: Store,
    secret: Arc<FleetSecret>,
    prefix: String,
    policy: FleetPolicy,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet")
            .field("prefix", &self.prefix)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Clone for Fleet {
    fn clone(&self) -> Self {
        Self {
            store: self.store.another(),
            secret: Arc::clone(&self.secret),
            prefix: self.prefix.clone(),
            policy: self.policy.clone(),
        }
    }
}

/// Where the fleet's data lives in Redis unless [`Fleet::with_prefix`]
/// says otherwise.
pub const DEFAULT_PREFIX: &str = "stapler:";

impl Fleet {
    /// A handle on the Redis at `url` (`redis://HOST:PORT`, with
    /// `/DB`, a user and a password as the `redis` crate reads them). No
    /// connection is made yet: a fleet whose Redis is down at startup
    /// still starts.
    ///
    /// ```
    /// let secret = stapler_redis::FleetSecret::new(&[7; 32])?;
    /// let fleet = stapler_redis::Fleet::new("redis://127.0.0.1:6379", secret)?;
    /// assert!(stapler_redis::Fleet::new("http://x", stapler_redis::FleetSecret::new(&[7; 32])?).is_err());
    /// # Ok::<(), stapler_redis::FleetError>(())
    /// ```
    pub fn new(url: &str, secret: FleetSecret) -> Result<Self, FleetError> {
        let client = redis::Client::open(url)?;
        let policy = FleetPolicy::default();
        Ok(Self {
            store: Store::new(client, policy.timeout),
            secret: Arc::new(secret),
            prefix: DEFAULT_PREFIX.to_owned(),
            policy,
        })
    }

    /// Keeps the fleet's data under `prefix` instead of
    /// [`DEFAULT_PREFIX`]: for several fleets on one Redis.
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        prefix.clone_into(&mut self.prefix);
        self
    }

    /// Uses `policy` instead of the defaults.
    pub fn with_policy(mut self, policy: FleetPolicy) -> Self {
        self.store.set_timeout(policy.timeout);
        self.policy = policy;
        self
    }

    /// The policy in use.
    pub fn policy(&self) -> &FleetPolicy {
        &self.policy
    }

    /// The Redis key for `parts` under the prefix.
    fn slot(&self, parts: &[&str]) -> String {
        let mut slot = self.prefix.clone();
        for part in parts {
            slot.push_str(part);
        }
        slot
    }
}
