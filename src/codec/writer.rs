//! Encoding: appending TLS structures to a `Vec<u8>`.
//!
//! Vectors are written by reserving their length prefix, writing the body,
//! then patching the prefix, so callers never compute lengths by hand. A
//! body longer than its prefix can say (RFC 8446 §3.4: `<floor..ceiling>`
//! bounds are part of the type) is never clamped or cut: the vector is
//! taken back out of `out` and [`LengthOverflow`] returned, which every
//! writer built on these passes up, so nothing malformed reaches the wire.
//! The server checks what it can earlier (a certificate against its u24
//! limit when configured, a staple against its version's limit when the
//! application hands it over); this is the guarantee behind those checks.

use super::error::LengthOverflow;

/// What every writer returns: nothing, or the vector that did not fit.
pub type Written = Result<(), LengthOverflow>;

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
    /// The prefix's placeholder, patched once the body is written.
    const fn zeros(self) -> &'static [u8] {
        match self {
            Self::U8 => &[0],
            Self::U16 => &[0; 2],
            Self::U24 => &[0; 3],
        }
    }

    /// The longest body the prefix can describe.
    pub const fn max(self) -> usize {
        match self {
            Self::U8 => 0xff,
            Self::U16 => 0xffff,
            Self::U24 => 0x00ff_ffff,
        }
    }

    /// Writes `len` big-endian into `room`, the prefix's bytes, or says it
    /// does not fit.
    fn patch(self, room: &mut [u8], len: usize) -> Written {
        let overflow = LengthOverflow {
            len,
            max: self.max(),
        };
        let [_, b1, b2, b3] = u32::try_from(len).map_err(|_| overflow)?.to_be_bytes();
        match (self, room) {
            (Self::U8, [l0]) if len <= self.max() => *l0 = b3,
            (Self::U16, [l0, l1]) if len <= self.max() => [*l0, *l1] = [b2, b3],
            (Self::U24, [l0, l1, l2]) if len <= self.max() => [*l0, *l1, *l2] = [b1, b2, b3],
            _ => return Err(overflow),
        }
        Ok(())
    }
}

/// Appends a vector whose body `body` writes, with a length prefix of the
/// given width patched in afterwards. If the body fails or is too long for
/// the prefix, `out` is left as it was and the error returned.
///
/// Only the body is inlined at each call: the prefix's placeholder and its
/// patching are one shared copy each, so a flight's encoders, run once per
/// handshake with cold caches, fetch less code.
#[inline]
pub fn put_vec(
    out: &mut Vec<u8>,
    prefix: Prefix,
    body: impl FnOnce(&mut Vec<u8>) -> Written,
) -> Written {
    let at = open_vec(out, prefix);
    let written = body(out);
    close_vec(out, prefix, at, written)
}

/// Appends `prefix`'s placeholder; returns where it starts.
#[inline(never)]
fn open_vec(out: &mut Vec<u8>, prefix: Prefix) -> usize {
    let at = out.len();
    out.extend_from_slice(prefix.zeros());
    at
}

/// Patches the prefix at `at` with the length of what follows it, or
/// takes the vector back out if the body failed or is too long.
#[inline(never)]
fn close_vec(out: &mut Vec<u8>, prefix: Prefix, at: usize, written: Written) -> Written {
    let body_at = at.saturating_add(prefix.zeros().len());
    let written = written.and_then(|()| {
        let len = out.len().saturating_sub(body_at);
        let room = out.get_mut(at..body_at).unwrap_or_default();
        prefix.patch(room, len)
    });
    if written.is_err() {
        out.truncate(at);
    }
    written
}

/// Appends `opaque x<..>` with the given prefix.
#[inline(never)]
pub fn put_opaque(out: &mut Vec<u8>, prefix: Prefix, bytes: &[u8]) -> Written {
    let at = open_vec(out, prefix);
    out.extend_from_slice(bytes);
    close_vec(out, prefix, at, Ok(()))
}

/// Appends a handshake message (type, u24 length, body) and returns the
/// range it occupies, for the transcript.
pub fn put_handshake(
    out: &mut Vec<u8>,
    typ: super::HandshakeType,
    body: impl FnOnce(&mut Vec<u8>) -> Written,
) -> Result<core::ops::Range<usize>, LengthOverflow> {
    let start = out.len();
    put_u8(out, typ.to_wire());
    if let Err(e) = put_vec(out, Prefix::U24, body) {
        out.truncate(start);
        return Err(e);
    }
    Ok(start..out.len())
}

/// Appends an extension: type and a u16-prefixed body.
pub fn put_extension(
    out: &mut Vec<u8>,
    typ: super::ExtensionType,
    body: impl FnOnce(&mut Vec<u8>) -> Written,
) -> Written {
    let start = out.len();
    put_u16(out, typ.to_wire());
    put_vec(out, Prefix::U16, body).inspect_err(|_| out.truncate(start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{ExtensionType, HandshakeType};

    #[test]
    fn prefixes_are_patched() {
        let mut out = vec![0xee];
        put_vec(&mut out, Prefix::U16, |o| {
            put_opaque(o, Prefix::U8, b"ab")?;
            put_u16(o, 0x0102);
            Ok(())
        })
        .unwrap();
        assert_eq!(out, [0xee, 0, 5, 2, b'a', b'b', 1, 2]);
        let mut out = Vec::new();
        let range = put_handshake(&mut out, HandshakeType::Finished, |o| {
            o.extend([7; 3]);
            Ok(())
        })
        .unwrap();
        assert_eq!(out, [20, 0, 0, 3, 7, 7, 7]);
        assert_eq!(range, 0..7);
        let mut out = Vec::new();
        put_extension(&mut out, ExtensionType::ServerName, |_| Ok(())).unwrap();
        assert_eq!(out, [0, 0, 0, 0]);
    }

    #[test]
    fn every_prefix_holds_exactly_its_maximum() {
        for (prefix, header) in [
            (Prefix::U8, &[0xff][..]),
            (Prefix::U16, &[0xff, 0xff]),
            (Prefix::U24, &[0xff, 0xff, 0xff]),
        ] {
            let mut out = vec![0xee];
            put_opaque(&mut out, prefix, &vec![1; prefix.max()]).unwrap();
            assert_eq!(out.len(), 1 + header.len() + prefix.max());
            assert_eq!(&out[1..1 + header.len()], header);
        }
    }

    #[test]
    fn oversized_bodies_are_refused_and_leave_nothing_behind() {
        for prefix in [Prefix::U8, Prefix::U16, Prefix::U24] {
            let too_long = prefix.max() + 1;
            let mut out = vec![0xee];
            assert_eq!(
                put_opaque(&mut out, prefix, &vec![0; too_long]),
                Err(LengthOverflow {
                    len: too_long,
                    max: prefix.max()
                })
            );
            assert_eq!(out, [0xee], "{prefix:?}");
        }
        // An overflow deep inside passes up through every enclosing writer,
        // each taking its own bytes back out.
        let mut out = vec![0xee];
        let result = put_handshake(&mut out, HandshakeType::Certificate, |o| {
            put_vec(o, Prefix::U24, |o| {
                put_opaque(o, Prefix::U24, b"cert")?;
                put_vec(o, Prefix::U16, |o| {
                    put_extension(o, ExtensionType::StatusRequest, |o| {
                        put_u8(o, 1);
                        put_opaque(o, Prefix::U24, &[9; 0xffff - 4 - 4 + 1])
                    })
                })
            })
        });
        assert_eq!(
            result,
            Err(LengthOverflow {
                len: 0xffff + 1,
                max: 0xffff
            })
        );
        assert_eq!(out, [0xee]);
        // A body's own error is passed up the same way.
        let mut out = vec![0xee];
        let refused = LengthOverflow { len: 7, max: 3 };
        assert_eq!(
            put_extension(&mut out, ExtensionType::ServerName, |o| {
                o.push(1);
                Err(refused)
            }),
            Err(refused)
        );
        assert_eq!(out, [0xee]);
    }
}
