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
//! Without a PSK the early secret is `HKDF-Extract(0, 0)`, a constant;
//! with one ([`EarlySecret::with_psk`], a ticket's PSK from [`TicketPsks`]) it
//! is extracted from the PSK. No early traffic secrets are made: 0-RTT
//! data is never accepted.
//!
//! Cost: every HKDF-Expand keys an HMAC with its secret first (two hash
//! blocks), so each secret is keyed once ([`hkdf::Prk`]) and everything
//! derived from it is expanded from that key together; and the values the
//! RFC fixes for a handshake without PSK are constants ([`Fixed`]).

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

/// The values of RFC 8446 §7.1 that are the same in every handshake
/// without PSK, for one hash. Tests check them against their definitions
/// ([`Fixed::compute`]).
struct Fixed {
    /// `Early Secret = HKDF-Extract(0, 0)`.
    early: &'static [u8],
    /// `Derive-Secret(Early Secret, "derived", "")`: the salt of the
    /// handshake secret.
    derived: &'static [u8],
    /// `Transcript-Hash("")`: the context of every "derived".
    empty_hash: &'static [u8],
}

/// [`Fixed`] for SHA-256 (RFC 8448 §3 lists the first two).
const FIXED_SHA256: Fixed = Fixed {
    early: &[
        0x33, 0xad, 0x0a, 0x1c, 0x60, 0x7e, 0xc0, 0x3b, 0x09, 0xe6, 0xcd, 0x98, 0x93, 0x68, 0x0c,
        0xe2, 0x10, 0xad, 0xf3, 0x00, 0xaa, 0x1f, 0x26, 0x60, 0xe1, 0xb2, 0x2e, 0x10, 0xf1, 0x70,
        0xf9, 0x2a,
    ],
    derived: &[
        0x6f, 0x26, 0x15, 0xa1, 0x08, 0xc7, 0x02, 0xc5, 0x67, 0x8f, 0x54, 0xfc, 0x9d, 0xba, 0xb6,
        0x97, 0x16, 0xc0, 0x76, 0x18, 0x9c, 0x48, 0x25, 0x0c, 0xeb, 0xea, 0xc3, 0x57, 0x6c, 0x36,
        0x11, 0xba,
    ],
    empty_hash: &[
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9,
        0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52,
        0xb8, 0x55,
    ],
};

/// [`Fixed`] for SHA-384.
const FIXED_SHA384: Fixed = Fixed {
    early: &[
        0x7e, 0xe8, 0x20, 0x6f, 0x55, 0x70, 0x02, 0x3e, 0x6d, 0xc7, 0x51, 0x9e, 0xb1, 0x07, 0x3b,
        0xc4, 0xe7, 0x91, 0xad, 0x37, 0xb5, 0xc3, 0x82, 0xaa, 0x10, 0xba, 0x18, 0xe2, 0x35, 0x7e,
        0x71, 0x69, 0x71, 0xf9, 0x36, 0x2f, 0x2c, 0x2f, 0xe2, 0xa7, 0x6b, 0xfd, 0x78, 0xdf, 0xec,
        0x4e, 0xa9, 0xb5,
    ],
    derived: &[
        0x15, 0x91, 0xda, 0xc5, 0xcb, 0xbf, 0x03, 0x30, 0xa4, 0xa8, 0x4d, 0xe9, 0xc7, 0x53, 0x33,
        0x0e, 0x92, 0xd0, 0x1f, 0x0a, 0x88, 0x21, 0x4b, 0x44, 0x64, 0x97, 0x2f, 0xd6, 0x68, 0x04,
        0x9e, 0x93, 0xe5, 0x2f, 0x2b, 0x16, 0xfa, 0xd9, 0x22, 0xfd, 0xc0, 0x58, 0x44, 0x78, 0x42,
        0x8f, 0x28, 0x2b,
    ],
    empty_hash: &[
        0x38, 0xb0, 0x60, 0xa7, 0x51, 0xac, 0x96, 0x38, 0x4c, 0xd9, 0x32, 0x7e, 0xb1, 0xb1, 0xe3,
        0x6a, 0x21, 0xfd, 0xb7, 0x11, 0x14, 0xbe, 0x07, 0x43, 0x4c, 0x0c, 0xc7, 0xbf, 0x63, 0xf6,
        0xe1, 0xda, 0x27, 0x4e, 0xde, 0xbf, 0xe7, 0x6f, 0x65, 0xfb, 0xd5, 0x1a, 0xd2, 0xf1, 0x48,
        0x98, 0xb9, 0x5b,
    ],
};

impl Fixed {
    /// The constants of `suite`'s hash.
    fn of(suite: &Tls13Suite) -> Result<&'static Self, Error> {
        if suite.digest == &digest::SHA256 {
            Ok(&FIXED_SHA256)
        } else if suite.digest == &digest::SHA384 {
            Ok(&FIXED_SHA384)
        } else {
            Err(CryptoError::Refused.into())
        }
    }

    /// The same values computed from their definitions: (early secret,
    /// derived, empty hash).
    #[cfg(test)]
    fn compute(suite: &Tls13Suite) -> (Secret, Secret, digest::Digest) {
        let early = extract(suite, zeros(suite), zeros(suite));
        let empty = digest::digest(suite.digest, b"");
        let derived =
            expand_secret(suite, &prk(suite, &early), b"derived", empty.as_ref()).unwrap();
        (early, derived, empty)
    }
}

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

/// `secret` as an HKDF pseudorandom key: an HMAC keyed once, from which
/// any number of labels are expanded.
fn prk(suite: &Tls13Suite, secret: &Secret) -> hkdf::Prk {
    hkdf::Prk::new_less_safe(suite.hkdf, secret.as_bytes())
}

/// `HKDF-Expand-Label(Secret, Label, Context, Length)` (RFC 8446 §7.1),
/// with `Secret` given as its [`prk`] and `Length = out.len()`:
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
    secret: &hkdf::Prk,
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
    secret
        .expand(&info, OutputLen(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| CryptoError::Refused.into())
}

/// HKDF-Expand-Label to a new secret of Hash.length bytes.
fn expand_secret(
    suite: &Tls13Suite,
    secret: &hkdf::Prk,
    label: &[u8],
    context: &[u8],
) -> Result<Secret, Error> {
    let mut bytes = [0; MAX_HASH_LEN];
    let out = bytes
        .get_mut(..suite.hash_len)
        .ok_or(CryptoError::Refused)?;
    expand_label(secret, label, context, out)?;
    let new = Secret::new(out);
    bytes.fill(0);
    Ok(new)
}

/// `Derive-Secret(Secret, Label, Messages)`, given
/// `Transcript-Hash(Messages)` (RFC 8446 §7.1).
fn derive_secret(
    suite: &Tls13Suite,
    secret: &hkdf::Prk,
    label: &[u8],
    transcript_hash: &digest::Digest,
) -> Result<Secret, Error> {
    debug_assert!(core::ptr::eq(transcript_hash.algorithm(), suite.digest));
    expand_secret(suite, secret, label, transcript_hash.as_ref())
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

/// The first stage: `Early Secret = HKDF-Extract(0, PSK)`, with a PSK of
/// Hash.length zeros when none is in use (RFC 8446 §7.1).
#[derive(Debug)]
pub(crate) struct EarlySecret {
    suite: &'static Tls13Suite,
    secret: Secret,
    /// `Derive-Secret(., "derived", "")`, the next stage's salt.
    derived: Salt,
    /// With a PSK, `Derive-Secret(., "res binder", "")`, made with
    /// `derived` from the one keyed extract.
    binder_key: Option<Secret>,
    empty_hash: &'static [u8],
}

/// The handshake secret's salt: a constant without a PSK, derived with
/// one.
#[derive(Debug)]
enum Salt {
    Fixed(&'static [u8]),
    Derived(Secret),
}

impl Salt {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Fixed(bytes) => bytes,
            Self::Derived(secret) => secret.as_bytes(),
        }
    }
}

impl EarlySecret {
    /// The early secret of a handshake without a PSK: a constant.
    pub(crate) fn new(suite: &'static Tls13Suite) -> Result<Self, Error> {
        let fixed = Fixed::of(suite)?;
        Ok(Self {
            suite,
            secret: Secret::new(fixed.early),
            derived: Salt::Fixed(fixed.derived),
            binder_key: None,
            empty_hash: fixed.empty_hash,
        })
    }

    /// The early secret of a handshake that resumes with `psk` (RFC 8446
    /// §7.1): `HKDF-Extract(0, PSK)`, and its "derived" salt.
    pub(crate) fn with_psk(suite: &'static Tls13Suite, psk: &[u8]) -> Result<Self, Error> {
        let fixed = Fixed::of(suite)?;
        let secret = extract(suite, zeros(suite), psk);
        let key = prk(suite, &secret);
        let derived = expand_secret(suite, &key, b"derived", fixed.empty_hash)?;
        let binder_key = expand_secret(suite, &key, b"res binder", fixed.empty_hash)?;
        Ok(Self {
            suite,
            secret,
            derived: Salt::Derived(derived),
            binder_key: Some(binder_key),
            empty_hash: fixed.empty_hash,
        })
    }

    /// The suite whose hash the schedule runs on.
    pub(crate) fn suite(&self) -> &'static Tls13Suite {
        self.suite
    }

    /// The early secret's bytes.
    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }

    /// Checks a resumption PSK's binder (RFC 8446 §4.2.11.2): the HMAC,
    /// under the finished key of `binder_key = Derive-Secret(., "res
    /// binder", "")`, of `Transcript-Hash(Truncate(ClientHello))`, compared
    /// in constant time. A mismatch is decrypt_error (§6.2).
    pub(crate) fn check_binder(
        &self,
        truncated_hello_hash: &digest::Digest,
        binder: &[u8],
    ) -> Result<(), Error> {
        let suite = self.suite;
        let binder_key = self
            .binder_key
            .as_ref()
            .ok_or(Error::Internal("a binder checked without a PSK"))?;
        let finished_key = expand_secret(suite, &prk(suite, binder_key), b"finished", b"")?;
        let key = hmac::Key::new(suite.hmac, finished_key.as_bytes());
        hmac::verify(&key, truncated_hello_hash.as_ref(), binder)
            .map_err(|_| InvalidMessage::BinderMismatch.into())
    }

    /// Mixes in the (EC)DHE shared secret and derives the handshake traffic
    /// secrets over `hello_hash = Transcript-Hash(ClientHello..ServerHello)`,
    /// and the next stage's salt.
    pub(crate) fn into_handshake(
        self,
        shared_secret: &[u8],
        hello_hash: &digest::Digest,
    ) -> Result<HandshakeSecrets, Error> {
        let suite = self.suite;
        let handshake_secret = extract(suite, self.derived.as_bytes(), shared_secret);
        let key = prk(suite, &handshake_secret);
        let client = derive_secret(suite, &key, b"c hs traffic", hello_hash)?;
        let server = derive_secret(suite, &key, b"s hs traffic", hello_hash)?;
        let derived = expand_secret(suite, &key, b"derived", self.empty_hash)?;
        Ok(HandshakeSecrets {
            suite,
            handshake_secret,
            derived,
            client: TrafficSecret::new(suite, client)?,
            server: TrafficSecret::new(suite, server)?,
        })
    }
}

/// The second stage: the handshake secret and the two handshake traffic
/// secrets derived from it.
#[derive(Debug)]
pub(crate) struct HandshakeSecrets {
    suite: &'static Tls13Suite,
    handshake_secret: Secret,
    /// `Derive-Secret(Handshake Secret, "derived", "")`.
    derived: Secret,
    client: TrafficSecret<Handshake>,
    server: TrafficSecret<Handshake>,
}

impl HandshakeSecrets {
    /// The suite the schedule runs for.
    pub(crate) fn suite(&self) -> &'static Tls13Suite {
        self.suite
    }

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
    pub(crate) fn server_finished(&self, transcript_hash: &digest::Digest) -> hmac::Tag {
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
        let master = extract(suite, self.derived.as_bytes(), zeros(suite));
        let key = prk(suite, &master);
        let client = derive_secret(suite, &key, b"c ap traffic", server_finished_hash)?;
        let server = derive_secret(suite, &key, b"s ap traffic", server_finished_hash)?;
        Ok(ApplicationSecrets {
            suite,
            client_finished_key: self.client.finished.clone(),
            client: TrafficSecret::new(suite, client)?,
            server: TrafficSecret::new(suite, server)?,
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

    /// `exporter_master_secret` (RFC 8446 §7.5), over
    /// `Transcript-Hash(ClientHello..server Finished)`; derived only when
    /// asked for, since no handshake needs it.
    pub(crate) fn exporter_master_secret(
        &self,
        server_finished_hash: &digest::Digest,
    ) -> Result<Secret, Error> {
        let key = prk(self.suite, &self.master);
        derive_secret(self.suite, &key, b"exp master", server_finished_hash)
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
        let key = prk(self.suite, &self.master);
        derive_secret(self.suite, &key, b"res master", client_finished_hash)
    }
}

/// The resumption master secret keyed once, for the PSKs of all the
/// tickets a connection issues.
pub(crate) struct TicketPsks<'a> {
    suite: &'a Tls13Suite,
    key: hkdf::Prk,
}

impl<'a> TicketPsks<'a> {
    pub(crate) fn new(suite: &'a Tls13Suite, resumption_master_secret: &Secret) -> Self {
        Self {
            suite,
            key: prk(suite, resumption_master_secret),
        }
    }

    /// The PSK a ticket stands for: `HKDF-Expand-Label(
    /// resumption_master_secret, "resumption", ticket_nonce, Hash.length)`
    /// (RFC 8446 §4.6.1). Each ticket of a connection has its own nonce,
    /// so its own PSK.
    pub(crate) fn psk(&self, ticket_nonce: &[u8]) -> Result<Secret, Error> {
        expand_secret(self.suite, &self.key, b"resumption", ticket_nonce)
    }
}

/// One ticket's PSK ([`TicketPsks::psk`]).
#[cfg(test)]
pub(crate) fn resumption_psk(
    suite: &Tls13Suite,
    resumption_master_secret: &Secret,
    ticket_nonce: &[u8],
) -> Result<Secret, Error> {
    TicketPsks::new(suite, resumption_master_secret).psk(ticket_nonce)
}

/// Marks a [`TrafficSecret`] that protects handshake messages.
#[derive(Debug)]
pub(crate) enum Handshake {}

/// Marks a [`TrafficSecret`] that protects application data (and
/// post-handshake messages).
#[derive(Debug)]
pub(crate) enum Application {}

/// What a kind of traffic secret is used for.
pub(crate) trait Stage {
    /// Whether a Finished is made or checked with secrets of this kind.
    const MAKES_FINISHED: bool;
}

impl Stage for Handshake {
    const MAKES_FINISHED: bool = true;
}

impl Stage for Application {
    const MAKES_FINISHED: bool = false;
}

/// A traffic secret of one direction, tagged with its stage, with what is
/// derived from it (the write key and IV, RFC 8446 §7.3; for handshake
/// secrets, the finished_key, §4.4.4) made when it is, from one keyed HMAC.
pub(crate) struct TrafficSecret<Kind> {
    suite: &'static Tls13Suite,
    secret: Secret,
    keys: TrafficKeys,
    /// `finished_key = HKDF-Expand-Label(BaseKey, "finished", "",
    /// Hash.length)`; empty for application secrets.
    finished: Secret,
    kind: PhantomData<fn() -> Kind>,
}

impl<Kind> Clone for TrafficSecret<Kind> {
    fn clone(&self) -> Self {
        Self {
            suite: self.suite,
            secret: self.secret.clone(),
            keys: self.keys.clone(),
            finished: self.finished.clone(),
            kind: PhantomData,
        }
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

impl<Kind: Stage> TrafficSecret<Kind> {
    fn new(suite: &'static Tls13Suite, secret: Secret) -> Result<Self, Error> {
        let key = prk(suite, &secret);
        let mut keys = TrafficKeys {
            key: [0; MAX_KEY_LEN],
            key_len: suite.aead.key_len(),
            iv: [0; IV_LEN],
        };
        let write_key = keys
            .key
            .get_mut(..keys.key_len)
            .ok_or(CryptoError::Refused)?;
        expand_label(&key, b"key", b"", write_key)?;
        expand_label(&key, b"iv", b"", &mut keys.iv)?;
        let finished = if Kind::MAKES_FINISHED {
            expand_secret(suite, &key, b"finished", b"")?
        } else {
            Secret::new(&[])
        };
        Ok(Self {
            suite,
            secret,
            keys,
            finished,
            kind: PhantomData,
        })
    }
}

impl<Kind> TrafficSecret<Kind> {
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
    pub(crate) fn traffic_keys(&self) -> &TrafficKeys {
        &self.keys
    }
}

impl TrafficSecret<Handshake> {
    /// `verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context,
    /// Certificate*, CertificateVerify*))` (RFC 8446 §4.4.4).
    pub(crate) fn verify_data(&self, transcript_hash: &digest::Digest) -> hmac::Tag {
        let key = hmac::Key::new(self.suite.hmac, self.finished.as_bytes());
        hmac::sign(&key, transcript_hash.as_ref())
    }
}

impl TrafficSecret<Application> {
    /// The secret after a KeyUpdate: `application_traffic_secret_N+1 =
    /// HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "",
    /// Hash.length)` (RFC 8446 §7.2).
    pub(crate) fn next(&self) -> Result<Self, Error> {
        let key = prk(self.suite, &self.secret);
        let next = expand_secret(self.suite, &key, b"traffic upd", b"")?;
        Self::new(self.suite, next)
    }
}

/// A write key and IV (RFC 8446 §7.3), overwritten when dropped.
#[derive(Clone)]
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
mod tests;
