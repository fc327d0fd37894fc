//! Live checks against the installed `openssl`: its responder reads our
//! requests, nonce included, and answers with responses we verify.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use stapler::ocsp::{CertId, CertStatus, Nonce, OcspQuery, OcspResponse, VerifyOptions};

use super::{ca, cert, data_dir, peers};

// ---------------------------------------------------------------- openssl live

/// Whether the live openssl checks run. As for every interop test, a
/// missing `openssl` fails the test, naming the Debian package to install;
/// only `STAPLER_SKIP_INTEROP=1` skips them.
fn have_openssl() -> bool {
    !peers::skip_unless_installed(&[peers::OPENSSL])
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stapler-ocsp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["index.txt", "ca.crt", "ca.key"] {
        std::fs::copy(data_dir().join(file), dir.join(file)).unwrap();
    }
    dir
}

fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "openssl {}\n--- stdout\n{stdout}\n--- stderr\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn openssl_answers_our_requests() {
    if !have_openssl() {
        return;
    }
    let dir = scratch_dir("responder");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for (leaf_name, expected) in [
        ("leaf-good", "good"),
        ("leaf-revoked", "revoked"),
        ("leaf-unknown", "unknown"),
    ] {
        let leaf = cert(leaf_name);
        let nonce = Nonce::random().unwrap();
        let query = OcspQuery::with_nonce(CertId::sha1(&leaf, &ca()).unwrap(), nonce.clone());
        std::fs::write(dir.join("ours.der"), query.der()).unwrap();

        // openssl reads our request and sees our nonce...
        let text = openssl(&dir, &["ocsp", "-reqin", "ours.der", "-req_text"]);
        let hex: String = nonce
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        assert!(text.contains("OCSP Nonce"), "{text}");
        assert!(text.replace([' ', '\n'], "").contains(&hex), "{text}");

        // ...its responder answers it, echoing the nonce...
        openssl(
            &dir,
            &[
                "ocsp",
                "-index",
                "index.txt",
                "-CA",
                "ca.crt",
                "-rsigner",
                "ca.crt",
                "-rkey",
                "ca.key",
                "-reqin",
                "ours.der",
                "-respout",
                "resp.der",
                "-ndays",
                "1",
            ],
        );
        // ...and the answer verifies, nonce included.
        let response = OcspResponse::parse(std::fs::read(dir.join("resp.der")).unwrap()).unwrap();
        let verified = response
            .verify(&leaf, &ca(), now, &VerifyOptions::new().nonce(nonce))
            .unwrap_or_else(|e| panic!("{leaf_name}: {e}"));
        let status = match verified.status {
            CertStatus::Good => "good",
            CertStatus::Revoked { .. } => "revoked",
            CertStatus::Unknown => "unknown",
        };
        assert_eq!(status, expected, "{leaf_name}");
        assert!(verified.valid_until > now && verified.valid_until <= now + 86_400 + 60);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
