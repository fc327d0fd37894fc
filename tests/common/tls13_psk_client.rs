//! A hand-built TLS 1.3 client that resumes with a PSK (RFC 8446 §2.2,
//! §4.2.11, §7.1), for TLS_AES_128_GCM_SHA256 only, written with ring
//! alone: independent of stapler's key schedule, and able to offer what
//! rustls never does (psk_ke alone, no key_share at all). Self-contained,
//! so that the handshake benchmark can drive psk_ke with it too.
//!
//! The caller makes the PSK and seals the ticket itself with the server's
//! [`TicketKeys`](stapler::tickets::TicketKeys), so it knows the secret.
//! It panics on anything it does not expect: it is a test tool.

use ring::{aead, agreement, digest, hmac};

const HASH_LEN: usize = 32;
/// One binder's bytes in the binders list: u8 length, the SHA-256 HMAC.
const BINDER_ENTRY_LEN: usize = 1 + HASH_LEN;
const HANDSHAKE: u8 = 22;
const CHANGE_CIPHER_SPEC: u8 = 20;
const APPLICATION_DATA: u8 = 23;

fn hkdf_extract(salt: &[u8], ikm: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, salt), ikm)
        .as_ref()
        .to_vec()
}

/// HKDF-Expand-Label (RFC 8446 §7.1), SHA-256, for at most one block.
fn expand_label(secret: &[u8], label: &[u8], context: &[u8], len: usize) -> Vec<u8> {
    assert!(len <= HASH_LEN);
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let label = [&b"tls13 "[..], label].concat();
    let mut info = (len as u16).to_be_bytes().to_vec();
    info.push(label.len() as u8);
    info.extend(&label);
    info.push(context.len() as u8);
    info.extend(context);
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

fn u16_prefixed(body: &[u8]) -> Vec<u8> {
    [&(body.len() as u16).to_be_bytes()[..], body].concat()
}

fn extension(typ: u16, body: &[u8]) -> Vec<u8> {
    [&typ.to_be_bytes()[..], &u16_prefixed(body)].concat()
}

fn record(typ: u8, version: u16, fragment: &[u8]) -> Vec<u8> {
    let mut out = vec![typ];
    out.extend(version.to_be_bytes());
    out.extend((fragment.len() as u16).to_be_bytes());
    out.extend(fragment);
    out
}

/// (content type, fragment) of each record.
fn records(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        out.push((bytes[0], bytes[5..5 + len].to_vec()));
        bytes = &bytes[5 + len..];
    }
    out
}

/// (type, whole message) of each handshake message.
fn messages(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = usize::from(bytes[1]) << 16 | usize::from(bytes[2]) << 8 | usize::from(bytes[3]);
        out.push((bytes[0], bytes[..4 + len].to_vec()));
        bytes = &bytes[4 + len..];
    }
    out
}

/// The AES-128-GCM key and the nonce of record `seq` under `secret`.
fn record_key(secret: &[u8], seq: u64) -> (aead::LessSafeKey, aead::Nonce) {
    let key = expand_label(secret, b"key", &[], 16);
    let iv = expand_label(secret, b"iv", &[], 12);
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&iv);
    for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
        *n ^= s;
    }
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &key).unwrap());
    (key, aead::Nonce::assume_unique_for_key(nonce))
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
    /// EncryptedExtensions' extensions, as (type, body), if the server
    /// resumed.
    pub encrypted_extensions: Vec<(u16, Vec<u8>)>,
}

/// A client holding PSKs: the one [`PskClient::new`] was given, or those of
/// [`PskClient::hello_offering`].
pub struct PskClient {
    psk: Vec<u8>,
    /// Each offered identity's PSK, in order, for the one the server picks.
    offered: Vec<Vec<u8>>,
    transcript: Vec<u8>,
    private: Option<agreement::EphemeralPrivateKey>,
    client_hs: Vec<u8>,
    server_finished_seen: bool,
    rng: ring::rand::SystemRandom,
    /// Encoded extensions the hello carries besides its own, before
    /// pre_shared_key.
    pub extra_extensions: Vec<u8>,
}

impl PskClient {
    pub fn new(psk: &[u8]) -> Self {
        Self {
            psk: psk.to_vec(),
            offered: Vec::new(),
            transcript: Vec::new(),
            private: None,
            client_hs: Vec::new(),
            server_finished_seen: false,
            rng: ring::rand::SystemRandom::new(),
            extra_extensions: Vec::new(),
        }
    }

    fn early_secret(&self) -> Vec<u8> {
        hkdf_extract(&[0; HASH_LEN], &self.psk)
    }

    fn binder(psk: &[u8], truncated: &[u8]) -> Vec<u8> {
        let early = hkdf_extract(&[0; HASH_LEN], psk);
        let binder_key = derive_secret(&early, b"res binder", &[]);
        finished_mac(&binder_key, truncated)
    }

    /// The ClientHello record for localhost offering `ticket` (with the
    /// obfuscated age `age`) under psk_key_exchange_modes `modes`, with an
    /// x25519 share and its groups if `share`; the binder made over the
    /// truncated hello (§4.2.11.2).
    pub fn hello(&mut self, ticket: &[u8], age: u32, modes: &[u8], share: bool) -> Vec<u8> {
        let psk = self.psk.clone();
        self.hello_offering(&[(ticket, age, &psk)], modes, share)
    }

    /// The ClientHello offering several identities, each `(ticket,
    /// obfuscated age, PSK)`, each bound with its own PSK (§4.2.11.2: every
    /// binder over the hello truncated before the whole binders list).
    pub fn hello_offering(
        &mut self,
        offers: &[(&[u8], u32, &[u8])],
        modes: &[u8],
        share: bool,
    ) -> Vec<u8> {
        self.server_finished_seen = false;
        self.offered = offers.iter().map(|(_, _, psk)| psk.to_vec()).collect();
        let mut exts = Vec::new();
        let name = b"localhost";
        let mut server_name = vec![0];
        server_name.extend(u16_prefixed(name));
        exts.extend(extension(0, &u16_prefixed(&server_name)));
        exts.extend(extension(43, &[2, 3, 4]));
        exts.extend(extension(45, &[&[modes.len() as u8][..], modes].concat()));
        if share {
            let private =
                agreement::EphemeralPrivateKey::generate(&agreement::X25519, &self.rng).unwrap();
            let public = private.compute_public_key().unwrap();
            self.private = Some(private);
            exts.extend(extension(10, &[0, 2, 0, 0x1d]));
            exts.extend(extension(13, &[0, 2, 4, 3]));
            let entry = [&[0, 0x1d][..], &u16_prefixed(public.as_ref())].concat();
            exts.extend(extension(51, &u16_prefixed(&entry)));
        }
        exts.extend_from_slice(&self.extra_extensions);
        let identities: Vec<u8> = offers
            .iter()
            .flat_map(|(ticket, age, _)| [&u16_prefixed(ticket)[..], &age.to_be_bytes()].concat())
            .collect();
        let encode = |binders: &[Vec<u8>]| {
            let list: Vec<u8> = binders
                .iter()
                .flat_map(|b| [&[HASH_LEN as u8][..], b].concat())
                .collect();
            let binders = u16_prefixed(&list);
            let psk = extension(41, &[u16_prefixed(&identities), binders].concat());
            let mut body = vec![3, 3];
            body.extend([9; 32]);
            body.push(32);
            body.extend([0x5e; 32]);
            body.extend([0, 2, 0x13, 0x01, 1, 0]);
            body.extend(u16_prefixed(&[&exts[..], &psk].concat()));
            let len = (body.len() as u32).to_be_bytes();
            [&[1, len[1], len[2], len[3]][..], &body].concat()
        };
        let draft = encode(&vec![vec![0; HASH_LEN]; offers.len()]);
        let truncated = &draft[..draft.len() - 2 - offers.len() * BINDER_ENTRY_LEN];
        let binders: Vec<Vec<u8>> = offers
            .iter()
            .map(|(_, _, psk)| Self::binder(psk, truncated))
            .collect();
        let message = encode(&binders);
        self.transcript = message.clone();
        record(HANDSHAKE, 0x0301, &message)
    }

    /// Reads ServerHello and, if the server resumed, its encrypted
    /// EncryptedExtensions and Finished, checking the Finished.
    pub fn read(&mut self, bytes: &[u8]) -> PskAnswer {
        let mut answer = PskAnswer::default();
        let all = records(bytes);
        assert_eq!(all[0].0, HANDSHAKE);
        let sh = &messages(&all[0].1)[0].1;
        assert_eq!(sh[0], 2, "ServerHello");
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
                    answer.key_share_group = Some(u16::from_be_bytes([e[0], e[1]]));
                    let private = self.private.take().expect("a share was sent");
                    let peer = agreement::UnparsedPublicKey::new(&agreement::X25519, &e[4..]);
                    shared =
                        Some(agreement::agree_ephemeral(private, &peer, |s| s.to_vec()).unwrap());
                }
                _ => {}
            }
            exts = &exts[4 + l..];
        }
        self.transcript.extend_from_slice(sh);
        let Some(selected) = answer.selected else {
            // A full handshake: what follows is not this client's business.
            return answer;
        };
        self.psk = self.offered[usize::from(selected)].clone();
        let derived = derive_secret(&self.early_secret(), b"derived", &[]);
        // §7.1: psk_ke puts zeros where the (EC)DHE secret would go.
        let ikm = shared.unwrap_or_else(|| vec![0; HASH_LEN]);
        let handshake_secret = hkdf_extract(&derived, &ikm);
        let server_hs = derive_secret(&handshake_secret, b"s hs traffic", &self.transcript);
        self.client_hs = derive_secret(&handshake_secret, b"c hs traffic", &self.transcript);
        let mut plain = Vec::new();
        let mut seq = 0;
        for (typ, fragment) in &all[1..] {
            if *typ == CHANGE_CIPHER_SPEC {
                continue;
            }
            assert_eq!(*typ, APPLICATION_DATA);
            let (key, nonce) = record_key(&server_hs, seq);
            seq += 1;
            let header = [
                APPLICATION_DATA,
                3,
                3,
                (fragment.len() >> 8) as u8,
                fragment.len() as u8,
            ];
            let mut sealed = fragment.clone();
            let inner = key
                .open_in_place(nonce, aead::Aad::from(header), &mut sealed)
                .expect("the server's handshake record opens");
            let end = inner.iter().rposition(|&b| b != 0).unwrap();
            assert_eq!(inner[end], HANDSHAKE);
            plain.extend_from_slice(&inner[..end]);
        }
        for (typ, message) in messages(&plain) {
            answer.message_types.push(typ);
            if typ == 8 {
                answer.encrypted_extensions = extension_list(&message[4..]);
            }
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
        let mut inner = vec![20, 0, 0, HASH_LEN as u8];
        inner.extend(verify);
        inner.push(HANDSHAKE);
        let len = (inner.len() + 16) as u16;
        let header = [APPLICATION_DATA, 3, 3, (len >> 8) as u8, len as u8];
        let (key, nonce) = record_key(&self.client_hs, 0);
        key.seal_in_place_append_tag(nonce, aead::Aad::from(header), &mut inner)
            .unwrap();
        [&header[..], &inner].concat()
    }
}

/// The (type, body) pairs of an extensions block with its u16 length.
fn extension_list(block: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let mut exts = &block[2..];
    let mut list = Vec::new();
    while exts.len() >= 4 {
        let typ = u16::from_be_bytes([exts[0], exts[1]]);
        let len = usize::from(u16::from_be_bytes([exts[2], exts[3]]));
        list.push((typ, exts[4..4 + len].to_vec()));
        exts = &exts[4 + len..];
    }
    list
}
