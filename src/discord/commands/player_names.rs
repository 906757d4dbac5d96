//! Username suggestions while typing `/mywager`, `/gamestats`, `/tipuser`
//! and `/exclude`, from this month's players in the published snapshot (no
//! database, no casino call).
//!
//! Members' suggestions are held back on purpose: a member command must not
//! become a way to list every player's real name, which the public views
//! mask. A member is offered a name only when what they typed already *is*
//! that name (same identity: case, width and invisible characters aside),
//! at most [`MEMBER_PER_MINUTE`] times a minute; admins get any name that
//! contains what they typed.

use twilight_model::application::command::CommandOptionChoiceValue;
use twilight_model::http::interaction::InteractionResponse;

use super::{CommandError, Invocation};
use crate::discord::respond;
use crate::domain::masking::mask_username;
use crate::domain::names::{identity_key, Username};
use crate::domain::wording::count;
use crate::store::players::{self, KnownPlayer, NameLookup};

/// Who is typing, which decides how much is suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Any member: only the one name that is what they typed.
    Member,
    /// An admin (already checked): substring matches.
    Admin,
}

/// Autocomplete answers a member gets per minute; past it, no suggestions
/// until the minute is over (the command itself still works).
pub const MEMBER_PER_MINUTE: u32 = 20;

/// Suggestions for `typed` (any case), biggest weighted wager first.
pub fn suggest(
    invocation: &Invocation<'_>,
    typed: &str,
    audience: Audience,
) -> InteractionResponse {
    let published = invocation.state.board.current();
    match audience {
        Audience::Member => {
            let caller = invocation.caller_id().unwrap_or_default();
            if !invocation
                .state
                .autocomplete_quota
                .allow(caller, invocation.now_ms())
            {
                return respond::autocomplete(Vec::new());
            }
            let named = published.month_players_named(typed);
            let choices = match named.as_slice() {
                // Exactly the name typed: nothing is revealed that the
                // member did not already know.
                [one] if (1..=100).contains(&one.username.chars().count()) => vec![(
                    one.username.clone(),
                    CommandOptionChoiceValue::String(one.username.clone()),
                )],
                _ => Vec::new(),
            };
            respond::autocomplete(choices)
        }
        Audience::Admin => {
            let needle = identity_key(typed);
            let mut players: Vec<_> = published
                .month_players
                .iter()
                .filter(|p| identity_key(&p.username).contains(needle.as_str()))
                // Discord refuses choices over 100 characters.
                .filter(|p| (1..=100).contains(&p.username.chars().count()))
                .collect();
            players.sort_by(|a, b| {
                b.weighted_wagered
                    .cmp(&a.weighted_wagered)
                    .then_with(|| a.username.cmp(&b.username))
            });
            let choices = players
                .into_iter()
                .take(respond::MAX_AUTOCOMPLETE_CHOICES)
                .map(|p| {
                    (
                        p.username.clone(),
                        CommandOptionChoiceValue::String(p.username.clone()),
                    )
                });
            respond::autocomplete(choices)
        }
    }
}

/// The refusal for a typed name that is more than one player: the
/// candidates masked (this reply may be seen over a shoulder on stream),
/// and why nothing is guessed. `consequence` ends the first sentence
/// ("so nobody was tipped").
pub fn ambiguous<'n>(candidates: impl Iterator<Item = &'n str>, consequence: &str) -> String {
    let masked: Vec<String> = candidates
        .map(|name| format!("`{}`", mask_username(name)))
        .collect();
    format!(
        "⚠️ That name matches {} whose names look the same ({}), {consequence}. \
         Names are compared ignoring case, width and invisible characters, so no name can tell them apart.",
        count(masked.len() as i64, "player"),
        masked.join(", ")
    )
}

/// Resolves a typed name to exactly one player seen since `since_ms`, for
/// commands that act on money or the exclusion list: nobody and several
/// are both refusals (nothing is changed), never a guess.
pub async fn resolve_one(
    conn: &mut sqlx::AnyConnection,
    username: &Username,
    since_ms: i64,
    nobody: impl FnOnce() -> String,
    consequence: &str,
) -> Result<KnownPlayer, CommandError> {
    match players::find_by_username(conn, username.as_str(), since_ms).await? {
        NameLookup::One(player) => Ok(player),
        NameLookup::Nobody => Err(CommandError::Invalid(nobody())),
        NameLookup::Several(found) => Err(CommandError::Invalid(ambiguous(
            found.iter().map(|p| p.username.as_str()),
            consequence,
        ))),
    }
}
