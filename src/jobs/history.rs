//! Month history that fills itself: a service starting on an empty history
//! fetches the community totals of the previous [`AUTO_MONTHS`] months in
//! the background, so `/monthtomonth`, `/lifetimestats` and the wager
//! documents work on day one. `fts-assistant backfill --months N` stays for
//! longer ranges and shares [`fill_month`].
//!
//! Resumable: the state is a settings key ([`HISTORY_KEY`]: absent, then
//! `running`, then `done`) and each month is stored as soon as it is
//! fetched, so an interrupted run continues with the months still missing.
//! A history that already holds a final month (imported from the original
//! bot, or backfilled by hand) is left alone.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;
use tracing::Instrument;

use crate::app::AppState;
use crate::domain::period::MonthPeriod;
use crate::domain::players::MonthTotals;
use crate::roobet::affiliate::AffiliateClient;
use crate::store::{settings, totals, StoreError};

/// How many past months the service fetches by itself.
pub const AUTO_MONTHS: u32 = 12;

/// Settings key of the automatic backfill's progress.
pub const HISTORY_KEY: &str = "history.backfill";

/// Why a month could not be filled.
#[derive(Debug, thiserror::Error)]
pub enum FillError {
    /// The affiliate API failed.
    #[error("affiliate API: {0}")]
    Affiliate(#[from] crate::roobet::AffiliateError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The `months` months before the one containing `now`, oldest first,
/// without those already stored as final.
pub async fn months_missing(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    months: u32,
) -> Result<Vec<MonthPeriod>, StoreError> {
    let final_months: Vec<String> = totals::all(conn)
        .await?
        .into_iter()
        .filter(|(_, _, is_final)| *is_final)
        .map(|(key, _, _)| key)
        .collect();
    let mut month = MonthPeriod::containing(now);
    let mut wanted = Vec::new();
    for _ in 0..months {
        month = month.previous();
        if !final_months.contains(&month.key()) {
            wanted.push(month);
        }
    }
    wanted.reverse();
    Ok(wanted)
}

/// Fetches one past month and stores its totals as final.
pub async fn fill_month(
    conn: &mut AnyConnection,
    client: &AffiliateClient,
    month: MonthPeriod,
    now: DateTime<Utc>,
) -> Result<MonthTotals, FillError> {
    let figures = client
        .period_figures(month.start(), month.end_inclusive(), now)
        .await?;
    let month_totals = MonthTotals::of(&figures);
    totals::upsert(
        conn,
        &month.key(),
        &month_totals,
        true,
        now.timestamp_millis(),
    )
    .await?;
    Ok(month_totals)
}

/// One pass of the automatic backfill; `Ok(true)` once the history is
/// complete (or was never empty), `Ok(false)` when there is nothing to do
/// on this process (polling off).
pub async fn backfill_if_empty(state: &AppState) -> Result<bool, FillError> {
    let Some(client) = state.affiliate.as_ref() else {
        return Ok(false);
    };
    let now = state.clock.now();
    let now_ms = now.timestamp_millis();
    let mut conn = state
        .store
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    match settings::get(&mut conn, HISTORY_KEY).await?.as_deref() {
        Some("done") => return Ok(true),
        Some(_) => {}
        None => {
            let has_history = totals::all(&mut conn)
                .await?
                .iter()
                .any(|(_, _, is_final)| *is_final);
            if has_history {
                settings::set(&mut conn, HISTORY_KEY, "done", now_ms).await?;
                return Ok(true);
            }
            settings::set(&mut conn, HISTORY_KEY, "running", now_ms).await?;
        }
    }
    let missing = months_missing(&mut conn, now, AUTO_MONTHS).await?;
    let n = missing.len();
    if n > 0 {
        tracing::info!(
            months = n,
            "month history is empty: fetching the previous months in the background"
        );
    }
    for (i, month) in missing.into_iter().enumerate() {
        let stored = fill_month(&mut conn, client, month, now).await?;
        tracing::info!(
            month = %month.key(),
            wagered = %stored.wagered,
            "month history backfill {}/{n}",
            i + 1
        );
    }
    settings::set(
        &mut conn,
        HISTORY_KEY,
        "done",
        state.clock.now().timestamp_millis(),
    )
    .await?;
    if n > 0 {
        tracing::info!(months = n, "month history backfill done");
    }
    Ok(true)
}

/// Runs [`backfill_if_empty`] as a background task; the scheduler starts it
/// after a successful cycle until a pass reports the history complete.
pub fn spawn(state: Arc<AppState>) -> tokio::task::JoinHandle<bool> {
    let backfill = async move {
        match backfill_if_empty(&state).await {
            Ok(done) => done,
            Err(error) => {
                tracing::warn!(error = ?error, "month history backfill paused; it resumes after the next cycle");
                false
            }
        }
    };
    tokio::spawn(backfill.instrument(tracing::info_span!("history_backfill")))
}
