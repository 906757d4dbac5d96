//! Slot challenge commands: `/setchallenge`, `/cancelchallenge`,
//! `/challenge_results`, `/gamestats`, and their autocomplete.

use twilight_model::application::interaction::application_command::CommandData;
use twilight_model::http::interaction::InteractionResponse;

use super::{not_yet_available, CommandError, Invocation};

/// Runs `/setchallenge`.
pub async fn create(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(not_yet_available("setchallenge"))
}

/// Runs `/cancelchallenge`.
pub async fn cancel(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(not_yet_available("cancelchallenge"))
}

/// Runs `/challenge_results`.
pub async fn results(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(not_yet_available("challenge_results"))
}

/// Runs `/gamestats`.
pub async fn gamestats(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(not_yet_available("gamestats"))
}

/// Suggests active challenges for `/cancelchallenge`.
pub async fn autocomplete_active(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(crate::discord::respond::autocomplete(Vec::new()))
}

/// Suggests game identifiers and titles for `/gamestats`.
pub async fn autocomplete_games(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(crate::discord::respond::autocomplete(Vec::new()))
}
