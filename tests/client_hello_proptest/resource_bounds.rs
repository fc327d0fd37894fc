//! Resource bounds, "no hang on any input" (ARCHITECTURE.md, "Invariants"):
//! the largest inputs are still judged correctly.

use stapler::codec::ClientHello;
use stapler::InvalidMessage;

use super::common::hello_encoder::{cat, u16_prefixed, HelloBuilder};

use stapler::codec::ExtensionType as T;

// A 64 KiB hello can hold ~16,000 extensions or ~13,000 key shares; the
// duplicate checks over them once took quadratic time (0.37 s for one
// hello). What they cost now is measured in benches/client_hello.rs
// (`adversarial`); here, that the large inputs are still judged correctly.

/// A hello with `n` empty extensions of distinct types the parser has no
/// typed accessor for (no GREASE: 0x1000.. stays below 0x1a1a for n < 2586),
/// then `extra`.
fn hello_with_unknown_extensions(n: usize, extra: Option<u16>) -> Vec<u8> {
    let mut hello = HelloBuilder::default();
    for typ in (0..n).map(|i| 0x1000 + i as u16).chain(extra) {
        hello = hello.extension(typ, vec![]);
    }
    hello.encode()
}

/// A hello with one key_share of `n` entries of distinct groups, 1-byte keys,
/// then `extra`.
fn hello_with_key_shares(n: usize, extra: Option<u16>) -> Vec<u8> {
    let entries = cat((0..n)
        .map(|i| 0x1000 + i as u16)
        .chain(extra)
        .map(|g| cat([g.to_be_bytes().to_vec(), vec![0, 1, 7]])));
    HelloBuilder::default()
        .extension(T::KeyShare, u16_prefixed(&entries))
        .encode()
}

#[test]
fn thousands_of_unknown_extensions_are_checked_for_duplicates() {
    let n = 2500;
    let body = hello_with_unknown_extensions(n, None);
    let hello = ClientHello::parse(&body).unwrap();
    assert_eq!(hello.extensions().count(), n);
    for dup in [0x1000, 0x1000 + 17, 0x1000 + n as u16 - 1] {
        let body = hello_with_unknown_extensions(n, Some(dup));
        assert_eq!(
            ClientHello::parse(&body),
            Err(InvalidMessage::DuplicateExtension(T::from_wire(dup)))
        );
    }
}

#[test]
fn thousands_of_key_shares_are_checked_for_duplicates() {
    let n = 2500;
    let body = hello_with_key_shares(n, None);
    let hello = ClientHello::parse(&body).unwrap();
    assert_eq!(hello.key_share().unwrap().iter().count(), n);
    for dup in [0x1000, 0x1000 + 17, 0x1000 + n as u16 - 1] {
        assert_eq!(
            ClientHello::parse(&hello_with_key_shares(n, Some(dup))),
            Err(InvalidMessage::DuplicateKeyShare(dup))
        );
    }
}
