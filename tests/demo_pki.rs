//! The demo server's throwaway PKI (examples/demo_pki), checked by the
//! openssl command-line tool: both certificates parse, the leaf verifies
//! against the CA for localhost and 127.0.0.1, and the OCSP response
//! verifies and says the leaf is good. Then stapler itself loads the
//! material and staples the response to a rustls client.

#[path = "../examples/demo_pki/mod.rs"]
mod demo_pki;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs()
}

/// Whether the openssl binary can be run at all. CI installs it; elsewhere
/// the openssl checks are skipped with a message, never silently.
fn have_openssl() -> bool {
    match Command::new("openssl").arg("version").output() {
        Ok(out) if out.status.success() => true,
        _ => {
            eprintln!(
                "SKIPPED: the `openssl` binary is not installed; demo PKI not checked by openssl"
            );
            false
        }
    }
}

/// A fresh directory for this test's files.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stapler-demo-pki-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn openssl(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    let text = format!(
        "openssl {}\n--- stdout\n{}\n--- stderr\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn openssl_accepts_certificates_and_ocsp_response() {
    if !have_openssl() {
        return;
    }
    let pki = demo_pki::generate(now());
    let dir = scratch_dir("openssl");
    std::fs::write(dir.join("ca.pem"), &pki.ca_pem).unwrap();
    std::fs::write(dir.join("leaf.pem"), &pki.leaf_pem).unwrap();
    std::fs::write(dir.join("chain.pem"), &pki.leaf_chain_pem).unwrap();
    std::fs::write(dir.join("resp.der"), &pki.ocsp_response_der).unwrap();
    std::fs::write(dir.join("leaf.key.der"), &pki.leaf_key_pkcs8_der).unwrap();

    let ca = stdout(&openssl(
        &dir,
        &["x509", "-in", "ca.pem", "-noout", "-text"],
    ));
    assert!(
        ca.contains("Issuer: O = stapler demo, CN = stapler demo CA"),
        "{ca}"
    );
    assert!(
        ca.contains("Subject: O = stapler demo, CN = stapler demo CA"),
        "{ca}"
    );
    assert!(ca.contains("CA:TRUE"), "{ca}");
    assert!(ca.contains("ecdsa-with-SHA256"), "{ca}");
    assert!(ca.contains("prime256v1"), "{ca}");

    let leaf = stdout(&openssl(
        &dir,
        &["x509", "-in", "leaf.pem", "-noout", "-text"],
    ));
    assert!(
        leaf.contains("Subject: O = stapler demo, CN = localhost"),
        "{leaf}"
    );
    assert!(leaf.contains("CA:FALSE"), "{leaf}");
    assert!(
        leaf.contains("DNS:localhost, IP Address:127.0.0.1"),
        "{leaf}"
    );
    assert!(
        leaf.contains(&format!("OCSP - URI:{}", demo_pki::OCSP_URL)),
        "{leaf}"
    );
    assert!(leaf.contains("TLS Web Server Authentication"), "{leaf}");

    // The key is the leaf's: both give the same public key.
    let from_cert = stdout(&openssl(
        &dir,
        &["x509", "-in", "leaf.pem", "-noout", "-pubkey"],
    ));
    let from_key = stdout(&openssl(
        &dir,
        &["pkey", "-inform", "DER", "-in", "leaf.key.der", "-pubout"],
    ));
    assert_eq!(from_cert, from_key);

    let verified = stdout(&openssl(
        &dir,
        &[
            "verify",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "sslserver",
            "-verify_hostname",
            "localhost",
            "-verify_ip",
            "127.0.0.1",
            "leaf.pem",
        ],
    ));
    assert_eq!(verified.trim(), "leaf.pem: OK");

    let out = openssl(
        &dir,
        &[
            "ocsp",
            "-respin",
            "resp.der",
            "-resp_text",
            "-issuer",
            "ca.pem",
            "-cert",
            "leaf.pem",
            "-CAfile",
            "ca.pem",
        ],
    );
    let text = stdout(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Response verify OK"), "{stderr}\n{text}");
    assert!(text.contains("leaf.pem: good"), "{text}");
    assert!(
        text.contains("OCSP Response Status: successful (0x0)"),
        "{text}"
    );
    assert!(text.contains("Responder Id: "), "{text}");
    assert!(text.contains("Hash Algorithm: sha1"), "{text}");
    assert!(text.contains("Next Update: "), "{text}");
    // Version v1 is the DEFAULT and must be left out of DER; openssl prints
    // it either way, so check the bytes: ResponseData starts with the
    // responderID's [2] tag, not a [0] version.
    assert!(text.contains("Version: 1 (0x0)"), "{text}");
    let response_data = pki
        .ocsp_response_der
        .windows(2)
        .position(|w| w == [0xa2, 0x16])
        .expect("a byKey responder ID of 20 bytes");
    assert_eq!(
        pki.ocsp_response_der[response_data + 2..][..2],
        [0x04, 0x14]
    );

    // What a TLS client checking the staple with OpenSSL has: the chain
    // the server sent and its own trust store (curl --cert-status calls
    // OCSP_basic_verify with exactly these). The signer must be found in
    // the chain, which is why the CA is in it.
    let out = openssl(
        &dir,
        &[
            "ocsp",
            "-respin",
            "resp.der",
            "-CAfile",
            "ca.pem",
            "-verify_other",
            "chain.pem",
            "-issuer",
            "ca.pem",
            "-cert",
            "leaf.pem",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Response verify OK"), "{stderr}");
    assert!(stdout(&out).contains("leaf.pem: good"), "{}", stdout(&out));

    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_freshness_window_is_seven_days_from_now() {
    if !have_openssl() {
        return;
    }
    // A fixed date, so that the printed times are known.
    let pki = demo_pki::generate(1_767_225_600); // 2026-01-01T00:00:00Z
    let dir = scratch_dir("dates");
    std::fs::write(dir.join("ca.pem"), &pki.ca_pem).unwrap();
    std::fs::write(dir.join("leaf.pem"), &pki.leaf_pem).unwrap();
    std::fs::write(dir.join("resp.der"), &pki.ocsp_response_der).unwrap();
    let text = stdout(&openssl(
        &dir,
        &["ocsp", "-respin", "resp.der", "-resp_text", "-noverify"],
    ));
    assert!(
        text.contains("Produced At: Jan  1 00:00:00 2026 GMT"),
        "{text}"
    );
    assert!(
        text.contains("This Update: Jan  1 00:00:00 2026 GMT"),
        "{text}"
    );
    assert!(
        text.contains("Next Update: Jan  8 00:00:00 2026 GMT"),
        "{text}"
    );
    let leaf = stdout(&openssl(
        &dir,
        &["x509", "-in", "leaf.pem", "-noout", "-dates"],
    ));
    assert!(
        leaf.contains("notBefore=Dec 31 23:00:00 2025 GMT"),
        "{leaf}"
    );
    assert!(leaf.contains("notAfter=Jan 31 00:00:00 2026 GMT"), "{leaf}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stapler_loads_the_material_and_finds_the_issuer() {
    let pki = demo_pki::generate(now());
    let config = stapler::ServerConfig::builder()
        .certificate_chain(pki.leaf_chain_pem.as_bytes(), &pki.leaf_key_pkcs8_der)
        .unwrap()
        .ca_certificates(pki.ca_pem.as_bytes())
        .unwrap()
        .ocsp_events(true)
        .build()
        .unwrap();
    let cert = &config.certificates()[0];
    assert_eq!(cert.leaf_der().as_ref(), pki.leaf_der.as_slice());
    // The chain sent is the leaf and the CA (see DemoPki::leaf_chain_pem).
    assert_eq!(cert.chain().len(), 2);
    assert_eq!(cert.chain()[1].as_ref(), pki.ca_der.as_slice());
    assert_eq!(
        cert.issuer_der().map(|b| b.as_ref()),
        Some(pki.ca_der.as_slice())
    );
    assert_eq!(cert.leaf().ocsp_urls(), [demo_pki::OCSP_URL]);
    assert_eq!(cert.leaf().dns_names(), ["localhost"]);
    assert_eq!(
        cert.leaf().ip_addresses(),
        [std::net::IpAddr::from([127, 0, 0, 1])]
    );
    assert!(cert.leaf().is_valid_at(now()));
    assert!(!cert.leaf().must_staple());
}
