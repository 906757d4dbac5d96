//! The PostgreSQL advisory lock that names the replica running the jobs
//! (`jobs::leader` owns the connection it lives on). SQLite has no such
//! lock: there the process is the leader.

use sqlx::{AnyConnection, Row};

use super::StoreError;

/// The advisory lock key ("FTS_JOBS" in ASCII).
const JOB_LOCK_KEY: i64 = 0x4654_535f_4a4f_4253;

/// Tries to take the job lock on this session; `false` when another
/// session holds it. The lock lasts as long as the connection.
pub async fn try_lock(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT pg_try_advisory_lock($1)")
        .bind(JOB_LOCK_KEY)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// Gives the job lock up on this session, so another replica can take it
/// at once instead of after the server notices the closed connection.
pub async fn unlock(conn: &mut AnyConnection) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(JOB_LOCK_KEY)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
