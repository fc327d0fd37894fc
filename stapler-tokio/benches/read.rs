//! What reading costs a server once the handshake is done: a rustls
//! client (tokio-rustls) writes 64 MiB over an in-memory duplex pipe in
//! 16 KiB writes, so full records, and the server reads it all with an
//! 8 KiB buffer (tokio's `io::copy` size), in TLS 1.3 with
//! TLS_AES_128_GCM_SHA256. Three readers in one run:
//!
//! - `stapler`: stapler-tokio's `TlsStream`;
//! - `rustls`: tokio-rustls's server stream, same certificate;
//! - `floor`: what any reader must do, with ring alone: each 16 KiB
//!   record copied in (what taking it from the pipe costs), opened in
//!   place with AES-128-GCM, and its plaintext copied out in 8 KiB pieces.
//!
//! Only the server's reading is timed: each `poll_read` of the server's
//! stream (the client runs between them, on the same thread). Rounds
//! alternate between the readers, which keeps the ratios honest on a
//! busy machine; the medians are printed.
//!
//! `cargo bench -p stapler-tokio --bench read`

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use stapler::ServerConfig;
use stapler_tokio::{Acceptor, Handler};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

const LEAF_DER: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.crt.der");
const KEY_DER: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.key.der");
const LEAF: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.crt");
const KEY: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.key");
const ROOT: &[u8] = include_bytes!("../../tests/data/pki/root-ca.crt");

/// Bytes the client sends per round.
const TOTAL: usize = 64 << 20;
/// The client's writes: one full record each.
const WRITE: usize = 16 << 10;
/// The server's read buffer.
const READ: usize = 8 << 10;
/// The duplex pipe's capacity each way.
const PIPE: usize = 256 << 10;
const ROUNDS: usize = 7;
/// The floor's distinct records, reopened in turn.
const FLOOR_RECORDS: u64 = 4;

struct NoDecisions;
impl Handler for NoDecisions {}

/// A reader whose `poll_read` time is added up.
struct Timed<R> {
    inner: R,
    spent: Duration,
}

impl<R: AsyncRead + Unpin> AsyncRead for Timed<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let start = Instant::now();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        self.spent += start.elapsed();
        result
    }
}

/// Reads `reader` to its end, then closes it; the time spent in its
/// `poll_read`.
async fn drain<R: AsyncRead + AsyncWrite + Unpin>(reader: R) -> Duration {
    let mut timed = Timed {
        inner: reader,
        spent: Duration::ZERO,
    };
    let mut buf = vec![0; READ];
    let mut got = 0;
    loop {
        let n = timed.read(&mut buf).await.expect("read");
        if n == 0 {
            break;
        }
        got += n;
    }
    assert_eq!(got, TOTAL, "every byte read");
    timed.inner.shutdown().await.expect("close_notify");
    timed.spent
}

fn client() -> tokio_rustls::TlsConnector {
    let mut provider = rustls::crypto::ring::default_provider();
    provider
        .cipher_suites
        .retain(|s| s.suite() == rustls::CipherSuite::TLS13_AES_128_GCM_SHA256);
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ROOT).expect("the test root"))
        .expect("the test root as the anchor");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// The client's side of one round: connect, send `TOTAL` bytes, close.
async fn send(connector: tokio_rustls::TlsConnector, io: tokio::io::DuplexStream) {
    let name = ServerName::try_from("localhost").expect("name");
    let mut tls = connector.connect(name, io).await.expect("client handshake");
    let chunk = vec![0x5a; WRITE];
    for _ in 0..TOTAL / WRITE {
        tls.write_all(&chunk).await.expect("write");
    }
    tls.shutdown().await.expect("close_notify");
    // The server's close_notify, so that its reply finds the pipe open.
    let mut rest = Vec::new();
    tls.read_to_end(&mut rest)
        .await
        .expect("the server's close");
}

/// One round with stapler-tokio reading.
async fn stapler_round(acceptor: &Acceptor, connector: tokio_rustls::TlsConnector) -> Duration {
    let (server_io, client_io) = tokio::io::duplex(PIPE);
    let client = tokio::spawn(send(connector, client_io));
    let tls = acceptor
        .accept(server_io, &NoDecisions)
        .await
        .expect("stapler handshake");
    let spent = drain(tls).await;
    client.await.expect("client");
    spent
}

/// One round with tokio-rustls reading.
async fn rustls_round(
    acceptor: &tokio_rustls::TlsAcceptor,
    connector: tokio_rustls::TlsConnector,
) -> Duration {
    let (server_io, client_io) = tokio::io::duplex(PIPE);
    let client = tokio::spawn(send(connector, client_io));
    let tls = acceptor.accept(server_io).await.expect("rustls handshake");
    let spent = drain(tls).await;
    client.await.expect("client");
    spent
}

/// The floor: as many full records opened in place with ring, and the
/// plaintext copied out in `READ`-byte pieces.
fn floor_round(key: &LessSafeKey, records: &[Vec<u8>]) -> Duration {
    let mut work = vec![0; WRITE + 1 + 16];
    let mut out = vec![0; READ];
    let start = Instant::now();
    for (seq, record) in (0u64..).zip(records) {
        work.copy_from_slice(record);
        let mut nonce = [0; 12];
        nonce[4..].copy_from_slice(&seq.to_be_bytes());
        let header = [23, 3, 3, 0x40, 0x11];
        let plain = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(header),
                &mut work,
            )
            .expect("open");
        for piece in plain[..WRITE].chunks(READ) {
            out[..piece.len()].copy_from_slice(piece);
            std::hint::black_box(&out);
        }
    }
    let spent = start.elapsed();
    // `records` is a slice of the round (the same sealed bytes reopened
    // under their own nonces); scale to the whole round.
    spent * u32::try_from(TOTAL / WRITE / records.len()).expect("a small ratio")
}

/// Records sealed the way a TLS 1.3 client seals 16 KiB of data, few
/// enough to stay in cache: the readers read what the client wrote into
/// the pipe just before, which is in cache too.
fn floor_records(key: &LessSafeKey) -> Vec<Vec<u8>> {
    (0u64..FLOOR_RECORDS)
        .map(|seq| {
            let mut record = vec![0x5a; WRITE];
            record.push(23); // the inner content type
            let mut nonce = [0; 12];
            nonce[4..].copy_from_slice(&seq.to_be_bytes());
            let header = [23, 3, 3, 0x40, 0x11];
            key.seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(header),
                &mut record,
            )
            .expect("seal");
            record
        })
        .collect()
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` and friends: nothing to list.
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let stapler_config = Arc::new(
        ServerConfig::builder()
            .certificate_chain(LEAF, KEY)
            .and_then(|b| b.build())
            .expect("the test leaf"),
    );
    let acceptor = Acceptor::new(stapler_config);
    let rustls_config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13])
    .expect("TLS 1.3")
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(LEAF_DER.to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(KEY_DER.to_vec())),
    )
    .expect("rustls server config");
    let rustls_acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(rustls_config));
    let connector = client();
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &[7; 16]).expect("key"));
    let records = floor_records(&key);

    let mut times = [const { Vec::new() }; 3];
    for _ in 0..ROUNDS {
        runtime.block_on(async {
            times[0].push(stapler_round(&acceptor, connector.clone()).await);
            times[1].push(rustls_round(&rustls_acceptor, connector.clone()).await);
        });
        times[2].push(floor_round(&key, &records));
    }
    let [s, r, f] = times.each_mut().map(|t| median(t));
    let mib_s = |d: Duration| (TOTAL as f64 / (1 << 20) as f64) / d.as_secs_f64();
    println!(
        "server read time for {} MiB in {} KiB reads, median of {ROUNDS}:",
        TOTAL >> 20,
        READ >> 10
    );
    println!(
        "  stapler {:7.1} ms ({:6.0} MiB/s), rustls {:7.1} ms ({:6.0} MiB/s), floor {:7.1} ms ({:6.0} MiB/s)",
        s.as_secs_f64() * 1e3,
        mib_s(s),
        r.as_secs_f64() * 1e3,
        mib_s(r),
        f.as_secs_f64() * 1e3,
        mib_s(f)
    );
    println!(
        "  stapler/floor {:.3}, rustls/floor {:.3}, stapler/rustls {:.3}",
        s.as_secs_f64() / f.as_secs_f64(),
        r.as_secs_f64() / f.as_secs_f64(),
        s.as_secs_f64() / r.as_secs_f64()
    );
}
