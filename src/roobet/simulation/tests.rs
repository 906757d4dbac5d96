use std::collections::HashMap;
use std::time::Instant;

use chrono::{Duration, TimeZone};

use super::*;

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
}

fn month_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap() - Duration::milliseconds(1)
}

fn cents(v: &Value, key: &str) -> i64 {
    (v[key].as_f64().unwrap() * 100.0).round() as i64
}

fn mult(v: &Value) -> i64 {
    v["highestMultiplier"]["multiplier"]
        .as_f64()
        .map(|m| (m * 100.0).round() as i64)
        .unwrap_or(0)
}

fn by_uid(rows: Vec<Value>) -> HashMap<String, Value> {
    rows.into_iter()
        .map(|r| (r["uid"].as_str().unwrap().to_owned(), r))
        .collect()
}

fn weighted() -> GameFilter {
    GameFilter::parse(Some("slots,provably fair"), Some("-housegames:dice"))
}

#[test]
fn population_is_deterministic_and_varied() {
    let a = Simulation::new(7);
    let b = Simulation::new(7);
    assert_eq!(a.players().len(), 40);
    let names: Vec<_> = a.players().iter().map(|p| p.username.clone()).collect();
    assert_eq!(
        names,
        b.players()
            .iter()
            .map(|p| p.username.clone())
            .collect::<Vec<_>>()
    );
    assert!(names.iter().any(|n| n == "Zoë🎰") && names.iter().any(|n| n == "Ace"));
    let uids: std::collections::HashSet<_> = a.players().iter().map(|p| &p.uid).collect();
    assert_eq!(uids.len(), 40);
    assert_ne!(a.players()[0].uid, Simulation::new(8).players()[0].uid);
    let f = GameFilter::default();
    assert_eq!(
        a.rows(&f, at(3, 0), at(4, 0)),
        b.rows(&f, at(3, 0), at(4, 0))
    );
}

#[test]
fn month_equals_the_sum_of_its_weeks() {
    let sim = Simulation::new(42);
    for filter in [GameFilter::default(), weighted()] {
        let month = by_uid(sim.rows(&filter, at(1, 0), month_end()));
        assert!(month.len() > 20, "most players wager in a month");
        let bounds = [at(1, 0), at(8, 0), at(15, 13), at(22, 0), at(29, 7)];
        let mut sums: HashMap<String, (i64, i64, i64, i64, i64)> = HashMap::new();
        for (i, start) in bounds.iter().enumerate() {
            let end = bounds
                .get(i + 1)
                .map(|b| *b - Duration::milliseconds(1))
                .unwrap_or_else(month_end);
            for row in sim.rows(&filter, *start, end) {
                let e = sums
                    .entry(row["uid"].as_str().unwrap().to_owned())
                    .or_default();
                e.0 += cents(&row, "wagered");
                e.1 += cents(&row, "weightedWagered");
                e.2 = e.2.max(mult(&row));
                e.3 += row["sessions"].as_i64().unwrap();
                e.4 += cents(&row, "payout");
                assert_eq!(
                    cents(&row, "net"),
                    cents(&row, "payout") - cents(&row, "wagered"),
                    "{row}"
                );
                let best_payout =
                    (row["highestMultiplier"]["payout"].as_f64().unwrap() * 100.0).round() as i64;
                assert!(cents(&row, "payout") >= best_payout, "{row}");
            }
        }
        assert_eq!(sums.len(), month.len());
        for (uid, (w, ww, m, sessions, payout)) in sums {
            let row = &month[&uid];
            assert_eq!(
                (
                    cents(row, "wagered"),
                    cents(row, "weightedWagered"),
                    mult(row),
                    row["sessions"].as_i64().unwrap(),
                    cents(row, "payout"),
                ),
                (w, ww, m, sessions, payout),
                "{uid}"
            );
        }
    }
}

#[test]
fn figures_only_grow_as_time_passes() {
    let sim = Simulation::new(3);
    let mut previous: HashMap<String, (i64, i64, i64)> = HashMap::new();
    let mut end = at(1, 0);
    while end < at(9, 0) {
        end += Duration::minutes(317);
        for (uid, row) in by_uid(sim.rows(&weighted(), at(1, 0), end)) {
            let now = (
                cents(&row, "wagered"),
                cents(&row, "weightedWagered"),
                mult(&row),
            );
            let before = previous.get(&uid).copied().unwrap_or_default();
            assert!(
                now.0 >= before.0 && now.1 >= before.1 && now.2 >= before.2,
                "{uid} shrank"
            );
            previous.insert(uid, now);
        }
    }
    assert!(previous.values().any(|v| v.0 > 0));
}

#[test]
fn filters_are_honoured() {
    let sim = Simulation::new(11);
    let (from, to) = (at(1, 0), month_end());
    let total = by_uid(sim.rows(&GameFilter::default(), from, to));
    for row in sim.rows(&weighted(), from, to) {
        {
            let g = row["favoriteGameId"].as_str().unwrap();
            assert!(
                g != "housegames:dice" && g != "evolution:lightningroulette",
                "{g}"
            );
        }
        let hit_game = row["highestMultiplier"]["gameId"].as_str().unwrap();
        assert!(hit_game != "housegames:dice" && !hit_game.starts_with("evolution"));
        assert!(cents(&row, "weightedWagered") <= cents(&row, "wagered"));
        let t = &total[row["uid"].as_str().unwrap()];
        assert!(cents(&row, "wagered") <= cents(t, "wagered"));
        assert!(mult(&row) <= mult(t));
    }
    let game = GameFilter::parse(Some("slots,provably fair"), Some("netent:bloodsuckers"));
    let rows = sim.rows(&game, from, to);
    assert!(!rows.is_empty());
    for row in rows {
        assert_eq!(row["favoriteGameId"], "netent:bloodsuckers");
        assert_eq!(row["highestMultiplier"]["gameTitle"], "Blood Suckers");
        assert_eq!(cents(&row, "weightedWagered") * 10, cents(&row, "wagered"));
    }
    let dice_only = GameFilter::parse(Some("slots"), Some("housegames:dice"));
    assert!(
        sim.rows(&dice_only, from, to).is_empty(),
        "category and id must both match"
    );
}

#[test]
fn game_filter_parsing() {
    let f = GameFilter::parse(Some("slots, provably fair"), Some("-housegames:dice,"));
    assert!(f.allows(&GAMES[0]));
    assert!(f.allows(&GAMES[7]));
    assert!(!f.allows(&GAMES[6]));
    assert!(!f.allows(&GAMES[8]));
    assert!(GameFilter::default().allows(&GAMES[8]));
}

#[test]
fn empty_and_early_windows() {
    let sim = Simulation::new(1);
    let early = Utc.with_ymd_and_hms(2019, 1, 1, 0, 0, 0).unwrap();
    assert!(sim
        .rows(&GameFilter::default(), early, early + Duration::days(30))
        .is_empty());
    assert!(sim
        .rows(&GameFilter::default(), at(5, 0), at(4, 0))
        .is_empty());
}

#[test]
fn a_month_window_is_fast() {
    let sim = Simulation::new(5);
    let began = Instant::now();
    let rows = sim.rows(&weighted(), at(1, 0), month_end());
    let _ = sim.rows(&GameFilter::default(), at(1, 0), month_end());
    assert!(!rows.is_empty());
    assert!(
        began.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    let cached = Instant::now();
    let _ = sim.rows(&weighted(), at(1, 0), month_end());
    assert!(
        cached.elapsed() < std::time::Duration::from_millis(500),
        "{:?}",
        cached.elapsed()
    );
}
