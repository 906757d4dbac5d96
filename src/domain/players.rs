//! Per-player figures for one period, as the ranking functions consume
//! them. The caller builds these from the Roobet API (converting floats
//! with [`Cents::from_usd`] / [`Multiplier::from_f64`] at that boundary).

use serde::{Deserialize, Serialize};

use super::money::{Cents, Multiplier};

/// One player's figures for a period. Supply one value per `uid`; the
/// rankers keep only the best-placed entry if a uid is repeated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayerFigures {
    /// Roobet user id. Private: never show it publicly (use
    /// [`super::masking::PublicIdKey::public_id`]).
    pub uid: String,
    /// Roobet username, unmasked; mask it before any public view.
    pub username: String,
    /// Total (unweighted) wager in the period.
    pub wagered: Cents,
    /// Weighted wager in the period (what the monthly board ranks on).
    pub weighted_wagered: Cents,
    /// Unix milliseconds of the snapshot in which `weighted_wagered` last
    /// changed; earlier wins ties ("reached the figure first").
    pub weighted_since_ms: i64,
    /// Best hit in the window the caller queried (the week for the
    /// multiplier board, the game since challenge start for challenges).
    pub best_hit: Option<Hit>,
    /// What else the casino said of the player's play, when it said it:
    /// only exported (the original's `allWagerData.json` carried it), never
    /// ranked or paid on.
    #[serde(default)]
    pub activity: Activity,
}

/// Figures some affiliate answers carry beyond the documented contract
/// (`sessions`, `payout`, `net`). Each is `None` when the answer left it
/// out, so an export can omit it instead of publishing a made-up zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// Sessions in the whole window (the unfiltered call).
    pub sessions: Option<u64>,
    /// Sessions on the games the weighted board counts (the weighted call).
    pub weighted_sessions: Option<u64>,
    /// What the casino paid the player back, whole window.
    pub payout: Option<Cents>,
    /// The casino's `net` for the player, whole window, signed as it
    /// reports it.
    pub net: Option<Cents>,
}

/// A single winning bet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// Payout ÷ bet, in hundredths.
    pub multiplier: Multiplier,
    /// Stake of the bet.
    pub bet: Cents,
    /// Amount paid out by the bet.
    pub payout: Cents,
    /// Game identifier as the API reports it (`provider:game`).
    pub game_id: String,
    /// Human-readable game title.
    pub game_title: String,
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Builders shared by the ranking tests.
    use super::*;

    /// A player with the given uid, name and figures (in cents) and no hit.
    pub(crate) fn player(uid: &str, name: &str, wagered: i64, weighted: i64) -> PlayerFigures {
        PlayerFigures {
            uid: uid.to_owned(),
            username: name.to_owned(),
            wagered: Cents::new(wagered),
            weighted_wagered: Cents::new(weighted),
            weighted_since_ms: 0,
            best_hit: None,
            activity: Activity::default(),
        }
    }

    /// A hit on `game` with multiplier and bet/payout in hundredths/cents.
    pub(crate) fn hit(game: &str, multiplier: i64, bet: i64) -> Hit {
        Hit {
            multiplier: Multiplier(multiplier),
            bet: Cents::new(bet),
            payout: Cents::new(bet.saturating_mul(multiplier) / 100),
            game_id: game.to_owned(),
            game_title: game.to_owned(),
        }
    }

    /// `player` with a best hit attached.
    pub(crate) fn hitter(uid: &str, hit: Hit) -> PlayerFigures {
        PlayerFigures {
            best_hit: Some(hit),
            ..player(uid, uid, 0, 0)
        }
    }
}

/// Community totals of one month (every referred player, excluded or not:
/// they are the affiliate's real volume).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthTotals {
    /// Total (unweighted) wager.
    pub wagered: Cents,
    /// Weighted wager.
    pub weighted: Cents,
    /// Players with any activity.
    pub players: u32,
}

impl MonthTotals {
    /// The community totals of a month's figures (every player counts).
    pub fn of(players: &[PlayerFigures]) -> Self {
        Self {
            wagered: players.iter().map(|p| p.wagered).sum::<Cents>(),
            weighted: players.iter().map(|p| p.weighted_wagered).sum::<Cents>(),
            players: u32::try_from(players.len()).unwrap_or(u32::MAX),
        }
    }
}
