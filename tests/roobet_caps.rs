//! A casino answer over the size cap aborts the poll cycle and changes
//! nothing, without the process's memory following the answer's size. Its
//! own test binary, with the two engines taking turns, so the RSS it
//! measures is this test's alone.

mod common;

use std::time::Duration;

use fts_assistant::config::{Config, Secret};
use fts_assistant::jobs::poll::{run_and_record, CycleError};
use fts_assistant::roobet::fake::{
    FakeCallKind, FakeCasino, FakeMode, FakeRow, DEMO_AFFILIATE_TOKEN, DEMO_USER_ID,
};

use common::{Db, TestApp};

on_both_databases!(an_answer_over_the_stats_cap_aborts_the_cycle_within_bounded_memory);

/// One measuring test at a time in this binary.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Resident memory of this process, in bytes.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn point_at(casino: &FakeCasino) -> impl FnOnce(&mut Config) + '_ {
    move |config: &mut Config| {
        config.roobet_api_base = casino.base_url().to_string();
        config.roobet_api_token = Some(Secret::new(DEMO_AFFILIATE_TOKEN));
        config.roobet_user_id = Some(DEMO_USER_ID.into());
    }
}

async fn an_answer_over_the_stats_cap_aborts_the_cycle_within_bounded_memory(db: Db) {
    let _turn = TURN.lock().await;
    let clock = std::sync::Arc::new(fts_assistant::clock::ManualClock::new(common::test_start()));
    let casino = FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap();
    let rows = [FakeRow::new("uid-1", "player1")
        .wagered(100.0)
        .weighted(50.0)];
    casino.set_rows(FakeCallKind::Weighted, rows.clone());
    casino.set_rows(FakeCallKind::Total, rows);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, point_at(&casino)).await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    let before = app.state.board.current();
    let snapshots = "SELECT COUNT(*) FROM player_snapshots";
    let stored_before = app.count(snapshots).await;
    const HUGE: u64 = 150 * 1024 * 1024;

    for announce_length in [true, false] {
        app.clock.advance(chrono::Duration::minutes(10));
        // Every call of the cycle gets the huge answer.
        casino.respond_oversized_next(10, HUGE, announce_length);
        let baseline = rss_bytes();
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(baseline));
        let sampler = {
            let peak = peak.clone();
            tokio::spawn(async move {
                loop {
                    peak.fetch_max(rss_bytes(), std::sync::atomic::Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
        };
        let error = run_and_record(&app.jobs).await.unwrap_err();
        sampler.abort();
        peak.fetch_max(rss_bytes(), std::sync::atomic::Ordering::Relaxed);
        casino.clear_faults();
        assert!(matches!(error, CycleError::Affiliate(_)), "{error}");
        assert!(error.to_string().contains("cap"), "{error}");
        let growth = peak.load(std::sync::atomic::Ordering::Relaxed) - baseline;
        eprintln!(
            "RSS growth reading an over-cap answer (length announced: {announce_length}): {} MB",
            growth / (1024 * 1024)
        );
        assert!(
            growth < 100 * 1024 * 1024,
            "RSS grew by {} MB reading an over-cap answer (length announced: {announce_length})",
            growth / (1024 * 1024)
        );
        assert_eq!(*app.state.board.current(), *before, "nothing published");
        assert_eq!(app.count(snapshots).await, stored_before, "nothing stored");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM poll_cycles WHERE outcome = 'malformed'")
                .await,
            if announce_length { 1 } else { 2 }
        );
    }
}
