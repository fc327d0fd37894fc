//! The `server` target: a whole [`ServerConnection`] fed arbitrary bytes.
//!
//! Where `first_flight` checks the wire layer alone, this runs the state
//! machine behind it: negotiation, the OCSP pause and its three answers,
//! HelloRetryRequest, alerts, and whatever a fuzzer can reach past the
//! ClientHello in plaintext. Beyond "no panic", it checks what the run-loop
//! contract in the crate docs promises a caller:
//!
//! * `feed` never claims more bytes than it was given, and takes none while
//!   the connection waits for an OCSP completion;
//! * at most one `Event::Closed` is raised, nothing but output follows it,
//!   and `is_closed()` agrees with it;
//! * every OcspRequest is answered at most once, and a completion is taken
//!   only while the connection is paused;
//! * output is bounded: a server flight plus an alert, never an echo of the
//!   input.

use std::sync::{Arc, OnceLock};

use stapler::{Event, OcspRequest, ServerConfig, ServerConnection};

/// The input's first bytes: the config, the OCSP answer and the chunking.
const HEADER_LEN: usize = 3;

/// The most one call may queue for the peer: a server flight with a large
/// staple (the answer below is small) and an alert, with room to spare.
/// Anything near the input's size would mean input is being echoed.
const MAX_OUTPUT_PER_CALL: usize = 64 * 1024;

/// Configs indexed by bit 0 of the first byte: with and without OCSP events.
fn configs() -> &'static [Arc<ServerConfig>; 2] {
    static CONFIGS: OnceLock<[Arc<ServerConfig>; 2]> = OnceLock::new();
    CONFIGS.get_or_init(|| {
        let build = |ocsp: bool| {
            let config = ServerConfig::builder()
                .certificate_chain(
                    include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"),
                    include_bytes!("../../tests/data/pki/leaf-ecdsa.key"),
                )
                .and_then(|b| {
                    b.certificate_chain(
                        include_bytes!("../../tests/data/pki/leaf-rsa-chain.pem"),
                        include_bytes!("../../tests/data/pki/leaf-rsa.key"),
                    )
                })
                .and_then(|b| b.ca_certificates(include_bytes!("../../tests/data/pki/root-ca.crt")))
                .and_then(|b| b.alpn_protocols(["h2", "http/1.1"]))
                .map(|b| b.ocsp_events(ocsp))
                .and_then(|b| b.build())
                .expect("the test PKI makes a valid config");
            Arc::new(config)
        };
        [build(false), build(true)]
    })
}

/// How the OcspRequest is answered, from bits 0-2 of the second byte.
#[derive(Clone, Copy, Debug)]
enum Answer {
    Staple,
    NoResponse,
    Abort,
    /// Never, with the request kept: the connection must stay paused and
    /// take nothing more.
    Never,
    /// The request is dropped unanswered: the connection must close with
    /// internal_error on its next call.
    Drop,
}

impl Answer {
    fn from_byte(b: u8) -> Self {
        match b & 7 {
            0 => Self::Staple,
            1 => Self::NoResponse,
            2 => Self::Abort,
            4 => Self::Drop,
            _ => Self::Never,
        }
    }

    fn complete(self, request: OcspRequest) -> Option<stapler::Completion> {
        match self {
            Self::Staple => Some(
                request
                    .respond(&b"\x30\x03\x0a\x01\x00 not a real response"[..])
                    .expect("not empty"),
            ),
            Self::NoResponse => Some(request.no_response()),
            Self::Abort => Some(request.abort("fuzz")),
            Self::Never | Self::Drop => None,
        }
    }
}

/// What [`server`] observed, for the corpus replay test to check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerRun {
    /// OcspRequest events raised.
    pub ocsp_requests: usize,
    /// Whether the handshake completed.
    pub handshake_complete: bool,
    /// Whether the connection closed.
    pub closed: bool,
    /// Bytes the server wrote in all.
    pub output: usize,
}

/// Feeds `data[3..]` to a fresh connection. `data[0]` bit 0 turns OCSP
/// events on; `data[1]` picks the OCSP answer (bits 0-2); `data[2]` seeds the chunk
/// sizes (0 feeds everything in one call). Panics if a promise breaks.
pub fn server(data: &[u8]) -> ServerRun {
    let Some((header, stream)) = data.split_first_chunk::<HEADER_LEN>() else {
        return ServerRun::default();
    };
    let config = Arc::clone(&configs()[usize::from(header[0] & 1)]);
    let answer = Answer::from_byte(header[1]);
    let mut sizes = ChunkSizes(u32::from(header[2]));

    let mut conn = ServerConnection::new(config);
    let mut run = ServerRun::default();
    let mut pending = stream;
    let mut pending_request: Option<OcspRequest> = None;

    while !pending.is_empty() {
        let take = sizes.next(pending.len());
        let chunk = &pending[..take];
        let paused = conn.paused_for().is_some();
        let was_closed = conn.is_closed();
        match conn.feed(chunk) {
            Ok(n) => {
                assert!(
                    n <= chunk.len(),
                    "feed claimed {n} of {} bytes",
                    chunk.len()
                );
                if paused {
                    assert_eq!(n, 0, "feed took bytes while paused for OCSP");
                }
                pending = &pending[n..];
                if n == 0 && pending_request.is_none() {
                    // Paused with no answer coming, or closed: nothing more
                    // will be taken.
                    drain(&mut conn, &mut run, &mut pending_request, was_closed);
                    break;
                }
            }
            Err(_) => {
                assert!(conn.is_closed(), "an error left the connection open");
                drain(&mut conn, &mut run, &mut pending_request, was_closed);
                break;
            }
        }
        drain(&mut conn, &mut run, &mut pending_request, was_closed);
        if let Some(request) = pending_request.take() {
            assert!(
                conn.paused_for().is_some(),
                "an OcspRequest without a pause"
            );
            if let Answer::Never = answer {
                // Kept but never answered: the rest of the stream must wait.
                assert_eq!(conn.feed(pending), Ok(0), "feed took bytes while paused");
                assert!(conn.paused_for().is_some());
                drop(request);
                break;
            }
            match answer.complete(request) {
                Some(completion) => {
                    let was_closed = conn.is_closed();
                    let result = conn.complete(completion, 0);
                    assert!(result.is_ok() || conn.is_closed(), "{result:?}");
                    assert!(conn.paused_for().is_none(), "still paused after completion");
                    drain(&mut conn, &mut run, &mut pending_request, was_closed);
                }
                None => {
                    // Dropped unanswered: the next call closes the
                    // connection with internal_error, and says why.
                    assert_eq!(
                        conn.feed(pending),
                        Err(stapler::Error::RequestDropped),
                        "a dropped request went unnoticed"
                    );
                    assert!(conn.is_closed());
                    let was_closed = false;
                    drain(&mut conn, &mut run, &mut pending_request, was_closed);
                    break;
                }
            }
        }
    }
    run.closed = conn.is_closed();
    run.handshake_complete = conn.is_handshake_complete();
    run
}

/// Drains events and output, checking the promises about each.
fn drain(
    conn: &mut ServerConnection,
    run: &mut ServerRun,
    pending_request: &mut Option<OcspRequest>,
    was_closed: bool,
) {
    let mut closed_now = false;
    while let Some(event) = conn.poll_event() {
        assert!(!closed_now, "an event after Event::Closed: {event:?}");
        match event {
            Event::OcspRequest(request) => {
                assert!(
                    pending_request.is_none(),
                    "a second OcspRequest while one is out"
                );
                run.ocsp_requests += 1;
                assert_eq!(run.ocsp_requests, 1, "more than one OcspRequest");
                *pending_request = Some(request);
            }
            Event::Closed(_) => {
                assert!(!was_closed, "Event::Closed raised twice");
                assert!(conn.is_closed(), "Event::Closed but is_closed() is false");
                closed_now = true;
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    conn.write_tls_into(&mut out);
    assert!(
        out.len() <= MAX_OUTPUT_PER_CALL,
        "{} bytes of output",
        out.len()
    );
    run.output += out.len();
}

/// Chunk sizes from a small xorshift generator: 1 to 512 bytes, or the
/// whole stream when seeded with 0.
struct ChunkSizes(u32);

impl ChunkSizes {
    fn next(&mut self, left: usize) -> usize {
        if self.0 == 0 {
            return left;
        }
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        let size = (self.0 % 512) as usize + 1;
        size.min(left)
    }
}
