//! Slot challenges end to end: created by a signed admin interaction,
//! published in the JSON, the page and the channel board; won once by the
//! best qualifying hit with exactly one payout, across cycles, restarts and
//! replicas; refused, cancelled and autocompleted as the spec says.

#[path = "challenges/commands.rs"]
mod commands;
mod common;
#[path = "challenges/support.rs"]
mod support;

use chrono::Duration;
use fts_assistant::discord::synth::OptionValue;
use fts_assistant::jobs::challenges::publish_challenges;
use fts_assistant::jobs::poll::run_and_record;
use fts_assistant::roobet::fake::FakeCallKind;
use fts_assistant::store::players;
use serde_json::Value;

use common::{test_start, Db, TestApp};
use support::*;

async fn a_created_challenge_is_published_everywhere(db: Db) {
    let (casino, discord) = (casino().await, discord().await);
    let Some(app) =
        TestApp::spawn_full(db, test_start(), false, wire(&casino, Some(&discord))).await
    else {
        return;
    };
    let extra = [
        ("min_bet", OptionValue::Number(0.2)),
        ("emoji", OptionValue::String("🎣".into())),
    ];
    let reply = say(
        &app,
        &set_with(BASS, "Big Bass Bonanza", 100.0, 25.0, &extra),
    )
    .await;
    assert!(
        reply.contains("Challenge created: #1 Big Bass Bonanza"),
        "{reply}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'challenge.create'")
            .await,
        1
    );

    let ours = json(&app, "/api/challenges").await;
    let c = &ours["challenges"][0];
    assert_eq!(ours["challenges"].as_array().unwrap().len(), 1);
    assert_eq!(
        (c["id"].as_i64(), c["game_identifier"].as_str()),
        (Some(1), Some(BASS))
    );
    assert_eq!(c["required_multiplier"], 100.0);
    assert_eq!(
        (c["prize"].as_f64(), c["min_bet"].as_f64()),
        (Some(25.0), Some(0.2))
    );
    assert_eq!(c["started_at"], "2026-11-24T12:00:00Z");
    assert_eq!(
        c["game_url"],
        format!("https://roobet.com/casino/game/{BASS}")
    );

    let seed = json(&app, "/ActiveSlotChallenges.json").await;
    assert_eq!(seed["data_type"], "active_slot_challenges");
    assert_eq!(seed["total_challenges"], 1);
    let s = &seed["challenges"][0];
    for key in [
        "challenge_id",
        "game_identifier",
        "game_name",
        "required_multiplier",
        "prize",
        "start_time",
        "start_timestamp",
        "posted_by",
        "posted_by_username",
        "emoji",
        "min_bet",
    ] {
        assert!(s.get(key).is_some(), "seed key {key} missing: {s}");
    }
    assert_eq!(s["start_timestamp"], test_start().timestamp());
    assert_eq!(
        (s["emoji"].as_str(), s["posted_by_username"].as_str()),
        (Some("🎣"), Some("tes***"))
    );
    let posted_by = s["posted_by"].as_str().unwrap();
    assert!(!posted_by.is_empty() && !posted_by.contains("1100000000000000042"));

    let page = app.get("/challenges").await.text().await.unwrap();
    assert!(
        page.contains("Big Bass Bonanza") && page.contains("100.00×") && page.contains("$25.00")
    );
    assert!(page.contains(&format!("https://roobet.com/casino/game/{BASS}")));

    // Announced with a link to the game, and the board posted, off the reply path.
    let posts = wait_for_calls(&discord, "POST /channels/111/messages", 2).await;
    let text = posts.iter().map(Value::to_string).collect::<String>();
    assert!(text.contains("New Slot Challenge") && text.contains("Active Slot Challenges"));
    assert!(text.contains(&format!("https://roobet.com/casino/game/{BASS}")));
    // The next cycle edits the board in place.
    run_and_record(&app.jobs).await.unwrap();
    publish_challenges(&app.state).await;
    wait_for_calls(&discord, "PATCH /channels/111/messages/11101", 1).await;
    assert_eq!(
        count_calls(&discord, "POST /channels/111/messages").await,
        2
    );
}

async fn a_qualifying_hit_closes_it_with_one_payout_ever(db: Db) {
    let (casino, discord) = (casino().await, discord().await);
    let Some(test_db) = common::fresh_database(db).await else {
        return;
    };
    let app = TestApp::spawn_on(test_db, test_start(), false, wire(&casino, Some(&discord)))
        .await
        .unwrap();
    say(&app, &setchallenge(BASS, "Big Bass Bonanza", 100.0, 25.0)).await;
    run_and_record(&app.jobs).await.unwrap(); // nobody has played it yet
    assert!(payouts(&app).await.is_empty());

    casino.set_rows(
        FakeCallKind::Game(BASS.into()),
        [
            hitter("uid-win", "LuckyDuck", 150.0, 0.4, BASS),
            hitter("uid-low", "almost", 99.0, 5.0, BASS),
        ],
    );
    app.clock.advance(Duration::minutes(10));
    let report = run_and_record(&app.jobs).await.unwrap();
    assert_eq!(report.challenges_won, [1]);
    assert_eq!(
        payouts(&app).await,
        [(
            "challenge:1".into(),
            "uid-win".into(),
            2_500,
            "challenge".into()
        )]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM challenges WHERE status = 'won'")
            .await,
        1
    );
    // Detection asked for that game since the challenge's start.
    assert!(game_calls(&casino)
        .iter()
        .all(|(g, start)| g == BASS && start == "2026-11-24T12:00:00.000Z"));
    publish_challenges(&app.state).await;
    // The win is not news until its prize is paid.
    assert_eq!(
        count_calls(&discord, "POST /channels/222/messages").await,
        0,
        "no winner post before the tip"
    );
    assert_eq!(drain(&app).await, 1);
    assert_eq!(casino.tips()[0].to_user_id.as_deref(), Some("uid-win"));
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;

    let logs = wait_for_calls(&discord, "POST /channels/222/messages", 1).await;
    let text = logs[0].to_string();
    assert!(
        text.contains(r"LuckyD\\*\\*\\*") && text.contains("150.00×") && text.contains("$25"),
        "{text}"
    );
    assert!(text.contains("$0.40") && text.contains("10 min"), "{text}");
    let everything = discord_calls(&discord)
        .await
        .iter()
        .map(|(_, b)| b.to_string())
        .collect::<String>();
    assert!(!everything.contains("LuckyDuck") && !everything.contains("uid-win"));

    assert_eq!(
        json(&app, "/api/challenges").await["challenges"],
        serde_json::json!([])
    );
    let history = json(&app, "/api/challenges/history").await;
    let won = &history["challenges"][0];
    assert_eq!(
        (won["status"].as_str(), won["winner"]["username"].as_str()),
        (Some("won"), Some("LuckyD***"))
    );
    assert_eq!(
        (
            won["winner"]["multiplier"].as_f64(),
            won["winner"]["bet"].as_f64()
        ),
        (Some(150.0), Some(0.4))
    );
    assert_eq!(
        (
            won["duration_secs"].as_i64(),
            history["total_prizes"].as_f64()
        ),
        (Some(600), Some(25.0))
    );
    let seed = json(&app, "/challengeHistory.json").await;
    assert_eq!(
        (
            seed["data_type"].as_str(),
            seed["total_completed_challenges"].as_i64()
        ),
        (Some("challenge_history"), Some(1))
    );
    let entry = &seed["challenges"][0];
    assert_eq!(
        (
            entry["achieved_multiplier"].as_f64(),
            entry["prize_amount"].as_f64()
        ),
        (Some(150.0), Some(25.0))
    );
    assert_eq!(entry["winner"]["bet_amount"], 0.4);
    assert_eq!(entry["cancelled"], false);
    let user_id = entry["winner"]["user_id"].as_str().unwrap();
    assert_eq!(user_id, app.state.public_ids.public_id("uid-win"));
    let page = app.get("/challenges").await.text().await.unwrap();
    assert!(page.contains("LuckyD***") && !page.contains("LuckyDuck"));

    // Paid once; later cycles, a restart and its cycles add nothing.
    assert_eq!(drain(&app).await, 0);
    for _ in 0..2 {
        app.clock.advance(Duration::minutes(10));
        assert!(run_and_record(&app.jobs)
            .await
            .unwrap()
            .challenges_won
            .is_empty());
        publish_challenges(&app.state).await;
    }
    let test_db = app.stop_keeping_db().await;
    let again = TestApp::spawn_on(
        test_db,
        test_start() + Duration::hours(1),
        false,
        wire(&casino, Some(&discord)),
    )
    .await
    .unwrap();
    run_and_record(&again.jobs).await.unwrap();
    publish_challenges(&again.state).await;
    assert_eq!(drain(&again).await, 0);
    assert_eq!((payouts(&again).await.len(), casino.tips().len()), (1, 1));
    assert_eq!(
        count_calls(&discord, "POST /channels/222/messages").await,
        1
    );
}

/// Replicas share a PostgreSQL database, so this runs there only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_second_replica_pays_nothing_more() {
    let casino = casino().await;
    let Some(shared) = common::fresh_database(Db::Postgres).await else {
        return;
    };
    let start = test_start();
    let a = TestApp::spawn_on(shared.alias(), start, false, wire(&casino, None))
        .await
        .unwrap();
    let b = TestApp::spawn_on(shared.alias(), start, false, wire(&casino, None))
        .await
        .unwrap();
    say(&a, &setchallenge(BASS, "Big Bass Bonanza", 100.0, 25.0)).await;
    casino.set_rows(
        FakeCallKind::Game(BASS.into()),
        [hitter("uid-win", "LuckyDuck", 150.0, 1.0, BASS)],
    );
    let (ra, rb) = tokio::join!(run_and_record(&a.jobs), run_and_record(&b.jobs));
    let won: usize = [ra, rb]
        .into_iter()
        .flatten()
        .map(|r| r.challenges_won.len())
        .sum();
    assert_eq!(won, 1);
    for app in [&a, &b] {
        run_and_record(&app.jobs).await.unwrap();
    }
    assert_eq!(payouts(&b).await.len(), 1);
    assert_eq!(drain(&a).await + drain(&b).await, 1);
    assert_eq!(casino.tips().len(), 1);
}

async fn hits_below_the_bar_or_on_another_game_do_not_win(db: Db) {
    let casino = casino().await;
    let Some(app) = TestApp::spawn_full(db, test_start(), false, wire(&casino, None)).await else {
        return;
    };
    let min_bet = [("min_bet", OptionValue::Number(0.2))];
    say(
        &app,
        &set_with(BASS, "Big Bass Bonanza", 100.0, 25.0, &min_bet),
    )
    .await;
    casino.set_rows(
        FakeCallKind::Game(BASS.into()),
        [
            hitter("uid-1", "below_multiplier", 99.99, 1.0, BASS),
            hitter("uid-2", "below_min_bet", 500.0, 0.19, BASS),
            hitter("uid-3", "other_game", 900.0, 5.0, GATES),
        ],
    );
    run_and_record(&app.jobs).await.unwrap();
    assert!(payouts(&app).await.is_empty());
    let active = json(&app, "/api/challenges").await;
    let best = &active["challenges"][0]["best_attempt"];
    assert_eq!(
        (best["username"].as_str(), best["multiplier"].as_f64()),
        (Some("below_multipl***"), Some(99.99))
    );

    // Exactly the multiplier with exactly the minimum bet wins.
    casino.set_rows(
        FakeCallKind::Game(BASS.into()),
        [
            hitter("uid-1", "below_multiplier", 100.0, 0.2, BASS),
            hitter("uid-3", "other_game", 900.0, 5.0, GATES),
        ],
    );
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(
        payouts(&app).await,
        [(
            "challenge:1".into(),
            "uid-1".into(),
            2_500,
            "challenge".into()
        )]
    );
}

async fn qualifiers_in_one_cycle_resolve_by_the_tie_rules(db: Db) {
    let casino = casino().await;
    let Some(app) = TestApp::spawn_full(db, test_start(), false, wire(&casino, None)).await else {
        return;
    };
    say(&app, &setchallenge(BASS, "Big Bass Bonanza", 100.0, 25.0)).await;
    say(&app, &setchallenge(GATES, "Gates of Olympus", 200.0, 50.0)).await;
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    let staff = players::Exclusion {
        uid: "uid-staff".into(),
        username: "streamer".into(),
        reason: None,
        added_by: None,
        added_ms: 0,
    };
    players::exclude(&mut conn, &staff).await.unwrap();
    drop(conn);
    casino.set_rows(
        FakeCallKind::Game(BASS.into()),
        [
            hitter("uid-a", "smallbet", 200.0, 0.5, BASS),
            hitter("uid-b", "bigbet", 200.0, 1.0, BASS),
            hitter("uid-c", "lower", 150.0, 10.0, BASS),
            hitter("uid-staff", "streamer", 5000.0, 10.0, BASS),
        ],
    );
    casino.set_rows(
        FakeCallKind::Game(GATES.into()),
        [
            hitter("uid-z", "zed", 300.0, 1.0, GATES),
            hitter("uid-y", "why", 300.0, 1.0, GATES),
        ],
    );
    let report = run_and_record(&app.jobs).await.unwrap();
    assert_eq!(report.challenges_won, [1, 2]);
    assert_eq!(
        payouts(&app).await,
        [
            (
                "challenge:1".into(),
                "uid-b".into(),
                2_500,
                "challenge".into()
            ),
            (
                "challenge:2".into(),
                "uid-y".into(),
                5_000,
                "challenge".into()
            ),
        ]
    );
}

/// The original allowed 100× and 500× on the same slot; one hit that meets
/// both wins both, each paid once and announced after its tip.
async fn two_challenges_on_one_game_are_both_won_and_paid(db: Db) {
    let (casino, discord) = (casino().await, discord().await);
    let Some(app) =
        TestApp::spawn_full(db, test_start(), false, wire(&casino, Some(&discord))).await
    else {
        return;
    };
    let first = say(&app, &setchallenge(BASS, "Big Bass Bonanza", 100.0, 25.0)).await;
    let second = say(&app, &setchallenge(BASS, "Big Bass Bonanza", 500.0, 50.0)).await;
    settle(&discord).await;
    assert!(
        first.contains("#1") && second.contains("#2"),
        "{first} / {second}"
    );
    casino.set_rows(
        FakeCallKind::Game(BASS.into()),
        [hitter("uid-win", "LuckyDuck", 600.0, 0.4, BASS)],
    );
    app.clock.advance(Duration::minutes(10));
    let report = run_and_record(&app.jobs).await.unwrap();
    assert_eq!(report.challenges_won, [1, 2]);
    let keys: Vec<(String, i64)> = payouts(&app)
        .await
        .into_iter()
        .map(|p| (p.0, p.2))
        .collect();
    assert_eq!(
        keys,
        [("challenge:1".into(), 2_500), ("challenge:2".into(), 5_000)]
    );
    assert_eq!(drain(&app).await, 2);
    let amounts: Vec<f64> = casino.tips().iter().map(|t| t.amount.unwrap()).collect();
    assert_eq!(amounts, [25.0, 50.0]);
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;
    let posts = wait_for_calls(&discord, "POST /channels/222/messages", 2).await;
    assert_eq!(posts.len(), 2);
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 0, "each prize once");
}

/// Prizes travel in their own lane: a backlog of 300 milestone tips never
/// holds back a challenge prize by more than one tip.
async fn a_challenge_prize_overtakes_a_milestone_backlog(db: Db) {
    use fts_assistant::jobs::payout_worker::send_next;
    use fts_assistant::roobet::fake::FakeRow;
    let (casino, discord) = (casino().await, discord().await);
    let whales = || {
        (1..=10).map(|i| {
            FakeRow::new(&format!("uid-whale-{i}"), &format!("whale{i}"))
                .wagered(2_400_000.0)
                .weighted(1_200_000.0)
        })
    };
    casino.set_rows(FakeCallKind::Weighted, whales());
    casino.set_rows(FakeCallKind::Total, whales());
    let Some(app) =
        TestApp::spawn_full(db, test_start(), false, wire(&casino, Some(&discord))).await
    else {
        return;
    };
    say(&app, &setchallenge(BASS, "Big Bass Bonanza", 100.0, 25.0)).await;
    settle(&discord).await;
    run_and_record(&app.jobs).await.unwrap();
    let queued = "SELECT COUNT(*) FROM payouts WHERE status = 'pending' AND kind = 'milestone'";
    assert_eq!(app.count(queued).await, 300);
    // Two milestone tips leave, then the challenge is won.
    for _ in 0..2 {
        let sent = send_next(&app.state).await.unwrap().unwrap();
        assert_eq!(sent.payout.kind, "milestone");
    }
    casino.set_rows(
        FakeCallKind::Game(BASS.into()),
        [hitter("uid-win", "LuckyDuck", 150.0, 0.4, BASS)],
    );
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();
    let next = send_next(&app.state).await.unwrap().unwrap();
    assert_eq!(
        (next.payout.kind.as_str(), next.payout.key.as_str()),
        ("challenge", "challenge:1"),
        "the prize goes next, ahead of 298 milestones"
    );
    assert_eq!(app.count(queued).await, 298);
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;
    wait_for_calls(&discord, "POST /channels/222/messages", 1).await;
}

/// A dry-run prize is announced after its (simulated) payment and labelled
/// as a test, so members never read it as real money.
async fn a_dry_run_win_is_announced_as_a_test(db: Db) {
    let (casino, discord) = (casino().await, discord().await);
    let Some(app) = TestApp::spawn_full(db, test_start(), false, |c| {
        wire(&casino, Some(&discord))(c);
        c.tips_dry_run = true;
    })
    .await
    else {
        return;
    };
    say(&app, &setchallenge(BASS, "Big Bass Bonanza", 100.0, 25.0)).await;
    settle(&discord).await;
    casino.set_rows(
        FakeCallKind::Game(BASS.into()),
        [hitter("uid-win", "LuckyDuck", 150.0, 0.4, BASS)],
    );
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();
    publish_challenges(&app.state).await;
    assert_eq!(
        count_calls(&discord, "POST /channels/222/messages").await,
        0
    );
    assert_eq!(drain(&app).await, 1);
    assert!(casino.tips().is_empty(), "dry run: no tipping call");
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;
    let post = wait_for_calls(&discord, "POST /channels/222/messages", 1).await;
    let text = post[0].to_string();
    assert!(
        text.contains("[TEST]") && text.contains("no real tip was sent"),
        "{text}"
    );
}

on_both_databases!(
    two_challenges_on_one_game_are_both_won_and_paid,
    a_challenge_prize_overtakes_a_milestone_backlog,
    a_dry_run_win_is_announced_as_a_test,
    a_created_challenge_is_published_everywhere,
    a_qualifying_hit_closes_it_with_one_payout_ever,
    hits_below_the_bar_or_on_another_game_do_not_win,
    qualifiers_in_one_cycle_resolve_by_the_tie_rules,
);
