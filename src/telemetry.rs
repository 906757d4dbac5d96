//! Logging set-up: pretty lines for a terminal or JSON for a log shipper.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global tracing subscriber. Safe to call more than once (the
/// later calls do nothing), so tests and the binary share it.
pub fn init(format: LogFormat, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// An error followed by every `source()` under it, joined with `": "`, for
/// a log line or a status text that must say why and not only what. A
/// source whose text the previous message already ends with is skipped, so
/// a library that prints its cause inline (sqlx, reqwest) is not repeated.
pub struct ErrorChain<'a>(pub &'a dyn std::error::Error);

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut previous = self.0.to_string();
        f.write_str(&previous)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            let text = error.to_string();
            if !previous.ends_with(&text) {
                write!(f, ": {text}")?;
            }
            previous = text;
            source = error.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorChain;

    #[derive(Debug, thiserror::Error)]
    #[error("reading the board")]
    struct Outer(#[source] Middle);

    #[derive(Debug, thiserror::Error)]
    #[error("database error: connection refused")]
    struct Middle(#[source] std::io::Error);

    #[test]
    fn error_chain_names_every_cause_once() {
        let inner = std::io::Error::other("connection refused");
        let error = Outer(Middle(inner));
        assert_eq!(
            ErrorChain(&error).to_string(),
            "reading the board: database error: connection refused"
        );
    }

    #[test]
    fn error_chain_of_a_lone_error_is_its_text() {
        let error = std::io::Error::other("disk full");
        assert_eq!(ErrorChain(&error).to_string(), "disk full");
    }
}
