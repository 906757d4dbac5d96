//! `backfill --months N`: loads the community totals of past months from
//! the affiliate API into `monthly_totals`, so `/monthtomonth` and the
//! wager documents can show months from before the service ran. The poll
//! cycle records each month's totals from then on, frozen at its end, and
//! the service fetches the last 12 months by itself on an empty history
//! (`jobs::history`); this command is for longer ranges.

use anyhow::{bail, Context};

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::period::MonthPeriod;
use crate::jobs::history::fill_month;
use crate::store::{totals, Store};

/// The most months one backfill fetches (ten years).
pub const MAX_MONTHS: u32 = 120;

/// What a backfill did, month by month (oldest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackfillReport {
    /// Months fetched and stored as final.
    pub stored: Vec<String>,
    /// Months left alone because the service already froze them.
    pub kept: Vec<String>,
}

/// Fetches the `months` months before the current one (the current month
/// is the poller's) and stores each as final. Months the service already
/// froze are kept as they are: those figures were final when recorded.
pub async fn backfill(
    config: &Config,
    clock: &dyn Clock,
    months: u32,
) -> anyhow::Result<BackfillReport> {
    if !(1..=MAX_MONTHS).contains(&months) {
        bail!("--months must be from 1 to {MAX_MONTHS}");
    }
    let Some(client) = crate::clients::affiliate(config)? else {
        bail!("ROOBET_API_TOKEN and ROOBET_USER_ID are both needed to backfill");
    };
    let store = Store::open(&config.database_url)
        .await
        .context("opening the database")?;
    let mut conn = store.pool().acquire().await?;
    let already_final: Vec<String> = totals::all(&mut conn)
        .await?
        .into_iter()
        .filter(|(_, _, is_final)| *is_final)
        .map(|(key, _, _)| key)
        .collect();

    let now = clock.now();
    let mut month = MonthPeriod::containing(now);
    let mut wanted = Vec::new();
    for _ in 0..months {
        month = month.previous();
        wanted.push(month);
    }
    wanted.reverse();
    let mut report = BackfillReport::default();
    for month in wanted {
        let key = month.key();
        if already_final.contains(&key) {
            tracing::info!(month = %key, "already recorded as final: kept");
            report.kept.push(key);
            continue;
        }
        let month_totals = fill_month(&mut conn, &client, month, now)
            .await
            .with_context(|| format!("fetching {month}"))?;
        tracing::info!(
            month = %key,
            wagered = %month_totals.wagered,
            weighted = %month_totals.weighted,
            players = month_totals.players,
            "month stored"
        );
        report.stored.push(key);
    }
    drop(conn);
    store.close().await;
    Ok(report)
}
