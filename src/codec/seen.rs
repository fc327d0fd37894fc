//! Duplicate detection over 16-bit code points in linear time, without heap.
//!
//! A ClientHello may carry thousands of extensions or key shares within its
//! size limit, so comparing each with all earlier ones would let a client
//! make the server do quadratic work. Real hellos have a handful of values
//! to track, so the hot path keeps only a 64-bit filter in a register: each
//! value sets one bit, picked by a hash. If no bit was set twice, every
//! value was distinct. Otherwise the list may hold a repeat, and the caller
//! checks it once more, exactly, with [`first_duplicate`]: a cold function
//! whose 8 KiB frame the common case never pays for.

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
    shared: bool,
}

impl SeenU16 {
    pub(crate) const fn new() -> Self {
        Self {
            bits: 0,
            shared: false,
        }
    }

    /// Notes `value`. Branch-free: a taken bit is only remembered, and
    /// [`SeenU16::maybe_repeated`] reports it after the list.
    #[inline(always)]
    pub(crate) fn insert(&mut self, value: u16) {
        let bit = 1u64 << bucket(value);
        self.shared |= self.bits & bit != 0;
        self.bits |= bit;
    }

    /// Whether two values shared a bit, so that the list may hold a repeat
    /// and needs [`first_duplicate`]. False means every value was distinct.
    pub(crate) const fn maybe_repeated(&self) -> bool {
        self.shared
    }
}

/// The first value of `values` that appeared before, in one pass.
#[cold]
#[inline(never)]
pub(crate) fn first_duplicate(values: impl Iterator<Item = u16>) -> Option<u16> {
    let mut bits = [0u64; 1024];
    for v in values {
        // `v >> 6` is at most 1023, so the word is always there and the
        // compiler drops the test; were it missing, calling `v` a repeat
        // refuses the list rather than let a repeat through.
        let Some(word) = bits.get_mut(usize::from(v >> 6)) else {
            return Some(v);
        };
        let bit = 1u64 << (v & 63);
        if *word & bit != 0 {
            return Some(v);
        }
        *word |= bit;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_values_have_their_own_bits() {
        let grease = (0..16).map(|k| 0x0a0a + 0x1010 * k);
        let mut values: Vec<u16> = grease.collect();
        values.extend([
            0xff01, 0xfe0d, 0x4469, 0x44cd, 0x001d, 0x0017, 0x0018, 0x11ec,
        ]);
        let mut seen = SeenU16::new();
        for v in values {
            seen.insert(v);
        }
        assert!(!seen.maybe_repeated());
    }

    #[test]
    fn a_repeat_is_always_reported() {
        for v in [0u16, 0x0a0a, 0x1d, 0xffff] {
            let mut seen = SeenU16::new();
            seen.insert(0x1234);
            seen.insert(v);
            assert!(!seen.maybe_repeated() || bucket(v) == bucket(0x1234));
            seen.insert(v);
            assert!(seen.maybe_repeated());
        }
    }

    #[test]
    fn values_that_share_a_bit_ask_for_the_exact_check() {
        let distinct: Vec<u16> = (0..100u16).map(|v| v.wrapping_mul(7919)).collect();
        let mut seen = SeenU16::new();
        for &v in &distinct {
            seen.insert(v);
        }
        assert!(seen.maybe_repeated(), "100 values cannot have 64 bits each");
        assert_eq!(first_duplicate(distinct.iter().copied()), None);
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
