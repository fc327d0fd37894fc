//! The smallest useful stapler server: one connection at a time over
//! `std::net`, the run loop of the crate docs, and the OCSP event answered
//! from a file (or with no staple).
//!
//! ```sh
//! cargo run --example minimal -- [CHAIN.pem KEY.pem [OCSP.der]]
//! openssl s_client -connect 127.0.0.1:8444 -servername localhost -status </dev/null
//! ```
//!
//! Without arguments it serves the test PKI's ECDSA leaf for `localhost`.
//! examples/server.rs is the full demo (fetching, caching, several chains).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use stapler::{Event, ServerConfig, ServerConnection};

const ADDR: &str = "127.0.0.1:8444";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki/");
    let chain = args
        .first()
        .cloned()
        .unwrap_or(format!("{dir}leaf-ecdsa.crt"));
    let key = args
        .get(1)
        .cloned()
        .unwrap_or(format!("{dir}leaf-ecdsa.key"));
    let staple = args.get(2).map(std::fs::read).transpose()?;
    let config = Arc::new(
        ServerConfig::builder()
            .certificate_chain(&std::fs::read(chain)?, &std::fs::read(key)?)?
            .ocsp_events(true)
            .alpn_protocols(["http/1.1"])?
            .build()?,
    );
    let listener = TcpListener::bind(ADDR)?;
    println!("listening on {ADDR}");
    for stream in listener.incoming() {
        // The time the connection starts: its session tickets are issued
        // and checked at it (stapler reads no clock).
        let conn = ServerConnection::new_at(Arc::clone(&config), unix_now());
        match serve(stream?, conn, staple.as_deref()) {
            Ok(()) => println!("served a connection"),
            Err(e) => println!("connection failed: {e}"),
        }
    }
    Ok(())
}

/// Drives one connection to its end: read, feed, answer events, write.
fn serve(
    mut sock: TcpStream,
    mut conn: ServerConnection,
    staple: Option<&[u8]>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut buf = vec![0; 16 * 1024];
    let mut pending = Vec::new(); // bytes read but not yet consumed
    let mut request = Vec::new(); // the HTTP request, as it arrives
    loop {
        if pending.is_empty() {
            let n = sock.read(&mut buf)?;
            if n == 0 {
                return Ok(()); // the peer went away
            }
            pending.extend_from_slice(&buf[..n]);
        }
        // `feed` may take less than it is given (it takes nothing while
        // paused); keep the rest for the next round. On error the output
        // still holds the alert, so it is written before returning.
        let fed = conn.feed(&pending);
        if let Ok(used) = fed {
            pending.drain(..used);
        }
        while let Some(event) = conn.poll_event() {
            match event {
                Event::OcspRequest(request) => {
                    // Answered at once here; any thread, any time later
                    // would do as well.
                    let completion = request.answer(staple.map(bytes::Bytes::copy_from_slice));
                    conn.complete(completion, unix_now())?;
                }
                Event::HandshakeComplete(summary) => {
                    println!("handshake: {:?} {:?}", summary.version, summary.ocsp);
                }
                Event::DataReady => {
                    // The data is read where it was decrypted; reading it
                    // all opens the records behind it.
                    let mut chunk = [0; 4096];
                    loop {
                        let n = conn.read(&mut chunk)?;
                        if n == 0 {
                            break;
                        }
                        request.extend_from_slice(&chunk[..n]);
                    }
                    // The head ends at an empty line (LF or CRLF).
                    if request.ends_with(b"\n\n") || request.ends_with(b"\n\r\n") {
                        conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")?;
                        conn.close();
                    }
                }
                Event::Closed(reason) => println!("closed: {reason:?}"),
                // Event is non_exhaustive. The other requests come only when
                // their switch is on in the config; a request dropped here
                // would close the connection (internal_error), never hang it.
                _ => {}
            }
        }
        while let Some(out) = conn.poll_transmit() {
            sock.write_all(&out)?;
        }
        fed?;
        if conn.is_closed() {
            return Ok(());
        }
        // Paused with bytes left over: nothing more can be fed until the
        // answer, which came above, so go round again without reading.
    }
}

/// Seconds since the Unix epoch: stapler reads no clock, so the time an
/// answer is checked at comes from here.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
