//! Small named values that must survive a restart: the ids of the channel
//! messages we edit in place, the last poll's outcome, and the like.

use sqlx::{AnyConnection, Row};

use super::StoreError;

/// Reads a setting.
pub async fn get(conn: &mut AnyConnection, key: &str) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Writes (inserts or replaces) a setting.
pub async fn set(
    conn: &mut AnyConnection,
    key: &str,
    value: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
    )
    .bind(key)
    .bind(value)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Writes a setting only if it does not exist yet (two replicas starting at
/// once agree on the first value written).
pub async fn set_if_absent(
    conn: &mut AnyConnection,
    key: &str,
    value: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(value)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
