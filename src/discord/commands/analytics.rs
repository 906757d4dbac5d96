//! Members' commands over the published snapshot: `/mywager`,
//! `/monthlygoal`, `/monthtomonth`, `/lifetimestats`.

use twilight_model::application::interaction::application_command::CommandData;
use twilight_model::http::interaction::InteractionResponse;

use super::{not_yet_available, CommandError, Invocation};

/// Runs `/mywager`.
pub async fn mywager(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(not_yet_available("mywager"))
}

/// Runs `/monthlygoal`.
pub async fn monthlygoal(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(not_yet_available("monthlygoal"))
}

/// Runs `/monthtomonth`.
pub async fn monthtomonth(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(not_yet_available("monthtomonth"))
}

/// Runs `/lifetimestats`.
pub async fn lifetimestats(
    _invocation: &Invocation<'_>,
    _data: &CommandData,
) -> Result<InteractionResponse, CommandError> {
    Ok(not_yet_available("lifetimestats"))
}
