//! The public form of a board's rows: masked names, opaque ids, prizes as
//! amounts. Pages, our JSON and the seed-shaped JSON all build from these
//! rows, so they cannot disagree about who is shown or reveal more than the
//! others.

use std::sync::Arc;

use crate::app::AppState;
use crate::domain::leaderboard::MonthlyEntry;
use crate::domain::masking::{mask_username, PublicIdKey};
use crate::domain::money::{Cents, Multiplier};
use crate::domain::multiplier::MultiplierEntry;
use crate::domain::period::MonthPeriod;
use crate::published::MonthBoard;
use crate::store::snapshots::PeriodKind;
use crate::store::standings::{self, FinalStanding};
use crate::telemetry::ErrorChain;
use crate::web::emoji::EmojiView;

use super::{Error, PUBLIC_ROWS};

/// One row of a weighted-wager board (this month's or a frozen one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRow {
    /// 1-based rank.
    pub rank: u32,
    /// Keyed hash of the Roobet uid; the only id ever published.
    pub public_id: String,
    /// Masked username.
    pub username: String,
    /// Total wager.
    pub wagered: Cents,
    /// Weighted wager (what the board ranks on).
    pub weighted: Cents,
    /// Prize for the rank; zero past the prize table.
    pub prize: Cents,
    /// The milestone tier the weighted wager has reached (this month's
    /// board only; `None` below the first tier and on frozen months).
    pub tier: Option<TierBadge>,
    /// Public tips received this month (this month's board only).
    pub tips: Cents,
    /// `tips` counts dry runs (the demo): shown with a TEST label.
    pub tips_test_data: bool,
}

/// A row's milestone tier, as the original board showed it: emoji and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierBadge {
    /// 1-based tier number.
    pub number: u32,
    /// `Rank 12` (or the rewards file's name).
    pub name: String,
    /// The tier's emoji; a medal when none is configured.
    pub emoji: EmojiView,
}

/// The top [`PUBLIC_ROWS`] of this month's board with each row's tier badge
/// and tips received this month.
pub fn current_month_rows(board: &MonthBoard, ids: &PublicIdKey) -> Vec<MonthRow> {
    let mut rows = month_rows(&board.entries, ids);
    for (row, entry) in rows.iter_mut().zip(&board.entries) {
        row.tier = board.tier_of(entry.weighted_wagered).map(|t| TierBadge {
            number: t.number,
            name: t.name.clone(),
            emoji: EmojiView::of(t.emoji.as_deref().unwrap_or("🏅")),
        });
        row.tips = board.tips_of(&entry.uid);
        row.tips_test_data = board.tips_test_data;
    }
    rows
}

/// One row of the weekly multiplier board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitRow {
    /// 1-based rank.
    pub rank: u32,
    /// Masked username.
    pub username: String,
    /// The ranked hit's multiplier.
    pub multiplier: Multiplier,
    /// Game identifier (`provider:game`).
    pub game_id: String,
    /// Human-readable game title (the identifier when the API gave none).
    pub game_title: String,
    /// The game's page on Roobet.
    pub game_url: String,
    /// Stake of the hit.
    pub bet: Cents,
    /// Payout of the hit.
    pub payout: Cents,
    /// Prize for the rank; zero past the prize table.
    pub prize: Cents,
}

/// One line of a prize table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrizeRow {
    /// 1-based rank.
    pub rank: u32,
    /// What that rank wins.
    pub prize: Cents,
}

/// The top [`PUBLIC_ROWS`] of this month's board.
pub fn month_rows(entries: &[MonthlyEntry], ids: &PublicIdKey) -> Vec<MonthRow> {
    entries
        .iter()
        .take(PUBLIC_ROWS)
        .map(|e| MonthRow {
            rank: e.rank,
            public_id: ids.public_id(&e.uid),
            username: mask_username(&e.username),
            wagered: e.wagered,
            weighted: e.weighted_wagered,
            prize: e.prize.unwrap_or(Cents::ZERO),
            tier: None,
            tips: Cents::ZERO,
            tips_test_data: false,
        })
        .collect()
}

/// The top [`PUBLIC_ROWS`] of a frozen month.
pub fn frozen_rows(rows: &[FinalStanding], ids: &PublicIdKey) -> Vec<MonthRow> {
    rows.iter()
        .take(PUBLIC_ROWS)
        .map(|r| MonthRow {
            rank: r.rank,
            public_id: ids.public_id(&r.uid),
            username: mask_username(&r.username),
            wagered: r.wagered,
            weighted: r.weighted,
            prize: r.prize,
            tier: None,
            tips: Cents::ZERO,
            tips_test_data: false,
        })
        .collect()
}

/// The top [`PUBLIC_ROWS`] of this week's multiplier board.
pub fn week_rows(entries: &[MultiplierEntry]) -> Vec<HitRow> {
    entries
        .iter()
        .take(PUBLIC_ROWS)
        .map(|e| HitRow {
            rank: e.rank,
            username: mask_username(&e.username),
            multiplier: e.hit.multiplier,
            game_id: e.hit.game_id.clone(),
            game_title: if e.hit.game_title.trim().is_empty() {
                e.hit.game_id.clone()
            } else {
                e.hit.game_title.clone()
            },
            game_url: game_url(&e.hit.game_id),
            bet: e.hit.bet,
            payout: e.hit.payout,
            prize: e.prize.unwrap_or(Cents::ZERO),
        })
        .collect()
}

/// A prize table as ranked lines, rank 1 first.
pub fn prize_rows(prizes: &[Cents]) -> Vec<PrizeRow> {
    prizes
        .iter()
        .zip(1u32..)
        .map(|(&prize, rank)| PrizeRow { rank, prize })
        .collect()
}

/// The prizes a frozen board actually awarded, by rank.
pub fn awarded_prizes(rows: &[FinalStanding]) -> Vec<PrizeRow> {
    rows.iter()
        .filter(|r| r.prize.is_positive())
        .map(|r| PrizeRow {
            rank: r.rank,
            prize: r.prize,
        })
        .collect()
}

/// `https://roobet.com/casino/game/{id}`, with the id escaped as one path
/// segment (identifiers come from the API; a `/` or `?` must not reshape
/// the link).
pub fn game_url(game_id: &str) -> String {
    let mut url = url::Url::parse("https://roobet.com/casino/game").expect("a constant URL parses");
    url.path_segments_mut()
        .expect("an https URL has path segments")
        .push(game_id);
    url.into()
}

/// A frozen month's standings in rank order, or `None` when that month was
/// never frozen. A month frozen with no ranked player is `Some(empty)`.
pub async fn frozen_month(
    state: &Arc<AppState>,
    month: MonthPeriod,
) -> Result<Option<Vec<FinalStanding>>, Error> {
    let mut conn = state.store.pool().acquire().await.map_err(Error::db)?;
    let key = month.key();
    let rows = standings::load(&mut conn, PeriodKind::Month, &key).await?;
    if !rows.is_empty() {
        return Ok(Some(rows));
    }
    let frozen = standings::frozen_keys(&mut conn, PeriodKind::Month).await?;
    Ok(frozen.contains(&key).then_some(rows))
}

/// Every frozen month, newest first (keys that do not parse are logged and
/// skipped rather than breaking the page).
pub async fn frozen_months(state: &Arc<AppState>) -> Result<Vec<MonthPeriod>, Error> {
    let mut conn = state.store.pool().acquire().await.map_err(Error::db)?;
    let keys = standings::frozen_keys(&mut conn, PeriodKind::Month).await?;
    Ok(keys
        .iter()
        .filter_map(|key| match MonthPeriod::parse(key) {
            Ok(month) => Some(month),
            Err(e) => {
                tracing::warn!(key, error = %ErrorChain(&e), "frozen month key does not parse");
                None
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn game_links_keep_the_identifier_as_one_segment() {
        assert_eq!(
            game_url("pragmatic:vs10bbbbrnd"),
            "https://roobet.com/casino/game/pragmatic:vs10bbbbrnd"
        );
        assert_eq!(
            game_url("a/b?c"),
            "https://roobet.com/casino/game/a%2Fb%3Fc"
        );
    }

    #[test]
    fn only_ten_rows_are_public_and_names_are_masked() {
        let ids = PublicIdKey::new(&[7u8; 32]).unwrap();
        let entries: Vec<MonthlyEntry> = (1..=12)
            .map(|rank| MonthlyEntry {
                rank,
                uid: format!("uid-{rank}"),
                username: format!("player{rank}"),
                wagered: Cents::new(100),
                weighted_wagered: Cents::new(50),
                prize: (rank <= 10).then_some(Cents::new(500)),
            })
            .collect();
        let rows = month_rows(&entries, &ids);
        assert_eq!(rows.len(), 10);
        assert_eq!(rows[0].username, "play***");
        assert_eq!(rows[0].public_id, ids.public_id("uid-1"));
        assert_eq!(rows[9].prize, Cents::new(500));
    }
}
