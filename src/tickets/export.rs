//! The ticket key set as bytes, for servers that share it.
//!
//! ```text
//! "stapler-ticket-keys-1" (21)   format and version
//! count (1)                      1 to MAX_TICKET_KEYS
//! count × {
//!     name (16)
//!     created (8, big-endian seconds since the Unix epoch)
//!     secret (32)
//! }
//! ```
//!
//! The policy is not carried: each server keeps its own, and the keys'
//! creation times say when each retires under it.

use zeroize::Zeroizing;

use super::keys::{
    keep_newest_alive, TicketKey, TicketKeyError, TicketKeyPolicy, TicketKeys, MAX_TICKET_KEYS,
    NAME_LEN, SECRET_LEN,
};

/// What the bytes start with: what they are, and which layout.
const MAGIC: &[u8] = b"stapler-ticket-keys-1";
/// One key's bytes.
const ENTRY_LEN: usize = NAME_LEN + 8 + SECRET_LEN;

impl TicketKeys {
    /// The set as bytes, newest key first, for another server's
    /// [`TicketKeys::import`]. They are the keys: keep them as secret as
    /// the keys (they are wiped from memory when dropped).
    pub fn export(&self) -> Zeroizing<Vec<u8>> {
        let keys = self.read();
        let mut out = Zeroizing::new(Vec::with_capacity(MAGIC.len() + 1 + keys.len() * ENTRY_LEN));
        out.extend_from_slice(MAGIC);
        // At most MAX_TICKET_KEYS (8) keys: the count fits its byte.
        out.push(keys.len().min(MAX_TICKET_KEYS) as u8);
        for key in keys.iter().take(MAX_TICKET_KEYS) {
            out.extend_from_slice(&key.name);
            out.extend_from_slice(&key.created.to_be_bytes());
            out.extend_from_slice(key.secret.as_slice());
        }
        out
    }

    /// A set made from another server's [`TicketKeys::export`], kept under
    /// `policy` from `now`: keys already retired under it are left out;
    /// the newest seals.
    pub fn import(
        policy: TicketKeyPolicy,
        exported: &[u8],
        now: u64,
    ) -> Result<Self, TicketKeyError> {
        Self::from_keys(policy, parse(exported)?, now)
    }

    /// Takes another server's [`TicketKeys::export`] into this set, in
    /// place, so that every connection (and config) sharing it follows:
    /// the newest imported key seals from now on, and this set's own keys
    /// that are still accepted stay, to open the tickets they sealed, as
    /// room allows ([`MAX_TICKET_KEYS`], imported keys first). Returns
    /// whether the sealing key changed.
    ///
    /// This is how a fleet member follows a set kept in a shared store: a
    /// key it made itself while the store was away keeps opening its
    /// tickets. On error the set is left as it was.
    pub fn adopt(&self, exported: &[u8], now: u64) -> Result<bool, TicketKeyError> {
        let mut imported = parse(exported)?;
        let policy = self.policy;
        keep_newest_alive(&policy, &mut imported, now);
        if imported.is_empty() {
            return Err(TicketKeyError::NoCurrentKey);
        }
        let mut keys = self.write();
        let changed = keys.first().map(|k| k.name) != imported.first().map(|k| k.name);
        // This set's own keys follow, newest first, should room run out.
        keys.retain(|k| !imported.iter().any(|i| i.name == k.name));
        keep_newest_alive(&policy, &mut keys, now);
        imported.append(&mut keys);
        imported.truncate(MAX_TICKET_KEYS);
        *keys = imported;
        Ok(changed)
    }
}

/// The keys in an export, in the order given.
fn parse(exported: &[u8]) -> Result<Vec<TicketKey>, TicketKeyError> {
    let body = exported
        .strip_prefix(MAGIC)
        .ok_or(TicketKeyError::Malformed(
            "not stapler ticket keys, version 1",
        ))?;
    let (&count, mut entries) = body
        .split_first()
        .ok_or(TicketKeyError::Malformed("no key count"))?;
    let count = usize::from(count);
    if count == 0 || count > MAX_TICKET_KEYS {
        return Err(TicketKeyError::Malformed(
            "a key count of 0 or over MAX_TICKET_KEYS",
        ));
    }
    if entries.len() != count * ENTRY_LEN {
        return Err(TicketKeyError::Malformed(
            "a length that does not match the key count",
        ));
    }
    let mut keys: Vec<TicketKey> = Vec::with_capacity(count);
    while let Some((entry, rest)) = entries.split_first_chunk::<ENTRY_LEN>() {
        entries = rest;
        let (name, rest) = entry
            .split_first_chunk::<NAME_LEN>()
            .ok_or(TicketKeyError::Malformed("a short key"))?;
        let (created, secret) = rest
            .split_first_chunk::<8>()
            .ok_or(TicketKeyError::Malformed("a short key"))?;
        let mut key_secret = Zeroizing::new([0; SECRET_LEN]);
        key_secret.copy_from_slice(secret);
        if keys.iter().any(|k| &k.name == name) {
            return Err(TicketKeyError::Malformed("a key name given twice"));
        }
        keys.push(TicketKey {
            name: *name,
            secret: key_secret,
            created: u64::from_be_bytes(*created),
        });
    }
    Ok(keys)
}
