//! Staples through Redis: the one kept per certificate, and the lease that
//! elects the server that fetches it.
//!
//! ```text
//! {prefix}staple:{sha256(certificate)}        tag (32) ‖ DER OCSP response,
//!                                             expiring at its nextUpdate
//! {prefix}staple-lease:{sha256(certificate)}  the fetching server's token,
//!                                             SET NX PX
//! ```

use std::time::Duration;

use bytes::Bytes;
use ring::digest::{digest, SHA256};
use stapler::ocsp::MAX_RESPONSE_LEN;

use crate::error::FleetError;
use crate::secret::STAPLE_TAG_LEN;
use crate::Fleet;

/// The most bytes of a staple's value read from Redis: its tag and the
/// longest response a `StapleCache` takes (`MAX_RESPONSE_LEN`).
pub const MAX_STAPLE_VALUE_LEN: usize = STAPLE_TAG_LEN + MAX_RESPONSE_LEN;

/// The right to fetch one certificate's staple for the fleet, held until
/// [`Fleet::publish_staple`] or [`Fleet::release`] (or until it runs out:
/// [`FleetPolicy::staple_lease`](crate::FleetPolicy::staple_lease)).
#[derive(Debug)]
#[must_use = "publish the staple fetched, or release the lease"]
pub struct FetchLease {
    staple_slot: String,
    lease_slot: String,
    token: String,
}

/// What [`Fleet::claim_fetch`] found.
#[derive(Debug)]
pub enum Claim {
    /// This server fetches: do it, hand the result to the cache, then
    /// [`Fleet::publish_staple`] (or [`Fleet::release`] if nothing was
    /// stored).
    Fetch(FetchLease),
    /// Another server is fetching, for at most this long. Look for its
    /// staple ([`Fleet::shared_staple`]) a little later, and claim again
    /// if none came by the time its lease ended.
    Busy {
        /// What is left of the other server's lease.
        lease_left: Duration,
    },
}

impl Fleet {
    /// The staple the fleet keeps for `certificate` (DER), if there is one
    /// and it is authentic: tagged under this fleet's secret. Hand it to
    /// `StapleCache::offer`, which verifies it as a fetched response is
    /// verified (signature, certificate, issuer, times) and takes it only
    /// if it is newer than the one held.
    ///
    /// A value that is not authentic is [`FleetError::Unauthentic`]: it is
    /// never returned, whoever wrote it.
    pub fn shared_staple(&mut self, certificate: &[u8]) -> Result<Option<Bytes>, FleetError> {
        let slot = self.staple_slot(certificate);
        let Some(value) = self
            .store
            .get(&slot, MAX_STAPLE_VALUE_LEN, "shared staple")?
        else {
            return Ok(None);
        };
        let Some((tag, der)) = value.split_at_checked(STAPLE_TAG_LEN) else {
            return Err(FleetError::Unauthentic("shared staple"));
        };
        if !self.secret.staple_tag_ok(&slot, der, tag) {
            return Err(FleetError::Unauthentic("shared staple"));
        }
        Ok(Some(Bytes::copy_from_slice(der)))
    }

    /// Asks to be the server that fetches `certificate`'s staple: a lease
    /// in Redis (`SET NX PX`), held for
    /// [`FleetPolicy::staple_lease`](crate::FleetPolicy::staple_lease).
    pub fn claim_fetch(&mut self, certificate: &[u8]) -> Result<Claim, FleetError> {
        let hash = hex_sha256(certificate);
        let lease_slot = self.slot(&["staple-lease:", &hash]);
        let token = self.secret.token()?;
        let ms = millis(self.policy.staple_lease);
        if self.store.set_nx_px(&lease_slot, token.as_bytes(), ms)? {
            return Ok(Claim::Fetch(FetchLease {
                staple_slot: self.slot(&["staple:", &hash]),
                lease_slot,
                token,
            }));
        }
        let left = self.store.lease_left(&lease_slot)?;
        Ok(Claim::Busy {
            lease_left: Duration::from_millis(left),
        })
    }

    /// Keeps `staple`, the response the cache just stored from this
    /// server's fetch, for the fleet until `valid_until` (its
    /// `VerifiedStatus::valid_until`; `now` is the caller's clock), and
    /// ends the lease. A staple already past `valid_until` is not kept.
    pub fn publish_staple(
        &mut self,
        lease: FetchLease,
        staple: &[u8],
        valid_until: u64,
        now: u64,
    ) -> Result<(), FleetError> {
        let stored = match self.tagged(&lease.staple_slot, staple, valid_until, now) {
            Some((value, ms)) => self.store.set_px(&lease.staple_slot, &value, ms),
            None => Ok(()),
        };
        let released = self.release(lease);
        stored.and(released)
    }

    /// Puts `staple`, one this server holds for `certificate` (DER) and
    /// good until `valid_until`, back in Redis if the fleet holds none:
    /// after Redis restarted empty, the fleet's staples come back without
    /// a fetch, and a server joining then takes them. Never replaces a
    /// staple there (`SET NX`). Returns whether it was written.
    pub fn share_staple(
        &mut self,
        certificate: &[u8],
        staple: &[u8],
        valid_until: u64,
        now: u64,
    ) -> Result<bool, FleetError> {
        let slot = self.staple_slot(certificate);
        match self.tagged(&slot, staple, valid_until, now) {
            Some((value, ms)) => self.store.set_nx_px(&slot, &value, ms),
            None => Ok(false),
        }
    }

    /// The value kept for `staple` under `slot`, and how long to keep it
    /// (milliseconds); `None` for a staple already expired, or longer
    /// than any the fleet reads back.
    fn tagged(
        &self,
        slot: &str,
        staple: &[u8],
        valid_until: u64,
        now: u64,
    ) -> Option<(Vec<u8>, u64)> {
        let life = valid_until.saturating_sub(now);
        if life == 0 || staple.len() > MAX_RESPONSE_LEN {
            return None;
        }
        let tag = self.secret.staple_tag(slot, staple);
        let mut value = Vec::with_capacity(STAPLE_TAG_LEN.saturating_add(staple.len()));
        value.extend_from_slice(tag.as_ref());
        value.extend_from_slice(staple);
        Some((value, life.saturating_mul(1000)))
    }

    /// Ends a lease without a staple (the fetch failed), so that another
    /// server may try at once rather than when it runs out.
    pub fn release(&mut self, lease: FetchLease) -> Result<(), FleetError> {
        self.store.release(&lease.lease_slot, &lease.token)
    }

    fn staple_slot(&self, certificate: &[u8]) -> String {
        self.slot(&["staple:", &hex_sha256(certificate)])
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    digest(&SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
