//! TLS 1.2 handshakes against the rustls client limited to TLS 1.2, in
//! memory: every suite, group and signature algorithm, the OCSP event with
//! its three answers, the version limit, the downgrade sentinel, ALPN and
//! SNI, data and close_notify. Then what rustls will not do, with a TLS 1.2
//! client written for the tests (`common::tls12_client`): no extended
//! master secret, fallback SCSV, renegotiation, and bad ClientKeyExchange,
//! change_cipher_spec and Finished, each with its alert checked on the
//! wire.

mod common;

use std::sync::Arc;

use common::hello_encoder::ExtensionModel;
use common::rustls_pair::{
    ecdsa_server_config, pinned_provider, pki, roots_from, server_config, tls12_client_config,
    tls12_client_config_with, Pair, RecordingVerifier,
};
use common::tls12_client::{
    split_records, tls12_extensions, tls12_hello, HandClient, ALERT, APPLICATION_DATA, HANDSHAKE,
};
use rustls::crypto::ring::{cipher_suite, kx_group};
use stapler::server::ProtocolVersion;
use stapler::{
    CipherSuite, CloseReason, Error, Event, InvalidMessage, NamedGroup, OcspOutcome,
    PeerMisbehaved, ServerConfig, ServerConnection, SignatureScheme,
};

/// A pretend OCSP response: stapler staples bytes, it does not parse them.
fn staple(tag: &str) -> Vec<u8> {
    let mut der = vec![0x30, 0x03, 0x0a, 0x01, 0x00];
    der.extend_from_slice(tag.as_bytes());
    der
}

/// Application data both ways, one small and one larger than a record.
fn exchange_data(pair: &mut Pair) {
    let big: Vec<u8> = (0..40_000u32).map(|i| (i * 7) as u8).collect();
    for data in [&b"ping from the client"[..], &big] {
        pair.client_sends(data).unwrap();
        assert_eq!(pair.server_reads(), data, "client to server");
        pair.server_sends(data).unwrap();
        assert_eq!(pair.client_reads(), data, "server to client");
    }
}

/// The one Closed event the server raised.
fn closed(pair: &Pair) -> CloseReason {
    match pair.closes()[..] {
        [reason] => reason.clone(),
        ref other => panic!("expected one Closed event, got {other:?}"),
    }
}

/// The plaintext alert record a server sends before its change_cipher_spec.
fn plaintext_alert(description: u8) -> Vec<u8> {
    vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, description]
}

/// Feeds `input` whole; returns the result, everything written, and the
/// events.
fn feed_all(
    server: &mut ServerConnection,
    input: &[u8],
) -> (Result<usize, Error>, Vec<u8>, Vec<Event>) {
    let result = server.feed(input);
    let mut out = Vec::new();
    while let Some(bytes) = server.poll_transmit() {
        out.extend(bytes);
    }
    let events = std::iter::from_fn(|| server.poll_event()).collect();
    (result, out, events)
}

/// `input` fails with `error`, sends exactly the plaintext alert
/// `description`, and closes with both.
#[track_caller]
fn rejects_with(server: &mut ServerConnection, input: &[u8], error: Error, description: u8) {
    let (result, out, events) = feed_all(server, input);
    assert_eq!(result, Err(error.clone()));
    assert_eq!(out, plaintext_alert(description), "alert bytes");
    let alert = stapler::codec::AlertDescription::from(&error);
    assert_eq!(u8::from(alert), description);
    match &events[..] {
        [Event::Closed(reason)] => assert_eq!(
            *reason,
            CloseReason::Error {
                error,
                alert: Some(alert),
            }
        ),
        other => panic!("expected one Closed event, got {other:?}"),
    }
    assert!(server.is_closed());
}

/// The server's ServerHello.random, read from its first flight (TLS 1.2's
/// flight is in the clear).
fn server_random(flight: &[u8]) -> [u8; 32] {
    let records = split_records(flight);
    assert_eq!(records[0].typ, HANDSHAKE);
    let hello = &records[0].fragment;
    assert_eq!(hello[0], 2, "ServerHello first");
    hello[6..38].try_into().unwrap()
}

const DOWNGRD_01: [u8; 8] = *b"DOWNGRD\x01";

// ---------------------------------------------------------------------------
// Every suite × group × signature algorithm.

#[derive(Clone, Copy)]
enum Cipher {
    Aes128,
    Aes256,
    Chacha,
}

#[derive(Clone, Copy, PartialEq)]
enum Auth {
    Ecdsa,
    Rsa,
}

fn suite(cipher: Cipher, auth: Auth) -> (rustls::SupportedCipherSuite, CipherSuite) {
    use Auth::*;
    use Cipher::*;
    match (cipher, auth) {
        (Aes128, Ecdsa) => (
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256,
        ),
        (Aes256, Ecdsa) => (
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            CipherSuite::TlsEcdheEcdsaWithAes256GcmSha384,
        ),
        (Chacha, Ecdsa) => (
            cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite::TlsEcdheEcdsaWithChacha20Poly1305Sha256,
        ),
        (Aes128, Rsa) => (
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TlsEcdheRsaWithAes128GcmSha256,
        ),
        (Aes256, Rsa) => (
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            CipherSuite::TlsEcdheRsaWithAes256GcmSha384,
        ),
        (Chacha, Rsa) => (
            cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite::TlsEcdheRsaWithChacha20Poly1305Sha256,
        ),
    }
}

#[derive(Clone, Copy)]
enum Group {
    X25519,
    P256,
    P384,
}

impl Group {
    fn rustls(self) -> &'static dyn rustls::crypto::SupportedKxGroup {
        match self {
            Self::X25519 => kx_group::X25519,
            Self::P256 => kx_group::SECP256R1,
            Self::P384 => kx_group::SECP384R1,
        }
    }

    fn stapler(self) -> NamedGroup {
        match self {
            Self::X25519 => NamedGroup::X25519,
            Self::P256 => NamedGroup::Secp256r1,
            Self::P384 => NamedGroup::Secp384r1,
        }
    }
}

/// A certificate to serve, how the client reaches and trusts it, and the
/// one signature algorithm the client offers.
struct Leaf {
    chain: &'static str,
    key: &'static str,
    name: &'static str,
    roots: &'static [&'static str],
    auth: Auth,
    scheme: SignatureScheme,
    rustls_scheme: rustls::SignatureScheme,
}

const ECDSA_P256: Leaf = Leaf {
    chain: "leaf-ecdsa.crt",
    key: "leaf-ecdsa.key",
    name: "localhost",
    roots: &["root-ca.crt"],
    auth: Auth::Ecdsa,
    scheme: SignatureScheme::EcdsaSecp256r1Sha256,
    rustls_scheme: rustls::SignatureScheme::ECDSA_NISTP256_SHA256,
};

/// The only P-384 leaf is self-signed; the client trusts it as its root.
const ECDSA_P384: Leaf = Leaf {
    chain: "self-signed.crt",
    key: "self-signed.key",
    name: "self-signed.example.test",
    roots: &["self-signed.crt"],
    auth: Auth::Ecdsa,
    scheme: SignatureScheme::EcdsaSecp384r1Sha384,
    rustls_scheme: rustls::SignatureScheme::ECDSA_NISTP384_SHA384,
};

/// EdDSA signs for the ECDHE_ECDSA suites (RFC 8422 §5.1.1).
const ED25519: Leaf = Leaf {
    chain: "leaf-ed25519.crt",
    key: "leaf-ed25519.key",
    name: "localhost",
    roots: &["root-ca.crt"],
    auth: Auth::Ecdsa,
    scheme: SignatureScheme::Ed25519,
    rustls_scheme: rustls::SignatureScheme::ED25519,
};

const RSA_PKCS1_SHA256: Leaf = Leaf {
    chain: "leaf-rsa-chain.pem",
    key: "leaf-rsa.key",
    name: "localhost",
    roots: &["root-ca.crt"],
    auth: Auth::Rsa,
    scheme: SignatureScheme::RsaPkcs1Sha256,
    rustls_scheme: rustls::SignatureScheme::RSA_PKCS1_SHA256,
};

const RSA_PKCS1_SHA384: Leaf = Leaf {
    scheme: SignatureScheme::RsaPkcs1Sha384,
    rustls_scheme: rustls::SignatureScheme::RSA_PKCS1_SHA384,
    ..RSA_PKCS1_SHA256
};

const RSA_PKCS1_SHA512: Leaf = Leaf {
    scheme: SignatureScheme::RsaPkcs1Sha512,
    rustls_scheme: rustls::SignatureScheme::RSA_PKCS1_SHA512,
    ..RSA_PKCS1_SHA256
};

const RSA_PSS_SHA256: Leaf = Leaf {
    scheme: SignatureScheme::RsaPssRsaeSha256,
    rustls_scheme: rustls::SignatureScheme::RSA_PSS_SHA256,
    ..RSA_PKCS1_SHA256
};

const RSA_PSS_SHA384: Leaf = Leaf {
    scheme: SignatureScheme::RsaPssRsaeSha384,
    rustls_scheme: rustls::SignatureScheme::RSA_PSS_SHA384,
    ..RSA_PKCS1_SHA256
};

const RSA_PSS_SHA512: Leaf = Leaf {
    scheme: SignatureScheme::RsaPssRsaeSha512,
    rustls_scheme: rustls::SignatureScheme::RSA_PSS_SHA512,
    ..RSA_PKCS1_SHA256
};

fn handshake_case(cipher: Cipher, group: Group, leaf: &Leaf) {
    let (rustls_suite, stapler_suite) = suite(cipher, leaf.auth);
    let verifier =
        RecordingVerifier::custom(roots_from(leaf.roots), Some(vec![leaf.rustls_scheme]));
    let provider = pinned_provider(&[rustls_suite], &[group.rustls()]);
    let mut pair = Pair::with_name(
        tls12_client_config_with(verifier, provider),
        Arc::new(server_config(leaf.chain, leaf.key, false)),
        leaf.name,
    );
    pair.run().unwrap();
    assert!(!pair.client.is_handshaking());
    assert!(pair.server.is_handshake_complete());

    let summary = pair.summary().expect("HandshakeComplete").clone();
    assert_eq!(summary.version, ProtocolVersion::Tls12);
    assert_eq!(summary.cipher_suite, stapler_suite);
    assert_eq!(summary.group, group.stapler());
    assert_eq!(summary.signature_scheme, leaf.scheme);
    assert_eq!(summary.alpn_protocol, None);
    assert_eq!(summary.server_name.as_deref(), Some(leaf.name));
    assert!(!summary.hello_retry);
    assert!(summary.extended_master_secret, "rustls always offers EMS");
    assert_eq!(summary.ocsp, OcspOutcome::NotRequested);

    // rustls agrees on what was negotiated.
    assert_eq!(
        pair.client.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );
    let client_suite = pair.client.negotiated_cipher_suite().unwrap();
    assert_eq!(client_suite.suite(), rustls_suite.suite());
    let client_group = pair.client.negotiated_key_exchange_group().unwrap();
    assert_eq!(client_group.name(), group.rustls().name());

    exchange_data(&mut pair);
}

/// One test per (scheme, cipher, group): `matrix::<scheme>::<cipher>_<group>`.
macro_rules! matrix {
    ($($scheme:ident => $leaf:expr),* $(,)?) => {$(
        mod $scheme {
            use super::super::*;

            #[test] fn aes128_x25519() { handshake_case(Cipher::Aes128, Group::X25519, &$leaf) }
            #[test] fn aes128_p256() { handshake_case(Cipher::Aes128, Group::P256, &$leaf) }
            #[test] fn aes128_p384() { handshake_case(Cipher::Aes128, Group::P384, &$leaf) }
            #[test] fn aes256_x25519() { handshake_case(Cipher::Aes256, Group::X25519, &$leaf) }
            #[test] fn aes256_p256() { handshake_case(Cipher::Aes256, Group::P256, &$leaf) }
            #[test] fn aes256_p384() { handshake_case(Cipher::Aes256, Group::P384, &$leaf) }
            #[test] fn chacha_x25519() { handshake_case(Cipher::Chacha, Group::X25519, &$leaf) }
            #[test] fn chacha_p256() { handshake_case(Cipher::Chacha, Group::P256, &$leaf) }
            #[test] fn chacha_p384() { handshake_case(Cipher::Chacha, Group::P384, &$leaf) }
        }
    )*};
}

mod matrix {
    matrix! {
        ecdsa_secp256r1_sha256 => ECDSA_P256,
        ecdsa_secp384r1_sha384 => ECDSA_P384,
        ed25519 => ED25519,
        rsa_pkcs1_sha256 => RSA_PKCS1_SHA256,
        rsa_pkcs1_sha384 => RSA_PKCS1_SHA384,
        rsa_pkcs1_sha512 => RSA_PKCS1_SHA512,
        rsa_pss_rsae_sha256 => RSA_PSS_SHA256,
        rsa_pss_rsae_sha384 => RSA_PSS_SHA384,
        rsa_pss_rsae_sha512 => RSA_PSS_SHA512,
    }
}

// ---------------------------------------------------------------------------
// Hand-built client: the no-EMS path.

/// Runs a whole handshake with the hand client; returns the server's
/// summary.
fn hand_handshake(
    server: &mut ServerConnection,
    client: &mut HandClient,
) -> stapler::HandshakeSummary {
    let (result, flight, events) = feed_all(server, &client.client_hello());
    result.unwrap();
    assert!(events.is_empty(), "{events:?}");
    client.read_flight(&flight);
    let second = client.second_flight();
    let (result, out, events) = feed_all(server, &second);
    result.unwrap();
    client.read_server_finished(&out);
    match &events[..] {
        [Event::HandshakeComplete(summary)] => summary.clone(),
        other => panic!("{other:?}"),
    }
}

/// Application data both ways through the hand client.
fn hand_data(server: &mut ServerConnection, client: &mut HandClient) {
    let record = client.seal(APPLICATION_DATA, b"GET / HTTP/1.0\r\n\r\n");
    let (result, out, events) = feed_all(server, &record);
    result.unwrap();
    assert!(out.is_empty());
    match &events[..] {
        [Event::ApplicationData(data)] => assert_eq!(data, b"GET / HTTP/1.0\r\n\r\n"),
        other => panic!("{other:?}"),
    }
    server.send(b"HTTP/1.0 200 OK\r\n\r\n").unwrap();
    let out = server.poll_transmit().unwrap();
    let records = split_records(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].typ, APPLICATION_DATA);
    assert_eq!(client.open(&records[0]), b"HTTP/1.0 200 OK\r\n\r\n");
}

#[test]
fn hand_client_with_extended_master_secret() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    let summary = hand_handshake(&mut server, &mut client);
    assert!(summary.extended_master_secret);
    assert_eq!(client.flight.extension(23), Some(&[][..]), "EMS echoed");
    hand_data(&mut server, &mut client);
}

#[test]
fn without_extended_master_secret_the_classic_derivation_is_used() {
    for suite in [0xc02b, 0xc02c, 0xcca9] {
        let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
        let mut client = HandClient::new(tls12_hello(&[suite], tls12_extensions(false, false)));
        let summary = hand_handshake(&mut server, &mut client);
        assert!(!summary.extended_master_secret);
        assert_eq!(summary.cipher_suite.to_wire(), suite);
        assert_eq!(client.flight.extension(23), None, "EMS not echoed");
        hand_data(&mut server, &mut client);
    }
}

#[test]
fn extended_master_secret_can_be_required() {
    let config = || {
        ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .require_extended_master_secret(true)
            .build()
            .unwrap()
    };
    // A client that offers it is served as usual...
    let mut server = ServerConnection::new(Arc::new(config()));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    assert!(hand_handshake(&mut server, &mut client).extended_master_secret);
    // ...one that does not gets handshake_failure (RFC 7627 §5.3).
    let mut server = ServerConnection::new(Arc::new(config()));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(false, false)));
    rejects_with(
        &mut server,
        &client.client_hello(),
        PeerMisbehaved::NoExtendedMasterSecret.into(),
        40,
    );
    // And so does rustls, were it to leave it out: it never does.
    let mut pair = Pair::new(
        tls12_client_config(RecordingVerifier::new()),
        Arc::new(config()),
    );
    pair.run().unwrap();
    assert!(pair.summary().unwrap().extended_master_secret);
}

// ---------------------------------------------------------------------------
// The OCSP event: same event, same answers, CertificateStatus on the wire.

/// A TLS 1.2 pair (rustls always asks for OCSP) paused on the event.
fn paused_pair(verifier: Arc<RecordingVerifier>) -> (Pair, stapler::OcspRequest) {
    let mut pair = Pair::new(
        tls12_client_config(verifier),
        Arc::new(ecdsa_server_config(true)),
    );
    pair.run().unwrap();
    assert!(pair.server.is_awaiting_ocsp());
    assert!(pair.to_client.is_empty(), "nothing is written while paused");
    let req = pair.ocsp_requests.pop().expect("OcspRequest");
    assert!(pair.ocsp_requests.is_empty());
    (pair, req)
}

/// The handshake message types of a plaintext flight, and ServerHello's
/// extension types.
fn flight_shape(flight: &[u8]) -> (Vec<u8>, Vec<u16>) {
    let mut joined = Vec::new();
    for rec in split_records(flight) {
        assert_eq!(rec.typ, HANDSHAKE);
        joined.extend(rec.fragment);
    }
    let messages = common::tls12_client::split_messages(&joined);
    let hello = &messages[0].1[4..];
    let mut at = 34 + 1 + usize::from(hello[34]) + 3;
    let mut extensions = Vec::new();
    if at < hello.len() {
        at += 2;
        while at < hello.len() {
            extensions.push(u16::from_be_bytes([hello[at], hello[at + 1]]));
            at += 4 + usize::from(u16::from_be_bytes([hello[at + 2], hello[at + 3]]));
        }
    }
    (messages.iter().map(|(t, _)| *t).collect(), extensions)
}

#[test]
fn staple_reaches_the_client_byte_for_byte() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused_pair(verifier.clone());
    assert_eq!(req.server_name(), Some("localhost"));
    assert!(req.issuer().is_some());
    let bytes = staple(" pretend OCSP response for TLS 1.2");
    pair.server
        .complete_ocsp(req.respond(bytes.clone()).unwrap())
        .unwrap();
    pair.drain_server();
    // ServerHello says status_request; CertificateStatus follows
    // Certificate (RFC 6066 §8).
    let (messages, extensions) = flight_shape(&pair.to_client);
    assert_eq!(messages, [2, 11, 22, 12, 14]);
    assert!(extensions.contains(&5), "{extensions:?}");
    pair.server_to_client().unwrap();
    pair.run().unwrap();
    assert!(!pair.client.is_handshaking());
    assert_eq!(verifier.last_staple(), Some(bytes.clone()));
    let summary = pair.summary().unwrap();
    assert_eq!(summary.version, ProtocolVersion::Tls12);
    assert_eq!(summary.ocsp, OcspOutcome::Stapled(bytes.len()));
    exchange_data(&mut pair);
}

#[test]
fn no_response_sends_neither_extension_nor_certificate_status() {
    let verifier = RecordingVerifier::new();
    let (mut pair, req) = paused_pair(verifier.clone());
    pair.server.complete_ocsp(req.no_response()).unwrap();
    pair.drain_server();
    let (messages, extensions) = flight_shape(&pair.to_client);
    assert_eq!(messages, [2, 11, 12, 14]);
    assert!(!extensions.contains(&5), "{extensions:?}");
    pair.server_to_client().unwrap();
    pair.run().unwrap();
    assert!(!pair.client.is_handshaking());
    assert_eq!(verifier.last_staple(), Some(vec![]));
    assert_eq!(pair.summary().unwrap().ocsp, OcspOutcome::NoResponse);
}

#[test]
fn without_ocsp_events_nothing_pauses_and_nothing_is_stapled() {
    let verifier = RecordingVerifier::new();
    let mut pair = Pair::new(
        tls12_client_config(verifier.clone()),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.client_to_server().unwrap();
    assert!(pair.ocsp_requests.is_empty());
    let (messages, extensions) = flight_shape(&pair.to_client);
    assert_eq!(messages, [2, 11, 12, 14]);
    assert!(!extensions.contains(&5));
    pair.run().unwrap();
    assert_eq!(verifier.last_staple(), Some(vec![]));
    assert_eq!(pair.summary().unwrap().ocsp, OcspOutcome::NotRequested);
}

#[test]
fn abort_sends_internal_error_and_reports_the_reason() {
    let (mut pair, req) = paused_pair(RecordingVerifier::new());
    assert!(pair
        .server
        .complete_ocsp(req.abort("responder down"))
        .is_ok());
    pair.drain_server();
    assert!(pair.server.is_closed());
    assert_eq!(pair.to_client, plaintext_alert(80));
    assert_eq!(
        pair.server_to_client(),
        Err(rustls::Error::AlertReceived(
            rustls::AlertDescription::InternalError
        ))
    );
    assert_eq!(
        closed(&pair),
        CloseReason::Error {
            error: Error::OcspAborted("responder down".into()),
            alert: Some(stapler::codec::AlertDescription::InternalError),
        }
    );
}

#[test]
fn hand_client_receives_the_staple_too() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(true)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, true)));
    let (result, out, mut events) = feed_all(&mut server, &client.client_hello());
    result.unwrap();
    assert!(out.is_empty());
    let Some(Event::OcspRequest(req)) = events.pop() else {
        panic!("no OcspRequest")
    };
    let bytes = staple(" for the hand client");
    server
        .complete_ocsp(req.respond(bytes.clone()).unwrap())
        .unwrap();
    let flight = server.poll_transmit().unwrap();
    client.read_flight(&flight);
    assert_eq!(client.flight.ocsp_response.as_deref(), Some(&bytes[..]));
    assert_eq!(client.flight.extension(5), Some(&[][..]));
    let (result, out, _) = feed_all(&mut server, &client.second_flight());
    result.unwrap();
    client.read_server_finished(&out);
    hand_data(&mut server, &mut client);
}

// ---------------------------------------------------------------------------
// Versions: the limit, the downgrade sentinel, the fallback SCSV.

fn config_with_versions(versions: &[ProtocolVersion]) -> ServerConfig {
    ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .protocol_versions(versions)
        .unwrap()
        .build()
        .unwrap()
}

#[test]
fn a_server_that_speaks_tls13_marks_a_tls12_server_hello() {
    let mut pair = Pair::new(
        tls12_client_config(RecordingVerifier::new()),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.client_to_server().unwrap();
    let random = server_random(&pair.to_client);
    // RFC 8446 §4.1.3: the last eight bytes, exactly.
    assert_eq!(random[24..], DOWNGRD_01);
    assert_eq!(
        random[24..],
        [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]
    );
    pair.run().unwrap();
    assert_eq!(pair.summary().unwrap().version, ProtocolVersion::Tls12);
}

#[test]
fn a_tls12_only_server_does_not_mark_its_random() {
    for _ in 0..4 {
        let mut pair = Pair::new(
            tls12_client_config(RecordingVerifier::new()),
            Arc::new(config_with_versions(&[ProtocolVersion::Tls12])),
        );
        pair.client_to_server().unwrap();
        assert_ne!(server_random(&pair.to_client)[24..], DOWNGRD_01);
    }
}

#[test]
fn a_tls13_client_gets_tls12_from_a_tls12_only_server() {
    // rustls offers both and checks the sentinel: it must find none.
    let both = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
    .unwrap()
    .dangerous()
    .with_custom_certificate_verifier(RecordingVerifier::new())
    .with_no_client_auth();
    let mut pair = Pair::new(
        both,
        Arc::new(config_with_versions(&[ProtocolVersion::Tls12])),
    );
    pair.run().unwrap();
    assert_eq!(
        pair.client.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );
    assert_eq!(pair.summary().unwrap().version, ProtocolVersion::Tls12);
    exchange_data(&mut pair);
}

#[test]
fn a_tls12_client_gets_protocol_version_from_a_tls13_only_server() {
    let mut pair = Pair::new(
        tls12_client_config(RecordingVerifier::new()),
        Arc::new(config_with_versions(&[ProtocolVersion::Tls13])),
    );
    assert_eq!(
        pair.client_to_server(),
        Err(PeerMisbehaved::NoCommonVersion.into())
    );
    assert_eq!(pair.to_client, plaintext_alert(70));
}

#[test]
fn an_empty_version_list_is_refused() {
    let err = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .protocol_versions(&[])
        .err()
        .unwrap();
    assert!(matches!(
        err,
        stapler::server::ConfigError::NoProtocolVersion
    ));
}

const FALLBACK_SCSV: u16 = 0x5600;

#[test]
fn fallback_scsv_to_a_tls13_server_is_inappropriate_fallback() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(
        &[0xc02b, FALLBACK_SCSV],
        tls12_extensions(true, false),
    ));
    rejects_with(
        &mut server,
        &client.client_hello(),
        PeerMisbehaved::InappropriateFallback.into(),
        86,
    );
}

#[test]
fn fallback_scsv_to_a_tls12_only_server_is_no_fallback() {
    // The client's highest version is the server's: nothing was lost.
    let mut server =
        ServerConnection::new(Arc::new(config_with_versions(&[ProtocolVersion::Tls12])));
    let mut client = HandClient::new(tls12_hello(
        &[FALLBACK_SCSV, 0xc02b],
        tls12_extensions(true, false),
    ));
    hand_handshake(&mut server, &mut client);
    hand_data(&mut server, &mut client);
}

#[test]
fn fallback_scsv_from_a_client_offering_tls13_is_no_fallback() {
    // With TLS 1.3 offered and taken, the SCSV says nothing (RFC 7507 §3
    // compares with the client's highest version).
    let mut pair = Pair::new(
        common::rustls_pair::client_config(RecordingVerifier::new()),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.run().unwrap();
    assert_eq!(pair.summary().unwrap().version, ProtocolVersion::Tls13);
}

// ---------------------------------------------------------------------------
// ALPN, SNI, secure renegotiation and renegotiation refused.

#[test]
fn alpn_and_sni_as_in_tls13() {
    let config = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .alpn_protocols(["h2", "http/1.1"])
        .unwrap()
        .build()
        .unwrap();
    let mut client_config = tls12_client_config(RecordingVerifier::new());
    client_config.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
    let mut pair = Pair::new(client_config, Arc::new(config));
    pair.client_to_server().unwrap();
    let (_, extensions) = flight_shape(&pair.to_client);
    assert!(extensions.contains(&16), "ALPN in ServerHello");
    assert!(extensions.contains(&0), "SNI acknowledged");
    assert!(extensions.contains(&0xff01), "renegotiation_info answered");
    assert!(extensions.contains(&23), "EMS echoed");
    pair.run().unwrap();
    assert_eq!(pair.client.alpn_protocol(), Some(&b"h2"[..]));
    let summary = pair.summary().unwrap();
    assert_eq!(summary.alpn_protocol.as_deref(), Some(&b"h2"[..]));
    assert_eq!(summary.server_name.as_deref(), Some("localhost"));
}

#[test]
fn alpn_without_overlap_is_no_application_protocol() {
    let config = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .alpn_protocols(["h2"])
        .unwrap()
        .build()
        .unwrap();
    let mut client_config = tls12_client_config(RecordingVerifier::new());
    client_config.alpn_protocols = vec![b"spdy/1".to_vec()];
    let mut pair = Pair::new(client_config, Arc::new(config));
    assert_eq!(
        pair.client_to_server(),
        Err(PeerMisbehaved::NoCommonAlpnProtocol.into())
    );
    assert_eq!(pair.to_client, plaintext_alert(120));
}

#[test]
fn the_renegotiation_scsv_is_answered_with_renegotiation_info() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::RenegotiationInfo(_)));
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b, 0x00ff], exts.clone()));
    hand_handshake(&mut server, &mut client);
    assert_eq!(client.flight.extension(0xff01), Some(&[0][..]));
    // Neither the SCSV nor the extension: no renegotiation_info.
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], exts));
    hand_handshake(&mut server, &mut client);
    assert_eq!(client.flight.extension(0xff01), None);
}

#[test]
fn a_renegotiation_attempt_gets_a_warning_and_the_connection_goes_on() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    hand_handshake(&mut server, &mut client);
    let hello = client.hello.builder().handshake();
    let record = client.seal(HANDSHAKE, &hello);
    let (result, out, events) = feed_all(&mut server, &record);
    result.unwrap();
    assert!(events.is_empty(), "{events:?}");
    let records = split_records(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].typ, ALERT);
    // warning(1) no_renegotiation(100), protected (RFC 5246 §7.2.2).
    assert_eq!(client.open(&records[0]), [1, 100]);
    assert!(server.is_handshake_complete());
    hand_data(&mut server, &mut client);
}

#[test]
fn other_handshake_messages_after_the_handshake_are_unexpected() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    hand_handshake(&mut server, &mut client);
    let record = client.seal(
        HANDSHAKE,
        &[20, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let (result, out, _) = feed_all(&mut server, &record);
    assert_eq!(
        result,
        Err(PeerMisbehaved::UnexpectedMessage("Finished").into())
    );
    // The alert is protected now.
    let records = split_records(&out);
    assert_eq!(records[0].typ, ALERT);
    assert_eq!(client.open(&records[0]), [2, 10]);
}

// ---------------------------------------------------------------------------
// Bad ClientHellos for TLS 1.2.

#[track_caller]
fn hello_rejected(suites: &[u16], exts: Vec<ExtensionModel>, error: Error, description: u8) {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(suites, exts));
    rejects_with(&mut server, &client.client_hello(), error, description);
}

#[test]
fn non_empty_renegotiation_info_is_handshake_failure() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::RenegotiationInfo(_)));
    exts.push(ExtensionModel::RenegotiationInfo(vec![7; 12]));
    hello_rejected(
        &[0xc02b],
        exts,
        PeerMisbehaved::BadRenegotiationInfo.into(),
        40,
    );
}

#[test]
fn point_formats_without_uncompressed_is_illegal_parameter() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::EcPointFormats(_)));
    exts.push(ExtensionModel::EcPointFormats(vec![1, 2]));
    hello_rejected(
        &[0xc02b],
        exts,
        PeerMisbehaved::NoUncompressedPoints.into(),
        47,
    );
}

#[test]
fn no_signature_algorithms_is_handshake_failure() {
    // RFC 5246's default is SHA-1, which this server does not sign with.
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::SignatureAlgorithms(_)));
    hello_rejected(
        &[0xc02b],
        exts,
        PeerMisbehaved::NoCommonSignatureScheme.into(),
        40,
    );
}

#[test]
fn only_rsa_suites_for_an_ecdsa_certificate_is_handshake_failure() {
    hello_rejected(
        &[0xc02f, 0xc030, 0xcca8],
        tls12_extensions(true, false),
        PeerMisbehaved::NoCommonCipherSuite.into(),
        40,
    );
    // Suites this server does not implement at all (CBC, RSA key transport).
    hello_rejected(
        &[0xc009, 0x002f, 0x009c],
        tls12_extensions(true, false),
        PeerMisbehaved::NoCommonCipherSuite.into(),
        40,
    );
}

#[test]
fn no_common_group_is_handshake_failure() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::SupportedGroups(_)));
    exts.push(ExtensionModel::SupportedGroups(vec![0x0019, 0x001e]));
    hello_rejected(&[0xc02b], exts, PeerMisbehaved::NoCommonGroup.into(), 40);
}

#[test]
fn without_supported_groups_secp256r1_is_used() {
    // RFC 8422 §4: the client then accepts any curve.
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::SupportedGroups(_)));
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], exts));
    let summary = hand_handshake(&mut server, &mut client);
    assert_eq!(summary.group, NamedGroup::Secp256r1);
}

#[test]
fn an_rsa_only_client_gets_the_rsa_certificate_beside_an_ecdsa_one() {
    let config = ServerConfig::builder()
        .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
        .unwrap()
        .certificate_chain(&pki("leaf-rsa-chain.pem"), &pki("leaf-rsa.key"))
        .unwrap()
        .build()
        .unwrap();
    let config = Arc::new(config);
    for (rustls_suite, scheme) in [
        (
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            SignatureScheme::RsaPssRsaeSha256,
        ),
        (
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            SignatureScheme::EcdsaSecp256r1Sha256,
        ),
    ] {
        let provider = pinned_provider(&[rustls_suite], &[kx_group::X25519]);
        let mut pair = Pair::new(
            tls12_client_config_with(RecordingVerifier::new(), provider),
            Arc::clone(&config),
        );
        pair.run().unwrap();
        assert_eq!(pair.summary().unwrap().signature_scheme, scheme);
    }
}

// ---------------------------------------------------------------------------
// Bad ClientKeyExchange, change_cipher_spec and Finished.

/// A server and hand client that have exchanged hellos; the server waits
/// for the ClientKeyExchange.
fn at_client_key_exchange(suite: u16, groups: Vec<u16>) -> (ServerConnection, HandClient) {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::SupportedGroups(_)));
    exts.push(ExtensionModel::SupportedGroups(groups));
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[suite], exts));
    let (result, flight, _) = feed_all(&mut server, &client.client_hello());
    result.unwrap();
    client.read_flight(&flight);
    (server, client)
}

#[test]
fn client_key_exchange_of_the_wrong_length_is_decode_error() {
    let field = stapler::Field::Message(stapler::codec::HandshakeType::ClientKeyExchange);
    for (body, error) in [
        // The point's length says 33, 32 bytes follow.
        (
            [&[33u8][..], &[9; 32]].concat(),
            InvalidMessage::Truncated(field),
        ),
        // One byte too many after the point.
        (
            [&[32u8][..], &[9; 33]].concat(),
            InvalidMessage::TrailingBytes(field),
        ),
        // An empty point (ECPoint is <1..2^8-1>).
        (vec![0], InvalidMessage::BadLength(field)),
        (vec![], InvalidMessage::Truncated(field)),
    ] {
        let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
        let record = client.client_key_exchange_with_body(&body);
        rejects_with(&mut server, &record, error.into(), 50);
    }
}

#[test]
fn client_key_exchange_with_an_invalid_point_is_illegal_parameter() {
    let rng = ring::rand::SystemRandom::new();
    let p256 = ring::agreement::EphemeralPrivateKey::generate(&ring::agreement::ECDH_P256, &rng)
        .unwrap()
        .compute_public_key()
        .unwrap()
        .as_ref()
        .to_vec();
    let mut off_curve = p256.clone();
    off_curve[64] ^= 1;
    let mut compressed = p256[..33].to_vec();
    compressed[0] = 2;
    for (group, point) in [
        (0x001d, vec![9; 31]), // x25519: 31 bytes
        (0x001d, vec![0; 32]), // x25519: small order, all-zero secret
        (0x0017, off_curve),   // P-256: not on the curve
        (0x0017, compressed),  // P-256: compressed form
        (0x0017, vec![4; 97]), // a P-384-sized point for P-256
    ] {
        let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![group]);
        assert_eq!(client.flight.group, group);
        let mut body = vec![point.len() as u8];
        body.extend(&point);
        let record = client.client_key_exchange_with_body(&body);
        rejects_with(
            &mut server,
            &record,
            InvalidMessage::BadKeyShare(group).into(),
            47,
        );
    }
}

#[test]
fn wrong_finished_is_decrypt_error() {
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let mut input = client.client_key_exchange();
    input.extend(HandClient::change_cipher_spec());
    let mut finished = client.finished_message();
    finished[4] ^= 1;
    input.extend(client.seal(HANDSHAKE, &finished));
    // The server has not sent its change_cipher_spec: the alert is in the
    // clear.
    rejects_with(
        &mut server,
        &input,
        InvalidMessage::FinishedMismatch.into(),
        51,
    );
}

#[test]
fn finished_of_the_wrong_length_is_decode_error() {
    let (mut server, mut client) = at_client_key_exchange(0xcca9, vec![0x0017]);
    let mut input = client.client_key_exchange();
    input.extend(HandClient::change_cipher_spec());
    input.extend(client.seal(
        HANDSHAKE,
        &[20, 0, 0, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ));
    rejects_with(
        &mut server,
        &input,
        InvalidMessage::BadLength(stapler::Field::Message(
            stapler::codec::HandshakeType::Finished,
        ))
        .into(),
        50,
    );
}

#[test]
fn tampered_finished_record_is_bad_record_mac() {
    let (mut server, mut client) = at_client_key_exchange(0xc02c, vec![0x0018]);
    let mut input = client.client_key_exchange();
    input.extend(HandClient::change_cipher_spec());
    let finished = client.finished_message();
    let mut record = client.seal(HANDSHAKE, &finished);
    let last = record.len() - 1;
    record[last] ^= 0x80;
    input.extend(record);
    rejects_with(
        &mut server,
        &input,
        InvalidMessage::DecryptFailed.into(),
        20,
    );
}

#[test]
fn finished_without_change_cipher_spec_is_unexpected_message() {
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let mut input = client.client_key_exchange();
    let finished = client.finished_message();
    input.extend(common::hello_encoder::record(HANDSHAKE, 0x0303, &finished));
    rejects_with(
        &mut server,
        &input,
        PeerMisbehaved::UnexpectedMessage("Finished").into(),
        10,
    );
}

#[test]
fn change_cipher_spec_before_the_key_exchange_is_unexpected_message() {
    let (mut server, _) = at_client_key_exchange(0xc02b, vec![0x001d]);
    rejects_with(
        &mut server,
        &HandClient::change_cipher_spec(),
        PeerMisbehaved::BadChangeCipherSpec.into(),
        10,
    );
}

#[test]
fn malformed_or_repeated_change_cipher_spec_is_unexpected_message() {
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let mut input = client.client_key_exchange();
    input.extend(common::hello_encoder::record(20, 0x0303, &[2]));
    rejects_with(
        &mut server,
        &input,
        PeerMisbehaved::BadChangeCipherSpec.into(),
        10,
    );
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let mut input = client.client_key_exchange();
    input.extend(HandClient::change_cipher_spec());
    input.extend(HandClient::change_cipher_spec());
    rejects_with(
        &mut server,
        &input,
        PeerMisbehaved::BadChangeCipherSpec.into(),
        10,
    );
}

#[test]
fn a_message_split_around_change_cipher_spec_is_unexpected_message() {
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let mut input = client.client_key_exchange();
    // Half a Finished in the clear, then the key change.
    input.extend(common::hello_encoder::record(
        HANDSHAKE,
        0x0303,
        &[20, 0, 0],
    ));
    input.extend(HandClient::change_cipher_spec());
    rejects_with(
        &mut server,
        &input,
        PeerMisbehaved::MessageSpansKeyChange.into(),
        10,
    );
}

#[test]
fn application_data_before_the_finished_is_unexpected_message() {
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let mut input = client.client_key_exchange();
    input.extend(HandClient::change_cipher_spec());
    input.extend(client.seal(APPLICATION_DATA, b"too early"));
    rejects_with(
        &mut server,
        &input,
        InvalidMessage::UnexpectedContentType(stapler::codec::ContentType::ApplicationData).into(),
        10,
    );
}

#[test]
fn the_whole_second_flight_may_come_in_pieces() {
    let (mut server, mut client) = at_client_key_exchange(0xc02b, vec![0x001d]);
    let input = client.second_flight();
    let mut out = Vec::new();
    for byte in &input {
        assert_eq!(server.feed(std::slice::from_ref(byte)), Ok(1));
        while let Some(bytes) = server.poll_transmit() {
            out.extend(bytes);
        }
    }
    client.read_server_finished(&out);
    assert!(server.is_handshake_complete());
}

// ---------------------------------------------------------------------------
// Alerts and closing.

fn established() -> Pair {
    let mut pair = Pair::new(
        tls12_client_config(RecordingVerifier::new()),
        Arc::new(ecdsa_server_config(false)),
    );
    pair.run().unwrap();
    assert!(pair.server.is_handshake_complete());
    pair
}

#[test]
fn client_close_notify_is_answered() {
    let mut pair = established();
    exchange_data(&mut pair);
    pair.client.send_close_notify();
    pair.client_to_server().unwrap();
    assert_eq!(closed(&pair), CloseReason::PeerClosed);
    assert!(!pair.to_client.is_empty(), "close_notify in answer");
    pair.server_to_client().unwrap();
    assert!(pair.client.process_new_packets().unwrap().peer_has_closed());
}

#[test]
fn server_close_reaches_the_client() {
    let mut pair = established();
    pair.server_sends(b"last words").unwrap();
    pair.server.close();
    pair.drain_server();
    assert_eq!(closed(&pair), CloseReason::LocalClose);
    pair.server_to_client().unwrap();
    assert!(pair.client.process_new_packets().unwrap().peer_has_closed());
    assert_eq!(pair.client_reads(), b"last words");
}

#[test]
fn warnings_are_ignored_and_fatal_alerts_close() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    hand_handshake(&mut server, &mut client);
    // A warning (here unrecognized_name) lets the connection go on
    // (RFC 5246 §7.2.2).
    let (result, out, events) = feed_all(&mut server, &client.seal(ALERT, &[1, 112]));
    assert_eq!(result.map(|_| ()), Ok(()));
    assert!(out.is_empty() && events.is_empty());
    hand_data(&mut server, &mut client);
    // A fatal alert ends it, unanswered.
    let (result, out, events) = feed_all(&mut server, &client.seal(ALERT, &[2, 40]));
    let handshake_failure = stapler::codec::AlertDescription::HandshakeFailure;
    assert_eq!(result, Err(Error::AlertReceived(handshake_failure)));
    assert!(out.is_empty());
    assert!(matches!(
        &events[..],
        [Event::Closed(CloseReason::PeerAlert(a))] if *a == handshake_failure
    ));
}

#[test]
fn plaintext_records_after_the_key_change_are_refused() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    hand_handshake(&mut server, &mut client);
    let (result, out, _) = feed_all(
        &mut server,
        &common::hello_encoder::record(APPLICATION_DATA, 0x0303, b"in the clear, 24+ bytes long"),
    );
    assert_eq!(result, Err(InvalidMessage::DecryptFailed.into()));
    let records = split_records(&out);
    assert_eq!(records[0].typ, ALERT);
    assert_eq!(client.open(&records[0]), [2, 20]);
}
