//! The public surface's error type and the one place that turns it into a
//! status code: JSON `{"error": …}` for the API, an HTML page for the site.
//! Internal causes go to the log, never to the client.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

use crate::store::StoreError;
use crate::telemetry::ErrorChain;

/// Why a public request could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request names something malformed (e.g. `2026-13`); the message
    /// is shown to the client, so it must quote only what the client sent.
    #[error("{0}")]
    BadRequest(String),
    /// Nothing exists there (e.g. a month that was never frozen); the
    /// message is shown to the client.
    #[error("{0}")]
    NotFound(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something of ours failed (a background render task died); logged,
    /// never shown.
    #[error("internal: {0}")]
    Internal(String),
    /// A template failed to render.
    #[error("template")]
    Render(#[from] askama::Error),
}

impl Error {
    /// Wraps a raw driver error (pool acquisition) as a store failure.
    pub fn db(e: sqlx::Error) -> Self {
        Self::Store(StoreError::from(e))
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Store(_) | Self::Render(_) | Self::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The text a client may see: our own wording for client errors, a
    /// fixed sentence for internal ones (which are logged here instead).
    fn public_message(&self) -> String {
        match self {
            Self::BadRequest(m) | Self::NotFound(m) => m.clone(),
            Self::Store(_) | Self::Render(_) | Self::Internal(_) => {
                tracing::error!(error = %ErrorChain(self), "public request failed");
                "internal error; please try again later".to_string()
            }
        }
    }

    /// The HTML rendering, for page handlers.
    pub fn into_page(self) -> Response {
        let status = self.status();
        let page = ErrorPage {
            nav: "",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            message: self.public_message(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %ErrorChain(&e), "error page failed to render");
                (status, page.message).into_response()
            }
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::json!({ "error": self.public_message() });
        (status, Json(body)).into_response()
    }
}

/// A page that failed: the same status as the JSON twin would get.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: &'static str,
    title: &'static str,
    status: u16,
    message: String,
}

/// The answer for a path no route serves: a JSON error under `/api/` and
/// for the seed's `.json` files, the site's styled 404 page elsewhere — a
/// visitor with a stale link sees the site, not an empty page.
pub async fn unknown_route(uri: axum::http::Uri) -> Response {
    let path = uri.path();
    let error = Error::NotFound("There is nothing at this address.".into());
    if path.starts_with("/api/") || path.ends_with(".json") {
        error.into_response()
    } else {
        error.into_page()
    }
}
