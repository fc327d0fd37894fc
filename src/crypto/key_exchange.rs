//! Ephemeral ECDH for the key_share extension (RFC 8446 §4.2.7, §4.2.8,
//! §7.4) and TLS 1.2's ServerKeyExchange (RFC 8422): x25519, secp256r1 and
//! secp384r1 through `ring::agreement`; and the server share and shared
//! secret types every group's exchange makes (`key_share.rs` picks the
//! exchange, `hybrid.rs` adds ML-KEM).

use ring::{agreement, rand::SecureRandom};
use zeroize::Zeroize;

pub use crate::enums::NamedGroup;
use crate::error::{CryptoError, Error, InvalidMessage};

/// The longest shared secret: SecP384r1MLKEM1024's P-384 secret and
/// ML-KEM secret (48 + 32 bytes).
pub(crate) const MAX_SHARED_SECRET_LEN: usize = 48 + 32;

impl NamedGroup {
    /// ring's algorithm and the exact length of a valid key_share: 32 bytes
    /// for x25519 (RFC 8446 §4.2.8.2, RFC 7748), and an uncompressed point,
    /// `4 || X || Y`, for the NIST curves (§4.2.8.2).
    fn agreement(self) -> Option<(&'static agreement::Algorithm, usize)> {
        match self {
            Self::X25519 => Some((&agreement::X25519, 32)),
            Self::Secp256r1 => Some((&agreement::ECDH_P256, 1 + 2 * 32)),
            Self::Secp384r1 => Some((&agreement::ECDH_P384, 1 + 2 * 48)),
            _ => None,
        }
    }

    /// Whether an ECDH exchange can be done in this group, in either
    /// version.
    pub(crate) fn is_ecdh(self) -> bool {
        self.agreement().is_some()
    }
}

/// The server's key_share for one exchange, written into ServerHello.
///
/// An ECDH public key (at most a 97-byte P-384 point) stays as ring made
/// it, on the stack. A hybrid's share (1,120 to 1,665 bytes) is on the
/// heap, in the buffer that held the client's share. (A buffer sized for
/// the largest hybrid, kept inline, made every full handshake zero 1.7 KB
/// and copy it on each move, and pushed the key exchange's tables out of
/// the L1 cache before they were used.)
pub(crate) enum ServerShare {
    Ecdh(agreement::PublicKey),
    /// The ciphertext and ECDH public key, in the group's order.
    Hybrid(Vec<u8>),
}

impl ServerShare {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Ecdh(public) => public.as_ref(),
            Self::Hybrid(bytes) => bytes,
        }
    }
}

/// The server's half of one ephemeral key exchange. It is consumed by
/// [`KeyExchange::complete`], so the private key is used once.
#[derive(Debug)]
pub(crate) struct KeyExchange {
    group: NamedGroup,
    private: agreement::EphemeralPrivateKey,
}

impl KeyExchange {
    /// Generates a fresh key pair in `group`; the public key is what goes
    /// in the ServerHello's key_share.
    pub(crate) fn start(
        group: NamedGroup,
        rng: &dyn SecureRandom,
    ) -> Result<(Self, agreement::PublicKey), Error> {
        let (alg, _) = group
            .agreement()
            .ok_or(CryptoError::UnsupportedGroup(group.to_wire()))?;
        let private =
            agreement::EphemeralPrivateKey::generate(alg, rng).map_err(|_| CryptoError::Random)?;
        let public = private
            .compute_public_key()
            .map_err(|_| CryptoError::Refused)?;
        Ok((Self { group, private }, public))
    }

    /// The group of this exchange.
    pub(crate) fn group(&self) -> NamedGroup {
        self.group
    }

    /// Completes the exchange with the client's key_exchange bytes.
    ///
    /// The share is checked for its group's length and form first, then
    /// ring checks that the point is on the curve, and refuses an x25519
    /// result of all zeros (RFC 8446 §7.4.2). Any failure is the client's:
    /// illegal_parameter.
    pub(crate) fn complete(self, peer_share: &[u8]) -> Result<SharedSecret, Error> {
        let bad = || Error::InvalidMessage(InvalidMessage::BadKeyShare(self.group.to_wire()));
        let (alg, len) = self
            .group
            .agreement()
            .ok_or(CryptoError::UnsupportedGroup(self.group.to_wire()))?;
        let well_formed = peer_share.len() == len
            && (self.group == NamedGroup::X25519 || peer_share.first() == Some(&4));
        if !well_formed {
            return Err(bad());
        }
        let peer = agreement::UnparsedPublicKey::new(alg, peer_share);
        agreement::agree_ephemeral(self.private, &peer, SharedSecret::new).map_err(|_| bad())
    }
}

/// The shared secret: the x-coordinate for the NIST curves, the X25519
/// output for x25519 (RFC 8446 §7.4), both parts for a hybrid. At most
/// [`MAX_SHARED_SECRET_LEN`] bytes; overwritten when dropped.
pub(crate) struct SharedSecret {
    bytes: [u8; MAX_SHARED_SECRET_LEN],
    len: usize,
}

impl SharedSecret {
    fn new(value: &[u8]) -> Self {
        let mut bytes = [0; MAX_SHARED_SECRET_LEN];
        let len = value.len().min(MAX_SHARED_SECRET_LEN);
        for (dst, src) in bytes.iter_mut().zip(value) {
            *dst = *src;
        }
        Self { bytes, len }
    }

    /// `a ‖ b`, a hybrid's secret (draft-ietf-tls-ecdhe-mlkem §3); an
    /// error (a bug) if longer than any group's.
    pub(crate) fn concat(a: &[u8], b: &[u8]) -> Result<Self, Error> {
        if a.len() + b.len() > MAX_SHARED_SECRET_LEN {
            return Err(Error::Internal("a shared secret longer than any group's"));
        }
        let mut secret = Self::new(a);
        for (dst, src) in secret.bytes.iter_mut().skip(a.len()).zip(b) {
            *dst = *src;
        }
        secret.len = a.len() + b.len();
        Ok(secret)
    }

    /// The secret's bytes, the IKM of the handshake secret's extraction.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl Drop for SharedSecret {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl core::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SharedSecret({} bytes)", self.as_bytes().len())
    }
}

#[cfg(test)]
mod tests {
    use ring::rand::SystemRandom;

    use super::*;
    use crate::codec::AlertDescription;

    #[test]
    fn both_sides_agree_in_every_group() {
        let rng = SystemRandom::new();
        for (group, public_len, secret_len) in [
            (NamedGroup::X25519, 32, 32),
            (NamedGroup::Secp256r1, 65, 32),
            (NamedGroup::Secp384r1, 97, 48),
        ] {
            assert!(group.is_supported());
            let (server, server_public) = KeyExchange::start(group, &rng).unwrap();
            let (client, client_public) = KeyExchange::start(group, &rng).unwrap();
            assert_eq!(server.group(), group);
            assert_eq!(server_public.as_ref().len(), public_len);
            if group != NamedGroup::X25519 {
                assert_eq!(server_public.as_ref()[0], 4, "uncompressed point");
            }
            let a = server.complete(client_public.as_ref()).unwrap();
            let b = client.complete(server_public.as_ref()).unwrap();
            assert_eq!(a.as_bytes().len(), secret_len);
            assert_eq!(a.as_bytes(), b.as_bytes());
            assert_ne!(a.as_bytes(), &[0; 48][..secret_len]);
        }
    }

    #[test]
    fn fresh_keys_each_time() {
        let rng = SystemRandom::new();
        let (_, a) = KeyExchange::start(NamedGroup::X25519, &rng).unwrap();
        let (_, b) = KeyExchange::start(NamedGroup::X25519, &rng).unwrap();
        assert_ne!(a.as_ref(), b.as_ref());
    }

    #[test]
    fn bad_shares_are_illegal_parameter() {
        let rng = SystemRandom::new();
        let (_, p384_public) = KeyExchange::start(NamedGroup::Secp384r1, &rng).unwrap();
        let (_, p256_public) = KeyExchange::start(NamedGroup::Secp256r1, &rng).unwrap();
        let mut compressed = p256_public.as_ref()[..33].to_vec();
        compressed[0] = 2;
        let mut off_curve = p256_public.as_ref().to_vec();
        off_curve[64] ^= 1;
        let mut hybrid_form = p256_public.as_ref().to_vec();
        hybrid_form[0] = 6;
        let cases: [(NamedGroup, &[u8]); 9] = [
            (NamedGroup::X25519, &[]),
            (NamedGroup::X25519, &[9; 31]),
            (NamedGroup::X25519, &[9; 33]),
            // A point of small order gives the all-zero secret (RFC 7748 §6.1).
            (NamedGroup::X25519, &[0; 32]),
            (NamedGroup::Secp256r1, &compressed),
            (NamedGroup::Secp256r1, &off_curve),
            (NamedGroup::Secp256r1, &hybrid_form),
            (NamedGroup::Secp256r1, p384_public.as_ref()),
            (NamedGroup::Secp384r1, p256_public.as_ref()),
        ];
        for (group, share) in cases {
            let (kx, _) = KeyExchange::start(group, &rng).unwrap();
            let err = kx.complete(share).unwrap_err();
            assert_eq!(
                err,
                Error::InvalidMessage(InvalidMessage::BadKeyShare(group.to_wire())),
                "{group} {share:02x?}"
            );
            assert_eq!(
                AlertDescription::from(&err),
                AlertDescription::IllegalParameter
            );
        }
    }

    #[test]
    fn names_for_logs() {
        assert_eq!(NamedGroup::from_wire(0x11ec).to_string(), "X25519MLKEM768");
        assert_eq!(NamedGroup::from_wire(0x001d).to_string(), "x25519");
        assert_eq!(NamedGroup::from_wire(0x0101), NamedGroup::Ffdhe3072);
        assert_eq!(u16::from(NamedGroup::Secp384r1), 0x0018);
    }
}
