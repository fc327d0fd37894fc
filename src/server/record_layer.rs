//! Record protection of either version behind one face, and the framing of
//! outgoing records, so that the driver seals and opens without asking
//! which version was negotiated.

use core::ops::Range;

use crate::codec::{ContentType, RecordHeader, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN};
use crate::crypto::record_protection::{RecordDecrypter, RecordEncrypter};
use crate::crypto::tls12::record_protection::{Tls12Decrypter, Tls12Encrypter};
use crate::error::{Error, LengthOverflow};

/// This side's sending keys.
pub(crate) enum Encrypter {
    /// TLS 1.3 (RFC 8446 §5.2): the true type inside, application_data
    /// outside.
    Tls13(RecordEncrypter),
    /// TLS 1.2 (RFC 5246 §6.2.3.3): the type in the clear.
    Tls12(Tls12Encrypter),
}

impl Encrypter {
    /// Appends one protected record; `out` is untouched on failure.
    pub(crate) fn seal(
        &mut self,
        typ: ContentType,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        match self {
            Self::Tls13(enc) => enc.seal(typ, plaintext, out),
            Self::Tls12(enc) => enc.seal(typ, plaintext, out),
        }
    }

    /// Bytes a record adds to its content: header, explicit nonce or
    /// inner type, tag.
    pub(crate) fn overhead(&self) -> usize {
        match self {
            Self::Tls13(enc) => enc.overhead(),
            Self::Tls12(enc) => enc.overhead(),
        }
    }

    /// Room a record needs in front of its content: the header, and TLS
    /// 1.2's explicit nonce.
    pub(crate) fn prefix_len(&self) -> usize {
        match self {
            Self::Tls13(_) => RECORD_HEADER_LEN,
            Self::Tls12(enc) => enc.prefix_len(),
        }
    }

    /// Seals, as one record, the content written at `out[start +
    /// prefix_len()..]` where it lies; on error `out` is truncated to
    /// `start`.
    pub(crate) fn seal_in_place(
        &mut self,
        typ: ContentType,
        out: &mut Vec<u8>,
        start: usize,
    ) -> Result<(), Error> {
        match self {
            Self::Tls13(enc) => enc.seal_in_place(typ, out, start),
            Self::Tls12(enc) => enc.seal_in_place(typ, out, start),
        }
    }
}

impl From<RecordEncrypter> for Encrypter {
    fn from(enc: RecordEncrypter) -> Self {
        Self::Tls13(enc)
    }
}

impl From<Tls12Encrypter> for Encrypter {
    fn from(enc: Tls12Encrypter) -> Self {
        Self::Tls12(enc)
    }
}

/// The peer's sending keys, once it uses them.
pub(crate) enum Decrypter {
    /// TLS 1.3.
    Tls13(RecordDecrypter),
    /// TLS 1.2.
    Tls12(Tls12Decrypter),
}

impl Decrypter {
    /// Whether a record of this outer type is protected. TLS 1.3 protects
    /// only application_data records (a plaintext alert may still come
    /// from a client that could not read the server's flight, §5); every
    /// TLS 1.2 record after the client's change_cipher_spec is protected.
    pub(crate) fn protects(&self, outer: ContentType) -> bool {
        match self {
            Self::Tls13(_) => outer == ContentType::ApplicationData,
            Self::Tls12(_) => true,
        }
    }

    /// Decrypts a record in place; returns its true type and content.
    pub(crate) fn open<'a>(
        &mut self,
        header: &RecordHeader,
        payload: &'a mut [u8],
    ) -> Result<(ContentType, &'a [u8]), Error> {
        match self {
            Self::Tls13(dec) => dec.open(header, payload),
            Self::Tls12(dec) => dec.open(header, payload),
        }
    }
}

impl From<RecordDecrypter> for Decrypter {
    fn from(dec: RecordDecrypter) -> Self {
        Self::Tls13(dec)
    }
}

impl From<Tls12Decrypter> for Decrypter {
    fn from(dec: Tls12Decrypter) -> Self {
        Self::Tls12(dec)
    }
}

/// Seals `data` as protected records of at most `max` bytes of `typ`
/// (2^14, or less under the peer's record_size_limit). On
/// failure `out` is left as it was, so no partial flight is ever sent.
pub(crate) fn seal_records(
    enc: &mut Encrypter,
    typ: ContentType,
    data: &[u8],
    max: usize,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let mark = out.len();
    for chunk in data.chunks(max.clamp(1, MAX_PLAINTEXT_LEN)) {
        if let Err(e) = enc.seal(typ, chunk, out) {
            out.truncate(mark);
            return Err(e);
        }
    }
    Ok(())
}

/// Seals as much of `data` as fits in `room` bytes of output, as records
/// of `typ` of at most `max` bytes (the protocol's 2^14, or the peer's
/// record_size_limit) (a record that does
/// not fit whole is not begun), each encrypted where
/// it is written in `out`; returns how many bytes of `data` it took. On
/// failure `out` is left as it was.
pub(crate) fn seal_within(
    enc: &mut Encrypter,
    typ: ContentType,
    data: &[u8],
    (room, max): (usize, usize),
    out: &mut Vec<u8>,
) -> Result<usize, Error> {
    let overhead = enc.overhead();
    let max = max.clamp(1, MAX_PLAINTEXT_LEN);
    let mark = out.len();
    let mut rest = data;
    let mut room = room;
    while !rest.is_empty() {
        // Whole records only: a record cut to fill the last bytes of room
        // would cost its overhead for little content.
        let len = rest.len().min(max);
        if room < len + overhead {
            break;
        }
        let (chunk, after) = rest.split_at_checked(len).unwrap_or((rest, &[]));
        if let Err(e) = enc.seal(typ, chunk, out) {
            out.truncate(mark);
            return Err(e);
        }
        room = room.saturating_sub(chunk.len() + overhead);
        rest = after;
    }
    Ok(data.len() - rest.len())
}

/// Fills in the header of the unprotected record at `out[start..]`, whose
/// content the caller wrote after [`RECORD_HEADER_LEN`] bytes of room, so
/// that messages are encoded where they are sent. Content over
/// [`MAX_PLAINTEXT_LEN`] (RFC 8446 §5.1) is refused, not framed with a
/// clamped length: the caller fragments such content with
/// [`write_plaintext_records`] instead.
pub(crate) fn frame_plaintext_record(
    out: &mut [u8],
    start: usize,
    typ: ContentType,
) -> Result<(), LengthOverflow> {
    let content_at = start.saturating_add(RECORD_HEADER_LEN);
    let len = out.len().saturating_sub(content_at);
    let overflow = LengthOverflow {
        len,
        max: MAX_PLAINTEXT_LEN,
    };
    if len > MAX_PLAINTEXT_LEN {
        return Err(overflow);
    }
    let header = RecordHeader {
        content_type: typ,
        legacy_version: 0x0303,
        len: u16::try_from(len).map_err(|_| overflow)?,
    };
    let room = out.get_mut(start..content_at).ok_or(overflow)?;
    room.copy_from_slice(&header.encode());
    Ok(())
}

/// Frames `data` as unprotected records of at most 2^14 bytes.
pub(crate) fn write_plaintext_records(out: &mut Vec<u8>, typ: ContentType, data: &[u8]) {
    for chunk in data.chunks(MAX_PLAINTEXT_LEN) {
        let header = RecordHeader {
            content_type: typ,
            legacy_version: 0x0303,
            // A chunk is at most MAX_PLAINTEXT_LEN (2^14) bytes long.
            len: chunk.len() as u16,
        };
        out.reserve(RECORD_HEADER_LEN + chunk.len());
        out.extend_from_slice(&header.encode());
        out.extend_from_slice(chunk);
    }
}

/// The change_cipher_spec record: TLS 1.2's signal that the keys change
/// (RFC 5246 §7.1), and TLS 1.3's middlebox-compatibility no-op (RFC 8446
/// Appendix D.4). Never protected.
pub(crate) const CCS_RECORD: [u8; 6] = [20, 3, 3, 0, 1, 1];

/// Where `part`, which lies inside the `len` bytes at address `at`, lies
/// in them; `None` when it is empty (nothing to read) or, which cannot
/// happen, outside them.
pub(crate) fn range_within(at: usize, len: usize, part: &[u8]) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(at)?;
    let end = start.checked_add(part.len())?;
    (start < end && end <= len).then_some(start..end)
}
