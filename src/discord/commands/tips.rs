//! Admin tip commands: `/tipuser`, `/tipstats`, `/clear_tips`, and the
//! reconcile and confirm buttons they issue.

use twilight_model::application::interaction::application_command::CommandData;
use twilight_model::http::interaction::InteractionResponse;

use super::{not_yet_available, CommandError, Invocation};

/// Runs `/tipuser`.
pub async fn tipuser(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(not_yet_available("tipuser"))
}

/// Runs `/tipstats`.
pub async fn tipstats(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(not_yet_available("tipstats"))
}

/// Runs `/clear_tips`.
pub async fn clear_tips(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(not_yet_available("clear_tips"))
}

/// Handles a `tips:` or `clear_tips:` button (caller already checked admin).
pub async fn component(
    _invocation: &Invocation<'_>,
    _custom_id: &str,
) -> Result<InteractionResponse, CommandError> {
    Ok(crate::discord::respond::ephemeral_text(
        "This button has expired. Run the command again.",
    ))
}
