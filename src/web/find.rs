//! "Find me" (issue 16): a viewer types their exact Roobet username and
//! learns their masked row on this month's board, their rank and how far
//! they are from the next rank and from the prizes.
//!
//! Privacy: only an exact (case-insensitive) match answers, and the answer
//! carries the masked name and figures only — no prefix search, no list,
//! nothing that enumerates names. Lookups are rate-limited per client
//! ([`RateLimiter`]) so names cannot be guessed in bulk either.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::masking::mask_username;
use crate::domain::money::Cents;
use crate::domain::names::identity_key;
use crate::published::Published;

pub use super::rate_limit::{client_ip, Peer, RateLimiter};

/// Longest username looked up (Roobet names are far shorter).
pub const MAX_QUERY_CHARS: usize = 64;

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
    let wanted = identity_key(username);
    if wanted.is_empty() {
        return None;
    }
    let entries = &published.month.entries;
    let mut named = entries
        .iter()
        .filter(|e| identity_key(&e.username) == wanted);
    let me = named.next()?;
    if named.next().is_some() {
        // Two ranked players share the name to a reader: no guess.
        return None;
    }
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
    let client = client_ip(peer, headers, state.config.trusted_proxy_header.as_deref());
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
