//! A deterministic casino population for the fake casino's simulated mode,
//! so the demo and black-box tests see leaderboards that move like real ones.
//!
//! Every player places a "batch" of spins once per slot of `interval_ms`; the
//! batch of slot `i` is a pure function of (seed, player, i), so any window
//! can be answered without state and always sums the same way: windows are
//! additive, and growing a window never lowers a figure. Whole days are
//! aggregated once and cached, so a month costs ~30 lookups per player.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use serde_json::{json, Value};

/// Where the bet streams begin: windows before it are empty.
const ORIGIN_MS: i64 = 1_577_836_800_000; // 2020-01-01T00:00:00Z
const DAY_MS: i64 = 86_400_000;

mod lobby;

pub use lobby::{Game, GameFilter, GAMES};
use lobby::{NAMES, N_GAMES};

/// One simulated player; all their bets derive from `key`.
#[derive(Debug, Clone)]
pub struct SimPlayer {
    /// Casino uid.
    pub uid: String,
    /// Display name.
    pub username: String,
    /// VIP level shown by the API.
    pub rank_level: u32,
    interval_ms: i64,
    phase_ms: i64,
    base_bet_cents: i64,
    activity_pct: u64,
    prefs: [u64; N_GAMES],
    key: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct SimHit {
    mult_x100: i64,
    bet_cents: i64,
    payout_cents: i64,
    time_ms: i64,
}

/// Per-game sums of one player over some span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct GameAgg {
    wager_cents: i64,
    /// Wager times weight percent, so rounding happens once per answer.
    weighted_x100: i64,
    best: Option<SimHit>,
    /// Batches played: the `sessions` the answer reports.
    sessions: i64,
    /// What the batches paid back.
    payout_cents: i64,
}

impl GameAgg {
    fn absorb(&mut self, other: &GameAgg) {
        self.wager_cents += other.wager_cents;
        self.weighted_x100 += other.weighted_x100;
        self.sessions += other.sessions;
        self.payout_cents += other.payout_cents;
        if let Some(hit) = other.best {
            if self.best.is_none_or(|b| better(&hit, &b)) {
                self.best = Some(hit);
            }
        }
    }
}

/// One session: a run of spins on one game.
struct Batch {
    game: usize,
    time_ms: i64,
    wager_cents: i64,
    payout_cents: i64,
    hit: SimHit,
}

/// Higher multiplier wins; ties go to the earlier hit, so answers are stable.
fn better(a: &SimHit, b: &SimHit) -> bool {
    (a.mult_x100, -a.time_ms) > (b.mult_x100, -b.time_ms)
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The simulated population plus its day-aggregate cache.
#[derive(Debug)]
pub struct Simulation {
    players: Vec<SimPlayer>,
    days: Mutex<HashMap<(usize, i64), [GameAgg; N_GAMES]>>,
}

impl Simulation {
    /// 40 players derived from `seed`.
    pub fn new(seed: u64) -> Self {
        Self::with_players(seed, NAMES.len())
    }

    /// `count` players derived from `seed` (names repeat with a suffix past 40).
    pub fn with_players(seed: u64, count: usize) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut names: Vec<&str> = NAMES.to_vec();
        names.shuffle(&mut rng);
        let players = (0..count)
            .map(|i| {
                let base = names[i % names.len()];
                let username = if i < names.len() {
                    base.to_owned()
                } else {
                    format!("{base}{i}")
                };
                let (hi, lo): (u64, u64) = (rng.random(), rng.random());
                let uid = format!(
                    "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                    hi >> 32,
                    (hi >> 16) & 0xffff,
                    hi & 0xfff,
                    lo >> 48,
                    lo & 0xffff_ffff_ffff
                );
                let interval_ms = rng.random_range(120..=900) * 1000;
                let mut prefs = [0u64; N_GAMES];
                for p in prefs.iter_mut() {
                    *p = rng.random_range(1..=10);
                }
                prefs[rng.random_range(0..N_GAMES)] += 40;
                let base_bet_cents = [10, 20, 40, 100, 200, 500][rng.random_range(0..6)];
                SimPlayer {
                    uid,
                    username,
                    rank_level: 1 + (base_bet_cents as u32 / 60).min(9),
                    interval_ms,
                    phase_ms: rng.random_range(0..interval_ms),
                    base_bet_cents,
                    activity_pct: rng.random_range(30..=95),
                    prefs,
                    key: rng.random(),
                }
            })
            .collect();
        Self {
            players,
            days: Mutex::new(HashMap::new()),
        }
    }

    /// The population, for tests.
    #[cfg(test)]
    pub fn players(&self) -> &[SimPlayer] {
        &self.players
    }

    /// The batch of slot `i`, if the player was active that day.
    fn event(p: &SimPlayer, i: i64) -> Option<Batch> {
        let slot = ORIGIN_MS + p.phase_ms + i * p.interval_ms;
        let h = mix(p.key ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let time_ms = slot + (h % p.interval_ms as u64) as i64;
        let day = (time_ms - ORIGIN_MS).div_euclid(DAY_MS) as u64;
        if mix(p.key ^ 0xD1CE ^ day.wrapping_mul(0x9E37)) % 100 >= p.activity_pct {
            return None;
        }
        let (h2, h3, h4) = (mix(h), mix(h ^ 1), mix(h ^ 2));
        let total: u64 = p.prefs.iter().sum();
        let mut pick = h2 % total;
        let mut g = 0;
        while pick >= p.prefs[g] {
            pick -= p.prefs[g];
            g += 1;
        }
        let stake = p.base_bet_cents * [1, 1, 1, 2, 2, 5][(h3 % 6) as usize];
        let spins = 1 + ((h3 >> 8) % 20) as i64;
        let u = ((h4 >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
        let m = ((0.6 * spins as f64 / u) * 100.0) as i64;
        let mult_x100 = m.min(GAMES[g].max_multiplier_x100);
        let hit = SimHit {
            mult_x100,
            bet_cents: stake,
            payout_cents: stake * mult_x100 / 100,
            time_ms,
        };
        let wager_cents = stake * spins;
        // A return of 70–119 % of the batch, and never less than its best spin.
        let returned = wager_cents * (70 + ((h4 >> 3) % 50) as i64) / 100;
        Some(Batch {
            game: g,
            time_ms,
            wager_cents,
            payout_cents: returned.max(hit.payout_cents),
            hit,
        })
    }

    /// Aggregates the player's batches with time in `[from, to)` by iteration.
    fn scan(p: &SimPlayer, from: i64, to: i64) -> [GameAgg; N_GAMES] {
        let mut out = [GameAgg::default(); N_GAMES];
        let mut i = ((from - ORIGIN_MS - p.phase_ms).div_euclid(p.interval_ms)).max(0);
        while ORIGIN_MS + p.phase_ms + i * p.interval_ms < to {
            if let Some(batch) = Self::event(p, i) {
                if batch.time_ms >= from && batch.time_ms < to {
                    let one = GameAgg {
                        wager_cents: batch.wager_cents,
                        weighted_x100: batch.wager_cents * GAMES[batch.game].weight_pct,
                        best: Some(batch.hit),
                        sessions: 1,
                        payout_cents: batch.payout_cents,
                    };
                    out[batch.game].absorb(&one);
                }
            }
            i += 1;
        }
        out
    }

    /// Per-game sums of player `idx` over `[from, to)` ms.
    fn window(&self, idx: usize, from: i64, to: i64) -> [GameAgg; N_GAMES] {
        let p = &self.players[idx];
        let mut out = [GameAgg::default(); N_GAMES];
        let (from, to) = (from.max(ORIGIN_MS), to);
        if from >= to {
            return out;
        }
        let mut day = (from - ORIGIN_MS).div_euclid(DAY_MS);
        loop {
            let (ds, de) = (ORIGIN_MS + day * DAY_MS, ORIGIN_MS + (day + 1) * DAY_MS);
            if ds >= to {
                break;
            }
            let part = if from <= ds && de <= to {
                let cached = self
                    .days
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&(idx, day))
                    .copied();
                cached.unwrap_or_else(|| {
                    let agg = Self::scan(p, ds, de);
                    self.days
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert((idx, day), agg);
                    agg
                })
            } else {
                Self::scan(p, from.max(ds), to.min(de))
            };
            for (o, a) in out.iter_mut().zip(part.iter()) {
                o.absorb(a);
            }
            day += 1;
        }
        out
    }

    /// API rows for `[from, to_inclusive]` under `filter`, busiest first;
    /// players with no counted wager are left out, as the real API does.
    pub fn rows(
        &self,
        filter: &GameFilter,
        from: DateTime<Utc>,
        to_inclusive: DateTime<Utc>,
    ) -> Vec<Value> {
        let (from, to) = (
            from.timestamp_millis(),
            to_inclusive.timestamp_millis().saturating_add(1),
        );
        let mut rows: Vec<(i64, Value)> = Vec::new();
        for (idx, p) in self.players.iter().enumerate() {
            let mut total = GameAgg::default();
            let mut favourite: Option<(i64, usize)> = None;
            let mut best_game = 0;
            for (g, agg) in self.window(idx, from, to).iter().enumerate() {
                if !filter.allows(&GAMES[g]) || agg.wager_cents == 0 {
                    continue;
                }
                if favourite.is_none_or(|(w, _)| agg.wager_cents > w) {
                    favourite = Some((agg.wager_cents, g));
                }
                let before = total.best;
                total.absorb(agg);
                if total.best != before {
                    best_game = g;
                }
            }
            let Some((_, fav)) = favourite else { continue };
            let usd = |cents: i64| cents as f64 / 100.0;
            let hit = total.best.map(|h| {
                json!({"multiplier": h.mult_x100 as f64 / 100.0, "wagered": usd(h.bet_cents),
                       "payout": usd(h.payout_cents), "gameId": GAMES[best_game].id,
                       "gameTitle": GAMES[best_game].title})
            });
            rows.push((total.wager_cents, json!({
                "uid": p.uid, "username": p.username,
                "wagered": usd(total.wager_cents), "weightedWagered": usd(total.weighted_x100 / 100),
                "favoriteGameId": GAMES[fav].id, "favoriteGameTitle": GAMES[fav].title,
                "rankLevel": p.rank_level,
                "rankLevelImage": format!("https://fake-casino.invalid/ranks/{}.png", p.rank_level),
                "highestMultiplier": hit,
                // Outside the documented contract; some answers carry them.
                "sessions": total.sessions,
                "payout": usd(total.payout_cents),
                "net": usd(total.payout_cents - total.wager_cents),
            })));
        }
        rows.sort_by_key(|(wager, _)| std::cmp::Reverse(*wager));
        rows.into_iter().map(|(_, v)| v).collect()
    }
}

#[cfg(test)]
mod tests;
