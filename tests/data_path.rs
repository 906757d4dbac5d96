//! The data path end to end: the real app polls a fake casino over HTTP,
//! ranks the boards, persists them, survives bad answers and restarts, and
//! freezes ended periods into history with their prizes as payout intents.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use fts_assistant::config::{Config, Secret};
use fts_assistant::domain::money::Cents;
use fts_assistant::jobs::poll::{run_and_record, CycleError};
use fts_assistant::roobet::fake::{
    FakeCallKind, FakeCasino, FakeMode, FakeRow, DEMO_AFFILIATE_TOKEN, DEMO_USER_ID,
};
use fts_assistant::store::players;
use sqlx::Row;

use common::{Db, TestApp};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn point_at(casino: &FakeCasino) -> impl FnOnce(&mut Config) + '_ {
    move |config: &mut Config| {
        config.roobet_api_base = casino.base_url().to_string();
        config.roobet_api_token = Some(Secret::new(DEMO_AFFILIATE_TOKEN));
        config.roobet_user_id = Some(DEMO_USER_ID.into());
    }
}

/// Twelve players: `p01` has the most weighted wager; `p06`/`p07` tie on
/// weighted and are split by total; every player has a hit.
fn twelve_players(casino: &FakeCasino, scale: f64) {
    let mut weighted = Vec::new();
    let mut total = Vec::new();
    for i in 1..=12u32 {
        let uid = format!("uid-{i:02}");
        let name = format!("player{i:02}");
        let w = if i == 7 {
            7_000.0
        } else {
            (13 - i) as f64 * 1_000.0
        } * scale;
        let t = w * 2.0 + if i == 6 { 0.0 } else { 10.0 };
        let multiplier = 50.0 * i as f64;
        weighted.push(FakeRow::new(&uid, &name).wagered(t).weighted(w).hit(
            multiplier,
            0.2,
            multiplier * 0.2,
            "pragmatic:vs10bbbbrnd",
            "Big Bass Bonanza",
        ));
        total.push(FakeRow::new(&uid, &name).wagered(t));
    }
    casino.set_rows(FakeCallKind::Weighted, weighted);
    casino.set_rows(FakeCallKind::Total, total);
}

async fn casino() -> FakeCasino {
    let clock = std::sync::Arc::new(fts_assistant::clock::ManualClock::new(common::test_start()));
    FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap()
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    app.count(sql).await
}

async fn a_cycle_ranks_the_monthly_and_weekly_boards(db: Db) {
    let casino = casino().await;
    twelve_players(&casino, 1.0);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, point_at(&casino)).await
    else {
        return;
    };
    let report = run_and_record(&app.jobs).await.unwrap();
    assert_eq!(report.players_seen, 12);

    let board = app.state.board.current();
    let ranked: Vec<&str> = board.month.entries.iter().map(|e| e.uid.as_str()).collect();
    assert_eq!(
        &ranked[..8],
        ["uid-01", "uid-02", "uid-03", "uid-04", "uid-05", "uid-07", "uid-06", "uid-08"]
    );
    let prizes: Vec<i64> = board
        .month
        .entries
        .iter()
        .take(10)
        .map(|e| e.prize.unwrap().0)
        .collect();
    assert_eq!(
        prizes,
        [50_000, 30_000, 22_500, 17_500, 12_500, 7_500, 4_000, 3_000, 2_500, 500]
    );
    assert!(board.month.entries[10].prize.is_none());
    assert_eq!(board.month.entries[0].weighted_wagered, Cents(1_200_000));
    assert_eq!(board.month.entries[0].wagered, Cents(2_401_000));
    assert_eq!(board.week.entries[0].uid, "uid-12");
    assert_eq!(board.week.entries[0].prize, Some(Cents(2_000)));
    assert!(board.updated_at.is_some());

    // The queries followed the contract: weighted, total and week calls.
    let queries = casino.stats_requests();
    assert!(queries
        .iter()
        .any(|q| q.get("startDate") == Some("2026-11-01T00:00:00.000Z")
            && q.get("endDate") == Some("2026-11-30T23:59:59.999Z")
            && q.get("categories") == Some("slots,provably fair")));
    assert!(queries
        .iter()
        .any(|q| q.get("startDate") == Some("2026-11-23T00:00:00.000Z")));
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM players").await, 12);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM games").await, 1);
}

async fn excluded_players_are_left_off_the_boards(db: Db) {
    let casino = casino().await;
    twelve_players(&casino, 1.0);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, point_at(&casino)).await
    else {
        return;
    };
    {
        let mut conn = app.state.store.pool().acquire().await.unwrap();
        players::exclude(
            &mut conn,
            &players::Exclusion {
                uid: "uid-01".into(),
                username: "player01".into(),
                reason: None,
                added_by: None,
                added_ms: 0,
            },
        )
        .await
        .unwrap();
    }
    run_and_record(&app.jobs).await.unwrap();
    let board = app.state.board.current();
    assert_eq!(board.month.entries[0].uid, "uid-02");
    assert_eq!(board.month.entries[0].prize, Some(Cents(50_000)));
    assert!(board.month.entries.iter().all(|e| e.uid != "uid-01"));
    assert!(board.week.entries.iter().all(|e| e.uid != "uid-01"));
}

async fn a_broken_answer_aborts_the_cycle_and_changes_nothing(db: Db) {
    let casino = casino().await;
    twelve_players(&casino, 1.0);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, point_at(&casino)).await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    let before = app.state.board.current();
    let snapshot_sum = "SELECT CAST(SUM(weighted_cents) AS BIGINT) FROM player_snapshots";
    let stored_before = scalar(&app, snapshot_sum).await;

    twelve_players(&casino, 2.0);
    app.clock.advance(Duration::minutes(10));
    casino.respond_malformed_next(10);
    let error = run_and_record(&app.jobs).await.unwrap_err();
    assert!(matches!(error, CycleError::Affiliate(_)), "{error}");
    assert_eq!(*app.state.board.current(), *before);
    assert_eq!(scalar(&app, snapshot_sum).await, stored_before);

    casino.fail_next(10, 500);
    assert!(run_and_record(&app.jobs).await.is_err());
    casino.clear_faults();
    assert_eq!(scalar(&app, snapshot_sum).await, stored_before);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM poll_cycles WHERE outcome <> 'ok'"
        )
        .await,
        2
    );
    let metrics = app.metrics_text().await;
    assert!(
        metrics.contains("fts_poll_cycles_total{kind=\"malformed\"} 1"),
        "{metrics}"
    );
}

async fn an_empty_answer_after_players_is_refused(db: Db) {
    let casino = casino().await;
    twelve_players(&casino, 1.0);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, point_at(&casino)).await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    let before = app.state.board.current();
    casino.set_rows(FakeCallKind::Weighted, Vec::<FakeRow>::new());
    casino.set_rows(FakeCallKind::Total, Vec::<FakeRow>::new());
    let error = run_and_record(&app.jobs).await.unwrap_err();
    assert!(matches!(error, CycleError::SuspiciousEmpty(_)), "{error}");
    assert_eq!(*app.state.board.current(), *before);
}

async fn a_restart_serves_the_same_boards_before_polling(db: Db) {
    let casino = casino().await;
    twelve_players(&casino, 1.0);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, point_at(&casino)).await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    let before = app.state.board.current();
    let test_db = app.stop_keeping_db().await;
    casino.fail_next(100, 503);
    let Some(again) =
        TestApp::spawn_on(test_db, common::test_start(), false, point_at(&casino)).await
    else {
        return;
    };
    let after = again.state.board.current();
    assert_eq!(after.month.entries, before.month.entries);
    assert_eq!(after.week.entries, before.week.entries);
    assert_eq!(after.updated_at, before.updated_at);
}

async fn period_ends_freeze_standings_and_record_prizes_once(db: Db) {
    let casino = casino().await;
    twelve_players(&casino, 1.0);
    // Sunday night of the week of 2026-11-23, a day before the month ends.
    let Some(app) =
        TestApp::spawn_full(db, at(2026, 11, 29, 23, 50), false, point_at(&casino)).await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();

    // Past Sunday midnight: the week closes.
    app.clock.set(at(2026, 11, 30, 0, 20));
    let report = run_and_record(&app.jobs).await.unwrap();
    assert_eq!(report.periods_closed, ["2026-11-23"]);
    let keys = payout_keys(&app, "multiplier").await;
    assert_eq!(
        keys,
        [
            "multiplier:2026-11-23:1",
            "multiplier:2026-11-23:2",
            "multiplier:2026-11-23:3"
        ]
    );
    assert_eq!(
        payout_amounts(&app, "multiplier").await,
        [2_000, 1_500, 500]
    );
    assert_eq!(app.state.board.current().week.period.key(), "2026-11-30");

    // A day later the month closes; its final figures are fetched again.
    twelve_players(&casino, 1.5);
    app.clock.set(at(2026, 12, 1, 0, 5));
    let report = run_and_record(&app.jobs).await.unwrap();
    assert_eq!(report.periods_closed, ["2026-11"]);
    let keys = payout_keys(&app, "leaderboard").await;
    assert_eq!(keys.len(), 10);
    assert_eq!(keys[0], "leaderboard:2026-11:1");
    assert_eq!(
        payout_amounts(&app, "leaderboard")
            .await
            .iter()
            .sum::<i64>(),
        150_000
    );
    let first_final = scalar(&app, "SELECT weighted_cents FROM final_standings WHERE period_kind = 'month' AND period_key = '2026-11' AND rank = 1").await;
    assert_eq!(
        first_final, 1_800_000,
        "the final figures are the refetched ones"
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM payouts WHERE status = 'pending' AND kind IN ('leaderboard', 'multiplier')"
        )
        .await,
        13
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT is_final FROM monthly_totals WHERE month = '2026-11'"
        )
        .await,
        1
    );
    assert_eq!(app.state.board.current().month.period.key(), "2026-12");

    // More cycles, and a restart, pay nothing more (December's milestones
    // were earned by the first December cycle; the figures do not change).
    let recorded = scalar(&app, "SELECT COUNT(*) FROM payouts").await;
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();
    let test_db = app.stop_keeping_db().await;
    let Some(again) =
        TestApp::spawn_on(test_db, at(2026, 12, 1, 0, 30), false, point_at(&casino)).await
    else {
        return;
    };
    run_and_record(&again.jobs).await.unwrap();
    assert_eq!(
        scalar(&again, "SELECT COUNT(*) FROM payouts").await,
        recorded
    );
    assert_eq!(
        scalar(
            &again,
            "SELECT COUNT(*) FROM payouts WHERE kind IN ('leaderboard', 'multiplier')"
        )
        .await,
        13
    );
    assert_eq!(
        scalar(
            &again,
            "SELECT COUNT(*) FROM final_standings WHERE period_kind = 'week'"
        )
        .await,
        12
    );
}

async fn payout_keys(app: &TestApp, kind: &str) -> Vec<String> {
    sqlx::query("SELECT idempotency_key FROM payouts WHERE kind = $1 ORDER BY idempotency_key")
        .bind(kind)
        .fetch_all(app.state.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect()
}

async fn payout_amounts(app: &TestApp, kind: &str) -> Vec<i64> {
    sqlx::query("SELECT amount_cents FROM payouts WHERE kind = $1 ORDER BY idempotency_key")
        .bind(kind)
        .fetch_all(app.state.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .collect()
}

async fn the_startup_cycle_runs_in_the_background(db: Db) {
    let casino = casino().await;
    twelve_players(&casino, 1.0);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), true, point_at(&casino)).await
    else {
        return;
    };
    for _ in 0..100 {
        if app.state.board.current().updated_at.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.state.board.current().month.entries.len(), 12);
    assert_eq!(app.get("/readyz").await.status(), 200);
    assert!(app.state.clock.now() >= common::test_start());
}

async fn an_exclusion_takes_effect_on_the_boards_at_once(db: Db) {
    use fts_assistant::discord::synth::{Caller, OptionValue, SynthInteraction};
    let casino = casino().await;
    twelve_players(&casino, 1.0);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, point_at(&casino)).await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(app.state.board.current().month.entries[0].uid, "uid-01");
    let exclude = SynthInteraction::command(
        "exclude",
        &[("username", OptionValue::String("PLAYER01".into()))],
    )
    .by(Caller::ManageServer);
    let (status, _) = app.interact(&exclude).await;
    assert_eq!(status, 200);
    let board = app.state.board.current();
    assert_eq!(board.month.entries[0].uid, "uid-02");
    assert_eq!(board.month.entries[0].prize, Some(Cents(50_000)));
}

on_both_databases!(
    an_exclusion_takes_effect_on_the_boards_at_once,
    a_cycle_ranks_the_monthly_and_weekly_boards,
    excluded_players_are_left_off_the_boards,
    a_broken_answer_aborts_the_cycle_and_changes_nothing,
    an_empty_answer_after_players_is_refused,
    a_restart_serves_the_same_boards_before_polling,
    period_ends_freeze_standings_and_record_prizes_once,
    the_startup_cycle_runs_in_the_background,
);

/// On PostgreSQL, a second replica serves requests but does not poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_one_replica_holds_the_job_lock_on_postgres() {
    let Some(test_db) = common::fresh_database(Db::Postgres).await else {
        return;
    };
    let casino = casino().await;
    twelve_players(&casino, 1.0);
    let alias = test_db.alias();
    let Some(first) =
        TestApp::spawn_on(test_db, common::test_start(), false, point_at(&casino)).await
    else {
        return;
    };
    let Some(second) =
        TestApp::spawn_on(alias, common::test_start(), false, point_at(&casino)).await
    else {
        return;
    };
    assert!(first.jobs.leadership.check().await.unwrap());
    assert!(!second.jobs.leadership.check().await.unwrap());
    assert!(
        first.jobs.leadership.check().await.unwrap(),
        "the holder keeps it"
    );
    first.jobs.leadership.release().await;
    assert!(
        second.jobs.leadership.check().await.unwrap(),
        "released: the other takes over"
    );
}
