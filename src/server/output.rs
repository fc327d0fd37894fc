//! The output sink that the version states write to.
//!
//! A state's step takes its input and `&mut Output` and returns its next
//! state; everything it has to say goes through here: handshake messages
//! (hashed into the transcript as they are written), key changes, the
//! change_cipher_spec record, and events. The sink alone frames and seals:
//! messages are encoded straight into the transmit buffer behind room for
//! a record header, and the record is closed (framed in the clear, or
//! sealed where it lies) when the keys change or the step ends.
//!
//! The driver brackets each step with [`Output::begin`] and then
//! [`Output::commit`] or [`Output::rollback`]: a step that fails leaves
//! nothing of itself behind, neither bytes, nor events, nor keys, so the
//! alert that follows goes out under the keys the peer has.

use core::ops::Range;

use crate::codec::{Alert, ContentType, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN};
use crate::crypto::transcript::Transcript;
use crate::enums::ProtocolVersion;
use crate::error::{Error, LengthOverflow};
use crate::server::events::{Event, EventQueue};
use crate::server::key_slots::KeySlots;
use crate::server::limits::EarlyData;
use crate::server::record_layer::{
    frame_plaintext_record, seal_records, seal_within, write_plaintext_records, Decrypter,
    Encrypter, CCS_RECORD,
};

/// The record_size_limit this server sends back in TLS 1.3: the largest
/// inner plaintext, 2^14 and the content type byte (RFC 8449 §4).
const RECORD_SIZE_LIMIT_TLS13: u16 = (MAX_PLAINTEXT_LEN + 1) as u16;
/// The same in TLS 1.2: the largest plaintext record.
const RECORD_SIZE_LIMIT_TLS12: u16 = MAX_PLAINTEXT_LEN as u16;

/// Bytes and events for the application, and the keys they go out under.
#[derive(Default)]
pub(crate) struct Output {
    /// Bytes for the peer, framed, except for the open record at the end.
    wire: Vec<u8>,
    events: EventQueue,
    /// The keys records go out under, and those they come in under.
    encrypter: KeySlots<Encrypter>,
    decrypter: KeySlots<Decrypter>,
    /// Where the record being filled with handshake messages starts in
    /// `wire` (its header room), and how much room that is.
    open: Option<OpenRecord>,
    /// How 0-RTT records are to be treated from now on, when a step says.
    early_data: Option<EarlyData>,
    /// The most content a protected record may carry toward the client
    /// when its record_size_limit asks for less than 2^14 (RFC 8449 §4),
    /// and whether it sent one at all.
    peer_record_limit: Option<usize>,
    /// What the step in progress started from.
    undo: Undo,
}

#[derive(Clone, Copy)]
struct OpenRecord {
    start: usize,
    prefix: usize,
}

/// What [`Output::rollback`] restores.
#[derive(Default)]
struct Undo {
    wire_len: usize,
    events_len: usize,
}

impl Output {
    // ----- for the driver -----

    /// Marks the start of a step.
    pub(crate) fn begin(&mut self) {
        self.undo = Undo {
            wire_len: self.wire.len(),
            events_len: self.events.len(),
        };
        self.encrypter.begin();
        self.decrypter.begin();
        self.early_data = None;
    }

    /// Ends a step that succeeded: its last record is closed, and the
    /// replaced keys are dropped. Returns the step's word on early data.
    pub(crate) fn commit(&mut self) -> Result<Option<EarlyData>, Error> {
        if let Err(e) = self.close_record() {
            self.rollback();
            return Err(e);
        }
        self.encrypter.commit();
        self.decrypter.commit();
        Ok(self.early_data.take())
    }

    /// Ends a step that failed: its bytes and events are dropped and the
    /// keys it replaced are put back.
    pub(crate) fn rollback(&mut self) {
        self.open = None;
        self.wire.truncate(self.undo.wire_len);
        self.events.truncate(self.undo.events_len);
        self.encrypter.rollback();
        self.decrypter.rollback();
        self.early_data = None;
    }

    /// The client's record_size_limit (RFC 8449 §4), from the final
    /// ClientHello of `version`: from now on no protected record carries
    /// more content than it allows. In TLS 1.3 the limit counts the inner
    /// content type byte, so a record carries one byte less; a value above
    /// the protocol's largest record means the largest.
    pub(crate) fn limit_records(&mut self, version: ProtocolVersion, limit: u16) {
        let limit = usize::from(limit);
        self.peer_record_limit = Some(match version {
            ProtocolVersion::Tls13 => limit.min(MAX_PLAINTEXT_LEN + 1).saturating_sub(1),
            _ => limit.min(MAX_PLAINTEXT_LEN),
        });
    }

    /// The record_size_limit to send back, when the client sent one: the
    /// largest record this server takes, which is the protocol's largest
    /// (RFC 8449 §4: 2^14 + 1 in TLS 1.3, with the content type; 2^14 in
    /// TLS 1.2).
    pub(crate) fn record_size_limit_answer(&self, version: ProtocolVersion) -> Option<u16> {
        self.peer_record_limit?;
        Some(match version {
            ProtocolVersion::Tls13 => RECORD_SIZE_LIMIT_TLS13,
            _ => RECORD_SIZE_LIMIT_TLS12,
        })
    }

    /// The most content one protected record toward the client carries.
    fn record_limit(&self) -> usize {
        self.peer_record_limit.unwrap_or(MAX_PLAINTEXT_LEN)
    }

    /// The peer's keys, to open its records with.
    pub(crate) fn decrypter_mut(&mut self) -> Option<&mut Decrypter> {
        self.decrypter.current_mut()
    }

    /// Whether the peer's records are protected yet.
    pub(crate) fn has_decrypter(&self) -> bool {
        self.decrypter.current().is_some()
    }

    /// Seals as much application data as keeps the bytes waiting for the
    /// peer within `limit`; returns how much it took.
    pub(crate) fn send(&mut self, data: &[u8], limit: usize) -> Result<usize, Error> {
        let max = self.record_limit();
        let enc = self
            .encrypter
            .current_mut()
            .ok_or(Error::Internal("application data before the keys"))?;
        let room = limit.saturating_sub(self.wire.len());
        seal_within(
            enc,
            ContentType::ApplicationData,
            data,
            (room, max),
            &mut self.wire,
        )
    }

    /// Moves the bytes waiting for the peer to the end of `out`, then seals
    /// there, straight into the caller's buffer, as much application data
    /// as keeps `out` within `limit`; returns how much it took.
    pub(crate) fn send_into(
        &mut self,
        data: &[u8],
        limit: usize,
        out: &mut Vec<u8>,
    ) -> Result<usize, Error> {
        self.append_wire_to(out);
        self.release_wire();
        let max = self.record_limit();
        let enc = self
            .encrypter
            .current_mut()
            .ok_or(Error::Internal("application data before the keys"))?;
        let room = limit.saturating_sub(out.len());
        seal_within(enc, ContentType::ApplicationData, data, (room, max), out)
    }

    /// Takes the bytes for the peer, if any.
    pub(crate) fn take_wire(&mut self) -> Option<Vec<u8>> {
        (!self.wire.is_empty()).then(|| core::mem::take(&mut self.wire))
    }

    /// Bytes waiting for the peer.
    pub(crate) fn wire_len(&self) -> usize {
        self.wire.len()
    }

    /// Moves the bytes for the peer to the end of `out`. The buffer they
    /// were in keeps its memory for the next flight of the handshake; see
    /// [`Self::release_wire`].
    pub(crate) fn append_wire_to(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.wire);
    }

    /// Frees the output buffer's memory when it holds nothing: once the
    /// handshake is done, the caller's buffer (or the `Vec` handed out)
    /// is the one that stays, and an idle connection holds none.
    pub(crate) fn release_wire(&mut self) {
        if self.wire.is_empty() {
            self.wire = Vec::new();
        }
    }

    /// The oldest event waiting for the application.
    pub(crate) fn pop_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Events waiting for the application.
    pub(crate) fn events_len(&self) -> usize {
        self.events.len()
    }

    // ----- for the states (and the driver) -----

    /// Makes room for `additional` bytes of output at once, so that a
    /// flight whose size is known is encoded without growing the buffer.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.wire.reserve(additional);
    }

    /// Writes one handshake message with `write` (which returns where it
    /// put it) and adds it to `transcript`.
    pub(crate) fn message(
        &mut self,
        transcript: &mut Transcript,
        write: impl FnOnce(&mut Vec<u8>) -> Result<Range<usize>, LengthOverflow>,
    ) -> Result<(), Error> {
        self.open_record();
        let range = write(&mut self.wire)?;
        transcript.add_written(&self.wire, range)?;
        Ok(())
    }

    /// Writes a handshake message that no transcript covers: a
    /// KeyUpdate, after the handshake.
    pub(crate) fn unhashed_message(
        &mut self,
        write: impl FnOnce(&mut Vec<u8>) -> Result<Range<usize>, LengthOverflow>,
    ) -> Result<(), Error> {
        self.open_record();
        write(&mut self.wire)?;
        Ok(())
    }

    /// Sends change_cipher_spec, which is never protected (RFC 5246 §7.1,
    /// RFC 8446 Appendix D.4).
    pub(crate) fn change_cipher_spec(&mut self) -> Result<(), Error> {
        self.close_record()?;
        self.wire.extend_from_slice(&CCS_RECORD);
        Ok(())
    }

    /// From here on, records go out under `encrypter`; what was written
    /// before goes out under the keys before it.
    pub(crate) fn sending_keys(&mut self, encrypter: Encrypter) -> Result<(), Error> {
        self.close_record()?;
        self.encrypter.install(encrypter);
        Ok(())
    }

    /// From the next record on, the peer's records are opened with
    /// `decrypter`.
    pub(crate) fn receiving_keys(&mut self, decrypter: Decrypter) {
        self.decrypter.install(decrypter);
    }

    /// Tells the driver how to treat 0-RTT records from now on.
    pub(crate) fn early_data(&mut self, mode: EarlyData) {
        self.early_data = Some(mode);
    }

    /// Queues an event for the application.
    pub(crate) fn event(&mut self, event: Event) {
        self.events.push_back(event);
    }

    /// Queues an alert record, protected if keys are in use.
    pub(crate) fn alert(&mut self, alert: Alert) -> Result<(), Error> {
        self.close_record()?;
        match self.encrypter.current_mut() {
            Some(enc) => enc.seal(ContentType::Alert, &alert.encode(), &mut self.wire),
            None => {
                self.wire
                    .extend_from_slice(&alert.encode_plaintext_record());
                Ok(())
            }
        }
    }

    // ----- framing -----

    /// Leaves room for the header (and explicit nonce) of a handshake
    /// record, unless one is open already.
    fn open_record(&mut self) {
        if self.open.is_none() {
            let prefix = self
                .encrypter
                .current()
                .map_or(RECORD_HEADER_LEN, Encrypter::prefix_len);
            let start = self.wire.len();
            self.wire.resize(start + prefix, 0);
            self.open = Some(OpenRecord { start, prefix });
        }
    }

    /// Frames (or seals) the messages written since the record was
    /// opened. One record when they fit, which they nearly always do;
    /// else a long chain or a big staple (up to 2^24 bytes) is fragmented
    /// from a copy.
    fn close_record(&mut self) -> Result<(), Error> {
        let Some(OpenRecord { start, prefix }) = self.open.take() else {
            return Ok(());
        };
        let content_at = start + prefix;
        let len = self.wire.len().saturating_sub(content_at);
        let typ = ContentType::Handshake;
        let protected_max = self.record_limit();
        match self.encrypter.current_mut() {
            _ if len == 0 => self.wire.truncate(start),
            Some(enc) if len <= protected_max => enc.seal_in_place(typ, &mut self.wire, start)?,
            None if len <= MAX_PLAINTEXT_LEN => frame_plaintext_record(&mut self.wire, start, typ)?,
            Some(enc) => {
                let messages = self.wire.split_off(content_at);
                self.wire.truncate(start);
                seal_records(enc, typ, &messages, protected_max, &mut self.wire)?;
            }
            None => {
                let messages = self.wire.split_off(content_at);
                self.wire.truncate(start);
                write_plaintext_records(&mut self.wire, typ, &messages);
            }
        }
        Ok(())
    }
}
