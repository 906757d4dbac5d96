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
/// joiners, the BOM, tags), line/paragraph separators, the other
/// default-ignorable code points (Unicode's `Default_Ignorable_Code_Point`,
/// less the variation selectors that pick an emoji's look).
fn is_hidden(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    ) || is_default_ignorable(c)
}

/// `text`'s characters as a reader sees them: hidden ones dropped and the
/// blank fillers turned into the space they look like.
fn seen_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !is_hidden(*c))
        .map(|c| if is_blank_filler(c) { ' ' } else { c })
}

/// Characters that are letters or symbols to Unicode but draw nothing, so
/// `Bob⠀⠀⠀` looks like `Bob`: the braille blank, the Hangul fillers and the
/// Mongolian vowel separator. They read as spaces ([`seen_chars`]).
fn is_blank_filler(c: char) -> bool {
    matches!(
        c,
        '\u{2800}' | '\u{3164}' | '\u{115F}' | '\u{1160}' | '\u{FFA0}' | '\u{180E}'
    )
}

/// `Default_Ignorable_Code_Point` (DerivedCoreProperties.txt) outside the
/// general categories [`is_hidden`] already drops, without the variation
/// selectors (U+FE00–FE0F, U+E0100–E01EF) that emoji need to look right.
fn is_default_ignorable(c: char) -> bool {
    matches!(
        c as u32,
        0x00AD
            | 0x034F
            | 0x061C
            | 0x17B4..=0x17B5
            | 0x180B..=0x180D
            | 0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0xFEFF
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE00FF
            | 0xE01F0..=0xE0FFF
    )
}

/// `text` without hidden, reordering and blank-filler characters (see
/// [`is_hidden`]), NFC-normalised and trimmed: what admin-typed text such as
/// a challenge's game name becomes before it is checked and stored, the same
/// cleaning casino text gets for display.
pub fn strip_hidden(text: &str) -> String {
    seen_chars(text)
        .nfc()
        .collect::<String>()
        .trim()
        .to_string()
}

/// The one identity of a username, for matching typed names against the
/// casino's and against each other: NFKC (so full-width `ａｌｉｃｅ` and
/// ligatures fold to plain letters), every hidden, default-ignorable and
/// blank-filler character removed, runs of whitespace made one space, then
/// lowercased. Two names with the same key are the same name to a reader;
/// the store keeps this key beside every casino name so a lookup compares
/// like with like.
pub fn identity_key(raw: &str) -> String {
    // Printable ASCII is already NFKC and has nothing hidden: the common
    // case skips the Unicode tables (boards compare 100k names per lookup).
    if raw.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return collapse_spaces(raw).to_ascii_lowercase();
    }
    let bounded: String = raw.chars().take(400).collect();
    let folded: String = seen_chars(&bounded)
        .nfkc()
        .filter(|c| !is_hidden(*c) && !matches!(*c as u32, 0xFE00..=0xFE0F | 0xE0100..=0xE01EF))
        .map(|c| if is_blank_filler(c) { ' ' } else { c })
        .collect();
    collapse_spaces(&folded).to_lowercase()
}

/// `text` trimmed, each run of whitespace made one space.
fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether a grapheme cluster draws something a reader can see: not only
/// whitespace (hidden characters are already gone by then).
pub fn is_visible_grapheme(cluster: &str) -> bool {
    cluster
        .chars()
        .any(|c| !c.is_whitespace() && !is_hidden(c) && !is_blank_filler(c))
}

/// `raw` made safe to show, at most `max_graphemes` clusters: hidden
/// characters removed, NFC-normalised, surrounding whitespace trimmed, each
/// cluster cut to a few scalar values. Reads only a bounded prefix of
/// `raw`, so a huge input costs no more than a short one.
fn clean(raw: &str, max_graphemes: usize) -> String {
    let bound = max_graphemes * (MAX_CHARS_PER_GRAPHEME + 2) + 16;
    let visible: String = seen_chars(raw).take(bound).nfc().collect();
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
        let name: String = seen_chars(input)
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

    /// The name's [`identity_key`], what lookups compare.
    pub fn key(&self) -> String {
        identity_key(&self.0)
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
    fn identity_folds_look_alikes_into_one_name() {
        for same in [
            "alice",
            "ALICE",
            "ali\u{200b}ce",
            "\u{ff41}\u{ff4c}\u{ff49}\u{ff43}\u{ff45}",
            "alice\u{2800}\u{2800}",
            "\u{3164}alice",
            "al\u{00ad}ice",
            "ali\u{2060}ce\u{feff}",
            "\u{202e}alice",
        ] {
            assert_eq!(identity_key(same), "alice", "{same:?}");
        }
        assert_eq!(identity_key("bob \u{3000}  smith"), "bob smith");
        assert_ne!(identity_key("alice"), identity_key("alice2"));
        assert_eq!(identity_key("Zoe\u{308}"), identity_key("Zoë"));
        assert_eq!(identity_key("\u{200b}"), "");
    }

    #[test]
    fn blank_fillers_and_ignorables_are_hidden_from_display() {
        assert_eq!(display_name("Bob\u{2800}\u{2800}\u{2800}"), "Bob");
        assert_eq!(display_name("Bob\u{3164}\u{3164}\u{3164}"), "Bob");
        assert_eq!(display_name("B\u{00ad}ob\u{115f}"), "Bob");
        assert_eq!(display_name("Bob\u{2800}Fish"), "Bob Fish");
        assert_eq!(identity_key("Bob\u{2800}\u{2800}Fish"), "bob fish");
        // Variation selectors stay: they choose how an emoji looks.
        assert_eq!(display_name("\u{2764}\u{fe0f}x"), "\u{2764}\u{fe0f}x");
        assert_eq!(
            strip_hidden(" Sweet\u{202e} Bonanza\u{200b} "),
            "Sweet Bonanza"
        );
    }

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
