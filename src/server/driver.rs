//! The driver's side of a connection, below its buffers: where the
//! connection stands, the record and message dispatch, and the pauses for
//! the application's decisions.
//!
//! The version states are data (`tls13::State`, `tls12::State`): the
//! driver hands each one its message and the [`Output`] sink and keeps
//! what it returns. Every ClientHello is parsed here, so that the
//! decisions that follow a hello are made in one place for both versions.

use std::sync::Arc;

use bytes::Bytes;

use crate::codec::{
    Alert, AlertDescription, ClientHello, HandshakeMessage, HandshakeType, HANDSHAKE_HEADER_LEN,
};
use crate::crypto::random::{draw, draw_pair};
use crate::enums::ProtocolVersion;
use crate::error::Error;
use crate::ocsp::OcspOutcome;
use crate::server::client_auth::ClientToJudge;
use crate::server::config::ServerConfig;
use crate::server::events::{CloseReason, Event};
use crate::server::hello;
use crate::server::hello::CertSource;
use crate::server::limits::PeerLimits;
use crate::server::ocsp_event::{judge_answer, OcspRequest};
use crate::server::output::Output;
use crate::server::pause::{
    AwaitSignature, AwaitVerdict, Deferred, FinalHello, Paused, PausedAt, Pending, VersionFlight,
};
use crate::server::request::{
    Answer, ClientAnswer, Liveness, RequestId, Selection, SignAnswer, Ticket,
};
use crate::server::select_event::CertificateSelection;
use crate::server::sign_event::{SignRequest, MAX_TO_SIGN};
use crate::server::sni;
use crate::server::state::{expect, Input};
use crate::server::verify_client_event::VerifyClientRequest;
use crate::server::{tls12, tls13};

/// Everything of a connection but its input buffers, so that a record or
/// message borrowed from those can be handled by `&mut Core`.
pub(crate) struct Core {
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) state: State,
    pub(crate) output: Output,
    /// What the peer may make the connection do without progress.
    pub(crate) limits: PeerLimits,
    /// The liveness of the last completion, for the next request.
    spare_liveness: Option<Liveness>,
    /// When the connection started, if the application said: what session
    /// tickets are issued and checked at.
    pub(crate) now: Option<u64>,
    /// The client closed its write side (TLS 1.3 half-close): what it
    /// sends from now on is ignored (RFC 8446 §6.1).
    pub(crate) peer_closed_write: bool,
}

/// Where the connection stands. Waiting for a ClientHello and the pauses
/// are the driver's; in between, the state is the chosen version's.
// `Paused` is inline on purpose (see its variant).
#[allow(clippy::large_enum_variant)]
pub(crate) enum State {
    ExpectClientHello,
    /// TLS 1.3, after a HelloRetryRequest.
    ExpectRetryHello(Box<tls13::ExpectRetryHello>),
    /// Waiting for the application's answer to a request. Kept inline,
    /// not boxed: a paused connection then holds on the heap only what
    /// the pause itself needs (see tests/handshake_alloc.rs).
    Paused(Paused),
    Tls13(tls13::State),
    Tls12(tls12::State),
    Closed,
}

impl Core {
    pub(crate) fn new(config: Arc<ServerConfig>) -> Self {
        Self {
            config,
            state: State::ExpectClientHello,
            output: Output::default(),
            limits: PeerLimits::default(),
            spare_liveness: None,
            now: None,
            peer_closed_write: false,
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        matches!(self.state, State::Paused(_))
    }

    pub(crate) fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    pub(crate) fn is_running(&self) -> bool {
        !self.is_paused() && !self.is_closed()
    }

    /// Whether the handshake is done and application data may flow.
    pub(crate) fn in_traffic(&self) -> bool {
        match &self.state {
            State::Tls13(state) => state.is_traffic(),
            State::Tls12(state) => state.is_traffic(),
            _ => false,
        }
    }

    /// The state's name, for `Debug`.
    pub(crate) fn state_name(&self) -> &'static str {
        match &self.state {
            State::ExpectClientHello => "ExpectClientHello",
            State::ExpectRetryHello(_) => "ExpectRetryHello",
            State::Paused(paused) => match paused.at {
                PausedAt::Selection(_) => "AwaitingCertificateSelection",
                PausedAt::Ocsp(_) => "AwaitingOcsp",
                PausedAt::Signing(_) => "AwaitingSignature",
                PausedAt::ClientVerification(_) => "AwaitingClientVerification",
            },
            State::Tls13(state) => state.name(),
            State::Tls12(state) => state.name(),
            State::Closed => "Closed",
        }
    }

    /// Closes the connection after a fatal error: the partial flight was
    /// already dropped by the failing step; one alert is queued (none in
    /// answer to the peer's alert), then the Closed event.
    pub(crate) fn fail(&mut self, error: Error) -> Error {
        let alert = match &error {
            Error::AlertReceived(_) => None,
            e => Some(AlertDescription::from(e)),
        };
        if let Some(description) = alert {
            let _ = self.output.alert(Alert::fatal(description));
        }
        self.state = State::Closed;
        let reason = match &error {
            Error::AlertReceived(a) => CloseReason::PeerAlert(*a),
            e => CloseReason::Error {
                error: e.clone(),
                alert,
            },
        };
        self.output.event(Event::Closed(reason));
        error
    }

    /// Sends close_notify and closes.
    pub(crate) fn close(&mut self, reason: CloseReason) {
        let _ = self.output.alert(Alert::close_notify());
        self.state = State::Closed;
        self.output.event(Event::Closed(reason));
    }

    /// Runs one step of a state against the output sink: what it writes
    /// is kept only if it succeeds (see [`Output::begin`]).
    pub(crate) fn step<T>(
        &mut self,
        f: impl FnOnce(&ServerConfig, &mut Output) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.output.begin();
        let result = f(&self.config, &mut self.output);
        let result = result.and_then(|next| Ok((next, self.output.commit()?)));
        match result {
            Ok((next, early_data)) => {
                if let Some(mode) = early_data {
                    self.limits.early_data = mode;
                }
                Ok(next)
            }
            Err(e) => {
                self.output.rollback();
                Err(e)
            }
        }
    }

    /// Handles one handshake message. `followed` says whether more
    /// handshake bytes came behind it in the same record (see [`Input`]).
    pub(crate) fn handle_message(
        &mut self,
        message: HandshakeMessage<'_>,
        followed: bool,
    ) -> Result<(), Error> {
        self.limits.progress();
        let input = Input {
            message,
            followed,
            now: self.now,
        };
        match core::mem::replace(&mut self.state, State::Closed) {
            State::ExpectClientHello => {
                expect(&message, HandshakeType::ClientHello)?;
                let hello = ClientHello::parse(message.body)?;
                let defer = self.config.certificate_events;
                let version = hello::choose_version(&self.config, &hello)?;
                self.limit_records(&hello, version)?;
                match version {
                    ProtocolVersion::Tls13 => {
                        let after = self.step(|config, out| {
                            tls13::client_hello(config, &hello, input, defer, out)
                        })?;
                        match after {
                            tls13::AfterHello::Retry(retry) => {
                                self.state = State::ExpectRetryHello(retry);
                                Ok(())
                            }
                            tls13::AfterHello::Final(last) => {
                                self.final_hello(&hello, message, FinalHello::Tls13(last))
                            }
                        }
                    }
                    ProtocolVersion::Tls12 => {
                        let last = tls12::client_hello(&self.config, &hello, input, defer)?;
                        self.final_hello(&hello, message, FinalHello::Tls12(last))
                    }
                }
            }
            State::ExpectRetryHello(retry) => {
                expect(&message, HandshakeType::ClientHello)?;
                let hello = ClientHello::parse(message.body)?;
                let defer = self.config.certificate_events;
                self.limit_records(&hello, ProtocolVersion::Tls13)?;
                let last =
                    self.step(|config, out| retry.second_hello(config, &hello, input, defer, out))?;
                self.final_hello(&hello, message, FinalHello::Tls13(last))
            }
            State::Tls13(state) => {
                if message.typ == HandshakeType::KeyUpdate {
                    self.limits.key_update()?;
                }
                let mut next = self.step(|config, out| state.handle(config, input, out))?;
                match next.take_client_to_judge() {
                    Some(client) => self.raise_verify_client(AwaitVerdict::Tls13(next), client),
                    None => {
                        self.state = State::Tls13(next);
                        Ok(())
                    }
                }
            }
            State::Tls12(state) => {
                let mut next = self.step(|config, out| state.handle(config, input, out))?;
                match next.take_client_to_judge() {
                    Some(client) => self.raise_verify_client(AwaitVerdict::Tls12(next), client),
                    None => {
                        self.state = State::Tls12(next);
                        Ok(())
                    }
                }
            }
            paused @ State::Paused(_) => {
                // `process` does not hand messages over while paused.
                self.state = paused;
                Ok(())
            }
            State::Closed => Ok(()),
        }
    }

    /// Holds the records sent to the client to its record_size_limit, if
    /// it sent one (RFC 8449): a later ClientHello (after a
    /// HelloRetryRequest) has the last word, as nothing protected was
    /// sent before it.
    fn limit_records(
        &mut self,
        hello: &ClientHello<'_>,
        version: ProtocolVersion,
    ) -> Result<(), Error> {
        if let Some(limit) = hello::record_size_limit(hello)? {
            self.output.limit_records(version, limit);
        }
        Ok(())
    }

    /// The final ClientHello is in: with certificate events, ask the
    /// application what serves it, and pause; else on to the OCSP event
    /// or the flight.
    // Inlined, as is `after_hello`, into `handle_message`: the flight they
    // hand on (some 500 bytes) is then not copied into a frame of each on
    // its way, through stack the x25519 key generation's table shares the
    // cache with.
    #[inline(always)]
    fn final_hello(
        &mut self,
        hello: &ClientHello<'_>,
        message: HandshakeMessage<'_>,
        last: FinalHello,
    ) -> Result<(), Error> {
        let deferred = match last {
            FinalHello::Tls13(tls13::Final::Chosen(flight)) => {
                return self.after_hello(hello, VersionFlight::Tls13(flight))
            }
            FinalHello::Tls12(tls12::Final::Chosen(flight)) => {
                return self.after_hello(hello, VersionFlight::Tls12(flight))
            }
            FinalHello::Tls13(tls13::Final::Resumed(flight)) => return self.send_resumed(flight),
            FinalHello::Tls12(tls12::Final::Resumed(flight)) => {
                // As in TLS 1.3: no certificate, so no decision and no event.
                self.state = State::Tls12(self.step(|config, out| flight.send(config, out))?);
                return Ok(());
            }
            FinalHello::Tls13(tls13::Final::Deferred(d)) => Deferred::Tls13(d),
            FinalHello::Tls12(tls12::Final::Deferred(d)) => Deferred::Tls12(d),
        };
        let version = match deferred {
            Deferred::Tls13(_) => ProtocolVersion::Tls13,
            Deferred::Tls12(_) => ProtocolVersion::Tls12,
        };
        let server_name = sni::server_name(hello)?;
        let ticket = self.ticket()?;
        self.state = State::Paused(Paused::for_request(&ticket, PausedAt::Selection(deferred)));
        self.output
            .event(Event::SelectCertificate(CertificateSelection {
                ticket,
                hello: Bytes::copy_from_slice(message.encoded),
                version,
                server_name,
            }));
        Ok(())
    }

    /// The flight of a resumed session: no certificate, so no decision
    /// and no event before it (Node's rule: a resumed session raises no
    /// OCSPRequest).
    fn send_resumed(&mut self, flight: tls13::ResumedFlight) -> Result<(), Error> {
        let random = draw(&self.config.rng)?;
        let now = self.now;
        self.state = State::Tls13(self.step(|config, out| flight.send(config, &random, now, out))?);
        Ok(())
    }

    /// A new request's identity, and the liveness it shares with the
    /// paused handshake: one allocation per connection, whatever the
    /// number of pauses, since each completion hands it back.
    fn ticket(&mut self) -> Result<Ticket, Error> {
        let id = draw(&self.config.rng)?;
        let alive = self.spare_liveness.take().unwrap_or_default();
        Ok(Ticket {
            id: RequestId(id),
            alive,
        })
    }

    /// Keeps a completion's liveness for the next request.
    pub(crate) fn reuse_liveness(&mut self, alive: Liveness) {
        self.spare_liveness = Some(alive);
    }

    /// The final ClientHello is in, and the certificate chosen: raise the
    /// OCSP event and pause, or go straight on to the server flight.
    ///
    /// The event is the same in both versions, and comes before ServerHello
    /// in both, so that nothing is written while the handshake waits.
    // See `final_hello`.
    #[inline(always)]
    fn after_hello(&mut self, hello: &ClientHello<'_>, flight: VersionFlight) -> Result<(), Error> {
        let ocsp = hello.status_request().and_then(|sr| sr.ocsp());
        let raise = ocsp.is_some() && self.config.ocsp_events;
        // ServerHello.random and the request's id (if an event is raised),
        // in one call to the system RNG.
        let (random, id) = draw_pair::<32, 16>(&self.config.rng)?;
        let mut pending = Pending { random, flight };
        match ocsp {
            Some(request) if raise => {
                let alive = self.spare_liveness.take().unwrap_or_default();
                let event = OcspRequest {
                    ticket: Ticket {
                        id: RequestId(id),
                        alive,
                    },
                    cert: Arc::clone(pending.cert()),
                    server_name: pending.server_name_mut().take(),
                    responder_ids: request
                        .responder_ids()
                        .map(Bytes::copy_from_slice)
                        .collect(),
                    request_extensions: Bytes::copy_from_slice(request.raw_request_extensions()),
                };
                self.state =
                    State::Paused(Paused::for_request(&event.ticket, PausedAt::Ocsp(pending)));
                self.output.event(Event::OcspRequest(event));
                Ok(())
            }
            _ => self.send_flight(pending, None, OcspOutcome::NotRequested),
        }
    }

    /// Goes on from a pause with the application's answer. `now` is the
    /// time the answer's checks are made at.
    pub(crate) fn resume(&mut self, at: PausedAt, answer: Answer, now: u64) -> Result<(), Error> {
        match (at, answer) {
            (
                PausedAt::Selection(deferred),
                Answer::Selection {
                    selection,
                    hello,
                    server_name,
                },
            ) => self.resume_selection(deferred, selection, &hello, server_name),
            (
                PausedAt::Ocsp(mut pending),
                Answer::Ocsp {
                    answer,
                    server_name,
                },
            ) => {
                *pending.server_name_mut() = server_name;
                let (staple, outcome) = judge_answer(
                    &self.config,
                    (pending.cert(), pending.version()),
                    answer,
                    now,
                )?;
                self.send_flight(pending, staple.as_deref(), outcome)
            }
            (PausedAt::Signing(waiting), Answer::Signature(answer)) => {
                let signature = match answer {
                    SignAnswer::Signature(signature) => signature,
                    SignAnswer::Abort(reason) => return Err(Error::SigningAborted(reason)),
                };
                self.state = match waiting {
                    AwaitSignature::Tls13(w) => State::Tls13(
                        self.step(|config, out| w.finish_remote(config, &signature, out))?,
                    ),
                    AwaitSignature::Tls12(w) => State::Tls12(
                        self.step(|config, out| w.finish_remote(config, &signature, out))?,
                    ),
                };
                Ok(())
            }
            (PausedAt::ClientVerification(waiting), Answer::ClientVerification(answer)) => {
                let client = match answer {
                    ClientAnswer::Accept(client) => client,
                    ClientAnswer::Reject(alert, reason) => {
                        return Err(Error::ClientRejected { alert, reason })
                    }
                    ClientAnswer::Abort(reason) => {
                        return Err(Error::ClientVerificationAborted(reason))
                    }
                };
                self.state = match waiting {
                    AwaitVerdict::Tls13(state) => State::Tls13(state.client_accepted(client)?),
                    AwaitVerdict::Tls12(state) => State::Tls12(state.client_accepted(client)?),
                };
                Ok(())
            }
            // A completion of another kind never carries this pause's id.
            _ => Err(Error::Internal(
                "a completion of another kind with this pause's id",
            )),
        }
    }

    /// Chooses again with what the application selected, then goes on as
    /// after any final hello. `encoded` is the ClientHello message, lent
    /// to the request and handed back.
    fn resume_selection(
        &mut self,
        deferred: Deferred,
        selection: Selection,
        encoded: &[u8],
        server_name: Option<Box<str>>,
    ) -> Result<(), Error> {
        let body = encoded
            .get(HANDSHAKE_HEADER_LEN..)
            .ok_or(Error::Internal("a ClientHello without its header"))?;
        let hello = ClientHello::parse(body)?;
        let selected;
        let cert = match selection {
            Selection::Abort(alert, reason) => {
                return Err(Error::SelectionAborted {
                    alert: alert.into(),
                    reason,
                })
            }
            Selection::Certificate(cert) => {
                selected = cert;
                Some(&selected)
            }
            Selection::Config(config) => {
                self.config = config;
                None
            }
            Selection::Default => None,
        };
        let source = CertSource::Selected { cert, server_name };
        let config = &self.config;
        let flight = match deferred {
            Deferred::Tls13(d) if config.speaks(ProtocolVersion::Tls13) => {
                VersionFlight::Tls13(d.choose(config, &hello, source)?)
            }
            Deferred::Tls12(d) if config.speaks(ProtocolVersion::Tls12) => {
                VersionFlight::Tls12(d.choose(config, &hello, encoded, source)?)
            }
            _ => {
                return Err(Error::SelectionUnusable(
                    "the selected configuration does not speak the version chosen",
                ))
            }
        };
        self.after_hello(&hello, flight)
    }

    /// The server flight of the chosen version, with the staple if any.
    pub(crate) fn send_flight(
        &mut self,
        pending: Pending,
        staple: Option<&[u8]>,
        ocsp: OcspOutcome,
    ) -> Result<(), Error> {
        let Pending { random, flight } = pending;
        let waiting = match flight {
            VersionFlight::Tls13(flight) => {
                let now = self.now;
                match self
                    .step(|config, out| flight.send(config, &random, staple, ocsp, now, out))?
                {
                    tls13::Sent::Done(state) => {
                        self.state = State::Tls13(state);
                        return Ok(());
                    }
                    tls13::Sent::Sign(waiting) => AwaitSignature::Tls13(waiting),
                }
            }
            VersionFlight::Tls12(flight) => {
                let now = self.now;
                match self
                    .step(|config, out| flight.send(config, random, staple, ocsp, now, out))?
                {
                    tls12::Sent::Done(state) => {
                        self.state = State::Tls12(state);
                        return Ok(());
                    }
                    tls12::Sent::Sign(waiting) => AwaitSignature::Tls12(waiting),
                }
            }
        };
        self.raise_sign_request(waiting)
    }

    /// Asks the application for its verdict on the client's certificate,
    /// and pauses: the client's Finished (and in TLS 1.2 its
    /// change_cipher_spec) stays buffered until the answer.
    fn raise_verify_client(
        &mut self,
        waiting: AwaitVerdict,
        judged: ClientToJudge,
    ) -> Result<(), Error> {
        let version = match waiting {
            AwaitVerdict::Tls13(_) => ProtocolVersion::Tls13,
            AwaitVerdict::Tls12(_) => ProtocolVersion::Tls12,
        };
        let ClientToJudge {
            client,
            leaf,
            server_name,
            alpn_protocol,
        } = judged;
        let request = VerifyClientRequest {
            ticket: self.ticket()?,
            client,
            leaf,
            version,
            server_name,
            alpn_protocol,
        };
        self.state = State::Paused(Paused::for_request(
            &request.ticket,
            PausedAt::ClientVerification(waiting),
        ));
        self.output.event(Event::VerifyClient(request));
        Ok(())
    }

    /// Asks the application to sign for a remote key, and pauses.
    fn raise_sign_request(&mut self, waiting: AwaitSignature) -> Result<(), Error> {
        let mut inline = [0; MAX_TO_SIGN];
        let mut copy = |message: &[u8]| -> Result<usize, Error> {
            inline
                .get_mut(..message.len())
                .ok_or(Error::Internal("more to sign than MAX_TO_SIGN"))?
                .copy_from_slice(message);
            Ok(message.len())
        };
        let (version, scheme, message_len, cert) = match &waiting {
            AwaitSignature::Tls13(w) => (
                ProtocolVersion::Tls13,
                w.scheme(),
                copy(w.message().as_ref())?,
                w.cert(),
            ),
            AwaitSignature::Tls12(w) => (
                ProtocolVersion::Tls12,
                w.scheme(),
                copy(w.message().as_ref())?,
                w.cert(),
            ),
        };
        let request = SignRequest {
            ticket: self.ticket()?,
            scheme,
            version,
            cert: Arc::clone(cert),
            message: inline,
            message_len,
        };
        self.state = State::Paused(Paused::for_request(
            &request.ticket,
            PausedAt::Signing(waiting),
        ));
        self.output.event(Event::SignRequest(request));
        Ok(())
    }
}
