//! Session-ticket keys: what seals the resumption state a server hands a
//! client, so that the server keeps nothing per session (RFC 8446 §4.6.1,
//! RFC 5077 §4), and what several servers behind one load balancer share.
//!
//! [`TicketKeys`] holds one current key, which seals new tickets, and the
//! keys before it, which still open the tickets they sealed for a while.
//! Time is a parameter, as everywhere in stapler: [`TicketKeys::rotate`]
//! makes a new key when the current one has issued for
//! [`TicketKeyPolicy::rotate_every`] seconds and forgets a key
//! [`TicketKeyPolicy::accept_for`] seconds after it stopped issuing. So a
//! ticket is good for at most `accept_for` seconds after the last moment
//! its key could have sealed it, whatever lifetime it claims.
//!
//! A ticket is `key name (16) ‖ nonce (12) ‖ AES-256-GCM(state) ‖ tag (16)`,
//! the key name also bound as additional data. The nonce is random, drawn
//! for each ticket: servers sharing a key cannot coordinate a counter.
//!
//! The key set travels as bytes ([`TicketKeys::export`],
//! [`TicketKeys::import`]) for a fleet to share, for example through
//! Redis. Those bytes are the keys themselves: whoever reads them can
//! open every ticket they sealed.
//!
//! Key material is wiped when dropped (`zeroize`): the raw keys, and the
//! exported bytes. ring's expanded form of a key exists only on the stack,
//! for the one open or the one step's seals that need it.

mod export;
pub(crate) mod issue;
pub(crate) mod keys;
pub(crate) mod scratch;
pub(crate) mod state;

pub use keys::{TicketKeyError, TicketKeyPolicy, TicketKeys, MAX_TICKET_KEYS, MAX_TICKET_LEN};
pub use state::{ResumptionState, MAX_SECRET_LEN};

#[cfg(test)]
mod tests;
