//! The plain enums of TLS: the registries of code points (content types,
//! handshake types, alerts, extensions, cipher suites, groups, signature
//! schemes) and the protocol versions. A leaf: it imports nothing of the
//! crate, so the codec, the cryptography, the errors and the server can all
//! name these without importing each other.

mod algorithms;
mod protocol;
mod wire_enum;

pub use algorithms::{CipherSuite, NamedGroup, SignatureScheme};
pub use protocol::{
    AlertDescription, AlertLevel, ContentType, ExtensionType, HandshakeType, ProtocolVersion,
};
