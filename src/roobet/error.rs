//! The one error type of the affiliate stats client, so callers and metrics
//! can tell "fix the token" from "the casino is down" from "the data is bad".

use std::time::Duration;

/// Why an affiliate stats call produced no rows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AffiliateError {
    /// 401/403: the token or user id is wrong; retrying cannot help this cycle.
    #[error("affiliate API refused the credentials (HTTP {0})")]
    Unauthorized(u16),
    /// 429 on every try; `retry_after` is what the last answer asked for.
    #[error("affiliate API is rate limiting us (retry after {retry_after:?})")]
    RateLimited {
        /// The last `Retry-After`, if it was given in seconds.
        retry_after: Option<Duration>,
    },
    /// 5xx on every try.
    #[error("affiliate API server error (HTTP {0})")]
    Server(u16),
    /// Any other status (400, 404, ...): a bug on our side or a changed API.
    #[error("affiliate API answered unexpected HTTP {0}")]
    UnexpectedStatus(u16),
    /// A try exceeded the per-request timeout, on every try.
    #[error("affiliate API timed out")]
    Timeout,
    /// Connection, TLS or body-read failure, on every try.
    #[error("affiliate API transport error: {0}")]
    Transport(String),
    /// A 200 whose body we cannot trust; never guessed around.
    #[error("affiliate API answered a malformed body: {0}")]
    Malformed(String),
}

impl AffiliateError {
    /// A short, stable, low-cardinality name for metrics and log fields.
    pub fn label(&self) -> &'static str {
        match self {
            AffiliateError::Unauthorized(_) => "unauthorized",
            AffiliateError::RateLimited { .. } => "rate_limited",
            AffiliateError::Server(_) => "server",
            AffiliateError::UnexpectedStatus(_) => "unexpected_status",
            AffiliateError::Timeout => "timeout",
            AffiliateError::Transport(_) => "transport",
            AffiliateError::Malformed(_) => "malformed",
        }
    }

    /// Whether another try in the same cycle could succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            AffiliateError::RateLimited { .. }
                | AffiliateError::Server(_)
                | AffiliateError::Timeout
                | AffiliateError::Transport(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_stable_and_retry_classes_are_right() {
        assert_eq!(AffiliateError::Unauthorized(401).label(), "unauthorized");
        assert_eq!(AffiliateError::Server(502).label(), "server");
        assert_eq!(AffiliateError::Malformed("x".into()).label(), "malformed");
        assert!(!AffiliateError::Unauthorized(403).is_retryable());
        assert!(!AffiliateError::Malformed(String::new()).is_retryable());
        assert!(AffiliateError::Timeout.is_retryable());
        assert!(AffiliateError::RateLimited { retry_after: None }.is_retryable());
    }
}
