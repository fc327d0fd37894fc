//! A bounds-checked cursor over borrowed bytes.
//!
//! Every TLS structure is a sequence of fixed-width integers and vectors with
//! a 1-, 2- or 3-byte length prefix (RFC 8446 §3.4). `Reader` reads those and
//! nothing else; it never allocates and never panics, and each failure names
//! the [`Field`] being read so that the error says *where* a message broke.

use super::error::{Field, InvalidMessage};

/// A cursor over `&'a [u8]` that reports failures against one [`Field`].
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
    field: Field,
}

impl<'a> Reader<'a> {
    /// Starts reading `bytes`; failures are reported against `field`.
    pub const fn new(bytes: &'a [u8], field: Field) -> Self {
        Self { rest: bytes, field }
    }

    /// The field failures are reported against.
    pub const fn field(&self) -> Field {
        self.field
    }

    /// How many bytes are left.
    pub const fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Whether every byte has been read.
    pub const fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The unread bytes, without consuming them.
    pub const fn peek_rest(&self) -> &'a [u8] {
        self.rest
    }

    /// Consumes and returns every unread byte.
    pub fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.rest)
    }

    /// Consumes exactly `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], InvalidMessage> {
        if n > self.rest.len() {
            return Err(InvalidMessage::Truncated(self.field));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    /// Consumes a fixed-size array, such as a 32-byte `Random`.
    pub fn array<const N: usize>(&mut self) -> Result<&'a [u8; N], InvalidMessage> {
        let bytes = self.take(N)?;
        bytes
            .try_into()
            .map_err(|_| InvalidMessage::Truncated(self.field))
    }

    /// Reads a `uint8`.
    pub fn u8(&mut self) -> Result<u8, InvalidMessage> {
        Ok(self.array::<1>()?[0])
    }

    /// Reads a big-endian `uint16`.
    pub fn u16(&mut self) -> Result<u16, InvalidMessage> {
        Ok(u16::from_be_bytes(*self.array::<2>()?))
    }

    /// Reads a big-endian `uint24` (handshake and certificate lengths).
    pub fn u24(&mut self) -> Result<u32, InvalidMessage> {
        let [a, b, c] = *self.array::<3>()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// Reads a big-endian `uint32`.
    pub fn u32(&mut self) -> Result<u32, InvalidMessage> {
        Ok(u32::from_be_bytes(*self.array::<4>()?))
    }

    /// Reads an `opaque x<0..2^8-1>`: a 1-byte length, then that many bytes.
    pub fn opaque_u8(&mut self) -> Result<&'a [u8], InvalidMessage> {
        let len = self.u8()?;
        self.take(usize::from(len))
    }

    /// Reads an `opaque x<0..2^16-1>`: a 2-byte length, then that many bytes.
    pub fn opaque_u16(&mut self) -> Result<&'a [u8], InvalidMessage> {
        let len = self.u16()?;
        self.take(usize::from(len))
    }

    /// Reads an `opaque x<0..2^24-1>`: a 3-byte length, then that many bytes.
    pub fn opaque_u24(&mut self) -> Result<&'a [u8], InvalidMessage> {
        let len = self.u24()?;
        // A u24 always fits in usize on the 32- and 64-bit targets we build for;
        // saturating keeps 16-bit targets panic-free (the take then fails).
        self.take(usize::try_from(len).unwrap_or(usize::MAX))
    }

    /// Reads a vector with a 1-byte length prefix and returns a reader over its
    /// body whose failures are reported against `field`.
    pub fn vec_u8(&mut self, field: Field) -> Result<Reader<'a>, InvalidMessage> {
        Ok(Reader::new(self.opaque_u8()?, field))
    }

    /// Reads a vector with a 2-byte length prefix (see [`Reader::vec_u8`]).
    pub fn vec_u16(&mut self, field: Field) -> Result<Reader<'a>, InvalidMessage> {
        Ok(Reader::new(self.opaque_u16()?, field))
    }

    /// Reads a vector with a 3-byte length prefix (see [`Reader::vec_u8`]).
    pub fn vec_u24(&mut self, field: Field) -> Result<Reader<'a>, InvalidMessage> {
        Ok(Reader::new(self.opaque_u24()?, field))
    }

    /// Reads a vector with a 2-byte length prefix and hands its body to
    /// `parse`, which must consume it exactly: leftover bytes are
    /// [`InvalidMessage::TrailingBytes`] against `field`.
    pub fn sub_u16<T>(
        &mut self,
        field: Field,
        parse: impl FnOnce(&mut Reader<'a>) -> Result<T, InvalidMessage>,
    ) -> Result<T, InvalidMessage> {
        let mut sub = self.vec_u16(field)?;
        let value = parse(&mut sub)?;
        sub.finish()?;
        Ok(value)
    }

    /// Succeeds only if every byte has been read; otherwise the leftover is
    /// [`InvalidMessage::TrailingBytes`] against this reader's field.
    pub fn finish(self) -> Result<(), InvalidMessage> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(InvalidMessage::TrailingBytes(self.field))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: Field = Field::ClientHello;

    #[test]
    fn integers_are_big_endian() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], F);
        assert_eq!(r.u8(), Ok(1));
        assert_eq!(r.u16(), Ok(0x0203));
        assert_eq!(r.u24(), Ok(0x04_0506));
        assert_eq!(r.u32(), Ok(0x0708_090a));
        assert!(r.is_empty());
        assert_eq!(r.u8(), Err(InvalidMessage::Truncated(F)));
    }

    #[test]
    fn short_reads_fail_without_consuming() {
        let mut r = Reader::new(&[0, 3, 1, 2], F);
        assert_eq!(r.opaque_u16(), Err(InvalidMessage::Truncated(F)));
        let mut r = Reader::new(&[0xff, 0xff, 0xff], F);
        assert_eq!(r.opaque_u24(), Err(InvalidMessage::Truncated(F)));
        let mut r = Reader::new(&[1], F);
        assert_eq!(r.u16(), Err(InvalidMessage::Truncated(F)));
        assert_eq!(r.remaining(), 1);
    }

    #[test]
    fn vectors_and_sub_readers() {
        let bytes = [2, 0xaa, 0xbb, 0, 1, 0xcc, 0, 0, 1, 0xdd];
        let mut r = Reader::new(&bytes, F);
        assert_eq!(r.opaque_u8(), Ok(&[0xaa, 0xbb][..]));
        let mut v = r.vec_u16(Field::Extensions).unwrap();
        assert_eq!(v.field(), Field::Extensions);
        assert_eq!(v.u8(), Ok(0xcc));
        assert!(v.finish().is_ok());
        assert_eq!(r.opaque_u24(), Ok(&[0xdd][..]));
        r.finish().unwrap();
    }

    #[test]
    fn sub_reader_must_be_consumed_exactly() {
        let bytes = [0, 2, 7, 8];
        let mut r = Reader::new(&bytes, F);
        let got = r.sub_u16(Field::CipherSuites, |s| s.u8());
        assert_eq!(got, Err(InvalidMessage::TrailingBytes(Field::CipherSuites)));
        let mut r = Reader::new(&bytes, F);
        assert_eq!(r.sub_u16(Field::CipherSuites, |s| s.u16()), Ok(0x0708));
        let mut r = Reader::new(&bytes, F);
        assert_eq!(r.take(1), Ok(&[0][..]));
        assert_eq!(r.finish(), Err(InvalidMessage::TrailingBytes(F)));
    }
}
