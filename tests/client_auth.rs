//! Client authentication (issue 12), in memory against rustls's client
//! with its client certificate, in TLS 1.3 and TLS 1.2: each key type,
//! Optional and Required, and each refusal with its exact alert on the
//! wire, as rustls reports receiving it.

mod common;

use std::sync::Arc;

use common::hello_encoder::handshake_message;
use common::mtls_clients::{client_pki, client_with, client_without, presenting, VERSIONS};
use common::rustls_pair::{pki, Pair};
use common::tls13_staple_client::certificate_body;
use stapler::codec::AlertDescription;
use stapler::pki::{ClientChainError, ClientRoots};
use stapler::{ClientAuth, CloseReason, Error, ProtocolVersion, ServerConfig};

const NOW: u64 = 1_800_000_000;

fn server(mode: ClientAuth) -> Arc<ServerConfig> {
    Arc::new(
        ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .client_auth(mode, &client_pki("client-ca.crt"))
            .unwrap()
            .build()
            .unwrap(),
    )
}

fn pair(client: Arc<rustls::ClientConfig>, server: Arc<ServerConfig>, now: u64) -> Pair {
    Pair::at(client, server, "localhost", now)
}

#[test]
fn a_client_certificate_of_each_key_type_is_verified() {
    for version in VERSIONS {
        for (chain, key, cn) in [
            ("client-ecdsa.crt", "client-ecdsa.key", "client-a"),
            ("client-rsa.crt", "client-rsa.key", "client-rsa"),
            ("client-ed25519.crt", "client-ed25519.key", "client-ed25519"),
        ] {
            let client = client_with(version, chain, key);
            let mut pair = pair(client, server(ClientAuth::Required), NOW);
            pair.run().unwrap();
            assert!(
                pair.server.is_handshake_complete(),
                "{version:?} {cn}: {:?}",
                pair.closes()
            );
            let summary = pair.summary().unwrap();
            assert_eq!(summary.version, version);
            let client = summary.client_certificate.as_ref().expect("verified");
            assert_eq!(client.common_name(), Some(cn));
            pair.exchange_data();
        }
    }
    let mut pair = pair(
        client_with(
            ProtocolVersion::Tls13,
            "client-ecdsa.crt",
            "client-ecdsa.key",
        ),
        server(ClientAuth::Required),
        NOW,
    );
    pair.run().unwrap();
    let summary = pair.summary().unwrap();
    let client = summary.client_certificate.as_ref().unwrap();
    assert_eq!(client.spiffe_id(), Some("spiffe://example.test/workload/a"));
}

#[test]
fn optional_serves_a_client_with_or_without_a_certificate() {
    for version in VERSIONS {
        let mut anonymous = pair(client_without(version), server(ClientAuth::Optional), NOW);
        anonymous.run().unwrap();
        assert!(anonymous.server.is_handshake_complete(), "{version:?}");
        assert_eq!(anonymous.summary().unwrap().client_certificate, None);
        anonymous.exchange_data();

        let mut known = pair(
            client_with(version, "client-ecdsa.crt", "client-ecdsa.key"),
            server(ClientAuth::Optional),
            NOW,
        );
        known.run().unwrap();
        assert!(known.summary().unwrap().client_certificate.is_some());
    }
}

/// Runs `pair` until the server fails, and checks the error, the alert the
/// server reports sending, and the alert rustls says it received.
fn refused(mut pair: Pair, error: Error, alert: AlertDescription, seen: rustls::AlertDescription) {
    assert!(pair.run().is_err(), "the handshake must fail");
    assert_eq!(
        pair.closed(),
        CloseReason::Error {
            error,
            alert: Some(alert),
        }
    );
    assert_eq!(
        pair.server_to_client(),
        Err(rustls::Error::AlertReceived(seen))
    );
    assert!(pair.summary().is_none());
}

#[test]
fn required_without_a_certificate_is_certificate_required_or_handshake_failure() {
    refused(
        pair(
            client_without(ProtocolVersion::Tls13),
            server(ClientAuth::Required),
            NOW,
        ),
        Error::ClientCertificate(ClientChainError::Empty),
        AlertDescription::CertificateRequired,
        rustls::AlertDescription::CertificateRequired,
    );
    // TLS 1.2 has no certificate_required (RFC 5246 §7.4.6).
    refused(
        pair(
            client_without(ProtocolVersion::Tls12),
            server(ClientAuth::Required),
            NOW,
        ),
        Error::PeerMisbehaved(stapler::PeerMisbehaved::NoClientCertificate),
        AlertDescription::HandshakeFailure,
        rustls::AlertDescription::HandshakeFailure,
    );
}

#[test]
fn chains_that_do_not_verify_get_their_exact_alerts() {
    let cases = [
        (
            "client-stranger.crt",
            "client-stranger.key",
            NOW,
            ClientChainError::UnknownIssuer,
            AlertDescription::UnknownCa,
            rustls::AlertDescription::UnknownCA,
        ),
        (
            "client-ecdsa.crt",
            "client-ecdsa.key",
            5_000_000_000,
            ClientChainError::Expired,
            AlertDescription::CertificateExpired,
            rustls::AlertDescription::CertificateExpired,
        ),
        (
            "client-no-eku.crt",
            "client-no-eku.key",
            NOW,
            ClientChainError::NotForClientAuth,
            AlertDescription::UnsupportedCertificate,
            rustls::AlertDescription::UnsupportedCertificate,
        ),
        (
            "client-outside-chain.pem",
            "client-outside.key",
            NOW,
            ClientChainError::NameConstraints,
            AlertDescription::BadCertificate,
            rustls::AlertDescription::BadCertificate,
        ),
    ];
    for version in VERSIONS {
        for (chain, key, now, why, alert, seen) in cases.clone() {
            refused(
                pair(
                    client_with(version, chain, key),
                    server(ClientAuth::Optional),
                    now,
                ),
                Error::ClientCertificate(why),
                alert,
                seen,
            );
        }
    }
}

#[test]
fn a_certificate_verify_that_does_not_verify_is_decrypt_error() {
    for version in VERSIONS {
        let (client, _) = presenting(version, true);
        refused(
            pair(client, server(ClientAuth::Required), NOW),
            Error::InvalidMessage(stapler::InvalidMessage::CertificateVerifyMismatch),
            AlertDescription::DecryptError,
            rustls::AlertDescription::DecryptError,
        );
    }
}

#[test]
fn the_request_names_the_roots_unless_told_not_to() {
    let roots = ClientRoots::from_pem_or_der(&client_pki("client-ca.crt")).unwrap();
    for version in VERSIONS {
        let (client, seen) = presenting(version, false);
        let mut with = pair(Arc::clone(&client), server(ClientAuth::Required), NOW);
        with.run().unwrap();
        let hints = seen.hints.lock().unwrap().clone();
        // rustls hands over each DistinguishedName's contents: the root's
        // subject Name without its outer SEQUENCE header.
        assert_eq!(hints.len(), 1, "{version:?}");
        assert!(roots.subjects()[0].ends_with(&hints[0]));
    }
    let (client, seen) = presenting(ProtocolVersion::Tls13, false);

    let quiet = Arc::new(
        ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .client_auth(ClientAuth::Required, &client_pki("client-ca.crt"))
            .unwrap()
            .client_ca_names(false)
            .build()
            .unwrap(),
    );
    let mut without = pair(client, quiet, NOW);
    without.run().unwrap();
    assert!(seen.hints.lock().unwrap().is_empty());
    assert!(without.summary().unwrap().client_certificate.is_some());
}

#[test]
fn a_config_asking_for_client_certificates_issues_no_tickets() {
    // No ticket: the next connection of a resuming client is a full one,
    // in either version.
    for version in VERSIONS {
        let mut resuming = (*client_with(version, "client-ecdsa.crt", "client-ecdsa.key")).clone();
        resuming.resumption = rustls::client::Resumption::in_memory_sessions(4);
        let resuming = Arc::new(resuming);
        let server = server(ClientAuth::Required);
        for _ in 0..2 {
            let mut pair = pair(Arc::clone(&resuming), Arc::clone(&server), NOW);
            pair.run().unwrap();
            pair.server_to_client().unwrap();
            let summary = pair.summary().unwrap();
            assert_eq!(summary.resumption, None, "{version:?}");
            assert!(summary.client_certificate.is_some());
        }
    }
}

// ---------------------------------------------------------------------------
// Hostile clients: messages of the client's second flight made by hand and
// protected under the client handshake secret a rustls client logged.

/// A rustls client (AES-128-GCM, its secrets logged) that has read the
/// server's flight from a server asking for a certificate; the secret its
/// second flight is protected under.
fn at_second_flight() -> (Pair, Vec<u8>) {
    let (config, log) = common::tls13_staple_client::logging_client();
    let mut pair = pair(config, server(ClientAuth::Required), NOW);
    pair.client_to_server().unwrap();
    pair.server_to_client().unwrap();
    let secret = log.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET").unwrap();
    (pair, secret)
}

fn leaf_der() -> Vec<u8> {
    stapler::pki::pem::certificates_from_pem_or_der(&client_pki("client-ecdsa.crt")).unwrap()[0]
        .to_vec()
}

#[test]
fn a_certificate_with_another_request_context_is_illegal_parameter() {
    use common::tls13_wire::{rejects_protected, seal_record};
    let (mut pair, secret) = at_second_flight();
    let message = handshake_message(11, &certificate_body(&[7], &leaf_der(), &[]));
    rejects_protected(
        &mut pair,
        &seal_record(&secret, 0, 22, &message),
        Error::PeerMisbehaved(stapler::PeerMisbehaved::BadCertificateRequestContext),
        AlertDescription::IllegalParameter,
        rustls::AlertDescription::IllegalParameter,
    );
}

#[test]
fn an_extension_the_server_did_not_ask_for_is_unsupported_extension() {
    use common::tls13_wire::{rejects_protected, seal_record};
    let (mut pair, secret) = at_second_flight();
    // status_request, which this CertificateRequest did not carry.
    let message = handshake_message(11, &certificate_body(&[], &leaf_der(), &[0, 5, 0, 0]));
    rejects_protected(
        &mut pair,
        &seal_record(&secret, 0, 22, &message),
        Error::PeerMisbehaved(stapler::PeerMisbehaved::UnsolicitedCertificateExtension(5)),
        AlertDescription::UnsupportedExtension,
        rustls::AlertDescription::UnsupportedExtension,
    );
}

#[test]
fn a_certificate_verify_with_a_scheme_not_offered_is_illegal_parameter() {
    use common::tls13_wire::{rejects_protected, seal_record};
    let (mut pair, secret) = at_second_flight();
    let certificate = handshake_message(11, &certificate_body(&[], &leaf_der(), &[]));
    // rsa_pkcs1_sha256, which TLS 1.3 does not allow here (RFC 8446
    // §4.2.3) and the request did not offer.
    let verify = handshake_message(15, &[4, 1, 0, 2, 0xde, 0xad]);
    let input = [
        seal_record(&secret, 0, 22, &certificate),
        seal_record(&secret, 1, 22, &verify),
    ]
    .concat();
    rejects_protected(
        &mut pair,
        &input,
        Error::PeerMisbehaved(stapler::PeerMisbehaved::UnofferedSignatureScheme(0x0401)),
        AlertDescription::IllegalParameter,
        rustls::AlertDescription::IllegalParameter,
    );
}

#[test]
fn a_certificate_verify_with_a_scheme_its_key_cannot_make_is_illegal_parameter() {
    use common::tls13_wire::{rejects_protected, seal_record};
    // The leaf's key is P-256. Each scheme was offered, but in TLS 1.3
    // ecdsa_secp384r1_sha384 is for P-384 keys only (RFC 8446 §4.2.3), and
    // ed25519 and rsa_pss_rsae_sha256 for other kinds of key (§4.4.3).
    for scheme in [0x0503u16, 0x0807, 0x0804] {
        let (mut pair, secret) = at_second_flight();
        let certificate = handshake_message(11, &certificate_body(&[], &leaf_der(), &[]));
        let [hi, lo] = scheme.to_be_bytes();
        let verify = handshake_message(15, &[hi, lo, 0, 2, 0xde, 0xad]);
        let input = [
            seal_record(&secret, 0, 22, &certificate),
            seal_record(&secret, 1, 22, &verify),
        ]
        .concat();
        rejects_protected(
            &mut pair,
            &input,
            Error::PeerMisbehaved(stapler::PeerMisbehaved::SchemeNotForClientKey(scheme)),
            AlertDescription::IllegalParameter,
            rustls::AlertDescription::IllegalParameter,
        );
    }
}

#[test]
fn skipping_the_certificate_is_unexpected_message() {
    use common::tls13_wire::seal_record;
    for (typ, body) in [(20u8, vec![0; 32]), (15, vec![4, 3, 0, 2, 0xde, 0xad])] {
        let (mut pair, secret) = at_second_flight();
        let message = handshake_message(typ, &body);
        let name = if typ == 20 {
            "finished"
        } else {
            "certificate_verify"
        };
        let result = pair.server.feed(&seal_record(&secret, 0, 22, &message));
        let error = result.unwrap_err();
        assert_eq!(
            AlertDescription::from(&error),
            AlertDescription::UnexpectedMessage,
            "{name}: {error}"
        );
        rejects_protected_tail(&mut pair, rustls::AlertDescription::UnexpectedMessage);
    }

    fn rejects_protected_tail(pair: &mut Pair, seen: rustls::AlertDescription) {
        pair.drain_server();
        assert_eq!(pair.to_client[0], 0x17, "the alert is protected");
        assert_eq!(
            pair.server_to_client(),
            Err(rustls::Error::AlertReceived(seen))
        );
    }
}

// ---------------------------------------------------------------------------
// TLS 1.2 hostile clients: the hand-built client of tests/common, which
// sends what rustls would not.

mod tls12 {
    use super::*;
    use common::tls12_client::{tls12_extensions, tls12_hello, HandClient};
    use common::wire::plaintext_alert;
    use stapler::ServerConnection;

    const ECDHE_ECDSA_AES128_GCM: u16 = 0xc02b;

    /// A hand client that has read the flight of a server requiring a
    /// client certificate, and that server.
    fn at_client_flight() -> (HandClient, ServerConnection) {
        let mut client = HandClient::new(tls12_hello(
            &[ECDHE_ECDSA_AES128_GCM],
            tls12_extensions(true, false),
        ));
        let mut conn = ServerConnection::new_at(server(ClientAuth::Required), NOW);
        conn.feed(&client.client_hello()).unwrap();
        client.read_flight(&conn.poll_transmit().unwrap());
        (client, conn)
    }

    fn certificate_body() -> Vec<u8> {
        let cert = leaf_der();
        let u24 = |n: usize| (n as u32).to_be_bytes()[1..].to_vec();
        [u24(3 + cert.len()), u24(cert.len()), cert].concat()
    }

    #[track_caller]
    fn rejects(conn: &mut ServerConnection, input: &[u8], error: Error, alert: u8) {
        assert_eq!(conn.feed(input), Err(error));
        assert_eq!(conn.poll_transmit().unwrap(), plaintext_alert(alert));
    }

    /// A CertificateVerify body: the scheme's two bytes and the signature.
    fn certificate_verify_body(scheme: [u8; 2], signature: &[u8]) -> Vec<u8> {
        let len = (signature.len() as u16).to_be_bytes();
        [&scheme[..], &len, signature].concat()
    }

    /// Feeds the client's flight up to its CertificateVerify (`input`),
    /// then its change_cipher_spec and Finished, which covers the
    /// CertificateVerify too, and checks the handshake completes.
    fn completes(client: &mut HandClient, conn: &mut ServerConnection, input: &[u8]) {
        conn.feed(input).unwrap();
        let mut input = HandClient::change_cipher_spec();
        let finished = client.finished_message();
        input.extend(client.seal(22, &finished));
        conn.feed(&input).unwrap();
        client.read_server_finished(&conn.poll_transmit().unwrap());
        assert!(conn.is_handshake_complete());
    }

    #[test]
    fn the_request_asks_for_ecdsa_or_rsa_and_names_the_root() {
        let (client, _) = at_client_flight();
        assert_eq!(client.flight.message_types, [2, 11, 12, 13, 14]);
        let request = client.flight.certificate_request.clone().unwrap();
        // certificate_types: rsa_sign, ecdsa_sign.
        assert_eq!(request[..3], [2, 1, 64]);
        let roots = ClientRoots::from_pem_or_der(&client_pki("client-ca.crt")).unwrap();
        assert!(request.ends_with(&roots.subjects()[0]));
    }

    #[test]
    fn a_client_key_exchange_before_the_certificate_is_unexpected_message() {
        let (mut client, mut conn) = at_client_flight();
        let input = client.client_key_exchange();
        rejects(
            &mut conn,
            &input,
            Error::PeerMisbehaved(stapler::PeerMisbehaved::UnexpectedMessage(
                "ClientKeyExchange",
            )),
            10,
        );
    }

    #[test]
    fn change_cipher_spec_before_certificate_verify_is_unexpected_message() {
        let (mut client, mut conn) = at_client_flight();
        let mut input = client.handshake_record(11, &certificate_body());
        input.extend(client.client_key_exchange());
        input.extend(HandClient::change_cipher_spec());
        rejects(
            &mut conn,
            &input,
            Error::PeerMisbehaved(stapler::PeerMisbehaved::BadChangeCipherSpec),
            10,
        );
    }

    #[test]
    fn a_certificate_verify_with_an_unoffered_algorithm_is_illegal_parameter() {
        let (mut client, mut conn) = at_client_flight();
        let mut input = client.handshake_record(11, &certificate_body());
        input.extend(client.client_key_exchange());
        // rsa_pkcs1_sha1, which the request did not offer.
        input.extend(client.handshake_record(15, &[2, 1, 0, 2, 0xde, 0xad]));
        rejects(
            &mut conn,
            &input,
            Error::PeerMisbehaved(stapler::PeerMisbehaved::UnofferedSignatureScheme(0x0201)),
            47,
        );
    }

    #[test]
    fn a_hand_signed_certificate_verify_is_accepted_and_a_wrong_one_is_decrypt_error() {
        use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
        let der = stapler::pki::pem::private_key_from_pem_or_der(&client_pki("client-ecdsa.key"))
            .unwrap();
        let rng = ring::rand::SystemRandom::new();
        let key =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, der.der(), &rng).unwrap();
        for wrong in [false, true] {
            let (mut client, mut conn) = at_client_flight();
            let mut input = client.handshake_record(11, &certificate_body());
            input.extend(client.client_key_exchange());
            // Signed over every message so far (RFC 5246 §7.4.8).
            let mut signature = key
                .sign(&rng, client.handshake_messages())
                .unwrap()
                .as_ref()
                .to_vec();
            if wrong {
                let last = signature.len() - 1;
                signature[last] ^= 1;
            }
            input.extend(client.handshake_record(15, &certificate_verify_body([4, 3], &signature)));
            if wrong {
                rejects(
                    &mut conn,
                    &input,
                    Error::InvalidMessage(stapler::InvalidMessage::CertificateVerifyMismatch),
                    51,
                );
                continue;
            }
            completes(&mut client, &mut conn, &input);
        }
    }

    #[test]
    fn an_ecdsa_key_signs_with_either_hash_but_not_as_another_algorithm() {
        use super::common::peers::{skip_unless_installed, OPENSSL};
        if skip_unless_installed(&[OPENSSL]) {
            return;
        }
        // 0x0503 names ECDSA with SHA-384 and, in TLS 1.2, no curve (RFC
        // 5246 §7.4.1.4.1): the P-256 key makes it. ring signs P-256 with
        // SHA-256 only, so openssl signs.
        let (mut client, mut conn) = at_client_flight();
        let mut input = client.handshake_record(11, &certificate_body());
        input.extend(client.client_key_exchange());
        let signed = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("client-auth-p256-sha384-{}", std::process::id()));
        std::fs::write(&signed, client.handshake_messages()).unwrap();
        let key = format!(
            "{}/tests/data/client_pki/client-ecdsa.key",
            env!("CARGO_MANIFEST_DIR")
        );
        let out = std::process::Command::new("openssl")
            .args(["dgst", "-sha384", "-binary", "-sign", &key])
            .arg(&signed)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        input.extend(client.handshake_record(15, &certificate_verify_body([5, 3], &out.stdout)));
        completes(&mut client, &mut conn, &input);

        // ed25519, offered, which an ECDSA key cannot make (RFC 8446
        // §4.4.3's rule, RFC 5246 §7.4.8's "MUST be one of those present"
        // read with the key).
        let (mut client, mut conn) = at_client_flight();
        let mut input = client.handshake_record(11, &certificate_body());
        input.extend(client.client_key_exchange());
        input.extend(client.handshake_record(15, &[8, 7, 0, 2, 0xde, 0xad]));
        rejects(
            &mut conn,
            &input,
            Error::PeerMisbehaved(stapler::PeerMisbehaved::SchemeNotForClientKey(0x0807)),
            47,
        );
    }
}

/// The SelectCertificate request the server raised, taken out of `pair`.
fn take_selection(pair: &mut Pair) -> stapler::CertificateSelection {
    let at = pair
        .events
        .iter()
        .position(|e| matches!(e, stapler::Event::SelectCertificate(_)))
        .expect("a SelectCertificate event");
    match pair.events.remove(at) {
        stapler::Event::SelectCertificate(request) => request,
        _ => unreachable!(),
    }
}

#[test]
fn a_selected_config_sets_the_client_policy_per_connection() {
    // The listener's config asks for nothing; the selection hands this
    // connection a config that requires a client certificate.
    let listener = Arc::new(
        ServerConfig::builder()
            .certificate_events(true)
            .build()
            .unwrap(),
    );
    for version in VERSIONS {
        for present in [true, false] {
            let client = if present {
                client_with(version, "client-ecdsa.crt", "client-ecdsa.key")
            } else {
                client_without(version)
            };
            let mut pair = pair(client, Arc::clone(&listener), NOW);
            pair.run().unwrap();
            let selection = take_selection(&mut pair);
            let result = pair.complete(selection.use_config(server(ClientAuth::Required)));
            if present {
                result.unwrap();
                let summary = pair.summary().expect("completed");
                let client = summary.client_certificate.as_ref().expect("verified");
                assert_eq!(client.common_name(), Some("client-a"));
            } else {
                assert!(result.is_err(), "{version:?}: required, none sent");
                let alert = match version {
                    ProtocolVersion::Tls13 => AlertDescription::CertificateRequired,
                    _ => AlertDescription::HandshakeFailure,
                };
                assert!(matches!(
                    pair.closed(),
                    CloseReason::Error { alert: Some(a), .. } if a == alert
                ));
            }
        }
    }
}
