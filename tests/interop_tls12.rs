//! stapler's TLS 1.2 server over loopback against real clients limited to
//! TLS 1.2: OpenSSL's `s_client`, Node.js, curl and `gnutls-cli`. The
//! staple travels in a CertificateStatus message here, announced by an
//! empty status_request in ServerHello (RFC 6066 §8).
//!
//! Each test asserts on what the client itself prints or reports, and on
//! what the server recorded (tests/common/loopback.rs, shared with
//! interop_tls13.rs). Responses are made by `openssl ocsp` when the test
//! runs. A missing client fails the test, naming its Debian package;
//! `STAPLER_SKIP_INTEROP=1` skips them all.

mod common;

use std::sync::Arc;

use bytes::Bytes;
use common::clients;
use common::loopback::{AppMode, LoopbackServer, OcspPolicy};
use common::openssl_pki::{CertStatus, OpensslPki};
use common::peers::{self, Output, SeenMessage, CURL, GNUTLS_CLI, NODE, OPENSSL};
use stapler::codec::AlertDescription;
use stapler::server::ProtocolVersion;
use stapler::{CipherSuite, CloseReason, Error, NamedGroup, OcspOutcome, PeerMisbehaved};

/// A server stapling `policy` with the ECDSA leaf (TLS 1.3 and 1.2 on).
fn server_with(pki: &OpensslPki, policy: OcspPolicy) -> LoopbackServer {
    LoopbackServer::with_policy(pki.server_config(), AppMode::Http, policy)
}

/// [`clients::s_client`] limited to TLS 1.2, plus `extra`.
fn s_client_tls12(server: &LoopbackServer, pki: &OpensslPki, extra: &[&str]) -> Output {
    let mut args = vec!["-tls1_2"];
    args.extend_from_slice(extra);
    clients::s_client(server, pki, &args)
}

/// The names of the handshake messages s_client received, in order.
fn names(messages: &[SeenMessage]) -> Vec<&str> {
    messages.iter().map(|m| m.name.as_str()).collect()
}

/// The message named `name`, which must be there.
fn message<'a>(messages: &'a [SeenMessage], name: &str) -> &'a SeenMessage {
    messages
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", names(messages)))
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
    let len = usize::from(body[1]) << 16 | usize::from(body[2]) << 8 | usize::from(body[3]);
    assert_eq!(len, body.len() - 4, "the response's length prefix");
    body[4..].to_vec()
}

const STATUS_REQUEST: u16 = 5;
const EXTENDED_MASTER_SECRET: u16 = 23;
const RENEGOTIATION_INFO: u16 = 0xff01;

#[test]
fn openssl_s_client_status_receives_the_exact_staple_in_certificate_status() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let server = server_with(&pki, OcspPolicy::Respond(response.clone()));

    let out = s_client_tls12(&server, &pki, &["-status"]);

    out.assert_success();
    out.assert_contains("OCSP Response Status: successful (0x0)");
    out.assert_contains("Cert Status: good");
    out.assert_contains("Serial Number: 1001");
    out.assert_contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256");
    out.assert_contains("Secure Renegotiation IS supported");
    out.assert_contains("Extended master secret: yes");
    out.assert_contains("Verify return code: 0 (ok)");
    out.assert_contains("stapler loopback server");

    let messages = peers::s_client_received_messages(&out.stdout);
    assert_eq!(
        names(&messages)[..5],
        [
            "ServerHello",
            "Certificate",
            "CertificateStatus",
            "ServerKeyExchange",
            "ServerHelloDone"
        ]
    );
    let hello = ServerHello::parse(&message(&messages, "ServerHello").bytes);
    assert_eq!(hello.extension(STATUS_REQUEST), Some(&[][..]));
    assert_eq!(hello.extension(EXTENDED_MASTER_SECRET), Some(&[][..]));
    assert_eq!(hello.extension(RENEGOTIATION_INFO), Some(&[0][..]));
    assert_eq!(hello.session_id_len, 0, "no resumption");
    // The server speaks TLS 1.3 too: the downgrade sentinel (RFC 8446
    // §4.1.3).
    assert_eq!(hello.random[24..], *b"DOWNGRD\x01");
    let status = message(&messages, "CertificateStatus");
    assert_eq!(certificate_status_response(&status.bytes), response[..]);

    let record = server.single_connection();
    let request = record.ocsp_request.as_ref().expect("an OcspRequest event");
    assert_eq!(request.certificate[..], pki.ecdsa.der[..]);
    assert!(request.issuer.is_some());
    assert_eq!(request.server_name.as_deref(), Some("localhost"));
    let summary = record.summary.as_ref().expect("a completed handshake");
    assert_eq!(summary.version, ProtocolVersion::Tls12);
    assert_eq!(
        summary.cipher_suite,
        CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256
    );
    assert!(summary.extended_master_secret);
    assert_eq!(summary.ocsp, OcspOutcome::Stapled(response.len()));
    assert_eq!(record.http_request_line.as_deref(), Some("GET / HTTP/1.0"));
    assert_eq!(record.closed, Some(CloseReason::LocalClose));
}

#[test]
fn openssl_s_client_without_status_gets_neither_extension_nor_message() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    // Were an event raised, the abort would fail the handshake.
    let server = server_with(&pki, OcspPolicy::Abort("no event was expected".into()));

    let out = s_client_tls12(&server, &pki, &[]);

    out.assert_success();
    out.assert_contains("New, TLSv1.2, Cipher is");
    out.assert_lacks("OCSP response");
    let messages = peers::s_client_received_messages(&out.stdout);
    assert!(!names(&messages).contains(&"CertificateStatus"));
    let hello = ServerHello::parse(&message(&messages, "ServerHello").bytes);
    assert_eq!(hello.extension(STATUS_REQUEST), None);

    let record = server.single_connection();
    assert!(!record.ocsp_requested());
    let summary = record.summary.as_ref().expect("a completed handshake");
    assert_eq!(summary.ocsp, OcspOutcome::NotRequested);
}

#[test]
fn openssl_s_client_status_with_no_response() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let server = server_with(&pki, OcspPolicy::NoResponse);

    let out = s_client_tls12(&server, &pki, &["-status"]);

    out.assert_success();
    out.assert_contains("OCSP response: no response sent");
    let messages = peers::s_client_received_messages(&out.stdout);
    assert!(!names(&messages).contains(&"CertificateStatus"));
    let hello = ServerHello::parse(&message(&messages, "ServerHello").bytes);
    assert_eq!(hello.extension(STATUS_REQUEST), None);

    let record = server.single_connection();
    assert!(record.ocsp_requested());
    assert_eq!(
        record.summary.expect("a completed handshake").ocsp,
        OcspOutcome::NoResponse
    );
}

#[test]
fn openssl_s_client_gets_internal_error_on_abort() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let reason = "the responder is down (test)";
    let server = server_with(&pki, OcspPolicy::Abort(reason.into()));

    let out = s_client_tls12(&server, &pki, &["-status"]);

    out.assert_failure();
    out.assert_contains("SSL alert number 80");
    out.assert_contains("<<< TLS 1.2, Alert [length 0002], fatal internal_error");
    let received = peers::s_client_received_messages(&out.stdout);
    assert!(received.is_empty(), "{:?}", names(&received));

    let record = server.single_connection();
    assert_eq!(record.summary, None);
    assert_eq!(
        record.closed,
        Some(CloseReason::Error {
            error: Error::OcspAborted(reason.into()),
            alert: Some(AlertDescription::InternalError),
        })
    );
}

#[test]
fn openssl_s_client_ecdhe_rsa_with_pkcs1_signatures_and_its_own_staple() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::with_rsa();
    let rsa_response = pki.ocsp_response(pki.rsa(), CertStatus::Good);
    let ecdsa_response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let config = pki
        .config_builder(&pki.ecdsa)
        .and_then(|b| {
            let rsa = pki.rsa();
            b.certificate_chain(
                &std::fs::read(&rsa.chain_pem).unwrap(),
                &std::fs::read(&rsa.key_pem).unwrap(),
            )
        })
        .and_then(|b| b.ocsp_events(true).build())
        .expect("an ECDSA and an RSA chain");
    let rsa_der = Bytes::from(pki.rsa().der.clone());
    let (for_rsa, for_ecdsa) = (rsa_response.clone(), ecdsa_response);
    let server = LoopbackServer::start(Arc::new(config), AppMode::Http, move |_, request| {
        OcspPolicy::Respond(if *request.certificate() == rsa_der {
            for_rsa.clone()
        } else {
            for_ecdsa.clone()
        })
    });

    // Only ECDHE_RSA with AES-256-GCM, and only PKCS#1 v1.5 with SHA-384.
    let out = s_client_tls12(
        &server,
        &pki,
        &[
            "-status",
            "-cipher",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "-sigalgs",
            "RSA+SHA384",
            "-groups",
            "P-384",
        ],
    );

    out.assert_success();
    out.assert_contains("New, TLSv1.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384");
    out.assert_contains("Peer signature type: RSA");
    out.assert_contains("Peer signing digest: SHA384");
    out.assert_contains("Server Temp Key: ECDH, secp384r1, 384 bits");
    out.assert_contains("Serial Number: 1002");
    let messages = peers::s_client_received_messages(&out.stdout);
    let status = message(&messages, "CertificateStatus");
    assert_eq!(certificate_status_response(&status.bytes), rsa_response[..]);
    let summary = server.single_connection().summary.expect("a handshake");
    assert_eq!(summary.group, NamedGroup::Secp384r1);
    assert_eq!(
        summary.signature_scheme,
        stapler::SignatureScheme::RsaPkcs1Sha384
    );
}

#[test]
fn openssl_s_client_chacha20_poly1305() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let server = server_with(&pki, OcspPolicy::Respond(response));

    let out = s_client_tls12(
        &server,
        &pki,
        &[
            "-status",
            "-cipher",
            "ECDHE-ECDSA-CHACHA20-POLY1305",
            "-groups",
            "P-256",
        ],
    );

    out.assert_success();
    out.assert_contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-CHACHA20-POLY1305");
    out.assert_contains("Server Temp Key: ECDH, prime256v1, 256 bits");
    out.assert_contains("OCSP Response Status: successful (0x0)");
    out.assert_contains("stapler loopback server");
}

#[test]
fn openssl_s_client_fallback_scsv_gets_inappropriate_fallback() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let server = server_with(&pki, OcspPolicy::NoResponse);

    let out = s_client_tls12(&server, &pki, &["-fallback_scsv"]);

    out.assert_failure();
    out.assert_contains("alert inappropriate fallback");
    out.assert_contains("SSL alert number 86");
    let record = server.single_connection();
    assert_eq!(
        record.closed,
        Some(CloseReason::Error {
            error: PeerMisbehaved::InappropriateFallback.into(),
            alert: Some(AlertDescription::InappropriateFallback),
        })
    );
}

#[test]
fn openssl_s_client_fallback_scsv_to_a_tls12_only_server_is_served() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let config = pki
        .config_builder(&pki.ecdsa)
        .and_then(|b| b.protocol_versions(&[ProtocolVersion::Tls12]))
        .and_then(|b| b.build())
        .unwrap();
    let server =
        LoopbackServer::with_policy(Arc::new(config), AppMode::Http, OcspPolicy::NoResponse);

    let out = s_client_tls12(&server, &pki, &["-fallback_scsv"]);

    out.assert_success();
    out.assert_contains("New, TLSv1.2, Cipher is");
    let messages = peers::s_client_received_messages(&out.stdout);
    let hello = ServerHello::parse(&message(&messages, "ServerHello").bytes);
    assert_ne!(hello.random[24..], *b"DOWNGRD\x01", "TLS 1.3 is off");
}

#[test]
fn openssl_s_client_renegotiation_is_refused_with_a_warning() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let server = server_with(&pki, OcspPolicy::NoResponse);
    // Without -ign_eof, s_client reads commands from its input: "R"
    // renegotiates once the handshake is done.
    let connect = server.addr().to_string();
    let out = peers::run(
        OPENSSL,
        &[
            "s_client",
            "-connect",
            &connect,
            "-servername",
            "localhost",
            "-CAfile",
            pki.ca_arg(),
            "-tls1_2",
            "-msg",
        ],
        b"R\n",
    );

    out.assert_contains("RENEGOTIATING");
    out.assert_contains("<<< TLS 1.2, Alert [length 0002], warning no_renegotiation");
    // OpenSSL then gives up on its own renegotiation with a fatal alert.
    out.assert_contains("no renegotiation");
    let record = server.single_connection();
    assert_eq!(
        record
            .summary
            .expect("the first handshake completed")
            .version,
        ProtocolVersion::Tls12
    );
    assert_eq!(
        record.closed,
        Some(CloseReason::PeerAlert(AlertDescription::HandshakeFailure))
    );
}

#[test]
fn node_ocsp_response_event_carries_the_staple() {
    if peers::skip_unless_installed(&[NODE, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let server = server_with(&pki, OcspPolicy::Respond(response.clone()));

    let report = clients::node_ocsp_client(&server, &pki, "TLSv1.2", "TLSv1.2");

    report.output.assert_success();
    assert_eq!(report.get("ocsp_response"), peers::hex(&response));
    assert_eq!(report.get("protocol"), "TLSv1.2");
    assert_eq!(report.get("authorized"), "true");
    assert_eq!(report.get("status_line"), "HTTP/1.1 200 OK");
    assert_eq!(report.get("end"), "ok");
    let summary = server.single_connection().summary.expect("a handshake");
    assert_eq!(summary.version, ProtocolVersion::Tls12);
    assert_eq!(summary.ocsp, OcspOutcome::Stapled(response.len()));
}

#[test]
fn node_ocsp_response_event_without_a_staple() {
    if peers::skip_unless_installed(&[NODE, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let server = server_with(&pki, OcspPolicy::NoResponse);

    let report = clients::node_ocsp_client(&server, &pki, "TLSv1.2", "TLSv1.2");

    report.output.assert_success();
    assert_eq!(report.get("ocsp_response"), "none");
    assert_eq!(report.get("protocol"), "TLSv1.2");
    assert_eq!(report.get("status_line"), "HTTP/1.1 200 OK");
}

/// [`clients::curl_cert_status`] limited to TLS 1.2.
fn curl_cert_status(server: &LoopbackServer, pki: &OpensslPki) -> Output {
    clients::curl_cert_status(server, pki, &["--tlsv1.2", "--tls-max", "1.2"])
}

#[test]
fn curl_cert_status_accepts_a_good_staple() {
    if peers::skip_unless_installed(&[CURL, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let server = server_with(&pki, OcspPolicy::Respond(response.clone()));

    let out = curl_cert_status(&server, &pki);

    out.assert_success();
    out.assert_contains(&format!("ocsp: Stapled({})", response.len()));
    let summary = server.single_connection().summary.expect("a handshake");
    assert_eq!(summary.version, ProtocolVersion::Tls12);
}

#[test]
fn curl_cert_status_fails_without_a_staple() {
    if peers::skip_unless_installed(&[CURL, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let server = server_with(&pki, OcspPolicy::NoResponse);

    let out = curl_cert_status(&server, &pki);

    out.assert_failure();
    assert_eq!(out.status.code(), Some(91), "{out}");
    out.assert_contains("No OCSP response received");
    out.assert_lacks("stapler loopback server");
}

#[test]
fn curl_cert_status_rejects_a_revoked_staple() {
    if peers::skip_unless_installed(&[CURL, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Revoked);
    let server = server_with(&pki, OcspPolicy::Respond(response));

    let out = curl_cert_status(&server, &pki);

    out.assert_failure();
    assert_eq!(out.status.code(), Some(91), "{out}");
    out.assert_contains("SSL certificate revocation reason: keyCompromise");
}

/// GnuTLS limited to TLS 1.2.
const GNUTLS_TLS12: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.2";

#[test]
fn gnutls_cli_ocsp_reports_good() {
    if peers::skip_unless_installed(&[GNUTLS_CLI, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let server = server_with(&pki, OcspPolicy::Respond(response.clone()));

    let (out, saved) = clients::gnutls_cli_ocsp(&server, &pki, GNUTLS_TLS12);

    out.assert_success();
    out.assert_contains("- Status: The certificate is trusted.");
    out.assert_contains("(TLS1.2");
    out.assert_contains(
        "- Options: extended master secret, safe renegotiation, OCSP status request,",
    );
    out.assert_contains("Certificate Status: good");
    out.assert_lacks("Connecting to OCSP server");
    assert_eq!(saved, response, "the staple gnutls-cli saved");
    let summary = server.single_connection().summary.expect("a handshake");
    assert_eq!(summary.version, ProtocolVersion::Tls12);
    assert_eq!(summary.ocsp, OcspOutcome::Stapled(response.len()));
}

#[test]
fn gnutls_cli_without_extended_master_secret() {
    if peers::skip_unless_installed(&[GNUTLS_CLI, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let server = server_with(&pki, OcspPolicy::Respond(response.clone()));
    // %NO_SESSION_HASH: GnuTLS leaves out extended_master_secret.
    let priority = format!("{GNUTLS_TLS12}:%NO_SESSION_HASH");

    let (out, saved) = clients::gnutls_cli_ocsp(&server, &pki, &priority);

    out.assert_success();
    out.assert_contains("- Options: safe renegotiation, OCSP status request,");
    out.assert_lacks("extended master secret");
    assert_eq!(saved, response);
    let summary = server.single_connection().summary.expect("a handshake");
    assert!(!summary.extended_master_secret);
}

#[test]
fn gnutls_cli_without_extended_master_secret_is_refused_when_required() {
    if peers::skip_unless_installed(&[GNUTLS_CLI, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let config = pki
        .config_builder(&pki.ecdsa)
        .map(|b| b.require_extended_master_secret(true))
        .and_then(|b| b.build())
        .unwrap();
    let server =
        LoopbackServer::with_policy(Arc::new(config), AppMode::Http, OcspPolicy::NoResponse);
    let priority = format!("{GNUTLS_TLS12}:%NO_SESSION_HASH");

    let (out, _) = clients::gnutls_cli_ocsp(&server, &pki, &priority);

    out.assert_failure();
    out.assert_contains("Handshake failed");
    let record = server.single_connection();
    assert_eq!(
        record.closed,
        Some(CloseReason::Error {
            error: PeerMisbehaved::NoExtendedMasterSecret.into(),
            alert: Some(AlertDescription::HandshakeFailure),
        })
    );
}

#[test]
fn gnutls_cli_rehandshake_is_refused_and_the_session_stays() {
    if peers::skip_unless_installed(&[GNUTLS_CLI, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let server = server_with(&pki, OcspPolicy::NoResponse);
    let port = server.port().to_string();

    let out = peers::run(
        GNUTLS_CLI,
        &[
            "--rehandshake",
            "--x509cafile",
            pki.ca_arg(),
            "--sni-hostname",
            "localhost",
            "--verify-hostname",
            "localhost",
            "--priority",
            GNUTLS_TLS12,
            "-p",
            &port,
            "127.0.0.1",
        ],
        b"",
    );

    // Every attempt is answered with the warning, which GnuTLS names.
    out.assert_contains("Received alert [100]: No renegotiation is allowed");
    out.assert_contains("ReHandshake has failed");
    let record = server.single_connection();
    assert_eq!(
        record
            .summary
            .expect("the first handshake completed")
            .version,
        ProtocolVersion::Tls12
    );
}
