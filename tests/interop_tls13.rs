//! stapler's TLS 1.3 server over loopback against real clients: OpenSSL's
//! `s_client`, Node.js, Go's crypto/tls, curl and `gnutls-cli`, plus the
//! rustls client over TCP for the per-connection pause and for many
//! handshakes in a row.
//!
//! Each test asserts on what the client itself prints or reports, and on
//! what the server recorded (tests/common/loopback.rs). The scenarios both
//! versions share are in tests/common/interop.rs, run here with [`TLS13`];
//! this file adds what only TLS 1.3 has. The PKI and the
//! OCSP responses are made by the `openssl` tool when the test runs
//! (tests/common/openssl_pki.rs), so the staples are fresh and come from an
//! independent implementation.
//!
//! A missing client program fails the test, naming its Debian package;
//! `STAPLER_SKIP_INTEROP=1` skips them all.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::interop::{self, Interop, Received, Version};
use common::loopback::{self, AppMode, LoopbackServer, OcspPolicy};
use common::openssl_pki::{CertStatus, OpensslPki};
use common::peers::{self, SeenMessage};
use common::rustls_pair::{client_config, RecordingVerifier};
use stapler::codec::AlertDescription;
use stapler::ocsp::MAX_STAPLE_LEN_TLS13;
use stapler::server::ProtocolVersion;
use stapler::{CloseReason, NamedGroup, OcspOutcome};

/// TLS 1.3 as each client is limited to it and reports it; the staple is
/// in the leaf's CertificateEntry.
const TLS13: Version = Version {
    protocol: ProtocolVersion::Tls13,
    s_client_flag: "-tls1_3",
    name: "TLSv1.3",
    record_name: "TLS 1.3",
    default_cipher: "TLS_AES_128_GCM_SHA256",
    curl_args: &["--tlsv1.3"],
    gnutls_priority: "NORMAL:-VERS-ALL:+VERS-TLS1.3",
    gnutls_name: "TLS1.3",
    gnutls_stapled_options: "- Options: OCSP status request,",
    go_version: "1.3",
    received: LeafEntry::received,
};

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
    /// The leaf and staple in the Certificate message s_client received.
    fn received(messages: &[SeenMessage]) -> Received {
        let certificate = peers::find_message(messages, "Certificate");
        let entry = Self::parse(&certificate.bytes)
            .unwrap_or_else(|| panic!("a malformed Certificate message: {certificate:02x?}"));
        Received {
            staple: entry.staple(),
            leaf: entry.der,
        }
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

interop::version_independent_tests!(TLS13);

#[test]
fn openssl_s_client_status_receives_the_exact_staple() {
    interop::openssl_s_client_status_receives_the_exact_staple(TLS13);
}

#[test]
fn openssl_s_client_rsa_leaf_gets_its_own_staple() {
    // Only RSA-PSS offered: the server must pick the RSA certificate.
    let sigalgs = ["-sigalgs", "rsa_pss_rsae_sha256"];
    let Some(run) = interop::openssl_s_client_rsa_leaf_gets_its_own_staple(TLS13, &sigalgs) else {
        return;
    };
    run.out.assert_contains("Peer signature type: RSA-PSS");
}

#[test]
fn a_delayed_answer_pauses_only_its_own_connection() {
    if interop::skip(&[]) {
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
    let it = Interop::new(TLS13, pki, server);
    let (pki, server) = (&it.pki, &it.server);

    let slow = it.s_client_spawn(&["-status"]);
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

/// A server that takes P-256 alone, and clients that send an x25519 share
/// (Go, which sends nothing else; s_client told to put X25519 first): a
/// HelloRetryRequest asks for P-256 (RFC 8446 §4.1.4), each client sends
/// its second ClientHello, and the staple arrives after the retry.
#[test]
fn real_clients_complete_a_hello_retry_and_get_the_staple() {
    if interop::skip(&[peers::GO]) {
        return;
    }
    let pki = OpensslPki::new();
    let response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let config = pki
        .config_builder(&pki.ecdsa)
        .and_then(|b| b.key_exchange_groups(&[NamedGroup::Secp256r1]))
        .and_then(|b| b.ocsp_events(true).build())
        .expect("a P-256-only config");
    let server = LoopbackServer::with_policy(
        Arc::new(config),
        AppMode::Http,
        OcspPolicy::Respond(response.clone()),
    );
    let it = Interop::new(TLS13, pki, server);
    // The server's record of the n-th connection: retried, into P-256.
    let retried = |n: usize| {
        let summary = it
            .server
            .wait_finished(n)
            .remove(n - 1)
            .summary
            .expect("completed");
        assert!(summary.hello_retry);
        assert_eq!(summary.group, Some(NamedGroup::Secp256r1));
        summary
    };

    let go = it.go(&[]);
    go.output.assert_success();
    assert_eq!(go.get(0, "version"), "TLSv1.3");
    assert_eq!(go.get(0, "ocsp"), peers::hex(&response));
    assert_eq!(go.get(0, "status_line"), "HTTP/1.1 200 OK");
    assert_eq!(retried(1).ocsp, OcspOutcome::Stapled(response.len()));

    let out = it.s_client(&["-status", "-groups", "X25519:P-256"]);
    out.assert_success();
    out.assert_contains("Server Temp Key: ECDH, prime256v1, 256 bits");
    assert_eq!(
        it.received(&out).staple.as_deref(),
        Some(&response[..]),
        "s_client's staple"
    );
    retried(2);
}

/// `openssl s_client`'s `K` command: a KeyUpdate with update_requested
/// (RFC 8446 §4.6.3). The server switches to the client's next key, answers
/// with a KeyUpdate of its own, and the page that follows arrives under the
/// server's new key. s_client reads commands only while its input is open,
/// so the shell holds it open between the command, the request and the
/// answer.
#[test]
fn openssl_s_client_key_update_is_answered() {
    let Some(it) = Interop::answering(TLS13, &[], OcspPolicy::NoResponse) else {
        return;
    };
    let script = format!(
        "(printf 'K\\n'; sleep 0.5; printf 'GET / HTTP/1.0\\r\\n\\r\\n'; sleep 1) | \
         openssl s_client -connect {} -servername localhost -CAfile {} \
         -verify_return_error -tls1_3 -msg",
        it.server.addr(),
        it.pki.ca_arg()
    );
    let out = peers::run_program(std::path::Path::new("/bin/sh"), "sh", &["-c", &script], b"");
    out.assert_success();
    out.assert_contains(">>> TLS 1.3, Handshake [length 0005], KeyUpdate");
    out.assert_contains("<<< TLS 1.3, Handshake [length 0005], KeyUpdate");
    out.assert_contains("HTTP/1.1 200 OK");
    let record = it.server.wait_finished(1).remove(0);
    assert!(record.summary.is_some(), "{record:#?}");
}

#[test]
fn echo_and_close_notify_with_rustls_over_tcp() {
    if interop::skip(&[]) {
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
    let Some((it, response)) = Interop::stapling(TLS13, &[], CertStatus::Good) else {
        return;
    };
    let server = &it.server;
    let verifier = RecordingVerifier::custom(it.pki.rustls_roots(), None);
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

    let staples = verifier.staples();
    assert_eq!(staples.len(), SEQUENTIAL);
    assert!(staples.iter().all(|s| s[..] == response[..]));
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
    if interop::skip(&[]) {
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
    // write, more than the connection buffers while paused (it takes one
    // record's worth): as many change_cipher_spec records and user_canceled
    // warnings as a server drops before the client's Finished (RFC 8446
    // §5, §6.1; each capped, MAX_COMPAT_CCS and MAX_IGNORED_ALERTS), then
    // two 16,000-byte application_data records that no key opens. The answer
    // arrives 100 ms late; the records must wait for it, then be fed in
    // order, so the server sends its flight first and fails on the first
    // of those with bad_record_mac, protected under its handshake key.
    let hello = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/client_hello/openssl_tls13_status.bin"
    ))
    .expect("the captured hello");
    const CCS: [u8; 6] = [20, 3, 3, 0, 1, 1];
    const USER_CANCELED: [u8; 7] = [21, 3, 3, 0, 2, 1, 90];
    const GARBAGE_LEN: u16 = 16_000;
    let mut flight = hello.clone();
    flight.extend_from_slice(&CCS.repeat(usize::from(stapler::MAX_COMPAT_CCS)));
    flight.extend_from_slice(&USER_CANCELED.repeat(usize::from(stapler::MAX_IGNORED_ALERTS)));
    for _ in 0..2 {
        flight.extend_from_slice(&[23, 3, 3]);
        flight.extend_from_slice(&GARBAGE_LEN.to_be_bytes());
        flight.extend(std::iter::repeat_n(0xee, usize::from(GARBAGE_LEN)));
    }
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
    // to the first that fails.
    assert_eq!(
        record.closed,
        Some(CloseReason::Error {
            error: stapler::InvalidMessage::DecryptFailed.into(),
            alert: Some(AlertDescription::BadRecordMac),
        }),
        "{record:#?}"
    );
    assert_eq!(record.summary, None);
}

/// The largest staple TLS 1.3 can carry (`MAX_STAPLE_LEN_TLS13`, which
/// fills the leaf's extensions block to its 16-bit limit) reaches Node
/// byte for byte. Node's OpenSSL takes a Certificate message of up to
/// 100 KiB; rustls takes only 64 KiB (see tests/staple_size.rs).
#[test]
fn node_receives_the_largest_staple_tls13_can_carry() {
    let staple: Vec<u8> = (0..MAX_STAPLE_LEN_TLS13).map(|i| (i % 251) as u8).collect();
    let policy = OcspPolicy::Respond(staple.clone().into());
    let Some(it) = Interop::answering(TLS13, &[peers::NODE], policy) else {
        return;
    };

    let report = it.node();

    report.output.assert_success();
    // Compared without assert_eq!, whose message would be 256 KiB of hex.
    assert!(
        report.get("ocsp_response") == peers::hex(&staple),
        "Node's staple differs"
    );
    assert_eq!(report.get("protocol"), "TLSv1.3");
    assert_eq!(report.get("authorized"), "true");
    assert_eq!(report.get("status_line"), "HTTP/1.1 200 OK");
    assert_eq!(it.summary().ocsp, OcspOutcome::Stapled(staple.len()));
}
