//! The `/tipstats` buttons: an admin settles a payout the service cannot
//! settle alone. `tips:mark_sent:{id}` (unknown → sent, after checking the
//! casino), `tips:retry:{id}` (unknown or failed → pending, same nonce) and
//! `tips:approve:{id}` (awaiting approval → pending). Each click is applied
//! once per interaction id and audit-logged with the status change.

use twilight_model::http::interaction::InteractionResponse;

use crate::discord::commands::once::{self, Once};
use crate::discord::commands::{CommandError, Invocation};
use crate::discord::respond;
use crate::store::audit::{self, AuditEntry};
use crate::store::payouts::{self, PayoutStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    MarkSent,
    Retry,
    Approve,
}

impl Action {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "mark_sent" => Some(Self::MarkSent),
            "retry" => Some(Self::Retry),
            "approve" => Some(Self::Approve),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::MarkSent => "mark_sent",
            Self::Retry => "retry",
            Self::Approve => "approve",
        }
    }

    /// The statuses this action applies to, for the "nothing changed" text.
    fn applies_to(self) -> &'static str {
        match self {
            Self::MarkSent => "`unknown`",
            Self::Retry => "`unknown` or `failed`",
            Self::Approve => "`awaiting_approval`",
        }
    }
}

/// Applies one reconcile button.
pub async fn run(
    invocation: &Invocation<'_>,
    action: &str,
    id: &str,
) -> Result<InteractionResponse, CommandError> {
    let (Some(action), Ok(id)) = (Action::parse(action), id.parse::<i64>()) else {
        return Ok(respond::update_message(
            "This button names no action or payout I know, so nothing was changed. Run /tipstats again.",
        ));
    };
    let mut applying = match once::begin(invocation, "tips").await? {
        Once::Replay(response) => return Ok(*response),
        Once::Apply(applying) => applying,
    };
    let now_ms = invocation.now_ms();
    let Some(payout) = payouts::by_id(applying.conn(), id).await? else {
        let text = format!("There is no payout #{id}, so nothing was changed.");
        return applying.finish(respond::update_message(text), now_ms).await;
    };
    let admin = invocation.caller_id().unwrap_or_else(|| "unknown".into());
    let changed = match action {
        Action::MarkSent => {
            payouts::mark_reconciled_sent(applying.conn(), id, &admin, now_ms).await?
        }
        Action::Retry => {
            payouts::requeue(
                applying.conn(),
                id,
                &[PayoutStatus::Unknown, PayoutStatus::Failed],
                now_ms,
            )
            .await?
        }
        Action::Approve => {
            payouts::requeue(
                applying.conn(),
                id,
                &[PayoutStatus::AwaitingApproval],
                now_ms,
            )
            .await?
        }
    };
    let what = format!(
        "payout #{id} ({} to `{}`, `{}`)",
        payout.amount,
        respond::admin_name(&payout.username),
        payout.key
    );
    if !changed {
        let text = format!(
            "Nothing changed: {what} is `{}`, and this button only applies to {} payouts. Run /tipstats for the current list.",
            payout.status,
            action.applies_to()
        );
        return applying.finish(respond::update_message(text), now_ms).await;
    }
    audit::record(
        applying.conn(),
        &AuditEntry {
            at_ms: now_ms,
            actor_id: invocation.caller_id(),
            actor_name: invocation.caller_name(),
            action: format!("tips.{}", action.name()),
            detail: format!("{what}: {} → {}", payout.status, target(action)),
            interaction_id: Some(invocation.interaction.id.to_string()),
        },
    )
    .await?;
    let text = match action {
        Action::MarkSent => {
            format!("✅ Recorded {what} as sent, reconciled by you. It will not be sent again.")
        }
        Action::Retry => format!(
            "🔁 {what} is pending again with its original nonce; the payout worker sends it next."
        ),
        Action::Approve => {
            format!("👍 Approved {what}: it is pending and the payout worker sends it in turn.")
        }
    };
    let response = applying
        .finish(respond::update_message(text), now_ms)
        .await?;
    if action == Action::MarkSent {
        // A reconciled payout is public money now: rebuild off the reply path.
        let state = std::sync::Arc::clone(invocation.state);
        tokio::spawn(async move { state.refresh_tips().await });
    } else {
        invocation.state.payout_queue.wake();
    }
    tracing::info!(
        payout = id,
        action = action.name(),
        "payout reconciled by an admin"
    );
    Ok(response)
}

fn target(action: Action) -> &'static str {
    match action {
        Action::MarkSent => PayoutStatus::Sent.as_str(),
        Action::Retry | Action::Approve => PayoutStatus::Pending.as_str(),
    }
}
