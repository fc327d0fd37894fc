//! Duplicate detection over 16-bit code points in linear time, without heap.
//!
//! A ClientHello may carry thousands of extensions or key shares within its
//! size limit, so comparing each with all earlier ones would let a client
//! make the server do quadratic work. Real hellos have a handful of values
//! to track, so those go in a small inline list on the hot path; a hello
//! with more is checked again in one pass with a 65,536-bit set, in a cold
//! function whose 8 KiB frame the common case never pays for.

/// How many values are tracked by linear search.
const INLINE: usize = 16;

/// Tracks up to [`INLINE`] distinct values; beyond that it only remembers
/// that it overflowed, and the caller runs [`first_duplicate`] over the
/// whole list.
pub(crate) struct SeenU16 {
    inline: [u16; INLINE],
    len: usize,
    overflowed: bool,
}

impl SeenU16 {
    pub(crate) const fn new() -> Self {
        Self {
            inline: [0; INLINE],
            len: 0,
            overflowed: false,
        }
    }

    /// Inserts `value`; returns false if it is known to be a duplicate.
    /// After an overflow it returns true and the caller must check the
    /// whole list with [`first_duplicate`].
    pub(crate) fn insert(&mut self, value: u16) -> bool {
        if self.overflowed {
            return true;
        }
        if self.inline[..self.len].contains(&value) {
            return false;
        }
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = value;
                self.len += 1;
            }
            None => self.overflowed = true,
        }
        true
    }

    /// Whether more values arrived than the inline list holds.
    pub(crate) const fn overflowed(&self) -> bool {
        self.overflowed
    }
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

    #[test]
    fn inline_list_then_overflow() {
        let mut seen = SeenU16::new();
        for v in 0..INLINE as u16 {
            assert!(seen.insert(v.wrapping_mul(7919)));
        }
        assert!(!seen.insert(7919));
        assert!(!seen.overflowed());
        assert!(seen.insert(1));
        assert!(seen.overflowed());
        assert!(seen.insert(7919), "after overflow the caller checks");
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
