//! Rules a strict TLS test suite checks, each driven by the violating
//! bytes on the wire and answered with the exact alert: hello sizes,
//! legacy_version, psk_key_exchange_modes, interleaved records, alert and
//! change_cipher_spec floods, TLS 1.2 certificate curves, SNI hygiene.
//! (0-RTT data has its own file, tests/early_data.rs.)

mod common;

use std::sync::Arc;

use common::hello_encoder::{
    handshake_message, record, u16_prefixed, ExtensionModel, HelloBuilder, HelloModel,
};
use common::rustls_pair::{
    ecdsa_server_config, pinned_provider, pki, pki_der, tls12_client_config_with, Pair,
    RecordingVerifier,
};
use common::tls12_client::{tls12_extensions, tls12_hello, HandClient, ALERT, HANDSHAKE};
use common::tls13_wire::{
    at_client_finished, fresh_server, good_hello, rejects, rejects_protected, seal_record, with,
    without,
};
use common::wire::{feed_all, plaintext_alert, rejects_with};
use rustls::crypto::ring::{cipher_suite, kx_group};
use stapler::codec::{AlertDescription, ClientHello, ContentType, ExtensionType, HandshakeType};
use stapler::{
    Error, Event, InvalidMessage, PeerMisbehaved, ServerConfig, ServerConnection, SignatureScheme,
    MAX_COMPAT_CCS, MAX_IGNORED_ALERTS,
};

const UNEXPECTED_MESSAGE: u8 = 10;
const HANDSHAKE_FAILURE: u8 = 40;
const ILLEGAL_PARAMETER: u8 = 47;
const DECODE_ERROR: u8 = 50;
const PROTOCOL_VERSION: u8 = 70;
const MISSING_EXTENSION: u8 = 109;

/// `message` (a whole handshake message) framed as handshake records of
/// at most 2^14 bytes each.
fn records(message: &[u8]) -> Vec<u8> {
    message
        .chunks(1 << 14)
        .flat_map(|chunk| record(HANDSHAKE, 0x0303, chunk))
        .collect()
}

/// Whether the server wrote its ServerHello flight (a handshake record
/// first) and raised no Closed event.
#[track_caller]
fn answers_with_server_hello(server: &mut ServerConnection, input: &[u8]) {
    let (result, out, events) = feed_all(server, input);
    assert_eq!(result, Ok(input.len()));
    assert_eq!(out.first(), Some(&HANDSHAKE), "{out:?}");
    assert!(events.is_empty(), "{events:?}");
}

// ---------------------------------------------------------------------------
// ClientHello size (RFC 8446 §4.1.2): up to the syntactic maximum.

/// A TLS 1.3 hello grown to `len` bytes of body with cipher suites (the
/// real ones first) and padding.
fn hello_of_len(len: usize) -> Vec<u8> {
    let mut hello = good_hello();
    let base = hello.builder().encode().len();
    // Grow cipher_suites (6 bytes now) towards its 65,534-byte maximum
    // with unknown suites, leaving at least a padding extension's header
    // to pad the rest with.
    let grow = (len - base - 4).min(65_534 - 6) / 2 * 2;
    hello
        .cipher_suites
        .extend((0..grow / 2).map(|i| 0x0a0a_u16.wrapping_add(i as u16) | 0x4000));
    let padding = len - base - grow;
    hello
        .extensions
        .as_mut()
        .unwrap()
        .push(ExtensionModel::Padding(vec![0; padding - 4]));
    let body = hello.builder().encode();
    assert_eq!(body.len(), len);
    body
}

#[test]
fn a_hello_padded_past_64_kib_is_served() {
    // 65,614 bytes: a size clients pad to, which OpenSSL serves.
    let body = hello_of_len(65_614);
    let message = handshake_message(1, &body);
    answers_with_server_hello(&mut fresh_server(), &records(&message));
}

#[test]
fn the_largest_tls13_hello_is_served() {
    // cipher_suites and extensions both full; a TLS 1.3 hello offers only
    // the null compression method, so this is 254 bytes short of the
    // syntactic maximum, which the next test reaches.
    let body = hello_of_len(stapler::codec::MAX_CLIENT_HELLO_LEN - 254);
    let hello = ClientHello::parse(&body).unwrap();
    assert_eq!(hello.cipher_suites().raw().len(), 65_534);
    assert_eq!(hello.raw_extensions().len(), 65_535);
    answers_with_server_hello(&mut fresh_server(), &records(&handshake_message(1, &body)));
}

#[test]
fn the_largest_legal_hello_parses() {
    // 255 compression methods (a TLS 1.2 hello may offer them): every
    // vector at its longest, 131,396 bytes in all.
    let mut body = hello_of_len(stapler::codec::MAX_CLIENT_HELLO_LEN - 254);
    let methods_at = 2 + 32 + 1 + 32 + 2 + 65_534;
    assert_eq!(body[methods_at..methods_at + 2], [1, 0]);
    body.splice(
        methods_at..methods_at + 2,
        [&[255u8, 0][..], &[1; 254]].concat(),
    );
    assert_eq!(body.len(), stapler::codec::MAX_CLIENT_HELLO_LEN);
    assert_eq!(
        ClientHello::parse(&body)
            .unwrap()
            .compression_methods()
            .len(),
        255
    );
    // The server reads it whole before it judges it: this one offers
    // TLS 1.3, whose hellos must offer no compression but null.
    rejects(
        &records(&handshake_message(1, &body)),
        PeerMisbehaved::CompressionOffered.into(),
        ILLEGAL_PARAMETER,
    );
}

#[test]
fn a_hello_longer_than_the_syntax_allows_is_decode_error() {
    let len = stapler::codec::MAX_CLIENT_HELLO_LEN + 1;
    let [_, a, b, c] = (len as u32).to_be_bytes();
    // Refused from the header alone: nothing of the body is buffered.
    rejects(
        &record(HANDSHAKE, 0x0303, &[1, a, b, c]),
        InvalidMessage::MessageTooLarge {
            typ: HandshakeType::ClientHello,
            len,
            max: stapler::codec::MAX_CLIENT_HELLO_LEN,
        }
        .into(),
        DECODE_ERROR,
    );
}

// ---------------------------------------------------------------------------
// Oversized messages get decode_error (RFC 8446 §6.2).

#[test]
fn a_finished_padded_past_verify_data_is_decode_error() {
    for len in [33, 5000] {
        let (mut pair, log, _) = at_client_finished();
        let secret = log.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET").unwrap();
        let finished = handshake_message(20, &vec![0; len]);
        let error: Error = if len > stapler::codec::MAX_OTHER_CLIENT_MESSAGE_LEN {
            InvalidMessage::MessageTooLarge {
                typ: HandshakeType::Finished,
                len,
                max: stapler::codec::MAX_OTHER_CLIENT_MESSAGE_LEN,
            }
            .into()
        } else {
            InvalidMessage::BadLength(stapler::Field::Message(HandshakeType::Finished)).into()
        };
        rejects_protected(
            &mut pair,
            &seal_record(&secret, 0, 22, &finished),
            error,
            AlertDescription::DecodeError,
            rustls::AlertDescription::DecodeError,
        );
    }
}

#[test]
fn a_tls12_hello_with_trailing_bytes_is_decode_error() {
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    let hello = client.client_hello();
    let body = &hello[9..];
    for extra in [1, 70_000] {
        let message = handshake_message(1, &[body, &vec![0; extra]].concat());
        let (result, out, _) = feed_all(&mut fresh_server(), &records(&message));
        let error = result.unwrap_err();
        assert_eq!(
            AlertDescription::from(&error),
            AlertDescription::DecodeError
        );
        assert_eq!(out, plaintext_alert(DECODE_ERROR), "{error}");
    }
}

// ---------------------------------------------------------------------------
// Parse before judging: structure first, then semantics.

#[test]
fn a_cipher_suites_length_that_breaks_the_hello_is_decode_error() {
    // cipher_suites claims two bytes more than it has, so what follows
    // (compression methods, extensions) no longer lines up.
    let mut client = HandClient::new(tls12_hello(
        &[0xc02b, 0xc02f],
        tls12_extensions(true, false),
    ));
    let hello = client.client_hello();
    let mut body = hello[9..].to_vec();
    let at = 2 + 32 + 1 + body[34] as usize;
    let len = u16::from_be_bytes([body[at], body[at + 1]]) + 2;
    body[at..at + 2].copy_from_slice(&len.to_be_bytes());
    let parsed = ClientHello::parse(&body).unwrap_err();
    assert_eq!(parsed.alert(), AlertDescription::DecodeError, "{parsed:?}");
    rejects(
        &records(&handshake_message(1, &body)),
        parsed.into(),
        DECODE_ERROR,
    );
}

#[test]
fn a_repeated_extension_in_a_broken_block_is_decode_error() {
    // Two supported_versions, then an extension header cut short.
    let hello = good_hello().builder();
    let mut exts = hello.extensions.clone().unwrap();
    exts.push(exts[1].clone());
    let block: Vec<u8> = exts.iter().flat_map(|e| e.encode()).collect();
    let with_block = |block: &[u8]| HelloBuilder {
        extensions: None,
        trailing: u16_prefixed(block),
        ..hello.clone()
    };
    let broken = with_block(&[&block[..], &[0, 0x2b]].concat());
    assert_eq!(
        ClientHello::parse(&broken.encode()),
        Err(InvalidMessage::Truncated(stapler::Field::Extensions))
    );
    rejects(
        &broken.record(),
        InvalidMessage::Truncated(stapler::Field::Extensions).into(),
        DECODE_ERROR,
    );
    // Without the cut header, the repeat is what is wrong.
    assert_eq!(
        ClientHello::parse(&with_block(&block).encode()),
        Err(InvalidMessage::DuplicateExtension(
            ExtensionType::SupportedVersions
        ))
    );
}

// ---------------------------------------------------------------------------
// legacy_version (RFC 8446 Appendix D.5).

#[test]
fn legacy_version_ssl3_or_below_is_protocol_version() {
    for version in [0x0300, 0x0200, 0x0002, 0x0000] {
        let hello = HelloModel {
            legacy_version: version,
            ..good_hello()
        };
        rejects(
            &hello.builder().record(),
            PeerMisbehaved::ObsoleteLegacyVersion(version).into(),
            PROTOCOL_VERSION,
        );
    }
    // TLS 1.0 in legacy_version is fine when supported_versions says 1.3.
    let hello = HelloModel {
        legacy_version: 0x0301,
        ..good_hello()
    };
    answers_with_server_hello(&mut fresh_server(), &hello.builder().record());
}

// ---------------------------------------------------------------------------
// psk_key_exchange_modes (RFC 8446 §4.2.9).

fn psk_offer() -> ExtensionModel {
    ExtensionModel::PreSharedKey {
        identities: vec![(b"ticket".to_vec(), 7)],
        binders: vec![vec![0x42; 32]],
    }
}

#[test]
fn pre_shared_key_without_psk_key_exchange_modes_is_missing_extension() {
    rejects(
        &with(good_hello(), psk_offer()).builder().record(),
        PeerMisbehaved::Missing("psk_key_exchange_modes").into(),
        MISSING_EXTENSION,
    );
    // With the modes, the unknown identity is passed over: a full
    // handshake.
    let hello = with(
        with(good_hello(), ExtensionModel::PskKeyExchangeModes(vec![1])),
        psk_offer(),
    );
    answers_with_server_hello(&mut fresh_server(), &hello.builder().record());
}

// ---------------------------------------------------------------------------
// No interleaving (RFC 8446 §5.1).

/// The hand-built hello's handshake message, split in two records with
/// `between` in the middle.
fn hello_split_around(between: &[u8]) -> Vec<u8> {
    let message = good_hello().builder().handshake();
    let (first, second) = message.split_at(40);
    [
        record(HANDSHAKE, 0x0303, first),
        between.to_vec(),
        record(HANDSHAKE, 0x0303, second),
    ]
    .concat()
}

#[test]
fn an_alert_inside_a_fragmented_hello_is_unexpected_message() {
    // A warning user_canceled: ignored elsewhere, fatal here.
    rejects(
        &hello_split_around(&record(ALERT, 0x0303, &[1, 90])),
        PeerMisbehaved::Interleaved(ContentType::Alert).into(),
        UNEXPECTED_MESSAGE,
    );
}

#[test]
fn a_change_cipher_spec_inside_a_fragmented_hello_is_unexpected_message() {
    rejects(
        &hello_split_around(&record(20, 0x0303, &[1])),
        PeerMisbehaved::Interleaved(ContentType::ChangeCipherSpec).into(),
        UNEXPECTED_MESSAGE,
    );
}

#[test]
fn a_fragmented_hello_alone_is_served() {
    answers_with_server_hello(&mut fresh_server(), &hello_split_around(&[]));
}

#[test]
fn a_tls12_alert_inside_a_fragmented_message_is_unexpected_message() {
    let mut server = fresh_server();
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    let (result, flight, _) = feed_all(&mut server, &client.client_hello());
    result.unwrap();
    client.read_flight(&flight);
    // ClientKeyExchange cut in two, a warning between the halves.
    let cke = client.client_key_exchange();
    let message = &cke[5..];
    let input = [
        record(HANDSHAKE, 0x0303, &message[..10]),
        record(ALERT, 0x0303, &[1, 112]),
        record(HANDSHAKE, 0x0303, &message[10..]),
    ]
    .concat();
    rejects_with(
        &mut server,
        &input,
        PeerMisbehaved::Interleaved(ContentType::Alert).into(),
        UNEXPECTED_MESSAGE,
    );
}

// ---------------------------------------------------------------------------
// Floods: warning alerts (CVE-2016-8610) and change_cipher_spec records.

/// A TLS 1.2 server that has sent its flight to a hand client.
fn tls12_after_server_flight() -> (ServerConnection, HandClient) {
    let mut server = fresh_server();
    let mut client = HandClient::new(tls12_hello(&[0xc02b], tls12_extensions(true, false)));
    let (result, flight, _) = feed_all(&mut server, &client.client_hello());
    result.unwrap();
    client.read_flight(&flight);
    (server, client)
}

#[test]
fn a_flood_of_tls12_warning_alerts_is_cut_off() {
    let (mut server, _client) = tls12_after_server_flight();
    // unrecognized_name as a warning, over and over.
    let warning = record(ALERT, 0x0303, &[1, 112]);
    let allowed = warning.repeat(usize::from(MAX_IGNORED_ALERTS));
    let (result, out, events) = feed_all(&mut server, &allowed);
    assert_eq!(result, Ok(allowed.len()));
    assert!(out.is_empty() && events.is_empty());
    rejects_with(
        &mut server,
        &warning,
        PeerMisbehaved::TooManyWarningAlerts.into(),
        UNEXPECTED_MESSAGE,
    );
}

#[test]
fn warnings_between_handshake_messages_are_not_a_flood() {
    let (mut server, mut client) = tls12_after_server_flight();
    let warnings = record(ALERT, 0x0303, &[1, 112]).repeat(usize::from(MAX_IGNORED_ALERTS));
    let second = client.second_flight();
    // Warnings, ClientKeyExchange, warnings, then CCS and Finished.
    let cke_len = 5 + usize::from(u16::from_be_bytes([second[3], second[4]]));
    let input = [
        warnings.clone(),
        second[..cke_len].to_vec(),
        warnings,
        second[cke_len..].to_vec(),
    ]
    .concat();
    let (result, out, events) = feed_all(&mut server, &input);
    assert_eq!(result, Ok(input.len()));
    client.read_server_finished(&out);
    assert!(
        matches!(events[..], [Event::HandshakeComplete(_)]),
        "{events:?}"
    );
}

#[test]
fn a_flood_of_tls13_user_canceled_alerts_is_cut_off() {
    let mut server = fresh_server();
    let hello = good_hello().builder().record();
    let canceled = record(ALERT, 0x0303, &[1, 90]);
    let input = [hello, canceled.repeat(usize::from(MAX_IGNORED_ALERTS))].concat();
    let (result, _, events) = feed_all(&mut server, &input);
    assert_eq!(result, Ok(input.len()));
    assert!(events.is_empty());
    let (result, _, _) = feed_all(&mut server, &canceled);
    assert_eq!(result, Err(PeerMisbehaved::TooManyWarningAlerts.into()));
}

#[test]
fn a_second_compatibility_change_cipher_spec_is_unexpected_message() {
    let ccs = record(20, 0x0303, &[1]);
    let hello = good_hello().builder().record();
    let allowed = [hello, ccs.repeat(usize::from(MAX_COMPAT_CCS))].concat();
    let mut server = fresh_server();
    let (result, _, events) = feed_all(&mut server, &allowed);
    assert_eq!(result, Ok(allowed.len()));
    assert!(events.is_empty());
    let (result, out, _) = feed_all(&mut server, &ccs);
    assert_eq!(result, Err(PeerMisbehaved::TooManyChangeCipherSpecs.into()));
    // After the ServerHello the alert is protected.
    assert_eq!(out[0], 23);
}

// ---------------------------------------------------------------------------
// TLS 1.2 certificates on the client's curves (RFC 8422 §5.1, §5.3).

/// A TLS 1.2 rustls client whose supported_groups are x25519 and P-384
/// (no P-256), accepting ECDSA and RSA signatures alike.
fn tls12_client_without_p256() -> rustls::ClientConfig {
    let provider = pinned_provider(
        &[
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ],
        &[kx_group::X25519, kx_group::SECP384R1],
    );
    tls12_client_config_with(RecordingVerifier::new(), provider)
}

fn config_of(chains: &[(&str, &str)]) -> Arc<ServerConfig> {
    let mut builder = ServerConfig::builder();
    for (chain, key) in chains {
        builder = builder.certificate_chain(&pki(chain), &pki(key)).unwrap();
    }
    Arc::new(builder.build().unwrap())
}

const ECDSA_P256: (&str, &str) = ("leaf-ecdsa.crt", "leaf-ecdsa.key");
const RSA: (&str, &str) = ("leaf-rsa-chain.pem", "leaf-rsa.key");

#[test]
fn a_tls12_client_without_p256_gets_the_rsa_certificate() {
    let mut pair = Pair::new(tls12_client_without_p256(), config_of(&[ECDSA_P256, RSA]));
    pair.run().unwrap();
    let leaf = pair.client.peer_certificates().unwrap()[0].to_vec();
    assert_eq!(leaf, pki_der("leaf-rsa.crt"));
    let scheme = pair.summary().unwrap().signature_scheme.unwrap();
    assert!(
        matches!(
            scheme,
            SignatureScheme::RsaPssRsaeSha256 | SignatureScheme::RsaPkcs1Sha256
        ),
        "{scheme:?}"
    );
}

#[test]
fn a_tls12_client_without_p256_and_an_ecdsa_p256_certificate_alone_is_handshake_failure() {
    let mut pair = Pair::new(tls12_client_without_p256(), config_of(&[ECDSA_P256]));
    assert_eq!(
        pair.client_to_server(),
        Err(PeerMisbehaved::NoCertificateForClientCurves.into())
    );
    pair.drain_server();
    assert_eq!(pair.to_client, plaintext_alert(HANDSHAKE_FAILURE));
}

#[test]
fn a_tls12_client_without_supported_groups_takes_any_curve() {
    // RFC 8422 §4: no supported_groups means any curve will do.
    let exts: Vec<_> = tls12_extensions(true, false)
        .into_iter()
        .filter(|e| !matches!(e, ExtensionModel::SupportedGroups(_)))
        .collect();
    let mut client = HandClient::new(tls12_hello(&[0xc02b], exts));
    let (result, flight, _) = feed_all(&mut fresh_server(), &client.client_hello());
    result.unwrap();
    assert_eq!(
        client.read_flight(&flight).certificates[0],
        pki_der("leaf-ecdsa.crt")
    );
}

// ---------------------------------------------------------------------------
// SNI hygiene (RFC 6066 §3).

fn hello_for(name: &[u8]) -> Vec<u8> {
    with(
        good_hello(),
        ExtensionModel::ServerName(vec![(0, name.to_vec())]),
    )
    .builder()
    .record()
}

#[test]
fn a_server_name_with_control_or_non_ldh_bytes_is_illegal_parameter() {
    for name in [
        &b"local\0host"[..],
        b"local\x1b[31mBAD\x1b[0mhost",
        b"local host",
        b"local\nhost",
        b"caf\xc3\xa9.example",
        b"a..b",
        b"*.example.com",
    ] {
        rejects(
            &hello_for(name),
            PeerMisbehaved::BadServerName.into(),
            ILLEGAL_PARAMETER,
        );
    }
}

/// The hand-built hello with `name` as SNI, to an OCSP-event server: the
/// host name the request carries, and whether the server acknowledged
/// the SNI (an empty server_name in EncryptedExtensions cannot be seen
/// here, so the request is what is checked).
fn name_in_request(name: &[u8]) -> Option<String> {
    let mut hello = with(
        good_hello(),
        ExtensionModel::ServerName(vec![(0, name.to_vec())]),
    );
    hello
        .extensions
        .as_mut()
        .unwrap()
        .push(ExtensionModel::StatusRequest(
            common::hello_encoder::StatusRequestModel::Ocsp {
                responder_ids: Vec::new(),
                request_extensions: None,
            },
        ));
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(true)));
    let (result, _, mut events) = feed_all(&mut server, &hello.builder().record());
    result.unwrap();
    match events.pop() {
        Some(Event::OcspRequest(req)) => req.server_name().map(str::to_owned),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_ip_literal_as_server_name_counts_as_none() {
    assert_eq!(name_in_request(b"127.0.0.1"), None);
    assert_eq!(name_in_request(b"::1"), None);
    assert_eq!(name_in_request(b"LocalHost"), Some("localhost".to_owned()));
}

#[test]
fn a_trailing_dot_is_stripped() {
    assert_eq!(name_in_request(b"localhost."), Some("localhost".to_owned()));
}

#[test]
fn the_tls12_hello_checks_server_names_too() {
    let mut exts = tls12_extensions(true, false);
    exts[0] = ExtensionModel::ServerName(vec![(0, b"local\0host".to_vec())]);
    let mut client = HandClient::new(tls12_hello(&[0xc02b], exts));
    rejects(
        &client.client_hello(),
        PeerMisbehaved::BadServerName.into(),
        ILLEGAL_PARAMETER,
    );
}

#[test]
fn the_base_hello_is_served_without_an_extension_it_may_lack() {
    // The control for the tests above: server_name may be left out.
    answers_with_server_hello(
        &mut fresh_server(),
        &without(good_hello(), ExtensionType::ServerName)
            .builder()
            .record(),
    );
}

// ---------------------------------------------------------------------------
// Extensions only TLS 1.2 reads are not judged in a TLS 1.3 handshake.

#[test]
fn tls12_only_extensions_are_not_judged_once_tls13_is_chosen() {
    for ext in [
        ExtensionModel::Unknown(
            ExtensionType::EcPointFormats.to_wire(),
            vec![0xde, 0xad, 0xbe],
        ),
        ExtensionModel::Unknown(ExtensionType::ExtendedMasterSecret.to_wire(), vec![1]),
        ExtensionModel::Unknown(ExtensionType::RenegotiationInfo.to_wire(), vec![5, 0]),
        ExtensionModel::Unknown(ExtensionType::SessionTicket.to_wire(), vec![0x7f; 9]),
    ] {
        let hello = with(good_hello(), ext.clone());
        answers_with_server_hello(&mut fresh_server(), &hello.builder().record());
    }
}

#[test]
fn tls12_only_extensions_are_judged_once_tls12_is_chosen() {
    let mut exts = tls12_extensions(true, false);
    exts.retain(|e| !matches!(e, ExtensionModel::EcPointFormats(_)));
    exts.push(ExtensionModel::Unknown(
        ExtensionType::EcPointFormats.to_wire(),
        vec![0xde, 0xad, 0xbe],
    ));
    let mut client = HandClient::new(tls12_hello(&[0xc02b], exts));
    rejects(
        &client.client_hello(),
        InvalidMessage::Truncated(stapler::Field::Extension(ExtensionType::EcPointFormats)).into(),
        DECODE_ERROR,
    );
}

// ---------------------------------------------------------------------------
// supported_groups in EncryptedExtensions (RFC 8446 §4.2.7, SHOULD).

/// The extension types in the EncryptedExtensions a rustls client offering
/// `groups` (a share for the first only) receives from the default server,
/// with supported_groups' body.
fn encrypted_extensions_for(
    groups: &[&'static dyn rustls::crypto::SupportedKxGroup],
) -> (Vec<u16>, Option<Vec<u8>>) {
    let (config, log) = common::rustls_pair::logging_client_config(groups);
    let mut pair = Pair::new(config, Arc::new(ecdsa_server_config(false)));
    pair.client_to_server().unwrap();
    pair.drain_server();
    let flight = pair.to_client.clone();
    pair.server_to_client().unwrap();
    let secret = log.get("SERVER_HANDSHAKE_TRAFFIC_SECRET").unwrap();
    let protected = common::tls12_client::split_records(&flight)
        .into_iter()
        .find(|r| r.typ == 23)
        .unwrap();
    let raw = [
        &[23, 3, 3][..],
        &(protected.fragment.len() as u16).to_be_bytes(),
        &protected.fragment,
    ]
    .concat();
    let (typ, plain) = common::tls13_wire::open_record(&secret, 0, &raw);
    assert_eq!((typ, plain[0]), (22, 8), "EncryptedExtensions first");
    let len = usize::from(u16::from_be_bytes([plain[4], plain[5]]));
    let mut exts = &plain[6..6 + len];
    let (mut types, mut groups_body) = (Vec::new(), None);
    while !exts.is_empty() {
        let typ = u16::from_be_bytes([exts[0], exts[1]]);
        let body_len = usize::from(u16::from_be_bytes([exts[2], exts[3]]));
        if typ == ExtensionType::SupportedGroups.to_wire() {
            groups_body = Some(exts[4..4 + body_len].to_vec());
        }
        types.push(typ);
        exts = &exts[4 + body_len..];
    }
    (types, groups_body)
}

#[test]
fn the_server_tells_its_groups_when_it_prefers_another() {
    // The client's share is for P-384; the server would rather x25519,
    // which the client also lists.
    let (types, groups) = encrypted_extensions_for(&[kx_group::SECP384R1, kx_group::X25519]);
    assert!(
        types.contains(&ExtensionType::SupportedGroups.to_wire()),
        "{types:?}"
    );
    // All the server's groups, in its order: the hybrids
    // (X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024), then
    // x25519, P-256, P-384.
    assert_eq!(
        groups.unwrap(),
        [0, 12, 0x11, 0xec, 0x11, 0xeb, 0x11, 0xed, 0, 0x1d, 0, 0x17, 0, 0x18]
    );
    // Never early_data: 0-RTT is not accepted.
    assert!(!types.contains(&ExtensionType::EarlyData.to_wire()));
}

#[test]
fn the_server_keeps_its_groups_when_the_share_is_its_first_choice() {
    let (types, groups) = encrypted_extensions_for(&[kx_group::X25519, kx_group::SECP384R1]);
    assert_eq!(groups, None, "{types:?}");
    // P-384 only: nothing the client lists is preferred to it.
    let (_, groups) = encrypted_extensions_for(&[kx_group::SECP384R1]);
    assert_eq!(groups, None);
}
