//! stapler's TLS 1.2 server over loopback against real clients limited to
//! TLS 1.2: OpenSSL's `s_client`, Node.js, Go's crypto/tls, curl and
//! `gnutls-cli`. The staple travels in a CertificateStatus message here,
//! announced by an empty status_request in ServerHello (RFC 6066 §8).
//!
//! Each test asserts on what the client itself prints or reports, and on
//! what the server recorded (tests/common/loopback.rs). The scenarios both
//! versions share are in tests/common/interop.rs, run here with [`TLS12`];
//! this file adds what only TLS 1.2 has. Responses are made by `openssl
//! ocsp` when the test runs. A missing client fails the test, naming its
//! Debian package; `STAPLER_SKIP_INTEROP=1` skips them all.

mod common;

use std::sync::Arc;

use common::interop::{self, Interop, Received, Version};
use common::loopback::{AppMode, LoopbackServer, OcspPolicy};
use common::openssl_pki::{CertStatus, OpensslPki};
use common::peers::{self, SeenMessage, GNUTLS_CLI};
use stapler::codec::AlertDescription;
use stapler::ocsp::MAX_STAPLE_LEN_TLS13;
use stapler::server::{ConfigError, ProtocolVersion, ServerConfigBuilder};
use stapler::{CipherSuite, CloseReason, NamedGroup, PeerMisbehaved};

/// TLS 1.2 as each client is limited to it and reports it; the staple is
/// in a CertificateStatus message.
const TLS12: Version = Version {
    protocol: ProtocolVersion::Tls12,
    s_client_flag: "-tls1_2",
    name: "TLSv1.2",
    record_name: "TLS 1.2",
    default_cipher: "ECDHE-ECDSA-AES128-GCM-SHA256",
    curl_args: &["--tlsv1.2", "--tls-max", "1.2"],
    gnutls_priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2",
    gnutls_name: "TLS1.2",
    gnutls_stapled_options:
        "- Options: extended master secret, safe renegotiation, OCSP status request,",
    go_version: "1.2",
    received,
};

/// The leaf and staple s_client received: the first certificate of the
/// Certificate message (RFC 5246 §7.4.2), and the response in the
/// CertificateStatus message, which is sent exactly when ServerHello
/// carries an empty status_request (RFC 6066 §8).
fn received(messages: &[SeenMessage]) -> Received {
    let hello = server_hello(messages);
    let status = messages.iter().find(|m| m.name == "CertificateStatus");
    assert_eq!(
        hello.extension(STATUS_REQUEST).is_some(),
        status.is_some(),
        "status_request in ServerHello, and CertificateStatus: both or neither"
    );
    if let Some(data) = hello.extension(STATUS_REQUEST) {
        assert_eq!(data, [], "ServerHello's status_request is empty");
    }
    let certificate = &peers::find_message(messages, "Certificate").bytes;
    Received {
        leaf: first_certificate(certificate),
        staple: status.map(|m| certificate_status_response(&m.bytes)),
    }
}

/// The ServerHello s_client received.
fn server_hello(messages: &[SeenMessage]) -> ServerHello {
    ServerHello::parse(&peers::find_message(messages, "ServerHello").bytes)
}

/// A 24-bit length at `at`.
fn u24_at(bytes: &[u8], at: usize) -> usize {
    usize::from(bytes[at]) << 16 | usize::from(bytes[at + 1]) << 8 | usize::from(bytes[at + 2])
}

/// The first ASN.1Cert of a Certificate message: certificate_list<0..2^24-1>
/// of opaque ASN.1Cert<1..2^24-1>.
fn first_certificate(message: &[u8]) -> Vec<u8> {
    assert_eq!(message[0], 11, "Certificate");
    assert_eq!(u24_at(message, 1), message.len() - 4);
    assert_eq!(u24_at(message, 4), message.len() - 7, "certificate_list");
    let len = u24_at(message, 7);
    message[10..10 + len].to_vec()
}

/// A TLS 1.2 ServerHello (RFC 5246 §7.4.1.3) as s_client received it,
/// parsed here rather than by stapler's codec.
struct ServerHello {
    random: [u8; 32],
    session_id_len: usize,
    extensions: Vec<(u16, Vec<u8>)>,
}

impl ServerHello {
    fn parse(message: &[u8]) -> Self {
        assert_eq!(message[0], 2, "ServerHello");
        let body = &message[4..];
        assert_eq!(body[..2], [3, 3], "server_version TLS 1.2");
        let random = body[2..34].try_into().unwrap();
        let session_id_len = usize::from(body[34]);
        // cipher_suite(2), compression_method(1), then the extensions.
        let mut at = 35 + session_id_len + 3;
        let mut extensions = Vec::new();
        if at < body.len() {
            let len = usize::from(u16::from_be_bytes([body[at], body[at + 1]]));
            at += 2;
            assert_eq!(body.len(), at + len, "extensions fill the message");
            while at < body.len() {
                let typ = u16::from_be_bytes([body[at], body[at + 1]]);
                let len = usize::from(u16::from_be_bytes([body[at + 2], body[at + 3]]));
                extensions.push((typ, body[at + 4..at + 4 + len].to_vec()));
                at += 4 + len;
            }
        }
        Self {
            random,
            session_id_len,
            extensions,
        }
    }

    fn extension(&self, typ: u16) -> Option<&[u8]> {
        self.extensions
            .iter()
            .find(|(t, _)| *t == typ)
            .map(|(_, b)| &b[..])
    }
}

/// The OCSP response in a CertificateStatus message (RFC 6066 §8):
/// status_type ocsp(1), a 24-bit length, and the DER, filling the rest.
fn certificate_status_response(message: &[u8]) -> Vec<u8> {
    assert_eq!(message[0], 22, "CertificateStatus");
    let body = &message[4..];
    assert_eq!(body[0], 1, "status_type ocsp");
    assert_eq!(
        u24_at(body, 1),
        body.len() - 4,
        "the response's length prefix"
    );
    body[4..].to_vec()
}

const STATUS_REQUEST: u16 = 5;
const EXTENDED_MASTER_SECRET: u16 = 23;
const RENEGOTIATION_INFO: u16 = 0xff01;

interop::version_independent_tests!(TLS12);

#[test]
fn openssl_s_client_status_receives_the_exact_staple_in_certificate_status() {
    let Some(run) = interop::openssl_s_client_status_receives_the_exact_staple(TLS12) else {
        return;
    };
    let out = &run.out;
    out.assert_contains("Secure Renegotiation IS supported");
    out.assert_contains("Extended master secret: yes");
    let messages = peers::s_client_received_messages(&out.stdout);
    assert_eq!(
        peers::message_names(&messages)[..5],
        [
            "ServerHello",
            "Certificate",
            "CertificateStatus",
            "ServerKeyExchange",
            "ServerHelloDone"
        ]
    );
    let hello = server_hello(&messages);
    assert_eq!(hello.extension(EXTENDED_MASTER_SECRET), Some(&[][..]));
    assert_eq!(hello.extension(RENEGOTIATION_INFO), Some(&[0][..]));
    assert_eq!(hello.session_id_len, 0, "no resumption");
    // The server speaks TLS 1.3 too: the downgrade sentinel (RFC 8446
    // §4.1.3).
    assert_eq!(hello.random[24..], *b"DOWNGRD\x01");
    let summary = run.summary();
    assert_eq!(
        summary.cipher_suite,
        CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256
    );
    assert!(summary.extended_master_secret);
}

#[test]
fn openssl_s_client_ecdhe_rsa_with_pkcs1_signatures_and_its_own_staple() {
    // Only ECDHE_RSA with AES-256-GCM, and only PKCS#1 v1.5 with SHA-384.
    let args = [
        "-cipher",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "-sigalgs",
        "RSA+SHA384",
        "-groups",
        "P-384",
    ];
    let Some(run) = interop::openssl_s_client_rsa_leaf_gets_its_own_staple(TLS12, &args) else {
        return;
    };
    run.out
        .assert_contains("New, TLSv1.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384");
    run.out.assert_contains("Peer signature type: RSA");
    run.out.assert_contains("Peer signing digest: SHA384");
    run.out
        .assert_contains("Server Temp Key: ECDH, secp384r1, 384 bits");
    let summary = run.summary();
    assert_eq!(summary.group, Some(NamedGroup::Secp384r1));
    assert_eq!(
        summary.signature_scheme,
        Some(stapler::SignatureScheme::RsaPkcs1Sha384)
    );
}

#[test]
fn openssl_s_client_chacha20_poly1305() {
    let Some((it, _)) = Interop::stapling(TLS12, &[], CertStatus::Good) else {
        return;
    };

    let out = it.s_client(&[
        "-status",
        "-cipher",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "-groups",
        "P-256",
    ]);

    out.assert_success();
    out.assert_contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-CHACHA20-POLY1305");
    out.assert_contains("Server Temp Key: ECDH, prime256v1, 256 bits");
    out.assert_contains("OCSP Response Status: successful (0x0)");
    out.assert_contains("stapler loopback server");
}

#[test]
fn openssl_s_client_fallback_scsv_gets_inappropriate_fallback() {
    let Some(it) = Interop::answering(TLS12, &[], OcspPolicy::NoResponse) else {
        return;
    };

    let out = it.s_client(&["-fallback_scsv"]);

    out.assert_failure();
    out.assert_contains("alert inappropriate fallback");
    out.assert_contains("SSL alert number 86");
    assert_eq!(
        it.finish(out).record.closed,
        Some(CloseReason::Error {
            error: PeerMisbehaved::InappropriateFallback.into(),
            alert: Some(AlertDescription::InappropriateFallback),
        })
    );
}

/// A server of the ECDSA leaf configured by `configure`, without OCSP
/// events; `None` when skipping.
fn configured(
    peers: &[peers::Peer],
    configure: impl FnOnce(ServerConfigBuilder) -> Result<ServerConfigBuilder, ConfigError>,
) -> Option<Interop> {
    if interop::skip(peers) {
        return None;
    }
    let pki = OpensslPki::new();
    let config = pki
        .config_builder(&pki.ecdsa)
        .and_then(configure)
        .and_then(|b| b.build())
        .expect("a config of the generated PKI");
    let server =
        LoopbackServer::with_policy(Arc::new(config), AppMode::Http, OcspPolicy::NoResponse);
    Some(Interop::new(TLS12, pki, server))
}

#[test]
fn openssl_s_client_fallback_scsv_to_a_tls12_only_server_is_served() {
    let Some(it) = configured(&[], |b| b.protocol_versions(&[ProtocolVersion::Tls12])) else {
        return;
    };

    let out = it.s_client(&["-fallback_scsv"]);

    out.assert_success();
    out.assert_contains("New, TLSv1.2, Cipher is");
    let hello = server_hello(&peers::s_client_received_messages(&out.stdout));
    assert_ne!(hello.random[24..], *b"DOWNGRD\x01", "TLS 1.3 is off");
}

#[test]
fn openssl_s_client_renegotiation_is_refused_with_a_warning() {
    let Some(it) = Interop::answering(TLS12, &[], OcspPolicy::NoResponse) else {
        return;
    };

    // "R" renegotiates once the handshake is done.
    let out = it.s_client_commands(&[], b"R\n");

    out.assert_contains("RENEGOTIATING");
    out.assert_contains("<<< TLS 1.2, Alert [length 0002], warning no_renegotiation");
    // OpenSSL then gives up on its own renegotiation with a fatal alert.
    out.assert_contains("no renegotiation");
    let run = it.finish(out);
    assert_eq!(run.summary().version, ProtocolVersion::Tls12);
    assert_eq!(
        run.record.closed,
        Some(CloseReason::PeerAlert(AlertDescription::HandshakeFailure))
    );
}

/// GnuTLS's priority string then leaves out extended_master_secret.
const NO_EMS: &str = ":%NO_SESSION_HASH";

#[test]
fn gnutls_cli_without_extended_master_secret() {
    let Some((it, response)) = Interop::stapling(TLS12, &[GNUTLS_CLI], CertStatus::Good) else {
        return;
    };

    let (out, saved) = it.gnutls_ocsp(NO_EMS);

    out.assert_success();
    out.assert_contains("- Options: safe renegotiation, OCSP status request,");
    out.assert_lacks("extended master secret");
    assert_eq!(saved, response);
    assert!(!it.summary().extended_master_secret);
}

#[test]
fn gnutls_cli_without_extended_master_secret_is_refused_when_required() {
    let Some(it) = configured(
        &[GNUTLS_CLI],
        |b| Ok(b.require_extended_master_secret(true)),
    ) else {
        return;
    };

    let (out, _) = it.gnutls_ocsp(NO_EMS);

    out.assert_failure();
    out.assert_contains("Handshake failed");
    assert_eq!(
        it.finish(out).record.closed,
        Some(CloseReason::Error {
            error: PeerMisbehaved::NoExtendedMasterSecret.into(),
            alert: Some(AlertDescription::HandshakeFailure),
        })
    );
}

#[test]
fn gnutls_cli_rehandshake_is_refused_and_the_session_stays() {
    let Some(it) = Interop::answering(TLS12, &[GNUTLS_CLI], OcspPolicy::NoResponse) else {
        return;
    };

    let out = it.gnutls("", &["--rehandshake"], b"");

    // Every attempt is answered with the warning, which GnuTLS names.
    out.assert_contains("Received alert [100]: No renegotiation is allowed");
    out.assert_contains("ReHandshake has failed");
    assert_eq!(it.summary().version, ProtocolVersion::Tls12);
}

/// A staple larger than TLS 1.3 can carry goes out whole in TLS 1.2's
/// CertificateStatus, and gnutls-cli saves exactly those bytes. (OpenSSL,
/// and so Node and curl, take a CertificateStatus of at most 16 KiB, and
/// rustls of 64 KiB; GnuTLS takes 128 KiB.) The bytes are no OCSP
/// response, so gnutls-cli is told to go on when the staple fails its
/// check.
#[test]
fn gnutls_cli_receives_a_staple_over_the_tls13_limit() {
    let staple: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    assert!(staple.len() > MAX_STAPLE_LEN_TLS13);
    let policy = OcspPolicy::Respond(staple.clone().into());
    let Some(it) = Interop::answering(TLS12, &[GNUTLS_CLI], policy) else {
        return;
    };
    let saved = it
        .pki
        .dir()
        .join(format!("gnutls-large-staple-{}.der", it.server.port()));
    let save = format!("--save-ocsp={}", saved.to_str().expect("UTF-8 path"));

    let out = it.gnutls("", &["--insecure", &save], common::clients::HTTP_GET);

    out.assert_success();
    assert!(
        std::fs::read(&saved).unwrap() == staple,
        "gnutls-cli saved another staple"
    );
    assert_eq!(
        it.summary().ocsp,
        stapler::OcspOutcome::Stapled(staple.len())
    );
}
