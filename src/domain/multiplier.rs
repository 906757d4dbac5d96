//! Weekly multiplier board: each player's single highest multiplier.
//!
//! Order: multiplier desc, then larger payout, then uid asc. Players with
//! no hit (or a 0× hit), excluded uids, and hits below the optional minimum
//! bet are not ranked. Only `best_hit` is seen: if the best hit fails the
//! minimum bet the player is dropped, so callers should query the API with
//! the minimum bet applied when one is configured.

use std::cmp::Ordering;
use std::collections::HashSet;

use serde::Serialize;

use super::money::Cents;
use super::players::{Hit, PlayerFigures};

/// Built-in weekly prizes: #1 $20, #2 $15, #3 $5.
pub fn default_weekly_prizes() -> Vec<Cents> {
    [20, 15, 5].into_iter().map(Cents::from_dollars).collect()
}

/// One ranked row. `username` is unmasked: mask before publishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MultiplierEntry {
    /// 1-based, contiguous, no shared ranks.
    pub rank: u32,
    /// Roobet uid (private).
    pub uid: String,
    /// Unmasked username.
    pub username: String,
    /// The ranked hit.
    pub hit: Hit,
    /// Prize for this rank, `None` past the end of the prize table.
    pub prize: Option<Cents>,
}

fn compare(a: (&Hit, &str), b: (&Hit, &str)) -> Ordering {
    b.0.multiplier
        .cmp(&a.0.multiplier)
        .then(b.0.payout.cmp(&a.0.payout))
        .then_with(|| a.1.cmp(b.1))
}

/// Ranks every eligible player; rank `n` gets `prizes[n - 1]` if present.
/// `min_bet: None` (the default) means any bet counts; otherwise the hit's
/// bet must be ≥ `min_bet`. A repeated uid keeps its better entry.
pub fn rank_weekly(
    players: &[PlayerFigures],
    excluded: &HashSet<String>,
    prizes: &[Cents],
    min_bet: Option<Cents>,
) -> Vec<MultiplierEntry> {
    let mut eligible: Vec<(&Hit, &PlayerFigures)> = players
        .iter()
        .filter(|p| !excluded.contains(&p.uid))
        .filter_map(|p| p.best_hit.as_ref().map(|h| (h, p)))
        .filter(|(h, _)| h.multiplier.0 > 0 && min_bet.is_none_or(|min| h.bet >= min))
        .collect();
    eligible.sort_by(|a, b| compare((a.0, &a.1.uid), (b.0, &b.1.uid)));
    let mut seen = HashSet::new();
    eligible.retain(|(_, p)| seen.insert(p.uid.as_str()));
    eligible
        .into_iter()
        .zip(1u32..)
        .map(|((hit, p), rank)| MultiplierEntry {
            rank,
            uid: p.uid.clone(),
            username: p.username.clone(),
            hit: hit.clone(),
            prize: prizes.get(rank as usize - 1).copied(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::money::Multiplier;
    use super::super::players::fixtures::{hit, hitter, player};
    use super::*;
    use proptest::prelude::*;

    fn uids(entries: &[MultiplierEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.uid.as_str()).collect()
    }

    #[test]
    fn default_prizes_are_20_15_5() {
        let expected: Vec<_> = [2000, 1500, 500].map(Cents::new).into();
        assert_eq!(default_weekly_prizes(), expected);
    }

    #[test]
    fn highest_multiplier_wins_then_payout_then_uid() {
        let players = [
            hitter("c", hit("g", 50_000, 100)),
            hitter("b", hit("g", 50_000, 100)),
            hitter("a", hit("g", 50_000, 20)),
            hitter("d", hit("g", 90_000, 1)),
        ];
        let ranked = rank_weekly(&players, &HashSet::new(), &default_weekly_prizes(), None);
        assert_eq!(uids(&ranked), ["d", "b", "c", "a"]);
        assert_eq!(ranked[2].prize, Some(Cents::new(500)));
        assert_eq!(ranked[3].prize, None);
    }

    #[test]
    fn players_without_a_hit_or_excluded_are_not_ranked() {
        let players = [
            player("none", "n", 5, 5),
            hitter("x", hit("g", 200, 1)),
            hitter("y", hit("g", 100, 1)),
        ];
        let excluded = HashSet::from(["x".to_owned()]);
        assert_eq!(uids(&rank_weekly(&players, &excluded, &[], None)), ["y"]);
    }

    #[test]
    fn minimum_bet_drops_hits_below_it_and_keeps_equal() {
        let players = [
            hitter("low", hit("g", 99_900, 19)),
            hitter("ok", hit("g", 200, 20)),
        ];
        let ranked = rank_weekly(&players, &HashSet::new(), &[], Some(Cents::new(20)));
        assert_eq!(uids(&ranked), ["ok"]);
        assert_eq!(ranked[0].hit.multiplier, Multiplier(200));
        assert_eq!(rank_weekly(&players, &HashSet::new(), &[], None).len(), 2);
    }

    #[test]
    fn zero_multiplier_hit_is_not_ranked() {
        let players = [hitter("a", hit("g", 0, 100))];
        assert!(rank_weekly(&players, &HashSet::new(), &[], None).is_empty());
    }

    proptest! {
        #[test]
        fn weekly_ranking_is_sorted_and_respects_min_bet(
            rows in prop::collection::vec((0i64..4, 0i64..4, any::<bool>()), 0..20),
            min in prop::option::of(0i64..4),
        ) {
            let players: Vec<_> = rows.iter().enumerate().map(|(i, &(m, bet, has))| {
                let mut p = hitter(&format!("u{i}"), hit("g", m * 100, bet));
                if !has { p.best_hit = None; }
                p
            }).collect();
            let ranked = rank_weekly(&players, &HashSet::new(), &[Cents::new(1)], min.map(Cents::new));
            for (i, e) in ranked.iter().enumerate() {
                prop_assert_eq!(e.rank as usize, i + 1);
                prop_assert!(e.hit.multiplier.0 > 0);
                prop_assert!(min.is_none_or(|m| e.hit.bet.cents() >= m));
                prop_assert_eq!(e.prize.is_some(), i == 0);
            }
            for pair in ranked.windows(2) {
                prop_assert!(pair[0].hit.multiplier >= pair[1].hit.multiplier);
            }
        }
    }
}
