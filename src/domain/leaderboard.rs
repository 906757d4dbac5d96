//! Monthly weighted-wager leaderboard.
//!
//! Order: weighted wager desc, then total wager desc, then who reached the
//! weighted figure first (`weighted_since_ms` asc), then uid asc, so the
//! order is total and deterministic. Players with zero (or negative)
//! weighted wager and excluded uids are not ranked.

use std::cmp::Ordering;
use std::collections::HashSet;

use serde::Serialize;

use super::money::Cents;
use super::players::PlayerFigures;

/// Built-in monthly prizes for ranks 1..10 (USD 500…5, total $1,500).
pub fn default_monthly_prizes() -> Vec<Cents> {
    [500, 300, 225, 175, 125, 75, 40, 30, 25, 5]
        .into_iter()
        .map(Cents::from_dollars)
        .collect()
}

/// One ranked row. `username` is unmasked: mask before publishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthlyEntry {
    /// 1-based, contiguous, no shared ranks.
    pub rank: u32,
    /// Roobet uid (private).
    pub uid: String,
    /// Unmasked username.
    pub username: String,
    /// Total wager in the month.
    pub wagered: Cents,
    /// Weighted wager in the month.
    pub weighted_wagered: Cents,
    /// Prize for this rank, `None` past the end of the prize table.
    pub prize: Option<Cents>,
}

/// The ranking order used by [`rank_monthly`] (`Less` = ranked higher).
pub fn compare_monthly(a: &PlayerFigures, b: &PlayerFigures) -> Ordering {
    b.weighted_wagered
        .cmp(&a.weighted_wagered)
        .then(b.wagered.cmp(&a.wagered))
        .then(a.weighted_since_ms.cmp(&b.weighted_since_ms))
        .then_with(|| a.uid.cmp(&b.uid))
}

/// Ranks every eligible player (not just the prize winners); rank `n`
/// gets `prizes[n - 1]` when it exists. If a uid appears twice only its
/// better-placed entry is kept. Input order never matters.
pub fn rank_monthly(
    players: &[PlayerFigures],
    excluded: &HashSet<String>,
    prizes: &[Cents],
) -> Vec<MonthlyEntry> {
    let mut eligible: Vec<&PlayerFigures> = players
        .iter()
        .filter(|p| p.weighted_wagered.is_positive() && !excluded.contains(&p.uid))
        .collect();
    eligible.sort_by(|a, b| compare_monthly(a, b));
    let mut seen = HashSet::new();
    eligible.retain(|p| seen.insert(p.uid.as_str()));
    eligible
        .into_iter()
        .zip(1u32..)
        .map(|(p, rank)| MonthlyEntry {
            rank,
            uid: p.uid.clone(),
            username: p.username.clone(),
            wagered: p.wagered,
            weighted_wagered: p.weighted_wagered,
            prize: prizes.get(rank as usize - 1).copied(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::players::fixtures::player;
    use super::*;
    use proptest::prelude::*;

    fn uids(entries: &[MonthlyEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.uid.as_str()).collect()
    }

    #[test]
    fn default_prizes_total_1500_over_ten_ranks() {
        let prizes = default_monthly_prizes();
        assert_eq!(prizes.len(), 10);
        assert_eq!(prizes.iter().sum::<Cents>(), Cents::from_dollars(1500));
    }

    #[test]
    fn ties_break_on_total_then_first_to_reach_then_uid() {
        let mut late = player("a", "late", 900, 500);
        late.weighted_since_ms = 2_000;
        let mut early = player("z", "early", 900, 500);
        early.weighted_since_ms = 1_000;
        let more_total = player("m", "more", 1_000, 500);
        let same_as_late = PlayerFigures {
            uid: "b".into(),
            ..late.clone()
        };
        let players = [late, same_as_late, early, more_total];
        let ranked = rank_monthly(&players, &HashSet::new(), &[]);
        assert_eq!(uids(&ranked), ["m", "z", "a", "b"]);
        assert_eq!(
            ranked.iter().map(|e| e.rank).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
    }

    #[test]
    fn fewer_players_than_prizes_leaves_prizes_unawarded() {
        let players = [player("a", "a", 10, 10), player("b", "b", 30, 30)];
        let ranked = rank_monthly(&players, &HashSet::new(), &default_monthly_prizes());
        assert_eq!(uids(&ranked), ["b", "a"]);
        assert_eq!(ranked[0].prize, Some(Cents::from_dollars(500)));
        assert_eq!(ranked[1].prize, Some(Cents::from_dollars(300)));
    }

    #[test]
    fn players_past_the_prize_table_are_ranked_without_prize() {
        let players: Vec<_> = (1..=12)
            .map(|i| player(&format!("u{i:02}"), "n", i, i))
            .collect();
        let ranked = rank_monthly(&players, &HashSet::new(), &default_monthly_prizes());
        assert_eq!(ranked.len(), 12);
        assert_eq!(ranked[9].prize, Some(Cents::from_dollars(5)));
        assert_eq!(ranked[10].prize, None);
        assert_eq!(ranked[11].uid, "u01");
    }

    #[test]
    fn zero_weighted_wager_is_not_ranked_even_with_total_wager() {
        let players = [player("a", "a", 5_000, 0), player("b", "b", 1, 1)];
        assert_eq!(uids(&rank_monthly(&players, &HashSet::new(), &[])), ["b"]);
    }

    #[test]
    fn excluded_uids_are_left_out_and_do_not_take_a_prize() {
        let players = [player("staff", "s", 900, 900), player("b", "b", 1, 1)];
        let excluded = HashSet::from(["staff".to_owned()]);
        let ranked = rank_monthly(&players, &excluded, &[Cents::new(100)]);
        assert_eq!(uids(&ranked), ["b"]);
        assert_eq!(ranked[0].prize, Some(Cents::new(100)));
    }

    #[test]
    fn unicode_usernames_pass_through_unchanged() {
        let players = [player("a", "Ærøskøbing 🎰", 10, 10)];
        let ranked = rank_monthly(&players, &HashSet::new(), &[]);
        assert_eq!(ranked[0].username, "Ærøskøbing 🎰");
    }

    #[test]
    fn duplicate_uid_keeps_its_best_entry_only() {
        let players = [player("a", "old", 1, 1), player("a", "new", 9, 9)];
        let ranked = rank_monthly(&players, &HashSet::new(), &[]);
        assert_eq!(ranked.len(), 1);
        assert_eq!(ranked[0].username, "new");
    }

    fn arb_players() -> impl Strategy<Value = Vec<PlayerFigures>> {
        prop::collection::vec((0i64..5, 0i64..5, 0i64..3), 0..25).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (total, weighted, since))| PlayerFigures {
                    weighted_since_ms: since,
                    ..player(&format!("u{i}"), "n", total, weighted)
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn ranking_is_sorted_contiguous_and_filtered(
            players in arb_players(),
            excl in prop::collection::hash_set("u[0-9]", 0..4),
            n_prizes in 0usize..12,
        ) {
            let prizes: Vec<Cents> = (0..n_prizes as i64).map(|i| Cents::new(100 - i)).collect();
            let ranked = rank_monthly(&players, &excl, &prizes);
            let eligible = players.iter()
                .filter(|p| p.weighted_wagered.is_positive() && !excl.contains(&p.uid))
                .count();
            prop_assert_eq!(ranked.len(), eligible);
            for (i, e) in ranked.iter().enumerate() {
                prop_assert_eq!(e.rank as usize, i + 1);
                prop_assert!(!excl.contains(&e.uid));
                prop_assert!(e.weighted_wagered.is_positive());
                prop_assert_eq!(e.prize, prizes.get(i).copied());
            }
            for pair in ranked.windows(2) {
                prop_assert!(pair[0].weighted_wagered >= pair[1].weighted_wagered);
            }
        }

        #[test]
        fn ranking_ignores_input_order(
            (players, shuffled) in arb_players()
                .prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle()))
        ) {
            let none = HashSet::new();
            prop_assert_eq!(rank_monthly(&players, &none, &[]), rank_monthly(&shuffled, &none, &[]));
        }
    }
}
