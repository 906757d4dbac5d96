//! Builds the published snapshot from the database: after every cycle, at
//! startup, and on replicas that do not poll. One code path, so what a
//! restart serves is exactly what the last cycle published.

use std::collections::HashSet;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::AnyConnection;

use super::{MonthBoard, Published, WeekBoard, BOARD_ROWS};
use crate::domain::leaderboard::rank_monthly;
use crate::domain::multiplier::rank_weekly;
use crate::domain::period::{MonthPeriod, WeekPeriod};
use crate::domain::players::{MonthTotals, PlayerFigures};
use crate::domain::rewards::Rewards;
use crate::store::public_tips::{self, Listing};
use crate::store::snapshots::{self, PeriodKind};
use crate::store::{cycles, players, StoreError};

/// Every uid left out of boards: the exclusion table plus the rewards file.
pub async fn excluded_uids(
    conn: &mut AnyConnection,
    rewards: &Rewards,
) -> Result<HashSet<String>, StoreError> {
    let mut excluded = rewards.excluded_set();
    excluded.extend(players::exclusions(conn).await?.into_iter().map(|e| e.uid));
    Ok(excluded)
}

/// The snapshot of the periods containing `now`, from what is stored.
pub async fn published_from_store(
    conn: &mut AnyConnection,
    rewards: &Rewards,
    now: DateTime<Utc>,
    tips_listing: Listing,
) -> Result<Published, StoreError> {
    let month = MonthPeriod::containing(now);
    let week = WeekPeriod::containing(now);
    let excluded = excluded_uids(conn, rewards).await?;
    let month_players = snapshots::load(conn, PeriodKind::Month, &month.key()).await?;
    let week_players = snapshots::load(conn, PeriodKind::Week, &week.key()).await?;
    let updated_at = cycles::last_success(conn)
        .await?
        .and_then(|c| Utc.timestamp_millis_opt(c.finished_ms).single());
    let mut published = assemble(
        (month, month_players),
        (week, &week_players),
        &excluded,
        rewards,
        updated_at,
    );
    attach_month_tips(conn, &mut published, tips_listing).await?;
    Ok(published)
}

/// Fills in the tips each shown player of the monthly board received this
/// month (one indexed query for the top rows), so pages and embeds never
/// read the ledger themselves.
pub async fn attach_month_tips(
    conn: &mut AnyConnection,
    published: &mut Published,
    listing: Listing,
) -> Result<(), StoreError> {
    let shown: Vec<&str> = published
        .month
        .entries
        .iter()
        .take(BOARD_ROWS)
        .map(|e| e.uid.as_str())
        .collect();
    let since = published.month.period.start().timestamp_millis();
    published.month.tips = public_tips::received_since(conn, &shown, since, listing).await?;
    published.month.tips_test_data = listing == Listing::WithDryRuns;
    Ok(())
}

/// Ranks stored figures into the published boards. The cycle (from what it
/// just committed) and startup (from the database) both go through here.
pub fn assemble(
    (month, month_players): (MonthPeriod, Vec<PlayerFigures>),
    (week, week_players): (WeekPeriod, &[PlayerFigures]),
    excluded: &HashSet<String>,
    rewards: &Rewards,
    updated_at: Option<DateTime<Utc>>,
) -> Published {
    Published {
        month: MonthBoard {
            period: month,
            entries: rank_monthly(&month_players, excluded, &rewards.monthly_prizes),
            prizes: rewards.monthly_prizes.clone(),
            totals: MonthTotals::of(&month_players),
            tiers: rewards.tiers.clone(),
            tips: Default::default(),
            tips_test_data: false,
        },
        week: WeekBoard {
            period: week,
            entries: rank_weekly(
                week_players,
                excluded,
                &rewards.weekly_prizes,
                rewards.weekly_min_bet,
            ),
            prizes: rewards.weekly_prizes.clone(),
            min_bet: rewards.weekly_min_bet,
        },
        month_players,
        updated_at,
        rendered: Default::default(),
    }
}
