//! A real browser against the demo: headless Chromium (Debian's
//! `chromium`) fetches the demo's page, and the post-quantum hybrid it
//! offers first, X25519MLKEM768, is what the demo chooses (issue 13). The
//! test reads Chromium's own account of the handshake from its NetLog
//! (`key_exchange_group` of the SSL connection) and the demo's log line and
//! page.

use super::common::openssl_pki::TempDir;
use super::common::peers::{self, skip_unless_installed, CHROMIUM};
use super::{as_strs, ecdsa_chain, Demo};

/// X25519MLKEM768's code point, as Chromium's NetLog writes it.
const X25519MLKEM768: u16 = 0x11ec;

#[test]
fn headless_chromium_gets_x25519mlkem768() {
    if skip_unless_installed(&[CHROMIUM]) {
        return;
    }
    let demo = Demo::start(&as_strs(&ecdsa_chain()));
    let dir = TempDir::new("chromium");
    let net_log = dir.path().join("netlog.json");
    let profile = dir.path().join("profile");
    let url = format!("https://localhost:{}/", demo.addr.port());
    let args = [
        "--headless=new".to_string(),
        // Root in a container: Chromium's sandbox needs user namespaces.
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--no-first-run".into(),
        format!("--user-data-dir={}", profile.display()),
        // The committed test PKI's root is not in the system store.
        "--ignore-certificate-errors".into(),
        // localhost to the demo's IPv4 listener, keeping SNI localhost.
        "--host-resolver-rules=MAP localhost 127.0.0.1".into(),
        format!("--log-net-log={}", net_log.display()),
        "--dump-dom".into(),
        url,
    ];
    let out = peers::run(CHROMIUM, &as_strs(&args), b"");
    out.assert_success();
    out.assert_contains("key exchange:     X25519MLKEM768");
    let line = demo.line_with("X25519MLKEM768");
    assert!(line.contains("TLS 1.3"), "{line}");

    // Chromium's NetLog: the SSL connection's end event names the group.
    let log = std::fs::read_to_string(&net_log).expect("Chromium's NetLog");
    let needle = format!("\"key_exchange_group\":{X25519MLKEM768}");
    assert!(
        log.contains(&needle),
        "no {needle} in Chromium's NetLog ({} bytes)",
        log.len()
    );
}
