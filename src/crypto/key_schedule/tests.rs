//! Unit tests of `key_schedule.rs`, kept beside it so that the module itself
//! reads on its own.

use super::super::rfc8448::{self as v, hex};
use super::super::suites::{
    TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384, TLS13_CHACHA20_POLY1305_SHA256,
};
use super::super::transcript::Transcript;
use super::*;

/// The transcript hashes of RFC 8448 §3, computed from its messages:
/// (ClientHello..ServerHello, ..CertificateVerify, ..server Finished,
/// ..client Finished).
fn rfc8448_hashes() -> [digest::Digest; 4] {
    let flight = hex(v::SERVER_FLIGHT);
    let (before_finished, server_finished) = flight.split_at(flight.len() - 36);
    let mut t = Transcript::new(&digest::SHA256);
    t.add(&hex(v::CLIENT_HELLO));
    t.add(&hex(v::SERVER_HELLO));
    let hello = t.current_hash();
    t.add(before_finished);
    let certificate_verify = t.current_hash();
    t.add(server_finished);
    let server_finished_hash = t.current_hash();
    let mut client_finished = vec![20, 0, 0, 32];
    client_finished.extend(hex(v::CLIENT_FINISHED_VERIFY_DATA));
    t.add(&client_finished);
    [
        hello,
        certificate_verify,
        server_finished_hash,
        t.current_hash(),
    ]
}

#[test]
fn rfc8448_simple_1rtt_key_schedule() {
    let suite = &TLS13_AES_128_GCM_SHA256;
    let [hello, cv, server_finished, client_finished] = rfc8448_hashes();
    assert_eq!(hello.as_ref(), hex(v::HELLO_HASH));
    assert_eq!(server_finished.as_ref(), hex(v::SERVER_FINISHED_HASH));
    assert_eq!(client_finished.as_ref(), hex(v::CLIENT_FINISHED_HASH));

    let early = EarlySecret::new(suite).unwrap();
    assert_eq!(early.secret().as_bytes(), hex(v::EARLY_SECRET));

    let hs = early
        .into_handshake(&hex(v::SHARED_SECRET), &hello)
        .unwrap();
    assert_eq!(hs.secret().as_bytes(), hex(v::HANDSHAKE_SECRET));
    assert_eq!(hs.client().secret().as_bytes(), hex(v::CLIENT_HS_TRAFFIC));
    assert_eq!(hs.server().secret().as_bytes(), hex(v::SERVER_HS_TRAFFIC));

    let keys = hs.server().traffic_keys();
    assert_eq!(keys.key(), hex(v::SERVER_HS_KEY));
    assert_eq!(keys.iv(), &hex(v::SERVER_HS_IV)[..]);
    let keys = hs.client().traffic_keys();
    assert_eq!(keys.key(), hex(v::CLIENT_HS_KEY));
    assert_eq!(keys.iv(), &hex(v::CLIENT_HS_IV)[..]);

    let verify_data = hs.server_finished(&cv);
    assert_eq!(verify_data.as_ref(), hex(v::SERVER_FINISHED_VERIFY_DATA));

    let ap = hs.into_application(&server_finished).unwrap();
    assert_eq!(ap.secret().as_bytes(), hex(v::MASTER_SECRET));
    assert_eq!(ap.client().secret().as_bytes(), hex(v::CLIENT_AP_TRAFFIC));
    assert_eq!(ap.server().secret().as_bytes(), hex(v::SERVER_AP_TRAFFIC));
    assert_eq!(
        ap.exporter_master_secret(&server_finished)
            .unwrap()
            .as_bytes(),
        hex(v::EXPORTER_MASTER)
    );
    let keys = ap.server().traffic_keys();
    assert_eq!(keys.key(), hex(v::SERVER_AP_KEY));
    assert_eq!(keys.iv(), &hex(v::SERVER_AP_IV)[..]);
    let keys = ap.client().traffic_keys();
    assert_eq!(keys.key(), hex(v::CLIENT_AP_KEY));
    assert_eq!(keys.iv(), &hex(v::CLIENT_AP_IV)[..]);

    assert_eq!(
        ap.check_client_finished(&server_finished, &hex(v::CLIENT_FINISHED_VERIFY_DATA)),
        Ok(())
    );
    assert_eq!(
        ap.resumption_master_secret(&client_finished)
            .unwrap()
            .as_bytes(),
        hex(v::RESUMPTION_MASTER)
    );
}

#[test]
fn wrong_client_finished_is_decrypt_error() {
    let suite = &TLS13_AES_128_GCM_SHA256;
    let [hello, _, server_finished, _] = rfc8448_hashes();
    let ap = EarlySecret::new(suite)
        .unwrap()
        .into_handshake(&hex(v::SHARED_SECRET), &hello)
        .unwrap()
        .into_application(&server_finished)
        .unwrap();
    let good = hex(v::CLIENT_FINISHED_VERIFY_DATA);
    for bad in [
        {
            let mut b = good.clone();
            b[31] ^= 1;
            b
        },
        good[..31].to_vec(),
        Vec::new(),
    ] {
        let err = ap
            .check_client_finished(&server_finished, &bad)
            .unwrap_err();
        assert_eq!(err, Error::InvalidMessage(InvalidMessage::FinishedMismatch));
        assert_eq!(
            crate::codec::AlertDescription::from(&err),
            crate::codec::AlertDescription::DecryptError
        );
    }
    // The right data over the wrong transcript fails too.
    assert!(ap.check_client_finished(&hello, &good).is_err());
}

#[test]
fn key_update_chain() {
    // §7.2: each generation is HKDF-Expand-Label(previous, "traffic upd", "", Hash.length).
    let [hello, _, server_finished, _] = rfc8448_hashes();
    let ap = EarlySecret::new(&TLS13_AES_128_GCM_SHA256)
        .unwrap()
        .into_handshake(&hex(v::SHARED_SECRET), &hello)
        .unwrap()
        .into_application(&server_finished)
        .unwrap();
    let first = ap.server().next().unwrap();
    let mut expected = [0; 32];
    hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &hex(v::SERVER_AP_TRAFFIC))
        .expand(&[b"\x00\x20\x11tls13 traffic upd\x00"], OutputLen(32))
        .unwrap()
        .fill(&mut expected)
        .unwrap();
    assert_eq!(first.secret().as_bytes(), expected);
    let second = first.next().unwrap();
    assert_ne!(second.secret().as_bytes(), first.secret().as_bytes());
    assert_eq!(second.suite().suite, TLS13_AES_128_GCM_SHA256.suite);
}

#[test]
fn every_suite_sizes_its_secrets_and_keys() {
    for (suite, key_len) in [
        (&TLS13_AES_128_GCM_SHA256, 16),
        (&TLS13_AES_256_GCM_SHA384, 32),
        (&TLS13_CHACHA20_POLY1305_SHA256, 32),
    ] {
        let mut t = Transcript::new(suite.digest);
        t.add(b"hello");
        let hs = EarlySecret::new(suite)
            .unwrap()
            .into_handshake(&[7; 32], &t.current_hash())
            .unwrap();
        assert_eq!(hs.client().secret().as_bytes().len(), suite.hash_len);
        assert_ne!(
            hs.client().secret().as_bytes(),
            hs.server().secret().as_bytes()
        );
        assert_eq!(hs.server().traffic_keys().key().len(), key_len);
        assert_eq!(
            hs.server_finished(&t.current_hash()).as_ref().len(),
            suite.hash_len
        );
        let ap = hs.into_application(&t.current_hash()).unwrap();
        assert_eq!(
            ap.server().next().unwrap().secret().as_bytes().len(),
            suite.hash_len
        );
    }
}

#[test]
fn expand_label_encodes_hkdf_label() {
    // HKDF-Expand-Label against a hand-assembled HkdfLabel (§7.1).
    let suite = &TLS13_AES_256_GCM_SHA384;
    let secret = [0x42; 48];
    let mut got = [0; 12];
    let key = prk(suite, &Secret::new(&secret));
    expand_label(&key, b"iv", b"ctx", &mut got).unwrap();
    let mut want = [0; 12];
    hkdf::Prk::new_less_safe(hkdf::HKDF_SHA384, &secret)
        .expand(&[b"\x00\x0c\x08tls13 iv\x03ctx"], OutputLen(12))
        .unwrap()
        .fill(&mut want)
        .unwrap();
    assert_eq!(got, want);
    // A label that does not fit its one-byte length is refused, not truncated.
    assert_eq!(
        expand_label(&key, &[b'a'; 250], b"", &mut got),
        Err(Error::Crypto(CryptoError::Refused))
    );
}

#[test]
fn fixed_values_match_their_definitions() {
    for suite in [
        &TLS13_AES_128_GCM_SHA256,
        &TLS13_AES_256_GCM_SHA384,
        &TLS13_CHACHA20_POLY1305_SHA256,
    ] {
        let fixed = Fixed::of(suite).unwrap();
        let (early, derived, empty) = Fixed::compute(suite);
        assert_eq!(fixed.early, early.as_bytes());
        assert_eq!(fixed.derived, derived.as_bytes());
        assert_eq!(fixed.empty_hash, empty.as_ref());
        let stage = EarlySecret::new(suite).unwrap();
        assert_eq!(stage.secret().as_bytes(), early.as_bytes());
    }
    assert_eq!(FIXED_SHA256.early, &hex(v::EARLY_SECRET)[..]);
}

#[test]
fn finished_keys_only_for_handshake_secrets() {
    // The server's Finished over RFC 8448's transcript, and no
    // finished_key made for application secrets.
    let [hello, cv, server_finished, _] = rfc8448_hashes();
    let hs = EarlySecret::new(&TLS13_AES_128_GCM_SHA256)
        .unwrap()
        .into_handshake(&hex(v::SHARED_SECRET), &hello)
        .unwrap();
    assert_eq!(hs.server().finished.as_bytes().len(), 32);
    assert_eq!(
        hs.server_finished(&cv).as_ref(),
        hex(v::SERVER_FINISHED_VERIFY_DATA)
    );
    let ap = hs.into_application(&server_finished).unwrap();
    assert!(ap.server().finished.as_bytes().is_empty());
    assert!(ap.server().next().unwrap().finished.as_bytes().is_empty());
}

#[test]
fn debug_output_hides_secrets() {
    let early = EarlySecret::new(&TLS13_AES_128_GCM_SHA256).unwrap();
    let shown = format!("{early:?}");
    assert!(shown.contains("32 bytes"), "{shown}");
    assert!(!shown.contains("33"), "{shown}");
}

/// RFC 8448 §3's ticket stands for §4's PSK, and §4's early secret is
/// extracted from it.
#[test]
fn a_tickets_psk_and_its_early_secret_match_rfc8448() {
    let suite = &TLS13_AES_128_GCM_SHA256;
    let rms = Secret::new(&hex(v::RESUMPTION_MASTER));
    let nonce = hex(v::TICKET_NONCE);
    // The nonce is where the RFC's NewSessionTicket carries it.
    assert_eq!(
        &hex(v::NEW_SESSION_TICKET)[12..15],
        [&[2][..], &nonce].concat()
    );
    let psk = resumption_psk(suite, &rms, &nonce).unwrap();
    assert_eq!(psk.as_bytes(), hex(v::RESUMPTION_PSK));
    let early = EarlySecret::with_psk(suite, psk.as_bytes()).unwrap();
    assert_eq!(early.secret().as_bytes(), hex(v::RESUMED_EARLY_SECRET));
    // And the handshake goes on from it as from any early secret.
    let [hello, ..] = rfc8448_hashes();
    assert!(early.into_handshake(&hex(v::SHARED_SECRET), &hello).is_ok());
}
