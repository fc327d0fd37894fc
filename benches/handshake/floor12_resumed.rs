//! The floor of a resumed TLS 1.2 handshake (RFC 5077 §3.1: a session
//! ticket, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, a new ticket issued):
//! exactly the cryptography a stateless-ticket server must do, with ring
//! alone, on the real handshake's messages. It answers the rustls client
//! the servers answer: its hello, its flight read and checked by that
//! client, the client's Finished checked by it, and its new ticket kept by
//! the client for the next resumption.
//!
//! Server flight ([`Floor12Resumed::answer`]):
//! - the ticket the client offers opened (AES-256-GCM, its key made for
//!   the operation, as a server that wipes its keys does), giving the
//!   48-byte master secret;
//! - 32 random bytes for ServerHello.random and the new ticket's 12-byte
//!   nonce, in one draw from the system RNG (one system call, as stapler
//!   makes);
//! - the key block (PRF, 40 bytes) and AES-128-GCM key setup both ways;
//! - a new ticket: the state sealed (AES-256-GCM);
//! - SHA-256 over ClientHello, ServerHello and NewSessionTicket, the
//!   server's verify_data (PRF), and the seal of its Finished.
//!
//! Client Finished ([`Floor12Resumed::client_finished`]): the open of the
//! client's Finished and the check of its verify_data (PRF).
//!
//! Left out as not cryptography: parsing the hello (what the floor answers
//! is found outside the meter), encoding the state and messages
//! (ServerHello is stapler's, with the random and session id written in;
//! the new ticket's state is the opened one), and checking what the
//! ticket binds.

use ring::aead::LessSafeKey;
use ring::digest::{self, SHA256};
use ring::hmac::{self, HMAC_SHA256};
use ring::rand::{SecureRandom, SystemRandom};

use super::floor::write_random_and_echo;
use super::floor12::{
    aad, aes_key, key_block, nonce, prf, EXPLICIT_NONCE_LEN, FINISHED_LEN, KEY_LEN,
    MASTER_SECRET_LEN, RANDOM_LEN, SALT_LEN, TAG_LEN, VERIFY_DATA_LEN,
};
use super::floor_resumed::{open_ticket, seal_ticket, ticket_key, STATE_ROOM, STATE_SECRET_AT};

/// Key name, nonce, tag.
const TICKET_OVERHEAD: usize = 16 + 12 + 16;

/// The handshake's buffers and long-lived keys.
pub struct Floor12Resumed {
    rng: SystemRandom,
    ticket_key: [u8; 32],
    /// ServerHello as stapler sent it when it resumed, the floor's random
    /// and session id echo written in.
    server_hello: Vec<u8>,
    state: [u8; STATE_ROOM],
    out: Vec<u8>,
}

/// What the server keeps between its flight and the client's Finished.
pub struct Pending12Resumed {
    client_read: LessSafeKey,
    client_salt: [u8; SALT_LEN],
    master: hmac::Key,
    finished_hash: digest::Digest,
}

impl Floor12Resumed {
    /// `ticket_key` is the key the client's tickets are sealed with;
    /// `server_hello` the ServerHello stapler sends when it resumes (with
    /// a 32-byte session id echo, as the rustls client sends).
    pub fn new(ticket_key: [u8; 32], server_hello: Vec<u8>) -> Self {
        Self {
            rng: SystemRandom::new(),
            ticket_key,
            server_hello,
            state: [0; STATE_ROOM],
            out: Vec::with_capacity(512),
        }
    }

    /// The server's crypto from `client_hello` (the whole message), which
    /// offers `ticket`, to its flight ([`Self::flight`]: ServerHello and
    /// NewSessionTicket in one record, change_cipher_spec, Finished).
    pub fn answer(&mut self, client_hello: &[u8], ticket: &[u8]) -> Pending12Resumed {
        let state_len = open_ticket(&self.ticket_key, ticket, &mut self.state);
        let master = hmac::Key::new(
            HMAC_SHA256,
            &self.state[STATE_SECRET_AT..][..MASTER_SECRET_LEN],
        );
        let client_random: [u8; RANDOM_LEN] = client_hello[6..6 + RANDOM_LEN].try_into().unwrap();

        // ServerHello.random and the new ticket's nonce in one draw, as
        // stapler does.
        let mut drawn = [0; RANDOM_LEN + 12];
        self.rng.fill(&mut drawn).expect("random");
        let (server_random, ticket_nonce) = drawn.split_at(RANDOM_LEN);
        let server_random: [u8; RANDOM_LEN] = server_random.try_into().unwrap();
        let block = key_block(&master, &server_random, &client_random);
        let (client_write, rest) = block.split_at(KEY_LEN);
        let (server_write, rest) = rest.split_at(KEY_LEN);
        let (client_salt, server_salt) = rest.split_at(SALT_LEN);
        let client_read = aes_key(client_write);
        let server_write = aes_key(server_write);

        // ServerHello and NewSessionTicket in one plaintext record; the
        // new ticket's state is the old one's, master secret and all (RFC
        // 5077 §3.4: the session resumed is the same session).
        let out = &mut self.out;
        out.clear();
        out.extend_from_slice(&[22, 3, 3, 0, 0]);
        let flight = out.len();
        out.extend_from_slice(&self.server_hello);
        write_random_and_echo(&mut out[flight..], &server_random, client_hello);
        let ticket_len = state_len + TICKET_OVERHEAD;
        let [_, _, hi, lo] = ((4 + 2 + ticket_len) as u32).to_be_bytes();
        out.extend_from_slice(&[4, 0, hi, lo, 0, 0, 0xa8, 0xc0]);
        out.extend_from_slice(&(ticket_len as u16).to_be_bytes());
        seal_ticket(
            &ticket_key(&self.ticket_key),
            ticket_nonce.try_into().unwrap(),
            &self.state[..state_len],
            out,
        );
        let [hi, lo] = ((out.len() - flight) as u16).to_be_bytes();
        out[3] = hi;
        out[4] = lo;
        let mut transcript = digest::Context::new(&SHA256);
        transcript.update(client_hello);
        transcript.update(&out[flight..]);
        let hash = transcript.clone().finish();
        let mut verify_data = [0; VERIFY_DATA_LEN];
        prf(
            &master,
            b"server finished",
            &[hash.as_ref()],
            &mut verify_data,
        );
        // change_cipher_spec, then the Finished under the new key.
        out.extend_from_slice(&[20, 3, 3, 0, 1, 1]);
        let [hi, lo] = ((EXPLICIT_NONCE_LEN + FINISHED_LEN + TAG_LEN) as u16).to_be_bytes();
        out.extend_from_slice(&[22, 3, 3, hi, lo]);
        out.extend_from_slice(&[0; EXPLICIT_NONCE_LEN]);
        let at = out.len();
        out.extend_from_slice(&[20, 0, 0, VERIFY_DATA_LEN as u8]);
        out.extend_from_slice(&verify_data);
        transcript.update(&out[at..]);
        let tag = server_write
            .seal_in_place_separate_tag(
                nonce(server_salt, &[0; EXPLICIT_NONCE_LEN]),
                aad(22, FINISHED_LEN),
                &mut out[at..],
            )
            .expect("seal");
        out.extend_from_slice(tag.as_ref());
        Pending12Resumed {
            client_read,
            client_salt: client_salt.try_into().unwrap(),
            master,
            finished_hash: transcript.finish(),
        }
    }

    /// The last flight's records.
    pub fn flight(&self) -> &[u8] {
        &self.out
    }

    /// The client's Finished (its record's fragment) opened and checked.
    pub fn client_finished(pending: Pending12Resumed, fragment: &mut [u8]) -> LessSafeKey {
        let (explicit, sealed) = fragment.split_at_mut(EXPLICIT_NONCE_LEN);
        let message = pending
            .client_read
            .open_in_place(
                nonce(&pending.client_salt, explicit),
                aad(22, FINISHED_LEN),
                sealed,
            )
            .expect("client Finished authenticates");
        let mut expected = [0; VERIFY_DATA_LEN];
        prf(
            &pending.master,
            b"client finished",
            &[pending.finished_hash.as_ref()],
            &mut expected,
        );
        let diff = expected
            .iter()
            .zip(&message[4..])
            .fold(0, |acc, (a, b)| acc | (a ^ b));
        assert_eq!(diff, 0, "client Finished verifies");
        pending.client_read
    }
}
