//! What a connection tells the application: its events, why it closed,
//! and what a completed handshake agreed on. The driver raises them.

use std::collections::VecDeque;

use bytes::Bytes;

use crate::codec::AlertDescription;
use crate::crypto::key_exchange::NamedGroup;
use crate::crypto::signing::SignatureScheme;
use crate::crypto::suites::CipherSuite;
use crate::enums::ProtocolVersion;
use crate::error::Error;
use crate::ocsp::OcspOutcome;
use crate::server::ocsp_event::OcspRequest;
use crate::server::select_event::CertificateSelection;
use crate::server::sign_event::SignRequest;
use crate::server::verify_client_event::VerifyClientRequest;

/// What one completed handshake agreed on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandshakeSummary {
    /// The protocol version.
    pub version: ProtocolVersion,
    /// The cipher suite.
    pub cipher_suite: CipherSuite,
    /// The key exchange group; `None` when the handshake exchanged no key:
    /// a TLS 1.2 session resumed from a ticket, or TLS 1.3 psk_ke.
    pub group: Option<NamedGroup>,
    /// The scheme the server signed with; `None` when the handshake
    /// resumed a session, sending no certificate and signing nothing.
    pub signature_scheme: Option<SignatureScheme>,
    /// The ALPN protocol, if one was negotiated.
    pub alpn_protocol: Option<Bytes>,
    /// The host name the client asked for (SNI), lower-cased.
    pub server_name: Option<Box<str>>,
    /// Whether a HelloRetryRequest was needed (TLS 1.3 only).
    pub hello_retry: bool,
    /// Whether the secrets are bound to the whole handshake: in TLS 1.2,
    /// whether the extended master secret (RFC 7627) was used; always true
    /// in TLS 1.3, whose key schedule hashes the transcript in.
    pub extended_master_secret: bool,
    /// What happened to OCSP stapling.
    pub ocsp: OcspOutcome,
    /// Whether the certificate sent is Must-Staple (RFC 7633). With an
    /// `ocsp` outcome other than `Stapled`, a client that honours it will
    /// refuse the connection: see [`Self::must_staple_unmet`].
    pub must_staple: bool,
    /// Whether the handshake resumed a session, and how; `None` for a full
    /// handshake.
    pub resumption: Option<Resumption>,
    /// The client's certificate chain, accepted (see
    /// [`ClientAuth`](crate::server::ClientAuth)): verified by the roots
    /// or by the application, as
    /// [`VerifiedClient::verified_by`](crate::pki::VerifiedClient::verified_by)
    /// says; `None` when none was asked for or the client sent none.
    pub client_certificate: Option<crate::pki::VerifiedClient>,
    /// What became of the client's OCSP staple (TLS 1.3, when
    /// [`ClientStaplePolicy`](crate::server::ClientStaplePolicy) asks for
    /// one).
    pub client_staple: crate::server::ClientStaple,
}

/// How a handshake resumed a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resumption {
    /// TLS 1.3, with a ticket's PSK and a fresh (EC)DHE exchange
    /// (psk_dhe_ke, RFC 8446 §4.2.9).
    Tls13PskDheKe,
    /// TLS 1.3, with a ticket's PSK alone (psk_ke, RFC 8446 §4.2.9): no
    /// key exchange, so no forward secrecy for this connection. Only when
    /// [`ServerConfigBuilder::psk_ke`](super::ServerConfigBuilder::psk_ke)
    /// allows it.
    Tls13PskKe,
    /// TLS 1.2, with a session ticket (RFC 5077): the abbreviated
    /// handshake, under the ticket's master secret.
    Tls12Ticket,
}

impl HandshakeSummary {
    /// Whether the certificate is Must-Staple and no staple was sent: the
    /// case [`MustStaplePolicy::Continue`](crate::ocsp::MustStaplePolicy::Continue)
    /// reports.
    pub fn must_staple_unmet(&self) -> bool {
        self.must_staple && !matches!(self.ocsp, OcspOutcome::Stapled(_))
    }
}

/// Why a connection ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The peer sent close_notify; it was answered with close_notify.
    PeerClosed,
    /// The application called [`ServerConnection::close`](crate::server::ServerConnection::close).
    LocalClose,
    /// The peer sent a fatal alert.
    PeerAlert(AlertDescription),
    /// This side failed with `error` and sent `alert` (if any) to the peer.
    Error {
        /// What went wrong.
        error: Error,
        /// The alert sent, if one was.
        alert: Option<AlertDescription>,
    },
}

/// Something the application must know or act on.
///
/// `#[non_exhaustive]` because new decisions may be added, and adding one
/// must not break a server that never turns it on. A request event is
/// raised only when its switch is on (`certificate_events`, `ocsp_events`,
/// a remote key, `client_certificate_events`), so a
/// wildcard arm sees only events its application asked for. If a
/// wildcard arm does meet a request, dropping it is safe, not a hang: the
/// connection's next call closes it with internal_error and
/// [`Error::RequestDropped`](crate::Error::RequestDropped). Answer what
/// you enable; let the wildcard take the rest.
///
/// ```
/// # fn handle(event: stapler::Event, conn: &mut stapler::ServerConnection, now: u64)
/// #     -> Result<(), stapler::CompleteError> {
/// use stapler::Event;
/// match event {
///     Event::OcspRequest(request) => conn.complete(request.answer(None), now)?,
///     Event::HandshakeComplete(summary) => println!("{:?}", summary.version),
///     Event::Closed(reason) => println!("closed: {reason:?}"),
///     _ => {} // requests this server never enables; data it does not read
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A final ClientHello is in and the configuration asks the
    /// application to choose what serves it
    /// (`ServerConfigBuilder::certificate_events`). The handshake is
    /// paused until the request's completion is handed to
    /// [`ServerConnection::complete`](crate::server::ServerConnection::complete).
    SelectCertificate(CertificateSelection),
    /// The client asked for a stapled OCSP response. The handshake is
    /// paused until the request's completion is handed to
    /// [`ServerConnection::complete`](crate::server::ServerConnection::complete).
    OcspRequest(OcspRequest),
    /// The certificate's key is remote (`CertifiedKey::remote`): the
    /// application must sign. The handshake is paused until the request's
    /// completion is handed to
    /// [`ServerConnection::complete`](crate::server::ServerConnection::complete);
    /// what comes before the signature may already be sent.
    SignRequest(SignRequest),
    /// The client sent a certificate and proved its key, and the
    /// configuration leaves the verdict to the application
    /// (`ServerConfigBuilder::client_certificate_events`). The handshake
    /// is paused before the client's Finished until the request's
    /// completion is handed to
    /// [`ServerConnection::complete`](crate::server::ServerConnection::complete).
    VerifyClient(VerifyClientRequest),
    /// The handshake completed; application data may flow.
    HandshakeComplete(HandshakeSummary),
    /// Application data from the client is ready to read, with
    /// [`ServerConnection::received`](crate::server::ServerConnection::received)
    /// and [`ServerConnection::consume`](crate::server::ServerConnection::consume)
    /// (no copy) or [`ServerConnection::read`](crate::server::ServerConnection::read).
    /// Read until there is none left: the records behind it are opened as
    /// it is read, with no further event. Until then the connection opens
    /// no further record, and `feed` takes at most one record more.
    DataReady,
    /// The client sent close_notify in TLS 1.3 and the config allows
    /// half-close ([`half_close`](crate::ServerConfigBuilder::half_close)):
    /// it will send nothing more (what it sent before is still read), and
    /// the connection goes on sending until
    /// [`ServerConnection::close`](crate::server::ServerConnection::close).
    PeerClosedWrite,
    /// The connection is over; bytes still pending from
    /// [`ServerConnection::poll_transmit`](crate::server::ServerConnection::poll_transmit) must be sent (they may hold an
    /// alert or close_notify).
    Closed(CloseReason),
}

/// Events not yet polled, oldest first. The application drains them after
/// every input, so nearly always at most one waits: it is kept inline, and
/// only those behind it go to the heap.
#[derive(Default)]
pub(crate) struct EventQueue {
    /// The oldest event, if the rest are empty or behind it.
    first: Option<Event>,
    rest: VecDeque<Event>,
}

impl EventQueue {
    pub(crate) fn push_back(&mut self, event: Event) {
        if self.first.is_none() && self.rest.is_empty() {
            self.first = Some(event);
        } else {
            self.rest.push_back(event);
        }
    }

    pub(crate) fn pop_front(&mut self) -> Option<Event> {
        let event = self.first.take().or_else(|| self.rest.pop_front());
        // A burst of events (the end of a handshake) leaves nothing on
        // the heap behind it: an idle connection holds no queue.
        if self.rest.is_empty() && self.rest.capacity() > 0 {
            self.rest = VecDeque::new();
        }
        event
    }

    pub(crate) fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    /// Drops every event after the first `len`: those of a step that
    /// failed.
    pub(crate) fn truncate(&mut self, len: usize) {
        match len.checked_sub(1) {
            None => {
                self.first = None;
                self.rest.clear();
            }
            Some(behind_first) => self.rest.truncate(behind_first),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_queue_is_first_in_first_out() {
        let data = |e: Option<Event>| match e {
            Some(Event::Closed(CloseReason::PeerAlert(AlertDescription::Unknown(n)))) => Some(n),
            None => None,
            Some(other) => panic!("{other:?}"),
        };
        let mut q = EventQueue::default();
        let mut next = 0u8;
        let mut expected = VecDeque::new();
        // Pushes and pops in every interleaving of up to three deep.
        for step in [1, 1, -1, 1, -1, -1, 1, 1, 1, -1, 1, -1, -1, -1, -1] {
            if step > 0 {
                q.push_back(Event::Closed(CloseReason::PeerAlert(
                    AlertDescription::Unknown(next),
                )));
                expected.push_back(next);
                next += 1;
            } else {
                assert_eq!(data(q.pop_front()), expected.pop_front());
            }
            assert_eq!(q.len(), expected.len());
        }
        assert!(q.first.is_none() && q.rest.is_empty());
    }
}
