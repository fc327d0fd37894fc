//! What TLS 1.3 and TLS 1.2 record protection share: one direction's AEAD
//! key, the 12-byte IV its nonces are made from, and the sequence number of
//! the next record, which may never wrap (RFC 8446 §5.3, RFC 5246 §6.1);
//! and the limits every record is held to.
//!
//! Both versions make a nonce as "IV XOR sequence number" on the sending
//! side (RFC 8446 §5.3; RFC 7905 §2; RFC 5288 §3 with the sequence number
//! as the explicit nonce, see `tls12::record_protection`). Nothing here
//! allocates: a record is sealed and opened in the caller's buffer.

use ring::aead;

use crate::codec::MAX_PLAINTEXT_LEN;
use crate::error::{CryptoError, Error, InvalidMessage};

/// Bytes of every nonce, and of the IV it is made from: 12 for every suite
/// of either version (RFC 8446 §5.3 asks for at least 8; RFC 5116 §3.2
/// recommends 12, which both AES-GCM and ChaCha20-Poly1305 use).
pub(crate) const NONCE_LEN: usize = 12;

/// One direction's AEAD key, IV and sequence number.
pub(crate) struct RecordKey {
    key: aead::LessSafeKey,
    iv: [u8; NONCE_LEN],
    /// The sequence number of the next record, or `None` once 2^64 - 1 has
    /// been used.
    next_seq: Option<u64>,
}

impl RecordKey {
    /// A key for `algorithm` at sequence number 0. Errors: a key of the
    /// wrong length for `algorithm`.
    pub(crate) fn new(
        algorithm: &'static aead::Algorithm,
        key: &[u8],
        iv: [u8; NONCE_LEN],
    ) -> Result<Self, Error> {
        let key = aead::UnboundKey::new(algorithm, key).map_err(|_| CryptoError::Refused)?;
        Ok(Self {
            key: aead::LessSafeKey::new(key),
            iv,
            next_seq: Some(0),
        })
    }

    /// The sequence number for the next record.
    #[inline]
    pub(crate) fn seq(&self) -> Result<u64, Error> {
        self.next_seq
            .ok_or(Error::Crypto(CryptoError::SequenceExhausted))
    }

    /// Moves past `seq`, which has been used.
    #[inline]
    pub(crate) fn advance(&mut self, seq: u64) {
        self.next_seq = seq.checked_add(1);
    }

    /// The sequence number of the next record, `None` once spent.
    #[inline]
    pub(crate) fn next_seq(&self) -> Option<u64> {
        self.next_seq
    }

    /// The IV, as derived.
    #[inline]
    pub(crate) fn iv(&self) -> &[u8; NONCE_LEN] {
        &self.iv
    }

    /// The IV XOR the sequence number, big-endian and left-padded with
    /// zeros to the IV's length.
    #[inline]
    pub(crate) fn xor_nonce(&self, seq: u64) -> [u8; NONCE_LEN] {
        let mut nonce = self.iv;
        let seq = seq.to_be_bytes();
        let low = nonce.iter_mut().skip(NONCE_LEN.saturating_sub(seq.len()));
        for (n, s) in low.zip(seq) {
            *n ^= s;
        }
        nonce
    }

    /// Bytes of the AEAD's tag.
    #[inline]
    pub(crate) fn tag_len(&self) -> usize {
        self.key.algorithm().tag_len()
    }

    /// Encrypts `in_out` where it lies and returns the tag. Errors: refused
    /// by ring (too much input for the AEAD).
    #[inline]
    pub(crate) fn seal(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<aead::Tag, Error> {
        self.key
            .seal_in_place_separate_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                in_out,
            )
            .map_err(|_| CryptoError::Refused.into())
    }

    /// Authenticates and decrypts `in_out` (ciphertext then tag) where it
    /// lies, and returns the plaintext. Errors: it does not authenticate
    /// (bad_record_mac), which includes being shorter than a tag.
    #[inline]
    pub(crate) fn open<'a>(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        in_out: &'a mut [u8],
    ) -> Result<&'a mut [u8], Error> {
        self.key
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                in_out,
            )
            .map_err(|_| InvalidMessage::DecryptFailed.into())
    }

    /// Writes `name { next_seq: .. }`: what a record protector's `Debug`
    /// shows (never the key).
    pub(crate) fn debug_as(
        &self,
        name: &str,
        f: &mut core::fmt::Formatter<'_>,
    ) -> core::fmt::Result {
        f.debug_struct(name)
            .field("next_seq", &self.next_seq)
            .finish_non_exhaustive()
    }

    #[cfg(test)]
    pub(crate) fn set_sequence(&mut self, seq: u64) {
        self.next_seq = Some(seq);
    }
}

/// Refuses to seal more than one record's worth of plaintext: 2^14 bytes
/// (RFC 8446 §5.1, RFC 5246 §6.2.1). The caller fragments anything longer.
#[inline]
pub(crate) fn check_plaintext_len(len: usize) -> Result<(), Error> {
    if len > MAX_PLAINTEXT_LEN {
        return Err(CryptoError::PlaintextTooLong { len }.into());
    }
    Ok(())
}

/// Refuses a received record part of `len` bytes over `max`: the
/// record_overflow alert (RFC 8446 §5.2, §5.4; RFC 5246 §6.2.3).
#[inline]
pub(crate) fn check_overflow(len: usize, max: usize) -> Result<(), Error> {
    if len > max {
        return Err(InvalidMessage::RecordOverflow { len, max }.into());
    }
    Ok(())
}

/// The checks every record protector of either version passes, driven
/// through [`checks::Sealer`] and [`checks::Opener`].
#[cfg(test)]
pub(crate) mod checks {
    use crate::codec::{
        split_record, AlertDescription, ContentType, RecordHeader, MAX_PLAINTEXT_LEN,
    };
    use crate::crypto::record_protection::{RecordDecrypter, RecordEncrypter};
    use crate::crypto::tls12::record_protection::{Tls12Decrypter, Tls12Encrypter};
    use crate::error::{CryptoError, Error, InvalidMessage};

    /// Protects records: `RecordEncrypter`, `Tls12Encrypter`.
    pub(crate) trait Sealer {
        fn seal(
            &mut self,
            content_type: ContentType,
            plaintext: &[u8],
            out: &mut Vec<u8>,
        ) -> Result<(), Error>;
        fn overhead(&self) -> usize;
    }

    /// Removes the protection: `RecordDecrypter`, `Tls12Decrypter`.
    pub(crate) trait Opener {
        fn open<'a>(
            &mut self,
            header: &RecordHeader,
            payload: &'a mut [u8],
        ) -> Result<(ContentType, &'a [u8]), Error>;
    }

    /// Both traits for a version's encrypter and decrypter, whose inherent
    /// methods they are.
    macro_rules! protectors {
        ($encrypter:ty, $decrypter:ty) => {
            impl Sealer for $encrypter {
                fn seal(
                    &mut self,
                    content_type: ContentType,
                    plaintext: &[u8],
                    out: &mut Vec<u8>,
                ) -> Result<(), Error> {
                    <$encrypter>::seal(self, content_type, plaintext, out)
                }

                fn overhead(&self) -> usize {
                    <$encrypter>::overhead(self)
                }
            }

            impl Opener for $decrypter {
                fn open<'a>(
                    &mut self,
                    header: &RecordHeader,
                    payload: &'a mut [u8],
                ) -> Result<(ContentType, &'a [u8]), Error> {
                    <$decrypter>::open(self, header, payload)
                }
            }
        };
    }
    protectors!(RecordEncrypter, RecordDecrypter);
    protectors!(Tls12Encrypter, Tls12Decrypter);

    /// Splits a complete record of at most `max` fragment bytes into its
    /// parsed header and a mutable copy of its fragment.
    pub(crate) fn parse(record: &[u8], max: usize) -> (RecordHeader, Vec<u8>) {
        let (rec, used) = split_record(record, max).unwrap().unwrap();
        assert_eq!(used, record.len());
        (rec.header, rec.fragment.to_vec())
    }

    /// Content of every length from empty to a full record goes through,
    /// each record exactly `overhead()` longer than its content.
    pub(crate) fn round_trip(enc: &mut impl Sealer, dec: &mut impl Opener, max: usize) {
        for len in [0, 1, 15, 16, 17, 1000, MAX_PLAINTEXT_LEN] {
            let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut out = Vec::new();
            enc.seal(ContentType::ApplicationData, &content, &mut out)
                .unwrap();
            assert_eq!(out.len(), content.len() + enc.overhead());
            assert_eq!(&out[..3], [0x17, 0x03, 0x03]);
            let (header, mut payload) = parse(&out, max);
            let (typ, got) = dec.open(&header, &mut payload).unwrap();
            assert_eq!((typ, got), (ContentType::ApplicationData, &content[..]));
        }
    }

    /// More than a record's worth of plaintext is refused, and the output
    /// is left as it was.
    pub(crate) fn too_much_plaintext_is_refused_and_out_untouched(enc: &mut impl Sealer) {
        let mut out = vec![1, 2, 3];
        assert_eq!(
            enc.seal(
                ContentType::ApplicationData,
                &vec![0; MAX_PLAINTEXT_LEN + 1],
                &mut out
            ),
            Err(Error::Crypto(CryptoError::PlaintextTooLong {
                len: MAX_PLAINTEXT_LEN + 1
            }))
        );
        assert_eq!(out, [1, 2, 3]);
    }

    /// A record sealed second does not open first.
    pub(crate) fn records_must_arrive_in_order(
        enc: &mut impl Sealer,
        dec: &mut impl Opener,
        max: usize,
    ) {
        let (mut first, mut second) = (Vec::new(), Vec::new());
        enc.seal(ContentType::ApplicationData, b"one", &mut first)
            .unwrap();
        enc.seal(ContentType::ApplicationData, b"two", &mut second)
            .unwrap();
        let (header, mut payload) = parse(&second, max);
        assert_eq!(
            dec.open(&header, &mut payload),
            Err(Error::InvalidMessage(InvalidMessage::DecryptFailed))
        );
    }

    /// Seals a handshake record, then opens copies of it with byte `i` XOR
    /// `flip`, for every `i` not in `skip`, handing each error to
    /// `check(i, error)` (a copy the deframer already refuses is passed
    /// over). Then a fragment shorter than a tag fails as bad_record_mac,
    /// and the untouched record still opens: failures did not advance the
    /// sequence number.
    pub(crate) fn tampering(
        enc: &mut impl Sealer,
        dec: &mut impl Opener,
        max: usize,
        (flip, skip): (u8, &[usize]),
        check: impl Fn(usize, Error),
    ) {
        let mut record = Vec::new();
        enc.seal(ContentType::Handshake, b"some handshake bytes", &mut record)
            .unwrap();
        for i in (0..record.len()).filter(|i| !skip.contains(i)) {
            let mut bad = record.clone();
            bad[i] ^= flip;
            let Ok(Some((rec, _))) = split_record(&bad, max) else {
                continue;
            };
            let (header, mut payload) = (rec.header, rec.fragment.to_vec());
            check(i, dec.open(&header, &mut payload).unwrap_err());
        }
        let header = RecordHeader {
            content_type: ContentType::ApplicationData,
            legacy_version: 0x0303,
            len: 3,
        };
        assert_bad_record_mac(&dec.open(&header, &mut [1, 2, 3]).unwrap_err());
        let (header, mut payload) = parse(&record, max);
        assert!(dec.open(&header, &mut payload).is_ok());
    }

    /// `err` is a record that failed authentication, with its alert.
    #[track_caller]
    pub(crate) fn assert_bad_record_mac(err: &Error) {
        assert_eq!(*err, Error::InvalidMessage(InvalidMessage::DecryptFailed));
        assert_eq!(AlertDescription::from(err), AlertDescription::BadRecordMac);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nonce_is_the_iv_xor_the_left_padded_sequence_number() {
        let iv = [0xa0; NONCE_LEN];
        let key = RecordKey::new(&aead::AES_128_GCM, &[7; 16], iv).unwrap();
        assert_eq!(key.xor_nonce(0), iv);
        let nonce = key.xor_nonce(0x0102_0304_0506_0708);
        assert_eq!(nonce[..4], [0xa0; 4]);
        assert_eq!(nonce[4..], [0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8]);
    }

    #[test]
    fn a_key_of_the_wrong_length_is_refused() {
        assert!(matches!(
            RecordKey::new(&aead::AES_128_GCM, &[7; 32], [0; NONCE_LEN]),
            Err(Error::Crypto(CryptoError::Refused))
        ));
    }

    #[test]
    fn the_last_sequence_number_is_the_last() {
        let mut key = RecordKey::new(&aead::CHACHA20_POLY1305, &[7; 32], [0; NONCE_LEN]).unwrap();
        assert_eq!(key.seq(), Ok(0));
        key.set_sequence(u64::MAX);
        assert_eq!(key.seq(), Ok(u64::MAX));
        key.advance(u64::MAX);
        assert_eq!(key.next_seq(), None);
        assert_eq!(
            key.seq(),
            Err(Error::Crypto(CryptoError::SequenceExhausted))
        );
    }

    #[test]
    fn limits_hold_at_and_fail_past_their_bound() {
        assert_eq!(check_plaintext_len(MAX_PLAINTEXT_LEN), Ok(()));
        assert_eq!(
            check_plaintext_len(MAX_PLAINTEXT_LEN + 1),
            Err(Error::Crypto(CryptoError::PlaintextTooLong {
                len: MAX_PLAINTEXT_LEN + 1
            }))
        );
        assert_eq!(check_overflow(10, 10), Ok(()));
        assert_eq!(
            check_overflow(11, 10),
            Err(InvalidMessage::RecordOverflow { len: 11, max: 10 }.into())
        );
    }
}
