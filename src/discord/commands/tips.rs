//! Admin tip commands: `/tipuser`, `/tipstats`, `/clear_tips`, and the
//! reconcile and confirm buttons they issue.
//!
//! Every change here is applied once per interaction id (`once::begin`
//! claims the id in the transaction of the change), and every change is
//! written to the audit log in that same transaction.

mod clear;
mod follow_up;
mod reconcile;
mod stats;
mod tipuser;

use twilight_model::http::interaction::InteractionResponse;

use super::definitions::{ClearTips, TipStats, TipUser};
use super::{CommandError, Invocation};
use crate::discord::respond;

/// Runs `/tipuser`: records a manual payout and sends it at once, ahead of
/// the queue; the outcome arrives as a follow-up.
pub async fn tipuser(
    invocation: &Invocation<'_>,
    command: TipUser,
) -> Result<InteractionResponse, CommandError> {
    tipuser::run(invocation, command).await
}

/// Runs `/tipstats`: what was sent, and what needs an admin.
pub async fn tipstats(
    invocation: &Invocation<'_>,
    _command: TipStats,
) -> Result<InteractionResponse, CommandError> {
    stats::run(invocation).await
}

/// Runs `/clear_tips`: asks for confirmation; nothing is deleted yet.
pub async fn clear_tips(
    invocation: &Invocation<'_>,
    _command: ClearTips,
) -> Result<InteractionResponse, CommandError> {
    // One scope today (`ClearScope::MonthMilestones`): parsing checked it.
    clear::ask(invocation).await
}

/// Handles a `tips:` or `clear_tips:` button (caller already checked admin).
pub async fn component(
    invocation: &Invocation<'_>,
    custom_id: &str,
) -> Result<InteractionResponse, CommandError> {
    let mut parts = custom_id.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("tips"), Some(action), Some(id)) => reconcile::run(invocation, action, id).await,
        (Some("clear_tips"), Some("confirm"), Some(month)) => {
            clear::confirm(invocation, month).await
        }
        (Some("clear_tips"), Some("cancel"), None) => Ok(clear::cancel()),
        _ => {
            tracing::info!(custom_id, "tips button with an unknown custom id");
            Ok(respond::update_message(
                "This button is not one I know, so nothing was changed. Run the command again.",
            ))
        }
    }
}
