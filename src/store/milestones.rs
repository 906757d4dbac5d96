//! Milestone tiers reached per month and player: what has been awarded, so
//! each tier is earned once a month. `/clear_tips` resets a month's rows;
//! the payouts ledger's unique keys still prevent a second payment.

use std::collections::{BTreeSet, HashMap};

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::StoreError;

/// Tiers already awarded this month, by uid.
pub async fn awarded(
    conn: &mut AnyConnection,
    month: &str,
) -> Result<HashMap<String, BTreeSet<u32>>, StoreError> {
    let rows = sqlx::query("SELECT uid, tier FROM milestone_awards WHERE month = $1")
        .bind(month)
        .fetch_all(&mut *conn)
        .await?;
    let mut by_uid: HashMap<String, BTreeSet<u32>> = HashMap::new();
    for row in rows {
        let tier: i64 = row.try_get(1)?;
        let tier = u32::try_from(tier).map_err(|_| StoreError::Corrupt(format!("tier {tier}")))?;
        by_uid.entry(row.try_get(0)?).or_default().insert(tier);
    }
    Ok(by_uid)
}

/// The highest tier awarded this month to each of `uids` (a player with no
/// award is absent). Tiers are awarded in order (every tier at or below a
/// player's figure at once), so the highest one stands for all below it.
///
/// Only the players in hand are looked up, in bounded batches through the
/// primary key: at 100k players the month's award table holds millions of
/// rows, and grouping all of them every cycle cost most of a cycle.
pub async fn highest_awarded(
    conn: &mut AnyConnection,
    month: &str,
    uids: &[&str],
) -> Result<HashMap<String, u32>, StoreError> {
    let mut by_uid = HashMap::with_capacity(uids.len());
    for batch in super::batches(uids, 512) {
        let sql = format!(
            "SELECT uid, CAST(MAX(tier) AS BIGINT) FROM milestone_awards \
             WHERE uid IN {} AND month = {} GROUP BY uid",
            super::values_rows(conn, 1, batch.len()),
            super::placeholder(conn, batch.len() + 1),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql.as_str()));
        for uid in batch {
            query = query.bind(*uid);
        }
        for row in query.bind(month).fetch_all(&mut *conn).await? {
            let tier: i64 = row.try_get(1)?;
            let tier =
                u32::try_from(tier).map_err(|_| StoreError::Corrupt(format!("tier {tier}")))?;
            by_uid.insert(row.try_get(0)?, tier);
        }
    }
    Ok(by_uid)
}

/// Records a tier as awarded; `false` if it already was.
pub async fn award(
    conn: &mut AnyConnection,
    month: &str,
    uid: &str,
    tier: u32,
    payout_key: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO milestone_awards (month, uid, tier, awarded_ms, payout_key) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (month, uid, tier) DO NOTHING",
    )
    .bind(month)
    .bind(uid)
    .bind(i64::from(tier))
    .bind(now_ms)
    .bind(payout_key)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Deletes a month's award records (`/clear_tips`); returns how many.
pub async fn clear_month(conn: &mut AnyConnection, month: &str) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM milestone_awards WHERE month = $1")
        .bind(month)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}
