//! Handshake message framing and reassembly (RFC 8446 §4, §5.1).
//!
//! A handshake message may be split over many records and a record may hold
//! many messages. [`split_handshake`] takes one complete message off a slice;
//! [`HandshakeJoiner`] collects record fragments until messages are whole,
//! refusing any message longer than [`max_message_len`] allows for its type
//! as soon as its header arrives.

use super::error::{Field, InvalidMessage};
use super::reader::Reader;
pub use crate::enums::HandshakeType;

/// Bytes in a handshake header: type and a 24-bit length.
pub const HANDSHAKE_HEADER_LEN: usize = 4;

/// The longest ClientHello body accepted: the longest one the syntax of
/// RFC 8446 §4.1.2 (and RFC 5246 §7.4.1.2) allows, 131,396 bytes.
///
/// ```text
///   legacy_version                          2
///   random                                 32
///   legacy_session_id<0..32>           1 + 32
///   cipher_suites<2..2^16-2>      2 + 65,534
///   legacy_compression_methods<1..2^8-1>  1 + 255
///   extensions<8..2^16-1>         2 + 65,535
///                                 = 131,396
/// ```
///
/// Real clients send far less (about 0.5 KiB classically, 2 KiB with a
/// post-quantum share), but some pad their hellos past 64 KiB and OpenSSL
/// serves those, so nothing smaller can be refused as malformed. The limit
/// still bounds what one unauthenticated connection can make the server
/// buffer before the parse: at most this much plus one record.
pub const MAX_CLIENT_HELLO_LEN: usize = 2 + 32 + (1 + 32) + (2 + 65_534) + (1 + 255) + (2 + 65_535);

/// The longest body accepted for any other message a client sends to this
/// server (ClientKeyExchange, Finished, KeyUpdate, ...). None of them carries
/// more than a public key or a MAC; client certificates are not requested.
pub const MAX_OTHER_CLIENT_MESSAGE_LEN: usize = 1 << 12;

/// The longest body this server accepts for a message of type `typ`.
pub const fn max_message_len(typ: HandshakeType) -> usize {
    match typ {
        HandshakeType::ClientHello => MAX_CLIENT_HELLO_LEN,
        _ => MAX_OTHER_CLIENT_MESSAGE_LEN,
    }
}

/// A complete handshake message borrowed from its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeMessage<'a> {
    /// The message type.
    pub typ: HandshakeType,
    /// The body, after the 4-byte header.
    pub body: &'a [u8],
    /// Header and body together, exactly as they enter the transcript hash.
    pub encoded: &'a [u8],
}

/// Decodes a handshake header and checks its length against the limit for
/// its type.
fn parse_header(
    header: &[u8; HANDSHAKE_HEADER_LEN],
) -> Result<(HandshakeType, usize), InvalidMessage> {
    let mut r = Reader::new(header, Field::HandshakeHeader);
    let typ = HandshakeType::from_wire(r.u8()?);
    let len = usize::try_from(r.u24()?).unwrap_or(usize::MAX);
    let max = max_message_len(typ);
    if len > max {
        return Err(InvalidMessage::MessageTooLarge { typ, len, max });
    }
    Ok((typ, len))
}

/// Takes the first complete handshake message off `buf`.
///
/// Returns the message and the bytes it spans, or `Ok(None)` if `buf` holds
/// only part of one. An over-long message is refused from its header alone.
#[inline]
pub fn split_handshake(
    buf: &[u8],
) -> Result<Option<(HandshakeMessage<'_>, usize)>, InvalidMessage> {
    let Some((header, rest)) = buf.split_first_chunk::<HANDSHAKE_HEADER_LEN>() else {
        return Ok(None);
    };
    let (typ, len) = parse_header(header)?;
    let Some(body) = rest.get(..len) else {
        return Ok(None);
    };
    let used = HANDSHAKE_HEADER_LEN + len;
    // The body fitted after the header, so header and body fit too: this
    // says the same as the test above.
    let Some(encoded) = buf.get(..used) else {
        return Ok(None);
    };
    let message = HandshakeMessage { typ, body, encoded };
    Ok(Some((message, used)))
}

/// Reassembles handshake messages from the fragments of successive
/// handshake records.
///
/// The caller pushes each record's fragment and then drains
/// [`HandshakeJoiner::next_message`]; under that discipline the buffer holds
/// at most one incomplete message (bounded by [`max_message_len`]) plus one
/// record.
#[derive(Debug, Default)]
pub struct HandshakeJoiner {
    buf: Vec<u8>,
    /// Bytes at the front of `buf` already returned as messages.
    consumed: usize,
}

impl HandshakeJoiner {
    /// An empty joiner; it allocates only when a fragment arrives.
    pub const fn new() -> Self {
        Self {
            buf: Vec::new(),
            consumed: 0,
        }
    }

    /// Whether part of a message is waiting for more fragments. TLS forbids
    /// a key change or another content type in the middle of a message
    /// (RFC 8446 §5.1), so the caller checks this at those points.
    pub fn has_partial_message(&self) -> bool {
        self.buf.len() > self.consumed
    }

    /// Bytes pushed and not yet returned as messages: whole messages not
    /// yet taken, and the start of a partial one.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.consumed
    }

    /// The bytes of `buf` not yet returned as messages, given the fields
    /// rather than `self` so that `consumed` can move on while a message
    /// borrows `buf`. `consumed` only grows by the length of a message taken
    /// from these bytes, so it never passes the end of `buf`; were it to,
    /// there would be nothing pending rather than a message made of the
    /// wrong bytes.
    fn pending(buf: &[u8], consumed: usize) -> &[u8] {
        buf.get(consumed..).unwrap_or_default()
    }

    /// Appends one record's fragment. An over-long message is refused as
    /// soon as its header is complete, before its body is buffered.
    pub fn push(&mut self, fragment: &[u8]) -> Result<(), InvalidMessage> {
        if self.consumed == self.buf.len() {
            self.buf.clear();
            self.consumed = 0;
        } else if self.consumed > 0 {
            self.buf.drain(..self.consumed);
            self.consumed = 0;
        }
        // Check the pending header before buffering: the data already here
        // is at most one partial message, and its header is at the front.
        if let Some(header) = self.header_with(fragment) {
            parse_header(&header)?;
        }
        self.buf.extend_from_slice(fragment);
        Ok(())
    }

    /// The header of the first pending message, once `buf` + `fragment`
    /// holds all four of its bytes.
    fn header_with(&self, fragment: &[u8]) -> Option<[u8; HANDSHAKE_HEADER_LEN]> {
        let mut header = [0; HANDSHAKE_HEADER_LEN];
        // The first four bytes of the pending ones followed by the
        // fragment, however they are split between the two.
        let mut bytes = Self::pending(&self.buf, self.consumed)
            .iter()
            .chain(fragment);
        for byte in &mut header {
            *byte = *bytes.next()?;
        }
        Some(header)
    }

    /// The next complete message, borrowed until the next call.
    pub fn next_message(&mut self) -> Result<Option<HandshakeMessage<'_>>, InvalidMessage> {
        match split_handshake(Self::pending(&self.buf, self.consumed))? {
            Some((message, used)) => {
                self.consumed += used;
                Ok(Some(message))
            }
            None => Ok(None),
        }
    }

    /// Frees the buffer's memory when no message is pending.
    pub fn shrink(&mut self) {
        if !self.has_partial_message() {
            self.buf = Vec::new();
            self.consumed = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![typ];
        v.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn one_message_over_many_fragments() {
        let msg = message(1, &[9; 300]);
        for size in [1, 2, 3, 4, 5, 7, 100, 304] {
            let mut j = HandshakeJoiner::new();
            let mut seen = 0;
            for chunk in msg.chunks(size) {
                j.push(chunk).unwrap();
                while let Some(m) = j.next_message().unwrap() {
                    assert_eq!(m.typ, HandshakeType::ClientHello);
                    assert_eq!(m.body, &[9; 300]);
                    assert_eq!(m.encoded, &msg[..]);
                    seen += 1;
                }
            }
            assert_eq!(seen, 1, "chunk size {size}");
            assert!(!j.has_partial_message());
        }
    }

    #[test]
    fn many_messages_in_one_fragment() {
        let mut frag = message(16, &[1; 33]);
        frag.extend(message(20, &[2; 12]));
        frag.extend(message(24, &[0]));
        frag.extend(&message(20, &[3; 12])[..6]);
        let mut j = HandshakeJoiner::new();
        j.push(&frag).unwrap();
        let mut types = Vec::new();
        let mut buffered = frag.len();
        assert_eq!(j.buffered(), buffered);
        while let Some(m) = j.next_message().unwrap() {
            types.push(m.typ);
            buffered -= m.encoded.len();
            assert_eq!(j.buffered(), buffered);
        }
        assert_eq!(buffered, 6);
        assert_eq!(
            types,
            [
                HandshakeType::ClientKeyExchange,
                HandshakeType::Finished,
                HandshakeType::KeyUpdate
            ]
        );
        assert!(j.has_partial_message());
        j.push(&message(20, &[3; 12])[6..]).unwrap();
        assert_eq!(j.next_message().unwrap().unwrap().body, &[3; 12]);
    }

    #[test]
    fn over_long_messages_are_refused_from_the_header() {
        let too_long = (MAX_CLIENT_HELLO_LEN + 1) as u32;
        let header = [
            1,
            (too_long >> 16) as u8,
            (too_long >> 8) as u8,
            too_long as u8,
        ];
        let expected = InvalidMessage::MessageTooLarge {
            typ: HandshakeType::ClientHello,
            len: MAX_CLIENT_HELLO_LEN + 1,
            max: MAX_CLIENT_HELLO_LEN,
        };
        assert_eq!(split_handshake(&header), Err(expected));
        // Even when the header arrives one byte at a time.
        let mut j = HandshakeJoiner::new();
        j.push(&header[..1]).unwrap();
        j.push(&header[1..3]).unwrap();
        assert_eq!(j.push(&header[3..]), Err(expected));
        assert_eq!(j.buf.len(), 3, "the offending fragment is not buffered");

        let finished = [20, 0, 0x10, 0x01];
        assert_eq!(
            split_handshake(&finished),
            Err(InvalidMessage::MessageTooLarge {
                typ: HandshakeType::Finished,
                len: MAX_OTHER_CLIENT_MESSAGE_LEN + 1,
                max: MAX_OTHER_CLIENT_MESSAGE_LEN,
            })
        );
    }

    #[test]
    fn largest_client_hello_is_accepted() {
        assert_eq!(MAX_CLIENT_HELLO_LEN, 131_396);
        let msg = message(1, &vec![0; MAX_CLIENT_HELLO_LEN]);
        let mut j = HandshakeJoiner::new();
        for chunk in msg.chunks(1 << 14) {
            j.push(chunk).unwrap();
        }
        assert_eq!(
            j.next_message().unwrap().unwrap().body.len(),
            MAX_CLIENT_HELLO_LEN
        );
        j.shrink();
        assert_eq!(j.buf.capacity(), 0);
    }
}
