//! Routes a verified interaction to its handler by kind and name.

use std::sync::Arc;

use twilight_model::application::interaction::{Interaction, InteractionData, InteractionType};
use twilight_model::http::interaction::InteractionResponse;

use super::commands::{self, Invocation};
use super::respond;
use crate::app::AppState;

/// What the interaction is, for its tracing span and its latency metric:
/// the command name (`unknown` for a name that is not ours, so a caller
/// cannot grow the label set), `autocomplete:` and the command name,
/// `component`, or `unsupported`.
pub fn label(interaction: &Interaction) -> String {
    match (&interaction.kind, &interaction.data) {
        (InteractionType::ApplicationCommand, Some(InteractionData::ApplicationCommand(data))) => {
            commands::metrics_label(&data.name)
        }
        (
            InteractionType::ApplicationCommandAutocomplete,
            Some(InteractionData::ApplicationCommand(data)),
        ) => format!("autocomplete:{}", commands::metrics_label(&data.name)),
        (InteractionType::MessageComponent, Some(InteractionData::MessageComponent(_))) => {
            "component".into()
        }
        _ => "unsupported".into(),
    }
}

/// Answers one verified, parsed interaction.
pub async fn route(state: &Arc<AppState>, interaction: &Interaction) -> InteractionResponse {
    match (&interaction.kind, &interaction.data) {
        (InteractionType::ApplicationCommand, Some(InteractionData::ApplicationCommand(data))) => {
            let invocation = Invocation::new(state, interaction);
            commands::run(&invocation, data).await
        }
        (
            InteractionType::ApplicationCommandAutocomplete,
            Some(InteractionData::ApplicationCommand(data)),
        ) => {
            let invocation = Invocation::new(state, interaction);
            commands::autocomplete(&invocation, data).await
        }
        (InteractionType::MessageComponent, Some(InteractionData::MessageComponent(data))) => {
            let invocation = Invocation::new(state, interaction);
            commands::component(&invocation, &data.custom_id).await
        }
        _ => respond::ephemeral_text("This kind of interaction is not supported by FTS Assistant."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discord::synth::{OptionValue, SynthInteraction};

    fn label_of(synth: SynthInteraction) -> String {
        let interaction: Interaction = serde_json::from_value(synth.to_json()).unwrap();
        label(&interaction)
    }

    #[test]
    fn the_label_names_the_command_and_only_ours() {
        let username = || ("username", OptionValue::String("ali".into()));
        assert_eq!(
            label_of(SynthInteraction::command("mywager", &[username()])),
            "mywager"
        );
        assert_eq!(
            label_of(SynthInteraction::command("drop_tables", &[])),
            "unknown"
        );
        assert_eq!(
            label_of(SynthInteraction::autocomplete("tipuser", username(), &[])),
            "autocomplete:tipuser"
        );
        assert_eq!(
            label_of(SynthInteraction::button("tips:retry:1")),
            "component"
        );
    }
}
