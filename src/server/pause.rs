//! What a paused handshake keeps, by decision: the data the driver's
//! pauses are made of, and nothing that acts on it (`driver.rs` raises
//! and resumes them).

use std::sync::{Arc, Weak};

use crate::enums::ProtocolVersion;
use crate::server::config::CertifiedKey;
use crate::server::request::{Decision, RequestId, Ticket};
use crate::server::{tls12, tls13};

/// Waiting for the application's answer to a request.
pub(crate) struct Paused {
    pub(crate) id: RequestId,
    /// The request's (then its completion's) liveness, watched.
    pub(crate) alive: Weak<()>,
    pub(crate) at: PausedAt,
}

impl Paused {
    /// Paused at `at` for the request that holds `ticket`: its identity,
    /// and its liveness watched.
    pub(crate) fn for_request(ticket: &Ticket, at: PausedAt) -> Self {
        Self {
            id: ticket.id,
            alive: Arc::downgrade(&ticket.alive),
            at,
        }
    }
}

/// What the handshake goes on from, by decision.
// Lives in `Paused`, one at a time; boxing its variants would cost an
// allocation per pause for nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum PausedAt {
    /// A final ClientHello, waiting for its certificate.
    Selection(Deferred),
    /// The server flight, waiting for its staple. The host name travels
    /// in the request and its completion meanwhile, so that it is kept
    /// (and allocated) once.
    Ocsp(Pending),
    /// The server flight, sent up to the signature a remote key makes.
    Signing(AwaitSignature),
    /// The client's certificate and CertificateVerify are in; its
    /// Finished waits for the application's verdict.
    ClientVerification(AwaitVerdict),
}

/// A handshake of either version awaiting the verdict on its client (in
/// its `AwaitClientVerdict` state).
pub(crate) enum AwaitVerdict {
    Tls13(tls13::State),
    Tls12(tls12::State),
}

/// A flight waiting for a remote key's signature, of either version.
pub(crate) enum AwaitSignature {
    Tls13(Box<tls13::AwaitSignature>),
    Tls12(Box<tls12::AwaitSignature>),
}

impl PausedAt {
    pub(crate) fn decision(&self) -> Decision {
        match self {
            Self::Selection(_) => Decision::CertificateSelection,
            Self::Ocsp(_) => Decision::Ocsp,
            Self::Signing(_) => Decision::Signing,
            Self::ClientVerification(_) => Decision::ClientVerification,
        }
    }
}

/// A final ClientHello of either version, as its version left it.
// Made and unpacked once per handshake.
#[allow(clippy::large_enum_variant)]
pub(crate) enum FinalHello {
    Tls13(tls13::Final),
    Tls12(tls12::Final),
}

/// A final ClientHello whose certificate the application selects. TLS
/// 1.2 keeps nothing (its transcript waits for the suite); see
/// `PausedAt` for why the TLS 1.3 part is not boxed.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Deferred {
    Tls13(tls13::Deferred),
    Tls12(tls12::Deferred),
}

/// The final ClientHello is in: the server flight of the chosen version,
/// still to be sent, and its ServerHello.random.
pub(crate) struct Pending {
    pub(crate) random: [u8; 32],
    pub(crate) flight: VersionFlight,
}

/// The flight of one version or the other.
pub(crate) enum VersionFlight {
    Tls13(tls13::Flight),
    Tls12(tls12::Flight),
}

impl Pending {
    pub(crate) fn version(&self) -> ProtocolVersion {
        match self.flight {
            VersionFlight::Tls13(_) => ProtocolVersion::Tls13,
            VersionFlight::Tls12(_) => ProtocolVersion::Tls12,
        }
    }

    pub(crate) fn cert(&self) -> &Arc<CertifiedKey> {
        match &self.flight {
            VersionFlight::Tls13(f) => &f.chosen.cert,
            VersionFlight::Tls12(f) => &f.chosen.cert,
        }
    }

    /// The SNI host name, lent to a request while paused.
    pub(crate) fn server_name_mut(&mut self) -> &mut Option<Box<str>> {
        match &mut self.flight {
            VersionFlight::Tls13(f) => &mut f.chosen.server_name,
            VersionFlight::Tls12(f) => &mut f.chosen.server_name,
        }
    }
}
