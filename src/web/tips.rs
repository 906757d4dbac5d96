//! The tips transparency surface: `/api/tips` (ours), `/allTimeTips.json`
//! (the seed's shape, in [`seed`]) and the `/tips` page (in [`page`]).
//!
//! Only payouts the casino confirmed are public (`status = 'sent'`), and
//! dry-run records are left out of every list and total: they were marked
//! sent without a tipping call, so no money moved. Our document states how
//! many were left out; the page says so in words. Rows leave the store as
//! [`TipRow`]s — masked name, opaque public id — so nothing downstream can
//! publish a Roobet uid or a raw username.

mod page;
pub mod seed;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::app::AppState;
use crate::domain::masking::{mask_username, PublicIdKey};
use crate::domain::money::Cents;
use crate::domain::payout_keys::PayoutKind;
use crate::domain::period::{MonthPeriod, WeekPeriod};
use crate::store::public_tips::{self, SentTip};
use crate::store::tip_stats::{self, SentTotals, Tally};

use super::time_text::iso;
use super::Error;

pub use page::{page, PAGE_ROWS};
pub use seed::all_time_tips;

/// One confirmed payout in its public form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipRow {
    /// Opaque public id of the recipient (keyed hash of the Roobet uid).
    pub public_id: String,
    /// Masked username of the recipient.
    pub username: String,
    /// What earned it.
    pub kind: PayoutKind,
    /// Amount paid.
    pub amount: Cents,
    /// When the casino confirmed it.
    pub sent_at: DateTime<Utc>,
    /// The month (`yyyy-mm`) or week (`yyyy-mm-dd`) that earned it.
    pub period_key: Option<String>,
    /// Milestone tier number.
    pub tier: Option<u32>,
}

/// Masks and hashes ledger rows; the only way rows reach a public view.
pub fn public_rows(tips: &[SentTip], ids: &PublicIdKey) -> Vec<TipRow> {
    tips.iter()
        .map(|t| TipRow {
            public_id: ids.public_id(&t.uid),
            username: mask_username(&t.username),
            kind: t.kind,
            amount: t.amount,
            sent_at: DateTime::from_timestamp_millis(t.sent_ms).unwrap_or_default(),
            period_key: t.period_key.clone(),
            tier: t.tier.and_then(|t| u32::try_from(t).ok()),
        })
        .collect()
}

/// How the page names a kind.
pub fn kind_label(kind: PayoutKind) -> &'static str {
    match kind {
        PayoutKind::Milestone => "Wager milestone",
        PayoutKind::Challenge => "Slot challenge",
        PayoutKind::Leaderboard => "Monthly leaderboard",
        PayoutKind::Multiplier => "Weekly multiplier",
        PayoutKind::Manual => "Manual tip",
    }
}

/// What exactly earned a payout, in words (`Rank 7`, `November 2026`,
/// `Week of 2026-11-23`); `None` when the ledger says no more than the kind.
pub fn detail(row: &TipRow) -> Option<String> {
    let period = row.period_key.as_deref();
    match row.kind {
        PayoutKind::Milestone => row.tier.map(|t| format!("Rank {t}")),
        PayoutKind::Leaderboard => period
            .and_then(|p| MonthPeriod::parse(p).ok())
            .map(|m| m.to_string()),
        PayoutKind::Multiplier => period
            .and_then(|p| WeekPeriod::parse(p).ok())
            .map(|w| format!("Week of {}", w.monday().format("%-d %b %Y"))),
        PayoutKind::Challenge | PayoutKind::Manual => None,
    }
}

/// A count and an amount.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TallyDoc {
    /// How many payouts.
    pub count: i64,
    /// Their total, dollars.
    pub amount: f64,
}

impl TallyDoc {
    fn of(tally: Tally) -> Self {
        Self {
            count: tally.count,
            amount: tally.amount.as_dollars_f64(),
        }
    }
}

/// One payout in `/api/tips`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TipDoc {
    /// Opaque public id of the recipient.
    pub public_id: String,
    /// Masked username.
    pub username: String,
    /// `milestone`, `challenge`, `leaderboard`, `multiplier` or `manual`.
    pub kind: &'static str,
    /// Dollars.
    pub amount: f64,
    /// When the casino confirmed it.
    pub sent_at: String,
    /// `sent_at` in Unix seconds.
    pub sent_at_timestamp: i64,
    /// The month (`yyyy-mm`) or week (Monday `yyyy-mm-dd`) that earned it;
    /// `null` for challenges and manual tips.
    pub period: Option<String>,
    /// Milestone tier; `null` for other kinds.
    pub tier: Option<u32>,
}

/// `GET /api/tips`: every confirmed payout and the totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TipsDoc {
    /// The newest payout's time; `null` before the first. Tied to the data,
    /// not the request, so the ETag only changes when a tip is paid.
    pub updated_at: Option<String>,
    /// `updated_at` in Unix seconds.
    pub updated_at_timestamp: Option<i64>,
    /// Every kind together.
    pub totals: TallyDoc,
    /// Per kind, every kind present (zero when none was paid).
    pub by_kind: BTreeMap<&'static str, TallyDoc>,
    /// Dry-run records (marked sent without a tipping call): not listed and
    /// not in the totals, since no money moved.
    pub dry_run_excluded: TallyDoc,
    /// Every confirmed payout, newest first.
    pub payouts: Vec<TipDoc>,
}

/// Per-kind tallies of `rows`, every kind present, in [`PayoutKind::ALL`]
/// order: the same figures the page reads by SQL, from the listed rows.
pub fn tally_by_kind(rows: &[TipRow]) -> SentTotals {
    let by_kind = PayoutKind::ALL
        .into_iter()
        .map(|kind| {
            let of_kind = rows.iter().filter(|r| r.kind == kind);
            let tally = of_kind.fold(Tally::default(), |t, r| Tally {
                count: t.count + 1,
                amount: t.amount.saturating_add(r.amount),
            });
            (kind, tally)
        })
        .collect();
    SentTotals { by_kind }
}

/// Builds `/api/tips` from the public rows (newest first) and the dry-run tally.
pub fn tips_doc(rows: &[TipRow], dry_run: Tally) -> TipsDoc {
    let totals = tally_by_kind(rows);
    let updated = rows.iter().map(|r| r.sent_at).max();
    TipsDoc {
        updated_at: updated.map(iso),
        updated_at_timestamp: updated.map(|t| t.timestamp()),
        totals: TallyDoc::of(totals.total()),
        by_kind: totals
            .by_kind
            .into_iter()
            .map(|(kind, tally)| (kind.as_str(), TallyDoc::of(tally)))
            .collect(),
        dry_run_excluded: TallyDoc::of(dry_run),
        payouts: rows
            .iter()
            .map(|r| TipDoc {
                public_id: r.public_id.clone(),
                username: r.username.clone(),
                kind: r.kind.as_str(),
                amount: r.amount.as_dollars_f64(),
                sent_at: iso(r.sent_at),
                sent_at_timestamp: r.sent_at.timestamp(),
                period: r.period_key.clone(),
                tier: r.tier,
            })
            .collect(),
    }
}

/// Every public payout, masked, newest first.
async fn all_rows(state: &AppState) -> Result<Vec<TipRow>, Error> {
    let mut conn = state.store.pool().acquire().await.map_err(Error::db)?;
    let sent = public_tips::all_sent(&mut conn).await?;
    Ok(public_rows(&sent, &state.public_ids))
}

/// `GET /api/tips`.
pub async fn api_tips(State(state): State<Arc<AppState>>) -> Result<Json<TipsDoc>, Error> {
    current_tips_doc(&state).await.map(Json)
}

/// The `/api/tips` document as of now (the JSON route and the live `tips`
/// event).
pub async fn current_tips_doc(state: &AppState) -> Result<TipsDoc, Error> {
    let rows = all_rows(state).await?;
    let mut conn = state.store.pool().acquire().await.map_err(Error::db)?;
    let dry_run = tip_stats::dry_run_sent(&mut conn).await?;
    Ok(tips_doc(&rows, dry_run))
}

#[cfg(test)]
mod tests;
