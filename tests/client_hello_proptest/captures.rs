//! The real captures in `tests/data/client_hello/*.bin`: each parses, and
//! every truncation and every single-bit or byte corruption of each is handled.

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use proptest::test_runner::TestCaseError;
use stapler::codec::{
    split_handshake, split_record, ClientHello, HandshakeType, MAX_PLAINTEXT_LEN,
};

use super::invariants::{check_corrupted, check_invariants, check_truncation, extensions_offset};

pub(crate) struct Capture {
    name: String,
    pub(crate) record: Vec<u8>,
}

impl Capture {
    /// The ClientHello body: the record without its 5-byte header and the
    /// handshake message without its 4-byte header. Each capture is one
    /// record holding exactly one ClientHello; that is asserted.
    pub(crate) fn body(&self) -> &[u8] {
        let r = &self.record;
        let name = &self.name;
        assert_eq!(r[0], 22, "{name}: handshake record");
        assert_eq!(
            usize::from(u16::from_be_bytes([r[3], r[4]])),
            r.len() - 5,
            "{name}: one record"
        );
        assert_eq!(r[5], 1, "{name}: client_hello");
        assert_eq!(
            u32::from_be_bytes([0, r[6], r[7], r[8]]) as usize,
            r.len() - 9,
            "{name}: one message filling the record"
        );
        &r[9..]
    }
}

pub(crate) fn captures() -> &'static [Capture] {
    static CAPTURES: OnceLock<Vec<Capture>> = OnceLock::new();
    CAPTURES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/client_hello");
        let mut out: Vec<Capture> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "bin"))
            .map(|p| Capture {
                name: p.file_name().unwrap().to_string_lossy().into_owned(),
                record: fs::read(&p).unwrap(),
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        assert!(out.len() >= 12, "captures missing from {}", dir.display());
        out
    })
}

/// Runs a property check outside `proptest!`, panicking with its message.
#[track_caller]
fn must(result: Result<(), TestCaseError>, context: impl std::fmt::Display) {
    if let Err(e) = result {
        panic!("{context}: {e}");
    }
}

#[test]
fn every_capture_parses_and_is_self_consistent() {
    for c in captures() {
        let body = c.body();
        let hello = ClientHello::parse(body).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        must(check_invariants(&hello, body), &c.name);
        // The whole record also goes through the crate's framing.
        let (record, used) = split_record(&c.record, MAX_PLAINTEXT_LEN).unwrap().unwrap();
        assert_eq!(used, c.record.len());
        let (message, _) = split_handshake(record.fragment).unwrap().unwrap();
        assert_eq!(message.typ, HandshakeType::ClientHello);
        assert_eq!(message.body, body);
    }
}

#[test]
fn every_truncation_of_every_capture_fails_except_before_the_extensions_block() {
    for c in captures() {
        let body = c.body();
        let ext_start = extensions_offset(body);
        // Every capture has an extensions block, so exactly one cut parses.
        assert!(ext_start < body.len(), "{}: no extensions block", c.name);
        for cut in 0..body.len() {
            must(check_truncation(body, ext_start, cut), &c.name);
        }
    }
}

#[test]
fn every_bit_flip_and_byte_inversion_of_every_capture_is_handled() {
    // Exhaustive over positions: the 8 single-bit flips and 0xff.
    let mut parsed = 0usize;
    let mut total = 0usize;
    for c in captures() {
        let mut body = c.body().to_vec();
        for at in 0..body.len() {
            for xor in [1u8, 2, 4, 8, 16, 32, 64, 128, 0xff] {
                body[at] ^= xor;
                parsed += usize::from(ClientHello::parse(&body).is_ok());
                must(
                    check_corrupted(&body),
                    format_args!("{} at {at} ^ {xor:#x}", c.name),
                );
                body[at] ^= xor;
                total += 1;
            }
        }
    }
    // Bit flips inside random, session_id, key shares, names, ... are
    // harmless, so many corruptions parse; most in lengths do not.
    assert!(parsed > 0 && parsed < total, "{parsed} of {total} parsed");
}
