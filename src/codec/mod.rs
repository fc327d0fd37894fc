//! Wire formats: parsing and encoding only, with no protocol state beyond
//! reassembly buffers, no cryptography, and no allocation when parsing.
//!
//! The path of a client's first flight through this module:
//! bytes → [`RecordDeframer`] / [`split_record`] → [`HandshakeJoiner`] /
//! [`split_handshake`] → [`ClientHello::parse`].

mod alert;
mod client_hello;
pub mod der;
mod error;
mod extensions;
mod handshake;
mod reader;
mod record;
mod seen;
pub(crate) mod writer;

pub use alert::{Alert, AlertDescription, AlertLevel, ALERT_LEN};
pub use client_hello::{ClientHello, Extension, MAX_SESSION_ID_LEN, RANDOM_LEN};
pub use error::{Field, InvalidMessage, LengthOverflow};
pub use extensions::{
    is_grease, ExtensionType, KeyShareEntry, KeyShares, OcspStatusRequest, PreSharedKeyOffer,
    ProtocolNameIter, ProtocolNames, PskIdentity, ServerNameIter, ServerNames, StatusRequest,
    U16Iter, U16List, NAME_TYPE_HOST_NAME, STATUS_TYPE_OCSP,
};
pub use handshake::{
    max_message_len, split_handshake, HandshakeJoiner, HandshakeMessage, HandshakeType,
    HANDSHAKE_HEADER_LEN, MAX_CLIENT_HELLO_LEN, MAX_OTHER_CLIENT_MESSAGE_LEN,
};
pub use reader::Reader;
pub use record::{
    split_record, ContentType, Record, RecordDeframer, RecordHeader, MAX_CIPHERTEXT_LEN_TLS12,
    MAX_CIPHERTEXT_LEN_TLS13, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN,
};
