//! The mTLS floor: the TLS 1.3 floor of `floor.rs` with a
//! CertificateRequest in the server's flight, and then exactly the
//! cryptography a server must do for the client's second flight, with ring
//! alone:
//!
//! - AES-128-GCM: the open of the record holding the client's Certificate,
//!   CertificateVerify and Finished;
//! - the chain (RFC 5280 §6.1.3 (a)(1)): the CA's ECDSA P-256 signature
//!   over the client leaf's TBSCertificate;
//! - the transcript: SHA-256 over the client's Certificate and
//!   CertificateVerify, finished at the two points needed;
//! - the client's ECDSA P-256 CertificateVerify (RFC 8446 §4.4.3);
//! - the client Finished HMAC (§4.4.4), and the client's application key.
//!
//! It answers the rustls client the servers answer: the client reads and
//! checks the floor's flight, and sends the certificate, CertificateVerify
//! and Finished the floor checks.
//!
//! Left out as not cryptography: parsing the certificates (the offsets of
//! the leaf's TBSCertificate, signature and public key are found once, in
//! [`FloorMtls::new`]), the validity, key usage and extended key usage
//! checks, and path building (the leaf is signed by the root itself).

use core::ops::Range;

use ring::aead::{Aad, LessSafeKey};
use ring::hmac::{self, HMAC_SHA256};
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_ASN1};

use crate::floor::{aead_key, first_nonce, traffic, Pending, HASH_LEN};

/// 64 spaces, the client's context string and a zero byte (§4.4.3).
const CLIENT_CV_PREFIX: &[u8] =
    b"                                                                TLS 1.3, client CertificateVerify\x00";

/// Where the pieces of the client's certificate lie in its Certificate
/// message, and the keys that check them.
pub struct FloorMtls {
    /// The CA's public key (an uncompressed P-256 point).
    ca_key: Vec<u8>,
    tbs: Range<usize>,
    signature: Range<usize>,
    public_key: Range<usize>,
}

/// The range of `part` (a subslice of `whole`) within `whole`, shifted by
/// `at`.
fn range_in(whole: &[u8], part: &[u8], at: usize) -> Range<usize> {
    let start = part.as_ptr() as usize - whole.as_ptr() as usize;
    at + start..at + start + part.len()
}

impl FloorMtls {
    /// `client_cert` and `ca_cert` are DER: the client's certificate, the
    /// one entry of its Certificate message (§4.4.2: header, an empty
    /// context, the list, the entry's certificate and its empty
    /// extensions), so at offset 11 in it.
    pub fn new(client_cert: &[u8], ca_cert: &[u8]) -> Self {
        let leaf = stapler::pki::Certificate::from_der(client_cert.to_vec()).unwrap();
        let ca = stapler::pki::Certificate::from_der(ca_cert.to_vec()).unwrap();
        let der = leaf.der();
        Self {
            ca_key: ca.public_key().to_vec(),
            tbs: range_in(der, leaf.tbs(), 11),
            signature: range_in(der, leaf.signature(), 11),
            public_key: range_in(der, leaf.public_key(), 11),
        }
    }

    /// The server's crypto for the client's flight in `record`: open, the
    /// chain's signature, the CertificateVerify, the Finished, the client's
    /// application key. Returns both application keys.
    pub fn client_flight(&self, pending: Pending, record: &mut [u8]) -> (LessSafeKey, LessSafeKey) {
        let (header, payload) = record.split_at_mut(5);
        let header: [u8; 5] = header.try_into().unwrap();
        let inner = pending
            .client_read
            .open_in_place(first_nonce(&pending.client_iv), Aad::from(header), payload)
            .expect("the client's flight authenticates");
        let u24 = |b: &[u8]| u32::from_be_bytes([0, b[1], b[2], b[3]]) as usize;
        let (certificate, rest) = inner.split_at(4 + u24(inner));
        let (cv, rest) = rest.split_at(4 + u24(rest));
        let finished = &rest[4..4 + HASH_LEN];

        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &self.ca_key)
            .verify(
                &certificate[self.tbs.clone()],
                &certificate[self.signature.clone()],
            )
            .expect("the CA signed the client's certificate");

        let mut transcript = pending.transcript.expect("the kept transcript");
        transcript.update(certificate);
        let hash = transcript.clone().finish();
        let mut content = [0; 98 + HASH_LEN];
        content[..98].copy_from_slice(CLIENT_CV_PREFIX);
        content[98..].copy_from_slice(hash.as_ref());
        UnparsedPublicKey::new(
            &ECDSA_P256_SHA256_ASN1,
            &certificate[self.public_key.clone()],
        )
        .verify(&content, &cv[8..])
        .expect("the client's CertificateVerify verifies");

        transcript.update(cv);
        let key = hmac::Key::new(HMAC_SHA256, &pending.client_finished_key);
        hmac::verify(&key, transcript.finish().as_ref(), finished)
            .expect("the client's Finished verifies");
        let client_read = aead_key(&traffic(&pending.client_application, false).key);
        (pending.server_write, client_read)
    }
}
