//! The floor of a resumed TLS 1.3 handshake (psk_dhe_ke with x25519, or
//! psk_ke; TLS_AES_128_GCM_SHA256, two new tickets): exactly the cryptography a
//! stateless-ticket server must do, with ring alone, on buffers of the real
//! handshake's sizes.
//!
//! Server flight ([`FloorResumed::server_flight`]):
//! - the ticket opened (AES-256-GCM, its key made for the operation, as a
//!   server that wipes its keys does);
//! - the early secret from the ticket's PSK, its `derived` salt, and the
//!   binder checked: `res binder`, its finished key, the HMAC of the hash
//!   of the hello truncated before its binders (RFC 8446 §4.2.11.2);
//! - 32 random bytes; for psk_dhe_ke, x25519: a key pair and the
//!   agreement (psk_ke extracts from zeros instead, RFC 8446 §7.1);
//! - the handshake and application secrets, keys and IVs, the server
//!   Finished, and the seal of EncryptedExtensions and Finished.
//!
//! Client Finished ([`FloorResumed::client_finished`]): the open and check
//! of its Finished, the client's application key, the resumption master
//! secret, and two tickets: the two tickets' age_add (4 bytes) and
//! sealing nonces (12) in one draw from the system RNG, the ticket key
//! expanded once for both (as stapler does both), and for each a PSK, the
//! state sealed (AES-256-GCM), and the NewSessionTicket sealed under the
//! server's application key.
//!
//! Left out, as not cryptography: parsing the hello, encoding the state
//! and messages, and checking what the ticket binds.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey, X25519};
use ring::digest::{self, SHA256};
use ring::hkdf::{Prk, Salt, HKDF_SHA256};
use ring::hmac::{self, HMAC_SHA256};
use ring::rand::{SecureRandom, SystemRandom};

use super::floor::{
    aead_key, expand32, first_nonce, record_header, traffic, HASH_LEN, IV_LEN, KEY_LEN, TAG_LEN,
};

/// The ticket's sealed state: about what stapler seals (no name, no ALPN).
const STATE_LEN: usize = 110;

/// The ticket key, expanded for one step's seals or its open.
pub fn ticket_key(key: &[u8; 32]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).expect("AES-256 key"))
}

/// A sealed ticket appended to `out`: name, nonce, state, tag.
pub fn seal_ticket(key: &LessSafeKey, nonce: [u8; 12], state: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&[0x5a; 16]);
    out.extend_from_slice(&nonce);
    let at = out.len();
    out.extend_from_slice(state);
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&[0x5a; 16]),
            &mut out[at..],
        )
        .expect("seal");
    out.extend_from_slice(tag.as_ref());
}

/// The handshake's buffers and long-lived keys.
pub struct FloorResumed {
    rng: SystemRandom,
    ticket_key: [u8; 32],
    psk: [u8; HASH_LEN],
    ticket: Vec<u8>,
    /// The resuming ClientHello as sent, and its binder.
    client_hello: Vec<u8>,
    binder: [u8; HASH_LEN],
    server_hello: Vec<u8>,
    empty_hash: [u8; HASH_LEN],
    record: Vec<u8>,
    tickets: Vec<u8>,
}

/// What the server keeps between its flight and the client's Finished.
pub struct PendingResumed {
    client_read: LessSafeKey,
    client_iv: [u8; IV_LEN],
    client_finished_key: [u8; HASH_LEN],
    transcript: digest::Context,
    master: Prk,
    server_write: LessSafeKey,
    server_iv: [u8; IV_LEN],
    client_key: [u8; KEY_LEN],
    client_application: [u8; HASH_LEN],
}

impl FloorResumed {
    /// `client_hello_len` and `server_hello_len` are the real messages'
    /// lengths; the hello's binder is made here so that the check passes.
    pub fn new(client_hello_len: usize, server_hello_len: usize) -> Self {
        let rng = SystemRandom::new();
        let ticket_key = [7; 32];
        let psk = [9; HASH_LEN];
        let mut state = vec![1; STATE_LEN];
        state[..HASH_LEN].copy_from_slice(&psk);
        let mut ticket = Vec::new();
        seal_ticket(&self::ticket_key(&ticket_key), [4; 12], &state, &mut ticket);
        let empty = digest::digest(&SHA256, b"");
        let mut empty_hash = [0; HASH_LEN];
        empty_hash.copy_from_slice(empty.as_ref());
        let client_hello = vec![3; client_hello_len];
        let mut floor = Self {
            rng,
            ticket_key,
            psk,
            ticket,
            client_hello,
            binder: [0; HASH_LEN],
            server_hello: vec![2; server_hello_len],
            empty_hash,
            record: Vec::with_capacity(256),
            tickets: Vec::with_capacity(1024),
        };
        floor.binder = floor.binder_of(&psk);
        floor
    }

    /// The binder of the hello truncated before its binders list (2 + 1 +
    /// 32 bytes for one SHA-256 binder).
    fn binder_of(&self, psk: &[u8]) -> [u8; HASH_LEN] {
        let early = Salt::new(HKDF_SHA256, &[0; HASH_LEN]).extract(psk);
        let binder_key = expand32(&early, b"res binder", &self.empty_hash);
        let finished = expand32(
            &Prk::new_less_safe(HKDF_SHA256, &binder_key),
            b"finished",
            b"",
        );
        let truncated = &self.client_hello[..self.client_hello.len() - 35];
        let hash = digest::digest(&SHA256, truncated);
        let mut out = [0; HASH_LEN];
        out.copy_from_slice(
            hmac::sign(&hmac::Key::new(HMAC_SHA256, &finished), hash.as_ref()).as_ref(),
        );
        out
    }

    /// `client_share` is the client's x25519 share for psk_dhe_ke, `None`
    /// for psk_ke.
    pub fn server_flight(&mut self, client_share: Option<&[u8]>) -> PendingResumed {
        // The ticket, opened on the stack.
        let mut state = [0; 256];
        let sealed = &self.ticket[28..];
        state[..sealed.len()].copy_from_slice(sealed);
        let aead = ticket_key(&self.ticket_key);
        let nonce: [u8; 12] = self.ticket[16..28].try_into().unwrap();
        let opened = aead
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&[0x5a; 16]),
                &mut state[..sealed.len()],
            )
            .expect("ticket opens");
        let psk: [u8; HASH_LEN] = opened[..HASH_LEN].try_into().unwrap();
        assert_eq!(psk, self.psk);

        // The early secret and the binder.
        let early = Salt::new(HKDF_SHA256, &[0; HASH_LEN]).extract(&psk);
        let binder_key = expand32(&early, b"res binder", &self.empty_hash);
        let early_derived = expand32(&early, b"derived", &self.empty_hash);
        let finished = expand32(
            &Prk::new_less_safe(HKDF_SHA256, &binder_key),
            b"finished",
            b"",
        );
        let truncated_len = self.client_hello.len() - 35;
        let mut transcript = digest::Context::new(&SHA256);
        transcript.update(&self.client_hello[..truncated_len]);
        let truncated_hash = transcript.clone().finish();
        hmac::verify(
            &hmac::Key::new(HMAC_SHA256, &finished),
            truncated_hash.as_ref(),
            &self.binder,
        )
        .expect("binder");
        transcript.update(&self.client_hello[truncated_len..]);

        let rng = &self.rng;
        let mut random = [0; 32];
        rng.fill(&mut random).expect("random");
        let mut shared = [0; 32];
        let sh = &mut self.server_hello;
        sh[6..38].copy_from_slice(&random);
        if let Some(client_share) = client_share {
            let private = EphemeralPrivateKey::generate(&X25519, rng).expect("x25519 key");
            let public = private.compute_public_key().expect("x25519 public key");
            agreement::agree_ephemeral(
                private,
                &UnparsedPublicKey::new(&X25519, client_share),
                |secret| shared.copy_from_slice(secret),
            )
            .expect("x25519 agreement");
            let share_at = sh.len() - 32 - 6;
            sh[share_at..share_at + 32].copy_from_slice(public.as_ref());
        }
        transcript.update(&self.server_hello);
        let hello_hash = transcript.clone().finish();

        let secret = Salt::new(HKDF_SHA256, &early_derived).extract(&shared);
        let client_hs_secret = expand32(&secret, b"c hs traffic", hello_hash.as_ref());
        let server_hs_secret = expand32(&secret, b"s hs traffic", hello_hash.as_ref());
        let derived = expand32(&secret, b"derived", &self.empty_hash);
        let server_hs = traffic(&server_hs_secret, true);
        let client_hs = traffic(&client_hs_secret, true);

        // EncryptedExtensions (empty) and Finished in one record.
        let record = &mut self.record;
        record.clear();
        record.extend_from_slice(&[0; 5]);
        record.extend_from_slice(&[8, 0, 0, 2, 0, 0]);
        transcript.update(&record[5..]);
        let ee_hash = transcript.clone().finish();
        let key = hmac::Key::new(HMAC_SHA256, &server_hs.finished.unwrap());
        let verify_data = hmac::sign(&key, ee_hash.as_ref());
        let at = record.len();
        record.extend_from_slice(&[20, 0, 0, HASH_LEN as u8]);
        record.extend_from_slice(verify_data.as_ref());
        transcript.update(&record[at..]);
        let server_finished_hash = transcript.clone().finish();
        record.push(22);
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

        let master = Salt::new(HKDF_SHA256, &derived).extract(&[0; HASH_LEN]);
        let client_ap = expand32(&master, b"c ap traffic", server_finished_hash.as_ref());
        let server_ap = expand32(&master, b"s ap traffic", server_finished_hash.as_ref());
        let server_app = traffic(&server_ap, false);
        PendingResumed {
            client_read: aead_key(&client_hs.key),
            client_iv: client_hs.iv,
            client_finished_key: client_hs.finished.unwrap(),
            transcript,
            master,
            server_write: aead_key(&server_app.key),
            server_iv: server_app.iv,
            client_key: client_hs.key,
            client_application: client_ap,
        }
    }

    /// Plays the client: its Finished, sealed under its handshake key.
    pub fn client_finished_record(pending: &PendingResumed, out: &mut Vec<u8>) {
        let hash = pending.transcript.clone().finish();
        let key = hmac::Key::new(HMAC_SHA256, &pending.client_finished_key);
        let verify_data = hmac::sign(&key, hash.as_ref());
        out.clear();
        let header = record_header(4 + HASH_LEN + 1 + TAG_LEN);
        out.extend_from_slice(&header);
        out.extend_from_slice(&[20, 0, 0, HASH_LEN as u8]);
        out.extend_from_slice(verify_data.as_ref());
        out.push(22);
        let tag = aead_key(&pending.client_key)
            .seal_in_place_separate_tag(
                first_nonce(&pending.client_iv),
                Aad::from(header),
                &mut out[5..],
            )
            .unwrap();
        out.extend_from_slice(tag.as_ref());
    }

    /// The client's Finished, then two tickets.
    pub fn client_finished(
        &mut self,
        mut pending: PendingResumed,
        record: &mut [u8],
    ) -> LessSafeKey {
        let (header, payload) = record.split_at_mut(5);
        let header: [u8; 5] = header.try_into().unwrap();
        let inner = pending
            .client_read
            .open_in_place(first_nonce(&pending.client_iv), Aad::from(header), payload)
            .expect("client Finished authenticates");
        let hash = pending.transcript.clone().finish();
        let key = hmac::Key::new(HMAC_SHA256, &pending.client_finished_key);
        hmac::verify(&key, hash.as_ref(), &inner[4..4 + HASH_LEN]).expect("client Finished");
        pending.transcript.update(&inner[..4 + HASH_LEN]);
        let client_read = aead_key(&traffic(&pending.client_application, false).key);
        let rms = expand32(
            &pending.master,
            b"res master",
            pending.transcript.finish().as_ref(),
        );
        let rms = Prk::new_less_safe(HKDF_SHA256, &rms);
        self.tickets.clear();
        // Each ticket's age_add and sealing nonce in one draw, and the
        // ticket key expanded once, as stapler does.
        let mut drawn = [0; 2 * (4 + 12)];
        self.rng.fill(&mut drawn).expect("age_add and nonces");
        let sealing = ticket_key(&self.ticket_key);
        for (index, seq) in [(0u8, 0u64), (1, 1)] {
            let psk = expand32(&rms, b"resumption", &[index]);
            // The first 4 bytes are the age_add, which the message's
            // bytes (not their values) stand for here.
            let one = &drawn[usize::from(index) * 16..][..16];
            let mut state = [1; STATE_LEN];
            state[..HASH_LEN].copy_from_slice(&psk);
            let at = self.tickets.len();
            self.tickets.extend_from_slice(&[0; 5 + 4 + 8 + 2 + 2]);
            seal_ticket(
                &sealing,
                one[4..].try_into().unwrap(),
                &state,
                &mut self.tickets,
            );
            self.tickets.extend_from_slice(&[0, 0, 22]);
            let mut nonce = pending.server_iv;
            for (b, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
                *b ^= s;
            }
            let header = record_header(self.tickets.len() - at - 5 + TAG_LEN);
            let tag = pending
                .server_write
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(header),
                    &mut self.tickets[at + 5..],
                )
                .expect("seal");
            self.tickets.extend_from_slice(tag.as_ref());
        }
        client_read
    }
}
