//! TLS 1.3 session tickets: issuing NewSessionTickets after the client's
//! Finished (RFC 8446 §4.6.1).
//!
//! Each ticket is stateless: the resumption state (its PSK, what the
//! session bound) is sealed with the config's [`TicketKeys`], so the server
//! keeps nothing per session.

use ring::rand::SecureRandom;

use super::messages;
use crate::crypto::key_schedule::{ApplicationSecrets, TicketPsks};
use crate::crypto::suites::Tls13Suite;
use crate::crypto::transcript::Transcript;
use crate::enums::ProtocolVersion;
use crate::error::{CryptoError, Error};
use crate::server::config::ServerConfig;
use crate::server::events::HandshakeSummary;
use crate::server::hello::PskModes;
use crate::server::output::Output;
use crate::tickets::issue::{lifetime, seal_state, sealer, STATE_FIXED_LEN};
use crate::tickets::state::StateView;

/// What a handshake keeps from its server flight to issue tickets after
/// the client's Finished: made only when tickets will be sent.
pub(crate) struct TicketPlan {
    suite: &'static Tls13Suite,
    /// The transcript through the server's Finished; the client's Finished
    /// is added for the resumption master secret.
    transcript: Transcript,
    certificate_hash: [u8; 32],
    /// When the connection started.
    now: u64,
}

/// The bytes the tickets of a session to `server_name` with `alpn` take
/// on the wire.
fn issued_len(config: &ServerConfig, server_name: &str, alpn: &[u8]) -> usize {
    let per_ticket = NST_OVERHEAD + STATE_FIXED_LEN + server_name.len() + alpn.len();
    usize::from(config.resumption.tickets) * per_ticket
}

/// Reserves the output for a server flight of `flight_len` bytes, or for
/// the tickets the step after the client's Finished issues, whichever is
/// more. The buffer is kept, drained, until the handshake ends, so the
/// tickets then fit in it: one output buffer per handshake, not a second
/// one when the flight was the smaller (a resumed flight).
pub(crate) fn reserve_flight(
    out: &mut Output,
    config: &ServerConfig,
    flight_len: usize,
    server_name: Option<&str>,
    alpn: Option<&[u8]>,
) {
    let tickets_len = issued_len(
        config,
        server_name.unwrap_or_default(),
        alpn.unwrap_or_default(),
    );
    out.reserve(flight_len.max(tickets_len));
}

impl TicketPlan {
    /// A plan, if this handshake will issue tickets: the config sends them,
    /// the connection knows the time, and the client offered a PSK mode the
    /// server would resume with (§4.2.9: no ticket the client cannot use).
    pub(crate) fn new(
        config: &ServerConfig,
        now: Option<u64>,
        modes: PskModes,
        suite: &'static Tls13Suite,
        transcript: &Transcript,
        certificate_hash: &[u8; 32],
    ) -> Option<Self> {
        let resumption = &config.resumption;
        // A client-authenticated session is not resumed (tickets do not
        // carry the client's identity yet), so no ticket is issued.
        if resumption.tickets == 0
            || !modes.usable(resumption.psk_ke)
            || config.client_auth.is_some()
        {
            return None;
        }
        Some(Self {
            suite,
            transcript: transcript.clone(),
            certificate_hash: *certificate_hash,
            now: now?,
        })
    }

    /// The NewSessionTickets, after the client's Finished (`finished`, the
    /// whole message): each with its own nonce, so its own PSK, and its
    /// own ticket_age_add.
    pub(crate) fn issue(
        mut self,
        config: &ServerConfig,
        secrets: &ApplicationSecrets,
        finished: &[u8],
        summary: &HandshakeSummary,
        out: &mut Output,
    ) -> Result<(), Error> {
        let Some(keys) = config.resumption.sealing_keys(self.now)? else {
            return Ok(());
        };
        self.transcript.add(finished);
        let rms = secrets.resumption_master_secret(&self.transcript.current_hash())?;
        let psks = TicketPsks::new(self.suite, &rms);
        let lifetime = lifetime(keys);
        let server_name = summary.server_name.as_deref().unwrap_or_default();
        let alpn = summary.alpn_protocol.as_deref().unwrap_or_default();
        // The state is encoded and sealed where it goes: no allocation but
        // the output's, reserved once for all the tickets (usually by the
        // server flight already, see `reserve_flight`).
        out.reserve(issued_len(config, server_name, alpn));
        let sealer = sealer(keys)?;
        let count = config.resumption.tickets;
        let mut index = 0;
        while index < count {
            // Each ticket's age_add and sealing nonce, for a batch of
            // tickets in one draw: each draw is a system call.
            let batch = usize::from(count - index).min(TICKETS_PER_DRAW);
            let mut drawn = [0; TICKETS_PER_DRAW * DRAWN_PER_TICKET];
            let drawn = drawn
                .get_mut(..batch * DRAWN_PER_TICKET)
                .ok_or(Error::Internal("a batch of tickets larger than its draw"))?;
            config.rng.fill(drawn).map_err(|_| CryptoError::Random)?;
            for one in drawn.chunks_exact(DRAWN_PER_TICKET) {
                let (age_add, seal_nonce) = one
                    .split_first_chunk::<4>()
                    .and_then(|(age_add, rest)| Some((*age_add, rest.try_into().ok()?)))
                    .ok_or(Error::Internal("a ticket's draw shorter than its layout"))?;
                let nonce = [index];
                let psk = psks.psk(&nonce)?;
                let age_add = u32::from_be_bytes(age_add);
                let state = StateView {
                    version: ProtocolVersion::Tls13,
                    cipher_suite: self.suite.suite,
                    extended_master_secret: true,
                    issued: self.now,
                    lifetime,
                    age_add,
                    secret: psk.as_bytes(),
                    certificate_hash: self.certificate_hash,
                    server_name: server_name.as_bytes(),
                    alpn_protocol: alpn,
                };
                let mut sealed = Ok(());
                out.unhashed_message(|w| {
                    messages::new_session_ticket(w, lifetime, age_add, &nonce, |w| {
                        sealed = seal_state(&sealer, seal_nonce, &state, w);
                    })
                })?;
                // A ticket that could not be sealed fails the step, which
                // takes its message back.
                sealed?;
                index += 1;
            }
        }
        Ok(())
    }
}

/// How many tickets' randomness one draw from the system RNG takes: the
/// default two, and the few more a config may ask for, in one system call,
/// with a bounded buffer on the stack for any count.
const TICKETS_PER_DRAW: usize = 8;

/// The random bytes each ticket takes: its ticket_age_add (4) and the
/// nonce its state is sealed with (12).
const DRAWN_PER_TICKET: usize = 4 + ring::aead::NONCE_LEN;

/// What a NewSessionTicket adds around its state: the record (header 5,
/// type and tag 17), the message header (4), lifetime and age_add (8), the
/// nonce (2), the ticket's length (2), name, nonce and tag (44), and the
/// empty extensions (2).
const NST_OVERHEAD: usize = 22 + 4 + 8 + 2 + 2 + 44 + 2;
