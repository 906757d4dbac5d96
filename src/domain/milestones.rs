//! Monthly wager milestones ("Rank N" tiers).
//!
//! A player earns each tier once per month when the month's weighted wager
//! is ≥ the tier's threshold. Crossing several tiers between two polls
//! earns every one of them, in tier order. Tier tables must have strictly
//! ascending thresholds (enforced by [`super::rewards::Rewards::validate`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::money::Cents;

/// Gold `#FFD700`.
pub const GOLD: u32 = 0xFFD700;
/// Silver `#C0C0C0`.
pub const SILVER: u32 = 0xC0C0C0;
/// Bronze `#CD7F32`.
pub const BRONZE: u32 = 0xCD7F32;
/// Spring green `#00FF7F`.
pub const SPRING_GREEN: u32 = 0x00FF7F;
/// Deep sky blue `#00BFFF`.
pub const SKY_BLUE: u32 = 0x00BFFF;
/// Blue violet `#8A2BE2` ("purple").
pub const PURPLE: u32 = 0x8A2BE2;
/// Deep pink `#FF1493`.
pub const DEEP_PINK: u32 = 0xFF1493;
/// Orange red `#FF4500`.
pub const ORANGE_RED: u32 = 0xFF4500;
/// Crimson `#DC143C`.
pub const CRIMSON: u32 = 0xDC143C;

/// One milestone tier. `number` is 1-based and is what payout keys and the
/// "already awarded" set refer to, so never renumber tiers mid-month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    /// 1-based position in the table.
    pub number: u32,
    /// Display name, "Rank N" by default.
    pub name: String,
    /// Weighted wager needed this month.
    pub threshold: Cents,
    /// Tip paid once when reached.
    pub tip: Cents,
    /// Embed colour `0xRRGGBB`.
    pub colour: u32,
    /// Optional Discord emoji (`<:name:id>` or a Unicode emoji).
    pub emoji: Option<String>,
}

/// (threshold USD, tip USD, colour) for the 30 built-in tiers.
const DEFAULT_TABLE: [(i64, i64, u32); 30] = [
    (50, 1, GOLD),
    (100, 1, GOLD),
    (150, 1, GOLD),
    (250, 1, GOLD),
    (400, 1, GOLD),
    (600, 2, SILVER),
    (800, 2, SILVER),
    (1_000, 2, SILVER),
    (1_500, 3, BRONZE),
    (2_000, 3, BRONZE),
    (2_500, 3, BRONZE),
    (3_000, 3, BRONZE),
    (5_000, 11, SPRING_GREEN),
    (7_500, 14, SPRING_GREEN),
    (10_000, 14, SPRING_GREEN),
    (15_000, 27, SKY_BLUE),
    (20_000, 27, SKY_BLUE),
    (25_000, 27, SKY_BLUE),
    (35_000, 54, PURPLE),
    (50_000, 81, PURPLE),
    (75_000, 135, DEEP_PINK),
    (100_000, 149, DEEP_PINK),
    (150_000, 270, ORANGE_RED),
    (200_000, 270, ORANGE_RED),
    (250_000, 270, ORANGE_RED),
    (350_000, 540, CRIMSON),
    (500_000, 810, CRIMSON),
    (650_000, 810, CRIMSON),
    (800_000, 810, CRIMSON),
    (1_000_000, 1_080, GOLD),
];

/// Default display name for tier `number`: `"Rank N"`.
pub fn tier_name(number: u32) -> String {
    format!("Rank {number}")
}

/// The built-in 30-tier table (tips total $5,422; no emoji).
pub fn default_tiers() -> Vec<Tier> {
    DEFAULT_TABLE
        .iter()
        .zip(1u32..)
        .map(|(&(threshold, tip, colour), number)| Tier {
            number,
            name: tier_name(number),
            threshold: Cents::from_dollars(threshold),
            tip: Cents::from_dollars(tip),
            colour,
            emoji: None,
        })
        .collect()
}

/// Sum of all tips in a table.
pub fn total_tips(tiers: &[Tier]) -> Cents {
    tiers.iter().map(|t| t.tip).sum()
}

/// Tiers reached by `weighted` that are not in `already_awarded` (tier
/// numbers awarded this month), in table order. The caller pays each one
/// with [`super::payout_keys::milestone_key`] so retries stay idempotent.
pub fn newly_reached<'a>(
    tiers: &'a [Tier],
    already_awarded: &BTreeSet<u32>,
    weighted: Cents,
) -> Vec<&'a Tier> {
    tiers
        .iter()
        .filter(|t| t.threshold <= weighted && !already_awarded.contains(&t.number))
        .collect()
}

/// Highest tier whose threshold is ≤ `weighted`, if any.
pub fn current_tier(tiers: &[Tier], weighted: Cents) -> Option<&Tier> {
    tiers
        .iter()
        .filter(|t| t.threshold <= weighted)
        .max_by_key(|t| t.threshold)
}

/// Lowest tier still above `weighted`, with the amount missing to reach it
/// (always > 0). `None` once every tier is reached.
pub fn next_tier(tiers: &[Tier], weighted: Cents) -> Option<(&Tier, Cents)> {
    tiers
        .iter()
        .filter(|t| t.threshold > weighted)
        .min_by_key(|t| t.threshold)
        .map(|t| (t, t.threshold - weighted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn numbers(tiers: &[&Tier]) -> Vec<u32> {
        tiers.iter().map(|t| t.number).collect()
    }

    #[test]
    fn default_table_has_30_ascending_tiers_and_tips_total_5422() {
        let tiers = default_tiers();
        assert_eq!(tiers.len(), 30);
        assert_eq!(total_tips(&tiers), Cents::from_dollars(5_422));
        assert!(tiers.windows(2).all(|w| w[0].threshold < w[1].threshold));
        assert_eq!(tiers[0].name, "Rank 1");
        assert_eq!(tiers[29].threshold, Cents::from_dollars(1_000_000));
        assert_eq!(
            (tiers[12].tip, tiers[12].colour),
            (Cents::from_dollars(11), 0x00FF7F)
        );
        assert_eq!(tiers[29].colour, GOLD);
        assert!(tiers.iter().all(|t| t.emoji.is_none()));
    }

    #[test]
    fn crossing_several_tiers_at_once_earns_each_in_order() {
        let tiers = default_tiers();
        let got = newly_reached(&tiers, &BTreeSet::new(), Cents::from_dollars(260));
        assert_eq!(numbers(&got), [1, 2, 3, 4]);
    }

    #[test]
    fn already_awarded_tiers_are_not_earned_again() {
        let tiers = default_tiers();
        let awarded = BTreeSet::from([1, 2, 3]);
        let got = newly_reached(&tiers, &awarded, Cents::from_dollars(400));
        assert_eq!(numbers(&got), [4, 5]);
    }

    #[test]
    fn threshold_is_inclusive() {
        let tiers = default_tiers();
        assert_eq!(
            numbers(&newly_reached(&tiers, &BTreeSet::new(), Cents::new(4_999))),
            Vec::<u32>::new()
        );
        assert_eq!(
            numbers(&newly_reached(&tiers, &BTreeSet::new(), Cents::new(5_000))),
            [1]
        );
    }

    #[test]
    fn current_and_next_tier_report_progress() {
        let tiers = default_tiers();
        assert!(current_tier(&tiers, Cents::new(0)).is_none());
        let (next, missing) = next_tier(&tiers, Cents::new(0)).unwrap();
        assert_eq!((next.number, missing), (1, Cents::from_dollars(50)));
        assert_eq!(
            current_tier(&tiers, Cents::from_dollars(120))
                .unwrap()
                .number,
            2
        );
        let (next, missing) = next_tier(&tiers, Cents::from_dollars(120)).unwrap();
        assert_eq!((next.number, missing), (3, Cents::from_dollars(30)));
        let top = Cents::from_dollars(2_000_000);
        assert_eq!(current_tier(&tiers, top).unwrap().number, 30);
        assert!(next_tier(&tiers, top).is_none());
    }

    proptest! {
        #[test]
        fn newly_reached_plus_awarded_covers_exactly_the_reached_tiers(
            weighted in 0i64..120_000_000,
            awarded in prop::collection::btree_set(1u32..=30, 0..30),
        ) {
            let tiers = default_tiers();
            let w = Cents::new(weighted);
            let got = newly_reached(&tiers, &awarded, w);
            prop_assert!(got.windows(2).all(|p| p[0].number < p[1].number));
            prop_assert!(got.iter().all(|t| t.threshold <= w && !awarded.contains(&t.number)));
            let reached = tiers.iter().filter(|t| t.threshold <= w).count();
            let reached_awarded = tiers.iter()
                .filter(|t| t.threshold <= w && awarded.contains(&t.number)).count();
            prop_assert_eq!(got.len() + reached_awarded, reached);
            match (current_tier(&tiers, w), next_tier(&tiers, w)) {
                (Some(c), Some((n, missing))) => {
                    prop_assert_eq!(c.number + 1, n.number);
                    prop_assert!(missing.is_positive());
                    prop_assert_eq!(w + missing, n.threshold);
                }
                (None, Some((n, _))) => prop_assert_eq!(n.number, 1),
                (Some(c), None) => prop_assert_eq!(c.number, 30),
                (None, None) => prop_assert!(false, "table is not empty"),
            }
        }
    }
}
