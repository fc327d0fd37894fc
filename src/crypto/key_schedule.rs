//! The TLS 1.3 key schedule (RFC 8446 §7.1), as typestate.
//!
//! ```text
//! EarlySecret ──into_handshake(ECDHE, H(CH..SH))──▶ HandshakeSecrets
//!     client/server handshake traffic secrets, server Finished
//! HandshakeSecrets ──into_application(H(CH..server Finished))──▶ ApplicationSecrets
//!     client/server application traffic secrets, client Finished check,
//!     exporter and resumption master secrets
//! ```
//!
//! Each stage consumes the one before, so an earlier secret cannot be used
//! once the schedule has moved on, and a [`TrafficSecret`] is tagged with
//! its kind: only a `TrafficSecret<Handshake>` makes a Finished, and only a
//! `TrafficSecret<Application>` can be updated (§7.2). Every secret is a
//! fixed-size array, so the schedule allocates nothing.
//!
//! No pre-shared keys are offered by this server, so the early secret is
//! always `HKDF-Extract(0, 0)` and there are no binder or early traffic
//! secrets.

use core::{fmt, marker::PhantomData};

use ring::{digest, hkdf, hmac};

use super::suites::{Tls13Suite, MAX_HASH_LEN};
use crate::error::{CryptoError, Error, InvalidMessage};

/// Hash.length zero bytes, the "0" of RFC 8446 §7.1 (sliced to length).
const ZEROS: [u8; MAX_HASH_LEN] = [0; MAX_HASH_LEN];

/// The prefix of every HkdfLabel.label (RFC 8446 §7.1).
const LABEL_PREFIX: &[u8] = b"tls13 ";

/// The largest AEAD key of any suite (AES-256, ChaCha20).
pub(crate) const MAX_KEY_LEN: usize = 32;

/// The per-record nonce length, `iv_length` (RFC 8446 §5.3).
pub(crate) const IV_LEN: usize = 12;

/// A secret of the suite's hash length. Its bytes are overwritten when it
/// is dropped (best effort: the compiler may have copied them), and its
/// `Debug` does not print them.
#[derive(Clone)]
pub(crate) struct Secret {
    bytes: [u8; MAX_HASH_LEN],
    /// At most `MAX_HASH_LEN`, by construction.
    len: usize,
}

impl Secret {
    /// Copies `value`, which is at most `MAX_HASH_LEN` bytes long (any
    /// excess is not kept).
    pub(crate) fn new(value: &[u8]) -> Self {
        let mut bytes = [0; MAX_HASH_LEN];
        for (dst, src) in bytes.iter_mut().zip(value) {
            *dst = *src;
        }
        Self {
            bytes,
            len: value.len().min(MAX_HASH_LEN),
        }
    }

    /// The secret's bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        // `len <= MAX_HASH_LEN` by construction, so this never falls back.
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.bytes.fill(0);
        core::hint::black_box(&self.bytes);
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes)", self.len)
    }
}

/// An output length for ring's HKDF-Expand.
struct OutputLen(usize);

impl hkdf::KeyType for OutputLen {
    fn len(&self) -> usize {
        self.0
    }
}

/// `HKDF-Expand-Label(Secret, Label, Context, Length)` (RFC 8446 §7.1),
/// with `Length = out.len()`:
///
/// ```text
/// struct {
///     uint16 length = Length;
///     opaque label<7..255> = "tls13 " + Label;
///     opaque context<0..255> = Context;
/// } HkdfLabel;
/// ```
///
/// The HkdfLabel is passed to HKDF-Expand as pieces, never assembled.
fn expand_label(
    suite: &Tls13Suite,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    let refused = |_| Error::Crypto(CryptoError::Refused);
    let length = u16::try_from(out.len()).map_err(refused)?.to_be_bytes();
    let label_len = label
        .len()
        .checked_add(LABEL_PREFIX.len())
        .and_then(|len| u8::try_from(len).ok())
        .ok_or(CryptoError::Refused)?;
    let context_len = u8::try_from(context.len()).map_err(refused)?;
    let info: [&[u8]; 6] = [
        &length,
        &[label_len],
        LABEL_PREFIX,
        label,
        &[context_len],
        context,
    ];
    hkdf::Prk::new_less_safe(suite.hkdf, secret)
        .expand(&info, OutputLen(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| CryptoError::Refused.into())
}

/// HKDF-Expand-Label to a new secret of Hash.length bytes.
fn expand_secret(
    suite: &Tls13Suite,
    secret: &Secret,
    label: &[u8],
    context: &[u8],
) -> Result<Secret, Error> {
    let mut bytes = [0; MAX_HASH_LEN];
    let out = bytes
        .get_mut(..suite.hash_len)
        .ok_or(CryptoError::Refused)?;
    expand_label(suite, secret.as_bytes(), label, context, out)?;
    let new = Secret::new(out);
    bytes.fill(0);
    Ok(new)
}

/// `Derive-Secret(Secret, Label, Messages)`, given
/// `Transcript-Hash(Messages)` (RFC 8446 §7.1).
fn derive_secret(
    suite: &Tls13Suite,
    secret: &Secret,
    label: &[u8],
    transcript_hash: &digest::Digest,
) -> Result<Secret, Error> {
    debug_assert!(core::ptr::eq(transcript_hash.algorithm(), suite.digest));
    expand_secret(suite, secret, label, transcript_hash.as_ref())
}

/// `Derive-Secret(Secret, "derived", "")`: the salt of the next extraction.
fn derived(suite: &Tls13Suite, secret: &Secret) -> Result<Secret, Error> {
    let empty = digest::digest(suite.digest, b"");
    derive_secret(suite, secret, b"derived", &empty)
}

/// `HKDF-Extract(salt, IKM)`, which is `HMAC-Hash(salt, IKM)` (RFC 5869
/// §2.2). Done with HMAC directly because the key schedule keeps the
/// extracted secret's bytes, which ring's `hkdf::Prk` does not expose.
fn extract(suite: &Tls13Suite, salt: &[u8], ikm: &[u8]) -> Secret {
    let tag = hmac::sign(&hmac::Key::new(suite.hmac, salt), ikm);
    Secret::new(tag.as_ref())
}

/// Hash.length zero bytes.
fn zeros(suite: &Tls13Suite) -> &'static [u8] {
    ZEROS.split_at(suite.hash_len.min(MAX_HASH_LEN)).0
}

/// The first stage: `Early Secret = HKDF-Extract(0, 0)`, since no PSK is
/// in use (RFC 8446 §7.1).
#[derive(Debug)]
pub(crate) struct EarlySecret {
    suite: &'static Tls13Suite,
    secret: Secret,
}

impl EarlySecret {
    /// The early secret of a handshake without a PSK.
    pub(crate) fn new(suite: &'static Tls13Suite) -> Self {
        let zeros = zeros(suite);
        Self {
            suite,
            secret: extract(suite, zeros, zeros),
        }
    }

    /// The early secret's bytes.
    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }

    /// Mixes in the (EC)DHE shared secret and derives the handshake traffic
    /// secrets over `hello_hash = Transcript-Hash(ClientHello..ServerHello)`.
    pub(crate) fn into_handshake(
        self,
        shared_secret: &[u8],
        hello_hash: &digest::Digest,
    ) -> Result<HandshakeSecrets, Error> {
        let suite = self.suite;
        let salt = derived(suite, &self.secret)?;
        let handshake_secret = extract(suite, salt.as_bytes(), shared_secret);
        let client = derive_secret(suite, &handshake_secret, b"c hs traffic", hello_hash)?;
        let server = derive_secret(suite, &handshake_secret, b"s hs traffic", hello_hash)?;
        Ok(HandshakeSecrets {
            suite,
            handshake_secret,
            client: TrafficSecret::new(suite, client),
            server: TrafficSecret::new(suite, server),
        })
    }
}

/// The second stage: the handshake secret and the two handshake traffic
/// secrets derived from it.
#[derive(Debug)]
pub(crate) struct HandshakeSecrets {
    suite: &'static Tls13Suite,
    handshake_secret: Secret,
    client: TrafficSecret<Handshake>,
    server: TrafficSecret<Handshake>,
}

impl HandshakeSecrets {
    /// The handshake secret itself.
    pub(crate) fn secret(&self) -> &Secret {
        &self.handshake_secret
    }

    /// `client_handshake_traffic_secret`: protects the client's Finished.
    pub(crate) fn client(&self) -> &TrafficSecret<Handshake> {
        &self.client
    }

    /// `server_handshake_traffic_secret`: protects EncryptedExtensions
    /// through the server's Finished.
    pub(crate) fn server(&self) -> &TrafficSecret<Handshake> {
        &self.server
    }

    /// The server's Finished.verify_data over
    /// `Transcript-Hash(ClientHello..CertificateVerify)` (RFC 8446 §4.4.4).
    pub(crate) fn server_finished(
        &self,
        transcript_hash: &digest::Digest,
    ) -> Result<hmac::Tag, Error> {
        self.server.verify_data(transcript_hash)
    }

    /// Derives the master secret and the application traffic secrets over
    /// `Transcript-Hash(ClientHello..server Finished)`. The client's
    /// handshake traffic secret survives only as the key its Finished is
    /// checked with.
    pub(crate) fn into_application(
        self,
        server_finished_hash: &digest::Digest,
    ) -> Result<ApplicationSecrets, Error> {
        let suite = self.suite;
        let salt = derived(suite, &self.handshake_secret)?;
        let master = extract(suite, salt.as_bytes(), zeros(suite));
        let client = derive_secret(suite, &master, b"c ap traffic", server_finished_hash)?;
        let server = derive_secret(suite, &master, b"s ap traffic", server_finished_hash)?;
        let exporter_master = derive_secret(suite, &master, b"exp master", server_finished_hash)?;
        Ok(ApplicationSecrets {
            suite,
            client_finished_key: self.client.finished_key()?,
            client: TrafficSecret::new(suite, client),
            server: TrafficSecret::new(suite, server),
            exporter_master,
            master,
        })
    }
}

/// The last stage: the master secret and what is derived from it.
#[derive(Debug)]
pub(crate) struct ApplicationSecrets {
    suite: &'static Tls13Suite,
    master: Secret,
    client_finished_key: Secret,
    client: TrafficSecret<Application>,
    server: TrafficSecret<Application>,
    exporter_master: Secret,
}

impl ApplicationSecrets {
    /// The master secret itself.
    pub(crate) fn secret(&self) -> &Secret {
        &self.master
    }

    /// `client_application_traffic_secret_0`. Install it only after the
    /// client's Finished has passed [`Self::check_client_finished`].
    pub(crate) fn client(&self) -> &TrafficSecret<Application> {
        &self.client
    }

    /// `server_application_traffic_secret_0`.
    pub(crate) fn server(&self) -> &TrafficSecret<Application> {
        &self.server
    }

    /// `exporter_master_secret` (RFC 8446 §7.5).
    pub(crate) fn exporter_master_secret(&self) -> &Secret {
        &self.exporter_master
    }

    /// Checks the client's Finished.verify_data, in constant time, against
    /// `Transcript-Hash(ClientHello..server Finished)` (plus the client's
    /// Certificate and CertificateVerify, were they sent) (RFC 8446 §4.4.4).
    ///
    /// A verify_data of the wrong length is a mismatch here; the caller
    /// should have refused the message with decode_error already.
    pub(crate) fn check_client_finished(
        &self,
        transcript_hash: &digest::Digest,
        verify_data: &[u8],
    ) -> Result<(), Error> {
        let key = hmac::Key::new(self.suite.hmac, self.client_finished_key.as_bytes());
        hmac::verify(&key, transcript_hash.as_ref(), verify_data)
            .map_err(|_| InvalidMessage::FinishedMismatch.into())
    }

    /// `resumption_master_secret`, over
    /// `Transcript-Hash(ClientHello..client Finished)` (RFC 8446 §7.1).
    pub(crate) fn resumption_master_secret(
        &self,
        client_finished_hash: &digest::Digest,
    ) -> Result<Secret, Error> {
        derive_secret(
            self.suite,
            &self.master,
            b"res master",
            client_finished_hash,
        )
    }
}

/// Marks a [`TrafficSecret`] that protects handshake messages.
#[derive(Debug)]
pub(crate) enum Handshake {}

/// Marks a [`TrafficSecret`] that protects application data (and
/// post-handshake messages).
#[derive(Debug)]
pub(crate) enum Application {}

/// A traffic secret of one direction, tagged with its stage.
pub(crate) struct TrafficSecret<Kind> {
    suite: &'static Tls13Suite,
    secret: Secret,
    kind: PhantomData<fn() -> Kind>,
}

impl<Kind> Clone for TrafficSecret<Kind> {
    fn clone(&self) -> Self {
        Self::new(self.suite, self.secret.clone())
    }
}

impl<Kind> fmt::Debug for TrafficSecret<Kind> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrafficSecret")
            .field("suite", &self.suite.suite)
            .field("kind", &core::any::type_name::<Kind>())
            .finish_non_exhaustive()
    }
}

impl<Kind> TrafficSecret<Kind> {
    fn new(suite: &'static Tls13Suite, secret: Secret) -> Self {
        Self {
            suite,
            secret,
            kind: PhantomData,
        }
    }

    /// The suite the secret belongs to.
    pub(crate) fn suite(&self) -> &'static Tls13Suite {
        self.suite
    }

    /// The secret's bytes.
    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The write key and IV of this direction (RFC 8446 §7.3):
    /// `HKDF-Expand-Label(Secret, "key", "", key_length)` and
    /// `HKDF-Expand-Label(Secret, "iv", "", iv_length)`.
    pub(crate) fn traffic_keys(&self) -> Result<TrafficKeys, Error> {
        let mut keys = TrafficKeys {
            key: [0; MAX_KEY_LEN],
            key_len: self.suite.aead.key_len(),
            iv: [0; IV_LEN],
        };
        let key = keys
            .key
            .get_mut(..keys.key_len)
            .ok_or(CryptoError::Refused)?;
        expand_label(self.suite, self.secret.as_bytes(), b"key", b"", key)?;
        expand_label(self.suite, self.secret.as_bytes(), b"iv", b"", &mut keys.iv)?;
        Ok(keys)
    }
}

impl TrafficSecret<Handshake> {
    /// `finished_key = HKDF-Expand-Label(BaseKey, "finished", "",
    /// Hash.length)` (RFC 8446 §4.4.4).
    fn finished_key(&self) -> Result<Secret, Error> {
        expand_secret(self.suite, &self.secret, b"finished", b"")
    }

    /// `verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context,
    /// Certificate*, CertificateVerify*))` (RFC 8446 §4.4.4).
    pub(crate) fn verify_data(&self, transcript_hash: &digest::Digest) -> Result<hmac::Tag, Error> {
        let finished_key = self.finished_key()?;
        let key = hmac::Key::new(self.suite.hmac, finished_key.as_bytes());
        Ok(hmac::sign(&key, transcript_hash.as_ref()))
    }
}

impl TrafficSecret<Application> {
    /// The secret after a KeyUpdate: `application_traffic_secret_N+1 =
    /// HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "",
    /// Hash.length)` (RFC 8446 §7.2).
    pub(crate) fn next(&self) -> Result<Self, Error> {
        let next = expand_secret(self.suite, &self.secret, b"traffic upd", b"")?;
        Ok(Self::new(self.suite, next))
    }
}

/// A write key and IV (RFC 8446 §7.3), overwritten when dropped.
pub(crate) struct TrafficKeys {
    key: [u8; MAX_KEY_LEN],
    /// The suite's key length, at most `MAX_KEY_LEN`.
    key_len: usize,
    iv: [u8; IV_LEN],
}

impl TrafficKeys {
    /// `[sender]_write_key`.
    pub(crate) fn key(&self) -> &[u8] {
        self.key.get(..self.key_len).unwrap_or(&[])
    }

    /// `[sender]_write_iv`.
    pub(crate) fn iv(&self) -> &[u8; IV_LEN] {
        &self.iv
    }
}

impl Drop for TrafficKeys {
    fn drop(&mut self) {
        self.key.fill(0);
        self.iv.fill(0);
        core::hint::black_box((&self.key, &self.iv));
    }
}

impl fmt::Debug for TrafficKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrafficKeys(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::super::rfc8448::{self as v, hex};
    use super::super::suites::{
        TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384, TLS13_CHACHA20_POLY1305_SHA256,
    };
    use super::super::transcript::Transcript;
    use super::*;

    /// The transcript hashes of RFC 8448 §3, computed from its messages:
    /// (ClientHello..ServerHello, ..CertificateVerify, ..server Finished,
    /// ..client Finished).
    fn rfc8448_hashes() -> [digest::Digest; 4] {
        let flight = hex(v::SERVER_FLIGHT);
        let (before_finished, server_finished) = flight.split_at(flight.len() - 36);
        let mut t = Transcript::new(&digest::SHA256);
        t.add(&hex(v::CLIENT_HELLO));
        t.add(&hex(v::SERVER_HELLO));
        let hello = t.current_hash();
        t.add(before_finished);
        let certificate_verify = t.current_hash();
        t.add(server_finished);
        let server_finished_hash = t.current_hash();
        let mut client_finished = vec![20, 0, 0, 32];
        client_finished.extend(hex(v::CLIENT_FINISHED_VERIFY_DATA));
        t.add(&client_finished);
        [
            hello,
            certificate_verify,
            server_finished_hash,
            t.current_hash(),
        ]
    }

    #[test]
    fn rfc8448_simple_1rtt_key_schedule() {
        let suite = &TLS13_AES_128_GCM_SHA256;
        let [hello, cv, server_finished, client_finished] = rfc8448_hashes();
        assert_eq!(hello.as_ref(), hex(v::HELLO_HASH));
        assert_eq!(server_finished.as_ref(), hex(v::SERVER_FINISHED_HASH));
        assert_eq!(client_finished.as_ref(), hex(v::CLIENT_FINISHED_HASH));

        let early = EarlySecret::new(suite);
        assert_eq!(early.secret().as_bytes(), hex(v::EARLY_SECRET));

        let hs = early
            .into_handshake(&hex(v::SHARED_SECRET), &hello)
            .unwrap();
        assert_eq!(hs.secret().as_bytes(), hex(v::HANDSHAKE_SECRET));
        assert_eq!(hs.client().secret().as_bytes(), hex(v::CLIENT_HS_TRAFFIC));
        assert_eq!(hs.server().secret().as_bytes(), hex(v::SERVER_HS_TRAFFIC));

        let keys = hs.server().traffic_keys().unwrap();
        assert_eq!(keys.key(), hex(v::SERVER_HS_KEY));
        assert_eq!(keys.iv(), &hex(v::SERVER_HS_IV)[..]);
        let keys = hs.client().traffic_keys().unwrap();
        assert_eq!(keys.key(), hex(v::CLIENT_HS_KEY));
        assert_eq!(keys.iv(), &hex(v::CLIENT_HS_IV)[..]);

        let verify_data = hs.server_finished(&cv).unwrap();
        assert_eq!(verify_data.as_ref(), hex(v::SERVER_FINISHED_VERIFY_DATA));

        let ap = hs.into_application(&server_finished).unwrap();
        assert_eq!(ap.secret().as_bytes(), hex(v::MASTER_SECRET));
        assert_eq!(ap.client().secret().as_bytes(), hex(v::CLIENT_AP_TRAFFIC));
        assert_eq!(ap.server().secret().as_bytes(), hex(v::SERVER_AP_TRAFFIC));
        assert_eq!(
            ap.exporter_master_secret().as_bytes(),
            hex(v::EXPORTER_MASTER)
        );
        let keys = ap.server().traffic_keys().unwrap();
        assert_eq!(keys.key(), hex(v::SERVER_AP_KEY));
        assert_eq!(keys.iv(), &hex(v::SERVER_AP_IV)[..]);
        let keys = ap.client().traffic_keys().unwrap();
        assert_eq!(keys.key(), hex(v::CLIENT_AP_KEY));
        assert_eq!(keys.iv(), &hex(v::CLIENT_AP_IV)[..]);

        assert_eq!(
            ap.check_client_finished(&server_finished, &hex(v::CLIENT_FINISHED_VERIFY_DATA)),
            Ok(())
        );
        assert_eq!(
            ap.resumption_master_secret(&client_finished)
                .unwrap()
                .as_bytes(),
            hex(v::RESUMPTION_MASTER)
        );
    }

    #[test]
    fn wrong_client_finished_is_decrypt_error() {
        let suite = &TLS13_AES_128_GCM_SHA256;
        let [hello, _, server_finished, _] = rfc8448_hashes();
        let ap = EarlySecret::new(suite)
            .into_handshake(&hex(v::SHARED_SECRET), &hello)
            .unwrap()
            .into_application(&server_finished)
            .unwrap();
        let good = hex(v::CLIENT_FINISHED_VERIFY_DATA);
        for bad in [
            {
                let mut b = good.clone();
                b[31] ^= 1;
                b
            },
            good[..31].to_vec(),
            Vec::new(),
        ] {
            let err = ap
                .check_client_finished(&server_finished, &bad)
                .unwrap_err();
            assert_eq!(err, Error::InvalidMessage(InvalidMessage::FinishedMismatch));
            assert_eq!(
                crate::codec::AlertDescription::from(&err),
                crate::codec::AlertDescription::DecryptError
            );
        }
        // The right data over the wrong transcript fails too.
        assert!(ap.check_client_finished(&hello, &good).is_err());
    }

    #[test]
    fn key_update_chain() {
        // §7.2: each generation is HKDF-Expand-Label(previous, "traffic upd", "", Hash.length).
        let [hello, _, server_finished, _] = rfc8448_hashes();
        let ap = EarlySecret::new(&TLS13_AES_128_GCM_SHA256)
            .into_handshake(&hex(v::SHARED_SECRET), &hello)
            .unwrap()
            .into_application(&server_finished)
            .unwrap();
        let first = ap.server().next().unwrap();
        let mut expected = [0; 32];
        hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &hex(v::SERVER_AP_TRAFFIC))
            .expand(&[b"\x00\x20\x11tls13 traffic upd\x00"], OutputLen(32))
            .unwrap()
            .fill(&mut expected)
            .unwrap();
        assert_eq!(first.secret().as_bytes(), expected);
        let second = first.next().unwrap();
        assert_ne!(second.secret().as_bytes(), first.secret().as_bytes());
        assert_eq!(second.suite().suite, TLS13_AES_128_GCM_SHA256.suite);
    }

    #[test]
    fn every_suite_sizes_its_secrets_and_keys() {
        for (suite, key_len) in [
            (&TLS13_AES_128_GCM_SHA256, 16),
            (&TLS13_AES_256_GCM_SHA384, 32),
            (&TLS13_CHACHA20_POLY1305_SHA256, 32),
        ] {
            let mut t = Transcript::new(suite.digest);
            t.add(b"hello");
            let hs = EarlySecret::new(suite)
                .into_handshake(&[7; 32], &t.current_hash())
                .unwrap();
            assert_eq!(hs.client().secret().as_bytes().len(), suite.hash_len);
            assert_ne!(
                hs.client().secret().as_bytes(),
                hs.server().secret().as_bytes()
            );
            assert_eq!(hs.server().traffic_keys().unwrap().key().len(), key_len);
            assert_eq!(
                hs.server_finished(&t.current_hash())
                    .unwrap()
                    .as_ref()
                    .len(),
                suite.hash_len
            );
            let ap = hs.into_application(&t.current_hash()).unwrap();
            assert_eq!(
                ap.server().next().unwrap().secret().as_bytes().len(),
                suite.hash_len
            );
        }
    }

    #[test]
    fn expand_label_encodes_hkdf_label() {
        // HKDF-Expand-Label against a hand-assembled HkdfLabel (§7.1).
        let suite = &TLS13_AES_256_GCM_SHA384;
        let secret = [0x42; 48];
        let mut got = [0; 12];
        expand_label(suite, &secret, b"iv", b"ctx", &mut got).unwrap();
        let mut want = [0; 12];
        hkdf::Prk::new_less_safe(hkdf::HKDF_SHA384, &secret)
            .expand(&[b"\x00\x0c\x08tls13 iv\x03ctx"], OutputLen(12))
            .unwrap()
            .fill(&mut want)
            .unwrap();
        assert_eq!(got, want);
        // A label that does not fit its one-byte length is refused, not truncated.
        assert_eq!(
            expand_label(suite, &secret, &[b'a'; 250], b"", &mut got),
            Err(Error::Crypto(CryptoError::Refused))
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let early = EarlySecret::new(&TLS13_AES_128_GCM_SHA256);
        let shown = format!("{early:?}");
        assert!(shown.contains("32 bytes"), "{shown}");
        assert!(!shown.contains("33"), "{shown}");
    }
}
