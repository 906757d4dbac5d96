//! `/healthz`, `/readyz` and `/metrics`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::store::payouts::PayoutStatus;
use crate::store::tip_stats;
use crate::telemetry::ErrorChain;

/// Liveness: the process serves requests.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers and, when polling is on, the last poll
/// succeeded less than three intervals ago.
pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if let Err(e) = state.store.ping().await {
        tracing::warn!(error = %ErrorChain(&e), "readiness: database does not answer");
        return (StatusCode::SERVICE_UNAVAILABLE, "database does not answer").into_response();
    }
    if let Some(reason) = state.poll_staleness() {
        return (StatusCode::SERVICE_UNAVAILABLE, reason).into_response();
    }
    // Held tiers do not stop serving, but the reason says so: an operator
    // reading the health check must not take "ready" for "all settled".
    let held = async {
        let mut conn = state.store.pool().acquire().await?;
        crate::store::cutover::tally(&mut conn, PayoutStatus::Held).await
    };
    match tokio::time::timeout(LEDGER_COUNT_LIMIT, held).await {
        Ok(Ok((count, amount))) => {
            if let Some(notice) = crate::domain::wording::held_tiers_notice(count, amount) {
                return (StatusCode::OK, format!("ready; {notice}")).into_response();
            }
        }
        Ok(Err(e)) => tracing::warn!(error = %ErrorChain(&e), "readiness: held tiers not counted"),
        Err(_) => tracing::warn!("readiness: held tiers not counted in time"),
    }
    (StatusCode::OK, "ready").into_response()
}

/// `/metrics` on the public port: only with `Authorization: Bearer
/// $METRICS_TOKEN`, and `404` (as if the route did not exist) without the
/// token, with a wrong one, or when no token is configured — the figures
/// (request counts, payout outcomes) are not for the public.
pub async fn public_metrics(state: State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some(expected) = state.config.metrics_token.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(token) if same_secret(token, expected.expose()) => metrics(state).await,
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Compares digests rather than the tokens, so the time taken says nothing
/// about how much of the token a guess got right.
fn same_secret(given: &str, expected: &str) -> bool {
    Sha256::digest(given.as_bytes()) == Sha256::digest(expected.as_bytes())
}

/// Prometheus text exposition (the `METRICS_ADDR` listener serves it as is).
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    refresh_payouts_needing_admin(&state).await;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Sets `fts_payouts_needing_admin` from the ledger at scrape time, so the
/// gauge is right after a restart and whichever replica an admin used: an
/// alert on it is the operator's "someone must look at the tips" page.
/// A database error, or no answer within [`LEDGER_COUNT_LIMIT`], leaves the
/// last value and is logged: the other metrics matter most exactly when
/// the database is in trouble, so the scrape never waits on it for long.
async fn refresh_payouts_needing_admin(state: &AppState) {
    let open = async {
        let mut conn = state.store.pool().acquire().await?;
        tip_stats::open_by_status(&mut conn).await
    };
    match tokio::time::timeout(LEDGER_COUNT_LIMIT, open).await {
        Err(_) => {
            tracing::warn!(
                "metrics: counting payouts needing an admin took too long; kept the last value"
            );
        }
        Ok(Ok(open)) => {
            let needing: i64 = open
                .iter()
                .filter(|(status, _)| {
                    matches!(status, PayoutStatus::Unknown | PayoutStatus::Failed)
                })
                .map(|(_, tally)| tally.count)
                .sum();
            state.metrics.payouts_needing_admin.set(needing);
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %ErrorChain(&e), "metrics: could not count payouts needing an admin");
        }
    }
}

/// How long a scrape waits for the ledger count.
const LEDGER_COUNT_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);
