//! `TicketKeys`: the current ticket key and the ones before it, sealing
//! and opening tickets, and their rotation by the clock the caller reads.

use core::fmt;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

use super::scratch::Scratch;
use super::state::MAX_STATE_LEN;
use zeroize::Zeroizing;

/// The length of a key's name, which a ticket starts with (as RFC 5077
/// §4's `key_name`).
pub(crate) const NAME_LEN: usize = 16;
/// An AES-256-GCM key.
pub(crate) const SECRET_LEN: usize = 32;
/// The GCM tag.
const TAG_LEN: usize = 16;
/// What sealing adds to the state: name, nonce, tag.
const OVERHEAD: usize = NAME_LEN + NONCE_LEN + TAG_LEN;

/// The room a handshake opens its tickets in: a resumption state and its
/// tag. A longer ticket holds no state of this server's, and is passed
/// over before any decryption.
pub(crate) const OPEN_ROOM: usize = MAX_STATE_LEN + TAG_LEN;

/// The most keys a set holds: the current one and those still accepted.
/// With the defaults three are ever alive (the current one and two
/// retired ones); eight leaves room for a policy that rotates every hour
/// and accepts for six, and bounds what an imported set can make a server
/// try for each ticket.
pub const MAX_TICKET_KEYS: usize = 8;

/// The longest ticket opened: the resumption state a server seals is a
/// few hundred bytes (secrets, names, a certificate hash), so a longer
/// ticket is not one of ours and is refused before any decryption. RFC
/// 8446 §4.6.1 allows 2^16 − 1; nothing here needs more than this.
pub const MAX_TICKET_LEN: usize = 2048;

/// How long keys issue and are accepted, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketKeyPolicy {
    /// How long a key seals new tickets before a new one takes over.
    /// Default: 6 hours.
    pub rotate_every: u64,
    /// How long a key still opens tickets after it stopped sealing them:
    /// the longest a ticket lives. Default: 12 hours (so a ticket is good
    /// for at most 12 to 18 hours, and never past a key's retirement).
    pub accept_for: u64,
}

impl Default for TicketKeyPolicy {
    fn default() -> Self {
        Self {
            rotate_every: 6 * 3600,
            accept_for: 12 * 3600,
        }
    }
}

impl TicketKeyPolicy {
    /// Whether this policy can keep its keys within [`MAX_TICKET_KEYS`]
    /// and issue at all.
    fn check(&self) -> Result<(), TicketKeyError> {
        // A key is alive for rotate_every + accept_for; one is made every
        // rotate_every.
        let alive = self
            .accept_for
            .checked_div(self.rotate_every)
            .and_then(|n| n.checked_add(2))
            .ok_or(TicketKeyError::BadPolicy)?;
        if alive > MAX_TICKET_KEYS as u64 {
            return Err(TicketKeyError::BadPolicy);
        }
        Ok(())
    }
}

/// What went wrong with ticket keys.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TicketKeyError {
    /// The system's random number generator failed.
    Random,
    /// `rotate_every` is zero, or the policy keeps more than
    /// [`MAX_TICKET_KEYS`] keys alive at once.
    BadPolicy,
    /// Exported key bytes that do not parse: the wrong format or version,
    /// a length that does not add up, a repeated key name, or more than
    /// [`MAX_TICKET_KEYS`] keys.
    Malformed(&'static str),
    /// No key is left that may seal: every imported key has retired.
    NoCurrentKey,
    /// The state is too long for a ticket ([`MAX_TICKET_LEN`]).
    TooLong,
}

impl fmt::Display for TicketKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Random => f.write_str("the random number generator failed"),
            Self::BadPolicy => f.write_str(
                "the ticket key policy needs rotate_every > 0 and at most MAX_TICKET_KEYS alive",
            ),
            Self::Malformed(why) => write!(f, "malformed ticket keys: {why}"),
            Self::NoCurrentKey => f.write_str("no ticket key is current"),
            Self::TooLong => f.write_str("the state is too long for a ticket"),
        }
    }
}

impl std::error::Error for TicketKeyError {}

/// Forgets keys that may no longer open tickets, and any beyond
/// [`MAX_TICKET_KEYS`].
fn forget_retired(policy: &TicketKeyPolicy, keys: &mut Vec<TicketKey>, now: u64) {
    keys.retain(|k| !retired(policy, k, now));
    keys.truncate(MAX_TICKET_KEYS);
}

/// Orders `keys` newest first, then [`forget_retired`]: a set of keys
/// from elsewhere made ready to use.
pub(crate) fn keep_newest_alive(policy: &TicketKeyPolicy, keys: &mut Vec<TicketKey>, now: u64) {
    keys.sort_by_key(|k| core::cmp::Reverse(k.created));
    forget_retired(policy, keys, now);
}

/// Whether `key` may no longer open tickets at `now`: it stopped sealing
/// (at the latest `rotate_every` after it began) more than `accept_for`
/// ago.
fn retired(policy: &TicketKeyPolicy, key: &TicketKey, now: u64) -> bool {
    key.created
        .saturating_add(policy.rotate_every)
        .saturating_add(policy.accept_for)
        <= now
}

/// One key: its name, its secret (wiped on drop), and when it started
/// sealing.
pub(crate) struct TicketKey {
    pub(crate) name: [u8; NAME_LEN],
    pub(crate) secret: Zeroizing<[u8; SECRET_LEN]>,
    pub(crate) created: u64,
}

impl TicketKey {
    fn generate(rng: &SystemRandom, now: u64) -> Result<Self, TicketKeyError> {
        let mut name = [0; NAME_LEN];
        let mut secret = Zeroizing::new([0; SECRET_LEN]);
        rng.fill(&mut name).map_err(|_| TicketKeyError::Random)?;
        rng.fill(secret.as_mut_slice())
            .map_err(|_| TicketKeyError::Random)?;
        Ok(Self {
            name,
            secret,
            created: now,
        })
    }

    /// ring's key, for one operation.
    fn aead(&self) -> Option<LessSafeKey> {
        UnboundKey::new(&AES_256_GCM, self.secret.as_slice())
            .ok()
            .map(LessSafeKey::new)
    }
}

/// The current key, expanded for the tickets one handshake step seals:
/// each ticket would otherwise expand it again (AES-256's key schedule
/// and GCM's table). It lives on the stack and goes with the step.
pub(crate) struct Sealer {
    name: [u8; NAME_LEN],
    aead: LessSafeKey,
}

impl Sealer {
    /// Seals `state` onto the end of `out` (nothing on error) with
    /// `nonce`, which the caller draws from the system RNG together with
    /// the rest of its step's randomness: one system call for all of it.
    /// Random nonces, not a counter, because servers sharing a key cannot
    /// coordinate one (see the module docs).
    pub(crate) fn seal_into(
        &self,
        nonce: [u8; NONCE_LEN],
        state: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), TicketKeyError> {
        if state.len() + OVERHEAD > MAX_TICKET_LEN {
            return Err(TicketKeyError::TooLong);
        }
        let start = out.len();
        out.reserve(state.len() + OVERHEAD);
        out.extend_from_slice(&self.name);
        out.extend_from_slice(&nonce);
        let body_at = out.len();
        out.extend_from_slice(state);
        let sealed = match out.get_mut(body_at..) {
            Some(body) => self
                .aead
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(&self.name),
                    body,
                )
                .ok(),
            None => None,
        };
        let Some(tag) = sealed else {
            out.truncate(start);
            return Err(TicketKeyError::TooLong);
        };
        out.extend_from_slice(tag.as_ref());
        Ok(())
    }
}

/// The current ticket key and the ones still accepted. See the module
/// docs.
///
/// ```
/// use stapler::tickets::{TicketKeyPolicy, TicketKeys};
///
/// let now = 1_800_000_000;
/// let keys = TicketKeys::new(TicketKeyPolicy::default(), now)?;
/// let ticket = keys.seal(b"resumption state")?;
/// assert_eq!(keys.open(&ticket, now).unwrap().as_slice(), b"resumption state");
///
/// // Six hours later a new key seals; the old one still opens its tickets.
/// assert!(keys.rotate(now + 6 * 3600)?);
/// assert!(keys.open(&ticket, now + 6 * 3600).is_some());
/// // Twelve hours after that it is gone, and so is every ticket it sealed.
/// keys.rotate(now + 18 * 3600)?;
/// assert!(keys.open(&ticket, now + 18 * 3600).is_none());
///
/// // A fleet shares the set as bytes (they are secret).
/// let shared = keys.export();
/// let other = TicketKeys::import(TicketKeyPolicy::default(), &shared, now + 18 * 3600)?;
/// let ticket = keys.seal(b"state")?;
/// assert!(other.open(&ticket, now + 18 * 3600).is_some());
/// # Ok::<(), stapler::tickets::TicketKeyError>(())
/// ```
///
/// One set serves every connection of a server, from any thread (it is
/// `Sync`; share it in an `Arc`): sealing and opening take a read lock,
/// `rotate` a write lock for the moment it adds or forgets a key.
pub struct TicketKeys {
    pub(crate) policy: TicketKeyPolicy,
    /// Newest first: the first seals.
    keys: RwLock<Vec<TicketKey>>,
    rng: SystemRandom,
}

impl fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names and times only: never the secrets.
        f.debug_struct("TicketKeys")
            .field("policy", &self.policy)
            .field(
                "created",
                &self.read().iter().map(|k| k.created).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl TicketKeys {
    /// A set of one fresh key, sealing from `now` (seconds since the Unix
    /// epoch).
    pub fn new(policy: TicketKeyPolicy, now: u64) -> Result<Self, TicketKeyError> {
        policy.check()?;
        let rng = SystemRandom::new();
        let first = TicketKey::generate(&rng, now)?;
        Ok(Self {
            policy,
            keys: RwLock::new(vec![first]),
            rng,
        })
    }

    /// The keys, to read. A thread that panicked holding the lock left
    /// them whole (every write is one push, retain, truncate or
    /// replacement of the whole list), so a poisoned lock is read as it
    /// is.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Vec<TicketKey>> {
        self.keys.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Vec<TicketKey>> {
        self.keys.write().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn from_keys(
        policy: TicketKeyPolicy,
        mut keys: Vec<TicketKey>,
        now: u64,
    ) -> Result<Self, TicketKeyError> {
        policy.check()?;
        keep_newest_alive(&policy, &mut keys, now);
        if keys.is_empty() {
            return Err(TicketKeyError::NoCurrentKey);
        }
        Ok(Self {
            policy,
            keys: RwLock::new(keys),
            rng: SystemRandom::new(),
        })
    }

    /// The policy the set keeps.
    pub fn policy(&self) -> TicketKeyPolicy {
        self.policy
    }

    /// When the current key stops sealing: the time to call
    /// [`Self::rotate`] next.
    pub fn next_rotation(&self) -> u64 {
        self.read()
            .first()
            .map_or(0, |k| k.created.saturating_add(self.policy.rotate_every))
    }

    /// Makes a new current key if the current one has sealed for
    /// `rotate_every`, and forgets the keys retired more than
    /// `accept_for` ago. Returns whether a new key was made. A key
    /// imported from another server is kept as it is: rotating a shared
    /// set is for one place to do, and the others to import.
    pub fn rotate(&self, now: u64) -> Result<bool, TicketKeyError> {
        self.rotate_ahead(now, 0)
    }

    /// [`Self::rotate`], making the new key `lead` seconds before the
    /// current one is due (its `created` is `now`, so it then seals for a
    /// full `rotate_every`).
    ///
    /// For a fleet: whoever rotates the shared set does it ahead by more
    /// than the time the other servers take to import it, so that none of
    /// them finds its key due first and makes one of its own, which the
    /// rest would not open.
    pub fn rotate_ahead(&self, now: u64, lead: u64) -> Result<bool, TicketKeyError> {
        // The key is made before the lock is taken: no connection waits
        // on the random number generator.
        let due = now.saturating_add(lead) >= self.next_rotation();
        // Most calls (every ticket issued) find nothing due and nothing to
        // forget: a read lock says so, and no writer is taken.
        if !due && !self.read().iter().any(|k| retired(&self.policy, k, now)) {
            return Ok(false);
        }
        let new = if due {
            Some(TicketKey::generate(&self.rng, now)?)
        } else {
            None
        };
        let mut keys = self.write();
        if let Some(key) = new {
            keys.insert(0, key);
        }
        forget_retired(&self.policy, &mut keys, now);
        Ok(due)
    }

    /// Seals `state` into a ticket under the current key.
    pub fn seal(&self, state: &[u8]) -> Result<Vec<u8>, TicketKeyError> {
        let mut ticket = Vec::with_capacity(state.len() + OVERHEAD);
        self.seal_into(state, &mut ticket)?;
        Ok(ticket)
    }

    /// [`Self::seal`], appending the ticket to `out` (nothing on error).
    pub fn seal_into(&self, state: &[u8], out: &mut Vec<u8>) -> Result<(), TicketKeyError> {
        let mut nonce = [0; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| TicketKeyError::Random)?;
        self.sealer()?.seal_into(nonce, state, out)
    }

    /// The current key, expanded once for the tickets of one handshake
    /// step.
    pub(crate) fn sealer(&self) -> Result<Sealer, TicketKeyError> {
        let keys = self.read();
        let key = keys.first().ok_or(TicketKeyError::NoCurrentKey)?;
        Ok(Sealer {
            name: key.name,
            aead: key.aead().ok_or(TicketKeyError::Random)?,
        })
    }

    /// Opens a ticket sealed by a key of this set that is still accepted
    /// at `now`; `None` for anything else (another server's key, a
    /// retired one, a forgery, a ticket cut or too long), which a server
    /// answers with a full handshake. The state comes back in a buffer
    /// that is wiped when dropped.
    pub fn open(&self, ticket: &[u8], now: u64) -> Option<Zeroizing<Vec<u8>>> {
        let mut buf = Scratch::<MAX_TICKET_LEN>::new();
        let opened = self.open_into(ticket, now, &mut buf)?;
        Some(Zeroizing::new(opened.to_vec()))
    }

    /// [`Self::open`] into `buf`, returning the state where it lies there:
    /// no allocation, for the handshake's use. The caller wipes `buf`.
    pub(crate) fn open_into<'b, const N: usize>(
        &self,
        ticket: &[u8],
        now: u64,
        buf: &'b mut Scratch<N>,
    ) -> Option<&'b [u8]> {
        if ticket.len() > MAX_TICKET_LEN || ticket.len() < OVERHEAD {
            return None;
        }
        let (name, rest) = ticket.split_first_chunk::<NAME_LEN>()?;
        let (nonce, sealed) = rest.split_first_chunk::<NONCE_LEN>()?;
        let policy = self.policy;
        let keys = self.read();
        let key = keys
            .iter()
            .find(|k| &k.name == name && !retired(&policy, k, now))?;
        let aead = key.aead()?;
        if sealed.len() > N {
            return None;
        }
        let room = buf.take(sealed.len())?;
        room.copy_from_slice(sealed);
        let opened = aead
            .open_in_place(Nonce::assume_unique_for_key(*nonce), Aad::from(name), room)
            .ok()?;
        Some(&*opened)
    }
}
