//! The running transcript hash (RFC 8446 §4.4.1).
//!
//! The server picks its suite from the ClientHello before it hashes
//! anything, so the hash is fixed from the start and nothing is buffered.

use core::ops::Range;

use ring::digest;

use crate::codec::HandshakeType;
use crate::error::CryptoError;

/// A running hash over the handshake messages of one connection, each with
/// its 4-byte header, in the order they were sent or received.
#[derive(Clone)]
pub(crate) struct Transcript {
    ctx: digest::Context,
    /// The messages themselves, kept only where a signature is checked
    /// over them rather than over their hash: a TLS 1.2 client's
    /// CertificateVerify (RFC 5246 §7.4.8), which ring hashes itself.
    messages: Option<Vec<u8>>,
}

impl core::fmt::Debug for Transcript {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Transcript")
            .field("algorithm", self.ctx.algorithm())
            .finish_non_exhaustive()
    }
}

impl Transcript {
    /// An empty transcript over the suite's hash.
    pub(crate) fn new(algorithm: &'static digest::Algorithm) -> Self {
        Self {
            ctx: digest::Context::new(algorithm),
            messages: None,
        }
    }

    /// A transcript that also keeps the messages (see [`Self::messages`]).
    pub(crate) fn keeping_messages(algorithm: &'static digest::Algorithm) -> Self {
        Self {
            ctx: digest::Context::new(algorithm),
            messages: Some(Vec::new()),
        }
    }

    /// Appends one or more whole handshake messages (headers included).
    pub(crate) fn add(&mut self, messages: &[u8]) {
        self.ctx.update(messages);
        if let Some(kept) = self.messages.as_mut() {
            kept.extend_from_slice(messages);
        }
    }

    /// Every message added, if this transcript keeps them.
    pub(crate) fn messages(&self) -> Option<&[u8]> {
        self.messages.as_deref()
    }

    /// Appends the messages a writer has just put at `range` of `out`.
    /// The writer returned the range, so it lies inside `out`; were it not,
    /// hashing nothing would make every later hash wrong, so it is refused
    /// as the bug it would be.
    pub(crate) fn add_written(
        &mut self,
        out: &[u8],
        range: Range<usize>,
    ) -> Result<(), CryptoError> {
        self.add(out.get(range).ok_or(CryptoError::Refused)?);
        Ok(())
    }

    /// `Transcript-Hash` of everything added so far. The running state is
    /// copied, not finished, so more messages can follow.
    pub(crate) fn current_hash(&self) -> digest::Digest {
        self.ctx.clone().finish()
    }

    /// The hash algorithm.
    pub(crate) fn algorithm(&self) -> &'static digest::Algorithm {
        self.ctx.algorithm()
    }

    /// Applies the HelloRetryRequest rule of RFC 8446 §4.4.1: the transcript,
    /// which must hold exactly ClientHello1 when this is called, is replaced
    /// by the synthetic message
    /// `message_hash(254) || 00 00 Hash.length || Hash(ClientHello1)`.
    /// The HelloRetryRequest and everything after it are then added as usual.
    pub(crate) fn replace_with_message_hash(&mut self) {
        let client_hello1 = self.current_hash();
        let hash = client_hello1.as_ref();
        let mut fresh = digest::Context::new(self.ctx.algorithm());
        // The handshake header: type, then a 24-bit length (the low three
        // bytes of a big-endian usize; a hash is at most 64 bytes).
        let [.., l0, l1, l2] = hash.len().to_be_bytes();
        fresh.update(&[HandshakeType::MessageHash.to_wire(), l0, l1, l2]);
        fresh.update(hash);
        self.ctx = fresh;
        // A retry happens in TLS 1.3 only, whose transcripts keep nothing.
        self.messages = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keeping_transcript_keeps_what_it_hashes() {
        let mut t = Transcript::keeping_messages(&digest::SHA256);
        t.add(b"abc");
        t.add(b"def");
        assert_eq!(t.messages(), Some(&b"abcdef"[..]));
        assert_eq!(
            t.current_hash().as_ref(),
            digest::digest(&digest::SHA256, b"abcdef").as_ref()
        );
        assert_eq!(Transcript::new(&digest::SHA256).messages(), None);
    }

    #[test]
    fn hashes_incrementally_and_keeps_running() {
        let mut t = Transcript::new(&digest::SHA256);
        assert_eq!(
            t.current_hash().as_ref(),
            digest::digest(&digest::SHA256, b"").as_ref()
        );
        t.add(b"abc");
        let first = t.current_hash();
        t.add(b"def");
        assert_eq!(
            first.as_ref(),
            digest::digest(&digest::SHA256, b"abc").as_ref()
        );
        assert_eq!(
            t.current_hash().as_ref(),
            digest::digest(&digest::SHA256, b"abcdef").as_ref()
        );
        assert!(core::ptr::eq(t.algorithm(), &digest::SHA256));
    }

    #[test]
    fn hello_retry_request_rule() {
        for alg in [&digest::SHA256, &digest::SHA384] {
            let (ch1, hrr, ch2) = (
                &b"\x01\x00\x00\x01A"[..],
                &b"\x02\x00\x00\x01B"[..],
                &b"\x01\x00\x00\x01C"[..],
            );
            let mut t = Transcript::new(alg);
            t.add(ch1);
            t.replace_with_message_hash();
            t.add(hrr);
            t.add(ch2);

            // Built by hand from §4.4.1.
            let inner = digest::digest(alg, ch1);
            let mut expected = vec![254, 0, 0, u8::try_from(alg.output_len()).unwrap()];
            expected.extend_from_slice(inner.as_ref());
            expected.extend_from_slice(hrr);
            expected.extend_from_slice(ch2);
            assert_eq!(
                t.current_hash().as_ref(),
                digest::digest(alg, &expected).as_ref()
            );
        }
    }
}
