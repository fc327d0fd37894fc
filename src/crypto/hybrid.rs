//! The post-quantum hybrid groups of draft-ietf-tls-ecdhe-mlkem: an ECDH
//! exchange (ring) and an ML-KEM encapsulation (libcrux-ml-kem, FIPS 203)
//! in one key_share, TLS 1.3 only.
//!
//! The server is the KEM's encapsulator: the client's share holds an
//! ML-KEM encapsulation key and an ECDH public key; the server's holds the
//! ciphertext and its own ECDH public key; the shared secret is the two
//! secrets concatenated. The order of the parts differs by group (§3 of
//! the draft), and is followed exactly:
//!
//! | group | client share | server share | secret |
//! | --- | --- | --- | --- |
//! | X25519MLKEM768 (0x11EC) | ek ‖ x25519 | ct ‖ x25519 | K ‖ x25519 |
//! | SecP256r1MLKEM768 (0x11EB) | P-256 ‖ ek | P-256 ‖ ct | ECDH ‖ K |
//! | SecP384r1MLKEM1024 (0x11ED) | P-384 ‖ ek | P-384 ‖ ct | ECDH ‖ K |
//!
//! The encapsulation key is checked as FIPS 203 §7.2 requires before it is
//! used: its length, then that every coefficient it encodes is below q
//! (the modulus check). Any failure is the client's: illegal_parameter.
//! The key is read from the hello where it lies and copied nowhere but
//! onto the stack for the encapsulation.

use libcrux_ml_kem::{mlkem1024, mlkem768};
use ring::rand::SecureRandom;
use zeroize::Zeroize;

use super::key_exchange::{KeyExchange, ServerShare, SharedSecret};
use crate::enums::NamedGroup;
use crate::error::{CryptoError, Error, InvalidMessage};

/// ML-KEM-768's encapsulation key and ciphertext lengths (FIPS 203 §8).
pub(crate) const MLKEM768_EK_LEN: usize = 1184;
pub(crate) const MLKEM768_CT_LEN: usize = 1088;
/// ML-KEM-1024's.
pub(crate) const MLKEM1024_EK_LEN: usize = 1568;
pub(crate) const MLKEM1024_CT_LEN: usize = 1568;
/// The KEM's shared secret, K, in every parameter set.
const MLKEM_SECRET_LEN: usize = 32;

/// How one hybrid group lays out its parts.
struct Layout {
    /// The classical group of the ECDH part.
    ecdh: NamedGroup,
    /// The ECDH public key's length (an x25519 key, an uncompressed
    /// point).
    ecdh_len: usize,
    /// ML-KEM-768 or ML-KEM-1024.
    kem: Kem,
    /// Whether the ECDH part comes first (the NIST-curve groups) or the
    /// ML-KEM part does (X25519MLKEM768).
    ecdh_first: bool,
}

#[derive(Clone, Copy)]
enum Kem {
    MlKem768,
    MlKem1024,
}

impl Kem {
    fn ek_len(self) -> usize {
        match self {
            Self::MlKem768 => MLKEM768_EK_LEN,
            Self::MlKem1024 => MLKEM1024_EK_LEN,
        }
    }

    /// Checks `ek` (FIPS 203 §7.2: length, modulus) and encapsulates to
    /// it with `randomness`: the ciphertext into `ct_out` (its length
    /// returned) and K.
    fn encapsulate(
        self,
        ek: &[u8],
        randomness: [u8; 32],
        ct_out: &mut [u8],
    ) -> Option<(usize, [u8; MLKEM_SECRET_LEN])> {
        match self {
            Self::MlKem768 => {
                let key =
                    mlkem768::MlKem768PublicKey::from(<[u8; MLKEM768_EK_LEN]>::try_from(ek).ok()?);
                if !mlkem768::validate_public_key(&key) {
                    return None;
                }
                let (ct, secret) = mlkem768::encapsulate(&key, randomness);
                let ct = ct.as_slice();
                ct_out.get_mut(..ct.len())?.copy_from_slice(ct);
                Some((ct.len(), secret))
            }
            Self::MlKem1024 => {
                let key = mlkem1024::MlKem1024PublicKey::from(
                    <[u8; MLKEM1024_EK_LEN]>::try_from(ek).ok()?,
                );
                if !mlkem1024::validate_public_key(&key) {
                    return None;
                }
                let (ct, secret) = mlkem1024::encapsulate(&key, randomness);
                let ct = ct.as_slice();
                ct_out.get_mut(..ct.len())?.copy_from_slice(ct);
                Some((ct.len(), secret))
            }
        }
    }
}

fn layout(group: NamedGroup) -> Option<Layout> {
    Some(match group {
        NamedGroup::X25519Mlkem768 => Layout {
            ecdh: NamedGroup::X25519,
            ecdh_len: 32,
            kem: Kem::MlKem768,
            ecdh_first: false,
        },
        NamedGroup::SecP256r1Mlkem768 => Layout {
            ecdh: NamedGroup::Secp256r1,
            ecdh_len: 65,
            kem: Kem::MlKem768,
            ecdh_first: true,
        },
        NamedGroup::SecP384r1Mlkem1024 => Layout {
            ecdh: NamedGroup::Secp384r1,
            ecdh_len: 97,
            kem: Kem::MlKem1024,
            ecdh_first: true,
        },
        _ => return None,
    })
}

/// The length of a client's share in hybrid `group`.
pub(crate) fn share_len(group: NamedGroup) -> Option<usize> {
    layout(group).map(|l| l.ecdh_len + l.kem.ek_len())
}

/// Whether `group` is one of the hybrids implemented here.
pub(crate) fn is_hybrid(group: NamedGroup) -> bool {
    layout(group).is_some()
}

/// The server's side of a hybrid exchange: the client's `share` split
/// and checked, the ECDH completed with a fresh key, and the KEM
/// encapsulated with fresh randomness. Returns the server's share and the
/// shared secret, each in the group's order.
///
/// The server's share is written over the client's, in its buffer: it is
/// never longer (a ciphertext is no longer than the encapsulation key in
/// all three groups, and the ECDH parts are the same length), so the
/// exchange needs no allocation of its own, and the client's key is gone
/// once it is used.
pub(crate) fn respond(
    group: NamedGroup,
    mut share: Vec<u8>,
    rng: &dyn SecureRandom,
) -> Result<(ServerShare, SharedSecret), Error> {
    let bad = || Error::InvalidMessage(InvalidMessage::BadKeyShare(group.to_wire()));
    let layout = layout(group).ok_or(CryptoError::UnsupportedGroup(group.to_wire()))?;
    let ek_len = layout.kem.ek_len();
    if share.len() != layout.ecdh_len + ek_len {
        return Err(bad());
    }
    let (ecdh_share, ek) = if layout.ecdh_first {
        share.split_at(layout.ecdh_len)
    } else {
        let (ek, ecdh) = share.split_at(ek_len);
        (ecdh, ek)
    };

    let randomness = super::random::draw::<32>(rng)?;
    let mut ct = [0; MLKEM1024_CT_LEN];
    let (ct_len, kem_secret) = layout
        .kem
        .encapsulate(ek, randomness, &mut ct)
        .ok_or_else(bad)?;
    let ct = ct
        .get(..ct_len)
        .ok_or(Error::Internal("a ciphertext longer than its buffer"))?;

    // The ECDH part checks its own length and point; its failure is the
    // hybrid's.
    let (exchange, ecdh_public) = KeyExchange::start(layout.ecdh, rng)?;
    let ecdh_secret = exchange.complete(ecdh_share).map_err(|_| bad())?;
    let ecdh_public = ecdh_public.as_ref();

    let (first, second, secret) = if layout.ecdh_first {
        let secret = SharedSecret::concat(ecdh_secret.as_bytes(), &kem_secret);
        (ecdh_public, ct, secret)
    } else {
        let secret = SharedSecret::concat(&kem_secret, ecdh_secret.as_bytes());
        (ct, ecdh_public, secret)
    };
    let mut kem_secret = kem_secret;
    kem_secret.zeroize();
    share.clear();
    share.extend_from_slice(first);
    share.extend_from_slice(second);
    Ok((ServerShare::Hybrid(share), secret?))
}

#[cfg(test)]
mod tests {
    use libcrux_ml_kem::{mlkem1024, mlkem768};
    use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey};
    use ring::rand::SystemRandom;

    use super::*;
    use crate::codec::AlertDescription;

    /// A client of `group`: its share, and how it finishes the exchange
    /// from the server's share (decapsulation and ECDH, in the draft's
    /// order), returning the shared secret.
    /// A decapsulation, for the client to finish with.
    type Decapsulate = Box<dyn FnOnce(&[u8]) -> [u8; 32]>;

    fn client(group: NamedGroup, seed: u8) -> (Vec<u8>, impl FnOnce(&[u8]) -> Vec<u8>) {
        let rng = SystemRandom::new();
        let layout = layout(group).unwrap();
        let alg = match layout.ecdh {
            NamedGroup::X25519 => &agreement::X25519,
            NamedGroup::Secp256r1 => &agreement::ECDH_P256,
            _ => &agreement::ECDH_P384,
        };
        let ecdh = EphemeralPrivateKey::generate(alg, &rng).unwrap();
        let ecdh_public = ecdh.compute_public_key().unwrap().as_ref().to_vec();
        let seed = [seed; 64];
        let (ek, decapsulate): (Vec<u8>, Decapsulate) = match layout.kem {
            Kem::MlKem768 => {
                let pair = mlkem768::generate_key_pair(seed);
                let ek = pair.public_key().as_slice().to_vec();
                let dk = pair.private_key().clone();
                (
                    ek,
                    Box::new(move |ct: &[u8]| {
                        let ct = mlkem768::MlKem768Ciphertext::from(
                            <[u8; MLKEM768_CT_LEN]>::try_from(ct).unwrap(),
                        );
                        mlkem768::decapsulate(&dk, &ct)
                    }),
                )
            }
            Kem::MlKem1024 => {
                let pair = mlkem1024::generate_key_pair(seed);
                let ek = pair.public_key().as_slice().to_vec();
                let dk = pair.private_key().clone();
                (
                    ek,
                    Box::new(move |ct: &[u8]| {
                        let ct = mlkem1024::MlKem1024Ciphertext::from(
                            <[u8; MLKEM1024_CT_LEN]>::try_from(ct).unwrap(),
                        );
                        mlkem1024::decapsulate(&dk, &ct)
                    }),
                )
            }
        };
        let share = if layout.ecdh_first {
            [ecdh_public.clone(), ek].concat()
        } else {
            [ek, ecdh_public.clone()].concat()
        };
        let finish = move |server: &[u8]| {
            let ct_len = server.len() - layout.ecdh_len;
            let (ecdh_server, ct) = if layout.ecdh_first {
                server.split_at(layout.ecdh_len)
            } else {
                let (ct, ecdh) = server.split_at(ct_len);
                (ecdh, ct)
            };
            let ecdh_secret = agreement::agree_ephemeral(
                ecdh,
                &UnparsedPublicKey::new(alg, ecdh_server),
                <[u8]>::to_vec,
            )
            .unwrap();
            let kem_secret = decapsulate(ct);
            if layout.ecdh_first {
                [ecdh_secret, kem_secret.to_vec()].concat()
            } else {
                [kem_secret.to_vec(), ecdh_secret].concat()
            }
        };
        (share, finish)
    }

    const GROUPS: [(NamedGroup, usize, usize, usize); 3] = [
        // group, client share, server share, secret
        (NamedGroup::X25519Mlkem768, 1216, 1120, 64),
        (NamedGroup::SecP256r1Mlkem768, 1249, 1153, 64),
        (NamedGroup::SecP384r1Mlkem1024, 1665, 1665, 80),
    ];

    #[test]
    fn both_sides_agree_in_each_group_and_order() {
        let rng = SystemRandom::new();
        for (group, client_len, server_len, secret_len) in GROUPS {
            assert!(is_hybrid(group) && group.is_supported());
            let (share, finish) = client(group, 3);
            assert_eq!(share.len(), client_len);
            assert_eq!(share_len(group), Some(client_len));
            let (server_share, secret) = respond(group, share.clone(), &rng).unwrap();
            assert_eq!(server_share.as_bytes().len(), server_len, "{group}");
            assert_eq!(secret.as_bytes().len(), secret_len, "{group}");
            assert_eq!(
                finish(server_share.as_bytes()),
                secret.as_bytes(),
                "{group}"
            );
        }
    }

    #[test]
    fn malformed_shares_are_illegal_parameter() {
        let rng = SystemRandom::new();
        for (group, _, _, _) in GROUPS {
            let layout = layout(group).unwrap();
            let (share, _) = client(group, 5);
            let ek_at = if layout.ecdh_first {
                layout.ecdh_len
            } else {
                0
            };
            let ecdh_at = if layout.ecdh_first {
                0
            } else {
                layout.kem.ek_len()
            };
            // FIPS 203 §7.2's modulus check: the first 12-bit coefficient
            // set to 4095, which is not below q = 3329.
            let mut over_q = share.clone();
            over_q[ek_at] = 0xff;
            over_q[ek_at + 1] |= 0x0f;
            // An ECDH part that is not a valid key: x25519's all-zero
            // point (a zero secret), or a point off the curve.
            let mut bad_ecdh = share.clone();
            if layout.ecdh == NamedGroup::X25519 {
                bad_ecdh[ecdh_at..ecdh_at + 32].fill(0);
            } else {
                bad_ecdh[ecdh_at + layout.ecdh_len - 1] ^= 1;
            }
            for (what, bad) in [
                ("short", share[..share.len() - 1].to_vec()),
                ("long", [&share[..], &[0]].concat()),
                ("empty", Vec::new()),
                ("over q", over_q),
                ("bad ECDH", bad_ecdh),
            ] {
                let err = respond(group, bad.clone(), &rng).err().unwrap();
                assert_eq!(
                    err,
                    Error::InvalidMessage(InvalidMessage::BadKeyShare(group.to_wire())),
                    "{group} {what}"
                );
                assert_eq!(
                    AlertDescription::from(&err),
                    AlertDescription::IllegalParameter
                );
            }
        }
    }
}
