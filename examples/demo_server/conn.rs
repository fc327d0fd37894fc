//! One connection: the run loop, and the application's answers to the
//! decisions the handshake pauses for (certificate selection, OCSP, a
//! remote key's signature), each at once or later from another thread.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use stapler::{Completion, Event, ServerConnection};

use super::http;
use super::log::{describe, ConnLog};
use super::{Shared, LINGER, TIMEOUT};
use crate::demo_ocsp::unix_now;

/// A request the handshake paused for.
enum Request {
    Select(stapler::CertificateSelection),
    Ocsp(stapler::OcspRequest),
    Sign(stapler::SignRequest),
}

/// Serves one connection and returns its log line.
pub fn handle(mut stream: TcpStream, shared: &Shared) -> String {
    let mut log = ConnLog::default();
    if let Err(e) = serve(&mut stream, shared, &mut log) {
        log.io = Some(e);
    }
    linger(&mut stream);
    describe(&log, &shared.config)
}

/// The run loop: bytes in, events and bytes out, until the connection is
/// closed, the peer goes away or a timeout.
fn serve(stream: &mut TcpStream, shared: &Shared, log: &mut ConnLog) -> Result<(), String> {
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_nodelay(true))
        .map_err(|e| format!("socket setup: {e}"))?;
    let mut conn = ServerConnection::new_at(shared.config.clone(), unix_now());
    // Bytes received and not yet consumed (kept while the handshake waits
    // for an answer).
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    // The request head so far; http::read_head bounds it.
    let mut request_head: Vec<u8> = Vec::new();
    loop {
        // What the last feed took: it takes at most one record beyond the
        // data it holds unread, so a round that read data feeds again.
        let mut fed = 0;
        if !pending.is_empty() && conn.paused_for().is_none() && !conn.is_closed() {
            // An error closes the connection; its alert and the Closed event
            // come out below.
            if let Ok(n) = conn.feed(&pending) {
                pending.drain(..n);
                fed = n;
            }
        }

        let mut request = None;
        while let Some(event) = conn.poll_event() {
            match event {
                Event::SelectCertificate(r) => request = Some(Request::Select(r)),
                Event::OcspRequest(r) => {
                    log.ocsp_requested = true;
                    log.leaf = Some(r.certificate().clone());
                    request = Some(Request::Ocsp(r));
                }
                Event::SignRequest(r) => {
                    log.leaf = Some(r.certificate().clone());
                    request = Some(Request::Sign(r));
                }
                Event::HandshakeComplete(summary) => log.summary = Some(summary),
                Event::DataReady => {
                    // Read it all (the records behind it open as it is
                    // read), keeping only what a request head needs.
                    let data = read_all(&mut conn);
                    if log.http.is_some() {
                        continue; // answered already: ignore pipelined data
                    }
                    request_head.extend_from_slice(&data);
                    let head = http::read_head(&request_head);
                    if let Some((response, request_line, status)) =
                        http::response(&head, log, &shared.config)
                    {
                        log.http = Some((request_line, status));
                        // Errors close the connection and show as an event.
                        let _ = conn.send(&response);
                        conn.close();
                    }
                }
                Event::Closed(reason) => log.closed = Some(reason),
                // Event is non_exhaustive; no other event is a request.
                _ => {}
            }
        }
        // The bytes before a remote key's signature go out while the
        // signer works.
        while let Some(out) = conn.poll_transmit() {
            stream.write_all(&out).map_err(|e| format!("write: {e}"))?;
        }
        if conn.is_closed() {
            return Ok(());
        }

        if let Some(request) = request {
            let started = Instant::now();
            let decision = conn.paused_for();
            let completion = answer(request, shared);
            if let Some(decision) = decision {
                log.deferred.push((decision, started.elapsed()));
            }
            if matches!(decision, Some(stapler::Decision::Ocsp)) {
                log.ocsp_wait = Some(started.elapsed());
            }
            let Some(completion) = completion else {
                // The answer never came: give up on this handshake.
                conn.close();
                while let Some(out) = conn.poll_transmit() {
                    let _ = stream.write_all(&out);
                }
                return Err(format!(
                    "no answer to {decision:?} within {} s; handshake abandoned",
                    TIMEOUT.as_secs()
                ));
            };
            // An error closes the connection: its events and alert come out
            // at the top of the loop.
            let _ = conn.complete(completion, unix_now());
            continue;
        }
        if !pending.is_empty() {
            if fed > 0 {
                continue; // the data it held was read above: feed the rest
            }
            // feed() takes everything unless it pauses, closes or holds
            // unread data, and the data is read above.
            return Err(format!("{} bytes not consumed; giving up", pending.len()));
        }

        let n = match stream.read(&mut buf) {
            Ok(0) => {
                return Err(if conn.is_handshake_complete() {
                    "the client closed TCP without close_notify".into()
                } else {
                    "the client closed TCP during the handshake".into()
                })
            }
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(format!("no data for {} s; closed", TIMEOUT.as_secs()))
            }
            Err(e) => return Err(format!("read: {e}")),
        };
        pending.extend_from_slice(&buf[..n]);
    }
}

/// Every byte of application data the connection holds, read where it
/// was decrypted (records behind the first open as it is read). An error
/// closes the connection, which says so in its events and output.
fn read_all(conn: &mut ServerConnection) -> Vec<u8> {
    let mut data = Vec::new();
    loop {
        let chunk = conn.received();
        if chunk.is_empty() {
            return data;
        }
        data.extend_from_slice(chunk);
        let n = chunk.len();
        if conn.consume(n).is_err() {
            return data;
        }
    }
}

/// The application's answer to `request`, while this connection's thread
/// waits on a channel (every other connection goes on): the selection by
/// SNI after `--select-delay-ms`, the OCSP answer after `--ocsp-delay-ms`,
/// each from another thread when delayed; the signature from the signer
/// thread. `None` if no answer came in time.
fn answer(request: Request, shared: &Shared) -> Option<Completion> {
    match request {
        // The library chooses by SNI and the client's signature schemes
        // among the chains served, as without the event.
        Request::Select(r) => later(shared.select_delay, move || r.use_default()),
        Request::Ocsp(r) => {
            let mode = shared.ocsp.clone();
            later(shared.ocsp_delay, move || mode.answer(r))
        }
        Request::Sign(r) => match &shared.signer {
            Some(signer) => signer.sign(r).recv_timeout(TIMEOUT).ok(),
            None => Some(r.abort("no signer: this server runs without --remote-key")),
        },
    }
}

/// `make()`'s completion: at once, or made on another thread after
/// `delay`.
fn later(
    delay: Duration,
    make: impl FnOnce() -> Completion + Send + 'static,
) -> Option<Completion> {
    if delay.is_zero() {
        return Some(make());
    }
    let (tx, rx) = mpsc::channel();
    let spawned = thread::Builder::new()
        .name("delayed answer".into())
        .spawn(move || {
            thread::sleep(delay);
            // The connection may have given up waiting; then nobody listens.
            let _ = tx.send(make());
        });
    if spawned.is_err() {
        return None;
    }
    rx.recv_timeout(TIMEOUT).ok()
}

/// Ends the connection gracefully: no more writes, then read and drop what
/// the client still sends (its close_notify, say) until it closes or
/// `LINGER` passes, so that closing does not reset the connection under
/// the response.
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}
