//! Fault tests with the real binary: the process is killed (SIGKILL) while
//! the tipping API holds a tip request open. On restart that payout is
//! `unknown` — never resent — and every other pending payout is sent once.

use crate::common;

use std::time::{Duration, Instant};

use fts_assistant::roobet::fake::{
    FakeCallKind, FakeCasino, FakeMode, FakeRow, TipBehaviour, DEMO_AFFILIATE_TOKEN,
    DEMO_TIPPING_TOKEN,
};
use sqlx::{Connection, Row};

use crate::common::served::Served;
use crate::common::Db;

fn start_binary(casino: &FakeCasino, database_url: &str, dir: &std::path::Path) -> Served {
    Served::start("service", casino, database_url, dir, |command| {
        command.env("POLL_INTERVAL_SECS", "3600");
    })
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn statuses(database_url: &str) -> Vec<(String, String)> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(database_url).await.unwrap();
    sqlx::query("SELECT idempotency_key, status FROM payouts ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

async fn killed_mid_tip_leaves_it_unknown_and_pays_the_rest_once(db: Db) {
    let Some(test_db) = common::fresh_database(db).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(fts_assistant::clock::SystemClock);
    let casino = FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap();
    casino.set_rows(
        FakeCallKind::Weighted,
        [
            FakeRow::new("uid-a", "alice_w")
                .wagered(900.0)
                .weighted(450.0),
            FakeRow::new("uid-b", "bobby_w")
                .wagered(300.0)
                .weighted(150.0),
        ],
    );
    casino.set_rows(
        FakeCallKind::Total,
        [
            FakeRow::new("uid-a", "alice_w").wagered(900.0),
            FakeRow::new("uid-b", "bobby_w").wagered(300.0),
        ],
    );
    casino.set_tip_behaviour(TipBehaviour::Hang);

    let first = start_binary(&casino, &test_db.url, dir.path());
    wait_until("the first tip to be in flight", || casino.tips().len() == 1).await;
    // Give the process a moment: it must not send a second tip meanwhile.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(casino.tips().len(), 1);
    drop(first); // SIGKILL while the tipping API holds the request open

    let before = statuses(&test_db.url).await;
    assert_eq!(before.len(), 8, "5 tiers for alice, 3 for bob: {before:?}");
    assert_eq!(before.iter().filter(|(_, s)| s == "sending").count(), 1);

    casino.set_tip_behaviour(TipBehaviour::Succeed);
    casino.release_hung_tips();
    let second = start_binary(&casino, &test_db.url, dir.path());
    wait_until("the other 7 payouts to be sent", || {
        casino.tips().len() == 8
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(second);

    let after = statuses(&test_db.url).await;
    let interrupted = &before.iter().find(|(_, s)| s == "sending").unwrap().0;
    for (key, status) in &after {
        let expected = if key == interrupted {
            "unknown"
        } else {
            "sent"
        };
        assert_eq!(status, expected, "{key}: {after:?}");
    }
    let tips = casino.tips();
    assert_eq!(tips.len(), 8, "nothing was resent");
    let nonces: std::collections::HashSet<_> = tips.iter().map(|t| t.nonce.clone()).collect();
    assert_eq!(nonces.len(), 8, "one request per payout");
    let log = std::fs::read_to_string(dir.path().join("service.log")).unwrap();
    assert!(log.contains("now `unknown`"), "the restart says so: {log}");
    assert!(
        !log.contains(DEMO_TIPPING_TOKEN) && !log.contains(DEMO_AFFILIATE_TOKEN),
        "no secret in the log"
    );
}

on_both_databases!(killed_mid_tip_leaves_it_unknown_and_pays_the_rest_once);
