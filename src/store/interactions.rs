//! Processed interaction ids: a state-changing interaction is applied once.
//!
//! The handler claims the id in the same transaction as its change and
//! stores its reply there too; a second delivery of the same signed request
//! (Discord's retry, or a replay inside the timestamp window) loses the
//! insert race and gets the stored reply back, changing nothing.

use sqlx::{AnyConnection, Row};

use super::StoreError;

/// The outcome of claiming an interaction id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First delivery: apply the change, then [`complete`].
    First,
    /// Already applied; this is the reply it got (JSON of the interaction response).
    Replayed(String),
    /// Claimed by a delivery that has not finished (only outside a transaction).
    InFlight,
}

/// Claims `interaction_id` for `command`. Run inside the transaction that
/// applies the change, so a failure releases the claim with the rollback.
pub async fn claim(
    conn: &mut AnyConnection,
    interaction_id: &str,
    command: &str,
    user_id: Option<&str>,
    now_ms: i64,
) -> Result<Claim, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO processed_interactions (interaction_id, command, user_id, received_ms) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (interaction_id) DO NOTHING",
    )
    .bind(interaction_id)
    .bind(command)
    .bind(user_id)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Claim::First);
    }
    let row =
        sqlx::query("SELECT response_json FROM processed_interactions WHERE interaction_id = $1")
            .bind(interaction_id)
            .fetch_one(&mut *conn)
            .await?;
    let response: Option<String> = row.try_get(0)?;
    Ok(response.map_or(Claim::InFlight, Claim::Replayed))
}

/// Records the reply given to a claimed interaction.
pub async fn complete(
    conn: &mut AnyConnection,
    interaction_id: &str,
    response_json: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE processed_interactions SET response_json = $1, completed_ms = $2 \
         WHERE interaction_id = $3",
    )
    .bind(response_json)
    .bind(now_ms)
    .bind(interaction_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
