//! [`Nonce`]: the id-pkix-ocsp-nonce value that binds a response to one
//! request (RFC 6960 §4.4.1, RFC 8954).

use core::fmt;

use bytes::Bytes;
use ring::rand::{SecureRandom, SystemRandom};

use super::error::OcspError;

/// The shortest nonce RFC 8954 §2.1 allows.
pub const MIN_NONCE_LEN: usize = 1;
/// The longest nonce RFC 8954 §2.1 allows (and the length it recommends).
pub const MAX_NONCE_LEN: usize = 32;

/// A nonce for an OCSP request: 1 to 32 bytes (RFC 8954 §2.1).
///
/// In the request's extension, the nonce is the contents of an OCTET STRING
/// inside extnValue (RFC 8954 §2.1), as OpenSSL writes it. A response echoes
/// it, and [`OcspResponse::verify`](super::OcspResponse::verify) checks the
/// echo when given the nonce that was sent.
///
/// Many CAs' responders pre-sign their responses and ignore nonces
/// (RFC 5019 §4), so a nonce is only useful with a responder known to
/// honour it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nonce(Bytes);

impl Nonce {
    /// A nonce of the given bytes (deterministic, for tests and replays).
    pub fn new(bytes: impl Into<Bytes>) -> Result<Self, OcspError> {
        let bytes = bytes.into();
        if (MIN_NONCE_LEN..=MAX_NONCE_LEN).contains(&bytes.len()) {
            Ok(Self(bytes))
        } else {
            Err(OcspError::NonceLength(bytes.len()))
        }
    }

    /// A fresh nonce of 32 bytes from ring's `SystemRandom`, the length RFC
    /// 8954 §2.1 recommends.
    pub fn random() -> Result<Self, OcspError> {
        let mut bytes = [0u8; MAX_NONCE_LEN];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| OcspError::RandomSource)?;
        Ok(Self(Bytes::copy_from_slice(&bytes)))
    }

    /// The nonce's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Nonce(")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))?;
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(Nonce::new(Vec::new()), Err(OcspError::NonceLength(0)));
        assert_eq!(Nonce::new(vec![0; 33]), Err(OcspError::NonceLength(33)));
        assert_eq!(Nonce::new(vec![7; 1]).unwrap().as_bytes(), [7]);
        assert_eq!(Nonce::new(vec![7; 32]).unwrap().as_bytes().len(), 32);
    }

    #[test]
    fn random_nonces_differ() {
        let (a, b) = (Nonce::random().unwrap(), Nonce::random().unwrap());
        assert_eq!(a.as_bytes().len(), MAX_NONCE_LEN);
        assert_ne!(a, b);
        assert_eq!(
            format!("{:?}", Nonce::new(vec![0xab, 0x01]).unwrap()),
            "Nonce(ab01)"
        );
    }
}
