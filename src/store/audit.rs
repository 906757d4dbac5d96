//! The audit log: who changed what through an admin command.

use sqlx::{AnyConnection, Row};

use super::StoreError;

/// One audit entry, as written and as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When it happened (Unix ms).
    pub at_ms: i64,
    /// Discord user id of the admin.
    pub actor_id: Option<String>,
    /// Discord username of the admin at the time.
    pub actor_name: Option<String>,
    /// Machine-readable action, e.g. `exclude.add`.
    pub action: String,
    /// Human-readable detail (never a secret).
    pub detail: String,
    /// The interaction that caused it, if any.
    pub interaction_id: Option<String>,
}

/// Appends an entry; run it in the transaction of the change it describes.
pub async fn record(conn: &mut AnyConnection, entry: &AuditEntry) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at_ms, actor_id, actor_name, action, detail, interaction_id) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(entry.at_ms)
    .bind(entry.actor_id.as_deref())
    .bind(entry.actor_name.as_deref())
    .bind(&entry.action)
    .bind(&entry.detail)
    .bind(entry.interaction_id.as_deref())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The most recent entries, newest first.
pub async fn recent(conn: &mut AnyConnection, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT at_ms, actor_id, actor_name, action, detail, interaction_id \
         FROM audit_log ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                at_ms: r.try_get(0)?,
                actor_id: r.try_get(1)?,
                actor_name: r.try_get(2)?,
                action: r.try_get(3)?,
                detail: r.try_get(4)?,
                interaction_id: r.try_get(5)?,
            })
        })
        .collect()
}
