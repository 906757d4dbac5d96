//! Community goal announcements: one row per (month, goal) announced, so a
//! goal is announced exactly once across restarts and replicas. The row is
//! claimed before the message is posted; an insert that loses the race
//! (`ON CONFLICT DO NOTHING`) means someone else announces it.

use sqlx::{AnyConnection, Row};

use super::StoreError;
use crate::domain::money::Cents;

/// The highest goal already claimed for `month` (`yyyy-mm`), if any: the
/// floor below which nothing may be announced any more.
pub async fn highest_announced(
    conn: &mut AnyConnection,
    month: &str,
) -> Result<Option<Cents>, StoreError> {
    let row = sqlx::query(
        "SELECT CAST(MAX(goal_cents) AS BIGINT) FROM goal_announcements WHERE month = $1",
    )
    .bind(month)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get::<Option<i64>, _>(0)?.map(Cents::new))
}

/// Claims `goal` for `month` and marks every goal in `lower` as announced
/// too, in one transaction. `true` means this caller won the claim and must
/// post the announcement; `false` means the goal, or a higher one, was
/// claimed already (by a previous cycle, a restart or another replica), so a
/// lower goal is never announced after a higher one.
pub async fn claim(
    conn: &mut AnyConnection,
    month: &str,
    goal: Cents,
    lower: &[Cents],
    now_ms: i64,
) -> Result<bool, StoreError> {
    use sqlx::Connection;
    let mut tx = conn.begin().await?;
    let claimed = sqlx::query(
        "INSERT INTO goal_announcements (month, goal_cents, announced_ms) \
         SELECT $1, $2, $3 WHERE NOT EXISTS \
         (SELECT 1 FROM goal_announcements WHERE month = $1 AND goal_cents >= $2) \
         ON CONFLICT (month, goal_cents) DO NOTHING",
    )
    .bind(month)
    .bind(goal.cents())
    .bind(now_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if claimed {
        for below in lower.iter().filter(|g| **g < goal) {
            sqlx::query(
                "INSERT INTO goal_announcements (month, goal_cents, announced_ms) \
                 VALUES ($1, $2, $3) ON CONFLICT (month, goal_cents) DO NOTHING",
            )
            .bind(month)
            .bind(below.cents())
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(claimed)
}

/// Gives a claim back when posting failed in a way that proves nothing was
/// posted, so the next cycle announces it (or a higher goal) again.
pub async fn release(conn: &mut AnyConnection, month: &str, goal: Cents) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM goal_announcements WHERE month = $1 AND goal_cents = $2")
        .bind(month)
        .bind(goal.cents())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
