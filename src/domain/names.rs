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
}
