//! Names typed by users, parsed once at the edge and valid for life; and
//! names from the casino made safe to show.
//!
//! The casino's usernames and game titles are whatever its users and
//! providers typed: a 10,000-character name, bidi overrides that reverse
//! the text around them, zero-width characters that make `ali\u{200b}ce`
//! look like `alice`. The raw name stays what we match and tip by; every
//! display goes through [`display_name`] (or [`display_title`]) first.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_segmentation::UnicodeSegmentation;

/// Longest displayed username, in grapheme clusters (what a reader counts
/// as characters).
pub const DISPLAY_NAME_GRAPHEMES: usize = 32;

/// Longest displayed game title, in grapheme clusters: real titles run to
/// about 40 ("Gates of Olympus 1000 Super Scatter" is 35), so the name cap
/// would cut honest ones.
pub const DISPLAY_TITLE_GRAPHEMES: usize = 64;

/// Scalar values kept per grapheme cluster: enough for any real letter with
/// accents, a flag or a skin-toned emoji, not for a stack of 500 combining
/// marks that draws over the lines around it.
const MAX_CHARS_PER_GRAPHEME: usize = 8;

/// Whether `c` is invisible or reorders text: controls (Cc), format
/// characters (Cf: bidi overrides and isolates, zero-width space and
/// joiners, the BOM, tags) and line/paragraph separators.
fn is_hidden(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    )
}

/// `raw` made safe to show, at most `max_graphemes` clusters: hidden
/// characters removed, NFC-normalised, surrounding whitespace trimmed, each
/// cluster cut to a few scalar values. Reads only a bounded prefix of
/// `raw`, so a huge input costs no more than a short one.
fn clean(raw: &str, max_graphemes: usize) -> String {
    let bound = max_graphemes * (MAX_CHARS_PER_GRAPHEME + 2) + 16;
    let visible: String = raw
        .chars()
        .filter(|c| !is_hidden(*c))
        .take(bound)
        .nfc()
        .collect();
    let mut out = String::with_capacity(visible.len().min(max_graphemes * 8));
    for cluster in visible.trim().graphemes(true).take(max_graphemes) {
        out.extend(cluster.chars().take(MAX_CHARS_PER_GRAPHEME));
    }
    out.trim_end().to_string()
}

/// A casino username as it may be shown (before masking): see the module
/// docs. `"ali\u{200b}ce"` → `"alice"`; at most [`DISPLAY_NAME_GRAPHEMES`]
/// clusters.
pub fn display_name(raw: &str) -> String {
    clean(raw, DISPLAY_NAME_GRAPHEMES)
}

/// A game title as it may be shown: cleaned like [`display_name`], at most
/// [`DISPLAY_TITLE_GRAPHEMES`] clusters.
pub fn display_title(raw: &str) -> String {
    clean(raw, DISPLAY_TITLE_GRAPHEMES)
}

/// A Roobet username as typed in a command: any name the casino can return
/// (`Zoë🎰` included), cleaned like [`display_name`] (hidden characters
/// removed, NFC), 1–50 characters. Matching against the affiliate data is
/// case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

/// What a valid [`Username`] looks like, for error messages.
pub const USERNAME_RULE: &str = "a Roobet username of 1 to 50 visible characters";

/// A typed name that is not a valid [`Username`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be {USERNAME_RULE}")]
pub struct InvalidUsername;

impl Username {
    /// Parses user input: hidden characters (controls, bidi and zero-width
    /// format characters) removed, NFC, surrounding whitespace ignored.
    pub fn parse(input: &str) -> Result<Self, InvalidUsername> {
        if input.chars().count() > 200 {
            return Err(InvalidUsername);
        }
        let name: String = input
            .chars()
            .filter(|c| !is_hidden(*c))
            .nfc()
            .collect::<String>()
            .trim()
            .to_string();
        if (1..=50).contains(&name.chars().count()) {
            Ok(Self(name))
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
    fn hidden_characters_are_removed() {
        assert_eq!(
            display_name("ali\u{200b}ce\u{200b}\u{200b}\u{200b}"),
            "alice"
        );
        assert_eq!(display_name("\u{202e}ecila\u{202d}"), "ecila");
        assert_eq!(
            display_name("a\u{2066}b\u{2069}c\u{feff}d\u{0007}e\n"),
            "abcde"
        );
        assert_eq!(display_name("line\u{2028}break"), "linebreak");
        assert_eq!(display_name("\u{200b}\u{200d}"), "");
    }

    #[test]
    fn names_are_nfc_and_capped_in_grapheme_clusters() {
        // `e` + combining acute becomes the single `é`.
        assert_eq!(display_name("Caf\u{65}\u{301}"), "Caf\u{e9}");
        let huge = "x".repeat(10_000);
        assert_eq!(display_name(&huge), "x".repeat(DISPLAY_NAME_GRAPHEMES));
        let flags = "🇫🇷".repeat(40);
        assert_eq!(display_name(&flags).graphemes(true).count(), 32);
        let zalgo = format!("a{}", "\u{301}".repeat(500));
        assert!(display_name(&zalgo).chars().count() <= MAX_CHARS_PER_GRAPHEME);
        assert_eq!(
            display_title(&"T".repeat(500)).len(),
            DISPLAY_TITLE_GRAPHEMES
        );
        assert_eq!(display_title("  Gates of Olympus  "), "Gates of Olympus");
    }

    #[test]
    fn usernames_accept_any_name_the_casino_can_return() {
        assert_eq!(
            Username::parse(" Lucky_Duck7 ").unwrap().as_str(),
            "Lucky_Duck7"
        );
        assert_eq!(Username::parse("Zoë🎰").unwrap().as_str(), "Zoë🎰");
        assert_eq!(Username::parse("bob smith").unwrap().as_str(), "bob smith");
        // Hidden characters are dropped and the text normalised (NFC).
        assert_eq!(
            Username::parse("ali\u{200b}ce\u{202e}").unwrap().as_str(),
            "alice"
        );
        assert_eq!(Username::parse("Zoe\u{308}").unwrap().as_str(), "Zoë");
        assert!(Username::parse(&"a".repeat(50)).is_ok());
        for bad in [
            "",
            " ",
            "\u{200b}\u{200d}",
            &"a".repeat(51),
            &"é".repeat(300),
        ] {
            assert_eq!(Username::parse(bad), Err(InvalidUsername), "{bad:?}");
        }
    }
}
