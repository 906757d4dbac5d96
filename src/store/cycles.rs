//! The poll cycles log: `/status`, `/readyz` after a restart, and the
//! "last update" of the pages.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::StoreError;

/// One finished cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleRecord {
    /// When it started (Unix ms).
    pub started_ms: i64,
    /// When it finished (Unix ms).
    pub finished_ms: i64,
    /// `ok` or the failure's label.
    pub outcome: String,
    /// Players in the month's answer.
    pub players_seen: Option<i64>,
    /// Human detail (never a secret).
    pub detail: Option<String>,
}

/// Records a finished cycle.
pub async fn record(conn: &mut AnyConnection, cycle: &CycleRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO poll_cycles (started_ms, finished_ms, outcome, players_seen, detail) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(cycle.started_ms)
    .bind(cycle.finished_ms)
    .bind(&cycle.outcome)
    .bind(cycle.players_seen)
    .bind(cycle.detail.as_deref())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The most recent successful cycle.
pub async fn last_success(conn: &mut AnyConnection) -> Result<Option<CycleRecord>, StoreError> {
    latest(conn, "WHERE outcome = 'ok'").await
}

/// The most recent cycle of any outcome.
pub async fn last(conn: &mut AnyConnection) -> Result<Option<CycleRecord>, StoreError> {
    latest(conn, "").await
}

async fn latest(
    conn: &mut AnyConnection,
    filter: &'static str,
) -> Result<Option<CycleRecord>, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT started_ms, finished_ms, outcome, players_seen, detail FROM poll_cycles {filter} \
         ORDER BY id DESC LIMIT 1"
    )))
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(CycleRecord {
            started_ms: r.try_get(0)?,
            finished_ms: r.try_get::<Option<i64>, _>(1)?.unwrap_or(0),
            outcome: r.try_get(2)?,
            players_seen: r.try_get(3)?,
            detail: r.try_get(4)?,
        })
    })
    .transpose()
}
