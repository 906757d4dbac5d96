//! Idempotency keys for payouts and the payout-kind vocabulary.
//!
//! A key names one payout that must happen at most once; storage should
//! have a unique index on it. Formats are fixed and must never change:
//! `milestone:{yyyy-mm}:{user_uid}:{tier}`, `leaderboard:{yyyy-mm}:{rank}`,
//! `multiplier:{monday yyyy-mm-dd}:{rank}`, `challenge:{challenge_id}`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::period::{MonthPeriod, WeekPeriod};

/// Key for tier `tier` earned by `user_uid`. `period` is the month the
/// wager data belongs to (not the month the payout happens to run in).
/// Roobet uids contain no `:`, so keys are unambiguous.
pub fn milestone_key(period: MonthPeriod, user_uid: &str, tier: u32) -> String {
    format!("milestone:{}:{user_uid}:{tier}", period.key())
}

/// Key for monthly leaderboard rank `rank` (1-based) of `period`.
pub fn leaderboard_key(period: MonthPeriod, rank: u32) -> String {
    format!("leaderboard:{}:{rank}", period.key())
}

/// Key for weekly multiplier rank `rank` (1-based) of `week`.
pub fn multiplier_key(week: WeekPeriod, rank: u32) -> String {
    format!("multiplier:{}:{rank}", week.key())
}

/// Key for the single prize of a slot challenge (its storage id).
pub fn challenge_key(challenge_id: impl fmt::Display) -> String {
    format!("challenge:{challenge_id}")
}

/// The text was not one of the known payout kinds.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown payout kind `{0}`; expected milestone, challenge, leaderboard, multiplier or manual"
)]
pub struct UnknownPayoutKind(pub String);

/// What a payout is for. `as_str` is the stored/display name; `seed_type`
/// is the name used by the legacy seed data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayoutKind {
    /// Milestone tier tip.
    Milestone,
    /// Slot challenge prize.
    Challenge,
    /// Monthly leaderboard prize.
    Leaderboard,
    /// Weekly multiplier prize.
    Multiplier,
    /// Manually entered by staff.
    Manual,
}

impl PayoutKind {
    /// Every kind, in declaration order.
    pub const ALL: [PayoutKind; 5] = [
        PayoutKind::Milestone,
        PayoutKind::Challenge,
        PayoutKind::Leaderboard,
        PayoutKind::Multiplier,
        PayoutKind::Manual,
    ];

    /// `"milestone"`, `"challenge"`, `"leaderboard"`, `"multiplier"`, `"manual"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PayoutKind::Milestone => "milestone",
            PayoutKind::Challenge => "challenge",
            PayoutKind::Leaderboard => "leaderboard",
            PayoutKind::Multiplier => "multiplier",
            PayoutKind::Manual => "manual",
        }
    }

    /// `"milestone"`, `"slot_challenge"`, `"monthly_leaderboard"`,
    /// `"weekly_multiplier"`, `"manual"`.
    pub fn seed_type(self) -> &'static str {
        match self {
            PayoutKind::Milestone => "milestone",
            PayoutKind::Challenge => "slot_challenge",
            PayoutKind::Leaderboard => "monthly_leaderboard",
            PayoutKind::Multiplier => "weekly_multiplier",
            PayoutKind::Manual => "manual",
        }
    }

    /// Inverse of [`PayoutKind::as_str`] (exact, lowercase).
    pub fn parse(text: &str) -> Result<PayoutKind, UnknownPayoutKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| UnknownPayoutKind(text.to_owned()))
    }

    /// Inverse of [`PayoutKind::seed_type`].
    pub fn from_seed_type(text: &str) -> Result<PayoutKind, UnknownPayoutKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.seed_type() == text)
            .ok_or_else(|| UnknownPayoutKind(text.to_owned()))
    }
}

impl fmt::Display for PayoutKind {
    /// Same as [`PayoutKind::as_str`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PayoutKind {
    type Err = UnknownPayoutKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_the_exact_documented_formats() {
        let nov = MonthPeriod::new(2026, 11).unwrap();
        let week = WeekPeriod::parse("2026-12-28").unwrap();
        assert_eq!(milestone_key(nov, "u-123", 7), "milestone:2026-11:u-123:7");
        assert_eq!(leaderboard_key(nov, 1), "leaderboard:2026-11:1");
        assert_eq!(multiplier_key(week, 3), "multiplier:2026-12-28:3");
        assert_eq!(challenge_key(42), "challenge:42");
        assert_eq!(challenge_key("abc"), "challenge:abc");
    }

    #[test]
    fn milestone_key_uses_the_data_month_zero_padded() {
        let jan = MonthPeriod::new(2027, 1).unwrap();
        assert_eq!(milestone_key(jan, "u", 30), "milestone:2027-01:u:30");
    }

    #[test]
    fn payout_kind_names_round_trip() {
        for kind in PayoutKind::ALL {
            assert_eq!(PayoutKind::parse(kind.as_str()), Ok(kind));
            assert_eq!(PayoutKind::from_seed_type(kind.seed_type()), Ok(kind));
            assert_eq!(kind.to_string().parse::<PayoutKind>(), Ok(kind));
        }
        assert_eq!(PayoutKind::Challenge.seed_type(), "slot_challenge");
        assert_eq!(PayoutKind::Leaderboard.seed_type(), "monthly_leaderboard");
        assert_eq!(PayoutKind::Multiplier.seed_type(), "weekly_multiplier");
        assert!(PayoutKind::parse("Milestone").is_err());
        assert!(PayoutKind::parse("slot_challenge").is_err());
    }
}
