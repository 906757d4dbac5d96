//! `/status`: the service's health for admins.

use twilight_model::application::interaction::application_command::CommandData;
use twilight_model::http::interaction::InteractionResponse;

use super::{not_yet_available, CommandError, Invocation};

/// Runs `/status`.
pub async fn run(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(not_yet_available("status"))
}
