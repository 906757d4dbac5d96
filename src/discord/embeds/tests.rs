use chrono::{TimeZone, Utc};
use twilight_model::channel::message::embed::{Embed, EmbedField};

use super::*;
use crate::domain::leaderboard::{default_monthly_prizes, MonthlyEntry};
use crate::domain::money::Multiplier;
use crate::domain::multiplier::default_weekly_prizes;
use crate::domain::period::{MonthPeriod, WeekPeriod};
use crate::domain::players::Hit;
use crate::domain::players::MonthTotals;

const BASE: &str = "https://fts.example/";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
}

fn monthly(rank: u32, name: &str, weighted: i64, total: i64, prize: Option<Cents>) -> MonthlyEntry {
    MonthlyEntry {
        rank,
        uid: format!("uid-{rank}"),
        username: name.to_string(),
        wagered: Cents::new(total),
        weighted_wagered: Cents::new(weighted),
        prize,
    }
}

fn month_board(entries: Vec<MonthlyEntry>) -> MonthBoard {
    MonthBoard {
        period: MonthPeriod::containing(now()),
        entries,
        prizes: default_monthly_prizes(),
        totals: MonthTotals::default(),
        tiers: crate::domain::milestones::default_tiers(),
        tips: [("uid-1".to_string(), Cents::new(5_400))]
            .into_iter()
            .collect(),
        tips_test_data: false,
    }
}

fn weekly(rank: u32, name: &str, game: (&str, &str), mult: i64, bet: i64) -> MultiplierEntry {
    MultiplierEntry {
        rank,
        uid: format!("uid-{rank}"),
        username: name.to_string(),
        hit: Hit {
            multiplier: Multiplier(mult),
            bet: Cents::new(bet),
            payout: Cents::new(bet.saturating_mul(mult) / 100),
            game_id: game.0.to_string(),
            game_title: game.1.to_string(),
        },
        prize: default_weekly_prizes().get(rank as usize - 1).copied(),
    }
}

fn week_board(entries: Vec<MultiplierEntry>, min_bet: Option<Cents>) -> WeekBoard {
    WeekBoard {
        period: WeekPeriod::containing(now()),
        entries,
        prizes: default_weekly_prizes(),
        min_bet,
    }
}

fn field(embed: &Embed, name: &str) -> String {
    let found: Option<&EmbedField> = embed.fields.iter().find(|f| f.name == name);
    found.map(|f| f.value.clone()).unwrap_or_default()
}

fn valid(embed: &Embed) -> bool {
    twilight_validate::embed::embed(embed).is_ok() && embed_chars(embed) <= limits::TOTAL
}

#[test]
fn monthly_board_text_is_stable() {
    let board = month_board(vec![
        monthly(1, "alice", 123_456, 200_000, Some(Cents::new(50_000))),
        monthly(2, "LuckyDuck", 98_765, 100_000, Some(Cents::new(30_000))),
    ]);
    let embed = leaderboard_embed(&board, Some(now()), BASE);
    insta::assert_json_snapshot!("monthly_board", embed);
}

#[test]
fn demo_tips_on_the_board_say_they_are_test_data() {
    let mut board = month_board(vec![monthly(1, "alice", 123_456, 200_000, None)]);
    let real = leaderboard_embed(&board, Some(now()), BASE);
    assert!(
        real.description
            .as_deref()
            .unwrap()
            .contains("💸 $54.00 tips"),
        "{real:?}"
    );
    board.tips_test_data = true;
    let demo = leaderboard_embed(&board, Some(now()), BASE);
    assert!(
        demo.description
            .as_deref()
            .unwrap()
            .contains("💸 $54.00 test tips"),
        "{demo:?}"
    );
}

#[test]
fn empty_monthly_board_says_so_and_still_shows_prizes_and_countdown() {
    let embed = leaderboard_embed(&month_board(Vec::new()), None, "http://localhost:8080");
    assert_eq!(
        embed.description.as_deref(),
        Some("No ranked players yet this month.\n\n[Full leaderboard and rules](http://localhost:8080/)")
    );
    assert_eq!(field(&embed, "Prize pool"), "$1,500");
    assert_eq!(field(&embed, "Last update"), "Waiting for the first update");
}

#[test]
fn weekly_board_text_is_stable() {
    let olympus = ("pragmatic:vs20olympgate", "Gates of Olympus");
    let entries = vec![
        weekly(1, "alice", olympus, 51_240, 100),
        weekly(
            2,
            "bob",
            ("hacksaw:1234", "Wanted [Dead] or a Wild"),
            20_000,
            40,
        ),
        weekly(3, "carol_x", olympus, 10_000, 20),
        weekly(4, "dave99", olympus, 5_000, 20),
    ];
    let embed = multiplier_embed(
        &week_board(entries, Some(Cents::new(20))),
        Some(now()),
        BASE,
    );
    insta::assert_json_snapshot!("weekly_board", embed);
}

#[test]
fn weekly_board_without_min_bet_or_hits() {
    let embed = multiplier_embed(&week_board(Vec::new(), None), None, BASE);
    assert!(embed
        .description
        .unwrap()
        .starts_with("No multiplier hits yet this week.\n"));
    assert!(embed.fields.iter().all(|f| f.name != "Minimum bet"));
}

#[test]
fn markdown_in_names_is_escaped_and_raw_names_never_appear() {
    let board = month_board(vec![monthly(1, "*_~x_`abc", 10, 10, None)]);
    let published = Published {
        month: board,
        ..Published::empty(now(), Vec::new(), Vec::new())
    };
    let body = leaderboard_message(&published, BASE);
    let description = body["embeds"][0]["description"].as_str().unwrap();
    assert!(
        description.starts_with(r"#1 \*\_\~x\_\`\*\*\* — $0.10 weighted"),
        "{description}"
    );
    assert!(!body.to_string().contains("*_~x_`abc"));
}

#[test]
fn every_body_mentions_no_one() {
    let published = Published::empty(now(), default_monthly_prizes(), default_weekly_prizes());
    for body in [
        leaderboard_message(&published, BASE),
        multiplier_message(&published, BASE),
    ] {
        assert_eq!(body["allowed_mentions"], json!({ "parse": [] }));
        assert_eq!(body["embeds"].as_array().unwrap().len(), 1);
    }
}

#[test]
fn game_ids_cannot_break_out_of_the_link() {
    assert_eq!(
        game_url("pragmatic:vs10bbbbrnd"),
        "https://roobet.com/casino/game/pragmatic:vs10bbbbrnd"
    );
    assert_eq!(
        game_url("a b)(c"),
        "https://roobet.com/casino/game/a%20b%29%28c"
    );
}

#[test]
fn the_largest_possible_boards_fit_discords_limits() {
    let name = "*".repeat(50);
    let huge = Cents::new(i64::MAX);
    let mut month = month_board(
        (1..=10)
            .map(|rank| monthly(rank, &name, huge.cents(), huge.cents(), Some(huge)))
            .collect(),
    );
    month.prizes = vec![huge; 10];
    let embed = leaderboard_embed(&month, Some(now()), &format!("https://{}", "x".repeat(200)));
    assert!(valid(&embed), "{} chars", embed_chars(&embed));
    assert!(
        embed.description.unwrap().contains("#10 "),
        "all ten rows fit"
    );

    let title = "]".repeat(500);
    let id = ")".repeat(300);
    let entries = (1..=10)
        .map(|rank| weekly(rank, &name, (&id, &title), i64::MAX / 200, i64::MAX / 200))
        .collect();
    let embed = multiplier_embed(&week_board(entries, Some(huge)), Some(now()), BASE);
    assert!(valid(&embed), "{} chars", embed_chars(&embed));
}

#[test]
fn oversized_embeds_are_cut_at_whole_lines() {
    let line = "#1 a\\*\\*\\* — $1.00";
    let mut embed = EmbedBuilder::new()
        .title("t".repeat(300))
        .description(vec![line; 1000].join("\n"))
        .footer(EmbedFooterBuilder::new("f".repeat(3000)))
        .build();
    embed.fields = (0..30)
        .map(|i| EmbedFieldBuilder::new(format!("n{i}"), "v".repeat(2000)).build())
        .collect();
    let fitted = fit_to_limits(embed);
    assert!(valid(&fitted), "{} chars", embed_chars(&fitted));
    let description = fitted.description.unwrap();
    assert!(description.ends_with("\n…"));
    assert!(description.lines().rev().skip(1).all(|l| l == line));
}

#[test]
fn a_message_never_carries_more_than_ten_embeds_or_6000_chars() {
    let big = EmbedBuilder::new().description("d".repeat(4000)).build();
    let body = message_body(vec![big; 12]);
    let embeds = body["embeds"].as_array().unwrap();
    assert_eq!(embeds.len(), 1, "two 4000-char embeds exceed 6000");
    let small = EmbedBuilder::new().description("d").build();
    let body = message_body(vec![small; 12]);
    assert_eq!(body["embeds"].as_array().unwrap().len(), limits::EMBEDS);
}

#[test]
fn prizes_read_as_round_figures_when_they_are() {
    assert_eq!(prize_text(Cents::new(50_000)), "$500");
    assert_eq!(prize_text(Cents::new(1_250)), "$12.50");
    assert_eq!(prize_text(Cents::new(150_000_000)), "$1,500,000");
}
