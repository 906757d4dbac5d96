//! `/api/wagers` (ours) and `/allWagerData.json` (the seed's shape): month
//! totals, the players, the month-to-month series and the projection.
//!
//! Names are masked and ids are the opaque public ids, in both documents;
//! excluded players are left out of the player lists (their volume stays in
//! the community totals, which are the affiliate's real figures).

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::app::AppState;
use crate::domain::goals::{next_goal, projection};
use crate::domain::masking::{mask_username, PublicIdKey};
use crate::domain::money::Cents;
use crate::domain::players::MonthTotals;
use crate::published::excluded_uids;
use crate::published::Published;
use crate::store::totals;
use crate::store::wagers::{self, LifetimeFigures};

use super::api::PeriodDoc;
use super::time_text::iso;
use super::Error;

/// Community totals of a month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalsDoc {
    /// Total wager, dollars.
    pub wagered: f64,
    /// Weighted wager, dollars.
    pub weighted_wagered: f64,
    /// Players with any activity.
    pub players: u32,
}

impl TotalsDoc {
    fn of(totals: &MonthTotals) -> Self {
        Self {
            wagered: totals.wagered.as_dollars_f64(),
            weighted_wagered: totals.weighted.as_dollars_f64(),
            players: totals.players,
        }
    }
}

/// Month-end projection (withheld during a month's first 24 hours).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectionDoc {
    /// Projected total wager, dollars.
    pub wagered: f64,
    /// Projected weighted wager, dollars.
    pub weighted_wagered: f64,
}

/// The community goal ladder on total wager.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalsDoc {
    /// Every goal, dollars, ascending.
    pub ladder: Vec<f64>,
    /// Goals reached this month, dollars.
    pub reached: Vec<f64>,
    /// The next goal, dollars; `null` once the ladder is done.
    pub next: Option<f64>,
}

/// One month of the month-to-month series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthDoc {
    /// `yyyy-mm`.
    pub month: String,
    /// Total wager, dollars.
    pub wagered: f64,
    /// Weighted wager, dollars.
    pub weighted_wagered: f64,
    /// Players with any activity.
    pub players: u32,
    /// Whether the month is closed and its figures frozen.
    #[serde(rename = "final")]
    pub is_final: bool,
}

/// One player this month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlayerDoc {
    /// Opaque public id (keyed hash of the Roobet uid).
    pub public_id: String,
    /// Masked username.
    pub username: String,
    /// Total wager, dollars.
    pub wagered: f64,
    /// Weighted wager, dollars.
    pub weighted_wagered: f64,
    /// Rank on the monthly board; `null` when not ranked.
    pub rank: Option<u32>,
}

/// `GET /api/wagers`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WagersDoc {
    /// This month.
    pub period: PeriodDoc,
    /// When the data was fetched; `null` before the first poll.
    pub updated_at: Option<String>,
    /// `updated_at` in Unix seconds.
    pub updated_at_timestamp: Option<i64>,
    /// This month's community totals.
    pub totals: TotalsDoc,
    /// This month's projected end; `null` in its first 24 hours.
    pub projection: Option<ProjectionDoc>,
    /// Progress on the goal ladder.
    pub goals: GoalsDoc,
    /// Every recorded month, oldest first, this month last.
    pub months: Vec<MonthDoc>,
    /// This month's players, largest total wager first.
    pub players: Vec<PlayerDoc>,
}

/// Every recorded month, oldest first, the current one from the snapshot
/// (fresher than its stored row).
fn month_series(published: &Published, rows: Vec<(String, MonthTotals, bool)>) -> Vec<MonthDoc> {
    let current = published.month.period.key();
    let mut months: Vec<MonthDoc> = rows
        .into_iter()
        .filter(|(key, _, _)| *key < current)
        .map(|(month, totals, is_final)| MonthDoc {
            month,
            wagered: totals.wagered.as_dollars_f64(),
            weighted_wagered: totals.weighted.as_dollars_f64(),
            players: totals.players,
            is_final,
        })
        .collect();
    let totals = TotalsDoc::of(&published.month.totals);
    months.push(MonthDoc {
        month: current,
        wagered: totals.wagered,
        weighted_wagered: totals.weighted_wagered,
        players: totals.players,
        is_final: false,
    });
    months
}

/// Builds `/api/wagers` from the snapshot, the stored month totals and
/// the exclusion list.
pub fn wagers_doc(
    published: &Published,
    rows: Vec<(String, MonthTotals, bool)>,
    ladder: &[Cents],
    excluded: &HashSet<String>,
    ids: &PublicIdKey,
    now: DateTime<Utc>,
) -> WagersDoc {
    let month = &published.month;
    let total = month.totals.wagered;
    let projected = projection(total, month.period, now)
        .zip(projection(month.totals.weighted, month.period, now))
        .map(|(wagered, weighted)| ProjectionDoc {
            wagered: wagered.as_dollars_f64(),
            weighted_wagered: weighted.as_dollars_f64(),
        });
    let mut sorted_ladder = ladder.to_vec();
    sorted_ladder.sort_unstable();
    sorted_ladder.dedup();
    let mut players: Vec<_> = published
        .month_players
        .iter()
        .filter(|p| !excluded.contains(&p.uid))
        .collect();
    players.sort_by(|a, b| b.wagered.cmp(&a.wagered).then_with(|| a.uid.cmp(&b.uid)));
    WagersDoc {
        period: PeriodDoc::month(month.period),
        updated_at: published.updated_at.map(iso),
        updated_at_timestamp: published.updated_at.map(|t| t.timestamp()),
        totals: TotalsDoc::of(&month.totals),
        projection: projected,
        goals: GoalsDoc {
            ladder: sorted_ladder.iter().map(|g| g.as_dollars_f64()).collect(),
            reached: sorted_ladder
                .iter()
                .filter(|g| **g <= total)
                .map(|g| g.as_dollars_f64())
                .collect(),
            next: next_goal(ladder, total).map(Cents::as_dollars_f64),
        },
        months: month_series(published, rows),
        players: players
            .into_iter()
            .map(|p| PlayerDoc {
                public_id: ids.public_id(&p.uid),
                username: mask_username(&p.username),
                wagered: p.wagered.as_dollars_f64(),
                weighted_wagered: p.weighted_wagered.as_dollars_f64(),
                rank: month
                    .entries
                    .iter()
                    .find(|e| e.uid == p.uid)
                    .map(|e| e.rank),
            })
            .collect(),
    }
}

/// `GET /api/wagers`.
pub async fn wagers(State(state): State<Arc<AppState>>) -> Result<Json<WagersDoc>, Error> {
    let published = state.board.current();
    let mut conn = state.store.pool().acquire().await.map_err(Error::db)?;
    let rows = totals::all(&mut conn).await?;
    let excluded = excluded_uids(&mut conn, &state.rewards).await?;
    drop(conn);
    Ok(Json(wagers_doc(
        &published,
        rows,
        &state.rewards.goals,
        &excluded,
        &state.public_ids,
        state.clock.now(),
    )))
}

/// `GET /allWagerData.json`: the seed's shape (see [`seed`]).
pub async fn all_wager_data(
    State(state): State<Arc<AppState>>,
) -> Result<Json<seed::AllWagerData>, Error> {
    let published = state.board.current();
    let mut conn = state.store.pool().acquire().await.map_err(Error::db)?;
    let rows = totals::all(&mut conn).await?;
    let excluded = excluded_uids(&mut conn, &state.rewards).await?;
    let lifetime: Vec<LifetimeFigures> = wagers::lifetime_by_player(&mut conn)
        .await?
        .into_iter()
        .filter(|p| !excluded.contains(&p.uid))
        .collect();
    drop(conn);
    Ok(Json(seed::all_wager_data(
        &published,
        &rows,
        &lifetime,
        &excluded,
        &state.public_ids,
    )))
}

pub mod seed;
