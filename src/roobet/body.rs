//! Reading a casino answer with a size cap, so a huge or endless body cannot
//! exhaust memory: the announced `Content-Length` is checked before a byte is
//! read, then the body is streamed and abandoned as soon as it passes the cap.

use bytes::Bytes;

/// Largest stats answer read: 100,000 players at ≈ 400 bytes each is 40 MB,
/// so 64 MiB leaves headroom without letting a runaway answer through.
pub const MAX_STATS_BODY: usize = 64 * 1024 * 1024;

/// Largest tipping answer read: a real one is a few dozen bytes.
pub const MAX_TIPPING_BODY: usize = 1024 * 1024;

/// Why a body was not read whole.
#[derive(Debug)]
pub enum BodyError {
    /// The body is (or announced itself as) larger than the cap; reading
    /// stopped there.
    TooLarge {
        /// The cap that was hit, in bytes.
        cap: usize,
        /// The `Content-Length` the server announced, if any.
        announced: Option<u64>,
    },
    /// The connection failed while reading.
    Transport(reqwest::Error),
}

impl BodyError {
    /// A one-line description for logs and error messages.
    pub fn describe(&self) -> String {
        match self {
            Self::TooLarge {
                cap,
                announced: Some(n),
            } => format!("answer announced {n} bytes, over the {} cap", human(*cap)),
            Self::TooLarge {
                cap,
                announced: None,
            } => format!("answer larger than the {} cap", human(*cap)),
            Self::Transport(e) => super::affiliate::describe(e),
        }
    }
}

fn human(bytes: usize) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes}-byte")
    }
}

/// Reads `response`'s body if it fits in `cap` bytes. Chunks are kept as
/// they arrive and joined once at the end, so a body that turns out too
/// large never costs more than the cap (no doubling reallocations).
pub async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Bytes, BodyError> {
    let announced = response.content_length();
    if announced.is_some_and(|n| n > cap as u64) {
        return Err(BodyError::TooLarge { cap, announced });
    }
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        total = total.saturating_add(chunk.len());
        if total > cap {
            return Err(BodyError::TooLarge { cap, announced });
        }
        chunks.push(chunk);
    }
    Ok(match chunks.len() {
        0 => Bytes::new(),
        1 => chunks.pop().unwrap_or_default(),
        _ => {
            let mut joined = Vec::with_capacity(total);
            for chunk in &chunks {
                joined.extend_from_slice(chunk);
            }
            Bytes::from(joined)
        }
    })
}
