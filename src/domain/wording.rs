//! Counted nouns in every sentence members read ("1 month", "2 months"),
//! so no message says "last 1 months" or "about 1 minutes"; and the text
//! progress bar embeds show.

use super::money::Cents;

/// `"{n} {noun}"` with the noun in the singular for exactly one and in the
/// plural otherwise (regular English plural: an `s` is added). Numbers are
/// grouped in thousands (`1,204 players`).
pub fn count(n: i64, noun: &str) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if n < 0 { "-" } else { "" };
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{sign}{grouped} {noun}s")
    }
}

/// Cells of a [`progress_bar`].
pub const PROGRESS_CELLS: usize = 12;

/// A text progress bar for embeds, `▰▰▰▰▱▱▱▱▱▱▱▱ 33.3%`, of `value` on the
/// way from `from` to `to`. Rounded down, so it shows 100% only once the
/// target is really reached; clamped to 0–100%.
pub fn progress_bar(value: Cents, from: Cents, to: Cents) -> String {
    let span = to.saturating_sub(from).cents();
    let done = value.saturating_sub(from).cents();
    let permille = if span <= 0 {
        1000
    } else {
        i64::try_from(i128::from(done.clamp(0, span)) * 1000 / i128::from(span)).unwrap_or(1000)
    };
    let filled = usize::try_from(permille).unwrap_or(0) * PROGRESS_CELLS / 1000;
    format!(
        "{}{} {}.{}%",
        "▰".repeat(filled),
        "▱".repeat(PROGRESS_CELLS - filled),
        permille / 10,
        permille % 10
    )
}

/// `3 days 4 h`, `2 h 5 min`, `12 min`, `under a minute`: how long a
/// challenge ran or has been running.
pub fn duration_text(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let (days, hours, mins) = (minutes / 1_440, minutes % 1_440 / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "under a minute".to_string(),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{} {h} h", count(d, "day")),
    }
}

/// What an operator reads wherever the bot reports its health (`/status`,
/// `/tipstats`, `/readyz`) while first-run milestone tiers are held: how
/// many, and what to run. `None` when nothing is held.
pub fn held_tiers_notice(held: i64, amount: Cents) -> Option<String> {
    (held > 0).then(|| {
        format!(
            "⚠️ {} ({amount}) held: reached before this bot's first run, not paid and not counted. \
             Run `fts-assistant baseline --dry-run` to see them, then `import-legacy` (moving from the old bot) \
             or `baseline` (count them as paid) — README, \"Moving from the Python bot\".",
            count(held, "milestone tier")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_tiers_say_how_many_and_what_to_run() {
        assert_eq!(held_tiers_notice(0, Cents::ZERO), None);
        let one = held_tiers_notice(1, Cents::from_dollars(1)).unwrap();
        assert!(one.contains("1 milestone tier ($1.00) held"), "{one}");
        let many = held_tiers_notice(339, Cents::from_dollars(2_000)).unwrap();
        assert!(many.contains("339 milestone tiers"), "{many}");
        assert!(many.contains("baseline --dry-run") && many.contains("import-legacy"));
    }

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(1, "month"), "1 month");
        assert_eq!(count(0, "tip"), "0 tips");
        assert_eq!(count(2, "minute"), "2 minutes");
        assert_eq!(count(1_204, "player"), "1,204 players");
        assert_eq!(count(-3, "day"), "-3 days");
    }

    #[test]
    fn progress_bars_round_down_and_clamp() {
        let bar = |v, f, t| progress_bar(Cents::new(v), Cents::new(f), Cents::new(t));
        assert_eq!(bar(0, 0, 100), "▱▱▱▱▱▱▱▱▱▱▱▱ 0.0%");
        assert_eq!(bar(50, 0, 100), "▰▰▰▰▰▰▱▱▱▱▱▱ 50.0%");
        assert_eq!(bar(9_999, 0, 10_000), "▰▰▰▰▰▰▰▰▰▰▰▱ 99.9%");
        assert_eq!(bar(150, 100, 200), "▰▰▰▰▰▰▱▱▱▱▱▱ 50.0%");
        assert_eq!(bar(500, 0, 100), "▰▰▰▰▰▰▰▰▰▰▰▰ 100.0%");
        assert_eq!(bar(5, 10, 10), "▰▰▰▰▰▰▰▰▰▰▰▰ 100.0%");
    }
}
