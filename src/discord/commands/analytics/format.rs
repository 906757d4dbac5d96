//! Small text helpers shared by the analytics replies.

use chrono::{DateTime, Utc};

use crate::domain::money::Cents;

/// Backslash-escapes Discord Markdown in names that come from outside.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if "\\*_~`|>#[]()-:<@".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Round amounts read as round figures (`$25,000`), others keep cents.
pub fn money_short(amount: Cents) -> String {
    let text = amount.to_string();
    match text.strip_suffix(".00") {
        Some(whole) => whole.to_string(),
        None => text,
    }
}

/// `data as of 24 Nov 2026, 11:50 UTC` for footers (Discord does not
/// render `<t:…>` in footers), or a note that nothing was fetched yet.
pub fn as_of(updated_at: Option<DateTime<Utc>>) -> String {
    updated_at.map_or_else(
        || "waiting for the first update".to_string(),
        |at| format!("data as of {}", at.format("%-d %b %Y, %H:%M UTC")),
    )
}

/// `+12.5%` / `-3.0%` from `old` to `new`, to a tenth of a percent
/// (rounded half away from zero); `None` when `old` is zero.
pub fn percent_change(old: Cents, new: Cents) -> Option<String> {
    if old.cents() == 0 {
        return None;
    }
    let diff = i128::from(new.cents()) - i128::from(old.cents());
    let base = i128::from(old.cents()).abs();
    let tenths = (diff.abs() * 1000 + base / 2) / base;
    let sign = if diff < 0 { "-" } else { "+" };
    Some(format!("{sign}{}.{}%", tenths / 10, tenths % 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_changes_round_to_a_tenth() {
        assert_eq!(
            percent_change(Cents::new(1_000), Cents::new(1_125)).as_deref(),
            Some("+12.5%")
        );
        assert_eq!(
            percent_change(Cents::new(3_000), Cents::new(2_000)).as_deref(),
            Some("-33.3%")
        );
        assert_eq!(
            percent_change(Cents::new(100), Cents::new(100)).as_deref(),
            Some("+0.0%")
        );
        assert_eq!(percent_change(Cents::new(0), Cents::new(100)), None);
    }

    #[test]
    fn money_is_short_when_round_and_names_are_escaped() {
        assert_eq!(money_short(Cents::from_dollars(25_000)), "$25,000");
        assert_eq!(money_short(Cents::new(1_050)), "$10.50");
        assert_eq!(escape_markdown("a_b*c"), r"a\_b\*c");
    }
}
