//! One poll cycle: fetch → compute → persist in one transaction → publish.
//! A failed or malformed answer aborts the cycle and changes nothing; the
//! boards keep serving the last good snapshot.

use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::AnyConnection;
use tracing::Instrument;

use super::challenges::detect_winners;
use super::milestones::award_milestones;
use super::rollover::close_ended_periods;
use super::runtime::Jobs;
use super::written::WrittenFigures;
use crate::app::AppState;
use crate::domain::period::{MonthPeriod, WeekPeriod};
use crate::domain::players::MonthTotals;
use crate::domain::players::PlayerFigures;
use crate::domain::wording;
use crate::metrics::KindLabels;
use crate::published::{assemble, attach_month_tips, excluded_uids};
use crate::roobet::affiliate::{StatsFilter, StatsQuery};
use crate::roobet::AffiliateError;
use crate::store::cycles::{self, CycleRecord};
use crate::store::snapshots::{self, PeriodKind};
use crate::store::{games, periods, players, totals, StoreError};
use crate::telemetry::ErrorChain;

/// Why a cycle did not complete. Nothing it would have written was kept.
#[derive(Debug, thiserror::Error)]
pub enum CycleError {
    /// Polling is off (no affiliate token or user id).
    #[error("polling is off")]
    Off,
    /// The affiliate API failed or answered something we cannot trust.
    #[error("affiliate API")]
    Affiliate(#[from] AffiliateError),
    /// The API answered no players for a period that had some.
    #[error("the API answered no players for {0}, which had players: keeping the previous data")]
    SuspiciousEmpty(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CycleError {
    /// A short label for metrics and the cycles log.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Affiliate(e) => e.label(),
            Self::SuspiciousEmpty(_) => "suspicious_empty",
            Self::Store(_) => "database",
        }
    }
}

/// What a successful cycle did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleReport {
    /// Players in this month's answer.
    pub players_seen: usize,
    /// Periods frozen by this cycle (roll-over).
    pub periods_closed: Vec<String>,
    /// Challenges this cycle closed with a winner.
    pub challenges_won: Vec<i64>,
}

/// Runs one cycle: roll-over of ended periods, then the current month and
/// week, persisted in one transaction, then the published snapshot swapped.
pub async fn run_cycle(jobs: &Jobs) -> Result<CycleReport, CycleError> {
    let state = &*jobs.state;
    let client = state.affiliate.as_ref().ok_or(CycleError::Off)?;
    let now = state.clock.now();
    let periods_closed = close_ended_periods(state, client, now).await?;
    let challenges_won = detect_winners(state, client, now).await?;

    let month = MonthPeriod::containing(now);
    let week = WeekPeriod::containing(now);
    let week_query = StatsQuery {
        start: week.start(),
        end: week.end_inclusive(),
        filter: StatsFilter::Weighted,
    };
    let (month_figures, week_rows) = tokio::try_join!(
        client.period_figures(month.start(), month.end_inclusive(), now),
        client.stats(&week_query, now),
    )?;
    let week_figures: Vec<PlayerFigures> =
        week_rows.into_iter().map(|r| r.into_figures()).collect();

    let mut written = jobs.written().lock().await;
    let finished_ms = persist(
        state,
        &mut written,
        (month, &month_figures),
        (week, &week_figures),
        now,
    )
    .await?;
    tracing::debug!(players = month_figures.len(), "cycle persisted");

    let mut conn = state
        .store
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    let excluded = excluded_uids(&mut conn, &state.rewards).await?;
    let week_players = written.players(PeriodKind::Week, &week.key());
    let mut published = assemble(
        (month, written.players(PeriodKind::Month, &month.key())),
        (week, &week_players),
        &excluded,
        &state.rewards,
        Utc.timestamp_millis_opt(finished_ms).single(),
    );
    drop(written);
    attach_month_tips(&mut conn, &mut published, state.tips_listing()).await?;
    drop(conn);
    state.board.publish(published);
    // Best attempts and wins change with the cycle (live `challenges`).
    crate::web::live::publish_challenges(state).await;
    state.payout_queue.wake();
    Ok(CycleReport {
        players_seen: month_figures.len(),
        periods_closed,
        challenges_won: challenges_won.into_iter().map(|w| w.challenge_id).collect(),
    })
}

/// Writes what changed since the last cycle in one transaction and returns
/// the cycle's recorded finish time. The in-memory copy of what is stored
/// is updated only after the commit.
async fn persist(
    state: &AppState,
    written: &mut WrittenFigures,
    (month, month_figures): (MonthPeriod, &[PlayerFigures]),
    (week, week_figures): (WeekPeriod, &[PlayerFigures]),
    now: DateTime<Utc>,
) -> Result<i64, CycleError> {
    let now_ms = now.timestamp_millis();
    let (month_key, week_key) = (month.key(), week.key());
    written.retain_only(&[
        (PeriodKind::Month, month_key.clone()),
        (PeriodKind::Week, week_key.clone()),
    ]);
    let mut tx = state.store.begin_write().await?;
    let mut changes = Vec::new();
    for (kind, key, figures) in [
        (PeriodKind::Month, &month_key, month_figures),
        (PeriodKind::Week, &week_key, week_figures),
    ] {
        let changed = write_changed(&mut tx, written, kind, key, figures, now_ms).await?;
        changes.push((kind, key.clone(), changed));
    }
    let month_changed = &changes[0].2;
    record_players_and_games(&mut tx, &changes, now_ms).await?;
    award_month_milestones(&mut tx, state, month, month_figures, month_changed, now_ms).await?;
    totals::upsert(
        &mut tx,
        &month_key,
        &MonthTotals::of(month_figures),
        false,
        now_ms,
    )
    .await?;
    let finished_ms = state.clock.now().timestamp_millis();
    let record = CycleRecord {
        started_ms: now_ms,
        finished_ms,
        outcome: "ok".into(),
        players_seen: Some(month_figures.len() as i64),
        detail: None,
    };
    cycles::record(&mut tx, &record).await?;
    tx.commit().await.map_err(StoreError::from)?;
    for (kind, key, changed) in changes {
        written.apply(kind, &key, &changed, now_ms);
    }
    Ok(finished_ms)
}

/// Stores the players of one period whose figures changed since the last
/// cycle and returns them. An empty answer for a period that had players
/// is refused: the API failing quietly must not wipe a board.
async fn write_changed(
    conn: &mut AnyConnection,
    written: &mut WrittenFigures,
    kind: PeriodKind,
    key: &str,
    figures: &[PlayerFigures],
    now_ms: i64,
) -> Result<Vec<PlayerFigures>, CycleError> {
    written.ensure_loaded(conn, kind, key).await?;
    if figures.is_empty() && !written.is_empty(kind, key) {
        return Err(CycleError::SuspiciousEmpty(key.to_owned()));
    }
    periods::open(conn, kind, key).await?;
    let changed: Vec<PlayerFigures> = written
        .changed(kind, key, figures)
        .into_iter()
        .cloned()
        .collect();
    snapshots::upsert_many(conn, kind, key, &changed, now_ms).await?;
    Ok(changed)
}

/// Remembers the names of this month's changed players and the titles of
/// the games their best hits were on.
async fn record_players_and_games(
    conn: &mut AnyConnection,
    changes: &[(PeriodKind, String, Vec<PlayerFigures>)],
    now_ms: i64,
) -> Result<(), StoreError> {
    let known: Vec<(&str, &str)> = changes[0]
        .2
        .iter()
        .map(|p| (p.uid.as_str(), p.username.as_str()))
        .collect();
    players::upsert_many(conn, &known, now_ms).await?;
    let seen_games: std::collections::BTreeMap<&str, &str> = changes
        .iter()
        .flat_map(|(_, _, changed)| changed.iter())
        .filter_map(|p| p.best_hit.as_ref())
        .filter(|hit| !hit.game_id.is_empty())
        .map(|hit| (hit.game_id.as_str(), hit.game_title.as_str()))
        .collect();
    for (game_id, title) in seen_games {
        games::upsert(conn, game_id, title, now_ms).await?;
    }
    Ok(())
}

/// Records the milestone payouts earned this cycle: by the players whose
/// month changed, and by those let back in since the last cycle, who are
/// judged on their whole month (tiers crossed while excluded are theirs).
async fn award_month_milestones(
    conn: &mut AnyConnection,
    state: &AppState,
    month: MonthPeriod,
    month_figures: &[PlayerFigures],
    month_changed: &[PlayerFigures],
    now_ms: i64,
) -> Result<(), StoreError> {
    let excluded = excluded_uids(conn, &state.rewards).await?;
    let rechecks = players::take_milestone_rechecks(conn).await?;
    let rechecked = month_figures
        .iter()
        .filter(|p| rechecks.contains(&p.uid) && !month_changed.iter().any(|c| c.uid == p.uid));
    let milestone_status =
        super::first_run::milestone_status(conn, state.config.first_run_pays_existing, now_ms)
            .await?;
    award_milestones(
        conn,
        &state.rewards,
        month,
        month_changed.iter().chain(rechecked),
        &excluded,
        milestone_status,
        now_ms,
    )
    .await?;
    Ok(())
}

/// Runs a cycle (one at a time per process), records a failure in the
/// cycles log, and updates the poll status and the metrics. The job loop
/// and tests call this.
pub async fn run_and_record(jobs: &Jobs) -> Result<CycleReport, CycleError> {
    let state = &*jobs.state;
    let _one_at_a_time = jobs.cycle_lock().lock().await;
    let started_at = state.clock.now();
    let started = Instant::now();
    let span = tracing::info_span!("poll_cycle", started = %started_at.format("%Y-%m-%d %H:%M:%S"));
    let result = run_cycle(jobs).instrument(span).await;
    let finished_at = state.clock.now();
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let outcome = match &result {
        Ok(_) => "ok",
        Err(e) => e.label(),
    };
    state
        .metrics
        .poll_cycles
        .get_or_create(&KindLabels {
            kind: outcome.into(),
        })
        .inc();
    state
        .metrics
        .poll_duration
        .observe(started.elapsed().as_secs_f64());
    jobs.update_poll_status(|status| {
        status.last_attempt = Some(finished_at);
        status.last_duration_ms = Some(elapsed_ms);
        match &result {
            Ok(report) => {
                status.last_outcome = Some(format!(
                    "ok: {}",
                    wording::count(report.players_seen as i64, "player")
                ));
                status.last_success = Some(finished_at);
                status.consecutive_failures = 0;
            }
            Err(e) => {
                // The chain, as `/status` showed it before the cause was
                // kept as a source: "affiliate API: affiliate API timed out".
                status.last_outcome = Some(ErrorChain(e).to_string());
                status.consecutive_failures += 1;
            }
        }
    });
    match &result {
        Ok(report) => tracing::info!(
            players = report.players_seen,
            closed = ?report.periods_closed,
            elapsed_ms,
            "poll cycle done"
        ),
        Err(e) => {
            tracing::warn!(error = %ErrorChain(e), elapsed_ms, "poll cycle aborted: data left as it was");
            let record = CycleRecord {
                started_ms: started_at.timestamp_millis(),
                finished_ms: finished_at.timestamp_millis(),
                outcome: outcome.to_string(),
                players_seen: None,
                detail: Some(ErrorChain(e).to_string()),
            };
            let mut conn = state
                .store
                .pool()
                .acquire()
                .await
                .map_err(StoreError::from)?;
            cycles::record(&mut conn, &record).await?;
        }
    }
    result
}
