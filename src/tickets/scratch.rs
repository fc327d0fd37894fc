//! A stack buffer for secrets that wipes, when dropped, only the bytes it
//! was used for.
//!
//! `Zeroizing<[u8; N]>` wipes all N bytes with volatile writes, one byte
//! at a time: for a 2 KiB ticket buffer that is about a microsecond, a
//! fifth of a resumed TLS 1.2 handshake's cryptography. A ticket or state
//! uses a few hundred of them.

use zeroize::Zeroize;

/// `N` bytes, of which the first `used` may hold a secret.
pub(crate) struct Scratch<const N: usize> {
    bytes: [u8; N],
    used: usize,
}

impl<const N: usize> Scratch<N> {
    pub(crate) fn new() -> Self {
        Self {
            bytes: [0; N],
            used: 0,
        }
    }

    /// The first `len` bytes (at most `N`), to write a secret into: they
    /// are wiped on drop.
    pub(crate) fn take(&mut self, len: usize) -> Option<&mut [u8]> {
        self.used = self.used.max(len.min(N));
        self.bytes.get_mut(..len)
    }
}

impl<const N: usize> Scratch<N> {
    fn wipe(&mut self) {
        if let Some(used) = self.bytes.get_mut(..self.used) {
            used.zeroize();
        }
        self.used = 0;
    }
}

impl<const N: usize> Drop for Scratch<N> {
    fn drop(&mut self) {
        self.wipe();
    }
}

#[cfg(test)]
mod tests {
    use super::Scratch;

    #[test]
    fn only_what_was_taken_is_marked_for_wiping() {
        let mut s = Scratch::<16>::new();
        s.take(4).unwrap().copy_from_slice(b"abcd");
        assert_eq!(s.used, 4);
        assert!(s.take(17).is_none());
        assert_eq!(s.used, 16, "a request past the end still marks it all");
    }

    #[test]
    fn the_wipe_covers_the_bytes_used() {
        let mut s = Scratch::<8>::new();
        s.take(3).unwrap().copy_from_slice(b"key");
        // A byte never taken (written here behind the buffer's back) is
        // left alone: only what was handed out can hold a secret.
        s.bytes[5] = 9;
        s.wipe();
        assert_eq!(s.bytes, [0, 0, 0, 0, 0, 9, 0, 0]);
        assert_eq!(s.used, 0);
    }
}
