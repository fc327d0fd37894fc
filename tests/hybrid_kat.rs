//! ML-KEM known answers: the reference implementation's first ML-KEM-768
//! vector for encapsulation (tests/data/mlkem), and, across
//! implementations, libcrux-ml-kem (what
//! stapler encapsulates with) and RustCrypto's ml-kem (what the hybrid
//! test client decapsulates with) must agree byte for byte on the
//! encapsulation key, ciphertext and shared secret for the same seeds
//! (FIPS 203 §6: d ‖ z for key generation, m for encapsulation), in
//! ML-KEM-768 and ML-KEM-1024, the two parameter sets the hybrid groups
//! use. A disagreement would break every handshake with a client built on
//! the other; agreement on 100 seeded vectors each also pins the
//! deterministic paths the handshake tests cannot see.
//!
//! How the hybrid groups combine these with ECDH (the order of the parts)
//! is checked in `src/crypto/hybrid.rs`'s unit tests, and end to end in
//! tests/hybrid.rs.

use ml_kem::kem::{Decapsulate, KeyExport};
use ml_kem::{DecapsulationKey1024, DecapsulationKey768, Seed, B32};
use ring::digest::{digest, SHA256};

/// Deterministic bytes: SHA-256 of a label and a counter, as long as
/// needed.
fn bytes<const N: usize>(label: &str, i: u32) -> [u8; N] {
    let mut out = [0; N];
    for (j, chunk) in out.chunks_mut(32).enumerate() {
        let input = format!("{label}/{i}/{j}");
        chunk.copy_from_slice(&digest(&SHA256, input.as_bytes()).as_ref()[..chunk.len()]);
    }
    out
}

/// A test that `$libcrux` (a libcrux-ml-kem parameter set's module) and
/// RustCrypto's `$theirs` decapsulation key agree on 100 seeded vectors,
/// seeds drawn under `$label`.
macro_rules! agree_across_implementations {
    ($name:ident, $libcrux:ident, $theirs:ident, $label:literal) => {
        #[test]
        fn $name() {
            use libcrux_ml_kem::$libcrux;
            for i in 0..100 {
                let seed: [u8; 64] = bytes(concat!("seed", $label), i);
                let m: [u8; 32] = bytes(concat!("m", $label), i);

                let pair = $libcrux::generate_key_pair(seed);
                let (ct, k) = $libcrux::encapsulate(pair.public_key(), m);
                assert!($libcrux::validate_public_key(pair.public_key()));

                let dk = $theirs::from_seed(Seed::from(seed));
                let ek = dk.encapsulation_key();
                assert_eq!(&ek.to_bytes()[..], pair.public_key().as_slice(), "ek {i}");
                let (their_ct, their_k) = ek.encapsulate_deterministic(&B32::from(m));
                assert_eq!(&their_ct[..], ct.as_slice(), "ct {i}");
                assert_eq!(&their_k[..], &k[..], "K {i}");
                assert_eq!(&dk.decapsulate_slice(ct.as_slice()).unwrap()[..], &k[..]);
            }
        }
    };
}

agree_across_implementations!(
    ml_kem_768_agrees_across_implementations,
    mlkem768,
    DecapsulationKey768,
    ""
);
agree_across_implementations!(
    ml_kem_1024_agrees_across_implementations,
    mlkem1024,
    DecapsulationKey1024,
    "1024"
);

/// FIPS 203 §7.2's modulus check, in both: an encapsulation key with any
/// coefficient at q or above is refused. Each of a few positions gets q
/// and 4095.
#[test]
fn both_refuse_a_key_that_fails_the_modulus_check() {
    use libcrux_ml_kem::mlkem768;
    let pair = mlkem768::generate_key_pair(bytes("modulus", 0));
    let good = *pair.public_key().as_slice();
    for coefficient in [0, 1, 255, 767] {
        for value in [3329u16, 4095] {
            let mut ek = good;
            // Two 12-bit coefficients per three bytes, little-endian.
            let at = coefficient / 2 * 3;
            let mut packed = u32::from_le_bytes([ek[at], ek[at + 1], ek[at + 2], 0]);
            let shift = 12 * (coefficient % 2);
            packed = (packed & !(0xfff << shift)) | (u32::from(value) << shift);
            ek[at..at + 3].copy_from_slice(&packed.to_le_bytes()[..3]);
            let key = mlkem768::MlKem768PublicKey::from(ek);
            assert!(
                !mlkem768::validate_public_key(&key),
                "{coefficient} = {value}"
            );
            let theirs = ml_kem::EncapsulationKey768::new(&ek.into());
            assert!(theirs.is_err(), "{coefficient} = {value}");
        }
    }
}

/// The reference implementation's first ML-KEM-768 vector
/// (tests/data/mlkem/README.md): encapsulating to its key with its message
/// gives its ciphertext and shared secret, the server's whole part of
/// X25519MLKEM768's KEM half.
#[test]
fn libcrux_encapsulates_as_the_reference_implementation() {
    use libcrux_ml_kem::mlkem768;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/mlkem/pq-crystals-768.txt"
    ))
    .unwrap();
    let field = |name: &str| -> Vec<u8> {
        let hex = text
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name}"));
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    };
    let ek: [u8; 1184] = field("Public Key").try_into().unwrap();
    let m: [u8; 32] = field("Message").try_into().unwrap();
    let key = mlkem768::MlKem768PublicKey::from(ek);
    assert!(mlkem768::validate_public_key(&key));
    let (ct, k) = mlkem768::encapsulate(&key, m);
    assert_eq!(ct.as_slice(), &field("Ciphertext")[..]);
    assert_eq!(&k[..], &field("Shared Secret")[..]);
}
