//! Just enough DER (X.690 §8.1, §10.1) to split a byte string into items.
//!
//! The OCSP fields of status_request are DER inside a TLS vector: each
//! ResponderID is one DER item and request_extensions is one DER SEQUENCE of
//! Extension items (RFC 6066 §8). The handshake only needs to check their
//! framing and hand them out; the full ASN.1 lives in the OCSP toolkit.

use super::error::{Field, InvalidMessage};

/// The tag of a constructed SEQUENCE.
pub const SEQUENCE: u8 = 0x30;

/// The largest number of length octets accepted: 4 bytes cover any item that
/// can fit in a 2^16-byte TLS vector many times over.
const MAX_LENGTH_OCTETS: usize = 4;

/// The largest number of tag octets accepted (high tag numbers, X.690 §8.1.2.4).
const MAX_TAG_OCTETS: usize = 4;

/// One DER item split off the front of a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DerItem<'a> {
    /// The first identifier octet (class, constructed bit, low tag number).
    pub tag: u8,
    /// Tag, length and contents together.
    pub encoded: &'a [u8],
    /// The contents octets alone.
    pub contents: &'a [u8],
}

/// Splits the first DER item off `buf`, returning it and what follows.
/// `None` if the item is truncated or not in DER's definite, minimal form.
pub fn split_item(buf: &[u8]) -> Option<(DerItem<'_>, &[u8])> {
    let (&tag, mut rest) = buf.split_first()?;
    if tag & 0x1f == 0x1f {
        // High tag number: base-128 octets, the last without bit 8 set,
        // and the first not 0x80 (X.690 §8.1.2.4.2 c).
        // `position` consumes the octets up to and including the last, so
        // what the iterator has left is the rest of the item.
        let mut tag_octets = rest.iter();
        let more = tag_octets.position(|b| b & 0x80 == 0)? + 1;
        if more > MAX_TAG_OCTETS || rest.first() == Some(&0x80) {
            return None;
        }
        rest = tag_octets.as_slice();
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        // Long form; 0x80 alone is BER's indefinite length, not DER.
        let n = usize::from(first & 0x7f);
        if n == 0 || n > MAX_LENGTH_OCTETS {
            return None;
        }
        let (octets, tail) = rest.split_at_checked(n)?;
        rest = tail;
        // DER needs the shortest form: no leading zero, no long form below 128.
        if let [0, ..] = octets {
            return None;
        }
        let len = octets
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        if len < 0x80 {
            return None;
        }
        len
    };
    let (contents, after) = rest.split_at_checked(len)?;
    // `after` is the end of `buf`, so what comes before it is always there
    // (and were it not, the item would be refused, never cut short).
    let encoded = buf.get(..buf.len() - after.len())?;
    Some((
        DerItem {
            tag,
            encoded,
            contents,
        },
        after,
    ))
}

/// Checks that `buf` is exactly one DER item; returns it.
pub fn single_item(buf: &[u8], field: Field) -> Result<DerItem<'_>, InvalidMessage> {
    match split_item(buf) {
        Some((item, [])) => Ok(item),
        _ => Err(InvalidMessage::BadDer(field)),
    }
}

/// Checks that `buf` is a concatenation of whole DER items.
pub fn check_items(mut buf: &[u8], field: Field) -> Result<(), InvalidMessage> {
    while !buf.is_empty() {
        let (_, rest) = split_item(buf).ok_or(InvalidMessage::BadDer(field))?;
        buf = rest;
    }
    Ok(())
}

/// An iterator over consecutive DER items, yielding each item's full
/// encoding. It stops at the end, or at the first byte that does not start
/// a well-formed item (never the case for slices this crate has validated).
#[derive(Clone, Copy, Debug)]
pub struct DerItems<'a> {
    rest: &'a [u8],
}

impl<'a> DerItems<'a> {
    pub(crate) const fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }
}

impl<'a> Iterator for DerItems<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (item, rest) = split_item(self.rest)?;
        self.rest = rest;
        Some(item.encoded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths() {
        let (item, rest) = split_item(&[0x04, 0x02, 0xaa, 0xbb, 0xff]).unwrap();
        assert_eq!(
            (item.tag, item.contents, rest),
            (0x04, &[0xaa, 0xbb][..], &[0xff][..])
        );
        let mut long = vec![0x30, 0x81, 0x80];
        long.extend([0; 0x80]);
        let (item, rest) = split_item(&long).unwrap();
        assert_eq!(
            (item.contents.len(), item.encoded.len(), rest.len()),
            (0x80, 0x83, 0)
        );
    }

    #[test]
    fn non_der_forms_are_refused() {
        assert!(
            split_item(&[0x30, 0x80, 0, 0]).is_none(),
            "indefinite length"
        );
        assert!(
            split_item(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]).is_none(),
            "long form below 128"
        );
        assert!(
            split_item(&[0x04, 0x82, 0x00, 0x80]).is_none(),
            "leading zero"
        );
        assert!(
            split_item(&[0x04, 0x85, 1, 1, 1, 1, 1]).is_none(),
            "too many length octets"
        );
        assert!(split_item(&[0x04, 0x03, 1, 2]).is_none(), "truncated");
        assert!(
            split_item(&[0x1f, 0x80, 0x01, 0x00]).is_none(),
            "padded high tag"
        );
        assert!(split_item(&[0x1f]).is_none());
        assert!(split_item(&[]).is_none());
        assert_eq!(
            split_item(&[0x1f, 0x81, 0x01, 0x00])
                .unwrap()
                .0
                .encoded
                .len(),
            4
        );
    }

    #[test]
    fn items_iterate_and_check() {
        let buf = [0x02, 0x01, 0x05, 0x05, 0x00, 0x30, 0x00];
        let items: Vec<_> = DerItems::new(&buf).collect();
        assert_eq!(items, [&buf[..3], &buf[3..5], &buf[5..]]);
        assert!(check_items(&buf, Field::Extensions).is_ok());
        assert_eq!(
            check_items(&buf[..6], Field::Extensions),
            Err(InvalidMessage::BadDer(Field::Extensions))
        );
        assert!(single_item(&buf[..3], Field::Extensions).is_ok());
        assert!(single_item(&buf, Field::Extensions).is_err());
    }
}
