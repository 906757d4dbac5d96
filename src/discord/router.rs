//! Routes a verified interaction to its handler by kind and name.

use twilight_model::application::interaction::{Interaction, InteractionData, InteractionType};
use twilight_model::http::interaction::InteractionResponse;

use super::commands::{self, Invocation};
use super::respond;
use std::sync::Arc;

use crate::app::AppState;

/// Answers one verified, parsed interaction. Returns a metrics label (the
/// command name or kind) and the response.
pub async fn route(
    state: &Arc<AppState>,
    interaction: &Interaction,
) -> (String, InteractionResponse) {
    match (&interaction.kind, &interaction.data) {
        (InteractionType::ApplicationCommand, Some(InteractionData::ApplicationCommand(data))) => {
            let label = commands::metrics_label(&data.name);
            let invocation = Invocation::new(state, interaction);
            (label, commands::run(&invocation, data).await)
        }
        (
            InteractionType::ApplicationCommandAutocomplete,
            Some(InteractionData::ApplicationCommand(data)),
        ) => {
            let label = format!("autocomplete:{}", commands::metrics_label(&data.name));
            let invocation = Invocation::new(state, interaction);
            (label, commands::autocomplete(&invocation, data).await)
        }
        (InteractionType::MessageComponent, Some(InteractionData::MessageComponent(data))) => {
            let invocation = Invocation::new(state, interaction);
            (
                "component".into(),
                commands::component(&invocation, &data.custom_id).await,
            )
        }
        _ => (
            "unsupported".into(),
            respond::ephemeral_text("This kind of interaction is not supported by FTS Assistant."),
        ),
    }
}
