//! Per-key budgets for requests that must not be made in bulk: "find me"
//! lookups per client address, username autocompletes per Discord user.
//! One bounded map of token buckets serves both, in the application state
//! and on the caller's clock, so tests can age it.
//!
//! A bucket holds at most `burst` uses and earns `per_refill` back every
//! `refill_ms`. The map never holds more than `max_keys`: a new key first
//! drops the buckets that are full again, then the least recently seen, so
//! a flood of new keys never locks a new caller out.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: u32,
    last_ms: i64,
    seen_ms: i64,
}

/// Token buckets by key, in memory and bounded.
#[derive(Debug)]
pub struct Budgets<K> {
    burst: u32,
    per_refill: u32,
    refill_ms: i64,
    max_keys: usize,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq + Clone> Budgets<K> {
    /// `burst` uses at once, `per_refill` earned back every `refill_ms`, for
    /// at most `max_keys` keys remembered at once.
    pub fn new(burst: u32, per_refill: u32, refill_ms: i64, max_keys: usize) -> Self {
        Self {
            burst,
            per_refill,
            refill_ms: refill_ms.max(1),
            max_keys: max_keys.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refilled(&self, bucket: Bucket, now_ms: i64) -> Bucket {
        let periods = (now_ms - bucket.last_ms).max(0) / self.refill_ms;
        if periods == 0 {
            return bucket;
        }
        let earned = u32::try_from(periods)
            .unwrap_or(u32::MAX)
            .saturating_mul(self.per_refill);
        let tokens = bucket.tokens.saturating_add(earned).min(self.burst);
        Bucket {
            seen_ms: bucket.seen_ms,
            tokens,
            last_ms: if tokens >= self.burst {
                now_ms
            } else {
                bucket.last_ms + periods * self.refill_ms
            },
        }
    }

    /// Takes one use from `key`'s budget at `now_ms`; `false` when it is spent.
    pub fn allow(&self, key: K, now_ms: i64) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !buckets.contains_key(&key) && buckets.len() >= self.max_keys {
            buckets.retain(|_, b| self.refilled(*b, now_ms).tokens < self.burst);
            if buckets.len() >= self.max_keys {
                let oldest = buckets
                    .iter()
                    .min_by_key(|(_, b)| b.seen_ms)
                    .map(|(key, _)| key.clone());
                if let Some(oldest) = oldest {
                    buckets.remove(&oldest);
                }
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            last_ms: now_ms,
            seen_ms: now_ms,
        });
        *bucket = self.refilled(*bucket, now_ms);
        bucket.seen_ms = now_ms;
        if bucket.tokens == 0 {
            return false;
        }
        bucket.tokens -= 1;
        true
    }

    /// Keys remembered now (tests check the bound).
    pub fn len(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `key` is remembered now (tests check which was forgotten).
    pub fn remembers(&self, key: &K) -> bool {
        self.buckets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_refill_per_window_allows_a_window_then_refuses_then_renews() {
        let t0 = 1_000_000;
        let quota = Budgets::new(2, 2, 60_000, 8);
        assert!(quota.allow("u1", t0));
        assert!(quota.allow("u1", t0));
        assert!(!quota.allow("u1", t0 + 59_000));
        assert!(quota.allow("u2", t0), "another key has its own allowance");
        assert!(quota.allow("u1", t0 + 60_000));
    }

    #[test]
    fn a_full_table_never_locks_a_new_key_out() {
        let t0 = 1_000_000;
        let quota = Budgets::new(1, 1, 60_000, 3);
        for key in ["a", "b", "c", "d", "e"] {
            assert!(quota.allow(key, t0), "{key}");
        }
        assert!(quota.len() <= 3);
    }
}
