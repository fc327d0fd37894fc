//! Real browsers against the demo: headless Chromium (Debian's
//! `chromium`) and Firefox ESR fetch the demo's page, and the post-quantum
//! hybrid they offer first, X25519MLKEM768, is what the demo chooses (issue
//! 13). Chromium's own account of the handshake is read from its NetLog
//! (`key_exchange_group` of the SSL connection); Firefox's from the demo's
//! log line and a screenshot of the page it loaded.

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

/// Firefox ESR, headless, loads the demo's page into a screenshot, in a
/// profile whose NSS database trusts the committed test root. Firefox
/// offers X25519MLKEM768 with a share (`security.tls.enable_kyber`, on by
/// default), and the demo's log line says it was chosen; a screenshot
/// written means the page loaded over that connection.
#[test]
fn headless_firefox_gets_x25519mlkem768() {
    use super::common::peers::{CERTUTIL, FIREFOX};
    if skip_unless_installed(&[FIREFOX, CERTUTIL]) {
        return;
    }
    let demo = Demo::start(&as_strs(&ecdsa_chain()));
    let dir = TempDir::new("firefox");
    let profile = dir.path().join("profile");
    std::fs::create_dir_all(&profile).unwrap();
    let db = format!("sql:{}", profile.display());
    peers::run(CERTUTIL, &["-N", "-d", &db, "--empty-password"], b"").assert_success();
    let root = super::pki_file("root-ca.crt");
    peers::run(
        CERTUTIL,
        &[
            "-A",
            "-d",
            &db,
            "-n",
            "stapler test root",
            "-t",
            "C,,",
            "-i",
            &root,
        ],
        b"",
    )
    .assert_success();
    // Never the network: no updates, telemetry or captive-portal probes.
    std::fs::write(
        profile.join("user.js"),
        "user_pref(\"app.update.enabled\", false);\n\
         user_pref(\"network.captive-portal-service.enabled\", false);\n\
         user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);\n\
         user_pref(\"browser.shell.checkDefaultBrowser\", false);\n\
         user_pref(\"network.dns.localDomains\", \"localhost\");\n",
    )
    .unwrap();
    let shot = dir.path().join("page.png");
    let url = format!("https://localhost:{}/", demo.addr.port());
    let args = [
        "--headless".to_string(),
        "--no-remote".into(),
        "--profile".into(),
        profile.display().to_string(),
        "--screenshot".into(),
        shot.display().to_string(),
        url,
    ];
    let out = peers::run(FIREFOX, &as_strs(&args), b"");
    out.assert_success();
    assert!(shot.exists(), "no screenshot: {}", out.stderr);
    let line = demo.line_with("X25519MLKEM768");
    assert!(line.contains("TLS 1.3"), "{line}");
}
