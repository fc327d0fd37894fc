//! Go's crypto/tls client (tests/data/interop/go_client.go, built with
//! Debian's golang-go) against the demo, in TLS 1.3 and TLS 1.2: it
//! verifies the chain, receives the staple, negotiates ALPN, resumes the
//! next connection from its ticket (through a HelloRetryRequest too, where
//! Debian's Go computes a wrong PSK binder and the demo must refuse it),
//! and presents ECDSA, RSA and Ed25519 client certificates; without one it
//! reports the alert the version calls for.

use super::client_auth::{demo as client_auth_demo, path};
use super::common::clients::go_client;
use super::common::peers::{self, skip_unless_installed, GO};
use super::resumption::ticketed_demo;

/// A version as the demo's log and the Go client name it.
struct GoVersion {
    flag: &'static str,
    go_name: &'static str,
    log_name: &'static str,
    suite: &'static str,
    /// The group the demo logs for a resumed handshake: TLS 1.3 resumes
    /// with psk_dhe_ke, TLS 1.2's abbreviated handshake makes no exchange.
    resumed_group: &'static str,
}

const TLS13: GoVersion = GoVersion {
    flag: "1.3",
    go_name: "TLSv1.3",
    log_name: "TLS 1.3 ",
    suite: "TLS_AES_128_GCM_SHA256",
    resumed_group: "x25519",
};
const TLS12: GoVersion = GoVersion {
    flag: "1.2",
    go_name: "TLSv1.2",
    log_name: "TLS 1.2 ",
    suite: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    resumed_group: "none",
};

/// Two connections from one Go client per version: the first is a full
/// handshake with the demo's staple and http/1.1 by ALPN; the second
/// resumes, and the demo raised no OCSP request for it (a resumed
/// handshake sends no certificate). Go keeps a session's staple with the
/// session, so it reports the first connection's staple on the second too.
#[test]
fn go_gets_the_staple_and_resumes() {
    if skip_unless_installed(&[GO]) {
        return;
    }
    let (pki, staple, demo) = ticketed_demo(&[]);
    let staple = peers::hex(&std::fs::read(&staple).expect("the staple file"));
    let addr = demo.addr.to_string();

    for v in [TLS13, TLS12] {
        let go = go_client(
            &addr,
            pki.ca_arg(),
            &["-version", v.flag, "-connections", "2", "-alpn", "http/1.1"],
        );
        go.output.assert_success();
        for (index, resumed) in [(0, "false"), (1, "true")] {
            assert_eq!(go.get(index, "version"), v.go_name);
            assert_eq!(go.get(index, "cipher"), v.suite);
            assert_eq!(go.get(index, "resumed"), resumed);
            assert_eq!(go.get(index, "ocsp"), staple);
            assert_eq!(go.get(index, "verified"), "1");
            assert_eq!(go.get(index, "alpn"), "http/1.1");
            assert_eq!(go.get(index, "status_line"), "HTTP/1.1 200 OK");
            assert_eq!(go.get(index, "end"), "ok");
        }
        let full = demo.line_with(&format!(
            "{}{} x25519 ecdsa_secp256r1_sha256 ",
            v.log_name, v.suite
        ));
        assert!(
            full.contains(" resumed=no ") && full.contains(" ocsp=stapled "),
            "{full}"
        );
        let resumed = demo.line_with(&format!(
            "{}{} {} resumed ",
            v.log_name, v.suite, v.resumed_group
        ));
        assert!(
            resumed.contains(" resumed=yes ")
                && resumed.contains(" ocsp_requested=no ")
                && resumed.contains(" alpn=\"http/1.1\" "),
            "{resumed}"
        );
    }
}

/// A demo that takes secp256r1 alone (`--groups secp256r1`) and Go, which
/// sends an x25519 share only: each hello gets a HelloRetryRequest (RFC
/// 8446 §4.1.4), and the second connection offers its ticket in both
/// hellos, the binder of the second made over the retry's transcript
/// (§4.2.11.2).
///
/// Go 1.19.6 to 1.19.8 and 1.20.1 to 1.20.3 compute that binder wrongly
/// (golang/go#59424; Debian 12 ships 1.19.8). A server must then abort
/// (§4.2.11: "If this value is not present or does not validate, the
/// server MUST abort the handshake"), with decrypt_error (§6.2), as
/// OpenSSL's s_server also refuses it. Any other Go resumes. The same
/// resumption through a retry with a client that gets the binder right
/// (openssl s_client) is in `resumption`.
#[test]
fn go_resumes_through_a_hello_retry_unless_its_binder_is_wrong() {
    if skip_unless_installed(&[GO]) {
        return;
    }
    let (pki, _, demo) = ticketed_demo(&["--groups", "secp256r1"]);

    let go = go_client(
        &demo.addr.to_string(),
        pki.ca_arg(),
        &["-version", "1.3", "-connections", "2"],
    );
    assert_eq!(go.get(0, "version"), "TLSv1.3");
    assert_eq!(go.get(0, "resumed"), "false");
    assert_eq!(go.get(0, "status_line"), "HTTP/1.1 200 OK");
    go.assert_line(0, "page", "hello retry:      yes");
    let full = demo.line_with("TLS 1.3 TLS_AES_128_GCM_SHA256 secp256r1 ecdsa_secp256r1_sha256 ");
    assert!(full.contains(" resumed=no "), "{full}");

    let version = peers::run(GO, &["version"], b"");
    if go_binder_after_retry_is_wrong(&version.stdout) {
        go.output.assert_failure();
        assert_eq!(
            go.get(1, "error"),
            "remote error: tls: error decrypting message"
        );
        demo.line_with("error: invalid message from peer: a PSK binder does not match (sent alert decrypt_error)");
    } else {
        go.output.assert_success();
        assert_eq!(go.get(1, "resumed"), "true");
        go.assert_line(1, "page", "hello retry:      yes");
        let resumed = demo.line_with("TLS 1.3 TLS_AES_128_GCM_SHA256 secp256r1 resumed ");
        assert!(resumed.contains(" resumed=yes "), "{resumed}");
    }
}

/// Whether `go version` printed a release whose client gets the PSK binder
/// after a HelloRetryRequest wrong (golang/go#59424): 1.19.6 to 1.19.8,
/// 1.20.1 to 1.20.3.
fn go_binder_after_retry_is_wrong(go_version: &str) -> bool {
    let release = go_version
        .split_whitespace()
        .find_map(|word| word.strip_prefix("go1."))
        .unwrap_or_else(|| panic!("no Go release in {go_version:?}"));
    let mut parts = release.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
    let (minor, patch) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    matches!((minor, patch), (19, 6..=8) | (20, 1..=3))
}

#[test]
fn go_releases_with_the_binder_bug_are_known() {
    assert!(go_binder_after_retry_is_wrong(
        "go version go1.19.8 linux/amd64"
    ));
    assert!(go_binder_after_retry_is_wrong(
        "go version go1.20.1 linux/arm64"
    ));
    assert!(!go_binder_after_retry_is_wrong(
        "go version go1.19.5 linux/amd64"
    ));
    assert!(!go_binder_after_retry_is_wrong(
        "go version go1.20.4 linux/amd64"
    ));
    assert!(!go_binder_after_retry_is_wrong(
        "go version go1.24.2 linux/amd64"
    ));
}

/// Go presents an ECDSA client certificate in TLS 1.3, an RSA one in
/// TLS 1.2 and an Ed25519 one in TLS 1.3, and the demo names each client.
/// Without a certificate, Go reports certificate_required in TLS 1.3 and
/// handshake_failure in TLS 1.2 (RFC 8446 §4.4.2.4, RFC 5246 §7.4.6).
#[test]
fn go_presents_client_certificates() {
    if skip_unless_installed(&[GO]) {
        return;
    }
    // No --client-staples: the CertificateRequest asks for no staple, and
    // the log says nothing of one.
    let demo = client_auth_demo(false, false);
    let addr = demo.addr.to_string();
    let root = path("pki", "root-ca.crt");

    for (name, subject, v) in [
        ("client-ecdsa", "client-a", TLS13),
        ("client-rsa", "client-rsa", TLS12),
        ("client-ed25519", "client-ed25519", TLS13),
    ] {
        let (cert, key) = (
            path("client_pki", &format!("{name}.crt")),
            path("client_pki", &format!("{name}.key")),
        );
        let go = go_client(
            &addr,
            &root,
            &["-version", v.flag, "-cert", &cert, "-key", &key],
        );
        go.output.assert_success();
        assert_eq!(go.get(0, "version"), v.go_name);
        assert_eq!(go.get(0, "status_line"), "HTTP/1.1 200 OK");
        let line = demo.line_with(&format!(" client=\"{subject}\""));
        assert!(line.contains(v.log_name), "{line}");
        assert!(!line.contains("client_staple="), "{line}");
    }

    for (v, alert) in [
        (TLS13, "certificate required"),
        (TLS12, "handshake failure"),
    ] {
        let go = go_client(&addr, &root, &["-version", v.flag]);
        go.output.assert_failure();
        go.output
            .assert_contains(&format!("error=remote error: tls: {alert}"));
    }
}
