//! What a Discord REST call can end in, and how each end is counted.

/// A REST call failed.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// The bot token was refused; the client is now off until restart.
    #[error("Discord refused the bot token (401); REST calls are off until restart")]
    Unauthorized,
    /// A bot-token call on a client built without one (no `DISCORD_TOKEN`):
    /// only interaction replies can go out.
    #[error("no DISCORD_TOKEN: only interaction replies can be sent")]
    NoBotToken,
    /// Discord refused an interaction token (401 on `/webhooks/{application}/{token}`):
    /// the token expired (15 minutes after the interaction) or is not valid.
    /// Only that interaction's replies are lost; the bot token is unaffected.
    #[error("Discord refused the interaction token (401): it expired or is not valid")]
    InteractionTokenRejected,
    /// The bot lacks access to the resource (403).
    #[error("Discord denied access (403): {0}")]
    Forbidden(String),
    /// The channel or message does not exist (404), e.g. a deleted message.
    #[error("not found on Discord (404): {0}")]
    NotFound(String),
    /// Still rate-limited after retrying.
    #[error("rate-limited by Discord for too long")]
    RateLimited,
    /// Any other non-success status.
    #[error("Discord answered {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of the body, for logs.
        body: String,
    },
    /// The answer's body is larger than any Discord answer should be; it was
    /// not read past the limit, so a broken or hostile peer cannot make us
    /// hold it in memory.
    #[error("Discord answer larger than {limit} bytes; not read")]
    BodyTooLarge {
        /// The cap that was exceeded, in bytes.
        limit: usize,
    },
    /// The request did not complete. The URL is stripped from the error
    /// because interaction paths carry a token, which must not reach logs.
    #[error("Discord unreachable: {0}")]
    Transport(reqwest::Error),
    /// A success answer we could not read.
    #[error("unexpected Discord answer: {0}")]
    Decode(String),
}

impl From<reqwest::Error> for RestError {
    fn from(error: reqwest::Error) -> Self {
        Self::Transport(error.without_url())
    }
}

/// The `external_calls` outcome label of a Discord call, in the vocabulary
/// every service uses (`ok`, `rate_limited`, `client_error`, …), so `/status`
/// and the dashboards can add them up.
pub fn call_outcome(error: Option<&RestError>) -> &'static str {
    match error {
        None => "ok",
        Some(RestError::RateLimited) => "rate_limited",
        Some(RestError::Transport(e)) if e.is_timeout() => "timeout",
        Some(RestError::Transport(_)) => "transport_error",
        Some(RestError::Status { status, .. }) if *status >= 500 => "server_error",
        Some(RestError::Decode(_) | RestError::BodyTooLarge { .. }) => "server_error",
        Some(
            RestError::Unauthorized
            | RestError::NoBotToken
            | RestError::InteractionTokenRejected
            | RestError::Forbidden(_)
            | RestError::NotFound(_)
            | RestError::Status { .. },
        ) => "client_error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_use_the_shared_labels() {
        assert_eq!(call_outcome(None), "ok");
        assert_eq!(call_outcome(Some(&RestError::RateLimited)), "rate_limited");
        assert_eq!(
            call_outcome(Some(&RestError::NotFound("gone".into()))),
            "client_error"
        );
        assert_eq!(
            call_outcome(Some(&RestError::InteractionTokenRejected)),
            "client_error"
        );
        let server = RestError::Status {
            status: 502,
            body: String::new(),
        };
        assert_eq!(call_outcome(Some(&server)), "server_error");
        let huge = RestError::BodyTooLarge { limit: 1 };
        assert_eq!(call_outcome(Some(&huge)), "server_error");
    }
}
