//! TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3).
//!
//! ```text
//! record = type || 0x0303 || length || explicit nonce || AEAD-Encrypt(
//!     write_key, nonce, plaintext, additional_data)
//! additional_data = seq_num (8 bytes) || type || version || plaintext length
//! ```
//!
//! AES-GCM (RFC 5288 §3): nonce = 4-byte salt from the key block || 8-byte
//! explicit nonce, which is carried in the record. This side uses its
//! sequence number as the explicit nonce (unique per key, as RFC 5288
//! requires, and the choice RFC 9325 §7.2.1 recommends). A peer's explicit
//! nonce is taken as it arrives.
//!
//! ChaCha20-Poly1305 (RFC 7905 §2): nonce = 12-byte IV from the key block
//! XOR the sequence number (left-padded); no explicit nonce.
//!
//! Both are "IV XOR sequence number" on this side: AES-GCM's IV is the salt
//! followed by eight zero bytes, so the XOR puts the sequence number in the
//! explicit half. Unlike TLS 1.3 the content type is in the clear, in the
//! header, and there is no padding.

use ring::aead;

use super::prf::WriteKeys;
use super::suites::{NonceShape, Tls12Suite};
use crate::codec::{ContentType, RecordHeader, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN};
use crate::error::{CryptoError, Error, InvalidMessage};

/// The record version of TLS 1.2 (RFC 5246 §6.2.1).
const TLS12_RECORD_VERSION: u16 = 0x0303;

/// Bytes of an AEAD nonce for every suite here.
const NONCE_LEN: usize = 12;

/// Bytes of the additional data (RFC 5246 §6.2.3.3).
const AAD_LEN: usize = 13;

/// One direction's key, implicit IV, and sequence number.
struct DirectionKey {
    key: aead::LessSafeKey,
    /// The salt followed by zeros (AES-GCM), or the whole IV (ChaCha20).
    iv: [u8; NONCE_LEN],
    shape: NonceShape,
    /// The sequence number of the next record; `None` once the last
    /// allowed one has been used (RFC 5246 §6.1: it may not wrap).
    next_seq: Option<u64>,
}

impl DirectionKey {
    fn new(suite: &'static Tls12Suite, keys: WriteKeys<'_>) -> Result<Self, Error> {
        let key = aead::UnboundKey::new(suite.aead, keys.key).map_err(|_| CryptoError::Refused)?;
        let mut iv = [0; NONCE_LEN];
        iv.get_mut(..keys.iv.len())
            .ok_or(CryptoError::Refused)?
            .copy_from_slice(keys.iv);
        if keys.iv.len() != suite.fixed_iv_len() {
            return Err(CryptoError::Refused.into());
        }
        Ok(Self {
            key: aead::LessSafeKey::new(key),
            iv,
            shape: suite.nonce,
            next_seq: Some(0),
        })
    }

    fn seq(&self) -> Result<u64, Error> {
        self.next_seq
            .ok_or(Error::Crypto(CryptoError::SequenceExhausted))
    }

    fn advance(&mut self, seq: u64) {
        self.next_seq = seq.checked_add(1);
    }

    /// `iv XOR (0^4 || seq)`: the nonce this side seals with.
    fn sealing_nonce(&self, seq: u64) -> [u8; NONCE_LEN] {
        let mut nonce = self.iv;
        for (n, s) in nonce.iter_mut().skip(NONCE_LEN - 8).zip(seq.to_be_bytes()) {
            *n ^= s;
        }
        nonce
    }

    fn explicit_len(&self) -> usize {
        match self.shape {
            NonceShape::SaltAndExplicit => 8,
            NonceShape::IvXorSequence => 0,
        }
    }

    fn tag_len(&self) -> usize {
        self.key.algorithm().tag_len()
    }
}

/// `seq_num || type || version || length` (RFC 5246 §6.2.3.3).
fn additional_data(seq: u64, typ: ContentType, version: u16, len: u16) -> [u8; AAD_LEN] {
    let mut aad = [0; AAD_LEN];
    let [s0, s1, s2, s3, s4, s5, s6, s7] = seq.to_be_bytes();
    let [v0, v1] = version.to_be_bytes();
    let [l0, l1] = len.to_be_bytes();
    aad.copy_from_slice(&[
        s0,
        s1,
        s2,
        s3,
        s4,
        s5,
        s6,
        s7,
        typ.to_wire(),
        v0,
        v1,
        l0,
        l1,
    ]);
    aad
}

/// Protects the records this side sends.
pub(crate) struct Tls12Encrypter {
    key: DirectionKey,
    /// Records allowed under this key (see `Tls12Suite::confidentiality_limit`).
    limit: u64,
}

impl core::fmt::Debug for Tls12Encrypter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tls12Encrypter")
            .field("next_seq", &self.key.next_seq)
            .finish_non_exhaustive()
    }
}

impl Tls12Encrypter {
    /// An encrypter at sequence number 0.
    pub(crate) fn new(suite: &'static Tls12Suite, keys: WriteKeys<'_>) -> Result<Self, Error> {
        Ok(Self {
            key: DirectionKey::new(suite, keys)?,
            limit: suite.confidentiality_limit,
        })
    }

    /// Bytes a record adds around its content: header, explicit nonce and
    /// tag.
    pub(crate) fn overhead(&self) -> usize {
        RECORD_HEADER_LEN + self.key.explicit_len() + self.key.tag_len()
    }

    /// Appends one protected record of `content_type` carrying `plaintext`
    /// to `out`, in one reservation, encrypting in place; on error `out`
    /// is left as it was.
    ///
    /// Errors: more than 2^14 bytes of plaintext, or a key that has
    /// protected as many records as it may (TLS 1.2 cannot change keys, so
    /// the connection must end).
    pub(crate) fn seal(
        &mut self,
        content_type: ContentType,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(CryptoError::PlaintextTooLong {
                len: plaintext.len(),
            }
            .into());
        }
        let seq = self.key.seq()?;
        if seq >= self.limit {
            return Err(CryptoError::SequenceExhausted.into());
        }
        let refused = |_| Error::Crypto(CryptoError::Refused);
        let plaintext_len = u16::try_from(plaintext.len()).map_err(refused)?;
        let explicit_len = self.key.explicit_len();
        // At most 8 + 2^14 + 16, which fits the u16 length field.
        let body_len = explicit_len + plaintext.len() + self.key.tag_len();
        let header = RecordHeader {
            content_type,
            legacy_version: TLS12_RECORD_VERSION,
            len: u16::try_from(body_len).map_err(refused)?,
        }
        .encode();
        let nonce = self.key.sealing_nonce(seq);
        let aad = additional_data(seq, content_type, TLS12_RECORD_VERSION, plaintext_len);

        let start = out.len();
        out.reserve(RECORD_HEADER_LEN + body_len);
        out.extend_from_slice(&header);
        // The explicit nonce is the last eight bytes of the nonce: the
        // sequence number (the salt's zeros XOR seq).
        out.extend_from_slice(nonce.get(NONCE_LEN - explicit_len..).unwrap_or_default());
        out.extend_from_slice(plaintext);
        let sealed = match out.get_mut(start + RECORD_HEADER_LEN + explicit_len..) {
            Some(inner) => self
                .key
                .key
                .seal_in_place_separate_tag(
                    aead::Nonce::assume_unique_for_key(nonce),
                    aead::Aad::from(aad),
                    inner,
                )
                .ok(),
            None => None,
        };
        let Some(tag) = sealed else {
            out.truncate(start);
            return Err(CryptoError::Refused.into());
        };
        out.extend_from_slice(tag.as_ref());
        self.key.advance(seq);
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn set_sequence(&mut self, seq: u64) {
        self.key.next_seq = Some(seq);
    }
}

/// Removes protection from the records the peer sends.
pub(crate) struct Tls12Decrypter {
    key: DirectionKey,
}

impl core::fmt::Debug for Tls12Decrypter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tls12Decrypter")
            .field("next_seq", &self.key.next_seq)
            .finish_non_exhaustive()
    }
}

impl Tls12Decrypter {
    /// A decrypter at sequence number 0.
    pub(crate) fn new(suite: &'static Tls12Suite, keys: WriteKeys<'_>) -> Result<Self, Error> {
        Ok(Self {
            key: DirectionKey::new(suite, keys)?,
        })
    }

    /// Decrypts one record in place and returns its content type (from the
    /// header) and plaintext. `header` is the record's header as received
    /// and `payload` the `header.len` bytes after it.
    ///
    /// Errors, with their alerts: a change_cipher_spec or unknown type
    /// (unexpected_message; the one change_cipher_spec of a handshake
    /// travels unprotected); a record too short for its nonce and tag, or
    /// one that fails authentication (bad_record_mac); plaintext over 2^14
    /// bytes (record_overflow); an empty handshake or alert record
    /// (decode_error, RFC 5246 §6.2.1); a spent sequence number
    /// (internal_error).
    pub(crate) fn open<'a>(
        &mut self,
        header: &RecordHeader,
        payload: &'a mut [u8],
    ) -> Result<(ContentType, &'a [u8]), Error> {
        let typ = header.content_type;
        if !matches!(
            typ,
            ContentType::Handshake | ContentType::Alert | ContentType::ApplicationData
        ) {
            return Err(InvalidMessage::UnexpectedContentType(typ).into());
        }
        let seq = self.key.seq()?;
        let explicit_len = self.key.explicit_len();
        let overhead = explicit_len + self.key.tag_len();
        let Some(plaintext_len) = payload.len().checked_sub(overhead) else {
            return Err(InvalidMessage::DecryptFailed.into());
        };
        // Checked before decrypting: such a record cannot be valid, and
        // record_overflow is what RFC 5246 §6.2.3 asks for.
        if plaintext_len > MAX_PLAINTEXT_LEN {
            return Err(InvalidMessage::RecordOverflow {
                len: plaintext_len,
                max: MAX_PLAINTEXT_LEN,
            }
            .into());
        }
        let (explicit, sealed) = payload.split_at_mut(explicit_len);
        let nonce = match self.key.shape {
            NonceShape::IvXorSequence => self.key.sealing_nonce(seq),
            NonceShape::SaltAndExplicit => {
                let mut nonce = self.key.iv;
                if let Some(tail) = nonce.get_mut(NONCE_LEN - explicit_len..) {
                    tail.copy_from_slice(explicit);
                }
                nonce
            }
        };
        let len = u16::try_from(plaintext_len).map_err(|_| CryptoError::Refused)?;
        let aad = additional_data(seq, typ, header.legacy_version, len);
        let plaintext = self
            .key
            .key
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                sealed,
            )
            .map_err(|_| InvalidMessage::DecryptFailed)?;
        self.key.advance(seq);
        if plaintext.is_empty() && typ != ContentType::ApplicationData {
            return Err(InvalidMessage::EmptyFragment(typ).into());
        }
        Ok((typ, plaintext))
    }

    #[cfg(test)]
    pub(crate) fn set_sequence(&mut self, seq: u64) {
        self.key.next_seq = Some(seq);
    }
}

#[cfg(test)]
mod tests {
    use super::super::prf::MasterSecret;
    use super::super::suites::{
        ECDHE_ECDSA_AES_128_GCM_SHA256, ECDHE_RSA_AES_256_GCM_SHA384,
        ECDHE_RSA_CHACHA20_POLY1305_SHA256, TLS12_SUITES,
    };
    use super::*;
    use crate::codec::{split_record, AlertDescription, MAX_CIPHERTEXT_LEN_TLS12};

    fn parse(record: &[u8]) -> (RecordHeader, Vec<u8>) {
        let (rec, used) = split_record(record, MAX_CIPHERTEXT_LEN_TLS12)
            .unwrap()
            .unwrap();
        assert_eq!(used, record.len());
        (rec.header, rec.fragment.to_vec())
    }

    /// A server encrypter and a decrypter of the same direction, so that
    /// what one seals the other opens.
    fn pair(suite: &'static Tls12Suite) -> (Tls12Encrypter, Tls12Decrypter) {
        let ms = MasterSecret::new(suite, &[7; 32], &[1; 32], &[2; 32]);
        let kb = ms.key_block(&[1; 32], &[2; 32]);
        (
            Tls12Encrypter::new(suite, kb.server().unwrap()).unwrap(),
            Tls12Decrypter::new(suite, kb.server().unwrap()).unwrap(),
        )
    }

    /// Seals by hand, straight from RFC 5288 §3 / RFC 7905 §2 and RFC 5246
    /// §6.2.3.3, with an explicit nonce of the caller's choosing.
    fn seal_by_hand(
        suite: &'static Tls12Suite,
        keys: WriteKeys<'_>,
        seq: u64,
        explicit: [u8; 8],
        typ: u8,
        plaintext: &[u8],
    ) -> Vec<u8> {
        let key = aead::LessSafeKey::new(aead::UnboundKey::new(suite.aead, keys.key).unwrap());
        let nonce: [u8; 12] = match suite.nonce {
            NonceShape::SaltAndExplicit => [keys.iv, &explicit[..]].concat().try_into().unwrap(),
            NonceShape::IvXorSequence => {
                let mut n: [u8; 12] = keys.iv.try_into().unwrap();
                for (b, s) in n[4..].iter_mut().zip(seq.to_be_bytes()) {
                    *b ^= s;
                }
                n
            }
        };
        let mut aad = seq.to_be_bytes().to_vec();
        aad.extend([typ, 3, 3]);
        aad.extend(u16::try_from(plaintext.len()).unwrap().to_be_bytes());
        let mut body = plaintext.to_vec();
        key.seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            &mut body,
        )
        .unwrap();
        let mut record = vec![typ, 3, 3];
        let explicit: &[u8] = if suite.nonce == NonceShape::SaltAndExplicit {
            &explicit
        } else {
            &[]
        };
        record.extend(
            u16::try_from(explicit.len() + body.len())
                .unwrap()
                .to_be_bytes(),
        );
        record.extend(explicit);
        record.extend(body);
        record
    }

    #[test]
    fn sealing_matches_the_rfc_construction() {
        for suite in TLS12_SUITES {
            let ms = MasterSecret::new(suite, &[7; 32], &[1; 32], &[2; 32]);
            let kb = ms.key_block(&[1; 32], &[2; 32]);
            let mut enc = Tls12Encrypter::new(suite, kb.server().unwrap()).unwrap();
            for seq in 0..3u64 {
                let mut out = vec![0xee];
                enc.seal(ContentType::ApplicationData, b"hello", &mut out)
                    .unwrap();
                let expected = seal_by_hand(
                    suite,
                    kb.server().unwrap(),
                    seq,
                    seq.to_be_bytes(),
                    23,
                    b"hello",
                );
                assert_eq!(out[1..], expected, "{:?} seq {seq}", suite.suite);
                assert_eq!(out.len() - 1, 5 + enc.overhead());
            }
        }
    }

    #[test]
    fn opening_takes_the_peers_explicit_nonce() {
        for suite in TLS12_SUITES {
            let ms = MasterSecret::new(suite, &[9; 32], &[3; 32], &[4; 32]);
            let kb = ms.key_block(&[3; 32], &[4; 32]);
            let mut dec = Tls12Decrypter::new(suite, kb.client().unwrap()).unwrap();
            // A peer may pick any unique explicit nonce (RFC 5288 §3).
            for (seq, explicit) in [(0u64, [0xa5; 8]), (1, [0; 8]), (2, [0xff; 8])] {
                let record = seal_by_hand(suite, kb.client().unwrap(), seq, explicit, 22, b"msg");
                let (header, mut payload) = parse(&record);
                assert_eq!(
                    dec.open(&header, &mut payload).unwrap(),
                    (ContentType::Handshake, &b"msg"[..])
                );
            }
        }
    }

    #[test]
    fn round_trip_every_suite_and_length() {
        for suite in TLS12_SUITES {
            let (mut enc, mut dec) = pair(suite);
            for len in [0, 1, 16, 1000, MAX_PLAINTEXT_LEN] {
                let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
                let mut out = Vec::new();
                enc.seal(ContentType::ApplicationData, &content, &mut out)
                    .unwrap();
                assert_eq!(out.len(), content.len() + enc.overhead());
                let (header, mut payload) = parse(&out);
                let (typ, got) = dec.open(&header, &mut payload).unwrap();
                assert_eq!((typ, got), (ContentType::ApplicationData, &content[..]));
            }
        }
    }

    #[test]
    fn too_much_plaintext_is_refused_and_out_untouched() {
        let (mut enc, _) = pair(&ECDHE_ECDSA_AES_128_GCM_SHA256);
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

    #[test]
    fn tampering_is_bad_record_mac() {
        for suite in TLS12_SUITES {
            let (mut enc, mut dec) = pair(suite);
            let mut record = Vec::new();
            enc.seal(ContentType::Handshake, b"handshake bytes", &mut record)
                .unwrap();
            // Every byte but the length is authenticated (type and version
            // through the additional data).
            for i in (0..record.len()).filter(|&i| i != 3 && i != 4) {
                let mut bad = record.clone();
                bad[i] ^= 0x01;
                let Ok(Some((rec, _))) = split_record(&bad, MAX_CIPHERTEXT_LEN_TLS12) else {
                    continue;
                };
                let (header, mut payload) = (rec.header, rec.fragment.to_vec());
                // (Byte 0 becomes 23, application_data, which the additional
                // data does not match either.)
                let err = dec.open(&header, &mut payload).unwrap_err();
                assert_eq!(err, Error::InvalidMessage(InvalidMessage::DecryptFailed));
                assert_eq!(AlertDescription::from(&err), AlertDescription::BadRecordMac);
            }
            let header = RecordHeader {
                content_type: ContentType::ApplicationData,
                legacy_version: 0x0303,
                len: 3,
            };
            assert_eq!(
                dec.open(&header, &mut [1, 2, 3]),
                Err(Error::InvalidMessage(InvalidMessage::DecryptFailed))
            );
            // Failures did not advance the sequence number.
            let (header, mut payload) = parse(&record);
            assert!(dec.open(&header, &mut payload).is_ok());
        }
    }

    #[test]
    fn records_must_arrive_in_order() {
        for suite in [
            &ECDHE_RSA_AES_256_GCM_SHA384,
            &ECDHE_RSA_CHACHA20_POLY1305_SHA256,
        ] {
            let (mut enc, mut dec) = pair(suite);
            let (mut first, mut second) = (Vec::new(), Vec::new());
            enc.seal(ContentType::ApplicationData, b"one", &mut first)
                .unwrap();
            enc.seal(ContentType::ApplicationData, b"two", &mut second)
                .unwrap();
            let (header, mut payload) = parse(&second);
            assert_eq!(
                dec.open(&header, &mut payload),
                Err(Error::InvalidMessage(InvalidMessage::DecryptFailed))
            );
        }
    }

    #[test]
    fn forbidden_types_and_sizes() {
        let suite = &ECDHE_ECDSA_AES_128_GCM_SHA256;
        let ms = MasterSecret::new(suite, &[7; 32], &[1; 32], &[2; 32]);
        let kb = ms.key_block(&[1; 32], &[2; 32]);
        let open = |typ: u8, plaintext: &[u8]| {
            let record = seal_by_hand(suite, kb.client().unwrap(), 0, [0; 8], typ, plaintext);
            let (header, mut payload) = parse(&record);
            let mut dec = Tls12Decrypter::new(suite, kb.client().unwrap()).unwrap();
            dec.open(&header, &mut payload)
                .map(|(t, p)| (t, p.to_vec()))
        };
        assert_eq!(
            open(23, b""),
            Ok((ContentType::ApplicationData, Vec::new()))
        );
        assert_eq!(
            open(22, b""),
            Err(InvalidMessage::EmptyFragment(ContentType::Handshake).into())
        );
        assert_eq!(
            open(21, b""),
            Err(InvalidMessage::EmptyFragment(ContentType::Alert).into())
        );
        let err = open(20, &[1]).unwrap_err();
        assert_eq!(
            err,
            InvalidMessage::UnexpectedContentType(ContentType::ChangeCipherSpec).into()
        );
        assert_eq!(
            AlertDescription::from(&err),
            AlertDescription::UnexpectedMessage
        );
        let err = open(23, &vec![0; MAX_PLAINTEXT_LEN + 1]).unwrap_err();
        assert_eq!(
            AlertDescription::from(&err),
            AlertDescription::RecordOverflow
        );
        assert!(open(23, &vec![0; MAX_PLAINTEXT_LEN]).is_ok());
    }

    #[test]
    fn sequence_numbers_never_wrap() {
        let (mut enc, mut dec) = pair(&ECDHE_RSA_CHACHA20_POLY1305_SHA256);
        enc.set_sequence(u64::MAX - 1);
        dec.set_sequence(u64::MAX - 1);
        let mut last = Vec::new();
        enc.seal(ContentType::ApplicationData, b"last", &mut last)
            .unwrap();
        let mut out = Vec::new();
        // u64::MAX itself is the limit of a ChaCha20 key.
        assert_eq!(
            enc.seal(ContentType::ApplicationData, b"more", &mut out),
            Err(Error::Crypto(CryptoError::SequenceExhausted))
        );
        assert!(out.is_empty());
        let (header, mut payload) = parse(&last);
        assert_eq!(dec.open(&header, &mut payload).unwrap().1, b"last");
        // The last sequence number works like any other (no overflow).
        dec.set_sequence(u64::MAX);
        let (header, mut payload) = parse(&last);
        assert_eq!(
            dec.open(&header, &mut payload),
            Err(Error::InvalidMessage(InvalidMessage::DecryptFailed))
        );
    }

    #[test]
    fn aes_gcm_stops_at_its_record_limit() {
        let (mut enc, _) = pair(&ECDHE_ECDSA_AES_128_GCM_SHA256);
        enc.set_sequence(ECDHE_ECDSA_AES_128_GCM_SHA256.confidentiality_limit - 1);
        enc.seal(ContentType::ApplicationData, b"", &mut Vec::new())
            .unwrap();
        assert_eq!(
            enc.seal(ContentType::ApplicationData, b"", &mut Vec::new()),
            Err(Error::Crypto(CryptoError::SequenceExhausted))
        );
    }
}
