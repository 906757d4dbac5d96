//! Our JSON documents (`/api/…`). Field names are a contract: add fields,
//! never rename them. Money is dollars as a JSON number, times are ISO-8601
//! UTC with a `_timestamp` twin in Unix seconds.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::app::AppState;
use crate::domain::masking::PublicIdKey;
use crate::domain::money::Cents;
use crate::domain::period::{MonthPeriod, WeekPeriod};
use crate::published::{Published, Rendered};

use super::public::{self, HitRow, MonthRow, PrizeRow};
use super::time_text::iso;
use super::tips::rendered_response;
use super::{Error, WEIGHTING_DISCLOSURE};

/// A competition period: key, bounds (the end is the last second).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodDoc {
    /// `yyyy-mm` for a month, the Monday `yyyy-mm-dd` for a week.
    pub key: String,
    /// First instant.
    pub start: String,
    /// Last second (`…T23:59:59Z`).
    pub end: String,
    /// `start` in Unix seconds.
    pub start_timestamp: i64,
    /// `end` in Unix seconds.
    pub end_timestamp: i64,
}

impl PeriodDoc {
    fn new(key: String, start: DateTime<Utc>, end_inclusive: DateTime<Utc>) -> Self {
        let end = DateTime::from_timestamp(end_inclusive.timestamp(), 0).unwrap_or(end_inclusive);
        Self {
            key,
            start: iso(start),
            end: iso(end),
            start_timestamp: start.timestamp(),
            end_timestamp: end.timestamp(),
        }
    }

    /// A calendar month.
    pub fn month(month: MonthPeriod) -> Self {
        Self::new(month.key(), month.start(), month.end_inclusive())
    }

    /// An ISO week.
    pub fn week(week: WeekPeriod) -> Self {
        Self::new(week.key(), week.start(), week.end_inclusive())
    }
}

/// One line of a prize table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrizeDoc {
    /// 1-based rank.
    pub rank: u32,
    /// Dollars.
    pub prize: f64,
}

/// One row of a weighted-wager board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthEntryDoc {
    /// 1-based rank.
    pub rank: u32,
    /// Masked username.
    pub username: String,
    /// Total wager, dollars.
    pub wagered: f64,
    /// Weighted wager, dollars.
    pub weighted_wagered: f64,
    /// Prize for the rank, dollars (0 past the prize table).
    pub prize: f64,
    /// The milestone tier reached this month; `null` below the first tier
    /// and on past months' frozen boards.
    pub tier: Option<TierDoc>,
    /// Public tips received this month, dollars; `null` on past months.
    pub tips_this_month: Option<f64>,
    /// Present (`true`) only in the demo, whose tips are dry runs: the
    /// figure above is test data.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub tips_test_data: bool,
}

/// A row's milestone tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierDoc {
    /// 1-based tier number.
    pub number: u32,
    /// Its name (`Rank 12`).
    pub name: String,
}

/// `GET /api/leaderboard`: this month's board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaderboardDoc {
    /// The month.
    pub period: PeriodDoc,
    /// When the data was fetched; `null` before the first poll.
    pub updated_at: Option<String>,
    /// `updated_at` in Unix seconds.
    pub updated_at_timestamp: Option<i64>,
    /// Sum of the prize table, dollars.
    pub prize_pool: f64,
    /// The prize table.
    pub prizes: Vec<PrizeDoc>,
    /// What "weighted" means (Roobet requires it shown with the board).
    pub weighting: &'static str,
    /// The top ten.
    pub entries: Vec<MonthEntryDoc>,
}

/// `GET /api/leaderboard/{yyyy}-{mm}`: a closed month's final board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinalBoardDoc {
    /// The month.
    pub period: PeriodDoc,
    /// Always `true`: these standings no longer change.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// Sum of the prizes awarded, dollars.
    pub prize_pool: f64,
    /// The prizes awarded, by rank.
    pub prizes: Vec<PrizeDoc>,
    /// What "weighted" means.
    pub weighting: &'static str,
    /// The top ten.
    pub entries: Vec<MonthEntryDoc>,
}

/// One row of the weekly multiplier board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HitEntryDoc {
    /// 1-based rank.
    pub rank: u32,
    /// Masked username.
    pub username: String,
    /// The multiplier (`512.4` for 512.40×).
    pub multiplier: f64,
    /// Game identifier.
    pub game_id: String,
    /// Game title.
    pub game_title: String,
    /// The game's page on Roobet.
    pub game_url: String,
    /// The hit's stake, dollars.
    pub bet: f64,
    /// The hit's payout, dollars.
    pub payout: f64,
    /// Prize for the rank, dollars (0 past the prize table).
    pub prize: f64,
}

/// `GET /api/multipliers`: this week's board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultipliersDoc {
    /// The week (Monday to Sunday, UTC).
    pub period: PeriodDoc,
    /// When the data was fetched; `null` before the first poll.
    pub updated_at: Option<String>,
    /// `updated_at` in Unix seconds.
    pub updated_at_timestamp: Option<i64>,
    /// Sum of the prize table, dollars.
    pub prize_pool: f64,
    /// The prize table.
    pub prizes: Vec<PrizeDoc>,
    /// The smallest bet a hit needs to count, dollars; `null` when any bet counts.
    pub min_bet: Option<f64>,
    /// The top ten.
    pub entries: Vec<HitEntryDoc>,
}

fn prize_docs(rows: &[PrizeRow]) -> Vec<PrizeDoc> {
    rows.iter()
        .map(|p| PrizeDoc {
            rank: p.rank,
            prize: p.prize.as_dollars_f64(),
        })
        .collect()
}

fn pool(rows: &[PrizeRow]) -> f64 {
    rows.iter().map(|p| p.prize).sum::<Cents>().as_dollars_f64()
}

fn month_entry_docs(rows: &[MonthRow], live: bool) -> Vec<MonthEntryDoc> {
    rows.iter()
        .map(|r| MonthEntryDoc {
            rank: r.rank,
            username: r.username.clone(),
            wagered: r.wagered.as_dollars_f64(),
            weighted_wagered: r.weighted.as_dollars_f64(),
            prize: r.prize.as_dollars_f64(),
            tier: r.tier.as_ref().map(|t| TierDoc {
                number: t.number,
                name: t.name.clone(),
            }),
            tips_this_month: live.then(|| r.tips.as_dollars_f64()),
            tips_test_data: live && r.tips_test_data,
        })
        .collect()
}

fn hit_entry_docs(rows: &[HitRow]) -> Vec<HitEntryDoc> {
    rows.iter()
        .map(|r| HitEntryDoc {
            rank: r.rank,
            username: r.username.clone(),
            multiplier: r.multiplier.as_f64(),
            game_id: r.game_id.clone(),
            game_title: r.game_title.clone(),
            game_url: r.game_url.clone(),
            bet: r.bet.as_dollars_f64(),
            payout: r.payout.as_dollars_f64(),
            prize: r.prize.as_dollars_f64(),
        })
        .collect()
}

/// This month's board as [`LeaderboardDoc`].
pub fn leaderboard_doc(published: &Published, ids: &PublicIdKey) -> LeaderboardDoc {
    let prizes = public::prize_rows(&published.month.prizes);
    LeaderboardDoc {
        period: PeriodDoc::month(published.month.period),
        updated_at: published.updated_at.map(iso),
        updated_at_timestamp: published.updated_at.map(|t| t.timestamp()),
        prize_pool: pool(&prizes),
        prizes: prize_docs(&prizes),
        weighting: WEIGHTING_DISCLOSURE,
        entries: month_entry_docs(&public::current_month_rows(&published.month, ids), true),
    }
}

/// This week's board as [`MultipliersDoc`].
pub fn multipliers_doc(published: &Published) -> MultipliersDoc {
    let prizes = public::prize_rows(&published.week.prizes);
    MultipliersDoc {
        period: PeriodDoc::week(published.week.period),
        updated_at: published.updated_at.map(iso),
        updated_at_timestamp: published.updated_at.map(|t| t.timestamp()),
        prize_pool: pool(&prizes),
        prizes: prize_docs(&prizes),
        min_bet: published.week.min_bet.map(Cents::as_dollars_f64),
        entries: hit_entry_docs(&public::week_rows(&published.week.entries)),
    }
}

/// `GET /api/leaderboard`.
pub async fn leaderboard(State(state): State<Arc<AppState>>) -> Response {
    let published = state.board.current();
    let doc = published
        .rendered
        .leaderboard
        .get_or_init(|| render_once(&leaderboard_doc(&published, &state.public_ids)));
    rendered_response(doc)
}

/// `GET /api/multipliers`.
pub async fn multipliers(State(state): State<Arc<AppState>>) -> Response {
    let published = state.board.current();
    let doc = published
        .rendered
        .multipliers
        .get_or_init(|| render_once(&multipliers_doc(&published)));
    rendered_response(doc)
}

/// Serialises a snapshot's document (plain data: cannot fail) for the
/// snapshot's cache, with its tag.
fn render_once<T: Serialize>(doc: &T) -> Rendered {
    Rendered::new(serde_json::to_vec(doc).expect("documents of plain data serialise"))
}

/// `GET /api/leaderboard/{yyyy}-{mm}`: 400 for a malformed month, 404 for
/// a month that was never frozen.
pub async fn past_leaderboard(
    State(state): State<Arc<AppState>>,
    Path(month): Path<String>,
) -> Result<Json<FinalBoardDoc>, Error> {
    let month = MonthPeriod::parse(&month).map_err(|e| Error::BadRequest(e.to_string()))?;
    let Some(standings) = public::frozen_month(&state, month).await? else {
        return Err(Error::NotFound(format!(
            "no final standings for {}",
            month.key()
        )));
    };
    let rows = public::frozen_rows(&standings, &state.public_ids);
    let prizes = public::awarded_prizes(&standings);
    Ok(Json(FinalBoardDoc {
        period: PeriodDoc::month(month),
        is_final: true,
        prize_pool: pool(&prizes),
        prizes: prize_docs(&prizes),
        weighting: WEIGHTING_DISCLOSURE,
        entries: month_entry_docs(&rows, false),
    }))
}
