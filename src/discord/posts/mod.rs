//! The Discord side of what the service posts in channels: messages kept
//! in place (edited, re-posted only when gone) and the challenge posts.
//!
//! This is the seam the background jobs post through (`jobs` imports
//! `discord::posts`, never the other way round); commands use it too (a new
//! challenge is announced at once).

pub mod challenges;

use std::fmt;

use serde_json::Value;

use crate::app::AppState;
use crate::discord::rest::{call_outcome, DiscordRest, RestError};
use crate::store::{settings, StoreError};

/// Where a board's message lives. Stored as `channel_id:message_id` so a
/// changed channel setting is noticed and the board is posted there anew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredMessage {
    /// The channel the message was posted in.
    pub channel_id: u64,
    /// The message id Discord gave it.
    pub message_id: u64,
}

impl StoredMessage {
    /// Reads a stored value; `None` for anything malformed (treated as no
    /// message, so the board is posted anew rather than never again).
    pub fn parse(value: &str) -> Option<Self> {
        let (channel, message) = value.trim().split_once(':')?;
        Some(Self {
            channel_id: channel.parse().ok()?,
            message_id: message.parse().ok()?,
        })
    }
}

impl fmt::Display for StoredMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.channel_id, self.message_id)
    }
}

/// What [`post_or_edit`] did with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new message was posted (and its id stored).
    Posted,
    /// The stored message was edited in place.
    Edited,
    /// Nothing changed; the next cycle tries again.
    Failed,
}

/// Edits the message whose id is stored under `key`; posts anew only when it
/// is gone (404), in another channel, or was never posted, and stores the new
/// id. Any other failure leaves it for the next cycle rather than risk a
/// duplicate. Every message the service keeps in place goes through here.
pub async fn post_or_edit(
    state: &AppState,
    discord: &DiscordRest,
    key: &str,
    channel_id: u64,
    body: &Value,
) -> Outcome {
    let stored = match read_stored(state, key).await {
        Ok(stored) => stored,
        Err(e) => {
            // Posting without knowing would leave a duplicate behind.
            tracing::warn!(error = %e, "cannot read where the board message is; trying next cycle");
            return Outcome::Failed;
        }
    };
    match stored {
        Some(stored) if stored.channel_id == channel_id => {
            let edited = discord
                .edit_message(channel_id, stored.message_id, body)
                .await;
            record_call(state, edited.as_ref().err());
            match edited {
                Ok(()) => return Outcome::Edited,
                Err(RestError::NotFound(_)) => tracing::info!(
                    message_id = stored.message_id,
                    "board message is gone: posting a new one"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, message_id = stored.message_id, "cannot edit the board message; trying next cycle");
                    return Outcome::Failed;
                }
            }
        }
        Some(stored) => tracing::info!(
            old_channel_id = stored.channel_id,
            "board channel changed: posting in the new channel"
        ),
        None => tracing::info!("no board message yet: posting one"),
    }
    let created = discord.create_message(channel_id, body).await;
    record_call(state, created.as_ref().err());
    let message_id = match created {
        Ok(id) => id,
        Err(e) => {
            tracing::warn!(error = %e, "cannot post the board message; trying next cycle");
            return Outcome::Failed;
        }
    };
    let value = StoredMessage {
        channel_id,
        message_id,
    }
    .to_string();
    if let Err(e) = write_stored(state, key, &value).await {
        tracing::error!(error = %e, message_id, "posted the board message but cannot store its id: the next cycle will post another");
    }
    Outcome::Posted
}

async fn read_stored(state: &AppState, key: &str) -> Result<Option<StoredMessage>, StoreError> {
    let mut conn = state.store.pool().acquire().await?;
    let value = settings::get(&mut conn, key).await?;
    Ok(value.and_then(|v| {
        let parsed = StoredMessage::parse(&v);
        if parsed.is_none() {
            tracing::warn!(value = v, "malformed stored message id: posting anew");
        }
        parsed
    }))
}

async fn write_stored(state: &AppState, key: &str, value: &str) -> Result<(), StoreError> {
    let mut conn = state.store.pool().acquire().await?;
    settings::set(&mut conn, key, value, state.clock.now().timestamp_millis()).await
}

fn record_call(state: &AppState, error: Option<&RestError>) {
    state.metrics.external_call("discord", call_outcome(error));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_messages_round_trip_and_reject_garbage() {
        let stored = StoredMessage {
            channel_id: 10,
            message_id: 1_234_567_890_123_456_789,
        };
        assert_eq!(stored.to_string(), "10:1234567890123456789");
        assert_eq!(StoredMessage::parse(&stored.to_string()), Some(stored));
        for bad in ["", "10", "10:", ":5", "a:b", "10:5:6", "-1:5"] {
            assert_eq!(StoredMessage::parse(bad), None, "{bad}");
        }
    }
}
