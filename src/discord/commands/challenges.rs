//! Slot challenge commands: `/setchallenge`, `/cancelchallenge`,
//! `/challenge_results`, `/gamestats`, and their autocomplete.
//!
//! Creation and cancellation are applied once per interaction id
//! (`once::begin` claims it in the transaction of the change) and written
//! to the audit log in that transaction; the channel messages follow after
//! the commit, off the 3-second reply path.

mod gamestats;

use std::sync::Arc;

use tracing::Instrument;

use twilight_model::application::command::CommandOptionChoiceValue;
use twilight_model::http::interaction::InteractionResponse;

use super::definitions::{CancelChallenge, ChallengeResults, GameStats, SetChallenge};
use super::once::{self, Once};
use super::{CommandError, Invocation};
use crate::app::AppState;
use crate::discord::embeds::challenges::{board_embed, prize_text, RECENT_WINNERS};
use crate::discord::posts::challenges::{announce_cancelled, announce_new_challenge};
use crate::discord::respond;
use crate::domain::challenges::TOP_ATTEMPTS;
use crate::domain::challenges::{ChallengeDraft, ChallengeError, NewChallenge};
use crate::store::audit::{self, AuditEntry};
use crate::store::challenges::top_attempts;
use crate::store::challenges::{self, ChallengeRow, Creator};
use crate::store::games;

pub use crate::domain::challenges::MAX_CHALLENGE_PRIZE;

/// The slash-command option a validation error is about, so the reply
/// names what to fix.
fn option_of(error: &ChallengeError) -> Option<&'static str> {
    use ChallengeError as E;
    match error {
        E::GameIdEmpty | E::GameIdTooLong | E::GameIdCharacters | E::GameIdShape => {
            Some("game_identifier")
        }
        E::NameEmpty | E::NameTooLong | E::NameControl => Some("game_name"),
        E::Multiplier(_) | E::MultiplierTooHigh => Some("multiplier"),
        E::Prize(_) | E::PrizeAboveMax { .. } => Some("prize"),
        E::MinBet(_) => Some("min_bet"),
        E::Emoji => Some("emoji"),
        E::AlreadyActive | E::TooManyActive => None,
    }
}

fn refusal(error: ChallengeError) -> CommandError {
    let text = match option_of(&error) {
        Some(option) => format!("`{option}`: {error}. Nothing was created."),
        None => format!("{error}. Nothing was created."),
    };
    CommandError::Invalid(text)
}

/// What a committed change posts in the challenge channels.
enum ChannelNews {
    /// A new challenge: announced, and the board refreshed.
    Created(i64),
    /// A cancelled challenge: a public notice, and the board refreshed.
    Cancelled(i64),
}

/// Runs the channel messages after a committed change, off the reply path.
fn spawn_messages(state: &Arc<AppState>, news: ChannelNews) {
    let state = Arc::clone(state);
    tokio::spawn(
        async move {
            match news {
                ChannelNews::Created(id) => announce_new_challenge(&state, id).await,
                ChannelNews::Cancelled(id) => announce_cancelled(&state, id).await,
            }
        }
        .in_current_span(),
    );
}

/// Runs `/setchallenge`.
pub async fn create(
    invocation: &Invocation<'_>,
    command: SetChallenge,
) -> Result<InteractionResponse, CommandError> {
    let draft = ChallengeDraft {
        game_id: command.game_identifier.as_str(),
        name: command.game_name.as_str(),
        multiplier: command.multiplier.as_str(),
        prize: command.prize.as_str(),
        min_bet: command.min_bet.as_ref().map(|b| b.as_str()),
        emoji: command.emoji.as_ref().map(|e| e.as_str()),
    };

    let mut applying = match once::begin(invocation, "setchallenge").await? {
        Once::Replay(response) => return Ok(*response),
        Once::Apply(applying) => applying,
    };
    let active = challenges::active(applying.conn())
        .await?
        .iter()
        .map(ChallengeRow::rule)
        .collect::<Result<Vec<_>, _>>()?;
    // Refusals are not recorded: the transaction (and the claim) roll back.
    let challenge =
        NewChallenge::validate(&draft, MAX_CHALLENGE_PRIZE, &active).map_err(refusal)?;
    let creator = Creator {
        id: invocation.caller_id(),
        name: invocation.caller_name(),
    };
    let Some(id) =
        challenges::insert(applying.conn(), &challenge, &creator, invocation.now_ms()).await?
    else {
        return Err(refusal(ChallengeError::AlreadyActive));
    };
    let min_bet_text = challenge
        .min_bet
        .map(|b| format!(" with a bet of at least {b}"))
        .unwrap_or_default();
    let summary = format!(
        "#{id} {} (`{}`): first to hit ≥ {}{min_bet_text} wins {}",
        challenge.name,
        challenge.game_id,
        challenge.required,
        prize_text(challenge.prize)
    );
    audit::record(
        applying.conn(),
        &AuditEntry {
            at_ms: invocation.now_ms(),
            actor_id: creator.id.clone(),
            actor_name: creator.name.clone(),
            action: "challenge.create".into(),
            detail: summary.clone(),
            interaction_id: Some(invocation.interaction.id.to_string()),
        },
    )
    .await?;
    let channel = match invocation.state.config.channels.challenge {
        Some(channel) => format!("It is announced in <#{channel}>."),
        None => "No challenge channel is configured, so it is not announced.".into(),
    };
    let reply = respond::ephemeral_text(format!("✅ Challenge created: {summary}. {channel}"));
    let reply = applying.finish(reply, invocation.now_ms()).await?;
    spawn_messages(invocation.state, ChannelNews::Created(id));
    crate::web::live::publish_challenges(invocation.state).await;
    Ok(reply)
}

/// Runs `/cancelchallenge`.
pub async fn cancel(
    invocation: &Invocation<'_>,
    command: CancelChallenge,
) -> Result<InteractionResponse, CommandError> {
    let id = command.challenge_id.0;
    let mut applying = match once::begin(invocation, "cancelchallenge").await? {
        Once::Replay(response) => return Ok(*response),
        Once::Apply(applying) => applying,
    };
    if !challenges::cancel(applying.conn(), id, invocation.now_ms()).await? {
        let why = match challenges::by_id(applying.conn(), id).await? {
            None => format!("there is no challenge #{id}"),
            Some(row) if row.status == "won" => format!("challenge #{id} was already won"),
            Some(_) => format!("challenge #{id} was already cancelled"),
        };
        return Err(CommandError::Invalid(format!(
            "`challenge_id`: {why}; nothing was changed. Pick an active challenge from the list."
        )));
    }
    let row = challenges::by_id(applying.conn(), id).await?;
    let what = row.map_or_else(
        || format!("#{id}"),
        |r| format!("#{id} {} (`{}`)", r.game_name, r.game_id),
    );
    audit::record(
        applying.conn(),
        &AuditEntry {
            at_ms: invocation.now_ms(),
            actor_id: invocation.caller_id(),
            actor_name: invocation.caller_name(),
            action: "challenge.cancel".into(),
            detail: what.clone(),
            interaction_id: Some(invocation.interaction.id.to_string()),
        },
    )
    .await?;
    let reply = respond::ephemeral_text(format!(
        "🛑 Challenge {what} is cancelled: no prize is paid and it is archived as cancelled."
    ));
    let reply = applying.finish(reply, invocation.now_ms()).await?;
    spawn_messages(invocation.state, ChannelNews::Cancelled(id));
    crate::web::live::publish_challenges(invocation.state).await;
    Ok(reply)
}

/// Runs `/challenge_results`.
pub async fn results(
    invocation: &Invocation<'_>,
    _command: ChallengeResults,
) -> Result<InteractionResponse, CommandError> {
    let mut conn = invocation.state.store.pool().acquire().await?;
    let active = challenges::active(&mut conn).await?;
    let top = top_attempts(&mut conn, &active).await?;
    let winners = challenges::winners(&mut conn, RECENT_WINNERS as i64).await?;
    Ok(respond::ephemeral_embeds(vec![board_embed(
        &active,
        &top,
        TOP_ATTEMPTS,
        &winners,
        &invocation.state.config.public_base_url,
        invocation.now,
    )]))
}

/// Runs `/gamestats`.
pub async fn gamestats(
    invocation: &Invocation<'_>,
    command: GameStats,
) -> Result<InteractionResponse, CommandError> {
    gamestats::run(invocation, command).await
}

/// What to look for: the focused option's text so far, in lowercase.
fn needle(typed: &str) -> String {
    typed.trim().to_lowercase()
}

/// Suggests active challenges for `/cancelchallenge`, given what is typed.
pub async fn autocomplete_active(
    invocation: &Invocation<'_>,
    typed: &str,
) -> Result<InteractionResponse, CommandError> {
    let needle = needle(typed);
    let mut conn = invocation.state.store.pool().acquire().await?;
    let choices: Vec<_> = challenges::active(&mut conn)
        .await?
        .into_iter()
        .filter(|c| {
            needle.is_empty()
                || c.id.to_string().contains(&needle)
                || c.game_name.to_lowercase().contains(&needle)
                || c.game_id.to_lowercase().contains(&needle)
        })
        .map(|c| {
            let label = format!(
                "#{} {} — ≥ {} · {}",
                c.id,
                c.game_name,
                c.required,
                prize_text(c.prize)
            );
            (label, CommandOptionChoiceValue::Integer(c.id))
        })
        .collect();
    Ok(respond::autocomplete(choices))
}

/// Suggests game identifiers and titles for `/gamestats`, given what is
/// typed.
pub async fn autocomplete_games(
    invocation: &Invocation<'_>,
    typed: &str,
) -> Result<InteractionResponse, CommandError> {
    let needle = needle(typed);
    let mut conn = invocation.state.store.pool().acquire().await?;
    let found = games::search(&mut conn, &needle, respond::MAX_AUTOCOMPLETE_CHOICES as i64).await?;
    let choices = found
        .into_iter()
        .filter(|(id, _)| {
            id.chars().count() <= twilight_validate::command::OPTION_CHOICE_STRING_VALUE_LENGTH_MAX
        })
        .map(|(id, title)| {
            let label = if title.trim().is_empty() {
                id.clone()
            } else {
                format!("{title} ({id})")
            };
            (label, CommandOptionChoiceValue::String(id))
        });
    Ok(respond::autocomplete(choices))
}
