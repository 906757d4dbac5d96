//! Tests for slot challenges.

use super::super::players::fixtures::{hit, hitter};
use super::*;

const GAME: &str = "pragmatic:vs20olympgate";

fn rule(required: i64, min_bet: Option<i64>) -> ChallengeRule {
    ChallengeRule {
        game_id: GameIdentifier::parse(GAME).unwrap(),
        required: Multiplier(required),
        min_bet: min_bet.map(Cents::new),
    }
}

fn draft() -> ChallengeDraft<'static> {
    ChallengeDraft {
        game_id: GAME,
        name: " Gates of Olympus ",
        multiplier: "500",
        prize: "$25",
        min_bet: None,
        emoji: None,
    }
}

fn error(d: ChallengeDraft<'_>) -> String {
    NewChallenge::validate(&d, Cents::from_dollars(100), &[])
        .unwrap_err()
        .to_string()
}

#[test]
fn highest_qualifying_multiplier_wins() {
    let players = [
        hitter("a", hit(GAME, 60_000, 100)),
        hitter("b", hit(GAME, 70_000, 20)),
        hitter("c", hit(GAME, 40_000, 500)),
    ];
    let winner = pick_winner(&rule(50_000, None), &players, &HashSet::new()).unwrap();
    assert_eq!(winner.uid, "b");
    assert_eq!(winner.hit.multiplier, Multiplier(70_000));
}

#[test]
fn multiplier_equal_to_required_qualifies_and_one_hundredth_below_does_not() {
    let at = [hitter("a", hit(GAME, 50_000, 1))];
    let below = [hitter("a", hit(GAME, 49_999, 1))];
    assert!(pick_winner(&rule(50_000, None), &at, &HashSet::new()).is_some());
    assert!(pick_winner(&rule(50_000, None), &below, &HashSet::new()).is_none());
}

#[test]
fn ties_break_on_larger_bet_then_uid() {
    let players = [
        hitter("z", hit(GAME, 60_000, 100)),
        hitter("y", hit(GAME, 60_000, 100)),
        hitter("a", hit(GAME, 60_000, 50)),
    ];
    assert_eq!(
        pick_winner(&rule(101, None), &players, &HashSet::new())
            .unwrap()
            .uid,
        "y"
    );
}

#[test]
fn hit_on_another_game_never_qualifies() {
    let players = [
        hitter("a", hit("pragmatic:other", 900_000, 100)),
        hitter("b", hit("Pragmatic:vs20olympgate", 900_000, 100)),
    ];
    assert!(pick_winner(&rule(101, None), &players, &HashSet::new()).is_none());
}

#[test]
fn min_bet_is_inclusive_when_set() {
    let players = [
        hitter("low", hit(GAME, 900_000, 19)),
        hitter("ok", hit(GAME, 60_000, 20)),
    ];
    let winner = pick_winner(&rule(101, Some(20)), &players, &HashSet::new()).unwrap();
    assert_eq!(winner.uid, "ok");
}

#[test]
fn excluded_players_never_win() {
    let players = [
        hitter("staff", hit(GAME, 900_000, 100)),
        hitter("b", hit(GAME, 200, 1)),
    ];
    let excluded = HashSet::from(["staff".to_owned()]);
    assert_eq!(
        pick_winner(&rule(101, None), &players, &excluded)
            .unwrap()
            .uid,
        "b"
    );
}

#[test]
fn game_identifier_rules() {
    assert!(GameIdentifier::parse(" hacksaw:wanted-dead_or_a_wild ").is_ok());
    assert!(GameIdentifier::parse("a:b:c").is_ok());
    assert_eq!(GameIdentifier::parse(""), Err(ChallengeError::GameIdEmpty));
    assert_eq!(
        GameIdentifier::parse("nocolon"),
        Err(ChallengeError::GameIdShape)
    );
    assert_eq!(
        GameIdentifier::parse(":game"),
        Err(ChallengeError::GameIdShape)
    );
    assert_eq!(
        GameIdentifier::parse("a::b"),
        Err(ChallengeError::GameIdShape)
    );
    assert_eq!(
        GameIdentifier::parse("p:g g"),
        Err(ChallengeError::GameIdCharacters)
    );
    assert_eq!(
        GameIdentifier::parse("p:gäme"),
        Err(ChallengeError::GameIdCharacters)
    );
    let long = format!("p:{}", "g".repeat(119));
    assert_eq!(
        GameIdentifier::parse(&long),
        Err(ChallengeError::GameIdTooLong)
    );
    let exactly_120 = format!("p:{}", "g".repeat(118));
    assert!(GameIdentifier::parse(&exactly_120).is_ok());
}

#[test]
fn valid_draft_is_normalised() {
    let d = ChallengeDraft {
        min_bet: Some("0"),
        emoji: Some(" <:gates:123> "),
        ..draft()
    };
    let c = NewChallenge::validate(
        &d,
        Cents::from_dollars(100),
        &[ChallengeRule {
            game_id: GameIdentifier::parse("other:game").unwrap(),
            ..rule(50_000, None)
        }],
    )
    .unwrap();
    assert_eq!(c.name, "Gates of Olympus");
    assert_eq!(c.required, Multiplier(50_000));
    assert_eq!(c.prize, Cents::new(2_500));
    assert_eq!(c.min_bet, None);
    assert_eq!(c.emoji.as_deref(), Some("<:gates:123>"));
    assert_eq!(c.rule().game_id.as_str(), GAME);
}

#[test]
fn errors_name_the_option_and_the_rule() {
    assert_eq!(
        error(ChallengeDraft {
            multiplier: "1",
            ..draft()
        }),
        "multiplier must be at least 1.01"
    );
    assert_eq!(
        error(ChallengeDraft {
            multiplier: "abc",
            ..draft()
        }),
        "multiplier is not a number; use digits such as 12.50"
    );
    assert_eq!(
        error(ChallengeDraft {
            multiplier: "2000000",
            ..draft()
        }),
        "multiplier must be at most 1000000.00"
    );
    assert_eq!(
        error(ChallengeDraft {
            prize: "0",
            ..draft()
        }),
        "prize must be greater than 0"
    );
    assert_eq!(
        error(ChallengeDraft {
            prize: "1.999",
            ..draft()
        }),
        "prize must have at most 2 decimal places"
    );
    assert_eq!(
        error(ChallengeDraft {
            prize: "100.01",
            ..draft()
        }),
        "prize must be at most $100.00"
    );
    assert_eq!(
        error(ChallengeDraft {
            min_bet: Some("-1"),
            ..draft()
        }),
        "min bet must be 0 or more"
    );
    assert_eq!(
        error(ChallengeDraft {
            name: "  ",
            ..draft()
        }),
        "name must not be empty"
    );
    assert_eq!(
        error(ChallengeDraft {
            name: "a\nb",
            ..draft()
        }),
        "name must be a single line of text"
    );
    assert_eq!(
        error(ChallengeDraft {
            emoji: Some("not emoji"),
            ..draft()
        }),
        ChallengeError::Emoji.to_string()
    );
    assert_eq!(
        error(ChallengeDraft {
            emoji: Some("<:x:12a>"),
            ..draft()
        }),
        ChallengeError::Emoji.to_string()
    );
}

#[test]
fn prize_equal_to_max_and_unicode_emoji_are_accepted() {
    let d = ChallengeDraft {
        prize: "100",
        emoji: Some("🎰"),
        ..draft()
    };
    let c = NewChallenge::validate(&d, Cents::from_dollars(100), &[]).unwrap();
    assert_eq!(
        (c.prize, c.emoji.as_deref()),
        (Cents::new(10_000), Some("🎰"))
    );
    let animated = ChallengeDraft {
        emoji: Some("<a:spin:99>"),
        ..draft()
    };
    assert!(NewChallenge::validate(&animated, Cents::new(10_000), &[]).is_ok());
}

#[test]
fn several_challenges_per_game_but_never_the_same_rule_and_at_most_ten() {
    let max = Cents::from_dollars(100);
    let first = NewChallenge::validate(&draft(), max, &[]).unwrap();
    let dup = NewChallenge::validate(&draft(), max, &[first.rule()]).unwrap_err();
    assert_eq!(
        dup.to_string(),
        "a challenge for that game with the same multiplier and minimum bet is already active"
    );
    let higher = ChallengeDraft {
        multiplier: "1000",
        ..draft()
    };
    let second = NewChallenge::validate(&higher, max, &[first.rule()]).unwrap();
    assert_eq!(second.game_id, first.game_id);
    let ten: Vec<ChallengeRule> = (0..10)
        .map(|i| ChallengeRule {
            game_id: GameIdentifier::parse(&format!("p:g{i}")).unwrap(),
            required: Multiplier(10_000),
            min_bet: None,
        })
        .collect();
    let full = NewChallenge::validate(&draft(), max, &ten).unwrap_err();
    assert_eq!(
        full.to_string(),
        "10 challenges are already active; end one first"
    );
    assert!(NewChallenge::validate(&draft(), max, &ten[..9]).is_ok());
}

#[test]
fn admin_typed_names_are_cleaned_like_casino_text() {
    let d = ChallengeDraft {
        name: "\u{202e}Gates\u{200b} of\u{2060} Olympus\u{2800}",
        ..draft()
    };
    let c = NewChallenge::validate(&d, Cents::from_dollars(100), &[]).unwrap();
    assert_eq!(c.name, "Gates of Olympus");
    // Nothing visible left: refused as empty, not stored as blanks.
    assert_eq!(
        error(ChallengeDraft {
            name: "\u{200b}\u{3164}\u{202e}",
            ..draft()
        }),
        "name must not be empty"
    );
}
