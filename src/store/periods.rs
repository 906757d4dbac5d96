//! Which periods are open and which are frozen. A period is opened by the
//! first cycle that sees it and frozen exactly once at roll-over.

use sqlx::{AnyConnection, Row};

use super::snapshots::PeriodKind;
use super::StoreError;

/// Records that a period is being tracked (no-op when already known).
pub async fn open(conn: &mut AnyConnection, kind: PeriodKind, key: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO periods (period_kind, period_key, status) VALUES ($1, $2, 'open') \
         ON CONFLICT (period_kind, period_key) DO NOTHING",
    )
    .bind(kind.as_str())
    .bind(key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Open periods of a kind other than `current`, oldest first: the ones a
/// cycle must freeze before it starts the current one.
pub async fn open_before(
    conn: &mut AnyConnection,
    kind: PeriodKind,
    current: &str,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT period_key FROM periods WHERE period_kind = $1 AND status = 'open' \
         AND period_key < $2 ORDER BY period_key",
    )
    .bind(kind.as_str())
    .bind(current)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| r.try_get(0).map_err(StoreError::from))
        .collect()
}

/// Freezes an open period; `false` when another process froze it first
/// (the caller then rolls its transaction back).
pub async fn finalize(
    conn: &mut AnyConnection,
    kind: PeriodKind,
    key: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let changed = sqlx::query(
        "UPDATE periods SET status = 'final', finalized_ms = $1 \
         WHERE period_kind = $2 AND period_key = $3 AND status = 'open'",
    )
    .bind(now_ms)
    .bind(kind.as_str())
    .bind(key)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(changed == 1)
}
