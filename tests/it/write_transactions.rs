//! Transactions that read before they write, while another connection
//! commits: the poll, challenge and roll-over cycles all do this, and on
//! SQLite a deferred transaction then fails outright (`SQLITE_BUSY_SNAPSHOT`,
//! which no busy timeout retries). `Store::begin_write` must make them wait
//! their turn instead, on both databases.

use std::time::Duration;

use fts_assistant::store::Store;
use sqlx::Row;

use crate::common::{self, Db};

async fn settings_count(store: &Store) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM settings")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get(0)
}

async fn a_write_transaction_that_reads_first_survives_a_concurrent_commit(db: Db) {
    let Some(test_db) = common::fresh_database(db).await else {
        return;
    };
    let store = Store::open(&test_db.url).await.unwrap();
    let before = settings_count(&store).await;

    let mut tx = store.begin_write().await.unwrap();
    let seen: i64 = sqlx::query("SELECT COUNT(*) FROM settings")
        .fetch_one(&mut *tx)
        .await
        .unwrap()
        .get(0);
    assert_eq!(seen, before);
    // Someone else writes while the transaction is open (the payout worker
    // marking a tip sent, an admin command).
    let other = store.clone();
    let writer = tokio::spawn(async move {
        sqlx::query("INSERT INTO settings (key, value, updated_ms) VALUES ('other', 'x', 1)")
            .execute(other.pool())
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    sqlx::query("INSERT INTO settings (key, value, updated_ms) VALUES ('mine', 'x', 1)")
        .execute(&mut *tx)
        .await
        .expect("the transaction's write is not refused by the other commit");
    tx.commit().await.unwrap();
    writer
        .await
        .unwrap()
        .expect("the other writer waited its turn and then wrote");
    assert_eq!(settings_count(&store).await, before + 2);
    store.close().await;
}

on_both_databases!(a_write_transaction_that_reads_first_survives_a_concurrent_commit);
