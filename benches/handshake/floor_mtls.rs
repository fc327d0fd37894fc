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
//! Left out as not cryptography: parsing the certificates (the offsets of
//! the leaf's TBSCertificate, signature and public key are found once, in
//! [`FloorMtls::new`]), the validity, key usage and extended key usage
//! checks, and path building (the leaf is signed by the root itself).

use core::ops::Range;

use ring::aead::{Aad, LessSafeKey};
use ring::hmac::{self, HMAC_SHA256};
use ring::rand::SystemRandom;
use ring::signature::{
    EcdsaKeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING,
};

use crate::floor::{aead_key, first_nonce, record_header, traffic, Pending, HASH_LEN, TAG_LEN};

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
    /// The client's side, played outside the meter.
    certificate: Vec<u8>,
    client_key: EcdsaKeyPair,
    rng: SystemRandom,
    /// The client's flight record, reused.
    pub record: Vec<u8>,
}

/// The range of `part` (a subslice of `whole`) within `whole`, shifted by
/// `at`.
fn range_in(whole: &[u8], part: &[u8], at: usize) -> Range<usize> {
    let start = part.as_ptr() as usize - whole.as_ptr() as usize;
    at + start..at + start + part.len()
}

impl FloorMtls {
    /// `client_cert` and `ca_cert` are DER; `client_key` PKCS#8.
    pub fn new(client_cert: &[u8], client_key: &[u8], ca_cert: &[u8]) -> Self {
        let leaf = stapler::pki::Certificate::from_der(client_cert.to_vec()).unwrap();
        let ca = stapler::pki::Certificate::from_der(ca_cert.to_vec()).unwrap();
        // Certificate (§4.4.2): header, an empty context, the list, the
        // one entry's certificate and its empty extensions.
        let len = client_cert.len();
        let u24 = |n: usize| (n as u32).to_be_bytes()[1..].to_vec();
        let certificate = [
            vec![11],
            u24(1 + 3 + 3 + len + 2),
            vec![0],
            u24(3 + len + 2),
            u24(len),
            client_cert.to_vec(),
            vec![0, 0],
        ]
        .concat();
        let der = leaf.der();
        let rng = SystemRandom::new();
        Self {
            ca_key: ca.public_key().to_vec(),
            tbs: range_in(der, leaf.tbs(), 11),
            signature: range_in(der, leaf.signature(), 11),
            public_key: range_in(der, leaf.public_key(), 11),
            certificate,
            client_key: EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, client_key, &rng)
                .expect("a P-256 client key"),
            rng,
            record: Vec::with_capacity(2048),
        }
    }

    /// Plays the client: Certificate, CertificateVerify and Finished in
    /// one record under its handshake key.
    pub fn client_flight_record(&mut self, pending: &Pending) {
        let mut transcript = pending.transcript.clone().expect("the kept transcript");
        transcript.update(&self.certificate);
        let content = [CLIENT_CV_PREFIX, transcript.clone().finish().as_ref()].concat();
        let signature = self.client_key.sign(&self.rng, &content).unwrap();
        let signature = signature.as_ref();
        let [_, _, hi, lo] = ((4 + signature.len()) as u32).to_be_bytes();
        let [sig_hi, sig_lo] = (signature.len() as u16).to_be_bytes();
        let cv = [&[15, 0, hi, lo, 0x04, 0x03, sig_hi, sig_lo][..], signature].concat();
        transcript.update(&cv);
        let key = hmac::Key::new(HMAC_SHA256, &pending.client_finished_key);
        let verify_data = hmac::sign(&key, transcript.finish().as_ref());

        let record = &mut self.record;
        record.clear();
        let inner_len = self.certificate.len() + cv.len() + 4 + HASH_LEN + 1;
        let header = record_header(inner_len + TAG_LEN);
        record.extend_from_slice(&header);
        record.extend_from_slice(&self.certificate);
        record.extend_from_slice(&cv);
        record.extend_from_slice(&[20, 0, 0, HASH_LEN as u8]);
        record.extend_from_slice(verify_data.as_ref());
        record.push(22);
        let tag = aead_key(&pending.client_key)
            .seal_in_place_separate_tag(
                first_nonce(&pending.client_iv),
                Aad::from(header),
                &mut record[5..],
            )
            .unwrap();
        record.extend_from_slice(tag.as_ref());
    }

    /// The server's crypto for the client's flight in [`Self::record`]:
    /// open, the chain's signature, the CertificateVerify, the Finished,
    /// the client's application key. Returns both application keys.
    pub fn client_flight(&mut self, pending: Pending) -> (LessSafeKey, LessSafeKey) {
        let (header, payload) = self.record.split_at_mut(5);
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
