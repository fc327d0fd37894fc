//! The server's signing key: loading it from DER, choosing a signature
//! scheme the client accepts, signing, and the TLS 1.3 CertificateVerify
//! content (RFC 8446 §4.2.3, §4.4.3).
//!
//! Formats read: PKCS#8 PrivateKeyInfo (RFC 5208; ECDSA P-256 and P-384,
//! Ed25519, RSA), SEC1 ECPrivateKey (RFC 5915; P-256 and P-384) and PKCS#1
//! RSAPrivateKey (RFC 8017 §A.1.2). ring reads PKCS#8 and PKCS#1 itself;
//! for SEC1 this module takes the structure apart and hands ring the two
//! fields it needs (`EcdsaKeyPair::from_private_key_and_public_key`, which
//! checks that they match), rather than re-wrapping the key as PKCS#8.

use core::fmt;

use ring::{
    digest,
    rand::SecureRandom,
    signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair},
};

use crate::codec::der::{self, DerItem};
pub use crate::enums::SignatureScheme;
use crate::error::{CryptoError, Error, KeyError};

impl SignatureScheme {
    /// Whether TLS 1.3 lets a CertificateVerify use this scheme: not
    /// RSASSA-PKCS1-v1_5 and not SHA-1 (RFC 8446 §4.2.3, §4.4.3).
    pub(crate) fn allowed_in_tls13(self) -> bool {
        !matches!(
            self,
            Self::RsaPkcs1Sha1
                | Self::EcdsaSha1
                | Self::RsaPkcs1Sha256
                | Self::RsaPkcs1Sha384
                | Self::RsaPkcs1Sha512
                | Self::Unknown(_)
        )
    }
}

/// What kind of key a [`SigningKey`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyAlgorithm {
    /// ECDSA on NIST P-256.
    EcdsaP256,
    /// ECDSA on NIST P-384.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
    /// RSA with a modulus of this many bits.
    Rsa {
        /// The modulus length in bits.
        modulus_bits: usize,
    },
}

impl KeyAlgorithm {
    /// The schemes a key of this kind makes, in the server's order of
    /// preference. For RSA the PKCS#1 v1.5 schemes are for TLS 1.2 only.
    pub(crate) fn schemes(self) -> &'static [SignatureScheme] {
        match self {
            Self::EcdsaP256 => ECDSA_P256_SCHEMES,
            Self::EcdsaP384 => ECDSA_P384_SCHEMES,
            Self::Ed25519 => ED25519_SCHEMES,
            Self::Rsa { .. } => RSA_SCHEMES,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EcdsaP256 => f.write_str("ECDSA P-256"),
            Self::EcdsaP384 => f.write_str("ECDSA P-384"),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::Rsa { modulus_bits } => write!(f, "RSA {modulus_bits}"),
        }
    }
}

/// Schemes each key can make, in the server's order of preference. An
/// ECDSA key in ring is bound to one hash, the one TLS 1.3 pairs with its
/// curve, so it offers exactly that scheme in either version.
const ECDSA_P256_SCHEMES: &[SignatureScheme] = &[SignatureScheme::EcdsaSecp256r1Sha256];
const ECDSA_P384_SCHEMES: &[SignatureScheme] = &[SignatureScheme::EcdsaSecp384r1Sha384];
const ED25519_SCHEMES: &[SignatureScheme] = &[SignatureScheme::Ed25519];
/// RSA: PSS first (the only choice in TLS 1.3), then PKCS#1 v1.5 for TLS
/// 1.2 clients. ring cannot sign with SHA-1.
const RSA_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha384,
    SignatureScheme::RsaPkcs1Sha512,
];

/// DER tags used here (X.690 §8).
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
/// `[0] EXPLICIT` and `[1] EXPLICIT` of ECPrivateKey.
const CONTEXT_0: u8 = 0xa0;
const CONTEXT_1: u8 = 0xa1;

/// Object identifier contents (the bytes after tag and length).
mod oid {
    /// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480).
    pub(super) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// secp256r1 / prime256v1, 1.2.840.10045.3.1.7.
    pub(super) const SECP256R1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// secp384r1, 1.3.132.0.34.
    pub(super) const SECP384R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    /// secp521r1, 1.3.132.0.35.
    pub(super) const SECP521R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// id-Ed25519, 1.3.101.112 (RFC 8410).
    pub(super) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    /// id-Ed448, 1.3.101.113 (RFC 8410).
    pub(super) const ED448: &[u8] = &[0x2b, 0x65, 0x71];
    /// id-X25519, 1.3.101.110 (RFC 8410): key agreement only.
    pub(super) const X25519: &[u8] = &[0x2b, 0x65, 0x6e];
    /// id-X448, 1.3.101.111 (RFC 8410): key agreement only.
    pub(super) const X448: &[u8] = &[0x2b, 0x65, 0x6f];
    /// rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017).
    pub(super) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// id-RSASSA-PSS, 1.2.840.113549.1.1.10 (RFC 8017).
    pub(super) const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    /// id-dsa, 1.2.840.10040.4.1.
    pub(super) const DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
}

/// Splits the next DER item off `buf`, which must have tag `tag`.
fn expect(buf: &[u8], tag: u8) -> Result<(DerItem<'_>, &[u8]), KeyError> {
    match der::split_item(buf) {
        Some((item, rest)) if item.tag == tag => Ok((item, rest)),
        _ => Err(KeyError::Malformed),
    }
}

/// Splits off an optional item with tag `tag`.
fn optional(buf: &[u8], tag: u8) -> Result<(Option<DerItem<'_>>, &[u8]), KeyError> {
    if buf.first() == Some(&tag) {
        expect(buf, tag).map(|(item, rest)| (Some(item), rest))
    } else {
        Ok((None, buf))
    }
}

/// The contents of the single SEQUENCE that is all of `buf`.
fn sequence(buf: &[u8]) -> Result<&[u8], KeyError> {
    match expect(buf, der::SEQUENCE)? {
        (item, []) => Ok(item.contents),
        _ => Err(KeyError::Malformed),
    }
}

/// The curves ring can sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
}

impl Curve {
    fn from_oid(oid: &[u8]) -> Result<Self, KeyError> {
        match oid {
            oid::SECP256R1 => Ok(Self::P256),
            oid::SECP384R1 => Ok(Self::P384),
            oid::SECP521R1 => Err(KeyError::UnsupportedAlgorithm("secp521r1")),
            _ => Err(KeyError::UnsupportedAlgorithm("this elliptic curve")),
        }
    }

    fn signing(self) -> &'static signature::EcdsaSigningAlgorithm {
        match self {
            Self::P256 => &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            Self::P384 => &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        }
    }

    fn algorithm(self) -> KeyAlgorithm {
        match self {
            Self::P256 => KeyAlgorithm::EcdsaP256,
            Self::P384 => KeyAlgorithm::EcdsaP384,
        }
    }
}

/// The fields of an ECPrivateKey (RFC 5915 §3):
///
/// ```text
/// ECPrivateKey ::= SEQUENCE {
///   version        INTEGER { ecPrivkeyVer1(1) },
///   privateKey     OCTET STRING,
///   parameters [0] ECParameters {{ NamedCurve }} OPTIONAL,
///   publicKey  [1] BIT STRING OPTIONAL }
/// ```
struct EcPrivateKey<'a> {
    private_key: &'a [u8],
    curve: Option<Curve>,
    /// The uncompressed point, without the BIT STRING's unused-bits byte.
    public_key: Option<&'a [u8]>,
}

impl<'a> EcPrivateKey<'a> {
    fn parse(der: &'a [u8]) -> Result<Self, KeyError> {
        let body = sequence(der)?;
        let (version, body) = expect(body, INTEGER)?;
        if version.contents != [1] {
            return Err(KeyError::Malformed);
        }
        let (private_key, body) = expect(body, OCTET_STRING)?;
        let (parameters, body) = optional(body, CONTEXT_0)?;
        let (public_key, body) = optional(body, CONTEXT_1)?;
        if !body.is_empty() {
            return Err(KeyError::Malformed);
        }
        let curve = match parameters {
            // ECParameters is a CHOICE; only namedCurve is usable.
            Some(params) => match expect(params.contents, OID) {
                Ok((named, [])) => Some(Curve::from_oid(named.contents)?),
                _ => return Err(KeyError::UnsupportedAlgorithm("explicit EC parameters")),
            },
            None => None,
        };
        let public_key = match public_key {
            Some(wrapped) => match expect(wrapped.contents, BIT_STRING)? {
                // No unused bits: a whole number of octets.
                (bits, []) => match bits.contents.split_first() {
                    Some((0, point)) => Some(point),
                    _ => return Err(KeyError::Malformed),
                },
                _ => return Err(KeyError::Malformed),
            },
            None => None,
        };
        Ok(Self {
            private_key: private_key.contents,
            curve,
            public_key,
        })
    }

    /// The curve, from the parameters or, as RFC 5915 leaves them optional,
    /// from the private key's length (⌈log2(n)/8⌉ octets, §3).
    fn curve(&self) -> Result<Curve, KeyError> {
        match (self.curve, self.private_key.len()) {
            (Some(curve), _) => Ok(curve),
            (None, 32) => Ok(Curve::P256),
            (None, 48) => Ok(Curve::P384),
            (None, 66) => Err(KeyError::UnsupportedAlgorithm("secp521r1")),
            (None, _) => Err(KeyError::Malformed),
        }
    }
}

/// Translates ring's reason for refusing a key.
fn rejected(e: &ring::error::KeyRejected) -> KeyError {
    // ring reports the reason only through Display; this runs once per
    // key load, never in a handshake.
    match e.to_string().as_str() {
        "InvalidEncoding" => KeyError::Malformed,
        "PublicKeyIsMissing" => KeyError::MissingPublicKey,
        "TooSmall" => KeyError::Rejected("the RSA modulus is shorter than 2048 bits"),
        "TooLarge" => KeyError::Rejected("the RSA modulus is longer than 4096 bits"),
        "InconsistentComponents" => {
            KeyError::Rejected("the public key does not match the private key")
        }
        "InvalidComponent" => KeyError::Rejected("a key component is out of range"),
        "PrivateModulusLenNotMultipleOf512Bits" => {
            KeyError::Rejected("the RSA modulus length is not a multiple of 512 bits")
        }
        "VersionNotSupported" => KeyError::Rejected("unsupported key structure version"),
        "WrongAlgorithm" => KeyError::Rejected("the algorithm identifier does not fit the key"),
        "RNG failed" => KeyError::Rejected("the random number generator failed"),
        _ => KeyError::Rejected("refused by ring"),
    }
}

enum Inner {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
    /// A key held elsewhere (an HSM, a KMS, a keyless service): only its
    /// public half is here, as in the certificate, and the application
    /// signs.
    Remote(bytes::Bytes),
}

/// A private key the server signs its handshakes with.
pub(crate) struct SigningKey {
    inner: Inner,
    algorithm: KeyAlgorithm,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Loads a DER private key in any of the three formats, telling them
    /// apart by their first two fields: PKCS#8 is `SEQUENCE { INTEGER,
    /// SEQUENCE, ...}`, SEC1 `SEQUENCE { INTEGER, OCTET STRING, ...}`,
    /// PKCS#1 `SEQUENCE { INTEGER, INTEGER, ...}`, and an encrypted PKCS#8
    /// key starts `SEQUENCE { SEQUENCE, ...}`.
    ///
    /// `rng` is needed by ring to set up ECDSA nonce generation.
    pub(crate) fn from_der(der: &[u8], rng: &dyn SecureRandom) -> Result<Self, KeyError> {
        let body = sequence(der)?;
        let (first, rest) = der::split_item(body).ok_or(KeyError::Malformed)?;
        let second = rest.first().copied();
        match (first.tag, second) {
            (INTEGER, Some(der::SEQUENCE)) => Self::from_pkcs8(der, rng),
            (INTEGER, Some(OCTET_STRING)) => Self::from_sec1(der, rng),
            (INTEGER, Some(INTEGER)) => Self::from_pkcs1(der),
            (der::SEQUENCE, Some(OCTET_STRING)) => Err(KeyError::Encrypted),
            _ => Err(KeyError::Malformed),
        }
    }

    /// Loads a PKCS#8 PrivateKeyInfo, v1 or v2 (RFC 5208 §5, RFC 5958 §2):
    ///
    /// ```text
    /// PrivateKeyInfo ::= SEQUENCE {
    ///   version             INTEGER,
    ///   privateKeyAlgorithm AlgorithmIdentifier,
    ///   privateKey          OCTET STRING, ... }
    /// ```
    pub(crate) fn from_pkcs8(der: &[u8], rng: &dyn SecureRandom) -> Result<Self, KeyError> {
        let body = sequence(der)?;
        let (_version, body) = expect(body, INTEGER)?;
        let (algorithm, body) = expect(body, der::SEQUENCE)?;
        let (private_key, _) = expect(body, OCTET_STRING)?;
        let (algorithm_oid, parameters) = expect(algorithm.contents, OID)?;

        match algorithm_oid.contents {
            oid::EC_PUBLIC_KEY => {
                let curve = match expect(parameters, OID) {
                    Ok((named, [])) => Curve::from_oid(named.contents)?,
                    _ => return Err(KeyError::UnsupportedAlgorithm("explicit EC parameters")),
                };
                // ring needs the public key; say so plainly if it is absent.
                if EcPrivateKey::parse(private_key.contents)?
                    .public_key
                    .is_none()
                {
                    return Err(KeyError::MissingPublicKey);
                }
                let pair = EcdsaKeyPair::from_pkcs8(curve.signing(), der, rng)
                    .map_err(|e| rejected(&e))?;
                Ok(Self {
                    inner: Inner::Ecdsa(pair),
                    algorithm: curve.algorithm(),
                })
            }
            oid::ED25519 => {
                // v1 keys carry no public key; ring computes it. A v2 key's
                // public key is checked against the private key.
                let pair =
                    Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(|e| rejected(&e))?;
                Ok(Self {
                    inner: Inner::Ed25519(pair),
                    algorithm: KeyAlgorithm::Ed25519,
                })
            }
            oid::RSA_ENCRYPTION => Self::rsa(RsaKeyPair::from_pkcs8(der)),
            oid::RSASSA_PSS => Err(KeyError::UnsupportedAlgorithm("RSASSA-PSS")),
            oid::ED448 => Err(KeyError::UnsupportedAlgorithm("Ed448")),
            oid::X25519 => Err(KeyError::UnsupportedAlgorithm("X25519")),
            oid::X448 => Err(KeyError::UnsupportedAlgorithm("X448")),
            oid::DSA => Err(KeyError::UnsupportedAlgorithm("DSA")),
            _ => Err(KeyError::UnsupportedAlgorithm("this key algorithm")),
        }
    }

    /// Loads a SEC1 ECPrivateKey (RFC 5915), which must include its public
    /// key.
    pub(crate) fn from_sec1(der: &[u8], rng: &dyn SecureRandom) -> Result<Self, KeyError> {
        let key = EcPrivateKey::parse(der)?;
        let curve = key.curve()?;
        let public_key = key.public_key.ok_or(KeyError::MissingPublicKey)?;
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            curve.signing(),
            key.private_key,
            public_key,
            rng,
        )
        .map_err(|e| rejected(&e))?;
        Ok(Self {
            inner: Inner::Ecdsa(pair),
            algorithm: curve.algorithm(),
        })
    }

    /// Loads a PKCS#1 RSAPrivateKey (RFC 8017 §A.1.2).
    pub(crate) fn from_pkcs1(der: &[u8]) -> Result<Self, KeyError> {
        Self::rsa(RsaKeyPair::from_der(der))
    }

    fn rsa(pair: Result<RsaKeyPair, ring::error::KeyRejected>) -> Result<Self, KeyError> {
        let pair = pair.map_err(|e| rejected(&e))?;
        let modulus_bits = modulus_bits(pair.public().as_ref()).ok_or(KeyError::Malformed)?;
        Ok(Self {
            inner: Inner::Rsa(pair),
            algorithm: KeyAlgorithm::Rsa { modulus_bits },
        })
    }

    /// What kind of key this is.
    pub(crate) fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The public key as it appears in the subjectPublicKey BIT STRING of
    /// the certificate's SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), so the
    /// configuration can check that key and certificate belong together:
    /// the uncompressed point for ECDSA (RFC 5480 §2.2), the 32-byte key for
    /// Ed25519 (RFC 8410 §4), and the DER RSAPublicKey for RSA (RFC 8017
    /// §A.1.1).
    pub(crate) fn public_key(&self) -> &[u8] {
        match &self.inner {
            Inner::Ecdsa(pair) => pair.public_key().as_ref(),
            Inner::Ed25519(pair) => pair.public_key().as_ref(),
            Inner::Rsa(pair) => pair.public().as_ref(),
            Inner::Remote(public_key) => public_key,
        }
    }

    /// A key whose private half the application holds: `public_key` is the
    /// certificate's subjectPublicKey, of `algorithm`.
    pub(crate) fn remote(algorithm: KeyAlgorithm, public_key: bytes::Bytes) -> Self {
        Self {
            inner: Inner::Remote(public_key),
            algorithm,
        }
    }

    /// Whether the application signs for this key.
    pub(crate) fn is_remote(&self) -> bool {
        matches!(self.inner, Inner::Remote(_))
    }

    /// The schemes this key can sign with, in the server's order of
    /// preference (see [`KeyAlgorithm::schemes`]).
    pub(crate) fn schemes(&self) -> &'static [SignatureScheme] {
        self.algorithm.schemes()
    }

    /// The longest signature this key makes: a DER ECDSA signature is a
    /// SEQUENCE of two INTEGERs of at most the group order's length plus a
    /// sign octet (RFC 8446 §4.2.3, RFC 3279 §2.2.3); Ed25519's is 64 bytes
    /// (RFC 8032 §5.1.6); RSA's is as long as the modulus (RFC 8017 §8).
    pub(crate) fn max_signature_len(&self) -> usize {
        match self.algorithm {
            KeyAlgorithm::EcdsaP256 => 2 + 2 * (2 + 33),
            KeyAlgorithm::EcdsaP384 => 2 + 2 * (2 + 49),
            KeyAlgorithm::Ed25519 => 64,
            KeyAlgorithm::Rsa { modulus_bits } => modulus_bits.div_ceil(8),
        }
    }

    /// Picks the scheme to sign with from the client's
    /// signature_algorithms: the first of [`Self::schemes`] the client
    /// offered, leaving out those TLS 1.3 forbids in CertificateVerify when
    /// `tls13` is set. One pass over `offered`, no allocation.
    pub(crate) fn choose_scheme(
        &self,
        offered: impl IntoIterator<Item = u16>,
        tls13: bool,
    ) -> Option<SignatureScheme> {
        let ours = self.schemes();
        offered
            .into_iter()
            .map(SignatureScheme::from_wire)
            .filter(|scheme| !tls13 || scheme.allowed_in_tls13())
            .filter_map(|scheme| ours.iter().position(|&o| o == scheme).map(|i| (i, scheme)))
            .min_by_key(|&(rank, _)| rank)
            .map(|(_, scheme)| scheme)
    }

    /// Signs `message` with `scheme`, which must be one of
    /// [`Self::schemes`]. ECDSA signatures are DER (RFC 8446 §4.2.3).
    pub(crate) fn sign(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        rng: &dyn SecureRandom,
    ) -> Result<Signature, Error> {
        if !self.schemes().contains(&scheme) {
            return Err(CryptoError::UnsupportedScheme(scheme.to_wire()).into());
        }
        match &self.inner {
            Inner::Ecdsa(pair) => pair
                .sign(rng, message)
                .map(Signature::Inline)
                .map_err(|_| CryptoError::Random.into()),
            Inner::Ed25519(pair) => Ok(Signature::Inline(pair.sign(message))),
            Inner::Rsa(pair) => {
                let padding: &'static dyn signature::RsaEncoding = match scheme {
                    SignatureScheme::RsaPssRsaeSha256 => &signature::RSA_PSS_SHA256,
                    SignatureScheme::RsaPssRsaeSha384 => &signature::RSA_PSS_SHA384,
                    SignatureScheme::RsaPssRsaeSha512 => &signature::RSA_PSS_SHA512,
                    SignatureScheme::RsaPkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
                    SignatureScheme::RsaPkcs1Sha384 => &signature::RSA_PKCS1_SHA384,
                    SignatureScheme::RsaPkcs1Sha512 => &signature::RSA_PKCS1_SHA512,
                    _ => return Err(CryptoError::UnsupportedScheme(scheme.to_wire()).into()),
                };
                let mut sig = vec![0; pair.public().modulus_len()];
                pair.sign(padding, rng, message, &mut sig)
                    .map_err(|_| CryptoError::Refused)?;
                Ok(Signature::Rsa(sig))
            }
            // The handshake asks the application instead; reaching here
            // would be a bug, reported as one.
            Inner::Remote(_) => Err(CryptoError::Refused.into()),
        }
    }

    /// Checks `signature` over `message` with this key's public half, as
    /// the client will: a signature the application made for a remote key
    /// is checked before it is sent (see [`verify`]).
    pub(crate) fn verify(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        if !self.schemes().contains(&scheme) {
            return Err(CryptoError::UnsupportedScheme(scheme.to_wire()).into());
        }
        verify::verify(scheme, self.public_key(), message, signature)
    }
}

/// A signature's bytes. ECDSA and Ed25519 signatures are small and stay
/// where ring made them, off the heap; an RSA signature is as long as the
/// modulus (up to 1 KiB for the 8192-bit keys ring accepts), and its signing
/// costs far more than its one allocation.
pub(crate) enum Signature {
    /// ECDSA (DER) or Ed25519.
    Inline(signature::Signature),
    /// RSA, PSS or PKCS#1 v1.5.
    Rsa(Vec<u8>),
}

impl AsRef<[u8]> for Signature {
    fn as_ref(&self) -> &[u8] {
        match self {
            Self::Inline(sig) => sig.as_ref(),
            Self::Rsa(sig) => sig,
        }
    }
}

impl PartialEq for Signature {
    fn eq(&self, other: &Self) -> bool {
        self.as_ref() == other.as_ref()
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({} bytes)", self.as_ref().len())
    }
}

/// The bit length of the modulus in a DER RSAPublicKey
/// `SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
fn modulus_bits(rsa_public_key: &[u8]) -> Option<usize> {
    let body = sequence(rsa_public_key).ok()?;
    let (n, _) = expect(body, INTEGER).ok()?;
    // Skip the sign octet of a positive integer with its top bit set.
    let magnitude = match n.contents {
        [0, rest @ ..] => rest,
        all => all,
    };
    let (&top, rest) = magnitude.split_first()?;
    let top_bits = 8usize.checked_sub(usize::try_from(top.leading_zeros()).ok()?)?;
    rest.len().checked_mul(8)?.checked_add(top_bits)
}

/// 64 spaces, then the context string of a server's signature, then a zero
/// byte (RFC 8446 §4.4.3).
const CERTIFICATE_VERIFY_PREFIX: &[u8; 98] =
    b"                                                                \
TLS 1.3, server CertificateVerify\x00";

/// The same for a client's signature: its context string is as long.
const CLIENT_CERTIFICATE_VERIFY_PREFIX: &[u8; 98] =
    b"                                                                \
TLS 1.3, client CertificateVerify\x00";

/// The content a TLS 1.3 server's CertificateVerify signs (RFC 8446
/// §4.4.3): the fixed prefix and `Transcript-Hash(Handshake Context,
/// Certificate)`, in a fixed-size buffer.
pub(crate) struct CertificateVerifyMessage {
    buf: [u8; CERTIFICATE_VERIFY_PREFIX.len() + digest::MAX_OUTPUT_LEN],
    /// At most `buf.len()`, by construction.
    len: usize,
}

impl CertificateVerifyMessage {
    /// The message over a transcript hash of any supported length.
    pub(crate) fn new(transcript_hash: &digest::Digest) -> Self {
        Self::from_hash_bytes(CERTIFICATE_VERIFY_PREFIX, transcript_hash.as_ref())
    }

    /// What a client's CertificateVerify signs: the client's context
    /// string, and the hash through its Certificate.
    pub(crate) fn client(transcript_hash: &digest::Digest) -> Self {
        Self::from_hash_bytes(CLIENT_CERTIFICATE_VERIFY_PREFIX, transcript_hash.as_ref())
    }

    /// The message over `hash`, which is at most `digest::MAX_OUTPUT_LEN`
    /// bytes (as every `Digest` is; any excess is not used).
    fn from_hash_bytes(context: &[u8; 98], hash: &[u8]) -> Self {
        let mut buf = [0; CERTIFICATE_VERIFY_PREFIX.len() + digest::MAX_OUTPUT_LEN];
        let (prefix, tail) = buf.split_at_mut(CERTIFICATE_VERIFY_PREFIX.len());
        prefix.copy_from_slice(context);
        let hash_len = hash.len().min(tail.len());
        for (dst, src) in tail.iter_mut().zip(hash) {
            *dst = *src;
        }
        Self {
            buf,
            len: CERTIFICATE_VERIFY_PREFIX.len() + hash_len,
        }
    }
}

impl AsRef<[u8]> for CertificateVerifyMessage {
    fn as_ref(&self) -> &[u8] {
        // `len <= buf.len()` by construction, so this never falls back.
        self.buf.get(..self.len).unwrap_or_default()
    }
}

mod verify;

pub(crate) use verify::algorithm as verifier;

#[cfg(test)]
mod tests;
