//! Post-quantum hybrid key exchange (issue 13, draft-ietf-tls-ecdhe-mlkem):
//! stapler's ML-KEM (libcrux) against a rustls client whose ML-KEM is
//! RustCrypto's (tests/common/hybrid_client.rs), in memory, for each of
//! the three groups; Chromium's captured ClientHello; the preference
//! rules (the hybrid when its share came, no retry just to upgrade unless
//! asked, never in TLS 1.2); and malformed shares, each refused with
//! illegal_parameter on the wire.

mod common;

use std::sync::Arc;

use common::hybrid_client::{self, HybridGroup, Share};
use common::recording_verifier::RecordingVerifier;
use common::rustls_pair::{pki, Pair};
use rustls::crypto::SupportedKxGroup;
use stapler::codec::AlertDescription;
use stapler::{
    CloseReason, Error, Event, InvalidMessage, NamedGroup, ServerConfig, ServerConnection,
};

fn server() -> Arc<ServerConfig> {
    server_with(|b| b)
}

fn server_with(
    f: impl FnOnce(stapler::ServerConfigBuilder) -> stapler::ServerConfigBuilder,
) -> Arc<ServerConfig> {
    let builder = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap();
    Arc::new(f(builder).build().unwrap())
}

/// A TLS 1.3 rustls client offering `groups`, in order (it sends a share
/// for the first alone).
fn client(groups: Vec<&'static dyn SupportedKxGroup>) -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(hybrid_client::provider(groups))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(RecordingVerifier::new())
        .with_no_client_auth()
}

fn x25519() -> &'static dyn SupportedKxGroup {
    rustls::crypto::ring::kx_group::X25519
}

#[test]
fn each_hybrid_completes_against_another_ml_kem() {
    for (group, name) in hybrid_client::all().into_iter().zip([
        NamedGroup::X25519Mlkem768,
        NamedGroup::SecP256r1Mlkem768,
        NamedGroup::SecP384r1Mlkem1024,
    ]) {
        let mut pair = Pair::new(client(vec![group, x25519()]), server());
        pair.run().unwrap();
        assert!(
            pair.server.is_handshake_complete(),
            "{name}: {:?}",
            pair.closes()
        );
        let summary = pair.summary().unwrap();
        assert_eq!(summary.group, Some(name));
        assert!(!summary.hello_retry);
        assert_eq!(
            pair.client
                .negotiated_key_exchange_group()
                .map(|g| g.name()),
            Some(rustls::NamedGroup::from(name.to_wire()))
        );
        pair.exchange_data();
    }
}

#[test]
fn the_group_is_named_as_browsers_and_logs_name_it() {
    assert_eq!(NamedGroup::X25519Mlkem768.to_string(), "X25519MLKEM768");
    assert_eq!(
        NamedGroup::SecP256r1Mlkem768.to_string(),
        "SecP256r1MLKEM768"
    );
    assert_eq!(
        NamedGroup::SecP384r1Mlkem1024.to_string(),
        "SecP384r1MLKEM1024"
    );
}

/// The ServerHello's key_share (group, share length) in `flight`.
fn server_hello_share(flight: &[u8]) -> (u16, usize) {
    assert_eq!(flight[0], 22, "a handshake record");
    let hello = &flight[5..];
    assert_eq!(hello[0], 2, "ServerHello");
    let session_id_len = usize::from(hello[4 + 2 + 32]);
    let mut at = 4 + 2 + 32 + 1 + session_id_len + 2 + 1;
    let ext_end = at + 2 + usize::from(u16::from_be_bytes([hello[at], hello[at + 1]]));
    at += 2;
    while at < ext_end {
        let typ = u16::from_be_bytes([hello[at], hello[at + 1]]);
        let len = usize::from(u16::from_be_bytes([hello[at + 2], hello[at + 3]]));
        if typ == 51 {
            let body = &hello[at + 4..at + 4 + len];
            let group = u16::from_be_bytes([body[0], body[1]]);
            let share = usize::from(u16::from_be_bytes([body[2], body[3]]));
            assert_eq!(share + 4, len);
            return (group, share);
        }
        at += 4 + len;
    }
    panic!("no key_share in ServerHello");
}

#[test]
fn chromium_gets_x25519mlkem768_and_a_classical_config_gets_x25519() {
    let hello = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/client_hello/chromium.bin"
    ))
    .unwrap();
    for (config, expected) in [
        (server(), (0x11ec, 1088 + 32)),
        (
            server_with(|b| {
                b.key_exchange_groups(&[NamedGroup::X25519, NamedGroup::Secp256r1])
                    .unwrap()
            }),
            (0x001d, 32),
        ),
    ] {
        let mut conn = ServerConnection::new(config);
        conn.feed(&hello).unwrap();
        let flight = conn.poll_transmit().expect("the server's flight");
        assert_eq!(server_hello_share(&flight), expected);
    }
}

#[test]
fn a_classical_share_is_taken_without_a_retry_unless_asked() {
    // The client lists X25519MLKEM768 but predicts x25519.
    let groups = || vec![x25519(), hybrid_client::all()[0]];
    let mut pair = Pair::new(client(groups()), server());
    pair.run().unwrap();
    let summary = pair.summary().unwrap();
    assert_eq!(summary.group, Some(NamedGroup::X25519));
    assert!(!summary.hello_retry);

    // hybrid_retry: a HelloRetryRequest asks for the hybrid's share.
    let mut pair = Pair::new(client(groups()), server_with(|b| b.hybrid_retry(true)));
    pair.run().unwrap();
    let summary = pair.summary().unwrap();
    assert_eq!(summary.group, Some(NamedGroup::X25519Mlkem768));
    assert!(summary.hello_retry);
    pair.exchange_data();
}

#[test]
fn a_retry_asks_for_the_hybrid_when_no_usable_share_came() {
    // The client's share is for P-384, which this server does not take;
    // it lists the hybrid too: the retry asks for the hybrid.
    let groups = vec![
        rustls::crypto::ring::kx_group::SECP384R1,
        hybrid_client::all()[0],
    ];
    let config = server_with(|b| {
        b.key_exchange_groups(&[NamedGroup::X25519Mlkem768, NamedGroup::X25519])
            .unwrap()
    });
    let mut pair = Pair::new(client(groups), config);
    pair.run().unwrap();
    let summary = pair.summary().unwrap();
    assert_eq!(summary.group, Some(NamedGroup::X25519Mlkem768));
    assert!(summary.hello_retry);
}

#[test]
fn tls12_never_takes_a_hybrid() {
    // A TLS 1.2 client with a hybrid among its groups (rustls leaves it
    // out of a TLS 1.2 hello, as it is usable only in TLS 1.3); a server
    // preferring hybrids still chooses a curve. P-256 is listed for the
    // ECDSA certificate (RFC 8422 §5.1).
    let client = rustls::ClientConfig::builder_with_provider(hybrid_client::provider(vec![
        hybrid_client::all()[0],
        x25519(),
        rustls::crypto::ring::kx_group::SECP256R1,
    ]))
    .with_protocol_versions(&[&rustls::version::TLS12])
    .unwrap()
    .dangerous()
    .with_custom_certificate_verifier(RecordingVerifier::new())
    .with_no_client_auth();
    let mut pair = Pair::new(client, server());
    pair.run().unwrap();
    let summary = pair.summary().unwrap();
    assert_eq!(summary.version, stapler::ProtocolVersion::Tls12);
    assert_eq!(summary.group, Some(NamedGroup::X25519));

    // A hand-built TLS 1.2 hello listing the hybrids first, and only
    // hybrids: the first curve after them, or none at all.
    use common::hello_encoder::ExtensionModel;
    use common::tls12_client::{tls12_extensions, tls12_hello, HandClient};
    for (groups, expected) in [
        (vec![0x11ec, 0x11eb, 0x11ed, 0x0017], Some(0x0017)),
        (vec![0x11ec, 0x11eb, 0x11ed], None),
    ] {
        let mut exts = tls12_extensions(true, false);
        exts.retain(|e| !matches!(e, ExtensionModel::SupportedGroups(_)));
        exts.push(ExtensionModel::SupportedGroups(groups));
        let mut hand = HandClient::new(tls12_hello(&[0xc02b], exts));
        let mut conn = ServerConnection::new(server());
        let result = conn.feed(&hand.client_hello());
        match expected {
            Some(group) => {
                result.unwrap();
                let flight = conn.poll_transmit().unwrap();
                assert_eq!(hand.read_flight(&flight).group, group);
            }
            None => assert_eq!(
                result,
                Err(Error::PeerMisbehaved(
                    stapler::PeerMisbehaved::NoCommonGroup
                ))
            ),
        }
    }
}

#[test]
fn malformed_hybrid_shares_are_illegal_parameter() {
    for wire in [0x11ec, 0x11eb, 0x11ed] {
        for share in [Share::Short, Share::OverQ] {
            let group: &'static dyn SupportedKxGroup =
                Box::leak(Box::new(HybridGroup { wire, share }));
            let mut pair = Pair::new(client(vec![group]), server());
            assert!(pair.run().is_err(), "{wire:#x} {share:?}");
            let expected = match share {
                // A share of the wrong length is never copied.
                Share::Short => Error::PeerMisbehaved(stapler::PeerMisbehaved::BadKeyShare),
                _ => Error::InvalidMessage(InvalidMessage::BadKeyShare(wire)),
            };
            assert_eq!(
                pair.closed(),
                CloseReason::Error {
                    error: expected,
                    alert: Some(AlertDescription::IllegalParameter),
                },
                "{wire:#x} {share:?}"
            );
            assert_eq!(
                pair.server_to_client(),
                Err(rustls::Error::AlertReceived(
                    rustls::AlertDescription::IllegalParameter
                ))
            );
            assert!(!pair
                .events
                .iter()
                .any(|e| matches!(e, Event::HandshakeComplete(_))));
        }
    }
}

/// A client whose ML-KEM is AWS-LC's: rustls with its aws-lc-rs provider,
/// offering X25519MLKEM768 and SecP256r1MLKEM768 (it has no
/// SecP384r1MLKEM1024).
#[test]
fn rustls_on_aws_lc_rs_gets_its_hybrid() {
    use rustls::crypto::aws_lc_rs::{default_provider, kx_group};
    for (group, name) in [
        (kx_group::X25519MLKEM768, NamedGroup::X25519Mlkem768),
        (kx_group::SECP256R1MLKEM768, NamedGroup::SecP256r1Mlkem768),
    ] {
        let provider = rustls::crypto::CryptoProvider {
            kx_groups: vec![group, kx_group::X25519],
            ..default_provider()
        };
        let client = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(RecordingVerifier::new())
            .with_no_client_auth();
        let mut pair = Pair::new(client, server());
        pair.run().unwrap();
        assert_eq!(pair.summary().unwrap().group, Some(name), "{name}");
        pair.exchange_data();
    }
}

/// A session resumed with psk_dhe_ke exchanges X25519MLKEM768 afresh: the
/// resumed ServerHello carries the hybrid's 1,120-byte share too.
#[test]
fn a_resumption_exchanges_the_hybrid_again() {
    let mut client = client(vec![hybrid_client::all()[0], x25519()]);
    client.resumption = rustls::client::Resumption::in_memory_sessions(4);
    let client = Arc::new(client);
    let config = server();
    let now = 1_800_000_000;
    let first = Pair::completed_at(&client, &config, now);
    assert_eq!(
        first.summary().unwrap().group,
        Some(NamedGroup::X25519Mlkem768)
    );
    let mut first = first;
    // The tickets follow the handshake.
    first.server_to_client().unwrap();
    let second = Pair::completed_at(&client, &config, now + 1);
    let summary = second.summary().unwrap();
    assert_eq!(summary.resumption, Some(stapler::Resumption::Tls13PskDheKe));
    assert_eq!(summary.group, Some(NamedGroup::X25519Mlkem768));
}
