//! `GET /api/events` and what feeds it: the board swap, challenge changes
//! and sent payouts become Server-Sent Events (see [`crate::events`] for the
//! bounds). Every payload is a public document or a masked alert: never a
//! uid, a token or an unmasked name.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chrono::DateTime;
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;

use crate::app::AppState;
use crate::domain::masking::{mask_username, PublicIdKey};
use crate::events::{EventKind, Events, LiveEvent, Subscription};
use crate::metrics::KindLabels;
use crate::published::{PublishListener, Published};
use crate::store::challenges;
use crate::store::payouts::PayoutRow;
use crate::telemetry::ErrorChain;

use super::api::{leaderboard_doc, multipliers_doc};
use super::rate_limit::{client_ip, Peer};
use super::time_text::iso;

/// A comment line this often keeps proxies (and our own idle timeout) from
/// closing a quiet stream, and lets a client notice a dead one.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// `GET /api/events`: the live stream, or 503 when `SSE_MAX_STREAMS` are
/// open or the client already holds `MAX_SSE_PER_CLIENT` (with
/// `Retry-After`, which `EventSource` ignores but other clients may honour;
/// `EventSource` retries on its own after a few seconds). A refusal is
/// counted in `fts_sse_refused_total`, not logged: a full house is not an error.
pub async fn events(
    State(state): State<Arc<AppState>>,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Response {
    let client = client_ip(peer, &headers, state.config.trusted_proxy_header.as_deref());
    let subscription = match state.events.subscribe_from(Some(client)) {
        Ok(subscription) => subscription,
        Err(refused) => {
            state
                .metrics
                .sse_refused
                .get_or_create(&KindLabels {
                    kind: refused.as_str().into(),
                })
                .inc();
            return refused_answer();
        }
    };
    let stream = futures_util::stream::unfold(Stream::new(subscription), |mut stream| async move {
        let event = stream.next().await?;
        Some((Ok::<_, Infallible>(event), stream))
    });
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Sse::new(stream).keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat")),
    )
        .into_response()
}

fn refused_answer() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "30")],
        "too many live streams are open; try again shortly\n",
    )
        .into_response()
}

/// One client's stream: the snapshot first, then live events until the
/// client lags, the hub closes or the process stops.
struct Stream {
    snapshot: std::vec::IntoIter<LiveEvent>,
    subscription: Subscription,
}

impl Stream {
    fn new(mut subscription: Subscription) -> Self {
        let snapshot = std::mem::take(&mut subscription.snapshot).into_iter();
        Self {
            snapshot,
            subscription,
        }
    }

    async fn next(&mut self) -> Option<Event> {
        if *self.subscription.closing.borrow() {
            return None;
        }
        if let Some(event) = self.snapshot.next() {
            return Some(sse_event(&event));
        }
        tokio::select! {
            received = self.subscription.receiver.recv() => match received {
                Ok(event) => Some(sse_event(&event)),
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "live stream fell behind: closed");
                    None
                }
                Err(RecvError::Closed) => None,
            },
            _ = self.subscription.closing.changed() => None,
        }
    }
}

fn sse_event(event: &LiveEvent) -> Event {
    Event::default()
        .event(event.kind.as_str())
        .data(&*event.data)
}

/// The listener the board calls on every publish: renders the two board
/// documents once and hands them to the hub.
pub fn board_listener(events: Arc<Events>, ids: PublicIdKey) -> PublishListener {
    Box::new(move |published: &Published| {
        events.publish_json(EventKind::Leaderboard, &leaderboard_doc(published, &ids));
        events.publish_json(EventKind::Multipliers, &multipliers_doc(published));
    })
}

/// Publishes the active challenges as they are now (after a command or a
/// cycle changed them); an unchanged document is not resent.
pub async fn publish_challenges(state: &AppState) {
    match super::challenges::active_doc(state).await {
        Ok(doc) => state.events.publish_json(EventKind::Challenges, &doc),
        Err(e) => tracing::warn!(error = %ErrorChain(&e), "live challenges event not published"),
    }
}

/// The alert of a sent milestone or challenge prize: masked and small.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaidAlert {
    /// Masked recipient.
    pub username: String,
    /// Dollars.
    pub amount: f64,
    /// When it was sent (ISO-8601 UTC).
    pub sent_at: Option<String>,
    /// Recorded by a dry run: nothing really left, overlays label it a test.
    pub test: bool,
    /// Milestone tier number (milestones only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<i64>,
    /// Milestone tier name (milestones only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier_name: Option<String>,
    /// The challenge number (challenges only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_id: Option<i64>,
    /// The challenge's game (challenges only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub game_name: Option<String>,
    /// The winning multiplier (challenges only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<f64>,
}

/// After a payout was recorded `sent` (never before): the `tips` document,
/// and a `milestone` or `challenge_won` alert for those kinds.
pub async fn publish_sent_payout(state: &AppState, payout: &PayoutRow) {
    let mut alert = PaidAlert {
        username: mask_username(&payout.username),
        amount: payout.amount.as_dollars_f64(),
        sent_at: payout
            .sent_ms
            .or(Some(state.clock.now().timestamp_millis()))
            .and_then(DateTime::from_timestamp_millis)
            .map(iso),
        test: payout.dry_run || state.config.tips_dry_run,
        tier: None,
        tier_name: None,
        challenge_id: None,
        game_name: None,
        multiplier: None,
    };
    match payout.kind.as_str() {
        "milestone" => {
            alert.tier = payout.tier;
            alert.tier_name = payout.tier.and_then(|n| {
                state
                    .rewards
                    .tiers
                    .iter()
                    .find(|t| i64::from(t.number) == n)
                    .map(|t| t.name.clone())
            });
            state.events.publish_json(EventKind::Milestone, &alert);
        }
        "challenge" => {
            let id = payout
                .key
                .strip_prefix("challenge:")
                .and_then(|id| id.parse::<i64>().ok());
            alert.challenge_id = id;
            if let Some(id) = id {
                let row = async {
                    let mut conn = state.store.pool().acquire().await?;
                    challenges::by_id(&mut conn, id).await
                };
                match row.await {
                    Ok(Some(row)) => {
                        alert.game_name = Some(row.game_name);
                        alert.multiplier = row.winner_multiplier.map(|m| m.as_f64());
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(error = %ErrorChain(&e), "challenge of a sent prize not read")
                    }
                }
            }
            state.events.publish_json(EventKind::ChallengeWon, &alert);
        }
        _ => {}
    }
    match super::tips::current_tips_doc(state).await {
        Ok(doc) => state.events.publish_json(EventKind::Tips, &doc),
        Err(e) => tracing::warn!(error = %ErrorChain(&e), "live tips event not published"),
    }
}
