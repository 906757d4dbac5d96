//! Placeholder until the domain layer lands.

/// Integer US cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(pub i64);

impl Cents {
    /// Parses a user-typed dollar amount.
    pub fn parse_dollars(s: &str) -> Result<Cents, String> {
        let v: f64 = s.parse().map_err(|_| "not a number".to_string())?;
        if !v.is_finite() || v <= 0.0 {
            return Err("must be positive".into());
        }
        if s.split('.').nth(1).is_some_and(|d| d.len() > 2) {
            return Err("at most 2 decimals".into());
        }
        Ok(Cents((v * 100.0).round() as i64))
    }
}
