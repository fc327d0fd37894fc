//! A hand-built TLS 1.3 client that resumes with a PSK (RFC 8446 §2.2,
//! §4.2.11, §7.1), for TLS_AES_128_GCM_SHA256 only, written with ring
//! alone: independent of stapler's key schedule, and able to offer what
//! rustls never does (psk_ke alone, no key_share at all).
//!
//! The test makes the PSK and seals the ticket itself with the server's
//! [`TicketKeys`](stapler::tickets::TicketKeys), so it knows the secret.
//! It panics on anything it does not expect: it is a test tool.

use ring::{agreement, digest, hmac};

use super::hello_encoder::{handshake_message, record, ExtensionModel, HelloModel};
use super::tls12_client::{split_messages, split_records, CHANGE_CIPHER_SPEC, HANDSHAKE};
use super::tls13_wire::{open_record, seal_record};

const HASH_LEN: usize = 32;
/// A binder's bytes in the hello's binders list: u16 list length, u8
/// binder length, the SHA-256 HMAC.
const BINDERS_LEN: usize = 2 + 1 + HASH_LEN;

fn hkdf_extract(salt: &[u8], ikm: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, salt), ikm)
        .as_ref()
        .to_vec()
}

/// HKDF-Expand-Label with a context (RFC 8446 §7.1), SHA-256.
fn expand_label(secret: &[u8], label: &[u8], context: &[u8], len: usize) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let label = [&b"tls13 "[..], label].concat();
    let mut info = (len as u16).to_be_bytes().to_vec();
    info.push(label.len() as u8);
    info.extend(&label);
    info.push(context.len() as u8);
    info.extend(context);
    // One HKDF-Expand block covers every length used here (at most 32).
    assert!(len <= HASH_LEN);
    info.push(1);
    hmac::sign(&key, &info).as_ref()[..len].to_vec()
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    digest::digest(&digest::SHA256, bytes).as_ref().to_vec()
}

fn derive_secret(secret: &[u8], label: &[u8], messages: &[u8]) -> Vec<u8> {
    expand_label(secret, label, &sha256(messages), HASH_LEN)
}

fn finished_mac(traffic_secret: &[u8], transcript: &[u8]) -> Vec<u8> {
    let key = expand_label(traffic_secret, b"finished", &[], HASH_LEN);
    hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, &key),
        &sha256(transcript),
    )
    .as_ref()
    .to_vec()
}

/// What the server answered to the resuming hello.
#[derive(Debug, Default)]
pub struct PskAnswer {
    /// pre_shared_key's selected_identity, if the server resumed.
    pub selected: Option<u16>,
    /// key_share's group, if ServerHello carried one.
    pub key_share_group: Option<u16>,
    /// The handshake message types, in order (ServerHello, then the
    /// decrypted ones).
    pub message_types: Vec<u8>,
}

/// A client holding one PSK and its ticket.
pub struct PskClient {
    psk: Vec<u8>,
    transcript: Vec<u8>,
    private: Option<agreement::EphemeralPrivateKey>,
    client_hs: Vec<u8>,
    server_finished_seen: bool,
}

impl PskClient {
    pub fn new(psk: &[u8]) -> Self {
        Self {
            psk: psk.to_vec(),
            transcript: Vec::new(),
            private: None,
            client_hs: Vec::new(),
            server_finished_seen: false,
        }
    }

    fn early_secret(&self) -> Vec<u8> {
        hkdf_extract(&[0; HASH_LEN], &self.psk)
    }

    /// The ClientHello record offering `ticket` (with the obfuscated age
    /// `age`) under psk_key_exchange_modes `modes`, with an x25519 share
    /// and its groups if `share`; the binder made over the truncated
    /// hello (§4.2.11.2).
    pub fn hello(&mut self, ticket: &[u8], age: u32, modes: &[u8], share: bool) -> Vec<u8> {
        let mut extensions = vec![
            ExtensionModel::ServerName(vec![(0, b"localhost".to_vec())]),
            ExtensionModel::SupportedVersions(vec![0x0304]),
            ExtensionModel::PskKeyExchangeModes(modes.to_vec()),
        ];
        if share {
            let rng = ring::rand::SystemRandom::new();
            let private =
                agreement::EphemeralPrivateKey::generate(&agreement::X25519, &rng).unwrap();
            let public = private.compute_public_key().unwrap().as_ref().to_vec();
            self.private = Some(private);
            extensions.push(ExtensionModel::SupportedGroups(vec![0x001d]));
            extensions.push(ExtensionModel::SignatureAlgorithms(vec![0x0403]));
            extensions.push(ExtensionModel::KeyShare(vec![(0x001d, public)]));
        }
        let model = |binder: Vec<u8>| {
            let mut exts = extensions.clone();
            exts.push(ExtensionModel::PreSharedKey {
                identities: vec![(ticket.to_vec(), age)],
                binders: vec![binder],
            });
            HelloModel {
                legacy_version: 0x0303,
                random: [9; 32],
                session_id: vec![0x5e; 32],
                cipher_suites: vec![0x1301],
                compression_methods: vec![0],
                extensions: Some(exts),
            }
        };
        let draft = model(vec![0; HASH_LEN]).builder().handshake();
        let truncated = &draft[..draft.len() - BINDERS_LEN];
        let binder_key = derive_secret(&self.early_secret(), b"res binder", &[]);
        let binder = finished_mac(&binder_key, truncated);
        let message = model(binder).builder().handshake();
        assert_eq!(message.len(), draft.len());
        self.transcript = message.clone();
        record(HANDSHAKE, 0x0301, &message)
    }

    /// Reads ServerHello and, if the server resumed, its encrypted
    /// EncryptedExtensions and Finished, checking the Finished.
    pub fn read(&mut self, bytes: &[u8]) -> PskAnswer {
        let mut answer = PskAnswer::default();
        let records = split_records(bytes);
        let server_hello = split_messages(&records[0].fragment);
        assert_eq!(records[0].typ, HANDSHAKE);
        let (typ, sh) = &server_hello[0];
        assert_eq!(*typ, 2, "ServerHello");
        answer.message_types.push(2);
        let body = &sh[4..];
        let sid = usize::from(body[34]);
        let mut exts = &body[35 + sid + 3 + 2..];
        let mut shared = None;
        while !exts.is_empty() {
            let t = u16::from_be_bytes([exts[0], exts[1]]);
            let l = usize::from(u16::from_be_bytes([exts[2], exts[3]]));
            let e = &exts[4..4 + l];
            match t {
                41 => answer.selected = Some(u16::from_be_bytes([e[0], e[1]])),
                51 => {
                    let group = u16::from_be_bytes([e[0], e[1]]);
                    answer.key_share_group = Some(group);
                    let public = &e[4..];
                    let private = self.private.take().expect("a share was sent");
                    let peer = agreement::UnparsedPublicKey::new(&agreement::X25519, public);
                    shared =
                        Some(agreement::agree_ephemeral(private, &peer, |s| s.to_vec()).unwrap());
                }
                _ => {}
            }
            exts = &exts[4 + l..];
        }
        self.transcript.extend_from_slice(sh);
        if answer.selected.is_none() {
            // A full handshake: what follows is not this client's business.
            return answer;
        }
        let derived = derive_secret(&self.early_secret(), b"derived", &[]);
        // §7.1: psk_ke puts zeros where the (EC)DHE secret would go.
        let ikm = shared.unwrap_or_else(|| vec![0; HASH_LEN]);
        let handshake_secret = hkdf_extract(&derived, &ikm);
        let server_hs = derive_secret(&handshake_secret, b"s hs traffic", &self.transcript);
        self.client_hs = derive_secret(&handshake_secret, b"c hs traffic", &self.transcript);
        let mut seq = 0;
        let mut plain = Vec::new();
        for rec in &records[1..] {
            if rec.typ == CHANGE_CIPHER_SPEC {
                continue;
            }
            let whole = record(rec.typ, rec.version, &rec.fragment);
            let (inner_type, content) = open_record(&server_hs, seq, &whole);
            seq += 1;
            assert_eq!(inner_type, HANDSHAKE);
            plain.extend(content);
        }
        for (typ, message) in split_messages(&plain) {
            answer.message_types.push(typ);
            if typ == 20 {
                let expected = finished_mac(&server_hs, &self.transcript);
                assert_eq!(message[4..], expected[..], "the server's Finished");
                self.server_finished_seen = true;
            }
            self.transcript.extend_from_slice(&message);
        }
        answer
    }

    /// The client's Finished, protected under its handshake secret.
    pub fn finished(&mut self) -> Vec<u8> {
        assert!(self.server_finished_seen);
        let verify = finished_mac(&self.client_hs, &self.transcript);
        let message = handshake_message(20, &verify);
        seal_record(&self.client_hs, 0, HANDSHAKE, &message)
    }
}
