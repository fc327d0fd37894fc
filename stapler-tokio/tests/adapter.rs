//! The adapter on tokio's runtime against the rustls client through
//! tokio-rustls: handshakes in both versions over TCP with the staple
//! answered after a delay, data both ways and close_notify; a peer that
//! stalls and an answer that never comes, each a typed timeout; a refused
//! handshake; and 10,000 concurrent handshakes on one runtime.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{client, connect, server_config, staple, Defaults, NeverAnswers, StapleAfter};
use stapler::{CloseReason, OcspOutcome, ProtocolVersion};
use stapler_tokio::{Acceptor, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn typed(e: &std::io::Error) -> &Error {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<Error>())
        .unwrap_or_else(|| panic!("not a stapler_tokio::Error: {e:?}"))
}

#[tokio::test]
async fn both_versions_over_tcp_with_a_late_staple_data_and_close_notify() {
    for tls13 in [true, false] {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let acceptor = Acceptor::new(server_config());
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let handler = StapleAfter {
                staple: staple("late"),
                delay: Duration::from_millis(50),
            };
            let mut tls = acceptor.accept(tcp, &handler).await.unwrap();
            let summary = tls.summary().clone();
            let mut request = vec![0; 5];
            tls.read_exact(&mut request).await.unwrap();
            tls.write_all(&request.repeat(1000)).await.unwrap();
            tls.shutdown().await.unwrap();
            (summary, request)
        });
        let (connector, verifier) = client(tls13);
        let tcp = TcpStream::connect(addr).await.unwrap();
        let mut tls = connect(&connector, tcp).await.unwrap();
        tls.write_all(b"hello").await.unwrap();
        let mut echoed = Vec::new();
        // close_notify ends the stream cleanly: read_to_end sees Ok.
        tls.read_to_end(&mut echoed).await.unwrap();
        assert_eq!(echoed, b"hello".repeat(1000));
        let (summary, request) = server.await.unwrap();
        assert_eq!(request, b"hello");
        let version = if tls13 {
            ProtocolVersion::Tls13
        } else {
            ProtocolVersion::Tls12
        };
        assert_eq!(summary.version, version);
        assert_eq!(summary.ocsp, OcspOutcome::Stapled(staple("late").len()));
        assert_eq!(verifier.last_staple(), Some(staple("late")));
    }
}

#[tokio::test]
async fn a_peer_that_stalls_mid_handshake_times_out() {
    let (server_io, mut client_io) = tokio::io::duplex(1 << 16);
    let acceptor = Acceptor::new(server_config()).handshake_timeout(Duration::from_millis(200));
    // Half a ClientHello, then nothing.
    client_io
        .write_all(&[22, 3, 1, 0, 200, 1, 0])
        .await
        .unwrap();
    let started = Instant::now();
    let e = acceptor
        .accept(server_io, &NeverAnswers)
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
    assert!(matches!(typed(&e), Error::HandshakeTimeout(_)));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn an_answer_that_never_comes_times_out() {
    let (server_io, client_io) = tokio::io::duplex(1 << 16);
    let acceptor = Acceptor::new(server_config()).handshake_timeout(Duration::from_millis(200));
    let (connector, _) = client(true);
    let client = tokio::spawn(async move { connect(&connector, client_io).await.map(|_| ()) });
    let e = acceptor
        .accept(server_io, &NeverAnswers)
        .await
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(typed(&e), Error::HandshakeTimeout(_)));
    // The transport is dropped with the handshake: the client fails too.
    assert!(client.await.unwrap().is_err());
}

#[tokio::test]
async fn a_refused_handshake_is_closed_with_its_reason() {
    let (server_io, mut client_io) = tokio::io::duplex(1 << 16);
    let acceptor = Acceptor::new(server_config());
    // Not TLS at all.
    client_io
        .write_all(b"GET / HTTP/1.1\r\n\r\n")
        .await
        .unwrap();
    let e = acceptor
        .accept(server_io, &NeverAnswers)
        .await
        .map(|_| ())
        .unwrap_err();
    let Error::Closed(CloseReason::Error { alert, .. }) = typed(&e) else {
        panic!("{e:?}");
    };
    assert!(alert.is_some(), "an alert was sent");
}

/// Resident memory of this process, in KiB (Linux).
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_handshakes_with_late_staples() {
    const CONNECTIONS: usize = 10_000;
    // Every handshake starts at once and two cores do them all (in a
    // debug build, some 20 s of work): the timeout is the run's, not a
    // handshake's.
    let acceptor =
        Arc::new(Acceptor::new(server_config()).handshake_timeout(Duration::from_secs(300)));
    let (connector, _) = client(true);
    let before = rss_kib();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(CONNECTIONS);
    for i in 0..CONNECTIONS {
        let (server_io, client_io) = tokio::io::duplex(1 << 14);
        let acceptor = acceptor.clone();
        let connector = connector.clone();
        tasks.push(tokio::spawn(async move {
            // A delay from 0 to 49 ms, spread over the connections.
            let handler = StapleAfter {
                staple: staple("many"),
                delay: Duration::from_millis((i * 7919 % 50) as u64),
            };
            let server = async {
                let mut tls = acceptor.accept(server_io, &handler).await?;
                let mut byte = [0];
                tls.read_exact(&mut byte).await?;
                tls.write_all(&byte).await?;
                tls.shutdown().await?;
                Ok::<_, std::io::Error>(tls.summary().clone())
            };
            let client = async {
                let mut tls = connect(&connector, client_io).await?;
                tls.write_all(&[i as u8]).await?;
                let mut back = Vec::new();
                tls.read_to_end(&mut back).await?;
                Ok::<_, std::io::Error>(back == [i as u8])
            };
            let (server, client) = tokio::join!(server, client);
            (server, client)
        }));
    }
    let mut failures = 0;
    let mut resumed = 0;
    let mut peak = before;
    for task in tasks {
        let (server, client) = task.await.unwrap();
        // The client keeps the tickets it is given, so later connections
        // resume, and a resumed session raises no OCSP request.
        let stapled = match &server {
            Ok(s) if s.resumption.is_some() => {
                resumed += 1;
                s.ocsp == OcspOutcome::NotRequested
            }
            Ok(s) => matches!(s.ocsp, OcspOutcome::Stapled(_)),
            Err(_) => false,
        };
        let ok = stapled && matches!(client, Ok(true));
        if !ok && failures == 0 {
            eprintln!("first failure: server {server:?}, client {client:?}");
        }
        failures += usize::from(!ok);
        peak = peak.max(rss_kib());
    }
    let after = rss_kib();
    eprintln!(
        "{CONNECTIONS} concurrent handshakes ({resumed} resumed) in {:?}: {failures} failures; RSS {before:?} KiB \
         before, {peak:?} at the most while they finished, {after:?} after",
        started.elapsed()
    );
    assert_eq!(failures, 0);
    // Bounded: 10,000 connections, each with its client, in well under a
    // gigabyte.
    if let (Some(before), Some(peak)) = (before, peak) {
        assert!(peak - before < 1 << 20, "{} KiB", peak - before);
    }
}

#[tokio::test]
async fn a_half_closed_stream_reads_to_its_end_and_still_writes() {
    let config = Arc::new(
        stapler::ServerConfig::builder()
            .certificate_chain(
                include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"),
                include_bytes!("../../tests/data/pki/leaf-ecdsa.key"),
            )
            .unwrap()
            .half_close(true)
            .build()
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = Acceptor::new(config)
            .accept(tcp, &NeverAnswers)
            .await
            .unwrap();
        // The whole request, up to the client's close_notify.
        let mut request = Vec::new();
        tls.read_to_end(&mut request).await.unwrap();
        // Its side is closed; this one still sends.
        tls.write_all(b"answer to: ").await.unwrap();
        tls.write_all(&request).await.unwrap();
        tls.shutdown().await.unwrap();
    });
    let (connector, _) = client(true);
    let tcp = TcpStream::connect(addr).await.unwrap();
    let mut tls = connect(&connector, tcp).await.unwrap();
    tls.write_all(b"the question").await.unwrap();
    // close_notify, and TCP's write side shut: a half-close.
    tls.shutdown().await.unwrap();
    let mut answer = Vec::new();
    tls.read_to_end(&mut answer).await.unwrap();
    assert_eq!(answer, b"answer to: the question");
    server.await.unwrap();
}

/// A client that sends close_notify and is gone at once: the server's
/// reply finds the pipe closed, and still every byte reads, in small
/// reads that split records, and then a clean end of stream.
#[tokio::test]
async fn a_client_gone_right_after_close_notify_reads_to_a_clean_end() {
    let payload: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    for tls13 in [true, false] {
        let (server_io, client_io) = tokio::io::duplex(1 << 20);
        let (connector, _) = client(tls13);
        let sent = payload.clone();
        let (accepted, on_accepted) = tokio::sync::oneshot::channel::<()>();
        let client = tokio::spawn(async move {
            let mut tls = connect(&connector, client_io).await.unwrap();
            // After the server's tickets, if any, are out.
            on_accepted.await.unwrap();
            tls.write_all(&sent).await.unwrap();
            tls.shutdown().await.unwrap();
            // Dropped here: the server's close_notify has nowhere to go.
        });
        let mut tls = Acceptor::new(server_config())
            .accept(server_io, &Defaults)
            .await
            .unwrap();
        accepted.send(()).unwrap();
        client.await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0; 1000];
        loop {
            let n = tls.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, payload, "TLS 1.3: {tls13}");
        // The reply's failure is the next write's to report.
        assert!(tls.write_all(b"late").await.is_err());
    }
}

/// A client that updates its keys mid-stream and asks for ours to be
/// updated (RFC 8446 §4.6.3): the stream reads across the change, handled
/// in its input buffer, and writes on afterwards (that the answer is a
/// KeyUpdate the client follows is tests/tls13_rustls.rs's to check).
#[tokio::test]
async fn a_key_update_mid_stream_reads_across_and_answers() {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    let (connector, _) = client(true);
    let client = tokio::spawn(async move {
        let mut tls = connect(&connector, client_io).await.unwrap();
        tls.write_all(&[1; 40_000]).await.unwrap();
        tls.get_mut().1.refresh_traffic_keys().unwrap();
        tls.write_all(&[2; 40_000]).await.unwrap();
        tls.flush().await.unwrap();
        let mut echo = vec![0; 80_000];
        tls.read_exact(&mut echo).await.unwrap();
        echo
    });
    let mut tls = Acceptor::new(server_config())
        .accept(server_io, &Defaults)
        .await
        .unwrap();
    let mut got = vec![0; 80_000];
    tls.read_exact(&mut got).await.unwrap();
    assert!(got[..40_000].iter().all(|&b| b == 1));
    assert!(got[40_000..].iter().all(|&b| b == 2));
    tls.write_all(&got).await.unwrap();
    tls.flush().await.unwrap();
    assert_eq!(client.await.unwrap(), got);
}

/// A record header longer than any record may be, once the stream is
/// up: the read fails with stapler's typed error, at once (no waiting for
/// 65 KiB that would not fit the input buffer), and the client gets
/// record_overflow (RFC 8446 §5.2).
#[tokio::test]
async fn an_oversized_record_after_the_handshake_is_a_typed_error_and_an_alert() {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    let (connector, _) = client(true);
    let client = tokio::spawn(async move {
        let mut tls = connect(&connector, client_io).await.unwrap();
        tls.write_all(b"first").await.unwrap();
        tls.flush().await.unwrap();
        // Raw bytes under the TLS layer: a header claiming 65,535 bytes.
        tls.get_mut()
            .0
            .write_all(&[23, 3, 3, 0xff, 0xff])
            .await
            .unwrap();
        let mut rest = Vec::new();
        tls.read_to_end(&mut rest).await.unwrap_err()
    });
    let mut tls = Acceptor::new(server_config())
        .accept(server_io, &Defaults)
        .await
        .unwrap();
    let mut first = [0; 5];
    tls.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"first");
    let e = tls.read(&mut [0; 100]).await.unwrap_err();
    assert!(
        matches!(
            typed(&e),
            Error::Tls(stapler::Error::InvalidMessage(
                stapler::InvalidMessage::RecordOverflow { .. }
            ))
        ),
        "{e:?}"
    );
    drop(tls);
    let client_error = client.await.unwrap();
    assert!(
        client_error.to_string().contains("RecordOverflow"),
        "{client_error}"
    );
}
