//! Exact decimal-text arithmetic shared by [`super::money::Cents`] and
//! [`super::money::Multiplier`]: both are stored in hundredths, and both are
//! parsed from text without ever doing arithmetic on `f64`.

use super::money::{AmountError, MoneyError, MAX_HUNDREDTHS};

/// Splits `digits[.digits]` into its integer and fraction digits.
/// Returns `None` for anything else (signs, exponents, `.5`, `12.`, letters).
fn split_plain(text: &str) -> Option<(&str, &str)> {
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) if !frac.is_empty() => (int, frac),
        Some(_) => return None,
        None => (text, ""),
    };
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    (!int.is_empty() && all_digits(int) && all_digits(frac)).then_some((int, frac))
}

/// Hundredths of `int.frac`, rounding half away from zero on the third
/// decimal; `None` when the magnitude exceeds [`MAX_HUNDREDTHS`].
fn hundredths_rounded(int: &str, frac: &str) -> Option<i64> {
    let int = int.trim_start_matches('0');
    if int.len() > 15 {
        return None;
    }
    let whole: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let digit = |i: usize| frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
    let mut hundredths = whole * 100 + digit(0) * 10 + digit(1);
    if digit(2) >= 5 {
        hundredths += 1;
    }
    (hundredths <= MAX_HUNDREDTHS).then_some(hundredths)
}

/// Converts a finite, non-negative `f64` (an API figure) to hundredths.
///
/// Rounding is done on the shortest decimal text that round-trips the
/// float (Rust's `Display`, which never uses exponents), so `1.005` becomes
/// `101`, not the `100` that `(1.005 * 100.0).round()` would give.
pub(crate) fn f64_to_hundredths(value: f64) -> Result<i64, MoneyError> {
    if !value.is_finite() {
        return Err(MoneyError::NotFinite);
    }
    if value < 0.0 {
        return Err(MoneyError::Negative);
    }
    if value == 0.0 {
        return Ok(0);
    }
    if value > 1e12 {
        return Err(MoneyError::TooLarge);
    }
    let text = format!("{value}");
    let (int, frac) = split_plain(&text).ok_or(MoneyError::NotFinite)?;
    hundredths_rounded(int, frac).ok_or(MoneyError::TooLarge)
}

/// Parses user-typed `[+|-]digits[.d[d]]` exactly (no rounding).
/// Returns whether a minus sign was present and the magnitude in hundredths.
pub(crate) fn parse_user(text: &str) -> Result<(bool, i64), AmountError> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if body.contains(',') {
        return Err(AmountError::Separator);
    }
    let (int, frac) = split_plain(body).ok_or(AmountError::NotANumber)?;
    if frac.len() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    let hundredths = hundredths_rounded(int, frac).ok_or(AmountError::TooLarge)?;
    Ok((negative, hundredths))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f64_rounding_uses_the_decimal_text_not_binary_value() {
        assert_eq!(f64_to_hundredths(1.005), Ok(101));
        assert_eq!(f64_to_hundredths(0.125), Ok(13));
        assert_eq!(f64_to_hundredths(0.124), Ok(12));
        assert_eq!(f64_to_hundredths(2.675), Ok(268));
        assert_eq!(f64_to_hundredths(1e-10), Ok(0));
        assert_eq!(f64_to_hundredths(-0.0), Ok(0));
    }

    #[test]
    fn f64_rejects_non_finite_negative_and_huge() {
        assert_eq!(f64_to_hundredths(f64::NAN), Err(MoneyError::NotFinite));
        assert_eq!(f64_to_hundredths(f64::INFINITY), Err(MoneyError::NotFinite));
        assert_eq!(f64_to_hundredths(-0.01), Err(MoneyError::Negative));
        assert_eq!(f64_to_hundredths(1e11), Ok(MAX_HUNDREDTHS));
        assert_eq!(f64_to_hundredths(1e11 + 0.01), Err(MoneyError::TooLarge));
        assert_eq!(f64_to_hundredths(1e300), Err(MoneyError::TooLarge));
    }

    #[test]
    fn user_text_is_parsed_exactly_or_rejected() {
        assert_eq!(parse_user("007.5"), Ok((false, 750)));
        assert_eq!(parse_user("+3"), Ok((false, 300)));
        assert_eq!(parse_user("-3.10"), Ok((true, 310)));
        assert_eq!(parse_user("1.234"), Err(AmountError::TooManyDecimals));
        assert_eq!(parse_user("1e3"), Err(AmountError::NotANumber));
        assert_eq!(parse_user(".5"), Err(AmountError::NotANumber));
        assert_eq!(parse_user("5."), Err(AmountError::NotANumber));
        assert_eq!(parse_user("1,000"), Err(AmountError::Separator));
        assert_eq!(
            parse_user("9999999999999999999999"),
            Err(AmountError::TooLarge)
        );
    }
}
