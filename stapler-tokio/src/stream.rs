//! [`TlsStream`]: an established connection as `AsyncRead + AsyncWrite`.
//!
//! The run loop of stapler's crate docs, one poll at a time: reads feed
//! the connection what the socket brings and hand out what it decrypted;
//! writes seal into a buffer the stream owns (up to the connection's
//! output limit, which is the backpressure) and write it out; shutdown
//! sends close_notify.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use stapler::{CloseReason, Event, HandshakeSummary, ServerConnection};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::Error;

/// Bytes read from the socket at a time: a whole record and then some.
pub(crate) const READ_CHUNK: usize = 17 * 1024;

/// A TLS connection whose handshake is done, over `IO`.
pub struct TlsStream<IO> {
    pub(crate) io: IO,
    pub(crate) conn: ServerConnection,
    pub(crate) summary: HandshakeSummary,
    /// Bytes read from `io` that the connection has not taken yet.
    pub(crate) incoming: Vec<u8>,
    /// Bytes for `io` not yet written.
    pub(crate) outgoing: Vec<u8>,
    /// `io` reported end of file.
    pub(crate) eof: bool,
    /// Why the connection closed, once it has.
    pub(crate) closed: Option<CloseReason>,
    /// The client closed its write side (TLS 1.3 half-close, when the
    /// config allows it): reads end, writes go on.
    pub(crate) peer_closed_write: bool,
}

impl<IO> TlsStream<IO> {
    /// What the handshake agreed on.
    pub fn summary(&self) -> &HandshakeSummary {
        &self.summary
    }

    /// The connection underneath, for what the stream does not wrap.
    pub fn connection(&self) -> &ServerConnection {
        &self.conn
    }

    /// The transport underneath.
    pub fn get_ref(&self) -> &IO {
        &self.io
    }

    /// Takes the connection's events (the stream reads data with
    /// `received`, so only `Closed` matters) and its output.
    fn drain(&mut self) {
        while let Some(event) = self.conn.poll_event() {
            match event {
                Event::Closed(reason) => self.closed = Some(reason),
                Event::PeerClosedWrite => self.peer_closed_write = true,
                _ => {}
            }
        }
        self.conn.write_tls_into(&mut self.outgoing);
    }

    /// An error from stapler: the connection closed itself (its alert is
    /// in `outgoing`), so the caller gets the typed error.
    fn failed(&mut self, e: stapler::Error) -> io::Error {
        self.drain();
        Error::Tls(e).into()
    }
}

impl<IO: AsyncWrite + Unpin> TlsStream<IO> {
    /// Writes `outgoing` until it is empty or `io` is not ready.
    fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.outgoing.is_empty() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.outgoing))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.outgoing.drain(..n);
        }
        Poll::Ready(Ok(()))
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            let data = this.conn.received();
            if !data.is_empty() {
                let n = data.len().min(buf.remaining());
                buf.put_slice(&data[..n]);
                if let Err(e) = this.conn.consume(n) {
                    return Poll::Ready(Err(this.failed(e)));
                }
                this.drain();
                // A KeyUpdate's answer, say: out when the socket takes it.
                let _ = this.poll_write_out(cx)?;
                return Poll::Ready(Ok(()));
            }
            match &this.closed {
                // End of stream, after close_notify.
                Some(CloseReason::PeerClosed | CloseReason::LocalClose) => {
                    return Poll::Ready(Ok(()))
                }
                Some(reason) => {
                    return Poll::Ready(Err(Error::Closed(reason.clone()).into()));
                }
                // The client's close_notify, its side only: end of stream.
                None if this.peer_closed_write => return Poll::Ready(Ok(())),
                None => {}
            }
            if !this.incoming.is_empty() {
                let taken = match this.conn.feed(&this.incoming) {
                    Ok(taken) => taken,
                    Err(e) => return Poll::Ready(Err(this.failed(e))),
                };
                this.incoming.drain(..taken);
                this.drain();
                let _ = this.poll_write_out(cx)?;
                if taken > 0 || !this.conn.received().is_empty() || this.closed.is_some() {
                    continue;
                }
            }
            if this.eof {
                return Poll::Ready(Err(Error::UnexpectedEof.into()));
            }
            ready!(poll_read_more(&mut this.io, &mut this.incoming, cx))
                .map(|n| this.eof = n == 0)?;
        }
    }
}

/// Reads up to [`READ_CHUNK`] more bytes from `io` onto `incoming`;
/// returns how many (0 at end of file).
pub(crate) fn poll_read_more<IO: AsyncRead + Unpin>(
    io: &mut IO,
    incoming: &mut Vec<u8>,
    cx: &mut Context<'_>,
) -> Poll<io::Result<usize>> {
    let start = incoming.len();
    incoming.resize(start + READ_CHUNK, 0);
    let mut read = ReadBuf::new(&mut incoming[start..]);
    let result = Pin::new(io).poll_read(cx, &mut read);
    let n = read.filled().len();
    incoming.truncate(start + n);
    ready!(result)?;
    Poll::Ready(Ok(n))
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        // What was sealed before goes first; until it is out, nothing more
        // is taken (the connection's output limit bounds the buffer).
        ready!(this.poll_write_out(cx))?;
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let taken = match this.conn.send_into(data, &mut this.outgoing) {
            Ok(taken) => taken,
            Err(e) => return Poll::Ready(Err(this.failed(e))),
        };
        // Taken means sealed; the bytes go out now or on the next call.
        let _ = this.poll_write_out(cx)?;
        Poll::Ready(Ok(taken))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_out(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    /// Sends close_notify (once), writes everything out, and shuts the
    /// transport's write side.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.conn.is_closed() {
            this.conn.close();
        }
        this.drain();
        ready!(this.poll_write_out(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}
