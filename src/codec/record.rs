//! Record framing (RFC 8446 §5.1, RFC 5246 §6.2).
//!
//! [`split_record`] is the stateless core: it takes the first complete record
//! off a byte slice, borrowing it. [`RecordDeframer`] adds the one piece of
//! state a byte stream needs: the tail of a record that has not fully
//! arrived, kept in a buffer that can never hold more than one record.

use super::error::InvalidMessage;
pub use crate::enums::ContentType;

/// Bytes in a record header: type, legacy_record_version, length.
pub const RECORD_HEADER_LEN: usize = 5;

/// The largest TLSPlaintext fragment: 2^14 bytes (RFC 8446 §5.1). A record
/// above this before encryption starts gets record_overflow.
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;

/// The largest TLSCiphertext fragment in TLS 1.3: 2^14 + 256 (RFC 8446 §5.2).
pub const MAX_CIPHERTEXT_LEN_TLS13: usize = MAX_PLAINTEXT_LEN + 256;

/// The largest TLSCiphertext fragment in TLS 1.2: 2^14 + 2048 (RFC 5246 §6.2.3).
pub const MAX_CIPHERTEXT_LEN_TLS12: usize = MAX_PLAINTEXT_LEN + 2048;

/// A decoded record header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    /// What the record carries.
    pub content_type: ContentType,
    /// legacy_record_version: 0x0301 or 0x0303 in practice, otherwise ignored
    /// (RFC 8446 §5.1).
    pub legacy_version: u16,
    /// Length of the fragment that follows the header.
    pub len: u16,
}

impl RecordHeader {
    /// Decodes and checks a header against the largest fragment allowed now.
    ///
    /// The checks need only these five bytes, so a stream of garbage is
    /// rejected before any of its body is buffered.
    #[inline]
    pub fn parse(bytes: &[u8; RECORD_HEADER_LEN], max_len: usize) -> Result<Self, InvalidMessage> {
        let [typ, v0, v1, l0, l1] = *bytes;
        let content_type = ContentType::from_wire(typ);
        if let ContentType::Unknown(t) = content_type {
            return Err(InvalidMessage::UnknownContentType(t));
        }
        let legacy_version = u16::from_be_bytes([v0, v1]);
        // The version is otherwise ignored, but every TLS and SSLv3 record
        // starts with major version 3: anything else is some other protocol.
        if v0 != 3 {
            return Err(InvalidMessage::NotTls(legacy_version));
        }
        let len = u16::from_be_bytes([l0, l1]);
        if usize::from(len) > max_len {
            return Err(InvalidMessage::RecordOverflow {
                len: usize::from(len),
                max: max_len,
            });
        }
        if len == 0 && matches!(content_type, ContentType::Handshake | ContentType::Alert) {
            return Err(InvalidMessage::EmptyFragment(content_type));
        }
        Ok(Self {
            content_type,
            legacy_version,
            len,
        })
    }

    /// Encodes the header.
    pub const fn encode(&self) -> [u8; RECORD_HEADER_LEN] {
        let [v0, v1] = self.legacy_version.to_be_bytes();
        let [l0, l1] = self.len.to_be_bytes();
        [self.content_type.to_wire(), v0, v1, l0, l1]
    }
}

/// A complete record borrowed from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// The decoded header.
    pub header: RecordHeader,
    /// The fragment: plaintext, or ciphertext once keys are in use.
    pub fragment: &'a [u8],
}

/// Takes the first complete record off `buf`.
///
/// Returns the record and the number of bytes it spans, or `Ok(None)` when
/// `buf` holds only part of one (including part of a header). Errors come as
/// soon as the header shows them.
#[inline]
pub fn split_record(
    buf: &[u8],
    max_len: usize,
) -> Result<Option<(Record<'_>, usize)>, InvalidMessage> {
    let Some((header, body)) = buf.split_first_chunk::<RECORD_HEADER_LEN>() else {
        return Ok(None);
    };
    let header = RecordHeader::parse(header, max_len)?;
    let len = usize::from(header.len);
    let Some(fragment) = body.get(..len) else {
        return Ok(None);
    };
    Ok(Some((Record { header, fragment }, RECORD_HEADER_LEN + len)))
}

/// Turns a byte stream, arriving in pieces of any size, into records.
///
/// It buffers at most one record not yet handed out (header plus the
/// largest fragment allowed), so [`RecordDeframer::push`] may consume only
/// part of what it is given: the caller offers the rest again after
/// draining [`RecordDeframer::next_record`].
///
/// A record's fragment is decrypted where it lies
/// ([`RecordDeframer::next_record_mut`]), and its application data can be
/// left there for the application to read ([`RecordDeframer::hold`]): no
/// copy and no allocation per record. While data is held the buffer
/// keeps it in place (it is never moved), so the buffer holds at most
/// that record and one more.
///
/// Nothing is allocated until bytes arrive, and the buffer is released when
/// a connection asks for it with [`RecordDeframer::shrink`].
#[derive(Debug)]
pub struct RecordDeframer {
    buf: Vec<u8>,
    /// Bytes at the front of `buf` already handed out as records.
    consumed: usize,
    max_len: usize,
    /// Where the fragment of the last record handed out starts in `buf`.
    last_fragment: usize,
    /// Plaintext left in `buf` for the application to read: a part of a
    /// fragment already handed out, so always below `consumed`. Empty when
    /// nothing is held.
    held: core::ops::Range<usize>,
}

impl Default for RecordDeframer {
    fn default() -> Self {
        Self::new()
    }
}

impl RecordDeframer {
    /// A deframer that accepts plaintext records (up to 2^14 bytes).
    pub const fn new() -> Self {
        Self {
            buf: Vec::new(),
            consumed: 0,
            max_len: MAX_PLAINTEXT_LEN,
            last_fragment: 0,
            held: 0..0,
        }
    }

    /// Changes the largest fragment accepted, e.g. to
    /// [`MAX_CIPHERTEXT_LEN_TLS13`] once records are protected.
    pub fn set_max_len(&mut self, max_len: usize) {
        self.max_len = max_len;
    }

    /// The largest fragment accepted now.
    pub const fn max_len(&self) -> usize {
        self.max_len
    }

    /// Bytes received but not yet returned as a record.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.consumed
    }

    /// Bytes of memory the buffer holds, for the tests and benches that
    /// measure what an idle connection keeps.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Leaves `range` of the last record's fragment (as returned by
    /// [`Self::next_record_mut`], after decryption in place) in the buffer
    /// for the application to read with [`Self::held`]. An empty or
    /// out-of-bounds range holds nothing.
    pub fn hold(&mut self, range: core::ops::Range<usize>) {
        let start = self.last_fragment.saturating_add(range.start);
        let end = self.last_fragment.saturating_add(range.end);
        self.held = if start < end && end <= self.consumed {
            start..end
        } else {
            0..0
        };
    }

    /// The held plaintext not yet read; empty when none is held.
    pub fn held(&self) -> &[u8] {
        self.buf.get(self.held.clone()).unwrap_or_default()
    }

    /// Marks the first `n` bytes of the held plaintext as read (all of it
    /// when `n` is longer).
    pub fn consume_held(&mut self, n: usize) {
        self.held.start = self.held.start.saturating_add(n).min(self.held.end);
    }

    /// The bytes of `buf` not yet returned as a record, given the fields
    /// rather than `self` so that `consumed` can move on while a record
    /// borrows `buf`. `consumed` only grows by the length of a record taken
    /// from these bytes, so it never passes the end of `buf`; were it to,
    /// there would be nothing pending rather than a record made of the
    /// wrong bytes.
    fn pending(buf: &[u8], consumed: usize) -> &[u8] {
        buf.get(consumed..).unwrap_or_default()
    }

    /// Copies as much of `data` as the buffer may hold (one record at most)
    /// and returns how many bytes it took.
    pub fn push(&mut self, data: &[u8]) -> usize {
        data.len() - self.push_some(data).len()
    }

    /// Copies as much of `data` as the buffer may hold (one record at most)
    /// and returns the rest, for a caller that keeps a slice rather than an
    /// offset into it.
    pub(crate) fn push_some<'d>(&mut self, data: &'d [u8]) -> &'d [u8] {
        self.compact();
        let room = (RECORD_HEADER_LEN + self.max_len).saturating_sub(self.buffered());
        // All of `data` when it is no longer than the room left.
        let (taken, rest) = data.split_at_checked(room).unwrap_or((data, &[]));
        self.buf.extend_from_slice(taken);
        rest
    }

    /// The next complete record, borrowed from the buffer until the next call.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, InvalidMessage> {
        match split_record(Self::pending(&self.buf, self.consumed), self.max_len)? {
            Some((record, used)) => {
                self.last_fragment = self.consumed + RECORD_HEADER_LEN;
                self.consumed += used;
                Ok(Some(record))
            }
            None => Ok(None),
        }
    }

    /// The next complete record with a mutable fragment, so that it can be
    /// decrypted in place; borrowed until the next call.
    pub fn next_record_mut(&mut self) -> Result<Option<(RecordHeader, &mut [u8])>, InvalidMessage> {
        let Some((record, used)) =
            split_record(Self::pending(&self.buf, self.consumed), self.max_len)?
        else {
            return Ok(None);
        };
        let header = record.header;
        let start = self.consumed + RECORD_HEADER_LEN;
        self.consumed += used;
        self.last_fragment = start;
        Ok(self
            .buf
            .get_mut(start..self.consumed)
            .map(|fragment| (header, fragment)))
    }

    /// Drops the bytes not yet handed out as records (the held data
    /// stays): what a peer sent after it closed its side is ignored.
    pub fn discard_unread_records(&mut self) {
        self.buf.truncate(self.consumed);
    }

    /// Frees the buffer's memory when it holds nothing, e.g. while a
    /// connection waits for the application or is idle.
    pub fn shrink(&mut self) {
        self.compact();
        if self.buf.is_empty() {
            self.buf = Vec::new();
        }
    }

    /// Drops the records already handed out, unless plaintext in one of
    /// them is still held: held data is never moved (that would be a copy
    /// per record), and while it is held no further record is taken, so
    /// the buffer stays within that record and one more.
    fn compact(&mut self) {
        if self.held.is_empty() && self.consumed > 0 {
            self.buf.drain(..self.consumed);
            self.consumed = 0;
            self.held = 0..0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![typ, 3, 1];
        v.extend_from_slice(&(body.len() as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn split_returns_none_until_complete() {
        let rec = record(22, &[1, 2, 3]);
        for cut in 0..rec.len() {
            assert_eq!(
                split_record(&rec[..cut], MAX_PLAINTEXT_LEN),
                Ok(None),
                "{cut}"
            );
        }
        let (r, used) = split_record(&rec, MAX_PLAINTEXT_LEN).unwrap().unwrap();
        assert_eq!(used, 8);
        assert_eq!(r.header.content_type, ContentType::Handshake);
        assert_eq!(r.header.legacy_version, 0x0301);
        assert_eq!(r.fragment, &[1, 2, 3]);
    }

    #[test]
    fn header_errors_come_before_the_body() {
        assert_eq!(
            split_record(b"GET / HTTP/1.1", MAX_PLAINTEXT_LEN),
            Err(InvalidMessage::UnknownContentType(b'G'))
        );
        assert_eq!(
            split_record(&[22, 2, 0, 0, 1], MAX_PLAINTEXT_LEN),
            Err(InvalidMessage::NotTls(0x0200))
        );
        assert_eq!(
            split_record(&[22, 3, 3, 0x40, 0x01], MAX_PLAINTEXT_LEN),
            Err(InvalidMessage::RecordOverflow {
                len: MAX_PLAINTEXT_LEN + 1,
                max: MAX_PLAINTEXT_LEN
            })
        );
        assert_eq!(
            split_record(&[21, 3, 3, 0, 0], MAX_PLAINTEXT_LEN),
            Err(InvalidMessage::EmptyFragment(ContentType::Alert))
        );
        // Empty application data is legal (and used as traffic analysis padding).
        assert!(split_record(&[23, 3, 3, 0, 0], MAX_PLAINTEXT_LEN)
            .unwrap()
            .is_some());
        // The largest legal plaintext record is accepted.
        let big = record(23, &vec![0; MAX_PLAINTEXT_LEN]);
        assert!(split_record(&big, MAX_PLAINTEXT_LEN).unwrap().is_some());
    }

    #[test]
    fn deframer_handles_byte_at_a_time_and_many_per_push() {
        let mut stream = record(22, &[1; 10]);
        stream.extend(record(23, &[2; 3]));
        stream.extend(record(21, &[2, 40]));

        let mut one = RecordDeframer::new();
        let mut got = Vec::new();
        for b in &stream {
            assert_eq!(one.push(std::slice::from_ref(b)), 1);
            while let Some(r) = one.next_record().unwrap() {
                got.push((r.header.content_type, r.fragment.to_vec()));
            }
        }
        let mut all = RecordDeframer::new();
        assert_eq!(all.push(&stream), stream.len());
        let mut got_all = Vec::new();
        while let Some(r) = all.next_record().unwrap() {
            got_all.push((r.header.content_type, r.fragment.to_vec()));
        }
        assert_eq!(got, got_all);
        assert_eq!(got.len(), 3);
        assert_eq!(all.buffered(), 0);
    }

    #[test]
    fn deframer_buffers_at_most_one_record() {
        let mut d = RecordDeframer::new();
        let rec = record(23, &vec![7; MAX_PLAINTEXT_LEN]);
        let mut stream = rec.clone();
        stream.extend_from_slice(&rec);
        let took = d.push(&stream);
        assert_eq!(took, rec.len());
        assert!(d.next_record().unwrap().is_some());
        assert_eq!(d.push(&stream[took..]), rec.len());
        assert!(d.next_record().unwrap().is_some());
        d.shrink();
        assert_eq!(d.buf.capacity(), 0);
    }
}
