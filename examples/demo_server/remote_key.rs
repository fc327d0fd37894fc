//! `--remote-key`: the private keys live in a signer thread, standing in
//! for an HSM or a KMS. stapler holds only the chains
//! (`ServerConfigBuilder::remote_certificate_chain`); each handshake's
//! `Event::SignRequest` goes to this thread, which signs with ring and
//! sends the completion back after `--sign-delay-ms`.

use std::sync::{mpsc, Mutex};
use std::thread;
use std::time::Duration;

use bytes::Bytes;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};
use stapler::pki::pem::private_key_from_pem_or_der;
use stapler::pki::KeyFormat;
use stapler::{Completion, SignRequest, SignatureScheme};

/// A key the signer thread holds.
enum Key {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

/// One request for the signer, and where its answer goes.
struct Job {
    request: SignRequest,
    reply: mpsc::Sender<Completion>,
}

/// The handle connections use to reach the signer thread.
pub struct RemoteSigner {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl RemoteSigner {
    /// Starts the signer thread with `keys`: each leaf (DER) with its
    /// private key (PEM or DER). The keys are parsed in the thread; an
    /// unusable one is reported here.
    pub fn start(keys: Vec<(Bytes, Vec<u8>)>, delay: Duration) -> Result<Self, String> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready, started) = mpsc::channel();
        thread::Builder::new()
            .name("remote signer".into())
            .spawn(move || {
                let rng = SystemRandom::new();
                let parsed: Result<Vec<(Bytes, Key)>, String> = keys
                    .into_iter()
                    .map(|(leaf, key)| parse_key(&key, &rng).map(|k| (leaf, k)))
                    .collect();
                let keys = match parsed {
                    Ok(keys) => {
                        let _ = ready.send(Ok(()));
                        keys
                    }
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                for Job { request, reply } in inbox {
                    let completion =
                        match keys.iter().find(|(leaf, _)| leaf == request.certificate()) {
                            Some((_, key)) => {
                                match sign(key, request.scheme(), request.message(), &rng) {
                                    Ok(signature) => request.signature(signature),
                                    Err(e) => request.abort(e),
                                }
                            }
                            None => request.abort("the signer holds no key for this certificate"),
                        };
                    if delay.is_zero() {
                        let _ = reply.send(completion);
                    } else {
                        // The wait is the HSM's, not the thread's: other
                        // requests are signed meanwhile.
                        let _ =
                            thread::Builder::new()
                                .name("signer reply".into())
                                .spawn(move || {
                                    thread::sleep(delay);
                                    let _ = reply.send(completion);
                                });
                    }
                }
            })
            .map_err(|e| format!("cannot start the signer thread: {e}"))?;
        started
            .recv()
            .map_err(|_| "the signer thread ended".to_string())??;
        Ok(Self {
            jobs: Mutex::new(jobs),
        })
    }

    /// Hands `request` to the signer thread; the completion comes on the
    /// returned channel.
    pub fn sign(&self, request: SignRequest) -> mpsc::Receiver<Completion> {
        let (reply, answer) = mpsc::channel();
        if let Ok(jobs) = self.jobs.lock() {
            // If the thread is gone the reply never comes, and the
            // connection times out waiting, as it would for a dead HSM.
            let _ = jobs.send(Job { request, reply });
        }
        answer
    }
}

fn parse_key(key: &[u8], rng: &SystemRandom) -> Result<Key, String> {
    let key = private_key_from_pem_or_der(key).map_err(|e| format!("--remote-key: {e}"))?;
    let der = key.der();
    match key.format() {
        KeyFormat::Pkcs8 => {
            for algorithm in [
                &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            ] {
                if let Ok(pair) = EcdsaKeyPair::from_pkcs8(algorithm, der, rng) {
                    return Ok(Key::Ecdsa(pair));
                }
            }
            if let Ok(pair) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
                return Ok(Key::Ed25519(pair));
            }
            RsaKeyPair::from_pkcs8(der)
                .map(Key::Rsa)
                .map_err(|e| format!("--remote-key: a PKCS#8 key ring cannot use: {e}"))
        }
        KeyFormat::Pkcs1 => RsaKeyPair::from_der(der)
            .map(Key::Rsa)
            .map_err(|e| format!("--remote-key: an RSA key ring cannot use: {e}")),
        _ => Err(
            "--remote-key takes PKCS#8 or PKCS#1 keys; convert a SEC1 key with \
                  `openssl pkcs8 -topk8 -nocrypt`"
                .into(),
        ),
    }
}

/// Signs `message` with `scheme`, as the request asks.
fn sign(
    key: &Key,
    scheme: SignatureScheme,
    message: &[u8],
    rng: &SystemRandom,
) -> Result<Vec<u8>, String> {
    let failed = |_| format!("signing with {scheme} failed");
    match key {
        Key::Ecdsa(pair) => pair
            .sign(rng, message)
            .map(|s| s.as_ref().to_vec())
            .map_err(failed),
        Key::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        Key::Rsa(pair) => {
            let padding: &'static dyn signature::RsaEncoding = match scheme {
                SignatureScheme::RsaPssRsaeSha256 => &signature::RSA_PSS_SHA256,
                SignatureScheme::RsaPssRsaeSha384 => &signature::RSA_PSS_SHA384,
                SignatureScheme::RsaPssRsaeSha512 => &signature::RSA_PSS_SHA512,
                SignatureScheme::RsaPkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
                SignatureScheme::RsaPkcs1Sha384 => &signature::RSA_PKCS1_SHA384,
                SignatureScheme::RsaPkcs1Sha512 => &signature::RSA_PKCS1_SHA512,
                other => return Err(format!("an RSA key cannot sign {other}")),
            };
            let mut signature = vec![0; pair.public().modulus_len()];
            pair.sign(padding, rng, message, &mut signature)
                .map_err(failed)?;
            Ok(signature)
        }
    }
}
