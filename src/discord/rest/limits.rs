//! Discord's rate-limit contract, kept in memory: which bucket a route is
//! in, how many requests each bucket has left, and when a global 429 ends.
//!
//! Discord limits "per route, per major parameter": the `X-RateLimit-Bucket`
//! hash names a route's limit with the top-level resources left out, so the
//! counter that runs out is the pair (hash, major parameter). Two channels
//! whose message routes share a hash still have a counter each.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::Method;
use tokio::time::Instant;

/// The longest we wait for a rate limit within one call.
pub(super) const MAX_WAIT: Duration = Duration::from_secs(60);
/// Bucket counters kept at once. Every interaction token is a major
/// parameter of its own, so without a cap the map grows with every command
/// ever answered; entries whose reset has passed are dropped first, as they
/// no longer hold anything back.
pub(super) const MAX_TRACKED_BUCKETS: usize = 512;
/// Route templates kept at once. Templates fold every id and token, so the
/// client's own routes (a handful) never come near this; it only guards
/// against paths with free text in them.
const MAX_TRACKED_ROUTES: usize = 256;

/// Where a request goes, as the rate limiter and the authentication see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Route {
    /// Method and path with every id and token folded
    /// (`PATCH/channels/:id/messages/:id`): the key a bucket hash is learned
    /// under, and safe to log.
    pub template: String,
    /// The major parameter (`channels/10`, `guilds/2`, `webhooks/1/<token>`),
    /// empty when the path has none. Holds the token on webhook paths, so it
    /// must never be logged.
    major: String,
    /// The path carries its own credential (an interaction or webhook
    /// token): Discord authenticates it by that, not by the bot token, so a
    /// 401 there says nothing about the bot token.
    pub token_in_path: bool,
}

impl Route {
    /// Splits `path` (below the API base, e.g. `/channels/1/messages`) into
    /// its template and major parameter.
    pub fn parse(method: &Method, path: &str) -> Self {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut template = String::from(method.as_str());
        let mut major = String::new();
        let mut token_in_path = false;
        let mut index = 0;
        while index < segments.len() {
            let segment = segments[index];
            let is_id = segment.bytes().all(|b| b.is_ascii_digit());
            let previous = index.checked_sub(1).map(|p| segments[p]);
            template.push('/');
            match previous {
                Some(kind @ ("channels" | "guilds")) if is_id => {
                    template.push_str(":id");
                    if major.is_empty() {
                        major = format!("{kind}/{segment}");
                    }
                }
                Some(kind @ ("webhooks" | "interactions")) if is_id => {
                    template.push_str(":id");
                    let first_major = major.is_empty();
                    if first_major {
                        major = format!("{kind}/{segment}");
                    }
                    if let Some(token) = segments.get(index + 1) {
                        template.push_str("/:token");
                        if first_major {
                            major.push('/');
                            major.push_str(token);
                        }
                        token_in_path = true;
                        index += 1;
                    }
                }
                _ if is_id => template.push_str(":id"),
                _ => template.push_str(segment),
            }
            index += 1;
        }
        Self {
            template,
            major,
            token_in_path,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct BucketState {
    remaining: u64,
    reset_at: Instant,
}

/// What the client knows about Discord's limits right now.
#[derive(Debug, Default)]
pub(super) struct RateLimits {
    /// Route template → bucket hash, learned from `X-RateLimit-Bucket`.
    hashes: HashMap<String, String>,
    /// `"{hash} {major}"` → what the last answer said about that counter.
    buckets: HashMap<String, BucketState>,
    /// A global 429 blocks every route until then.
    global_until: Option<Instant>,
}

impl RateLimits {
    /// Takes one request of `route`'s bucket now (`None`), or says how long
    /// to wait before asking again. Taking counts the request against the
    /// bucket, so calls running side by side do not all spend its last one.
    pub fn acquire(&mut self, route: &Route, now: Instant) -> Option<Duration> {
        let global = self.global_until.filter(|t| *t > now);
        let state = self
            .hashes
            .get(&route.template)
            .and_then(|hash| self.buckets.get_mut(&bucket_key(hash, &route.major)))
            .filter(|state| state.reset_at > now);
        let bucket = state
            .as_ref()
            .filter(|state| state.remaining == 0)
            .map(|state| state.reset_at);
        match global.max(bucket) {
            Some(until) => Some((until - now).min(MAX_WAIT)),
            None => {
                if let Some(state) = state {
                    state.remaining -= 1;
                }
                None
            }
        }
    }

    /// Reads the rate-limit headers of an answer to `route`.
    pub fn learn(&mut self, route: &Route, headers: &HeaderMap, now: Instant) {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let Some(hash) = header("x-ratelimit-bucket") else {
            return;
        };
        if self.hashes.get(&route.template).map(String::as_str) != Some(hash) {
            if self.hashes.len() >= MAX_TRACKED_ROUTES {
                self.hashes.clear();
            }
            self.hashes.insert(route.template.clone(), hash.to_string());
        }
        let remaining = header("x-ratelimit-remaining").and_then(|v| v.parse::<u64>().ok());
        let reset_after = header("x-ratelimit-reset-after").and_then(parse_seconds);
        if let (Some(remaining), Some(reset_after)) = (remaining, reset_after) {
            self.buckets.insert(
                bucket_key(hash, &route.major),
                BucketState {
                    remaining,
                    reset_at: now + reset_after,
                },
            );
            self.evict(now);
        }
    }

    /// Blocks every route until `until` (a global 429).
    pub fn block_all_until(&mut self, until: Instant) {
        self.global_until = Some(self.global_until.map_or(until, |t| t.max(until)));
    }

    /// How many route templates and bucket counters are held, to check the
    /// maps stay bounded.
    #[cfg(test)]
    pub fn tracked(&self) -> (usize, usize) {
        (self.hashes.len(), self.buckets.len())
    }

    /// Keeps the counters within [`MAX_TRACKED_BUCKETS`]: first drops those
    /// whose reset has passed (they hold nothing back), then the ones that
    /// reset soonest (forgetting one costs at most a 429, which is retried).
    fn evict(&mut self, now: Instant) {
        if self.buckets.len() <= MAX_TRACKED_BUCKETS {
            return;
        }
        self.buckets.retain(|_, state| state.reset_at > now);
        while self.buckets.len() > MAX_TRACKED_BUCKETS {
            let soonest = self
                .buckets
                .iter()
                .min_by_key(|(_, state)| state.reset_at)
                .map(|(key, _)| key.clone());
            match soonest {
                Some(key) => self.buckets.remove(&key),
                None => break,
            };
        }
    }
}

fn bucket_key(hash: &str, major: &str) -> String {
    format!("{hash} {major}")
}

/// Seconds as Discord writes them (`"2.5"`), capped at an hour; `None` for
/// anything that is not a finite, non-negative number.
pub(super) fn parse_seconds(text: &str) -> Option<Duration> {
    let seconds: f64 = text.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(bucket: &str, remaining: u64, reset_after: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-bucket", bucket.parse().unwrap());
        headers.insert("x-ratelimit-remaining", remaining.into());
        headers.insert("x-ratelimit-reset-after", reset_after.parse().unwrap());
        headers
    }

    #[test]
    fn templates_fold_ids_and_tokens_and_keep_the_major_parameter() {
        let edit = Route::parse(&Method::PATCH, "/channels/123/messages/456");
        assert_eq!(edit.template, "PATCH/channels/:id/messages/:id");
        assert_eq!(edit.major, "channels/123");
        assert!(!edit.token_in_path);
        let commands = Route::parse(&Method::PUT, "/applications/1/guilds/2/commands");
        assert_eq!(
            commands.template,
            "PUT/applications/:id/guilds/:id/commands"
        );
        assert_eq!(commands.major, "guilds/2");
        let global = Route::parse(&Method::PUT, "/applications/1/commands");
        assert_eq!(global.major, "");
        let original = Route::parse(
            &Method::PATCH,
            "/webhooks/9/aW50ZXJhY3Rpb24/messages/@original",
        );
        assert_eq!(
            original.template,
            "PATCH/webhooks/:id/:token/messages/@original"
        );
        assert_eq!(original.major, "webhooks/9/aW50ZXJhY3Rpb24");
        assert!(original.token_in_path);
        let follow_up = Route::parse(&Method::POST, "/webhooks/9/tok");
        assert_eq!(follow_up.template, "POST/webhooks/:id/:token");
        assert!(follow_up.token_in_path);
    }

    #[test]
    fn an_exhausted_bucket_waits_until_its_reset() {
        let mut limits = RateLimits::default();
        let one = Route::parse(&Method::POST, "/channels/1/messages");
        let two = Route::parse(&Method::POST, "/channels/2/messages");
        let now = Instant::now();
        limits.learn(&one, &headers("abc", 0, "2.5"), now);
        assert_eq!(limits.acquire(&one, now), Some(Duration::from_millis(2500)));
        assert_eq!(limits.acquire(&two, now), None);
        assert_eq!(limits.acquire(&one, now + Duration::from_secs(3)), None);
    }

    #[test]
    fn side_by_side_calls_do_not_share_the_last_request() {
        let mut limits = RateLimits::default();
        let route = Route::parse(&Method::POST, "/channels/1/messages");
        let now = Instant::now();
        limits.learn(&route, &headers("abc", 1, "1"), now);
        assert_eq!(limits.acquire(&route, now), None);
        assert_eq!(limits.acquire(&route, now), Some(Duration::from_secs(1)));
    }

    #[test]
    fn a_global_limit_blocks_every_route_and_waits_are_capped() {
        let mut limits = RateLimits::default();
        let route = Route::parse(&Method::POST, "/channels/1/messages");
        let now = Instant::now();
        limits.block_all_until(now + Duration::from_secs(600));
        assert_eq!(limits.acquire(&route, now), Some(MAX_WAIT));
    }

    #[test]
    fn counters_stay_bounded_and_expired_ones_go_first() {
        let mut limits = RateLimits::default();
        let now = Instant::now();
        let live = Route::parse(&Method::POST, "/channels/1/messages");
        limits.learn(&live, &headers("abc", 0, "100"), now);
        for token in 0..MAX_TRACKED_BUCKETS * 2 {
            let route = Route::parse(
                &Method::PATCH,
                &format!("/webhooks/9/t{token}/messages/@original"),
            );
            limits.learn(&route, &headers("hook", 4, "0.5"), now);
        }
        let (routes, buckets) = limits.tracked();
        assert_eq!(routes, 2);
        assert!(buckets <= MAX_TRACKED_BUCKETS, "{buckets}");
        let later = now + Duration::from_secs(1);
        let next = Route::parse(&Method::PATCH, "/webhooks/9/last/messages/@original");
        limits.learn(&next, &headers("hook", 4, "0.5"), later);
        // The expired webhook counters went; the exhausted channel stayed.
        assert_eq!(limits.tracked(), (2, 2));
        assert!(limits.acquire(&live, later).is_some());
    }

    #[test]
    fn seconds_parse_like_discord_writes_them() {
        assert_eq!(parse_seconds("2.5"), Some(Duration::from_millis(2500)));
        assert_eq!(parse_seconds("-1"), None);
        assert_eq!(parse_seconds("NaN"), None);
        assert_eq!(parse_seconds("99999"), Some(Duration::from_secs(3600)));
    }
}
