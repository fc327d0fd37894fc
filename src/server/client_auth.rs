//! Client authentication (mTLS): whether the server asks for a client
//! certificate, and what it does with the answer (RFC 8446 §4.3.2,
//! §4.4.2, §4.4.3; RFC 5246 §7.4.4, §7.4.6, §7.4.8).
//!
//! With [`ServerConfigBuilder::client_auth`](crate::server::ServerConfigBuilder::client_auth)
//! the server flight carries a CertificateRequest in either version, and
//! the client's Certificate and CertificateVerify are read before its
//! Finished (TLS 1.2: Certificate before ClientKeyExchange, and
//! CertificateVerify after it).
//! The chain is validated by [`ClientRoots::verify`] at the connection's
//! time, so a connection must be started with it
//! ([`ServerConnection::new_at`](crate::server::ServerConnection::new_at)).
//! What verified is in
//! [`HandshakeSummary::client_certificate`](crate::server::HandshakeSummary::client_certificate).
//!
//! Not yet: the deferred verification event, client OCSP staples, resumption of
//! client-authenticated sessions (such a config issues no tickets), and
//! post-handshake authentication (RFC 8446 §4.6.2), which stapler does not
//! plan to offer.

use crate::pki::ClientRoots;

/// Whether the server asks clients for a certificate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuth {
    /// No CertificateRequest is sent (the default).
    #[default]
    None,
    /// A certificate is asked for; a client that sends none is served
    /// unauthenticated, and one whose chain does not verify is refused.
    Optional,
    /// A certificate is asked for and must verify; a TLS 1.3 client that
    /// sends none gets certificate_required (RFC 8446 §4.4.2.4).
    Required,
}

/// What a config does about client certificates.
#[derive(Clone, Debug)]
pub(crate) struct ClientAuthConfig {
    pub(crate) mode: ClientAuth,
    pub(crate) roots: ClientRoots,
    /// Whether CertificateRequest lists the roots' subjects
    /// (certificate_authorities, RFC 8446 §4.2.4).
    pub(crate) send_ca_names: bool,
}

impl ClientAuthConfig {
    /// Whether a client without a certificate is refused.
    pub(crate) fn required(&self) -> bool {
        self.mode == ClientAuth::Required
    }
}
