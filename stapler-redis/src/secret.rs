//! The fleet secret and the two keys drawn from it: one tags the staples
//! kept in Redis, the other seals the ticket keys kept there. Whoever can
//! write to Redis without the secret can neither forge a staple the fleet
//! takes nor plant or read a ticket key.

use core::fmt;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::hkdf;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use crate::error::FleetError;

/// The shortest fleet secret taken: 32 bytes, the strength of the keys
/// drawn from it (HMAC-SHA256, AES-256). A shorter one would make them
/// weaker than they look; `head -c 32 /dev/urandom` makes one.
pub const MIN_SECRET_LEN: usize = 32;

/// The longest: a secret file is read whole, so a wrong path (a log, a
/// disk image) is refused rather than read into memory.
pub const MAX_SECRET_LEN: usize = 4096;

/// HKDF's salt: names the scheme, so keys drawn from the same secret for
/// anything else differ from these.
const SALT: &[u8] = b"stapler-redis fleet v1";
/// HKDF's info for each key.
const STAPLE_TAG_INFO: &[u8] = b"staple tag";
const TICKET_SEAL_INFO: &[u8] = b"ticket key seal";

/// An AES-GCM tag.
const GCM_TAG_LEN: usize = 16;
/// The tag on a staple: a full HMAC-SHA256.
pub(crate) const STAPLE_TAG_LEN: usize = 32;

/// The secret every server of a fleet shares, and the keys drawn from it
/// (HKDF-SHA256, RFC 5869). The secret itself is not kept.
///
/// ```
/// let secret = stapler_redis::FleetSecret::new(&[7; 32])?;
/// assert!(stapler_redis::FleetSecret::new(b"short").is_err());
/// # Ok::<(), stapler_redis::FleetError>(())
/// ```
pub struct FleetSecret {
    staple_tag: hmac::Key,
    ticket_seal: LessSafeKey,
    rng: SystemRandom,
}

impl fmt::Debug for FleetSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FleetSecret(..)")
    }
}

/// HKDF output of a given length, for ring's `expand`.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

impl FleetSecret {
    /// Draws the fleet's keys from `secret`: from [`MIN_SECRET_LEN`] to
    /// [`MAX_SECRET_LEN`] bytes, the same on every server (random bytes,
    /// not a password).
    pub fn new(secret: &[u8]) -> Result<Self, FleetError> {
        if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&secret.len()) {
            return Err(FleetError::Secret(secret.len()));
        }
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, SALT).extract(secret);
        let expand = |info: &[u8]| -> Result<Zeroizing<[u8; 32]>, FleetError> {
            let mut key = Zeroizing::new([0u8; 32]);
            prk.expand(&[info], Len(32))
                .and_then(|okm| okm.fill(key.as_mut_slice()))
                .map_err(|_| FleetError::Crypto)?;
            Ok(key)
        };
        let tag_key = expand(STAPLE_TAG_INFO)?;
        let seal_key = expand(TICKET_SEAL_INFO)?;
        let ticket_seal = UnboundKey::new(&AES_256_GCM, seal_key.as_slice())
            .map(LessSafeKey::new)
            .map_err(|_| FleetError::Crypto)?;
        Ok(Self {
            staple_tag: hmac::Key::new(hmac::HMAC_SHA256, tag_key.as_slice()),
            ticket_seal,
            rng: SystemRandom::new(),
        })
    }

    /// Reads the secret from a file: its bytes as they are (a trailing
    /// newline is part of the secret, the same on every server that
    /// shares the file).
    pub fn from_file(path: &std::path::Path) -> Result<Self, FleetError> {
        use std::io::Read;
        let file = std::fs::File::open(path).map_err(FleetError::SecretFile)?;
        let mut secret = Zeroizing::new(Vec::new());
        // One byte past the limit tells "at it" from "over it".
        file.take(MAX_SECRET_LEN as u64 + 1)
            .read_to_end(&mut secret)
            .map_err(FleetError::SecretFile)?;
        Self::new(&secret)
    }

    /// The tag for `staple` kept under `slot` (its Redis key, so that a
    /// staple cannot be moved to another certificate's slot).
    pub(crate) fn staple_tag(&self, slot: &str, staple: &[u8]) -> hmac::Tag {
        hmac::sign(&self.staple_tag, &tagged(slot, staple))
    }

    /// Whether `tag` is `staple`'s under `slot`, in constant time.
    pub(crate) fn staple_tag_ok(&self, slot: &str, staple: &[u8], tag: &[u8]) -> bool {
        hmac::verify(&self.staple_tag, &tagged(slot, staple), tag).is_ok()
    }

    /// `plain` sealed for `slot`: `nonce (12) ‖ AES-256-GCM(plain) ‖ tag
    /// (16)`, the slot bound as additional data. The nonce is random:
    /// servers sealing under one key cannot share a counter.
    pub(crate) fn seal(&self, slot: &str, plain: &[u8]) -> Result<Vec<u8>, FleetError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| FleetError::Crypto)?;
        let mut out = Vec::with_capacity(NONCE_LEN + plain.len() + GCM_TAG_LEN);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plain);
        let tag = match out.get_mut(NONCE_LEN..) {
            Some(body) => self
                .ticket_seal
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(slot.as_bytes()),
                    body,
                )
                .map_err(|_| FleetError::Crypto)?,
            None => return Err(FleetError::Crypto),
        };
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Opens what [`Self::seal`] made for `slot`; `None` if it was not
    /// sealed under this secret for this slot, or was changed.
    pub(crate) fn open(&self, slot: &str, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let (nonce, body) = sealed.split_first_chunk::<NONCE_LEN>()?;
        if body.len() < GCM_TAG_LEN {
            return None;
        }
        let mut body = Zeroizing::new(body.to_vec());
        let len = self
            .ticket_seal
            .open_in_place(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(slot.as_bytes()),
                body.as_mut_slice(),
            )
            .ok()?
            .len();
        body.truncate(len);
        Some(body)
    }

    /// A random token naming one lease holder.
    pub(crate) fn token(&self) -> Result<String, FleetError> {
        let mut bytes = [0u8; 16];
        self.rng.fill(&mut bytes).map_err(|_| FleetError::Crypto)?;
        Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// What a staple's tag covers: the slot's length and name, then the
/// staple (the length keeps bytes from sliding between the two).
fn tagged(slot: &str, staple: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(8 + slot.len() + staple.len());
    msg.extend_from_slice(&(slot.len() as u64).to_be_bytes());
    msg.extend_from_slice(slot.as_bytes());
    msg.extend_from_slice(staple);
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bytes_open_only_with_the_secret_and_slot() {
        let a = FleetSecret::new(&[1; 32]).unwrap();
        let b = FleetSecret::new(&[2; 32]).unwrap();
        let sealed = a.seal("k", b"keys").unwrap();
        assert_eq!(a.open("k", &sealed).unwrap().as_slice(), b"keys");
        assert!(a.open("other", &sealed).is_none());
        assert!(b.open("k", &sealed).is_none());
        for at in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[at] ^= 1;
            assert!(a.open("k", &bad).is_none(), "flipped at {at}");
        }
        for len in 0..sealed.len() {
            assert!(a.open("k", &sealed[..len]).is_none(), "cut at {len}");
        }
    }

    #[test]
    fn staple_tags_bind_the_secret_and_the_slot() {
        let a = FleetSecret::new(&[1; 32]).unwrap();
        let b = FleetSecret::new(&[2; 32]).unwrap();
        let tag = a.staple_tag("s1", b"der");
        assert!(a.staple_tag_ok("s1", b"der", tag.as_ref()));
        assert!(!a.staple_tag_ok("s2", b"der", tag.as_ref()));
        assert!(!a.staple_tag_ok("s1", b"deR", tag.as_ref()));
        assert!(!b.staple_tag_ok("s1", b"der", tag.as_ref()));
        // The slot's length is bound: no shifting bytes between the two.
        assert!(!a.staple_tag_ok("s", b"1der", tag.as_ref()));
    }

    #[test]
    fn the_secret_has_a_length_range() {
        assert!(matches!(
            FleetSecret::new(&[0; 31]),
            Err(FleetError::Secret(31))
        ));
        assert!(FleetSecret::new(&[0; MAX_SECRET_LEN]).is_ok());
        assert!(FleetSecret::new(&vec![0; MAX_SECRET_LEN + 1]).is_err());
    }
}
