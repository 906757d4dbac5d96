//! What `import-legacy` and `baseline` share: the forecast of what the first
//! poll cycle would pay once they are done, the `baseline` command itself,
//! and the affiliate client they build from the configuration.
//!
//! Both commands write in one transaction and compute the forecast inside
//! it, against the current affiliate answer; `--dry-run` then rolls the
//! transaction back, so the forecast is exact and nothing changes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::challenges::pick_winner;
use crate::domain::goals::newly_reached_goals;
use crate::domain::milestones::newly_reached;
use crate::domain::money::Cents;
use crate::domain::payout_keys::{milestone_key, PayoutKind};
use crate::domain::period::MonthPeriod;
use crate::domain::players::MonthTotals;
use crate::domain::players::PlayerFigures;
use crate::domain::rewards::Rewards;
use crate::published::excluded_uids;
use crate::roobet::affiliate::AffiliateClient;
use crate::store::cutover::{self, FirstRunState, Recorded};
use crate::store::payouts::{NewPayout, PayoutStatus};
use crate::store::{challenges, milestones, Store};

/// Loads `REWARDS_FILE` (or the built-in tables), as `serve` does.
pub fn rewards(config: &Config) -> anyhow::Result<Rewards> {
    let Some(path) = &config.rewards_file else {
        return Ok(Rewards::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("REWARDS_FILE {}", path.display()))?;
    Rewards::from_toml_str(&text).with_context(|| format!("REWARDS_FILE {}", path.display()))
}

/// What the first poll cycle would pay, by kind (count, sum).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forecast {
    /// By ledger kind; kinds with nothing are absent.
    pub by_kind: BTreeMap<&'static str, (i64, Cents)>,
    /// Payouts already queued (`pending`) that the worker would send.
    pub queued: (i64, Cents),
    /// Players in the affiliate answer.
    pub players: usize,
    /// Why there is no forecast, or a caveat.
    pub note: Option<String>,
}

impl Forecast {
    fn add(&mut self, kind: &'static str, amount: Cents) {
        let entry = self.by_kind.entry(kind).or_insert((0, Cents::ZERO));
        entry.0 += 1;
        entry.1 = entry.1.saturating_add(amount);
    }

    /// The forecast as printed after a summary.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "First poll cycle would pay:");
        if let Some(note) = &self.note {
            let _ = writeln!(out, "  ({note})");
        }
        let mut total = (0, Cents::ZERO);
        for (kind, (count, sum)) in &self.by_kind {
            let _ = writeln!(out, "  {kind:<16}{count:>6}  {sum}");
            total = (total.0 + count, total.1.saturating_add(*sum));
        }
        if self.queued.0 > 0 {
            let _ = writeln!(
                out,
                "  {:<16}{:>6}  {}",
                "already queued", self.queued.0, self.queued.1
            );
            total = (
                total.0 + self.queued.0,
                total.1.saturating_add(self.queued.1),
            );
        }
        let _ = writeln!(out, "  {:<16}{:>6}  {}", "total", total.0, total.1);
        out
    }
}

/// The current month's figures from the affiliate API.
pub async fn month_figures(
    client: &AffiliateClient,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<PlayerFigures>> {
    let month = MonthPeriod::containing(now);
    client
        .period_figures(month.start(), month.end_inclusive(), now)
        .await
        .context("asking the affiliate API for this month's figures")
}

/// What the first cycle would record as payable against `figures` (new
/// milestone tiers, challenge wins) plus what is queued already, as the
/// database in `conn` stands (inside the caller's transaction).
pub async fn forecast(
    conn: &mut AnyConnection,
    config: &Config,
    rewards: &Rewards,
    client: Option<&AffiliateClient>,
    figures: Option<&[PlayerFigures]>,
    now: DateTime<Utc>,
) -> anyhow::Result<Forecast> {
    let mut forecast = Forecast {
        queued: cutover::tally(conn, PayoutStatus::Pending).await?,
        ..Forecast::default()
    };
    let (Some(client), Some(figures)) = (client, figures) else {
        forecast.note = Some(
            "polling is not configured (ROOBET_API_TOKEN and ROOBET_USER_ID): only payouts \
             already queued are counted"
                .into(),
        );
        return Ok(forecast);
    };
    forecast.players = figures.len();
    let holds = match cutover::state(conn).await? {
        Some(FirstRunState::Holding) => !config.first_run_pays_existing,
        None => cutover::is_empty(conn).await? && !config.first_run_pays_existing,
        Some(_) => false,
    };
    if holds {
        forecast.note = Some(
            "first run: these milestones would be HELD, not paid, until import-legacy, baseline \
             or FIRST_RUN_PAYS_EXISTING=true"
                .into(),
        );
    }
    let month = MonthPeriod::containing(now);
    let excluded = excluded_uids(conn, rewards).await?;
    let players: Vec<&PlayerFigures> = figures
        .iter()
        .filter(|p| !excluded.contains(&p.uid))
        .collect();
    let uids: Vec<&str> = players.iter().map(|p| p.uid.as_str()).collect();
    let highest = milestones::highest_awarded(conn, &month.key(), &uids).await?;
    for player in players {
        let already: BTreeSet<u32> = (1..=highest.get(&player.uid).copied().unwrap_or(0)).collect();
        for tier in newly_reached(&rewards.tiers, &already, player.weighted_wagered) {
            forecast.add(PayoutKind::Milestone.as_str(), tier.tip);
        }
    }
    for challenge in challenges::active(conn).await? {
        let Ok(rule) = challenge.rule() else { continue };
        let start = DateTime::from_timestamp_millis(challenge.start_ms).unwrap_or(now);
        let answer = client
            .game_figures(&challenge.game_id, start, now)
            .await
            .with_context(|| format!("asking the affiliate API for {}", challenge.game_id))?;
        if pick_winner(&rule, &answer, &excluded).is_some() {
            forecast.add(PayoutKind::Challenge.as_str(), challenge.prize);
        }
    }
    Ok(forecast)
}

/// What `baseline` recorded (or would record).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaselineReport {
    /// Tiers newly counted as paid (count, sum of their tips).
    pub tiers: (i64, Cents),
    /// Of those, tiers the first run had held.
    pub held_matched: i64,
    /// Tiers already recorded before (a previous baseline or import).
    pub already: i64,
    /// Goals newly marked as announced.
    pub goals: Vec<Cents>,
    /// The forecast after it.
    pub forecast: Forecast,
    /// Nothing was written.
    pub dry_run: bool,
}

/// The first line of a cutover command's summary, saying when nothing was
/// written (`baseline` and `import-legacy` share it).
pub fn report_heading(command: &str, dry_run: bool) -> String {
    let note = if dry_run {
        " (dry run: nothing was changed)"
    } else {
        ""
    };
    format!("{command}{note}:\n")
}

impl BaselineReport {
    /// The summary printed by the command.
    pub fn render(&self) -> String {
        let mut out = report_heading("baseline", self.dry_run);
        let _ = writeln!(
            out,
            "  milestone tiers counted as paid {:>6}  {} (no tips sent; {} were held by the first run, {} already recorded)",
            self.tiers.0, self.tiers.1, self.held_matched, self.already
        );
        let goals: Vec<String> = self.goals.iter().map(Cents::to_string).collect();
        let _ = writeln!(
            out,
            "  goals marked as announced       {:>6}  {}",
            goals.len(),
            goals.join(", ")
        );
        out.push_str(&self.forecast.render());
        out
    }
}

/// `baseline [--dry-run]`: every milestone tier reached so far this month
/// counts as paid (recorded `baselined`, no tips), the goals reached so far
/// count as announced, and held first-run payouts are settled the same way.
pub async fn baseline(
    config: &Config,
    clock: &dyn Clock,
    dry_run: bool,
) -> anyhow::Result<BaselineReport> {
    let Some(client) = crate::clients::affiliate(config)? else {
        bail!(
            "baseline reads this month's figures from the affiliate API: set ROOBET_API_TOKEN \
             and ROOBET_USER_ID"
        );
    };
    let rewards = rewards(config)?;
    let now = clock.now();
    let now_ms = now.timestamp_millis();
    let figures = month_figures(&client, now).await?;
    let store = Store::open(&config.database_url)
        .await
        .context("opening the database")?;
    let mut tx = store.begin_write().await?;
    let month = MonthPeriod::containing(now);
    let month_key = month.key();
    let excluded = excluded_uids(&mut tx, &rewards).await?;
    let mut report = BaselineReport {
        dry_run,
        ..BaselineReport::default()
    };
    for player in figures.iter().filter(|p| !excluded.contains(&p.uid)) {
        for tier in newly_reached(&rewards.tiers, &BTreeSet::new(), player.weighted_wagered) {
            let key = milestone_key(month, &player.uid, tier.number);
            milestones::award(&mut tx, &month_key, &player.uid, tier.number, &key, now_ms).await?;
            let payout = NewPayout {
                key,
                kind: PayoutKind::Milestone,
                uid: player.uid.clone(),
                username: player.username.clone(),
                amount: tier.tip,
                status: PayoutStatus::Baselined,
                period_key: Some(month_key.clone()),
                tier: Some(tier.number),
                requested_by: None,
                reason: Some(format!(
                    "{} reached before this service took over: counted as paid by baseline",
                    tier.name
                )),
                priority: 0,
            };
            match cutover::record_settled(&mut tx, &payout, None, false, now_ms).await? {
                Recorded::Inserted | Recorded::MatchedPending => {
                    report.tiers = (report.tiers.0 + 1, report.tiers.1.saturating_add(tier.tip))
                }
                Recorded::MatchedHeld => {
                    report.tiers = (report.tiers.0 + 1, report.tiers.1.saturating_add(tier.tip));
                    report.held_matched += 1;
                }
                Recorded::AlreadyThere => report.already += 1,
            }
        }
    }
    // Held tiers of players no longer in the answer (excluded since) are
    // settled the same way: baseline means "nothing from before is owed".
    report.held_matched +=
        i64::try_from(cutover::resolve_held(&mut tx, PayoutStatus::Baselined, now_ms).await?)
            .unwrap_or(i64::MAX);
    let total = MonthTotals::of(&figures).wagered;
    for goal in newly_reached_goals(&rewards.goals, total, None) {
        if cutover::mark_goal_announced(&mut tx, &month_key, goal, now_ms).await? {
            report.goals.push(goal);
        }
    }
    cutover::set_state(&mut tx, FirstRunState::Baselined, now_ms).await?;
    report.forecast = forecast(
        &mut tx,
        config,
        &rewards,
        Some(&client),
        Some(&figures),
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
