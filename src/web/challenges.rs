//! Slot challenges on the public side: the `/challenges` page, our JSON
//! (`/api/challenges`, `/api/challenges/history`) and the seed's export
//! files (`/ActiveSlotChallenges.json`, `/challengeHistory.json`).
//!
//! Read from the challenges table (a few indexed rows). Winners are masked
//! and carry the opaque public id, never the Roobet uid; the admin who
//! posted a challenge is masked and hashed the same way.

mod seed;

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::app::AppState;
use crate::domain::challenges::BestAttempt;
use crate::domain::challenges::MAX_ACTIVE_CHALLENGES;
use crate::domain::masking::mask_username;
use crate::domain::money::{Cents, Multiplier};
use crate::domain::wording::duration_text;
use crate::store::challenges::best_attempts;
use crate::store::challenges::{self, ChallengeRow};

use super::emoji::EmojiView;
use super::public::game_url;
use super::time_text::{human, iso};
use super::Error;

pub use seed::{active_slot_challenges, challenge_history};

/// Archived challenges shown and published (newest first).
pub const HISTORY_ROWS: i64 = 200;

/// Everything a challenge view needs, read in one go.
struct Snapshot {
    active: Vec<ChallengeRow>,
    best: std::collections::HashMap<i64, BestAttempt>,
    archived: Vec<ChallengeRow>,
    /// Last poll, or the latest challenge change if newer.
    updated: Option<DateTime<Utc>>,
}

async fn snapshot(state: &AppState) -> Result<Snapshot, Error> {
    let mut conn = state.store.pool().acquire().await.map_err(Error::db)?;
    let active = challenges::active(&mut conn).await?;
    let best = best_attempts(&mut conn, &active).await?;
    let archived = challenges::archived(&mut conn, HISTORY_ROWS).await?;
    let latest_change = active
        .iter()
        .map(|c| c.start_ms)
        .chain(archived.iter().filter_map(|c| c.ended_ms))
        .max()
        .and_then(DateTime::from_timestamp_millis);
    let updated = state.board.current().updated_at.max(latest_change);
    Ok(Snapshot {
        active,
        best,
        archived,
        updated,
    })
}

fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn dollars(cents: Cents) -> f64 {
    cents.as_dollars_f64()
}

/// A masked attempt or winner, as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicHit {
    /// Masked username.
    pub username: String,
    /// Opaque public id (absent for attempts, which are not stored by uid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_id: Option<String>,
    /// The multiplier.
    pub multiplier: f64,
    /// The bet, dollars.
    pub bet: f64,
    /// The payout, dollars (winners only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payout: Option<f64>,
}

/// One challenge in our documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChallengeJson {
    /// Challenge number.
    pub id: i64,
    /// `active`, `won` or `cancelled`.
    pub status: String,
    /// `provider:game`.
    pub game_identifier: String,
    /// Display name.
    pub game_name: String,
    /// The game's page on Roobet.
    pub game_url: String,
    /// Emoji, if any.
    pub emoji: Option<String>,
    /// Required multiplier.
    pub required_multiplier: f64,
    /// Prize, dollars.
    pub prize: f64,
    /// Minimum bet, dollars; `null` when none.
    pub min_bet: Option<f64>,
    /// Start (ISO-8601 UTC).
    pub started_at: String,
    /// Start, Unix seconds.
    pub started_at_timestamp: i64,
    /// End of an archived challenge.
    pub ended_at: Option<String>,
    /// End, Unix seconds.
    pub ended_at_timestamp: Option<i64>,
    /// How long it ran, seconds (archived only).
    pub duration_secs: Option<i64>,
    /// Best attempt so far (active only).
    pub best_attempt: Option<PublicHit>,
    /// The winner (won only).
    pub winner: Option<PublicHit>,
}

/// `GET /api/challenges`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActiveDoc {
    /// Last change or poll.
    pub updated_at: Option<String>,
    /// `updated_at`, Unix seconds.
    pub updated_at_timestamp: Option<i64>,
    /// How many may be active at once.
    pub max_active: usize,
    /// Active challenges, oldest first.
    pub challenges: Vec<ChallengeJson>,
}

/// `GET /api/challenges/history`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryDoc {
    /// Last change or poll.
    pub updated_at: Option<String>,
    /// `updated_at`, Unix seconds.
    pub updated_at_timestamp: Option<i64>,
    /// Won challenges listed.
    pub total_won: usize,
    /// Cancelled challenges listed.
    pub total_cancelled: usize,
    /// Prizes of the won ones, dollars.
    pub total_prizes: f64,
    /// Finished and cancelled challenges, most recently ended first.
    pub challenges: Vec<ChallengeJson>,
}

fn winner_of(row: &ChallengeRow, state: &AppState) -> Option<PublicHit> {
    let uid = row.winner_uid.as_deref()?;
    Some(PublicHit {
        username: mask_username(row.winner_username.as_deref().unwrap_or("")),
        public_id: Some(state.public_ids.public_id(uid)),
        multiplier: row.winner_multiplier.unwrap_or_default().as_f64(),
        bet: dollars(row.winner_bet.unwrap_or_default()),
        payout: Some(dollars(row.winner_payout.unwrap_or_default())),
    })
}

fn to_json(row: &ChallengeRow, best: Option<&BestAttempt>, state: &AppState) -> ChallengeJson {
    ChallengeJson {
        id: row.id,
        status: row.status.clone(),
        game_identifier: row.game_id.clone(),
        game_name: row.game_name.clone(),
        game_url: game_url(&row.game_id),
        emoji: row.emoji.clone(),
        required_multiplier: row.required.as_f64(),
        prize: dollars(row.prize),
        min_bet: row.min_bet.map(dollars),
        started_at: iso(instant(row.start_ms)),
        started_at_timestamp: row.start_ms.div_euclid(1000),
        ended_at: row.ended_ms.map(|ms| iso(instant(ms))),
        ended_at_timestamp: row.ended_ms.map(|ms| ms.div_euclid(1000)),
        duration_secs: row.ended_ms.map(|ms| (ms - row.start_ms).max(0) / 1000),
        best_attempt: best.map(|b| PublicHit {
            username: mask_username(&b.username),
            public_id: None,
            multiplier: Multiplier(b.multiplier_x100).as_f64(),
            bet: dollars(Cents::new(b.bet_cents)),
            payout: None,
        }),
        winner: winner_of(row, state),
    }
}

/// `GET /api/challenges`: the active challenges.
pub async fn api_active(State(state): State<Arc<AppState>>) -> Result<Json<ActiveDoc>, Error> {
    active_doc(&state).await.map(Json)
}

/// The active challenges as [`ActiveDoc`] (the JSON route and the live
/// `challenges` event).
pub async fn active_doc(state: &AppState) -> Result<ActiveDoc, Error> {
    let snap = snapshot(state).await?;
    Ok(ActiveDoc {
        updated_at: snap.updated.map(iso),
        updated_at_timestamp: snap.updated.map(|t| t.timestamp()),
        max_active: MAX_ACTIVE_CHALLENGES,
        challenges: snap
            .active
            .iter()
            .map(|c| to_json(c, snap.best.get(&c.id), state))
            .collect(),
    })
}

/// `GET /api/challenges/history`: finished and cancelled challenges.
pub async fn api_history(State(state): State<Arc<AppState>>) -> Result<Json<HistoryDoc>, Error> {
    let snap = snapshot(&state).await?;
    let won: Vec<&ChallengeRow> = snap.archived.iter().filter(|c| c.status == "won").collect();
    Ok(Json(HistoryDoc {
        updated_at: snap.updated.map(iso),
        updated_at_timestamp: snap.updated.map(|t| t.timestamp()),
        total_won: won.len(),
        total_cancelled: snap.archived.len() - won.len(),
        total_prizes: dollars(won.iter().map(|c| c.prize).sum()),
        challenges: snap
            .archived
            .iter()
            .map(|c| to_json(c, None, &state))
            .collect(),
    }))
}

/// An active challenge on the page.
struct ActiveCard {
    id: i64,
    emoji: Option<EmojiView>,
    game_name: String,
    game_id: String,
    game_url: String,
    required: Multiplier,
    prize: Cents,
    min_bet: Option<Cents>,
    started: String,
    started_iso: String,
    running: String,
    best: Option<BestView>,
}

/// A best attempt on the page: the masked name may wrap (it is one long
/// token), the figures never do, so the two are separate elements.
struct BestView {
    name: String,
    figures: String,
}

/// A finished or cancelled challenge on the page.
struct ArchiveRow {
    id: i64,
    won: bool,
    game_name: String,
    game_url: String,
    required: Multiplier,
    prize: Cents,
    winner: String,
    multiplier: String,
    bet: String,
    ended: String,
    duration: String,
}

#[derive(Template)]
#[template(path = "challenges.html")]
struct ChallengesPage {
    nav: &'static str,
    max_active: usize,
    active: Vec<ActiveCard>,
    archive: Vec<ArchiveRow>,
}

fn card(row: &ChallengeRow, best: Option<&BestAttempt>, now: DateTime<Utc>) -> ActiveCard {
    ActiveCard {
        id: row.id,
        emoji: row.emoji.as_deref().map(EmojiView::of),
        game_name: row.game_name.clone(),
        game_id: row.game_id.clone(),
        game_url: game_url(&row.game_id),
        required: row.required,
        prize: row.prize,
        min_bet: row.min_bet,
        started: human(instant(row.start_ms)),
        started_iso: iso(instant(row.start_ms)),
        running: duration_text(now.timestamp_millis() - row.start_ms),
        best: best.map(|b| BestView {
            name: mask_username(&b.username),
            figures: format!(
                "{} ({} bet)",
                Multiplier(b.multiplier_x100),
                Cents::new(b.bet_cents)
            ),
        }),
    }
}

fn archive_row(row: &ChallengeRow) -> ArchiveRow {
    let won = row.status == "won";
    let dash = || "—".to_string();
    ArchiveRow {
        id: row.id,
        won,
        game_name: row.game_name.clone(),
        game_url: game_url(&row.game_id),
        required: row.required,
        prize: row.prize,
        winner: row
            .winner_username
            .as_deref()
            .filter(|_| won)
            .map_or_else(dash, mask_username),
        multiplier: row.winner_multiplier.map_or_else(dash, |m| m.to_string()),
        bet: row.winner_bet.map_or_else(dash, |b| b.to_string()),
        ended: row.ended_ms.map_or_else(dash, |ms| human(instant(ms))),
        duration: duration_text(row.ended_ms.unwrap_or(row.start_ms) - row.start_ms),
    }
}

/// `GET /challenges`: active challenges and the winners' archive.
pub async fn page(State(state): State<Arc<AppState>>) -> Response {
    let snap = match snapshot(&state).await {
        Ok(snap) => snap,
        Err(e) => return e.into_page(),
    };
    let now = state.clock.now();
    let page = ChallengesPage {
        nav: "challenges",
        max_active: MAX_ACTIVE_CHALLENGES,
        active: snap
            .active
            .iter()
            .map(|c| card(c, snap.best.get(&c.id), now))
            .collect(),
        archive: snap.archived.iter().map(archive_row).collect(),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => Error::from(e).into_page(),
    }
}
