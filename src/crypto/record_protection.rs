//! TLS 1.3 record protection (RFC 8446 §5.2–§5.4).
//!
//! A protected record is
//!
//! ```text
//! opaque_type = 23 (application_data) || legacy_record_version = 0x0303
//!     || length || AEAD-Encrypt(write_key, nonce, header, TLSInnerPlaintext)
//! TLSInnerPlaintext = content || ContentType || zeros
//! nonce = write_iv XOR (sequence number, 64-bit big-endian, left-padded)
//! ```
//!
//! with the five header bytes as additional data. Both directions work in
//! place: [`RecordEncrypter::seal`] writes the record straight into the
//! caller's buffer and [`RecordDecrypter::open`] decrypts inside the
//! received bytes.

use ring::aead;

use super::key_schedule::{TrafficSecret, IV_LEN};
use crate::codec::{ContentType, RecordHeader, RECORD_HEADER_LEN};
use crate::error::{CryptoError, Error, InvalidMessage};

/// The most content one record carries: 2^14 bytes (RFC 8446 §5.1). The
/// caller fragments anything longer.
pub(crate) const MAX_FRAGMENT_LEN: usize = 1 << 14;

/// The largest TLSInnerPlaintext: content, type byte and padding together
/// may not exceed 2^14 + 1 bytes (RFC 8446 §5.4).
pub(crate) const MAX_INNER_PLAINTEXT_LEN: usize = MAX_FRAGMENT_LEN + 1;

/// The largest protected fragment accepted: 2^14 + 256 bytes (RFC 8446
/// §5.2).
pub(crate) const MAX_CIPHERTEXT_LEN: usize = MAX_FRAGMENT_LEN + 256;

/// legacy_record_version of every protected record (RFC 8446 §5.2).
const LEGACY_RECORD_VERSION: u16 = 0x0303;

/// One direction's AEAD key, IV and sequence number.
struct DirectionKey {
    key: aead::LessSafeKey,
    iv: [u8; IV_LEN],
    /// The sequence number of the next record, or `None` once 2^64 - 1 has
    /// been used: RFC 8446 §5.3 forbids wrapping.
    next_seq: Option<u64>,
}

impl DirectionKey {
    fn new<Kind>(secret: &TrafficSecret<Kind>) -> Result<Self, Error> {
        let keys = secret.traffic_keys();
        let key = aead::UnboundKey::new(secret.suite().aead, keys.key())
            .map_err(|_| CryptoError::Refused)?;
        Ok(Self {
            key: aead::LessSafeKey::new(key),
            iv: *keys.iv(),
            next_seq: Some(0),
        })
    }

    /// The sequence number for the next record.
    fn seq(&self) -> Result<u64, Error> {
        self.next_seq
            .ok_or(Error::Crypto(CryptoError::SequenceExhausted))
    }

    /// Moves past `seq`, which has been used.
    fn advance(&mut self, seq: u64) {
        self.next_seq = seq.checked_add(1);
    }

    /// The per-record nonce (RFC 8446 §5.3): the sequence number, big-endian
    /// and left-padded with zeros to iv_length, XORed with the IV.
    fn nonce(&self, seq: u64) -> aead::Nonce {
        let mut nonce = self.iv;
        let seq = seq.to_be_bytes();
        let low = nonce.iter_mut().skip(IV_LEN.saturating_sub(seq.len()));
        for (n, s) in low.zip(seq) {
            *n ^= s;
        }
        aead::Nonce::assume_unique_for_key(nonce)
    }

    fn tag_len(&self) -> usize {
        self.key.algorithm().tag_len()
    }
}

/// Protects outgoing records under one traffic secret.
pub(crate) struct RecordEncrypter {
    key: DirectionKey,
    /// Records after which a key update is due (RFC 8446 §5.5).
    limit: u64,
}

impl core::fmt::Debug for RecordEncrypter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordEncrypter")
            .field("next_seq", &self.key.next_seq)
            .finish_non_exhaustive()
    }
}

impl RecordEncrypter {
    /// An encrypter at sequence number 0 with the keys of `secret`.
    pub(crate) fn new<Kind>(secret: &TrafficSecret<Kind>) -> Result<Self, Error> {
        Ok(Self {
            key: DirectionKey::new(secret)?,
            limit: secret.suite().confidentiality_limit,
        })
    }

    /// Bytes a record adds around its content: header, type byte and tag.
    pub(crate) fn overhead(&self) -> usize {
        RECORD_HEADER_LEN + 1 + self.key.tag_len()
    }

    /// Whether this key has protected as many records as RFC 8446 §5.5
    /// allows and should be replaced with a KeyUpdate.
    pub(crate) fn wants_key_update(&self) -> bool {
        self.key.next_seq.is_none_or(|seq| seq >= self.limit)
    }

    /// Appends one protected record carrying `plaintext` as `content_type`
    /// to `out`, encrypting in place there. `out` grows by exactly
    /// `plaintext.len() + overhead()` bytes, in one reservation; on error
    /// it is left as it was.
    ///
    /// Errors: more than [`MAX_FRAGMENT_LEN`] bytes of plaintext, or a
    /// spent sequence number.
    pub(crate) fn seal(
        &mut self,
        content_type: ContentType,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if plaintext.len() > MAX_FRAGMENT_LEN {
            return Err(CryptoError::PlaintextTooLong {
                len: plaintext.len(),
            }
            .into());
        }
        let start = out.len();
        out.reserve(plaintext.len() + self.overhead());
        out.extend_from_slice(&[0; RECORD_HEADER_LEN]);
        out.extend_from_slice(plaintext);
        self.seal_in_place(content_type, out, start)
    }

    /// Protects, as one record of `content_type`, content the caller has
    /// already written into `out`: `out[start..]` is room for the record
    /// header ([`RECORD_HEADER_LEN`] bytes of anything) followed by the
    /// content. The header is filled in, the content encrypted where it
    /// lies, and the type byte and tag appended, so a flight is encoded
    /// once and never copied. On error `out` is truncated to `start`.
    ///
    /// Errors: more than [`MAX_FRAGMENT_LEN`] bytes of content, no room
    /// for a header, or a spent sequence number.
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
        let content_at = start
            .checked_add(RECORD_HEADER_LEN)
            .filter(|&at| at <= out.len())
            .ok_or(CryptoError::Refused)?;
        let len = out.len() - content_at;
        if len > MAX_FRAGMENT_LEN {
            return Err(CryptoError::PlaintextTooLong { len }.into());
        }
        let seq = self.key.seq()?;
        let tag_len = self.key.tag_len();
        // At most 2^14 + 1 + 16, so it fits the u16 length field.
        let body_len = len + 1 + tag_len;
        let header = RecordHeader {
            content_type: ContentType::ApplicationData,
            legacy_version: LEGACY_RECORD_VERSION,
            len: u16::try_from(body_len).map_err(|_| CryptoError::Refused)?,
        }
        .encode();
        out.reserve(1 + tag_len);
        if let Some(room) = out.get_mut(start..content_at) {
            room.copy_from_slice(&header);
        }
        out.push(content_type.to_wire());
        let inner = out.get_mut(content_at..).ok_or(CryptoError::Refused)?;
        let tag = self
            .key
            .key
            .seal_in_place_separate_tag(self.key.nonce(seq), aead::Aad::from(header), inner)
            .map_err(|_| CryptoError::Refused)?;
        out.extend_from_slice(tag.as_ref());
        self.key.advance(seq);
        Ok(())
    }

    #[cfg(test)]
    fn set_sequence(&mut self, seq: u64) {
        self.key.next_seq = Some(seq);
    }
}

/// Removes protection from incoming records under one traffic secret.
pub(crate) struct RecordDecrypter {
    key: DirectionKey,
}

impl core::fmt::Debug for RecordDecrypter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordDecrypter")
            .field("next_seq", &self.key.next_seq)
            .finish_non_exhaustive()
    }
}

impl RecordDecrypter {
    /// A decrypter at sequence number 0 with the keys of `secret`.
    pub(crate) fn new<Kind>(secret: &TrafficSecret<Kind>) -> Result<Self, Error> {
        Ok(Self {
            key: DirectionKey::new(secret)?,
        })
    }

    /// Decrypts one record in place and returns its real content type and
    /// content, padding removed. `header` is the record's header as
    /// received (it is authenticated as the additional data) and `payload`
    /// the `header.len` bytes after it.
    ///
    /// The sequence number advances only when the record authenticates, so
    /// a failed record may be retried by a caller that skips rejected early
    /// data (RFC 8446 §4.2.10).
    ///
    /// Errors, with their alerts: an outer type other than application_data
    /// or an inner type other than handshake, alert or application_data
    /// (unexpected_message); a fragment over 2^14 + 256 bytes or an inner
    /// plaintext over 2^14 + 1 (record_overflow); failed authentication
    /// (bad_record_mac); no non-zero byte in the plaintext, or an empty
    /// handshake or alert record (unexpected_message); a spent sequence
    /// number (internal_error).
    pub(crate) fn open<'a>(
        &mut self,
        header: &RecordHeader,
        payload: &'a mut [u8],
    ) -> Result<(ContentType, &'a [u8]), Error> {
        if header.content_type != ContentType::ApplicationData {
            return Err(InvalidMessage::UnexpectedContentType(header.content_type).into());
        }
        if payload.len() > MAX_CIPHERTEXT_LEN {
            return Err(InvalidMessage::RecordOverflow {
                len: payload.len(),
                max: MAX_CIPHERTEXT_LEN,
            }
            .into());
        }
        let seq = self.key.seq()?;
        let aad = aead::Aad::from(header.encode());
        let inner = self
            .key
            .key
            .open_in_place(self.key.nonce(seq), aad, payload)
            .map_err(|_| InvalidMessage::DecryptFailed)?;
        self.key.advance(seq);

        if inner.len() > MAX_INNER_PLAINTEXT_LEN {
            return Err(InvalidMessage::RecordOverflow {
                len: inner.len(),
                max: MAX_INNER_PLAINTEXT_LEN,
            }
            .into());
        }
        // The content type is the last non-zero byte; zeros after it are
        // padding (§5.4).
        let Some(type_at) = inner.iter().rposition(|&b| b != 0) else {
            return Err(InvalidMessage::NoInnerContentType.into());
        };
        let (content, rest) = inner.split_at(type_at);
        let typ = ContentType::from_wire(rest.first().copied().unwrap_or(0));
        match typ {
            ContentType::Handshake | ContentType::Alert if content.is_empty() => {
                Err(InvalidMessage::EmptyInnerContent(typ).into())
            }
            ContentType::Handshake | ContentType::Alert | ContentType::ApplicationData => {
                Ok((typ, content))
            }
            // change_cipher_spec is never protected (§5), and an unknown
            // type is unexpected wherever it appears.
            _ => Err(InvalidMessage::UnexpectedContentType(typ).into()),
        }
    }

    #[cfg(test)]
    fn set_sequence(&mut self, seq: u64) {
        self.key.next_seq = Some(seq);
    }
}

#[cfg(test)]
mod tests {
    use super::super::key_schedule::{Application, EarlySecret, HandshakeSecrets};
    use super::super::rfc8448::{self as v, hex};
    use super::super::suites::{
        Tls13Suite, TLS13_AES_128_GCM_SHA256,
        TLS13_CHACHA20_POLY1305_SHA256 as TLS13_CHACHA20_POLY1305, TLS13_SUITES,
    };
    use super::super::transcript::Transcript;
    use super::*;
    use crate::codec::{split_record, AlertDescription};

    /// Splits a complete record into its parsed header and a mutable copy
    /// of its fragment.
    fn parse(record: &[u8]) -> (RecordHeader, Vec<u8>) {
        let (rec, used) = split_record(record, MAX_CIPHERTEXT_LEN).unwrap().unwrap();
        assert_eq!(used, record.len());
        (rec.header, rec.fragment.to_vec())
    }

    fn rfc8448_schedule() -> (HandshakeSecrets, ring::digest::Digest) {
        let mut t = Transcript::new(&ring::digest::SHA256);
        t.add(&hex(v::CLIENT_HELLO));
        t.add(&hex(v::SERVER_HELLO));
        let hs = EarlySecret::new(&TLS13_AES_128_GCM_SHA256)
            .unwrap()
            .into_handshake(&hex(v::SHARED_SECRET), &t.current_hash())
            .unwrap();
        t.add(&hex(v::SERVER_FLIGHT));
        (hs, t.current_hash())
    }

    #[test]
    fn rfc8448_records() {
        let (hs, server_finished) = rfc8448_schedule();

        // The server's encrypted flight: EE, Certificate, CV, Finished.
        let mut enc = RecordEncrypter::new(hs.server()).unwrap();
        let mut out = Vec::new();
        enc.seal(ContentType::Handshake, &hex(v::SERVER_FLIGHT), &mut out)
            .unwrap();
        assert_eq!(out, hex(v::SERVER_FLIGHT_RECORD));

        // The client's Finished.
        let mut dec = RecordDecrypter::new(hs.client()).unwrap();
        let (header, mut payload) = parse(&hex(v::CLIENT_FINISHED_RECORD));
        let (typ, content) = dec.open(&header, &mut payload).unwrap();
        assert_eq!(typ, ContentType::Handshake);
        assert_eq!(&content[..4], [20, 0, 0, 32]);
        assert_eq!(content[4..], hex(v::CLIENT_FINISHED_VERIFY_DATA));

        let ap = hs.into_application(&server_finished).unwrap();
        ap.check_client_finished(&server_finished, &content[4..])
            .unwrap();

        // Server application records: NewSessionTicket, data, close_notify.
        let mut enc = RecordEncrypter::new(ap.server()).unwrap();
        for (typ, content, record) in [
            (
                ContentType::Handshake,
                hex(v::NEW_SESSION_TICKET),
                v::NEW_SESSION_TICKET_RECORD,
            ),
            (
                ContentType::ApplicationData,
                v::application_data(),
                v::SERVER_APPLICATION_DATA_RECORD,
            ),
            (ContentType::Alert, vec![1, 0], v::SERVER_ALERT_RECORD),
        ] {
            let mut out = vec![0xee]; // sealing appends
            enc.seal(typ, &content, &mut out).unwrap();
            assert_eq!(out[1..], hex(record));
        }

        // Client application records: data, close_notify.
        let mut dec = RecordDecrypter::new(ap.client()).unwrap();
        for (typ, content, record) in [
            (
                ContentType::ApplicationData,
                v::application_data(),
                v::CLIENT_APPLICATION_DATA_RECORD,
            ),
            (ContentType::Alert, vec![1, 0], v::CLIENT_ALERT_RECORD),
        ] {
            let (header, mut payload) = parse(&hex(record));
            assert_eq!(
                dec.open(&header, &mut payload).unwrap(),
                (typ, &content[..])
            );
        }
    }

    fn pair(suite: &'static Tls13Suite) -> (RecordEncrypter, RecordDecrypter) {
        let mut t = Transcript::new(suite.digest);
        t.add(b"messages");
        let ap = EarlySecret::new(suite)
            .unwrap()
            .into_handshake(&[9; 32], &t.current_hash())
            .unwrap()
            .into_application(&t.current_hash())
            .unwrap();
        (
            RecordEncrypter::new(ap.server()).unwrap(),
            RecordDecrypter::new(ap.server()).unwrap(),
        )
    }

    #[test]
    fn round_trip_every_suite() {
        for suite in TLS13_SUITES {
            let (mut enc, mut dec) = pair(suite);
            for len in [0, 1, 15, 16, 17, 1000, MAX_FRAGMENT_LEN] {
                let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
                let mut out = Vec::new();
                enc.seal(ContentType::ApplicationData, &content, &mut out)
                    .unwrap();
                assert_eq!(out.len(), content.len() + enc.overhead());
                assert_eq!(&out[..3], [0x17, 0x03, 0x03]);
                if len > 32 {
                    assert_ne!(&out[5..37], &content[..32], "encrypted");
                }
                let (header, mut payload) = parse(&out);
                let (typ, got) = dec.open(&header, &mut payload).unwrap();
                assert_eq!((typ, got), (ContentType::ApplicationData, &content[..]));
            }
        }
    }

    #[test]
    fn too_much_plaintext_is_refused_and_out_untouched() {
        let (mut enc, _) = pair(&TLS13_AES_128_GCM_SHA256);
        let mut out = vec![1, 2, 3];
        let err = enc
            .seal(
                ContentType::ApplicationData,
                &vec![0; MAX_FRAGMENT_LEN + 1],
                &mut out,
            )
            .unwrap_err();
        assert_eq!(
            err,
            Error::Crypto(CryptoError::PlaintextTooLong {
                len: MAX_FRAGMENT_LEN + 1
            })
        );
        assert_eq!(out, [1, 2, 3]);
    }

    #[test]
    fn tampering_is_bad_record_mac() {
        for suite in TLS13_SUITES {
            let (mut enc, mut dec) = pair(suite);
            let mut record = Vec::new();
            enc.seal(ContentType::Handshake, b"some handshake bytes", &mut record)
                .unwrap();
            for i in 0..record.len() {
                let mut bad = record.clone();
                bad[i] ^= 0x80;
                let Ok(Some((rec, _))) = split_record(&bad, MAX_CIPHERTEXT_LEN) else {
                    continue; // a broken header the deframer already refuses
                };
                let (header, mut payload) = (rec.header, rec.fragment.to_vec());
                let err = dec.open(&header, &mut payload).unwrap_err();
                if i == 0 {
                    assert!(matches!(
                        err,
                        Error::InvalidMessage(InvalidMessage::UnexpectedContentType(_))
                    ));
                } else {
                    assert_eq!(err, Error::InvalidMessage(InvalidMessage::DecryptFailed));
                    assert_eq!(AlertDescription::from(&err), AlertDescription::BadRecordMac);
                }
            }
            // Shorter than a tag.
            let header = RecordHeader {
                content_type: ContentType::ApplicationData,
                legacy_version: 0x0303,
                len: 3,
            };
            assert_eq!(
                dec.open(&header, &mut [1, 2, 3]),
                Err(Error::InvalidMessage(InvalidMessage::DecryptFailed))
            );
            // The untouched record still opens: failures did not advance.
            let (header, mut payload) = parse(&record);
            assert!(dec.open(&header, &mut payload).is_ok());
        }
    }

    #[test]
    fn sealing_in_place_makes_the_same_record() {
        for suite in TLS13_SUITES {
            let (mut enc, mut dec) = pair(suite);
            let (mut twin, _) = pair(suite);
            let content = b"EncryptedExtensions..Finished";
            let mut copied = vec![7, 7];
            twin.seal(ContentType::Handshake, content, &mut copied)
                .unwrap();
            // What precedes `start` is left alone; the header room may hold
            // anything.
            let mut in_place = vec![7, 7, 0xee, 0xee, 0xee, 0xee, 0xee];
            in_place.extend_from_slice(content);
            enc.seal_in_place(ContentType::Handshake, &mut in_place, 2)
                .unwrap();
            assert_eq!(in_place, copied);
            let (header, mut payload) = parse(&in_place[2..]);
            assert_eq!(
                dec.open(&header, &mut payload).unwrap(),
                (ContentType::Handshake, &content[..])
            );
        }
    }

    #[test]
    fn sealing_in_place_fails_cleanly() {
        let (mut enc, _) = pair(&TLS13_AES_128_GCM_SHA256);
        // No room for a header after `start`.
        let mut out = vec![1, 2, 3, 4, 5, 6];
        assert_eq!(
            enc.seal_in_place(ContentType::Handshake, &mut out, 2),
            Err(Error::Crypto(CryptoError::Refused))
        );
        assert_eq!(out, [1, 2]);
        // More than one record's worth of content.
        let mut out = vec![0; 1 + RECORD_HEADER_LEN + MAX_FRAGMENT_LEN + 1];
        assert_eq!(
            enc.seal_in_place(ContentType::Handshake, &mut out, 1),
            Err(Error::Crypto(CryptoError::PlaintextTooLong {
                len: MAX_FRAGMENT_LEN + 1
            }))
        );
        assert_eq!(out, [0]);
        // A spent sequence number.
        enc.set_sequence(u64::MAX);
        enc.seal(ContentType::ApplicationData, b"last", &mut Vec::new())
            .unwrap();
        let mut out = vec![9; RECORD_HEADER_LEN + 3];
        assert_eq!(
            enc.seal_in_place(ContentType::Handshake, &mut out, 0),
            Err(Error::Crypto(CryptoError::SequenceExhausted))
        );
        assert!(out.is_empty());
    }

    #[test]
    fn records_must_arrive_in_order() {
        let (mut enc, mut dec) = pair(&TLS13_AES_128_GCM_SHA256);
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

    /// Encrypts an arbitrary TLSInnerPlaintext with the keys of a decrypter
    /// at sequence 0, as a peer that breaks the rules might.
    fn forge(secret: &TrafficSecret<Application>, inner: &[u8]) -> (RecordHeader, Vec<u8>) {
        let keys = secret.traffic_keys();
        let key =
            aead::LessSafeKey::new(aead::UnboundKey::new(secret.suite().aead, keys.key()).unwrap());
        let header = RecordHeader {
            content_type: ContentType::ApplicationData,
            legacy_version: 0x0303,
            len: u16::try_from(inner.len() + 16).unwrap(),
        };
        let mut payload = inner.to_vec();
        key.seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(*keys.iv()),
            aead::Aad::from(header.encode()),
            &mut payload,
        )
        .unwrap();
        (header, payload)
    }

    #[test]
    fn malformed_inner_plaintexts() {
        let suite = &TLS13_AES_128_GCM_SHA256;
        let mut t = Transcript::new(suite.digest);
        t.add(b"x");
        let ap = EarlySecret::new(suite)
            .unwrap()
            .into_handshake(&[1; 32], &t.current_hash())
            .unwrap()
            .into_application(&t.current_hash())
            .unwrap();
        let secret = ap.client();
        let open = |inner: &[u8]| {
            let (header, mut payload) = forge(secret, inner);
            let mut dec = RecordDecrypter::new(secret).unwrap();
            dec.open(&header, &mut payload)
                .map(|(t, c)| (t, c.to_vec()))
        };
        let unexpected = AlertDescription::UnexpectedMessage;

        // Padding is removed.
        let mut padded = b"data\x17".to_vec();
        padded.extend([0; 300]);
        assert_eq!(
            open(&padded),
            Ok((ContentType::ApplicationData, b"data".to_vec()))
        );
        // Zero-length application data is allowed (§5.1).
        assert_eq!(
            open(&[23, 0, 0]),
            Ok((ContentType::ApplicationData, Vec::new()))
        );

        for (inner, want) in [
            (&[0u8; 40][..], InvalidMessage::NoInnerContentType),
            (&[][..], InvalidMessage::NoInnerContentType),
            (
                &[22, 0][..],
                InvalidMessage::EmptyInnerContent(ContentType::Handshake),
            ),
            (
                &[21][..],
                InvalidMessage::EmptyInnerContent(ContentType::Alert),
            ),
            (
                &[1, 20][..],
                InvalidMessage::UnexpectedContentType(ContentType::ChangeCipherSpec),
            ),
            (
                &[1, 0x42, 0][..],
                InvalidMessage::UnexpectedContentType(ContentType::Unknown(0x42)),
            ),
        ] {
            let err = open(inner).unwrap_err();
            assert_eq!(err, Error::InvalidMessage(want), "{inner:?}");
            assert_eq!(AlertDescription::from(&err), unexpected);
        }

        // 2^14 bytes of content plus type plus one byte of padding: too long.
        let mut long = vec![1; MAX_FRAGMENT_LEN];
        long.extend([23, 0]);
        let err = open(&long).unwrap_err();
        assert_eq!(
            err,
            Error::InvalidMessage(InvalidMessage::RecordOverflow {
                len: MAX_INNER_PLAINTEXT_LEN + 1,
                max: MAX_INNER_PLAINTEXT_LEN
            })
        );
        assert_eq!(
            AlertDescription::from(&err),
            AlertDescription::RecordOverflow
        );
        // Exactly at the limit is fine.
        long.pop();
        assert!(open(&long).is_ok());
    }

    #[test]
    fn wrong_outer_type_and_oversized_fragment() {
        let (_, mut dec) = pair(&TLS13_AES_128_GCM_SHA256);
        let header = RecordHeader {
            content_type: ContentType::Handshake,
            legacy_version: 0x0303,
            len: 20,
        };
        assert_eq!(
            dec.open(&header, &mut [0; 20]),
            Err(Error::InvalidMessage(
                InvalidMessage::UnexpectedContentType(ContentType::Handshake)
            ))
        );
        let mut big = vec![0; MAX_CIPHERTEXT_LEN + 1];
        let header = RecordHeader {
            content_type: ContentType::ApplicationData,
            legacy_version: 0x0303,
            len: u16::try_from(big.len()).unwrap(),
        };
        let err = dec.open(&header, &mut big).unwrap_err();
        assert_eq!(
            AlertDescription::from(&err),
            AlertDescription::RecordOverflow
        );
    }

    #[test]
    fn sequence_numbers_never_wrap() {
        let (mut enc, mut dec) = pair(&TLS13_CHACHA20_POLY1305);
        enc.set_sequence(u64::MAX);
        dec.set_sequence(u64::MAX);
        let mut last = Vec::new();
        enc.seal(ContentType::ApplicationData, b"last", &mut last)
            .unwrap();
        assert!(enc.wants_key_update());
        let mut out = Vec::new();
        assert_eq!(
            enc.seal(ContentType::ApplicationData, b"one more", &mut out),
            Err(Error::Crypto(CryptoError::SequenceExhausted))
        );
        assert!(out.is_empty());
        let (header, mut payload) = parse(&last);
        assert_eq!(dec.open(&header, &mut payload).unwrap().1, b"last");
        let (header, mut payload) = parse(&last);
        assert_eq!(
            dec.open(&header, &mut payload),
            Err(Error::Crypto(CryptoError::SequenceExhausted))
        );
    }

    #[test]
    fn aes_gcm_asks_for_a_key_update_at_its_limit() {
        let (mut enc, _) = pair(&TLS13_AES_128_GCM_SHA256);
        assert!(!enc.wants_key_update());
        enc.set_sequence(TLS13_AES_128_GCM_SHA256.confidentiality_limit - 1);
        assert!(!enc.wants_key_update());
        enc.seal(ContentType::ApplicationData, b"", &mut Vec::new())
            .unwrap();
        assert!(enc.wants_key_update());
        let (enc, _) = pair(&TLS13_CHACHA20_POLY1305);
        assert!(!enc.wants_key_update());
    }
}
