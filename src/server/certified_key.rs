//! A certificate chain with the key that signs for it, ready to serve: the
//! unit a configuration holds and a certificate selection hands back.

use std::fmt;

use bytes::Bytes;
use ring::rand::SystemRandom;

use crate::crypto::signing::{KeyAlgorithm, SigningKey};
use crate::pki::{self, pem, Certificate, PublicKeyAlgorithm};
use crate::server::config_error::ConfigError;

/// The largest certificate or staple the Certificate message can carry:
/// `opaque cert_data<1..2^24-1>` (RFC 8446 §4.4.2).
pub(crate) const MAX_U24: usize = 0x00ff_ffff;

/// A certificate chain with its private key, and the leaf's issuer.
pub struct CertifiedKey {
    chain: Vec<Bytes>,
    leaf: Certificate,
    issuer: Option<Certificate>,
    key: SigningKey,
    /// SHA-256 of the leaf's DER: what a session ticket binds.
    leaf_sha256: [u8; 32],
}

impl CertifiedKey {
    /// The leaf certificate's DER.
    pub fn leaf_der(&self) -> &Bytes {
        self.leaf.der()
    }

    /// The parsed leaf certificate.
    pub fn leaf(&self) -> &Certificate {
        &self.leaf
    }

    /// The DER of the leaf's issuer, if it was found among the chain and the
    /// configured CA certificates; `None` for a self-signed leaf.
    pub fn issuer_der(&self) -> Option<&Bytes> {
        self.issuer.as_ref().map(Certificate::der)
    }

    /// The parsed issuer, when known (see [`Self::issuer_der`]).
    pub fn issuer(&self) -> Option<&Certificate> {
        self.issuer.as_ref()
    }

    /// The chain as sent, leaf first.
    pub fn chain(&self) -> &[Bytes] {
        &self.chain
    }

    pub(crate) fn key(&self) -> &SigningKey {
        &self.key
    }
}

impl fmt::Debug for CertifiedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertifiedKey")
            .field("names", &self.leaf.dns_names())
            .field("key", &self.key.algorithm())
            .field("chain_len", &self.chain.len())
            .field("issuer_known", &self.issuer.is_some())
            .finish()
    }
}

impl CertifiedKey {
    /// A chain (leaf first) and its private key, each PEM or DER, as
    /// `ServerConfigBuilder::certificate_chain` takes them; the leaf's
    /// issuer is looked up among the rest of the chain and `ca` (a PEM
    /// bundle or one DER certificate; empty for none). This is what a
    /// certificate selection answers with.
    ///
    /// ```
    /// # use stapler::server::CertifiedKey;
    /// let cert = CertifiedKey::from_pem(
    ///     include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"),
    ///     include_bytes!("../../tests/data/pki/leaf-ecdsa.key"),
    ///     include_bytes!("../../tests/data/pki/root-ca.crt"),
    /// )?;
    /// assert!(cert.issuer_der().is_some());
    /// # Ok::<(), stapler::server::ConfigError>(())
    /// ```
    pub fn from_pem(chain: &[u8], key: &[u8], ca: &[u8]) -> Result<Self, ConfigError> {
        let der = pem::certificates_from_pem_or_der(chain)?;
        let key = pem::private_key_from_pem_or_der(key)?;
        let (certs, key) = parse_chain(der, key.der())?;
        Self::assemble(certs, key, &parse_ca(ca)?)
    }

    /// A chain (leaf first, PEM or DER) whose private key the application
    /// holds elsewhere: an HSM, a KMS, a keyless service. Handshakes that
    /// use it raise `Event::SignRequest` for the one signature each needs,
    /// and check the answer with the leaf's public key before sending it.
    /// `ca` as for [`Self::from_pem`].
    ///
    /// The leaf's key must be ECDSA P-256 or P-384, Ed25519, or RSA of
    /// 2048 bits or more (rsaEncryption): what this server can sign with.
    ///
    /// ```
    /// # use stapler::server::CertifiedKey;
    /// let cert = CertifiedKey::remote(include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"), b"")?;
    /// assert!(cert.is_remote());
    /// # Ok::<(), stapler::server::ConfigError>(())
    /// ```
    pub fn remote(chain: &[u8], ca: &[u8]) -> Result<Self, ConfigError> {
        let (certs, key) = parse_remote_chain(chain)?;
        Self::assemble(certs, key, &parse_ca(ca)?)
    }

    /// Whether the application signs for this key (see [`Self::remote`]).
    pub fn is_remote(&self) -> bool {
        self.key.is_remote()
    }

    /// Puts a parsed chain together with its key, finding the leaf's
    /// issuer by name and by signature.
    pub(crate) fn assemble(
        certs: Vec<Certificate>,
        key: SigningKey,
        ca: &[Certificate],
    ) -> Result<Self, ConfigError> {
        let mut iter = certs.into_iter();
        let leaf = iter.next().ok_or(ConfigError::EmptyChain)?;
        let rest: Vec<Certificate> = iter.collect();
        let issuer = pki::find_issuer(&leaf, rest.iter().chain(ca.iter())).cloned();
        let chain = core::iter::once(leaf.der().clone())
            .chain(rest.iter().map(|c| c.der().clone()))
            .collect();
        let mut leaf_sha256 = [0; 32];
        leaf_sha256
            .copy_from_slice(ring::digest::digest(&ring::digest::SHA256, leaf.der()).as_ref());
        Ok(Self {
            chain,
            leaf,
            issuer,
            key,
            leaf_sha256,
        })
    }

    /// SHA-256 of the leaf's DER, which a session ticket binds.
    pub(crate) fn leaf_sha256(&self) -> &[u8; 32] {
        &self.leaf_sha256
    }
}

/// The smallest RSA modulus ring signs and verifies with.
const MIN_RSA_BITS: usize = 2048;

/// A remote key this server cannot use.
const KEY_UNSUPPORTED: ConfigError = ConfigError::Unsupported("remote key algorithm");

/// CA certificates given as a PEM bundle or one DER certificate; none for
/// empty input.
fn parse_ca(ca: &[u8]) -> Result<Vec<Certificate>, ConfigError> {
    if ca.is_empty() {
        return Ok(Vec::new());
    }
    Ok(pem::certificates_from_pem_or_der(ca)?
        .into_iter()
        .map(Certificate::from_der)
        .collect::<Result<Vec<_>, _>>()?)
}

/// Parses a DER chain, leaf first, each certificate within what the
/// Certificate message can carry.
fn parse_certificates(chain: Vec<Bytes>) -> Result<Vec<Certificate>, ConfigError> {
    if chain.is_empty() {
        return Err(ConfigError::EmptyChain);
    }
    chain
        .into_iter()
        .map(|der| {
            if der.len() > MAX_U24 {
                return Err(ConfigError::CertificateTooLarge);
            }
            Ok(Certificate::from_der(der)?)
        })
        .collect()
}

/// Parses a chain (PEM or DER) whose key is remote, and makes the key's
/// public half from the leaf.
pub(crate) fn parse_remote_chain(
    chain: &[u8],
) -> Result<(Vec<Certificate>, SigningKey), ConfigError> {
    let certs = parse_certificates(pem::certificates_from_pem_or_der(chain)?)?;
    let leaf = certs.first().ok_or(ConfigError::EmptyChain)?;
    let algorithm = match key_algorithm_of(leaf.public_key_algorithm()) {
        Some(KeyAlgorithm::Rsa { modulus_bits }) if modulus_bits < MIN_RSA_BITS => {
            return Err(KEY_UNSUPPORTED)
        }
        Some(algorithm) => algorithm,
        None => return Err(KEY_UNSUPPORTED),
    };
    let key = SigningKey::remote(algorithm, Bytes::copy_from_slice(leaf.public_key()));
    Ok((certs, key))
}

/// The kind of signing key a certificate's public key is, whatever its
/// size, if it is one stapler signs or verifies handshakes with: the
/// schemes it makes are then [`KeyAlgorithm::schemes`].
pub(crate) fn key_algorithm_of(public: &PublicKeyAlgorithm) -> Option<KeyAlgorithm> {
    Some(match public {
        PublicKeyAlgorithm::EcP256 => KeyAlgorithm::EcdsaP256,
        PublicKeyAlgorithm::EcP384 => KeyAlgorithm::EcdsaP384,
        PublicKeyAlgorithm::Ed25519 => KeyAlgorithm::Ed25519,
        PublicKeyAlgorithm::Rsa { bits } => KeyAlgorithm::Rsa {
            modulus_bits: usize::try_from(*bits).ok()?,
        },
        _ => return None,
    })
}

/// Parses a DER chain (leaf first) and a DER key, and checks that the key
/// is the leaf's.
pub(crate) fn parse_chain(
    chain: Vec<Bytes>,
    key_der: &[u8],
) -> Result<(Vec<Certificate>, SigningKey), ConfigError> {
    let certs = parse_certificates(chain)?;
    let key = SigningKey::from_der(key_der, &SystemRandom::new())?;
    if certs.first().map(Certificate::public_key) != Some(key.public_key()) {
        return Err(ConfigError::KeyMismatch);
    }
    Ok((certs, key))
}
