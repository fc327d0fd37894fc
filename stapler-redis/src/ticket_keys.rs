//! The session-ticket key set through Redis: one sealed set for the whole
//! fleet, rotated by whichever server holds the rotation lease, adopted by
//! every server into the `TicketKeys` its config seals with.
//!
//! ```text
//! {prefix}ticket-keys        nonce (12) ‖ AES-256-GCM(TicketKeys::export) ‖ tag (16),
//!                            the key name bound as additional data
//! {prefix}ticket-keys-lease  the rotating server's token, SET NX PX
//! ```

use stapler::tickets::{TicketKeyError, TicketKeys};

use crate::error::FleetError;
use crate::staples::millis;
use crate::Fleet;

/// The most bytes of the sealed key set read from Redis: an export of
/// `MAX_TICKET_KEYS` keys is 470 bytes, and sealing adds 28.
pub const MAX_KEYS_VALUE_LEN: usize = 1024;

/// What one [`Fleet::sync_ticket_keys`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeySync {
    /// This server wrote the fleet's set (it held the rotation lease, and
    /// the set was due or absent).
    pub published: bool,
    /// This server made a new key for the fleet.
    pub rotated: bool,
    /// The key sealing this server's tickets changed.
    pub changed: bool,
    /// This server's keys are the fleet's: the set was in Redis, or this
    /// server just wrote it. `false` when another server was writing the
    /// first set at that moment: sync again shortly.
    pub following: bool,
}

impl Fleet {
    /// Brings `keys` (the set this server's `ServerConfig` seals with) to
    /// the fleet's set at `now`, and rotates the fleet's set first if it
    /// is due within
    /// [`FleetPolicy::rotation_lead`](crate::FleetPolicy::rotation_lead)
    /// and this server gets the rotation lease. With no set in Redis yet,
    /// the lease holder publishes its own.
    ///
    /// Call it at startup, before serving, and then more often than the
    /// rotation lead (every minute is plenty with the defaults). While
    /// Redis is away `keys` is left as it is: the server rotates it alone
    /// when due, and its own keys keep opening their tickets after it
    /// adopts the fleet's set again (`TicketKeys::adopt`).
    pub fn sync_ticket_keys(&mut self, keys: &TicketKeys, now: u64) -> Result<KeySync, FleetError> {
        let mut sync = KeySync::default();
        let mut fleet = self.fleet_keys(keys, now)?;
        let lead = self.policy.rotation_lead;
        let due = fleet
            .as_ref()
            .is_none_or(|set| now.saturating_add(lead) >= set.next_rotation());
        if due {
            let lease_slot = self.slot(&["ticket-keys-lease"]);
            let token = self.secret.token()?;
            if self
                .store
                .set_nx_px(&lease_slot, token.as_bytes(), millis(self.policy.key_lease))?
            {
                let rotated = self.rotate_under_lease(keys, now);
                let released = self.store.release(&lease_slot, &token);
                let (set, made) = rotated?;
                released?;
                sync.published = true;
                sync.rotated = made;
                fleet = Some(set);
            }
        }
        if let Some(set) = fleet {
            sync.following = true;
            sync.changed = keys
                .adopt(&set.export(), now)
                .map_err(FleetError::TicketKeys)?;
        }
        Ok(sync)
    }

    /// The fleet's set as Redis holds it: `None` if there is none, or only
    /// retired keys.
    fn fleet_keys(
        &mut self,
        keys: &TicketKeys,
        now: u64,
    ) -> Result<Option<TicketKeys>, FleetError> {
        let slot = self.slot(&["ticket-keys"]);
        let Some(sealed) = self.store.get(&slot, MAX_KEYS_VALUE_LEN, "ticket keys")? else {
            return Ok(None);
        };
        let exported = self
            .secret
            .open(&slot, &sealed)
            .ok_or(FleetError::Unauthentic("ticket keys"))?;
        match TicketKeys::import(keys.policy(), &exported, now) {
            Ok(set) => Ok(Some(set)),
            Err(TicketKeyError::NoCurrentKey) => Ok(None),
            Err(e) => Err(FleetError::TicketKeys(e)),
        }
    }

    /// Under the rotation lease: reads the set again (another server may
    /// have rotated it between the first read and the lease), rotates it
    /// if still due (or starts from this server's own set if there is
    /// none), and writes it. Returns the set and whether a key was made.
    fn rotate_under_lease(
        &mut self,
        keys: &TicketKeys,
        now: u64,
    ) -> Result<(TicketKeys, bool), FleetError> {
        let set = match self.fleet_keys(keys, now)? {
            Some(set) => set,
            None => TicketKeys::import(keys.policy(), &keys.export(), now)
                .map_err(FleetError::TicketKeys)?,
        };
        let made = set
            .rotate_ahead(now, self.policy.rotation_lead)
            .map_err(FleetError::TicketKeys)?;
        let slot = self.slot(&["ticket-keys"]);
        let sealed = self.secret.seal(&slot, &set.export())?;
        // Gone once no key in it could still open a ticket, had nobody
        // rotated since: a fleet that stopped leaves nothing behind.
        let policy = keys.policy();
        let life = policy.rotate_every.saturating_add(policy.accept_for);
        self.store
            .set_px(&slot, &sealed, life.saturating_mul(1000))?;
        Ok((set, made))
    }
}
