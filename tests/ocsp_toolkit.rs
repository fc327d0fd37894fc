//! The OCSP toolkit against `openssl ocsp`: requests compared byte for byte
//! with what `openssl ocsp -reqout` writes (and handed to openssl's own
//! responder), responses made by `openssl ocsp -index` parsed and verified
//! with an explicit `now`, inside and outside their validity.
//!
//! The files are in tests/data/ocsp, made by its make.sh (see its README).

#[path = "ocsp_toolkit/bad_input.rs"]
mod bad_input;
#[path = "ocsp_toolkit/cert_id.rs"]
mod cert_id;
#[path = "ocsp_toolkit/nonce.rs"]
mod nonce;
#[path = "ocsp_toolkit/openssl_live.rs"]
mod openssl_live;
#[path = "ocsp_toolkit/requests.rs"]
mod requests;
#[path = "ocsp_toolkit/signer.rs"]
mod signer;
#[path = "ocsp_toolkit/status.rs"]
mod status;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use stapler::ocsp::{Nonce, OcspError, OcspResponse, VerifiedStatus, VerifyOptions};
use stapler::pki::Certificate;

// Only the peer lookup of the shared helpers: the rest needs rustls.
#[allow(dead_code)]
#[path = "common/peers.rs"]
mod peers;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ocsp")
}

fn read(name: &str) -> Vec<u8> {
    let path = data_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cert(name: &str) -> Certificate {
    Certificate::from_pem_chain(&read(&format!("{name}.crt")))
        .unwrap()
        .remove(0)
}

fn leaf() -> Certificate {
    cert("leaf-good")
}

fn ca() -> Certificate {
    cert("ca")
}

fn parse(name: &str) -> OcspResponse {
    OcspResponse::parse(read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One line of times.txt: the times openssl printed for a response.
#[derive(Clone, Copy, Debug)]
struct Times {
    produced_at: u64,
    this_update: u64,
    next_update: Option<u64>,
    revocation_time: Option<u64>,
}

fn times(name: &str) -> Times {
    let text = String::from_utf8(read("times.txt")).unwrap();
    let optional = |field: &str| (field != "-").then(|| field.parse().unwrap());
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|cols| cols[0] == name)
        .map(|cols| Times {
            produced_at: cols[1].parse().unwrap(),
            this_update: cols[2].parse().unwrap(),
            next_update: optional(cols[3]),
            revocation_time: optional(cols[4]),
        })
        .unwrap_or_else(|| panic!("{name} not in times.txt"))
}

/// validity.txt: notBefore and notAfter of each certificate.
fn validity(name: &str) -> (u64, u64) {
    let text = String::from_utf8(read("validity.txt")).unwrap();
    let cols: HashMap<_, _> = text
        .lines()
        .map(|line| {
            let cols: Vec<_> = line.split_whitespace().collect();
            (
                cols[0].to_owned(),
                (cols[1].parse().unwrap(), cols[2].parse().unwrap()),
            )
        })
        .collect();
    cols[name]
}

/// An hour into the response's validity: inside every window.
fn now_for(name: &str) -> u64 {
    times(name).this_update + 3600
}

fn verify(
    name: &str,
    leaf: &Certificate,
    options: &VerifyOptions,
) -> Result<VerifiedStatus, OcspError> {
    parse(name).verify(leaf, &ca(), now_for(name), options)
}

fn nonce_from_file() -> Nonce {
    let hex = String::from_utf8(read("nonce.hex")).unwrap();
    let bytes: Vec<u8> = (0..hex.trim().len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(bytes.len(), 16, "openssl's default nonce length");
    Nonce::new(bytes).unwrap()
}

/// Where `needle` starts in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in haystack")
}

/// A DER TLV (definite length, short or long form).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}
