//! Just enough DER writing (X.690 §8.1, §10.1) for an OCSPRequest.
//!
//! An OCSPRequest is a handful of nested SEQUENCEs around a CertID; writing
//! it by hand keeps building a request infallible (a derive-based encoder
//! returns a `Result` for lengths that cannot occur here) and its bytes
//! easy to check against `openssl ocsp -reqout`.

/// SEQUENCE (constructed).
pub(crate) const SEQUENCE: u8 = 0x30;
/// OCTET STRING.
pub(crate) const OCTET_STRING: u8 = 0x04;
/// INTEGER.
pub(crate) const INTEGER: u8 = 0x02;
/// OBJECT IDENTIFIER.
pub(crate) const OBJECT_IDENTIFIER: u8 = 0x06;
/// NULL, with its zero length: a whole TLV.
pub(crate) const NULL: [u8; 2] = [0x05, 0x00];

/// Appends one tag-length-value item with the given contents.
pub(crate) fn tlv(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    push_length(out, contents.len());
    out.extend_from_slice(contents);
}

/// Appends an item whose contents `write` produces.
pub(crate) fn nested(out: &mut Vec<u8>, tag: u8, write: impl FnOnce(&mut Vec<u8>)) {
    let mut contents = Vec::new();
    write(&mut contents);
    tlv(out, tag, &contents);
}

/// A definite length in its shortest form: one byte below 128, otherwise
/// 0x80 plus the count of big-endian length bytes that follow.
fn push_length(out: &mut Vec<u8>, len: usize) {
    match u8::try_from(len) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            let bytes = len.to_be_bytes();
            let significant: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
            // At most size_of::<usize>() bytes, so this fits in the low
            // seven bits.
            out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0x7f));
            out.extend_from_slice(&significant);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_take_their_shortest_form() {
        for (len, header) in [
            (0usize, vec![0x04, 0x00]),
            (0x7f, vec![0x04, 0x7f]),
            (0x80, vec![0x04, 0x81, 0x80]),
            (0xff, vec![0x04, 0x81, 0xff]),
            (0x100, vec![0x04, 0x82, 0x01, 0x00]),
            (0x1_0000, vec![0x04, 0x83, 0x01, 0x00, 0x00]),
        ] {
            let mut out = Vec::new();
            tlv(&mut out, OCTET_STRING, &vec![0xaa; len]);
            assert_eq!(out[..header.len()], header[..], "{len}");
            assert_eq!(out.len(), header.len() + len);
        }
    }

    #[test]
    fn nested_items() {
        let mut out = Vec::new();
        nested(&mut out, SEQUENCE, |seq| {
            seq.extend_from_slice(&NULL);
            tlv(seq, INTEGER, &[0x01]);
        });
        assert_eq!(out, [0x30, 0x05, 0x05, 0x00, 0x02, 0x01, 0x01]);
    }
}
