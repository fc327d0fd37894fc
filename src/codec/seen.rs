//! Duplicate detection over 16-bit code points in linear time, without heap.
//!
//! A ClientHello may carry thousands of extensions or key shares within its
//! size limit, so comparing each with all earlier ones would let a client
//! make the server do quadratic work. Real hellos have a handful of values
//! to track, so those go in a small inline list; past that, a 65,536-bit set
//! on the stack takes over, and it is zeroed only when a hello needs it.

/// How many values are tracked by linear search before switching to the set.
const INLINE: usize = 16;

/// A set of `u16` values answering "seen before?" as each is inserted.
pub(crate) struct SeenU16 {
    inline: [u16; INLINE],
    len: usize,
    bits: Option<[u64; 1024]>,
}

impl SeenU16 {
    pub(crate) const fn new() -> Self {
        Self {
            inline: [0; INLINE],
            len: 0,
            bits: None,
        }
    }

    /// Inserts `value`; returns false if it was already present.
    pub(crate) fn insert(&mut self, value: u16) -> bool {
        if let Some(bits) = &mut self.bits {
            let (word, bit) = (usize::from(value >> 6), 1u64 << (value & 63));
            let fresh = bits[word] & bit == 0;
            bits[word] |= bit;
            return fresh;
        }
        if self.inline[..self.len].contains(&value) {
            return false;
        }
        if self.len < INLINE {
            self.inline[self.len] = value;
            self.len += 1;
            return true;
        }
        let bits = self.bits.insert([0; 1024]);
        for v in self.inline.iter().copied().chain(core::iter::once(value)) {
            bits[usize::from(v >> 6)] |= 1u64 << (v & 63);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates_before_and_after_the_switch() {
        let mut seen = SeenU16::new();
        for v in 0..1000u16 {
            assert!(seen.insert(v.wrapping_mul(7919)), "{v}");
        }
        for v in 0..1000u16 {
            assert!(!seen.insert(v.wrapping_mul(7919)), "{v}");
        }
        let mut small = SeenU16::new();
        assert!(small.insert(0xffff) && small.insert(0) && !small.insert(0xffff));
        assert!(small.bits.is_none());
    }
}
