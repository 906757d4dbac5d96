//! "Find me" (issue 16): a viewer types their exact Roobet username and
//! learns their masked row on this month's board, their rank and how far
//! they are from the next rank and from the prizes.
//!
//! Privacy: only an exact (case-insensitive) match answers, and the answer
//! carries the masked name and figures only — no prefix search, no list,
//! nothing that enumerates names. Lookups are rate-limited per client
//! ([`RateLimiter`]) so names cannot be guessed in bulk either.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::masking::mask_username;
use crate::domain::money::Cents;
use crate::published::Published;

/// Lookups a client may make in a burst.
pub const BURST: u32 = 10;
/// One lookup comes back every this many milliseconds (10 a minute).
pub const REFILL_MS: i64 = 6_000;
/// Clients remembered at once; past it, idle ones are forgotten first and a
/// flood of new addresses is refused rather than grown for.
pub const MAX_CLIENTS: usize = 10_000;
/// Longest username looked up (Roobet names are far shorter).
pub const MAX_QUERY_CHARS: usize = 64;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: u32,
    last_ms: i64,
}

impl Bucket {
    fn refilled(self, now_ms: i64) -> Self {
        let earned = ((now_ms - self.last_ms).max(0) / REFILL_MS) as u32;
        if earned == 0 {
            return self;
        }
        Self {
            tokens: (self.tokens + earned).min(BURST),
            last_ms: if self.tokens + earned >= BURST {
                now_ms
            } else {
                self.last_ms + i64::from(earned) * REFILL_MS
            },
        }
    }
}

/// Token buckets by client address, in memory and bounded.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// Takes one lookup from `client`'s budget; `false` when it is spent
    /// (or when too many clients are remembered to admit a new one).
    pub fn allow(&self, client: IpAddr, now_ms: i64) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !buckets.contains_key(&client) && buckets.len() >= MAX_CLIENTS {
            buckets.retain(|_, b| b.refilled(now_ms).tokens < BURST);
            if buckets.len() >= MAX_CLIENTS {
                return false;
            }
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: BURST,
            last_ms: now_ms,
        });
        *bucket = bucket.refilled(now_ms);
        if bucket.tokens == 0 {
            return false;
        }
        bucket.tokens -= 1;
        true
    }

    /// Clients remembered now (tests check the bound).
    pub fn clients(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Whether an address is one a proxy in front of us would connect from
/// (loopback or private): then the client's address comes from the proxy's
/// header. A public peer is the client itself and cannot spoof its key.
fn behind_proxy(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00 // unique local (fdaa:: on Fly)
        }
    }
}

/// The address a client's budget is keyed by: the peer, or when the peer is
/// a proxy, `Fly-Client-IP` or the last `X-Forwarded-For` hop it added.
pub fn client_ip(peer: Option<SocketAddr>, headers: &HeaderMap) -> IpAddr {
    let peer_ip = peer.map(|p| p.ip());
    if let Some(ip) = peer_ip.filter(|ip| !behind_proxy(*ip)) {
        return ip;
    }
    let header_ip = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    };
    header_ip("fly-client-ip")
        .or_else(|| header_ip("x-forwarded-for"))
        .or(peer_ip)
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// The connection's peer address when the server recorded one (it always
/// does; a router driven without a socket, as in benches, has none).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// How far a rank is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// The rank to reach.
    pub rank: u32,
    /// Weighted wager still needed to draw level, dollars.
    pub gap: f64,
    /// What that rank pays, dollars.
    pub prize: f64,
}

/// `GET /api/find?username=`: one player's standing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindDoc {
    /// Masked username.
    pub username: String,
    /// Rank on this month's board.
    pub rank: u32,
    /// Weighted wager, dollars.
    pub weighted_wagered: f64,
    /// Total wager, dollars.
    pub wagered: f64,
    /// Current prize, dollars (0 outside the prizes).
    pub prize: f64,
    /// The rank just above; `null` for the leader.
    pub next_rank: Option<Gap>,
    /// The lowest prize-paying rank when not in the prizes; `null` when
    /// already paid (or the table is empty).
    pub next_prize: Option<Gap>,
}

/// How far a rank is, in cents (the page shows it, the JSON converts it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GapView {
    /// The rank to reach.
    pub rank: u32,
    /// Weighted wager still needed to draw level.
    pub amount: Cents,
    /// What that rank pays.
    pub prize: Cents,
}

/// One player's standing, in cents; masked name only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// Masked username.
    pub username: String,
    /// Rank on this month's board.
    pub rank: u32,
    /// Weighted wager.
    pub weighted: Cents,
    /// Total wager.
    pub wagered: Cents,
    /// Current prize (zero outside the prizes).
    pub prize: Cents,
    /// The rank just above; `None` for the leader.
    pub next_rank: Option<GapView>,
    /// The lowest prize-paying rank, when not already paid.
    pub next_prize: Option<GapView>,
}

impl From<&Standing> for FindDoc {
    fn from(s: &Standing) -> Self {
        let gap = |g: &GapView| Gap {
            rank: g.rank,
            gap: g.amount.as_dollars_f64(),
            prize: g.prize.as_dollars_f64(),
        };
        Self {
            username: s.username.clone(),
            rank: s.rank,
            weighted_wagered: s.weighted.as_dollars_f64(),
            wagered: s.wagered.as_dollars_f64(),
            prize: s.prize.as_dollars_f64(),
            next_rank: s.next_rank.as_ref().map(gap),
            next_prize: s.next_prize.as_ref().map(gap),
        }
    }
}

/// The standing of `username` (exact, case-insensitive) on this month's
/// board, or `None` when not ranked.
pub fn standing(published: &Published, username: &str) -> Option<Standing> {
    let wanted = username.trim().to_lowercase();
    if wanted.is_empty() {
        return None;
    }
    let entries = &published.month.entries;
    let me = entries
        .iter()
        .find(|e| e.username.to_lowercase() == wanted)?;
    let gap_to = |rank: u32| {
        entries.iter().find(|e| e.rank == rank).map(|e| GapView {
            rank,
            amount: (e.weighted_wagered - me.weighted_wagered).max(Cents::ZERO),
            prize: e.prize.unwrap_or(Cents::ZERO),
        })
    };
    let prize = me.prize.unwrap_or(Cents::ZERO);
    let paid_ranks = published.month.prizes.len() as u32;
    Some(Standing {
        username: mask_username(&me.username),
        rank: me.rank,
        weighted: me.weighted_wagered,
        wagered: me.wagered,
        prize,
        next_rank: me.rank.checked_sub(1).filter(|r| *r > 0).and_then(gap_to),
        next_prize: (!prize.is_positive() && paid_ranks > 0 && me.rank > paid_ranks)
            .then(|| gap_to(paid_ranks))
            .flatten(),
    })
}

/// What the form on `/` shows under the search box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindView {
    /// The player's standing.
    Found(Standing),
    /// Why there is none (not ranked, rate-limited, too long).
    Message(String),
}

impl From<Lookup> for FindView {
    fn from(lookup: Lookup) -> Self {
        match lookup {
            Lookup::Found(s) => Self::Found(s),
            Lookup::NotRanked => {
                Self::Message("No player with exactly that username is ranked this month.".into())
            }
            Lookup::Limited => {
                Self::Message("Too many searches from here; try again in a minute.".into())
            }
            Lookup::TooLong => Self::Message("That is longer than any username.".into()),
        }
    }
}

/// What a lookup answered, for the JSON route and the form on `/`.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// The player's standing.
    Found(Standing),
    /// Not on this month's board (or nothing typed).
    NotRanked,
    /// The client's budget is spent.
    Limited,
    /// Longer than any username.
    TooLong,
}

/// Runs one rate-limited lookup for the client at `peer`.
pub fn lookup(
    state: &AppState,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    username: &str,
) -> Lookup {
    if username.chars().count() > MAX_QUERY_CHARS {
        return Lookup::TooLong;
    }
    let client = client_ip(peer, headers);
    if !state
        .find_limiter
        .allow(client, state.clock.now().timestamp_millis())
    {
        return Lookup::Limited;
    }
    match standing(&state.board.current(), username) {
        Some(doc) => Lookup::Found(doc),
        None => Lookup::NotRanked,
    }
}

/// Query of `GET /api/find`.
#[derive(Debug, Deserialize)]
pub struct FindQuery {
    /// The exact username.
    #[serde(default)]
    pub username: String,
}

#[derive(Serialize)]
struct Problem<'a> {
    error: &'a str,
}

/// `GET /api/find?username=NAME`: 200 with [`FindDoc`], 404 when not
/// ranked, 400 for an empty or over-long name, 429 past the budget.
pub async fn api_find(
    State(state): State<Arc<AppState>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    Query(query): Query<FindQuery>,
) -> Response {
    if query.username.trim().is_empty() {
        return problem(StatusCode::BAD_REQUEST, "`username` is required");
    }
    let answer = lookup(&state, peer, &headers, &query.username);
    let mut response = match answer {
        Lookup::Found(standing) => Json(FindDoc::from(&standing)).into_response(),
        Lookup::NotRanked => problem(
            StatusCode::NOT_FOUND,
            "no player with exactly that username is ranked this month",
        ),
        Lookup::Limited => {
            let mut r = problem(
                StatusCode::TOO_MANY_REQUESTS,
                "too many lookups; try again in a minute",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("6"));
            r
        }
        Lookup::TooLong => problem(StatusCode::BAD_REQUEST, "`username` is too long"),
    };
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

fn problem(status: StatusCode, error: &str) -> Response {
    (status, Json(Problem { error })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_refused_after_ten_and_refills_at_ten_a_minute() {
        let limiter = RateLimiter::default();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..BURST {
            assert!(limiter.allow(ip, 0));
        }
        assert!(!limiter.allow(ip, 1_000));
        assert!(limiter.allow(ip, REFILL_MS));
        assert!(!limiter.allow(ip, REFILL_MS + 1));
        let other: IpAddr = "203.0.113.8".parse().unwrap();
        assert!(limiter.allow(other, 1_000), "budgets are per client");
    }

    #[test]
    fn the_client_map_stays_bounded() {
        let limiter = RateLimiter::default();
        for i in 0..(MAX_CLIENTS as u32 + 50) {
            let ip = IpAddr::from(i.to_be_bytes());
            limiter.allow(ip, 0);
        }
        assert!(limiter.clients() <= MAX_CLIENTS);
    }

    #[test]
    fn a_public_peer_is_its_own_key_and_a_proxy_forwards_it() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 198.51.100.9".parse().unwrap());
        let public: SocketAddr = "198.51.100.1:5000".parse().unwrap();
        assert_eq!(client_ip(Some(public), &headers), public.ip());
        let proxy: SocketAddr = "172.16.0.2:5000".parse().unwrap();
        assert_eq!(
            client_ip(Some(proxy), &headers),
            "198.51.100.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(Some(proxy), &HeaderMap::new()), proxy.ip());
    }
}
