//! Competition periods: calendar months and ISO weeks, both in UTC.
//!
//! Every period is half-open `[start, end_exclusive)`; `end_inclusive` is the
//! last millisecond (`.999`), which is what the Roobet API expects as an
//! upper bound. Nothing here reads the clock: callers pass `now`.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a month or week could not be built or parsed. Messages are safe to
/// show to an operator (they quote the input and the expected form).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeriodError {
    /// Not of the form `yyyy-mm`.
    #[error("`{input}` is not a month; expected yyyy-mm such as 2026-11")]
    InvalidMonthKey {
        /// The rejected text.
        input: String,
    },
    /// Month number outside 1..=12.
    #[error("month {month} is out of range 1-12")]
    MonthOutOfRange {
        /// The rejected month number.
        month: u32,
    },
    /// Year outside [`MonthPeriod::MIN_YEAR`]..=[`MonthPeriod::MAX_YEAR`].
    #[error("year {year} is out of range 1-9998")]
    YearOutOfRange {
        /// The rejected year.
        year: i32,
    },
    /// Not a valid `yyyy-mm-dd` date.
    #[error("`{input}` is not a week; expected the Monday as yyyy-mm-dd")]
    InvalidWeekKey {
        /// The rejected text.
        input: String,
    },
    /// A week must be identified by its Monday.
    #[error("{date} is not a Monday")]
    NotMonday {
        /// The rejected date.
        date: NaiveDate,
    },
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A calendar month in UTC (1st 00:00:00.000 to last day 23:59:59.999).
/// Fields are private so a value is always a real month; serialises as
/// its key `"yyyy-mm"`. Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MonthPeriod {
    year: i32,
    month: u32,
}

impl MonthPeriod {
    /// Smallest year accepted by [`MonthPeriod::new`] / [`MonthPeriod::parse`].
    pub const MIN_YEAR: i32 = 1;
    /// Largest year accepted, leaving room for `next()` to stay four digits.
    pub const MAX_YEAR: i32 = 9998;

    /// Builds a month, validating `1..=12` and the year range.
    pub fn new(year: i32, month: u32) -> Result<Self, PeriodError> {
        if !(1..=12).contains(&month) {
            return Err(PeriodError::MonthOutOfRange { month });
        }
        if !(Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year) {
            return Err(PeriodError::YearOutOfRange { year });
        }
        Ok(Self { year, month })
    }

    /// The month containing `now` (UTC).
    pub fn containing(now: DateTime<Utc>) -> Self {
        Self {
            year: now.year(),
            month: now.month(),
        }
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// Month number, 1 = January.
    pub fn month(self) -> u32 {
        self.month
    }

    fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .expect("MonthPeriod always holds a valid year and month")
    }

    /// First instant: the 1st at 00:00:00.000 UTC.
    pub fn start(self) -> DateTime<Utc> {
        self.first_day().and_time(NaiveTime::MIN).and_utc()
    }

    /// First instant of the next month (the half-open upper bound).
    pub fn end_exclusive(self) -> DateTime<Utc> {
        self.next().start()
    }

    /// Last millisecond of the month: last day 23:59:59.999 UTC.
    pub fn end_inclusive(self) -> DateTime<Utc> {
        self.end_exclusive() - TimeDelta::milliseconds(1)
    }

    /// Number of days in the month (28..=31).
    pub fn days(self) -> u32 {
        let days = (self.next().first_day() - self.first_day()).num_days();
        u32::try_from(days).unwrap_or(31)
    }

    /// The month before (January → December of the previous year).
    pub fn previous(self) -> Self {
        match self.month {
            1 => Self {
                year: self.year - 1,
                month: 12,
            },
            m => Self {
                year: self.year,
                month: m - 1,
            },
        }
    }

    /// The month after (December → January of the next year).
    pub fn next(self) -> Self {
        match self.month {
            12 => Self {
                year: self.year + 1,
                month: 1,
            },
            m => Self {
                year: self.year,
                month: m + 1,
            },
        }
    }

    /// `"yyyy-mm"`, used in payout keys and storage.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// Parses exactly `yyyy-mm` (surrounding whitespace ignored).
    pub fn parse(input: &str) -> Result<Self, PeriodError> {
        let text = input.trim();
        let invalid = || PeriodError::InvalidMonthKey {
            input: input.to_owned(),
        };
        let (year, month) = text.split_once('-').ok_or_else(invalid)?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return Err(invalid());
        }
        let year = year.parse().map_err(|_| invalid())?;
        let month = month.parse().map_err(|_| invalid())?;
        Self::new(year, month)
    }

    /// True when `start() <= now < end_exclusive()`.
    pub fn contains(self, now: DateTime<Utc>) -> bool {
        self.start() <= now && now < self.end_exclusive()
    }

    /// Share of the month elapsed at `now`, by milliseconds, clamped to
    /// `0.0..=1.0` (0 before the month, 1 after it). Display only; use
    /// [`super::goals::projection`] for money.
    pub fn fraction_elapsed(self, now: DateTime<Utc>) -> f64 {
        let total = (self.end_exclusive() - self.start()).num_milliseconds();
        let elapsed = (now - self.start()).num_milliseconds().clamp(0, total);
        elapsed as f64 / total as f64
    }
}

impl fmt::Display for MonthPeriod {
    /// `"November 2026"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = MONTH_NAMES[(self.month as usize).saturating_sub(1) % 12];
        write!(f, "{name} {}", self.year)
    }
}

impl FromStr for MonthPeriod {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for MonthPeriod {
    type Error = PeriodError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MonthPeriod> for String {
    fn from(value: MonthPeriod) -> Self {
        value.key()
    }
}

/// An ISO week in UTC: Monday 00:00:00.000 to Sunday 23:59:59.999.
/// Identified by its Monday (private, always a Monday); serialises as the
/// Monday's `"yyyy-mm-dd"`. Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WeekPeriod {
    monday: NaiveDate,
}

impl WeekPeriod {
    /// Builds the week starting on `monday`; any other weekday is an error.
    pub fn new(monday: NaiveDate) -> Result<Self, PeriodError> {
        if monday.weekday() == chrono::Weekday::Mon {
            Ok(Self { monday })
        } else {
            Err(PeriodError::NotMonday { date: monday })
        }
    }

    /// The week containing `date`.
    pub fn containing_date(date: NaiveDate) -> Self {
        let back = u64::from(date.weekday().num_days_from_monday());
        Self {
            monday: date - Days::new(back),
        }
    }

    /// The week containing `now` (UTC).
    pub fn containing(now: DateTime<Utc>) -> Self {
        Self::containing_date(now.date_naive())
    }

    /// The Monday that starts the week.
    pub fn monday(self) -> NaiveDate {
        self.monday
    }

    /// The Sunday that ends the week.
    pub fn sunday(self) -> NaiveDate {
        self.monday + Days::new(6)
    }

    /// Monday 00:00:00.000 UTC.
    pub fn start(self) -> DateTime<Utc> {
        self.monday.and_time(NaiveTime::MIN).and_utc()
    }

    /// Next Monday 00:00:00.000 UTC (the half-open upper bound).
    pub fn end_exclusive(self) -> DateTime<Utc> {
        self.next().start()
    }

    /// Sunday 23:59:59.999 UTC.
    pub fn end_inclusive(self) -> DateTime<Utc> {
        self.end_exclusive() - TimeDelta::milliseconds(1)
    }

    /// The week before.
    pub fn previous(self) -> Self {
        Self {
            monday: self.monday - Days::new(7),
        }
    }

    /// The week after.
    pub fn next(self) -> Self {
        Self {
            monday: self.monday + Days::new(7),
        }
    }

    /// The Monday as `"yyyy-mm-dd"`, used in payout keys and storage.
    pub fn key(self) -> String {
        self.monday.format("%Y-%m-%d").to_string()
    }

    /// Parses a Monday given as `yyyy-mm-dd`.
    pub fn parse(input: &str) -> Result<Self, PeriodError> {
        let text = input.trim();
        let date = (text.len() == 10)
            .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
            .flatten()
            .ok_or_else(|| PeriodError::InvalidWeekKey {
                input: input.to_owned(),
            })?;
        Self::new(date)
    }

    /// True when `start() <= now < end_exclusive()`.
    pub fn contains(self, now: DateTime<Utc>) -> bool {
        self.start() <= now && now < self.end_exclusive()
    }
}

impl fmt::Display for WeekPeriod {
    /// `"2026-12-28 – 2027-01-03"` (Monday – Sunday).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} – {}", self.key(), self.sunday().format("%Y-%m-%d"))
    }
}

impl TryFrom<String> for WeekPeriod {
    type Error = PeriodError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<WeekPeriod> for String {
    fn from(value: WeekPeriod) -> Self {
        value.key()
    }
}

/// Formats an instant the way the Roobet API wants it:
/// `2026-11-01T00:00:00.000Z` (always milliseconds and `Z`, never `+00:00`).
pub fn format_api_instant(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests;
