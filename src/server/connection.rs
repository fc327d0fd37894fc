//! `ServerConnection`: the sans-IO driver of one TLS server connection.
//!
//! This is the public face: the input buffers (records and handshake
//! messages being reassembled) and the run loop that feeds them to the
//! driver in `driver.rs`, which dispatches to the version states in
//! `tls13` and `tls12` and raises and resumes the pauses.
//!
//! Inputs are [`ServerConnection::feed`], [`ServerConnection::complete`],
//! [`ServerConnection::send`] and [`ServerConnection::close`]; after each,
//! drain [`ServerConnection::poll_event`] and [`ServerConnection::poll_transmit`].
//! The crate docs spell out the whole contract.

use std::sync::Arc;

use crate::codec::{
    split_record, HandshakeJoiner, RecordDeframer, MAX_CIPHERTEXT_LEN_TLS13, RECORD_HEADER_LEN,
};
use crate::error::{Error, Misuse};
use crate::server::config::ServerConfig;
use crate::server::driver::{Core, State};
use crate::server::events::{CloseReason, Event};
use crate::server::request::{CompleteError, Completion, Decision};

/// A sans-IO TLS server connection. See the crate docs for the run loop.
pub struct ServerConnection {
    deframer: RecordDeframer,
    joiner: HandshakeJoiner,
    core: Core,
}

impl ServerConnection {
    /// A connection started at `now` (seconds since the Unix epoch) that
    /// will use `config` for its whole life. The time is what its session
    /// tickets are issued and checked at (their age, their keys'
    /// rotation); stapler reads no clock. A handshake lasts seconds, so the
    /// time the connection was accepted serves for all of it.
    pub fn new_at(config: Arc<ServerConfig>, now: u64) -> Self {
        let mut conn = Self::new(config);
        conn.core.now = Some(now);
        conn
    }

    /// A connection that will use `config` for its whole life, without the
    /// time: it issues and accepts no session tickets, so every handshake
    /// is a full one. Prefer [`Self::new_at`].
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
    /// a completion (the rest must be offered again later), and none
    /// once the connection is closed. On error the connection is closed;
    /// drain the events and the output, which may hold an alert.
    pub fn feed(&mut self, data: &[u8]) -> Result<usize, Error> {
        if self.core.is_closed() {
            return Err(Misuse::Closed.into());
        }
        self.notice_dropped_request()?;
        if self.core.peer_closed_write {
            // "Any data received after a closure alert has been received
            // MUST be ignored" (RFC 8446 §6.1): taken, and dropped.
            return Ok(data.len());
        }
        // What is left of `data`: a slice rather than an offset, so there
        // is no index into `data` that could fall outside it.
        let mut rest = data;
        loop {
            if let Err(e) = self.process(Announce::Yes) {
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
        self.release_idle_buffers();
        Ok(data.len() - rest.len())
    }

    /// The application data received and not yet read: the plaintext of
    /// one record, where it was decrypted, without a copy. Empty when
    /// there is none. Mark what was used with [`Self::consume`]; until all
    /// of it is, no further record is opened.
    ///
    /// ```
    /// # fn serve(conn: &mut stapler::ServerConnection, app: &mut Vec<u8>)
    /// #     -> Result<(), stapler::Error> {
    /// loop {
    ///     let data = conn.received();
    ///     if data.is_empty() {
    ///         break;
    ///     }
    ///     app.extend_from_slice(data);
    ///     let n = data.len();
    ///     conn.consume(n)?; // opens the next record buffered, if any
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn received(&self) -> &[u8] {
        self.deframer.held()
    }

    /// Marks the first `n` bytes of [`Self::received`] as read. Once a
    /// record's data is all read, the records buffered behind it are
    /// handled (which may queue output, such as a KeyUpdate's answer, or
    /// events, such as [`Event::Closed`]), up to the next record of
    /// application data. Errors: those of the records handled, which
    /// close the connection as in [`Self::feed`].
    pub fn consume(&mut self, n: usize) -> Result<(), Error> {
        self.deframer.consume_held(n);
        if !self.deframer.held().is_empty() {
            return Ok(());
        }
        let result = self.process(Announce::No);
        self.release_idle_buffers();
        result.map_err(|e| self.core.fail(e))
    }

    /// Copies received application data into `buf` and returns how many
    /// bytes it copied: at most `buf.len()`, across records, and 0 when
    /// none is waiting. The copying form of [`Self::received`] and
    /// [`Self::consume`], with the same errors.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut copied = 0;
        loop {
            let room = buf.get_mut(copied..).unwrap_or_default();
            let data = self.deframer.held();
            let n = data.len().min(room.len());
            if n == 0 {
                return Ok(copied);
            }
            if let (Some(to), Some(from)) = (room.get_mut(..n), data.get(..n)) {
                to.copy_from_slice(from);
            }
            copied += n;
            self.consume(n)?;
        }
    }

    /// Frees the input buffers when they hold nothing and the connection
    /// will not need them soon: while it waits for the application, once
    /// it is closed, and between records once the handshake is done. An
    /// idle connection then holds no buffer at all; the cost is one
    /// allocation of the record buffer when its next bytes arrive.
    fn release_idle_buffers(&mut self) {
        if self.core.peer_closed_write {
            // Records behind the close_notify are ignored (RFC 8446 §6.1).
            self.deframer.discard_unread_records();
        }
        if !self.core.is_running() || self.core.in_traffic() {
            self.deframer.shrink();
            self.joiner.shrink();
        }
    }

    /// Resumes a handshake paused for a decision with the application's
    /// answer: the [`Completion`] made from the request of
    /// [`Event::SelectCertificate`], [`Event::OcspRequest`],
    /// [`Event::SignRequest`] or [`Event::VerifyClient`].
    ///
    /// `now` is the time, in seconds since the Unix epoch, at which the
    /// answer's checks are made: under
    /// [`StaplePolicy::Verify`](crate::ocsp::StaplePolicy::Verify), a
    /// response's freshness. stapler reads no clock, so the caller says
    /// what time it is, on the one call where a check may need it.
    ///
    /// A completion for another connection (or one this connection is not
    /// waiting for) is refused with [`CompleteError::Foreign`], which
    /// hands it back so that it can still reach its own connection; this
    /// connection is unchanged. An abort closes the connection with the
    /// alert the answer implies and reports the reason in
    /// [`Event::Closed`]; that is not an error of this call.
    pub fn complete(&mut self, completion: Completion, now: u64) -> Result<(), CompleteError> {
        if self.core.is_closed() {
            return Err(CompleteError::Closed);
        }
        let matches = matches!(&self.core.state, State::Paused(p) if p.id == completion.id);
        if !matches {
            return Err(CompleteError::Foreign(completion));
        }
        let State::Paused(paused) = core::mem::replace(&mut self.core.state, State::Closed) else {
            return Err(CompleteError::Foreign(completion));
        };
        let Completion { _alive, answer, .. } = completion;
        self.core.reuse_liveness(_alive);
        let result = self.core.resume(paused.at, answer, now);
        if let Err(e) = result.and_then(|()| self.process(Announce::Yes)) {
            // The application's own decisions close the connection as
            // asked; they are not errors of this call.
            let decided = e.is_application_decision();
            let e = self.core.fail(e);
            return if decided {
                Ok(())
            } else {
                Err(CompleteError::Failed(e))
            };
        }
        Ok(())
    }

    /// The decision the handshake is paused for, if any. A dropped
    /// request is noticed on the next call (the connection closes with
    /// [`Error::RequestDropped`]); one that is held but slow is the
    /// application's to time out, with this.
    pub fn paused_for(&self) -> Option<Decision> {
        match &self.core.state {
            State::Paused(paused) => Some(paused.at.decision()),
            _ => None,
        }
    }

    /// Whether the handshake has completed and the connection is open.
    pub fn is_handshake_complete(&self) -> bool {
        self.core.in_traffic()
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.core.is_closed()
    }

    /// Encrypts application data for the peer, in records as full as the
    /// protocol allows, and returns how many bytes it took: as many as
    /// keep the output waiting for [`Self::poll_transmit`] within the
    /// config's [`output_limit`](crate::ServerConfigBuilder::output_limit).
    /// Fewer than `data.len()`, even 0, is backpressure: drain the output
    /// and offer the rest. Only after the handshake completed.
    pub fn send(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.ready_to_send()?;
        let limit = self.core.config.output_limit;
        self.core
            .output
            .send(data, limit)
            .map_err(|e| self.core.fail(e))
    }

    /// Like [`Self::send`], with the records sealed straight into `out`, a
    /// buffer the caller owns and reuses (no allocation by the connection,
    /// no copy between buffers). Output the connection already held, such
    /// as a KeyUpdate's answer, is moved to `out` first, so order is kept;
    /// the output limit counts what `out` holds.
    ///
    /// ```
    /// # fn reply(conn: &mut stapler::ServerConnection, socket: &mut impl std::io::Write)
    /// #     -> Result<(), Box<dyn std::error::Error>> {
    /// let mut out = Vec::with_capacity(64 * 1024); // kept across calls
    /// let mut body: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    /// while !body.is_empty() {
    ///     let taken = conn.send_into(body, &mut out)?;
    ///     body = &body[taken..];
    ///     socket.write_all(&out)?;
    ///     out.clear();
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn send_into(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<usize, Error> {
        self.ready_to_send()?;
        let limit = self.core.config.output_limit;
        self.core
            .output
            .send_into(data, limit, out)
            .map_err(|e| self.core.fail(e))
    }

    /// Refuses to send before the handshake is done or once closed.
    fn ready_to_send(&mut self) -> Result<(), Error> {
        self.notice_dropped_request()?;
        if self.core.in_traffic() {
            return Ok(());
        }
        Err(if self.core.is_closed() {
            Misuse::Closed
        } else {
            Misuse::HandshakeNotComplete
        }
        .into())
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
        let dropped = matches!(&self.core.state, State::Paused(p) if p.alive.strong_count() == 0);
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
        if self.core.in_traffic() || self.core.is_closed() {
            self.core.output.release_wire();
        }
    }

    /// Handles every complete message and record buffered, until there are
    /// none, the handshake pauses, the connection closes, or a record's
    /// application data is left for the application to read (raising
    /// [`Event::DataReady`] when `announce` says so).
    fn process(&mut self, announce: Announce) -> Result<(), Error> {
        loop {
            self.process_messages()?;
            if !self.core.is_running()
                || !self.deframer.held().is_empty()
                || self.core.peer_closed_write
            {
                return Ok(());
            }
            let Some((header, fragment)) = self.deframer.next_record_mut()? else {
                return Ok(());
            };
            let data = self
                .core
                .handle_record(header, fragment, &mut self.joiner)?;
            if let Some(data) = data {
                self.deframer.hold(data);
                if announce == Announce::Yes {
                    self.core.output.event(Event::DataReady);
                }
            }
        }
    }
}

impl ServerConnection {
    /// Takes TLS bytes from a buffer the caller owns and lets the
    /// connection overwrite: whole records at the front of `data` are
    /// handled where they lie, and the first one of application data is
    /// decrypted in place and returned, borrowed from `data`. No copy and
    /// no allocation per record, and nothing held between calls, so an
    /// idle connection fed this way holds no input buffer at all.
    ///
    /// [`InPlace::consumed`] says how many bytes were used; offer the rest
    /// again (after the data returned is used). A record cut off at the
    /// end of `data` is not taken: keep its bytes, read more behind them,
    /// and offer them again. `data` must therefore be able to hold a whole
    /// record, [`IN_PLACE_MIN_BUFFER`] bytes; with a shorter buffer, use
    /// [`Self::feed`]. Like `feed`, it takes nothing while the handshake
    /// waits for a completion.
    ///
    /// Bytes given to `feed` first (a record it holds part of, or data not
    /// yet read) are handled first, as `feed` would: their data is read
    /// with [`Self::received`]. A caller that only ever uses this method
    /// never has any there.
    ///
    /// ```
    /// # fn serve(conn: &mut stapler::ServerConnection, buf: &mut [u8], mut len: usize,
    /// #     app: &mut Vec<u8>) -> Result<(), stapler::Error> {
    /// // buf[..len] holds bytes read from the socket.
    /// let mut start = 0;
    /// loop {
    ///     let fed = conn.feed_in_place(&mut buf[start..len])?;
    ///     app.extend_from_slice(fed.data); // decrypted where it was read
    ///     start += fed.consumed;
    ///     if fed.consumed == 0 {
    ///         break; // a partial record (or a pause): read more first
    ///     }
    ///     // ... drain poll_event and poll_transmit here ...
    /// }
    /// buf.copy_within(start..len, 0); // keep the partial record
    /// len -= start;
    /// # let _ = len;
    /// # Ok(())
    /// # }
    /// ```
    pub fn feed_in_place<'d>(&mut self, data: &'d mut [u8]) -> Result<InPlace<'d>, Error> {
        if self.deframer.buffered() > 0 || !self.deframer.held().is_empty() {
            let consumed = self.feed(data)?;
            return Ok(InPlace {
                consumed,
                data: &[],
            });
        }
        if self.core.is_closed() {
            return Err(Misuse::Closed.into());
        }
        self.notice_dropped_request()?;
        let result = self.process_in_place(data);
        self.release_idle_buffers();
        result.map_err(|e| self.core.fail(e))
    }

    /// [`Self::feed_in_place`]'s loop over the records in `data`.
    fn process_in_place<'d>(&mut self, data: &'d mut [u8]) -> Result<InPlace<'d>, Error> {
        let mut rest = data;
        let mut consumed = 0;
        loop {
            self.process_messages()?;
            if !self.core.is_running() {
                break;
            }
            if self.core.peer_closed_write {
                // Ignored after close_notify (RFC 8446 §6.1).
                consumed += rest.len();
                break;
            }
            let Some((record, used)) = split_record(rest, self.deframer.max_len())? else {
                break;
            };
            let header = record.header;
            let (this, after) = core::mem::take(&mut rest).split_at_mut(used);
            rest = after;
            consumed += used;
            let fragment = this.get_mut(RECORD_HEADER_LEN..).unwrap_or_default();
            let plaintext = self
                .core
                .handle_record(header, fragment, &mut self.joiner)?;
            if let Some(range) = plaintext {
                // Every message before this record was handled above.
                let fragment: &'d [u8] = fragment;
                let data = fragment.get(range).unwrap_or_default();
                return Ok(InPlace { consumed, data });
            }
        }
        Ok(InPlace {
            consumed,
            data: &[],
        })
    }

    /// Handles the handshake messages the joiner holds, until there are
    /// none or the connection stops running.
    fn process_messages(&mut self) -> Result<(), Error> {
        while self.core.is_running() {
            // The joiner is drained before the next record is taken, so
            // whatever it holds behind this message came in the same
            // record.
            let buffered = self.joiner.buffered();
            let Some(message) = self.joiner.next_message()? else {
                break;
            };
            let followed = buffered > message.encoded.len();
            self.core.handle_message(message, followed)?;
        }
        Ok(())
    }
}

/// What [`ServerConnection::feed_in_place`] did with the buffer it was
/// given.
#[derive(Debug)]
#[non_exhaustive]
pub struct InPlace<'d> {
    /// Bytes used from the front of the buffer.
    pub consumed: usize,
    /// The application data of the last record used, decrypted where it
    /// lay in the buffer; empty when there was none.
    pub data: &'d [u8],
}

/// The least room a buffer given to
/// [`ServerConnection::feed_in_place`] must have, so that the longest
/// record a client may send fits in it whole: a header and 2^14 + 256
/// bytes of protected fragment (RFC 8446 §5.2; the AEAD suites of TLS 1.2
/// stay within it too).
pub const IN_PLACE_MIN_BUFFER: usize = RECORD_HEADER_LEN + MAX_CIPHERTEXT_LEN_TLS13;

/// Whether newly received application data raises [`Event::DataReady`]:
/// it does when bytes or an answer came in, not while the application is
/// reading (it reads on until there is none).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Announce {
    Yes,
    No,
}

impl core::fmt::Debug for ServerConnection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerConnection")
            .field("state", &self.core.state_name())
            .field("pending_output", &self.core.output.wire_len())
            .field("unread_data", &self.deframer.held().len())
            .field("pending_events", &self.core.output.events_len())
            .finish()
    }
}
