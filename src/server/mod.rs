//! The TLS server: configuration, negotiation, and the connection driver.

mod config;
mod connection;
mod hello;
mod record_layer;
mod tls12;
mod tls13;

pub use config::{CertifiedKey, ConfigError, ServerConfig, ServerConfigBuilder};
pub use connection::{
    CloseReason, CompleteOcspError, Event, HandshakeSummary, ProtocolVersion, ServerConnection,
};
