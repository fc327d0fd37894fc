//! Client certificates through the demo (`--client-ca`): openssl (TLS 1.3
//! and 1.2), curl, gnutls-cli and Node present theirs (ECDSA, RSA-PSS,
//! Ed25519) and the page and log line name the client; without one,
//! `required` refuses with certificate_required in TLS 1.3 and
//! handshake_failure in TLS 1.2, which the client reports, and `optional`
//! serves it as `client=none`.

use super::common::peers::{self, skip_unless_installed, CURL, GNUTLS_CLI, NODE, OPENSSL};
use super::Demo;

pub(super) fn path(dir: &str, name: &str) -> String {
    format!("{}/tests/data/{dir}/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The demo asking for client certificates (`--client-auth optional` if
/// `optional`), and with `staples` for TLS 1.3 clients' OCSP staples too.
pub(super) fn demo(optional: bool, staples: bool) -> Demo {
    let (cert, key, ca) = (
        path("pki", "leaf-ecdsa.crt"),
        path("pki", "leaf-ecdsa.key"),
        path("client_pki", "client-ca.crt"),
    );
    let mut args = vec![
        "--cert",
        &cert,
        "--key",
        &key,
        "--ocsp",
        "none",
        "--client-ca",
        &ca,
    ];
    if optional {
        args.extend(["--client-auth", "optional"]);
    }
    if staples {
        args.push("--client-staples");
    }
    Demo::start(&args)
}

#[test]
fn real_clients_present_their_certificates() {
    if skip_unless_installed(&[OPENSSL, CURL, GNUTLS_CLI, NODE]) {
        return;
    }
    let demo = demo(false, true);
    let root = path("pki", "root-ca.crt");
    let client = |name: &str| {
        (
            path("client_pki", &format!("{name}.crt")),
            path("client_pki", &format!("{name}.key")),
        )
    };

    let (cert, key) = client("client-ecdsa");
    let out = demo.s_client(
        &[
            "-servername",
            "localhost",
            "-CAfile",
            &root,
            "-cert",
            &cert,
            "-key",
            &key,
        ],
        b"GET / HTTP/1.0\r\n\r\n",
    );
    out.assert_success();
    out.assert_contains("client:           \"client-a\"");
    // openssl was asked to staple (status_request in CertificateRequest)
    // and, like every client, did not.
    out.assert_contains("client staple:    absent");
    let line = demo.line_with(" client=\"client-a\" client_staple=absent");
    assert!(
        line.starts_with("127.0.0.1:") && line.contains("TLS 1.3"),
        "{line}"
    );

    let url = format!("https://localhost:{}/", demo.addr.port());
    let resolve = format!("localhost:{}:127.0.0.1", demo.addr.port());
    let curl = peers::run(
        CURL,
        &[
            "-s",
            "--resolve",
            &resolve,
            "--cacert",
            &root,
            "--cert",
            &cert,
            "--key",
            &key,
            &url,
        ],
        b"",
    );
    assert!(
        curl.contains("client:           \"client-a\""),
        "{}",
        curl.stdout
    );

    let (cert, key) = client("client-rsa");
    let port = demo.addr.port().to_string();
    let gnutls = peers::run(
        GNUTLS_CLI,
        &[
            "--x509cafile",
            &root,
            "--x509certfile",
            &cert,
            "--x509keyfile",
            &key,
            "-p",
            &port,
            "localhost",
        ],
        b"",
    );
    assert!(
        gnutls.contains("Handshake was completed"),
        "{}",
        gnutls.stdout
    );
    demo.line_with(" client=\"client-rsa\"");

    let (cert, key) = client("client-ed25519");
    let script = format!(
        "const tls=require('tls'),fs=require('fs');\
         const s=tls.connect({{host:'127.0.0.1',port:{port},servername:'localhost',\
         ca:fs.readFileSync({root:?}),cert:fs.readFileSync({cert:?}),key:fs.readFileSync({key:?})}},\
         ()=>s.write('GET / HTTP/1.0\\r\\n\\r\\n'));\
         let d='';s.on('data',c=>d+=c);s.on('end',()=>console.log(d));\
         s.on('error',e=>{{console.log('error '+e.message);process.exit(1)}});"
    );
    let node = peers::run(NODE, &["-e", &script], b"");
    assert!(
        node.contains("client:           \"client-ed25519\""),
        "{}",
        node.stdout
    );
}

#[test]
fn without_a_certificate_required_refuses_and_optional_serves() {
    if skip_unless_installed(&[OPENSSL]) {
        return;
    }
    let root = path("pki", "root-ca.crt");
    let args = ["-servername", "localhost", "-CAfile", root.as_str()];
    let required = demo(false, false);
    let refused = required.s_client(&args, b"GET / HTTP/1.0\r\n\r\n");
    assert!(
        refused.contains("alert certificate required") || refused.contains("alert number 116"),
        "{}",
        refused.stdout
    );
    let refused12 = required.s_client(&[&["-tls1_2"][..], &args].concat(), b"");
    assert!(
        refused12.contains("alert handshake failure") || refused12.contains("alert number 40"),
        "{}",
        refused12.stdout
    );

    let optional = demo(true, false);
    let served = optional.s_client(&args, b"GET / HTTP/1.0\r\n\r\n");
    served.assert_success();
    served.assert_contains("client:           none");
    optional.line_with(" client=none");
}
