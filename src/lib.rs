//! stapler: a sans-IO TLS server handshake whose headline feature is OCSP
//! stapling driven by an event.
//!
//! This release holds the wire layer: record framing, handshake reassembly
//! and a zero-copy, allocation-free [`ClientHello`](codec::ClientHello)
//! parser that sees `status_request` (RFC 6066 §8); and the certificate
//! side, [`pki`]: PEM and DER loading, a parsed [`Certificate`](pki::Certificate),
//! signature checks with ring, issuer discovery and SNI matching.
//!
//! ```
//! use stapler::codec::{split_handshake, split_record, ClientHello, HandshakeType};
//!
//! // The first flight of `openssl s_client -tls1_3 -status`, as captured.
//! let flight = include_bytes!("../tests/data/client_hello/openssl_tls13_status.bin");
//!
//! let (record, _) = split_record(flight, stapler::codec::MAX_PLAINTEXT_LEN)?
//!     .expect("one whole record");
//! let (message, _) = split_handshake(record.fragment)?.expect("one whole message");
//! assert_eq!(message.typ, HandshakeType::ClientHello);
//!
//! let hello = ClientHello::parse(message.body)?;
//! assert!(hello.requests_ocsp());
//! assert_eq!(hello.server_name().and_then(|n| n.host_name()), Some(&b"localhost"[..]));
//! assert!(hello.supported_versions().unwrap().contains(0x0304));
//! # Ok::<(), stapler::InvalidMessage>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
mod crypto;
mod error;
pub mod ocsp;
pub mod pki;
pub mod server;

pub use crypto::key_exchange::NamedGroup;
pub use crypto::signing::SignatureScheme;
pub use crypto::suites::CipherSuite;
pub use error::{CryptoError, Error, Field, InvalidMessage, KeyError, Misuse, PeerMisbehaved};
pub use ocsp::{OcspCompletion, OcspOutcome, OcspRequest};
pub use server::{
    CloseReason, CompleteOcspError, Event, HandshakeSummary, ServerConfig, ServerConnection,
};
