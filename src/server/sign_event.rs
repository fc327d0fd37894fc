//! The signing event: a signature by a key that never leaves an HSM, a
//! KMS or a keyless service. BoringSSL's `SSL_PRIVATE_KEY_METHOD` and
//! s2n-tls's async private key, made sans-IO.
//!
//! A certificate made with [`CertifiedKey::remote`] holds its chain and
//! public key only. When a handshake uses it, the connection sends what
//! it can, raises [`Event::SignRequest`](crate::Event::SignRequest) with
//! the scheme and the exact bytes to sign, and pauses. The application
//! answers with [`SignRequest::signature`] or [`SignRequest::abort`] and
//! hands the [`Completion`] to `ServerConnection::complete`. stapler
//! checks the signature with the certificate's public key before it sends
//! it: a wrong one closes the connection with internal_error and
//! [`Error::BadSignature`](crate::Error::BadSignature), never a broken
//! handshake on the wire.

use core::fmt;
use std::sync::Arc;

use bytes::Bytes;

use crate::enums::{ProtocolVersion, SignatureScheme};
use crate::server::config::CertifiedKey;
use crate::server::request::{Answer, Completion, SignAnswer, Ticket};

/// The longest content a server signs here: TLS 1.2's two randoms and
/// ECDH parameters (64 + 4 + a 97-byte P-384 point = 165 bytes) is longer
/// than TLS 1.3's CertificateVerify content (64 + 34 + a 48-byte hash =
/// 146 bytes). Kept inline, so that a request costs no allocation.
pub(crate) const MAX_TO_SIGN: usize = 168;

/// The handshake needs a signature by a remote key.
///
/// ```
/// use std::sync::Arc;
/// use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
/// use stapler::{Event, ServerConfig, ServerConnection};
///
/// // The chain alone; the key stays with the application (here, ring).
/// let config = ServerConfig::builder()
///     .remote_certificate_chain(include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"))?
///     .build()?;
/// let mut conn = ServerConnection::new(Arc::new(config));
/// conn.feed(include_bytes!("../../tests/data/client_hello/openssl_tls13_status.bin"))?;
/// let Some(Event::SignRequest(request)) = conn.poll_event() else { panic!() };
/// let flight_so_far = conn.poll_transmit(); // ServerHello .. Certificate
/// assert!(flight_so_far.is_some());
///
/// let rng = ring::rand::SystemRandom::new();
/// let der = include_bytes!("../../tests/data/pki/leaf-ecdsa.key.der");
/// let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, der, &rng)
///     .expect("the test key");
/// let signature = key.sign(&rng, request.message()).expect("signed");
/// conn.complete(request.signature(signature.as_ref().to_vec()), 1_800_000_000)?;
/// assert!(conn.poll_transmit().is_some()); // CertificateVerify, Finished
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "the connection stays paused until the request is answered"]
pub struct SignRequest {
    pub(crate) ticket: Ticket,
    pub(crate) scheme: SignatureScheme,
    pub(crate) version: ProtocolVersion,
    pub(crate) cert: Arc<CertifiedKey>,
    pub(crate) message: [u8; MAX_TO_SIGN],
    pub(crate) message_len: usize,
}

impl SignRequest {
    /// The scheme to sign with (RFC 8446 §4.2.3): for ECDSA, a DER
    /// signature over the SHA-2 hash it names; for RSA-PSS, PSS with that
    /// hash and MGF1 of it, salt as long as the hash.
    pub fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    /// The exact bytes to sign (not a hash of them): TLS 1.3's
    /// CertificateVerify content (RFC 8446 §4.4.3), or TLS 1.2's
    /// ServerKeyExchange randoms and parameters (RFC 8422 §5.4).
    pub fn message(&self) -> &[u8] {
        self.message.get(..self.message_len).unwrap_or_default()
    }

    /// The protocol version of the handshake.
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }

    /// The DER of the certificate whose key must sign: how the
    /// application finds the key.
    pub fn certificate(&self) -> &Bytes {
        self.cert.leaf_der()
    }

    /// The certificate and key this request is for.
    pub fn certified_key(&self) -> &Arc<CertifiedKey> {
        &self.cert
    }

    /// The signature, as it goes in the message: checked with the
    /// certificate's public key before it is sent.
    pub fn signature(self, signature: impl Into<Bytes>) -> Completion {
        self.complete(SignAnswer::Signature(signature.into()))
    }

    /// No signature can be made: the connection closes with
    /// internal_error and `reason` is reported with the close.
    pub fn abort(self, reason: impl Into<String>) -> Completion {
        self.complete(SignAnswer::Abort(reason.into()))
    }

    fn complete(self, answer: SignAnswer) -> Completion {
        self.ticket.complete(Answer::Signature(answer))
    }
}

impl fmt::Debug for SignRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignRequest")
            .field("scheme", &self.scheme)
            .field("version", &self.version)
            .field("message_len", &self.message_len)
            .finish()
    }
}
