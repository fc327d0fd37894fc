//! Positive cases: well-formed hellos, GREASE and unknown extensions
//! included, parse to exactly what was sent and pass the crate's framing.

use stapler::codec::{
    split_handshake, split_record, ClientHello, ExtensionType, HandshakeType, MAX_PLAINTEXT_LEN,
};

use super::common::hello_encoder::{psk_binders_list, u16s, u8_prefixed, HelloBuilder};
use super::{
    alpn_body, key_share_body, psk_body, server_name_body, supported_versions_body, with_extension,
    X25519,
};

use stapler::codec::ExtensionType as T;

#[test]
fn hello_without_extensions_block_parses() {
    // RFC 5246 §7.4.1.2: a TLS 1.2 client may end the hello after
    // compression_methods.
    let builder = HelloBuilder {
        session_id: vec![],
        cipher_suites: u16s(&[0xc02f, 0x009c]),
        extensions: None,
        ..HelloBuilder::default()
    };
    let body = builder.encode();
    assert_eq!(builder.offsets().extensions, body.len());
    let hello = ClientHello::parse(&body).unwrap();
    assert_eq!(hello.legacy_version(), 0x0303);
    assert_eq!(hello.random(), &builder.random);
    assert_eq!(hello.session_id(), &[] as &[u8]);
    assert_eq!(
        hello.cipher_suites().iter().collect::<Vec<_>>(),
        [0xc02f, 0x009c]
    );
    assert_eq!(hello.compression_methods(), &[0]);
    assert_eq!(hello.raw_extensions(), &[] as &[u8]);
    assert_eq!(hello.extensions().count(), 0);
    assert!(hello.server_name().is_none() && hello.supported_versions().is_none());
    assert!(hello.status_request().is_none() && !hello.requests_ocsp());
    assert!(!hello.extended_master_secret() && !hello.early_data());
}

#[test]
fn hello_with_empty_extensions_block_parses() {
    let body = HelloBuilder::default().encode();
    let hello = ClientHello::parse(&body).unwrap();
    assert_eq!(hello.raw_extensions(), &[] as &[u8]);
    assert_eq!(hello.extensions().count(), 0);
}

#[test]
fn grease_extensions_are_skipped_by_extensions_but_kept_in_raw_extensions() {
    let builder = with_extension(0x0a0au16, vec![])
        .extension(T::SupportedVersions, supported_versions_body())
        .extension(T::ExtendedMasterSecret, vec![])
        .extension(0xdadau16, vec![0]);
    let body = builder.encode();
    let hello = ClientHello::parse(&body).unwrap();
    let types: Vec<ExtensionType> = hello.extensions().map(|e| e.typ).collect();
    assert_eq!(types, [T::SupportedVersions, T::ExtendedMasterSecret]);
    assert_eq!(hello.raw_extensions(), &builder.extensions_block()[..]);
    assert_eq!(
        hello.extension(ExtensionType::from_wire(0xdada)),
        Some(&[0][..])
    );
    assert_eq!(
        hello.extension(ExtensionType::from_wire(0x0a0a)),
        Some(&[][..])
    );
}

#[test]
fn unknown_extensions_are_kept_in_wire_order() {
    let builder = with_extension(0x7777u16, vec![1, 2])
        .extension(T::ExtendedMasterSecret, vec![])
        .extension(0x1234u16, vec![])
        .extension(T::EncryptThenMac, vec![])
        .extension(0x0002u16, vec![3]);
    let body = builder.encode();
    let hello = ClientHello::parse(&body).unwrap();
    let got: Vec<(u16, &[u8])> = hello
        .extensions()
        .map(|e| (e.typ.to_wire(), e.body))
        .collect();
    assert_eq!(
        got,
        [
            (0x7777, &[1, 2][..]),
            (23, &[][..]),
            (0x1234, &[][..]),
            (22, &[][..]),
            (0x0002, &[3][..]),
        ]
    );
    assert_eq!(
        hello.extensions().nth(2).unwrap().typ,
        ExtensionType::Unknown(0x1234)
    );
}

#[test]
fn pre_shared_key_last_parses_and_binders_len_is_the_tail() {
    let binders = vec![vec![0xb1; 32], vec![0xb2; 48]];
    let builder = with_extension(T::SupportedVersions, supported_versions_body())
        .extension(T::PskKeyExchangeModes, u8_prefixed(&[1]))
        .extension(
            T::PreSharedKey,
            psk_body(&[(b"ticket-one", 0x0102_0304), (b"t2", 9)], &binders),
        );
    let body = builder.encode();
    let hello = ClientHello::parse(&body).unwrap();
    let psk = hello.pre_shared_key().unwrap();
    let tail = psk_binders_list(&binders);
    assert_eq!(psk.binders_len(), tail.len());
    assert_eq!(&body[body.len() - psk.binders_len()..], &tail[..]);
    assert_eq!(
        psk.identities()
            .map(|i| (i.identity, i.obfuscated_ticket_age))
            .collect::<Vec<_>>(),
        [(&b"ticket-one"[..], 0x0102_0304), (&b"t2"[..], 9)]
    );
    assert_eq!(
        psk.binders().collect::<Vec<_>>(),
        [&binders[0][..], &binders[1][..]]
    );
}

#[test]
fn built_hello_passes_record_and_handshake_layers() {
    // The builder's framing agrees with the crate's.
    let builder = with_extension(T::ServerName, server_name_body(&[(0, b"localhost")]))
        .extension(T::KeyShare, key_share_body(&[(X25519, &[7; 32])]))
        .extension(
            T::ApplicationLayerProtocolNegotiation,
            alpn_body(&[b"h2", b"http/1.1"]),
        );
    let rec = builder.record();
    let (r, used) = split_record(&rec, MAX_PLAINTEXT_LEN).unwrap().unwrap();
    assert_eq!(used, rec.len());
    let (m, used) = split_handshake(r.fragment).unwrap().unwrap();
    assert_eq!(
        (m.typ, used),
        (HandshakeType::ClientHello, r.fragment.len())
    );
    let hello = ClientHello::parse(m.body).unwrap();
    assert_eq!(
        hello.server_name().unwrap().host_name(),
        Some(&b"localhost"[..])
    );
    assert_eq!(
        hello
            .key_share()
            .unwrap()
            .find(X25519)
            .unwrap()
            .key_exchange,
        &[7; 32]
    );
    assert!(hello.alpn().unwrap().contains(b"h2"));
}
