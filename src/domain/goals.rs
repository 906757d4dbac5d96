//! Community goals on the month's TOTAL (unweighted) wager, and the
//! month-end projection shown beside them.
//!
//! Announcement rule: each goal is announced at most once per month and a
//! lower goal is never announced after a higher one. [`newly_reached_goals`]
//! returns every goal passed since the last announcement; the caller
//! announces only the highest of them ([`goal_to_announce`]) and stores it
//! as the month's new "highest announced".

use chrono::{DateTime, Utc};

use super::money::Cents;
use super::period::MonthPeriod;
use super::players::MonthTotals;
use super::wording::progress_bar;

/// Projections are withheld for this long after the month starts, because
/// a few hours of data extrapolate wildly.
pub const PROJECTION_GRACE_SECONDS: i64 = 24 * 60 * 60;

/// Built-in ladder: every $25,000 from $25,000 to $500,000 (20 goals).
pub fn default_ladder() -> Vec<Cents> {
    (1..=20)
        .map(|step| Cents::from_dollars(25_000 * step))
        .collect()
}

/// Goals with `goal ≤ total` and strictly above `highest_announced`
/// (all reached goals when `None`), ascending. Empty when nothing new.
/// Works on an unsorted ladder; duplicates are collapsed.
pub fn newly_reached_goals(
    ladder: &[Cents],
    total: Cents,
    highest_announced: Option<Cents>,
) -> Vec<Cents> {
    let mut goals: Vec<Cents> = ladder
        .iter()
        .copied()
        .filter(|&g| g <= total && highest_announced.is_none_or(|h| g > h))
        .collect();
    goals.sort_unstable();
    goals.dedup();
    goals
}

/// The single goal to announce now: the highest newly reached one.
pub fn goal_to_announce(
    ladder: &[Cents],
    total: Cents,
    highest_announced: Option<Cents>,
) -> Option<Cents> {
    newly_reached_goals(ladder, total, highest_announced).pop()
}

/// Lowest goal strictly above `total`; `None` once the ladder is done.
pub fn next_goal(ladder: &[Cents], total: Cents) -> Option<Cents> {
    ladder.iter().copied().filter(|&g| g > total).min()
}

/// Month-end projection: `so_far ÷ fraction of the month elapsed`, with the
/// fraction measured in whole seconds and the result rounded half away
/// from zero to the cent. Use it for both total and weighted wager.
/// `None` before the month starts and during its first 24 hours; after the
/// month ends the projection equals `so_far`.
pub fn projection(so_far: Cents, period: MonthPeriod, now: DateTime<Utc>) -> Option<Cents> {
    let total = (period.end_exclusive() - period.start()).num_seconds();
    let elapsed = (now - period.start()).num_seconds().min(total);
    if elapsed < PROJECTION_GRACE_SECONDS {
        return None;
    }
    let numerator = i128::from(so_far.0) * i128::from(total);
    let elapsed = i128::from(elapsed);
    let half = if numerator < 0 { -elapsed } else { elapsed };
    let rounded = (2 * numerator + half) / (2 * elapsed);
    Some(Cents(i64::try_from(rounded).unwrap_or(if rounded < 0 {
        i64::MIN
    } else {
        i64::MAX
    })))
}

/// The line about the next goal: `$75,000 · ▰▰▱… 40.0%`, or that the
/// ladder is complete. Shared by the announcement and `/monthlygoal`.
pub fn next_goal_text(ladder: &[Cents], total: Cents) -> String {
    match next_goal(ladder, total) {
        Some(next) => {
            let from = ladder
                .iter()
                .copied()
                .filter(|g| *g <= total)
                .max()
                .unwrap_or(Cents::ZERO);
            format!(
                "**{next}**, {} to go\n{}",
                next.saturating_sub(total),
                progress_bar(total, from, next)
            )
        }
        None if ladder.is_empty() => "No community goals are set.".to_string(),
        None => "🏆 Every goal of the month is reached!".to_string(),
    }
}

/// The month-end projection line, or when it will appear (it is withheld
/// for the first 24 hours, when a few hours extrapolate wildly).
pub fn projection_text(totals: &MonthTotals, period: MonthPeriod, now: DateTime<Utc>) -> String {
    let total = projection(totals.wagered, period, now);
    let weighted = projection(totals.weighted, period, now);
    match (total, weighted) {
        (Some(total), Some(weighted)) => {
            format!("**{total}** total · {weighted} weighted at the current pace")
        }
        _ => "Shown after the first 24 hours of the month.".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};
    use proptest::prelude::*;

    fn k(thousands: i64) -> Cents {
        Cents::from_dollars(thousands * 1_000)
    }

    #[test]
    fn default_ladder_is_every_25k_up_to_500k() {
        let ladder = default_ladder();
        assert_eq!(ladder.len(), 20);
        assert_eq!((ladder[0], ladder[19]), (k(25), k(500)));
        assert!(ladder.windows(2).all(|w| w[1] - w[0] == k(25)));
    }

    #[test]
    fn first_poll_reports_every_reached_goal_but_announces_the_highest() {
        let ladder = default_ladder();
        assert_eq!(
            newly_reached_goals(&ladder, k(80), None),
            [k(25), k(50), k(75)]
        );
        assert_eq!(goal_to_announce(&ladder, k(80), None), Some(k(75)));
    }

    #[test]
    fn goals_at_or_below_the_announced_one_are_never_returned() {
        let ladder = default_ladder();
        assert!(newly_reached_goals(&ladder, k(74), Some(k(75))).is_empty());
        assert!(newly_reached_goals(&ladder, k(75), Some(k(75))).is_empty());
        assert_eq!(newly_reached_goals(&ladder, k(100), Some(k(75))), [k(100)]);
    }

    #[test]
    fn next_goal_is_strictly_above_total() {
        let ladder = default_ladder();
        assert_eq!(next_goal(&ladder, Cents::ZERO), Some(k(25)));
        assert_eq!(next_goal(&ladder, k(25)), Some(k(50)));
        assert_eq!(next_goal(&ladder, k(500)), None);
    }

    #[test]
    fn projection_is_withheld_for_the_first_24_hours() {
        let nov = MonthPeriod::new(2026, 11).unwrap();
        let day_one_end = nov.start() + TimeDelta::seconds(PROJECTION_GRACE_SECONDS - 1);
        assert_eq!(projection(k(10), nov, day_one_end), None);
        assert_eq!(
            projection(k(10), nov, nov.start() - TimeDelta::days(3)),
            None
        );
        let one_day = nov.start() + TimeDelta::days(1);
        assert_eq!(projection(k(10), nov, one_day), Some(k(300)));
    }

    #[test]
    fn projection_scales_by_seconds_and_stops_at_month_end() {
        let nov = MonthPeriod::new(2026, 11).unwrap();
        let mid = Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0).unwrap();
        assert_eq!(projection(Cents(1_001), nov, mid), Some(Cents(2_002)));
        // 1 cent over 1/3 of a 30-day month → 3 cents exactly.
        let third = nov.start() + TimeDelta::days(10);
        assert_eq!(projection(Cents(1), nov, third), Some(Cents(3)));
        // 2 cents after 7 of 30 days = 8.571… → 9.
        assert_eq!(
            projection(Cents(2), nov, nov.start() + TimeDelta::days(7)),
            Some(Cents(9))
        );
        let later = nov.end_exclusive() + TimeDelta::days(40);
        assert_eq!(projection(k(99), nov, later), Some(k(99)));
    }

    proptest! {
        #[test]
        fn newly_reached_goals_are_ascending_new_and_reached(
            total in 0i64..60_000_000,
            announced in prop::option::of(0i64..60_000_000),
        ) {
            let ladder = default_ladder();
            let got = newly_reached_goals(&ladder, Cents(total), announced.map(Cents));
            prop_assert!(got.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(got.iter().all(|g| g.0 <= total && announced.is_none_or(|a| g.0 > a)));
            if let Some(next) = next_goal(&ladder, Cents(total)) {
                prop_assert!(next.0 > total);
            }
        }

        #[test]
        fn projection_is_never_below_the_figure_so_far(
            so_far in 0i64..1_000_000_000_000,
            secs in PROJECTION_GRACE_SECONDS..(31 * 86_400),
        ) {
            let nov = MonthPeriod::new(2026, 11).unwrap();
            let now = nov.start() + TimeDelta::seconds(secs);
            let p = projection(Cents(so_far), nov, now).unwrap();
            prop_assert!(p.0 >= so_far);
            prop_assert!(p.0 <= so_far * 30 + 1);
        }
    }
}
