//! Helpers shared by integration tests (`mod common;`). Not every test uses
//! every helper, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod hello_encoder;
pub mod rustls_pair;
pub mod tls12_client;
