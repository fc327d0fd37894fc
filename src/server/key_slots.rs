//! The keys of one direction, as the output sink keeps them across a
//! step: the ones in use, and the ones the step started with, for a
//! rollback.
//!
//! Two slots, and the index of the one in use. A step that changes keys
//! writes the new ones into the other slot, so the old ones stay where
//! they are for a rollback: nothing is moved aside. A record key is about
//! 600 bytes (ring's expanded AES key and GHASH table), and a full
//! TLS 1.3 handshake installs four; moving each into place and its
//! predecessor aside copied several kilobytes per handshake through
//! freshly touched stack, which pushed the hot key-exchange tables out of
//! the L1 cache.

/// The keys in use and, while a step that replaced them runs, the ones
/// it started with.
pub(crate) struct KeySlots<K> {
    slots: [Option<K>; 2],
    /// The slot in use: 0 or 1.
    current: usize,
    /// The slot in use when the step began.
    at_begin: usize,
}

impl<K> Default for KeySlots<K> {
    fn default() -> Self {
        Self {
            slots: [None, None],
            current: 0,
            at_begin: 0,
        }
    }
}

impl<K> KeySlots<K> {
    /// Marks the start of a step.
    pub(crate) fn begin(&mut self) {
        self.at_begin = self.current;
    }

    /// The keys in use, if any.
    pub(crate) fn current(&self) -> Option<&K> {
        self.slots.get(self.current).and_then(Option::as_ref)
    }

    /// The keys in use, if any, to seal or open with.
    pub(crate) fn current_mut(&mut self) -> Option<&mut K> {
        self.slots.get_mut(self.current).and_then(Option::as_mut)
    }

    /// Puts `keys` in use. The first change in a step takes the other
    /// slot, keeping the step's starting keys; a later one in the same
    /// step replaces the keys that change made.
    pub(crate) fn install(&mut self, keys: K) {
        if self.current == self.at_begin {
            self.current = 1 - self.current;
        }
        if let Some(slot) = self.slots.get_mut(self.current) {
            *slot = Some(keys);
        }
    }

    /// Ends a step that succeeded: the keys it started with, if replaced,
    /// are dropped.
    pub(crate) fn commit(&mut self) {
        if let Some(old) = self.slots.get_mut(1 - self.current) {
            *old = None;
        }
        self.at_begin = self.current;
    }

    /// Ends a step that failed: the keys it started with are in use again,
    /// and the ones it made are dropped.
    pub(crate) fn rollback(&mut self) {
        if self.current != self.at_begin {
            if let Some(made) = self.slots.get_mut(self.current) {
                *made = None;
            }
            self.current = self.at_begin;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_keeps_its_starting_keys_until_it_ends() {
        let mut keys = KeySlots::default();
        keys.begin();
        assert_eq!(keys.current(), None);
        keys.install("handshake");
        keys.install("application");
        assert_eq!(keys.current(), Some(&"application"));
        keys.rollback();
        assert_eq!(keys.current(), None, "back to no keys");

        keys.begin();
        keys.install("handshake");
        keys.commit();
        assert_eq!(keys.current(), Some(&"handshake"));
        keys.begin();
        keys.install("application");
        keys.install("application 2");
        keys.rollback();
        assert_eq!(keys.current(), Some(&"handshake"));
        assert_eq!(
            keys.slots.iter().flatten().count(),
            1,
            "the made keys are gone"
        );

        keys.begin();
        keys.install("application");
        keys.commit();
        assert_eq!(keys.current(), Some(&"application"));
        assert_eq!(
            keys.slots.iter().flatten().count(),
            1,
            "the old keys are gone"
        );
        // A step that changes nothing keeps what is in use.
        keys.begin();
        keys.commit();
        keys.begin();
        keys.rollback();
        assert_eq!(keys.current(), Some(&"application"));
    }
}
