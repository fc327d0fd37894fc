//! The `certificate` target: arbitrary bytes as a DER certificate, read
//! the three ways stapler reads one: [`Certificate::from_der`] (the strict
//! parse), the handshake's light reading of a client leaf (its key and key
//! usage alone, see `src/pki/raw.rs`), and [`ClientRoots::verify`]
//! (rustls-webpki, then the light reading) under the client test CA.
//!
//! Beyond "no panic", it checks that the readings agree: whatever the
//! strict parse takes, the light reading takes too and finds the same
//! public key and key usage, since a handshake checks a client's
//! CertificateVerify with the latter and reports the former.

use std::sync::OnceLock;

use bytes::Bytes;
use stapler::pki::{Certificate, ClientRoots};

/// Inside the client test PKI's validity (2026 to 2126).
const NOW: u64 = 1_800_000_000;

fn roots() -> &'static ClientRoots {
    static ROOTS: OnceLock<ClientRoots> = OnceLock::new();
    ROOTS.get_or_init(|| {
        ClientRoots::from_pem_or_der(include_bytes!("../../tests/data/client_pki/client-ca.crt"))
            .expect("the client CA parses")
    })
}

/// Whether the strict parse took `data`. Panics (a fuzzer crash) if the
/// readings disagree.
pub fn certificate(data: &[u8]) -> bool {
    let der = Bytes::copy_from_slice(data);
    let light = stapler::pki::read_leaf_key(&der);
    let strict = Certificate::from_der(der.clone());
    if let Ok(cert) = &strict {
        let (key, key_usage) = light
            .clone()
            .expect("the light reading takes what the strict parse takes");
        assert_eq!(&key[..], cert.public_key(), "the same public key");
        assert_eq!(key_usage, cert.key_usage(), "the same key usage");
        // Every accessor, for the panics it must not have.
        let _ = (cert.common_name(), cert.dns_names(), cert.uris());
        let _ = (cert.spiffe_id(), cert.not_before(), cert.not_after());
        let _ = (cert.extended_key_usage(), cert.must_staple(), cert.is_ca());
        let _ = (
            cert.ocsp_urls(),
            cert.ca_issuers_urls(),
            cert.ip_addresses(),
        );
    }
    if let Ok(client) = roots().verify(&[der], NOW) {
        // rustls-webpki and the light reading took it; the strict parse
        // may still refuse an extension webpki does not read, and then the
        // names are simply absent.
        assert!(light.is_ok());
        assert_eq!(client.leaf().is_some(), strict.is_ok());
        let _ = (client.common_name(), client.spiffe_id(), client.dns_names());
    }
    strict.is_ok()
}
