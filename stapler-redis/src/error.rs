//! [`FleetError`]: what a fleet call can fail with. None of these stops a
//! server: it keeps its last good staples and keys and serves on.

use core::fmt;

use stapler::tickets::TicketKeyError;

/// Why a fleet call did not do its work.
#[derive(Debug)]
#[non_exhaustive]
pub enum FleetError {
    /// Redis could not be reached, or answered with an error: the server
    /// carries on alone (fetching its own staples, rotating its own keys)
    /// until it is back.
    Store(redis::RedisError),
    /// Something in Redis where the fleet keeps its data that was not
    /// written under this fleet's secret: forged, damaged, or written by
    /// a fleet with another secret. It is never used. The string names
    /// what it was.
    Unauthentic(&'static str),
    /// A value in Redis over its limit ([`MAX_STAPLE_VALUE_LEN`],
    /// [`MAX_KEYS_VALUE_LEN`]): not read past the limit, not used.
    ///
    /// [`MAX_STAPLE_VALUE_LEN`]: crate::MAX_STAPLE_VALUE_LEN
    /// [`MAX_KEYS_VALUE_LEN`]: crate::MAX_KEYS_VALUE_LEN
    TooLong(&'static str),
    /// The ticket keys could not be taken or made (an authentic set that
    /// does not parse, or one wholly retired, or the RNG failed).
    TicketKeys(TicketKeyError),
    /// A fleet secret shorter than [`MIN_SECRET_LEN`] or longer than
    /// [`MAX_SECRET_LEN`] (its length).
    ///
    /// [`MIN_SECRET_LEN`]: crate::MIN_SECRET_LEN
    /// [`MAX_SECRET_LEN`]: crate::MAX_SECRET_LEN
    Secret(usize),
    /// The secret file could not be read.
    SecretFile(std::io::Error),
    /// The system's random number generator or a key derivation failed.
    Crypto,
}

impl fmt::Display for FleetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store(e) => write!(f, "redis: {e}"),
            Self::Unauthentic(what) => write!(
                f,
                "the {what} in redis is not authentic under this fleet's secret; not used"
            ),
            Self::TooLong(what) => write!(f, "the {what} in redis is over its limit; not used"),
            Self::TicketKeys(e) => write!(f, "ticket keys: {e}"),
            Self::Secret(len) => write!(
                f,
                "a fleet secret of {len} bytes: it takes {} to {} random bytes",
                crate::MIN_SECRET_LEN,
                crate::MAX_SECRET_LEN
            ),
            Self::SecretFile(e) => write!(f, "cannot read the fleet secret: {e}"),
            Self::Crypto => f.write_str("the random number generator or HKDF failed"),
        }
    }
}

impl std::error::Error for FleetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Store(e) => Some(e),
            Self::TicketKeys(e) => Some(e),
            Self::SecretFile(e) => Some(e),
            _ => None,
        }
    }
}

impl From<redis::RedisError> for FleetError {
    fn from(e: redis::RedisError) -> Self {
        Self::Store(e)
    }
}
