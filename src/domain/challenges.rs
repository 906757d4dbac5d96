//! Slot challenges: "first to hit ≥ N× on game G wins $P".
//!
//! At most [`MAX_ACTIVE_CHALLENGES`] are active; several may share a game
//! identifier (100× and 500× on one slot), but never with the same rule.
//! All comparisons are on hundredths and cents, never floats. Validation
//! errors are user-facing and name the slash-command option at fault.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::money::{AmountError, Cents, Multiplier};
use super::players::{Hit, PlayerFigures};

/// How many challenges may be active at once.
pub const MAX_ACTIVE_CHALLENGES: usize = 10;
/// Longest accepted game identifier, in characters.
pub const MAX_GAME_ID_LEN: usize = 120;
/// Longest accepted display name, in characters.
pub const MAX_NAME_LEN: usize = 100;
/// Largest prize a challenge may offer, for `/setchallenge` and the legacy
/// import alike. There is no setting for it (unlike `MAX_MANUAL_TIP`):
/// $1,000 bounds a typo such as `2500` for `25.00` while leaving room for
/// the community's largest challenges.
pub const MAX_CHALLENGE_PRIZE: Cents = Cents::from_dollars(1_000);
/// Highest multiplier a challenge may require (1,000,000×).
pub const MAX_REQUIRED_MULTIPLIER: Multiplier = Multiplier(100_000_000);

/// Why a challenge was rejected; `Display` is shown to the staff member.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChallengeError {
    /// Game identifier empty after trimming.
    #[error("game must not be empty; use provider:game such as pragmatic:vs20olympgate")]
    GameIdEmpty,
    /// Game identifier longer than [`MAX_GAME_ID_LEN`].
    #[error("game must be at most {MAX_GAME_ID_LEN} characters")]
    GameIdTooLong,
    /// Character outside letters, digits, `:`, `_`, `-`.
    #[error("game may only contain letters, digits, ':', '_' and '-'")]
    GameIdCharacters,
    /// Missing `:` or an empty part.
    #[error("game must look like provider:game, such as pragmatic:vs20olympgate")]
    GameIdShape,
    /// A challenge with the same game, multiplier and minimum bet is active:
    /// the same hit would win both, which is a double post, not a second prize.
    #[error(
        "a challenge for that game with the same multiplier and minimum bet is already active"
    )]
    AlreadyActive,
    /// [`MAX_ACTIVE_CHALLENGES`] are active.
    #[error("{MAX_ACTIVE_CHALLENGES} challenges are already active; end one first")]
    TooManyActive,
    /// Name empty after trimming.
    #[error("name must not be empty")]
    NameEmpty,
    /// Name longer than [`MAX_NAME_LEN`].
    #[error("name must be at most {MAX_NAME_LEN} characters")]
    NameTooLong,
    /// Name contains a line break or control character.
    #[error("name must be a single line of text")]
    NameControl,
    /// Multiplier unparsable or below 1.01.
    #[error("multiplier {0}")]
    Multiplier(AmountError),
    /// Multiplier above [`MAX_REQUIRED_MULTIPLIER`].
    #[error("multiplier must be at most {}", MAX_REQUIRED_MULTIPLIER.plain())]
    MultiplierTooHigh,
    /// Prize unparsable or not positive.
    #[error("prize {0}")]
    Prize(AmountError),
    /// Prize above the configured maximum.
    #[error("prize must be at most {max}")]
    PrizeAboveMax {
        /// The configured maximum.
        max: Cents,
    },
    /// Minimum bet unparsable or negative.
    #[error("min bet {0}")]
    MinBet(AmountError),
    /// Emoji is not one emoji-like token.
    #[error("emoji must be a single emoji such as 🎰 or <:name:123456>")]
    Emoji,
}

/// A validated `provider:game` identifier (ASCII letters, digits, `:_-`,
/// ≤ 120 chars, no empty part). Compared exactly, case-sensitively, with
/// the API's game ids. Serialises as the plain string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GameIdentifier(String);

impl GameIdentifier {
    /// Validates `input` (surrounding whitespace ignored).
    pub fn parse(input: &str) -> Result<Self, ChallengeError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(ChallengeError::GameIdEmpty);
        }
        if text.chars().count() > MAX_GAME_ID_LEN {
            return Err(ChallengeError::GameIdTooLong);
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'))
        {
            return Err(ChallengeError::GameIdCharacters);
        }
        if !text.contains(':') || text.split(':').any(str::is_empty) {
            return Err(ChallengeError::GameIdShape);
        }
        Ok(Self(text.to_owned()))
    }

    /// The identifier text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GameIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for GameIdentifier {
    type Error = ChallengeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<GameIdentifier> for String {
    fn from(value: GameIdentifier) -> Self {
        value.0
    }
}

/// What a hit must satisfy to win a challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeRule {
    /// Hit's `game_id` must equal this exactly.
    pub game_id: GameIdentifier,
    /// Hit's multiplier must be ≥ this.
    pub required: Multiplier,
    /// When set, hit's bet must be ≥ this.
    pub min_bet: Option<Cents>,
}

impl ChallengeRule {
    /// True when `hit` meets game, multiplier and minimum-bet conditions.
    pub fn qualifies(&self, hit: &Hit) -> bool {
        hit.game_id == self.game_id.as_str()
            && hit.multiplier >= self.required
            && self.min_bet.is_none_or(|min| hit.bet >= min)
    }
}

/// The winning player and hit. `username` is unmasked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Winner {
    /// Roobet uid (private).
    pub uid: String,
    /// Unmasked username.
    pub username: String,
    /// The qualifying hit.
    pub hit: Hit,
}

/// Picks the winner among qualifying, non-excluded players: highest
/// multiplier, then larger bet, then uid asc. `players[i].best_hit` must be
/// the best hit on this game since the challenge started. `None` = no one
/// qualifies yet.
pub fn pick_winner(
    rule: &ChallengeRule,
    players: &[PlayerFigures],
    excluded: &HashSet<String>,
) -> Option<Winner> {
    players
        .iter()
        .filter(|p| !excluded.contains(&p.uid))
        .filter_map(|p| p.best_hit.as_ref().map(|h| (p, h)))
        .filter(|(_, h)| rule.qualifies(h))
        .min_by(|(pa, a), (pb, b)| {
            b.multiplier
                .cmp(&a.multiplier)
                .then(b.bet.cmp(&a.bet))
                .then_with(|| pa.uid.cmp(&pb.uid))
        })
        .map(|(p, h)| Winner {
            uid: p.uid.clone(),
            username: p.username.clone(),
            hit: h.clone(),
        })
}

/// The best qualifying attempts, best first (same order as
/// [`pick_winner`]), at most `limit`: one per non-excluded player whose best
/// hit meets `rule`. With a zero requirement these are the leaders of a
/// challenge nobody has won yet (`/challenge_results` shows the top 5).
pub fn ranked_attempts(
    rule: &ChallengeRule,
    players: &[PlayerFigures],
    excluded: &HashSet<String>,
    limit: usize,
) -> Vec<Winner> {
    let mut attempts: Vec<(&PlayerFigures, &Hit)> = players
        .iter()
        .filter(|p| !excluded.contains(&p.uid))
        .filter_map(|p| p.best_hit.as_ref().map(|h| (p, h)))
        .filter(|(_, h)| rule.qualifies(h))
        .collect();
    attempts.sort_by(|(pa, a), (pb, b)| {
        b.multiplier
            .cmp(&a.multiplier)
            .then(b.bet.cmp(&a.bet))
            .then_with(|| pa.uid.cmp(&pb.uid))
    });
    attempts
        .into_iter()
        .take(limit)
        .map(|(p, h)| Winner {
            uid: p.uid.clone(),
            username: p.username.clone(),
            hit: h.clone(),
        })
        .collect()
}

/// Raw slash-command options for a new challenge, as typed by staff.
/// Numeric Discord options can be passed via `f64::to_string()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChallengeDraft<'a> {
    /// `provider:game`.
    pub game_id: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Required multiplier, e.g. `"500"` or `"512.5x"`.
    pub multiplier: &'a str,
    /// Prize in USD, e.g. `"25"` or `"$12.50"`.
    pub prize: &'a str,
    /// Optional minimum bet in USD; `"0"` means none.
    pub min_bet: Option<&'a str>,
    /// Optional emoji; blank means none.
    pub emoji: Option<&'a str>,
}

/// A validated challenge ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewChallenge {
    /// Game the hit must be on.
    pub game_id: GameIdentifier,
    /// Trimmed display name.
    pub name: String,
    /// Required multiplier (≥ 1.01×).
    pub required: Multiplier,
    /// Prize (> 0, ≤ the configured max).
    pub prize: Cents,
    /// Minimum bet; `None` when not set or zero.
    pub min_bet: Option<Cents>,
    /// Trimmed emoji, `None` when blank.
    pub emoji: Option<String>,
}

pub(crate) fn valid_emoji(text: &str) -> bool {
    if text.chars().count() > 100 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    match text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
        Some(inner) => {
            let inner = inner.strip_prefix('a').unwrap_or(inner);
            let mut parts = inner.strip_prefix(':').unwrap_or("").splitn(2, ':');
            let name = parts.next().unwrap_or("");
            let id = parts.next().unwrap_or("");
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
        }
        None => !text.is_ascii() && text.chars().count() <= 10,
    }
}

impl NewChallenge {
    /// Validates a draft against the configured `max_prize` and the rules
    /// of currently `active` challenges. Checks, in order: game id,
    /// capacity, name, multiplier, prize, min bet, emoji, duplicate rule;
    /// the first failure is returned.
    pub fn validate(
        draft: &ChallengeDraft<'_>,
        max_prize: Cents,
        active: &[ChallengeRule],
    ) -> Result<NewChallenge, ChallengeError> {
        let game_id = GameIdentifier::parse(draft.game_id)?;
        if active.len() >= MAX_ACTIVE_CHALLENGES {
            return Err(ChallengeError::TooManyActive);
        }
        if draft.name.trim().chars().any(char::is_control) {
            return Err(ChallengeError::NameControl);
        }
        // Admin-typed text is cleaned like casino text: no bidi override or
        // zero-width character reaches a page, an overlay or the JSON.
        let name = super::names::strip_hidden(draft.name);
        let name = name.as_str();
        if name.is_empty() {
            return Err(ChallengeError::NameEmpty);
        }
        if name.chars().count() > MAX_NAME_LEN {
            return Err(ChallengeError::NameTooLong);
        }
        let required = Multiplier::parse_at_least(draft.multiplier, Multiplier::CHALLENGE_MINIMUM)
            .map_err(ChallengeError::Multiplier)?;
        if required > MAX_REQUIRED_MULTIPLIER {
            return Err(ChallengeError::MultiplierTooHigh);
        }
        let prize = Cents::parse_dollars(draft.prize).map_err(ChallengeError::Prize)?;
        if prize > max_prize {
            return Err(ChallengeError::PrizeAboveMax { max: max_prize });
        }
        let min_bet = match draft.min_bet {
            Some(text) => {
                Some(Cents::parse_non_negative_dollars(text).map_err(ChallengeError::MinBet)?)
            }
            None => None,
        }
        .filter(|bet| bet.is_positive());
        let emoji = match draft.emoji.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) if valid_emoji(e) => Some(e.to_owned()),
            Some(_) => return Err(ChallengeError::Emoji),
            None => None,
        };
        let challenge = NewChallenge {
            game_id,
            name: name.to_owned(),
            required,
            prize,
            min_bet,
            emoji,
        };
        if active.contains(&challenge.rule()) {
            return Err(ChallengeError::AlreadyActive);
        }
        Ok(challenge)
    }

    /// The winning rule for this challenge.
    pub fn rule(&self) -> ChallengeRule {
        ChallengeRule {
            game_id: self.game_id.clone(),
            required: self.required,
            min_bet: self.min_bet,
        }
    }
}

/// Attempts shown per challenge by `/challenge_results` (the original
/// showed the top 5 with bet and payout).
pub const TOP_ATTEMPTS: usize = 5;

/// The best attempt on an active challenge seen by the last poll (meets the
/// game and minimum bet, not yet the multiplier). Stored as JSON; the
/// username is unmasked and masked when shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BestAttempt {
    /// Username at the time.
    pub username: String,
    /// Its multiplier, hundredths.
    pub multiplier_x100: i64,
    /// Its bet, cents.
    pub bet_cents: i64,
    /// What the spin paid, cents (absent in values stored before it was kept).
    #[serde(default)]
    pub payout_cents: i64,
}

#[cfg(test)]
mod tests;
