//! The challenge messages in Discord: the board in `CHALLENGE_CHANNEL_ID`
//! (one message, edited in place like the leaderboards, its id in the
//! settings table), new-challenge announcements there, and winners'
//! announcements in `CHALLENGE_LOGS_CHANNEL_ID`, each claimed before it is
//! posted so restarts and replicas never post it twice.
//!
//! Discord failures are logged and counted, never fatal; the next cycle
//! tries again.

use serde_json::Value;

use super::post_or_edit;
use crate::app::AppState;
use crate::discord::embeds::challenges as messages;
use crate::discord::rest::{call_outcome, RestError};
use crate::domain::payout_keys::challenge_key;
use crate::store::challenges;
use crate::store::challenges::top_attempts;
use crate::store::payouts;
use crate::store::{settings, StoreError};

/// Settings key of the challenge board message (`channel_id:message_id`).
pub const BOARD_MESSAGE_KEY: &str = "discord.message.challenges";
/// Only wins this recent are announced, so switching the channel on later
/// does not flood it with old news.
const FRESH_MS: i64 = 24 * 60 * 60 * 1000;

fn record_call(state: &AppState, error: Option<&RestError>) {
    state.metrics.external_call("discord", call_outcome(error));
}

/// Posts or edits the board from the database. Quiet without a bot token
/// or a challenge channel.
pub async fn refresh_board(state: &AppState) {
    let (Some(discord), Some(channel_id)) = (&state.discord, state.config.channels.challenge)
    else {
        return;
    };
    let _one_at_a_time = state.locks.challenge_board.lock().await;
    let body = match board_body(state).await {
        Ok(body) => body,
        Err(e) => {
            tracing::warn!(error = %e, "challenge board not rendered; trying next cycle");
            return;
        }
    };
    post_or_edit(state, discord, BOARD_MESSAGE_KEY, channel_id, &body).await;
}

async fn board_body(state: &AppState) -> Result<Value, StoreError> {
    let mut conn = state.store.pool().acquire().await?;
    let active = challenges::active(&mut conn).await?;
    let best = top_attempts(&mut conn, &active).await?;
    let winners = challenges::winners(&mut conn, messages::RECENT_WINNERS as i64).await?;
    Ok(messages::board_message(
        &active,
        &best,
        &winners,
        &state.config.public_base_url,
        state.clock.now(),
    ))
}

/// Announces a just-created challenge in the challenge channel and
/// refreshes the board. Called once, after the creation committed.
pub async fn announce_new_challenge(state: &AppState, id: i64) {
    let channel = state.config.channels.challenge;
    post_about(
        state,
        channel,
        id,
        "new challenge",
        messages::new_challenge_message,
    )
    .await;
    refresh_board(state).await;
}

/// Posts the public notice of a cancelled challenge in the logs channel and
/// refreshes the board. Called once, after the cancellation committed (a
/// replayed interaction gets its stored reply and posts nothing).
pub async fn announce_cancelled(state: &AppState, id: i64) {
    let channel = state.config.channels.challenge_logs;
    post_about(state, channel, id, "cancellation", messages::cancel_message).await;
    refresh_board(state).await;
}

/// Posts `render(challenge)` in `channel` once; quiet without a bot or a
/// channel, logged (never fatal) when the post or the read fails.
async fn post_about(
    state: &AppState,
    channel: Option<u64>,
    id: i64,
    what: &str,
    render: fn(&challenges::ChallengeRow) -> Value,
) {
    let (Some(discord), Some(channel_id)) = (&state.discord, channel) else {
        return;
    };
    let row = match state.store.pool().acquire().await {
        Ok(mut conn) => challenges::by_id(&mut conn, id).await,
        Err(e) => Err(StoreError::from(e)),
    };
    match row {
        Ok(Some(row)) => {
            let posted = discord.create_message(channel_id, &render(&row)).await;
            record_call(state, posted.as_ref().err());
            if let Err(e) = posted {
                tracing::warn!(challenge_id = id, error = %e, "{what} not announced");
            }
        }
        Ok(None) => tracing::warn!(
            challenge_id = id,
            "challenge vanished before its {what} post"
        ),
        Err(e) => tracing::warn!(challenge_id = id, error = %e, "{what} not announced"),
    }
}

/// Posts each unannounced win whose prize was sent in the last day in the
/// logs channel, claiming it first; a refused post gives the claim back for
/// the next pass. Runs after every cycle and after every sent tip, so the
/// post follows the money.
pub async fn announce_wins(state: &AppState) -> Result<(), StoreError> {
    let (Some(discord), Some(channel_id)) = (&state.discord, state.config.channels.challenge_logs)
    else {
        return Ok(());
    };
    let now_ms = state.clock.now().timestamp_millis();
    let mut conn = state.store.pool().acquire().await?;
    for row in challenges::unannounced_wins(&mut conn, now_ms - FRESH_MS).await? {
        if !challenges::claim_announcement(&mut conn, row.id, now_ms).await? {
            continue;
        }
        let dry_run = payouts::by_key(&mut conn, &challenge_key(row.id))
            .await?
            .is_some_and(|p| p.dry_run);
        let posted = discord
            .create_message(channel_id, &messages::win_message(&row, dry_run))
            .await;
        record_call(state, posted.as_ref().err());
        match posted {
            Ok(message_id) => {
                let key = challenges::announced_key(row.id);
                settings::set(&mut conn, &key, &message_id.to_string(), now_ms).await?;
            }
            Err(e) => {
                tracing::warn!(challenge_id = row.id, error = %e, "challenge win not announced; will retry");
                challenges::release_announcement(&mut conn, row.id).await?;
                break;
            }
        }
    }
    Ok(())
}
