//! `ServerConnection`: the sans-IO driver of one TLS server connection.
//!
//! This is the public face: the input buffers (records and handshake
//! messages being reassembled) and the run loop that feeds them to the
//! driver in `driver.rs`, which dispatches to the version states in
//! `tls13` and `tls12` and raises and resumes the pauses.
//!
//! Inputs are [`ServerConnection::feed`], [`ServerConnection::complete_ocsp`],
//! [`ServerConnection::send`] and [`ServerConnection::close`]; after each,
//! drain [`ServerConnection::poll_event`] and [`ServerConnection::poll_transmit`].
//! The crate docs spell out the whole contract.

use std::sync::Arc;

use crate::codec::{ContentType, HandshakeJoiner, RecordDeframer, MAX_CIPHERTEXT_LEN_TLS13};
use crate::error::{Error, Misuse};
use crate::server::config::ServerConfig;
use crate::server::driver::{Core, State};
use crate::server::events::{CloseReason, CompleteOcspError, Event};
use crate::server::ocsp_event::{judge_answer, OcspCompletion};

/// A sans-IO TLS server connection. See the crate docs for the run loop.
pub struct ServerConnection {
    deframer: RecordDeframer,
    joiner: HandshakeJoiner,
    core: Core,
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
            core: Core::new(config),
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
        *paused.flight.server_name_mut() = completion.server_name;
        let result = judge_answer(
            &self.core.config,
            (paused.flight.cert(), paused.flight.version()),
            completion.answer,
            now,
        )
        .and_then(|(staple, outcome)| {
            self.core
                .send_flight(paused.flight, staple.as_deref(), outcome)
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
        if let Err(e) = self.core.output.seal(ContentType::ApplicationData, data) {
            return Err(self.core.fail(e));
        }
        Ok(data.len())
    }

    /// Sends close_notify and closes the connection.
    pub fn close(&mut self) {
        if self.core.is_closed() {
            return;
        }
        self.core.close(CloseReason::LocalClose);
    }

    /// The next event, if any. Drain after every input.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        // A dropped request shows as the Closed event it causes.
        let _ = self.notice_dropped_request();
        self.core.output.pop_event()
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
        self.core.output.take_wire()
    }

    /// Appends the bytes to send to `out`: the same as
    /// [`ServerConnection::poll_transmit`], into a buffer the caller owns.
    pub fn write_tls_into(&mut self, out: &mut Vec<u8>) {
        let _ = self.notice_dropped_request();
        self.core.output.append_wire_to(out);
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
        f.debug_struct("ServerConnection")
            .field("state", &self.core.state_name())
            .field("pending_output", &self.core.output.wire_len())
            .field("pending_events", &self.core.output.events_len())
            .finish()
    }
}
