//! Client of the affiliate stats endpoint: the only source of the wager and
//! multiplier figures that rank the leaderboards and challenges.
//!
//! It owns the retry rules so the scheduler above it can treat one call as
//! one attempt at a cycle: 401/403 fail at once, 429 waits as told (capped),
//! 5xx and transport failures back off exponentially, and malformed answers
//! are never retried (the same bytes would come back).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use crate::config::Secret;
use crate::domain::period::format_api_instant;
use crate::domain::players::{Activity, PlayerFigures};
use crate::roobet::body::{read_capped, BodyError, MAX_STATS_BODY};
use crate::roobet::error::AffiliateError;
use crate::roobet::wire::{parse_stats_body, StatsRow};

/// Categories that count toward the weighted leaderboards.
pub const WEIGHTED_CATEGORIES: &str = "slots,provably fair";
/// Games excluded from the weighted leaderboards (dice is near-free to farm).
pub const WEIGHTED_GAME_FILTER: &str = "-housegames:dice";

/// Whether wagers on `game_id` count toward the weighted boards: every game
/// the [`WEIGHTED_GAME_FILTER`] does not exclude. `/gamestats` uses it so a
/// dice figure is never shown as if it counted.
pub fn counts_toward_weighted(game_id: &str) -> bool {
    WEIGHTED_GAME_FILTER
        .split(',')
        .filter_map(|part| part.strip_prefix('-'))
        .all(|excluded| !excluded.eq_ignore_ascii_case(game_id.trim()))
}

/// How hard one stats call tries before giving up for this cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in total, the first one included.
    pub max_tries: u32,
    /// Wait before the second try; doubled for each later one.
    pub base_backoff: Duration,
    /// Cap on a 429's `Retry-After`, so a hostile value cannot stall a cycle.
    pub max_retry_after: Duration,
    /// Deadline of each single try, body included.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_tries: 3,
            base_backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            request_timeout: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff before try number `next_try` (2, 3, ...).
    fn backoff(&self, next_try: u32) -> Duration {
        let doublings = next_try.saturating_sub(2).min(16);
        self.base_backoff.saturating_mul(1 << doublings)
    }
}

/// Which games a stats call counts; each maps to one fixed query shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StatsFilter {
    /// Slots and provably fair, dice excluded: ranks the month and week.
    Weighted,
    /// Everything: gives the total wager.
    Total,
    /// One game within slots and provably fair: challenges.
    Game(String),
}

/// One stats call: a window and a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsQuery {
    /// Window start (inclusive).
    pub start: DateTime<Utc>,
    /// Window end (inclusive).
    pub end: DateTime<Utc>,
    /// Which games count.
    pub filter: StatsFilter,
}

/// Talks to `GET {base}/affiliate/v2/stats` for one affiliate.
#[derive(Debug, Clone)]
pub struct AffiliateClient {
    http: reqwest::Client,
    endpoint: Url,
    token: Secret,
    user_id: String,
    retry: RetryPolicy,
    max_body: usize,
    /// One answer body is read at a time (calls of a cycle run concurrently,
    /// but their bodies queue here, held back by TCP flow control), so the
    /// memory a cycle can spend on raw answers is one cap, not one per call.
    read_turn: Arc<Semaphore>,
}

/// Appends path segments to a base URL whether or not it ends in `/`.
pub(crate) fn endpoint(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url.set_query(None);
    url
}

/// Why one try got no answer to look at.
enum Failure {
    /// The try's deadline passed.
    Timeout,
    /// Sending or reading failed, or the body was over the cap.
    Body(BodyError),
}

/// The `Retry-After` header when it is given in seconds.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A reqwest error as text, with its causes but without the URL.
pub(crate) fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl AffiliateClient {
    /// Builds a client; `base` is `ROOBET_API_BASE`, with or without a path.
    pub fn new(
        http: reqwest::Client,
        base: Url,
        token: Secret,
        user_id: String,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            http,
            endpoint: endpoint(&base, &["affiliate", "v2", "stats"]),
            token,
            user_id,
            retry,
            max_body: MAX_STATS_BODY,
            read_turn: Arc::new(Semaphore::new(1)),
        }
    }

    /// Sets the largest answer read (default [`MAX_STATS_BODY`]); a larger
    /// one is a malformed answer: the cycle aborts and nothing changes.
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The full request URL of `q`; public so tests and logs can show it.
    pub fn url_for(&self, q: &StatsQuery, now: DateTime<Utc>) -> Url {
        let mut url = self.endpoint.clone();
        {
            let mut pairs = url.query_pairs_mut();
            pairs
                .append_pair("userId", &self.user_id)
                .append_pair("startDate", &format_api_instant(q.start))
                .append_pair("endDate", &format_api_instant(q.end));
            match &q.filter {
                StatsFilter::Weighted => {
                    pairs
                        .append_pair("categories", WEIGHTED_CATEGORIES)
                        .append_pair("gameIdentifiers", WEIGHTED_GAME_FILTER);
                }
                StatsFilter::Total => {}
                StatsFilter::Game(game) => {
                    pairs
                        .append_pair("categories", WEIGHTED_CATEGORIES)
                        .append_pair("gameIdentifiers", game);
                }
            }
            pairs.append_pair("timestamp", &format_api_instant(now));
        }
        url
    }

    /// One stats call with the retry policy applied.
    pub async fn stats(
        &self,
        q: &StatsQuery,
        now: DateTime<Utc>,
    ) -> Result<Vec<StatsRow>, AffiliateError> {
        let url = self.url_for(q, now);
        let max_tries = self.retry.max_tries.max(1);
        let mut try_no = 1;
        loop {
            let err = match self.try_once(&url).await {
                Ok(rows) => return Ok(rows),
                Err(e) => e,
            };
            if !err.0.is_retryable() || try_no >= max_tries {
                tracing::warn!(error = %err.0, label = err.0.label(), tries = try_no, "affiliate stats failed");
                return Err(err.0);
            }
            let wait = match err.1 {
                Some(asked) => asked.min(self.retry.max_retry_after),
                None => self.retry.backoff(try_no + 1),
            };
            tracing::info!(
                label = err.0.label(),
                try_no,
                wait_ms = wait.as_millis() as u64,
                "affiliate stats retrying"
            );
            tokio::time::sleep(wait).await;
            try_no += 1;
        }
    }

    /// One try; on failure also returns the server-requested wait, if any.
    async fn try_once(
        &self,
        url: &Url,
    ) -> Result<Vec<StatsRow>, (AffiliateError, Option<Duration>)> {
        let request = self
            .http
            .get(url.clone())
            .bearer_auth(self.token.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::CACHE_CONTROL, "no-cache");
        let max_body = self.max_body;
        // Only a 2xx body is read: the other statuses say all we use. The
        // deadline covers sending and reading, not waiting for the turn to
        // read (another call's body being read).
        let mut deadline = Instant::now() + self.retry.request_timeout;
        let attempt = async {
            let resp = tokio::time::timeout_at(deadline, request.send())
                .await
                .map_err(|_| Failure::Timeout)?
                .map_err(|e| Failure::Body(BodyError::Transport(e)))?;
            let status = resp.status();
            let headers = resp.headers().clone();
            let body = if status.is_success() {
                let waiting = Instant::now();
                let _turn = self.read_turn.acquire().await;
                deadline += waiting.elapsed();
                let read = tokio::time::timeout_at(deadline, read_capped(resp, max_body));
                Some(
                    read.await
                        .map_err(|_| Failure::Timeout)?
                        .map_err(Failure::Body)?,
                )
            } else {
                None
            };
            Ok::<_, Failure>((status, headers, body))
        };
        let (status, headers, body) = match attempt.await {
            Err(Failure::Timeout) => return Err((AffiliateError::Timeout, None)),
            Err(Failure::Body(BodyError::Transport(e))) if e.is_timeout() => {
                return Err((AffiliateError::Timeout, None))
            }
            Err(Failure::Body(BodyError::Transport(e))) => {
                return Err((AffiliateError::Transport(describe(&e)), None))
            }
            Err(Failure::Body(too_large @ BodyError::TooLarge { .. })) => {
                return Err((AffiliateError::Malformed(too_large.describe()), None))
            }
            Ok(parts) => parts,
        };
        match status.as_u16() {
            200..=299 => parse_stats_body(&body.unwrap_or_default()).map_err(|e| (e, None)),
            401 | 403 => Err((AffiliateError::Unauthorized(status.as_u16()), None)),
            429 => {
                let asked = retry_after(&headers);
                Err((AffiliateError::RateLimited { retry_after: asked }, asked))
            }
            500..=599 => Err((AffiliateError::Server(status.as_u16()), None)),
            other => Err((AffiliateError::UnexpectedStatus(other), None)),
        }
    }

    /// A period's figures: weighted call joined by uid to the total call.
    pub async fn period_figures(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<PlayerFigures>, AffiliateError> {
        let weighted = StatsQuery {
            start,
            end,
            filter: StatsFilter::Weighted,
        };
        let total = StatsQuery {
            filter: StatsFilter::Total,
            ..weighted.clone()
        };
        let (weighted, total) =
            tokio::try_join!(self.stats(&weighted, now), self.stats(&total, now))?;
        Ok(join_by_uid(weighted, total))
    }

    /// Challenge figures for one game from the challenge start until now.
    pub async fn game_figures(
        &self,
        game_id: &str,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<PlayerFigures>, AffiliateError> {
        let q = StatsQuery {
            start,
            end: now,
            filter: StatsFilter::Game(game_id.to_owned()),
        };
        let rows = self.stats(&q, now).await?;
        Ok(rows.into_iter().map(StatsRow::into_figures).collect())
    }
}

/// Joins the weighted and total answers of one window by uid.
///
/// Weighted rows keep their order, then players seen only in the total call
/// follow (weighted 0, no hit). A player missing from the total call keeps the
/// weighted call's own `wagered`, a lower bound, rather than vanishing.
pub fn join_by_uid(weighted: Vec<StatsRow>, total: Vec<StatsRow>) -> Vec<PlayerFigures> {
    let mut totals: HashMap<String, StatsRow> =
        total.iter().map(|r| (r.uid.clone(), r.clone())).collect();
    let mut out = Vec::with_capacity(weighted.len().max(total.len()));
    for w in weighted {
        let t = totals.remove(&w.uid);
        // The whole-window figures come from the total call, like `wagered`;
        // without a total row the weighted call's own are the best we have.
        let whole = t.as_ref().unwrap_or(&w);
        let activity = Activity {
            sessions: whole.sessions,
            weighted_sessions: w.sessions,
            payout: whole.payout,
            net: whole.net,
        };
        let username = if w.username.is_empty() {
            t.as_ref().map(|t| t.username.clone()).unwrap_or_default()
        } else {
            w.username
        };
        out.push(PlayerFigures {
            wagered: t.map(|t| t.wagered).unwrap_or(w.wagered),
            uid: w.uid,
            username,
            weighted_wagered: w.weighted_wagered,
            weighted_since_ms: 0,
            best_hit: w.highest_multiplier,
            activity,
        });
    }
    for t in total {
        if totals.remove(&t.uid).is_some() {
            out.push(PlayerFigures {
                weighted_wagered: crate::domain::money::Cents::ZERO,
                best_hit: None,
                ..t.into_figures()
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
