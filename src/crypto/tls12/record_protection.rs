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

use super::prf::WriteKeys;
use super::suites::{NonceShape, Tls12Suite};
use crate::codec::{ContentType, RecordHeader, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN};
use crate::crypto::record_key::{check_overflow, check_plaintext_len, RecordKey, NONCE_LEN};
use crate::error::{CryptoError, Error, InvalidMessage};

/// The record version of TLS 1.2 (RFC 5246 §6.2.1).
const TLS12_RECORD_VERSION: u16 = 0x0303;

/// Bytes of the additional data (RFC 5246 §6.2.3.3).
const AAD_LEN: usize = 13;

/// One direction's record key: its write key, and its IV from the key
/// block's write IV, which is the salt followed by zeros (AES-GCM) or the
/// whole IV (ChaCha20).
fn record_key(suite: &'static Tls12Suite, keys: WriteKeys<'_>) -> Result<RecordKey, Error> {
    let mut iv = [0; NONCE_LEN];
    iv.get_mut(..keys.iv.len())
        .ok_or(CryptoError::Refused)?
        .copy_from_slice(keys.iv);
    if keys.iv.len() != suite.fixed_iv_len() {
        return Err(CryptoError::Refused.into());
    }
    RecordKey::new(suite.aead, keys.key, iv)
}

/// Bytes of the explicit nonce each record carries.
fn explicit_len(shape: NonceShape) -> usize {
    match shape {
        NonceShape::SaltAndExplicit => 8,
        NonceShape::IvXorSequence => 0,
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
    key: RecordKey,
    shape: NonceShape,
    /// Records allowed under this key (see `Tls12Suite::confidentiality_limit`).
    limit: u64,
}

impl core::fmt::Debug for Tls12Encrypter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.key.debug_as("Tls12Encrypter", f)
    }
}

impl Tls12Encrypter {
    /// An encrypter at sequence number 0.
    pub(crate) fn new(suite: &'static Tls12Suite, keys: WriteKeys<'_>) -> Result<Self, Error> {
        Ok(Self {
            key: record_key(suite, keys)?,
            shape: suite.nonce,
            limit: suite.confidentiality_limit,
        })
    }

    /// Bytes a record adds around its content: header, explicit nonce and
    /// tag.
    pub(crate) fn overhead(&self) -> usize {
        RECORD_HEADER_LEN + explicit_len(self.shape) + self.key.tag_len()
    }

    /// Bytes before a record's content: the header and the explicit
    /// nonce. [`Self::seal_in_place`] wants this much room in front of
    /// the content it protects.
    pub(crate) fn prefix_len(&self) -> usize {
        RECORD_HEADER_LEN + explicit_len(self.shape)
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
        check_plaintext_len(plaintext.len())?;
        let start = out.len();
        out.reserve(self.overhead() + plaintext.len());
        out.resize(start + self.prefix_len(), 0);
        out.extend_from_slice(plaintext);
        self.seal_in_place(content_type, out, start)
    }

    /// Protects, as one record of `content_type`, content the caller has
    /// already written into `out`: `out[start..]` is [`Self::prefix_len`]
    /// bytes of room (anything) followed by the content. The header and
    /// explicit nonce are filled in, the content encrypted where it lies
    /// and the tag appended, so a message is never copied to be sealed.
    /// On error `out` is truncated to `start`.
    pub(crate) fn seal_in_place(
        &mut self,
        content_type: ContentType,
        out: &mut Vec<u8>,
        start: usize,
    ) -> Result<(), Error> {
        let result = self.seal_tail(content_type, out, start);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    fn seal_tail(
        &mut self,
        content_type: ContentType,
        out: &mut Vec<u8>,
        start: usize,
    ) -> Result<(), Error> {
        let refused = || Error::Crypto(CryptoError::Refused);
        let explicit_len = explicit_len(self.shape);
        let content_at = start
            .checked_add(self.prefix_len())
            .filter(|&at| at <= out.len())
            .ok_or_else(refused)?;
        let len = out.len() - content_at;
        check_plaintext_len(len)?;
        let seq = self.key.seq()?;
        if seq >= self.limit {
            return Err(CryptoError::SequenceExhausted.into());
        }
        let plaintext_len = u16::try_from(len).map_err(|_| refused())?;
        // At most 8 + 2^14 + 16, which fits the u16 length field.
        let body_len = explicit_len + len + self.key.tag_len();
        let header = RecordHeader {
            content_type,
            legacy_version: TLS12_RECORD_VERSION,
            len: u16::try_from(body_len).map_err(|_| refused())?,
        }
        .encode();
        // iv XOR (0^4 || seq): for AES-GCM the salt then the sequence
        // number, which is also the explicit nonce.
        let nonce = self.key.xor_nonce(seq);
        let aad = additional_data(seq, content_type, TLS12_RECORD_VERSION, plaintext_len);
        let (prefix, content) = out
            .get_mut(start..)
            .and_then(|record| record.split_at_mut_checked(self.prefix_len()))
            .ok_or_else(refused)?;
        let (header_room, explicit_room) = prefix
            .split_at_mut_checked(RECORD_HEADER_LEN)
            .ok_or_else(refused)?;
        header_room.copy_from_slice(&header);
        // The explicit nonce is the last eight bytes of the nonce: the
        // sequence number (the salt's zeros XOR seq).
        explicit_room.copy_from_slice(nonce.get(NONCE_LEN - explicit_len..).unwrap_or_default());
        let tag = self.key.seal(nonce, &aad, content).map_err(|_| refused())?;
        out.extend_from_slice(tag.as_ref());
        self.key.advance(seq);
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn set_sequence(&mut self, seq: u64) {
        self.key.set_sequence(seq);
    }
}

/// Removes protection from the records the peer sends.
pub(crate) struct Tls12Decrypter {
    key: RecordKey,
    shape: NonceShape,
}

impl core::fmt::Debug for Tls12Decrypter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.key.debug_as("Tls12Decrypter", f)
    }
}

impl Tls12Decrypter {
    /// A decrypter at sequence number 0.
    pub(crate) fn new(suite: &'static Tls12Suite, keys: WriteKeys<'_>) -> Result<Self, Error> {
        Ok(Self {
            key: record_key(suite, keys)?,
            shape: suite.nonce,
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
        let explicit_len = explicit_len(self.shape);
        let overhead = explicit_len + self.key.tag_len();
        let Some(plaintext_len) = payload.len().checked_sub(overhead) else {
            return Err(InvalidMessage::DecryptFailed.into());
        };
        // Checked before decrypting: such a record cannot be valid, and
        // record_overflow is what RFC 5246 §6.2.3 asks for.
        check_overflow(plaintext_len, MAX_PLAINTEXT_LEN)?;
        let (explicit, sealed) = payload.split_at_mut(explicit_len);
        let nonce = match self.shape {
            NonceShape::IvXorSequence => self.key.xor_nonce(seq),
            NonceShape::SaltAndExplicit => {
                let mut nonce = *self.key.iv();
                if let Some(tail) = nonce.get_mut(NONCE_LEN - explicit_len..) {
                    tail.copy_from_slice(explicit);
                }
                nonce
            }
        };
        let len = u16::try_from(plaintext_len).map_err(|_| CryptoError::Refused)?;
        let aad = additional_data(seq, typ, header.legacy_version, len);
        let plaintext = self.key.open(nonce, &aad, sealed)?;
        self.key.advance(seq);
        if plaintext.is_empty() && typ != ContentType::ApplicationData {
            return Err(InvalidMessage::EmptyFragment(typ).into());
        }
        Ok((typ, plaintext))
    }

    #[cfg(test)]
    pub(crate) fn set_sequence(&mut self, seq: u64) {
        self.key.set_sequence(seq);
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
    use crate::codec::{AlertDescription, MAX_CIPHERTEXT_LEN_TLS12};
    use crate::crypto::record_key::checks;
    use ring::aead;

    fn parse(record: &[u8]) -> (RecordHeader, Vec<u8>) {
        checks::parse(record, MAX_CIPHERTEXT_LEN_TLS12)
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
            checks::round_trip(&mut enc, &mut dec, MAX_CIPHERTEXT_LEN_TLS12);
        }
    }

    #[test]
    fn too_much_plaintext_is_refused_and_out_untouched() {
        let (mut enc, _) = pair(&ECDHE_ECDSA_AES_128_GCM_SHA256);
        checks::too_much_plaintext_is_refused_and_out_untouched(&mut enc);
    }

    #[test]
    fn tampering_is_bad_record_mac() {
        for suite in TLS12_SUITES {
            let (mut enc, mut dec) = pair(suite);
            // Every byte but the length is authenticated (type and version
            // through the additional data; byte 0 becoming 23,
            // application_data, does not match it either).
            checks::tampering(
                &mut enc,
                &mut dec,
                MAX_CIPHERTEXT_LEN_TLS12,
                (0x01, &[3, 4]),
                |_, err| {
                    checks::assert_bad_record_mac(&err);
                },
            );
        }
    }

    #[test]
    fn records_must_arrive_in_order() {
        for suite in [
            &ECDHE_RSA_AES_256_GCM_SHA384,
            &ECDHE_RSA_CHACHA20_POLY1305_SHA256,
        ] {
            let (mut enc, mut dec) = pair(suite);
            checks::records_must_arrive_in_order(&mut enc, &mut dec, MAX_CIPHERTEXT_LEN_TLS12);
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
