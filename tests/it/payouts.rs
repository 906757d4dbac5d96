//! Money out, exactly once: milestone tiers become payout intents in the
//! cycle's transaction and the worker sends each through the (fake) tipping
//! API once — across repeated cycles, restarts, replicas and API faults.

use crate::common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use fts_assistant::config::{Config, Secret};
use fts_assistant::jobs::payout_worker::send_next;
use fts_assistant::jobs::poll::run_and_record;
use fts_assistant::roobet::fake::{FakeCallKind, FakeCasino, FakeMode, FakeRow, TipBehaviour};
use fts_assistant::store::payouts::PayoutStatus;
use sqlx::Row;

use crate::common::{Db, TestApp};

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn wire(casino: &FakeCasino, dry_run: bool) -> impl FnOnce(&mut Config) + '_ {
    move |config: &mut Config| {
        crate::common::use_fake_casino(config, casino.base_url().to_string());
        config.tips_dry_run = dry_run;
    }
}

/// One player at `weighted` USD this month, plus a quiet one.
fn player_at(casino: &FakeCasino, weighted: f64) {
    casino.set_rows(
        FakeCallKind::Weighted,
        [
            FakeRow::new("uid-jump", "JumpingJack")
                .wagered(weighted * 2.0)
                .weighted(weighted),
            FakeRow::new("uid-quiet", "quiet")
                .wagered(10.0)
                .weighted(5.0),
        ],
    );
    casino.set_rows(
        FakeCallKind::Total,
        [
            FakeRow::new("uid-jump", "JumpingJack").wagered(weighted * 2.0),
            FakeRow::new("uid-quiet", "quiet").wagered(10.0),
        ],
    );
}

async fn casino() -> FakeCasino {
    let clock = std::sync::Arc::new(fts_assistant::clock::ManualClock::new(common::test_start()));
    FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap()
}

/// Sends until the queue is empty; returns how many sends happened.
async fn drain(app: &TestApp) -> usize {
    let mut sent = 0;
    while send_next(&app.state).await.unwrap().is_some() {
        sent += 1;
    }
    sent
}

fn tip_amounts(casino: &FakeCasino) -> Vec<f64> {
    casino.tips().iter().map(|t| t.amount.unwrap()).collect()
}

async fn statuses(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query("SELECT idempotency_key, status FROM payouts ORDER BY id")
        .fetch_all(app.state.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

async fn a_jump_to_tier_7_pays_7_tips_once(db: Db) {
    let casino = casino().await;
    player_at(&casino, 850.0);
    let Some(app) =
        TestApp::spawn_full(db, at(2026, 11, 20, 12), false, wire(&casino, false)).await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 7);
    assert_eq!(tip_amounts(&casino), [1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0]);
    let tips = casino.tips();
    assert!(tips
        .iter()
        .all(|t| t.to_user_id.as_deref() == Some("uid-jump") && t.authorized));
    let nonces: std::collections::HashSet<_> = tips.iter().map(|t| t.nonce.clone()).collect();
    assert_eq!(nonces.len(), 7, "one nonce per payout");
    let keys: Vec<String> = statuses(&app).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys[0], "milestone:2026-11:uid-jump:1");
    assert_eq!(keys[6], "milestone:2026-11:uid-jump:7");

    // The same figures again, and after a restart: nothing more.
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 0);
    let test_db = app.stop_keeping_db().await;
    let Some(again) =
        TestApp::spawn_on(test_db, at(2026, 11, 20, 13), false, wire(&casino, false)).await
    else {
        return;
    };
    run_and_record(&again.jobs).await.unwrap();
    assert_eq!(drain(&again).await, 0);
    assert_eq!(casino.tips().len(), 7);

    // Crossing one more tier pays just that one.
    player_at(&casino, 1_000.0);
    run_and_record(&again.jobs).await.unwrap();
    assert_eq!(drain(&again).await, 1);
    assert_eq!(tip_amounts(&casino).last(), Some(&2.0));

    // A new month pays the tiers again (keyed by the data's month).
    player_at(&casino, 850.0);
    again.clock.set(at(2026, 12, 2, 12));
    run_and_record(&again.jobs).await.unwrap();
    drain(&again).await;
    let december = statuses(&again)
        .await
        .into_iter()
        .filter(|(k, _)| k.starts_with("milestone:2026-12:uid-jump:"))
        .count();
    assert_eq!(december, 7);
    assert!(statuses(&again).await.iter().all(|(_, s)| s == "sent"));
}

async fn a_refusal_is_failed_with_its_message_and_not_resent(db: Db) {
    let casino = casino().await;
    player_at(&casino, 60.0);
    casino.set_tip_behaviour(TipBehaviour::Refuse("Insufficient account balance".into()));
    let Some(app) =
        TestApp::spawn_full(db, common::test_start(), false, wire(&casino, false)).await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    let report = send_next(&app.state).await.unwrap().unwrap();
    assert_eq!(report.status, PayoutStatus::Failed);
    assert_eq!(
        report.message.as_deref(),
        Some("Insufficient account balance")
    );
    casino.set_tip_behaviour(TipBehaviour::Succeed);
    assert_eq!(drain(&app).await, 0);
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 0);
    assert_eq!(casino.tips().len(), 1);
    let error: String = sqlx::query("SELECT error FROM payouts")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(error, "Insufficient account balance");
}

async fn a_server_error_is_unknown_and_never_resent(db: Db) {
    let casino = casino().await;
    player_at(&casino, 60.0);
    casino.set_tip_behaviour(TipBehaviour::Status(502));
    let Some(app) =
        TestApp::spawn_full(db, common::test_start(), false, wire(&casino, false)).await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    let needing_admin = |text: String| {
        text.lines()
            .find_map(|l| l.strip_prefix("fts_payouts_needing_admin "))
            .map(str::to_owned)
    };
    assert_eq!(
        needing_admin(app.metrics_text().await).as_deref(),
        Some("0")
    );
    let report = send_next(&app.state).await.unwrap().unwrap();
    assert_eq!(report.status, PayoutStatus::Unknown);
    casino.set_tip_behaviour(TipBehaviour::Succeed);
    assert_eq!(drain(&app).await, 0);
    assert_eq!(casino.tips().len(), 1);
    assert_eq!(statuses(&app).await[0].1, "unknown");
    // The operator's alert: read from the ledger at scrape time.
    assert_eq!(
        needing_admin(app.metrics_text().await).as_deref(),
        Some("1")
    );
}

async fn the_api_down_for_cycles_then_each_payout_goes_once(db: Db) {
    let casino = casino().await;
    player_at(&casino, 450.0);
    let Some(app) =
        TestApp::spawn_full(db, common::test_start(), false, wire(&casino, false)).await
    else {
        return;
    };
    // The affiliate API is down: no cycle, no intents.
    casino.fail_next(1_000, 503);
    for _ in 0..3 {
        assert!(run_and_record(&app.jobs).await.is_err());
        app.clock.advance(Duration::minutes(10));
    }
    assert_eq!(drain(&app).await, 0);
    casino.clear_faults();
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 5);
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 0);
    assert_eq!(casino.tips().len(), 5);
}

async fn without_a_tipping_token_payouts_stay_pending(db: Db) {
    let casino = casino().await;
    player_at(&casino, 60.0);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, |c| {
        wire(&casino, false)(c);
        c.tipping_api_token = None;
    })
    .await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 0);
    assert_eq!(statuses(&app).await[0].1, "pending");
    assert!(casino.tips().is_empty());
}

async fn dry_run_records_sent_without_calling_the_api(db: Db) {
    let casino = casino().await;
    player_at(&casino, 60.0);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, wire(&casino, true)).await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 1);
    assert!(casino.tips().is_empty());
    let dry: i64 = sqlx::query("SELECT dry_run FROM payouts WHERE status = 'sent'")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(dry, 1);
    // No money moved: the board's "tips this month" does not count it.
    run_and_record(&app.jobs).await.unwrap();
    let board: serde_json::Value = app.get("/api/leaderboard").await.json().await.unwrap();
    let top = &board["entries"][0];
    assert_eq!(top["tips_this_month"], 0.0, "{top}");
    assert!(top.get("tips_test_data").is_none(), "{top}");
    let names = lifetimestats_fields(&app).await;
    assert!(
        !names.iter().any(|(name, _)| name.contains("Test tips")),
        "{names:?}"
    );
}

/// `/lifetimestats`' fields as (name, value).
async fn lifetimestats_fields(app: &TestApp) -> Vec<(String, String)> {
    use fts_assistant::discord::synth::SynthInteraction;
    let (_, reply) = app
        .interact(&SynthInteraction::command("lifetimestats", &[]))
        .await;
    reply["data"]["embeds"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_owned(),
                f["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The demo (all tips dry runs) shows its tips on the board, each view
/// saying they are test data.
async fn the_demo_board_counts_dry_run_tips_as_test_data(db: Db) {
    let casino = casino().await;
    player_at(&casino, 60.0);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, |c| {
        wire(&casino, true)(c);
        c.demo = true;
    })
    .await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 1);
    run_and_record(&app.jobs).await.unwrap();
    let paid = app
        .count("SELECT amount_cents FROM payouts WHERE status = 'sent' AND dry_run = 1")
        .await;
    let board: serde_json::Value = app.get("/api/leaderboard").await.json().await.unwrap();
    let top = &board["entries"][0];
    assert_eq!(top["tips_this_month"], paid as f64 / 100.0, "{top}");
    assert_eq!(top["tips_test_data"], true, "{top}");
    assert!(board["entries"][1].get("tips_test_data").is_some());
    let html = app.get("/").await.text().await.unwrap();
    let cell = html
        .split("class=\"num tipsum")
        .nth(1)
        .and_then(|rest| rest.split("</td>").next())
        .unwrap();
    assert!(cell.contains(">TEST</span>"), "{cell}");
    // `/lifetimestats` keeps the real figures at zero and shows the test
    // tips apart, labelled.
    let fields = lifetimestats_fields(&app).await;
    let test_tips = fields
        .iter()
        .find(|(name, _)| name.starts_with("🧪 Test tips"))
        .map(|(_, value)| value.clone());
    let paid = fts_assistant::domain::money::Cents::new(paid);
    assert_eq!(test_tips, Some(format!("**{paid}** (1 tip)")), "{fields:?}");
    assert!(
        fields
            .iter()
            .any(|(name, value)| name == "Tips paid all time" && value.contains("**Total: $0.00**")),
        "{fields:?}"
    );
    assert!(casino.tips().is_empty(), "no tip reached the casino");
}

/// Puts JumpingJack on the exclusion list straight in the database, the way
/// the rewards file's list arrives (no `/exclude`, no cancellation).
async fn exclude_in_store(app: &TestApp) {
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    fts_assistant::store::players::exclude(
        &mut conn,
        &fts_assistant::store::players::Exclusion {
            uid: "uid-jump".into(),
            username: "JumpingJack".into(),
            reason: None,
            added_by: None,
            added_ms: 0,
        },
    )
    .await
    .unwrap();
}

async fn excluded_players_earn_no_milestones(db: Db) {
    let casino = casino().await;
    player_at(&casino, 850.0);
    let Some(app) =
        TestApp::spawn_full(db, common::test_start(), false, wire(&casino, false)).await
    else {
        return;
    };
    exclude_in_store(&app).await;
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 0);
    assert!(casino.tips().is_empty());
}

/// `/exclude` from an admin of the community's guild.
fn exclude(username: &str, action: &str) -> fts_assistant::discord::synth::SynthInteraction {
    use fts_assistant::discord::synth::{Caller, OptionValue, SynthInteraction};
    SynthInteraction::command(
        "exclude",
        &[
            ("username", OptionValue::String(username.into())),
            ("action", OptionValue::String(action.into())),
            ("reason", OptionValue::String("alt account".into())),
        ],
    )
    .by(Caller::ManageServer)
}

async fn excluding_a_player_cancels_their_queued_payouts(db: Db) {
    let discord = discord_accepting(77).await;
    let casino = casino().await;
    player_at(&casino, 850.0);
    let Some(app) = celebrating_app(db, &casino, &discord).await else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    // Tier 1 was caught mid-call earlier: its outcome is in doubt.
    sqlx::query("UPDATE payouts SET status = 'unknown' WHERE idempotency_key = $1")
        .bind("milestone:2026-11:uid-jump:1")
        .execute(app.state.store.pool())
        .await
        .unwrap();

    let (status, reply) = app.interact(&exclude("jumpingjack", "add")).await;
    assert_eq!(status, 200);
    let text = common::content(&reply);
    assert!(text.contains("Cancelled 6 waiting payouts"), "{text}");
    assert!(
        text.contains("(unknown)") && text.contains("/tipstats"),
        "{text}"
    );

    assert_eq!(drain(&app).await, 0);
    assert!(casino.tips().is_empty(), "nothing reached the tipping API");
    let states = statuses(&app).await;
    let cancelled = states.iter().filter(|(_, s)| s == "cancelled").count();
    assert_eq!(cancelled, 6, "{states:?}");
    let note: String = sqlx::query("SELECT error FROM payouts WHERE status = 'cancelled' LIMIT 1")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
        .get(0);
    assert!(
        note.contains("excluded by tester") && note.contains("alt account"),
        "{note}"
    );
    let audit = app
        .count("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%cancelled payouts: milestone:2026-11:uid-jump:2%'")
        .await;
    assert_eq!(audit, 1);

    // While excluded they cross tier 8: nothing is earned.
    player_at(&casino, 1_000.0);
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 0);

    // Including them again does not bring the cancelled payouts back; the
    // next cycle judges their whole month although their figures did not
    // change, so tier 8 (crossed while excluded) is theirs now, once.
    let (_, reply) = app.interact(&exclude("jumpingjack", "remove")).await;
    assert!(
        common::content(&reply).contains("no longer excluded"),
        "{reply}"
    );
    for _ in 0..2 {
        app.clock.advance(Duration::minutes(10));
        run_and_record(&app.jobs).await.unwrap();
    }
    assert_eq!(drain(&app).await, 1);
    assert_eq!(tip_amounts(&casino), [2.0], "tier 8 only");
    assert_eq!(
        statuses(&app)
            .await
            .iter()
            .filter(|(_, s)| s == "cancelled")
            .count(),
        6
    );
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;
    let posts = discord.received_requests().await.unwrap();
    assert_eq!(posts.len(), 1, "only the paid tier 8 is celebrated");
    assert!(String::from_utf8_lossy(&posts[0].body).contains("Rank 8"));
    let tips: serde_json::Value = app.get("/api/tips").await.json().await.unwrap();
    assert_eq!(
        tips["totals"]["count"], 1,
        "cancelled payouts are not tips: {tips}"
    );
}

/// An exclusion that reached the table some other way (the rewards file,
/// or while a cycle was recording intents) still stops automatic payouts
/// before they are sent; a manual tip is the admin's call and goes.
async fn the_worker_never_sends_automatic_payouts_of_excluded_players(db: Db) {
    let casino = casino().await;
    player_at(&casino, 850.0);
    let Some(app) =
        TestApp::spawn_full(db, common::test_start(), false, wire(&casino, false)).await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    exclude_in_store(&app).await;
    assert_eq!(drain(&app).await, 0);
    assert!(casino.tips().is_empty());
    assert!(statuses(&app).await.iter().all(|(_, s)| s == "cancelled"));
}

/// The board rows carry what members of the original saw on every row:
/// the tier badge (custom emoji as Discord's CDN image on the web) and the
/// tips received this month; the JSON names both.
async fn board_rows_show_tier_badges_and_tips_this_month(db: Db) {
    let casino = casino().await;
    player_at(&casino, 850.0);
    let rewards = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        rewards.path(),
        "[milestones.emojis]\n7 = \"<:rank7:1389367229417656549>\"\n",
    )
    .unwrap();
    let path = rewards.path().to_path_buf();
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, |c| {
        wire(&casino, false)(c);
        c.rewards_file = Some(path);
    })
    .await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 7);
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();

    let html = app.get("/").await.text().await.unwrap();
    assert!(
        html.contains(r#"<img class="emoji" src="https://cdn.discordapp.com/emojis/1389367229417656549.png" alt="rank7""#),
        "{html}"
    );
    assert!(
        html.contains("Rank 7") && html.contains("Tips this month"),
        "{html}"
    );
    assert!(
        html.contains("$9.00"),
        "1+1+1+1+1+2+2 dollars of tips: {html}"
    );
    assert!(!html.contains("&lt;:rank7"), "never the raw emoji text");
    let doc: serde_json::Value = app.get("/api/leaderboard").await.json().await.unwrap();
    let top = &doc["entries"][0];
    assert_eq!(
        top["tier"],
        serde_json::json!({"number": 7, "name": "Rank 7"})
    );
    assert_eq!(top["tips_this_month"], 9.0);
    assert_eq!(
        doc["entries"][1]["tier"],
        serde_json::Value::Null,
        "$5 is below tier 1"
    );
}

on_both_databases!(
    board_rows_show_tier_badges_and_tips_this_month,
    excluding_a_player_cancels_their_queued_payouts,
    the_worker_never_sends_automatic_payouts_of_excluded_players,
    a_jump_to_tier_7_pays_7_tips_once,
    a_refusal_is_failed_with_its_message_and_not_resent,
    a_server_error_is_unknown_and_never_resent,
    the_api_down_for_cycles_then_each_payout_goes_once,
    without_a_tipping_token_payouts_stay_pending,
    dry_run_records_sent_without_calling_the_api,
    the_demo_board_counts_dry_run_tips_as_test_data,
    excluded_players_earn_no_milestones,
    each_sent_tier_is_celebrated_once,
    celebrations_skip_stale_tips_and_drain_a_backlog_in_bounded_passes,
    highest_awarded_answers_for_the_players_asked_about,
    a_closed_week_is_summarised_once_after_its_prizes_are_sent,
);

/// A second process on the same PostgreSQL pays nothing more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_replica_pays_nothing_more() {
    let Some(test_db) = common::fresh_database(Db::Postgres).await else {
        return;
    };
    let casino = casino().await;
    player_at(&casino, 850.0);
    let alias = test_db.alias();
    let Some(first) =
        TestApp::spawn_on(test_db, common::test_start(), false, wire(&casino, false)).await
    else {
        return;
    };
    let Some(second) =
        TestApp::spawn_on(alias, common::test_start(), false, wire(&casino, false)).await
    else {
        return;
    };
    run_and_record(&first.jobs).await.unwrap();
    run_and_record(&second.jobs).await.unwrap();
    let (a, b) = tokio::join!(drain(&first), drain(&second));
    assert_eq!(a + b, 7);
    assert_eq!(casino.tips().len(), 7);
}

async fn highest_awarded_answers_for_the_players_asked_about(db: Db) {
    use fts_assistant::store::milestones;
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    let mut award = async |month: &str, uid: &str, tier: u32| {
        let key = format!("milestone:{month}:{uid}:{tier}");
        milestones::award(&mut conn, month, uid, tier, &key, 0)
            .await
            .unwrap();
    };
    for tier in 1..=3 {
        award("2026-11", "uid-a", tier).await;
    }
    award("2026-10", "uid-a", 5).await;
    award("2026-11", "uid-b", 1).await;
    let crowd: Vec<String> = (0..600).map(|i| format!("uid-crowd-{i}")).collect();
    for uid in &crowd {
        award("2026-11", uid, 2).await;
    }
    let mut asked: Vec<&str> = vec!["uid-a", "uid-b", "uid-never"];
    asked.extend(crowd.iter().map(String::as_str));
    let highest = milestones::highest_awarded(&mut conn, "2026-11", &asked)
        .await
        .unwrap();
    assert_eq!(highest.len(), 602, "everyone asked about with an award");
    assert_eq!(highest.get("uid-a"), Some(&3), "this month's highest only");
    assert_eq!(highest.get("uid-b"), Some(&1));
    assert_eq!(highest.get("uid-never"), None);
    assert!(crowd.iter().all(|uid| highest.get(uid) == Some(&2)));
    let few = milestones::highest_awarded(&mut conn, "2026-11", &["uid-b"])
        .await
        .unwrap();
    assert_eq!(few.len(), 1, "only the players asked about");
    assert!(milestones::highest_awarded(&mut conn, "2026-11", &[])
        .await
        .unwrap()
        .is_empty());
}

/// A fake Discord that accepts every message posted in `channel`.
async fn discord_accepting(channel: u64) -> wiremock::MockServer {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let discord = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/channels/{channel}/messages")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({ "id": "1" })))
        .mount(&discord)
        .await;
    discord
}

/// An app paying through `casino` that celebrates milestones in channel 77.
async fn celebrating_app(
    db: Db,
    casino: &FakeCasino,
    discord: &wiremock::MockServer,
) -> Option<TestApp> {
    TestApp::spawn_full(db, common::test_start(), false, |c| {
        wire(casino, false)(c);
        c.discord_api_base = discord.uri();
        c.discord_token = Some(Secret::new("bot"));
        c.channels.milestone = Some(77);
    })
    .await
}

async fn each_sent_tier_is_celebrated_once(db: Db) {
    let discord = discord_accepting(77).await;
    let casino = casino().await;
    player_at(&casino, 160.0);
    let Some(app) = celebrating_app(db, &casino, &discord).await else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 3);
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;
    let posts = discord.received_requests().await.unwrap();
    assert_eq!(posts.len(), 3, "one celebration per tier, once");
    let bodies: Vec<String> = posts
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).to_string())
        .collect();
    assert!(
        bodies[2].contains("Rank 3 Wager Milestone Achieved!"),
        "{}",
        bodies[2]
    );
    assert!(
        bodies
            .iter()
            .all(|b| b.contains(r"JumpingJ\\*\\*\\*") && !b.contains("JumpingJack")),
        "{bodies:?}"
    );
}

/// `n` players who all passed the last tier this month.
fn whales(casino: &FakeCasino, n: usize) {
    let rows = |weighted: bool| {
        (1..=n).map(move |i| {
            let row =
                FakeRow::new(&format!("uid-whale-{i}"), &format!("whale{i}")).wagered(2_400_000.0);
            if weighted {
                row.weighted(1_200_000.0)
            } else {
                row
            }
        })
    };
    casino.set_rows(FakeCallKind::Weighted, rows(true));
    casino.set_rows(FakeCallKind::Total, rows(false));
}

async fn celebrations_skip_stale_tips_and_drain_a_backlog_in_bounded_passes(db: Db) {
    let discord = discord_accepting(77).await;
    let casino = casino().await;
    whales(&casino, 2);
    let Some(app) = celebrating_app(db, &casino, &discord).await else {
        return;
    };
    let tiers = fts_assistant::domain::milestones::default_tiers().len();
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 2 * tiers);
    // A day later those tips are old news: nothing is posted.
    app.clock.advance(Duration::hours(25));
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;
    assert!(discord.received_requests().await.unwrap().is_empty());

    // Two more whales: a fresh backlog of 2 × 30 tiers drains in passes of 50.
    whales(&casino, 4);
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 2 * tiers);
    let posted = || async { discord.received_requests().await.unwrap().len() };
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;
    assert_eq!(posted().await, 50, "one pass looks at 50 payouts");
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;
    assert_eq!(posted().await, 2 * tiers);
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;
    assert_eq!(posted().await, 2 * tiers, "each celebrated once");
}

async fn a_closed_week_is_summarised_once_after_its_prizes_are_sent(db: Db) {
    let discord = discord_accepting(88).await;
    let casino = casino().await;
    casino.set_rows(
        FakeCallKind::Weighted,
        (1..=4).map(|i| {
            FakeRow::new(&format!("uid-{i}"), &format!("spinner{i}"))
                .wagered(10.0)
                .weighted(10.0)
                .hit(
                    100.0 * f64::from(i),
                    0.2,
                    20.0 * f64::from(i),
                    "pragmatic:vs10bbbbrnd",
                    "Big Bass Bonanza",
                )
        }),
    );
    let Some(app) = TestApp::spawn_full(db, at(2026, 11, 29, 23), false, |c| {
        wire(&casino, false)(c);
        c.discord_api_base = discord.uri();
        c.discord_token = Some(Secret::new("bot"));
        c.channels.weekly_multiplier_logs = Some(88);
    })
    .await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    app.clock.set(at(2026, 11, 30, 1));
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 3);
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;
    fts_assistant::jobs::celebrations::announce_sent_payouts(&app.state).await;
    let posts = discord.received_requests().await.unwrap();
    assert_eq!(posts.len(), 1);
    let body = String::from_utf8_lossy(&posts[0].body);
    assert!(body.contains("Week of 2026-11-23"), "{body}");
    assert!(
        body.contains("400.00×") && body.contains("$40.00"),
        "{body}"
    );
}
