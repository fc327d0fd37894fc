//! The floor of a resumed TLS 1.3 handshake (psk_dhe_ke with x25519, or
//! psk_ke; TLS_AES_128_GCM_SHA256, two new tickets): exactly the
//! cryptography a stateless-ticket server must do, with ring alone, on the
//! real handshake's messages. It answers the same clients as the servers
//! (the rustls client for psk_dhe_ke, the hand-built PSK client for
//! psk_ke): their hellos, its flight read and checked by them, their
//! Finished checked by it, and its tickets kept by the rustls client for
//! the next resumption.
//!
//! Server flight ([`FloorResumed::answer`]):
//! - the ticket the client offers opened (AES-256-GCM, its key made for
//!   the operation, as a server that wipes its keys does);
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
//! Left out, as not cryptography: parsing the hello (what the floor
//! answers is found outside the meter), encoding the state and messages
//! (ServerHello is stapler's, with the random, session id and share
//! written in; a new ticket's state is the opened one with its PSK
//! replaced), and checking what the ticket binds.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey, X25519};
use ring::digest::{self, SHA256};
use ring::hkdf::{Prk, Salt, HKDF_SHA256};
use ring::hmac::{self, HMAC_SHA256};
use ring::rand::{SecureRandom, SystemRandom};

use super::floor::{
    aead_key, expand32, first_nonce, record_header, traffic, write_random_and_echo, HASH_LEN,
    IV_LEN, TAG_LEN,
};

/// Where a resumption state keeps its secret, in stapler's layout
/// (src/tickets/state.rs): after format, version, suite, flags, issue
/// time, lifetime and age_add (22 bytes) and the secret's length byte.
/// The floors read it there rather than parse the state.
pub const STATE_SECRET_AT: usize = 23;

/// The room a ticket's state is opened in.
pub const STATE_ROOM: usize = 512;

/// The ticket key, expanded for one step's seals or its open.
pub fn ticket_key(key: &[u8; 32]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).expect("AES-256 key"))
}

/// A sealed ticket appended to `out`: name, nonce, state, tag (stapler's
/// layout, the name bound as additional data).
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

/// Opens `ticket` (name, nonce, sealed state, tag) into `room`, with the
/// key made for the operation; the state's length.
pub fn open_ticket(key: &[u8; 32], ticket: &[u8], room: &mut [u8; STATE_ROOM]) -> usize {
    let (name, rest) = ticket.split_at(16);
    let (nonce, sealed) = rest.split_at(12);
    room[..sealed.len()].copy_from_slice(sealed);
    let name: [u8; 16] = name.try_into().unwrap();
    ticket_key(key)
        .open_in_place(
            Nonce::assume_unique_for_key(nonce.try_into().unwrap()),
            Aad::from(name),
            &mut room[..sealed.len()],
        )
        .expect("the ticket opens")
        .len()
}

/// The handshake's buffers and long-lived keys.
pub struct FloorResumed {
    rng: SystemRandom,
    ticket_key: [u8; 32],
    /// ServerHello as stapler sent it when it resumed, the floor's random,
    /// session id echo and share written in.
    server_hello: Vec<u8>,
    /// Where the x25519 share goes in it: `None` for psk_ke.
    share_at: Option<usize>,
    empty_hash: [u8; HASH_LEN],
    record: Vec<u8>,
    tickets: Vec<u8>,
    /// The opened state, the new tickets' with their PSKs written in.
    state: [u8; STATE_ROOM],
    state_len: usize,
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
    client_application: [u8; HASH_LEN],
}

impl FloorResumed {
    /// `ticket_key` is the key the client's tickets are sealed with;
    /// `server_hello` the ServerHello stapler sends when it resumes this
    /// way (with a 32-byte session id echo, as both clients send).
    pub fn new(ticket_key: [u8; 32], server_hello: Vec<u8>) -> Self {
        // key_share's body: the group (2), the key's length (2), the key.
        let share_at = super::extension_at(&server_hello, 51).map(|at| at + 4);
        let empty = digest::digest(&SHA256, b"");
        let mut empty_hash = [0; HASH_LEN];
        empty_hash.copy_from_slice(empty.as_ref());
        Self {
            rng: SystemRandom::new(),
            ticket_key,
            server_hello,
            share_at,
            empty_hash,
            record: Vec::with_capacity(256),
            tickets: Vec::with_capacity(1024),
            state: [0; STATE_ROOM],
            state_len: 0,
        }
    }

    /// The server's crypto from `client_hello` (the whole message), which
    /// offers `ticket` first and ends with its one binder, to its flight
    /// ([`Self::server_hello`], [`Self::record`]); `client_share` is the
    /// client's x25519 share for psk_dhe_ke, `None` for psk_ke.
    pub fn answer(
        &mut self,
        client_hello: &[u8],
        ticket: &[u8],
        client_share: Option<&[u8]>,
    ) -> PendingResumed {
        assert_eq!(client_share.is_some(), self.share_at.is_some());
        self.state_len = open_ticket(&self.ticket_key, ticket, &mut self.state);
        let psk: [u8; HASH_LEN] = self.state[STATE_SECRET_AT..][..HASH_LEN]
            .try_into()
            .unwrap();

        // The early secret and the binder: the hello's last 35 bytes are
        // its binders list (2 + 1 + 32 for one SHA-256 binder).
        let early = Salt::new(HKDF_SHA256, &[0; HASH_LEN]).extract(&psk);
        let binder_key = expand32(&early, b"res binder", &self.empty_hash);
        let early_derived = expand32(&early, b"derived", &self.empty_hash);
        let finished = expand32(
            &Prk::new_less_safe(HKDF_SHA256, &binder_key),
            b"finished",
            b"",
        );
        let truncated_len = client_hello.len() - 35;
        let mut transcript = digest::Context::new(&SHA256);
        transcript.update(&client_hello[..truncated_len]);
        let truncated_hash = transcript.clone().finish();
        hmac::verify(
            &hmac::Key::new(HMAC_SHA256, &finished),
            truncated_hash.as_ref(),
            &client_hello[client_hello.len() - HASH_LEN..],
        )
        .expect("binder");
        transcript.update(&client_hello[truncated_len..]);

        let rng = &self.rng;
        let mut random = [0; 32];
        rng.fill(&mut random).expect("random");
        let mut shared = [0; 32];
        let sh = &mut self.server_hello;
        write_random_and_echo(sh, &random, client_hello);
        if let (Some(client_share), Some(share_at)) = (client_share, self.share_at) {
            let private = EphemeralPrivateKey::generate(&X25519, rng).expect("x25519 key");
            let public = private.compute_public_key().expect("x25519 public key");
            agreement::agree_ephemeral(
                private,
                &UnparsedPublicKey::new(&X25519, client_share),
                |secret| shared.copy_from_slice(secret),
            )
            .expect("x25519 agreement");
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
            client_application: client_ap,
        }
    }

    /// The ServerHello message of the last flight.
    pub fn server_hello(&self) -> &[u8] {
        &self.server_hello
    }

    /// The protected record of the last flight.
    pub fn record(&self) -> &[u8] {
        &self.record
    }

    /// The NewSessionTicket records of the last handshake.
    pub fn tickets(&self) -> &[u8] {
        &self.tickets
    }

    /// The client's Finished (its whole record), then two tickets.
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
        let ticket_len = 16 + 12 + self.state_len + TAG_LEN;
        for (index, seq) in [(0u8, 0u64), (1, 1)] {
            let psk = expand32(&rms, b"resumption", &[index]);
            let drawn = &drawn[usize::from(index) * 16..][..16];
            let state = &mut self.state[..self.state_len];
            state[STATE_SECRET_AT..][..HASH_LEN].copy_from_slice(&psk);
            // NewSessionTicket (RFC 8446 §4.6.1): lifetime, age_add, the
            // 1-byte nonce the PSK was expanded with, the ticket, no
            // extensions; its record's inner type last.
            let at = self.tickets.len();
            let body_len = 4 + 4 + 2 + 2 + ticket_len + 2;
            self.tickets.extend_from_slice(&[0; 5]);
            self.tickets.push(4);
            self.tickets
                .extend_from_slice(&(body_len as u32).to_be_bytes()[1..]);
            self.tickets.extend_from_slice(&7200u32.to_be_bytes());
            self.tickets.extend_from_slice(&drawn[..4]);
            self.tickets.extend_from_slice(&[1, index]);
            self.tickets
                .extend_from_slice(&(ticket_len as u16).to_be_bytes());
            seal_ticket(
                &sealing,
                drawn[4..].try_into().unwrap(),
                state,
                &mut self.tickets,
            );
            self.tickets.extend_from_slice(&[0, 0, 22]);
            let mut nonce = pending.server_iv;
            for (b, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
                *b ^= s;
            }
            let header = record_header(self.tickets.len() - at - 5 + TAG_LEN);
            self.tickets[at..at + 5].copy_from_slice(&header);
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
