//! The TLS 1.2 floor: exactly the cryptography a TLS 1.2 server must do for
//! the handshake benched (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, x25519,
//! a P-256 ECDSA leaf, the extended master secret, no session id, no
//! tickets), done with ring alone, allocating nothing of its own.
//!
//! Server flight ([`Floor12::server_flight`]):
//! - 32 random bytes for ServerHello.random;
//! - x25519: a fresh key pair;
//! - the ECDSA P-256 signature over `ClientHello.random +
//!   ServerHello.random + ServerECDHParams` (RFC 8422 §5.4);
//! - SHA-256 over ClientHello and the flight (RFC 5246 §7.4.9).
//!
//! The client's flight ([`Floor12::client_flight`]: ClientKeyExchange,
//! change_cipher_spec, Finished) and the server's answer:
//! - x25519 agreement with the client's point;
//! - SHA-256 over ClientKeyExchange, finished once: the session hash of RFC
//!   7627 §3, which is also the hash the client's Finished covers (no
//!   message comes between); then over the client's Finished, finished
//!   once for the server's;
//! - the PRF (RFC 5246 §5, P_SHA256): the extended master secret (48
//!   bytes, RFC 7627 §4), the key block (40 bytes: two AES-128 keys and
//!   two 4-byte salts, RFC 5246 §6.3, RFC 5288 §3) and both verify_data (12
//!   bytes each, §7.4.9); one HMAC key per secret (the pre-master secret,
//!   the master secret), and no A(i) beyond the last block needed;
//! - AES-128-GCM: key setup for both directions, the open of the client's
//!   Finished and the seal of the server's (RFC 5246 §6.2.3.3).
//!
//! Left out as not cryptography: parsing (the messages are found at their
//! known places) and encoding (ServerHello, Certificate and
//! CertificateStatus are templates copied in, the random written into
//! them).

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey, X25519};
use ring::digest::{self, SHA256};
use ring::hmac::{self, HMAC_SHA256};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};

pub const HASH_LEN: usize = 32;
pub const RANDOM_LEN: usize = 32;
pub const MASTER_SECRET_LEN: usize = 48;
pub const KEY_LEN: usize = 16;
pub const SALT_LEN: usize = 4;
pub const KEY_BLOCK_LEN: usize = 2 * (KEY_LEN + SALT_LEN);
pub const VERIFY_DATA_LEN: usize = 12;
pub const EXPLICIT_NONCE_LEN: usize = 8;
pub const TAG_LEN: usize = 16;
/// A Finished message: header and verify_data.
pub const FINISHED_LEN: usize = 4 + VERIFY_DATA_LEN;
/// ServerECDHParams for x25519: named_curve, the group, the point's length
/// and the point (RFC 8422 §5.4).
const PARAMS_LEN: usize = 4 + 32;

/// `P_SHA256(secret, label + seed)` into `out` (RFC 5246 §5), with the
/// secret's HMAC key made by the caller, once per secret.
pub fn prf(key: &hmac::Key, label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(label);
    for piece in seed {
        ctx.update(piece);
    }
    let mut a = ctx.sign(); // A(1)
    let blocks = out.len().div_ceil(HASH_LEN);
    for (i, chunk) in out.chunks_mut(HASH_LEN).enumerate() {
        let mut ctx = hmac::Context::with_key(key);
        ctx.update(a.as_ref());
        ctx.update(label);
        for piece in seed {
            ctx.update(piece);
        }
        chunk.copy_from_slice(&ctx.sign().as_ref()[..chunk.len()]);
        if i + 1 < blocks {
            a = hmac::sign(key, a.as_ref());
        }
    }
}

/// The key block (RFC 5246 §6.3): note the order of the randoms.
pub fn key_block(
    master: &hmac::Key,
    server_random: &[u8; RANDOM_LEN],
    client_random: &[u8; RANDOM_LEN],
) -> [u8; KEY_BLOCK_LEN] {
    let mut block = [0; KEY_BLOCK_LEN];
    prf(
        master,
        b"key expansion",
        &[server_random, client_random],
        &mut block,
    );
    block
}

/// AES-GCM's nonce in TLS 1.2: the salt, then the explicit part.
pub fn nonce(salt: &[u8], explicit: &[u8]) -> Nonce {
    let mut nonce = [0; 12];
    nonce[..SALT_LEN].copy_from_slice(salt);
    nonce[SALT_LEN..].copy_from_slice(explicit);
    Nonce::assume_unique_for_key(nonce)
}

/// The additional data of the first record under a key (sequence number
/// 0) of `typ` carrying `len` bytes of plaintext (RFC 5246 §6.2.3.3).
pub fn aad(typ: u8, len: usize) -> Aad<[u8; 13]> {
    let [hi, lo] = (len as u16).to_be_bytes();
    Aad::from([0, 0, 0, 0, 0, 0, 0, 0, typ, 3, 3, hi, lo])
}

pub fn aes_key(key: &[u8]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_128_GCM, key).expect("AES-128 key"))
}

/// The fragment of the record at the start of `bytes`, and what follows.
fn split_record(bytes: &mut [u8]) -> (&mut [u8], &mut [u8]) {
    let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
    let (record, rest) = bytes.split_at_mut(5 + len);
    (&mut record[5..], rest)
}

/// The server's long-lived key and the templates of its messages.
pub struct Floor12 {
    rng: SystemRandom,
    key: EcdsaKeyPair,
    /// ServerHello (whose random is overwritten), Certificate and, when
    /// stapling, CertificateStatus, as the real server sends them.
    hello_and_certificate: Vec<u8>,
}

/// What the server keeps between its flight and the client's.
pub struct Pending12 {
    private: EphemeralPrivateKey,
    transcript: digest::Context,
    client_random: [u8; RANDOM_LEN],
    server_random: [u8; RANDOM_LEN],
}

impl Floor12 {
    /// `server_hello` is a whole ServerHello message; `certificate_and_status`
    /// the Certificate message and, when stapling, CertificateStatus.
    pub fn new(key_pkcs8: &[u8], server_hello: &[u8], certificate_and_status: &[u8]) -> Self {
        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, key_pkcs8, &rng)
            .expect("P-256 key");
        Self {
            rng,
            key,
            hello_and_certificate: [server_hello, certificate_and_status].concat(),
        }
    }

    /// The server's crypto from the ClientHello (one record, at the start
    /// of `input`) to its flight, appended to `out` as one record:
    /// ServerHello, Certificate, [CertificateStatus], ServerKeyExchange,
    /// ServerHelloDone.
    pub fn server_flight(&self, input: &[u8], out: &mut Vec<u8>) -> Pending12 {
        let client_hello = &input[5..];
        let mut client_random = [0; RANDOM_LEN];
        client_random.copy_from_slice(&client_hello[6..6 + RANDOM_LEN]);

        let mut server_random = [0; RANDOM_LEN];
        self.rng.fill(&mut server_random).expect("random");
        let private = EphemeralPrivateKey::generate(&X25519, &self.rng).expect("x25519 key");
        let public = private.compute_public_key().expect("x25519 public key");

        // ClientHello.random + ServerHello.random + ServerECDHParams.
        let mut signed = [0; 2 * RANDOM_LEN + PARAMS_LEN];
        signed[..RANDOM_LEN].copy_from_slice(&client_random);
        signed[RANDOM_LEN..2 * RANDOM_LEN].copy_from_slice(&server_random);
        signed[2 * RANDOM_LEN..2 * RANDOM_LEN + 4].copy_from_slice(&[3, 0, 29, 32]);
        signed[2 * RANDOM_LEN + 4..].copy_from_slice(public.as_ref());
        let signature = self.key.sign(&self.rng, &signed).expect("ECDSA signature");
        let signature = signature.as_ref();

        let record = out.len();
        out.extend_from_slice(&[22, 3, 3, 0, 0]);
        let flight = out.len();
        out.extend_from_slice(&self.hello_and_certificate);
        // ServerHello.random follows the header and server_version.
        out[flight + 6..flight + 6 + RANDOM_LEN].copy_from_slice(&server_random);
        let [_, _, hi, lo] = ((PARAMS_LEN + 4 + signature.len()) as u32).to_be_bytes();
        out.extend_from_slice(&[12, 0, hi, lo]);
        out.extend_from_slice(&signed[2 * RANDOM_LEN..]);
        let [hi, lo] = (signature.len() as u16).to_be_bytes();
        out.extend_from_slice(&[4, 3, hi, lo]); // ecdsa_secp256r1_sha256
        out.extend_from_slice(signature);
        out.extend_from_slice(&[14, 0, 0, 0]);
        let [hi, lo] = ((out.len() - flight) as u16).to_be_bytes();
        out[record + 3] = hi;
        out[record + 4] = lo;

        let mut transcript = digest::Context::new(&SHA256);
        transcript.update(client_hello);
        transcript.update(&out[flight..]);
        Pending12 {
            private,
            transcript,
            client_random,
            server_random,
        }
    }

    /// The server's crypto for the client's flight in `input`
    /// (ClientKeyExchange, change_cipher_spec and Finished, a record each,
    /// as the rustls client sends them), appending its change_cipher_spec
    /// and Finished to `out`. Returns both traffic keys (server write,
    /// client read), so that nothing is optimised away.
    pub fn client_flight(
        pending: Pending12,
        input: &mut [u8],
        out: &mut Vec<u8>,
    ) -> (LessSafeKey, LessSafeKey) {
        let Pending12 {
            private,
            mut transcript,
            client_random,
            server_random,
        } = pending;
        let (client_key_exchange, rest) = split_record(input);
        let (_change_cipher_spec, rest) = split_record(rest);
        let (finished, _) = split_record(rest);

        // ClientKeyExchange: header, the point's length, the point.
        let mut shared = [0; 32];
        agreement::agree_ephemeral(
            private,
            &UnparsedPublicKey::new(&X25519, &client_key_exchange[5..]),
            |secret| shared.copy_from_slice(secret),
        )
        .expect("x25519 agreement");
        transcript.update(client_key_exchange);
        let session_hash = transcript.clone().finish();

        let mut master = [0; MASTER_SECRET_LEN];
        prf(
            &hmac::Key::new(HMAC_SHA256, &shared),
            b"extended master secret",
            &[session_hash.as_ref()],
            &mut master,
        );
        let master = hmac::Key::new(HMAC_SHA256, &master);
        let block = key_block(&master, &server_random, &client_random);
        let (client_write, rest) = block.split_at(KEY_LEN);
        let (server_write, rest) = rest.split_at(KEY_LEN);
        let (client_salt, server_salt) = rest.split_at(SALT_LEN);

        // The client's Finished: explicit nonce, then the sealed message.
        let client_read = aes_key(client_write);
        let (explicit, sealed) = finished.split_at_mut(EXPLICIT_NONCE_LEN);
        let message = client_read
            .open_in_place(nonce(client_salt, explicit), aad(22, FINISHED_LEN), sealed)
            .expect("client Finished authenticates");
        let mut expected = [0; VERIFY_DATA_LEN];
        prf(
            &master,
            b"client finished",
            &[session_hash.as_ref()],
            &mut expected,
        );
        let diff = expected
            .iter()
            .zip(&message[4..])
            .fold(0, |acc, (a, b)| acc | (a ^ b));
        assert_eq!(diff, 0, "client Finished verifies");
        transcript.update(message);
        let finished_hash = transcript.finish();

        let mut verify_data = [0; VERIFY_DATA_LEN];
        prf(
            &master,
            b"server finished",
            &[finished_hash.as_ref()],
            &mut verify_data,
        );
        let server_write = aes_key(server_write);
        out.extend_from_slice(&[20, 3, 3, 0, 1, 1]);
        let [hi, lo] = ((EXPLICIT_NONCE_LEN + FINISHED_LEN + TAG_LEN) as u16).to_be_bytes();
        out.extend_from_slice(&[22, 3, 3, hi, lo]);
        // This side's explicit nonce is its sequence number, 0.
        out.extend_from_slice(&[0; EXPLICIT_NONCE_LEN]);
        let at = out.len();
        out.extend_from_slice(&[20, 0, 0, VERIFY_DATA_LEN as u8]);
        out.extend_from_slice(&verify_data);
        let tag = server_write
            .seal_in_place_separate_tag(
                nonce(server_salt, &[0; EXPLICIT_NONCE_LEN]),
                aad(22, FINISHED_LEN),
                &mut out[at..],
            )
            .expect("seal");
        out.extend_from_slice(tag.as_ref());
        (server_write, client_read)
    }
}

/// Checks the floor's PRF against the TLS 1.2 PRF vector posted to the
/// IETF TLS list (msg03416, P_SHA256, 100 bytes: four blocks, so A(i)
/// chains), the same the library's unit tests use.
pub fn check_prf() {
    let hex = |s: &str| -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    let secret = hex("9bbe436ba940f017b17652849a71db35");
    let seed = hex("a0ba9f936cda311827a6f796ffd5198c");
    let expected = hex(
        "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a
         6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab
         4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701
         87347b66",
    );
    let mut out = vec![0; expected.len()];
    let key = hmac::Key::new(HMAC_SHA256, &secret);
    prf(&key, b"test label", &[&seed], &mut out);
    assert_eq!(out, expected, "the floor's PRF");
}
