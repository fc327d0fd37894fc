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
use crate::input::Input;

/// A TLS connection whose handshake is done, over `IO`.
///
/// Memory: one input buffer of a whole record (16,645 bytes,
/// `stapler::server::IN_PLACE_MIN_BUFFER`), which the socket is read into
/// and the connection decrypts in place, so a read costs one copy in and
/// one out; the output buffer, bounded by the connection's output limit;
/// and the connection itself, which holds no input of its own.
pub struct TlsStream<IO> {
    pub(crate) io: IO,
    pub(crate) conn: ServerConnection,
    pub(crate) summary: HandshakeSummary,
    /// Bytes read from `io`, decrypted where they lie.
    pub(crate) input: Input,
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

    /// Takes the connection's events (data is read from `input`, where
    /// it was decrypted, so only the closes matter) and its output.
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
}

impl<IO: AsyncWrite + Unpin> TlsStream<IO> {
    /// An error from stapler: the connection closed itself, and its alert
    /// goes out now if the transport takes it (a stream dropped on the
    /// error still tells the peer why); the caller gets the typed error.
    fn failed(&mut self, e: stapler::Error, cx: &mut Context<'_>) -> io::Error {
        self.drain();
        self.write_out_unreported(cx);
        Error::Tls(e).into()
    }

    /// Writes what the connection queued (a KeyUpdate's answer, the reply
    /// to close_notify, an alert) as far as the transport takes it now,
    /// for a caller whose own result is not the write's. A failure stays
    /// for the next write to report: what was read is good, so a client
    /// that sends close_notify and closes TCP at once still reads as a
    /// clean end of stream.
    fn write_out_unreported(&mut self, cx: &mut Context<'_>) {
        let _ = self.poll_write_out(cx);
    }

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
            if this.input.has_plain() {
                this.input.read_plain(buf);
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
            if this.input.has_unread() {
                let taken = match this.input.feed(&mut this.conn) {
                    Ok(taken) => taken,
                    Err(e) => return Poll::Ready(Err(this.failed(e, cx))),
                };
                this.drain();
                this.write_out_unreported(cx);
                if taken > 0 || this.input.has_plain() || this.closed.is_some() {
                    continue;
                }
            }
            if this.eof {
                return Poll::Ready(Err(Error::UnexpectedEof.into()));
            }
            ready!(this.input.poll_read_from(&mut this.io, cx)).map(|n| this.eof = n == 0)?;
        }
    }
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
            Err(e) => return Poll::Ready(Err(this.failed(e, cx))),
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
