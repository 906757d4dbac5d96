//! HTTP caching of the JSON documents, in one middleware: a strong `ETag`
//! (SHA-256 of the body), `304 Not Modified` on a matching
//! `If-None-Match`, and `Cache-Control: public, max-age=60`.
//!
//! Websites poll these documents; a minute of caching matches the poll
//! interval's order of magnitude and a 304 costs them no body.

use crate::telemetry::ErrorChain;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// What successful JSON answers may be cached for.
pub const CACHE_CONTROL_VALUE: &str = "public, max-age=60";

/// Largest body the middleware buffers to hash; larger ones are sent
/// without an `ETag` rather than failing (documents that can grow large are
/// pre-rendered with their tag).
const MAX_BODY: usize = 8 * 1024 * 1024;

/// Adds `ETag` and `Cache-Control` to every `200` and answers `304` when
/// the client already holds that body. A handler that serves pre-rendered
/// bytes sets its own `ETag`; the body is then neither read nor hashed
/// here. Other statuses pass untouched (an error must not be cached as if
/// it were the document).
pub async fn etag(request: Request, next: Next) -> Response {
    let if_none_match = request.headers().get(IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    parts
        .headers
        .insert(CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL_VALUE));
    if let Some(tag) = parts.headers.get(ETAG).cloned() {
        if if_none_match.is_some_and(|value| matches_any(&value, &tag)) {
            return not_modified(&parts.headers);
        }
        return Response::from_parts(parts, body);
    }
    let fits = axum::body::HttpBody::size_hint(&body)
        .exact()
        .is_some_and(|n| n <= MAX_BODY as u64);
    if !fits {
        tracing::debug!("JSON body too large or unsized to hash: sent without an ETag");
        return Response::from_parts(parts, body);
    }
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %ErrorChain(&e), "JSON body could not be buffered for its ETag");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tag = strong_etag(&bytes);
    parts.headers.insert(ETAG, tag.clone());
    if if_none_match.is_some_and(|value| matches_any(&value, &tag)) {
        return not_modified(&parts.headers);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `304` carrying the document's `ETag` and `Cache-Control`.
fn not_modified(document_headers: &HeaderMap) -> Response {
    let mut headers = HeaderMap::new();
    for name in [ETAG, CACHE_CONTROL] {
        if let Some(value) = document_headers.get(&name) {
            headers.insert(name, value.clone());
        }
    }
    let mut not_modified = (StatusCode::NOT_MODIFIED, Body::empty()).into_response();
    not_modified.headers_mut().extend(headers);
    not_modified
}

/// `"<sha-256 hex of body>"`: strong, because equal bytes are the only way
/// to match.
pub fn strong_etag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    HeaderValue::try_from(format!("\"{}\"", hex::encode(digest)))
        .expect("quoted hex is a valid header value")
}

/// Whether an `If-None-Match` value names `tag`: `*`, or a comma-separated
/// list compared weakly (a `W/` prefix is ignored), as RFC 9110 §13.1.2 asks.
fn matches_any(if_none_match: &HeaderValue, tag: &HeaderValue) -> bool {
    let (Ok(list), Ok(tag)) = (if_none_match.to_str(), tag.to_str()) else {
        return false;
    };
    list.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_is_the_quoted_sha256_of_the_body() {
        assert_eq!(
            strong_etag(b"abc"),
            "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\""
        );
    }

    #[test]
    fn if_none_match_accepts_lists_weak_prefixes_and_star() {
        let tag = strong_etag(b"{}");
        let t = tag.to_str().unwrap();
        let header = |s: String| HeaderValue::try_from(s).unwrap();
        assert!(matches_any(&header(t.to_string()), &tag));
        assert!(matches_any(&header(format!("\"x\", W/{t}")), &tag));
        assert!(matches_any(&header("*".into()), &tag));
        assert!(!matches_any(&header("\"x\"".into()), &tag));
        assert!(!matches_any(&header(t.trim_matches('"').to_string()), &tag));
    }
}
