//! Unit tests of `signing.rs`, kept beside it so that the module itself
//! reads on its own.

use ring::rand::SystemRandom;
use ring::signature::{UnparsedPublicKey, VerificationAlgorithm};

use super::super::rfc8448::hex;
use super::*;

fn key_file(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The subjectPublicKey bits of a DER SubjectPublicKeyInfo.
fn spki_public_key(spki: &[u8]) -> Vec<u8> {
    let body = sequence(spki).unwrap();
    let (_algorithm, body) = expect(body, der::SEQUENCE).unwrap();
    let (bits, rest) = expect(body, BIT_STRING).unwrap();
    assert!(rest.is_empty());
    assert_eq!(bits.contents[0], 0);
    bits.contents[1..].to_vec()
}

fn verifier(scheme: SignatureScheme) -> &'static dyn VerificationAlgorithm {
    match scheme {
        SignatureScheme::EcdsaSecp256r1Sha256 => &signature::ECDSA_P256_SHA256_ASN1,
        SignatureScheme::EcdsaSecp384r1Sha384 => &signature::ECDSA_P384_SHA384_ASN1,
        SignatureScheme::Ed25519 => &signature::ED25519,
        SignatureScheme::RsaPssRsaeSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        SignatureScheme::RsaPssRsaeSha384 => &signature::RSA_PSS_2048_8192_SHA384,
        SignatureScheme::RsaPssRsaeSha512 => &signature::RSA_PSS_2048_8192_SHA512,
        SignatureScheme::RsaPkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        SignatureScheme::RsaPkcs1Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        SignatureScheme::RsaPkcs1Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        other => panic!("no verifier for {other}"),
    }
}

#[test]
fn loads_signs_and_verifies_every_format() {
    let rng = SystemRandom::new();
    let cases = [
        ("p256.pk8.der", "p256.spki.der", KeyAlgorithm::EcdsaP256),
        ("p384.pk8.der", "p384.spki.der", KeyAlgorithm::EcdsaP384),
        ("ed25519.pk8.der", "ed25519.spki.der", KeyAlgorithm::Ed25519),
        (
            "rsa2048.pk8.der",
            "rsa2048.spki.der",
            KeyAlgorithm::Rsa { modulus_bits: 2048 },
        ),
        (
            "p256.sec1.der",
            "p256-sec1.spki.der",
            KeyAlgorithm::EcdsaP256,
        ),
        (
            "p384.sec1.der",
            "p384-sec1.spki.der",
            KeyAlgorithm::EcdsaP384,
        ),
        (
            "rsa3072.pkcs1.der",
            "rsa3072.spki.der",
            KeyAlgorithm::Rsa { modulus_bits: 3072 },
        ),
    ];
    let mut transcript = digest::Context::new(&digest::SHA256);
    transcript.update(b"ClientHello..Certificate");
    let message = CertificateVerifyMessage::new(&transcript.finish());
    for (file, spki, algorithm) in cases {
        let der = key_file(file);
        let key = SigningKey::from_der(&der, &rng).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(key.algorithm(), algorithm, "{file}");
        let public = spki_public_key(&key_file(spki));
        assert_eq!(key.public_key(), public, "{file}");
        // The format-specific loader agrees with the sniffing one.
        let direct = match file.rsplit('.').nth(1) {
            Some("pk8") => SigningKey::from_pkcs8(&der, &rng),
            Some("sec1") => SigningKey::from_sec1(&der, &rng),
            Some("pkcs1") => SigningKey::from_pkcs1(&der),
            _ => unreachable!(),
        };
        assert_eq!(direct.unwrap().public_key(), public);

        for &scheme in key.schemes() {
            let sig = key.sign(scheme, message.as_ref(), &rng).unwrap();
            assert!(sig.as_ref().len() <= key.max_signature_len(), "{file}");
            UnparsedPublicKey::new(verifier(scheme), &public)
                .verify(message.as_ref(), sig.as_ref())
                .unwrap_or_else(|_| panic!("{file} {scheme}"));
            // A different message does not verify.
            assert!(UnparsedPublicKey::new(verifier(scheme), &public)
                .verify(b"something else", sig.as_ref())
                .is_err());
        }
        // A scheme of another key type is refused.
        let foreign = if algorithm == KeyAlgorithm::Ed25519 {
            SignatureScheme::EcdsaSecp256r1Sha256
        } else {
            SignatureScheme::Ed25519
        };
        assert_eq!(
            key.sign(foreign, b"m", &rng),
            Err(Error::Crypto(CryptoError::UnsupportedScheme(
                foreign.to_wire()
            )))
        );
    }
}

#[test]
fn refuses_what_it_cannot_use_with_a_clear_error() {
    let rng = SystemRandom::new();
    for (file, want) in [
        ("p256-nopub.sec1.der", KeyError::MissingPublicKey),
        ("p256-nopub.pk8.der", KeyError::MissingPublicKey),
        ("p521.pk8.der", KeyError::UnsupportedAlgorithm("secp521r1")),
        ("ed448.pk8.der", KeyError::UnsupportedAlgorithm("Ed448")),
        (
            "rsa-pss.pk8.der",
            KeyError::UnsupportedAlgorithm("RSASSA-PSS"),
        ),
        (
            "rsa1024.pk8.der",
            KeyError::Rejected("the RSA modulus is shorter than 2048 bits"),
        ),
        ("p256-encrypted.pk8.der", KeyError::Encrypted),
        ("p256.spki.der", KeyError::Malformed),
    ] {
        let got = SigningKey::from_der(&key_file(file), &rng).map(|k| k.algorithm());
        assert_eq!(got, Err(want), "{file}");
    }
}

#[test]
fn malformed_der_never_panics() {
    let rng = SystemRandom::new();
    let good = key_file("p256.sec1.der");
    let pk8 = key_file("rsa2048.pk8.der");
    for der in [&good[..], &pk8[..]] {
        // Every truncation and every single-byte corruption.
        for len in 0..der.len() {
            assert!(SigningKey::from_der(&der[..len], &rng).is_err());
        }
        for i in 0..der.len() {
            let mut bad = der.to_vec();
            bad[i] ^= 0xff;
            let _ = SigningKey::from_der(&bad, &rng);
        }
    }
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(
        SigningKey::from_der(&trailing, &rng).map(|k| k.algorithm()),
        Err(KeyError::Malformed)
    );
    for junk in [
        &[][..],
        &[0x30, 0x00],
        &[0x30, 0x03, 0x02, 0x01, 0x00],
        &[0x04, 0x00],
    ] {
        assert_eq!(
            SigningKey::from_der(junk, &rng).map(|k| k.algorithm()),
            Err(KeyError::Malformed)
        );
    }
}

#[test]
fn sec1_key_with_a_mismatched_public_key_is_rejected() {
    let rng = SystemRandom::new();
    let mut der = key_file("p256.sec1.der");
    // The last byte is the low byte of the point's y coordinate.
    *der.last_mut().unwrap() ^= 1;
    assert!(matches!(
        SigningKey::from_sec1(&der, &rng).map(|k| k.algorithm()),
        Err(KeyError::Rejected(_) | KeyError::Malformed)
    ));
}

#[test]
fn sec1_without_parameters_infers_the_curve() {
    // Rebuild p384.sec1.der without its [0] parameters.
    let rng = SystemRandom::new();
    let der = key_file("p384.sec1.der");
    let key = EcPrivateKey::parse(&der).unwrap();
    let public = key.public_key.unwrap();
    let mut body = vec![0x02, 0x01, 0x01, 0x04, 48];
    body.extend_from_slice(key.private_key);
    let bits_len = u8::try_from(public.len() + 1).unwrap();
    body.extend([0xa1, bits_len + 2, 0x03, bits_len, 0x00]);
    body.extend_from_slice(public);
    let mut stripped = vec![0x30, 0x81, u8::try_from(body.len()).unwrap()];
    stripped.extend(body);
    let loaded = SigningKey::from_der(&stripped, &rng).unwrap();
    assert_eq!(loaded.algorithm(), KeyAlgorithm::EcdsaP384);
    assert_eq!(loaded.public_key(), public);
}

#[test]
fn choosing_a_scheme() {
    let rng = SystemRandom::new();
    let rsa = SigningKey::from_der(&key_file("rsa2048.pk8.der"), &rng).unwrap();
    let p256 = SigningKey::from_der(&key_file("p256.pk8.der"), &rng).unwrap();
    let ed = SigningKey::from_der(&key_file("ed25519.pk8.der"), &rng).unwrap();
    use SignatureScheme as S;
    let w = |list: &[S]| list.iter().map(|s| s.to_wire()).collect::<Vec<_>>();

    // Server preference wins over the client's order.
    let offered = w(&[S::RsaPkcs1Sha256, S::RsaPssRsaeSha512, S::RsaPssRsaeSha256]);
    assert_eq!(
        rsa.choose_scheme(offered.iter().copied(), true),
        Some(S::RsaPssRsaeSha256)
    );
    // PKCS#1 v1.5 and SHA-1 only for TLS 1.2.
    let legacy = w(&[S::RsaPkcs1Sha1, S::RsaPkcs1Sha384]);
    assert_eq!(rsa.choose_scheme(legacy.iter().copied(), true), None);
    assert_eq!(
        rsa.choose_scheme(legacy.iter().copied(), false),
        Some(S::RsaPkcs1Sha384)
    );
    assert_eq!(
        rsa.choose_scheme(w(&[S::RsaPkcs1Sha1]), false),
        None,
        "ring cannot"
    );
    // rsa_pss_pss needs an RSASSA-PSS key.
    assert_eq!(rsa.choose_scheme(w(&[S::RsaPssPssSha256]), true), None);
    // ECDSA: the curve's own hash only.
    assert_eq!(
        p256.choose_scheme(w(&[S::EcdsaSecp384r1Sha384, S::EcdsaSecp256r1Sha256]), true),
        Some(S::EcdsaSecp256r1Sha256)
    );
    assert_eq!(
        p256.choose_scheme(w(&[S::EcdsaSecp384r1Sha384]), false),
        None
    );
    assert_eq!(p256.choose_scheme(w(&[S::EcdsaSha1]), false), None);
    // Ed25519, with GREASE and unknown values around it.
    assert_eq!(
        ed.choose_scheme([0x0a0a, 0x0807, 0xfefe], true),
        Some(S::Ed25519)
    );
    assert_eq!(ed.choose_scheme([], true), None);
}

#[test]
fn scheme_registry() {
    assert!(SignatureScheme::RsaPssRsaeSha256.allowed_in_tls13());
    assert!(SignatureScheme::Ed448.allowed_in_tls13());
    assert!(!SignatureScheme::RsaPkcs1Sha256.allowed_in_tls13());
    assert!(!SignatureScheme::EcdsaSha1.allowed_in_tls13());
    assert!(!SignatureScheme::from_wire(0x0a0a).allowed_in_tls13());
    assert_eq!(
        SignatureScheme::from_wire(0x080b).to_string(),
        "rsa_pss_pss_sha512"
    );
    assert_eq!(
        SignatureScheme::from_wire(0x0603),
        SignatureScheme::EcdsaSecp521r1Sha512
    );
    assert_eq!(
        KeyAlgorithm::Rsa { modulus_bits: 3072 }.to_string(),
        "RSA 3072"
    );
}

#[test]
fn certificate_verify_content_matches_rfc8446_example() {
    // RFC 8446 §4.4.3: a transcript hash of 32 bytes of 01.
    let expected = hex(
        "2020202020202020202020202020202020202020202020202020202020202020
         2020202020202020202020202020202020202020202020202020202020202020
         544c5320312e332c207365727665722043657274696669636174655665726966
         79000101010101010101010101010101010101010101010101010101010101010101",
    );
    let got = CertificateVerifyMessage::from_hash_bytes(CERTIFICATE_VERIFY_PREFIX, &[1; 32]);
    assert_eq!(got.as_ref(), expected);
    let sha384 = digest::digest(&digest::SHA384, b"x");
    let got = CertificateVerifyMessage::new(&sha384);
    assert_eq!(got.as_ref().len(), 64 + 33 + 1 + 48);
    assert!(got.as_ref().ends_with(sha384.as_ref()));
    // A client's: the same but for its context string.
    let sha256 = digest::digest(&digest::SHA256, b"y");
    let client = CertificateVerifyMessage::client(&sha256);
    assert_eq!(&client.as_ref()[..64], &[0x20; 64][..]);
    assert_eq!(
        &client.as_ref()[64..98],
        b"TLS 1.3, client CertificateVerify\x00"
    );
    assert!(client.as_ref().ends_with(sha256.as_ref()));
}

#[test]
fn modulus_bits_counts_exactly() {
    // SEQUENCE { INTEGER 0x00 0x80 0x00 (16 bits), INTEGER 3 }
    assert_eq!(
        modulus_bits(&[0x30, 0x08, 0x02, 0x03, 0, 0x80, 0, 0x02, 0x01, 3]),
        Some(16)
    );
    assert_eq!(
        modulus_bits(&[0x30, 0x07, 0x02, 0x02, 0x01, 0xff, 0x02, 0x01, 3]),
        Some(9)
    );
    assert_eq!(modulus_bits(&[0x30, 0x00]), None);
}
