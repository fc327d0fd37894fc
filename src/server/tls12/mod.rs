//! The TLS 1.2 server handshake: RFC 5246 with ECDHE (RFC 8422), the
//! extended master secret (RFC 7627), secure renegotiation signalling
//! (RFC 5746) and OCSP stapling by CertificateStatus (RFC 6066 §8).
//!
//! ```text
//! ClientHello            ──▶  (OcspRequest event, pause)
//!                        ◀──  ServerHello, Certificate, [CertificateStatus],
//!                             ServerKeyExchange, ServerHelloDone
//! ClientKeyExchange      ──▶  ExpectClientKeyExchange
//! [ChangeCipherSpec]     ──▶  ExpectChangeCipherSpec: the client's keys change
//! Finished               ──▶  ExpectFinished
//!                        ◀──  [ChangeCipherSpec], Finished
//! application data       ◀─▶  Traffic
//! ```
//!
//! Sessions resume from tickets (RFC 5077, see `resume` and `tickets`):
//! a full handshake whose client takes tickets sends NewSessionTicket
//! before its change_cipher_spec, and a hello with a ticket this server
//! sealed gets the abbreviated handshake:
//!
//! ```text
//! ClientHello + ticket   ──▶  ResumedFlight
//!                        ◀──  ServerHello, NewSessionTicket,
//!                             ChangeCipherSpec, Finished
//! [ChangeCipherSpec]     ──▶  ExpectChangeCipherSpec
//! Finished               ──▶  ExpectFinished (nothing more to send)
//! ```
//!
//! No session-id cache is kept: every client tested (OpenSSL, GnuTLS, Go,
//! Node, rustls, curl) resumes by ticket. A ClientHello after the
//! handshake (a renegotiation) is
//! refused with a warning-level no_renegotiation alert, which RFC 5246
//! §7.2.2 says is "always a warning", and the connection carries on as it
//! was; the client may then go on or close.
//!
//! As in `tls13`, the states are data: each step consumes its state,
//! writes to the [`Output`] sink and returns the next one; the driver in
//! `connection.rs` owns the buffers, the record layer and the pauses.

mod client_auth;
pub(crate) mod hello;
pub(crate) mod messages;
mod resume;
mod tickets;

pub(crate) use resume::ResumedFlight;

use std::sync::Arc;

use ring::digest::Digest;

use self::hello::Tls12Params;
use self::messages::{EcdhParams, SignedParams, DOWNGRADE_TLS12};
use crate::codec::{
    Alert, AlertDescription, AlertLevel, ClientHello, HandshakeMessage, HandshakeType,
};
use crate::crypto::key_exchange::KeyExchange;
use crate::crypto::random::draw;
use crate::crypto::signing::SignatureScheme;
use crate::crypto::tls12::prf::{KeyBlock, MasterSecret, RANDOM_LEN};
use crate::crypto::tls12::record_protection::{Tls12Decrypter, Tls12Encrypter};
use crate::crypto::tls12::suites::Tls12Suite;
use crate::crypto::transcript::Transcript;
use crate::enums::ProtocolVersion;
use crate::error::{Error, PeerMisbehaved};
use crate::ocsp::OcspOutcome;
use crate::pki::VerifiedClient;
use crate::server::client_auth::ClientToJudge;
use crate::server::config::{CertifiedKey, ServerConfig};
use crate::server::events::{Event, HandshakeSummary};
use crate::server::hello::{CertSource, Chosen};
use crate::server::output::Output;
use crate::server::record_layer::CCS_RECORD;
use crate::server::state::{expect, unexpected, Input};
use tickets::TicketPlan;

/// Where a TLS 1.2 connection stands once the server flight is out.
pub(crate) enum State {
    /// Between the server flight and the client's Finished. The stages
    /// share one allocation: each step moves its stage out of the box and
    /// the next one in.
    Handshake(Box<Stage>),
    /// The handshake is done; nothing of it is kept.
    Traffic,
}

/// The steps of the handshake after the server flight.
// Always boxed, once per handshake: sized for the largest step on purpose,
// so that the later, smaller steps reuse the allocation. The client-auth
// payloads are boxed on their own, which keeps the whole under 1 KiB:
// glibc serves that from its per-thread cache, where a larger block takes
// the slow path and first consolidates the freed small blocks.
// The names are the states' own, as the RFC's diagrams name them.
#[allow(clippy::large_enum_variant, clippy::enum_variant_names)]
pub(crate) enum Stage {
    /// With client authentication: the client's Certificate first, and
    /// its CertificateVerify after the ClientKeyExchange
    /// (`client_auth.rs`).
    ExpectCertificate(client_auth::ExpectCertificate),
    ExpectClientKeyExchange(ExpectClientKeyExchange),
    ExpectCertificateVerify(client_auth::ExpectCertificateVerify),
    /// Paused for the application's verdict on the client's certificate;
    /// the driver holds it and hands nothing over.
    AwaitClientVerdict(client_auth::AwaitClientVerdict),
    ExpectChangeCipherSpec(ExpectChangeCipherSpec),
    ExpectFinished(ExpectFinished),
}

impl State {
    /// The state's name, for `Debug`.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Handshake(stage) => match **stage {
                Stage::ExpectCertificate(_) => "Tls12ExpectCertificate",
                Stage::ExpectCertificateVerify(_) => "Tls12ExpectCertificateVerify",
                Stage::AwaitClientVerdict(_) => "Tls12AwaitingClientVerification",
                Stage::ExpectClientKeyExchange(_) => "Tls12ExpectClientKeyExchange",
                Stage::ExpectChangeCipherSpec(_) => "Tls12ExpectChangeCipherSpec",
                Stage::ExpectFinished(_) => "Tls12ExpectFinished",
            },
            Self::Traffic => "Tls12Traffic",
        }
    }

    /// Whether the handshake is done.
    pub(crate) fn is_traffic(&self) -> bool {
        matches!(self, Self::Traffic)
    }

    /// The client to be judged, when this state awaits the application's
    /// verdict (once: the request takes it).
    pub(crate) fn take_client_to_judge(&mut self) -> Option<ClientToJudge> {
        match self {
            Self::Handshake(stage) => match &mut **stage {
                Stage::AwaitClientVerdict(waiting) => waiting.client.take().map(|client| *client),
                _ => None,
            },
            Self::Traffic => None,
        }
    }

    /// The application accepted the client it was asked about: the
    /// client's change_cipher_spec is next.
    pub(crate) fn client_accepted(self, client: VerifiedClient) -> Result<State, Error> {
        let Self::Handshake(mut stage) = self else {
            return Err(Error::Internal("a client verdict where none was awaited"));
        };
        let Stage::AwaitClientVerdict(waiting) = *stage else {
            return Err(Error::Internal("a client verdict where none was awaited"));
        };
        let mut next = waiting.next;
        next.summary.client_certificate = Some(client);
        *stage = Stage::ExpectChangeCipherSpec(next);
        Ok(Self::Handshake(stage))
    }

    /// One handshake message.
    pub(crate) fn handle(
        self,
        config: &ServerConfig,
        input: Input<'_>,
        out: &mut Output,
    ) -> Result<State, Error> {
        let message = input.message;
        let mut stage = match self {
            Self::Handshake(stage) => stage,
            Self::Traffic if message.typ == HandshakeType::ClientHello => {
                // Renegotiation is refused with a warning and the
                // connection goes on (RFC 5246 §7.2.2, RFC 5746 §4.4).
                out.alert(Alert {
                    level: AlertLevel::Warning,
                    description: AlertDescription::NoRenegotiation,
                })?;
                return Ok(Self::Traffic);
            }
            Self::Traffic => return Err(unexpected(message.typ)),
        };
        // The stage moves out of its box, and the next one into it.
        match *stage {
            Stage::ExpectCertificate(expecting) => {
                expect(&message, HandshakeType::Certificate)?;
                *stage = Stage::ExpectClientKeyExchange(expecting.handle(config, message)?);
                Ok(Self::Handshake(stage))
            }
            Stage::ExpectClientKeyExchange(expecting) => {
                expect(&message, HandshakeType::ClientKeyExchange)?;
                *stage = expecting.handle(message)?;
                Ok(Self::Handshake(stage))
            }
            Stage::ExpectCertificateVerify(expecting) => {
                expect(&message, HandshakeType::CertificateVerify)?;
                *stage = expecting.handle(config, message)?;
                Ok(Self::Handshake(stage))
            }
            Stage::AwaitClientVerdict(_) => Err(Error::Internal(
                "a message handed over while a client verdict is awaited",
            )),
            // The keys change before the Finished: a handshake message here
            // is out of turn (RFC 5246 §7.4).
            Stage::ExpectChangeCipherSpec(_) => Err(unexpected(message.typ)),
            Stage::ExpectFinished(expecting) => {
                expect(&message, HandshakeType::Finished)?;
                expecting.handle(config, message, out)
            }
        }
    }

    /// The client's change_cipher_spec (RFC 5246 §7.1): from the next
    /// record on, the client's records are protected. Allowed only right
    /// after the ClientKeyExchange, and not in the middle of a handshake
    /// message (`partial` says whether one is).
    pub(crate) fn change_cipher_spec(
        self,
        partial: bool,
        out: &mut Output,
    ) -> Result<State, Error> {
        let Self::Handshake(mut stage) = self else {
            return Err(PeerMisbehaved::BadChangeCipherSpec.into());
        };
        let Stage::ExpectChangeCipherSpec(expecting) = *stage else {
            return Err(PeerMisbehaved::BadChangeCipherSpec.into());
        };
        if partial {
            return Err(PeerMisbehaved::MessageSpansKeyChange.into());
        }
        let ExpectChangeCipherSpec {
            master,
            transcript,
            client_finished_hash,
            keys,
            reply,
            summary,
        } = expecting;
        let decrypter = Tls12Decrypter::new(master.suite(), keys.client()?)?;
        out.receiving_keys(decrypter.into());
        *stage = Stage::ExpectFinished(ExpectFinished {
            master,
            transcript,
            client_finished_hash,
            keys,
            reply,
            summary,
        });
        Ok(Self::Handshake(stage))
    }
}

/// The ClientHello is in; the server flight is built from this.
pub(crate) struct Flight {
    pub(crate) chosen: Chosen<Tls12Params>,
    transcript: Transcript,
    /// The client sent session_ticket: it takes a ticket (RFC 5077 §3.2).
    takes_ticket: bool,
}

/// The server flight is out; the client's ECDHE public key is next.
pub(crate) struct ExpectClientKeyExchange {
    suite: &'static Tls12Suite,
    kx: KeyExchange,
    transcript: Transcript,
    client_random: [u8; RANDOM_LEN],
    server_random: [u8; RANDOM_LEN],
    extended_master_secret: bool,
    tickets: Option<TicketPlan>,
    summary: HandshakeSummary,
    /// The client's verified certificate, whose CertificateVerify follows
    /// the ClientKeyExchange. Boxed, as in the client-auth stages: a
    /// client certificate is the rare case, and inline it made every
    /// handshake's boxed `Stage` too big for the allocator's per-thread
    /// cache of small blocks (see `Stage`).
    client: Option<Box<crate::server::client_auth::PresentedClient>>,
    /// When the connection started: what a client chain is judged at.
    now: Option<u64>,
}

/// Keys are made; the client's change_cipher_spec switches its side.
pub(crate) struct ExpectChangeCipherSpec {
    master: MasterSecret,
    transcript: Transcript,
    /// The hash of every handshake message before the client's Finished:
    /// through the ClientKeyExchange on a full handshake (nothing comes
    /// between, no client certificate; it is also the session hash of RFC
    /// 7627 §3), through the server's Finished on a resumed one. Kept, not
    /// made again.
    client_finished_hash: Digest,
    /// The key block (RFC 5246 §6.3), not the record keys expanded from
    /// it: each is expanded when it is put in use, at the client's
    /// change_cipher_spec and at the server's. The block is about 100
    /// bytes, a pair of expanded AES-GCM keys about 1.2 KB, which every
    /// step would copy from stage to stage.
    keys: KeyBlock,
    reply: Reply,
    summary: HandshakeSummary,
}

/// The client's records are protected; its Finished is next.
pub(crate) struct ExpectFinished {
    master: MasterSecret,
    transcript: Transcript,
    client_finished_hash: Digest,
    /// For the server's keys, on a full handshake.
    keys: KeyBlock,
    reply: Reply,
    summary: HandshakeSummary,
}

/// What the server sends once the client's Finished is in.
enum Reply {
    /// A full handshake: [NewSessionTicket], change_cipher_spec and
    /// Finished.
    Finish { tickets: Option<TicketPlan> },
    /// A resumed handshake: the server's Finished went first.
    Nothing,
}

/// The ClientHello, once TLS 1.2 is the version: the flight to build, or
/// with `defer`, what it will be built from once the application has
/// selected the certificate. No key change follows a TLS 1.2 hello, so
/// whatever came behind it is judged when its turn comes.
pub(crate) fn client_hello(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
    input: Input<'_>,
    defer: bool,
) -> Result<Final, Error> {
    // What only TLS 1.2 reads is judged now that TLS 1.2 is chosen.
    hello.check_tls12_extensions()?;
    hello::check_extensions(config, hello)?;
    if let Some(resumed) = resume::accept(config, hello, input.message.encoded, input.now)? {
        return Ok(Final::Resumed(resumed));
    }
    if defer {
        // Judged before the application is asked, and again with what it
        // selects. The transcript waits for the suite, which the
        // certificate decides; the request keeps the hello meanwhile.
        hello::check_hello(config, hello)?;
        return Ok(Final::Deferred(Deferred));
    }
    let chosen = hello::choose(config, hello, CertSource::Config)?;
    Ok(Final::Chosen(Flight::new(
        config,
        chosen,
        hello,
        input.message.encoded,
    )))
}

/// A hello's flight, or what it will be built from.
// Returned once per handshake and unpacked at once.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Final {
    Chosen(Flight),
    Deferred(Deferred),
    /// A session ticket was accepted: no certificate, no decision.
    Resumed(ResumedFlight),
}

/// A ClientHello whose certificate is still to be selected. Nothing of
/// it is kept here: the transcript's hash depends on the suite, which the
/// certificate decides, so the hello is hashed once that is chosen.
pub(crate) struct Deferred;

impl Deferred {
    /// The flight to build with what the application selected;
    /// `encoded` is the whole ClientHello message, header and all.
    pub(crate) fn choose(
        self,
        config: &ServerConfig,
        hello: &ClientHello<'_>,
        encoded: &[u8],
        source: CertSource<'_>,
    ) -> Result<Flight, Error> {
        let chosen = hello::choose(config, hello, source)?;
        Ok(Flight::new(config, chosen, hello, encoded))
    }
}

impl Flight {
    /// The flight for `chosen`, its transcript begun with the hello
    /// (`encoded`, header and all). With client authentication the
    /// transcript keeps the messages, which a client's CertificateVerify
    /// signs whole (RFC 5246 §7.4.8).
    fn new(
        config: &ServerConfig,
        chosen: Chosen<Tls12Params>,
        hello: &ClientHello<'_>,
        encoded: &[u8],
    ) -> Self {
        let digest = chosen.params.suite.digest;
        let mut transcript = match config.client_auth {
            Some(_) => Transcript::keeping_messages(digest),
            None => Transcript::new(digest),
        };
        transcript.add(encoded);
        Self {
            chosen,
            transcript,
            takes_ticket: hello.session_ticket().is_some(),
        }
    }

    /// ServerHello through ServerHelloDone (RFC 5246 §7.3), in the clear,
    /// with the staple if any. With a remote key the flight stops before
    /// ServerKeyExchange until the application signs; a local key signs
    /// at once. A step that fails leaves nothing written (the driver rolls
    /// the output back).
    pub(crate) fn send(
        self,
        config: &ServerConfig,
        mut server_random: [u8; RANDOM_LEN],
        staple: Option<&[u8]>,
        ocsp: OcspOutcome,
        now: Option<u64>,
        out: &mut Output,
    ) -> Result<Sent, Error> {
        let Flight {
            chosen,
            mut transcript,
            takes_ticket,
        } = self;
        let params = &chosen.params;
        let rng = &config.rng;
        let (kx, public) = KeyExchange::start(chosen.group, rng)?;
        mark_downgrade(config, &mut server_random);
        let tickets = takes_ticket
            .then(|| TicketPlan::new(config, now, chosen.cert.leaf_sha256()))
            .flatten();
        let ecdh = EcdhParams::new(chosen.group.to_wire(), public.as_ref())?;
        let signed = SignedParams::new(&params.client_random, &server_random, &ecdh);

        // The flight is encoded straight into the output, reserved once,
        // in one record when it fits (it nearly always does).
        let alpn = chosen.alpn.as_deref();
        let record_size_limit = out.record_size_limit_answer(ProtocolVersion::Tls12);
        out.reserve(messages::flight_len_bound(
            chosen.cert.chain(),
            staple,
            alpn,
            chosen.cert.key().max_signature_len(),
        ));
        out.message(&mut transcript, |w| {
            messages::server_hello(
                w,
                &messages::ServerHello {
                    random: &server_random,
                    session_id: &[],
                    suite: params.suite.suite.to_wire(),
                    extended_master_secret: params.extended_master_secret,
                    secure_renegotiation: params.secure_renegotiation,
                    ec_point_formats: params.ec_point_formats,
                    status_request: staple.is_some(),
                    sni_ack: chosen.sni_matched,
                    alpn,
                    session_ticket: tickets.is_some(),
                    record_size_limit,
                },
            )
        })?;
        out.message(&mut transcript, |w| {
            messages::certificate(w, chosen.cert.chain())
        })?;
        if let Some(response) = staple {
            out.message(&mut transcript, |w| {
                messages::certificate_status(w, response)
            })?;
        }

        let pending = AwaitSignature {
            ecdh,
            scheme: chosen.scheme,
            cert: Arc::clone(&chosen.cert),
            next: ExpectClientKeyExchange {
                suite: params.suite,
                kx,
                transcript,
                client_random: params.client_random,
                server_random,
                extended_master_secret: params.extended_master_secret,
                tickets,
                summary: chosen.into_summary(ocsp),
                client: None,
                now,
            },
        };
        let key = pending.cert.key();
        if key.is_remote() {
            // ServerHello, Certificate and the status go out now; the key
            // exchange waits for the application's signature.
            return Ok(Sent::Sign(Box::new(pending)));
        }
        let signature = key.sign(pending.scheme, signed.as_ref(), &config.rng)?;
        pending
            .finish(config, signature.as_ref(), out)
            .map(Sent::Done)
    }
}

/// What the server flight came to.
pub(crate) enum Sent {
    /// All of it is out.
    Done(State),
    /// It waits for a remote key's signature.
    Sign(Box<AwaitSignature>),
}

/// The flight is out up to the certificate (and its status);
/// ServerKeyExchange waits for a signature by a key the application
/// holds.
///
/// What is signed is not kept: it is made again from the randoms and the
/// parameters.
pub(crate) struct AwaitSignature {
    ecdh: EcdhParams,
    scheme: SignatureScheme,
    cert: Arc<CertifiedKey>,
    next: ExpectClientKeyExchange,
}

impl AwaitSignature {
    /// The scheme to sign with.
    pub(crate) fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    /// The exact bytes to sign: the randoms and the ECDH parameters (RFC
    /// 8422 §5.4).
    pub(crate) fn message(&self) -> SignedParams {
        SignedParams::new(
            &self.next.client_random,
            &self.next.server_random,
            &self.ecdh,
        )
    }

    /// The key the signature must verify with.
    pub(crate) fn cert(&self) -> &Arc<CertifiedKey> {
        &self.cert
    }

    /// ServerKeyExchange with `signature`, checked first with the
    /// certificate's public key (a wrong one is never sent), then
    /// ServerHelloDone.
    pub(crate) fn finish_remote(
        self,
        config: &ServerConfig,
        signature: &[u8],
        out: &mut Output,
    ) -> Result<State, Error> {
        let signed = self.message();
        self.cert
            .key()
            .verify(self.scheme, signed.as_ref(), signature)?;
        self.finish(config, signature, out)
    }

    /// ServerKeyExchange, [CertificateRequest,] ServerHelloDone.
    fn finish(
        self,
        config: &ServerConfig,
        signature: &[u8],
        out: &mut Output,
    ) -> Result<State, Error> {
        let AwaitSignature {
            ecdh,
            scheme,
            mut next,
            ..
        } = self;
        out.message(&mut next.transcript, |w| {
            messages::server_key_exchange(w, &ecdh, scheme.to_wire(), signature)
        })?;
        if let Some(auth) = &config.client_auth {
            out.message(&mut next.transcript, |w| {
                client_auth::certificate_request(w, auth)
            })?;
        }
        out.message(&mut next.transcript, messages::server_hello_done)?;
        let stage = match config.client_auth {
            Some(_) => Stage::ExpectCertificate(client_auth::ExpectCertificate { next }),
            None => Stage::ExpectClientKeyExchange(next),
        };
        Ok(State::Handshake(Box::new(stage)))
    }
}

impl ExpectClientKeyExchange {
    /// ClientKeyExchange (RFC 8422 §5.7): the client's public key completes
    /// the ECDHE, and the master secret and key block follow (RFC 5246
    /// §8.1, §6.3; RFC 7627 §4 with the hash through this message).
    /// With a client certificate, its CertificateVerify is next.
    fn handle(self, message: HandshakeMessage<'_>) -> Result<Stage, Error> {
        let ExpectClientKeyExchange {
            suite,
            kx,
            mut transcript,
            client_random,
            server_random,
            extended_master_secret,
            tickets,
            summary,
            client,
            now: _,
        } = self;
        let point = messages::parse_client_key_exchange(message.body)?;
        let shared = kx.complete(point)?;
        transcript.add(message.encoded);
        let client_finished_hash = transcript.current_hash();
        let master = if extended_master_secret {
            MasterSecret::extended(suite, shared.as_bytes(), &client_finished_hash)
        } else {
            MasterSecret::new(suite, shared.as_bytes(), &client_random, &server_random)
        };
        let keys = master.key_block(&client_random, &server_random);
        let next = ExpectChangeCipherSpec {
            master,
            transcript,
            client_finished_hash,
            keys,
            reply: Reply::Finish { tickets },
            summary,
        };
        Ok(match client {
            Some(client) => Stage::ExpectCertificateVerify(client_auth::ExpectCertificateVerify {
                next,
                client,
            }),
            None => Stage::ExpectChangeCipherSpec(next),
        })
    }
}

impl ExpectFinished {
    /// The client's Finished (RFC 5246 §7.4.9); then, on a full
    /// handshake, the server's [NewSessionTicket,] change_cipher_spec and
    /// Finished.
    fn handle(
        self,
        config: &ServerConfig,
        message: HandshakeMessage<'_>,
        out: &mut Output,
    ) -> Result<State, Error> {
        let ExpectFinished {
            master,
            mut transcript,
            client_finished_hash,
            keys,
            reply,
            summary,
        } = self;
        let verify_data = messages::parse_finished(message.body)?;
        master.check_client_finished(&client_finished_hash, verify_data)?;
        if let Reply::Finish { tickets } = reply {
            transcript.add(message.encoded);
            if let Some(plan) = tickets {
                plan.issue(
                    draw(&config.rng)?,
                    config,
                    &master,
                    &summary,
                    &mut transcript,
                    out,
                )?;
            }
            let encrypter = Tls12Encrypter::new(master.suite(), keys.server()?)?;
            send_finished(&master, &mut transcript, encrypter, out)?;
        }
        out.event(Event::HandshakeComplete(summary));
        Ok(State::Traffic)
    }
}

/// The server's change_cipher_spec, then its Finished (RFC 5246 §7.4.9)
/// over `transcript`, which then covers it too, under `encrypter`.
fn send_finished(
    master: &MasterSecret,
    transcript: &mut Transcript,
    encrypter: Tls12Encrypter,
    out: &mut Output,
) -> Result<(), Error> {
    let finished = messages::finished(&master.server_finished(&transcript.current_hash()));
    transcript.add(&finished);
    // One reservation for both records; the Finished is sealed where it
    // is written.
    out.reserve(CCS_RECORD.len() + finished.len() + encrypter.overhead());
    out.change_cipher_spec()?;
    out.sending_keys(encrypter.into())?;
    out.unhashed_message(|w| {
        let start = w.len();
        w.extend_from_slice(&finished);
        Ok(start..w.len())
    })
}

/// RFC 8446 §4.1.3: a server that speaks TLS 1.3 and negotiates 1.2 says
/// so in the last eight bytes of its random, so that a 1.3 client can tell
/// a downgrade.
fn mark_downgrade(config: &ServerConfig, server_random: &mut [u8; RANDOM_LEN]) {
    if config.tls13 {
        if let Some(tail) = server_random.get_mut(RANDOM_LEN - DOWNGRADE_TLS12.len()..) {
            tail.copy_from_slice(&DOWNGRADE_TLS12);
        }
    }
}
