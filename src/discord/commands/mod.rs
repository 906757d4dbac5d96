//! Slash command handlers: one module per command (or family), all reached
//! through [`run`], which refuses unknown commands and non-admin callers of
//! admin commands before any handler runs.

mod analytics;
mod challenges;
pub mod definitions;
mod exclude;
pub mod once;
pub mod options;
pub mod player_names;
mod status;
mod tips;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use twilight_model::application::interaction::application_command::CommandData;
use twilight_model::application::interaction::Interaction;
use twilight_model::http::interaction::InteractionResponse;

use super::permissions;
use super::respond;
use crate::app::AppState;
use crate::store::StoreError;
use definitions::{is_admin_command, COMMAND_NAMES};

/// One interaction being answered: the state, the verified interaction and
/// the instant it is answered at (from the injected clock).
pub struct Invocation<'a> {
    /// Shared application state.
    pub state: &'a Arc<AppState>,
    /// The verified interaction.
    pub interaction: &'a Interaction,
    /// "Now", read once so one answer sees one instant.
    pub now: DateTime<Utc>,
}

impl<'a> Invocation<'a> {
    /// Reads the clock once for this interaction.
    pub fn new(state: &'a Arc<AppState>, interaction: &'a Interaction) -> Self {
        Self {
            state,
            interaction,
            now: state.clock.now(),
        }
    }

    /// The caller's Discord user id, from the member (guild) or user (DM).
    pub fn caller_id(&self) -> Option<String> {
        self.interaction.author_id().map(|id| id.to_string())
    }

    /// The caller's Discord username, for the audit log.
    pub fn caller_name(&self) -> Option<String> {
        self.interaction.author().map(|u| u.name.clone())
    }

    /// Whether the caller holds admin rights here and now (see
    /// [`permissions`]): in the community's guild, with the right role.
    pub fn admin_check(&self) -> Result<(), permissions::AdminDenied> {
        self.state.config.admin_policy().check(self.interaction)
    }

    /// "Now" in Unix milliseconds, the unit every stored time uses.
    pub fn now_ms(&self) -> i64 {
        self.now.timestamp_millis()
    }
}

/// The client that finishes a deferred reply: the bot's, or without
/// `DISCORD_TOKEN` the one for interaction webhooks only (they carry their
/// own token), so `/monthtomonth` and `/tipuser` always complete.
pub(crate) fn reply_client(state: &AppState) -> &crate::discord::rest::DiscordRest {
    state.discord.as_ref().unwrap_or(&state.replies)
}

/// Why a handler could not give its normal answer.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The caller's input is wrong; the message says what is allowed and is
    /// shown to them as is.
    #[error("{0}")]
    Invalid(String),
    /// Something on our side failed; logged, and the caller gets an apology.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored reply could not be read back.
    #[error("stored reply: {0}")]
    StoredReply(#[from] serde_json::Error),
}

impl From<sqlx::Error> for CommandError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(StoreError::Sqlx(e))
    }
}

impl From<options::OptionError> for CommandError {
    fn from(e: options::OptionError) -> Self {
        Self::Invalid(e.to_string())
    }
}

/// The name used in metrics: a known command name, or `unknown` so a caller
/// cannot blow up the label set.
pub fn metrics_label(name: &str) -> String {
    if COMMAND_NAMES.contains(&name) {
        name.to_string()
    } else {
        "unknown".to_string()
    }
}

/// Answers a slash command.
pub async fn run(invocation: &Invocation<'_>, data: &CommandData) -> InteractionResponse {
    let name = data.name.as_str();
    if !COMMAND_NAMES.contains(&name) {
        return respond::ephemeral_text(format!(
            "I don't know the command `/{}`. Try `/mywager`, `/monthlygoal` or `/challenge_results`.",
            respond::truncate_chars(&name.replace('`', "'"), 32)
        ));
    }
    if is_admin_command(name) {
        if let Err(denied) = invocation.admin_check() {
            tracing::info!(
                command = name,
                guild_id = ?invocation.interaction.guild_id,
                reason = %denied,
                "admin command refused"
            );
            return respond::ephemeral_text(format!(
                "⛔ `/{name}`: {denied}. Nothing was changed."
            ));
        }
    }
    let outcome = match name {
        "mywager" => analytics::mywager(invocation, data).await,
        "monthlygoal" => analytics::monthlygoal(invocation, data).await,
        "monthtomonth" => analytics::monthtomonth(invocation, data).await,
        "lifetimestats" => analytics::lifetimestats(invocation, data).await,
        "status" => status::run(invocation, data).await,
        "challenge_results" => challenges::results(invocation, data).await,
        "gamestats" => challenges::gamestats(invocation, data).await,
        "setchallenge" => challenges::create(invocation, data).await,
        "cancelchallenge" => challenges::cancel(invocation, data).await,
        "tipuser" => tips::tipuser(invocation, data).await,
        "tipstats" => tips::tipstats(invocation, data).await,
        "clear_tips" => tips::clear_tips(invocation, data).await,
        "exclude" => exclude::run(invocation, data).await,
        other => Ok(not_yet_available(other)),
    };
    outcome.unwrap_or_else(|error| answer_error(name, error))
}

/// Answers an autocomplete request with suggestions for the focused option.
pub async fn autocomplete(invocation: &Invocation<'_>, data: &CommandData) -> InteractionResponse {
    if is_admin_command(&data.name) && invocation.admin_check().is_err() {
        // Suggestions of an admin command (active challenges) are admin data.
        return respond::autocomplete(Vec::new());
    }
    let (focused, typed) = options::focused(data).unwrap_or_default();
    let suggestions = match (data.name.as_str(), focused.as_str()) {
        ("cancelchallenge", _) => challenges::autocomplete_active(invocation, data).await,
        ("gamestats", "game_identifier") => challenges::autocomplete_games(invocation, data).await,
        ("mywager" | "gamestats", "username") => Ok(player_names::suggest(
            invocation,
            &typed,
            player_names::Audience::Member,
        )),
        ("tipuser" | "exclude", "username") => Ok(player_names::suggest(
            invocation,
            &typed,
            player_names::Audience::Admin,
        )),
        _ => Ok(respond::autocomplete(Vec::new())),
    };
    suggestions.unwrap_or_else(|error| {
        tracing::warn!(command = %data.name, %error, "autocomplete failed");
        respond::autocomplete(Vec::new())
    })
}

/// Answers a button press, routed by the prefix of its custom id (the part
/// before the first `:`). Admin buttons re-check admin rights.
pub async fn component(invocation: &Invocation<'_>, custom_id: &str) -> InteractionResponse {
    let prefix = custom_id.split(':').next().unwrap_or_default();
    let outcome = match prefix {
        "tips" | "clear_tips" => {
            if let Err(denied) = invocation.admin_check() {
                tracing::info!(custom_id, reason = %denied, "admin button refused");
                return respond::ephemeral_text(format!(
                    "⛔ This button: {denied}. Nothing was changed."
                ));
            }
            tips::component(invocation, custom_id).await
        }
        _ => {
            tracing::info!(custom_id, "button press with no handler");
            Ok(respond::ephemeral_text(
                "This button has expired. Run the command again.",
            ))
        }
    };
    outcome.unwrap_or_else(|error| answer_error("component", error))
}

/// The answer of a command whose feature has not landed yet.
pub fn not_yet_available(name: &str) -> InteractionResponse {
    respond::ephemeral_text(format!(
        "`/{name}` is not available yet: it arrives with an upcoming release of FTS Assistant."
    ))
}

fn answer_error(command: &str, error: CommandError) -> InteractionResponse {
    match error {
        CommandError::Invalid(message) => respond::ephemeral_text(format!("⚠️ {message}")),
        other => {
            tracing::error!(command, error = %other, "command failed");
            respond::ephemeral_text(
                "Something went wrong on our side and nothing was changed. Please try again in a minute.",
            )
        }
    }
}
