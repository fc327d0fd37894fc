//! TLS 1.3's key exchange for any group this server implements, in one
//! step once the client's share is in: the classical curves through
//! `key_exchange.rs`, the post-quantum hybrids through `hybrid.rs`; and
//! which groups those are, in the default order of preference.

use ring::rand::SecureRandom;

use super::hybrid;
use super::key_exchange::{KeyExchange, ServerShare, SharedSecret};
pub use crate::enums::NamedGroup;
use crate::error::Error;

/// The groups this server can complete a key exchange in, in its default
/// order of preference: the hybrids first, so that a client that sent a
/// hybrid share gets a post-quantum exchange (draft-ietf-tls-ecdhe-mlkem),
/// then the classical curves. These are the groups
/// [`ServerConfigBuilder::key_exchange_groups`](crate::ServerConfigBuilder::key_exchange_groups)
/// takes.
///
/// ```
/// use stapler::{NamedGroup, SUPPORTED_GROUPS};
///
/// // A group by its IANA name, for a command line or a config file.
/// let by_name = |name: &str| SUPPORTED_GROUPS.into_iter().find(|g| g.name() == Some(name));
/// assert_eq!(by_name("secp256r1"), Some(NamedGroup::Secp256r1));
/// assert_eq!(by_name("x448"), None); // named, but no key exchange here
/// ```
pub static SUPPORTED_GROUPS: [NamedGroup; 6] = [
    NamedGroup::X25519Mlkem768,
    NamedGroup::SecP256r1Mlkem768,
    NamedGroup::SecP384r1Mlkem1024,
    NamedGroup::X25519,
    NamedGroup::Secp256r1,
    NamedGroup::Secp384r1,
];

impl NamedGroup {
    /// Whether a key exchange can be done in this group (in TLS 1.3; TLS
    /// 1.2 takes the ones that are not [`Self::is_hybrid`]).
    pub(crate) fn is_supported(self) -> bool {
        self.is_ecdh() || self.is_hybrid()
    }

    /// Whether this is a post-quantum hybrid, which TLS 1.3 alone uses
    /// (draft-ietf-tls-ecdhe-mlkem §3): never chosen in TLS 1.2.
    pub(crate) fn is_hybrid(self) -> bool {
        hybrid::is_hybrid(self)
    }
}

/// TLS 1.3's exchange in one step, once the client's share is in: the
/// server's share and the shared secret. Both halves of a classical
/// exchange happen here at once; a hybrid encapsulates (`hybrid.rs`).
pub(crate) fn respond(
    group: NamedGroup,
    client_share: &[u8],
    rng: &dyn SecureRandom,
) -> Result<(ServerShare, SharedSecret), Error> {
    if group.is_hybrid() {
        return hybrid::respond(group, client_share.to_vec(), rng);
    }
    let (exchange, public) = KeyExchange::start(group, rng)?;
    let secret = exchange.complete(client_share)?;
    Ok((ServerShare::Ecdh(public), secret))
}

/// [`respond`] for a hybrid share the caller owns: the server's share is
/// written in its buffer (see `hybrid::respond`).
pub(crate) fn respond_hybrid(
    group: NamedGroup,
    client_share: Vec<u8>,
    rng: &dyn SecureRandom,
) -> Result<(ServerShare, SharedSecret), Error> {
    hybrid::respond(group, client_share, rng)
}

#[cfg(test)]
mod tests {
    use ring::rand::SystemRandom;

    use super::*;
    use crate::error::CryptoError;

    #[test]
    fn unsupported_groups_are_refused() {
        let rng = SystemRandom::new();
        for group in [
            NamedGroup::X448,
            NamedGroup::Secp521r1,
            NamedGroup::Ffdhe2048,
            NamedGroup::Mlkem768,
            NamedGroup::from_wire(0x0a0a),
        ] {
            assert!(!group.is_supported());
            assert_eq!(
                KeyExchange::start(group, &rng).unwrap_err(),
                Error::Crypto(CryptoError::UnsupportedGroup(group.to_wire()))
            );
            assert!(respond(group, &[4; 65], &rng).is_err());
        }
        assert!(SUPPORTED_GROUPS.iter().all(|g| g.is_supported()));
        // The hybrids have no two-step exchange: TLS 1.2 never uses them.
        for group in SUPPORTED_GROUPS.iter().filter(|g| g.is_hybrid()) {
            assert!(KeyExchange::start(*group, &rng).is_err());
        }
    }
}
