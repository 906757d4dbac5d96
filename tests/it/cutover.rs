//! Taking over from the original bot without paying anyone twice:
//! `import-legacy` from a real PostgreSQL holding the original's schema
//! (tests/fixtures/legacy_schema.sql), then a poll cycle against the fake
//! casino and a board update against a fake Discord; the first-run hold,
//! `baseline` and `FIRST_RUN_PAYS_EXISTING`; the month history backfill.
//! Every target runs on SQLite and PostgreSQL; the old database is always
//! PostgreSQL (skipped without `TEST_POSTGRES_URL`).

use crate::common;

use std::sync::Arc;

use chrono::Duration;
use fts_assistant::cli::cutover::baseline;
use fts_assistant::cli::legacy::import_legacy;
use fts_assistant::clock::ManualClock;
use fts_assistant::config::{Config, Secret};
use fts_assistant::discord::dev_keys::DevKeypair;
use fts_assistant::jobs::first_run::WHAT_TO_RUN;
use fts_assistant::jobs::history::{backfill_if_empty, AUTO_MONTHS, HISTORY_KEY};
use fts_assistant::jobs::payout_worker::send_next;
use fts_assistant::jobs::poll::run_and_record;
use fts_assistant::roobet::fake::{
    FakeCallKind, FakeCasino, FakeMode, FakeRow, DEMO_AFFILIATE_TOKEN, DEMO_USER_ID,
};
use fts_assistant::store::settings;
use serde_json::{json, Value};
use sqlx::{Connection, Row};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::{fresh_database, test_start, Db, TestApp, TestDb};

const LEADERBOARD_CHANNEL: u64 = 900;
const MULTIPLIER_CHANNEL: u64 = 901;
const CHALLENGE_CHANNEL: u64 = 902;

/// The original's database on a fresh PostgreSQL database, or `None`
/// without a PostgreSQL server.
async fn legacy_database() -> Option<TestDb> {
    let db = fresh_database(Db::Postgres).await?;
    let mut conn = sqlx::postgres::PgConnection::connect(&db.url)
        .await
        .expect("connect to the legacy database");
    sqlx::raw_sql(include_str!("fixtures/legacy_schema.sql"))
        .execute(&mut conn)
        .await
        .expect("load the legacy fixture");
    conn.close().await.ok();
    Some(db)
}

/// Row counts and sums of the original's tables: must never change.
async fn legacy_fingerprint(url: &str) -> String {
    let mut conn = sqlx::postgres::PgConnection::connect(url).await.unwrap();
    let row = sqlx::query(
        "SELECT CONCAT_WS(' ', (SELECT COUNT(*) FROM milestonetips), \
         (SELECT COUNT(*) FROM manualtips), (SELECT SUM(amount) FROM manualtips), \
         (SELECT COUNT(*) FROM weekly_multiplier_payouts), (SELECT COUNT(*) FROM slot_challenge_logs), \
         (SELECT COUNT(*) FROM active_slot_challenge), (SELECT COUNT(*) FROM monthly_totals), \
         (SELECT string_agg(key || '=' || value, ',' ORDER BY key) FROM settings))",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    row.get::<String, _>(0)
}

/// Everything the import or baseline may write in the target, as text.
async fn fingerprint(url: &str) -> String {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM payouts",
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM payouts",
        "SELECT CAST(COALESCE(SUM(updated_ms), 0) AS BIGINT) FROM payouts",
        "SELECT COUNT(*) FROM milestone_awards",
        "SELECT COUNT(*) FROM challenges",
        "SELECT COUNT(*) FROM monthly_totals",
        "SELECT COUNT(*) FROM goal_announcements",
        "SELECT COUNT(*) FROM periods",
        "SELECT COUNT(*) FROM final_standings",
        "SELECT COUNT(*) FROM settings",
        "SELECT CAST(COALESCE(SUM(updated_ms), 0) AS BIGINT) FROM settings",
    ] {
        let row = sqlx::query(sql).fetch_one(&mut conn).await.unwrap();
        out.push(format!("{sql} = {}", row.get::<i64, _>(0)));
    }
    let rows = sqlx::query("SELECT key, value FROM settings ORDER BY key")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    for r in rows {
        let (k, v): (String, String) = (r.get(0), r.get(1));
        if k != "public_id_key" {
            out.push(format!("{k}={v}"));
        }
    }
    conn.close().await.ok();
    out.join("\n")
}

async fn count(url: &str, sql: &'static str) -> i64 {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let n = sqlx::query(sql)
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get::<i64, _>(0);
    conn.close().await.ok();
    n
}

async fn casino() -> FakeCasino {
    let clock = Arc::new(ManualClock::new(test_start()));
    FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap()
}

/// `(uid, name, weighted USD)`; total wager is three times the weighted.
fn players(casino: &FakeCasino, rows: &[(&str, &str, f64)]) {
    casino.set_rows(
        FakeCallKind::Weighted,
        rows.iter()
            .map(|(uid, name, w)| FakeRow::new(uid, name).wagered(w * 3.0).weighted(*w))
            .collect::<Vec<_>>(),
    );
    casino.set_rows(
        FakeCallKind::Total,
        rows.iter()
            .map(|(uid, name, w)| FakeRow::new(uid, name).wagered(w * 3.0))
            .collect::<Vec<_>>(),
    );
}

/// A fake Discord: POST answers a new message id, PATCH succeeds.
async fn fake_discord() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/channels/\d+/messages$"))
        .respond_with(|_: &Request| {
            ResponseTemplate::new(200).set_body_json(json!({ "id": "777" }))
        })
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path_regex(r"^/channels/\d+/messages/\d+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "1" })))
        .mount(&server)
        .await;
    server
}

/// The operator's configuration: polling and tipping at the fake casino,
/// Discord at the fake, the first-run hold on (the default).
fn wire(casino: &FakeCasino, discord: Option<&MockServer>) -> impl Fn(&mut Config) {
    let base = casino.base_url().to_string();
    let discord = discord.map(MockServer::uri);
    move |config: &mut Config| {
        crate::common::use_fake_casino(config, base.clone());
        config.first_run_pays_existing = false;
        if let Some(uri) = &discord {
            config.discord_api_base = uri.clone();
            config.discord_token = Some(Secret::new("t"));
            config.channels.leaderboard = Some(LEADERBOARD_CHANNEL);
            config.channels.multiplier = Some(MULTIPLIER_CHANNEL);
            config.channels.challenge = Some(CHALLENGE_CHANNEL);
        }
    }
}

fn cli_config(url: &str, adjust: &impl Fn(&mut Config)) -> Config {
    let mut config = common::base_config(url, &DevKeypair::from_seed([42; 32]));
    adjust(&mut config);
    config
}

async fn drain(app: &TestApp) -> usize {
    let mut sent = 0;
    while send_next(&app.state).await.unwrap().is_some() {
        sent += 1;
    }
    sent
}

async fn keys_with_status(app: &TestApp, status: &str) -> Vec<String> {
    sqlx::query("SELECT idempotency_key FROM payouts WHERE status = $1 ORDER BY idempotency_key")
        .bind(status)
        .fetch_all(app.state.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// This month at the fake casino: alice went on from Rank 7 to Rank 8,
/// bob stayed at Rank 5, carol went from Rank 3 to Rank 10, dave is new
/// (Rank 2). Newly reached: 1 + 0 + 7 + 2 tiers, $2 + $14 + $2 = $18.
const NOW_PLAYING: [(&str, &str, f64); 4] = [
    ("uid-alice", "AliceWins", 1_100.0),
    ("uid-bob", "BobSpins", 450.0),
    ("uid-carol", "CarolK", 2_100.0),
    ("uid-dave", "DaveD", 120.0),
];

async fn import_then_one_cycle_pays_only_new_tiers(db: Db) {
    let Some(legacy) = legacy_database().await else {
        return;
    };
    let Some(target) = fresh_database(db).await else {
        return;
    };
    let casino = casino().await;
    players(&casino, &NOW_PLAYING);
    // Carol hit 2,500x on Sugar Rush: the imported active challenge (2,000x
    // required) is won in the first cycle, a normal new win.
    casino.set_rows(
        FakeCallKind::Game("pragmatic:vs20sugarrush".into()),
        [FakeRow::new("uid-carol", "CarolK").wagered(50.0).hit(
            2_500.0,
            0.2,
            500.0,
            "pragmatic:vs20sugarrush",
            "Sugar Rush",
        )],
    );
    let discord = fake_discord().await;
    let adjust = wire(&casino, Some(&discord));
    let config = cli_config(&target.url, &adjust);
    let clock = ManualClock::new(test_start());
    fts_assistant::store::Store::open(&target.url)
        .await
        .unwrap()
        .close()
        .await;
    let legacy_before = legacy_fingerprint(&legacy.url).await;
    let empty = fingerprint(&target.url).await;

    // --dry-run: the summary, and nothing changed anywhere.
    let dry = import_legacy(&config, &clock, &legacy.url, true)
        .await
        .unwrap();
    println!("--- import-legacy --dry-run ({db:?}) ---\n{}", dry.render());
    assert_eq!(
        fingerprint(&target.url).await,
        empty,
        "--dry-run changes nothing"
    );
    assert_eq!(dry.awards.new, 17);
    let forecast = &dry.forecast.by_kind;
    assert_eq!(
        forecast.get("milestone").map(|(n, c)| (*n, c.cents())),
        Some((10, 1_800))
    );
    assert_eq!(
        forecast.get("challenge").map(|(n, c)| (*n, c.cents())),
        Some((1, 4_000))
    );

    // The import itself.
    let report = import_legacy(&config, &clock, &legacy.url, false)
        .await
        .unwrap();
    assert_eq!(
        report
            .render()
            .replace(" (dry run: nothing was changed)", ""),
        dry.render().replace(" (dry run: nothing was changed)", "")
    );
    let tips: i64 = report.tips_by_kind.iter().map(|(_, n, _)| n).sum();
    let amount: i64 = report.tips_by_kind.iter().map(|(_, _, a)| a.cents()).sum();
    assert_eq!(
        (tips, amount),
        (22, 13_950),
        "every manualtips row once: $139.50"
    );
    assert_eq!(report.challenges.map(|c| c.new), [1, 1, 2]);
    assert_eq!(report.months.new, 14);
    assert_eq!(report.messages.new, 3);
    assert_eq!(report.goals.new, 3);
    assert_eq!(report.weeks.new, 1);
    let after_import = fingerprint(&target.url).await;
    assert_eq!(
        count(&target.url, "SELECT COUNT(*) FROM challenges WHERE status = 'cancelled' AND game_id = 'pragmatic:vs10txbigbass' AND winner_uid IS NULL").await,
        1,
        "the cancelled challenge is not a win of the admin"
    );
    assert_eq!(
        count(&target.url, "SELECT COUNT(*) FROM payouts WHERE status = 'imported' AND kind = 'manual' AND reason LIKE '%giveaway%'").await,
        1,
        "an unknown tip type is a manual tip that keeps its type"
    );
    assert_eq!(
        count(
            &target.url,
            "SELECT COUNT(*) FROM monthly_totals WHERE is_final = 1"
        )
        .await,
        13
    );
    let erin_sent = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 12, 15, 0, 0)
        .unwrap()
        .timestamp_millis();
    assert_eq!(
        count(
            &target.url,
            "SELECT sent_ms FROM payouts WHERE uid = 'uid-erin'"
        )
        .await,
        erin_sent,
        "times without a zone are UTC"
    );

    // Twice: nothing new, nothing changed.
    let again = import_legacy(&config, &clock, &legacy.url, false)
        .await
        .unwrap();
    assert_eq!(
        again.awards.new + again.months.new + again.messages.new + again.goals.new,
        0
    );
    assert!(again.tips_by_kind.is_empty(), "{:?}", again.tips_by_kind);
    assert_eq!(again.tips_already, 22);
    assert_eq!(
        fingerprint(&target.url).await,
        after_import,
        "a second run changes nothing"
    );
    assert_eq!(
        legacy_fingerprint(&legacy.url).await,
        legacy_before,
        "the old database is only read"
    );

    // One cycle: only the tiers reached since are paid.
    let Some(app) = TestApp::spawn_on(target, test_start(), false, adjust).await else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    let challenge_key = format!(
        "challenge:{}",
        app.count("SELECT id FROM challenges WHERE game_id = 'pragmatic:vs20sugarrush'")
            .await
    );
    let pending = keys_with_status(&app, "pending").await;
    let mut expected: Vec<String> = std::iter::once("milestone:2026-11:uid-alice:8".to_string())
        .chain(std::iter::once(challenge_key))
        .chain((4..=10).map(|t| format!("milestone:2026-11:uid-carol:{t}")))
        .chain((1..=2).map(|t| format!("milestone:2026-11:uid-dave:{t}")))
        .collect();
    expected.sort();
    assert_eq!(pending, expected);
    assert_eq!(drain(&app).await, 11);
    let paid: f64 = casino.tips().iter().map(|t| t.amount.unwrap()).sum();
    assert_eq!(paid, 18.0 + 40.0);

    // The first board update edits the original's messages in place.
    fts_assistant::jobs::after_cycle(&app.state).await;
    let calls: Vec<String> = discord
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    for (channel, message) in [
        (LEADERBOARD_CHANNEL, "1400000000000000001"),
        (MULTIPLIER_CHANNEL, "1400000000000000002"),
        (CHALLENGE_CHANNEL, "1400000000000000003"),
    ] {
        let edit = format!("PATCH /channels/{channel}/messages/{message}");
        assert!(calls.contains(&edit), "{edit} in {calls:?}");
    }
    assert!(
        !calls.iter().any(|c| c.starts_with("POST /channels/9")),
        "no board is posted anew: {calls:?}"
    );

    // Public totals: the original's tips plus the new ones.
    let tips: Value = app.get("/api/tips").await.json().await.unwrap();
    assert_eq!(tips["totals"]["count"], 22 + 11);
    assert_eq!(tips["totals"]["amount"].as_f64(), Some(139.5 + 58.0));
}

/// `serve` ran before the import: its first cycle held (or, with
/// `FIRST_RUN_PAYS_EXISTING=true`, queued) every tier it found.
async fn import_after_serve(db: Db, pays_existing: bool) {
    let Some(legacy) = legacy_database().await else {
        return;
    };
    let casino = casino().await;
    players(&casino, &NOW_PLAYING);
    let adjust = wire(&casino, None);
    let Some(app) = TestApp::spawn_full(db, test_start(), false, |c: &mut Config| {
        adjust(c);
        c.first_run_pays_existing = pays_existing;
    })
    .await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    let status = if pays_existing { "pending" } else { "held" };
    assert_eq!(keys_with_status(&app, status).await.len(), 8 + 5 + 10 + 2);
    if !pays_existing {
        assert_eq!(drain(&app).await, 0);
    }

    let config = cli_config(&app.db_url, &adjust);
    let report = import_legacy(&config, app.clock.as_ref(), &legacy.url, false)
        .await
        .unwrap();
    // alice 1-7, bob 1-5 and carol 1-3 were paid by the original.
    if pays_existing {
        assert_eq!((report.pending_matched, report.held_matched), (15, 0));
    } else {
        assert_eq!((report.held_matched, report.held_released), (15, 10));
    }
    assert!(keys_with_status(&app, "held").await.is_empty());
    assert_eq!(
        drain(&app).await,
        10,
        "only the tiers the original never paid"
    );
    let paid: f64 = casino.tips().iter().map(|t| t.amount.unwrap()).sum();
    assert_eq!(paid, 18.0);
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 0);
}

async fn import_after_a_held_first_run_pays_only_what_the_original_did_not(db: Db) {
    import_after_serve(db, false).await;
}

async fn import_after_a_paying_first_run_never_sends_queued_repeats(db: Db) {
    import_after_serve(db, true).await;
}

async fn import_refuses_anything_but_postgres_and_changes_nothing(db: Db) {
    let Some(target) = fresh_database(db).await else {
        return;
    };
    let casino = casino().await;
    let config = cli_config(&target.url, &wire(&casino, None));
    let clock = ManualClock::new(test_start());
    let error = import_legacy(&config, &clock, "sqlite://old.db", false)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("PostgreSQL URL"),
        "a clear error: {error:#}"
    );
    if db == Db::Postgres {
        let error = import_legacy(&config, &clock, &target.url, false)
            .await
            .unwrap_err();
        assert!(error.to_string().contains("same database"), "{error:#}");
    }
    fts_assistant::store::Store::open(&target.url)
        .await
        .unwrap()
        .close()
        .await;
    assert_eq!(count(&target.url, "SELECT COUNT(*) FROM payouts").await, 0);
    assert_eq!(count(&target.url, "SELECT COUNT(*) FROM settings").await, 0);
}

async fn first_run_holds_until_baseline(db: Db) {
    assert!(WHAT_TO_RUN.contains("fts-assistant import-legacy --from"));
    assert!(WHAT_TO_RUN.contains("fts-assistant baseline"));
    assert!(WHAT_TO_RUN.contains("FIRST_RUN_PAYS_EXISTING=true"));
    let casino = casino().await;
    players(
        &casino,
        &[
            ("uid-alice", "AliceWins", 850.0),
            ("uid-big", "Whale", 20_000.0),
        ],
    );
    let adjust = wire(&casino, None);
    let Some(app) = TestApp::spawn_full(db, test_start(), false, &adjust).await else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    let held = keys_with_status(&app, "held").await;
    assert_eq!(held.len(), 7 + 17, "{held:?}");
    assert_eq!(
        drain(&app).await,
        0,
        "nothing reached before the first run is paid"
    );
    assert!(casino.tips().is_empty());

    // A tier reached after the first cycle is new: paid as usual.
    app.clock.advance(Duration::minutes(10));
    players(
        &casino,
        &[
            ("uid-alice", "AliceWins", 1_100.0),
            ("uid-big", "Whale", 20_000.0),
        ],
    );
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(
        keys_with_status(&app, "pending").await,
        ["milestone:2026-11:uid-alice:8"]
    );

    // baseline --dry-run changes nothing; baseline settles the held tiers.
    let config = cli_config(&app.db_url, &adjust);
    let before = fingerprint(&app.db_url).await;
    let dry = baseline(&config, app.clock.as_ref(), true).await.unwrap();
    println!("--- baseline --dry-run ({db:?}) ---\n{}", dry.render());
    assert_eq!(fingerprint(&app.db_url).await, before);
    assert_eq!(dry.held_matched, 24);
    let report = baseline(&config, app.clock.as_ref(), false).await.unwrap();
    assert_eq!(report.tiers.0, 24);
    assert_eq!(report.already, 1, "the pending tier 8 stays pending");
    assert_eq!(
        report.goals.len(),
        2,
        "total $63,300: goals $25,000 and $50,000"
    );
    assert!(keys_with_status(&app, "held").await.is_empty());
    assert_eq!(keys_with_status(&app, "baselined").await.len(), 24);
    let settled = fingerprint(&app.db_url).await;
    let again = baseline(&config, app.clock.as_ref(), false).await.unwrap();
    assert_eq!((again.tiers.0, again.goals.len()), (0, 0));
    assert_eq!(
        fingerprint(&app.db_url).await,
        settled,
        "a second baseline changes nothing"
    );

    assert_eq!(drain(&app).await, 1);
    assert_eq!(casino.tips().len(), 1);
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 0, "baselined tiers are never paid");
}

async fn first_run_pays_existing_releases_held_tiers(db: Db) {
    let casino = casino().await;
    players(&casino, &[("uid-alice", "AliceWins", 850.0)]);
    let adjust = wire(&casino, None);
    let Some(app) = TestApp::spawn_full(db, test_start(), false, &adjust).await else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(keys_with_status(&app, "held").await.len(), 7);
    let test_db = app.stop_keeping_db().await;
    let Some(app) = TestApp::spawn_on(test_db, test_start(), false, |c| {
        adjust(c);
        c.first_run_pays_existing = true;
    })
    .await
    else {
        return;
    };
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();
    assert!(keys_with_status(&app, "held").await.is_empty());
    assert_eq!(drain(&app).await, 7);
    let paid: f64 = casino.tips().iter().map(|t| t.amount.unwrap()).sum();
    assert_eq!(paid, 9.0);
}

async fn an_established_database_keeps_paying(db: Db) {
    // A database with payouts from before the first-run rule: not a first run.
    let casino = casino().await;
    players(&casino, &[("uid-alice", "AliceWins", 850.0)]);
    let adjust = wire(&casino, None);
    let Some(app) = TestApp::spawn_full(db, test_start(), false, &adjust).await else {
        return;
    };
    sqlx::query(
        "INSERT INTO payouts (idempotency_key, kind, uid, username, amount_cents, nonce, status, \
         created_ms, updated_ms) VALUES ('manual:old', 'manual', 'uid-x', 'x', 100, 'n-old', 'sent', 0, 0)",
    )
    .execute(app.state.store.pool())
    .await
    .unwrap();
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(drain(&app).await, 7);
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    assert_eq!(
        settings::get(&mut conn, "cutover.first_run")
            .await
            .unwrap()
            .as_deref(),
        Some("established")
    );
}

async fn month_history_fills_itself_once(db: Db) {
    let casino = casino().await;
    players(&casino, &[("uid-alice", "AliceWins", 850.0)]);
    let adjust = wire(&casino, None);
    let Some(app) = TestApp::spawn_full(db, test_start(), false, &adjust).await else {
        return;
    };
    // An interrupted run: three months stored, the state says running.
    {
        let mut conn = app.state.store.pool().acquire().await.unwrap();
        settings::set(&mut conn, HISTORY_KEY, "running", 0)
            .await
            .unwrap();
    }
    for month in ["2025-11", "2025-12", "2026-01"] {
        sqlx::query(
            "INSERT INTO monthly_totals (month, wagered_cents, weighted_cents, players, is_final, updated_ms) \
             VALUES ($1, 5, 5, 1, 1, 0)",
        )
        .bind(month)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    }
    let requests = casino.stats_requests().len();
    assert!(backfill_if_empty(&app.state).await.unwrap());
    assert_eq!(
        casino.stats_requests().len() - requests,
        2 * (AUTO_MONTHS as usize - 3),
        "resumes with the months still missing"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM monthly_totals WHERE is_final = 1")
            .await,
        i64::from(AUTO_MONTHS)
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM monthly_totals WHERE month = '2025-11' AND wagered_cents = 5"
        )
        .await,
        1,
        "months already stored are kept"
    );
    let requests = casino.stats_requests().len();
    assert!(backfill_if_empty(&app.state).await.unwrap());
    assert_eq!(casino.stats_requests().len(), requests, "done once");
}

async fn the_running_service_backfills_an_empty_history(db: Db) {
    let casino = casino().await;
    players(&casino, &[("uid-alice", "AliceWins", 850.0)]);
    let adjust = wire(&casino, None);
    let Some(app) = TestApp::spawn_full(db, test_start(), true, &adjust).await else {
        return;
    };
    let started = std::time::Instant::now();
    loop {
        let done = {
            let mut conn = app.state.store.pool().acquire().await.unwrap();
            settings::get(&mut conn, HISTORY_KEY).await.unwrap()
        };
        if done.as_deref() == Some("done") {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 30,
            "no backfill in 30 s: {done:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM monthly_totals WHERE is_final = 1")
            .await,
        i64::from(AUTO_MONTHS)
    );
}

async fn imported_history_is_not_backfilled(db: Db) {
    let casino = casino().await;
    let adjust = wire(&casino, None);
    let Some(app) = TestApp::spawn_full(db, test_start(), false, &adjust).await else {
        return;
    };
    sqlx::query(
        "INSERT INTO monthly_totals (month, wagered_cents, weighted_cents, players, is_final, updated_ms) \
         VALUES ('2026-10', 5, 5, 0, 1, 0)",
    )
    .execute(app.state.store.pool())
    .await
    .unwrap();
    assert!(backfill_if_empty(&app.state).await.unwrap());
    assert!(casino.stats_requests().is_empty());
}

/// The real binary: `serve` on an empty database with polling configured
/// logs the old names it read, the unknown one (once), and the command to
/// run; `import-legacy --dry-run` prints its summary and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_names_old_settings_and_what_to_run() {
    let casino = casino().await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("new.db").display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let binary = env!("CARGO_BIN_EXE_fts-assistant");
    let mut child = std::process::Command::new(binary)
        .arg("serve")
        .current_dir(dir.path())
        .env_clear()
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", &db)
        .env("ROOBET_API_BASE", casino.base_url().as_str())
        .env("ROOBET_API_TOKEN", DEMO_AFFILIATE_TOKEN)
        .env("ROOBET_USER_ID", DEMO_USER_ID)
        .env("MULTI_LEADERBOARD_CHANNEL_ID", "123")
        .env("BOT_OWNER_ID", "456")
        .env("DISCORD_TOKN", "typo")
        .env("NO_COLOR", "1")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let started = std::time::Instant::now();
    let mut text = String::new();
    while started.elapsed() < std::time::Duration::from_secs(30) {
        text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let healthy = http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if healthy && text.contains("poll cycle") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    child.kill().ok();
    child.wait().ok();
    assert!(
        text.contains("MULTI_LEADERBOARD_CHANNEL_ID is the original bot's name: read as MULTIPLIER_CHANNEL_ID"),
        "{text}"
    );
    assert!(
        text.contains("BOT_OWNER_ID is the original bot's setting"),
        "{text}"
    );
    assert_eq!(
        text.matches("DISCORD_TOKN is set but is not a setting")
            .count(),
        1,
        "{text}"
    );
    assert!(
        text.contains("fts-assistant import-legacy --from"),
        "{text}"
    );
    assert!(text.contains("fts-assistant baseline"), "{text}");

    let Some(legacy) = legacy_database().await else {
        return;
    };
    let before = fingerprint(&db).await;
    let output = std::process::Command::new(binary)
        .args(["import-legacy", "--from", &legacy.url, "--dry-run"])
        .current_dir(dir.path())
        .env_clear()
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("import-legacy (dry run: nothing was changed)"),
        "{stdout}"
    );
    assert!(stdout.contains("$139.50"), "{stdout}");
    assert_eq!(fingerprint(&db).await, before);
}

/// Rows of the original that our own commands would refuse: challenges at
/// 0.5× and 1.0× (`/setchallenge` requires ≥ 1.01×), a game id
/// `../../etc/passwd`, markup for the poster's id, a prize above the
/// largest challenge prize, a $99,999,999.99 tip, a weekly prize above the
/// largest weekly prize. Each is listed with its reason and nothing of it
/// is imported; hidden characters in names are cleaned; good rows import.
const BAD_LEGACY_ROWS: &str = "
ALTER TABLE active_slot_challenge ALTER COLUMN posted_by TYPE TEXT;
INSERT INTO slot_challenge_logs (challenge_id, game, game_identifier, winner_uid, winner_username,
    multiplier, bet, payout, required_multiplier, prize, min_bet, challenge_start) VALUES
    (11, 'Half Win', 'hacksaw:half', 'uid-frank', 'FrankTheTank',
     0.6, 0.20, 0.12, 0.5, 30.00, NULL, '2026-11-19 18:00:00'),
    (12, 'Passwords', '../../etc/passwd', 'uid-frank', 'FrankTheTank',
     2000, 0.20, 400, 1000, 30.00, NULL, '2026-11-19 19:00:00');
INSERT INTO active_slot_challenge (challenge_id, game_identifier, game_name, required_multi, prize,
    start_time, posted_by, posted_by_username, emoji, min_bet) VALUES
    (13, 'pragmatic:vs20fruitsw', 'Sweet Bonanza', 1.0, 10.00, '2026-11-22 11:00:00',
     '398765432109876543', 'AdminPat', NULL, NULL),
    (14, 'pragmatic:vs25wolfgold', 'Wolf Gold', 300, 20.00, '2026-11-22 12:00:00',
     '**<@&1>** ' || chr(8203), 'AdminPat', NULL, NULL),
    (15, 'pragmatic:vs20doghouse', 'The Dog House', 400, 5000.00, '2026-11-22 13:00:00',
     '398765432109876543', 'AdminPat', NULL, NULL),
    (16, 'pragmatic:vs20olympgate', 'Gates' || chr(8238) || ' of Olympus' || chr(8203), 250, 30.00,
     '2026-11-22 14:00:00', '398765432109876543', 'Admin' || chr(8203) || 'Pat' || chr(8238), NULL, NULL);
INSERT INTO manualtips (user_id, username, amount, tip_type, month, year, tipped_at) VALUES
    ('uid-mallory', 'Mallory', 99999999.99, 'manual', 11, 2026, '2026-11-24 10:00:00'),
    ('uid-mallory', 'Mallory', 500.00, 'weekly_multiplier', 11, 2026, '2026-11-23 00:06:00'),
    ('uid-hank', 'Hank' || chr(8203) || 'Hill', 5.00, 'manual', 11, 2026, '2026-11-24 11:00:00');
INSERT INTO weekly_multiplier_payouts (week_start, rank, user_id, username, prize_amount, multiplier, game_name, paid_at) VALUES
    ('2026-11-16', 3, 'uid-mallory', 'Mallory', 500.00, 900.00, 'Sugar Rush', '2026-11-23 00:06:00');
";

async fn import_refuses_rows_our_commands_would_refuse(db: Db) {
    let Some(legacy) = legacy_database().await else {
        return;
    };
    {
        let mut conn = sqlx::postgres::PgConnection::connect(&legacy.url)
            .await
            .unwrap();
        sqlx::raw_sql(BAD_LEGACY_ROWS)
            .execute(&mut conn)
            .await
            .expect("add the bad rows");
        conn.close().await.ok();
    }
    let Some(target) = fresh_database(db).await else {
        return;
    };
    let casino = casino().await;
    players(&casino, &NOW_PLAYING);
    let config = cli_config(&target.url, &wire(&casino, None));
    let clock = ManualClock::new(test_start());
    fts_assistant::store::Store::open(&target.url)
        .await
        .unwrap()
        .close()
        .await;
    let empty = fingerprint(&target.url).await;

    let dry = import_legacy(&config, &clock, &legacy.url, true)
        .await
        .unwrap();
    let text = dry.render();
    println!("--- import-legacy --dry-run with bad rows ({db:?}) ---\n{text}");
    assert_eq!(
        fingerprint(&target.url).await,
        empty,
        "--dry-run changes nothing"
    );
    assert!(
        text.contains("refused by our rules, nothing of them imported: 8"),
        "{text}"
    );
    let expected = [
        (
            "slot_challenge_logs challenge 11:",
            "multiplier must be at least 1.01",
        ),
        ("slot_challenge_logs challenge 12:", "game may only contain"),
        (
            "active_slot_challenge challenge 13:",
            "multiplier must be at least 1.01",
        ),
        (
            "active_slot_challenge challenge 14:",
            "is not a Discord user id",
        ),
        (
            "active_slot_challenge challenge 15:",
            "prize must be at most $1,000.00",
        ),
        (
            "manualtips tip of $99,999,999.99 to uid-mallory",
            "above MAX_MANUAL_TIP ($100.00)",
        ),
        (
            "weekly_multiplier_payouts 2026-11-16 #3 (uid-mallory):",
            "above the largest weekly prize",
        ),
    ];
    for (row, reason) in expected {
        let line = text
            .lines()
            .find(|l| l.contains(row))
            .unwrap_or_else(|| panic!("{row} is listed: {text}"));
        assert!(line.starts_with("  refused: "), "{line}");
        assert!(line.contains(reason), "{row}: {reason} in {line}");
    }
    assert_eq!(dry.refused.len(), 8, "{:?}", dry.refused);
    assert!(
        dry.refused
            .iter()
            .any(|r| r.contains("manualtips tip of $500.00 to uid-mallory")),
        "the weekly prize's tip too: {:?}",
        dry.refused
    );

    let report = import_legacy(&config, &clock, &legacy.url, false)
        .await
        .unwrap();
    assert_eq!(
        report.refused, dry.refused,
        "the real run refuses the same rows"
    );
    // Good rows import: the fixture's 22 tips plus Hank's $5.
    let tips: i64 = report.tips_by_kind.iter().map(|(_, n, _)| n).sum();
    let amount: i64 = report.tips_by_kind.iter().map(|(_, _, a)| a.cents()).sum();
    assert_eq!((tips, amount), (23, 13_950 + 500));
    assert_eq!(report.challenges.map(|c| c.new), [1, 1, 3]);
    assert_eq!(report.weeks.new, 1);
    for (sql, n) in [
        ("SELECT COUNT(*) FROM challenges", 5),
        ("SELECT COUNT(*) FROM challenges WHERE required_x100 < 101", 0),
        ("SELECT COUNT(*) FROM challenges WHERE game_id LIKE '%/%' OR game_id LIKE '%.%'", 0),
        ("SELECT COUNT(*) FROM challenges WHERE prize_cents > 100000", 0),
        ("SELECT COUNT(*) FROM challenges WHERE game_id IN ('hacksaw:half', 'pragmatic:vs20fruitsw', 'pragmatic:vs25wolfgold', 'pragmatic:vs20doghouse')", 0),
        ("SELECT COUNT(*) FROM challenges WHERE game_id = 'pragmatic:vs20olympgate' AND game_name = 'Gates of Olympus' AND created_by_name = 'AdminPat' AND status = 'active'", 1),
        ("SELECT COUNT(*) FROM payouts WHERE uid = 'uid-mallory'", 0),
        ("SELECT COUNT(*) FROM payouts WHERE amount_cents > 10000", 0),
        ("SELECT COUNT(*) FROM payouts WHERE uid = 'uid-hank' AND username = 'HankHill' AND status = 'imported'", 1),
        ("SELECT COUNT(*) FROM final_standings WHERE uid = 'uid-mallory'", 0),
        ("SELECT COUNT(*) FROM final_standings", 2),
    ] {
        assert_eq!(count(&target.url, sql).await, n, "{sql}");
    }
}

on_both_databases!(
    import_then_one_cycle_pays_only_new_tiers,
    import_after_a_held_first_run_pays_only_what_the_original_did_not,
    import_after_a_paying_first_run_never_sends_queued_repeats,
    import_refuses_anything_but_postgres_and_changes_nothing,
    first_run_holds_until_baseline,
    first_run_pays_existing_releases_held_tiers,
    an_established_database_keeps_paying,
    month_history_fills_itself_once,
    imported_history_is_not_backfilled,
    the_running_service_backfills_an_empty_history,
    import_refuses_rows_our_commands_would_refuse,
);
