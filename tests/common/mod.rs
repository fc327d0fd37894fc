//! Helpers shared by integration tests (`mod common;`). Not every test uses
//! every helper, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod clients;
pub mod hello_encoder;
pub mod loopback;
pub mod openssl_pki;
pub mod peers;
pub mod rustls_pair;
pub mod tls12_client;
