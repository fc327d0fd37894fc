//! Resuming a TLS 1.2 session from a ticket (RFC 5077 §3.1, §3.4): the
//! abbreviated handshake.
//!
//! A hello whose session_ticket holds a ticket this server sealed, for a
//! TLS 1.2 session this hello may resume, gets ServerHello (echoing the
//! client's session id, RFC 5077 §3.4), a fresh NewSessionTicket,
//! change_cipher_spec and Finished at once; the client answers with its
//! own change_cipher_spec and Finished. No certificate is sent, so no
//! decision is asked of the application.
//!
//! A ticket that does not open, is stale, or was made for another
//! version, suite, name, protocol or certificate is passed over: the
//! handshake is a full one. The extended master secret is the exception
//! (RFC 7627 §5.3): a session made with it is never resumed by a hello
//! without it, which is refused; a session made without it is not resumed
//! by a hello with it, which gets a full handshake.

use ring::aead::NONCE_LEN;

use super::hello::offers_renegotiation;
use super::messages;
use super::tickets::TicketPlan;
use super::{mark_downgrade, send_finished, ExpectChangeCipherSpec, Reply, Stage, State};
use crate::codec::ClientHello;
use crate::crypto::random::draw_pair;
use crate::crypto::tls12::prf::{MasterSecret, RANDOM_LEN};
use crate::crypto::tls12::record_protection::Tls12Encrypter;
use crate::crypto::tls12::suites::Tls12Suite;
use crate::crypto::transcript::Transcript;
use crate::enums::ProtocolVersion;
use crate::error::{Error, PeerMisbehaved};
use crate::server::config::ServerConfig;
use crate::server::events::Resumption;
use crate::server::hello::{self, ResumedSession, SessionId};
use crate::server::output::Output;
use crate::server::sni;
use crate::tickets::keys::OPEN_ROOM;
use crate::tickets::scratch::Scratch;
use crate::tickets::state::StateView;

/// An upper bound on a resumed flight's bytes but the ALPN protocol and
/// the ticket's name: ServerHello in its record (header 5 + 4; version,
/// random, session id, suite, compression 70; extensions 2,
/// renegotiation_info 5, extended_master_secret 4, ec_point_formats 6,
/// session_ticket 4, ALPN 7), NewSessionTicket (4 + 4 + 2, and the sealed
/// state: key name, nonce and tag 44 and the state's fixed part 105),
/// change_cipher_spec (6), and Finished in its protected record (5 + 16,
/// and at most 24 of explicit nonce and tag).
const RESUMED_FLIGHT_LEN: usize = 9 + 70 + 2 + 5 + 4 + 6 + 4 + 7 + 10 + 44 + 105 + 6 + 21 + 24;

/// A hello that resumes a session: its flight is ServerHello,
/// NewSessionTicket, change_cipher_spec and Finished.
pub(crate) struct ResumedFlight {
    suite: &'static Tls12Suite,
    master: MasterSecret,
    extended_master_secret: bool,
    certificate_hash: [u8; 32],
    session: ResumedSession,
    client_random: [u8; RANDOM_LEN],
    session_id: SessionId,
    secure_renegotiation: bool,
    ec_point_formats: bool,
    transcript: Transcript,
    now: u64,
}

/// The hello's ticket, if this server sealed it for a session this hello
/// may resume; `None` for a full handshake. `encoded` is the whole hello
/// message.
pub(crate) fn accept(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
    encoded: &[u8],
    now: Option<u64>,
) -> Result<Option<ResumedFlight>, Error> {
    let (Some(ticket), Some(now)) = (hello.session_ticket(), now) else {
        return Ok(None);
    };
    // A client-authenticated config resumes nothing (see `tickets.rs`).
    if ticket.is_empty() || config.client_auth.is_some() {
        return Ok(None);
    }
    let Some(keys) = config.resumption.keys_at(now) else {
        return Ok(None);
    };
    // The ticket is opened here, on the stack, and wiped after.
    let mut buf = Scratch::<OPEN_ROOM>::new();
    let Some(state) = keys
        .open_into(ticket, now, &mut buf)
        .and_then(StateView::decode)
    else {
        return Ok(None);
    };
    // RFC 5077 §4: the session's suite, which the client must offer again
    // and the server still serve; never a TLS 1.3 ticket.
    let Some(suite) = config
        .tls12_suites
        .iter()
        .copied()
        .find(|s| s.suite == state.cipher_suite)
        .filter(|s| hello.offers_cipher_suite(s.suite.to_wire()))
    else {
        return Ok(None);
    };
    let fresh = now
        .checked_sub(state.issued)
        .is_some_and(|age| age <= u64::from(state.lifetime));
    if state.version != ProtocolVersion::Tls12 || !fresh {
        return Ok(None);
    }
    let server_name = sni::server_name(hello)?;
    let alpn = hello::choose_alpn(config, hello)?;
    let Some(cert) =
        ResumedSession::matching(config, &state, server_name.as_deref(), alpn.as_deref())
    else {
        return Ok(None);
    };
    // RFC 7627 §5.3.
    match (state.extended_master_secret, hello.extended_master_secret()) {
        (true, false) => return Err(PeerMisbehaved::ResumptionWithoutExtendedMasterSecret.into()),
        (false, true) => return Ok(None),
        _ => {}
    }
    let Some(master) = MasterSecret::from_secret(suite, state.secret) else {
        return Ok(None);
    };
    let mut transcript = Transcript::new(suite.digest);
    transcript.add(encoded);
    Ok(Some(ResumedFlight {
        suite,
        master,
        extended_master_secret: state.extended_master_secret,
        certificate_hash: state.certificate_hash,
        session: ResumedSession {
            alpn,
            server_name,
            cert,
        },
        client_random: *hello.random(),
        session_id: SessionId::new(hello.session_id()),
        secure_renegotiation: offers_renegotiation(hello),
        ec_point_formats: hello.ec_point_formats().is_some(),
        transcript,
        now,
    }))
}

impl ResumedFlight {
    /// ServerHello, NewSessionTicket (a fresh ticket, so that a client
    /// whose ticket's key is retiring keeps resuming), change_cipher_spec
    /// and Finished (RFC 5077 §3.1).
    pub(crate) fn send(self, config: &ServerConfig, out: &mut Output) -> Result<State, Error> {
        let ResumedFlight {
            suite,
            master,
            extended_master_secret,
            certificate_hash,
            session,
            client_random,
            session_id,
            secure_renegotiation,
            ec_point_formats,
            mut transcript,
            now,
        } = self;
        let plan = TicketPlan::new(config, Some(now), &certificate_hash);
        // ServerHello.random and the new ticket's nonce (if one is
        // issued), in one call to the system RNG.
        let (mut server_random, nonce) = draw_pair::<RANDOM_LEN, NONCE_LEN>(&config.rng)?;
        mark_downgrade(config, &mut server_random);
        let alpn = session.alpn.as_deref();
        let session_id = session_id.as_bytes()?;
        let name_len = session.server_name.as_deref().map_or(0, str::len);
        out.reserve(RESUMED_FLIGHT_LEN + 2 * alpn.map_or(0, <[u8]>::len) + name_len);
        let record_size_limit = out.record_size_limit_answer(ProtocolVersion::Tls12);
        out.message(&mut transcript, |w| {
            messages::server_hello(
                w,
                &messages::ServerHello {
                    random: &server_random,
                    session_id,
                    suite: suite.suite.to_wire(),
                    extended_master_secret,
                    secure_renegotiation,
                    ec_point_formats,
                    status_request: false,
                    // RFC 6066 §3: "When resuming a session, the server
                    // MUST NOT include a server_name extension".
                    sni_ack: false,
                    alpn,
                    session_ticket: plan.is_some(),
                    record_size_limit,
                },
            )
        })?;
        let summary = session.into_summary(
            ProtocolVersion::Tls12,
            suite.suite,
            None,
            extended_master_secret,
            false,
            Resumption::Tls12Ticket,
        );
        if let Some(plan) = plan {
            plan.issue(nonce, config, &master, &summary, &mut transcript, out)?;
        }
        let keys = master.key_block(&client_random, &server_random);
        let encrypter = Tls12Encrypter::new(suite, keys.server()?)?;
        send_finished(&master, &mut transcript, encrypter, out)?;
        let client_finished_hash = transcript.current_hash();
        let stage = Stage::ExpectChangeCipherSpec(ExpectChangeCipherSpec {
            master,
            transcript,
            client_finished_hash,
            keys,
            reply: Reply::Nothing,
            summary,
        });
        Ok(State::Handshake(Box::new(stage)))
    }
}
