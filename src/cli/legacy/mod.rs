//! `import-legacy --from <postgres url> [--dry-run]`: takes over what the
//! original Python bot paid and posted, so the switch pays nobody twice.
//!
//! The old database is read read-only ([`read`]), mapped by a pure function
//! ([`plan`]; its module doc says how money is counted once), then written
//! in one transaction of the target database. Every write is keyed
//! (payout keys, award keys, `legacy.challenge.{id}` settings, month and
//! week keys), so a second run imports nothing new. The transaction also
//! computes what the first poll cycle would pay; `--dry-run` rolls it back.
//! Rows that break the rules of our own commands ([`validate`]) are refused,
//! listed in the report with the reason, and nothing of them is written.

pub mod plan;
pub mod validate;

use std::fmt::Write as _;

use anyhow::Context;

use super::cutover::{self as shared, Forecast};
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::money::Cents;
use crate::domain::period::MonthPeriod;
use crate::store::cutover::{self, FirstRunState, Recorded};
use crate::store::legacy::{self, LegacyData};
use crate::store::payouts::PayoutStatus;
use crate::store::snapshots::PeriodKind;
use crate::store::{milestones, standings, Store};

/// New rows and rows found already there, for one kind of record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counted {
    /// Written by this run.
    pub new: i64,
    /// Present before (a previous run): unchanged.
    pub already: i64,
}

impl Counted {
    fn add(&mut self, new: bool) {
        if new {
            self.new += 1;
        } else {
            self.already += 1;
        }
    }
}

/// What an import did (or would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Milestone tiers already paid (awards).
    pub awards: Counted,
    /// Of the new tier guards, how many settled a payout the first run held.
    pub held_matched: i64,
    /// Of the new tier guards, how many settled a payout queued here
    /// (`pending`, not yet sent) that the original had paid already.
    pub pending_matched: i64,
    /// Held first-run payouts the original never paid, released to be paid.
    pub held_released: u64,
    /// Tips imported, by kind: (new count, new sum).
    pub tips_by_kind: Vec<(&'static str, i64, Cents)>,
    /// Tips present before.
    pub tips_already: i64,
    /// Frozen weeks.
    pub weeks: Counted,
    /// Challenges: won, cancelled, active.
    pub challenges: [Counted; 3],
    /// Months of totals.
    pub months: Counted,
    /// Board messages to edit in place.
    pub messages: Counted,
    /// Goals already announced.
    pub goals: Counted,
    /// Left out, with the reason.
    pub notes: Vec<String>,
    /// Rows refused by our rules (table, row, reason): nothing of them
    /// was imported.
    pub refused: Vec<String>,
    /// The forecast after the import.
    pub forecast: Forecast,
    /// Nothing was written.
    pub dry_run: bool,
}

impl ImportReport {
    /// The summary printed by the command.
    pub fn render(&self) -> String {
        let mut out = super::cutover::report_heading("import-legacy", self.dry_run);
        let line = |out: &mut String, what: &str, c: Counted| {
            let _ = writeln!(
                out,
                "  {what:<32}{:>6} new  {:>6} already there",
                c.new, c.already
            );
        };
        line(&mut out, "milestone tiers already paid", self.awards);
        let _ = writeln!(
            out,
            "    of which held by the first run  {:>4}; held and never paid by the original, released: {}",
            self.held_matched, self.held_released
        );
        if self.pending_matched > 0 {
            let _ = writeln!(
                out,
                "    of which queued here but paid by the original, now never sent: {}",
                self.pending_matched
            );
        }
        let (count, sum) = self
            .tips_by_kind
            .iter()
            .fold((0, Cents::ZERO), |(c, s), (_, n, a)| {
                (c + n, s.saturating_add(*a))
            });
        let _ = writeln!(
            out,
            "  {:<32}{count:>6} new  {:>6} already there  {sum}",
            "tips (history and totals)", self.tips_already
        );
        for (kind, n, amount) in &self.tips_by_kind {
            let _ = writeln!(out, "    {kind:<30}{n:>6}      {amount}");
        }
        line(&mut out, "weeks of multiplier prizes", self.weeks);
        line(&mut out, "challenges won", self.challenges[0]);
        line(&mut out, "challenges cancelled", self.challenges[1]);
        line(&mut out, "challenges active", self.challenges[2]);
        line(&mut out, "months of totals", self.months);
        line(&mut out, "board messages to edit", self.messages);
        line(&mut out, "goals already announced", self.goals);
        for note in &self.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        if !self.refused.is_empty() {
            let _ = writeln!(
                out,
                "  refused by our rules, nothing of them imported: {}",
                self.refused.len()
            );
        }
        for refused in &self.refused {
            let _ = writeln!(out, "  refused: {refused}");
        }
        out.push_str(&self.forecast.render());
        out
    }
}

/// Connects to the original bot's database at `url` and reads it whole.
async fn read_legacy(url: &str) -> anyhow::Result<LegacyData> {
    use sqlx::Connection;
    if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
        anyhow::bail!("--from must be the original bot's PostgreSQL URL (postgres://…)");
    }
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url)
        .await
        .context("connecting to the original bot's database")?;
    let data = legacy::read_snapshot(&mut conn).await;
    conn.close().await.ok();
    Ok(data?)
}

/// Whether two database URLs name the same database (host, port, name;
/// credentials and options aside).
fn same_database(a: &str, b: &str) -> bool {
    let key = |u: &str| {
        url::Url::parse(u).ok().map(|u| {
            (
                u.host_str().unwrap_or_default().to_ascii_lowercase(),
                u.port().unwrap_or(5432),
                u.path().trim_start_matches('/').to_string(),
            )
        })
    };
    match (key(a), key(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

/// Runs the import against `config`'s database (see the module doc).
pub async fn import_legacy(
    config: &Config,
    clock: &dyn Clock,
    from: &str,
    dry_run: bool,
) -> anyhow::Result<ImportReport> {
    if same_database(from, &config.database_url) {
        anyhow::bail!(
            "--from and DATABASE_URL name the same database: DATABASE_URL must be this \
             service's own (new) database, --from the original bot's"
        );
    }
    let rewards = shared::rewards(config)?;
    let data = read_legacy(from).await?;
    let now = clock.now();
    let now_ms = now.timestamp_millis();
    let plan = plan::plan(
        &data,
        &rewards.tiers,
        &config.channels,
        MonthPeriod::containing(now),
        &validate::Limits::new(config, &rewards),
    )?;
    let client = crate::clients::affiliate(config)?;
    let figures = match &client {
        Some(client) => Some(shared::month_figures(client, now).await?),
        None => None,
    };
    let store = Store::open(&config.database_url)
        .await
        .context("opening the database")?;
    let mut tx = store.begin_write().await?;
    let mut report = ImportReport {
        dry_run,
        notes: plan.notes.clone(),
        refused: plan.refused.iter().map(ToString::to_string).collect(),
        ..ImportReport::default()
    };
    for award in &plan.awards {
        let new = milestones::award(
            &mut tx,
            &award.month,
            &award.uid,
            award.tier,
            &award.key,
            award.awarded_ms.unwrap_or(now_ms),
        )
        .await?;
        report.awards.add(new);
    }
    for guard in &plan.guards {
        match cutover::record_settled(&mut tx, &guard.payout, guard.sent_ms, true, now_ms).await? {
            Recorded::MatchedHeld => report.held_matched += 1,
            Recorded::MatchedPending => report.pending_matched += 1,
            Recorded::Inserted | Recorded::AlreadyThere => {}
        }
    }
    let mut by_kind: Vec<(&'static str, i64, Cents)> = Vec::new();
    for tip in &plan.tips {
        match cutover::record_settled(&mut tx, &tip.payout, tip.sent_ms, false, now_ms).await? {
            Recorded::AlreadyThere => report.tips_already += 1,
            Recorded::Inserted | Recorded::MatchedHeld | Recorded::MatchedPending => {
                let kind = tip.payout.kind.as_str();
                match by_kind.iter_mut().find(|(k, _, _)| *k == kind) {
                    Some(entry) => {
                        entry.1 += 1;
                        entry.2 = entry.2.saturating_add(tip.payout.amount);
                    }
                    None => by_kind.push((kind, 1, tip.payout.amount)),
                }
            }
        }
    }
    by_kind.sort_by_key(|(kind, _, _)| *kind);
    report.tips_by_kind = by_kind;
    for (week, rows) in &plan.weeks {
        let new = cutover::import_final_week(&mut tx, week, now_ms).await?;
        if new {
            standings::insert(&mut tx, PeriodKind::Week, week, rows).await?;
        }
        report.weeks.add(new);
    }
    for (legacy_key, challenge) in &plan.challenges {
        let slot = match challenge.status {
            "won" => 0,
            "cancelled" => 1,
            _ => 2,
        };
        let new = cutover::import_challenge(&mut tx, legacy_key, challenge, now_ms)
            .await?
            .is_some();
        report.challenges[slot].add(new);
    }
    for (month, wagered, weighted, is_final) in &plan.totals {
        let new =
            cutover::import_month_totals(&mut tx, month, *wagered, *weighted, *is_final, now_ms)
                .await?;
        report.months.add(new);
    }
    for (key, value) in &plan.messages {
        report
            .messages
            .add(cutover::adopt_message(&mut tx, key, value, now_ms).await?);
    }
    for (month, goal) in &plan.goals {
        report
            .goals
            .add(cutover::mark_goal_announced(&mut tx, month, *goal, now_ms).await?);
    }
    // Held tiers the original never paid were earned while it was stopped:
    // they are owed, like any tier reached after the switch.
    report.held_released = cutover::resolve_held(&mut tx, PayoutStatus::Pending, now_ms).await?;
    match cutover::state(&mut tx).await? {
        Some(FirstRunState::Imported | FirstRunState::Established | FirstRunState::Released) => {}
        _ => cutover::set_state(&mut tx, FirstRunState::Imported, now_ms).await?,
    }
    report.forecast = shared::forecast(
        &mut tx,
        config,
        &rewards,
        client.as_ref(),
        figures.as_deref(),
        now,
    )
    .await?;
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    store.close().await;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::same_database;

    #[test]
    fn the_old_database_is_never_the_target() {
        assert!(same_database(
            "postgres://u:p@db.example:5432/fts",
            "postgresql://other@DB.example/fts?sslmode=require"
        ));
        assert!(!same_database(
            "postgres://u@db.example/fts_old",
            "postgres://u@db.example/fts_new"
        ));
        assert!(!same_database(
            "postgres://u@db.example/fts",
            "sqlite://fts.db?mode=rwc"
        ));
    }
}
