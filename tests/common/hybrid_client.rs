//! rustls key-exchange groups for the post-quantum hybrids, built on an
//! ML-KEM that is not the server's: RustCrypto's `ml-kem` (stapler uses
//! libcrux-ml-kem) with ring's ECDH, laid out as draft-ietf-tls-ecdhe-mlkem
//! §3 says. rustls's ring provider has no ML-KEM, so these stand in for a
//! browser in memory. Each can also send a malformed share, for the
//! server's checks.

use std::sync::Arc;

use ml_kem::kem::{Decapsulate, KeyExport};
use ml_kem::{DecapsulationKey1024, DecapsulationKey768, Seed};
use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey};
use ring::rand::{SecureRandom, SystemRandom};
use rustls::crypto::{ActiveKeyExchange, CryptoProvider, SharedSecret, SupportedKxGroup};
use rustls::{NamedGroup, ProtocolVersion};

/// What a client's share looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Share {
    /// As the draft lays it out.
    Good,
    /// One byte short.
    Short,
    /// The encapsulation key's first coefficient set to 4095, which is not
    /// below q: FIPS 203 §7.2's modulus check fails.
    OverQ,
}

/// One hybrid group on the client side.
#[derive(Debug)]
pub struct HybridGroup {
    pub wire: u16,
    pub share: Share,
}

/// The three hybrids, as rustls groups with well-formed shares.
pub fn all() -> [&'static dyn SupportedKxGroup; 3] {
    [
        &HybridGroup {
            wire: 0x11ec,
            share: Share::Good,
        },
        &HybridGroup {
            wire: 0x11eb,
            share: Share::Good,
        },
        &HybridGroup {
            wire: 0x11ed,
            share: Share::Good,
        },
    ]
}

/// rustls's ring provider with `groups` for key exchange (and all of
/// ring's suites).
pub fn provider(groups: Vec<&'static dyn SupportedKxGroup>) -> Arc<CryptoProvider> {
    Arc::new(CryptoProvider {
        kx_groups: groups,
        ..rustls::crypto::ring::default_provider()
    })
}

enum Dk {
    MlKem768(Box<DecapsulationKey768>),
    MlKem1024(Box<DecapsulationKey1024>),
}

struct Active {
    wire: u16,
    dk: Dk,
    ecdh: EphemeralPrivateKey,
    alg: &'static agreement::Algorithm,
    ecdh_len: usize,
    ecdh_first: bool,
    share: Vec<u8>,
}

impl SupportedKxGroup for HybridGroup {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, rustls::Error> {
        let rng = SystemRandom::new();
        let mut seed = [0u8; 64];
        rng.fill(&mut seed).unwrap();
        let seed = Seed::from(seed);
        let (alg, ecdh_len, ecdh_first) = match self.wire {
            0x11ec => (&agreement::X25519, 32, false),
            0x11eb => (&agreement::ECDH_P256, 65, true),
            _ => (&agreement::ECDH_P384, 97, true),
        };
        let (dk, mut ek) = if self.wire == 0x11ed {
            let dk = DecapsulationKey1024::from_seed(seed);
            let ek = dk.encapsulation_key().to_bytes().to_vec();
            (Dk::MlKem1024(Box::new(dk)), ek)
        } else {
            let dk = DecapsulationKey768::from_seed(seed);
            let ek = dk.encapsulation_key().to_bytes().to_vec();
            (Dk::MlKem768(Box::new(dk)), ek)
        };
        if self.share == Share::OverQ {
            ek[0] = 0xff;
            ek[1] |= 0x0f;
        }
        let ecdh = EphemeralPrivateKey::generate(alg, &rng).unwrap();
        let public = ecdh.compute_public_key().unwrap().as_ref().to_vec();
        let mut share = if ecdh_first {
            [public, ek].concat()
        } else {
            [ek, public].concat()
        };
        if self.share == Share::Short {
            share.pop();
        }
        Ok(Box::new(Active {
            wire: self.wire,
            dk,
            ecdh,
            alg,
            ecdh_len,
            ecdh_first,
            share,
        }))
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::from(self.wire)
    }

    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        version == ProtocolVersion::TLSv1_3
    }
}

impl ActiveKeyExchange for Active {
    fn complete(self: Box<Self>, server: &[u8]) -> Result<SharedSecret, rustls::Error> {
        let bad = || rustls::Error::General("bad hybrid server share".into());
        let ct_len = server.len().checked_sub(self.ecdh_len).ok_or_else(bad)?;
        let (ecdh_share, ct) = if self.ecdh_first {
            server.split_at(self.ecdh_len)
        } else {
            let (ct, ecdh) = server.split_at(ct_len);
            (ecdh, ct)
        };
        let kem_secret = match &self.dk {
            Dk::MlKem768(dk) => dk.decapsulate_slice(ct).map_err(|_| bad())?.to_vec(),
            Dk::MlKem1024(dk) => dk.decapsulate_slice(ct).map_err(|_| bad())?.to_vec(),
        };
        let ecdh_secret = agreement::agree_ephemeral(
            self.ecdh,
            &UnparsedPublicKey::new(self.alg, ecdh_share),
            <[u8]>::to_vec,
        )
        .map_err(|_| bad())?;
        let secret = if self.ecdh_first {
            [ecdh_secret, kem_secret].concat()
        } else {
            [kem_secret, ecdh_secret].concat()
        };
        Ok(SharedSecret::from(secret))
    }

    fn pub_key(&self) -> &[u8] {
        &self.share
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::from(self.wire)
    }
}
