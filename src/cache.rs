//! A small time-bounded cache for answers that are expensive to fetch and
//! fine to reuse for a while (`/gamestats` asks the affiliate API). It lives
//! in the application state, not in a global, so every test app has its own,
//! and it reads time from the injected clock, so tests can age it.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};

/// Values by key, each with the time it was stored.
#[derive(Debug)]
pub struct TtlCache<V> {
    capacity: usize,
    entries: Mutex<BTreeMap<String, (DateTime<Utc>, V)>>,
}

impl<V: Clone> TtlCache<V> {
    /// An empty cache holding at most `capacity` values.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(BTreeMap::new()),
        }
    }

    /// The value stored under `key` if it is younger than `ttl` at `now`.
    pub fn get(&self, key: &str, now: DateTime<Utc>, ttl: TimeDelta) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(at, _)| now - *at < ttl)
            .map(|(_, value)| value.clone())
    }

    /// Stores `value` under `key` at `now`, first dropping values older than
    /// `max_age` (the longest any caller reuses one); when still full, it
    /// starts over rather than track usage.
    pub fn put(&self, key: String, value: V, now: DateTime<Utc>, max_age: TimeDelta) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (at, _)| now - *at < max_age);
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, (now, value));
    }
}

/// A per-key allowance of `limit` uses per `window` on the injected clock
/// (per-user throttles such as autocomplete). Bounded: past `capacity`
/// keys, expired windows are dropped and then the oldest, so a flood of
/// new keys never locks a new caller out.
#[derive(Debug)]
pub struct Quota {
    limit: u32,
    window: TimeDelta,
    capacity: usize,
    used: Mutex<BTreeMap<String, (DateTime<Utc>, u32)>>,
}

impl Quota {
    /// `limit` uses per `window` for each of at most `capacity` keys.
    pub fn new(limit: u32, window: TimeDelta, capacity: usize) -> Self {
        Self {
            limit,
            window,
            capacity: capacity.max(1),
            used: Mutex::new(BTreeMap::new()),
        }
    }

    /// Takes one use for `key` at `now`; `false` when its window is spent.
    pub fn take(&self, key: &str, now: DateTime<Utc>) -> bool {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((start, count)) = used.get_mut(key) {
            if now - *start < self.window {
                if *count >= self.limit {
                    return false;
                }
                *count += 1;
                return true;
            }
            *start = now;
            *count = 1;
            return self.limit > 0;
        }
        if used.len() >= self.capacity {
            let window = self.window;
            used.retain(|_, (start, _)| now - *start < window);
        }
        if used.len() >= self.capacity {
            if let Some(oldest) = used
                .iter()
                .min_by_key(|(_, (start, _))| *start)
                .map(|(k, _)| k.clone())
            {
                used.remove(&oldest);
            }
        }
        used.insert(key.to_owned(), (now, 1));
        self.limit > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_allows_a_window_then_refuses_then_renews() {
        let t0 = Utc::now();
        let quota = Quota::new(2, TimeDelta::seconds(60), 8);
        assert!(quota.take("u1", t0));
        assert!(quota.take("u1", t0));
        assert!(!quota.take("u1", t0 + TimeDelta::seconds(59)));
        assert!(quota.take("u2", t0), "another key has its own allowance");
        assert!(quota.take("u1", t0 + TimeDelta::seconds(60)));
    }

    #[test]
    fn a_full_quota_table_never_locks_a_new_key_out() {
        let t0 = Utc::now();
        let quota = Quota::new(1, TimeDelta::seconds(60), 3);
        for key in ["a", "b", "c", "d", "e"] {
            assert!(quota.take(key, t0), "{key}");
        }
        assert!(quota.used.lock().unwrap().len() <= 3);
    }

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + minute * 60, 0).unwrap()
    }

    #[test]
    fn values_expire_with_the_clock_and_the_cache_stays_bounded() {
        let cache = TtlCache::new(2);
        let ttl = TimeDelta::minutes(5);
        cache.put("a".into(), 1, at(0), TimeDelta::hours(6));
        assert_eq!(cache.get("a", at(4), ttl), Some(1));
        assert_eq!(cache.get("a", at(5), ttl), None);
        assert_eq!(cache.get("a", at(5), TimeDelta::hours(6)), Some(1));
        cache.put("b".into(), 2, at(1), TimeDelta::hours(6));
        cache.put("c".into(), 3, at(2), TimeDelta::hours(6));
        assert_eq!(cache.get("a", at(2), ttl), None, "full: started over");
        assert_eq!(cache.get("c", at(2), ttl), Some(3));
    }
}
