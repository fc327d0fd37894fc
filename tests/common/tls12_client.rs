//! A TLS 1.2 client written for the tests straight from RFC 5246, RFC 8422,
//! RFC 5288/7905 and RFC 7627, with ring alone: independent of stapler's
//! PRF and record code, and able to do what rustls will not (leave out the
//! extended master secret, signal a fallback, send a bad ClientKeyExchange
//! or Finished, try to renegotiate).
//!
//! It panics on anything it does not expect: it is a test tool.

use ring::{aead, agreement, digest, hmac, signature};

use super::hello_encoder::{
    handshake_message, record, ExtensionModel, HelloModel, StatusRequestModel,
};

#[path = "tls12_resume.rs"]
mod resume;

/// Record content types.
pub const CHANGE_CIPHER_SPEC: u8 = 20;
pub const ALERT: u8 = 21;
pub const HANDSHAKE: u8 = 22;
pub const APPLICATION_DATA: u8 = 23;

/// The extensions a typical TLS 1.2 client sends to localhost.
pub fn tls12_extensions(ems: bool, ocsp: bool) -> Vec<ExtensionModel> {
    let mut exts = vec![
        ExtensionModel::ServerName(vec![(0, b"localhost".to_vec())]),
        ExtensionModel::SupportedGroups(vec![0x001d, 0x0017, 0x0018]),
        ExtensionModel::EcPointFormats(vec![0]),
        ExtensionModel::SignatureAlgorithms(vec![0x0403, 0x0503, 0x0804, 0x0401]),
        ExtensionModel::RenegotiationInfo(Vec::new()),
    ];
    if ems {
        exts.push(ExtensionModel::ExtendedMasterSecret);
    }
    if ocsp {
        exts.push(ExtensionModel::StatusRequest(StatusRequestModel::Ocsp {
            responder_ids: Vec::new(),
            request_extensions: None,
        }));
    }
    exts
}

/// A TLS 1.2 ClientHello (no supported_versions) offering `suites`.
pub fn tls12_hello(suites: &[u16], extensions: Vec<ExtensionModel>) -> HelloModel {
    let rng = ring::rand::SystemRandom::new();
    let random: [u8; 32] = ring::rand::generate(&rng).unwrap().expose();
    HelloModel {
        legacy_version: 0x0303,
        random,
        session_id: Vec::new(),
        cipher_suites: suites.to_vec(),
        compression_methods: vec![0],
        extensions: Some(extensions),
    }
}

/// `PRF(secret, label, seed)` (RFC 5246 §5) over `alg`'s hash.
pub fn prf(alg: hmac::Algorithm, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let key = hmac::Key::new(alg, secret);
    let label_seed = [label, seed].concat();
    let mut a = hmac::sign(&key, &label_seed).as_ref().to_vec();
    let mut out = Vec::new();
    while out.len() < len {
        out.extend_from_slice(hmac::sign(&key, &[&a[..], &label_seed].concat()).as_ref());
        a = hmac::sign(&key, &a).as_ref().to_vec();
    }
    out.truncate(len);
    out
}

/// One split record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRecord {
    pub typ: u8,
    pub version: u16,
    pub fragment: Vec<u8>,
}

/// Splits bytes into whole records (panics on a partial one).
pub fn split_records(mut bytes: &[u8]) -> Vec<RawRecord> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        assert!(bytes.len() >= 5, "partial record header");
        let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        assert!(bytes.len() >= 5 + len, "partial record");
        out.push(RawRecord {
            typ: bytes[0],
            version: u16::from_be_bytes([bytes[1], bytes[2]]),
            fragment: bytes[5..5 + len].to_vec(),
        });
        bytes = &bytes[5 + len..];
    }
    out
}

/// Splits joined handshake fragments into (type, whole message) pairs.
pub fn split_messages(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len =
            (usize::from(bytes[1]) << 16) | (usize::from(bytes[2]) << 8) | usize::from(bytes[3]);
        out.push((bytes[0], bytes[..4 + len].to_vec()));
        bytes = &bytes[4 + len..];
    }
    out
}

/// What the server's first flight said.
#[derive(Clone, Debug, Default)]
pub struct ServerFlight {
    /// Handshake message types in order.
    pub message_types: Vec<u8>,
    pub server_random: [u8; 32],
    pub session_id: Vec<u8>,
    pub suite: u16,
    /// ServerHello's extensions in order, or `None` with no block.
    pub extensions: Option<Vec<(u16, Vec<u8>)>>,
    pub certificates: Vec<Vec<u8>>,
    /// CertificateStatus's OCSP response.
    pub ocsp_response: Option<Vec<u8>>,
    pub group: u16,
    pub server_public: Vec<u8>,
    pub scheme: u16,
    /// CertificateRequest's body, if the server asked for a certificate.
    pub certificate_request: Option<Vec<u8>>,
}

impl ServerFlight {
    /// The body of ServerHello's extension `typ`, if sent.
    pub fn extension(&self, typ: u16) -> Option<&[u8]> {
        self.extensions
            .iter()
            .flatten()
            .find(|(t, _)| *t == typ)
            .map(|(_, b)| &b[..])
    }
}

struct Direction {
    key: aead::LessSafeKey,
    iv: Vec<u8>,
    seq: u64,
}

/// A hand-driven TLS 1.2 client.
pub struct HandClient {
    pub hello: HelloModel,
    transcript: Vec<u8>,
    pub flight: ServerFlight,
    pub master_secret: Vec<u8>,
    /// The NewSessionTicket's lifetime hint and ticket (RFC 5077 §3.3),
    /// once the server sent one.
    pub ticket: Option<(u32, Vec<u8>)>,
    client: Option<Direction>,
    server: Option<Direction>,
}

impl HandClient {
    pub fn new(hello: HelloModel) -> Self {
        Self {
            hello,
            transcript: Vec::new(),
            flight: ServerFlight::default(),
            master_secret: Vec::new(),
            ticket: None,
            client: None,
            server: None,
        }
    }

    /// The ClientHello as one record (and into the transcript).
    pub fn client_hello(&mut self) -> Vec<u8> {
        let message = self.hello.builder().handshake();
        self.transcript.extend_from_slice(&message);
        record(HANDSHAKE, 0x0301, &message)
    }

    fn suite_params(&self) -> (hmac::Algorithm, &'static aead::Algorithm, bool) {
        // (PRF hash, AEAD, explicit nonce)
        match self.flight.suite {
            0xc02b | 0xc02f => (hmac::HMAC_SHA256, &aead::AES_128_GCM, true),
            0xc02c | 0xc030 => (hmac::HMAC_SHA384, &aead::AES_256_GCM, true),
            0xcca8 | 0xcca9 => (hmac::HMAC_SHA256, &aead::CHACHA20_POLY1305, false),
            other => panic!("suite {other:#06x} not known to the hand client"),
        }
    }

    fn hash(&self) -> digest::Digest {
        digest::digest(self.suite_params().0.digest_algorithm(), &self.transcript)
    }

    /// Reads the server's plaintext flight through ServerHelloDone and
    /// checks the ServerKeyExchange signature against the leaf.
    pub fn read_flight(&mut self, bytes: &[u8]) -> &ServerFlight {
        let mut joined = Vec::new();
        for rec in split_records(bytes) {
            assert_eq!(
                rec.typ, HANDSHAKE,
                "plaintext handshake records only: {rec:?}"
            );
            assert_eq!(rec.version, 0x0303);
            joined.extend(rec.fragment);
        }
        let mut f = ServerFlight::default();
        for (typ, message) in split_messages(&joined) {
            f.message_types.push(typ);
            self.transcript.extend_from_slice(&message);
            let body = &message[4..];
            match typ {
                2 => {
                    assert_eq!(body[..2], [3, 3]);
                    f.server_random.copy_from_slice(&body[2..34]);
                    let sid_len = usize::from(body[34]);
                    f.session_id = body[35..35 + sid_len].to_vec();
                    let rest = &body[35 + sid_len..];
                    f.suite = u16::from_be_bytes([rest[0], rest[1]]);
                    assert_eq!(rest[2], 0, "null compression");
                    let rest = &rest[3..];
                    if !rest.is_empty() {
                        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
                        assert_eq!(rest.len(), 2 + len);
                        let mut exts = Vec::new();
                        let mut e = &rest[2..];
                        while !e.is_empty() {
                            let t = u16::from_be_bytes([e[0], e[1]]);
                            let l = usize::from(u16::from_be_bytes([e[2], e[3]]));
                            exts.push((t, e[4..4 + l].to_vec()));
                            e = &e[4 + l..];
                        }
                        f.extensions = Some(exts);
                    }
                }
                11 => {
                    let mut list = &body[3..];
                    while !list.is_empty() {
                        let l = (usize::from(list[0]) << 16)
                            | (usize::from(list[1]) << 8)
                            | usize::from(list[2]);
                        f.certificates.push(list[3..3 + l].to_vec());
                        list = &list[3 + l..];
                    }
                }
                22 => {
                    assert_eq!(body[0], 1, "status_type ocsp");
                    let l = (usize::from(body[1]) << 16)
                        | (usize::from(body[2]) << 8)
                        | usize::from(body[3]);
                    assert_eq!(body.len(), 4 + l);
                    f.ocsp_response = Some(body[4..].to_vec());
                }
                12 => {
                    assert_eq!(body[0], 3, "named_curve");
                    f.group = u16::from_be_bytes([body[1], body[2]]);
                    let pl = usize::from(body[3]);
                    f.server_public = body[4..4 + pl].to_vec();
                    let params = &body[..4 + pl];
                    let rest = &body[4 + pl..];
                    f.scheme = u16::from_be_bytes([rest[0], rest[1]]);
                    let sl = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
                    let sig = &rest[4..4 + sl];
                    assert_eq!(rest.len(), 4 + sl);
                    let signed = [&self.hello.random[..], &f.server_random, params].concat();
                    verify(&f.certificates[0], f.scheme, &signed, sig);
                }
                13 => f.certificate_request = Some(body.to_vec()),
                14 => assert!(body.is_empty()),
                other => panic!("unexpected message {other} in the server flight"),
            }
        }
        self.flight = f;
        &self.flight
    }

    /// A fresh key pair in the flight's group, and the shared secret.
    pub fn key_exchange(&self) -> (Vec<u8>, Vec<u8>) {
        let rng = ring::rand::SystemRandom::new();
        let alg = match self.flight.group {
            0x001d => &agreement::X25519,
            0x0017 => &agreement::ECDH_P256,
            0x0018 => &agreement::ECDH_P384,
            g => panic!("group {g:#06x}"),
        };
        let private = agreement::EphemeralPrivateKey::generate(alg, &rng).unwrap();
        let public = private.compute_public_key().unwrap().as_ref().to_vec();
        let peer = agreement::UnparsedPublicKey::new(alg, &self.flight.server_public);
        let shared = agreement::agree_ephemeral(private, &peer, |s| s.to_vec()).unwrap();
        (public, shared)
    }

    /// A handshake record of `typ` with `body`, added to the transcript
    /// (a Certificate or CertificateVerify of the test's making).
    pub fn handshake_record(&mut self, typ: u8, body: &[u8]) -> Vec<u8> {
        let message = handshake_message(typ, body);
        self.transcript.extend_from_slice(&message);
        record(HANDSHAKE, 0x0303, &message)
    }

    /// Every handshake message so far, as a TLS 1.2 CertificateVerify
    /// signs them (RFC 5246 §7.4.8).
    pub fn handshake_messages(&self) -> &[u8] {
        &self.transcript
    }

    /// A ClientKeyExchange record with this exact body (which may be
    /// malformed), added to the transcript.
    pub fn client_key_exchange_with_body(&mut self, body: &[u8]) -> Vec<u8> {
        let message = handshake_message(16, body);
        self.transcript.extend_from_slice(&message);
        record(HANDSHAKE, 0x0303, &message)
    }

    /// A good ClientKeyExchange record; derives the master secret (the
    /// extended one when the server echoed extended_master_secret) and
    /// the keys.
    pub fn client_key_exchange(&mut self) -> Vec<u8> {
        let (public, shared) = self.key_exchange();
        let mut body = vec![public.len() as u8];
        body.extend(&public);
        let rec = self.client_key_exchange_with_body(&body);
        let alg = self.suite_params().0;
        self.master_secret = if self.flight.extension(23).is_some() {
            prf(
                alg,
                &shared,
                b"extended master secret",
                self.hash().as_ref(),
                48,
            )
        } else {
            let seed = [self.hello.random, self.flight.server_random].concat();
            prf(alg, &shared, b"master secret", &seed, 48)
        };
        self.derive_keys();
        rec
    }

    /// The key block from the master secret and both randoms (RFC 5246
    /// §6.3).
    fn derive_keys(&mut self) {
        let (alg, aead_alg, explicit) = self.suite_params();
        let (key_len, iv_len) = (aead_alg.key_len(), if explicit { 4 } else { 12 });
        let seed = [self.flight.server_random, self.hello.random].concat();
        let block = prf(
            alg,
            &self.master_secret,
            b"key expansion",
            &seed,
            2 * (key_len + iv_len),
        );
        let (ck, rest) = block.split_at(key_len);
        let (sk, rest) = rest.split_at(key_len);
        let (civ, siv) = rest.split_at(iv_len);
        let direction = |key: &[u8], iv: &[u8]| Direction {
            key: aead::LessSafeKey::new(aead::UnboundKey::new(aead_alg, key).unwrap()),
            iv: iv.to_vec(),
            seq: 0,
        };
        self.client = Some(direction(ck, civ));
        self.server = Some(direction(sk, siv));
    }

    /// The change_cipher_spec record.
    pub fn change_cipher_spec() -> Vec<u8> {
        record(CHANGE_CIPHER_SPEC, 0x0303, &[1])
    }

    /// The Finished message (correct verify_data), into the transcript.
    pub fn finished_message(&mut self) -> Vec<u8> {
        let (alg, _, _) = self.suite_params();
        let verify = prf(
            alg,
            &self.master_secret,
            b"client finished",
            self.hash().as_ref(),
            12,
        );
        let message = handshake_message(20, &verify);
        self.transcript.extend_from_slice(&message);
        message
    }

    /// Protects one record with the client's keys (RFC 5288 §3 / RFC 7905
    /// §2; the explicit nonce is the sequence number).
    pub fn seal(&mut self, typ: u8, plaintext: &[u8]) -> Vec<u8> {
        let explicit = self.suite_params().2;
        let dir = self.client.as_mut().expect("keys");
        let seq = dir.seq;
        dir.seq += 1;
        let nonce: [u8; 12] = if explicit {
            [&dir.iv[..], &seq.to_be_bytes()]
                .concat()
                .try_into()
                .unwrap()
        } else {
            let mut n: [u8; 12] = dir.iv.clone().try_into().unwrap();
            for (b, s) in n[4..].iter_mut().zip(seq.to_be_bytes()) {
                *b ^= s;
            }
            n
        };
        let mut aad = seq.to_be_bytes().to_vec();
        aad.extend([typ, 3, 3]);
        aad.extend((plaintext.len() as u16).to_be_bytes());
        let mut body = plaintext.to_vec();
        dir.key
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                &mut body,
            )
            .unwrap();
        let fragment = if explicit {
            [&seq.to_be_bytes()[..], &body].concat()
        } else {
            body
        };
        record(typ, 0x0303, &fragment)
    }

    /// Opens one record protected with the server's keys.
    pub fn open(&mut self, rec: &RawRecord) -> Vec<u8> {
        let explicit = self.suite_params().2;
        let dir = self.server.as_mut().expect("keys");
        let seq = dir.seq;
        dir.seq += 1;
        let (nonce, sealed): ([u8; 12], &[u8]) = if explicit {
            let n = [&dir.iv[..], &rec.fragment[..8]]
                .concat()
                .try_into()
                .unwrap();
            (n, &rec.fragment[8..])
        } else {
            let mut n: [u8; 12] = dir.iv.clone().try_into().unwrap();
            for (b, s) in n[4..].iter_mut().zip(seq.to_be_bytes()) {
                *b ^= s;
            }
            (n, &rec.fragment[..])
        };
        let mut aad = seq.to_be_bytes().to_vec();
        aad.extend([rec.typ, 3, 3]);
        aad.extend(((sealed.len() - 16) as u16).to_be_bytes());
        let mut body = sealed.to_vec();
        let plain = dir
            .key
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                &mut body,
            )
            .expect("server record authenticates");
        plain.to_vec()
    }

    /// ClientKeyExchange, change_cipher_spec and an encrypted Finished.
    pub fn second_flight(&mut self) -> Vec<u8> {
        let mut out = self.client_key_exchange();
        out.extend(Self::change_cipher_spec());
        let finished = self.finished_message();
        out.extend(self.seal(HANDSHAKE, &finished));
        out
    }

    /// Checks the server's change_cipher_spec and Finished, after a
    /// NewSessionTicket if one came (kept in `ticket`).
    pub fn read_server_finished(&mut self, bytes: &[u8]) {
        let mut records = split_records(bytes);
        if records.first().is_some_and(|r| r.typ == HANDSHAKE) {
            let nst = records.remove(0);
            self.read_new_session_ticket(&nst.fragment);
        }
        assert_eq!(records.len(), 2, "{records:?}");
        assert_eq!(
            records[0],
            RawRecord {
                typ: CHANGE_CIPHER_SPEC,
                version: 0x0303,
                fragment: vec![1]
            }
        );
        assert_eq!(records[1].typ, HANDSHAKE);
        let finished = self.open(&records[1]);
        let (alg, _, _) = self.suite_params();
        let expected = prf(
            alg,
            &self.master_secret,
            b"server finished",
            self.hash().as_ref(),
            12,
        );
        assert_eq!(
            finished,
            handshake_message(20, &expected),
            "server Finished"
        );
        self.transcript.extend_from_slice(&finished);
    }
}

/// Checks a TLS 1.2 ServerKeyExchange signature with the leaf's key.
fn verify(leaf: &[u8], scheme: u16, message: &[u8], sig: &[u8]) {
    let cert = stapler::pki::Certificate::from_der(leaf.to_vec()).unwrap();
    let alg: &dyn signature::VerificationAlgorithm = match scheme {
        0x0403 => &signature::ECDSA_P256_SHA256_ASN1,
        0x0503 => &signature::ECDSA_P384_SHA384_ASN1,
        0x0401 => &signature::RSA_PKCS1_2048_8192_SHA256,
        0x0501 => &signature::RSA_PKCS1_2048_8192_SHA384,
        0x0601 => &signature::RSA_PKCS1_2048_8192_SHA512,
        0x0804 => &signature::RSA_PSS_2048_8192_SHA256,
        0x0805 => &signature::RSA_PSS_2048_8192_SHA384,
        0x0806 => &signature::RSA_PSS_2048_8192_SHA512,
        0x0807 => &signature::ED25519,
        other => panic!("scheme {other:#06x}"),
    };
    signature::UnparsedPublicKey::new(alg, cert.public_key())
        .verify(message, sig)
        .expect("ServerKeyExchange signature verifies");
}
