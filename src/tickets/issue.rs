//! What both versions' ticket issuing share: how long a ticket lives, and
//! sealing a state where the ticket is written, with no allocation.

use ring::aead::NONCE_LEN;

use super::keys::Sealer;
use super::scratch::Scratch;
use super::state::{StateView, MAX_STATE_LEN};
use super::TicketKeys;
use crate::error::Error;

/// The longest a ticket may be used, which RFC 8446 §4.6.1 caps at seven
/// days (and RFC 5077 §5.6 advises keeping short); the key policy's
/// acceptance window caps it further.
const MAX_LIFETIME: u64 = 7 * 24 * 3600;

/// The state's bytes but its name and protocol: format, version, suite,
/// flags, issue time, lifetime, age_add (22), a 48-byte secret with its
/// length (49), the certificate hash (32), and two lengths (2). With the
/// sealing overhead, what a NewSessionTicket's reservation counts on.
pub(crate) const STATE_FIXED_LEN: usize = 22 + 49 + 32 + 2;

/// How long a ticket may be used: as long as its key is accepted after it
/// stops sealing, at most seven days.
pub(crate) fn lifetime(keys: &TicketKeys) -> u32 {
    let seconds = keys.policy().accept_for.min(MAX_LIFETIME);
    u32::try_from(seconds).unwrap_or(u32::MAX)
}

/// Encodes `state` on the stack (wiped after) and seals it with `nonce`
/// onto the end of `out`, where the ticket goes.
pub(crate) fn seal_state(
    sealer: &Sealer,
    nonce: [u8; NONCE_LEN],
    state: &StateView<'_>,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let mut encoded = Scratch::<MAX_STATE_LEN>::new();
    let len = state
        .encode_into(&mut encoded)
        .ok_or(Error::Internal("a resumption state longer than its layout"))?;
    let plain = encoded
        .take(len)
        .ok_or(Error::Internal("a resumption state longer than its layout"))?;
    sealer
        .seal_into(nonce, plain, out)
        .map_err(|_| Error::Internal("a ticket could not be sealed"))
}

/// The current key of `keys`, ready for a step's tickets.
pub(crate) fn sealer(keys: &TicketKeys) -> Result<Sealer, Error> {
    keys.sealer()
        .map_err(|_| Error::Internal("no ticket key could seal"))
}
