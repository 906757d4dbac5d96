//! Building interaction responses. Every reply that echoes user input
//! mentions no one (`allowed_mentions` empty), so a username like
//! `@everyone` cannot ping the server.

use twilight_model::application::command::{CommandOptionChoice, CommandOptionChoiceValue};
use twilight_model::channel::message::{AllowedMentions, Component, Embed, MessageFlags};
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};

/// Discord's limit on autocomplete choices.
pub const MAX_AUTOCOMPLETE_CHOICES: usize = twilight_validate::command::CHOICES_LIMIT;

fn no_mentions() -> AllowedMentions {
    AllowedMentions::default()
}

fn message(data: InteractionResponseData) -> InteractionResponse {
    InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(data),
    }
}

/// The answer to a PING.
pub fn pong() -> InteractionResponse {
    InteractionResponse {
        kind: InteractionResponseType::Pong,
        data: None,
    }
}

/// A text only the caller sees.
pub fn ephemeral_text(text: impl Into<String>) -> InteractionResponse {
    message(InteractionResponseData {
        content: Some(text.into()),
        flags: Some(MessageFlags::EPHEMERAL),
        allowed_mentions: Some(no_mentions()),
        ..Default::default()
    })
}

/// Embeds only the caller sees.
pub fn ephemeral_embeds(embeds: Vec<Embed>) -> InteractionResponse {
    message(InteractionResponseData {
        embeds: Some(embeds),
        flags: Some(MessageFlags::EPHEMERAL),
        allowed_mentions: Some(no_mentions()),
        ..Default::default()
    })
}

/// Embeds the whole channel sees.
pub fn public_embeds(embeds: Vec<Embed>) -> InteractionResponse {
    message(InteractionResponseData {
        embeds: Some(embeds),
        allowed_mentions: Some(no_mentions()),
        ..Default::default()
    })
}

/// An ephemeral message with buttons (confirmations, reconcile actions).
pub fn ephemeral_with_components(
    text: impl Into<String>,
    components: Vec<Component>,
) -> InteractionResponse {
    message(InteractionResponseData {
        content: Some(text.into()),
        components: Some(components),
        flags: Some(MessageFlags::EPHEMERAL),
        allowed_mentions: Some(no_mentions()),
        ..Default::default()
    })
}

/// Replaces the message a button sits on (the answer to a component click).
pub fn update_message(text: impl Into<String>) -> InteractionResponse {
    InteractionResponse {
        kind: InteractionResponseType::UpdateMessage,
        data: Some(InteractionResponseData {
            content: Some(text.into()),
            components: Some(Vec::new()),
            allowed_mentions: Some(no_mentions()),
            ..Default::default()
        }),
    }
}

/// "Thinking…": the handler finishes with a follow-up within 15 minutes.
pub fn deferred(ephemeral: bool) -> InteractionResponse {
    InteractionResponse {
        kind: InteractionResponseType::DeferredChannelMessageWithSource,
        data: ephemeral.then(|| InteractionResponseData {
            flags: Some(MessageFlags::EPHEMERAL),
            ..Default::default()
        }),
    }
}

/// Autocomplete suggestions as (label, value) pairs, capped at Discord's limit.
pub fn autocomplete<I>(choices: I) -> InteractionResponse
where
    I: IntoIterator<Item = (String, CommandOptionChoiceValue)>,
{
    let choices = choices
        .into_iter()
        .take(MAX_AUTOCOMPLETE_CHOICES)
        .map(|(name, value)| CommandOptionChoice {
            name: truncate_chars(
                &name,
                twilight_validate::command::OPTION_CHOICE_NAME_LENGTH_MAX,
            ),
            name_localizations: None,
            value,
        })
        .collect();
    InteractionResponse {
        kind: InteractionResponseType::ApplicationCommandAutocompleteResult,
        data: Some(InteractionResponseData {
            choices: Some(choices),
            ..Default::default()
        }),
    }
}

/// A player's real name for an admin-only ephemeral reply, to sit inside a
/// code span: admins must be able to tell who is excluded or unpaid, so it
/// is not masked, but it is cut to 40 characters and cannot close the span.
/// Public messages use the masked name instead.
pub fn admin_name(raw: &str) -> String {
    truncate_chars(&raw.replace('`', "'"), 40)
}

/// Cuts `text` to at most `max` characters (Discord counts characters).
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ephemeral_replies_carry_flag_64_and_mention_no_one() {
        let json = serde_json::to_value(ephemeral_text("hi @everyone")).unwrap();
        assert_eq!(json["type"], 4);
        assert_eq!(json["data"]["flags"], 64);
        assert_eq!(
            json["data"]["allowed_mentions"]["parse"],
            serde_json::json!([])
        );
    }

    #[test]
    fn truncation_counts_characters_and_stays_within_the_limit() {
        assert_eq!(truncate_chars("abc", 3), "abc");
        let cut = truncate_chars("ÆøÅæøå", 4);
        assert_eq!(cut.chars().count(), 4);
        assert!(cut.ends_with('…'));
    }
}
