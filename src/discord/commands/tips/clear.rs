//! `/clear_tips`: deletes this month's milestone award records, after a
//! confirmation button. The command only asks; the confirm click deletes,
//! once per interaction id, audit-logged. Payouts are never touched: the
//! ledger's unique keys mean a cleared tier reached again is not paid twice.

use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle};
use twilight_model::channel::message::Component;
use twilight_model::http::interaction::InteractionResponse;

use crate::discord::commands::once::{self, Once};
use crate::discord::commands::{CommandError, Invocation};
use crate::discord::respond;
use crate::domain::period::MonthPeriod;
use crate::domain::wording;
use crate::store::audit::{self, AuditEntry};
use crate::store::milestones;

fn button(custom_id: String, label: &str, style: ButtonStyle) -> Component {
    Component::Button(Button {
        custom_id: Some(custom_id),
        disabled: false,
        emoji: None,
        id: None,
        label: Some(label.to_string()),
        sku_id: None,
        style,
        url: None,
    })
}

/// Runs `/clear_tips`: shows what would be deleted and asks to confirm.
pub async fn ask(invocation: &Invocation<'_>) -> Result<InteractionResponse, CommandError> {
    let month = MonthPeriod::containing(invocation.now);
    let mut conn = invocation.state.store.pool().acquire().await?;
    let awarded = milestones::awarded(&mut conn, &month.key()).await?;
    let records: usize = awarded.values().map(|tiers| tiers.len()).sum();
    let text = format!(
        "⚠️ This deletes the **{}** of **{month}** \
         ({}). Tips already sent stay in the payout history, and a cleared \
         tier reached again is not paid twice (payout keys are unique). Confirm?",
        wording::count(records as i64, "milestone award record"),
        wording::count(awarded.len() as i64, "player")
    );
    let row = Component::ActionRow(ActionRow {
        components: vec![
            button(
                format!("clear_tips:confirm:{}", month.key()),
                "Delete this month's milestone records",
                ButtonStyle::Danger,
            ),
            button("clear_tips:cancel".into(), "Cancel", ButtonStyle::Secondary),
        ],
        id: None,
    });
    Ok(respond::ephemeral_with_components(text, vec![row]))
}

/// The cancel button: nothing happens.
pub fn cancel() -> InteractionResponse {
    respond::update_message("Cancelled: nothing was deleted.")
}

/// The confirm button: deletes the month's records, once.
pub async fn confirm(
    invocation: &Invocation<'_>,
    month: &str,
) -> Result<InteractionResponse, CommandError> {
    let Ok(month) = MonthPeriod::parse(month) else {
        return Ok(respond::update_message(
            "This confirmation names no month I know, so nothing was deleted. Run /clear_tips again.",
        ));
    };
    let mut applying = match once::begin(invocation, "clear_tips").await? {
        Once::Replay(response) => return Ok(*response),
        Once::Apply(applying) => applying,
    };
    let now_ms = invocation.now_ms();
    let current = MonthPeriod::containing(invocation.now);
    if month != current {
        let text = format!(
            "This confirmation was for {month}, and it is now {current}: nothing was deleted. Run /clear_tips again."
        );
        return applying.finish(respond::update_message(text), now_ms).await;
    }
    let deleted = milestones::clear_month(applying.conn(), &month.key()).await?;
    audit::record(
        applying.conn(),
        &AuditEntry {
            at_ms: now_ms,
            actor_id: invocation.caller_id(),
            actor_name: invocation.caller_name(),
            action: "clear_tips.month_milestones".into(),
            detail: format!(
                "deleted {deleted} milestone award records of {}",
                month.key()
            ),
            interaction_id: Some(invocation.interaction.id.to_string()),
        },
    )
    .await?;
    tracing::warn!(month = %month.key(), deleted, "milestone award records cleared by an admin");
    let text = format!(
        "🧹 Deleted {deleted} milestone award records of {month}. Sent tips stay in the payout \
         history, and because every payout key is unique, a cleared tier is never paid twice: \
         a player who reaches it again this month gets no second tip."
    );
    applying.finish(respond::update_message(text), now_ms).await
}
