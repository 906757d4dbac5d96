//! Username suggestions while typing `/mywager`, `/gamestats`, `/tipuser`
//! and `/exclude`, from this month's players in the published snapshot (no
//! database, no casino call).
//!
//! Members' suggestions are held back on purpose: a member command must not
//! become a way to list every player's real name. They need three typed
//! characters and get at most five names that *start* with them; admins get
//! any name that contains what they typed.

use twilight_model::application::command::CommandOptionChoiceValue;
use twilight_model::http::interaction::InteractionResponse;

use super::Invocation;
use crate::discord::respond;

/// Who is typing, which decides how much is suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Any member: prefix matches of at least [`MEMBER_MIN_TYPED`] characters.
    Member,
    /// An admin (already checked): substring matches.
    Admin,
}

/// Characters a member must type before any name is suggested.
pub const MEMBER_MIN_TYPED: usize = 3;
/// Most names suggested to a member.
const MEMBER_MAX: usize = 5;

/// Suggestions for `typed` (any case), biggest weighted wager first.
pub fn suggest(
    invocation: &Invocation<'_>,
    typed: &str,
    audience: Audience,
) -> InteractionResponse {
    let needle = typed.trim().to_lowercase();
    let (max, prefix_only) = match audience {
        Audience::Member if needle.chars().count() < MEMBER_MIN_TYPED => {
            return respond::autocomplete(Vec::new())
        }
        Audience::Member => (MEMBER_MAX, true),
        Audience::Admin => (respond::MAX_AUTOCOMPLETE_CHOICES, false),
    };
    let wanted = |name: &str| {
        if prefix_only {
            name.starts_with(needle.as_str())
        } else {
            name.contains(needle.as_str())
        }
    };
    let published = invocation.state.board.current();
    let mut players: Vec<_> = published
        .month_players
        .iter()
        .filter(|p| wanted(&p.username.to_lowercase()))
        // Discord refuses choices over 100 characters.
        .filter(|p| (1..=100).contains(&p.username.chars().count()))
        .collect();
    players.sort_by(|a, b| {
        b.weighted_wagered
            .cmp(&a.weighted_wagered)
            .then_with(|| a.username.cmp(&b.username))
    });
    let choices = players.into_iter().take(max).map(|p| {
        (
            p.username.clone(),
            CommandOptionChoiceValue::String(p.username.clone()),
        )
    });
    respond::autocomplete(choices)
}
