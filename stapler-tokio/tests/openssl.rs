//! The adapter against a real peer: `openssl s_client` in both versions
//! asks for a staple, gets it (answered by async code after a delay), and
//! reads the page the server writes through the stream.
//!
//! Without `openssl` installed the test prints one line and passes, unless
//! `STAPLER_REQUIRE_PEERS=1` (as in CI) makes that a failure.

mod common;

use std::time::Duration;

use common::peers::{self, OPENSSL};
use common::{server_config, staple, StapleAfter, ROOT_PATH};
use stapler::OcspOutcome;
use stapler_tokio::Acceptor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const PAGE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 24\r\nConnection: close\r\n\r\nstapler over tokio: ok!\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_s_client_gets_the_staple_and_the_page() {
    if peers::skip_unless_installed(&[OPENSSL]) {
        return;
    }
    for version in ["-tls1_3", "-tls1_2"] {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let handler = StapleAfter {
                staple: staple("for openssl"),
                delay: Duration::from_millis(20),
            };
            let mut tls = Acceptor::new(server_config())
                .accept(tcp, &handler)
                .await
                .unwrap();
            // The request head, up to its empty line.
            let mut head = Vec::new();
            while !head.ends_with(b"\r\n\r\n") {
                let mut byte = [0];
                tls.read_exact(&mut byte).await.unwrap();
                head.push(byte[0]);
            }
            tls.write_all(PAGE).await.unwrap();
            tls.shutdown().await.unwrap();
            tls.summary().clone()
        });
        let out = tokio::task::spawn_blocking(move || {
            let args = [
                "s_client",
                "-connect",
                &addr,
                "-servername",
                "localhost",
                "-verify_hostname",
                "localhost",
                "-CAfile",
                ROOT_PATH,
                "-verify_return_error",
                "-status",
                "-ign_eof",
                version,
            ];
            peers::run(OPENSSL, &args, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        })
        .await
        .unwrap();
        out.assert_success();
        out.assert_contains("Verify return code: 0 (ok)");
        out.assert_contains("stapler over tokio: ok!");
        // s_client shows what was stapled (it does not parse as OCSP: the
        // bytes are a stand-in), not "no response sent".
        out.assert_contains("OCSP response:");
        out.assert_lacks("no response sent");
        let summary = server.await.unwrap();
        assert_eq!(
            summary.ocsp,
            OcspOutcome::Stapled(staple("for openssl").len())
        );
    }
}
