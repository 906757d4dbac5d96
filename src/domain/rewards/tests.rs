//! Tests for the rewards file.

use super::*;
use crate::domain::milestones::{total_tips, GOLD};

const FULL_EXAMPLE: &str = r##"
[monthly]
prizes = [500, 300, 225]
manual_approval = false

[weekly]
prizes = [20, 15, 5]
min_bet = 0.2

[[tiers]]
threshold = 50
tip = 1
colour = "#FFD700"
emoji = "<:rank1:123>"

[[tiers]]
threshold = 100.5
tip = 2.25
color = "c0c0c0"
name = "Silver"

[goals]
ladder = [25000, 50000]

[exclusions]
uids = [" staff-1 ", "staff-2", "staff-1"]
"##;

fn err(text: &str) -> String {
    Rewards::from_toml_str(text).unwrap_err().to_string()
}

#[test]
fn defaults_match_the_published_tables_and_validate() {
    let r = Rewards::default();
    r.validate().unwrap();
    assert_eq!(
        r.monthly_prizes.iter().sum::<Cents>(),
        Cents::from_dollars(1_500)
    );
    assert_eq!(r.weekly_prizes, [2_000, 1_500, 500].map(Cents::new));
    assert_eq!(total_tips(&r.tiers), Cents::from_dollars(5_422));
    assert_eq!(r.goals.len(), 20);
    assert!(
        !r.monthly_manual_approval,
        "the monthly board pays automatically by default"
    );
    assert_eq!(r.weekly_min_bet, None);
}

#[test]
fn empty_file_is_the_default() {
    assert_eq!(Rewards::from_toml_str("").unwrap(), Rewards::default());
}

#[test]
fn full_example_file_overrides_every_table() {
    let r = Rewards::from_toml_str(FULL_EXAMPLE).unwrap();
    assert_eq!(r.monthly_prizes, [50_000, 30_000, 22_500].map(Cents::new));
    assert!(!r.monthly_manual_approval);
    assert_eq!(r.weekly_min_bet, Some(Cents::new(20)));
    assert_eq!(r.tiers.len(), 2);
    assert_eq!(r.tiers[0].colour, GOLD);
    assert_eq!(r.tiers[0].name, "Rank 1");
    assert_eq!(r.tiers[0].emoji.as_deref(), Some("<:rank1:123>"));
    assert_eq!((r.tiers[1].number, r.tiers[1].name.as_str()), (2, "Silver"));
    assert_eq!(
        (r.tiers[1].threshold, r.tiers[1].tip),
        (Cents::new(10_050), Cents::new(225))
    );
    assert_eq!(r.tiers[1].colour, 0xC0C0C0);
    assert_eq!(
        r.goals,
        [Cents::from_dollars(25_000), Cents::from_dollars(50_000)]
    );
    assert_eq!(r.excluded_uids, ["staff-1", "staff-2"]);
    assert!(r.excluded_set().contains("staff-2"));
}

#[test]
fn a_section_replaces_only_the_keys_it_sets() {
    let r = Rewards::from_toml_str("[monthly]\nmanual_approval = true\n").unwrap();
    assert_eq!(r.monthly_prizes, Rewards::default().monthly_prizes);
    assert_eq!(r.tiers, Rewards::default().tiers);
    assert!(r.monthly_manual_approval);
}

#[test]
fn zero_weekly_min_bet_means_none() {
    let r = Rewards::from_toml_str("[weekly]\nmin_bet = 0\n").unwrap();
    assert_eq!(r.weekly_min_bet, None);
}

#[test]
fn syntax_errors_and_unknown_keys_are_rejected() {
    assert!(err("[monthly\nprizes = [1]").starts_with("rewards file is not valid"));
    assert!(err("[monthly]\nprize = [1]").contains("unknown field `prize`"));
    assert!(err("[bonus]\nx = 1").contains("unknown field `bonus`"));
    assert!(err("[monthly]\nprizes = [\"500\"]").starts_with("rewards file is not valid"));
}

#[test]
fn too_many_or_non_positive_prizes_are_rejected() {
    let eleven = "[monthly]\nprizes = [1,1,1,1,1,1,1,1,1,1,1]";
    assert_eq!(
        err(eleven),
        "monthly.prizes: at most 10 prizes allowed, got 11"
    );
    assert_eq!(
        err("[weekly]\nprizes = [5, 0]"),
        "weekly.prizes[1]: must be greater than 0"
    );
    assert_eq!(
        err("[weekly]\nprizes = [5, -1]"),
        "weekly.prizes[1]: figure is negative"
    );
    assert_eq!(
        err("[weekly]\nmin_bet = nan"),
        "weekly.min_bet: figure is not a finite number"
    );
}

#[test]
fn tier_thresholds_must_be_strictly_ascending() {
    let text = "[[tiers]]\nthreshold = 100\ntip = 1\ncolour = \"#FFD700\"\n\
                [[tiers]]\nthreshold = 100\ntip = 1\ncolour = \"#FFD700\"\n";
    assert_eq!(
        err(text),
        "tiers[1].threshold: thresholds must be strictly ascending ($100.00 is not above $100.00)"
    );
}

#[test]
fn tier_tip_and_colour_are_checked() {
    let tier = |tip: &str, colour: &str| {
        format!("[[tiers]]\nthreshold = 50\ntip = {tip}\ncolour = \"{colour}\"\n")
    };
    assert_eq!(
        err(&tier("0", "#FFD700")),
        "tiers[0].tip: must be greater than 0"
    );
    assert_eq!(
        err(&tier("1", "#FFD70")),
        "tiers[0].colour: `#FFD70` is not a colour; expected #RRGGBB"
    );
    assert_eq!(
        err(&tier("1", "gold")),
        "tiers[0].colour: `gold` is not a colour; expected #RRGGBB"
    );
    assert!(err("[[tiers]]\nthreshold = 50\ntip = 1\n").contains("missing field `colour`"));
}

#[test]
fn goals_must_be_positive_and_ascending() {
    assert_eq!(
        err("[goals]\nladder = [50000, 25000]"),
        "goals.ladder[1]: goals must be strictly ascending ($25,000.00 is not above $50,000.00)"
    );
    assert_eq!(
        err("[goals]\nladder = [0]"),
        "goals.ladder[0]: must be greater than 0"
    );
}

#[test]
fn blank_excluded_uid_is_rejected() {
    assert_eq!(
        err("[exclusions]\nuids = [\"  \"]"),
        "exclusions.uids[0]: must not be blank"
    );
}

#[test]
fn hand_built_tables_are_validated_too() {
    let mut r = Rewards::default();
    r.tiers[3].number = 9;
    assert_eq!(
        r.validate().unwrap_err().to_string(),
        "tiers[3].number: must be 4"
    );
    let r = Rewards {
        weekly_min_bet: Some(Cents::ZERO),
        ..Rewards::default()
    };
    assert!(r.validate().is_err());
}

#[test]
fn colour_parser_accepts_hash_optional_any_case() {
    assert_eq!(parse_colour("#ffd700"), Some(0xFFD700));
    assert_eq!(parse_colour("FFD700"), Some(0xFFD700));
    assert_eq!(parse_colour("#+FD700"), None);
    assert_eq!(parse_colour("0xFFD7"), None);
}

#[test]
fn tier_emojis_map_in_one_line_per_rank() {
    let r = Rewards::from_toml_str(
        "[milestones.emojis]\n1 = \"<:rank1:1389367229417656543>\"\nrank2 = \"<a:rank2:1389367229417656544>\"\n\"Rank 30\" = \"👑\"\n",
    )
    .unwrap();
    assert_eq!(
        r.tiers[0].emoji.as_deref(),
        Some("<:rank1:1389367229417656543>")
    );
    assert_eq!(
        r.tiers[1].emoji.as_deref(),
        Some("<a:rank2:1389367229417656544>")
    );
    assert_eq!(r.tiers[29].emoji.as_deref(), Some("👑"));
    assert_eq!(r.tiers[2].emoji, None, "unmapped tiers keep their default");
    assert_eq!(r.tiers.len(), 30, "the tier table itself is untouched");
}

#[test]
fn tier_emoji_mistakes_name_the_key() {
    assert_eq!(
        err("[milestones.emojis]\n31 = \"👑\""),
        "milestones.emojis.31: no tier `31`: use a rank number from 1 to 30"
    );
    assert!(err("[milestones.emojis]\n1 = \"rank one\"")
        .starts_with("milestones.emojis.1: `rank one` is not an emoji"));
}
