//! How instants and durations are written on the public surface: ISO-8601
//! UTC in JSON, short human text on the pages.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};

use crate::domain::wording;

/// `2026-11-01T00:00:00Z`: what every JSON time field carries.
pub fn iso(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `24 Nov 2026, 11:50 UTC`, for the pages.
pub fn human(instant: DateTime<Utc>) -> String {
    instant.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// `6 days 11:59:59 left`, or `ended` once `until` has passed. The same
/// wording as `static/countdown.js`, which keeps it ticking in the browser.
pub fn countdown(now: DateTime<Utc>, until: DateTime<Utc>) -> String {
    let left = until - now;
    if left <= TimeDelta::zero() {
        return "ended".to_string();
    }
    let secs = left.num_seconds();
    let days = secs / 86_400;
    format!(
        "{} {:02}:{:02}:{:02} left",
        wording::count(days, "day"),
        secs % 86_400 / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, s).unwrap()
    }

    #[test]
    fn countdown_shows_days_and_clock() {
        let end = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        assert_eq!(countdown(at(24, 12, 0, 0), end), "6 days 12:00:00 left");
        assert_eq!(countdown(at(29, 23, 59, 58), end), "1 day 00:00:02 left");
        assert_eq!(countdown(at(30, 23, 59, 59), end), "0 days 00:00:01 left");
        assert_eq!(countdown(end, end), "ended");
    }

    #[test]
    fn instants_are_utc_iso_and_short_human_text() {
        assert_eq!(iso(at(1, 0, 0, 0)), "2026-11-01T00:00:00Z");
        assert_eq!(human(at(4, 9, 5, 0)), "4 Nov 2026, 09:05 UTC");
    }
}
