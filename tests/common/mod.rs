//! Helpers shared by integration tests (`mod common;`). Not every test uses
//! every helper, hence the `dead_code` allowance.
#![allow(dead_code)]

/// A `#[test]` for each `$scenario` of the module `common::$module`, named
/// as the scenario and running `common::$module::$scenario($arg)`: how
/// tests shared by both TLS versions are run by each version's test file.
#[allow(unused_macros)] // by the test binaries that run no shared scenario
macro_rules! scenario_tests {
    ($module:ident, $arg:expr; $($scenario:ident),* $(,)?) => {$(
        #[test]
        fn $scenario() {
            $crate::common::$module::$scenario($arg);
        }
    )*};
}
#[allow(unused_imports)] // likewise
pub(crate) use scenario_tests;

pub mod clients;
pub mod decision_pair;
pub mod hello_encoder;
pub mod hybrid_client;
pub mod interop;
pub mod loopback;
pub mod mtls_clients;
pub mod openssl_pki;
pub mod peers;
pub mod recording_verifier;
pub mod rustls_cases;
pub mod rustls_pair;
pub mod tls12_client;
pub mod tls13_psk_client;
pub mod tls13_staple_client;
pub mod tls13_wire;
pub mod wire;

/// The time handed to `ServerConnection::complete` where no check needs
/// one (the staple policy is `Trust`, or the answer carries no staple):
/// any value would do.
#[allow(dead_code)]
pub const ANY_TIME: u64 = 0;
