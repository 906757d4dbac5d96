//! Tests for month and week periods.

use super::*;
use chrono::TimeZone;
use proptest::prelude::*;

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn month(y: i32, m: u32) -> MonthPeriod {
    MonthPeriod::new(y, m).unwrap()
}

#[test]
fn month_bounds_are_first_instant_and_last_millisecond() {
    let nov = month(2026, 11);
    assert_eq!(format_api_instant(nov.start()), "2026-11-01T00:00:00.000Z");
    assert_eq!(
        format_api_instant(nov.end_inclusive()),
        "2026-11-30T23:59:59.999Z"
    );
    assert_eq!(
        format_api_instant(nov.end_exclusive()),
        "2026-12-01T00:00:00.000Z"
    );
    assert_eq!(nov.to_string(), "November 2026");
    assert_eq!(nov.key(), "2026-11");
}

#[test]
fn month_containing_respects_utc_boundaries() {
    assert_eq!(
        MonthPeriod::containing(at(2026, 11, 30, 23, 59, 59)),
        month(2026, 11)
    );
    assert_eq!(
        MonthPeriod::containing(at(2026, 12, 1, 0, 0, 0)),
        month(2026, 12)
    );
    let last_ms = month(2026, 11).end_inclusive();
    assert!(month(2026, 11).contains(last_ms));
    assert!(!month(2026, 11).contains(last_ms + TimeDelta::milliseconds(1)));
}

#[test]
fn year_end_rolls_over_both_ways() {
    assert_eq!(month(2026, 12).next(), month(2027, 1));
    assert_eq!(month(2027, 1).previous(), month(2026, 12));
    assert_eq!(
        format_api_instant(month(2026, 12).end_inclusive()),
        "2026-12-31T23:59:59.999Z"
    );
}

#[test]
fn leap_february_ends_on_the_29th() {
    assert_eq!(month(2028, 2).days(), 29);
    assert_eq!(month(2027, 2).days(), 28);
    assert_eq!(
        format_api_instant(month(2028, 2).end_inclusive()),
        "2028-02-29T23:59:59.999Z"
    );
    assert_eq!(
        MonthPeriod::containing(at(2028, 2, 29, 12, 0, 0)),
        month(2028, 2)
    );
}

#[test]
fn month_parse_accepts_only_yyyy_mm() {
    assert_eq!(MonthPeriod::parse("2026-11"), Ok(month(2026, 11)));
    assert_eq!(" 2026-01 ".parse::<MonthPeriod>(), Ok(month(2026, 1)));
    for bad in [
        "2026-13",
        "2026-00",
        "2026-1",
        "26-11",
        "2026/11",
        "2026-11-01",
        "",
        "+202-11",
    ] {
        assert!(MonthPeriod::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(
        MonthPeriod::parse("2026-13"),
        Err(PeriodError::MonthOutOfRange { month: 13 })
    );
    assert_eq!(
        MonthPeriod::parse("0000-01"),
        Err(PeriodError::YearOutOfRange { year: 0 })
    );
}

#[test]
fn month_serialises_as_its_key() {
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Wrap {
        m: MonthPeriod,
        w: WeekPeriod,
    }
    let wrap = Wrap {
        m: month(2026, 11),
        w: WeekPeriod::parse("2026-12-28").unwrap(),
    };
    let text = toml::to_string(&wrap).unwrap();
    assert_eq!(text, "m = \"2026-11\"\nw = \"2026-12-28\"\n");
    assert_eq!(toml::from_str::<Wrap>(&text).unwrap(), wrap);
    assert!(toml::from_str::<Wrap>("m = \"2026-13\"\nw = \"2026-12-28\"").is_err());
}

#[test]
fn fraction_elapsed_is_clamped_and_linear() {
    let nov = month(2026, 11);
    assert_eq!(nov.fraction_elapsed(at(2026, 10, 5, 0, 0, 0)), 0.0);
    assert_eq!(nov.fraction_elapsed(at(2026, 11, 16, 0, 0, 0)), 0.5);
    assert_eq!(nov.fraction_elapsed(at(2027, 1, 1, 0, 0, 0)), 1.0);
}

#[test]
fn week_straddling_the_year_end_is_one_week() {
    let week = WeekPeriod::containing(at(2027, 1, 3, 23, 59, 59));
    assert_eq!(week.key(), "2026-12-28");
    assert_eq!(format_api_instant(week.start()), "2026-12-28T00:00:00.000Z");
    assert_eq!(
        format_api_instant(week.end_inclusive()),
        "2027-01-03T23:59:59.999Z"
    );
    assert_eq!(WeekPeriod::containing(at(2026, 12, 28, 0, 0, 0)), week);
    assert_eq!(week.next().key(), "2027-01-04");
    assert_eq!(week.previous().key(), "2026-12-21");
    assert_eq!(week.to_string(), "2026-12-28 – 2027-01-03");
}

#[test]
fn week_straddling_a_month_end_keeps_its_monday() {
    let week = WeekPeriod::containing(at(2026, 12, 2, 8, 0, 0));
    assert_eq!(week.key(), "2026-11-30");
    assert!(week.contains(at(2026, 12, 6, 23, 59, 59)));
    assert!(!week.contains(at(2026, 12, 7, 0, 0, 0)));
}

#[test]
fn week_requires_a_monday() {
    let tuesday = NaiveDate::from_ymd_opt(2026, 12, 29).unwrap();
    assert_eq!(
        WeekPeriod::new(tuesday),
        Err(PeriodError::NotMonday { date: tuesday })
    );
    assert!(WeekPeriod::parse("2026-12-29").is_err());
    assert!(WeekPeriod::parse("2026-12-28x").is_err());
    assert!(WeekPeriod::parse("2026-2-2").is_err());
}

#[test]
fn api_instant_always_has_millis_and_z() {
    let t = at(2026, 11, 1, 0, 0, 0) + TimeDelta::milliseconds(7);
    assert_eq!(format_api_instant(t), "2026-11-01T00:00:00.007Z");
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 1970-01-01 .. 2200-01-01 in milliseconds.
    (0i64..7_258_118_400_000).prop_map(|ms| DateTime::from_timestamp_millis(ms).unwrap())
}

proptest! {
    #[test]
    fn month_containing_brackets_the_instant(t in instant()) {
        let m = MonthPeriod::containing(t);
        prop_assert!(m.start() <= t && t <= m.end_inclusive());
        prop_assert!(m.contains(t));
        prop_assert_eq!(m.next().start(), m.end_exclusive());
        prop_assert_eq!(m.next().previous(), m);
        prop_assert_eq!(MonthPeriod::parse(&m.key()), Ok(m));
        let f = m.fraction_elapsed(t);
        prop_assert!((0.0..=1.0).contains(&f));
    }

    #[test]
    fn week_containing_brackets_the_instant(t in instant()) {
        let w = WeekPeriod::containing(t);
        prop_assert!(w.start() <= t && t <= w.end_inclusive());
        prop_assert_eq!(w.monday().weekday(), chrono::Weekday::Mon);
        prop_assert_eq!(w.next().start(), w.end_exclusive());
        prop_assert_eq!(w.end_exclusive() - w.start(), TimeDelta::days(7));
        prop_assert_eq!(WeekPeriod::parse(&w.key()), Ok(w));
    }
}
