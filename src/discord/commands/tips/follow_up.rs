//! After `/tipuser` has committed its intent: send that payout now, then
//! tell the admin how it went (edit of the deferred reply) and the channel
//! that it was sent. The payout never depends on Discord: it is sent (or
//! left to the worker) first, and a Discord failure is only logged.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::time::Instant;
use tracing::Instrument;
use twilight_util::builder::embed::EmbedBuilder;

use crate::app::AppState;
use crate::discord::commands::Invocation;
use crate::discord::embeds::{message_body, GOLD};
use crate::discord::respond;
use crate::discord::rest::DiscordRest;
use crate::domain::masking::mask_for_markdown;
use crate::payments::{send_payout, tipping_enabled};
use crate::store::payouts::{self, PayoutRow, PayoutStatus};
use crate::store::StoreError;
use crate::telemetry::ErrorChain;

/// How long we wait for another sender (the worker on this or another
/// replica) that claimed the payout first, before answering "queued".
const WAIT_FOR_OTHER_SENDER: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(250);

/// What the admin is told.
#[derive(Debug)]
enum Outcome {
    /// The tipping API confirmed it.
    Sent(PayoutRow),
    /// Recorded as sent without an API call (`TIPS_DRY_RUN`).
    DryRun(PayoutRow),
    /// The API refused; the row is `failed`.
    Refused(PayoutRow),
    /// Timeout or 5xx; the row is `unknown`.
    Unknown(PayoutRow),
    /// Nothing can send it in this configuration; it stays pending.
    TippingOff(PayoutRow),
    /// Still pending or sending (another sender, or awaiting approval).
    Queued(PayoutRow),
    /// The row could not be read or the send could not be recorded.
    Broken,
}

struct FollowUp {
    key: String,
    application_id: u64,
    token: String,
    channel_id: Option<u64>,
}

/// Sends the payout `key` in a task of its own, so the interaction is
/// answered (deferred) within Discord's three seconds.
pub fn spawn(invocation: &Invocation<'_>, key: String) {
    let state = Arc::clone(invocation.state);
    let interaction = invocation.interaction;
    let job = FollowUp {
        key,
        application_id: interaction.application_id.get(),
        token: interaction.token.clone(),
        channel_id: interaction.channel.as_ref().map(|c| c.id.get()),
    };
    tokio::spawn(run(state, job).in_current_span());
}

async fn run(state: Arc<AppState>, job: FollowUp) {
    let outcome = match settle(&state, &job.key).await {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::error!(key = %job.key, error = %ErrorChain(&error), "manual tip: cannot finish; check /tipstats");
            Outcome::Broken
        }
    };
    let text = outcome_text(&outcome, &job.key);
    let body = json!({ "content": text, "allowed_mentions": { "parse": [] } });
    let edited = super::super::reply_client(&state)
        .edit_original_response(job.application_id, &job.token, &body)
        .await;
    if let Err(error) = edited {
        tracing::warn!(key = %job.key, error = %ErrorChain(&error), "manual tip: cannot edit the deferred reply");
    }
    // The public "Manual Tip Sent!" is a channel post: it needs the bot.
    if let (Outcome::Sent(row), Some(channel), Some(discord)) =
        (&outcome, job.channel_id, &state.discord)
    {
        announce(&state, discord, channel, row).await;
    }
}

/// Posts "Manual Tip Sent!" once: the ledger's announcement claim is taken
/// before the post and given back if the post fails.
async fn announce(state: &AppState, discord: &DiscordRest, channel: u64, row: &PayoutRow) {
    let claimed = async {
        let mut conn = state.store.pool().acquire().await?;
        let now_ms = state.clock.now().timestamp_millis();
        payouts::claim_announcement(&mut conn, row.id, now_ms).await
    };
    match claimed.await {
        Ok(true) => {}
        Ok(false) => return,
        Err(error) => {
            tracing::warn!(key = %row.key, error = %ErrorChain(&error), "manual tip: cannot claim the announcement");
            return;
        }
    }
    if let Err(error) = discord.create_message(channel, &announcement(row)).await {
        tracing::warn!(key = %row.key, error = %ErrorChain(&error), "manual tip: cannot post the announcement");
        let released = async {
            let mut conn = state.store.pool().acquire().await?;
            payouts::release_announcement(&mut conn, row.id).await
        };
        if let Err(error) = released.await {
            tracing::warn!(key = %row.key, error = %ErrorChain(&error), "manual tip: announcement claim not released");
        }
    }
}

/// Sends the payout if it is still pending, then reads where it ended.
async fn settle(state: &AppState, key: &str) -> Result<Outcome, StoreError> {
    let Some(row) = load(state, key).await? else {
        return Ok(Outcome::Broken);
    };
    if !tipping_enabled(state) {
        return Ok(Outcome::TippingOff(row));
    }
    if row.status == PayoutStatus::Pending {
        // `None` means another sender claimed it first; we then wait for it.
        send_payout(state, row).await?;
    }
    let deadline = Instant::now() + WAIT_FOR_OTHER_SENDER;
    loop {
        let Some(row) = load(state, key).await? else {
            return Ok(Outcome::Broken);
        };
        let settled = !matches!(row.status, PayoutStatus::Pending | PayoutStatus::Sending);
        if settled || Instant::now() >= deadline {
            return Ok(classify(row));
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn load(state: &AppState, key: &str) -> Result<Option<PayoutRow>, StoreError> {
    let mut conn = state.store.pool().acquire().await?;
    payouts::by_key(&mut conn, key).await
}

fn classify(row: PayoutRow) -> Outcome {
    match row.status {
        PayoutStatus::Sent if row.dry_run => Outcome::DryRun(row),
        PayoutStatus::Sent => Outcome::Sent(row),
        PayoutStatus::Failed => Outcome::Refused(row),
        PayoutStatus::Unknown => Outcome::Unknown(row),
        _ => Outcome::Queued(row),
    }
}

fn detail(row: &PayoutRow) -> String {
    row.error
        .as_deref()
        .map(|e| e.replace('`', "'"))
        .unwrap_or_else(|| "no detail given".into())
}

fn outcome_text(outcome: &Outcome, key: &str) -> String {
    let who =
        |row: &PayoutRow| format!("{} to `{}`", row.amount, respond::admin_name(&row.username));
    match outcome {
        Outcome::Sent(row) => format!("✅ Sent: {} (payout #{}).", who(row), row.id),
        Outcome::DryRun(row) => format!(
            "🧪 Dry run: {} was recorded as sent WITHOUT calling the tipping API (TIPS_DRY_RUN is on; payout #{}).",
            who(row),
            row.id
        ),
        Outcome::Refused(row) => format!(
            "❌ Refused by the tipping API: {}. Nothing was sent; {} is `failed` (payout #{}). Retry it from /tipstats once the cause is fixed.",
            detail(row),
            who(row),
            row.id
        ),
        Outcome::Unknown(row) => format!(
            "⚠️ Outcome unknown: {}. {} may or may not have been paid, so it is not resent automatically: check the casino, then reconcile payout #{} in /tipstats (Mark sent, or Retry with the same nonce).",
            detail(row),
            who(row),
            row.id
        ),
        Outcome::TippingOff(row) => format!(
            "🕓 Queued: tipping is off (TIPPING_API_TOKEN or ROOBET_USER_ID missing). {} is recorded as pending (payout #{}) and is sent once tipping is configured.",
            who(row),
            row.id
        ),
        Outcome::Queued(row) => format!(
            "🕓 Queued: {} is `{}` (payout #{}); the payout queue is handling it. See /tipstats.",
            who(row),
            row.status,
            row.id
        ),
        Outcome::Broken => format!(
            "⚠️ The tip is recorded (`{key}`) but I could not finish handling it. Check /tipstats before tipping again: it may already have been paid, or be sent by the queue."
        ),
    }
}

/// The public "Manual Tip Sent!" message: masked name and amount only (the
/// reason is for the audit log, not the channel).
fn announcement(row: &PayoutRow) -> Value {
    let embed = EmbedBuilder::new()
        .title("Manual Tip Sent!")
        .color(GOLD)
        .description(format!(
            "🎁 **{}** received a tip of **{}**!",
            mask_for_markdown(&row.username),
            row.amount
        ))
        .build();
    message_body(vec![embed])
}
