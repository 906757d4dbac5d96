//! `allTimeTips.json` in the seed's shape (keys as the seed wrote them), so
//! a website that read the old export only changes the host. Unlike the
//! seed, `username` is masked and `user_id` is the opaque public id; and
//! only confirmed, real payouts count (no dry runs, no failed tips).
//!
//! Types are the seed's names ([`PayoutKind::seed_type`]). Players are
//! grouped by public id (one per Roobet uid) and shown under the masked name
//! of their newest payout. The monthly breakdown is by the UTC month the tip
//! was paid in.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use crate::app::AppState;
use crate::domain::money::Cents;
use crate::domain::payout_keys::PayoutKind;

use super::super::time_text::iso;
use super::{rendered_response, tally_by_kind, TipRow};

/// Recipients listed in `top_recipients`, as in the seed.
pub const TOP_RECIPIENTS: usize = 20;

/// Totals of one type in the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeTotal {
    /// Dollars.
    pub total_amount: f64,
    /// How many tips.
    pub tip_count: i64,
}

/// `summary`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// How many tips, every type.
    pub total_tips_sent: i64,
    /// Dollars, every type.
    pub total_amount_sent: f64,
    /// Every seed type, zero when none was paid.
    pub by_type: BTreeMap<&'static str, TypeTotal>,
}

/// One line of `top_recipients`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recipient {
    /// Opaque public id.
    pub user_id: String,
    /// Masked username.
    pub username: String,
    /// Dollars.
    pub total_received: f64,
    /// How many tips.
    pub total_tips: i64,
}

/// One type of one player's tips.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeDetail {
    /// Dollars.
    pub amount: f64,
    /// How many tips.
    pub count: i64,
    /// The first one's time, ISO-8601 UTC.
    pub first_tip: String,
    /// The latest one's time, ISO-8601 UTC.
    pub latest_tip: String,
}

/// One player in `detailed_data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detail {
    /// Opaque public id.
    pub user_id: String,
    /// Masked username.
    pub username: String,
    /// Only the types this player received.
    pub tips_by_type: BTreeMap<&'static str, TypeDetail>,
    /// Dollars, every type.
    pub total_received: f64,
}

/// One line of `monthly_breakdown`: a player's tips of one type in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthLine {
    /// Opaque public id.
    pub user_id: String,
    /// Masked username.
    pub username: String,
    /// Seed type.
    pub tip_type: &'static str,
    /// 1–12, the UTC month the tips were paid in.
    pub month: u32,
    /// Calendar year.
    pub year: i32,
    /// Dollars.
    pub amount: f64,
    /// How many tips.
    pub count: i64,
    /// `yyyy-mm`.
    pub period_key: String,
}

/// `allTimeTips.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllTimeTips {
    /// Always `"all_time_tips"`.
    pub data_type: &'static str,
    /// The newest tip's time; `null` before the first.
    pub last_updated: Option<String>,
    /// `last_updated` in Unix seconds.
    pub last_updated_timestamp: Option<i64>,
    /// Totals.
    pub summary: Summary,
    /// The [`TOP_RECIPIENTS`] largest totals received.
    pub top_recipients: Vec<Recipient>,
    /// Every recipient, in the same order.
    pub detailed_data: Vec<Detail>,
    /// Newest month first.
    pub monthly_breakdown: Vec<MonthLine>,
    /// `true` only from `fts-assistant demo`, whose tips are dry runs (no
    /// money was sent); absent otherwise, so the seed's shape is unchanged.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub test_data: bool,
}

/// Sum, count and first/last time of a group of tips.
#[derive(Debug, Clone, Copy)]
struct Acc {
    amount: Cents,
    count: i64,
    first: DateTime<Utc>,
    latest: DateTime<Utc>,
}

impl Acc {
    fn new(row: &TipRow) -> Self {
        Self {
            amount: row.amount,
            count: 1,
            first: row.sent_at,
            latest: row.sent_at,
        }
    }

    fn add(&mut self, row: &TipRow) {
        self.amount = self.amount.saturating_add(row.amount);
        self.count += 1;
        self.first = self.first.min(row.sent_at);
        self.latest = self.latest.max(row.sent_at);
    }
}

/// One recipient's tips.
struct Player<'a> {
    public_id: &'a str,
    username: &'a str,
    total: Cents,
    count: i64,
    by_kind: BTreeMap<PayoutKind, Acc>,
}

/// Recipients by total received, then number of tips, then public id.
fn players(rows: &[TipRow]) -> Vec<Player<'_>> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut players: Vec<Player<'_>> = Vec::new();
    // Rows are newest first: the first row of a player names them.
    for row in rows {
        let at = *index.entry(&row.public_id).or_insert_with(|| {
            players.push(Player {
                public_id: &row.public_id,
                username: &row.username,
                total: Cents::ZERO,
                count: 0,
                by_kind: BTreeMap::new(),
            });
            players.len() - 1
        });
        let player = &mut players[at];
        player.total = player.total.saturating_add(row.amount);
        player.count += 1;
        player
            .by_kind
            .entry(row.kind)
            .and_modify(|acc| acc.add(row))
            .or_insert_with(|| Acc::new(row));
    }
    players.sort_by(|a, b| {
        (b.total, b.count)
            .cmp(&(a.total, a.count))
            .then_with(|| a.public_id.cmp(b.public_id))
    });
    players
}

/// A month (`(year, month)`), a player's public id and a kind.
type MonthKey<'a> = ((i32, u32), &'a str, PayoutKind);

/// Each player is named as in `players` (their newest payout's name), so a
/// renamed player reads the same in every part of the document.
fn monthly(rows: &[TipRow], players: &[Player<'_>]) -> Vec<MonthLine> {
    let names: HashMap<&str, &str> = players.iter().map(|p| (p.public_id, p.username)).collect();
    let mut groups: BTreeMap<MonthKey<'_>, Acc> = BTreeMap::new();
    for row in rows {
        let month = (row.sent_at.year(), row.sent_at.month());
        groups
            .entry((month, row.public_id.as_str(), row.kind))
            .and_modify(|acc| acc.add(row))
            .or_insert_with(|| Acc::new(row));
    }
    let mut lines: Vec<MonthLine> = groups
        .into_iter()
        .map(|(((year, month), public_id, kind), acc)| MonthLine {
            user_id: public_id.to_string(),
            username: names
                .get(public_id)
                .copied()
                .unwrap_or_default()
                .to_string(),
            tip_type: kind.seed_type(),
            month,
            year,
            amount: acc.amount.as_dollars_f64(),
            count: acc.count,
            period_key: format!("{year:04}-{month:02}"),
        })
        .collect();
    // Newest month first; within a month, largest amount first.
    lines.sort_by(|a, b| {
        b.period_key
            .cmp(&a.period_key)
            .then_with(|| b.amount.total_cmp(&a.amount))
            .then_with(|| a.user_id.cmp(&b.user_id))
            .then_with(|| a.tip_type.cmp(b.tip_type))
    });
    lines
}

/// Builds the document from the public rows (newest first). `last_updated`
/// is always set, as the original wrote it: the newest tip's time (so an
/// unchanged ledger keeps its bytes and ETag), or `generated_at` when there
/// is no tip yet.
pub fn all_time_tips_doc(rows: &[TipRow], generated_at: DateTime<Utc>) -> AllTimeTips {
    let totals = tally_by_kind(rows);
    let total = totals.total();
    let players = players(rows);
    let updated = Some(rows.iter().map(|r| r.sent_at).max().unwrap_or(generated_at));
    AllTimeTips {
        data_type: "all_time_tips",
        last_updated: updated.map(iso),
        last_updated_timestamp: updated.map(|t| t.timestamp()),
        summary: Summary {
            total_tips_sent: total.count,
            total_amount_sent: total.amount.as_dollars_f64(),
            by_type: totals
                .by_kind
                .iter()
                .map(|(kind, t)| {
                    let total = TypeTotal {
                        total_amount: t.amount.as_dollars_f64(),
                        tip_count: t.count,
                    };
                    (kind.seed_type(), total)
                })
                .collect(),
        },
        top_recipients: players
            .iter()
            .take(TOP_RECIPIENTS)
            .map(|p| Recipient {
                user_id: p.public_id.to_string(),
                username: p.username.to_string(),
                total_received: p.total.as_dollars_f64(),
                total_tips: p.count,
            })
            .collect(),
        detailed_data: players
            .iter()
            .map(|p| Detail {
                user_id: p.public_id.to_string(),
                username: p.username.to_string(),
                tips_by_type: p
                    .by_kind
                    .iter()
                    .map(|(kind, acc)| {
                        let detail = TypeDetail {
                            amount: acc.amount.as_dollars_f64(),
                            count: acc.count,
                            first_tip: iso(acc.first),
                            latest_tip: iso(acc.latest),
                        };
                        (kind.seed_type(), detail)
                    })
                    .collect(),
                total_received: p.total.as_dollars_f64(),
            })
            .collect(),
        monthly_breakdown: monthly(rows, &players),
        test_data: false,
    }
}

/// `GET /allTimeTips.json`: the document built when the ledger last
/// changed, never per request.
pub async fn all_time_tips(State(state): State<Arc<AppState>>) -> Response {
    rendered_response(&state.tips.current().all_time)
}
