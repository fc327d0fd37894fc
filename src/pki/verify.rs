//! Signature verification with ring: "was this message signed by that
//! key, with that algorithm". Used to tell a certificate's issuer, and to
//! check OCSP responses (a `BasicOCSPResponse` is signed the same way: an
//! AlgorithmIdentifier, the signed bytes and a BIT STRING).

use core::fmt;

use der::asn1::AnyRef;
use der::{Decode, Reader, SliceReader, Tag, Tagged};
use ring::signature as ring_sig;
use x509_cert::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

use super::certificate::{Certificate, PublicKeyAlgorithm};
use super::oids;

/// Why a signature did not verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SigError {
    /// The AlgorithmIdentifier is not well-formed DER, or its parameters
    /// are not the ones its algorithm allows.
    MalformedAlgorithm,
    /// The signature algorithm is not one this module verifies (see
    /// [`SignatureAlgorithm`]), or its RSASSA-PSS parameters are not a
    /// supported combination.
    UnsupportedAlgorithm,
    /// The SubjectPublicKeyInfo is not well-formed.
    MalformedPublicKey,
    /// The key's type (or, for RSA, its size: 2048 to 8192 bits) is not one
    /// this module verifies with.
    UnsupportedPublicKey,
    /// The signature algorithm needs another kind of key (an ECDSA signature
    /// and an RSA key, say).
    AlgorithmKeyMismatch,
    /// The signature is wrong for this key and message.
    BadSignature,
}

impl fmt::Display for SigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MalformedAlgorithm => "malformed signature algorithm identifier",
            Self::UnsupportedAlgorithm => "unsupported signature algorithm",
            Self::MalformedPublicKey => "malformed public key",
            Self::UnsupportedPublicKey => "unsupported public key type or size",
            Self::AlgorithmKeyMismatch => "signature algorithm does not fit the key",
            Self::BadSignature => "signature does not verify",
        })
    }
}

impl std::error::Error for SigError {}

/// The signature algorithms this module verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// ecdsa-with-SHA256 (RFC 5758), P-256 or P-384 key.
    EcdsaSha256,
    /// ecdsa-with-SHA384 (RFC 5758), P-256 or P-384 key.
    EcdsaSha384,
    /// Ed25519 (RFC 8410).
    Ed25519,
    /// sha256WithRSAEncryption (RSASSA-PKCS1-v1_5, RFC 4055).
    RsaPkcs1Sha256,
    /// sha384WithRSAEncryption.
    RsaPkcs1Sha384,
    /// sha512WithRSAEncryption.
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt.
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1 with SHA-384 and a 48-byte salt.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1 with SHA-512 and a 64-byte salt.
    RsaPssSha512,
}

impl SignatureAlgorithm {
    /// Reads a DER AlgorithmIdentifier (the whole `SEQUENCE`), checking its
    /// parameters: none for ECDSA and Ed25519, `NULL` (or, leniently, none)
    /// for PKCS#1 v1.5, and for RSASSA-PSS a hash of SHA-256, -384 or -512
    /// with MGF1 over the same hash, a salt as long as the hash and the
    /// standard trailer: the combinations ring verifies. RSASSA-PSS's
    /// defaults (SHA-1) are not supported.
    pub fn from_der(algorithm_identifier: &[u8]) -> Result<Self, SigError> {
        let id = AlgorithmIdentifierRef::from_der(algorithm_identifier)
            .map_err(|_| SigError::MalformedAlgorithm)?;
        let oid = id.oid;
        let params = id.parameters;
        let no_params = |alg| match params {
            None => Ok(alg),
            Some(_) => Err(SigError::MalformedAlgorithm),
        };
        let null_params = |alg| match params {
            None => Ok(alg),
            Some(p) if p.is_null() => Ok(alg),
            Some(_) => Err(SigError::MalformedAlgorithm),
        };
        if oid == oids::ECDSA_WITH_SHA256 {
            no_params(Self::EcdsaSha256)
        } else if oid == oids::ECDSA_WITH_SHA384 {
            no_params(Self::EcdsaSha384)
        } else if oid == oids::ID_ED25519 {
            no_params(Self::Ed25519)
        } else if oid == oids::SHA256_WITH_RSA {
            null_params(Self::RsaPkcs1Sha256)
        } else if oid == oids::SHA384_WITH_RSA {
            null_params(Self::RsaPkcs1Sha384)
        } else if oid == oids::SHA512_WITH_RSA {
            null_params(Self::RsaPkcs1Sha512)
        } else if oid == oids::RSASSA_PSS {
            pss_from_params(params.ok_or(SigError::MalformedAlgorithm)?)
        } else {
            Err(SigError::UnsupportedAlgorithm)
        }
    }

    /// ring's verification algorithm for this signature algorithm and a key
    /// of type `key`.
    fn ring_algorithm(
        self,
        key: &PublicKeyAlgorithm,
    ) -> Result<&'static dyn ring_sig::VerificationAlgorithm, SigError> {
        use PublicKeyAlgorithm as K;
        use SignatureAlgorithm as S;
        match key {
            K::Rsa { bits } | K::RsaPss { bits } if !(2048..=8192).contains(bits) => {
                return Err(SigError::UnsupportedPublicKey)
            }
            K::EcOtherCurve(_) | K::Other(_) => return Err(SigError::UnsupportedPublicKey),
            _ => {}
        }
        Ok(match (self, key) {
            (S::EcdsaSha256, K::EcP256) => &ring_sig::ECDSA_P256_SHA256_ASN1,
            (S::EcdsaSha256, K::EcP384) => &ring_sig::ECDSA_P384_SHA256_ASN1,
            (S::EcdsaSha384, K::EcP256) => &ring_sig::ECDSA_P256_SHA384_ASN1,
            (S::EcdsaSha384, K::EcP384) => &ring_sig::ECDSA_P384_SHA384_ASN1,
            (S::Ed25519, K::Ed25519) => &ring_sig::ED25519,
            (S::RsaPkcs1Sha256, K::Rsa { .. }) => &ring_sig::RSA_PKCS1_2048_8192_SHA256,
            (S::RsaPkcs1Sha384, K::Rsa { .. }) => &ring_sig::RSA_PKCS1_2048_8192_SHA384,
            (S::RsaPkcs1Sha512, K::Rsa { .. }) => &ring_sig::RSA_PKCS1_2048_8192_SHA512,
            (S::RsaPssSha256, K::Rsa { .. } | K::RsaPss { .. }) => {
                &ring_sig::RSA_PSS_2048_8192_SHA256
            }
            (S::RsaPssSha384, K::Rsa { .. } | K::RsaPss { .. }) => {
                &ring_sig::RSA_PSS_2048_8192_SHA384
            }
            (S::RsaPssSha512, K::Rsa { .. } | K::RsaPss { .. }) => {
                &ring_sig::RSA_PSS_2048_8192_SHA512
            }
            _ => return Err(SigError::AlgorithmKeyMismatch),
        })
    }
}

/// The hash algorithms RSASSA-PSS may use here, with their output lengths.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// Reads a hash AlgorithmIdentifier (parameters NULL or absent).
    fn from_identifier(id: AlgorithmIdentifierRef<'_>) -> Result<Self, SigError> {
        if id.parameters.is_some_and(|p| !p.is_null()) {
            return Err(SigError::MalformedAlgorithm);
        }
        if id.oid == oids::SHA256 {
            Ok(Self::Sha256)
        } else if id.oid == oids::SHA384 {
            Ok(Self::Sha384)
        } else if id.oid == oids::SHA512 {
            Ok(Self::Sha512)
        } else {
            Err(SigError::UnsupportedAlgorithm)
        }
    }

    fn len(self) -> u32 {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
}

/// Reads the `[n] EXPLICIT` field that comes next in `reader`, if it is
/// there, returning the TLV inside it.
fn explicit_field<'a>(
    reader: &mut SliceReader<'a>,
    number: u8,
) -> Result<Option<AnyRef<'a>>, SigError> {
    // Context-specific, constructed, low tag number.
    if reader.peek_byte() != Some(0xa0 | number) {
        return Ok(None);
    }
    let wrapper = AnyRef::decode(reader).map_err(|_| SigError::MalformedAlgorithm)?;
    AnyRef::from_der(wrapper.value())
        .map(Some)
        .map_err(|_| SigError::MalformedAlgorithm)
}

/// Reads RSASSA-PSS-params (RFC 4055 §3.1):
///
/// ```text
/// RSASSA-PSS-params ::= SEQUENCE {
///     hashAlgorithm     [0] HashAlgorithm    DEFAULT sha1Identifier,
///     maskGenAlgorithm  [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength        [2] INTEGER          DEFAULT 20,
///     trailerField      [3] INTEGER          DEFAULT 1 }
/// ```
fn pss_from_params(params: AnyRef<'_>) -> Result<SignatureAlgorithm, SigError> {
    let malformed = |_| SigError::MalformedAlgorithm;
    if params.tag() != Tag::Sequence {
        return Err(SigError::MalformedAlgorithm);
    }
    let mut reader = SliceReader::new(params.value()).map_err(malformed)?;

    // Absent fields mean SHA-1, which ring does not verify PSS with.
    let hash = explicit_field(&mut reader, 0)?.ok_or(SigError::UnsupportedAlgorithm)?;
    let hash = Hash::from_identifier(hash.decode_as().map_err(malformed)?)?;

    let mgf = explicit_field(&mut reader, 1)?.ok_or(SigError::UnsupportedAlgorithm)?;
    let mgf: AlgorithmIdentifierRef<'_> = mgf.decode_as().map_err(malformed)?;
    if mgf.oid != oids::MGF1 {
        return Err(SigError::UnsupportedAlgorithm);
    }
    let mgf_hash = mgf.parameters.ok_or(SigError::MalformedAlgorithm)?;
    let mgf_hash = Hash::from_identifier(mgf_hash.decode_as().map_err(malformed)?)?;

    let salt_len = match explicit_field(&mut reader, 2)? {
        Some(salt) => salt.decode_as::<u32>().map_err(malformed)?,
        None => 20,
    };
    if let Some(trailer) = explicit_field(&mut reader, 3)? {
        if trailer.decode_as::<u8>().map_err(malformed)? != 1 {
            return Err(SigError::UnsupportedAlgorithm);
        }
    }
    reader.finish().map_err(malformed)?;

    // ring verifies PSS only with the same hash for MGF1 and a salt as long
    // as the hash.
    if mgf_hash != hash || salt_len != hash.len() {
        return Err(SigError::UnsupportedAlgorithm);
    }
    Ok(match hash {
        Hash::Sha256 => SignatureAlgorithm::RsaPssSha256,
        Hash::Sha384 => SignatureAlgorithm::RsaPssSha384,
        Hash::Sha512 => SignatureAlgorithm::RsaPssSha512,
    })
}

/// Verifies `signature` over `message` with the key of a DER
/// SubjectPublicKeyInfo (`spki`), under the DER AlgorithmIdentifier
/// `signature_algorithm` (see [`SignatureAlgorithm::from_der`]).
///
/// This is the check for a certificate (`message` is its tbsCertificate)
/// and for an OCSP `BasicOCSPResponse` (`message` is its
/// tbsResponseData, `spki` the responder's key). `signature` is the BIT
/// STRING's contents.
pub fn verify_signature(
    spki: &[u8],
    signature_algorithm: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), SigError> {
    let info = SubjectPublicKeyInfoRef::from_der(spki).map_err(|_| SigError::MalformedPublicKey)?;
    let key = info
        .subject_public_key
        .as_bytes()
        .ok_or(SigError::MalformedPublicKey)?;
    let key_algorithm =
        PublicKeyAlgorithm::classify(info.algorithm.oid, info.algorithm.parameters, key)
            .map_err(|_| SigError::MalformedPublicKey)?;
    verify_with_key(&key_algorithm, key, signature_algorithm, message, signature)
}

/// [`verify_signature`] with the key already taken apart.
fn verify_with_key(
    key_algorithm: &PublicKeyAlgorithm,
    key: &[u8],
    signature_algorithm: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), SigError> {
    let algorithm =
        SignatureAlgorithm::from_der(signature_algorithm)?.ring_algorithm(key_algorithm)?;
    ring_sig::UnparsedPublicKey::new(algorithm, key)
        .verify(message, signature)
        .map_err(|_| SigError::BadSignature)
}

impl Certificate {
    /// Verifies that `signature` over `message` was made with this
    /// certificate's key, under the DER AlgorithmIdentifier
    /// `signature_algorithm`: [`verify_signature`] with this certificate's
    /// SubjectPublicKeyInfo, already parsed.
    pub fn verify_signature(
        &self,
        signature_algorithm: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SigError> {
        verify_with_key(
            self.public_key_algorithm(),
            self.public_key(),
            signature_algorithm,
            message,
            signature,
        )
    }
}

/// Whether `child`'s signature verifies with `issuer`'s public key. Only
/// the signature is checked: not names, validity or extensions (see
/// [`find_issuer`](super::find_issuer) for that). Unsupported algorithms
/// give `false`.
pub fn verify_signed_by(child: &Certificate, issuer: &Certificate) -> bool {
    issuer
        .verify_signature(child.signature_algorithm(), child.tbs(), child.signature())
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use const_oid::ObjectIdentifier;
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};

    use crate::pki::pem::private_key_from_pem;

    const MESSAGE: &[u8] = b"tbsResponseData, or any other signed bytes";

    fn cert(pem: &[u8]) -> Certificate {
        Certificate::from_pem_chain(pem).unwrap().remove(0)
    }

    fn intermediate() -> Certificate {
        cert(include_bytes!("../../tests/data/pki/intermediate-ca.crt"))
    }

    fn pkcs8(pem: &[u8]) -> Vec<u8> {
        private_key_from_pem(pem).unwrap().der().to_vec()
    }

    /// A DER TLV (definite length, short or long form).
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let len = content.len();
        let mut out = vec![tag];
        if len < 0x80 {
            out.push(len as u8);
        } else if len < 0x100 {
            out.extend([0x81, len as u8]);
        } else {
            out.extend([0x82, (len >> 8) as u8, len as u8]);
        }
        out.extend_from_slice(content);
        out
    }

    fn seq(parts: &[&[u8]]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    fn oid(oid: ObjectIdentifier) -> Vec<u8> {
        tlv(0x06, oid.as_bytes())
    }

    const NULL: &[u8] = &[0x05, 0x00];

    fn alg(id: ObjectIdentifier, params: Option<&[u8]>) -> Vec<u8> {
        match params {
            Some(p) => seq(&[&oid(id), p]),
            None => seq(&[&oid(id)]),
        }
    }

    fn pss_params(hash: ObjectIdentifier, mgf_hash: ObjectIdentifier, salt: u8) -> Vec<u8> {
        seq(&[
            &tlv(0xa0, &alg(hash, Some(NULL))),
            &tlv(0xa1, &alg(oids::MGF1, Some(&alg(mgf_hash, Some(NULL))))),
            &tlv(0xa2, &[0x02, 0x01, salt]),
        ])
    }

    fn pss(hash: ObjectIdentifier, mgf_hash: ObjectIdentifier, salt: u8) -> Vec<u8> {
        alg(oids::RSASSA_PSS, Some(&pss_params(hash, mgf_hash, salt)))
    }

    #[test]
    fn rsa_signatures_made_by_ring() {
        let rng = SystemRandom::new();
        let key = RsaKeyPair::from_pkcs8(&pkcs8(include_bytes!(
            "../../tests/data/pki/intermediate-ca.key"
        )))
        .unwrap();
        let issuer = intermediate();
        let cases: [(&dyn ring_sig::RsaEncoding, Vec<u8>, SignatureAlgorithm); 6] = [
            (
                &ring_sig::RSA_PKCS1_SHA256,
                alg(oids::SHA256_WITH_RSA, Some(NULL)),
                SignatureAlgorithm::RsaPkcs1Sha256,
            ),
            (
                &ring_sig::RSA_PKCS1_SHA384,
                alg(oids::SHA384_WITH_RSA, Some(NULL)),
                SignatureAlgorithm::RsaPkcs1Sha384,
            ),
            (
                &ring_sig::RSA_PKCS1_SHA512,
                alg(oids::SHA512_WITH_RSA, None),
                SignatureAlgorithm::RsaPkcs1Sha512,
            ),
            (
                &ring_sig::RSA_PSS_SHA256,
                pss(oids::SHA256, oids::SHA256, 32),
                SignatureAlgorithm::RsaPssSha256,
            ),
            (
                &ring_sig::RSA_PSS_SHA384,
                pss(oids::SHA384, oids::SHA384, 48),
                SignatureAlgorithm::RsaPssSha384,
            ),
            (
                &ring_sig::RSA_PSS_SHA512,
                pss(oids::SHA512, oids::SHA512, 64),
                SignatureAlgorithm::RsaPssSha512,
            ),
        ];
        for (encoding, alg_der, expected) in cases {
            assert_eq!(SignatureAlgorithm::from_der(&alg_der), Ok(expected));
            let mut sig = vec![0; key.public().modulus_len()];
            key.sign(encoding, &rng, MESSAGE, &mut sig).unwrap();
            assert_eq!(issuer.verify_signature(&alg_der, MESSAGE, &sig), Ok(()));
            assert_eq!(
                verify_signature(issuer.spki(), &alg_der, MESSAGE, &sig),
                Ok(())
            );
            assert_eq!(
                issuer.verify_signature(&alg_der, b"another message", &sig),
                Err(SigError::BadSignature)
            );
            let mut bad = sig.clone();
            bad[10] ^= 1;
            assert_eq!(
                issuer.verify_signature(&alg_der, MESSAGE, &bad),
                Err(SigError::BadSignature)
            );
            // An RSA signature does not fit an EC key.
            let root = cert(include_bytes!("../../tests/data/pki/root-ca.crt"));
            assert_eq!(
                root.verify_signature(&alg_der, MESSAGE, &sig),
                Err(SigError::AlgorithmKeyMismatch)
            );
        }
        // A PKCS#1 signature is not a PSS one.
        let mut sig = vec![0; key.public().modulus_len()];
        key.sign(&ring_sig::RSA_PKCS1_SHA256, &rng, MESSAGE, &mut sig)
            .unwrap();
        assert_eq!(
            issuer.verify_signature(&pss(oids::SHA256, oids::SHA256, 32), MESSAGE, &sig),
            Err(SigError::BadSignature)
        );
    }

    #[test]
    fn ec_and_ed25519_signatures_made_by_ring() {
        let rng = SystemRandom::new();
        let root = cert(include_bytes!("../../tests/data/pki/root-ca.crt"));
        let p256 = EcdsaKeyPair::from_pkcs8(
            &ring_sig::ECDSA_P256_SHA256_ASN1_SIGNING,
            &pkcs8(include_bytes!("../../tests/data/pki/root-ca.key")),
            &rng,
        )
        .unwrap();
        let sig = p256.sign(&rng, MESSAGE).unwrap();
        let ecdsa_sha256 = alg(oids::ECDSA_WITH_SHA256, None);
        assert_eq!(
            root.verify_signature(&ecdsa_sha256, MESSAGE, sig.as_ref()),
            Ok(())
        );
        // The same signature under another hash does not verify.
        assert_eq!(
            root.verify_signature(&alg(oids::ECDSA_WITH_SHA384, None), MESSAGE, sig.as_ref()),
            Err(SigError::BadSignature)
        );
        // ECDSA identifiers have no parameters (RFC 5758 §3.2).
        assert_eq!(
            root.verify_signature(
                &alg(oids::ECDSA_WITH_SHA256, Some(NULL)),
                MESSAGE,
                sig.as_ref()
            ),
            Err(SigError::MalformedAlgorithm)
        );
        // Another P-256 key with the same name.
        let decoy = cert(include_bytes!("../../tests/data/pki/root-ca-decoy.crt"));
        assert_eq!(
            decoy.verify_signature(&ecdsa_sha256, MESSAGE, sig.as_ref()),
            Err(SigError::BadSignature)
        );

        let self_signed = cert(include_bytes!("../../tests/data/pki/self-signed.crt"));
        let p384 = EcdsaKeyPair::from_pkcs8(
            &ring_sig::ECDSA_P384_SHA384_ASN1_SIGNING,
            &pkcs8(include_bytes!("../../tests/data/pki/self-signed.key")),
            &rng,
        )
        .unwrap();
        let sig = p384.sign(&rng, MESSAGE).unwrap();
        let ecdsa_sha384 = alg(oids::ECDSA_WITH_SHA384, None);
        assert_eq!(
            self_signed.verify_signature(&ecdsa_sha384, MESSAGE, sig.as_ref()),
            Ok(())
        );

        let ed_cert = cert(include_bytes!("../../tests/data/pki/leaf-ed25519.crt"));
        let ed = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8(include_bytes!(
            "../../tests/data/pki/leaf-ed25519.key"
        )))
        .unwrap();
        let sig = ed.sign(MESSAGE);
        let ed25519 = alg(oids::ID_ED25519, None);
        assert_eq!(
            SignatureAlgorithm::from_der(&ed25519),
            Ok(SignatureAlgorithm::Ed25519)
        );
        assert_eq!(
            ed_cert.verify_signature(&ed25519, MESSAGE, sig.as_ref()),
            Ok(())
        );
        assert_eq!(
            verify_signature(ed_cert.spki(), &ed25519, MESSAGE, sig.as_ref()),
            Ok(())
        );
        assert_eq!(
            ed_cert.verify_signature(&ed25519, &MESSAGE[1..], sig.as_ref()),
            Err(SigError::BadSignature)
        );
        assert_eq!(
            root.verify_signature(&ed25519, MESSAGE, sig.as_ref()),
            Err(SigError::AlgorithmKeyMismatch)
        );
    }

    #[test]
    fn algorithm_identifiers_refused() {
        let sha1_with_rsa = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
        let ecdsa_sha512 = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
        let cases: Vec<(Vec<u8>, SigError)> = vec![
            (
                alg(sha1_with_rsa, Some(NULL)),
                SigError::UnsupportedAlgorithm,
            ),
            (alg(ecdsa_sha512, None), SigError::UnsupportedAlgorithm),
            (
                alg(oids::ID_ED25519, Some(NULL)),
                SigError::MalformedAlgorithm,
            ),
            (
                alg(oids::SHA256_WITH_RSA, Some(&[0x02, 0x01, 0x00])),
                SigError::MalformedAlgorithm,
            ),
            // PSS: no parameters; SHA-1 defaults; salt, MGF or trailer ring
            // cannot verify; parameters that are not DER.
            (alg(oids::RSASSA_PSS, None), SigError::MalformedAlgorithm),
            (
                alg(oids::RSASSA_PSS, Some(NULL)),
                SigError::MalformedAlgorithm,
            ),
            (
                alg(oids::RSASSA_PSS, Some(&seq(&[]))),
                SigError::UnsupportedAlgorithm,
            ),
            (
                pss(oids::SHA256, oids::SHA256, 20),
                SigError::UnsupportedAlgorithm,
            ),
            (
                pss(oids::SHA256, oids::SHA384, 32),
                SigError::UnsupportedAlgorithm,
            ),
            (
                pss(oids::SHA512, oids::SHA512, 32),
                SigError::UnsupportedAlgorithm,
            ),
            (
                alg(
                    oids::RSASSA_PSS,
                    Some(&seq(&[
                        &tlv(0xa0, &alg(oids::SHA256, None)),
                        &tlv(0xa1, &alg(oids::MGF1, Some(&alg(oids::SHA256, None)))),
                        &tlv(0xa2, &[0x02, 0x01, 32]),
                        &tlv(0xa3, &[0x02, 0x01, 2]),
                    ])),
                ),
                SigError::UnsupportedAlgorithm,
            ),
            (
                alg(
                    oids::RSASSA_PSS,
                    Some(&seq(&[
                        &tlv(0xa0, &alg(oids::SHA256, Some(&[0x02, 0x01, 0x00]))),
                        &tlv(0xa1, &alg(oids::MGF1, Some(&alg(oids::SHA256, None)))),
                        &tlv(0xa2, &[0x02, 0x01, 32]),
                    ])),
                ),
                SigError::MalformedAlgorithm,
            ),
            (
                alg(
                    oids::RSASSA_PSS,
                    Some(&seq(&[
                        &tlv(0xa0, &alg(oids::SHA256, None)),
                        &tlv(0xa1, &alg(oids::SHA256, None)),
                        &tlv(0xa2, &[0x02, 0x01, 32]),
                    ])),
                ),
                SigError::UnsupportedAlgorithm,
            ),
            (
                alg(
                    oids::RSASSA_PSS,
                    Some(&seq(&[
                        &tlv(0xa0, &alg(oids::SHA256, None)),
                        &tlv(0xa1, &alg(oids::MGF1, None)),
                    ])),
                ),
                SigError::MalformedAlgorithm,
            ),
            (
                {
                    let mut p = pss_params(oids::SHA256, oids::SHA256, 32);
                    p.push(0);
                    alg(oids::RSASSA_PSS, Some(&p))
                },
                SigError::MalformedAlgorithm,
            ),
            (vec![], SigError::MalformedAlgorithm),
            (vec![0x30, 0x00], SigError::MalformedAlgorithm),
            (NULL.to_vec(), SigError::MalformedAlgorithm),
        ];
        let issuer = intermediate();
        for (alg_der, error) in cases {
            assert_eq!(
                SignatureAlgorithm::from_der(&alg_der),
                Err(error),
                "{alg_der:02x?}"
            );
            assert_eq!(
                issuer.verify_signature(&alg_der, MESSAGE, &[0; 256]),
                Err(error)
            );
        }
    }

    #[test]
    fn public_keys_refused() {
        let ecdsa_sha256 = alg(oids::ECDSA_WITH_SHA256, None);
        for spki in [&[][..], &[0x30, 0x00], &[0x05, 0x00]] {
            assert_eq!(
                verify_signature(spki, &ecdsa_sha256, MESSAGE, &[]),
                Err(SigError::MalformedPublicKey)
            );
        }
        // An RSA key that is not an RSAPublicKey.
        let bad_rsa = seq(&[
            &alg(oids::RSA_ENCRYPTION, Some(NULL)),
            &tlv(0x03, &[0, 0x30, 0]),
        ]);
        assert_eq!(
            verify_signature(&bad_rsa, &ecdsa_sha256, MESSAGE, &[]),
            Err(SigError::MalformedPublicKey)
        );
        // A key of a type ring does not verify with (X25519).
        let x25519 = ObjectIdentifier::new_unwrap("1.3.101.110");
        let spki = seq(&[&alg(x25519, None), &tlv(0x03, &[0; 33])]);
        assert_eq!(
            verify_signature(&spki, &ecdsa_sha256, MESSAGE, &[]),
            Err(SigError::UnsupportedPublicKey)
        );
        // An RSA key under 2048 bits: a 1024-bit modulus.
        let mut modulus = vec![0x00, 0x80];
        modulus.extend([0x11; 127]);
        let rsa_key = seq(&[&tlv(0x02, &modulus), &[0x02, 0x03, 0x01, 0x00, 0x01]]);
        let mut bits = vec![0];
        bits.extend(rsa_key);
        let spki = seq(&[&alg(oids::RSA_ENCRYPTION, Some(NULL)), &tlv(0x03, &bits)]);
        assert_eq!(
            verify_signature(
                &spki,
                &alg(oids::SHA256_WITH_RSA, Some(NULL)),
                MESSAGE,
                &[0; 128]
            ),
            Err(SigError::UnsupportedPublicKey)
        );
        assert!(!SigError::UnsupportedPublicKey.to_string().is_empty());
    }
}
