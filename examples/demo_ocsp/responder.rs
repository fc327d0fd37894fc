//! A tiny OCSP responder over HTTP/1.0 and 1.1 for the demo PKI (RFC 6960
//! Appendix A, RFC 5019 §5): `POST /` with a DER OCSPRequest (content type
//! `application/ocsp-request`), or `GET /` followed by the request in
//! base64, URL-escaped. Each request gets a response signed there and then
//! (thisUpdate = now, nextUpdate = now + the validity given), so refreshes
//! show in the log: "good" for the demo leaf, `unauthorized` for any other
//! certificate, `malformedRequest` for what is not a request.
//!
//! One thread accepts; each connection gets a thread, at most
//! [`MAX_CONNECTIONS`] at once, with read and write timeouts. One request
//! per connection (`Connection: close`).

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use stapler::ocsp::{OCSP_REQUEST_CONTENT_TYPE, OCSP_RESPONSE_CONTENT_TYPE};

use super::{escape, escape_cut, Clock};
use crate::demo_pki::OcspSigner;

/// Connections served at once; more are closed at once.
pub const MAX_CONNECTIONS: usize = 32;
/// How long a client may take to send its request, or to take the answer.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest request head (request line and headers).
const MAX_HEAD: usize = 8 * 1024;
/// The largest request body: an OCSPRequest for a few certificates with a
/// nonce is a few hundred bytes; a signed one with its certificates a few
/// kilobytes.
const MAX_BODY: usize = 16 * 1024;
/// The most of a request target shown in the log, in bytes: a GET target
/// is a long base64 OCSP request, of which the start is enough.
const MAX_LOGGED_TARGET: usize = 48;

/// The responder: the CA's signer, how long its responses are fresh, and
/// its clock.
pub struct Responder {
    signer: Arc<OcspSigner>,
    validity: Duration,
    clock: Clock,
}

impl Responder {
    /// A responder signing with `signer`, responses fresh for `validity`
    /// from the time `clock` gives.
    pub fn new(signer: Arc<OcspSigner>, validity: Duration, clock: Clock) -> Self {
        Self {
            signer,
            validity,
            clock,
        }
    }

    /// Serves `listener` from a new thread, for as long as the process
    /// runs.
    pub fn start(self, listener: TcpListener) -> io::Result<()> {
        let responder = Arc::new(self);
        thread::Builder::new()
            .name("ocsp responder".into())
            .spawn(move || accept_loop(&listener, &responder))
            .map(drop)
    }

    /// The HTTP response to `request`.
    fn respond(&self, request: &HttpRequest) -> HttpResponse {
        let body = match request.method.as_str() {
            "POST" if request.path != "/" => return HttpResponse::text(404, "Not Found"),
            "POST" if !is_ocsp_request(request.content_type.as_deref()) => {
                return HttpResponse::text(415, "Unsupported Media Type")
            }
            "POST" => request.body.clone(),
            "GET" | "HEAD" if request.path == "/" => {
                return HttpResponse::text(
                    200,
                    "stapler demo OCSP responder: POST an application/ocsp-request to /, \
                     or GET / followed by the request in base64",
                )
            }
            "GET" | "HEAD" => match request.path.strip_prefix('/').and_then(decode_get_path) {
                Some(der) => der,
                None => return HttpResponse::text(400, "Bad Request"),
            },
            _ => return HttpResponse::text(405, "Method Not Allowed"),
        };
        let answer = self.signer.answer(&body, (self.clock)(), self.validity);
        let cacheable = request.method != "POST"
            && matches!(
                answer.outcome,
                crate::demo_pki::ocsp::OcspOutcome::Good { .. }
            );
        HttpResponse {
            status: 200,
            content_type: OCSP_RESPONSE_CONTENT_TYPE,
            // RFC 5019 §6.2: an HTTP cache may keep a GET answer for a
            // max-age after thisUpdate and before nextUpdate; half the
            // window, where a StapleCache asks again, so that an HTTP cache
            // in front never hands it the response it already holds.
            cache_control: cacheable.then(|| {
                format!(
                    "max-age={}, public, no-transform, must-revalidate",
                    self.validity.as_secs() / 2
                )
            }),
            body: answer.der,
            head_only: false,
            note: answer.outcome.to_string(),
        }
    }
}

/// Whether a Content-Type value is `application/ocsp-request` (RFC 6960
/// Appendix A.1), parameters aside.
fn is_ocsp_request(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|value| {
        value
            .split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case(OCSP_REQUEST_CONTENT_TYPE))
    })
}

fn accept_loop(listener: &TcpListener, responder: &Arc<Responder>) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(e) => {
                eprintln!("ocsp responder: accept: {e}");
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            continue; // dropped: closed at once
        }
        let active = Arc::clone(&active);
        let responder = Arc::clone(responder);
        let spawned = thread::Builder::new()
            .name("ocsp responder conn".into())
            .spawn(move || {
                serve(stream, &responder);
                active.fetch_sub(1, Ordering::SeqCst);
            });
        if let Err(e) = spawned {
            eprintln!("ocsp responder: cannot start a thread: {e}");
        }
    }
}

/// Serves one connection: one request, one response, close.
fn serve(mut stream: TcpStream, responder: &Responder) {
    let peer = stream
        .peer_addr()
        .map_or_else(|_| "?".into(), |a| a.to_string());
    let setup = stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)));
    if setup.is_err() {
        return;
    }
    let (response, what) = match read_request(&mut stream) {
        Ok(request) => {
            // The client chose both: escaped, as everything a peer sends
            // that reaches the log.
            let what = format!(
                "{} {}",
                escape(request.method.as_bytes()),
                escape_cut(request.target.as_bytes(), MAX_LOGGED_TARGET)
            );
            let mut response = responder.respond(&request);
            // HEAD: the headers GET would get, and no body.
            response.head_only = request.method == "HEAD";
            (response, what)
        }
        Err(status) => (HttpResponse::text(status, reason(status)), "?".into()),
    };
    let written = stream
        .write_all(&response.to_bytes())
        .and_then(|()| stream.flush());
    let sent = match written {
        Ok(()) => format!("{} {} bytes", response.status, response.body.len()),
        Err(e) => format!("{}, write failed: {e}", response.status),
    };
    println!("ocsp responder: {peer} {what}: {sent}: {}", response.note);
    let _ = stream.shutdown(Shutdown::Both);
}

/// A request as read: method, target and its path, content type, body.
struct HttpRequest {
    method: String,
    target: String,
    /// The target without a query string.
    path: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// Reads one HTTP/1.0 or 1.1 request with a bounded head and body, or the
/// status to refuse it with.
fn read_request(stream: &mut TcpStream) -> Result<HttpRequest, u16> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let head_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(431);
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(400),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Err(408),
        }
    };
    if head_end > MAX_HEAD {
        return Err(431);
    }
    let mut body = buf.split_off(head_end + 4);
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| 400u16)?;
    let mut lines = head.split("\r\n");
    let mut parts = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if !matches!(version, "HTTP/1.0" | "HTTP/1.1") {
        return Err(505);
    }
    if method.is_empty() || !target.starts_with('/') {
        return Err(400);
    }
    let mut content_length = None;
    let mut content_type = None;
    let mut expect_continue = false;
    for line in lines {
        let (name, value) = line.split_once(':').ok_or(400u16)?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            let length: usize = value.parse().map_err(|_| 400u16)?;
            if content_length.is_some_and(|seen| seen != length) {
                return Err(400);
            }
            content_length = Some(length);
        } else if name.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.to_owned());
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(501); // chunked bodies: not needed for OCSP
        } else if name.eq_ignore_ascii_case("expect") {
            expect_continue = value.eq_ignore_ascii_case("100-continue");
        }
    }
    let length = match (method, content_length) {
        (_, Some(length)) if length > MAX_BODY => return Err(413),
        ("POST", None) => return Err(411),
        (_, length) => length.unwrap_or(0),
    };
    if body.len() < length && expect_continue {
        // RFC 9110 §10.1.1: the client waits for this before the body.
        stream
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .map_err(|_| 400u16)?;
    }
    while body.len() < length {
        let want = (length - body.len()).min(chunk.len());
        match stream.read(&mut chunk[..want]) {
            Ok(0) => return Err(400),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Err(408),
        }
    }
    body.truncate(length);
    let path = target.split('?').next().unwrap_or_default().to_owned();
    Ok(HttpRequest {
        method: method.to_owned(),
        target: target.to_owned(),
        path,
        content_type,
        body,
    })
}

/// An HTTP response, and a note on it for the log.
struct HttpResponse {
    status: u16,
    content_type: &'static str,
    cache_control: Option<String>,
    body: Vec<u8>,
    /// Send the headers only (an answer to HEAD).
    head_only: bool,
    note: String,
}

impl HttpResponse {
    fn text(status: u16, text: &str) -> Self {
        Self {
            status,
            content_type: "text/plain",
            cache_control: None,
            body: format!("{text}\n").into_bytes(),
            head_only: false,
            note: text.to_owned(),
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        );
        if self.status == 405 {
            out.push_str("Allow: GET, HEAD, POST\r\n");
        }
        if let Some(cache_control) = &self.cache_control {
            out.push_str(&format!("Cache-Control: {cache_control}\r\n"));
        }
        out.push_str("Connection: close\r\nServer: stapler-demo-ocsp\r\n\r\n");
        let mut out = out.into_bytes();
        if !self.head_only {
            out.extend_from_slice(&self.body);
        }
        out
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}

/// The DER request in a GET path (after its `/`): percent-decoded, then
/// base64 (RFC 6960 Appendix A.1). Clients that leave `/` unescaped put
/// more slashes in the path; they are part of the base64.
fn decode_get_path(path: &str) -> Option<Vec<u8>> {
    base64_decode(&percent_decode(path)?)
}

/// RFC 3986 §2.1 percent-decoding.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

/// Standard base64 (RFC 4648 §4), padding optional; `None` on any other
/// character or a stray bit.
fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    let text = text
        .strip_suffix(b"==")
        .or(text.strip_suffix(b"="))
        .unwrap_or(text);
    let value = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    for group in text.chunks(4) {
        // Four symbols carry 24 bits; a final group of n symbols carries
        // n - 1 whole bytes, and its leftover bits must be zero.
        if group.len() == 1 {
            return None;
        }
        let mut bits = 0u32;
        for (i, &c) in group.iter().enumerate() {
            bits |= value(c)? << (18 - 6 * i);
        }
        let bytes = bits.to_be_bytes();
        let whole = group.len() - 1;
        if bytes[1 + whole..].iter().any(|&b| b != 0) {
            return None;
        }
        out.extend_from_slice(&bytes[1..=whole]);
    }
    Some(out)
}
