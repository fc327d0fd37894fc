//! stapler: a sans-IO TLS server handshake whose headline feature is OCSP
//! stapling driven by an event, the way Node.js's `'OCSPRequest'` works.
//!
//! When a client's ClientHello asks for certificate status (RFC 6066 §8), the
//! connection raises [`Event::OcspRequest`] carrying the DER certificate and
//! its issuer, and pauses. The application fetches a response however it
//! likes, from any thread, and answers with [`OcspRequest::answer`] (staple
//! it, or none), [`OcspRequest::no_response`] or [`OcspRequest::abort`] (end
//! the connection with an internal_error alert), handing the resulting
//! [`Completion`] to [`ServerConnection::complete`].
//!
//! stapler does no I/O, reads no clock and starts no thread: bytes in, bytes
//! and events out. It speaks TLS 1.3 (RFC 8446) and TLS 1.2 (RFC 5246, with
//! ECDHE and AEAD suites only, the extended master secret, session tickets,
//! no renegotiation); [`ServerConfig`] can limit it to either.
//!
//! Sessions resume from stateless tickets. After each full handshake of a
//! connection started with its time ([`ServerConnection::new_at`]) the
//! server sends, in TLS 1.3, [`DEFAULT_TICKETS`](server::DEFAULT_TICKETS)
//! NewSessionTickets (RFC 8446 §4.6.1), and in TLS 1.2 one, to a client
//! that asks (RFC 5077). Each is the session's state (its PSK or master
//! secret, version, suite, extended master secret, certificate hash, SNI
//! and ALPN, issue time) sealed by the config's [`tickets::TicketKeys`]. A
//! ticket is accepted in the version it was made in, for the name, ALPN
//! and certificate it was issued with, while its key is accepted (by
//! default a key seals for six hours and opens for twelve more) and its
//! age agrees; TLS 1.3 resumes with psk_dhe_ke, or psk_ke where
//! [`ServerConfigBuilder::psk_ke`] allows it, and TLS 1.2 keeps the
//! extended master secret as the session had it (RFC 7627 §5.3). A resumed
//! handshake sends no certificate and so raises no request
//! ([`HandshakeSummary`] says [`Resumption`]).
//!
//! TLS 1.3 key exchange is post-quantum when the client allows it: the
//! hybrid groups of draft-ietf-tls-ecdhe-mlkem (X25519MLKEM768, what
//! browsers offer, then SecP256r1MLKEM768 and SecP384r1MLKEM1024) come first
//! in the default [`ServerConfigBuilder::key_exchange_groups`] and are
//! chosen whenever the client sent the hybrid's share; ML-KEM is
//! libcrux-ml-kem's, the client's encapsulation key checked as FIPS 203
//! §7.2 requires. [`ServerConfigBuilder::hybrid_retry`] trades a round trip
//! for the hybrid when a client only lists it. TLS 1.2 never uses them.
//!
//! A server may ask for client certificates in either version
//! ([`ServerConfigBuilder::client_auth`], [`ClientAuth`]): they are
//! validated against the configured roots at the connection's time
//! ([`pki::ClientRoots::verify`], rustls-webpki underneath) and the
//! verified client is in [`HandshakeSummary::client_certificate`]. The
//! verdict can be the application's (the fourth decision below). A TLS 1.3
//! client can be asked to staple an OCSP response to its certificate
//! ([`server::ClientStaplePolicy`]): it is verified and reported in
//! [`HandshakeSummary::client_staple`], and the policy may refuse a revoked
//! or missing one. Post-handshake authentication is not planned.
//!
//! The OCSP event is the same in both versions: TLS 1.3 staples in the
//! leaf's CertificateEntry, TLS 1.2 in a CertificateStatus message after
//! Certificate.
//!
//! # Every decision the application owns, paused for the same way
//!
//! OCSP is one of four decisions a handshake can pause for. Each is an
//! event carrying a request; exactly one answer method consumes the request
//! and yields a [`Completion`] (`Send`: make it on any thread, at any time);
//! [`ServerConnection::complete`] takes it back. In handshake order:
//!
//! | decision | switched on by | event and request | answers |
//! | --- | --- | --- | --- |
//! | which certificate, or which whole configuration | [`ServerConfigBuilder::certificate_events`] | [`Event::SelectCertificate`], [`CertificateSelection`] | `select(Arc<CertifiedKey>)`, `use_config(Arc<ServerConfig>)`, `use_default()`, `abort(RefusalAlert, reason)` |
//! | the OCSP response to staple | [`ServerConfigBuilder::ocsp_events`] | [`Event::OcspRequest`], [`OcspRequest`] | `answer(Option<Bytes>)`, `respond`, `no_response`, `abort` |
//! | a signature by a key held elsewhere (an HSM, a KMS) | a certificate made with [`CertifiedKey::remote`] | [`Event::SignRequest`], [`SignRequest`] | `signature(bytes)`, `abort` |
//! | whether the client's certificate is accepted | [`ServerConfigBuilder::client_certificate_events`] | [`Event::VerifyClient`], [`server::VerifyClientRequest`] | `accept()`, `reject(ClientRejection, reason)`, `abort(reason)` |
//!
//! The certificate selection comes once the final ClientHello is in
//! (after a HelloRetryRequest, the second); the OCSP request names the
//! certificate actually selected; the client verification comes once the
//! client's CertificateVerify has proved its key, before its Finished is
//! read, carrying the chain and what the configured roots made of it; a
//! remote key's signature is checked with
//! the certificate's public key before it is sent, so a wrong one is
//! [`Error::BadSignature`] and an internal_error alert, never a broken
//! handshake on the wire. [`ServerConnection::paused_for`] says which
//! decision a connection waits for.
//!
//! # The run loop
//!
//! - [`ServerConnection::feed`] takes bytes from the peer and returns how
//!   many it consumed. While the handshake waits for a completion it
//!   consumes nothing more: keep the rest and offer it again after
//!   [`ServerConnection::complete`]. That is backpressure, not an
//!   ever-growing buffer.
//! - Application data is read where it was decrypted, with no copy and
//!   no allocation per record. [`Event::DataReady`] says some is waiting:
//!   read it with [`ServerConnection::received`] and
//!   [`ServerConnection::consume`] (a borrowed view) or
//!   [`ServerConnection::read`] (a copy into your buffer), until there is
//!   none; the records behind it are opened as you read, with no further
//!   event. Until it is read, `feed` takes at most one record more
//!   (backpressure again). [`ServerConnection::feed_in_place`] instead
//!   decrypts whole records in a buffer you own and returns each record's
//!   data borrowed from it, so the connection holds no input buffer.
//! - [`ServerConnection::send`] takes what keeps the output within the
//!   config's output limit and says how much: offer the rest after
//!   draining. [`ServerConnection::send_into`] seals straight into a
//!   buffer you own.
//! - A client's close_notify closes the connection (answered with one),
//!   unless the config turns on TLS 1.3 half-close
//!   ([`ServerConfigBuilder::half_close`]): then [`Event::PeerClosedWrite`]
//!   says no more data comes, and the server sends until it calls
//!   [`ServerConnection::close`].
//! - Once the handshake is done, an idle connection keeps no buffer: the
//!   input, output and handshake buffers are freed when they empty.
//! - After every input (`feed`, `feed_in_place`, `consume`, `read`,
//!   `complete`, `send`, `close`), drain
//!   [`ServerConnection::poll_event`] and then
//!   [`ServerConnection::poll_transmit`] (or
//!   [`ServerConnection::write_tls_into`] for a buffer you own). Send the
//!   output even when the call returned an error: it may hold the alert.
//!   While a remote key signs, the flight up to the signature is already
//!   there to send.
//! - On a fatal error the partial flight is dropped, one alert is queued, and
//!   [`Event::Closed`] says why. Errors map to alerts in one place
//!   (`impl From<&Error> for AlertDescription`).
//! - A request (or its completion) dropped without an answer does not hang
//!   the connection: its next call closes it with internal_error and
//!   [`Error::RequestDropped`]. That costs one 16-byte allocation per
//!   connection, shared by all its requests, and a load of its reference
//!   count on each call while paused. A request that is held but slow is
//!   the application's to time out, with [`ServerConnection::paused_for`].
//! - The time is a parameter: `complete(completion, now)` takes it, in
//!   seconds since the Unix epoch, because the checks an answer may meet
//!   (a staple's freshness under [`ocsp::StaplePolicy::Verify`]) need it
//!   and stapler reads no clock. One entry point with the time always
//!   given means no check can run without it.
//! - The [`ServerConfig`] is an immutable `Arc` snapshot taken when a
//!   connection is made, so a new configuration affects only later
//!   connections (or the one connection a selection hands it to).
//!
//! ```
//! use std::sync::Arc;
//! use stapler::{Event, ServerConfig, ServerConnection};
//!
//! let config = Arc::new(
//!     ServerConfig::builder()
//!         .certificate_chain(
//!             include_bytes!("../tests/data/pki/leaf-ecdsa.crt"),
//!             include_bytes!("../tests/data/pki/leaf-ecdsa.key"),
//!         )?
//!         .ca_certificates(include_bytes!("../tests/data/pki/root-ca.crt"))?
//!         .ocsp_events(true)
//!         .build()?,
//! );
//! let mut conn = ServerConnection::new(config);
//!
//! // The first flight of `openssl s_client -tls1_3 -status`, as captured.
//! let hello = include_bytes!("../tests/data/client_hello/openssl_tls13_status.bin");
//! let consumed = conn.feed(hello)?;
//! assert_eq!(consumed, hello.len());
//!
//! let Some(Event::OcspRequest(request)) = conn.poll_event() else { panic!("no event") };
//! assert!(request.issuer().is_some()); // found among the CA certificates
//! assert!(conn.poll_transmit().is_none()); // paused: nothing is written
//!
//! // Fetch a response from the CA here (see `request.certificate()`), then:
//! let response = std::fs::read("tests/data/pki/README.md")?; // stand-in bytes
//! let now = 1_800_000_000; // seconds since the epoch: stapler reads no clock
//! conn.complete(request.answer(Some(response.into())), now)?;
//! let flight = conn.poll_transmit().expect("ServerHello and the encrypted flight");
//! assert_eq!(flight[0], 22); // a handshake record: ServerHello
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Answering well
//!
//! [`ocsp`] holds what an application needs to answer the event in
//! production, all sans-IO, with time as a parameter:
//!
//! - [`ocsp::StapleCache`] keeps one verified staple per certificate, says
//!   what to fetch and when (`next_deadline`, `poll_fetch`,
//!   `handle_fetch_result`: midpoint refresh, capped backoff, the last good
//!   response kept while the responder is down) and answers each request
//!   from memory with `answer(request, now)`, so no handshake waits on a
//!   responder.
//! - The toolkit under it: [`ocsp::responder_urls`] (AIA),
//!   [`ocsp::CertId`] and [`ocsp::OcspQuery`] (a DER request, its POST body
//!   and RFC 5019 GET URL), [`ocsp::OcspResponse::parse`] and
//!   [`ocsp::OcspResponse::verify`] (CertID, signer or delegated responder,
//!   nonce, freshness).
//! - Policies on the [`ServerConfig`]: [`ocsp::StaplePolicy::Verify`]
//!   checks a response handed to `respond` before it is stapled, at the
//!   time given to [`ServerConnection::complete`], and
//!   [`ocsp::MustStaplePolicy`] decides what a Must-Staple certificate
//!   (RFC 7633, [`OcspRequest::must_staple`]) does without a good staple.
//!
//! # What a hostile or unusual peer meets
//!
//! - 0-RTT data is never accepted: EncryptedExtensions carries no
//!   early_data, and the client's early records are skipped as RFC 8446
//!   §4.2.10 says (tried with the handshake key after a ServerHello, passed
//!   over after a HelloRetryRequest), up to [`MAX_SKIPPED_EARLY_DATA`].
//! - A ClientHello may be as long as its syntax allows,
//!   [`codec::MAX_CLIENT_HELLO_LEN`] (131,396 bytes); an over-long message
//!   is refused from its header with decode_error, before its body is
//!   buffered.
//! - The SNI host name the application sees ([`OcspRequest::server_name`],
//!   [`HandshakeSummary::server_name`]) is a lower-cased DNS name of LDH
//!   labels: a name with a NUL, a control byte or any other byte is refused
//!   with illegal_parameter, one trailing dot is stripped, and an IP address
//!   sent as SNI counts as none (RFC 6066 §3).
//! - In TLS 1.2 an ECDSA certificate is chosen only if its curve is in the
//!   client's supported_groups (RFC 8422 §5.3); otherwise another
//!   certificate, or handshake_failure.
//! - Warning alerts and change_cipher_spec records that are dropped are
//!   counted: [`MAX_IGNORED_ALERTS`] in a row and [`MAX_COMPAT_CCS`], then
//!   unexpected_message.
//! - A staple longer than the version can carry is refused with
//!   [`Error::StapleTooLarge`] whatever the [`ocsp::StaplePolicy`].
//!
//! # Where things are
//!
//! The crate root holds everything a server needs to configure and drive a
//! connection. [`ocsp`] is the toolkit for answering OCSP well; [`pki`]
//! reads certificates and finds issuers; [`codec`] shows the zero-copy,
//! allocation-free [`codec::ClientHello`] view that a certificate selection
//! hands out. The wire framing itself is public only under the `fuzzing`
//! feature.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// No panic on any input: no indexing, slicing or unwrapping outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

pub mod codec;
mod crypto;
mod enums;
mod error;
pub mod ocsp;
pub mod pki;
pub mod server;
pub mod tickets;

pub use crypto::key_exchange::NamedGroup;
pub use crypto::key_share::SUPPORTED_GROUPS;
pub use crypto::signing::SignatureScheme;
pub use crypto::suites::CipherSuite;
pub use error::{
    CryptoError, Error, Field, InvalidMessage, KeyError, LengthOverflow, Misuse, PeerMisbehaved,
};
pub use ocsp::OcspOutcome;
pub use server::{
    CertificateSelection, CertifiedKey, ClientAuth, CloseReason, CompleteError, Completion,
    ConfigError, Decision, EmptyResponse, Event, HandshakeSummary, InPlace, OcspRequest,
    ProtocolVersion, RefusalAlert, Resumption, ServerConfig, ServerConfigBuilder, ServerConnection,
    SignRequest,
};
pub use server::{MAX_COMPAT_CCS, MAX_IGNORED_ALERTS, MAX_SKIPPED_EARLY_DATA};
pub use server::{MAX_PSK_IDENTITIES, MAX_TICKET_AGE_SKEW};
