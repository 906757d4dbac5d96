//! The fake casino's HTTP side: request checking, recording and answering.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{FakeCallKind, RecordedQuery, RecordedTip, Shared, TipBehaviour};
use crate::roobet::simulation::GameFilter;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/affiliate/v2/stats", get(stats))
        .route("/_api/tipping/send", post(tip))
        .with_state(shared)
}

fn bearer_matches(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| token == expected)
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"success": false, "message": message}))).into_response()
}

/// Accepts only `...Z` RFC 3339 instants, like the real API.
fn parse_instant(value: Option<&str>) -> Option<DateTime<Utc>> {
    let value = value?;
    if !value.ends_with('Z') {
        return None;
    }
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Recognises the client's three query shapes.
fn classify(categories: Option<&str>, games: Option<&str>) -> Option<FakeCallKind> {
    match (categories, games) {
        (None, None) => Some(FakeCallKind::Total),
        (Some(_), Some("-housegames:dice")) => Some(FakeCallKind::Weighted),
        (Some(_), Some(g)) if !g.starts_with('-') && !g.contains(',') => {
            Some(FakeCallKind::Game(g.to_owned()))
        }
        _ => None,
    }
}

async fn stats(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let record = RecordedQuery {
        params,
        authorized: false,
        kind: None,
    };
    let (categories, games) = (record.get("categories"), record.get("gameIdentifiers"));
    let kind = classify(categories, games);
    let filter = GameFilter::parse(categories, games);
    let start = parse_instant(record.get("startDate"));
    let end = parse_instant(record.get("endDate"));
    let user_id = record.get("userId").map(str::to_owned);

    let (failure, malformed, oversized, wrap, scripted, expected_user) = {
        let mut inner = shared.lock();
        let authorized = bearer_matches(&headers, &inner.affiliate_token);
        inner.queries.push(RecordedQuery {
            authorized,
            kind: kind.clone(),
            ..record
        });
        if !authorized {
            return error(StatusCode::UNAUTHORIZED, "Unauthorized");
        }
        let failure = inner.fail_next.pop_front();
        let malformed = failure.is_none() && inner.malformed_next > 0;
        if malformed {
            inner.malformed_next -= 1;
        }
        let oversized = if failure.is_none() && !malformed {
            inner.oversized_next.pop_front()
        } else {
            None
        };
        let scripted = kind.as_ref().and_then(|k| inner.scripted.get(k).cloned());
        (
            failure,
            malformed,
            oversized,
            inner.wrap_in_data,
            scripted,
            inner.user_id.clone(),
        )
    };
    if let Some(status) = failure {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = error(status, "injected failure");
        if status == StatusCode::TOO_MANY_REQUESTS {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        return resp;
    }
    if malformed {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "[{\"uid\": \"x\", \"wagered\": ",
        )
            .into_response();
    }
    if let Some((bytes, announce_length)) = oversized {
        let body = super::oversized_body(
            "[",
            "{\"uid\":\"u\",\"username\":\"n\",\"wagered\":1.5,\"weightedWagered\":1.5},",
            bytes,
            announce_length,
        );
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
    }
    if user_id.as_deref() != Some(expected_user.as_str()) {
        return error(StatusCode::FORBIDDEN, "userId does not match the token");
    }
    let (Some(start), Some(end)) = (start, end) else {
        return error(
            StatusCode::BAD_REQUEST,
            "startDate and endDate must be ISO instants ending in Z",
        );
    };
    let array: Vec<u8> = match &shared.sim {
        Some(sim) => {
            let until = end.min(shared.clock.now());
            let rows = if start > until {
                Vec::new()
            } else {
                sim.rows(&filter, start, until)
            };
            serde_json::to_vec(&rows).unwrap_or_else(|_| b"[]".to_vec())
        }
        None => scripted.map_or_else(|| b"[]".to_vec(), |bytes| bytes.as_ref().clone()),
    };
    let body = if wrap {
        let mut wrapped = b"{\"data\":".to_vec();
        wrapped.extend_from_slice(&array);
        wrapped.push(b'}');
        wrapped
    } else {
        array
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

async fn tip(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = |k: &str| json.get(k).and_then(Value::as_str).map(str::to_owned);
    let recorded = RecordedTip {
        authorized: false,
        user_id: text("userId"),
        to_user_id: text("toUserId"),
        to_user_name: text("toUserName"),
        amount: json.get("amount").and_then(Value::as_f64),
        show_in_chat: json.get("showInChat").and_then(Value::as_bool),
        balance_type: text("balanceType"),
        nonce: text("nonce"),
        body: json.clone(),
    };
    let (behaviour, expected_user, mut release) = {
        let mut inner = shared.lock();
        let authorized = bearer_matches(&headers, &inner.tipping_token);
        inner.tips.push(RecordedTip {
            authorized,
            ..recorded.clone()
        });
        if !authorized {
            return error(StatusCode::UNAUTHORIZED, "Unauthorized");
        }
        (
            inner.tip_behaviour.clone(),
            inner.user_id.clone(),
            shared.release.subscribe(),
        )
    };
    if json.is_null() {
        return error(StatusCode::BAD_REQUEST, "body must be JSON");
    }
    if recorded.user_id.as_deref() != Some(expected_user.as_str()) {
        return error(StatusCode::BAD_REQUEST, "userId does not match the token");
    }
    let (Some(_), Some(_), Some(_)) = (
        &recorded.to_user_id,
        &recorded.to_user_name,
        &recorded.nonce,
    ) else {
        return error(
            StatusCode::BAD_REQUEST,
            "toUserId, toUserName and nonce are required",
        );
    };
    match recorded.amount {
        Some(a) if a > 0.0 && ((a * 100.0).round() - a * 100.0).abs() < 1e-6 => {}
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "amount must be positive with at most 2 decimals",
            )
        }
    }
    match behaviour {
        TipBehaviour::Succeed => Json(json!({"success": true})).into_response(),
        TipBehaviour::Refuse(message) => {
            Json(json!({"success": false, "message": message})).into_response()
        }
        TipBehaviour::Status(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            error(status, &format!("fake casino answered {}", status.as_u16()))
        }
        TipBehaviour::Oversized {
            bytes,
            announce_length,
        } => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            super::oversized_body(
                "{\"success\": true, \"padding\": \"",
                "x",
                bytes,
                announce_length,
            ),
        )
            .into_response(),
        TipBehaviour::Hang => {
            // Ends when released; shutdown and drop release every hung tip.
            let _ = release.changed().await;
            Json(json!({"success": true})).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_three_shapes() {
        assert_eq!(classify(None, None), Some(FakeCallKind::Total));
        assert_eq!(
            classify(Some("slots,provably fair"), Some("-housegames:dice")),
            Some(FakeCallKind::Weighted)
        );
        assert_eq!(
            classify(Some("slots"), Some("hacksaw:wanted")),
            Some(FakeCallKind::Game("hacksaw:wanted".into()))
        );
        assert_eq!(classify(None, Some("a,b")), None);
    }

    #[test]
    fn instants_must_end_in_z() {
        assert!(parse_instant(Some("2026-11-01T00:00:00.000Z")).is_some());
        assert!(parse_instant(Some("2026-11-01T00:00:00+00:00")).is_none());
        assert!(parse_instant(Some("2026-11-01")).is_none());
        assert!(parse_instant(None).is_none());
    }
}
