//! A stapler server on 127.0.0.1 for tests against real clients.
//!
//! [`LoopbackServer::start`] binds 127.0.0.1:0 and accepts in a thread.
//! Each TCP connection gets a thread and one `ServerConnection`, driven by
//! the run-loop contract of the crate docs: feed the bytes received until
//! they are consumed, drain `poll_event` then `poll_transmit` after every
//! input, keep what a paused connection did not take for after
//! `complete_ocsp`. Each `OcspRequest` is answered by a policy the test
//! chooses ([`OcspPolicy`]); the application layer is a tiny HTTP/1.x
//! server or an echo ([`AppMode`]).
//!
//! What every connection did is recorded ([`ConnectionRecord`]) for the
//! test to assert on, and can be waited for. Every wait, read and write has
//! a deadline, so a peer that hangs fails the test instead of hanging CI.
//!
//! Nothing here depends on the TLS version: the `ServerConfig` decides.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use bytes::Bytes;
use stapler::{
    CloseReason, CompleteError, Completion, Event, HandshakeSummary, OcspRequest, ServerConfig,
    ServerConnection,
};

/// How long a connection may wait for the peer's next bytes, or for an
/// OCSP answer beyond its planned delay, before it gives up.
pub const IO_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a test waits for the server to record something.
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(20);
/// After the server's last write, how long it reads (and drops) what the
/// peer still sends before closing the socket: closing with unread input
/// makes the kernel send a reset, which can destroy the response before the
/// peer reads it.
const LINGER: Duration = Duration::from_secs(2);
/// The largest HTTP request head the server reads.
const MAX_REQUEST_HEAD: usize = 16 * 1024;
/// The most application data a record keeps for the test.
const MAX_KEPT_DATA: usize = 64 * 1024;
/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 32 * 1024;

/// How the server answers an `OcspRequest`.
#[derive(Clone, Debug)]
pub enum OcspPolicy {
    /// `respond(bytes)`: staple these bytes. Empty bytes are refused by
    /// `respond`; the harness then aborts with a reason saying so.
    Respond(Bytes),
    /// `no_response()`: continue without a staple.
    NoResponse,
    /// `abort(reason)`: internal_error alert, connection closed.
    Abort(String),
    /// The inner answer, given from another thread after the delay while
    /// the connection's thread waits for it.
    Delayed(Duration, Box<OcspPolicy>),
}

impl OcspPolicy {
    /// `then`, answered from another thread after `delay`.
    pub fn delayed(delay: Duration, then: OcspPolicy) -> Self {
        Self::Delayed(delay, Box::new(then))
    }

    /// The whole planned delay, nested delays included.
    fn delay(&self) -> Duration {
        match self {
            Self::Delayed(delay, then) => *delay + then.delay(),
            _ => Duration::ZERO,
        }
    }

    /// Answers `request`, sleeping first if delayed.
    fn answer(self, request: OcspRequest) -> Completion {
        match self {
            Self::Respond(bytes) => request.respond(bytes).unwrap_or_else(|empty| {
                empty
                    .0
                    .abort("the test policy gave an empty response, which respond() refused")
            }),
            Self::NoResponse => request.no_response(),
            Self::Abort(reason) => request.abort(reason),
            Self::Delayed(delay, then) => {
                thread::sleep(delay);
                then.answer(request)
            }
        }
    }
}

/// What the server does with application data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppMode {
    /// Reads one HTTP/1.x request head, answers with a short text page
    /// (`Connection: close`) naming the connection and its OCSP outcome,
    /// then sends close_notify.
    Http,
    /// Sends every piece of application data back; closes when the peer
    /// sends close_notify (answered with close_notify).
    Echo,
    /// As `Http`, the page followed by this many bytes of filler (`x`
    /// lines), so that the response spans many records.
    HttpPadded(usize),
}

/// What the server saw of an `OcspRequest`.
#[derive(Clone, Debug)]
pub struct SeenOcspRequest {
    /// When the event came out.
    pub at: Instant,
    /// `request.certificate()`: the DER leaf.
    pub certificate: Bytes,
    /// `request.issuer()`.
    pub issuer: Option<Bytes>,
    /// `request.server_name()`.
    pub server_name: Option<String>,
    /// How many responder IDs the client sent.
    pub responder_ids: usize,
}

/// What one TCP connection did, as the server saw it.
#[derive(Clone)]
pub struct ConnectionRecord {
    /// Accept order, from 0.
    pub index: usize,
    /// The client's address.
    pub peer: Option<SocketAddr>,
    /// When it was accepted.
    pub accepted_at: Instant,
    /// The `OcspRequest` event, if one was raised.
    pub ocsp_request: Option<SeenOcspRequest>,
    /// When the answer was handed to `complete_ocsp`.
    pub ocsp_completed_at: Option<Instant>,
    /// Bytes received that the paused handshake did not take, kept for
    /// after the answer.
    pub held_while_paused: usize,
    /// The `HandshakeComplete` summary.
    pub summary: Option<HandshakeSummary>,
    /// When `HandshakeComplete` came out.
    pub handshake_completed_at: Option<Instant>,
    /// Application data received (the first [`MAX_KEPT_DATA`] bytes).
    pub received: Vec<u8>,
    /// The HTTP request line answered, in [`AppMode::Http`].
    pub http_request_line: Option<String>,
    /// The `Closed` event's reason.
    pub closed: Option<CloseReason>,
    /// Anything outside TLS that went wrong: an I/O error, a timeout, a
    /// peer that closed TCP without close_notify, a broken contract.
    pub problem: Option<String>,
    /// When the connection's thread ended (socket closed).
    pub finished_at: Option<Instant>,
}

impl std::fmt::Debug for ConnectionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Times relative to the accept, data as text: readable in a
        // failure message.
        let since = |t: Option<Instant>| t.map(|t| t.saturating_duration_since(self.accepted_at));
        f.debug_struct("ConnectionRecord")
            .field("index", &self.index)
            .field("peer", &self.peer)
            .field(
                "ocsp_request",
                &self.ocsp_request.as_ref().map(|r| &r.server_name),
            )
            .field(
                "ocsp_requested_after",
                &since(self.ocsp_request.as_ref().map(|r| r.at)),
            )
            .field("ocsp_completed_after", &since(self.ocsp_completed_at))
            .field("held_while_paused", &self.held_while_paused)
            .field("summary", &self.summary)
            .field(
                "handshake_completed_after",
                &since(self.handshake_completed_at),
            )
            .field("received", &String::from_utf8_lossy(&self.received))
            .field("http_request_line", &self.http_request_line)
            .field("closed", &self.closed)
            .field("problem", &self.problem)
            .field("finished_after", &since(self.finished_at))
            .finish()
    }
}

impl ConnectionRecord {
    fn new(index: usize, peer: Option<SocketAddr>) -> Self {
        Self {
            index,
            peer,
            accepted_at: Instant::now(),
            ocsp_request: None,
            ocsp_completed_at: None,
            held_while_paused: 0,
            summary: None,
            handshake_completed_at: None,
            received: Vec::new(),
            http_request_line: None,
            closed: None,
            problem: None,
            finished_at: None,
        }
    }

    /// Whether an `OcspRequest` event was raised.
    pub fn ocsp_requested(&self) -> bool {
        self.ocsp_request.is_some()
    }

    /// Whether the connection's thread has ended.
    pub fn is_finished(&self) -> bool {
        self.finished_at.is_some()
    }

    /// How long the handshake waited for its OCSP answer.
    pub fn ocsp_wait(&self) -> Option<Duration> {
        let asked = self.ocsp_request.as_ref()?.at;
        Some(self.ocsp_completed_at?.saturating_duration_since(asked))
    }
}

/// The answer policy: given the connection's index and the request.
type PolicyFn = dyn Fn(usize, &OcspRequest) -> OcspPolicy + Send + Sync;

/// What the acceptor and every connection thread share.
struct Shared {
    config: Arc<ServerConfig>,
    app: AppMode,
    policy: Box<PolicyFn>,
    records: Mutex<Vec<ConnectionRecord>>,
    changed: Condvar,
    stop: AtomicBool,
}

impl Shared {
    /// The records, even if a connection thread panicked holding the lock
    /// (its record says so; the others are still worth showing).
    fn lock(&self) -> MutexGuard<'_, Vec<ConnectionRecord>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, index: usize, f: impl FnOnce(&mut ConnectionRecord)) {
        if let Some(record) = self.lock().get_mut(index) {
            f(record);
        }
        self.changed.notify_all();
    }
}

/// A stapler server on 127.0.0.1; stops accepting when dropped.
pub struct LoopbackServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl LoopbackServer {
    /// Serves `config` on 127.0.0.1 at a free port, answering each
    /// `OcspRequest` with `policy(connection index, &request)`.
    pub fn start(
        config: Arc<ServerConfig>,
        app: AppMode,
        policy: impl Fn(usize, &OcspRequest) -> OcspPolicy + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("the bound address");
        let shared = Arc::new(Shared {
            config,
            app,
            policy: Box::new(policy),
            records: Mutex::new(Vec::new()),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("loopback accept".into())
                .spawn(move || accept_loop(&listener, &shared))
                .expect("start the accept thread")
        };
        Self {
            addr,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// Serves `config`, answering every `OcspRequest` with `policy`.
    pub fn with_policy(config: Arc<ServerConfig>, app: AppMode, policy: OcspPolicy) -> Self {
        Self::start(config, app, move |_, _| policy.clone())
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every connection so far, in accept order, as recorded now.
    pub fn records(&self) -> Vec<ConnectionRecord> {
        self.shared.lock().clone()
    }

    /// Waits until `check` returns something for the records, and returns
    /// it. Fails the test after [`WAIT_TIMEOUT`], showing `what` and the
    /// records.
    pub fn wait_for<T>(
        &self,
        what: &str,
        mut check: impl FnMut(&[ConnectionRecord]) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        let mut records = self.shared.lock();
        loop {
            if let Some(found) = check(&records) {
                return found;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "timed out after {} s waiting for {what}; {}",
                    WAIT_TIMEOUT.as_secs(),
                    describe(&records)
                );
            }
            records = self
                .shared
                .changed
                .wait_timeout(records, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits until at least `n` connections were accepted and the first
    /// `n` have ended; returns those.
    pub fn wait_finished(&self, n: usize) -> Vec<ConnectionRecord> {
        self.wait_for(&format!("{n} finished connections"), |records| {
            (records.len() >= n && records[..n].iter().all(ConnectionRecord::is_finished))
                .then(|| records[..n].to_vec())
        })
    }

    /// Waits for the first connection to end, and checks it was the only
    /// one.
    pub fn single_connection(&self) -> ConnectionRecord {
        let first = self.wait_finished(1).remove(0);
        let count = self.records().len();
        assert_eq!(count, 1, "expected one connection, got {count}");
        first
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor, blocked in accept(), so that it sees the flag.
        // Should that fail, leave the thread be rather than hang the test
        // on join: it only holds a listener.
        let woken = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok();
        if let Some(acceptor) = self.acceptor.take().filter(|_| woken) {
            let _ = acceptor.join();
        }
        // Connection threads end on their own: each has deadlines.
    }
}

/// A short account of the records for failure messages: the count, and
/// the first few that are unfinished or had a problem.
fn describe(records: &[ConnectionRecord]) -> String {
    let odd: Vec<_> = records
        .iter()
        .filter(|r| !r.is_finished() || r.problem.is_some())
        .take(4)
        .collect();
    format!(
        "{} connections recorded; unfinished or with a problem (first 4): {odd:#?}",
        records.len()
    )
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let stream = match stream {
            Ok(stream) => stream,
            Err(_) => {
                // Out of file descriptors, say: wait rather than spin.
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let index = {
            let mut records = shared.lock();
            let index = records.len();
            records.push(ConnectionRecord::new(index, stream.peer_addr().ok()));
            index
        };
        shared.changed.notify_all();
        let for_thread = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name(format!("loopback conn {index}"))
            .spawn(move || connection_thread(stream, &for_thread, index));
        if let Err(e) = spawned {
            shared.update(index, |r| {
                r.problem = Some(format!("cannot start a thread: {e}"));
                r.finished_at = Some(Instant::now());
            });
        }
    }
}

/// Marks the record finished even if the thread panics, so that a test
/// waiting for it fails at once with the reason instead of timing out.
struct FinishOnDrop<'a> {
    shared: &'a Shared,
    index: usize,
}

impl Drop for FinishOnDrop<'_> {
    fn drop(&mut self) {
        let panicking = thread::panicking();
        self.shared.update(self.index, |r| {
            if panicking {
                r.problem = Some("the connection thread panicked".into());
            }
            if r.finished_at.is_none() {
                r.finished_at = Some(Instant::now());
            }
        });
    }
}

fn connection_thread(mut stream: TcpStream, shared: &Shared, index: usize) {
    let guard = FinishOnDrop { shared, index };
    let result = serve(&mut stream, shared, index);
    linger(&mut stream);
    if let Err(problem) = result {
        shared.update(index, |r| r.problem = Some(problem));
    }
    drop(guard);
}

/// The application layer's state on one connection.
#[derive(Default)]
struct App {
    /// The HTTP request head so far.
    head: Vec<u8>,
    /// Whether the HTTP request was answered.
    answered: bool,
    /// The handshake summary, for the page.
    summary: Option<HandshakeSummary>,
}

/// The run loop: bytes in, events and bytes out, until the connection is
/// closed, the peer goes away or a deadline passes.
fn serve(stream: &mut TcpStream, shared: &Shared, index: usize) -> Result<(), String> {
    stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)))
        .and_then(|()| stream.set_nodelay(true))
        .map_err(|e| format!("socket setup: {e}"))?;
    let mut conn = ServerConnection::new(Arc::clone(&shared.config));
    // Received and not yet consumed: kept while the handshake is paused.
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; READ_CHUNK];
    let mut app = App::default();
    // Each round first takes the outcome of the last input (events, then
    // output), then makes the next input: an OCSP answer, the bytes a
    // paused handshake left, or fresh bytes from the socket.
    loop {
        let request = drain_events(&mut conn, shared, index, &mut app);
        flush(&mut conn, stream)?;
        if conn.is_closed() {
            return Ok(());
        }

        if let Some(request) = request {
            let held = pending.len();
            shared.update(index, |r| r.held_while_paused = held);
            let completion = obtain_completion(shared, index, request)?;
            shared.update(index, |r| r.ocsp_completed_at = Some(Instant::now()));
            match conn.complete(completion, crate::common::ANY_TIME) {
                // A failure closed the connection: its events and alert
                // come out in the next round.
                Ok(()) | Err(CompleteError::Failed(_)) => {}
                Err(e) => return Err(format!("complete_ocsp refused its own completion: {e}")),
            }
            continue;
        }
        if conn.paused_for().is_some() {
            return Err("paused for OCSP without an OcspRequest event".into());
        }
        if !pending.is_empty() {
            // An error closes the connection; its alert and Event::Closed
            // come out in the next round.
            if let Ok(n) = conn.feed(&pending) {
                if n == 0 && conn.paused_for().is_none() && !conn.is_closed() {
                    return Err(format!(
                        "feed() took none of {} bytes while not paused or closed",
                        pending.len()
                    ));
                }
                pending.drain(..n);
            }
            continue;
        }

        match stream.read(&mut buf) {
            Ok(0) => {
                return Err(if conn.is_handshake_complete() {
                    "the peer closed TCP without close_notify".into()
                } else {
                    "the peer closed TCP during the handshake".into()
                })
            }
            // Fed in the next round, once this round's outcome is out.
            Ok(n) => pending.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                conn.close();
                let _ = flush(&mut conn, stream);
                return Err(format!("no data for {} s; closed", IO_TIMEOUT.as_secs()));
            }
            Err(e) => return Err(format!("read: {e}")),
        }
    }
}

/// Drains the events, records them, runs the application layer, and
/// returns the `OcspRequest` to answer, if one came out.
fn drain_events(
    conn: &mut ServerConnection,
    shared: &Shared,
    index: usize,
    app: &mut App,
) -> Option<OcspRequest> {
    let mut request = None;
    while let Some(event) = conn.poll_event() {
        match event {
            Event::OcspRequest(r) => {
                let seen = SeenOcspRequest {
                    at: Instant::now(),
                    certificate: r.certificate().clone(),
                    issuer: r.issuer().cloned(),
                    server_name: r.server_name().map(str::to_owned),
                    responder_ids: r.responder_ids().len(),
                };
                let again = request.is_some();
                shared.update(index, |rec| {
                    if again {
                        rec.problem = Some("a second OcspRequest on one connection".into());
                    }
                    rec.ocsp_request = Some(seen);
                });
                request = Some(r);
            }
            Event::HandshakeComplete(summary) => {
                let kept = summary.clone();
                shared.update(index, |r| {
                    r.summary = Some(kept);
                    r.handshake_completed_at = Some(Instant::now());
                });
                app.summary = Some(summary);
            }
            Event::DataReady => {
                // Read to the end: records behind the first open as it is
                // read. A copy, since answering borrows the connection.
                let mut data = conn.received().to_vec();
                while !data.is_empty() {
                    shared.update(index, |r| {
                        let room = MAX_KEPT_DATA.saturating_sub(r.received.len());
                        r.received.extend_from_slice(&data[..data.len().min(room)]);
                    });
                    on_application_data(conn, shared, index, app, &data);
                    // An error closes the connection and shows as an event.
                    if conn.consume(data.len()).is_err() {
                        break;
                    }
                    data = conn.received().to_vec();
                }
            }
            Event::Closed(reason) => shared.update(index, |r| r.closed = Some(reason)),
            other => shared.update(index, |r| {
                r.problem = Some(format!("an event the harness does not know: {other:?}"))
            }),
        }
    }
    request
}

fn on_application_data(
    conn: &mut ServerConnection,
    shared: &Shared,
    index: usize,
    app: &mut App,
    data: &[u8],
) {
    match shared.app {
        AppMode::Echo => {
            // An error closes the connection and shows as Event::Closed.
            let _ = conn.send(data);
        }
        AppMode::Http | AppMode::HttpPadded(_) if app.answered => {} // pipelined: ignored
        AppMode::Http | AppMode::HttpPadded(_) => {
            app.head.extend_from_slice(data);
            let end = app.head.windows(4).position(|w| w == b"\r\n\r\n");
            if end.is_none() && app.head.len() <= MAX_REQUEST_HEAD {
                return; // more to come
            }
            app.answered = true;
            let line_end = app
                .head
                .iter()
                .position(|&b| b == b'\r')
                .unwrap_or(app.head.len())
                .min(256);
            let line = String::from_utf8_lossy(&app.head[..line_end]).into_owned();
            let (status, body) = match end {
                Some(_) if line.ends_with(" HTTP/1.0") || line.ends_with(" HTTP/1.1") => {
                    let ocsp = app
                        .summary
                        .as_ref()
                        .map_or_else(|| "?".into(), |s| format!("{:?}", s.ocsp));
                    let filler = match shared.app {
                        AppMode::HttpPadded(n) => "x".repeat(n.saturating_sub(1)) + "\n",
                        _ => String::new(),
                    };
                    (
                        "200 OK",
                        format!(
                            "stapler loopback server\nconnection: {index}\nocsp: {ocsp}\n{filler}"
                        ),
                    )
                }
                Some(_) => ("400 Bad Request", "not HTTP/1.x\n".into()),
                None => (
                    "431 Request Header Fields Too Large",
                    "head too large\n".into(),
                ),
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            shared.update(index, |r| r.http_request_line = Some(line));
            // Errors close the connection and show as Event::Closed.
            let _ = conn.send(response.as_bytes());
            conn.close();
        }
    }
}

fn flush(conn: &mut ServerConnection, stream: &mut TcpStream) -> Result<(), String> {
    while let Some(out) = conn.poll_transmit() {
        stream.write_all(&out).map_err(|e| format!("write: {e}"))?;
    }
    Ok(())
}

/// Gets the completion for `request` by the test's policy: at once, or from
/// another thread after the policy's delay while this thread waits (with a
/// deadline, since a lost answer cannot be noticed otherwise).
fn obtain_completion(
    shared: &Shared,
    index: usize,
    request: OcspRequest,
) -> Result<Completion, String> {
    let policy = (shared.policy)(index, &request);
    let delay = policy.delay();
    if delay.is_zero() {
        return Ok(policy.answer(request));
    }
    let (tx, rx) = mpsc::channel();
    thread::Builder::new()
        .name(format!("ocsp answer {index}"))
        .spawn(move || {
            // The connection may have given up waiting; then nobody listens.
            let _ = tx.send(policy.answer(request));
        })
        .map_err(|e| format!("cannot start the OCSP answer thread: {e}"))?;
    rx.recv_timeout(delay + IO_TIMEOUT)
        .map_err(|_| "no OCSP answer in time; handshake abandoned".into())
}

/// Ends the connection gently: no more writes, then read and drop what the
/// peer still sends until it closes or [`LINGER`] passes.
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
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// A rustls client in this process, over TCP: connects to `addr` as
/// `server_name`, sends an HTTP/1.0 GET, and returns everything the server
/// sent until its close_notify (a TCP close without close_notify is an
/// error). The client config decides versions, trust and what is recorded
/// (see `rustls_pair::RecordingVerifier` for the staple).
pub fn rustls_http_get(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    server_name: &str,
) -> Result<Vec<u8>, String> {
    let mut tls = rustls_connect(addr, config, server_name)?;
    tls.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .map_err(|e| format!("write: {e}"))?;
    let mut response = Vec::new();
    tls.read_to_end(&mut response)
        .map_err(|e| format!("read: {e}"))?;
    Ok(response)
}

/// A rustls client over TCP: sends `message`, reads back as many bytes
/// (an echo), then sends close_notify and reads until the server's
/// close_notify.
pub fn rustls_echo(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    server_name: &str,
    message: &[u8],
) -> Result<Vec<u8>, String> {
    let mut tls = rustls_connect(addr, config, server_name)?;
    tls.write_all(message).map_err(|e| format!("write: {e}"))?;
    let mut echoed = vec![0u8; message.len()];
    tls.read_exact(&mut echoed)
        .map_err(|e| format!("read the echo: {e}"))?;
    tls.conn.send_close_notify();
    tls.flush().map_err(|e| format!("send close_notify: {e}"))?;
    let mut rest = Vec::new();
    tls.read_to_end(&mut rest)
        .map_err(|e| format!("read to the server's close_notify: {e}"))?;
    if !rest.is_empty() {
        return Err(format!("{} bytes after the echo", rest.len()));
    }
    Ok(echoed)
}

fn rustls_connect(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    server_name: &str,
) -> Result<rustls::StreamOwned<rustls::ClientConnection, TcpStream>, String> {
    let name = rustls::pki_types::ServerName::try_from(server_name.to_owned())
        .map_err(|e| format!("server name {server_name}: {e}"))?;
    let conn = rustls::ClientConnection::new(config, name).map_err(|e| e.to_string())?;
    let sock =
        TcpStream::connect_timeout(&addr, IO_TIMEOUT).map_err(|e| format!("connect: {e}"))?;
    sock.set_read_timeout(Some(IO_TIMEOUT))
        .and_then(|()| sock.set_write_timeout(Some(IO_TIMEOUT)))
        .and_then(|()| sock.set_nodelay(true))
        .map_err(|e| format!("socket setup: {e}"))?;
    Ok(rustls::StreamOwned::new(conn, sock))
}
