//! The audit log: who changed what through an admin command.

use sqlx::AnyConnection;

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
