//! Answers larger than any real one, to check that the clients stop reading
//! at their caps: generated chunk by chunk, so the fake itself never holds
//! the whole body in memory.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use hyper::body::{Frame, SizeHint};

/// Size of each generated chunk.
const CHUNK: usize = 64 * 1024;

/// A body of `total` bytes: `prefix`, then filler that keeps it plausible
/// JSON to a reader that has not reached the end. With `announce_length`
/// the server sends `Content-Length: total`; without, it is chunked.
pub fn oversized_body(
    prefix: &'static str,
    filler: &'static str,
    total: u64,
    announce_length: bool,
) -> Body {
    let filler_chunk: Bytes = filler
        .as_bytes()
        .iter()
        .copied()
        .cycle()
        .take(CHUNK)
        .collect();
    Body::new(Oversized {
        prefix: Some(Bytes::from_static(prefix.as_bytes())),
        filler: filler_chunk,
        remaining: total,
        announce_length,
    })
}

struct Oversized {
    prefix: Option<Bytes>,
    filler: Bytes,
    remaining: u64,
    announce_length: bool,
}

impl hyper::body::Body for Oversized {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let mut chunk = self.prefix.take().unwrap_or_else(|| self.filler.clone());
        if chunk.len() as u64 > self.remaining {
            chunk.truncate(self.remaining as usize);
        }
        self.remaining -= chunk.len() as u64;
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        if self.announce_length {
            SizeHint::with_exact(self.remaining)
        } else {
            SizeHint::default()
        }
    }
}
