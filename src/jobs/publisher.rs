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

use serde_json::Value;
use tracing::Instrument;

use crate::app::AppState;
use crate::discord::embeds;
use crate::discord::posts::{post_or_edit, Outcome};
use crate::published::Published;

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

type Render = fn(&Published, &str) -> Value;

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
