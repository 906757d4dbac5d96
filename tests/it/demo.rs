//! `fts-assistant demo` seeds a year of history: against the simulated
//! casino, the seeding freezes the past months through the roll-over's own
//! code, so `/history` lists their boards and `/monthtomonth`'s totals are
//! final, on SQLite and PostgreSQL.

use std::sync::Arc;

use fts_assistant::cli::serve::{demo_config, seed_demo_history, DEMO_HISTORY_MONTHS};
use fts_assistant::clock::ManualClock;
use fts_assistant::domain::period::MonthPeriod;
use fts_assistant::roobet::fake::{FakeCasino, FakeMode};
use fts_assistant::store::snapshots::PeriodKind;
use fts_assistant::store::{standings, totals};

use crate::common::{test_start, Db, TestApp};

async fn demo_seeding_freezes_the_past_year_into_history(db: Db) {
    let casino = FakeCasino::spawn(
        Arc::new(ManualClock::new(test_start())),
        FakeMode::Simulated { seed: 2026 },
    )
    .await
    .unwrap();
    let Some(app) = TestApp::spawn_full(db, test_start(), false, |c| {
        let database_url = c.database_url.clone();
        *c = demo_config(c.clone(), &casino);
        c.database_url = database_url;
    })
    .await
    else {
        casino.shutdown().await;
        return;
    };
    let frozen = seed_demo_history(&app.state).await.unwrap();
    let mut month = MonthPeriod::containing(test_start());
    let mut expected = Vec::new();
    for _ in 0..DEMO_HISTORY_MONTHS {
        month = month.previous();
        expected.push(month.key());
    }
    expected.reverse();
    assert_eq!(
        frozen, expected,
        "the twelve months before now, oldest first"
    );

    let mut conn = app.state.store.pool().acquire().await.unwrap();
    let mut keys = standings::frozen_keys(&mut conn, PeriodKind::Month)
        .await
        .unwrap();
    keys.reverse();
    assert_eq!(keys, expected);
    for key in &expected {
        let board = standings::load(&mut conn, PeriodKind::Month, key)
            .await
            .unwrap();
        assert!(!board.is_empty(), "{key} has a frozen board");
        assert_eq!(board[0].rank, 1);
        assert!(board[0].prize.cents() > 0, "{key}: first place won a prize");
    }
    let final_totals = totals::all(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .filter(|(key, _, is_final)| *is_final && expected.contains(key))
        .count();
    assert_eq!(final_totals, expected.len(), "month totals are final");
    let prizes = app
        .count("SELECT COUNT(*) FROM payouts WHERE kind = 'leaderboard'")
        .await;
    assert!(prizes >= 12, "each month's prizes recorded: {prizes}");
    drop(conn);

    let page = app.get("/history").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for key in &expected {
        let name = MonthPeriod::parse(key).unwrap().to_string();
        assert!(html.contains(&name), "/history lists {name}: {html}");
    }

    let again = seed_demo_history(&app.state).await.unwrap();
    assert!(again.is_empty(), "a second run freezes nothing: {again:?}");
    app.stop().await;
    casino.shutdown().await;
}

on_both_databases!(demo_seeding_freezes_the_past_year_into_history);
