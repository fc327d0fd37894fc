//! Wire formats: parsing and encoding only, with no protocol state beyond
//! reassembly buffers, no cryptography, and no allocation when parsing.
//!
//! Public here: [`ClientHello`], a zero-copy, allocation-free view of a
//! ClientHello body, with typed views of its extensions and what their
//! parsing can report. The path a client's first flight takes to it
//! (records → handshake reassembly → `ClientHello::parse`) is the
//! connection's business, and public only under the `fuzzing` feature.

mod alert;
mod client_hello;
mod error;
mod extensions;
mod handshake;
// Parts of the framing serve only its public face under `fuzzing` (and
// the tests and fuzz targets behind it): unused in a plain build.
#[cfg_attr(not(feature = "fuzzing"), allow(dead_code))]
mod reader;
#[cfg_attr(not(feature = "fuzzing"), allow(dead_code))]
mod record;
mod seen;
pub(crate) mod writer;

#[cfg(feature = "fuzzing")]
pub mod der;
#[cfg(not(feature = "fuzzing"))]
#[allow(dead_code)]
pub(crate) mod der;

// The ClientHello view, its extensions, and what their parsing can say:
// the public face of the codec.
pub use alert::AlertDescription;
pub use client_hello::{ClientHello, Extension, MAX_SESSION_ID_LEN, RANDOM_LEN};
pub use error::{Field, InvalidMessage, LengthOverflow};
pub use extensions::{
    is_grease, ExtensionType, KeyShareEntry, KeyShares, OcspStatusRequest, PreSharedKeyOffer,
    ProtocolNameIter, ProtocolNames, PskIdentity, ServerNameIter, ServerNames, StatusRequest,
    U16Iter, U16List, NAME_TYPE_HOST_NAME, STATUS_TYPE_OCSP,
};
pub use handshake::{HandshakeType, MAX_CLIENT_HELLO_LEN};
pub use record::ContentType;

/// The framing machinery (records, handshake reassembly, the reader, the
/// limits and alert records), public only with the `fuzzing` feature: for
/// the fuzz crate, the benches and the tests that drive the wire layer
/// alone. An application meets none of it; the connection does the
/// framing.
macro_rules! framing {
    ($($path:tt)*) => {
        #[cfg(feature = "fuzzing")]
        pub use $($path)*;
        #[cfg(not(feature = "fuzzing"))]
        #[allow(unused_imports)]
        pub(crate) use $($path)*;
    };
}

framing!(alert::{Alert, AlertLevel, ALERT_LEN});
framing!(handshake::{
    max_message_len, split_handshake, HandshakeJoiner, HandshakeMessage, HANDSHAKE_HEADER_LEN,
    MAX_OTHER_CLIENT_MESSAGE_LEN,
});
framing!(reader::Reader);
framing!(record::{
    split_record, Record, RecordDeframer, RecordHeader, MAX_CIPHERTEXT_LEN_TLS12,
    MAX_CIPHERTEXT_LEN_TLS13, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN,
});
