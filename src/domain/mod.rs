//! Pure domain layer of the affiliate bot: money, periods, rankings,
//! milestones, challenges, goals, masking and reward configuration.
//!
//! Nothing in here performs I/O, reads the clock, talks HTTP or SQL: the
//! caller passes `now`, API figures and stored state in, and gets plain
//! values (ranked rows, idempotency keys, validated inputs) back. Money is
//! integer cents ([`money::Cents`]) and multipliers integer hundredths
//! ([`money::Multiplier`]); `f64` only crosses the API/JSON boundary.
//!
//! Map of the modules:
//! - [`money`]: `Cents`, `Multiplier`, parsing user amounts.
//! - [`period`]: calendar months and ISO weeks in UTC, API timestamps.
//! - [`players`]: per-player input figures and hits.
//! - [`leaderboard`]: monthly weighted-wager ranking.
//! - [`multiplier`]: weekly best-multiplier ranking.
//! - [`milestones`]: the 30 monthly wager tiers.
//! - [`payout_keys`]: idempotency keys and payout kinds.
//! - [`challenges`]: slot challenge validation and winner picking.
//! - [`goals`]: community goal ladder and month-end projection.
//! - [`masking`]: masked usernames and opaque public ids.
//! - [`names`]: usernames typed in commands.
//! - [`rewards`]: reward tables and their TOML overrides.
//! - [`wording`]: counted nouns in sentences.
#![deny(missing_docs)]

mod decimal;

pub mod challenges;
pub mod goals;
pub mod leaderboard;
pub mod masking;
pub mod milestones;
pub mod money;
pub mod multiplier;
pub mod names;
pub mod payout_keys;
pub mod period;
pub mod players;
pub mod rewards;
pub mod wording;
