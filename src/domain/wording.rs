//! Counted nouns in every sentence members read ("1 month", "2 months"),
//! so no message says "last 1 months" or "about 1 minutes".

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

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(1, "month"), "1 month");
        assert_eq!(count(0, "tip"), "0 tips");
        assert_eq!(count(2, "minute"), "2 minutes");
        assert_eq!(count(1_204, "player"), "1,204 players");
        assert_eq!(count(-3, "day"), "-3 days");
    }
}
