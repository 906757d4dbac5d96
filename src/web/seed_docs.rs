//! The seed's export files, kept in the seed's shapes so a community
//! website that read them only changes the host. Unlike the seed, names are
//! masked and `uid` is our opaque public id, never the Roobet uid.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::app::AppState;
use crate::domain::masking::PublicIdKey;
use crate::domain::money::Cents;
use crate::published::Published;

use super::public;
use super::time_text::iso;

/// Slots of the seed's weekly document: one per prize rank.
pub const MULTI_SLOTS: u32 = 3;

/// One entry of `latestLBResults.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LbResult {
    /// 1-based rank.
    pub rank: u32,
    /// Opaque public id (keyed hash of the Roobet uid).
    pub uid: String,
    /// Masked username.
    pub username: String,
    /// Total wager, dollars.
    pub wagered: f64,
    /// Weighted wager, dollars.
    pub weighted_wagered: f64,
}

/// The `period` of `LatestMultiLBResults.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedPeriod {
    /// Monday 00:00:00 UTC.
    pub start_date: String,
    /// Sunday 23:59:59 UTC.
    pub end_date: String,
    /// `start_date` in Unix seconds.
    pub start_timestamp: i64,
    /// `end_date` in Unix seconds.
    pub end_timestamp: i64,
}

/// One slot of `LatestMultiLBResults.json`; an empty slot is the original's
/// `"N/A"` player on game `"Unknown"` with zeros, and still shows the prize
/// its rank pays (websites print the podium from it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiSlot {
    /// 1-based rank.
    pub rank: u32,
    /// Masked username, or `"N/A"`.
    pub username: String,
    /// The multiplier (`512.4`).
    pub multiplier: f64,
    /// Game title.
    pub game: Option<String>,
    /// Game identifier.
    pub game_identifier: Option<String>,
    /// The hit's stake (the seed called it `wagered`), dollars.
    pub wagered: f64,
    /// The hit's payout, dollars.
    pub payout: f64,
    /// Prize for the rank, dollars.
    pub prize: f64,
}

/// `LatestMultiLBResults.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiLbResults {
    /// Always `"weekly_multiplier"`.
    pub leaderboard_type: &'static str,
    /// The week.
    pub period: SeedPeriod,
    /// When the data was fetched; `null` before the first poll.
    pub last_updated: Option<String>,
    /// `last_updated` in Unix seconds.
    pub last_updated_timestamp: Option<i64>,
    /// Exactly [`MULTI_SLOTS`] slots.
    pub entries: Vec<MultiSlot>,
}

/// This month's top ten in the seed's shape: the same rows as
/// `/api/leaderboard`.
pub fn lb_results(published: &Published, ids: &PublicIdKey) -> Vec<LbResult> {
    public::month_rows(&published.month.entries, ids)
        .into_iter()
        .map(|r| LbResult {
            rank: r.rank,
            uid: r.public_id,
            username: r.username,
            wagered: r.wagered.as_dollars_f64(),
            weighted_wagered: r.weighted.as_dollars_f64(),
        })
        .collect()
}

/// This week's podium in the seed's shape, padded to [`MULTI_SLOTS`].
pub fn multi_lb_results(published: &Published) -> MultiLbResults {
    let week = published.week.period;
    let end = week.end_inclusive();
    let end = chrono::DateTime::from_timestamp(end.timestamp(), 0).unwrap_or(end);
    let mut rows = public::week_rows(&published.week.entries).into_iter();
    let entries = (1..=MULTI_SLOTS)
        .map(|rank| match rows.next() {
            Some(r) => MultiSlot {
                rank: r.rank,
                username: r.username,
                multiplier: r.multiplier.as_f64(),
                game: Some(r.game_title),
                game_identifier: Some(r.game_id),
                wagered: r.bet.as_dollars_f64(),
                payout: r.payout.as_dollars_f64(),
                prize: r.prize.as_dollars_f64(),
            },
            None => MultiSlot {
                rank,
                username: "N/A".to_string(),
                multiplier: 0.0,
                game: Some("Unknown".to_string()),
                game_identifier: None,
                wagered: 0.0,
                payout: 0.0,
                prize: published
                    .week
                    .prizes
                    .get(rank as usize - 1)
                    .copied()
                    .unwrap_or(Cents::ZERO)
                    .as_dollars_f64(),
            },
        })
        .collect();
    MultiLbResults {
        leaderboard_type: "weekly_multiplier",
        period: SeedPeriod {
            start_date: iso(week.start()),
            end_date: iso(end),
            start_timestamp: week.start().timestamp(),
            end_timestamp: end.timestamp(),
        },
        last_updated: published.updated_at.map(iso),
        last_updated_timestamp: published.updated_at.map(|t| t.timestamp()),
        entries,
    }
}

/// `GET /latestLBResults.json`.
pub async fn latest_lb_results(State(state): State<Arc<AppState>>) -> Json<Vec<LbResult>> {
    Json(lb_results(&state.board.current(), &state.public_ids))
}

/// `GET /LatestMultiLBResults.json`.
pub async fn latest_multi_lb_results(State(state): State<Arc<AppState>>) -> Json<MultiLbResults> {
    Json(multi_lb_results(&state.board.current()))
}
