//! The `server` target: a whole [`ServerConnection`] fed arbitrary bytes.
//!
//! Where `first_flight` checks the wire layer alone, this runs the state
//! machine behind it: negotiation, the pauses (certificate selection,
//! OCSP, a remote key's signature, the verdict on a client certificate)
//! and every answer to each,
//! HelloRetryRequest, alerts, and whatever a fuzzer can reach past the
//! ClientHello in plaintext. Beyond "no panic", it checks what the run-loop
//! contract in the crate docs promises a caller:
//!
//! * `feed` never claims more bytes than it was given, and takes none while
//!   the connection waits for a completion;
//! * at most one `Event::Closed` is raised, nothing but output follows it,
//!   and `is_closed()` agrees with it;
//! * each kind of request comes at most once, one at a time, while the
//!   connection says it is paused for that decision, and a completion
//!   ends that pause;
//! * a request dropped unanswered closes the connection on its next call;
//! * output is bounded: a server flight plus an alert, never an echo of the
//!   input;
//! * fed in place (bit 5 of the first byte), the way stapler-tokio reads:
//!   the bytes go into one buffer of [`IN_PLACE_MIN_BUFFER`] bytes that
//!   `feed_in_place` handles where they lie. It takes no more than it was
//!   offered, none while paused, returns application data only once the
//!   handshake is complete, and a full buffer always makes progress (a
//!   record longer than the buffer is an error, not a stall).

use std::sync::{Arc, OnceLock};

use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use stapler::server::{ClientRejection, VerifyClientRequest, IN_PLACE_MIN_BUFFER};
use stapler::tickets::{TicketKeyPolicy, TicketKeys};
use stapler::{
    CertificateSelection, CertifiedKey, ClientAuth, Completion, Decision, Event, OcspRequest,
    RefusalAlert, ServerConfig, ServerConnection, SignRequest,
};

/// The input's first bytes: the config, the answers and the chunking.
const HEADER_LEN: usize = 3;

/// The most one call may queue for the peer: a server flight with a large
/// staple (the answer below is small) and an alert, with room to spare.
/// Anything near the input's size would mean input is being echoed.
const MAX_OUTPUT_PER_CALL: usize = 64 * 1024;

const LEAF: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.crt");
const LEAF_KEY: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.key");
const LEAF_KEY_PKCS8: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.key.der");
const ROOT: &[u8] = include_bytes!("../../tests/data/pki/root-ca.crt");
const CLIENT_ROOT: &[u8] = include_bytes!("../../tests/data/client_pki/client-ca.crt");

/// The time a connection with session tickets starts at (config bit 3).
pub const FUZZ_NOW: u64 = 1_800_000_000;

/// The session-ticket keys of config bit 3: fixed, so that a seed can hold
/// a ticket they open, and the fuzzer reach the PSK checks and binder.
pub fn ticket_keys() -> Arc<TicketKeys> {
    static KEYS: OnceLock<Arc<TicketKeys>> = OnceLock::new();
    Arc::clone(KEYS.get_or_init(|| {
        let mut exported = b"stapler-ticket-keys-1".to_vec();
        exported.push(1);
        exported.extend_from_slice(&[0x5a; 16]);
        exported.extend_from_slice(&FUZZ_NOW.to_be_bytes());
        exported.extend_from_slice(&[0xa5; 32]);
        Arc::new(
            TicketKeys::import(TicketKeyPolicy::default(), &exported, FUZZ_NOW)
                .expect("fixed keys"),
        )
    }))
}

/// Configs indexed by bits 0-4 of the first byte: OCSP events, certificate
/// events, the ECDSA key remote, session tickets (with the connection
/// started at [`FUZZ_NOW`], and TLS 1.3 psk_ke allowed), and client
/// certificates required (the connection at [`FUZZ_NOW`]; with bit 1 as
/// well, the verdict is the application's, so a chain the roots refuse is
/// kept for its event rather than refused at once).
pub fn config(bits: u8) -> Arc<ServerConfig> {
    static CONFIGS: OnceLock<Vec<Arc<ServerConfig>>> = OnceLock::new();
    let configs = CONFIGS.get_or_init(|| {
        (0u8..32)
            .map(|bits| {
                let builder = ServerConfig::builder();
                let builder = if bits & 4 == 0 {
                    builder.certificate_chain(LEAF, LEAF_KEY)
                } else {
                    builder.remote_certificate_chain(LEAF)
                };
                let config = builder
                    .and_then(|b| {
                        b.certificate_chain(
                            include_bytes!("../../tests/data/pki/leaf-rsa-chain.pem"),
                            include_bytes!("../../tests/data/pki/leaf-rsa.key"),
                        )
                    })
                    .and_then(|b| b.ca_certificates(ROOT))
                    .and_then(|b| b.alpn_protocols(["h2", "http/1.1"]))
                    .map(|b| b.ocsp_events(bits & 1 != 0))
                    .map(|b| b.certificate_events(bits & 2 != 0))
                    .map(|b| {
                        if bits & 8 != 0 {
                            b.ticket_keys(ticket_keys()).psk_ke(true)
                        } else {
                            b.tickets(0)
                        }
                    })
                    .and_then(|b| {
                        if bits & 16 == 0 {
                            return Ok(b);
                        }
                        b.client_auth(ClientAuth::Required, CLIENT_ROOT)
                            .map(|b| b.client_certificate_events(bits & 2 != 0))
                    })
                    .and_then(|b| b.build())
                    .expect("the test PKI makes a valid config");
                Arc::new(config)
            })
            .collect()
    });
    Arc::clone(&configs[usize::from(bits & 31)])
}

/// The certificate a selection answers with: the ECDSA leaf, its key
/// local or remote.
fn selected(remote: bool) -> Arc<CertifiedKey> {
    static CERTS: OnceLock<[Arc<CertifiedKey>; 2]> = OnceLock::new();
    let certs = CERTS.get_or_init(|| {
        [
            Arc::new(CertifiedKey::from_pem(LEAF, LEAF_KEY, ROOT).expect("valid")),
            Arc::new(CertifiedKey::remote(LEAF, ROOT).expect("valid")),
        ]
    });
    Arc::clone(&certs[usize::from(remote)])
}

/// The remote key's private half, as an HSM would hold it.
fn hsm() -> &'static (EcdsaKeyPair, SystemRandom) {
    static HSM: OnceLock<(EcdsaKeyPair, SystemRandom)> = OnceLock::new();
    HSM.get_or_init(|| {
        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, LEAF_KEY_PKCS8, &rng)
            .expect("the test key");
        (key, rng)
    })
}

/// How each request is answered, from the second byte: bits 0-2 the OCSP
/// request, bits 3-4 the certificate selection, bits 5-6 the signature,
/// bit 7 the client verdict. (A fuzzer cannot sign a client's
/// CertificateVerify over a transcript with a fresh server random, so the
/// client verification event is reached by the tests, not here; its
/// answers are wired for completeness.)
#[derive(Clone, Copy, Debug)]
struct Answers(u8);

/// What becomes of one request.
enum Outcome {
    Answered(Completion),
    /// Kept, never answered: the connection must stay paused.
    Kept(OcspRequest),
    /// Dropped: the next call must close the connection.
    Dropped,
}

impl Answers {
    fn answer(self, request: Request, remote: bool) -> Outcome {
        match request {
            Request::Ocsp(req) => match self.0 & 7 {
                0 => Outcome::Answered(
                    req.respond(&b"\x30\x03\x0a\x01\x00 not a real response"[..])
                        .expect("not empty"),
                ),
                1 => Outcome::Answered(req.no_response()),
                2 => Outcome::Answered(req.abort("fuzz")),
                4 => Outcome::Dropped,
                _ => Outcome::Kept(req),
            },
            Request::Select(req) => match (self.0 >> 3) & 3 {
                0 => Outcome::Answered(req.select(selected(remote))),
                1 => Outcome::Answered(req.use_default()),
                2 => Outcome::Answered(req.abort(RefusalAlert::UnrecognizedName, "fuzz")),
                _ => Outcome::Dropped,
            },
            Request::Sign(req) => match (self.0 >> 5) & 3 {
                0 => {
                    let (key, rng) = hsm();
                    let signature = key.sign(rng, req.message()).expect("signs");
                    Outcome::Answered(req.signature(signature.as_ref().to_vec()))
                }
                1 => Outcome::Answered(req.signature(vec![0x30, 0x06, 2, 1, 1, 2, 1, 1])),
                2 => Outcome::Answered(req.abort("fuzz")),
                _ => Outcome::Dropped,
            },
            Request::VerifyClient(req) => match self.0 >> 7 {
                0 => Outcome::Answered(req.accept()),
                _ => Outcome::Answered(req.reject(ClientRejection::AccessDenied, "fuzz")),
            },
        }
    }
}

/// A request the connection raised.
enum Request {
    Select(CertificateSelection),
    Ocsp(OcspRequest),
    Sign(SignRequest),
    VerifyClient(VerifyClientRequest),
}

impl Request {
    fn decision(&self) -> Decision {
        match self {
            Self::Select(_) => Decision::CertificateSelection,
            Self::Ocsp(_) => Decision::Ocsp,
            Self::Sign(_) => Decision::Signing,
            Self::VerifyClient(_) => Decision::ClientVerification,
        }
    }
}

/// What [`server`] observed, for the corpus replay test to check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerRun {
    /// OcspRequest events raised.
    pub ocsp_requests: usize,
    /// SelectCertificate events raised.
    pub selections: usize,
    /// SignRequest events raised.
    pub sign_requests: usize,
    /// Whether the handshake completed.
    pub handshake_complete: bool,
    /// Whether the connection closed.
    pub closed: bool,
    /// Bytes the server wrote in all.
    pub output: usize,
}

/// How the stream reaches the connection: `feed`, which copies, or
/// `feed_in_place` over a buffer the caller owns.
enum Feeder {
    Copy,
    InPlace {
        buf: Vec<u8>,
        /// `buf[start..end]`: offered, not yet taken by the connection.
        start: usize,
        end: usize,
    },
}

impl Feeder {
    fn new(in_place: bool) -> Self {
        if in_place {
            Self::InPlace {
                buf: vec![0; IN_PLACE_MIN_BUFFER],
                start: 0,
                end: 0,
            }
        } else {
            Self::Copy
        }
    }

    /// Offers `chunk`; how many of its bytes were taken (by the
    /// connection, or into the buffer it is fed from).
    fn feed(&mut self, conn: &mut ServerConnection, chunk: &[u8]) -> Result<usize, stapler::Error> {
        let Self::InPlace { buf, start, end } = self else {
            return conn.feed(chunk);
        };
        buf.copy_within(*start..*end, 0);
        *end -= *start;
        *start = 0;
        // Nothing is read while paused: the adapter awaits the answer.
        let take = if conn.paused_for().is_some() {
            0
        } else {
            (buf.len() - *end).min(chunk.len())
        };
        buf[*end..*end + take].copy_from_slice(&chunk[..take]);
        *end += take;
        self.pump(conn)?;
        Ok(take)
    }

    /// Feeds the buffered bytes in place until the connection takes no
    /// more.
    fn pump(&mut self, conn: &mut ServerConnection) -> Result<(), stapler::Error> {
        let Self::InPlace { buf, start, end } = self else {
            return Ok(());
        };
        loop {
            let paused = conn.paused_for().is_some();
            let offered = *end - *start;
            let fed = conn.feed_in_place(&mut buf[*start..*end])?;
            assert!(
                fed.consumed <= offered,
                "feed_in_place took {} of {offered} bytes",
                fed.consumed
            );
            if paused {
                assert_eq!(fed.consumed, 0, "feed_in_place took bytes while paused");
            }
            assert!(
                fed.data.is_empty() || conn.is_handshake_complete(),
                "application data before the handshake completed"
            );
            *start += fed.consumed;
            if fed.consumed == 0 {
                let full = *end - *start == buf.len();
                assert!(
                    !full || conn.paused_for().is_some() || conn.is_closed(),
                    "a full buffer made no progress"
                );
                return Ok(());
            }
        }
    }

    /// Bytes taken into the buffer and not yet by the connection.
    fn buffered(&self) -> usize {
        match self {
            Self::Copy => 0,
            Self::InPlace { start, end, .. } => end - start,
        }
    }
}

/// Feeds `data[3..]` to a fresh connection. `data[0]` bits 0-4 pick the
/// config (OCSP events, certificate events, remote key, session tickets,
/// client certificates) and bit 5 feeds in place (see [`Feeder`]);
/// `data[1]` the
/// answers (see [`Answers`]); `data[2]` seeds the chunk sizes (0 feeds
/// everything in one call). Panics if a promise breaks.
pub fn server(data: &[u8]) -> ServerRun {
    let Some((header, stream)) = data.split_first_chunk::<HEADER_LEN>() else {
        return ServerRun::default();
    };
    let remote = header[0] & 4 != 0;
    let answers = Answers(header[1]);
    let mut sizes = ChunkSizes(u32::from(header[2]));

    let mut conn = if header[0] & (8 | 16) != 0 {
        ServerConnection::new_at(config(header[0]), FUZZ_NOW)
    } else {
        ServerConnection::new(config(header[0]))
    };
    let mut feeder = Feeder::new(header[0] & 32 != 0);
    let mut run = ServerRun::default();
    let mut pending = stream;
    let mut pending_request: Option<Request> = None;

    'stream: while !pending.is_empty() {
        let take = sizes.next(pending.len());
        let chunk = &pending[..take];
        let paused = conn.paused_for().is_some();
        let was_closed = conn.is_closed();
        match feeder.feed(&mut conn, chunk) {
            Ok(n) => {
                assert!(
                    n <= chunk.len(),
                    "feed claimed {n} of {} bytes",
                    chunk.len()
                );
                if paused {
                    assert_eq!(n, 0, "feed took bytes while paused");
                }
                pending = &pending[n..];
                if n == 0 && pending_request.is_none() && conn.received().is_empty() {
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
        // One request after another may come of one chunk: a completion
        // can lead straight to the next pause.
        while let Some(request) = pending_request.take() {
            let decision = request.decision();
            assert_eq!(
                conn.paused_for(),
                Some(decision),
                "a request without its pause"
            );
            match answers.answer(request, remote) {
                Outcome::Answered(completion) => {
                    let was_closed = conn.is_closed();
                    let result = conn.complete(completion, 0);
                    assert!(result.is_ok() || conn.is_closed(), "{result:?}");
                    assert_ne!(conn.paused_for(), Some(decision), "still paused");
                    drain(&mut conn, &mut run, &mut pending_request, was_closed);
                    // What the buffer holds goes on once the pause is over
                    // (the adapter feeds it before reading more).
                    if pending_request.is_none() && feeder.buffered() > 0 && !conn.is_closed() {
                        if feeder.pump(&mut conn).is_err() {
                            assert!(conn.is_closed(), "an error left the connection open");
                        }
                        drain(&mut conn, &mut run, &mut pending_request, false);
                    }
                    let paused_again = conn.paused_for().is_some();
                    assert_eq!(
                        paused_again,
                        pending_request.is_some(),
                        "a pause without its request"
                    );
                }
                Outcome::Kept(request) => {
                    // Kept but never answered: the rest of the stream must
                    // wait.
                    assert_eq!(
                        feeder.feed(&mut conn, pending),
                        Ok(0),
                        "feed took bytes while paused"
                    );
                    assert_eq!(conn.paused_for(), Some(decision));
                    drop(request);
                    break 'stream;
                }
                Outcome::Dropped => {
                    // Dropped unanswered: the next call closes the
                    // connection with internal_error, and says why.
                    assert_eq!(
                        feeder.feed(&mut conn, pending),
                        Err(stapler::Error::RequestDropped),
                        "a dropped request went unnoticed"
                    );
                    assert!(conn.is_closed());
                    drain(&mut conn, &mut run, &mut pending_request, false);
                    break 'stream;
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
    pending_request: &mut Option<Request>,
    was_closed: bool,
) {
    let mut closed_now = false;
    while let Some(event) = conn.poll_event() {
        assert!(!closed_now, "an event after Event::Closed: {event:?}");
        let request = match event {
            Event::OcspRequest(request) => {
                run.ocsp_requests += 1;
                Some(Request::Ocsp(request))
            }
            Event::SelectCertificate(request) => {
                run.selections += 1;
                Some(Request::Select(request))
            }
            Event::SignRequest(request) => {
                run.sign_requests += 1;
                Some(Request::Sign(request))
            }
            Event::VerifyClient(request) => Some(Request::VerifyClient(request)),
            Event::Closed(_) => {
                assert!(!was_closed, "Event::Closed raised twice");
                assert!(conn.is_closed(), "Event::Closed but is_closed() is false");
                closed_now = true;
                None
            }
            Event::DataReady => {
                // Read it all, as an application does: the records behind
                // it open as it is read.
                assert!(!conn.received().is_empty(), "DataReady with no data");
                loop {
                    let n = conn.received().len();
                    if n == 0 || conn.consume(n).is_err() {
                        break;
                    }
                }
                None
            }
            _ => None,
        };
        if let Some(request) = request {
            assert!(
                pending_request.is_none(),
                "a second request while one is out"
            );
            *pending_request = Some(request);
        }
    }
    assert!(run.ocsp_requests <= 1, "more than one OcspRequest");
    assert!(run.selections <= 1, "more than one certificate selection");
    assert!(run.sign_requests <= 1, "more than one signing request");
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
