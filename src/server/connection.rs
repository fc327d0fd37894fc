//! `ServerConnection`: the sans-IO driver of one TLS server connection.
//!
//! The driver is the same for both versions: it frames and unprotects
//! records, reassembles handshake messages, chooses the version from the
//! ClientHello, raises the OCSP event and resumes on its completion, and
//! queues events and output. The states of each version and their
//! handshake logic live in `tls13` and `tls12`, as `impl Core` blocks.
//!
//! Inputs are [`ServerConnection::feed`], [`ServerConnection::complete_ocsp`],
//! [`ServerConnection::send`] and [`ServerConnection::close`]; after each,
//! drain [`ServerConnection::poll_event`] and [`ServerConnection::poll_transmit`].
//! The crate docs spell out the whole contract.

use std::sync::{Arc, Weak};

use bytes::Bytes;
use ring::rand::SecureRandom;

use crate::codec::{
    split_handshake, Alert, AlertDescription, AlertLevel, ClientHello, ContentType,
    HandshakeJoiner, HandshakeMessage, HandshakeType, RecordDeframer, RecordHeader,
    MAX_CIPHERTEXT_LEN_TLS13, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN,
};
use crate::crypto::transcript::Transcript;
use crate::error::{CryptoError, Error, InvalidMessage, Misuse, PeerMisbehaved};
use crate::ocsp::{
    check_staple, MustStaplePolicy, OcspOutcome, OnBadStaple, StaplePolicy, MAX_STAPLE_LEN_TLS12,
    MAX_STAPLE_LEN_TLS13,
};
use crate::server::config::{CertifiedKey, ServerConfig};
use crate::server::events::{CloseReason, CompleteOcspError, Event, EventQueue, ProtocolVersion};
use crate::server::hello::{self, Chosen};
use crate::server::limits::{EarlyData, PeerLimits};
use crate::server::ocsp_event::{OcspAnswer, OcspCompletion, OcspRequest, RequestId};
use crate::server::record_layer::{seal_records, Decrypter, Encrypter};
use crate::server::{tls12, tls13};

/// A sans-IO TLS server connection. See the crate docs for the run loop.
pub struct ServerConnection {
    deframer: RecordDeframer,
    joiner: HandshakeJoiner,
    core: Core,
}

/// Everything but the input buffers, so that a record or message borrowed
/// from those can be handled by `&mut Core`.
pub(crate) struct Core {
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) state: State,
    pub(crate) decrypter: Option<Decrypter>,
    pub(crate) encrypter: Option<Encrypter>,
    pub(crate) out: Vec<u8>,
    pub(crate) events: EventQueue,
    /// Plaintext handshake messages before they are framed or sealed
    /// (TLS 1.3's HelloRetryRequest and KeyUpdate; the flights of both
    /// versions are encoded straight into `out`).
    pub(crate) scratch: Vec<u8>,
    /// Whether the middlebox-compatibility change_cipher_spec was sent
    /// (TLS 1.3).
    pub(crate) ccs_sent: bool,
    /// What the peer may make the connection do without progress.
    pub(crate) limits: PeerLimits,
}

/// Where the connection stands. Before a version is chosen, while paused
/// for OCSP, and once closed, the state is the driver's; in between it is
/// the chosen version's (`tls13::State`, `tls12::State`), behind the
/// variant that says which version that is.
pub(crate) enum State {
    ExpectClientHello,
    AwaitingOcsp(Box<Paused>),
    Tls13(tls13::State),
    Tls12(tls12::State),
    Closed,
}

/// Waiting for the application's answer to an OCSP request. The host
/// name travels in the request and its completion meanwhile, so that it is
/// kept (and allocated) once.
pub(crate) struct Paused {
    id: RequestId,
    /// The request's (then its completion's) liveness, watched.
    alive: Weak<()>,
    resume: Resume,
}

/// What the server flight of the chosen version will be built from.
pub(crate) enum Resume {
    Tls13 {
        chosen: Chosen,
        transcript: Transcript,
        hello_retry: bool,
        /// ServerHello.random, drawn by `after_hello` (with the request's
        /// id, in one call); zero until then.
        random: [u8; 32],
    },
    Tls12 {
        chosen: tls12::hello::Chosen,
        transcript: Transcript,
        /// ServerHello.random, drawn by `after_hello` as for TLS 1.3.
        random: [u8; 32],
    },
}

impl Resume {
    fn cert(&self) -> &Arc<CertifiedKey> {
        match self {
            Self::Tls13 { chosen, .. } => &chosen.cert,
            Self::Tls12 { chosen, .. } => &chosen.cert,
        }
    }

    /// The SNI host name, lent to the OcspRequest while paused.
    fn server_name_mut(&mut self) -> &mut Option<Box<str>> {
        match self {
            Self::Tls13 { chosen, .. } => &mut chosen.server_name,
            Self::Tls12 { chosen, .. } => &mut chosen.server_name,
        }
    }
}

impl ServerConnection {
    /// A connection that will use `config` for its whole life.
    pub fn new(config: Arc<ServerConfig>) -> Self {
        let mut deframer = RecordDeframer::new();
        // Records are checked against the plaintext limit in `Core` until
        // the client's records are protected.
        deframer.set_max_len(MAX_CIPHERTEXT_LEN_TLS13);
        Self {
            deframer,
            joiner: HandshakeJoiner::new(),
            core: Core {
                config,
                state: State::ExpectClientHello,
                decrypter: None,
                encrypter: None,
                out: Vec::new(),
                events: EventQueue::default(),
                scratch: Vec::new(),
                ccs_sent: false,
                limits: PeerLimits::default(),
            },
        }
    }

    /// Takes bytes received from the peer and returns how many it consumed.
    ///
    /// Fewer than `data.len()` are consumed while the handshake waits for
    /// an OCSP completion (the rest must be offered again later), and none
    /// once the connection is closed. On error the connection is closed;
    /// drain the events and the output, which may hold an alert.
    pub fn feed(&mut self, data: &[u8]) -> Result<usize, Error> {
        if self.core.is_closed() {
            return Err(Misuse::Closed.into());
        }
        self.notice_dropped_request()?;
        // What is left of `data`: a slice rather than an offset, so there
        // is no index into `data` that could fall outside it.
        let mut rest = data;
        loop {
            if let Err(e) = self.process() {
                return Err(self.core.fail(e));
            }
            if self.core.is_paused() || self.core.is_closed() || rest.is_empty() {
                break;
            }
            let after = self.deframer.push_some(rest);
            if after.len() == rest.len() {
                break;
            }
            rest = after;
        }
        if self.core.is_paused() || self.core.is_closed() {
            self.deframer.shrink();
            self.joiner.shrink();
        }
        Ok(data.len() - rest.len())
    }

    /// Resumes a handshake paused by [`Event::OcspRequest`] with the
    /// application's answer.
    ///
    /// A completion for another connection (or one this connection is not
    /// waiting for) is refused with [`CompleteOcspError::Foreign`], which
    /// hands it back so that it can still reach its own connection; this
    /// connection is unchanged. An abort closes the connection with an
    /// internal_error alert and reports the reason in [`Event::Closed`];
    /// that is not an error of this call.
    ///
    /// Under [`StaplePolicy::Verify`](crate::ocsp::StaplePolicy::Verify) a
    /// response's freshness needs the time: use [`Self::complete_ocsp_at`].
    /// Here a response fails that check with
    /// [`BadStaple::NoTime`](crate::ocsp::BadStaple::NoTime).
    pub fn complete_ocsp(&mut self, completion: OcspCompletion) -> Result<(), CompleteOcspError> {
        self.complete(completion, None)
    }

    /// [`Self::complete_ocsp`] at `now`, seconds since the Unix epoch: the
    /// time a response is checked at under
    /// [`StaplePolicy::Verify`](crate::ocsp::StaplePolicy::Verify).
    /// stapler reads no clock; the caller says what time it is.
    pub fn complete_ocsp_at(
        &mut self,
        completion: OcspCompletion,
        now: u64,
    ) -> Result<(), CompleteOcspError> {
        self.complete(completion, Some(now))
    }

    fn complete(
        &mut self,
        completion: OcspCompletion,
        now: Option<u64>,
    ) -> Result<(), CompleteOcspError> {
        if self.core.is_closed() {
            return Err(CompleteOcspError::Closed);
        }
        let matches = matches!(&self.core.state, State::AwaitingOcsp(p) if p.id == completion.id);
        if !matches {
            return Err(CompleteOcspError::Foreign(completion));
        }
        let State::AwaitingOcsp(mut paused) =
            core::mem::replace(&mut self.core.state, State::Closed)
        else {
            return Err(CompleteOcspError::Foreign(completion));
        };
        *paused.resume.server_name_mut() = completion.server_name;
        let result = self
            .judge_answer(&paused.resume, completion.answer, now)
            .and_then(|(staple, outcome)| {
                self.core
                    .send_server_flight(paused.resume, staple.as_deref(), outcome)
            });
        if let Err(e) = result.and_then(|()| self.process()) {
            // The application's own decisions close the connection as
            // asked; they are not errors of this call.
            let decided = matches!(
                e,
                Error::OcspAborted(_) | Error::BadStaple(_) | Error::MustStapleUnmet
            );
            let e = self.core.fail(e);
            return if decided {
                Ok(())
            } else {
                Err(CompleteOcspError::Failed(e))
            };
        }
        Ok(())
    }

    /// What the answer puts on the wire, under the config's
    /// [`StaplePolicy`](crate::ocsp::StaplePolicy) and
    /// [`MustStaplePolicy`](crate::ocsp::MustStaplePolicy): the staple, if
    /// any, and the outcome to report; or the error that ends the
    /// handshake.
    ///
    /// A response larger than the negotiated version can carry is refused
    /// first, under every policy: no policy can make it fit, and quietly
    /// stapling nothing instead would hide the application's mistake.
    fn judge_answer(
        &self,
        resume: &Resume,
        answer: OcspAnswer,
        now: Option<u64>,
    ) -> Result<(Option<Bytes>, OcspOutcome), Error> {
        let config = &self.core.config;
        let cert = resume.cert();
        let (version, max) = match resume {
            Resume::Tls13 { .. } => (ProtocolVersion::Tls13, MAX_STAPLE_LEN_TLS13),
            Resume::Tls12 { .. } => (ProtocolVersion::Tls12, MAX_STAPLE_LEN_TLS12),
        };
        let (staple, outcome) = match answer {
            OcspAnswer::Abort(reason) => return Err(Error::OcspAborted(reason)),
            OcspAnswer::NoStaple => (None, OcspOutcome::NoResponse),
            OcspAnswer::Staple(response) if response.len() > max => {
                return Err(Error::StapleTooLarge {
                    len: response.len(),
                    max,
                    version,
                })
            }
            OcspAnswer::Staple(response) => {
                let verdict = match config.staple_policy() {
                    StaplePolicy::Trust => Ok(()),
                    StaplePolicy::Verify {
                        options,
                        on_failure,
                    } => check_staple(&response, cert.leaf(), cert.issuer(), now, options)
                        .map_err(|bad| (bad, *on_failure)),
                };
                match verdict {
                    Ok(()) => {
                        let len = response.len();
                        (Some(response), OcspOutcome::Stapled(len))
                    }
                    Err((bad, OnBadStaple::Abort)) => return Err(Error::BadStaple(bad)),
                    Err((bad, OnBadStaple::StapleNothing)) => (None, OcspOutcome::Refused(bad)),
                }
            }
        };
        if staple.is_none()
            && cert.leaf().must_staple()
            && config.must_staple_policy() == MustStaplePolicy::Abort
        {
            return Err(Error::MustStapleUnmet);
        }
        Ok((staple, outcome))
    }

    /// Whether the handshake is paused for an OCSP completion. A dropped
    /// [`OcspRequest`] is noticed on the next call (the connection closes
    /// with [`Error::RequestDropped`]); one that is held but slow is the
    /// application's to time out, with this.
    pub fn is_awaiting_ocsp(&self) -> bool {
        self.core.is_paused()
    }

    /// Whether the handshake has completed and the connection is open.
    pub fn is_handshake_complete(&self) -> bool {
        self.core.in_traffic()
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.core.is_closed()
    }

    /// Encrypts application data for the peer; returns how many bytes were
    /// taken (all of them). Only after the handshake completed.
    pub fn send(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.notice_dropped_request()?;
        if !self.core.in_traffic() {
            return Err(if self.core.is_closed() {
                Misuse::Closed
            } else {
                Misuse::HandshakeNotComplete
            }
            .into());
        };
        if let Err(e) = self.core.seal_chunks(ContentType::ApplicationData, data) {
            return Err(self.core.fail(e));
        }
        Ok(data.len())
    }

    /// Sends close_notify and closes the connection.
    pub fn close(&mut self) {
        if self.core.is_closed() {
            return;
        }
        let _ = self.core.send_alert(Alert::close_notify());
        self.core.state = State::Closed;
        self.core
            .events
            .push_back(Event::Closed(CloseReason::LocalClose));
    }

    /// The next event, if any. Drain after every input.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        // A dropped request shows as the Closed event it causes.
        let _ = self.notice_dropped_request();
        self.core.events.pop_front()
    }

    /// Closes the connection with internal_error when the application
    /// dropped the request it is paused for, and its completion, without
    /// an answer: a sans-IO machine cannot be woken by the drop, so each
    /// call looks (one load of a reference count).
    fn notice_dropped_request(&mut self) -> Result<(), Error> {
        let dropped =
            matches!(&self.core.state, State::AwaitingOcsp(p) if p.alive.strong_count() == 0);
        if dropped {
            return Err(self.core.fail(Error::RequestDropped));
        }
        Ok(())
    }

    /// The bytes to send to the peer, if any, in order. Drain after every
    /// input, and send them even after an error: they may hold the alert.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        let _ = self.notice_dropped_request();
        if self.core.out.is_empty() {
            None
        } else {
            Some(core::mem::take(&mut self.core.out))
        }
    }

    /// Appends the bytes to send to `out`: the same as
    /// [`ServerConnection::poll_transmit`], into a buffer the caller owns.
    pub fn write_tls_into(&mut self, out: &mut Vec<u8>) {
        let _ = self.notice_dropped_request();
        out.append(&mut self.core.out);
    }

    /// Handles every complete message and record buffered, until there are
    /// none, the handshake pauses, or the connection closes.
    fn process(&mut self) -> Result<(), Error> {
        loop {
            while self.core.is_running() {
                // The joiner is drained before the next record is pushed, so
                // whatever it holds behind this message came in the same
                // record.
                let buffered = self.joiner.buffered();
                let Some(message) = self.joiner.next_message()? else {
                    break;
                };
                let followed = buffered > message.encoded.len();
                self.core.handle_message(message, followed)?;
            }
            if !self.core.is_running() {
                return Ok(());
            }
            let Some((header, fragment)) = self.deframer.next_record_mut()? else {
                return Ok(());
            };
            self.core
                .handle_record(header, fragment, &mut self.joiner)?;
        }
    }
}

impl core::fmt::Debug for ServerConnection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = match &self.core.state {
            State::ExpectClientHello => "ExpectClientHello",
            State::AwaitingOcsp(_) => "AwaitingOcsp",
            State::Tls13(state) => state.name(),
            State::Tls12(state) => state.name(),
            State::Closed => "Closed",
        };
        f.debug_struct("ServerConnection")
            .field("state", &state)
            .field("pending_output", &self.core.out.len())
            .field("pending_events", &self.core.events.len())
            .finish()
    }
}

impl Core {
    fn is_paused(&self) -> bool {
        matches!(self.state, State::AwaitingOcsp(_))
    }

    fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    fn is_running(&self) -> bool {
        !self.is_paused() && !self.is_closed()
    }

    /// Whether the handshake is done and application data may flow.
    fn in_traffic(&self) -> bool {
        matches!(
            self.state,
            State::Tls13(tls13::State::Traffic(_)) | State::Tls12(tls12::State::Traffic)
        )
    }

    /// Closes the connection after a fatal error: the partial flight was
    /// already dropped by the failing step; one alert is queued (none in
    /// answer to the peer's alert), then the Closed event.
    fn fail(&mut self, error: Error) -> Error {
        let alert = match &error {
            Error::AlertReceived(_) => None,
            e => Some(AlertDescription::from(e)),
        };
        if let Some(description) = alert {
            let _ = self.send_alert(Alert::fatal(description));
        }
        self.state = State::Closed;
        let reason = match &error {
            Error::AlertReceived(a) => CloseReason::PeerAlert(*a),
            e => CloseReason::Error {
                error: e.clone(),
                alert,
            },
        };
        self.events.push_back(Event::Closed(reason));
        error
    }

    /// Queues an alert, protected if keys are in use.
    pub(crate) fn send_alert(&mut self, alert: Alert) -> Result<(), Error> {
        match &mut self.encrypter {
            Some(enc) => enc.seal(ContentType::Alert, &alert.encode(), &mut self.out),
            None => {
                self.out.extend_from_slice(&alert.encode_plaintext_record());
                Ok(())
            }
        }
    }

    /// Seals `data` with the current sending keys (see [`seal_records`]).
    fn seal_chunks(&mut self, typ: ContentType, data: &[u8]) -> Result<(), Error> {
        let enc = self.encrypter.as_mut().ok_or(CryptoError::Refused)?;
        seal_records(enc, typ, data, &mut self.out)
    }

    fn handle_record(
        &mut self,
        header: RecordHeader,
        fragment: &mut [u8],
        joiner: &mut HandshakeJoiner,
    ) -> Result<(), Error> {
        if header.content_type == ContentType::ChangeCipherSpec {
            if fragment != [1] {
                return Err(PeerMisbehaved::BadChangeCipherSpec.into());
            }
            return match self.state {
                // TLS 1.2: the client's keys change here (RFC 5246 §7.1).
                State::Tls12(_) => self.tls12_change_cipher_spec(joiner),
                // Otherwise TLS 1.3's compatibility record, or out of turn.
                _ => {
                    interleave_check(joiner, ContentType::ChangeCipherSpec)?;
                    self.tls13_change_cipher_spec()
                }
            };
        }
        let early_data = header.content_type == ContentType::ApplicationData
            && self.limits.early_data != EarlyData::None;
        // What a skipped 0-RTT record counts against its limit.
        let on_the_wire = RECORD_HEADER_LEN + fragment.len();
        if early_data && self.limits.early_data == EarlyData::SkipUntilHello {
            // After a HelloRetryRequest no key can open 0-RTT data: pass
            // it over unread until the second ClientHello (RFC 8446
            // §4.2.10).
            return self.limits.early_data_skipped(on_the_wire);
        }
        let (typ, plaintext): (ContentType, &[u8]) = match &mut self.decrypter {
            Some(dec) if early_data => match dec.open(&header, fragment) {
                // The first record that opens with the handshake key is the
                // client's second flight: the early data is behind us.
                Ok(opened) => {
                    self.limits.early_data = EarlyData::None;
                    opened
                }
                // 0-RTT data under a key this server never had: skip it
                // (RFC 8446 §4.2.10), within the limit.
                Err(Error::InvalidMessage(InvalidMessage::DecryptFailed)) => {
                    return self.limits.early_data_skipped(on_the_wire);
                }
                Err(e) => return Err(e),
            },
            Some(dec) if dec.protects(header.content_type) => dec.open(&header, fragment)?,
            _ => {
                if fragment.len() > MAX_PLAINTEXT_LEN {
                    return Err(InvalidMessage::RecordOverflow {
                        len: fragment.len(),
                        max: MAX_PLAINTEXT_LEN,
                    }
                    .into());
                }
                // Unprotected records: handshake before keys, and alerts from a
                // client that could not process the server's flight.
                let allowed = match header.content_type {
                    ContentType::Handshake => self.decrypter.is_none(),
                    ContentType::Alert => !self.in_traffic(),
                    _ => false,
                };
                if !allowed {
                    return Err(InvalidMessage::UnexpectedContentType(header.content_type).into());
                }
                (header.content_type, &*fragment)
            }
        };
        if typ != ContentType::Handshake {
            interleave_check(joiner, typ)?;
        }
        match typ {
            ContentType::Handshake => self.handle_handshake_fragment(plaintext, joiner),
            ContentType::Alert => self.handle_alert(Alert::parse(plaintext)?),
            ContentType::ApplicationData if self.in_traffic() => {
                self.limits.progress();
                self.events
                    .push_back(Event::ApplicationData(plaintext.to_vec()));
                Ok(())
            }
            other => Err(InvalidMessage::UnexpectedContentType(other).into()),
        }
    }

    /// Hands over the handshake messages of one record. When no message is
    /// partly buffered, the whole messages in it are handled where they lie
    /// (a ClientHello or a Finished is never copied); the joiner keeps only
    /// what must wait: a message continued in the next record, or whatever
    /// follows a message after which the handshake paused or closed.
    fn handle_handshake_fragment(
        &mut self,
        mut fragment: &[u8],
        joiner: &mut HandshakeJoiner,
    ) -> Result<(), Error> {
        if !joiner.has_partial_message() {
            while self.is_running() {
                let Some((message, used)) = split_handshake(fragment)? else {
                    break;
                };
                let rest = fragment.get(used..).unwrap_or_default();
                self.handle_message(message, !rest.is_empty())?;
                fragment = rest;
            }
        }
        joiner.push(fragment)?;
        Ok(())
    }

    fn handle_alert(&mut self, alert: Alert) -> Result<(), Error> {
        match alert.description {
            // Answer close_notify with close_notify (RFC 8446 §6.1).
            AlertDescription::CloseNotify => {
                let _ = self.send_alert(Alert::close_notify());
                self.state = State::Closed;
                self.events
                    .push_back(Event::Closed(CloseReason::PeerClosed));
                Ok(())
            }
            // "user_canceled ... SHOULD be followed by close_notify".
            AlertDescription::UserCanceled => self.limits.alert_ignored(),
            // TLS 1.2 lets a connection go on after a warning (RFC 5246
            // §7.2.2); TLS 1.3 has no warnings but these two (§6.2).
            _ if alert.level == AlertLevel::Warning && matches!(self.state, State::Tls12(_)) => {
                self.limits.alert_ignored()
            }
            // Every other alert is an error, whatever its level (§6.2).
            other => Err(Error::AlertReceived(other)),
        }
    }

    /// Handles one handshake message. `followed` says whether more
    /// handshake bytes came behind it in the same record, which is fatal
    /// where the client's keys change after the message (RFC 8446 §5.1; the
    /// TLS 1.3 states check it).
    fn handle_message(
        &mut self,
        message: HandshakeMessage<'_>,
        followed: bool,
    ) -> Result<(), Error> {
        self.limits.progress();
        match core::mem::replace(&mut self.state, State::Closed) {
            State::ExpectClientHello => {
                expect(&message, HandshakeType::ClientHello)?;
                let hello = ClientHello::parse(message.body)?;
                match hello::choose_version(&self.config, &hello)? {
                    ProtocolVersion::Tls13 => self.tls13_client_hello(&hello, message, followed),
                    ProtocolVersion::Tls12 => self.tls12_client_hello(&hello, message),
                }
            }
            State::Tls13(state) => self.tls13_handle_message(state, message, followed),
            State::Tls12(state) => self.tls12_handle_message(state, message),
            paused @ State::AwaitingOcsp(_) => {
                // `process` does not hand messages over while paused.
                self.state = paused;
                Ok(())
            }
            State::Closed => Ok(()),
        }
    }

    /// The final ClientHello is in: raise the OCSP event and pause, or go
    /// straight on to the server flight.
    ///
    /// The event is the same in both versions, and comes before ServerHello
    /// in both, so that nothing is written while the handshake waits.
    pub(crate) fn after_hello(
        &mut self,
        hello: &ClientHello<'_>,
        mut resume: Resume,
    ) -> Result<(), Error> {
        let ocsp = hello.status_request().and_then(|sr| sr.ocsp());
        let raise = ocsp.is_some() && self.config.ocsp_events;
        // ServerHello.random and the request's id, in one call to the
        // system RNG: each call is a system call, and the handshake's cost
        // is measured against a floor that makes no more of them.
        let mut drawn = [0; 32 + 16];
        let wanted = if raise { 0..48 } else { 0..32 };
        if let Some(bytes) = drawn.get_mut(wanted) {
            self.config
                .rng
                .fill(bytes)
                .map_err(|_| CryptoError::Random)?;
        }
        let (random_drawn, id_drawn) = drawn.split_at(32);
        match &mut resume {
            Resume::Tls13 { random, .. } | Resume::Tls12 { random, .. } => {
                random.copy_from_slice(random_drawn);
            }
        }
        let id = RequestId(id_drawn.try_into().unwrap_or([0; 16]));
        match ocsp {
            Some(request) if raise => {
                let alive = Arc::new(());
                let watched = Arc::downgrade(&alive);
                let event = OcspRequest {
                    id,
                    alive,
                    cert: Arc::clone(resume.cert()),
                    server_name: resume.server_name_mut().take(),
                    responder_ids: request
                        .responder_ids()
                        .map(Bytes::copy_from_slice)
                        .collect(),
                    request_extensions: Bytes::copy_from_slice(request.raw_request_extensions()),
                };
                self.events.push_back(Event::OcspRequest(event));
                self.state = State::AwaitingOcsp(Box::new(Paused {
                    id,
                    alive: watched,
                    resume,
                }));
                Ok(())
            }
            _ => self.send_server_flight(resume, None, OcspOutcome::NotRequested),
        }
    }

    /// The server flight of the chosen version, with the staple if any.
    fn send_server_flight(
        &mut self,
        resume: Resume,
        staple: Option<&[u8]>,
        ocsp: OcspOutcome,
    ) -> Result<(), Error> {
        match resume {
            Resume::Tls13 {
                chosen,
                transcript,
                hello_retry,
                random,
            } => self.send_tls13_flight(chosen, &random, transcript, hello_retry, staple, ocsp),
            Resume::Tls12 {
                chosen,
                transcript,
                random,
            } => self.send_tls12_flight(chosen, random, transcript, staple, ocsp),
        }
    }
}

/// Refuses a record of type `typ` (not handshake) while a handshake message
/// is only partly received: "Handshake messages MUST NOT be interleaved
/// with other record types" (RFC 8446 §5.1; RFC 5246 §6.2.1 likewise).
fn interleave_check(joiner: &HandshakeJoiner, typ: ContentType) -> Result<(), Error> {
    if joiner.has_partial_message() {
        Err(PeerMisbehaved::Interleaved(typ).into())
    } else {
        Ok(())
    }
}

/// Refuses any message but `typ` (RFC 8446 §4: unexpected_message).
pub(crate) fn expect(message: &HandshakeMessage<'_>, typ: HandshakeType) -> Result<(), Error> {
    if message.typ == typ {
        Ok(())
    } else {
        Err(unexpected(message.typ))
    }
}

/// A handshake message of type `typ` where none of that type may come.
pub(crate) fn unexpected(typ: HandshakeType) -> Error {
    PeerMisbehaved::UnexpectedMessage(match typ {
        HandshakeType::ClientHello => "ClientHello",
        HandshakeType::Finished => "Finished",
        HandshakeType::KeyUpdate => "KeyUpdate",
        HandshakeType::Certificate => "Certificate",
        HandshakeType::CertificateVerify => "CertificateVerify",
        HandshakeType::EndOfEarlyData => "EndOfEarlyData",
        HandshakeType::ClientKeyExchange => "ClientKeyExchange",
        _ => "handshake message",
    })
    .into()
}
