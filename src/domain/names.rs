//! Names typed by users, parsed once at the edge and valid for life.

use std::fmt;

/// A Roobet username as typed in a command: letters, digits and `_`,
/// 1–50 characters. Matching against the affiliate data is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

/// What a valid [`Username`] looks like, for error messages.
pub const USERNAME_RULE: &str = "letters, digits and _ only, 1 to 50 characters";

/// A typed name that is not a valid [`Username`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be {USERNAME_RULE}")]
pub struct InvalidUsername;

impl Username {
    /// Parses user input (surrounding whitespace ignored).
    pub fn parse(input: &str) -> Result<Self, InvalidUsername> {
        let name = input.trim();
        let length = name.chars().count();
        if (1..=50).contains(&length) && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            Ok(Self(name.to_string()))
        } else {
            Err(InvalidUsername)
        }
    }

    /// The name as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Roobet game identifier, `provider:game` (e.g. `pragmatic:vs10bbbbrnd`):
/// letters, digits and `:_-`, at most 120 characters, a non-empty provider
/// and game on either side of the first `:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GameIdentifier(String);

/// What a valid [`GameIdentifier`] looks like, for error messages.
pub const GAME_IDENTIFIER_RULE: &str =
    "provider:game, e.g. pragmatic:vs10bbbbrnd (letters, digits and :_- only, at most 120 characters)";

/// Input that is not a valid [`GameIdentifier`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be {GAME_IDENTIFIER_RULE}")]
pub struct InvalidGameIdentifier;

impl GameIdentifier {
    /// Parses user input (surrounding whitespace ignored).
    pub fn parse(input: &str) -> Result<Self, InvalidGameIdentifier> {
        let id = input.trim();
        let allowed = id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'));
        let shaped = id
            .split_once(':')
            .is_some_and(|(provider, game)| !provider.is_empty() && !game.is_empty());
        if allowed && shaped && id.len() <= 120 {
            Ok(Self(id.to_string()))
        } else {
            Err(InvalidGameIdentifier)
        }
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The game's page on Roobet.
    pub fn url(&self) -> String {
        format!("https://roobet.com/casino/game/{}", self.0)
    }
}

impl fmt::Display for GameIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_accept_letters_digits_underscore_up_to_50() {
        assert_eq!(
            Username::parse(" Lucky_Duck7 ").unwrap().as_str(),
            "Lucky_Duck7"
        );
        assert!(Username::parse(&"a".repeat(50)).is_ok());
        for bad in [
            "",
            " ",
            &"a".repeat(51),
            "bob smith",
            "@everyone",
            "a;drop",
            "ali*",
        ] {
            assert_eq!(Username::parse(bad), Err(InvalidUsername), "{bad:?}");
        }
    }

    #[test]
    fn game_identifiers_need_provider_and_game() {
        let id = GameIdentifier::parse("pragmatic:vs10bbbbrnd").unwrap();
        assert_eq!(
            id.url(),
            "https://roobet.com/casino/game/pragmatic:vs10bbbbrnd"
        );
        assert!(GameIdentifier::parse("housegames:dice").is_ok());
        assert!(GameIdentifier::parse("hacksaw:1234-x_y").is_ok());
        for bad in [
            "",
            "pragmatic",
            ":game",
            "pragmatic:",
            "prag matic:x",
            "a:b/c",
            &format!("a:{}", "b".repeat(119)),
        ] {
            assert_eq!(
                GameIdentifier::parse(bad),
                Err(InvalidGameIdentifier),
                "{bad:?}"
            );
        }
    }
}
