//! The TLS 1.3 server handshake (RFC 8446): HelloRetryRequest, the server
//! flight with the OCSP staple in the leaf's CertificateEntry (§4.4.2.1),
//! the client's Finished, and KeyUpdate once the handshake is done.
//!
//! ```text
//! ClientHello            ──▶  [HelloRetryRequest ◀──, ExpectRetryHello,
//!                             ClientHello ──▶]
//!                             (OcspRequest event, pause)
//!                        ◀──  ServerHello, [change_cipher_spec],
//!                             {EncryptedExtensions, Certificate,
//!                              CertificateVerify, Finished}
//! {Finished}             ──▶  ExpectFinished
//! [application data]     ◀─▶  Traffic ({KeyUpdate} either way)
//! ```
//!
//! Sessions resume from the tickets sent after the handshake (`resume.rs`,
//! `tickets.rs`); the retry and the second hello are in `retry.rs`.
//! A change_cipher_spec from the client is dropped while the handshake
//! runs (the middlebox-compatibility mode of Appendix D.4).
//!
//! The states are data: each step consumes its state, writes to the
//! [`Output`] sink and returns what comes next. The driver in
//! `connection.rs` owns the buffers, the record layer and the pauses for
//! the application's decisions; it never sees inside a state.

mod client_auth;
pub(crate) mod messages;
mod resume;
mod retry;
mod tickets;

pub(crate) use resume::ResumedFlight;
pub use resume::{MAX_PSK_IDENTITIES, MAX_TICKET_AGE_SKEW};
pub(crate) use retry::ExpectRetryHello;
use retry::RetryPins;

use std::sync::Arc;

use ring::digest::Digest;

use crate::codec::{ClientHello, HandshakeMessage, HandshakeType};
use crate::crypto::key_schedule::{
    Application, ApplicationSecrets, EarlySecret, HandshakeSecrets, TrafficSecret,
};
use crate::crypto::record_protection::{RecordDecrypter, RecordEncrypter};
use crate::crypto::signing::{CertificateVerifyMessage, SignatureScheme};
use crate::crypto::transcript::Transcript;
use crate::enums::NamedGroup;
use crate::enums::ProtocolVersion;
use crate::error::{Error, Field, InvalidMessage, PeerMisbehaved};
use crate::ocsp::OcspOutcome;
use crate::pki::VerifiedClient;
use crate::server::client_auth::ClientToJudge;
use crate::server::config::{CertifiedKey, ServerConfig};
use crate::server::events::{Event, HandshakeSummary};
use crate::server::hello::{self, CertSource, Chosen, KxFixed, PskModes, Tls13Params};
use crate::server::limits::EarlyData;
use crate::server::output::Output;
use crate::server::state::{expect, Input};
use tickets::TicketPlan;

/// Where a TLS 1.3 connection stands once its server flight is out. The
/// states that wait for a ClientHello are the driver's, which parses
/// every hello and makes the decisions that follow one.
pub(crate) enum State {
    /// With client authentication: the client's Certificate, then its
    /// CertificateVerify (`client_auth.rs`).
    ExpectCertificate(Box<client_auth::ExpectCertificate>),
    ExpectCertificateVerify(Box<client_auth::ExpectCertificateVerify>),
    /// Paused for the application's verdict on the client's certificate;
    /// the driver holds it and hands no message over.
    AwaitClientVerdict(Box<client_auth::AwaitClientVerdict>),
    ExpectFinished(Box<ExpectFinished>),
    Traffic(Box<Traffic>),
}

/// A hello that needs no retry: the flight to build, or, while the
/// application selects the certificate, what it will be built from.
// Returned once per handshake and unpacked at once: boxing a variant would
// cost an allocation for nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Final {
    Chosen(Flight),
    Deferred(Deferred),
    /// A session ticket was accepted: no certificate, no decision.
    Resumed(ResumedFlight),
}

/// A final ClientHello whose certificate is still to be selected.
pub(crate) struct Deferred {
    transcript: Transcript,
    /// After a retry, what the selected configuration must keep.
    retry: Option<RetryPins>,
}

/// What the first ClientHello leads to.
// Returned once per handshake and unpacked at once: boxing the flight
// would cost an allocation for nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum AfterHello {
    /// A HelloRetryRequest went out; a second ClientHello is next.
    Retry(Box<ExpectRetryHello>),
    /// The hello is final.
    Final(Final),
}

/// The final ClientHello is in; the server flight is built from this.
pub(crate) struct Flight {
    pub(crate) chosen: Chosen<Tls13Params>,
    transcript: Transcript,
}

/// The server flight is out; the client's Finished is next.
pub(crate) struct ExpectFinished {
    secrets: ApplicationSecrets,
    /// What the client's Finished is checked against:
    /// `Transcript-Hash(ClientHello..server Finished)`, and with client
    /// authentication on through the client's Certificate and
    /// CertificateVerify.
    finished_hash: Digest,
    summary: HandshakeSummary,
    /// The tickets to issue after the client's Finished, if any.
    tickets: Option<TicketPlan>,
}

/// Handshake done: the current traffic secrets, for KeyUpdate.
pub(crate) struct Traffic {
    client: TrafficSecret<Application>,
    server: TrafficSecret<Application>,
}

impl State {
    /// The state's name, for `Debug`.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::ExpectCertificate(_) => "ExpectCertificate",
            Self::ExpectCertificateVerify(_) => "ExpectCertificateVerify",
            Self::AwaitClientVerdict(_) => "AwaitingClientVerification",
            Self::ExpectFinished(_) => "ExpectFinished",
            Self::Traffic(_) => "Traffic",
        }
    }

    /// Whether the handshake is done.
    pub(crate) fn is_traffic(&self) -> bool {
        matches!(self, Self::Traffic(_))
    }

    /// The client to be judged, when this state awaits the application's
    /// verdict (once: the request takes it).
    pub(crate) fn take_client_to_judge(&mut self) -> Option<ClientToJudge> {
        match self {
            Self::AwaitClientVerdict(waiting) => waiting.take_client(),
            _ => None,
        }
    }

    /// The application accepted the client it was asked about.
    pub(crate) fn client_accepted(self, client: VerifiedClient) -> Result<State, Error> {
        match self {
            Self::AwaitClientVerdict(waiting) => Ok(waiting.accept(client)),
            _ => Err(Error::Internal("a client verdict where none was awaited")),
        }
    }

    /// One handshake message.
    pub(crate) fn handle(
        self,
        config: &ServerConfig,
        input: Input<'_>,
        out: &mut Output,
    ) -> Result<State, Error> {
        match self {
            Self::ExpectCertificate(expecting) => {
                expect(&input.message, HandshakeType::Certificate)?;
                expecting.handle(config, input.message)
            }
            Self::ExpectCertificateVerify(expecting) => {
                expect(&input.message, HandshakeType::CertificateVerify)?;
                expecting.handle(config, input.message)
            }
            Self::AwaitClientVerdict(_) => Err(Error::Internal(
                "a message handed over while a client verdict is awaited",
            )),
            Self::ExpectFinished(expecting) => {
                expect(&input.message, HandshakeType::Finished)?;
                record_ends_here(input.followed)?;
                expecting.handle(config, input.message, out)
            }
            Self::Traffic(traffic) => {
                expect(&input.message, HandshakeType::KeyUpdate)?;
                record_ends_here(input.followed)?;
                traffic.handle(input.message, out)
            }
        }
    }
}

/// Refuses a message after which the client's keys change if more
/// handshake bytes came behind it in the same record: "Handshake messages
/// MUST NOT span key changes" (RFC 8446 §5.1). `followed` says whether
/// they did; the check comes before the message is acted on, so that no
/// flight, key or event comes of it.
fn record_ends_here(followed: bool) -> Result<(), Error> {
    if followed {
        Err(PeerMisbehaved::MessageSpansKeyChange.into())
    } else {
        Ok(())
    }
}

/// The first ClientHello, once TLS 1.3 is the version: a
/// HelloRetryRequest when no usable share came, else the final hello.
/// With `defer`, the certificate is left for the application to select:
/// only the key exchange is chosen now, which is all a retry depends on.
pub(crate) fn client_hello(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
    input: Input<'_>,
    defer: bool,
    out: &mut Output,
) -> Result<AfterHello, Error> {
    if let Some(resumed) = try_resume(config, hello, input, None)? {
        // 0-RTT data is never accepted, resumed or not (§4.2.10).
        if hello.early_data() {
            out.early_data(EarlyData::TrialDecrypt);
        }
        return Ok(AfterHello::Final(Final::Resumed(resumed)));
    }
    let (chosen, kx) = if defer {
        (None, hello::choose_key_exchange(config, hello)?.fixed())
    } else {
        let chosen = hello::choose(config, hello, CertSource::Config)?;
        let kx = KxFixed::of(&chosen);
        (Some(chosen), kx)
    };
    let mut transcript = Transcript::new(kx.suite.digest);
    transcript.add(input.message.encoded);
    // Early data is never accepted: EncryptedExtensions carries no
    // early_data, and the 0-RTT records behind the hello are skipped (RFC
    // 8446 §4.2.10): passed over until the second ClientHello after a
    // retry, else tried with the handshake key.
    if !kx.has_share {
        if hello.early_data() {
            out.early_data(EarlyData::SkipUntilHello);
        }
        // No key change: the client waits for the retry.
        return retry::send_hello_retry(&kx, hello, transcript, out);
    }
    if hello.early_data() {
        out.early_data(EarlyData::TrialDecrypt);
    }
    record_ends_here(input.followed)?;
    Ok(AfterHello::Final(match chosen {
        Some(chosen) => Final::Chosen(Flight { chosen, transcript }),
        None => Final::Deferred(Deferred {
            transcript,
            retry: None,
        }),
    }))
}

/// The flight of a hello that resumes a session, if it does: its key
/// exchange chosen as for any hello (it needs a share; without one the
/// full path sends the HelloRetryRequest and the second hello tries
/// again), and a ticket accepted. After a retry, `retry` is the
/// transcript before this hello and what the retry fixed.
fn try_resume(
    config: &ServerConfig,
    hello: &ClientHello<'_>,
    input: Input<'_>,
    retry: Option<(&Transcript, RetryPins)>,
) -> Result<Option<ResumedFlight>, Error> {
    if hello.pre_shared_key().is_none() || input.now.is_none() {
        return Ok(None);
    }
    let psk_ke = PskModes::of(hello).psk_ke(config.resumption.psk_ke);
    let (suite, dhe) = match hello::choose_key_exchange(config, hello) {
        Ok(kx) => {
            if let Some((_, pins)) = retry {
                pins.check(&kx.fixed())
                    .map_err(|()| PeerMisbehaved::RetryChangedHello)?;
            }
            match (kx.share, psk_ke) {
                (_, true) => (kx.suite, None),
                (Some(share), false) => (kx.suite, Some((kx.group, share))),
                // Without a share, the full path asks for one, and the
                // second hello tries again.
                (None, false) => return Ok(None),
            }
        }
        // psk_ke needs no (EC)DHE, nor its extensions (§9.2): a hello
        // without them may still resume, and if it does not, the full
        // path refuses it as it would have.
        Err(PeerMisbehaved::Missing(_)) if psk_ke && retry.is_none() => {
            match hello::choose_psk_suite(config, hello) {
                Some(suite) => (suite, None),
                None => return Ok(None),
            }
        }
        Err(other) => return Err(other.into()),
    };
    let before = retry.map(|(transcript, _)| transcript);
    let Some(accepted) = resume::accept(
        config,
        hello,
        input.message.encoded,
        input.now,
        suite,
        before,
    )?
    else {
        return Ok(None);
    };
    record_ends_here(input.followed)?;
    let ccs_sent = retry.map(|(_, pins)| pins.ccs_sent);
    Ok(Some(ResumedFlight::new(
        suite, dhe, hello, accepted, ccs_sent,
    )))
}

/// Sends the middlebox-compatibility change_cipher_spec once, after the
/// first server message, when the client sent a legacy session id (RFC
/// 8446 Appendix D.4). Returns whether it has been sent.
pub(super) fn send_compat_ccs(
    sent: bool,
    session_id: &[u8],
    out: &mut Output,
) -> Result<bool, Error> {
    if sent || session_id.is_empty() {
        return Ok(sent);
    }
    out.change_cipher_spec()?;
    Ok(true)
}

impl Deferred {
    /// The flight to build, once the application has selected the
    /// certificate (or the whole configuration): the choices are made
    /// again against what it selected. After a retry, a selected
    /// configuration that would not keep the retry's suite and group
    /// cannot serve this client.
    pub(crate) fn choose(
        self,
        config: &ServerConfig,
        hello: &ClientHello<'_>,
        source: CertSource<'_>,
    ) -> Result<Flight, Error> {
        let chosen = hello::choose(config, hello, source)?;
        Ok(match self.retry {
            None => Flight {
                chosen,
                transcript: self.transcript,
            },
            Some(pins) => {
                pins.check(&KxFixed::of(&chosen))
                    .map_err(|()| Error::SelectionUnusable(RETRY_NOT_KEPT))?;
                Flight::after_retry(chosen, self.transcript, pins)
            }
        })
    }
}

/// Why a configuration selected after a retry is refused.
const RETRY_NOT_KEPT: &str =
    "the selected configuration does not keep the suite and group of the HelloRetryRequest";

impl Flight {
    fn after_retry(
        mut chosen: Chosen<Tls13Params>,
        transcript: Transcript,
        pins: RetryPins,
    ) -> Self {
        chosen.params.hello_retry = true;
        chosen.params.ccs_sent = pins.ccs_sent;
        Self { chosen, transcript }
    }

    /// ServerHello through Finished (RFC 8446 §4.1.3 to §4.4.4), with the
    /// staple if any; `random` is ServerHello.random.
    pub(crate) fn send(
        self,
        config: &ServerConfig,
        random: &[u8; 32],
        staple: Option<&[u8]>,
        ocsp: OcspOutcome,
        now: Option<u64>,
        out: &mut Output,
    ) -> Result<Sent, Error> {
        let Flight {
            mut chosen,
            mut transcript,
        } = self;
        let rng = &config.rng;
        // A flight is only made from a hello with a usable share.
        let share = (chosen.params.share.take())
            .ok_or(Error::Internal("a flight without the client's share"))?;
        let (public, shared) = share.respond(chosen.group, rng)?;
        let params = &chosen.params;
        let session_id = params.session_id.as_bytes()?;
        let alpn = chosen.alpn.as_deref();
        let groups: &[NamedGroup] = if params.advertise_groups {
            &config.groups
        } else {
            &[]
        };
        // The whole flight is encoded straight into the output, reserved
        // once (with room for the tickets after the client's Finished), and
        // the protected part encrypted where it lies.
        let flight_len = messages::first_flight_len_bound(
            public.as_bytes().len(),
            chosen.cert.chain(),
            staple,
            alpn,
            groups,
            chosen.cert.key().max_signature_len(),
        );
        tickets::reserve_flight(out, config, flight_len, chosen.server_name.as_deref(), alpn);
        out.message(&mut transcript, |w| {
            messages::server_hello(
                w,
                &messages::ServerHello {
                    random,
                    session_id,
                    suite: params.suite.suite.to_wire(),
                    key_share: messages::KeyShareField::Share {
                        group: chosen.group.to_wire(),
                        share: public.as_bytes(),
                    },
                    psk: None,
                },
            )
        })?;
        send_compat_ccs(params.ccs_sent, session_id, out)?;

        let handshake = EarlySecret::new(params.suite)?
            .into_handshake(shared.as_bytes(), &transcript.current_hash())?;
        out.sending_keys(RecordEncrypter::new(handshake.server())?.into())?;
        let record_size_limit = out.record_size_limit_answer(ProtocolVersion::Tls13);
        out.message(&mut transcript, |w| {
            messages::encrypted_extensions(w, alpn, chosen.sni_matched, groups, record_size_limit)
        })?;
        if let Some(auth) = &config.client_auth {
            out.message(&mut transcript, |w| {
                client_auth::certificate_request(w, auth)
            })?;
        }
        out.message(&mut transcript, |w| {
            messages::certificate(w, chosen.cert.chain(), staple)
        })?;
        let to_sign = CertificateVerifyMessage::new(&transcript.current_hash());
        let pending = AwaitSignature {
            scheme: chosen.scheme,
            cert: Arc::clone(&chosen.cert),
            handshake,
            transcript,
            tickets: (chosen.params.psk_modes, now),
            summary: chosen.into_summary(ocsp),
        };
        let key = pending.cert.key();
        if key.is_remote() {
            // Everything up to the certificate goes out now; the rest
            // waits for the application's signature.
            return Ok(Sent::Sign(Box::new(pending)));
        }
        let signature = key.sign(pending.scheme, to_sign.as_ref(), rng)?;
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

/// The flight is out up to the Certificate; CertificateVerify waits for
/// a signature by a key the application holds.
///
/// What is signed is not kept: it is made again from the transcript, which
/// holds nothing newer than the Certificate until the signature comes.
pub(crate) struct AwaitSignature {
    scheme: SignatureScheme,
    cert: Arc<CertifiedKey>,
    handshake: HandshakeSecrets,
    transcript: Transcript,
    /// What decides the tickets: the client's PSK modes, the time.
    tickets: (PskModes, Option<u64>),
    summary: HandshakeSummary,
}

impl AwaitSignature {
    /// The scheme to sign with.
    pub(crate) fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    /// The exact bytes to sign: the CertificateVerify content (RFC 8446
    /// §4.4.3).
    pub(crate) fn message(&self) -> CertificateVerifyMessage {
        CertificateVerifyMessage::new(&self.transcript.current_hash())
    }

    /// The key the signature must verify with.
    pub(crate) fn cert(&self) -> &Arc<CertifiedKey> {
        &self.cert
    }

    /// CertificateVerify with `signature`, then Finished; the keys change.
    /// A remote key's signature is checked with the certificate's public
    /// key first: a wrong one is never sent.
    pub(crate) fn finish_remote(
        self,
        config: &ServerConfig,
        signature: &[u8],
        out: &mut Output,
    ) -> Result<State, Error> {
        let to_sign = self.message();
        self.cert
            .key()
            .verify(self.scheme, to_sign.as_ref(), signature)?;
        self.finish(config, signature, out)
    }

    fn finish(
        self,
        config: &ServerConfig,
        signature: &[u8],
        out: &mut Output,
    ) -> Result<State, Error> {
        let AwaitSignature {
            scheme,
            cert,
            handshake,
            mut transcript,
            tickets: (modes, now),
            summary,
        } = self;
        out.message(&mut transcript, |w| {
            messages::certificate_verify(w, scheme.to_wire(), signature)
        })?;
        let verify_data = handshake.server_finished(&transcript.current_hash());
        out.message(&mut transcript, |w| {
            messages::finished(w, verify_data.as_ref())
        })?;

        let server_finished_hash = transcript.current_hash();
        let suite = handshake.suite();
        let tickets = TicketPlan::new(config, now, modes, suite, &transcript, cert.leaf_sha256());
        let decrypter = RecordDecrypter::new(handshake.client())?;
        let secrets = handshake.into_application(&server_finished_hash)?;
        // The flight goes out under the handshake key; what follows under
        // the application key. The client's records stay under its
        // handshake key until its Finished.
        out.sending_keys(RecordEncrypter::new(secrets.server())?.into())?;
        out.receiving_keys(decrypter.into());
        if config.client_auth.is_some() {
            return Ok(State::ExpectCertificate(Box::new(
                client_auth::ExpectCertificate {
                    secrets,
                    transcript,
                    summary,
                    now,
                },
            )));
        }
        Ok(State::ExpectFinished(Box::new(ExpectFinished {
            secrets,
            finished_hash: server_finished_hash,
            summary,
            tickets,
        })))
    }
}

impl ExpectFinished {
    /// The client's Finished (RFC 8446 §4.4.4) ends the handshake; the
    /// session tickets follow, if any.
    fn handle(
        self: Box<Self>,
        config: &ServerConfig,
        message: HandshakeMessage<'_>,
        out: &mut Output,
    ) -> Result<State, Error> {
        let ExpectFinished {
            secrets,
            finished_hash,
            summary,
            tickets,
        } = *self;
        if message.body.len() != finished_hash.as_ref().len() {
            return Err(InvalidMessage::BadLength(Field::Message(HandshakeType::Finished)).into());
        }
        secrets.check_client_finished(&finished_hash, message.body)?;
        out.receiving_keys(RecordDecrypter::new(secrets.client())?.into());
        if let Some(plan) = tickets {
            plan.issue(config, &secrets, message.encoded, &summary, out)?;
        }
        out.event(Event::HandshakeComplete(summary));
        Ok(State::Traffic(Box::new(Traffic {
            client: secrets.client().clone(),
            server: secrets.server().clone(),
        })))
    }
}

impl Traffic {
    /// KeyUpdate (RFC 8446 §4.6.3): take the client's next key, and when
    /// asked, update ours after telling the client.
    fn handle(
        mut self: Box<Self>,
        message: HandshakeMessage<'_>,
        out: &mut Output,
    ) -> Result<State, Error> {
        let update_requested = match message.body {
            [0] => false,
            [1] => true,
            [other] => return Err(PeerMisbehaved::BadKeyUpdate(*other).into()),
            _ => {
                return Err(
                    InvalidMessage::BadLength(Field::Message(HandshakeType::KeyUpdate)).into(),
                )
            }
        };
        self.client = self.client.next()?;
        out.receiving_keys(RecordDecrypter::new(&self.client)?.into());
        if update_requested {
            out.unhashed_message(|w| messages::key_update(w, false))?;
            self.server = self.server.next()?;
            out.sending_keys(RecordEncrypter::new(&self.server)?.into())?;
        }
        Ok(State::Traffic(self))
    }
}
