//! The TLS server: configuration, negotiation, and the connection driver.

mod certified_key;
mod client_auth;
mod client_staple;
mod config;
mod config_error;
mod connection;
mod driver;
mod events;
mod hello;
mod key_slots;
mod limits;
mod ocsp_event;
mod output;
mod pause;
mod record_layer;
mod records;
mod request;
mod select_event;
mod sign_event;
mod sni;
mod staple_answer;
mod state;
mod tls12;
mod tls13;
mod verify_client_event;

pub use crate::enums::ProtocolVersion;
pub use client_auth::{BuiltinVerdict, ClientAuth};
pub use client_staple::{ClientStaple, ClientStaplePolicy};
pub use config::{
    CertifiedKey, ConfigError, ServerConfig, ServerConfigBuilder, DEFAULT_OUTPUT_LIMIT,
    DEFAULT_TICKETS, MIN_OUTPUT_LIMIT,
};
pub use connection::{InPlace, ServerConnection, IN_PLACE_MIN_BUFFER};
pub use events::{CloseReason, Event, HandshakeSummary, Resumption};
pub use limits::{
    MAX_COMPAT_CCS, MAX_IGNORED_ALERTS, MAX_KEY_UPDATES_IN_A_ROW, MAX_SKIPPED_EARLY_DATA,
};
pub use ocsp_event::{EmptyResponse, OcspRequest};
pub use request::RefusalAlert;
pub use request::{CompleteError, Completion, Decision};
pub use select_event::CertificateSelection;
pub use sign_event::SignRequest;
pub use tls13::{MAX_PSK_IDENTITIES, MAX_TICKET_AGE_SKEW};
pub use verify_client_event::{ClientRejection, VerifyClientRequest};
