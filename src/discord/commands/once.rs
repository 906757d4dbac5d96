//! Applying a state-changing interaction exactly once.
//!
//! The interaction id is claimed inside the transaction that applies the
//! change, and the reply is stored in the same transaction. A second delivery
//! of the same interaction (Discord's retry, or a replay within the signature
//! window) waits for the first to commit, loses the insert, and gets the
//! stored reply back: same answer, no second change.

use sqlx::{Any, AnyConnection, Transaction};
use twilight_model::http::interaction::InteractionResponse;

use super::{CommandError, Invocation};
use crate::discord::respond;
use crate::store::interactions::{self, Claim};

/// Either the change must be applied now, or it already was.
pub enum Once {
    /// First delivery: apply the change through [`Applying::conn`], then
    /// [`Applying::finish`].
    Apply(Applying),
    /// Already applied (or being applied): answer this and change nothing.
    Replay(Box<InteractionResponse>),
}

/// An open transaction holding the claim on an interaction id.
pub struct Applying {
    tx: Transaction<'static, Any>,
    interaction_id: String,
}

/// Claims the invocation's interaction id for `command`.
pub async fn begin(invocation: &Invocation<'_>, command: &str) -> Result<Once, CommandError> {
    let interaction_id = invocation.interaction.id.to_string();
    let mut tx = invocation.state.store.begin_write().await?;
    let claim = interactions::claim(
        &mut tx,
        &interaction_id,
        command,
        invocation.caller_id().as_deref(),
        invocation.now_ms(),
    )
    .await?;
    match claim {
        Claim::First => Ok(Once::Apply(Applying { tx, interaction_id })),
        Claim::Replayed(json) => {
            tracing::info!(
                interaction_id,
                command,
                "replayed interaction: answering from the record"
            );
            Ok(Once::Replay(Box::new(serde_json::from_str(&json)?)))
        }
        Claim::InFlight => Ok(Once::Replay(Box::new(respond::ephemeral_text(
            "This request is already being handled.",
        )))),
    }
}

impl Applying {
    /// The transaction's connection, for the change itself.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Stores `response` as this interaction's reply and commits the change.
    pub async fn finish(
        mut self,
        response: InteractionResponse,
        now_ms: i64,
    ) -> Result<InteractionResponse, CommandError> {
        let json = serde_json::to_string(&response)?;
        interactions::complete(&mut self.tx, &self.interaction_id, &json, now_ms).await?;
        self.tx.commit().await?;
        Ok(response)
    }
}
