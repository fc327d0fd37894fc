//! The TLS server: configuration, negotiation, and the connection driver.

mod config;
mod connection;
mod hello;
mod messages;
mod record_layer;
mod tls12;

pub use config::{CertifiedKey, ConfigError, ServerConfig, ServerConfigBuilder};
pub use connection::{
    CloseReason, CompleteOcspError, Event, HandshakeSummary, ProtocolVersion, ServerConnection,
};
