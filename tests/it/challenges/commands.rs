//! The challenge commands: every bad call refused with a clear message and
//! no change, cancellation stopping detection, autocomplete, results and
//! game stats.

use chrono::Duration;
use fts_assistant::discord::synth::{Caller, OptionValue, SynthInteraction};
use fts_assistant::jobs::poll::run_and_record;
use fts_assistant::roobet::fake::FakeCallKind;
use fts_assistant::store::games;

use super::support::*;
use crate::common::{self, test_start, Db, TestApp};

async fn bad_calls_are_refused_and_change_nothing(db: Db) {
    let casino = casino().await;
    let Some(app) = TestApp::spawn_full(db, test_start(), false, wire(&casino, None)).await else {
        return;
    };
    let first = setchallenge(BASS, "Big Bass Bonanza", 100.0, 25.0);
    let created = app.interact(&first).await.1;
    // A replay of the same signed request answers the same and creates nothing.
    assert_eq!(app.interact(&first).await.1, created);
    let refusals: Vec<(SynthInteraction, &str)> = vec![
        (
            setchallenge(BASS, "Again", 100.0, 25.0),
            "a challenge for that game with the same multiplier and minimum bet is already active",
        ),
        (
            setchallenge(GATES, "Gates", 100.0, 25.0).by(Caller::Member),
            "admins only",
        ),
        (
            setchallenge("nocolon", "Gates", 100.0, 25.0),
            "`game_identifier`: game must look like provider:game",
        ),
        (
            setchallenge("p:bad game", "Gates", 100.0, 25.0),
            "`game_identifier`: game may only contain",
        ),
        (
            setchallenge(GATES, "Gates", 1.0, 25.0),
            "`multiplier`: multiplier must be at least 1.01",
        ),
        (
            setchallenge(GATES, "Gates", 2_000_000.0, 25.0),
            "`multiplier`: multiplier must be at most",
        ),
        (
            setchallenge(GATES, "Gates", 100.0, 0.0),
            "`prize`: prize must be greater than 0",
        ),
        (
            setchallenge(GATES, "Gates", 100.0, -5.0),
            "`prize`: prize must be greater than 0",
        ),
        (
            setchallenge(GATES, "Gates", 100.0, 1.999),
            "`prize`: prize must have at most 2 decimal places",
        ),
        (
            setchallenge(GATES, "Gates", 100.0, 1_000.01),
            "`prize`: prize must be at most $1,000.00",
        ),
        (
            set_with(
                GATES,
                "Gates",
                100.0,
                5.0,
                &[("min_bet", OptionValue::Number(-1.0))],
            ),
            "`min_bet`: min bet must be 0 or more",
        ),
        (
            set_with(
                GATES,
                "Gates",
                100.0,
                5.0,
                &[("emoji", OptionValue::String("not emoji".into()))],
            ),
            "`emoji`: emoji must be a single emoji",
        ),
        (
            setchallenge(GATES, " ", 100.0, 5.0),
            "`game_name` is required",
        ),
        (
            setchallenge(GATES, &"n".repeat(101), 100.0, 5.0),
            "`game_name`: name must be at most 100 characters",
        ),
    ];
    for (interaction, expected) in refusals {
        let text = say(&app, &interaction).await;
        assert!(text.contains(expected), "expected {expected:?} in {text:?}");
    }
    for i in 2..=10 {
        say(
            &app,
            &setchallenge(&format!("p:g{i}"), "Game", 100.0, 1_000.0),
        )
        .await;
    }
    let text = say(&app, &setchallenge(GATES, "Gates", 100.0, 5.0)).await;
    assert!(text.contains("10 challenges are already active"), "{text}");
    assert_eq!(app.count("SELECT COUNT(*) FROM challenges").await, 10);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, 10);
    assert_eq!(
        json(&app, "/api/challenges").await["challenges"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
}

async fn cancelling_stops_detection_and_pays_nothing(db: Db) {
    let casino = casino().await;
    let Some(app) = TestApp::spawn_full(db, test_start(), false, wire(&casino, None)).await else {
        return;
    };
    say(&app, &setchallenge(BASS, "Big Bass Bonanza", 100.0, 25.0)).await;
    let denied = say(&app, &cancelchallenge(1).by(Caller::Member)).await;
    assert!(denied.contains("admins only"));
    app.clock.advance(Duration::minutes(30));
    let text = say(&app, &cancelchallenge(1)).await;
    assert!(
        text.contains("cancelled") && text.contains("no prize"),
        "{text}"
    );
    casino.set_rows(
        FakeCallKind::Game(BASS.into()),
        [hitter("uid-win", "LuckyDuck", 500.0, 1.0, BASS)],
    );
    run_and_record(&app.jobs).await.unwrap();
    assert!(payouts(&app).await.is_empty());
    assert!(
        game_calls(&casino).is_empty(),
        "no detection call for a cancelled challenge"
    );

    let history = json(&app, "/api/challenges/history").await;
    let entry = &history["challenges"][0];
    assert_eq!(
        (entry["status"].as_str(), entry["winner"].is_null()),
        (Some("cancelled"), true)
    );
    assert_eq!(
        (
            entry["duration_secs"].as_i64(),
            history["total_cancelled"].as_i64()
        ),
        (Some(1_800), Some(1))
    );
    let seed = json(&app, "/challengeHistory.json").await;
    assert_eq!(seed["total_completed_challenges"], 0);
    assert_eq!(seed["total_prizes_paid"], 0.0);
    let listed = &seed["challenges"][0];
    assert_eq!(
        (
            listed["cancelled"].as_bool(),
            listed["challenge_id"].as_i64()
        ),
        (Some(true), Some(1)),
        "{seed}"
    );
    assert_eq!(listed["winner"]["username"], "N/A");
    assert!(app
        .get("/challenges")
        .await
        .text()
        .await
        .unwrap()
        .contains("cancelled"));
    assert!(say(&app, &cancelchallenge(1))
        .await
        .contains("already cancelled"));
    assert!(say(&app, &cancelchallenge(99))
        .await
        .contains("there is no challenge #99"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'challenge.cancel'")
            .await,
        1
    );
    // The game is free again.
    assert!(
        say(&app, &setchallenge(BASS, "Big Bass Bonanza", 100.0, 25.0))
            .await
            .contains("#2")
    );
}

async fn autocomplete_results_and_gamestats_answer(db: Db) {
    let casino = casino().await;
    let Some(app) = TestApp::spawn_full(db, test_start(), false, wire(&casino, None)).await else {
        return;
    };
    say(&app, &setchallenge(BASS, "Big Bass Bonanza", 100.0, 25.0)).await;
    say(&app, &setchallenge(GATES, "Gates of Olympus", 200.0, 50.0)).await;
    let ask = |typed: &str| {
        SynthInteraction::autocomplete(
            "cancelchallenge",
            ("challenge_id", OptionValue::String(typed.into())),
            &[],
        )
        .by(Caller::ManageServer)
    };
    let (_, all) = app.interact(&ask("")).await;
    assert_eq!(all["type"], 8);
    assert_eq!(all["data"]["choices"].as_array().unwrap().len(), 2);
    let (_, bass) = app.interact(&ask("bass")).await;
    assert_eq!(bass["data"]["choices"][0]["value"], 1);

    let mut conn = app.state.store.pool().acquire().await.unwrap();
    games::upsert(&mut conn, GATES, "Gates of Olympus", 1)
        .await
        .unwrap();
    drop(conn);
    let typed = ("game_identifier", OptionValue::String("olymp".into()));
    let (_, found) = app
        .interact(&SynthInteraction::autocomplete("gamestats", typed, &[]))
        .await;
    assert_eq!(
        (
            found["type"].as_i64(),
            found["data"]["choices"][0]["value"].as_str()
        ),
        (Some(8), Some(GATES))
    );

    let (_, results) = app
        .interact(&SynthInteraction::command("challenge_results", &[]))
        .await;
    assert!(common::is_ephemeral(&results));
    let text = results["data"]["embeds"].to_string();
    assert!(
        text.contains("Big Bass Bonanza") && text.contains("Gates of Olympus"),
        "{text}"
    );

    casino.set_rows(
        FakeCallKind::Game(GATES.into()),
        [hitter("uid-a", "alice_smith", 42.0, 2.0, GATES)],
    );
    let stats = |opts: &[(&str, OptionValue)]| {
        let mut all = vec![("game_identifier", OptionValue::String(GATES.into()))];
        all.extend(opts.iter().cloned());
        SynthInteraction::command("gamestats", &all)
    };
    let (_, reply) = app.interact(&stats(&[])).await;
    let text = reply["data"]["embeds"].to_string();
    assert!(
        common::is_ephemeral(&reply) && text.contains("$20.00") && text.contains("42.00×"),
        "{text}"
    );
    assert!(
        text.contains(r"alice\\_sm") && !text.contains("alice_smith"),
        "{text}"
    );
    let (_, future) = app
        .interact(&stats(&[("month", OptionValue::Integer(12))]))
        .await;
    assert!(common::content(&future).contains("in the future"));
    let (_, bad) = app
        .interact(&stats(&[("month", OptionValue::Integer(13))]))
        .await;
    assert!(common::content(&bad).contains("`month`"));
    let player = [("username", OptionValue::String("ALICE_SMITH".into()))];
    let text = app.interact(&stats(&player)).await.1["data"]["embeds"].to_string();
    assert!(
        text.contains(r"Figures of alice\\_sm") && text.contains("42.00×"),
        "{text}"
    );
    let nobody = [("username", OptionValue::String("nobody".into()))];
    let text = app.interact(&stats(&nobody)).await.1["data"]["embeds"].to_string();
    assert!(text.contains("No bets"), "{text}");
    // A code span shows the identifier as typed, with no stray backslash.
    assert!(text.contains(&format!("`{GATES}`")), "{text}");

    // The top players on the game, masked, biggest wager first.
    casino.set_rows(
        FakeCallKind::Game(GATES.into()),
        (1..=12).map(|i| {
            hitter(
                &format!("uid-{i}"),
                &format!("player{i:02}"),
                10.0 + f64::from(i),
                f64::from(i),
                GATES,
            )
        }),
    );
    let game_only = [
        ("year", OptionValue::Integer(2026)),
        ("month", OptionValue::Integer(10)),
    ];
    let (_, reply) = app.interact(&stats(&game_only)).await;
    let text = reply["data"]["embeds"].to_string();
    assert!(text.contains("Top players"), "{text}");
    assert!(
        text.contains(r"1. playe\\*\\*\\* — $120.00 · best 22.00×"),
        "{text}"
    );
    assert!(
        text.contains("10. playe") && !text.contains("11. playe"),
        "{text}"
    );
    assert!(!text.contains("player12"), "masked: {text}");

    // Dice is left out of the weighted boards: its figure is shown as not
    // counted, with the reason, never as a weighted wager.
    const DICE: &str = "housegames:dice";
    casino.set_rows(
        FakeCallKind::Game(DICE.into()),
        [hitter("uid-a", "alice_smith", 42.0, 2.0, DICE)],
    );
    let dice = [("game_identifier", OptionValue::String(DICE.into()))];
    let text = app
        .interact(&SynthInteraction::command("gamestats", &dice))
        .await
        .1["data"]["embeds"]
        .to_string();
    assert!(
        text.contains("not counted: dice is left out of the weighted leaderboards"),
        "{text}"
    );
    let mut dice_player = dice.to_vec();
    dice_player.push(("username", OptionValue::String("alice_smith".into())));
    let text = app
        .interact(&SynthInteraction::command("gamestats", &dice_player))
        .await
        .1["data"]["embeds"]
        .to_string();
    assert!(text.contains("not counted"), "{text}");

    // A game nobody played and nobody has seen is unknown, not a $0 card.
    let unknown = [(
        "game_identifier",
        OptionValue::String("nobody:plays-this".into()),
    )];
    let (_, reply) = app
        .interact(&SynthInteraction::command("gamestats", &unknown))
        .await;
    let text = common::content(&reply);
    assert!(
        text.contains("I don't know the game `nobody:plays-this`"),
        "{text}"
    );
    assert!(
        reply["data"]["embeds"].as_array().is_none_or(Vec::is_empty),
        "{reply}"
    );
}

async fn gamestats_without_the_affiliate_api_says_so(db: Db) {
    let Some(app) = TestApp::spawn_full(db, test_start(), false, |_| {}).await else {
        return;
    };
    let game = [("game_identifier", OptionValue::String(GATES.into()))];
    let (_, reply) = app
        .interact(&SynthInteraction::command("gamestats", &game))
        .await;
    assert!(common::is_ephemeral(&reply));
    assert!(
        common::content(&reply).contains("not configured"),
        "{reply}"
    );
}

/// The original announced cancellations in the log channel; so do we,
/// once, and the board drops the challenge.
async fn a_cancellation_is_announced_publicly_once(db: Db) {
    let (casino, discord) = (casino().await, discord().await);
    let Some(app) =
        TestApp::spawn_full(db, test_start(), false, wire(&casino, Some(&discord))).await
    else {
        return;
    };
    say(&app, &setchallenge(BASS, "Big Bass Bonanza", 100.0, 25.0)).await;
    wait_for_calls(&discord, "POST /channels/111/messages", 2).await;
    app.clock.advance(Duration::minutes(90));
    let cancel = cancelchallenge(1);
    say(&app, &cancel).await;
    let notice = wait_for_calls(&discord, "POST /channels/222/messages", 1).await;
    let text = notice[0].to_string();
    assert!(
        text.contains("Slot Challenge Cancelled") && text.contains("No prize is paid"),
        "{text}"
    );
    assert!(
        text.contains("1 h 30 min") && !text.contains("tester"),
        "{text}"
    );
    // The board is edited without the challenge.
    let edits = wait_for_calls(&discord, "PATCH /channels/111/messages/11101", 1).await;
    assert!(!edits
        .last()
        .unwrap()
        .to_string()
        .contains("Big Bass Bonanza"));
    // A replay of the same interaction posts nothing more.
    say(&app, &cancel).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        count_calls(&discord, "POST /channels/222/messages").await,
        1
    );
}

/// `/challenge_results` lists the five best attempts of each active
/// challenge with bet and payout, masked (the original's view); the channel
/// board keeps to the single best.
async fn challenge_results_show_the_top_five_attempts(db: Db) {
    let casino = casino().await;
    let Some(app) = TestApp::spawn_full(db, test_start(), false, wire(&casino, None)).await else {
        return;
    };
    say(&app, &setchallenge(BASS, "Big Bass Bonanza", 1_000.0, 25.0)).await;
    casino.set_rows(
        FakeCallKind::Game(BASS.into()),
        (1..=7).map(|i| {
            hitter(
                &format!("uid-{i}"),
                &format!("spinner{i}"),
                100.0 * f64::from(i),
                0.5,
                BASS,
            )
        }),
    );
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();
    let (_, results) = app
        .interact(&SynthInteraction::command("challenge_results", &[]))
        .await;
    let text = results["data"]["embeds"].to_string();
    for (rank, i) in [(1, 7), (2, 6), (3, 5), (4, 4), (5, 3)] {
        let line = format!(
            "{rank}. spinn\\\\*\\\\*\\\\* — **{i}00.00×** · $0.50 bet · ${}.00 payout",
            i * 50
        );
        assert!(text.contains(&line), "{line} in {text}");
    }
    assert!(
        !text.contains("200.00×") && !text.contains("spinner"),
        "{text}"
    );
}

on_both_databases!(
    challenge_results_show_the_top_five_attempts,
    a_cancellation_is_announced_publicly_once,
    bad_calls_are_refused_and_change_nothing,
    cancelling_stops_detection_and_pays_nothing,
    autocomplete_results_and_gamestats_answer,
    gamestats_without_the_affiliate_api_says_so,
);
