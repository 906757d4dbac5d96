//! Exact money ([`Cents`]) and multiplier ([`Multiplier`]) values.
//!
//! All logic works on integers. `f64` appears only at the edges: converting
//! API figures in ([`Cents::from_usd`], [`Multiplier::from_f64`]) and JSON
//! figures out ([`Cents::as_dollars_f64`], [`Multiplier::as_f64`]).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub, SubAssign};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::decimal;

/// Largest magnitude (in hundredths) accepted from the API or a user:
/// 10^13 cents ($100 billion) or 10^11×. Anything above is treated as corrupt.
pub const MAX_HUNDREDTHS: i64 = 10_000_000_000_000;

/// Why an API figure (`f64`) could not become [`Cents`] or a [`Multiplier`].
/// Internal wording: log it, don't show it to Discord users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum MoneyError {
    /// NaN or ±infinity.
    #[error("figure is not a finite number")]
    NotFinite,
    /// Below zero; wagers, payouts and multipliers never are.
    #[error("figure is negative")]
    Negative,
    /// Above [`MAX_HUNDREDTHS`] hundredths.
    #[error("figure is larger than 10^13 hundredths")]
    TooLarge,
}

/// Why user-typed text is not an acceptable amount. `Display` is a
/// predicate meant to follow the option name: `format!("prize {err}")`
/// reads "prize must be greater than 0".
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AmountError {
    /// Nothing but whitespace was typed.
    #[error("is empty; enter an amount such as 12.50")]
    Empty,
    /// Not `digits[.digits]` (letters, exponents like `1e3`, NaN, inf, `.5`).
    #[error("is not a number; use digits such as 12.50")]
    NotANumber,
    /// Contains a comma (thousands separator or decimal comma).
    #[error("must be written without commas, like 1234.50")]
    Separator,
    /// More than two digits after the decimal point.
    #[error("must have at most 2 decimal places")]
    TooManyDecimals,
    /// Zero or negative where a positive amount is required.
    #[error("must be greater than 0")]
    NotPositive,
    /// Negative where zero is allowed.
    #[error("must be 0 or more")]
    Negative,
    /// Larger than [`MAX_HUNDREDTHS`] hundredths.
    #[error("is too large")]
    TooLarge,
    /// Below a caller-supplied minimum (already formatted for display).
    #[error("must be at least {minimum}")]
    BelowMinimum {
        /// The minimum as shown to the user, e.g. `1.01`.
        minimum: String,
    },
}

/// An amount of US dollars in integer cents. Operators (`+`, `-`, `Sum`)
/// saturate at the `i64` limits instead of panicking; real figures stay far
/// below them, so saturation only guards against corrupt input.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Cents(i64);

impl Cents {
    /// $0.00.
    pub const ZERO: Cents = Cents(0);

    /// An amount already in integer cents (a stored column, a test
    /// figure). Every other way in parses or converts at the edge.
    pub const fn new(cents: i64) -> Cents {
        Cents(cents)
    }

    /// The amount in integer cents, for storage and arithmetic the
    /// operators do not cover.
    pub const fn cents(self) -> i64 {
        self.0
    }

    /// Whole dollars, for built-in tables (`Cents::from_dollars(500)` = $500.00).
    pub const fn from_dollars(dollars: i64) -> Cents {
        Cents(dollars.saturating_mul(100))
    }

    /// Converts an API figure in USD, rounding half away from zero to the
    /// cent (on the float's shortest decimal text, so `1.005` → 101 cents).
    /// Rejects NaN, infinities, negatives and values above $100 billion.
    pub fn from_usd(usd: f64) -> Result<Cents, MoneyError> {
        decimal::f64_to_hundredths(usd).map(Cents)
    }

    /// [`Cents::from_usd`] for a figure that may be below zero (a player's
    /// `net`), rounding the magnitude the same way so `-x` is `-(x)`.
    pub fn from_signed_usd(usd: f64) -> Result<Cents, MoneyError> {
        if usd < 0.0 {
            Self::from_usd(-usd).map(|c| Cents(-c.0))
        } else {
            Self::from_usd(usd)
        }
    }

    /// Parses a user-typed positive amount. Accepts surrounding whitespace,
    /// an optional leading `$` (also `-$`/`$-`, which then fail as
    /// negative) and `12`, `12.5`, `12.50`, `+12`. Rejects empty text,
    /// zero, negatives, commas, exponents (`1e3`), NaN/inf, `.5`, `12.`,
    /// more than two decimals and amounts above $100 billion. Never rounds.
    pub fn parse_dollars(input: &str) -> Result<Cents, AmountError> {
        match Self::parse_signed(input)? {
            (false, cents) if cents > 0 => Ok(Cents(cents)),
            _ => Err(AmountError::NotPositive),
        }
    }

    /// Like [`Cents::parse_dollars`] but accepts zero (e.g. "min bet 0").
    /// A negative amount fails with [`AmountError::Negative`].
    pub fn parse_non_negative_dollars(input: &str) -> Result<Cents, AmountError> {
        match Self::parse_signed(input)? {
            (true, cents) if cents > 0 => Err(AmountError::Negative),
            (_, cents) => Ok(Cents(cents)),
        }
    }

    fn parse_signed(input: &str) -> Result<(bool, i64), AmountError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        let (sign, rest) = match text.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", text),
        };
        let rest = rest.strip_prefix('$').unwrap_or(rest);
        decimal::parse_user(&format!("{sign}{rest}"))
    }

    /// Dollars as `f64`, for JSON output only; never compute with it.
    pub fn as_dollars_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Sum, or `None` on `i64` overflow.
    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    /// Difference, or `None` on `i64` overflow.
    pub fn checked_sub(self, other: Cents) -> Option<Cents> {
        self.0.checked_sub(other.0).map(Cents)
    }

    /// Sum clamped to the `i64` range.
    pub fn saturating_add(self, other: Cents) -> Cents {
        Cents(self.0.saturating_add(other.0))
    }

    /// Difference clamped to the `i64` range (may be negative).
    pub fn saturating_sub(self, other: Cents) -> Cents {
        Cents(self.0.saturating_sub(other.0))
    }

    /// True when strictly above zero.
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
}

impl Add for Cents {
    type Output = Cents;
    fn add(self, other: Cents) -> Cents {
        self.saturating_add(other)
    }
}

impl AddAssign for Cents {
    fn add_assign(&mut self, other: Cents) {
        *self = self.saturating_add(other);
    }
}

impl Sub for Cents {
    type Output = Cents;
    fn sub(self, other: Cents) -> Cents {
        self.saturating_sub(other)
    }
}

impl SubAssign for Cents {
    fn sub_assign(&mut self, other: Cents) {
        *self = self.saturating_sub(other);
    }
}

impl Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        iter.fold(Cents::ZERO, Cents::saturating_add)
    }
}

impl<'a> Sum<&'a Cents> for Cents {
    fn sum<I: Iterator<Item = &'a Cents>>(iter: I) -> Cents {
        iter.copied().sum()
    }
}

/// `1234567` → `"12,345"`: thousands separators on an unsigned integer.
fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl fmt::Display for Cents {
    /// `$1,234.56`; negative amounts as `-$1.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}${}.{:02}", group_thousands(abs / 100), abs % 100)
    }
}

/// A payout multiplier in hundredths of × (`Multiplier(51240)` = 512.40×).
/// Ordering is numeric, so comparisons never touch floats.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Multiplier(pub i64);

impl Multiplier {
    /// 1.00×.
    pub const ONE: Multiplier = Multiplier(100);
    /// Smallest multiplier a slot challenge may require (1.01×).
    pub const CHALLENGE_MINIMUM: Multiplier = Multiplier(101);

    /// Converts an API multiplier, rounding half away from zero to the
    /// hundredth (on the float's shortest decimal text). Rejects NaN,
    /// infinities, negatives and values above 10^11×.
    pub fn from_f64(value: f64) -> Result<Multiplier, MoneyError> {
        decimal::f64_to_hundredths(value).map(Multiplier)
    }

    /// Parses a user-typed multiplier such as `10`, `512.4`, `512.40x` or
    /// `512.40×` (one trailing `x`/`X`/`×` allowed). Same strictness as
    /// [`Cents::parse_dollars`]: must be > 0, at most 2 decimals, no rounding.
    pub fn parse(input: &str) -> Result<Multiplier, AmountError> {
        let text = input.trim();
        let text = text
            .strip_suffix(['x', 'X', '×'])
            .map_or(text, str::trim_end);
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        match decimal::parse_user(text)? {
            (false, hundredths) if hundredths > 0 => Ok(Multiplier(hundredths)),
            _ => Err(AmountError::NotPositive),
        }
    }

    /// [`Multiplier::parse`] plus a minimum check; the error says
    /// "must be at least {minimum}" (e.g. `1.01`).
    pub fn parse_at_least(input: &str, minimum: Multiplier) -> Result<Multiplier, AmountError> {
        // `-5` and `0` are below the minimum too: say the limit that
        // applies (1.01), not the generic "greater than 0".
        let value = Self::parse(input).map_err(|e| match e {
            AmountError::NotPositive | AmountError::Negative => AmountError::BelowMinimum {
                minimum: minimum.plain(),
            },
            other => other,
        })?;
        value.check_at_least(minimum)
    }

    /// Returns `self` if ≥ `minimum`, else [`AmountError::BelowMinimum`].
    pub fn check_at_least(self, minimum: Multiplier) -> Result<Multiplier, AmountError> {
        if self >= minimum {
            Ok(self)
        } else {
            Err(AmountError::BelowMinimum {
                minimum: minimum.plain(),
            })
        }
    }

    /// The multiplier as `f64`, for JSON output only.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// `"512.40"`: two decimals, no `×`, no separators.
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Display for Multiplier {
    /// `32,954.26×`: two decimals and thousands separators, the same
    /// grouping as money, everywhere a multiplier is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}×", group_thousands(abs / 100), abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipliers_group_thousands_like_money() {
        assert_eq!(Multiplier(3_295_426).to_string(), "32,954.26×");
        assert_eq!(Multiplier(51_240).to_string(), "512.40×");
        assert_eq!(Multiplier(100_000_000).to_string(), "1,000,000.00×");
        assert_eq!(Multiplier(3_295_426).plain(), "32954.26");
    }

    #[test]
    fn display_uses_thousand_separators_and_sign_before_dollar() {
        assert_eq!(Cents(123_456).to_string(), "$1,234.56");
        assert_eq!(Cents(5).to_string(), "$0.05");
        assert_eq!(Cents(-100).to_string(), "-$1.00");
        assert_eq!(Cents(10_000_000_000).to_string(), "$100,000,000.00");
        assert_eq!(Cents(99_999).to_string(), "$999.99");
        assert_eq!(Cents(i64::MIN).to_string(), "-$92,233,720,368,547,758.08");
    }

    #[test]
    fn from_usd_rounds_half_away_from_zero_and_rejects_bad_figures() {
        assert_eq!(Cents::from_usd(12.345), Ok(Cents(1235)));
        assert_eq!(Cents::from_usd(12.344), Ok(Cents(1234)));
        assert_eq!(Cents::from_usd(0.0), Ok(Cents::ZERO));
        assert_eq!(Cents::from_usd(-1.0), Err(MoneyError::Negative));
        assert_eq!(Cents::from_usd(f64::NAN), Err(MoneyError::NotFinite));
        assert_eq!(Cents::from_usd(2e11), Err(MoneyError::TooLarge));
        assert_eq!(Cents::from_signed_usd(-12.345), Ok(Cents(-1235)));
        assert_eq!(Cents::from_signed_usd(12.345), Ok(Cents(1235)));
        assert_eq!(Cents::from_signed_usd(-2e11), Err(MoneyError::TooLarge));
        assert_eq!(
            Cents::from_signed_usd(f64::NEG_INFINITY),
            Err(MoneyError::NotFinite)
        );
    }

    #[test]
    fn parse_dollars_accepts_plain_and_dollar_sign_forms() {
        for (text, cents) in [
            ("12", 1200),
            ("12.5", 1250),
            (" 12.50 ", 1250),
            ("$12.50", 1250),
        ] {
            assert_eq!(Cents::parse_dollars(text), Ok(Cents(cents)), "{text}");
        }
    }

    #[test]
    fn parse_dollars_rejects_with_user_facing_messages() {
        let err = |t: &str| Cents::parse_dollars(t).unwrap_err().to_string();
        assert_eq!(err(""), "is empty; enter an amount such as 12.50");
        assert_eq!(err("0"), "must be greater than 0");
        assert_eq!(err("-5"), "must be greater than 0");
        assert_eq!(err("$-5"), "must be greater than 0");
        assert_eq!(err("-$5"), "must be greater than 0");
        assert_eq!(err("1.234"), "must have at most 2 decimal places");
        for bad in ["NaN", "inf", "1e3", "abc", "$", "1 000", "١٢"] {
            assert!(err(bad).contains("not a number"), "{bad}");
        }
        assert_eq!(err("1,000"), "must be written without commas, like 1234.50");
        assert_eq!(err("100000000000.01"), "is too large");
    }

    #[test]
    fn parse_non_negative_dollars_allows_zero_but_not_negative() {
        assert_eq!(Cents::parse_non_negative_dollars("0"), Ok(Cents::ZERO));
        assert_eq!(Cents::parse_non_negative_dollars("-0"), Ok(Cents::ZERO));
        assert_eq!(
            Cents::parse_non_negative_dollars("-0.01"),
            Err(AmountError::Negative)
        );
    }

    #[test]
    fn arithmetic_saturates_instead_of_overflowing() {
        assert_eq!(Cents(i64::MAX) + Cents(1), Cents(i64::MAX));
        assert_eq!(Cents(i64::MIN) - Cents(1), Cents(i64::MIN));
        assert_eq!(Cents(1).checked_add(Cents(i64::MAX)), None);
        assert_eq!([Cents(1), Cents(2)].iter().sum::<Cents>(), Cents(3));
        assert_eq!(Cents(5) - Cents(7), Cents(-2));
    }

    #[test]
    fn multiplier_display_and_conversion() {
        assert_eq!(Multiplier(51_240).to_string(), "512.40×");
        assert_eq!(Multiplier::from_f64(512.4), Ok(Multiplier(51_240)));
        assert_eq!(Multiplier::from_f64(1.005), Ok(Multiplier(101)));
        assert_eq!(Multiplier::from_f64(-2.0), Err(MoneyError::Negative));
        assert_eq!(Multiplier(51_240).as_f64(), 512.4);
    }

    #[test]
    fn multiplier_parse_accepts_x_suffix_and_enforces_minimum() {
        assert_eq!(Multiplier::parse("512.4x"), Ok(Multiplier(51_240)));
        assert_eq!(Multiplier::parse(" 2 × "), Ok(Multiplier(200)));
        assert_eq!(Multiplier::parse("0"), Err(AmountError::NotPositive));
        assert_eq!(Multiplier::parse("x"), Err(AmountError::Empty));
        let min = Multiplier::CHALLENGE_MINIMUM;
        assert_eq!(
            Multiplier::parse_at_least("1", min)
                .unwrap_err()
                .to_string(),
            "must be at least 1.01"
        );
        assert_eq!(Multiplier::parse_at_least("1.01", min), Ok(min));
        // Zero and negatives name the limit that applies, not "> 0".
        for below in ["-5", "0", "-0.5"] {
            assert_eq!(
                Multiplier::parse_at_least(below, min)
                    .unwrap_err()
                    .to_string(),
                "must be at least 1.01",
                "{below}"
            );
        }
    }
}
