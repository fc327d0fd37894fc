//! Resuming a TLS 1.3 session from a ticket (RFC 8446 §4.2.11, §4.6.1):
//! choosing a PSK identity, checking its binder, and the resumed flight.
//!
//! ```text
//! ClientHello + pre_shared_key  ──▶  (a ticket that opens, binds this
//!                                     SNI, ALPN, suite hash and a
//!                                     certificate still served, and is
//!                                     fresh; then its binder checked)
//!                               ◀──  ServerHello + pre_shared_key +
//!                                     key_share, {EncryptedExtensions,
//!                                     Finished}
//! ```
//!
//! psk_dhe_ke is the mode, so every resumed session gets fresh (EC)DHE
//! keys, unless the config allows psk_ke and the client offers it: then
//! ServerHello carries no key_share and the keys come from the PSK alone
//! (§4.2.9, §7.1). Identities the server does not recognise, or cannot use,
//! are passed over: the handshake falls back to a full one. A binder that
//! does not verify for the identity chosen aborts it with decrypt_error
//! (§4.2.11: the server MUST abort).

use ring::digest::Digest;

use super::messages;
use super::tickets::{self, TicketPlan};
use super::{send_compat_ccs, ExpectFinished, State};
use crate::codec::ClientHello;
use crate::crypto::key_exchange::NamedGroup;
use crate::crypto::key_schedule::EarlySecret;
use crate::crypto::record_protection::{RecordDecrypter, RecordEncrypter};
use crate::crypto::suites::Tls13Suite;
use crate::crypto::suites::MAX_HASH_LEN;
use crate::crypto::transcript::Transcript;
use crate::enums::ProtocolVersion;
use crate::error::Error;
use crate::server::config::ServerConfig;
use crate::server::events::Resumption;
use crate::server::hello::{self, ClientShare, PskModes, ResumedSession, SessionId};
use crate::server::output::Output;
use crate::server::sni;
use crate::tickets::keys::OPEN_ROOM;
use crate::tickets::scratch::Scratch;
use crate::tickets::state::StateView;

/// The most PSK identities tried in one hello: each costs a ticket
/// decryption, and a client has one or two tickets to offer. Those past
/// this are ignored, never refused.
pub const MAX_PSK_IDENTITIES: usize = 4;

/// How far the client's idea of a ticket's age may be from the server's,
/// in seconds: the server counts in whole seconds from the connection's
/// start, and the client's clock runs on its own (RFC 8446 §8.3).
pub const MAX_TICKET_AGE_SKEW: u64 = 10;

/// An upper bound on a resumed flight's bytes but the ALPN protocol and
/// the server's key share: ServerHello in its record (header 5 + 4;
/// version, random, session id, suite, compression 70; supported_versions
/// 6; key_share 8; pre_shared_key 6), the compatibility change_cipher_spec
/// (6), and EncryptedExtensions and Finished in one protected record
/// (header 5; EncryptedExtensions 4 + 2 + ALPN's 7; Finished 4 + 48; type
/// and tag 17). Reserved once, so the flight never grows the output.
const RESUMED_FLIGHT_LEN: usize = 9 + 70 + 6 + 8 + 6 + 6 + 5 + 13 + 52 + 17;

/// A ticket accepted for this handshake.
pub(crate) struct Accepted {
    /// Its position among the client's identities (selected_identity).
    index: u16,
    /// The early secret of its PSK, the binder checked with it.
    early: EarlySecret,
    /// The transcript through the whole hello (after whatever came before
    /// it), hashed once for the binder and the rest.
    transcript: Transcript,
    certificate_hash: [u8; 32],
    /// The session's (and this hello's) SNI host name and ALPN protocol,
    /// and its certificate if configured.
    session: ResumedSession,
}

/// The first identity of `hello`'s pre_shared_key that this server can
/// resume, with its binder checked; `None` to go on with a full handshake.
/// `encoded` is the whole hello message, `before` the transcript before it
/// (the first hello and the HelloRetryRequest, after a retry).
pub(crate) fn accept(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
    encoded: &[u8],
    now: Option<u64>,
    suite: &'static Tls13Suite,
    before: Option<&Transcript>,
) -> Result<Option<Accepted>, Error> {
    let (Some(offer), Some(now)) = (hello.pre_shared_key(), now) else {
        return Ok(None);
    };
    if !PskModes::of(hello).usable(config.resumption.psk_ke) {
        return Ok(None);
    }
    // A client-authenticated session is not resumed: tickets do not carry
    // the client's identity yet, and such a config issues none.
    if config.client_auth.is_some() {
        return Ok(None);
    }
    let Some(keys) = config.resumption.keys_at(now) else {
        return Ok(None);
    };
    let server_name = sni::server_name(hello)?;
    let alpn = hello::choose_alpn(config, hello)?;
    // Each ticket is opened here, on the stack, and wiped after.
    let mut buf = Scratch::<OPEN_ROOM>::new();
    let mut binders = offer.binders();
    for (index, identity) in offer.identities().enumerate().take(MAX_PSK_IDENTITIES) {
        let binder = binders.next();
        let Some(plain) = keys.open_into(identity.identity, now, &mut buf) else {
            continue;
        };
        let Some(state) = StateView::decode(plain) else {
            continue;
        };
        // §4.2.11: the PSK's hash must be the chosen suite's; §4.6.1: a
        // ticket is used for the name (and here the ALPN) it was issued
        // under, and never across versions.
        let same_hash = Tls13Suite::from_wire(state.cipher_suite.to_wire())
            .is_some_and(|s| core::ptr::eq(s.digest, suite.digest));
        if state.version != ProtocolVersion::Tls13
            || !same_hash
            || !fresh(&state, identity.obfuscated_ticket_age, now)
        {
            continue;
        }
        let Some(cert) =
            ResumedSession::matching(config, &state, server_name.as_deref(), alpn.as_deref())
        else {
            continue;
        };
        let early = EarlySecret::with_psk(suite, state.secret)?;
        let certificate_hash = state.certificate_hash;
        let binder = binder.ok_or(Error::Internal("a PSK identity without its binder"))?;
        let transcript = check_binder(&early, encoded, offer.binders_len(), before, binder)?;
        return Ok(Some(Accepted {
            index: u16::try_from(index).unwrap_or(u16::MAX),
            early,
            transcript,
            certificate_hash,
            session: ResumedSession {
                alpn,
                server_name,
                cert,
            },
        }));
    }
    Ok(None)
}

/// Whether a ticket is within its lifetime, and the client's age for it
/// (its obfuscated age less age_add, in milliseconds, §4.2.11.1) agrees
/// with the server's within [`MAX_TICKET_AGE_SKEW`].
fn fresh(state: &StateView<'_>, obfuscated_age: u32, now: u64) -> bool {
    let Some(server_age) = now.checked_sub(state.issued) else {
        return false;
    };
    let client_age = u64::from(obfuscated_age.wrapping_sub(state.age_add)) / 1000;
    server_age <= u64::from(state.lifetime)
        && server_age.abs_diff(client_age) <= MAX_TICKET_AGE_SKEW
}

/// Checks the binder over the hello truncated before its binders
/// (§4.2.11.2), hashed after whatever came before it; returns the
/// transcript through the whole hello, the binders hashed in after.
fn check_binder(
    early: &EarlySecret,
    encoded: &[u8],
    binders_len: usize,
    before: Option<&Transcript>,
    binder: &[u8],
) -> Result<Transcript, Error> {
    let (truncated, binders) = encoded
        .split_at_checked(encoded.len().saturating_sub(binders_len))
        .ok_or(Error::Internal("binders past the hello"))?;
    let mut transcript = before
        .cloned()
        .unwrap_or_else(|| Transcript::new(early.suite().digest));
    transcript.add(truncated);
    let hash: Digest = transcript.current_hash();
    early.check_binder(&hash, binder)?;
    transcript.add(binders);
    Ok(transcript)
}

/// A hello that resumes: its flight is ServerHello, EncryptedExtensions
/// and Finished.
pub(crate) struct ResumedFlight {
    suite: &'static Tls13Suite,
    /// psk_dhe_ke's group and the client's share; `None` for psk_ke.
    dhe: Option<(NamedGroup, ClientShare)>,
    session_id: SessionId,
    accepted: Accepted,
    hello_retry: bool,
    ccs_sent: bool,
    modes: PskModes,
}

impl ResumedFlight {
    /// `dhe` is the group and the client's share in it for psk_dhe_ke,
    /// `None` for psk_ke.
    pub(crate) fn new(
        suite: &'static Tls13Suite,
        dhe: Option<(NamedGroup, ClientShare)>,
        hello: &ClientHello<'_>,
        accepted: Accepted,
        retry: Option<bool>,
    ) -> Self {
        Self {
            suite,
            dhe,
            session_id: SessionId::new(hello.session_id()),
            accepted,
            hello_retry: retry.is_some(),
            ccs_sent: retry.unwrap_or(false),
            modes: PskModes::of(hello),
        }
    }

    /// ServerHello (with the PSK, and a fresh share unless psk_ke),
    /// EncryptedExtensions and Finished (RFC 8446 §2.2): no Certificate,
    /// nothing signed.
    pub(crate) fn send(
        self,
        config: &ServerConfig,
        random: &[u8; 32],
        now: Option<u64>,
        out: &mut Output,
    ) -> Result<State, Error> {
        let ResumedFlight {
            suite,
            dhe,
            session_id,
            accepted,
            hello_retry,
            ccs_sent,
            modes,
        } = self;
        // psk_ke's handshake secret takes a string of zeros where the
        // (EC)DHE secret would go (§7.1).
        let zeros = [0; MAX_HASH_LEN];
        let exchanged = match dhe {
            Some((group, share)) => {
                let (public, shared) = share.respond(group, &config.rng)?;
                Some((group, public, shared))
            }
            None => None,
        };
        let (key_share, shared) = match &exchanged {
            Some((group, public, shared)) => (
                messages::KeyShareField::Share {
                    group: group.to_wire(),
                    share: public.as_bytes(),
                },
                shared.as_bytes(),
            ),
            None => (
                messages::KeyShareField::Omitted,
                zeros
                    .get(..suite.digest.output_len())
                    .ok_or(Error::Internal("a hash longer than MAX_HASH_LEN"))?,
            ),
        };
        let session_id_bytes = session_id.as_bytes()?;
        let Accepted {
            index,
            early,
            mut transcript,
            certificate_hash,
            session,
        } = accepted;
        let alpn = session.alpn.as_deref();
        let share_len = exchanged
            .as_ref()
            .map_or(0, |(_, public, _)| public.as_bytes().len());
        let flight_len = RESUMED_FLIGHT_LEN + share_len + alpn.map_or(0, <[u8]>::len);
        tickets::reserve_flight(
            out,
            config,
            flight_len,
            session.server_name.as_deref(),
            alpn,
        );
        out.message(&mut transcript, |w| {
            messages::server_hello(
                w,
                &messages::ServerHello {
                    random,
                    session_id: session_id_bytes,
                    suite: suite.suite.to_wire(),
                    key_share,
                    psk: Some(index),
                },
            )
        })?;
        send_compat_ccs(ccs_sent, session_id_bytes, out)?;
        let handshake = early.into_handshake(shared, &transcript.current_hash())?;
        out.sending_keys(RecordEncrypter::new(handshake.server())?.into())?;
        let record_size_limit = out.record_size_limit_answer(ProtocolVersion::Tls13);
        out.message(&mut transcript, |w| {
            messages::encrypted_extensions(w, alpn, false, &[], record_size_limit)
        })?;
        let verify_data = handshake.server_finished(&transcript.current_hash());
        out.message(&mut transcript, |w| {
            messages::finished(w, verify_data.as_ref())
        })?;
        let server_finished_hash = transcript.current_hash();
        let tickets = TicketPlan::new(config, now, modes, suite, &transcript, &certificate_hash);
        let decrypter = RecordDecrypter::new(handshake.client())?;
        let secrets = handshake.into_application(&server_finished_hash)?;
        out.sending_keys(RecordEncrypter::new(secrets.server())?.into())?;
        out.receiving_keys(decrypter.into());
        let how = match exchanged {
            Some(_) => Resumption::Tls13PskDheKe,
            None => Resumption::Tls13PskKe,
        };
        let summary = session.into_summary(
            ProtocolVersion::Tls13,
            suite.suite,
            exchanged.map(|(group, ..)| group),
            true,
            hello_retry,
            how,
        );
        Ok(State::ExpectFinished(Box::new(ExpectFinished {
            secrets,
            finished_hash: server_finished_hash,
            summary,
            tickets,
        })))
    }
}
