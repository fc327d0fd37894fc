//! stapler over tokio: the way a tokio server meets stapler, as
//! tokio-rustls is for rustls.
//!
//! This crate implements no TLS. It runs stapler's sans-IO
//! [`ServerConnection`] over any `AsyncRead + AsyncWrite`: the handshake,
//! with every decision the connection pauses for (OCSP, certificate
//! selection, a remote key's signature, the verdict on a client
//! certificate) answered by a [`Handler`]'s async methods; then a
//! [`TlsStream`] that is itself `AsyncRead + AsyncWrite`, whose
//! `poll_shutdown` sends close_notify.
//!
//! ```no_run
//! use std::sync::Arc;
//! use stapler_tokio::{Acceptor, Handler};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! struct NoDecisions; // every default: no staple, the config's certificate
//! impl Handler for NoDecisions {}
//!
//! # async fn serve(config: Arc<stapler::ServerConfig>) -> std::io::Result<()> {
//! let acceptor = Acceptor::new(config);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8443").await?;
//! let (tcp, _) = listener.accept().await?;
//! let mut tls = acceptor.accept(tcp, &NoDecisions).await?;
//! println!("{:?}", tls.summary().version);
//! let mut request = [0; 1024];
//! let n = tls.read(&mut request).await?;
//! tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n").await?;
//! tls.shutdown().await?; // close_notify
//! # let _ = n;
//! # Ok(())
//! # }
//! ```
//!
//! Reading ends (`Ok(0)`) at the client's close_notify. With
//! `half_close(true)` in the config, a TLS 1.3 client's close_notify
//! closes its side only and the stream goes on writing until
//! `shutdown`; otherwise stapler answers it and the connection is over.
//! A peer that closes TCP without close_notify is [`Error::UnexpectedEof`].
//!
//! Errors are `io::Error`s whose source is this crate's [`Error`]: a
//! handshake that outlives the acceptor's timeout (a stalled peer, or an
//! answer that never comes) is [`Error::HandshakeTimeout`]; a refused
//! handshake is [`Error::Closed`] with stapler's reason.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod handler;
mod input;
mod stream;

use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use stapler::{Event, HandshakeSummary, ServerConfig, ServerConnection};

use input::Input;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

pub use error::Error;
pub use handler::{CacheHandler, Handler};
pub use stream::TlsStream;

/// How long a handshake may take by default, answers included: long
/// enough for an OCSP fetch over a slow link, short enough that a peer
/// that stalls does not hold a connection for long.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts TLS connections with one config.
#[derive(Clone)]
pub struct Acceptor {
    config: Arc<ServerConfig>,
    timeout: Duration,
}

impl Acceptor {
    /// An acceptor for `config`, with [`DEFAULT_HANDSHAKE_TIMEOUT`].
    pub fn new(config: Arc<ServerConfig>) -> Self {
        Self {
            config,
            timeout: DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }

    /// How long a handshake may take, the handler's answers included.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs the handshake over `io`, answering each decision with
    /// `handler`; the stream once it is done.
    ///
    /// Errors: [`Error::HandshakeTimeout`], [`Error::Closed`] (the
    /// handshake failed; its alert was sent), and `io`'s own.
    pub async fn accept<IO, H>(&self, io: IO, handler: &H) -> io::Result<TlsStream<IO>>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
        H: Handler,
    {
        let conn = ServerConnection::new_at(self.config.clone(), unix_now());
        match tokio::time::timeout(self.timeout, handshake(conn, io, handler)).await {
            Ok(result) => result,
            Err(_) => Err(Error::HandshakeTimeout(self.timeout).into()),
        }
    }
}

/// The handshake's run loop: write what the connection has, answer what
/// it asks, feed it what the peer sends, until it completes or closes.
async fn handshake<IO, H>(
    mut conn: ServerConnection,
    mut io: IO,
    handler: &H,
) -> io::Result<TlsStream<IO>>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    H: Handler,
{
    let mut input = Input::new();
    let mut outgoing = Vec::new();
    let mut summary: Option<HandshakeSummary> = None;
    // A close_notify that came right behind the client's Finished.
    let mut peer_closed_write = false;
    loop {
        while let Some(event) = conn.poll_event() {
            let completion = match event {
                Event::OcspRequest(r) => handler.ocsp(r).await,
                Event::SelectCertificate(r) => handler.select_certificate(r).await,
                Event::SignRequest(r) => {
                    // What comes before the signature may go out first.
                    conn.write_tls_into(&mut outgoing);
                    io.write_all(&outgoing).await?;
                    outgoing.clear();
                    handler.sign(r).await
                }
                Event::VerifyClient(r) => handler.verify_client(r).await,
                Event::HandshakeComplete(s) => {
                    summary = Some(s);
                    continue;
                }
                Event::Closed(reason) => {
                    conn.write_tls_into(&mut outgoing);
                    // The alert, if the peer still listens.
                    let _ = io.write_all(&outgoing).await;
                    return Err(Error::Closed(reason).into());
                }
                Event::PeerClosedWrite => {
                    peer_closed_write = true;
                    continue;
                }
                // DataReady: raised by `feed` alone, which is not used.
                _ => continue,
            };
            // A refusal or an abort closes the connection, and its Closed
            // event comes next round; a completion for another connection
            // cannot happen here (this loop owns its requests).
            let _ = conn.complete(completion, unix_now());
        }
        conn.write_tls_into(&mut outgoing);
        if !outgoing.is_empty() {
            io.write_all(&outgoing).await?;
            outgoing.clear();
        }
        if let Some(summary) = summary.take() {
            return Ok(TlsStream {
                io,
                conn,
                summary,
                input,
                outgoing,
                eof: false,
                closed: None,
                peer_closed_write,
            });
        }
        if input.has_unread() && conn.paused_for().is_none() && !conn.is_closed() {
            match input.feed(&mut conn) {
                // Nothing whole yet: read more.
                Ok(0) => {}
                // Records handled (application data right behind the
                // client's Finished stays in `input` for the stream).
                Ok(_) => continue,
                // The connection closed itself: its Closed event and alert
                // come out at the top.
                Err(_) => continue,
            }
        }
        let n = std::future::poll_fn(|cx| input.poll_read_from(&mut io, cx)).await?;
        if n == 0 {
            return Err(Error::UnexpectedEof.into());
        }
    }
}

/// Seconds since the Unix epoch, for the connection's tickets and the
/// checks of an answer: the adapter reads the clock, stapler does not.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
