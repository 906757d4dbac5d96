//! Reward tables (prizes, tiers, goals, exclusions) and their TOML file.
//!
//! [`Rewards::default`] is the built-in configuration. A TOML file may
//! override any section; a present section replaces only the keys it sets
//! (`[[tiers]]` replaces the whole tier table). Amounts are USD numbers
//! converted with [`Cents::from_usd`] (rounded half away from zero to the
//! cent). Everything is validated before use; errors name the field.

use std::collections::HashSet;

use serde::Deserialize;
use thiserror::Error;

use super::goals::default_ladder;
use super::leaderboard::default_monthly_prizes;
use super::milestones::{default_tiers, tier_name, Tier};
use super::money::Cents;
use super::multiplier::default_weekly_prizes;

/// Most prizes a monthly or weekly table may have.
pub const MAX_PRIZES: usize = 10;

/// Why a rewards file or table was rejected. `Display` is operator-facing
/// and names the offending field, e.g. `tiers[3].threshold: ...`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RewardsError {
    /// TOML syntax error, wrong type or unknown key (message has the line).
    #[error("rewards file is not valid: {0}")]
    Parse(String),
    /// A value parsed but breaks a rule.
    #[error("{field}: {reason}")]
    Invalid {
        /// Dotted path of the field, e.g. `monthly.prizes[2]`.
        field: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> RewardsError {
    RewardsError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// The effective reward configuration. Validate hand-built values with
/// [`Rewards::validate`]; [`Rewards::from_toml_str`] always does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewards {
    /// Monthly leaderboard prizes for ranks 1.. (≤ 10, each > 0).
    pub monthly_prizes: Vec<Cents>,
    /// When true, monthly prizes wait for staff approval before paying.
    /// Default `false`: spec/rules.md pays the board automatically unless
    /// the rewards file asks for approval.
    pub monthly_manual_approval: bool,
    /// Weekly multiplier prizes for ranks 1.. (≤ 10, each > 0).
    pub weekly_prizes: Vec<Cents>,
    /// Minimum bet for a weekly hit; `None` (default) = any bet.
    pub weekly_min_bet: Option<Cents>,
    /// Milestone tiers, numbered 1..=n, thresholds strictly ascending.
    pub tiers: Vec<Tier>,
    /// Community goal ladder on total wager, strictly ascending.
    pub goals: Vec<Cents>,
    /// Roobet uids never ranked and never paid (staff, test accounts).
    pub excluded_uids: Vec<String>,
}

impl Default for Rewards {
    /// Built-in tables: $1,500 monthly, $20/$15/$5 weekly, 30 tiers,
    /// goals every $25k to $500k, no exclusions, paid automatically.
    fn default() -> Self {
        Self {
            monthly_prizes: default_monthly_prizes(),
            monthly_manual_approval: false,
            weekly_prizes: default_weekly_prizes(),
            weekly_min_bet: None,
            tiers: default_tiers(),
            goals: default_ladder(),
            excluded_uids: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    monthly: Option<RawMonthly>,
    weekly: Option<RawWeekly>,
    tiers: Option<Vec<RawTier>>,
    goals: Option<RawGoals>,
    exclusions: Option<RawExclusions>,
    milestones: Option<RawMilestones>,
}

/// `[milestones.emojis]`: one line per rank (`1 = "<:rank1:1389…>"`, keys
/// `1`, `rank1` or `"Rank 1"`), so a community maps its custom emojis
/// without rewriting the 30 tiers.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMilestones {
    emojis: Option<std::collections::BTreeMap<String, String>>,
}

/// The tier number a `[milestones.emojis]` key names: its digits.
fn emoji_key_rank(key: &str) -> Option<u32> {
    let lower = key.trim().to_ascii_lowercase();
    let digits = lower
        .strip_prefix("rank")
        .unwrap_or(&lower)
        .trim()
        .trim_start_matches('_');
    digits.parse().ok()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMonthly {
    prizes: Option<Vec<f64>>,
    manual_approval: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeekly {
    prizes: Option<Vec<f64>>,
    min_bet: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    threshold: f64,
    tip: f64,
    #[serde(alias = "color")]
    colour: String,
    emoji: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGoals {
    ladder: Option<Vec<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExclusions {
    uids: Option<Vec<String>>,
}

fn usd(field: &str, value: f64) -> Result<Cents, RewardsError> {
    Cents::from_usd(value).map_err(|e| invalid(field, e.to_string()))
}

fn usd_list(field: &str, values: &[f64]) -> Result<Vec<Cents>, RewardsError> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| usd(&format!("{field}[{i}]"), v))
        .collect()
}

/// Parses `#RRGGBB` or `RRGGBB` (case-insensitive) into `0xRRGGBB`.
pub fn parse_colour(text: &str) -> Option<u32> {
    let hex = text.trim();
    let hex = hex.strip_prefix('#').unwrap_or(hex);
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

fn tier_from_raw(index: usize, raw: RawTier) -> Result<Tier, RewardsError> {
    let field = |name: &str| format!("tiers[{index}].{name}");
    let number = u32::try_from(index + 1).map_err(|_| invalid("tiers", "too many tiers"))?;
    let colour = parse_colour(&raw.colour).ok_or_else(|| {
        invalid(
            field("colour"),
            format!("`{}` is not a colour; expected #RRGGBB", raw.colour),
        )
    })?;
    let trimmed = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(Tier {
        number,
        name: trimmed(raw.name).unwrap_or_else(|| tier_name(number)),
        threshold: usd(&field("threshold"), raw.threshold)?,
        tip: usd(&field("tip"), raw.tip)?,
        colour,
        emoji: trimmed(raw.emoji),
    })
}

fn check_prizes(field: &str, prizes: &[Cents]) -> Result<(), RewardsError> {
    if prizes.len() > MAX_PRIZES {
        return Err(invalid(
            field,
            format!("at most {MAX_PRIZES} prizes allowed, got {}", prizes.len()),
        ));
    }
    match prizes.iter().position(|p| !p.is_positive()) {
        Some(i) => Err(invalid(format!("{field}[{i}]"), "must be greater than 0")),
        None => Ok(()),
    }
}

fn check_ascending(field: &str, what: &str, values: &[Cents]) -> Result<(), RewardsError> {
    if let Some(i) = values.iter().position(|v| !v.is_positive()) {
        return Err(invalid(format!("{field}[{i}]"), "must be greater than 0"));
    }
    match values.windows(2).position(|w| w[0] >= w[1]) {
        Some(i) => Err(invalid(
            format!("{field}[{}]", i + 1),
            format!(
                "{what} must be strictly ascending ({} is not above {})",
                values[i + 1],
                values[i]
            ),
        )),
        None => Ok(()),
    }
}

impl Rewards {
    /// Parses a rewards file on top of [`Rewards::default`] and validates
    /// the result. Unknown sections/keys are errors (typos fail loudly).
    /// `weekly.min_bet = 0` means no minimum.
    pub fn from_toml_str(text: &str) -> Result<Rewards, RewardsError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| RewardsError::Parse(e.to_string()))?;
        let mut rewards = Rewards::default();
        if let Some(monthly) = raw.monthly {
            if let Some(prizes) = monthly.prizes {
                rewards.monthly_prizes = usd_list("monthly.prizes", &prizes)?;
            }
            if let Some(manual) = monthly.manual_approval {
                rewards.monthly_manual_approval = manual;
            }
        }
        if let Some(weekly) = raw.weekly {
            if let Some(prizes) = weekly.prizes {
                rewards.weekly_prizes = usd_list("weekly.prizes", &prizes)?;
            }
            if let Some(min_bet) = weekly.min_bet {
                rewards.weekly_min_bet =
                    Some(usd("weekly.min_bet", min_bet)?).filter(|c| c.is_positive());
            }
        }
        if let Some(tiers) = raw.tiers {
            rewards.tiers = tiers
                .into_iter()
                .enumerate()
                .map(|(i, t)| tier_from_raw(i, t))
                .collect::<Result<_, _>>()?;
        }
        if let Some(emojis) = raw.milestones.and_then(|m| m.emojis) {
            let tier_count = rewards.tiers.len();
            for (key, emoji) in emojis {
                let field = format!("milestones.emojis.{key}");
                let tier = emoji_key_rank(&key)
                    .and_then(|n| rewards.tiers.iter_mut().find(|t| t.number == n))
                    .ok_or_else(|| {
                        invalid(
                            &field,
                            format!("no tier `{key}`: use a rank number from 1 to {tier_count}"),
                        )
                    })?;
                let emoji = emoji.trim();
                if !super::challenges::valid_emoji(emoji) {
                    return Err(invalid(
                        &field,
                        format!("`{emoji}` is not an emoji: use a Unicode emoji or Discord's <:name:id> / <a:name:id>"),
                    ));
                }
                tier.emoji = Some(emoji.to_owned());
            }
        }
        if let Some(ladder) = raw.goals.and_then(|g| g.ladder) {
            rewards.goals = usd_list("goals.ladder", &ladder)?;
        }
        if let Some(uids) = raw.exclusions.and_then(|e| e.uids) {
            let mut seen = HashSet::new();
            rewards.excluded_uids = uids
                .iter()
                .map(|u| u.trim().to_owned())
                .filter(|u| seen.insert(u.clone()))
                .collect();
        }
        rewards.validate()?;
        Ok(rewards)
    }

    /// Checks every rule: ≤ 10 positive prizes per table; positive weekly
    /// minimum bet when set; tiers numbered 1..=n with positive, strictly
    /// ascending thresholds, positive tips, colours ≤ 0xFFFFFF and
    /// non-blank names; positive, strictly ascending goals; non-blank
    /// excluded uids. Empty tier/goal/prize lists are allowed and disable
    /// that feature.
    pub fn validate(&self) -> Result<(), RewardsError> {
        check_prizes("monthly.prizes", &self.monthly_prizes)?;
        check_prizes("weekly.prizes", &self.weekly_prizes)?;
        if self.weekly_min_bet.is_some_and(|m| !m.is_positive()) {
            return Err(invalid("weekly.min_bet", "must be greater than 0 when set"));
        }
        for (i, tier) in self.tiers.iter().enumerate() {
            let field = |name: &str| format!("tiers[{i}].{name}");
            if tier.number as usize != i + 1 {
                return Err(invalid(field("number"), format!("must be {}", i + 1)));
            }
            if !tier.tip.is_positive() {
                return Err(invalid(field("tip"), "must be greater than 0"));
            }
            if tier.colour > 0xFFFFFF {
                return Err(invalid(field("colour"), "must be at most #FFFFFF"));
            }
            if tier.name.trim().is_empty() {
                return Err(invalid(field("name"), "must not be blank"));
            }
        }
        let thresholds: Vec<Cents> = self.tiers.iter().map(|t| t.threshold).collect();
        check_ascending("tiers", "thresholds", &thresholds).map_err(|e| match e {
            RewardsError::Invalid { field, reason } => {
                invalid(format!("{field}.threshold"), reason)
            }
            other => other,
        })?;
        check_ascending("goals.ladder", "goals", &self.goals)?;
        if let Some(i) = self.excluded_uids.iter().position(|u| u.trim().is_empty()) {
            return Err(invalid(
                format!("exclusions.uids[{i}]"),
                "must not be blank",
            ));
        }
        Ok(())
    }

    /// Excluded uids as a set, the form the ranking functions take.
    pub fn excluded_set(&self) -> HashSet<String> {
        self.excluded_uids.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests;
