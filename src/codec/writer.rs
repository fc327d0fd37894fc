//! Encoding: appending TLS structures to a `Vec<u8>`.
//!
//! Vectors are written by reserving their length prefix, writing the body,
//! then patching the prefix, so callers never compute lengths by hand. Every
//! message the server writes is built from its own configuration and bounded
//! values (a certificate chain and a staple are checked against their u24
//! limits when they enter the server), so a prefix that would not fit is a
//! bug; it is clamped rather than panicking, and the peer will reject it.

/// Appends a `uint8`.
pub fn put_u8(out: &mut Vec<u8>, v: u8) {
    out.push(v);
}

/// Appends a big-endian `uint16`.
pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Width of a vector's length prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prefix {
    /// `<..2^8-1>`
    U8,
    /// `<..2^16-1>`
    U16,
    /// `<..2^24-1>`
    U24,
}

impl Prefix {
    const fn len(self) -> usize {
        match self {
            Self::U8 => 1,
            Self::U16 => 2,
            Self::U24 => 3,
        }
    }

    const fn max(self) -> usize {
        match self {
            Self::U8 => 0xff,
            Self::U16 => 0xffff,
            Self::U24 => 0x00ff_ffff,
        }
    }
}

/// Appends a vector whose body `body` writes, with a length prefix of the
/// given width patched in afterwards.
pub fn put_vec(out: &mut Vec<u8>, prefix: Prefix, body: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.resize(at + prefix.len(), 0);
    body(out);
    let len = (out.len() - at - prefix.len()).min(prefix.max());
    let bytes = (len as u32).to_be_bytes();
    out[at..at + prefix.len()].copy_from_slice(&bytes[4 - prefix.len()..]);
}

/// Appends `opaque x<..>` with the given prefix.
pub fn put_opaque(out: &mut Vec<u8>, prefix: Prefix, bytes: &[u8]) {
    put_vec(out, prefix, |out| out.extend_from_slice(bytes));
}

/// Appends a handshake message (type, u24 length, body) and returns the
/// range it occupies, for the transcript.
pub fn put_handshake(
    out: &mut Vec<u8>,
    typ: super::HandshakeType,
    body: impl FnOnce(&mut Vec<u8>),
) -> core::ops::Range<usize> {
    let start = out.len();
    put_u8(out, typ.to_wire());
    put_vec(out, Prefix::U24, body);
    start..out.len()
}

/// Appends an extension: type and a u16-prefixed body.
pub fn put_extension(
    out: &mut Vec<u8>,
    typ: super::ExtensionType,
    body: impl FnOnce(&mut Vec<u8>),
) {
    put_u16(out, typ.to_wire());
    put_vec(out, Prefix::U16, body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{ExtensionType, HandshakeType};

    #[test]
    fn prefixes_are_patched() {
        let mut out = vec![0xee];
        put_vec(&mut out, Prefix::U16, |o| {
            put_opaque(o, Prefix::U8, b"ab");
            put_u16(o, 0x0102);
        });
        assert_eq!(out, [0xee, 0, 5, 2, b'a', b'b', 1, 2]);
        let mut out = Vec::new();
        let range = put_handshake(&mut out, HandshakeType::Finished, |o| o.extend([7; 3]));
        assert_eq!(out, [20, 0, 0, 3, 7, 7, 7]);
        assert_eq!(range, 0..7);
        let mut out = Vec::new();
        put_extension(&mut out, ExtensionType::ServerName, |_| {});
        assert_eq!(out, [0, 0, 0, 0]);
    }

    #[test]
    fn oversized_bodies_clamp_instead_of_panicking() {
        let mut out = Vec::new();
        put_opaque(&mut out, Prefix::U8, &[0; 300]);
        assert_eq!(out[0], 0xff);
    }
}
