//! The TLS 1.2 PRF (RFC 5246 §5) and the secrets made with it: the master
//! secret (RFC 5246 §8.1, and RFC 7627 §4 for the extended master secret),
//! the key block (RFC 5246 §6.3) and Finished.verify_data (§7.4.9).
//!
//! Nothing here allocates. Each secret's HMAC is keyed once (two hash
//! blocks) and every value derived from that secret is computed from the
//! keyed state, as the TLS 1.3 key schedule does. The master secret's own
//! bytes are kept (wiped on drop) only because a session ticket seals them
//! (RFC 5077 §4); the handshake drops them with its states.

use core::fmt;

use ring::{digest, hmac};

use super::suites::Tls12Suite;
use crate::error::{CryptoError, Error, InvalidMessage};

/// Bytes in a master secret (RFC 5246 §8.1).
pub(crate) const MASTER_SECRET_LEN: usize = 48;

/// Bytes in Finished.verify_data: `verify_data_length` is 12 for every
/// suite here (RFC 5246 §7.4.9).
pub(crate) const VERIFY_DATA_LEN: usize = 12;

/// The longest key block any suite needs: no MAC keys (AEAD), two 32-byte
/// keys and two 12-byte IVs (ChaCha20-Poly1305, RFC 7905 §2).
const MAX_KEY_BLOCK_LEN: usize = 2 * 32 + 2 * 12;

/// Bytes in ClientHello.random and ServerHello.random.
pub(crate) const RANDOM_LEN: usize = 32;

/// `PRF(secret, label, seed)` filling `out` (RFC 5246 §5), with `secret`
/// already keyed into `key`:
///
/// ```text
/// PRF(secret, label, seed) = P_<hash>(secret, label + seed)
/// P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
///                        HMAC_hash(secret, A(2) + seed) + ...
/// A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
/// ```
///
/// The seed is given in pieces (`label` then each of `seed`) so that it is
/// never assembled in a buffer, and no A(i) is computed beyond the one the
/// last output block needs.
pub(crate) fn prf(key: &hmac::Key, label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let with_seed = |ctx: &mut hmac::Context| {
        ctx.update(label);
        for piece in seed {
            ctx.update(piece);
        }
    };
    let mut ctx = hmac::Context::with_key(key);
    with_seed(&mut ctx);
    let mut a = ctx.sign(); // A(1)
    let mut chunks = out
        .chunks_mut(key.algorithm().digest_algorithm().output_len())
        .peekable();
    while let Some(chunk) = chunks.next() {
        let mut ctx = hmac::Context::with_key(key);
        ctx.update(a.as_ref());
        with_seed(&mut ctx);
        let block = ctx.sign();
        for (dst, src) in chunk.iter_mut().zip(block.as_ref()) {
            *dst = *src;
        }
        if chunks.peek().is_some() {
            a = hmac::sign(key, a.as_ref());
        }
    }
}

/// The master secret of one connection, keyed for the PRF.
pub(crate) struct MasterSecret {
    suite: &'static Tls12Suite,
    /// HMAC keyed with the 48 bytes of the secret: all the key block and
    /// both verify_data are made from.
    key: hmac::Key,
    /// The secret's bytes, for a session ticket; wiped when dropped.
    bytes: zeroize::Zeroizing<[u8; MASTER_SECRET_LEN]>,
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterSecret")
            .field("suite", &self.suite.suite)
            .finish_non_exhaustive()
    }
}

impl MasterSecret {
    /// The classic derivation (RFC 5246 §8.1), used when the client did not
    /// offer the extended master secret:
    /// `PRF(pre_master_secret, "master secret", ClientHello.random +
    /// ServerHello.random)[0..47]`.
    pub(crate) fn new(
        suite: &'static Tls12Suite,
        pre_master_secret: &[u8],
        client_random: &[u8; RANDOM_LEN],
        server_random: &[u8; RANDOM_LEN],
    ) -> Self {
        Self::derive(
            suite,
            pre_master_secret,
            b"master secret",
            &[client_random, server_random],
        )
    }

    /// The extended master secret (RFC 7627 §4), which binds the secret to
    /// the whole handshake so far:
    /// `PRF(pre_master_secret, "extended master secret", session_hash)`,
    /// where `session_hash` is the handshake hash through the
    /// ClientKeyExchange (§3).
    pub(crate) fn extended(
        suite: &'static Tls12Suite,
        pre_master_secret: &[u8],
        session_hash: &digest::Digest,
    ) -> Self {
        debug_assert!(core::ptr::eq(session_hash.algorithm(), suite.digest));
        Self::derive(
            suite,
            pre_master_secret,
            b"extended master secret",
            &[session_hash.as_ref()],
        )
    }

    fn derive(
        suite: &'static Tls12Suite,
        pre_master_secret: &[u8],
        label: &[u8],
        seed: &[&[u8]],
    ) -> Self {
        let mut bytes = zeroize::Zeroizing::new([0; MASTER_SECRET_LEN]);
        derive_bytes(suite, pre_master_secret, label, seed, &mut bytes);
        let key = hmac::Key::new(suite.prf, &*bytes);
        Self { suite, key, bytes }
    }

    /// A master secret a session ticket carried (RFC 5077 §4), for an
    /// abbreviated handshake; `None` unless it is 48 bytes.
    pub(crate) fn from_secret(suite: &'static Tls12Suite, secret: &[u8]) -> Option<Self> {
        let bytes = zeroize::Zeroizing::new(<[u8; MASTER_SECRET_LEN]>::try_from(secret).ok()?);
        let key = hmac::Key::new(suite.prf, &*bytes);
        Some(Self { suite, key, bytes })
    }

    /// The secret's bytes, to seal in a session ticket.
    pub(crate) fn secret(&self) -> &[u8; MASTER_SECRET_LEN] {
        &self.bytes
    }

    /// The suite the secret was made for.
    pub(crate) fn suite(&self) -> &'static Tls12Suite {
        self.suite
    }

    /// The key block (RFC 5246 §6.3):
    /// `PRF(master_secret, "key expansion", server_random + client_random)`,
    /// note the order of the randoms.
    pub(crate) fn key_block(
        &self,
        client_random: &[u8; RANDOM_LEN],
        server_random: &[u8; RANDOM_LEN],
    ) -> KeyBlock {
        let key_len = self.suite.aead.key_len();
        let iv_len = self.suite.fixed_iv_len();
        let mut block = KeyBlock {
            bytes: [0; MAX_KEY_BLOCK_LEN],
            key_len,
            iv_len,
        };
        let len = (2 * (key_len + iv_len)).min(MAX_KEY_BLOCK_LEN);
        if let Some(out) = block.bytes.get_mut(..len) {
            prf(
                &self.key,
                b"key expansion",
                &[server_random, client_random],
                out,
            );
        }
        block
    }

    /// `verify_data = PRF(master_secret, finished_label,
    /// Hash(handshake_messages))[0..11]` (RFC 5246 §7.4.9).
    fn verify_data(&self, label: &[u8], handshake_hash: &digest::Digest) -> [u8; VERIFY_DATA_LEN] {
        debug_assert!(core::ptr::eq(handshake_hash.algorithm(), self.suite.digest));
        let mut out = [0; VERIFY_DATA_LEN];
        prf(&self.key, label, &[handshake_hash.as_ref()], &mut out);
        out
    }

    /// The server's Finished.verify_data, over every handshake message up
    /// to and including the client's Finished.
    pub(crate) fn server_finished(&self, handshake_hash: &digest::Digest) -> [u8; VERIFY_DATA_LEN] {
        self.verify_data(b"server finished", handshake_hash)
    }

    /// Checks the client's Finished.verify_data, in constant time, against
    /// the hash of every handshake message before it. A wrong length is a
    /// mismatch here; the caller should have refused it with decode_error.
    pub(crate) fn check_client_finished(
        &self,
        handshake_hash: &digest::Digest,
        received: &[u8],
    ) -> Result<(), Error> {
        let expected = self.verify_data(b"client finished", handshake_hash);
        if constant_time_eq(&expected, received) {
            Ok(())
        } else {
            Err(InvalidMessage::FinishedMismatch.into())
        }
    }
}

/// The master secret's bytes: `PRF(pre_master_secret, label, seed)[0..47]`.
fn derive_bytes(
    suite: &Tls12Suite,
    pre_master_secret: &[u8],
    label: &[u8],
    seed: &[&[u8]],
    out: &mut [u8; MASTER_SECRET_LEN],
) {
    let key = hmac::Key::new(suite.prf, pre_master_secret);
    prf(&key, label, seed, out);
}

/// Whether `a == b`, looking at every byte whatever the first difference,
/// so that the time taken says nothing about where a forgery went wrong.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    core::hint::black_box(diff) == 0
}

/// The key block, split as RFC 5246 §6.3 lays it out for an AEAD suite (no
/// MAC keys): client_write_key, server_write_key, client_write_IV,
/// server_write_IV. Overwritten when dropped.
pub(crate) struct KeyBlock {
    bytes: [u8; MAX_KEY_BLOCK_LEN],
    /// Key length, so that `2 * (key_len + iv_len) <= MAX_KEY_BLOCK_LEN`.
    key_len: usize,
    iv_len: usize,
}

/// One direction's share of the key block.
#[derive(Clone, Copy)]
pub(crate) struct WriteKeys<'a> {
    /// The AEAD key.
    pub(crate) key: &'a [u8],
    /// The implicit part of the nonce: a 4-byte salt (AES-GCM) or a 12-byte
    /// IV (ChaCha20-Poly1305).
    pub(crate) iv: &'a [u8],
}

impl KeyBlock {
    fn slice(&self, start: usize, len: usize) -> Result<&[u8], Error> {
        start
            .checked_add(len)
            .and_then(|end| self.bytes.get(start..end))
            .ok_or(Error::Crypto(CryptoError::Refused))
    }

    /// The keys protecting what the client writes.
    pub(crate) fn client(&self) -> Result<WriteKeys<'_>, Error> {
        Ok(WriteKeys {
            key: self.slice(0, self.key_len)?,
            iv: self.slice(2 * self.key_len, self.iv_len)?,
        })
    }

    /// The keys protecting what the server writes.
    pub(crate) fn server(&self) -> Result<WriteKeys<'_>, Error> {
        Ok(WriteKeys {
            key: self.slice(self.key_len, self.key_len)?,
            iv: self.slice(2 * self.key_len + self.iv_len, self.iv_len)?,
        })
    }
}

impl Drop for KeyBlock {
    fn drop(&mut self) {
        self.bytes.fill(0);
        core::hint::black_box(&self.bytes);
    }
}

impl fmt::Debug for KeyBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyBlock(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::super::suites::{
        ECDHE_ECDSA_AES_128_GCM_SHA256, ECDHE_RSA_AES_256_GCM_SHA384,
        ECDHE_RSA_CHACHA20_POLY1305_SHA256,
    };
    use super::*;

    /// The PRF keyed with `secret`, as the library keys it.
    fn prf_with(alg: hmac::Algorithm, secret: &[u8], label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
        prf(&hmac::Key::new(alg, secret), label, seed, out);
    }

    /// What a master secret of these bytes derives, to compare one made by
    /// [`MasterSecret`] (whose bytes are gone once keyed) with the bytes it
    /// should have had: its key block and both verify_data.
    fn derived_from(
        suite: &'static Tls12Suite,
        master: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        hash: &digest::Digest,
    ) -> (Vec<u8>, [u8; 12], [u8; 12]) {
        let (key_len, iv_len) = (suite.aead.key_len(), suite.fixed_iv_len());
        let mut block = vec![0; 2 * (key_len + iv_len)];
        let seed = [*server_random, *client_random].concat();
        prf_with(suite.prf, master, b"key expansion", &[&seed], &mut block);
        let mut server = [0; 12];
        prf_with(
            suite.prf,
            master,
            b"server finished",
            &[hash.as_ref()],
            &mut server,
        );
        let mut client = [0; 12];
        prf_with(
            suite.prf,
            master,
            b"client finished",
            &[hash.as_ref()],
            &mut client,
        );
        (block, server, client)
    }

    /// The same, from a [`MasterSecret`].
    fn derived(
        ms: &MasterSecret,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        hash: &digest::Digest,
    ) -> (Vec<u8>, [u8; 12]) {
        let kb = ms.key_block(client_random, server_random);
        let (client, server) = (kb.client().unwrap(), kb.server().unwrap());
        let block = [client.key, server.key, client.iv, server.iv].concat();
        (block, ms.server_finished(hash))
    }

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The TLS 1.2 PRF vectors posted to the IETF TLS list (msg03416),
    /// output checked again with `openssl kdf ... TLS1-PRF`.
    #[test]
    fn published_prf_vectors() {
        let cases = [
            (
                hmac::HMAC_SHA256,
                "9bbe436ba940f017b17652849a71db35",
                "a0ba9f936cda311827a6f796ffd5198c",
                "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a
                 6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab
                 4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701
                 87347b66",
            ),
            (
                hmac::HMAC_SHA384,
                "b80b733d6ceefcdc71566ea48e5567df",
                "cd665cf6a8447dd6ff8b27555edb7465",
                "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd
                 e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd
                 8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425
                 9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6
                 91c8f3a26854308d5eaa3be85e0990703d73e56f",
            ),
        ];
        for (alg, secret, seed, expected) in cases {
            let expected = hex(expected);
            let mut out = vec![0; expected.len()];
            prf_with(alg, &hex(secret), b"test label", &[&hex(seed)], &mut out);
            assert_eq!(out, expected);
            // Pieces of the seed are the same as the whole seed.
            let seed = hex(seed);
            let (a, b) = seed.split_at(5);
            let mut split = vec![0; expected.len()];
            prf_with(alg, &hex(secret), b"test ", &[b"label", a, b], &mut split);
            assert_eq!(split, expected);
            // Shorter outputs are prefixes, whether they end inside a
            // block or on its boundary (where no further A(i) is made).
            let block = alg.digest_algorithm().output_len();
            for len in [1, 12, block - 1, block, block + 1, 2 * block, 2 * block + 3] {
                let mut short = vec![0; len];
                prf_with(alg, &hex(secret), b"test label", &[&seed], &mut short);
                assert_eq!(short, expected[..len], "{len} bytes");
            }
        }
    }

    /// Master secret, key block and verify_data against the same PRF
    /// called with the RFC's labels and seeds spelled out.
    #[test]
    fn derivations_use_the_rfc_labels_and_seed_orders() {
        let pms = [0x42; 32];
        let client_random = [1; 32];
        let server_random = [2; 32];
        for suite in [
            &ECDHE_ECDSA_AES_128_GCM_SHA256,
            &ECDHE_RSA_AES_256_GCM_SHA384,
            &ECDHE_RSA_CHACHA20_POLY1305_SHA256,
        ] {
            let hash = digest::digest(suite.digest, b"handshake messages");
            let ms = MasterSecret::new(suite, &pms, &client_random, &server_random);
            let mut expected = [0; 48];
            let seed = [client_random, server_random].concat();
            prf_with(suite.prf, &pms, b"master secret", &[&seed], &mut expected);
            let (block, server, client) =
                derived_from(suite, &expected, &client_random, &server_random, &hash);
            assert_eq!(
                derived(&ms, &client_random, &server_random, &hash),
                (block.clone(), server)
            );
            assert!(ms.check_client_finished(&hash, &client).is_ok());

            let session_hash = digest::digest(suite.digest, b"ClientHello..ClientKeyExchange");
            let ems = MasterSecret::extended(suite, &pms, &session_hash);
            prf_with(
                suite.prf,
                &pms,
                b"extended master secret",
                &[session_hash.as_ref()],
                &mut expected,
            );
            let (ems_block, ems_server, _) =
                derived_from(suite, &expected, &client_random, &server_random, &hash);
            assert_eq!(
                derived(&ems, &client_random, &server_random, &hash),
                (ems_block.clone(), ems_server)
            );
            assert_ne!(ems_block, block);

            // The key block is laid out client key, server key, client IV,
            // server IV (RFC 5246 §6.3).
            let (key_len, iv_len) = (suite.aead.key_len(), suite.fixed_iv_len());
            let kb = ms.key_block(&client_random, &server_random);
            let (c, s) = (kb.client().unwrap(), kb.server().unwrap());
            assert_eq!(c.key, &block[..key_len]);
            assert_eq!(s.key, &block[key_len..2 * key_len]);
            assert_eq!(c.iv, &block[2 * key_len..2 * key_len + iv_len]);
            assert_eq!(s.iv, &block[2 * key_len + iv_len..]);

            for bad in [
                &client[..11],
                &[0; 12][..],
                &[client, [0; 12]].concat()[..13],
                &server[..],
            ] {
                assert_eq!(
                    ms.check_client_finished(&hash, bad),
                    Err(InvalidMessage::FinishedMismatch.into())
                );
            }
            let mut flipped = client;
            flipped[11] ^= 1;
            assert!(ms.check_client_finished(&hash, &flipped).is_err());
        }
    }

    /// openssl's own TLS1-PRF (`openssl kdf -keylen 48 -kdfopt digest:SHA256
    /// -kdfopt hexsecret:<pms> -kdfopt seed:"extended master secret"
    /// -kdfopt hexseed:<hash> TLS1-PRF`) gave this extended master secret;
    /// the one made here derives what those bytes derive.
    #[test]
    fn extended_master_secret_matches_openssl() {
        let pms = [0x42; 32];
        let hash = digest::digest(&digest::SHA256, b"abc");
        let suite = &ECDHE_ECDSA_AES_128_GCM_SHA256;
        let mut bytes = [0; 48];
        derive_bytes(
            suite,
            &pms,
            b"extended master secret",
            &[hash.as_ref()],
            &mut bytes,
        );
        assert_eq!(bytes[..], hex(OPENSSL_EMS_SHA256));
        let ems = MasterSecret::extended(suite, &pms, &hash);
        let (block, server, _) = derived_from(suite, &bytes, &[1; 32], &[2; 32], &hash);
        assert_eq!(derived(&ems, &[1; 32], &[2; 32], &hash), (block, server));
    }

    const OPENSSL_EMS_SHA256: &str = "7ef54f86b42d7660d07fd7ac7d24e2637555442089199ebf\
                                      b38544d4892c99863a65e750e82e0addf30e120f53807216";
}
