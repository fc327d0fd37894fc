//! TLS 1.2 session tickets (RFC 5077): the NewSessionTicket a server sends
//! before its change_cipher_spec, on a full handshake and on a resumed
//! one.
//!
//! The ticket seals the master secret and what the session bound (suite,
//! extended master secret, certificate, SNI, ALPN) with the config's
//! [`TicketKeys`](crate::tickets::TicketKeys), in the same layout as TLS 1.3's
//! tickets: the server keeps nothing per session.

use ring::aead::NONCE_LEN;

use super::messages;
use crate::crypto::tls12::prf::MasterSecret;
use crate::crypto::transcript::Transcript;
use crate::enums::ProtocolVersion;
use crate::error::Error;
use crate::server::config::ServerConfig;
use crate::server::events::HandshakeSummary;
use crate::server::output::Output;
use crate::tickets::issue::{lifetime, seal_state, sealer, STATE_FIXED_LEN};
use crate::tickets::state::StateView;

/// What a NewSessionTicket adds around its state: the message header (4),
/// the lifetime hint (4), the ticket's length (2), and the ticket's key
/// name, nonce and tag (44). It travels in the clear, in the flight's
/// record.
const NST_OVERHEAD: usize = 4 + 4 + 2 + 44;

/// A ticket to issue once the handshake's secrets are known: made when
/// the client takes tickets (RFC 5077 §3.2: it sent session_ticket, and
/// only then may ServerHello promise one), the config issues them, and
/// the connection knows the time.
#[derive(Clone, Copy)]
pub(crate) struct TicketPlan {
    /// When the connection started.
    now: u64,
    certificate_hash: [u8; 32],
}

impl TicketPlan {
    pub(crate) fn new(
        config: &ServerConfig,
        now: Option<u64>,
        certificate_hash: &[u8; 32],
    ) -> Option<Self> {
        let now = now?;
        // A client-authenticated session is not resumed (tickets do not
        // carry the client's identity yet), so no ticket is issued.
        if config.client_auth.is_some() {
            return None;
        }
        config.resumption.keys_at(now)?;
        Some(Self {
            now,
            certificate_hash: *certificate_hash,
        })
    }

    /// The NewSessionTicket, hashed into `transcript`: the Finished
    /// messages cover it (RFC 5077 §3.3). Its state is sealed with
    /// `nonce`, which the caller draws with the rest of its step's
    /// randomness.
    pub(crate) fn issue(
        self,
        nonce: [u8; NONCE_LEN],
        config: &ServerConfig,
        master: &MasterSecret,
        summary: &HandshakeSummary,
        transcript: &mut Transcript,
        out: &mut Output,
    ) -> Result<(), Error> {
        let Some(keys) = config.resumption.sealing_keys(self.now)? else {
            return Ok(());
        };
        let lifetime = lifetime(keys);
        let server_name = summary.server_name.as_deref().unwrap_or_default();
        let alpn = summary.alpn_protocol.as_deref().unwrap_or_default();
        let state = StateView {
            version: ProtocolVersion::Tls12,
            cipher_suite: master.suite().suite,
            extended_master_secret: summary.extended_master_secret,
            issued: self.now,
            lifetime,
            // TLS 1.2 tickets carry no obfuscated age.
            age_add: 0,
            secret: master.secret(),
            certificate_hash: self.certificate_hash,
            server_name: server_name.as_bytes(),
            alpn_protocol: alpn,
        };
        out.reserve(NST_OVERHEAD + STATE_FIXED_LEN + server_name.len() + alpn.len());
        let sealer = sealer(keys)?;
        let mut sealed = Ok(());
        out.message(transcript, |w| {
            messages::new_session_ticket(w, lifetime, |w| {
                sealed = seal_state(&sealer, nonce, &state, w);
            })
        })?;
        // A ticket that could not be sealed fails the step, which takes
        // its message back.
        sealed
    }
}
