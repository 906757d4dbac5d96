//! Keeps the board messages in their Discord channels current: one message
//! per board, edited in place after every cycle, so the channel shows one
//! live board instead of a new post each time.
//!
//! Where each message lives is stored in the settings table, so a restart
//! (or the next leader) edits the same message. A message someone deleted
//! (404 on edit) is posted anew; a changed channel id gets a new message in
//! the new channel (the old one is left as it is). Any other Discord failure
//! is logged and counted, and the next cycle tries again: the poll cycle
//! never fails because of Discord, and we never post a second copy on an
//! error that does not prove the first one is gone.

use std::fmt;

use serde_json::Value;
use tracing::Instrument;

use crate::app::AppState;
use crate::discord::embeds;
use crate::discord::rest::{call_outcome, DiscordRest, RestError};
use crate::published::Published;
use crate::store::{settings, StoreError};
use crate::telemetry::ErrorChain;

/// Settings key of the monthly board message.
pub const LEADERBOARD_MESSAGE_KEY: &str = "discord.message.leaderboard";
/// Settings key of the weekly multiplier board message.
pub const MULTIPLIER_MESSAGE_KEY: &str = "discord.message.multiplier";

/// What one publishing pass did, for the cycle's log line and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublishReport {
    /// Messages posted (first time, after a deletion, or in a new channel).
    pub posted: u32,
    /// Messages edited in place.
    pub edited: u32,
    /// Boards left as they were because Discord or the database failed;
    /// the next cycle tries again.
    pub failed: u32,
}

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

type Render = fn(&Published, &str) -> Value;

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

/// Posts or edits every configured board message from the current snapshot.
/// Never fails: errors are logged and counted in the report and in
/// `fts_external_calls_total{service="discord"}`. A board whose channel is
/// unset, or every board without a bot token, is skipped quietly.
pub async fn publish_boards(state: &AppState) -> PublishReport {
    let mut report = PublishReport::default();
    let Some(discord) = state.discord.as_ref() else {
        tracing::debug!("no Discord bot token: board messages are off");
        return report;
    };
    let published = state.board.current();
    let channels = &state.config.channels;
    let boards: [(&str, Option<u64>, Render); 2] = [
        (
            LEADERBOARD_MESSAGE_KEY,
            channels.leaderboard,
            embeds::leaderboard_message,
        ),
        (
            MULTIPLIER_MESSAGE_KEY,
            channels.multiplier,
            embeds::multiplier_message,
        ),
    ];
    for (key, channel, render) in boards {
        let Some(channel_id) = channel else {
            tracing::debug!(board = key, "no channel configured: message is off");
            continue;
        };
        let body = crate::discord::branding::brand_message(
            render(&published, &state.config.public_base_url),
            &state.config.branding,
        );
        let span = tracing::info_span!("publish_board", board = key, channel_id);
        match post_or_edit(state, discord, key, channel_id, &body)
            .instrument(span)
            .await
        {
            Outcome::Posted => report.posted += 1,
            Outcome::Edited => report.edited += 1,
            Outcome::Failed => report.failed += 1,
        }
    }
    report
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
            tracing::warn!(error = %ErrorChain(&e), "cannot read where the board message is; trying next cycle");
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
                    tracing::warn!(error = %ErrorChain(&e), message_id = stored.message_id, "cannot edit the board message; trying next cycle");
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
            tracing::warn!(error = %ErrorChain(&e), "cannot post the board message; trying next cycle");
            return Outcome::Failed;
        }
    };
    let value = StoredMessage {
        channel_id,
        message_id,
    }
    .to_string();
    if let Err(e) = write_stored(state, key, &value).await {
        tracing::error!(error = %ErrorChain(&e), message_id, "posted the board message but cannot store its id: the next cycle will post another");
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
