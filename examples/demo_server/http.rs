//! The demo's HTTP/1.x: read one request head, answer with a page that
//! describes the connection, `Connection: close`.

use std::fmt::Write as _;

use stapler::ServerConfig;

use super::log::{ocsp_text, served_cert, version_name, yes_no, ConnLog};
use crate::demo_ocsp::escape;

/// The most bytes buffered while waiting for the end of the request head
/// (request line and header fields). Without a bound a client could make
/// the server hold any amount by never sending the empty line. 16 KiB is
/// well above what browsers send, and past it the answer is 431 (RFC 6585
/// §5) and the connection is closed.
pub const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// How far a request head has come.
#[derive(Debug, PartialEq, Eq)]
pub enum Head<'a> {
    /// No empty line yet, and under [`MAX_REQUEST_HEAD`]: wait for more.
    Incomplete,
    /// The head ended (with an empty line) within the bound; its request
    /// line, without its line ending.
    Complete { request_line: &'a [u8] },
    /// No end within [`MAX_REQUEST_HEAD`] bytes; the request line, or as
    /// much of it as came, for the log.
    TooLarge { request_line: &'a [u8] },
}

/// Finds the end of the request head in `buffer`, the bytes received so
/// far: the first empty line after the request line.
///
/// A line ends with LF, with or without a CR before it, in any mix: RFC
/// 9112 §2.2 lets a recipient take a lone LF as a line terminator (and
/// ignore the CR before it), and clients typed by hand or scripted with
/// `printf` send `GET / HTTP/1.0\n\n`; `openssl s_server -www` and nginx
/// answer those too. Empty lines before the request line are skipped, as
/// the same section asks of a server (they are what is left of a previous
/// request's body on a reused connection).
pub fn read_head(buffer: &[u8]) -> Head<'_> {
    let mut line_start = 0;
    let mut request_line = None;
    for (i, _) in buffer.iter().enumerate().filter(|(_, &b)| b == b'\n') {
        let line = &buffer[line_start..i];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line_start = i + 1;
        if line_start > MAX_REQUEST_HEAD {
            return Head::TooLarge {
                request_line: request_line.unwrap_or(line),
            };
        }
        match (request_line, line.is_empty()) {
            (None, true) => {}
            (None, false) => request_line = Some(line),
            (Some(request_line), true) => return Head::Complete { request_line },
            // A header field line: the demo reads none.
            (Some(_), false) => {}
        }
    }
    if buffer.len() > MAX_REQUEST_HEAD {
        Head::TooLarge {
            request_line: request_line.unwrap_or(&buffer[line_start..]),
        }
    } else {
        Head::Incomplete
    }
}

/// Once the head is complete (or too large): the response to send, the
/// request line as received (for the log, which escapes it) and the
/// status.
pub fn response(
    head: &Head<'_>,
    log: &ConnLog,
    config: &ServerConfig,
) -> Option<(Vec<u8>, Vec<u8>, u16)> {
    let (request_line, too_large) = match *head {
        Head::Incomplete => return None,
        Head::Complete { request_line } => (request_line, false),
        Head::TooLarge { request_line } => (request_line, true),
    };
    // request-line = method SP request-target SP HTTP-version (RFC 9112
    // §3). A CR left inside the line is a bare CR, which §2.2 makes
    // invalid: it could end the line for one parser and not another.
    let parts: Vec<&[u8]> = request_line.split(|&b| b == b' ').collect();
    let well_formed = match parts.as_slice() {
        [method, target, version] => {
            !method.is_empty()
                && !target.is_empty()
                && matches!(*version, b"HTTP/1.0" | b"HTTP/1.1")
                && !request_line.contains(&b'\r')
        }
        _ => false,
    };
    let (status, reason, body) = if too_large {
        (
            431,
            "Request Header Fields Too Large",
            format!("request head over {} KiB\n", MAX_REQUEST_HEAD / 1024),
        )
    } else if well_formed {
        (200, "OK", page(log, config, request_line))
    } else {
        (
            400,
            "Bad Request",
            "expected an HTTP/1.0 or 1.1 request\n".into(),
        )
    };
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\nConnection: close\r\nServer: stapler-demo\r\n\r\n",
        body.len()
    )
    .into_bytes();
    // A response to HEAD has no body, though it says how long the body
    // would be (RFC 9110 §9.3.2).
    if parts.first() != Some(&&b"HEAD"[..]) {
        response.extend_from_slice(body.as_bytes());
    }
    Some((response, request_line.to_vec(), status))
}

/// The page: what the handshake negotiated. What the client chose is shown
/// escaped, as in the log: the page may well end up on a terminal (curl).
fn page(log: &ConnLog, config: &ServerConfig, request_line: &[u8]) -> String {
    let mut page = String::from("Hello from stapler, a sans-IO TLS server.\n\n");
    if let Some(s) = &log.summary {
        let _ = writeln!(page, "version:          {}", version_name(s.version));
        let _ = writeln!(page, "cipher suite:     {}", s.cipher_suite);
        let group = s
            .group
            .map_or_else(|| "none (resumed)".to_string(), |g| g.to_string());
        let _ = writeln!(page, "key exchange:     {group}");
        let scheme = s
            .signature_scheme
            .map_or_else(|| "none (resumed)".to_string(), |scheme| scheme.to_string());
        let _ = writeln!(page, "signature scheme: {scheme}");
        if config.client_auth() != stapler::ClientAuth::None {
            let _ = writeln!(page, "client:           {}", super::log::client_text(s));
            if !matches!(s.client_staple, stapler::server::ClientStaple::NotAsked) {
                let _ = writeln!(page, "client staple:    {}", s.client_staple.name());
            }
        }
        let _ = writeln!(
            page,
            "certificate:      {}",
            served_cert(log, config).unwrap_or_else(|| "?".into())
        );
        let _ = writeln!(
            page,
            "ALPN:             {}",
            s.alpn_protocol
                .as_deref()
                .map_or_else(|| "(none)".into(), escape)
        );
        let _ = writeln!(
            page,
            "SNI:              {}",
            s.server_name
                .as_deref()
                .map_or_else(|| "(none)".into(), |n| escape(n.as_bytes()))
        );
        let _ = writeln!(page, "hello retry:      {}", yes_no(s.hello_retry));
        let _ = writeln!(page, "OCSP:             {}", ocsp_text(log, s));
    }
    let _ = writeln!(page, "request:          {}", escape(request_line));
    page
}
