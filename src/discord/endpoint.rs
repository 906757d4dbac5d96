//! `POST /interactions`: verify, then parse, then route.
//!
//! The order is the contract: the signature is checked over the raw bytes
//! before anything reads the body; every verification failure is a bare 401;
//! PING is answered from a minimal `{type}` parse so it never depends on the
//! full interaction model.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use tracing::Instrument;
use twilight_model::application::interaction::Interaction;

use super::{respond, router};
use crate::app::AppState;
use crate::metrics::KindLabels;

/// Largest accepted request body; larger ones get 413 before verification.
pub const MAX_INTERACTION_BODY: usize = 64 * 1024;

const SIGNATURE_HEADER: &str = "x-signature-ed25519";
const TIMESTAMP_HEADER: &str = "x-signature-timestamp";
const PING: u8 = 1;

#[derive(Deserialize)]
struct InteractionKind {
    #[serde(rename = "type")]
    kind: u8,
}

/// The interactions endpoint handler.
pub async fn interactions(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let Some(verifier) = state.verifier.as_ref() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "interactions are off: DISCORD_PUBLIC_KEY is not set",
        )
            .into_response();
    };
    let header = |name: &str| headers.get(name).map(|v| v.as_bytes());
    if let Err(reason) = verifier.verify(
        header(SIGNATURE_HEADER),
        header(TIMESTAMP_HEADER),
        &body,
        state.clock.now(),
    ) {
        state
            .metrics
            .interactions_rejected
            .get_or_create(&KindLabels {
                kind: reason.label().into(),
            })
            .inc();
        tracing::debug!(%reason, "interaction refused");
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let kind = match serde_json::from_slice::<InteractionKind>(&body) {
        Ok(k) => k.kind,
        Err(e) => {
            tracing::warn!(error = %e, "signed interaction without a type");
            return (StatusCode::BAD_REQUEST, "not an interaction").into_response();
        }
    };
    if kind == PING {
        observe(&state, "ping", started);
        return Json(respond::pong()).into_response();
    }
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = %e, kind, "signed interaction does not parse");
            return (StatusCode::BAD_REQUEST, "unsupported interaction").into_response();
        }
    };
    let span = tracing::info_span!("interaction", id = %interaction.id, kind = kind);
    let (label, response) = router::route(&state, &interaction).instrument(span).await;
    observe(&state, &label, started);
    Json(response).into_response()
}

fn observe(state: &AppState, label: &str, started: Instant) {
    state
        .metrics
        .interaction_latency
        .get_or_create(&KindLabels { kind: label.into() })
        .observe(started.elapsed().as_secs_f64());
}
