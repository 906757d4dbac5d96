//! `/exclude`: the anti-abuse list of spec/rules.md. Excluded players are
//! left out of every board, earn no milestone or challenge and are never
//! tipped automatically; this command edits and shows the list.

use chrono::{Datelike, TimeZone, Utc};
use twilight_model::http::interaction::InteractionResponse;

use super::definitions::{Exclude, ExcludeAction};
use super::once::{self, Once};
use super::options;
use super::{CommandError, Invocation};
use crate::discord::respond;
use crate::domain::masking::mask_username;
use crate::domain::names::Username;
use crate::domain::wording;
use crate::published::published_from_store;
use crate::store::audit::{self, AuditEntry};
use crate::store::payouts;
use crate::store::players::{self, Exclusion};
use crate::telemetry::ErrorChain;

const REASON_MAX_CHARS: usize = 200;

/// Runs `/exclude`.
pub async fn run(
    invocation: &Invocation<'_>,
    command: Exclude,
) -> Result<InteractionResponse, CommandError> {
    let action = command.action.unwrap_or(ExcludeAction::Add);
    if action == ExcludeAction::List {
        return list(invocation).await;
    }
    let username = options::needed(command.username, "username")?;
    let username = Username::parse(username.as_str())
        .map_err(|e| CommandError::Invalid(format!("`username` {e}")))?;
    let reason = command.reason.map(|r| {
        respond::truncate_chars(
            &crate::domain::names::strip_hidden(r.as_str()),
            REASON_MAX_CHARS,
        )
    });
    let action = action.value();

    let mut applying = match once::begin(invocation, "exclude").await? {
        Once::Replay(response) => return Ok(*response),
        Once::Apply(applying) => applying,
    };
    let year_start = Utc
        .with_ymd_and_hms(invocation.now.year(), 1, 1, 0, 0, 0)
        .single()
        .map_or(0, |t| t.timestamp_millis());
    // Refusals are not recorded: the transaction (and the claim) roll back.
    let player = super::player_names::resolve_one(
        applying.conn(),
        &username,
        year_start,
        || format!("no player named `{username}` has played under our code this year, so there is nobody to {action}."),
        if action == "add" {
            "so nobody was excluded"
        } else {
            "so nobody was taken off the list"
        },
    )
    .await?;
    // Admin-only ephemeral reply: the real name (public views stay masked).
    let masked = respond::admin_name(&player.username);
    let mut cancelled_keys: Vec<String> = Vec::new();
    let (changed, text) = if action == "add" {
        let added = players::exclude(
            applying.conn(),
            &Exclusion {
                uid: player.uid.clone(),
                username: player.username.clone(),
                reason: reason.clone(),
                added_by: invocation.caller_id(),
                added_ms: invocation.now_ms(),
            },
        )
        .await?;
        // Same transaction as the exclusion: once it commits, none of the
        // player's waiting payouts can reach the tipping API.
        let note = format!(
            "cancelled: player excluded by {} ({})",
            invocation
                .caller_name()
                .or_else(|| invocation.caller_id())
                .unwrap_or_else(|| "an admin".into()),
            reason.as_deref().unwrap_or("no reason given")
        );
        let cancelled =
            payouts::cancel_unsent_of(applying.conn(), &player.uid, &note, invocation.now_ms())
                .await?;
        let in_flight = payouts::in_flight_of(applying.conn(), &player.uid).await?;
        let mut text = if added {
            format!("🚫 `{masked}` is now excluded from boards, milestones, challenges and automatic tips.")
        } else {
            format!("`{masked}` was already excluded.")
        };
        if !cancelled.is_empty() {
            text.push_str(&format!(
                "\n🛑 Cancelled {} (never sent): {}.",
                wording::count(cancelled.len() as i64, "waiting payout"),
                respond::truncate_chars(&cancelled.join(", "), 600)
            ));
        }
        if !in_flight.is_empty() {
            let ids: Vec<String> = in_flight
                .iter()
                .map(|p| format!("#{} ({})", p.id, p.status))
                .collect();
            text.push_str(&format!(
                "\n⚠️ Already left or in doubt, not stopped: {}. Reconcile them in `/tipstats`.",
                ids.join(", ")
            ));
        }
        cancelled_keys = cancelled;
        (added || !cancelled_keys.is_empty(), text)
    } else {
        let removed = players::unexclude(applying.conn(), &player.uid).await?;
        let text = if removed {
            format!("✅ `{masked}` is no longer excluded.")
        } else {
            format!("`{masked}` was not excluded; nothing changed.")
        };
        (removed, text)
    };
    if changed {
        audit::record(
            applying.conn(),
            &AuditEntry {
                at_ms: invocation.now_ms(),
                actor_id: invocation.caller_id(),
                actor_name: invocation.caller_name(),
                action: format!("exclude.{action}"),
                detail: format!(
                    "{} uid {}{}{}",
                    mask_username(&player.username),
                    player.uid,
                    reason
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default(),
                    if cancelled_keys.is_empty() {
                        String::new()
                    } else {
                        format!("; cancelled payouts: {}", cancelled_keys.join(", "))
                    }
                ),
                interaction_id: Some(invocation.interaction.id.to_string()),
            },
        )
        .await?;
    }
    let response = applying
        .finish(respond::ephemeral_text(text), invocation.now_ms())
        .await?;
    if changed {
        republish(invocation).await;
    }
    Ok(response)
}

/// Shows the change on the boards at once instead of at the next cycle.
async fn republish(invocation: &Invocation<'_>) {
    let state = invocation.state;
    let rebuilt = async {
        let mut conn = state.store.pool().acquire().await?;
        published_from_store(
            &mut conn,
            &state.rewards,
            invocation.now,
            state.tips_listing(),
        )
        .await
    };
    match rebuilt.await {
        Ok(published) => state.board.publish(published),
        Err(e) => {
            tracing::warn!(error = %ErrorChain(&e), "boards not refreshed after /exclude; the next cycle will")
        }
    }
}

async fn list(invocation: &Invocation<'_>) -> Result<InteractionResponse, CommandError> {
    let mut conn = invocation.state.store.pool().acquire().await?;
    let entries = players::exclusions(&mut conn).await?;
    if entries.is_empty() {
        return Ok(respond::ephemeral_text("The exclusion list is empty."));
    }
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            let reason = e.reason.as_deref().unwrap_or("no reason given");
            format!("• `{}` — {}", respond::admin_name(&e.username), reason)
        })
        .collect();
    Ok(respond::ephemeral_text(respond::truncate_chars(
        &format!(
            "**Excluded players ({})**\n{}",
            entries.len(),
            lines.join("\n")
        ),
        2000,
    )))
}
