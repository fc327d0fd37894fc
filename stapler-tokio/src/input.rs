//! [`Input`]: the bytes read from the transport, in one buffer that the
//! connection decrypts in place ([`ServerConnection::feed_in_place`]).
//!
//! Records are read into the buffer, handled where they lie, and their
//! application data is handed to the reader from there: one copy in
//! (the read from the transport) and one out (into the caller's buffer),
//! which is all any TLS reader must do. The buffer is zeroed once, when
//! the stream is made, and never again.

use std::io;
use std::ops::Range;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use stapler::server::IN_PLACE_MIN_BUFFER;
use stapler::ServerConnection;
use tokio::io::{AsyncRead, ReadBuf};

/// Bytes read and not yet handled, and application data decrypted and
/// not yet read.
pub(crate) struct Input {
    buf: Box<[u8]>,
    /// `buf[unread.start..unread.end]`: read from the transport, not yet
    /// taken by the connection.
    unread: Range<usize>,
    /// `buf[plain]`: decrypted application data not yet handed out. It
    /// lies before `unread`, in a record the connection took.
    plain: Range<usize>,
}

impl Input {
    /// An empty input. Its buffer holds the longest record a client may
    /// send, whole, which is what `feed_in_place` needs to make progress;
    /// a read takes what fits behind the bytes not yet handled.
    pub(crate) fn new() -> Self {
        Self {
            buf: vec![0; IN_PLACE_MIN_BUFFER].into_boxed_slice(),
            unread: 0..0,
            plain: 0..0,
        }
    }

    /// Whether decrypted data waits to be read.
    pub(crate) fn has_plain(&self) -> bool {
        !self.plain.is_empty()
    }

    /// Whether bytes read wait for the connection.
    pub(crate) fn has_unread(&self) -> bool {
        !self.unread.is_empty()
    }

    /// Copies what decrypted data fits into `out`.
    pub(crate) fn read_plain(&mut self, out: &mut ReadBuf<'_>) {
        let end = self.plain.start + self.plain.len().min(out.remaining());
        if let Some(data) = self.buf.get(self.plain.start..end) {
            out.put_slice(data);
            self.plain.start = end;
        } else {
            // Out of the buffer cannot happen (see `feed`); drop it rather
            // than loop.
            self.plain = 0..0;
        }
    }

    /// Offers the bytes read to `conn`, which handles the records they
    /// hold up to the first one of application data; returns how many
    /// bytes it took. Only when no decrypted data waits, which this
    /// would overwrite.
    pub(crate) fn feed(&mut self, conn: &mut ServerConnection) -> Result<usize, stapler::Error> {
        if self.has_plain() {
            return Ok(0);
        }
        let base = self.buf.as_ptr() as usize;
        let unread = self.unread.clone();
        let Some(bytes) = self.buf.get_mut(unread.clone()) else {
            self.unread = 0..0;
            return Ok(0);
        };
        let fed = conn.feed_in_place(bytes)?;
        // The data lies inside `bytes`, in the record just taken: its
        // place in the buffer is its distance from the buffer's start.
        let at = (fed.data.as_ptr() as usize).wrapping_sub(base);
        let plain = at..at.saturating_add(fed.data.len());
        self.plain = if fed.data.is_empty() || plain.end > unread.end {
            0..0
        } else {
            plain
        };
        self.unread.start = unread.start.saturating_add(fed.consumed).min(unread.end);
        Ok(fed.consumed)
    }

    /// Reads more from `io` behind the bytes not yet handled (moved to the
    /// front first, when no decrypted data waits); returns how many, 0 at
    /// end of file.
    pub(crate) fn poll_read_from<IO: AsyncRead + Unpin>(
        &mut self,
        io: &mut IO,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<usize>> {
        if !self.has_plain() && self.unread.start > 0 {
            self.buf.copy_within(self.unread.clone(), 0);
            self.unread = 0..self.unread.len();
        }
        let Some(room) = self
            .buf
            .get_mut(self.unread.end..)
            .filter(|r| !r.is_empty())
        else {
            // A whole record always fits behind the front, and the
            // connection takes every whole record unless paused, when
            // nothing is read: a full buffer is a broken promise.
            return Poll::Ready(Err(io::Error::other(
                "stapler-tokio: the input buffer is full of bytes the connection does not take",
            )));
        };
        let mut read = ReadBuf::new(room);
        ready!(Pin::new(io).poll_read(cx, &mut read))?;
        let n = read.filled().len();
        self.unread.end += n;
        Poll::Ready(Ok(n))
    }
}
