//! stapler over tokio: an HTTPS server that answers every request with the
//! demo server's page (what the handshake agreed on), its OCSP requests
//! answered by async code from a staple file.
//!
//! ```sh
//! cargo run -p stapler-tokio --example tokio_server -- 127.0.0.1:8443 [STAPLE.der]
//! curl --cacert tests/data/pki/root-ca.crt --resolve localhost:8443:127.0.0.1 https://localhost:8443/
//! ```
//!
//! It serves the test leaf of tests/data/pki (localhost), so a client must
//! trust tests/data/pki/root-ca.crt. With a staple file, each client that
//! asks gets it, read fresh per request (the demo server's OCSP cache does
//! the real work; `stapler_tokio::CacheHandler` answers from one).

use std::fmt::Write as _;
use std::sync::Arc;

use stapler::{Completion, HandshakeSummary, OcspRequest, ServerConfig};
use stapler_tokio::{Acceptor, Handler};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const LEAF: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.crt");
const LEAF_KEY: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.key");
const ROOT: &[u8] = include_bytes!("../../tests/data/pki/root-ca.crt");

/// The longest request head read before answering.
const MAX_HEAD: usize = 8 * 1024;

/// Staples the file's bytes, read when a client asks.
struct StapleFile(Option<String>);

impl Handler for StapleFile {
    async fn ocsp(&self, request: OcspRequest) -> Completion {
        let staple = match &self.0 {
            Some(path) => tokio::fs::read(path).await.ok().map(Into::into),
            None => None,
        };
        request.answer(staple)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8443".into());
    let handler = Arc::new(StapleFile(args.next()));
    let config = ServerConfig::builder()
        .certificate_chain(LEAF, LEAF_KEY)?
        .ca_certificates(ROOT)?
        .ocsp_events(true)
        .alpn_protocols(["http/1.1"])?
        .build()?;
    let acceptor = Acceptor::new(Arc::new(config));
    let listener = TcpListener::bind(&addr).await?;
    println!("stapler over tokio on https://{addr}/ (the test leaf for localhost)");
    loop {
        let (tcp, peer) = listener.accept().await?;
        let (acceptor, handler) = (acceptor.clone(), handler.clone());
        tokio::spawn(async move {
            if let Err(e) = serve(&acceptor, &handler, tcp).await {
                println!("{peer}: {e}");
            }
        });
    }
}

async fn serve(
    acceptor: &Acceptor,
    handler: &StapleFile,
    tcp: tokio::net::TcpStream,
) -> std::io::Result<()> {
    let mut tls = acceptor.accept(tcp, handler).await?;
    let mut head = Vec::new();
    let mut chunk = [0; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let n = tls.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&chunk[..n]);
    }
    let body = page(tls.summary());
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    tls.write_all(response.as_bytes()).await?;
    tls.shutdown().await
}

/// The demo server's page: what the handshake agreed on.
fn page(s: &HandshakeSummary) -> String {
    let mut page = String::from("Hello from stapler, a sans-IO TLS server (over tokio).\n\n");
    let none = |what: &str| format!("none ({what})");
    let _ = writeln!(page, "version:          {:?}", s.version);
    let _ = writeln!(page, "cipher suite:     {}", s.cipher_suite);
    let group = s.group.map_or_else(|| none("resumed"), |g| g.to_string());
    let _ = writeln!(page, "key exchange:     {group}");
    let scheme = s
        .signature_scheme
        .map_or_else(|| none("resumed"), |scheme| scheme.to_string());
    let _ = writeln!(page, "signature scheme: {scheme}");
    let alpn = s.alpn_protocol.as_deref().map_or_else(
        || "(none)".into(),
        |p| String::from_utf8_lossy(p).into_owned(),
    );
    let _ = writeln!(page, "ALPN:             {alpn}");
    let _ = writeln!(
        page,
        "SNI:              {}",
        s.server_name.as_deref().unwrap_or("(none)")
    );
    let _ = writeln!(
        page,
        "hello retry:      {}",
        if s.hello_retry { "yes" } else { "no" }
    );
    let _ = writeln!(page, "OCSP:             {:?}", s.ocsp);
    let _ = writeln!(page, "resumed:          {:?}", s.resumption);
    page
}
