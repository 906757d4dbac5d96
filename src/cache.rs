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

#[cfg(test)]
mod tests {
    use super::*;

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
