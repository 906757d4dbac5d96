//! Turns what the original bot stored into what this service stores: a
//! pure function from [`LegacyData`] to an [`ImportPlan`], no I/O.
//!
//! Money is counted once: `manualtips` is the original's record of every
//! tip sent, so each of its rows becomes exactly one `imported` ledger row
//! (keyed by the tip itself, `legacy:tip:…`), and only those rows carry
//! money. The other tables are facts: `milestonetips` becomes the tiers
//! awarded (`milestone_awards`) plus, under the tier's own payout key, a
//! `baselined` guard row that no total counts and the worker never sends —
//! it makes the tier "already paid" for the highest-tier rule and for
//! `/clear_tips`, and turns a tier the first run `held` into settled.
//! Weekly payouts become frozen weeks, challenge logs archived challenges.
//!
//! Every row is first checked by the rules of our own commands
//! ([`super::validate`]): a row that breaks one is refused whole and listed
//! in [`ImportPlan::refused`] with the reason; the other rows import.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::validate::{self, Limits, OldChallenge, Refused};
use crate::config::Channels;
use crate::discord::posts::challenges::BOARD_MESSAGE_KEY;
use crate::domain::milestones::Tier;
use crate::domain::money::{Cents, Multiplier};
use crate::domain::payout_keys::{milestone_key, PayoutKind};
use crate::domain::period::{MonthPeriod, WeekPeriod};
use crate::domain::players::Hit;
use crate::jobs::publisher::{LEADERBOARD_MESSAGE_KEY, MULTIPLIER_MESSAGE_KEY};
use crate::store::cutover::{ImportedChallenge, ImportedWinner};
use crate::store::legacy::{LegacyData, OldChallengeLog, OldTip};
use crate::store::payouts::{NewPayout, PayoutStatus};
use crate::store::standings::FinalStanding;

/// A ledger row to record as history, with when the original sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The row (status `imported` or `baselined`).
    pub payout: NewPayout,
    /// When the original sent it (Unix ms).
    pub sent_ms: Option<i64>,
}

/// A milestone tier the original awarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    /// `yyyy-mm`.
    pub month: String,
    /// Roobet uid.
    pub uid: String,
    /// Tier number.
    pub tier: u32,
    /// The tier's payout key.
    pub key: String,
    /// When it was tipped (Unix ms), or the import's time.
    pub awarded_ms: Option<i64>,
}

/// Everything one import writes, in the order it writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPlan {
    /// Tiers already paid.
    pub awards: Vec<Award>,
    /// One `baselined` guard per tier already paid.
    pub guards: Vec<Settled>,
    /// One `imported` row per tip the original sent.
    pub tips: Vec<Settled>,
    /// Frozen weeks: key and prize standings.
    pub weeks: Vec<(String, Vec<FinalStanding>)>,
    /// Challenges: the settings key naming the original's id, and the row.
    pub challenges: Vec<(String, ImportedChallenge)>,
    /// Month totals: key, total, weighted, final.
    pub totals: Vec<(String, Cents, Cents, bool)>,
    /// Board messages to edit in place: settings key, `channel:message`.
    pub messages: Vec<(String, String)>,
    /// Goals already announced: month key, goal.
    pub goals: Vec<(String, Cents)>,
    /// What was left out and why, for the operator.
    pub notes: Vec<String>,
    /// Rows refused by our rules: nothing of them is imported.
    pub refused: Vec<Refused>,
}

/// Why the original's data cannot be imported as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table}: {problem}")]
pub struct PlanError {
    /// The table at fault.
    pub table: &'static str,
    /// What is wrong, naming the row.
    pub problem: String,
}

/// Exact decimal text (`12`, `12.5`, `12.50`, `12.5000`) to hundredths.
/// Digits beyond the second decimal must be zeros: money is never rounded.
pub fn exact_hundredths(text: &str) -> Option<i64> {
    let (int, frac) = split_decimal(text)?;
    if frac.len() > 2 && frac[2..].bytes().any(|b| b != b'0') {
        return None;
    }
    hundredths(int, frac, false)
}

/// Decimal text to hundredths, rounding half away from zero on the third
/// decimal: for multipliers, which the original stored as floats.
pub fn rounded_hundredths(text: &str) -> Option<i64> {
    let (int, frac) = split_decimal(text)?;
    hundredths(int, frac, true)
}

fn split_decimal(text: &str) -> Option<(&str, &str)> {
    let text = text.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    (!int.is_empty() && digits(int) && digits(frac)).then_some((int, frac))
}

fn hundredths(int: &str, frac: &str, round: bool) -> Option<i64> {
    let int = int.trim_start_matches('0');
    if int.len() > 15 {
        return None;
    }
    let whole: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let digit = |i: usize| frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
    let mut value = whole * 100 + digit(0) * 10 + digit(1);
    if round && digit(2) >= 5 {
        value += 1;
    }
    Some(value)
}

/// The tier number of `"Rank N"` (or a bare `"N"`).
pub fn tier_number(text: &str) -> Option<u32> {
    let text = text.trim();
    let number = text
        .strip_prefix("Rank")
        .or_else(|| text.strip_prefix("rank"))
        .unwrap_or(text)
        .trim();
    number.parse().ok().filter(|n| *n > 0)
}

/// The ledger kind of the original's `tip_type`; unknown types are manual
/// tips (the original type is kept in the reason).
pub fn kind_of(tip_type: &str) -> Option<PayoutKind> {
    match tip_type.trim() {
        "milestone" => Some(PayoutKind::Milestone),
        "manual" => Some(PayoutKind::Manual),
        "weekly_multiplier" => Some(PayoutKind::Multiplier),
        "slot_challenge" => Some(PayoutKind::Challenge),
        _ => None,
    }
}

/// Whether a challenge log row records a cancellation. The original logged
/// a cancelled challenge with the cancelling admin as "winner", so a row is
/// a cancellation when it has no winning multiplier, a multiplier below the
/// required one, no winner, or a winner id that is a Discord user id (17 to
/// 20 digits, which no Roobet uid is). Only `manualtips` carries money, so a
/// misread row can never pay or count a prize.
pub fn is_cancelled(log: &OldChallengeLog) -> bool {
    let multiplier = log.multiplier.as_deref().and_then(rounded_hundredths);
    let required = log
        .required_multiplier
        .as_deref()
        .and_then(rounded_hundredths);
    let discord_id =
        |uid: &str| (17..=20).contains(&uid.len()) && uid.bytes().all(|b| b.is_ascii_digit());
    match (multiplier, log.winner_uid.as_deref()) {
        (None, _) | (Some(0), _) | (_, None) => true,
        (Some(m), Some(uid)) => required.is_some_and(|r| m < r) || discord_id(uid.trim()),
    }
}

fn money(table: &'static str, what: &str, text: &str) -> Result<Cents, PlanError> {
    exact_hundredths(text)
        .map(Cents::new)
        .ok_or_else(|| PlanError {
            table,
            problem: format!(
            "{what} {text:?} is not a dollar amount with at most 2 decimals (nothing was imported)"
        ),
        })
}

fn optional_money(
    table: &'static str,
    what: &str,
    text: Option<&str>,
) -> Result<Option<Cents>, PlanError> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| money(table, what, t))
        .transpose()
}

fn month_key(year: i64, month: i64) -> Option<MonthPeriod> {
    MonthPeriod::new(i32::try_from(year).ok()?, u32::try_from(month).ok()?).ok()
}

/// Builds the plan. `tiers` gives guard amounts for tiers without a
/// matching tip; `channels` turns the original's message ids into
/// `channel:message`; `current` is this month (its totals stay open);
/// `limits` are the configured maximums rows are checked against.
pub fn plan(
    data: &LegacyData,
    tiers: &[Tier],
    channels: &Channels,
    current: MonthPeriod,
    limits: &Limits,
) -> Result<ImportPlan, PlanError> {
    let mut plan = ImportPlan::default();
    for table in &data.missing_tables {
        plan.notes.push(format!(
            "table {table} is missing in the old database: skipped"
        ));
    }
    let tip_amounts: Vec<Cents> = data
        .tips
        .iter()
        .map(|t| {
            money(
                "manualtips",
                &format!("amount of the tip to {}", t.user_id),
                &t.amount,
            )
        })
        .collect::<Result<_, _>>()?;
    // Tips above what we would pay of their kind: refused (they still hold
    // their place when milestone rows are matched to tips, below).
    let tip_refusals: Vec<Option<String>> = data
        .tips
        .iter()
        .zip(&tip_amounts)
        .map(|(tip, amount)| validate::tip(*amount, kind_of(&tip.tip_type), limits).err())
        .collect();

    // Milestone tips of a player and month, in time order, give the
    // amounts (and tiers) of that player's milestonetips rows, in order.
    let mut milestone_tips: HashMap<(String, i64, i64), Vec<usize>> = HashMap::new();
    for (i, tip) in data.tips.iter().enumerate() {
        if let (Some(PayoutKind::Milestone), Some(y), Some(m)) =
            (kind_of(&tip.tip_type), tip.year, tip.month)
        {
            milestone_tips
                .entry((tip.user_id.clone(), y, m))
                .or_default()
                .push(i);
        }
    }
    let mut tier_of_tip: HashMap<usize, (u32, String)> = HashMap::new();
    let mut seen: HashMap<(String, i64, i64), usize> = HashMap::new();
    for row in &data.milestones {
        let Some(number) = tier_number(&row.tier) else {
            plan.notes.push(format!(
                "milestonetips: tier {:?} of {} is not \"Rank N\": skipped",
                row.tier, row.user_id
            ));
            continue;
        };
        let Some(month) = month_key(row.year, row.month) else {
            plan.notes.push(format!(
                "milestonetips: month {}-{} of {} is not a month: skipped",
                row.year, row.month, row.user_id
            ));
            continue;
        };
        let group = (row.user_id.clone(), row.year, row.month);
        let nth = seen.entry(group.clone()).or_default();
        let matched = milestone_tips
            .get(&group)
            .and_then(|tips| tips.get(*nth))
            .copied();
        *nth += 1;
        let key = milestone_key(month, &row.user_id, number);
        if let Some(i) = matched {
            tier_of_tip.insert(i, (number, month.key()));
        }
        let amount = matched
            .filter(|i| tip_refusals[*i].is_none())
            .map(|i| tip_amounts[i])
            .or_else(|| tiers.iter().find(|t| t.number == number).map(|t| t.tip))
            .filter(|a| a.is_positive())
            .unwrap_or(Cents::new(1));
        let username = matched
            .filter(|i| tip_refusals[*i].is_none())
            .map_or_else(String::new, |i| validate::name(&data.tips[i].username));
        plan.awards.push(Award {
            month: month.key(),
            uid: row.user_id.clone(),
            tier: number,
            key: key.clone(),
            awarded_ms: row.tipped_ms,
        });
        plan.guards.push(Settled {
            payout: NewPayout {
                key,
                kind: PayoutKind::Milestone,
                uid: row.user_id.clone(),
                username,
                amount,
                status: PayoutStatus::Baselined,
                period_key: Some(month.key()),
                tier: Some(number),
                requested_by: None,
                reason: Some(format!(
                    "Rank {number} paid by the original bot (its tip is imported separately)"
                )),
                priority: 0,
            },
            sent_ms: row.tipped_ms,
        });
    }

    let weeks = weekly(data, limits, &mut plan)?;
    let mut occurrences: HashMap<String, u32> = HashMap::new();
    for (i, tip) in data.tips.iter().enumerate() {
        let amount = tip_amounts[i];
        if !amount.is_positive() {
            plan.notes.push(format!(
                "manualtips: a zero tip to {} ({}) carries no money: skipped",
                tip.user_id, tip.tip_type
            ));
            continue;
        }
        if let Some(reason) = &tip_refusals[i] {
            plan.refused.push(Refused {
                table: "manualtips",
                row: format!(
                    "tip of {amount} to {} ({}, {})",
                    tip.user_id,
                    tip.tip_type.trim(),
                    tip.tipped_ms
                        .and_then(chrono::DateTime::from_timestamp_millis)
                        .map_or_else(|| "no date".into(), |t| t.to_rfc3339())
                ),
                reason: reason.clone(),
            });
            continue;
        }
        plan.tips.push(imported_tip(
            tip,
            amount,
            &tier_of_tip.get(&i).cloned(),
            &weeks,
            &mut occurrences,
        ));
    }
    challenges(data, limits, &mut plan)?;
    for row in &data.totals {
        let Some(month) = month_key(row.year, row.month) else {
            plan.notes.push(format!(
                "monthly_totals: {}-{} is not a month: skipped",
                row.year, row.month
            ));
            continue;
        };
        let what = format!("{} totals", month.key());
        plan.totals.push((
            month.key(),
            money("monthly_totals", &what, &row.total_wager)?,
            money("monthly_totals", &what, &row.total_weighted_wager)?,
            month < current,
        ));
    }
    settings(data, channels, &mut plan);
    Ok(plan)
}

/// Week key of each weekly payout row (by week and rank), after storing
/// the frozen weeks in the plan.
fn weekly(
    data: &LegacyData,
    limits: &Limits,
    plan: &mut ImportPlan,
) -> Result<Vec<(String, String, Cents)>, PlanError> {
    let mut weeks: BTreeMap<String, Vec<FinalStanding>> = BTreeMap::new();
    let mut paid = Vec::new();
    for row in &data.weekly {
        let Ok(date) = NaiveDate::parse_from_str(row.week_start.trim(), "%Y-%m-%d") else {
            plan.notes.push(format!(
                "weekly_multiplier_payouts: week {:?} is not a date: skipped",
                row.week_start
            ));
            continue;
        };
        let week = WeekPeriod::containing_date(date).key();
        let prize = money(
            "weekly_multiplier_payouts",
            &format!("prize of {week} #{}", row.rank),
            &row.prize,
        )?;
        if let Err(reason) = validate::weekly_prize(prize, limits) {
            plan.refused.push(Refused {
                table: "weekly_multiplier_payouts",
                row: format!("{week} #{} ({})", row.rank, row.user_id),
                reason,
            });
            continue;
        }
        let hit = row
            .multiplier
            .as_deref()
            .and_then(rounded_hundredths)
            .map(|x100| Hit {
                multiplier: Multiplier(x100),
                bet: Cents::ZERO,
                payout: Cents::ZERO,
                game_id: String::new(),
                game_title: validate::title(row.game_name.as_deref().unwrap_or_default()),
            });
        weeks.entry(week.clone()).or_default().push(FinalStanding {
            rank: u32::try_from(row.rank).unwrap_or(u32::MAX),
            uid: row.user_id.clone(),
            username: validate::name(&row.username),
            wagered: Cents::ZERO,
            weighted: Cents::ZERO,
            hit,
            prize,
        });
        paid.push((week, row.user_id.clone(), prize));
    }
    plan.weeks = weeks.into_iter().collect();
    Ok(paid)
}

fn imported_tip(
    tip: &OldTip,
    amount: Cents,
    tier: &Option<(u32, String)>,
    weeks: &[(String, String, Cents)],
    occurrences: &mut HashMap<String, u32>,
) -> Settled {
    let kind = kind_of(&tip.tip_type).unwrap_or(PayoutKind::Manual);
    let month = tip.year.zip(tip.month).and_then(|(y, m)| month_key(y, m));
    // A weekly prize belongs to the latest week paid to that player with
    // that amount that started before the tip.
    let tipped_day = tip
        .tipped_ms
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.date_naive().to_string());
    let week = (kind == PayoutKind::Multiplier)
        .then(|| {
            weeks
                .iter()
                .filter(|(week, uid, prize)| {
                    uid == &tip.user_id
                        && *prize == amount
                        && tipped_day.as_ref().is_none_or(|day| week <= day)
                })
                .map(|(week, _, _)| week.clone())
                .next_back()
        })
        .flatten();
    let period_key = match (tier, week) {
        (Some((_, month)), _) => Some(month.clone()),
        (None, Some(week)) => Some(week),
        (None, None) => month.map(MonthPeriod::key),
    };
    let identity = format!(
        "legacy:tip:{}:{}:{}:{}",
        tip.user_id,
        tip.tipped_ms.map_or_else(|| "-".into(), |t| t.to_string()),
        amount.cents(),
        tip.tip_type.trim()
    );
    let n = occurrences.entry(identity.clone()).or_default();
    let key = format!("{identity}:{n}");
    *n += 1;
    let reason = match kind_of(&tip.tip_type) {
        Some(_) => "paid by the original bot".to_string(),
        None => format!(
            "paid by the original bot (tip type {:?})",
            tip.tip_type.trim()
        ),
    };
    Settled {
        payout: NewPayout {
            key,
            kind,
            uid: tip.user_id.clone(),
            username: validate::name(&tip.username),
            amount,
            status: PayoutStatus::Imported,
            period_key,
            tier: tier.as_ref().map(|(n, _)| *n),
            requested_by: None,
            reason: Some(reason),
            priority: 0,
        },
        sent_ms: tip.tipped_ms,
    }
}

fn challenges(data: &LegacyData, limits: &Limits, plan: &mut ImportPlan) -> Result<(), PlanError> {
    const LOGS: &str = "slot_challenge_logs";
    const ACTIVE: &str = "active_slot_challenge";
    let mut refused_logs = HashSet::new();
    for log in &data.challenge_logs {
        let what = |field: &str| format!("{field} of challenge {}", log.challenge_id);
        let cancelled = is_cancelled(log);
        let required = log
            .required_multiplier
            .as_deref()
            .and_then(rounded_hundredths);
        let name = if log.game.trim().is_empty() {
            log.game_identifier.as_str()
        } else {
            log.game.as_str()
        };
        let prize = optional_money(LOGS, &what("prize"), log.prize.as_deref())?;
        let min_bet = optional_money(LOGS, &what("min_bet"), log.min_bet.as_deref())?;
        let checked = validate::challenge(
            &OldChallenge {
                game_id: &log.game_identifier,
                name,
                required_x100: required,
                prize,
                min_bet,
                emoji: None,
            },
            limits,
            &[],
        );
        let valid = match checked {
            Ok(valid) => valid,
            Err(reason) => {
                refused_logs.insert(log.challenge_id);
                plan.refused.push(Refused {
                    table: LOGS,
                    row: format!("challenge {}", log.challenge_id),
                    reason,
                });
                continue;
            }
        };
        let winner = (!cancelled)
            .then(|| -> Result<_, PlanError> {
                Ok(ImportedWinner {
                    uid: log.winner_uid.clone().unwrap_or_default(),
                    username: validate::name(log.winner_username.as_deref().unwrap_or_default()),
                    multiplier_x100: log
                        .multiplier
                        .as_deref()
                        .and_then(rounded_hundredths)
                        .unwrap_or(0),
                    bet: optional_money(LOGS, &what("bet"), log.bet.as_deref())?,
                    payout: optional_money(LOGS, &what("payout"), log.payout.as_deref())?,
                })
            })
            .transpose()?;
        plan.challenges.push((
            format!("legacy.challenge.{}", log.challenge_id),
            ImportedChallenge {
                game_id: valid.game_id.as_str().to_string(),
                game_name: valid.name,
                required_x100: valid.required.0,
                prize: valid.prize,
                min_bet,
                emoji: None,
                status: if cancelled { "cancelled" } else { "won" },
                created_by: None,
                created_by_name: None,
                start_ms: log.completed_ms.unwrap_or(0),
                ended_ms: log.completed_ms,
                winner,
            },
        ));
    }
    let mut active_rules = Vec::new();
    for active in &data.active {
        let row = format!("challenge {}", active.challenge_id);
        if data
            .challenge_logs
            .iter()
            .any(|l| l.challenge_id == active.challenge_id)
        {
            if refused_logs.contains(&active.challenge_id) {
                plan.refused.push(Refused {
                    table: ACTIVE,
                    row,
                    reason: "it is finished and its slot_challenge_logs row was refused".into(),
                });
            }
            continue; // finished: imported from the log
        }
        let what = |field: &str| format!("{field} of active challenge {}", active.challenge_id);
        let prize = money(ACTIVE, &what("prize"), &active.prize)?;
        let min_bet = optional_money(ACTIVE, &what("min_bet"), active.min_bet.as_deref())?;
        let checked = validate::discord_id(active.posted_by.as_deref()).and_then(|posted_by| {
            let valid = validate::challenge(
                &OldChallenge {
                    game_id: &active.game_identifier,
                    name: &active.game_name,
                    required_x100: rounded_hundredths(&active.required_multi),
                    prize: Some(prize),
                    min_bet,
                    emoji: active.emoji.as_deref(),
                },
                limits,
                &active_rules,
            )?;
            Ok((posted_by, valid))
        });
        let (posted_by, valid) = match checked {
            Ok(checked) => checked,
            Err(reason) => {
                plan.refused.push(Refused {
                    table: ACTIVE,
                    row,
                    reason,
                });
                continue;
            }
        };
        active_rules.push(valid.rule());
        plan.challenges.push((
            format!("legacy.challenge.{}", active.challenge_id),
            ImportedChallenge {
                game_id: valid.game_id.as_str().to_string(),
                game_name: valid.name,
                required_x100: valid.required.0,
                prize: valid.prize,
                min_bet: valid.min_bet,
                emoji: valid.emoji,
                status: "active",
                created_by: posted_by,
                created_by_name: active
                    .posted_by_username
                    .as_deref()
                    .map(validate::name)
                    .filter(|n| !n.is_empty()),
                start_ms: active.start_ms.unwrap_or(0),
                ended_ms: None,
                winner: None,
            },
        ));
    }
    Ok(())
}

fn settings(data: &LegacyData, channels: &Channels, plan: &mut ImportPlan) {
    let boards = [
        (
            "leaderboard_message_id",
            LEADERBOARD_MESSAGE_KEY,
            channels.leaderboard,
            "LEADERBOARD_CHANNEL_ID",
        ),
        (
            "multi_leaderboard_message_id",
            MULTIPLIER_MESSAGE_KEY,
            channels.multiplier,
            "MULTIPLIER_CHANNEL_ID",
        ),
        (
            "active_challenges_message_id",
            BOARD_MESSAGE_KEY,
            channels.challenge,
            "CHALLENGE_CHANNEL_ID",
        ),
    ];
    for (key, value) in &data.settings {
        let value = value.trim();
        if let Some((_, ours, channel, channel_name)) = boards.iter().find(|b| b.0 == key) {
            match (value.parse::<u64>(), channel) {
                (Ok(message), Some(channel)) => plan
                    .messages
                    .push((ours.to_string(), format!("{channel}:{message}"))),
                (Ok(_), None) => plan.notes.push(format!(
                    "settings: {key} not adopted: {channel_name} is not set (set it to the old \
                     board's channel and import again to edit that message)"
                )),
                (Err(_), _) => plan.notes.push(format!(
                    "settings: {key} = {value:?} is not a message id: skipped"
                )),
            }
        } else if key == "challenge_history_message_id" {
            plan.notes.push(
                "settings: challenge_history_message_id has no counterpart (winners are \
                 announced in CHALLENGE_LOGS_CHANNEL_ID): left alone"
                    .into(),
            );
        } else if let Some(month) = key.strip_prefix("announced_goals_") {
            let parsed = month
                .split_once('_')
                .and_then(|(y, m)| Some((y.parse::<i64>().ok()?, m.parse::<i64>().ok()?)))
                .and_then(|(y, m)| month_key(y, m));
            let Some(month) = parsed else {
                plan.notes
                    .push(format!("settings: {key} names no month: skipped"));
                continue;
            };
            for goal in value.split(',').map(str::trim).filter(|g| !g.is_empty()) {
                match exact_hundredths(goal).filter(|c| *c > 0) {
                    Some(cents) => plan.goals.push((month.key(), Cents::new(cents))),
                    None => plan.notes.push(format!(
                        "settings: {key}: goal {goal:?} is not an amount: skipped"
                    )),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_converts_exactly_or_not_at_all() {
        assert_eq!(exact_hundredths("12"), Some(1200));
        assert_eq!(exact_hundredths("12.5"), Some(1250));
        assert_eq!(exact_hundredths("0.07"), Some(7));
        assert_eq!(exact_hundredths("1080.0000"), Some(108_000));
        assert_eq!(exact_hundredths("0.1 "), Some(10));
        assert_eq!(exact_hundredths("0.105"), None, "never rounded");
        assert_eq!(exact_hundredths("-1.00"), None);
        assert_eq!(exact_hundredths("1e3"), None);
        assert_eq!(exact_hundredths(""), None);
        assert_eq!(rounded_hundredths("512.399999"), Some(51_240));
        assert_eq!(rounded_hundredths("100"), Some(10_000));
    }

    #[test]
    fn tip_types_map_to_kinds() {
        assert_eq!(kind_of("milestone"), Some(PayoutKind::Milestone));
        assert_eq!(kind_of("manual"), Some(PayoutKind::Manual));
        assert_eq!(kind_of("weekly_multiplier"), Some(PayoutKind::Multiplier));
        assert_eq!(kind_of("slot_challenge"), Some(PayoutKind::Challenge));
        assert_eq!(kind_of("giveaway"), None);
        assert_eq!(tier_number("Rank 7"), Some(7));
        assert_eq!(tier_number("Rank 31"), Some(31));
        assert_eq!(tier_number("7"), Some(7));
        assert_eq!(tier_number("Rank"), None);
        assert_eq!(tier_number("Rank 0"), None);
    }

    fn log(uid: Option<&str>, multiplier: Option<&str>, required: &str) -> OldChallengeLog {
        OldChallengeLog {
            challenge_id: 1,
            game: "Game".into(),
            game_identifier: "p:g".into(),
            winner_uid: uid.map(String::from),
            winner_username: Some("x".into()),
            multiplier: multiplier.map(String::from),
            bet: None,
            payout: None,
            required_multiplier: Some(required.into()),
            prize: Some("50".into()),
            min_bet: None,
            completed_ms: Some(0),
        }
    }

    fn tip(user: &str, amount: &str, tip_type: &str, at: i64) -> OldTip {
        OldTip {
            user_id: user.into(),
            username: user.to_uppercase(),
            amount: amount.into(),
            tip_type: tip_type.into(),
            month: Some(11),
            year: Some(2026),
            tipped_ms: Some(at),
        }
    }

    fn milestone(user: &str, tier: &str, at: i64) -> crate::store::legacy::OldMilestone {
        crate::store::legacy::OldMilestone {
            user_id: user.into(),
            tier: tier.into(),
            month: 11,
            year: 2026,
            tipped_ms: Some(at),
        }
    }

    fn plan_of(data: &LegacyData) -> Result<ImportPlan, PlanError> {
        plan(
            data,
            &crate::domain::milestones::default_tiers(),
            &Channels::default(),
            MonthPeriod::new(2026, 11).unwrap(),
            &Limits::default(),
        )
    }

    #[test]
    fn each_tip_is_one_row_and_milestone_guards_carry_no_second_copy() {
        let data = LegacyData {
            milestones: vec![milestone("u1", "Rank 1", 10), milestone("u1", "Rank 2", 20)],
            tips: vec![
                tip("u1", "1.00", "milestone", 10),
                tip("u1", "1.00", "milestone", 20),
                // Two identical tips are two payments, not one.
                tip("u2", "5", "manual", 30),
                tip("u2", "5", "manual", 30),
            ],
            ..LegacyData::default()
        };
        let plan = plan_of(&data).unwrap();
        assert_eq!(plan.tips.len(), 4);
        let keys: std::collections::BTreeSet<&str> =
            plan.tips.iter().map(|t| t.payout.key.as_str()).collect();
        assert_eq!(keys.len(), 4, "{keys:?}");
        assert_eq!(plan.tips[1].payout.tier, Some(2), "matched in time order");
        assert!(plan
            .tips
            .iter()
            .all(|t| t.payout.status == PayoutStatus::Imported));
        assert_eq!(plan.guards.len(), 2);
        assert!(plan
            .guards
            .iter()
            .all(|g| g.payout.status == PayoutStatus::Baselined
                && g.payout.key.starts_with("milestone:2026-11:u1:")));
    }

    #[test]
    fn a_sub_cent_amount_stops_the_plan_naming_the_row() {
        let data = LegacyData {
            tips: vec![tip("u1", "1.005", "manual", 10)],
            ..LegacyData::default()
        };
        let error = plan_of(&data).unwrap_err();
        assert_eq!(error.table, "manualtips");
        assert!(error.problem.contains("\"1.005\""), "{}", error.problem);
    }

    #[test]
    fn cancelled_challenges_are_recognised() {
        assert!(!is_cancelled(&log(Some("uid-abc"), Some("1200.5"), "1000")));
        assert!(is_cancelled(&log(Some("uid-abc"), None, "1000")));
        assert!(is_cancelled(&log(Some("uid-abc"), Some("0"), "1000")));
        assert!(is_cancelled(&log(Some("uid-abc"), Some("999.99"), "1000")));
        assert!(is_cancelled(&log(
            Some("398765432109876543"),
            Some("1500"),
            "1000"
        )));
        assert!(is_cancelled(&log(None, Some("1500"), "1000")));
    }
}
