//! The certificate-selection event: which certificate, or which whole
//! configuration, serves this client. Node.js's `SNICallback` and
//! BoringSSL's `select_certificate_cb`, made sans-IO.
//!
//! With `ServerConfigBuilder::certificate_events(true)`, a connection
//! raises [`Event::SelectCertificate`](crate::Event::SelectCertificate)
//! once its final ClientHello is in (after a HelloRetryRequest, the
//! second one) and before any certificate is chosen, and pauses. The
//! application answers with one of [`CertificateSelection::select`] (this
//! certificate), [`CertificateSelection::use_config`] (this configuration,
//! for this connection only), [`CertificateSelection::use_default`] (the
//! configuration's own certificates, as without the switch) or
//! [`CertificateSelection::abort`], and hands the [`Completion`] to
//! `ServerConnection::complete`.

use core::fmt;
use std::sync::Arc;

use bytes::Bytes;

use crate::codec::{ClientHello, HANDSHAKE_HEADER_LEN};
use crate::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use crate::server::config::{CertifiedKey, ServerConfig};
use crate::server::request::{Answer, Completion, RefusalAlert, Selection, Ticket};

/// A client's final ClientHello is in: the application chooses what
/// serves it.
///
/// The request holds a copy of the ClientHello message, as sent, so
/// that everything the client offered can be read here and the paused
/// connection keeps none of it; the copy goes back to the connection with
/// the answer. Dropped unanswered, it closes its connection with
/// internal_error on the connection's next call, as every request does.
///
/// ```
/// use std::sync::Arc;
/// use stapler::{CertifiedKey, Event, ServerConfig, ServerConnection};
///
/// // No certificate of its own: every connection asks the application.
/// let config = ServerConfig::builder().certificate_events(true).build()?;
/// let mut conn = ServerConnection::new(Arc::new(config));
/// conn.feed(include_bytes!("../../tests/data/client_hello/openssl_tls13_status.bin"))?;
/// let Some(Event::SelectCertificate(request)) = conn.poll_event() else { panic!() };
/// assert!(request.signature_schemes().count() > 0);
/// let cert = CertifiedKey::from_pem(
///     include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"),
///     include_bytes!("../../tests/data/pki/leaf-ecdsa.key"),
///     b"",
/// )?;
/// conn.complete(request.select(Arc::new(cert)), 1_800_000_000)?;
/// assert!(conn.poll_transmit().is_some()); // the server flight
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "the connection stays paused until the request is answered"]
pub struct CertificateSelection {
    pub(crate) ticket: Ticket,
    pub(crate) hello: Bytes,
    pub(crate) version: ProtocolVersion,
    pub(crate) server_name: Option<Box<str>>,
}

impl CertificateSelection {
    /// The host name the client asked for (SNI), checked and lower-cased
    /// (see [`HandshakeSummary::server_name`](crate::HandshakeSummary::server_name)).
    pub fn server_name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }

    /// The protocol version already chosen for this handshake. A
    /// configuration handed to [`Self::use_config`] must speak it.
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }

    /// The whole ClientHello, as the zero-copy view the connection parsed.
    /// Always `Some` for a request a connection raised: the bytes parsed
    /// once already.
    pub fn client_hello(&self) -> Option<ClientHello<'_>> {
        ClientHello::parse(self.hello.get(HANDSHAKE_HEADER_LEN..)?).ok()
    }

    /// The signature schemes the client accepts, its most preferred first.
    pub fn signature_schemes(&self) -> impl Iterator<Item = SignatureScheme> + '_ {
        self.client_hello()
            .and_then(|h| h.signature_algorithms())
            .into_iter()
            .flat_map(|list| list.iter().map(SignatureScheme::from_wire))
    }

    /// The key exchange groups the client supports.
    pub fn named_groups(&self) -> impl Iterator<Item = NamedGroup> + '_ {
        self.client_hello()
            .and_then(|h| h.supported_groups())
            .into_iter()
            .flat_map(|list| list.iter().map(NamedGroup::from_wire))
    }

    /// The cipher suites the client offers, in its order.
    pub fn cipher_suites(&self) -> impl Iterator<Item = CipherSuite> + '_ {
        self.client_hello()
            .into_iter()
            .flat_map(|h| h.cipher_suites().iter().map(CipherSuite::from_wire))
    }

    /// The ALPN protocols the client offers, in its order.
    pub fn alpn_protocols(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.client_hello()
            .and_then(|h| h.alpn())
            .into_iter()
            .flat_map(|names| names.iter())
    }

    /// The protocol versions the client offers (supported_versions, or its
    /// legacy_version when it sent none), as wire values.
    pub fn client_versions(&self) -> impl Iterator<Item = u16> + '_ {
        let hello = self.client_hello();
        let legacy = hello.as_ref().map(ClientHello::legacy_version);
        let listed = hello.as_ref().and_then(ClientHello::supported_versions);
        let fallback = listed.is_none().then_some(legacy).flatten();
        listed
            .into_iter()
            .flat_map(|list| list.iter())
            .chain(fallback)
    }

    /// Serve this client with `certificate`. Its key must sign with a
    /// scheme the client accepts (and, in TLS 1.2, fit a suite and curve it
    /// offers), or the handshake fails with handshake_failure.
    pub fn select(self, certificate: Arc<CertifiedKey>) -> Completion {
        self.complete(Selection::Certificate(certificate))
    }

    /// Serve this client with `config`, in place of the connection's own,
    /// from here on: its certificates, ALPN protocols, OCSP and stapling
    /// policies, as Node.js's `SecureContext` allows per name. The version,
    /// already chosen, and after a HelloRetryRequest the suite and group,
    /// must be ones `config` also uses, or the handshake fails
    /// ([`Error::SelectionUnusable`](crate::Error::SelectionUnusable)).
    pub fn use_config(self, config: Arc<ServerConfig>) -> Completion {
        self.complete(Selection::Config(config))
    }

    /// Choose among the connection's configured certificates, as without
    /// certificate events.
    pub fn use_default(self) -> Completion {
        self.complete(Selection::Default)
    }

    /// Refuse this client with `alert` (fatal); `reason` is reported in
    /// [`Event::Closed`](crate::Event::Closed).
    pub fn abort(self, alert: RefusalAlert, reason: impl Into<String>) -> Completion {
        self.complete(Selection::Abort(alert, reason.into()))
    }

    fn complete(self, selection: Selection) -> Completion {
        self.ticket.complete(Answer::Selection {
            selection,
            hello: self.hello,
            server_name: self.server_name,
        })
    }
}

impl fmt::Debug for CertificateSelection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateSelection")
            .field("server_name", &self.server_name)
            .field("version", &self.version)
            .field("hello_len", &self.hello.len())
            .finish()
    }
}
