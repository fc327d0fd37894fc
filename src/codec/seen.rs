//! Duplicate detection over 16-bit code points in linear time, without heap.
//!
//! A ClientHello may carry thousands of extensions or key shares within its
//! size limit, so comparing each with all earlier ones would let a client
//! make the server do quadratic work. Real hellos have a handful of values
//! to track, so the hot path keeps only a 64-bit filter in a register: each
//! value owns one bit, picked by a hash. A value whose bit is clear is new.
//! A value whose bit is taken may be a repeat or may merely share the bit;
//! the caller then looks back through the earlier values, at most
//! [`MAX_LOOK_BACKS`] times per list. Past that the set stops answering and
//! the caller checks the whole list once with [`first_duplicate`], in a
//! cold function whose 8 KiB frame the common case never pays for.

/// How many exact look-backs one list may need before the set gives up.
/// Each costs at most one pass over the list, so the total stays linear.
const MAX_LOOK_BACKS: u8 = 8;

/// The filter bit of `value`: the top 6 bits of a multiplicative hash. The
/// multiplier was found by search so that the 16 GREASE values (RFC 8701)
/// and the extension types and key share groups clients commonly send
/// above 63 each get a bit of their own; any odd multiplier would be
/// correct, only slower when values collide.
const fn bucket(value: u16) -> u32 {
    (value as u32).wrapping_mul(0x5d8c_aa9f) >> 26
}

/// The values of one list met so far, as a filter (see the module docs).
pub(crate) struct SeenU16 {
    bits: u64,
    look_backs: u8,
}

impl SeenU16 {
    pub(crate) const fn new() -> Self {
        Self {
            bits: 0,
            look_backs: 0,
        }
    }

    /// Inserts `value`; returns false if it is a repeat. `earlier` lists the
    /// values inserted before, and is walked only when the filter cannot
    /// tell. Once the look-backs are used up it returns true, and the caller
    /// must check the whole list with [`first_duplicate`] when
    /// [`SeenU16::gave_up`] says so.
    #[inline(always)]
    pub(crate) fn insert<I: Iterator<Item = u16>>(
        &mut self,
        value: u16,
        earlier: impl FnOnce() -> I,
    ) -> bool {
        let bit = 1u64 << bucket(value);
        if self.bits & bit == 0 {
            self.bits |= bit;
            return true;
        }
        if self.look_backs >= MAX_LOOK_BACKS {
            // Undecided: `gave_up` now says so.
            self.look_backs = MAX_LOOK_BACKS + 1;
            return true;
        }
        self.look_backs += 1;
        !appears_in(value, earlier)
    }

    /// Whether some insert could not be decided, so that the whole list
    /// needs [`first_duplicate`].
    pub(crate) const fn gave_up(&self) -> bool {
        self.look_backs > MAX_LOOK_BACKS
    }
}

/// Whether `value` is among the values `earlier` lists: the slow, exact
/// answer for a value whose filter bit was taken.
#[cold]
#[inline(never)]
fn appears_in<I: Iterator<Item = u16>>(value: u16, earlier: impl FnOnce() -> I) -> bool {
    earlier().any(|v| v == value)
}

/// The first value of `values` that appeared before, in one pass.
#[cold]
#[inline(never)]
pub(crate) fn first_duplicate(values: impl Iterator<Item = u16>) -> Option<u16> {
    let mut bits = [0u64; 1024];
    for v in values {
        let (word, bit) = (usize::from(v >> 6), 1u64 << (v & 63));
        if bits[word] & bit != 0 {
            return Some(v);
        }
        bits[word] |= bit;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inserts each of `values` in turn, looking back through the ones
    /// before it; returns the index of the first reported repeat.
    fn first_repeat(values: &[u16]) -> (Option<usize>, bool) {
        let mut seen = SeenU16::new();
        for (i, &v) in values.iter().enumerate() {
            if !seen.insert(v, || values[..i].iter().copied()) {
                return (Some(i), seen.gave_up());
            }
        }
        (None, seen.gave_up())
    }

    #[test]
    fn common_values_have_their_own_bits() {
        let grease = (0..16).map(|k| 0x0a0a + 0x1010 * k);
        let mut values: Vec<u16> = grease.collect();
        values.extend([
            0xff01, 0xfe0d, 0x4469, 0x44cd, 0x001d, 0x0017, 0x0018, 0x11ec,
        ]);
        let buckets: std::collections::HashSet<u32> = values.iter().map(|&v| bucket(v)).collect();
        assert_eq!(buckets.len(), values.len());
    }

    #[test]
    fn repeats_are_found_exactly_while_looking_back() {
        assert_eq!(first_repeat(&[0x0a0a, 0xff01, 0x1a1a]), (None, false));
        assert_eq!(first_repeat(&[0x0a0a, 0xff01, 0x0a0a]), (Some(2), false));
        // Values that share bits, so that telling them apart needs looking
        // back, but few enough that the look-backs suffice.
        let distinct: Vec<u16> = (0..20u16).map(|v| v.wrapping_mul(7919)).collect();
        let buckets: std::collections::HashSet<u32> = distinct.iter().map(|&v| bucket(v)).collect();
        assert!(buckets.len() < distinct.len(), "no shared bit to test");
        assert_eq!(first_repeat(&distinct), (None, false));
        let mut repeat = distinct.clone();
        repeat.push(distinct[17]);
        assert_eq!(first_repeat(&repeat), (Some(20), false));
    }

    #[test]
    fn gives_up_after_its_look_backs_and_says_so() {
        let many: Vec<u16> = (0..5000u16).map(|v| v.wrapping_mul(7919)).collect();
        let (repeat, gave_up) = first_repeat(&many);
        assert_eq!(repeat, None);
        assert!(gave_up, "5000 values cannot fit 64 bits with 8 look-backs");
    }

    #[test]
    fn first_duplicate_scans_everything() {
        let values: Vec<u16> = (0..5000u16).map(|v| v.wrapping_mul(7919)).collect();
        assert_eq!(first_duplicate(values.iter().copied()), None);
        let mut dup = values.clone();
        dup.push(values[4321]);
        assert_eq!(first_duplicate(dup.into_iter()), Some(values[4321]));
        assert_eq!(
            first_duplicate([0xffff, 0, 0xffff].into_iter()),
            Some(0xffff)
        );
    }
}
