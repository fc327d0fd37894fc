//! stapler's TLS 1.3 server over loopback against real clients: OpenSSL's
//! `s_client`, Node.js, curl and `gnutls-cli`, plus the rustls client over
//! TCP for the per-connection pause and for many handshakes in a row.
//!
//! Each test asserts on what the client itself prints or reports, and on
//! what the server recorded (tests/common/loopback.rs). The PKI and the
//! OCSP responses are made by the `openssl` tool when the test runs
//! (tests/common/openssl_pki.rs), so the staples are fresh and come from an
//! independent implementation.
//!
//! A missing client program fails the test, naming its Debian package;
//! `STAPLER_SKIP_INTEROP=1` skips them all.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::clients;
use common::loopback::{self, AppMode, LoopbackServer, OcspPolicy};
use common::openssl_pki::{CertStatus, OpensslPki};
use common::peers::{self, Output, CURL, GNUTLS_CLI, NODE, OPENSSL};
use common::rustls_pair::{client_config, RecordingVerifier};
use stapler::codec::AlertDescription;
use stapler::server::ProtocolVersion;
use stapler::{CloseReason, Error, OcspOutcome};

/// A PKI and a server stapling `policy` with the ECDSA leaf.
fn server_with(pki: &OpensslPki, policy: OcspPolicy) -> LoopbackServer {
    LoopbackServer::with_policy(pki.server_config(), AppMode::Http, policy)
}

/// [`clients::s_client`] limited to TLS 1.3, plus `extra`.
fn s_client_tls13(server: &LoopbackServer, pki: &OpensslPki, extra: &[&str]) -> Output {
    let mut args = vec!["-tls1_3"];
    args.extend_from_slice(extra);
    clients::s_client(server, pki, &args)
}

/// The leaf's CertificateEntry in a TLS 1.3 Certificate message (RFC 8446
/// §4.4.2), parsed here rather than by stapler's codec so that the check
/// does not trust the code under test.
struct LeafEntry {
    /// cert_data: the certificate's DER.
    der: Vec<u8>,
    /// The entry's extensions, as (type, data).
    extensions: Vec<(u16, Vec<u8>)>,
}

impl LeafEntry {
    /// The entry in the Certificate message `s_client -msg` printed.
    fn from_s_client(output: &Output) -> Self {
        let messages = peers::s_client_received_messages(&output.stdout);
        let certificate = messages
            .iter()
            .find(|m| m.name == "Certificate")
            .unwrap_or_else(|| panic!("no Certificate message in\n{output}"));
        Self::parse(&certificate.bytes)
            .unwrap_or_else(|| panic!("a malformed Certificate message: {certificate:02x?}"))
    }

    fn parse(message: &[u8]) -> Option<Self> {
        let u16_at =
            |b: &[u8], i: usize| Some(usize::from(*b.get(i)?) << 8 | usize::from(*b.get(i + 1)?));
        let u24_at = |b: &[u8], i: usize| Some(usize::from(*b.get(i)?) << 16 | u16_at(b, i + 1)?);
        // msg_type(1) length(3), then certificate_request_context<0..255>
        // and certificate_list<0..2^24-1>.
        if *message.first()? != 11 || u24_at(message, 1)? != message.len() - 4 {
            return None;
        }
        let mut at = 4;
        at += 1 + usize::from(*message.get(at)?);
        at += 3;
        // The first CertificateEntry: cert_data<1..2^24-1>,
        // extensions<0..2^16-1>.
        let cert_len = u24_at(message, at)?;
        at += 3;
        let der = message.get(at..at + cert_len)?.to_vec();
        at += cert_len;
        let ext_len = u16_at(message, at)?;
        at += 2;
        let block = message.get(at..at + ext_len)?;
        let mut extensions = Vec::new();
        let mut i = 0;
        while i < block.len() {
            let kind = u16::try_from(u16_at(block, i)?).ok()?;
            let len = u16_at(block, i + 2)?;
            extensions.push((kind, block.get(i + 4..i + 4 + len)?.to_vec()));
            i += 4 + len;
        }
        Some(Self { der, extensions })
    }

    /// The OCSP response in the entry's status_request extension (RFC 8446
    /// §4.4.2.1, RFC 6066 §8): status_type ocsp(1), then a 24-bit length
    /// and the DER OCSPResponse, which must fill the rest exactly.
    fn staple(&self) -> Option<Vec<u8>> {
        const STATUS_REQUEST: u16 = 5;
        let (_, data) = self.extensions.iter().find(|(t, _)| *t == STATUS_REQUEST)?;
        assert_eq!(data.first(), Some(&1), "status_type is not ocsp");
        assert!(data.len() >= 4, "a truncated CertificateStatus");
        let len = usize::from(data[1]) << 16 | usize::from(data[2]) << 8 | usize::from(data[3]);
        assert_eq!(len, data.len() - 4, "the staple's length prefix");
        Some(data[4..].to_vec())
    }
}

#[test]
fn openssl_s_client_status_receives_the_exact_staple() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let server = server_with(&pki, OcspPolicy::Respond(response.clone()));

    let out = s_client_tls13(&server, &pki, &["-status"]);

    out.assert_success();
    out.assert_contains("OCSP Response Status: successful (0x0)");
    out.assert_contains("Cert Status: good");
    out.assert_contains("Serial Number: 1001");
    out.assert_contains("New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256");
    out.assert_contains("Verify return code: 0 (ok)");
    out.assert_contains("stapler loopback server");
    // Byte equality: `-msg` dumps the decrypted Certificate message as
    // s_client received it; the leaf's entry must carry exactly the bytes
    // handed to respond(), in its status_request extension.
    let leaf = LeafEntry::from_s_client(&out);
    assert_eq!(leaf.der, pki.ecdsa.der, "the leaf s_client received");
    assert_eq!(leaf.staple().as_deref(), Some(&response[..]));
    // And s_client printed that response the way `openssl ocsp` prints
    // the file (the signature's hex dump included, so no other response
    // could print the same).
    let printed = pki.ocsp_text(&response);
    for line in printed
        .lines()
        .take_while(|l| !l.starts_with("Certificate:"))
        .filter(|l| !l.trim().is_empty())
    {
        out.assert_contains(line.trim_end());
    }

    let record = server.single_connection();
    let request = record.ocsp_request.as_ref().expect("an OcspRequest event");
    assert_eq!(request.certificate[..], pki.ecdsa.der[..]);
    assert!(request.issuer.is_some(), "the CA was found as the issuer");
    assert_eq!(request.server_name.as_deref(), Some("localhost"));
    let summary = record.summary.as_ref().expect("a completed handshake");
    assert_eq!(summary.version, ProtocolVersion::Tls13);
    assert_eq!(summary.ocsp, OcspOutcome::Stapled(response.len()));
    assert_eq!(summary.server_name.as_deref(), Some("localhost"));
    assert_eq!(record.http_request_line.as_deref(), Some("GET / HTTP/1.0"));
    assert_eq!(record.closed, Some(CloseReason::LocalClose));
}

#[test]
fn openssl_s_client_without_status_raises_no_event() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    // Were an event raised, the abort would fail the handshake.
    let server = server_with(&pki, OcspPolicy::Abort("no event was expected".into()));

    let out = s_client_tls13(&server, &pki, &[]);

    out.assert_success();
    out.assert_contains("New, TLSv1.3, Cipher is");
    out.assert_contains("Verify return code: 0 (ok)");
    out.assert_contains("stapler loopback server");
    // s_client prints nothing about OCSP unless -status asked for it.
    out.assert_lacks("OCSP response");
    let leaf = LeafEntry::from_s_client(&out);
    assert_eq!(leaf.der, pki.ecdsa.der);
    assert_eq!(leaf.staple(), None, "a staple nobody asked for");

    let record = server.single_connection();
    assert!(!record.ocsp_requested(), "an OcspRequest was raised");
    let summary = record.summary.as_ref().expect("a completed handshake");
    assert_eq!(summary.ocsp, OcspOutcome::NotRequested);
    assert_eq!(record.closed, Some(CloseReason::LocalClose));
}

#[test]
fn openssl_s_client_status_with_no_response() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let server = server_with(&pki, OcspPolicy::NoResponse);

    let out = s_client_tls13(&server, &pki, &["-status"]);

    out.assert_success();
    out.assert_contains("OCSP response: no response sent");
    out.assert_contains("Verify return code: 0 (ok)");
    out.assert_contains("stapler loopback server");
    assert_eq!(LeafEntry::from_s_client(&out).staple(), None);

    let record = server.single_connection();
    assert!(record.ocsp_requested());
    let summary = record.summary.as_ref().expect("a completed handshake");
    assert_eq!(summary.ocsp, OcspOutcome::NoResponse);
}

#[test]
fn openssl_s_client_gets_internal_error_on_abort() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let reason = "the responder is down (test)";
    let server = server_with(&pki, OcspPolicy::Abort(reason.into()));

    let out = s_client_tls13(&server, &pki, &["-status"]);

    out.assert_failure();
    // OpenSSL's words for a received internal_error(80) alert.
    out.assert_contains("tlsv1 alert internal error");
    out.assert_contains("SSL alert number 80");
    // -msg shows the alert record itself: fatal, and the only thing sent.
    out.assert_contains("<<< TLS 1.3, Alert [length 0002], fatal internal_error");
    let received = peers::s_client_received_messages(&out.stdout);
    assert!(
        received.is_empty(),
        "nothing but the alert may be sent after an abort, got {:?}",
        received.iter().map(|m| &m.name).collect::<Vec<_>>()
    );

    let record = server.single_connection();
    assert!(record.ocsp_requested());
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
fn openssl_s_client_rsa_leaf_gets_its_own_staple() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::with_rsa();
    let ecdsa_response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let rsa_response = pki.ocsp_response(pki.rsa(), CertStatus::Good);
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
    // Each certificate gets the response for it, as a server would look it
    // up by the request's certificate.
    let rsa_der = Bytes::from(pki.rsa().der.clone());
    let (ecdsa_for_policy, rsa_for_policy) = (ecdsa_response.clone(), rsa_response.clone());
    let server = LoopbackServer::start(Arc::new(config), AppMode::Http, move |_, request| {
        OcspPolicy::Respond(if *request.certificate() == rsa_der {
            rsa_for_policy.clone()
        } else {
            ecdsa_for_policy.clone()
        })
    });

    // Only RSA-PSS offered: the server must pick the RSA certificate.
    let out = s_client_tls13(
        &server,
        &pki,
        &["-status", "-sigalgs", "rsa_pss_rsae_sha256"],
    );

    out.assert_success();
    out.assert_contains("Peer signature type: RSA-PSS");
    out.assert_contains("OCSP Response Status: successful (0x0)");
    out.assert_contains("Serial Number: 1002");
    let leaf = LeafEntry::from_s_client(&out);
    assert_eq!(leaf.der, pki.rsa().der);
    assert_eq!(leaf.staple().as_deref(), Some(&rsa_response[..]));
    let record = server.single_connection();
    let summary = record.summary.as_ref().expect("a completed handshake");
    assert_eq!(summary.ocsp, OcspOutcome::Stapled(rsa_response.len()));
}

#[test]
fn node_ocsp_response_event_carries_the_staple() {
    if peers::skip_unless_installed(&[NODE, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let server = server_with(&pki, OcspPolicy::Respond(response.clone()));

    let report = clients::node_ocsp_client(&server, &pki, "TLSv1.3", "TLSv1.3");

    report.output.assert_success();
    assert_eq!(report.get("ocsp_response"), peers::hex(&response));
    assert_eq!(report.get("protocol"), "TLSv1.3");
    assert_eq!(report.get("authorized"), "true");
    assert_eq!(report.get("status_line"), "HTTP/1.1 200 OK");
    assert_eq!(report.get("end"), "ok");
    let record = server.single_connection();
    assert_eq!(
        record.summary.expect("a completed handshake").ocsp,
        OcspOutcome::Stapled(response.len())
    );
}

#[test]
fn node_ocsp_response_event_without_a_staple() {
    if peers::skip_unless_installed(&[NODE, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let server = server_with(&pki, OcspPolicy::NoResponse);

    let report = clients::node_ocsp_client(&server, &pki, "TLSv1.3", "TLSv1.3");

    report.output.assert_success();
    assert_eq!(report.get("ocsp_response"), "none");
    assert_eq!(report.get("authorized"), "true");
    assert_eq!(report.get("status_line"), "HTTP/1.1 200 OK");
    let record = server.single_connection();
    assert!(record.ocsp_requested());
    assert_eq!(
        record.summary.expect("a completed handshake").ocsp,
        OcspOutcome::NoResponse
    );
}

/// [`clients::curl_cert_status`] limited to TLS 1.3.
fn curl_cert_status(server: &LoopbackServer, pki: &OpensslPki) -> Output {
    clients::curl_cert_status(server, pki, &["--tlsv1.3"])
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
    // The page names the outcome the server recorded.
    out.assert_contains(&format!("ocsp: Stapled({})", response.len()));
    let record = server.single_connection();
    assert_eq!(record.http_request_line.as_deref(), Some("GET / HTTP/1.1"));
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
    // Exit status 91: CURLE_SSL_INVALIDCERTSTATUS.
    assert_eq!(out.status.code(), Some(91), "{out}");
    out.assert_contains("No OCSP response received");
    out.assert_lacks("stapler loopback server");
    let record = server.single_connection();
    assert!(record.ocsp_requested());
    assert_eq!(record.http_request_line, None);
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
    out.assert_lacks("stapler loopback server");
    let record = server.single_connection();
    assert!(record.ocsp_requested());
    assert_eq!(record.http_request_line, None);
}

/// [`clients::gnutls_cli_ocsp`] limited to TLS 1.3.
fn gnutls_cli_ocsp(server: &LoopbackServer, pki: &OpensslPki) -> (Output, Vec<u8>) {
    clients::gnutls_cli_ocsp(server, pki, "NORMAL:-VERS-ALL:+VERS-TLS1.3")
}

#[test]
fn gnutls_cli_ocsp_reports_good() {
    if peers::skip_unless_installed(&[GNUTLS_CLI, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let server = server_with(&pki, OcspPolicy::Respond(response.clone()));

    let (out, saved) = gnutls_cli_ocsp(&server, &pki);

    out.assert_success();
    out.assert_contains("- Status: The certificate is trusted.");
    // gnutls-cli lists this option when it got and checked a staple.
    out.assert_contains("- Options: OCSP status request,");
    out.assert_contains("Certificate Status: good");
    out.assert_contains("(TLS1.3");
    // It did not have to ask the responder itself.
    out.assert_lacks("Connecting to OCSP server");
    assert_eq!(saved, response, "the staple gnutls-cli saved");
    let record = server.single_connection();
    assert_eq!(
        record.summary.expect("a completed handshake").ocsp,
        OcspOutcome::Stapled(response.len())
    );
}

#[test]
fn gnutls_cli_ocsp_rejects_a_revoked_staple() {
    if peers::skip_unless_installed(&[GNUTLS_CLI, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Revoked);
    let server = server_with(&pki, OcspPolicy::Respond(response.clone()));

    let (out, saved) = gnutls_cli_ocsp(&server, &pki);

    out.assert_failure();
    out.assert_contains("The certificate chain is revoked");
    out.assert_contains("PKI verification of server certificate failed");
    assert_eq!(saved, response, "the staple gnutls-cli saved");
    assert!(server.single_connection().ocsp_requested());
}

#[test]
fn gnutls_cli_ocsp_notices_a_missing_staple() {
    if peers::skip_unless_installed(&[GNUTLS_CLI, OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let server = server_with(&pki, OcspPolicy::NoResponse);

    let (out, saved) = gnutls_cli_ocsp(&server, &pki);

    // Without a staple, gnutls-cli --ocsp asks the responder in the
    // leaf's AIA itself; nothing answers there (see AIA_OCSP_URL).
    out.assert_contains("Connecting to OCSP server");
    out.assert_lacks("- Options: OCSP status request,");
    out.assert_lacks("Certificate Status: good");
    assert!(saved.is_empty(), "gnutls-cli saved a staple: {saved:02x?}");
    assert!(server.single_connection().ocsp_requested());
}

#[test]
fn a_delayed_answer_pauses_only_its_own_connection() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    const DELAY: Duration = Duration::from_millis(500);
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let for_policy = response.clone();
    // The first connection's answer comes 500 ms late from another
    // thread; every later one is answered at once.
    let server = LoopbackServer::start(pki.server_config(), AppMode::Http, move |index, _| {
        let now = OcspPolicy::Respond(for_policy.clone());
        if index == 0 {
            OcspPolicy::delayed(DELAY, now)
        } else {
            now
        }
    });

    let slow = clients::s_client_spawn(&server, &pki, &["-tls1_3", "-status"]);
    server.wait_for("the first connection's OcspRequest", |records| {
        records.first().filter(|r| r.ocsp_requested()).map(|_| ())
    });

    // While it waits, a second client (rustls, in this process) completes
    // a whole handshake and request.
    let verifier = RecordingVerifier::custom(pki.rustls_roots(), None);
    let fast_started = Instant::now();
    let page = loopback::rustls_http_get(
        server.addr(),
        Arc::new(client_config(verifier.clone())),
        "localhost",
    )
    .expect("the second connection");
    let fast_took = fast_started.elapsed();
    assert!(String::from_utf8_lossy(&page).contains("connection: 1"));
    assert_eq!(verifier.last_staple().as_deref(), Some(&response[..]));
    let fast = server.wait_for("the second connection to end", |records| {
        records.get(1).filter(|r| r.is_finished()).cloned()
    });
    let first_now = server.records().remove(0);
    assert!(
        first_now.ocsp_completed_at.is_none() && first_now.summary.is_none(),
        "the first handshake went on before its answer: {first_now:#?} \
         (the second took {fast_took:?}, more than the {DELAY:?} delay?)"
    );

    let out = slow.wait(peers::PEER_TIMEOUT);
    out.assert_success();
    out.assert_contains("OCSP Response Status: successful (0x0)");
    let slow = server.wait_finished(1).remove(0);
    let waited = slow.ocsp_wait().expect("an answered OcspRequest");
    assert!(waited >= DELAY, "answered after {waited:?}");
    assert!(
        fast.handshake_completed_at.expect("completed") < slow.ocsp_completed_at.unwrap(),
        "the second handshake completed before the first was answered"
    );
    assert_eq!(
        slow.summary.expect("completed").ocsp,
        OcspOutcome::Stapled(response.len())
    );
}

#[test]
fn echo_and_close_notify_with_rustls_over_tcp() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let server = LoopbackServer::with_policy(
        pki.server_config(),
        AppMode::Echo,
        OcspPolicy::Respond(response.clone()),
    );
    let verifier = RecordingVerifier::custom(pki.rustls_roots(), None);
    let message = b"stapled over loopback, then closed politely";

    let echoed = loopback::rustls_echo(
        server.addr(),
        Arc::new(client_config(verifier.clone())),
        "localhost",
        message,
    )
    .expect("an echo and a close_notify exchange");

    assert_eq!(echoed, message);
    assert_eq!(verifier.last_staple().as_deref(), Some(&response[..]));
    let record = server.single_connection();
    assert_eq!(record.received, message);
    assert_eq!(record.closed, Some(CloseReason::PeerClosed));
    assert_eq!(record.problem, None);
}

/// Handshakes in a row, each over its own TCP connection and each stapled.
const SEQUENTIAL: usize = 2000;

#[test]
fn many_sequential_rustls_handshakes_are_all_stapled() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let server = server_with(&pki, OcspPolicy::Respond(response.clone()));
    let verifier = RecordingVerifier::custom(pki.rustls_roots(), None);
    let config = Arc::new(client_config(verifier.clone()));

    let started = Instant::now();
    for i in 0..SEQUENTIAL {
        let page = loopback::rustls_http_get(server.addr(), Arc::clone(&config), "localhost")
            .unwrap_or_else(|e| panic!("connection {i}: {e}"));
        assert!(page.starts_with(b"HTTP/1.1 200 OK\r\n"), "connection {i}");
    }
    let took = started.elapsed();
    eprintln!(
        "{SEQUENTIAL} sequential handshakes over loopback in {took:?} ({:?} each)",
        took / SEQUENTIAL as u32
    );

    let staples = verifier.staples.lock().unwrap();
    assert_eq!(staples.len(), SEQUENTIAL);
    assert!(staples.iter().all(|s| s[..] == response[..]));
    drop(staples);
    let records = server.wait_finished(SEQUENTIAL);
    for record in &records {
        assert!(record.ocsp_requested(), "connection {}", record.index);
        assert_eq!(
            record.summary.as_ref().map(|s| &s.ocsp),
            Some(&OcspOutcome::Stapled(response.len())),
            "connection {}",
            record.index
        );
        assert_eq!(record.closed, Some(CloseReason::LocalClose));
    }
}

#[test]
fn bytes_behind_a_paused_hello_are_held_and_fed_after_the_answer() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    use std::io::{Read, Write};
    const DELAY: Duration = Duration::from_millis(100);
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let server = LoopbackServer::with_policy(
        pki.server_config(),
        AppMode::Http,
        OcspPolicy::delayed(DELAY, OcspPolicy::Respond(response)),
    );
    // openssl s_client's first flight as captured, then, in the same
    // write, more records than the connection buffers while paused (it
    // takes one record's worth): 40 KB of change_cipher_spec records, which
    // a server drops before the client's Finished (RFC 8446 §5), and last a
    // plaintext fatal handshake_failure alert. The answer arrives 100 ms
    // late; the records must wait for it, then be fed in order, so the
    // server sends its flight first and sees the alert last.
    let hello = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/client_hello/openssl_tls13_status.bin"
    ))
    .expect("the captured hello");
    const CCS: [u8; 6] = [20, 3, 3, 0, 1, 1];
    const HANDSHAKE_FAILURE: [u8; 7] = [21, 3, 3, 0, 2, 2, 40];
    let mut flight = hello.clone();
    for _ in 0..40 * 1024 / CCS.len() {
        flight.extend_from_slice(&CCS);
    }
    flight.extend_from_slice(&HANDSHAKE_FAILURE);
    let mut sock = std::net::TcpStream::connect(server.addr()).expect("connect");
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout");
    sock.write_all(&flight).expect("write");

    // What the server sent, record by record, until it closed: ServerHello,
    // its own change_cipher_spec, then protected records.
    let mut content_types = Vec::new();
    loop {
        let mut header = [0u8; 5];
        match sock.read_exact(&mut header) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => panic!("after {content_types:?}: {e}"),
        }
        let mut body = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
        sock.read_exact(&mut body).expect("a record body");
        content_types.push(header[0]);
    }
    assert_eq!(content_types[..2], [22, 20], "{content_types:?}");
    assert!(
        content_types[2..].iter().all(|&t| t == 23),
        "{content_types:?}"
    );
    // Closing our end lets the server's linger end at once.
    drop(sock);

    let record = server.single_connection();
    // The harness held what the paused connection did not take...
    assert!(record.held_while_paused > 0, "{record:#?}");
    assert!(record.ocsp_wait().expect("answered") >= DELAY);
    // ...and fed it after the answer: every record was taken in order, up
    // to the alert at the very end.
    assert_eq!(
        record.closed,
        Some(CloseReason::PeerAlert(AlertDescription::HandshakeFailure)),
        "{record:#?}"
    );
    assert_eq!(record.summary, None);
}
