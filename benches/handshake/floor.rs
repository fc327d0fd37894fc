//! The floor: exactly the cryptography a TLS 1.3 server must do for the
//! handshake benched (x25519, ECDSA P-256, TLS_AES_128_GCM_SHA256, no PSK,
//! no tickets), done with ring alone, on buffers of the real handshake's
//! sizes, allocating nothing.
//!
//! Server flight ([`Floor::server_flight`]):
//! - 32 random bytes for ServerHello.random;
//! - x25519: a fresh key pair, and agreement with the client's share;
//! - the transcript (RFC 8446 §4.4.1): SHA-256 over ClientHello and
//!   ServerHello, EncryptedExtensions and Certificate, CertificateVerify,
//!   Finished, finished at the four points the schedule needs;
//! - the key schedule (§7.1): handshake secret (HKDF-Extract), client and
//!   server handshake traffic secrets, `derived`, master secret, client and
//!   server application traffic secrets; key and IV (§7.3) of the server's
//!   and client's handshake keys and of the server's application key; both
//!   finished keys (§4.4.4); one HKDF PRK per secret, reused for all that is
//!   expanded from it;
//! - the ECDSA P-256 signature over the CertificateVerify content (§4.4.3);
//! - the server Finished HMAC;
//! - AES-128-GCM: key setup for the three keys, and the seal of
//!   EncryptedExtensions..Finished as one record.
//!
//! Client Finished ([`Floor::client_finished`]): the open of its record,
//! the Finished HMAC check, and the client's application key and IV.
//!
//! Left out, because no server has to compute them per handshake: the
//! values RFC 8446 fixes for a handshake without PSK, namely the early
//! secret `HKDF-Extract(0, 0)`, `Derive-Secret(early, "derived", "")` and
//! `SHA-256("")`; they are computed once in [`Floor::new`]. Also left out
//! as not cryptography: parsing the ClientHello and encoding messages (the
//! templates are copied in, the random, share, signature and verify_data
//! written into them).

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey, X25519};
use ring::digest::{self, SHA256};
use ring::hkdf::{self, Prk, Salt, HKDF_SHA256};
use ring::hmac::{self, HMAC_SHA256};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};

pub const HASH_LEN: usize = 32;
pub const KEY_LEN: usize = 16;
pub const IV_LEN: usize = 12;
pub const TAG_LEN: usize = 16;

/// 64 spaces, the server's context string and a zero byte (§4.4.3).
const CV_PREFIX: &[u8] =
    b"                                                                TLS 1.3, server CertificateVerify\x00";

/// An HKDF output length for ring.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-Expand-Label (§7.1) into `out`; the HkdfLabel goes to ring in
/// pieces.
pub fn expand_label(prk: &Prk, label: &[u8], context: &[u8], out: &mut [u8]) {
    let length = (out.len() as u16).to_be_bytes();
    let info: [&[u8]; 6] = [
        &length,
        &[(6 + label.len()) as u8],
        b"tls13 ",
        label,
        &[context.len() as u8],
        context,
    ];
    prk.expand(&info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .expect("HKDF-Expand-Label");
}

pub fn expand32(prk: &Prk, label: &[u8], context: &[u8]) -> [u8; HASH_LEN] {
    let mut out = [0; HASH_LEN];
    expand_label(prk, label, context, &mut out);
    out
}

/// What is expanded from one traffic secret (§7.3, §4.4.4).
pub struct Traffic {
    pub key: [u8; KEY_LEN],
    pub iv: [u8; IV_LEN],
    /// Only for the handshake secrets.
    pub finished: Option<[u8; HASH_LEN]>,
}

pub fn traffic(secret: &[u8; HASH_LEN], with_finished: bool) -> Traffic {
    let prk = Prk::new_less_safe(HKDF_SHA256, secret);
    let mut key = [0; KEY_LEN];
    let mut iv = [0; IV_LEN];
    expand_label(&prk, b"key", b"", &mut key);
    expand_label(&prk, b"iv", b"", &mut iv);
    let finished = with_finished.then(|| expand32(&prk, b"finished", b""));
    Traffic { key, iv, finished }
}

/// The secrets after the handshake secret (§7.1).
pub struct HandshakeStage {
    pub client: [u8; HASH_LEN],
    pub server: [u8; HASH_LEN],
    pub derived: [u8; HASH_LEN],
}

fn handshake_stage(
    early_derived: &[u8],
    empty_hash: &[u8],
    shared: &[u8],
    hello_hash: &[u8],
) -> HandshakeStage {
    let secret = Salt::new(HKDF_SHA256, early_derived).extract(shared);
    HandshakeStage {
        client: expand32(&secret, b"c hs traffic", hello_hash),
        server: expand32(&secret, b"s hs traffic", hello_hash),
        derived: expand32(&secret, b"derived", empty_hash),
    }
}

/// The application traffic secrets: client, server (§7.1).
fn application_stage(derived: &[u8], server_finished_hash: &[u8]) -> ([u8; 32], [u8; 32]) {
    let master = Salt::new(HKDF_SHA256, derived).extract(&[0; HASH_LEN]);
    (
        expand32(&master, b"c ap traffic", server_finished_hash),
        expand32(&master, b"s ap traffic", server_finished_hash),
    )
}

pub fn aead_key(key: &[u8; KEY_LEN]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_128_GCM, key).expect("AES-128 key"))
}

/// The nonce of sequence number 0 is the IV itself (§5.3).
pub fn first_nonce(iv: &[u8; IV_LEN]) -> Nonce {
    Nonce::assume_unique_for_key(*iv)
}

/// An application_data record header for `len` protected bytes (§5.2).
/// Writes `random` into a ServerHello template (after its type, length and
/// version) and echoes `client_hello`'s session id after it (TLS 1.3's
/// legacy_session_id_echo, RFC 8446 §4.1.3; TLS 1.2's resumed session id,
/// RFC 5077 §3.4), with its length byte: the template's id has the same
/// length (the clients benched always send 32 bytes).
pub fn write_random_and_echo(server_hello: &mut [u8], random: &[u8; 32], client_hello: &[u8]) {
    server_hello[6..38].copy_from_slice(random);
    let session_id = &client_hello[38..39 + usize::from(client_hello[38])];
    server_hello[38..38 + session_id.len()].copy_from_slice(session_id);
}

pub fn record_header(len: usize) -> [u8; 5] {
    let [hi, lo] = (len as u16).to_be_bytes();
    [23, 3, 3, hi, lo]
}

/// The lengths and bytes of the real handshake, and the long-lived keys.
pub struct Floor {
    rng: SystemRandom,
    key: EcdsaKeyPair,
    early_derived: [u8; HASH_LEN],
    empty_hash: [u8; HASH_LEN],
    client_hello: Vec<u8>,
    /// ServerHello as sent, whose random and share are overwritten.
    server_hello: Vec<u8>,
    /// EncryptedExtensions and Certificate as sent.
    ee_and_certificate: Vec<u8>,
    /// The server's flight record, reused.
    record: Vec<u8>,
    /// Whether the transcript is kept past the server's Finished: with
    /// client authentication, the client's Certificate and
    /// CertificateVerify are hashed in before its Finished
    /// (`floor_mtls.rs`).
    pub keep_transcript: bool,
    /// Whether the exchange is X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem):
    /// the client's share is an ML-KEM-768 encapsulation key and an x25519
    /// key; the server checks the key (FIPS 203 §7.2), encapsulates to it,
    /// and its share is the ciphertext and its x25519 key.
    pub hybrid: bool,
}

/// What the server keeps between its flight and the client's Finished.
pub struct Pending {
    pub client_read: LessSafeKey,
    pub client_iv: [u8; IV_LEN],
    pub client_finished_key: [u8; HASH_LEN],
    pub server_finished_hash: digest::Digest,
    pub client_application: [u8; HASH_LEN],
    pub server_write: LessSafeKey,
    /// The transcript through the server's Finished, if kept.
    pub transcript: Option<digest::Context>,
}

impl Floor {
    /// `client_hello` and `server_hello` are whole handshake messages;
    /// `ee_and_certificate` the two messages as the real server sent them.
    pub fn new(
        key_pkcs8: &[u8],
        client_hello: Vec<u8>,
        server_hello: Vec<u8>,
        ee_and_certificate: Vec<u8>,
    ) -> Self {
        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, key_pkcs8, &rng)
            .expect("P-256 key");
        // The protocol's constants for SHA-256 without PSK.
        let empty = digest::digest(&SHA256, b"");
        let mut empty_hash = [0; HASH_LEN];
        empty_hash.copy_from_slice(empty.as_ref());
        let early = Salt::new(HKDF_SHA256, &[0; HASH_LEN]).extract(&[0; HASH_LEN]);
        let early_derived = expand32(&early, b"derived", &empty_hash);
        let record = Vec::with_capacity(5 + ee_and_certificate.len() + 200 + 1 + TAG_LEN);
        Self {
            rng,
            key,
            early_derived,
            empty_hash,
            client_hello,
            server_hello,
            ee_and_certificate,
            record,
            keep_transcript: false,
            hybrid: false,
        }
    }

    /// The server's crypto from the ClientHello given to [`Floor::new`] to
    /// its flight, which is left in [`Floor::record`].
    pub fn server_flight(&mut self, client_share: &[u8]) -> Pending {
        let client_hello = core::mem::take(&mut self.client_hello);
        let pending = self.answer(&client_hello, client_share);
        self.client_hello = client_hello;
        pending
    }

    /// The same for `client_hello`, a whole ClientHello message of the
    /// length given to [`Floor::new`], and `client_share`, the share in it:
    /// ServerHello echoes its legacy_session_id (RFC 8446 §4.1.3), so that
    /// the client that sent it can read the flight.
    pub fn answer(&mut self, client_hello: &[u8], client_share: &[u8]) -> Pending {
        let rng = &self.rng;
        let mut random = [0; 32];
        rng.fill(&mut random).expect("random");
        // X25519MLKEM768's client share is ek ‖ x25519 (§3 of the draft).
        let (ek, x25519_share) = if self.hybrid {
            client_share.split_at(1184)
        } else {
            client_share.split_at(0)
        };
        let private = EphemeralPrivateKey::generate(&X25519, rng).expect("x25519 key");
        let public = private.compute_public_key().expect("x25519 public key");
        // The shared secret: K ‖ x25519's for the hybrid, x25519's alone
        // otherwise.
        let mut shared = [0; 64];
        let x25519_at = if self.hybrid { 32 } else { 0 };
        agreement::agree_ephemeral(
            private,
            &UnparsedPublicKey::new(&X25519, x25519_share),
            |secret| shared[x25519_at..x25519_at + 32].copy_from_slice(secret),
        )
        .expect("x25519 agreement");
        let shared = &shared[..x25519_at + 32];

        // ServerHello: random after type, length and version; the share
        // ends the message (stapler's extension order), the ciphertext
        // before the x25519 key for the hybrid.
        let sh = &mut self.server_hello;
        write_random_and_echo(sh, &random, client_hello);
        let share_at = sh.len() - 32;
        sh[share_at..].copy_from_slice(public.as_ref());
        let mut shared_hybrid = [0; 64];
        let shared = if self.hybrid {
            use libcrux_ml_kem::mlkem768;
            let mut coins = [0; 32];
            rng.fill(&mut coins).expect("random");
            let key = mlkem768::MlKem768PublicKey::from(
                <[u8; 1184]>::try_from(ek).expect("an ML-KEM-768 key"),
            );
            assert!(mlkem768::validate_public_key(&key));
            let (ct, k) = mlkem768::encapsulate(&key, coins);
            let ct_at = share_at - 1088;
            sh[ct_at..share_at].copy_from_slice(ct.as_slice());
            shared_hybrid[..32].copy_from_slice(&k);
            shared_hybrid[32..].copy_from_slice(&shared[32..]);
            &shared_hybrid[..]
        } else {
            shared
        };

        let mut transcript = digest::Context::new(&SHA256);
        transcript.update(client_hello);
        transcript.update(&self.server_hello);
        let hello_hash = transcript.clone().finish();

        let hs = handshake_stage(
            &self.early_derived,
            &self.empty_hash,
            shared,
            hello_hash.as_ref(),
        );
        let server_hs = traffic(&hs.server, true);
        let client_hs = traffic(&hs.client, true);

        // EncryptedExtensions, Certificate, CertificateVerify, Finished,
        // inside the record being built.
        let record = &mut self.record;
        record.clear();
        record.extend_from_slice(&[0; 5]);
        record.extend_from_slice(&self.ee_and_certificate);
        transcript.update(&self.ee_and_certificate);
        let certificate_hash = transcript.clone().finish();

        let mut content = [0; 98 + HASH_LEN];
        content[..98].copy_from_slice(CV_PREFIX);
        content[98..].copy_from_slice(certificate_hash.as_ref());
        let signature = self.key.sign(rng, &content).expect("ECDSA signature");
        let signature = signature.as_ref();
        let cv_at = record.len();
        let [_, _, body_hi, body_lo] = ((4 + signature.len()) as u32).to_be_bytes();
        let [sig_hi, sig_lo] = (signature.len() as u16).to_be_bytes();
        record.extend_from_slice(&[15, 0, body_hi, body_lo, 0x04, 0x03, sig_hi, sig_lo]);
        record.extend_from_slice(signature);
        transcript.update(&record[cv_at..]);
        let cv_hash = transcript.clone().finish();

        let finished_key = hmac::Key::new(HMAC_SHA256, &server_hs.finished.unwrap());
        let verify_data = hmac::sign(&finished_key, cv_hash.as_ref());
        let fin_at = record.len();
        record.extend_from_slice(&[20, 0, 0, HASH_LEN as u8]);
        record.extend_from_slice(verify_data.as_ref());
        transcript.update(&record[fin_at..]);
        let kept = self.keep_transcript.then(|| transcript.clone());
        let server_finished_hash = transcript.finish();

        record.push(22); // the inner content type: handshake
        let header = record_header(record.len() - 5 + TAG_LEN);
        record[..5].copy_from_slice(&header);
        let tag = aead_key(&server_hs.key)
            .seal_in_place_separate_tag(
                first_nonce(&server_hs.iv),
                Aad::from(header),
                &mut record[5..],
            )
            .expect("seal");
        record.extend_from_slice(tag.as_ref());

        let (client_ap, server_ap) = application_stage(&hs.derived, server_finished_hash.as_ref());
        let server_app = traffic(&server_ap, false);
        Pending {
            client_read: aead_key(&client_hs.key),
            client_iv: client_hs.iv,
            client_finished_key: client_hs.finished.unwrap(),
            server_finished_hash,
            client_application: client_ap,
            server_write: aead_key(&server_app.key),
            transcript: kept,
        }
    }

    /// ServerHello as last sent.
    pub fn server_hello(&self) -> &[u8] {
        &self.server_hello
    }

    /// The sealed server flight.
    pub fn record(&self) -> &[u8] {
        &self.record
    }

    /// The server's crypto for the client's Finished: open, check, and the
    /// client's application key. Returns both application keys (server
    /// write, client read), so that nothing is optimised away.
    pub fn client_finished(pending: Pending, record: &mut [u8]) -> (LessSafeKey, LessSafeKey) {
        let (header, payload) = record.split_at_mut(5);
        let header: [u8; 5] = header.try_into().unwrap();
        let inner = pending
            .client_read
            .open_in_place(first_nonce(&pending.client_iv), Aad::from(header), payload)
            .expect("client Finished authenticates");
        assert_eq!(&inner[..4], &[20, 0, 0, HASH_LEN as u8]);
        assert_eq!(inner[4 + HASH_LEN], 22);
        let key = hmac::Key::new(HMAC_SHA256, &pending.client_finished_key);
        hmac::verify(
            &key,
            pending.server_finished_hash.as_ref(),
            &inner[4..4 + HASH_LEN],
        )
        .expect("client Finished verifies");
        let client_read = aead_key(&traffic(&pending.client_application, false).key);
        (pending.server_write, client_read)
    }
}

/// Checks the floor's key schedule and record protection against RFC 8448
/// §3, which uses this very suite and group, so the floor computes what a
/// real server does.
pub fn check_against_rfc8448() {
    use rfc8448::*;
    let unhex = |s: &str| hex(s);

    let mut transcript = digest::Context::new(&SHA256);
    transcript.update(&unhex(CLIENT_HELLO));
    transcript.update(&unhex(SERVER_HELLO));
    let hello_hash = transcript.clone().finish();
    assert_eq!(hello_hash.as_ref(), unhex(HELLO_HASH));

    let empty = digest::digest(&SHA256, b"");
    let early = Salt::new(HKDF_SHA256, &[0; HASH_LEN]).extract(&[0; HASH_LEN]);
    let early_derived = expand32(&early, b"derived", empty.as_ref());
    let hs = handshake_stage(
        &early_derived,
        empty.as_ref(),
        &unhex(SHARED_SECRET),
        hello_hash.as_ref(),
    );
    assert_eq!(hs.client[..], unhex(CLIENT_HS_TRAFFIC));
    assert_eq!(hs.server[..], unhex(SERVER_HS_TRAFFIC));
    let server_hs = traffic(&hs.server, true);
    let client_hs = traffic(&hs.client, true);
    assert_eq!(server_hs.key[..], unhex(SERVER_HS_KEY));
    assert_eq!(server_hs.iv[..], unhex(SERVER_HS_IV));
    assert_eq!(client_hs.key[..], unhex(CLIENT_HS_KEY));
    assert_eq!(client_hs.iv[..], unhex(CLIENT_HS_IV));

    // The flight: its Finished is the last 36 bytes.
    let flight = unhex(SERVER_FLIGHT);
    let (before_finished, finished) = flight.split_at(flight.len() - 4 - HASH_LEN);
    transcript.update(before_finished);
    let key = hmac::Key::new(HMAC_SHA256, &server_hs.finished.unwrap());
    let verify_data = hmac::sign(&key, transcript.clone().finish().as_ref());
    assert_eq!(verify_data.as_ref(), unhex(SERVER_FINISHED_VERIFY_DATA));
    assert_eq!(&finished[4..], verify_data.as_ref());
    transcript.update(finished);
    let server_finished_hash = transcript.finish();
    assert_eq!(server_finished_hash.as_ref(), unhex(SERVER_FINISHED_HASH));

    let mut record = unhex(SERVER_FLIGHT_RECORD)[..5].to_vec();
    record.extend_from_slice(&flight);
    record.push(22);
    let header: [u8; 5] = record[..5].try_into().unwrap();
    let tag = aead_key(&server_hs.key)
        .seal_in_place_separate_tag(
            first_nonce(&server_hs.iv),
            Aad::from(header),
            &mut record[5..],
        )
        .unwrap();
    record.extend_from_slice(tag.as_ref());
    assert_eq!(record, unhex(SERVER_FLIGHT_RECORD));

    let (client_ap, server_ap) = application_stage(&hs.derived, server_finished_hash.as_ref());
    assert_eq!(client_ap[..], unhex(CLIENT_AP_TRAFFIC));
    assert_eq!(server_ap[..], unhex(SERVER_AP_TRAFFIC));
    let server_app = traffic(&server_ap, false);
    let client_app = traffic(&client_ap, false);
    assert_eq!(server_app.key[..], unhex(SERVER_AP_KEY));
    assert_eq!(server_app.iv[..], unhex(SERVER_AP_IV));
    assert_eq!(client_app.key[..], unhex(CLIENT_AP_KEY));
    assert_eq!(client_app.iv[..], unhex(CLIENT_AP_IV));

    // The client's Finished record opens and verifies as the floor does it.
    let mut client_record = unhex(CLIENT_FINISHED_RECORD);
    let pending = Pending {
        client_read: aead_key(&client_hs.key),
        client_iv: client_hs.iv,
        client_finished_key: client_hs.finished.unwrap(),
        server_finished_hash,
        client_application: client_ap,
        server_write: aead_key(&server_app.key),
        transcript: None,
    };
    Floor::client_finished(pending, &mut client_record);
    assert_eq!(
        &client_record[5 + 4..5 + 4 + HASH_LEN],
        unhex(CLIENT_FINISHED_VERIFY_DATA)
    );
}

#[allow(dead_code)] // the floor needs the §3 vectors only
#[path = "../../src/crypto/rfc8448.rs"]
mod rfc8448;
