//! The original's rows are checked by the rules of our own commands before
//! anything of them is imported: the original stored whatever it was given
//! (challenges at 0.5×, a game id `../../etc/passwd`, hidden characters in
//! names, a $99,999,999.99 tip). A row that breaks a rule is refused whole,
//! with the reason, and listed in the import report ([`Refused`]); text that
//! is merely untidy is cleaned the way casino text is.
//!
//! The rules, each the one our own command applies:
//! - a challenge (finished or active) is what `/setchallenge` would accept:
//!   [`NewChallenge::validate`] (game identifier, name, multiplier ≥ 1.01×
//!   and ≤ 1,000,000×, prize > 0 and ≤ [`MAX_CHALLENGE_PRIZE`], minimum bet,
//!   emoji; active ones also: at most 10, no two with the same rule);
//! - the admin who posted a challenge is a Discord user id (digits);
//! - a tip is at most what we ourselves would pay of its kind: `manual` (and
//!   unknown types) at most `MAX_MANUAL_TIP`, `milestone` the largest tier
//!   tip, `weekly_multiplier` the largest weekly prize, `slot_challenge`
//!   [`MAX_CHALLENGE_PRIZE`]; a weekly payout row at most the largest
//!   weekly prize;
//! - names are cleaned like casino names ([`display_name`]), game titles
//!   like casino titles ([`display_title`]): hidden, bidi and zero-width
//!   characters removed, length bounded. Discord markup in them is harmless
//!   text: every embed escapes it when shown.

use std::fmt;

use crate::config::Config;
use crate::domain::challenges::{ChallengeDraft, ChallengeRule, NewChallenge};
use crate::domain::money::{Cents, Multiplier};
use crate::domain::names::{display_name, display_title};
use crate::domain::payout_keys::PayoutKind;
use crate::domain::rewards::Rewards;

pub use crate::domain::challenges::MAX_CHALLENGE_PRIZE;

/// The configured limits rows are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `MAX_MANUAL_TIP`: the largest `/tipuser`.
    pub max_manual_tip: Cents,
    /// The largest challenge prize.
    pub max_challenge_prize: Cents,
    /// The largest milestone tier tip of the rewards tables.
    pub max_milestone_tip: Cents,
    /// The largest weekly multiplier prize of the rewards tables.
    pub max_weekly_prize: Cents,
}

impl Limits {
    /// The limits `serve` applies with `config` and `rewards`.
    pub fn new(config: &Config, rewards: &Rewards) -> Limits {
        Limits::with(config.max_manual_tip, rewards)
    }

    /// `max_manual_tip` and the largest prizes of `rewards`.
    pub fn with(max_manual_tip: Cents, rewards: &Rewards) -> Limits {
        Limits {
            max_manual_tip,
            max_challenge_prize: MAX_CHALLENGE_PRIZE,
            max_milestone_tip: rewards
                .tiers
                .iter()
                .map(|t| t.tip)
                .max()
                .unwrap_or_default(),
            max_weekly_prize: rewards
                .weekly_prizes
                .iter()
                .copied()
                .max()
                .unwrap_or_default(),
        }
    }

    /// The largest tip of `kind` (`None`: a type we do not know, paid as a
    /// manual tip), and the setting it comes from.
    pub fn tip_cap(&self, kind: Option<PayoutKind>) -> (Cents, &'static str) {
        match kind {
            Some(PayoutKind::Milestone) => {
                (self.max_milestone_tip, "the largest milestone tier tip")
            }
            Some(PayoutKind::Multiplier) => (self.max_weekly_prize, "the largest weekly prize"),
            Some(PayoutKind::Challenge) => {
                (self.max_challenge_prize, "the largest challenge prize")
            }
            _ => (self.max_manual_tip, "MAX_MANUAL_TIP"),
        }
    }
}

impl Default for Limits {
    /// The built-in defaults: `MAX_MANUAL_TIP` $100, the built-in tables.
    fn default() -> Limits {
        Limits::with(Cents::from_dollars(100), &Rewards::default())
    }
}

/// A row left out because it breaks one of our rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The original's table.
    pub table: &'static str,
    /// Which row (ids, player, amount).
    pub row: String,
    /// The rule it breaks.
    pub reason: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.table, self.row, self.reason)
    }
}

/// `cents` as plain decimal text (`1234.50`), as a command option would
/// carry it.
fn plain(cents: Cents) -> String {
    let c = cents.cents();
    format!("{}.{:02}", c / 100, c % 100)
}

/// A tip of `amount` and `kind` within our limits, or why not.
pub fn tip(amount: Cents, kind: Option<PayoutKind>, limits: &Limits) -> Result<(), String> {
    let (cap, source) = limits.tip_cap(kind);
    if amount > cap {
        return Err(format!("amount {amount} is above {source} ({cap})"));
    }
    Ok(())
}

/// A weekly prize within our limits, or why not.
pub fn weekly_prize(prize: Cents, limits: &Limits) -> Result<(), String> {
    if prize > limits.max_weekly_prize {
        return Err(format!(
            "prize {prize} is above the largest weekly prize ({})",
            limits.max_weekly_prize
        ));
    }
    Ok(())
}

/// A challenge's fields as the original stored them; amounts already exact
/// (see `plan`), the multiplier rounded to hundredths (`None`: not a number).
pub struct OldChallenge<'a> {
    /// `provider:game`.
    pub game_id: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Required multiplier in hundredths.
    pub required_x100: Option<i64>,
    /// Prize, `None` when absent.
    pub prize: Option<Cents>,
    /// Minimum bet.
    pub min_bet: Option<Cents>,
    /// Emoji.
    pub emoji: Option<&'a str>,
}

/// The challenge `/setchallenge` would accept from these fields, given the
/// rules of the challenges already `active`, or why not.
pub fn challenge(
    old: &OldChallenge<'_>,
    limits: &Limits,
    active: &[ChallengeRule],
) -> Result<NewChallenge, String> {
    let multiplier = old
        .required_x100
        .map(|x| Multiplier(x).plain())
        .unwrap_or_default();
    let prize = old.prize.map(plain).unwrap_or_default();
    let min_bet = old.min_bet.map(plain);
    let draft = ChallengeDraft {
        game_id: old.game_id,
        name: old.name,
        multiplier: &multiplier,
        prize: &prize,
        min_bet: min_bet.as_deref(),
        emoji: old.emoji,
    };
    NewChallenge::validate(&draft, limits.max_challenge_prize, active)
        .map_err(|e| format!("/setchallenge would refuse it: {e}"))
}

/// The Discord user id of the admin who posted a challenge: digits only
/// (what our commands record), or why not. Blank is no id.
pub fn discord_id(text: Option<&str>) -> Result<Option<String>, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(id) if (1..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Some(id.to_string()))
        }
        Some(id) => Err(format!(
            "posted_by {:?} is not a Discord user id",
            display_title(id)
        )),
    }
}

/// A player's or admin's name, cleaned like a casino name.
pub fn name(raw: &str) -> String {
    display_name(raw)
}

/// A game title, cleaned like a casino title.
pub fn title(raw: &str) -> String {
    display_title(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(game_id: &str, x100: i64) -> OldChallenge<'_> {
        OldChallenge {
            game_id,
            name: "Sugar Rush",
            required_x100: Some(x100),
            prize: Some(Cents::from_dollars(40)),
            min_bet: None,
            emoji: None,
        }
    }

    #[test]
    fn challenges_follow_setchallenge() {
        let limits = Limits::default();
        assert!(challenge(&old("pragmatic:vs20sugarrush", 200_000), &limits, &[]).is_ok());
        for x100 in [50, 100, 0] {
            let error = challenge(&old("pragmatic:vs20sugarrush", x100), &limits, &[]).unwrap_err();
            assert!(error.contains("multiplier"), "{error}");
        }
        let error = challenge(&old("../../etc/passwd", 200_000), &limits, &[]).unwrap_err();
        assert!(error.contains("game"), "{error}");
        let rich = OldChallenge {
            prize: Some(Cents::from_dollars(5_000)),
            ..old("pragmatic:vs20sugarrush", 200_000)
        };
        assert!(challenge(&rich, &limits, &[])
            .unwrap_err()
            .contains("prize"));
        let hidden = OldChallenge {
            name: "Sugar\u{202e} Rush\u{200b}",
            ..old("pragmatic:vs20sugarrush", 200_000)
        };
        assert_eq!(challenge(&hidden, &limits, &[]).unwrap().name, "Sugar Rush");
    }

    #[test]
    fn tips_stay_within_our_limits() {
        let limits = Limits::default();
        assert!(tip(Cents::from_dollars(100), None, &limits).is_ok());
        assert!(
            tip(Cents::new(9_999_999_999), Some(PayoutKind::Manual), &limits)
                .unwrap_err()
                .contains("MAX_MANUAL_TIP")
        );
        assert!(tip(
            Cents::from_dollars(1_001),
            Some(PayoutKind::Challenge),
            &limits
        )
        .is_err());
        assert!(weekly_prize(Cents::from_dollars(20), &limits).is_ok());
        assert!(weekly_prize(Cents::from_dollars(21), &limits).is_err());
    }

    #[test]
    fn posters_are_discord_ids() {
        assert_eq!(
            discord_id(Some("398765432109876543")),
            Ok(Some("398765432109876543".into()))
        );
        assert_eq!(discord_id(Some(" ")), Ok(None));
        assert!(discord_id(Some("<@&1>\u{200b}")).is_err());
        assert_eq!(name("Admin\u{200b}Pat\u{202e}"), "AdminPat");
    }
}
