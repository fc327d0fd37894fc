//! Session resumption through the demo (tickets on by default), in TLS 1.3
//! and TLS 1.2, against openssl, gnutls-cli and Node over loopback.

use std::path::{Path, PathBuf};

use super::common::openssl_pki::{CertStatus, OpensslPki};
use super::common::peers::{self, skip_unless_installed, Output, OPENSSL};
use super::{as_strs, Demo};

/// A fresh test PKI, and a good OCSP response for its ECDSA leaf written
/// beside it.
fn pki_and_staple() -> (OpensslPki, PathBuf) {
    let pki = OpensslPki::new();
    let staple = pki.dir().join("staple.der");
    std::fs::write(&staple, pki.ocsp_response(&pki.ecdsa, CertStatus::Good)).unwrap();
    (pki, staple)
}

/// The demo's arguments for `pki`'s ECDSA chain, stapling `staple`, with
/// the ticket keys in `keys`.
fn demo_args(pki: &OpensslPki, staple: &Path, keys: &Path) -> Vec<String> {
    let path = |p: &Path| p.to_str().expect("a UTF-8 path").to_owned();
    vec![
        "--cert".to_string(),
        path(&pki.ecdsa.chain_pem),
        "--key".into(),
        path(&pki.ecdsa.key_pem),
        "--ca".into(),
        pki.ca_arg().into(),
        "--ocsp".into(),
        format!("file:{}", path(staple)),
        "--ticket-keys".into(),
        path(keys),
    ]
}

/// [`pki_and_staple`], and a demo serving that chain and staple with
/// tickets (the key file in the PKI's directory), plus `extra` arguments.
pub(super) fn ticketed_demo(extra: &[&str]) -> (OpensslPki, PathBuf, Demo) {
    let (pki, staple) = pki_and_staple();
    let keys = pki.dir().join("ticket-keys");
    let mut args = demo_args(&pki, &staple, &keys);
    args.extend(extra.iter().map(|a| a.to_string()));
    let demo = Demo::start(&as_strs(&args));
    (pki, staple, demo)
}

/// `openssl s_client` with `flags` to `demo` as `localhost`, trusting
/// `pki`'s CA, asking for the page; `sess` (`-sess_out` or `-sess_in`)
/// saves its session to `session` or resumes the one there.
fn s_client_session(
    demo: &Demo,
    pki: &OpensslPki,
    flags: &[&str],
    sess: &str,
    session: &str,
) -> Output {
    let common = [
        "-servername",
        "localhost",
        "-CAfile",
        pki.ca_arg(),
        sess,
        session,
    ];
    demo.s_client(&[flags, &common].concat(), b"GET / HTTP/1.0\r\n\r\n")
}

/// Node's `tls.connect({session})` to `demo` in `version`: the second
/// connection resumes and, by Node's rule, gets no OCSPResponse.
fn node_resumes(demo: &Demo, pki: &OpensslPki, version: &str) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/interop/resume_client.js"
    );
    let port = demo.addr.port().to_string();
    let node = peers::run(
        peers::NODE,
        &[
            script,
            "127.0.0.1",
            &port,
            pki.ca_arg(),
            "localhost",
            version,
        ],
        b"",
    );
    assert!(node.success(), "{}", node.stdout);
    for (key, value) in [
        ("first_reused", "false"),
        ("first_ocsp", "yes"),
        ("second_reused", "true"),
        ("second_ocsp", "no"),
        ("protocol", version),
    ] {
        assert!(
            node.stdout.lines().any(|l| l == format!("{key}={value}")),
            "{key}={value}: {}",
            node.stdout
        );
    }
}

/// gnutls-cli `--resume` with `priority` says the second handshake resumed.
fn gnutls_resumes(demo: &Demo, pki: &OpensslPki, priority: &str) {
    let gnutls = peers::run(
        peers::GNUTLS_CLI,
        &[
            "--priority",
            priority,
            "--x509cafile",
            pki.ca_arg(),
            "--resume",
            "-p",
            &demo.addr.port().to_string(),
            "localhost",
        ],
        b"",
    );
    assert!(
        gnutls.contains("This is a resumed session"),
        "{priority}: {}",
        gnutls.stdout
    );
}

/// Session resumption through the demo (tickets on by default): openssl
/// s_client's `-sess_out`/`-sess_in` and gnutls-cli's `--resume` resume in
/// TLS 1.3; Node resumes and, as its rule says, gets no OCSPResponse on the
/// resumed connection; and a second demo sharing the first one's
/// `--ticket-keys` file resumes the first one's sessions. (`-reconnect`
/// does not resume in TLS 1.3, against OpenSSL's own s_server either: it
/// reconnects before the tickets arrive.)
#[test]
fn sessions_resume_and_a_fleet_shares_the_ticket_keys() {
    if skip_unless_installed(&[OPENSSL, peers::NODE, peers::GNUTLS_CLI]) {
        return;
    }
    let (pki, staple) = pki_and_staple();
    let keys = pki.dir().join("ticket-keys");
    let path = |p: &Path| p.to_str().expect("a UTF-8 path").to_owned();
    let args = demo_args(&pki, &staple, &keys);
    let a = Demo::start(&as_strs(&args));
    assert!(keys.exists(), "the first demo wrote its keys");
    let b = Demo::start(&as_strs(&args));

    let session = path(&pki.dir().join("session.pem"));
    let client =
        |demo: &Demo, sess: &str| s_client_session(demo, &pki, &["-tls1_3"], sess, &session);
    let first = client(&a, "-sess_out");
    first.assert_success();
    first.assert_contains("New, TLSv1.3");
    let again = client(&a, "-sess_in");
    again.assert_success();
    again.assert_contains("Reused, TLSv1.3");
    a.line_with(" resumed=yes ");
    // The other demo, sharing the key file, resumes the same session.
    let elsewhere = client(&b, "-sess_in");
    elsewhere.assert_success();
    elsewhere.assert_contains("Reused, TLSv1.3");
    b.line_with(" resumed=yes ");

    gnutls_resumes(&a, &pki, "NORMAL");
    node_resumes(&a, &pki, "TLSv1.3");
}

/// TLS 1.2 session tickets (RFC 5077) through the demo: `-reconnect`
/// resumes five connections of six, `-sess_out`/`-sess_in` say "Reused,
/// TLSv1.2", gnutls-cli resumes with and without the extended master
/// secret, and Node's resumed connection gets no OCSPResponse.
#[test]
fn tls12_sessions_resume_from_tickets() {
    if skip_unless_installed(&[OPENSSL, peers::NODE, peers::GNUTLS_CLI]) {
        return;
    }
    let (pki, _, demo) = ticketed_demo(&[]);
    let reconnect = demo.s_client(
        &[
            "-tls1_2",
            "-servername",
            "localhost",
            "-CAfile",
            pki.ca_arg(),
            "-reconnect",
        ],
        b"GET / HTTP/1.0\r\n\r\n",
    );
    reconnect.assert_success();
    let count = |what: &str| reconnect.stdout.matches(what).count();
    assert_eq!(
        (count("New, TLSv1.2"), count("Reused, TLSv1.2")),
        (1, 5),
        "{}",
        reconnect.stdout
    );

    let session = pki.dir().join("session12.pem");
    let session = session.to_str().unwrap();
    let first = s_client_session(&demo, &pki, &["-tls1_2"], "-sess_out", session);
    first.assert_success();
    first.assert_contains("New, TLSv1.2");
    let again = s_client_session(&demo, &pki, &["-tls1_2"], "-sess_in", session);
    again.assert_success();
    again.assert_contains("Reused, TLSv1.2");
    let line = demo.line_with("TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 none resumed");
    assert!(line.contains(" resumed=yes "), "{line}");

    gnutls_resumes(&demo, &pki, "NORMAL:-VERS-ALL:+VERS-TLS1.2");
    gnutls_resumes(
        &demo,
        &pki,
        "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH",
    );
    node_resumes(&demo, &pki, "TLSv1.2");
}

/// `--psk-ke`: openssl s_client `-allow_no_dhe_kex` offers psk_ke, and
/// its resumed session goes without a key exchange (the log's group is
/// "none"); without the flag the demo resumes it with psk_dhe_ke.
#[test]
fn psk_ke_resumes_without_a_key_exchange_only_when_allowed() {
    if skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let (pki, staple) = pki_and_staple();
    for (flag, group) in [(true, "none"), (false, "x25519")] {
        let keys = pki.dir().join(format!("ticket-keys-{flag}"));
        let mut args = demo_args(&pki, &staple, &keys);
        if flag {
            args.push("--psk-ke".into());
        }
        let demo = Demo::start(&as_strs(&args));
        let session = pki.dir().join(format!("session-psk-ke-{flag}.pem"));
        let session = session.to_str().unwrap();
        let flags = ["-tls1_3", "-allow_no_dhe_kex"];
        let client = |sess: &str| s_client_session(&demo, &pki, &flags, sess, session);
        client("-sess_out").assert_contains("New, TLSv1.3");
        client("-sess_in").assert_contains("Reused, TLSv1.3");
        let line = demo.line_with(" resumed=yes ");
        assert!(
            line.contains(&format!("TLS_AES_128_GCM_SHA256 {group} resumed ")),
            "--psk-ke {flag}: {line}"
        );
    }
}

/// Resumption through a HelloRetryRequest: a demo that takes secp256r1
/// alone (`--groups secp256r1`), and s_client sending an x25519 share
/// (`-groups X25519:P-256`). Both connections are retried; the second
/// offers its ticket in both hellos, and the binder of the second hello,
/// made over message_hash(ClientHello1), the HelloRetryRequest and the
/// truncated second hello (RFC 8446 §4.2.11.2, §4.4.1), verifies: the
/// session is reused.
#[test]
fn openssl_resumes_through_a_hello_retry() {
    if skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let (pki, _, demo) = ticketed_demo(&["--groups", "secp256r1"]);
    let session = pki.dir().join("session-retry.pem");
    let session = session.to_str().unwrap();
    let client = |sess: &str| {
        let flags = ["-tls1_3", "-groups", "X25519:P-256"];
        let out = s_client_session(&demo, &pki, &flags, sess, session);
        out.assert_success();
        out.assert_contains("hello retry:      yes");
        out.assert_contains("Server Temp Key: ECDH, prime256v1, 256 bits");
        out
    };
    client("-sess_out").assert_contains("New, TLSv1.3");
    client("-sess_in").assert_contains("Reused, TLSv1.3");
    let line = demo.line_with(" resumed=yes ");
    assert!(
        line.contains("TLS 1.3 TLS_AES_128_GCM_SHA256 secp256r1 resumed "),
        "{line}"
    );
}
