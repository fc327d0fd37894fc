//! Checking a handshake signature with a public key, as a client would:
//! what stapler does to a signature the application made for a remote key
//! before it goes on the wire, so that a broken signer is a typed error
//! here rather than a decrypt_error at the client.

use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};

use super::SignatureScheme;
use crate::error::{CryptoError, Error};

/// ring's verifier for `scheme` (RFC 8446 §4.2.3): ECDSA signatures are
/// DER, RSA keys from 2048 to 8192 bits.
pub(crate) fn algorithm(scheme: SignatureScheme) -> Option<&'static dyn VerificationAlgorithm> {
    Some(match scheme {
        SignatureScheme::EcdsaSecp256r1Sha256 => &signature::ECDSA_P256_SHA256_ASN1,
        SignatureScheme::EcdsaSecp384r1Sha384 => &signature::ECDSA_P384_SHA384_ASN1,
        SignatureScheme::Ed25519 => &signature::ED25519,
        SignatureScheme::RsaPssRsaeSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        SignatureScheme::RsaPssRsaeSha384 => &signature::RSA_PSS_2048_8192_SHA384,
        SignatureScheme::RsaPssRsaeSha512 => &signature::RSA_PSS_2048_8192_SHA512,
        SignatureScheme::RsaPkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        SignatureScheme::RsaPkcs1Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        SignatureScheme::RsaPkcs1Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        _ => return None,
    })
}

/// Whether `signature` is `public_key`'s signature of `message` under
/// `scheme`; [`Error::BadSignature`] if not.
pub(crate) fn verify(
    scheme: SignatureScheme,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let algorithm = algorithm(scheme).ok_or(CryptoError::UnsupportedScheme(scheme.to_wire()))?;
    UnparsedPublicKey::new(algorithm, public_key)
        .verify(message, signature)
        .map_err(|_| Error::BadSignature)
}
