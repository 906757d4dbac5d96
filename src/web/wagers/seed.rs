//! `allWagerData.json` in the seed's shape (keys as the seed wrote them),
//! so a website that read the old export only changes the host. Unlike the
//! seed, `username` is masked and `user_id` is the opaque public id.

use std::collections::HashSet;

use serde::Serialize;

use crate::domain::masking::{mask_username, PublicIdKey};
use crate::domain::money::Cents;
use crate::domain::period::MonthPeriod;
use crate::domain::players::MonthTotals;
use crate::domain::players::{Activity, PlayerFigures};
use crate::published::Published;
use crate::store::wagers::LifetimeFigures;

use super::super::time_text::iso;

/// A period's bounds and what it covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedPeriod {
    /// First instant, ISO-8601 UTC.
    pub start_date: String,
    /// Last second, ISO-8601 UTC.
    pub end_date: String,
    /// Human description.
    pub description: String,
}

/// `lifetime` and `current_month`, as the seed pairs them everywhere.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair<T> {
    /// Every recorded month.
    pub lifetime: T,
    /// This month.
    pub current_month: T,
}

/// Who wagered most, masked; `"N/A"` and 0 when nobody did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leader {
    /// Masked username.
    pub username: String,
    /// Dollars.
    pub amount: f64,
}

/// The summary of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Players listed.
    pub total_users: usize,
    /// Community total wager, dollars.
    pub total_wagered: f64,
    /// Community weighted wager, dollars.
    pub total_weighted_wagered: f64,
    /// Largest total wager.
    pub highest_wagerer: Leader,
    /// Largest weighted wager.
    pub highest_weighted_wagerer: Leader,
}

/// One row of `total_wager_data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalRow {
    /// Masked username.
    pub username: String,
    /// Opaque public id.
    pub user_id: String,
    /// Dollars.
    pub wagered: f64,
    /// Sessions, when the affiliate answer has them (the original wrote 0
    /// when it did not; a made-up zero is left out here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<u64>,
    /// The casino's payout to the player, dollars, when the answer has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payout: Option<f64>,
    /// The casino's `net` for the player, dollars, when the answer has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net: Option<f64>,
}

/// The best hit, as the seed nested it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedHit {
    /// The multiplier (`512.4`).
    pub multiplier: f64,
    /// Game title.
    pub game: String,
    /// Game identifier.
    pub game_identifier: String,
    /// The hit's stake, dollars.
    pub wagered: f64,
    /// The hit's payout, dollars.
    pub payout: f64,
}

impl SeedHit {
    /// The original's placeholder for "no hit".
    fn none() -> Self {
        Self {
            multiplier: 0.0,
            game: "Unknown".into(),
            game_identifier: String::new(),
            wagered: 0.0,
            payout: 0.0,
        }
    }
}

/// One row of `weighted_wager_data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedRow {
    /// Masked username.
    pub username: String,
    /// Opaque public id.
    pub user_id: String,
    /// Dollars.
    pub weighted_wagered: f64,
    /// Sessions on the weighted games, when the affiliate answer has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<u64>,
    /// Best hit of the period. Always an object, as the original wrote it:
    /// zeros and game `"Unknown"` when there is none (lifetime rows, or no
    /// multiplier bet this month).
    pub highest_multiplier: SeedHit,
}

/// The lists of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lists {
    /// Every player, largest total wager first.
    pub total_wager_data: Vec<TotalRow>,
    /// Players with weighted wager, largest first.
    pub weighted_wager_data: Vec<WeightedRow>,
}

/// `allWagerData.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllWagerData {
    /// Always `"comprehensive_wager_data"`.
    pub data_type: &'static str,
    /// When the data was fetched; `null` before the first poll.
    pub last_updated: Option<String>,
    /// `last_updated` in Unix seconds.
    pub last_updated_timestamp: Option<i64>,
    /// What each part covers.
    pub periods: Pair<SeedPeriod>,
    /// Totals and leaders.
    pub summary: Pair<Summary>,
    /// The player lists.
    pub data: Pair<Lists>,
}

/// One player's figures, whatever the period.
struct Row<'a> {
    uid: &'a str,
    username: &'a str,
    wagered: Cents,
    weighted: Cents,
    hit: Option<SeedHit>,
    activity: Activity,
}

fn leader(rows: &[Row<'_>], figure: impl Fn(&Row<'_>) -> Cents) -> Leader {
    rows.iter()
        .filter(|r| figure(r).is_positive())
        .max_by(|a, b| figure(a).cmp(&figure(b)).then_with(|| b.uid.cmp(a.uid)))
        .map_or_else(
            || Leader {
                username: "N/A".to_string(),
                amount: 0.0,
            },
            |r| Leader {
                username: mask_username(r.username),
                amount: figure(r).as_dollars_f64(),
            },
        )
}

fn summary(rows: &[Row<'_>], totals: (Cents, Cents)) -> Summary {
    Summary {
        total_users: rows.len(),
        total_wagered: totals.0.as_dollars_f64(),
        total_weighted_wagered: totals.1.as_dollars_f64(),
        highest_wagerer: leader(rows, |r| r.wagered),
        highest_weighted_wagerer: leader(rows, |r| r.weighted),
    }
}

fn lists(mut rows: Vec<Row<'_>>, ids: &PublicIdKey) -> Lists {
    rows.sort_by(|a, b| b.wagered.cmp(&a.wagered).then_with(|| a.uid.cmp(b.uid)));
    let total_wager_data = rows
        .iter()
        .map(|r| TotalRow {
            username: mask_username(r.username),
            user_id: ids.public_id(r.uid),
            wagered: r.wagered.as_dollars_f64(),
            sessions: r.activity.sessions,
            payout: r.activity.payout.map(Cents::as_dollars_f64),
            net: r.activity.net.map(Cents::as_dollars_f64),
        })
        .collect();
    rows.sort_by(|a, b| b.weighted.cmp(&a.weighted).then_with(|| a.uid.cmp(b.uid)));
    let weighted_wager_data = rows
        .into_iter()
        .filter(|r| r.weighted.is_positive())
        .map(|r| WeightedRow {
            username: mask_username(r.username),
            user_id: ids.public_id(r.uid),
            weighted_wagered: r.weighted.as_dollars_f64(),
            sessions: r.activity.weighted_sessions,
            highest_multiplier: r.hit.unwrap_or_else(SeedHit::none),
        })
        .collect();
    Lists {
        total_wager_data,
        weighted_wager_data,
    }
}

fn month_row(p: &PlayerFigures) -> Row<'_> {
    Row {
        uid: &p.uid,
        username: &p.username,
        wagered: p.wagered,
        weighted: p.weighted_wagered,
        hit: p.best_hit.as_ref().map(|h| SeedHit {
            multiplier: h.multiplier.as_f64(),
            game: h.game_title.clone(),
            game_identifier: h.game_id.clone(),
            wagered: h.bet.as_dollars_f64(),
            payout: h.payout.as_dollars_f64(),
        }),
        activity: p.activity,
    }
}

fn period(first: MonthPeriod, last: MonthPeriod, description: String) -> SeedPeriod {
    let end = last.end_inclusive();
    let end = chrono::DateTime::from_timestamp(end.timestamp(), 0).unwrap_or(end);
    SeedPeriod {
        start_date: iso(first.start()),
        end_date: iso(end),
        description,
    }
}

/// Builds the document. `lifetime` must already be without excluded
/// players; `rows` are the stored month totals.
pub fn all_wager_data(
    published: &Published,
    rows: &[(String, MonthTotals, bool)],
    lifetime: &[LifetimeFigures],
    excluded: &HashSet<String>,
    ids: &PublicIdKey,
) -> AllWagerData {
    let month = &published.month;
    let current_key = month.period.key();
    let first = rows
        .iter()
        .filter_map(|(key, _, _)| MonthPeriod::parse(key).ok())
        .min()
        .map_or(month.period, |m| m.min(month.period));
    let past = rows.iter().filter(|(key, _, _)| *key < current_key);
    let lifetime_totals = past.fold(
        (month.totals.wagered, month.totals.weighted),
        |(w, x), (_, t, _)| (w.saturating_add(t.wagered), x.saturating_add(t.weighted)),
    );
    let month_rows: Vec<Row<'_>> = published
        .month_players
        .iter()
        .filter(|p| !excluded.contains(&p.uid))
        .map(month_row)
        .collect();
    let lifetime_rows = || {
        lifetime
            .iter()
            .map(|p| Row {
                uid: &p.uid,
                username: &p.username,
                wagered: p.wagered,
                weighted: p.weighted,
                hit: None,
                activity: p.activity,
            })
            .collect::<Vec<_>>()
    };
    AllWagerData {
        data_type: "comprehensive_wager_data",
        last_updated: published.updated_at.map(iso),
        last_updated_timestamp: published.updated_at.map(|t| t.timestamp()),
        periods: Pair {
            lifetime: period(
                first,
                month.period,
                format!("Every recorded month since {first}"),
            ),
            current_month: period(month.period, month.period, month.period.to_string()),
        },
        summary: Pair {
            lifetime: summary(&lifetime_rows(), lifetime_totals),
            current_month: summary(&month_rows, (month.totals.wagered, month.totals.weighted)),
        },
        data: Pair {
            lifetime: lists(lifetime_rows(), ids),
            current_month: lists(month_rows, ids),
        },
    }
}
