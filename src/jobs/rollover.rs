//! Period roll-over: when a cycle finds that a month or week it was tracking
//! has ended, it fetches that period's final figures once more, freezes the
//! standings into history and records the prizes as payout intents — all in
//! one transaction, before the new period starts. A process that was down at
//! midnight does this at its first cycle after, whenever that is.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use super::milestones::award_milestones;
use super::poll::CycleError;
use crate::app::AppState;
use crate::domain::leaderboard::rank_monthly;
use crate::domain::multiplier::rank_weekly;
use crate::domain::payout_keys::{leaderboard_key, multiplier_key, PayoutKind};
use crate::domain::period::{MonthPeriod, WeekPeriod};
use crate::domain::players::MonthTotals;
use crate::domain::players::PlayerFigures;
use crate::published::excluded_uids;
use crate::roobet::affiliate::{AffiliateClient, StatsFilter, StatsQuery};
use crate::store::payouts::{self, NewPayout, PayoutStatus};
use crate::store::snapshots::{self, PeriodKind};
use crate::store::standings::{self, FinalStanding};
use crate::store::{periods, totals, StoreError};

/// Freezes every tracked month and week that ended before `now`; returns
/// the keys frozen.
pub async fn close_ended_periods(
    state: &AppState,
    client: &AffiliateClient,
    now: DateTime<Utc>,
) -> Result<Vec<String>, CycleError> {
    let mut frozen = Vec::new();
    let current_month = MonthPeriod::containing(now).key();
    let ended_months = {
        let mut conn = state
            .store
            .pool()
            .acquire()
            .await
            .map_err(StoreError::from)?;
        periods::open_before(&mut conn, PeriodKind::Month, &current_month).await?
    };
    for key in ended_months {
        let month = MonthPeriod::parse(&key).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let figures = client
            .period_figures(month.start(), month.end_inclusive(), now)
            .await?;
        if close_month(state, month, &figures, now).await? {
            tracing::info!(month = %key, players = figures.len(), "month closed: standings frozen, prizes recorded");
            frozen.push(key);
        }
    }
    let current_week = WeekPeriod::containing(now).key();
    let ended_weeks = {
        let mut conn = state
            .store
            .pool()
            .acquire()
            .await
            .map_err(StoreError::from)?;
        periods::open_before(&mut conn, PeriodKind::Week, &current_week).await?
    };
    for key in ended_weeks {
        let week = WeekPeriod::parse(&key).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let query = StatsQuery {
            start: week.start(),
            end: week.end_inclusive(),
            filter: StatsFilter::Weighted,
        };
        let rows = client.stats(&query, now).await?;
        let figures: Vec<PlayerFigures> = rows.into_iter().map(|r| r.into_figures()).collect();
        if close_week(state, week, &figures, now).await? {
            tracing::info!(week = %key, players = figures.len(), "week closed: standings frozen, prizes recorded");
            frozen.push(key);
        }
    }
    Ok(frozen)
}

/// Freezes the `months` months before the one containing `now` exactly as
/// the roll-over would have at each month's end (standings, prizes,
/// milestones, totals): each is opened, then [`close_ended_periods`] closes
/// it. For `fts-assistant demo`, whose simulated casino has a past but whose
/// fresh database has never seen a month end, so `/history` has boards.
/// Months already frozen are left alone, so a second run adds nothing.
/// Returns the keys frozen now.
pub async fn seed_past_months(
    state: &AppState,
    client: &AffiliateClient,
    now: DateTime<Utc>,
    months: u32,
) -> Result<Vec<String>, CycleError> {
    {
        let mut conn = state
            .store
            .pool()
            .acquire()
            .await
            .map_err(StoreError::from)?;
        let mut month = MonthPeriod::containing(now);
        for _ in 0..months {
            month = month.previous();
            periods::open(&mut conn, PeriodKind::Month, &month.key()).await?;
        }
    }
    let frozen = close_ended_periods(state, client, now).await?;
    Ok(frozen
        .into_iter()
        .filter(|key| MonthPeriod::parse(key).is_ok())
        .collect())
}

/// Refuses an empty final answer for a period that had players: the API
/// failing quietly must not freeze an empty board.
async fn refuse_suspicious_empty(
    conn: &mut AnyConnection,
    kind: PeriodKind,
    key: &str,
    figures: &[PlayerFigures],
) -> Result<(), CycleError> {
    if figures.is_empty() && snapshots::count(conn, kind, key).await? > 0 {
        return Err(CycleError::SuspiciousEmpty(key.to_string()));
    }
    Ok(())
}

async fn close_month(
    state: &AppState,
    month: MonthPeriod,
    figures: &[PlayerFigures],
    now: DateTime<Utc>,
) -> Result<bool, CycleError> {
    let key = month.key();
    let now_ms = now.timestamp_millis();
    let mut tx = state.store.begin_write().await?;
    refuse_suspicious_empty(&mut tx, PeriodKind::Month, &key, figures).await?;
    if !periods::finalize(&mut tx, PeriodKind::Month, &key, now_ms).await? {
        return Ok(false); // another replica froze it first
    }
    snapshots::upsert_many(&mut tx, PeriodKind::Month, &key, figures, now_ms).await?;
    let stored = snapshots::load(&mut tx, PeriodKind::Month, &key).await?;
    let excluded = excluded_uids(&mut tx, &state.rewards).await?;
    let board = rank_monthly(&stored, &excluded, &state.rewards.monthly_prizes);
    let rows: Vec<FinalStanding> = board
        .iter()
        .map(|e| FinalStanding {
            rank: e.rank,
            uid: e.uid.clone(),
            username: e.username.clone(),
            wagered: e.wagered,
            weighted: e.weighted_wagered,
            hit: None,
            prize: e.prize.unwrap_or_default(),
        })
        .collect();
    standings::insert(&mut tx, PeriodKind::Month, &key, &rows).await?;
    // Tiers crossed between the last cycle and the close still count.
    // A month open here had a cycle before, so the first run is decided.
    award_milestones(
        &mut tx,
        &state.rewards,
        month,
        &stored,
        &excluded,
        PayoutStatus::Pending,
        now_ms,
    )
    .await?;
    let status = if state.rewards.monthly_manual_approval {
        PayoutStatus::AwaitingApproval
    } else {
        PayoutStatus::Pending
    };
    for entry in board
        .iter()
        .filter(|e| e.prize.is_some_and(|p| p.cents() > 0))
    {
        payouts::insert_intent(
            &mut tx,
            &NewPayout {
                key: leaderboard_key(month, entry.rank),
                kind: PayoutKind::Leaderboard,
                uid: entry.uid.clone(),
                username: entry.username.clone(),
                amount: entry.prize.unwrap_or_default(),
                status,
                period_key: Some(key.clone()),
                tier: None,
                requested_by: None,
                reason: Some(format!("#{} on the {month} leaderboard", entry.rank)),
                priority: 0,
            },
            now_ms,
        )
        .await?;
    }
    totals::upsert(&mut tx, &key, &MonthTotals::of(&stored), true, now_ms).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(true)
}

async fn close_week(
    state: &AppState,
    week: WeekPeriod,
    figures: &[PlayerFigures],
    now: DateTime<Utc>,
) -> Result<bool, CycleError> {
    let key = week.key();
    let now_ms = now.timestamp_millis();
    let mut tx = state.store.begin_write().await?;
    refuse_suspicious_empty(&mut tx, PeriodKind::Week, &key, figures).await?;
    if !periods::finalize(&mut tx, PeriodKind::Week, &key, now_ms).await? {
        return Ok(false);
    }
    snapshots::upsert_many(&mut tx, PeriodKind::Week, &key, figures, now_ms).await?;
    let stored = snapshots::load(&mut tx, PeriodKind::Week, &key).await?;
    let excluded = excluded_uids(&mut tx, &state.rewards).await?;
    let board = rank_weekly(
        &stored,
        &excluded,
        &state.rewards.weekly_prizes,
        state.rewards.weekly_min_bet,
    );
    let rows: Vec<FinalStanding> = board
        .iter()
        .map(|e| FinalStanding {
            rank: e.rank,
            uid: e.uid.clone(),
            username: e.username.clone(),
            wagered: e.hit.bet,
            weighted: e.hit.bet,
            hit: Some(e.hit.clone()),
            prize: e.prize.unwrap_or_default(),
        })
        .collect();
    standings::insert(&mut tx, PeriodKind::Week, &key, &rows).await?;
    for entry in board
        .iter()
        .filter(|e| e.prize.is_some_and(|p| p.cents() > 0))
    {
        payouts::insert_intent(
            &mut tx,
            &NewPayout {
                key: multiplier_key(week, entry.rank),
                kind: PayoutKind::Multiplier,
                uid: entry.uid.clone(),
                username: entry.username.clone(),
                amount: entry.prize.unwrap_or_default(),
                status: PayoutStatus::Pending,
                period_key: Some(key.clone()),
                tier: None,
                requested_by: None,
                reason: Some(format!(
                    "#{} on the multiplier board, week of {}",
                    entry.rank,
                    week.monday()
                )),
                priority: 0,
            },
            now_ms,
        )
        .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(true)
}
