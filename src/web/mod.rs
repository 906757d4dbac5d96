//! The HTTP surface other than `/interactions`: operations endpoints, the
//! public pages and the JSON documents (ours under `/api/…` and the seed's
//! export file names, in the seed's shapes).
//!
//! Every read is served from the published snapshot (`state.board`), never
//! the database, except the history of frozen months.

pub mod api;
pub mod branding;
pub mod cache;
pub mod challenges;
pub mod emoji;
pub mod error;
pub mod find;
pub mod health;
pub mod live;
pub mod overlays;
pub mod pages;
pub mod public;
pub mod rate_limit;
pub mod seed_docs;
mod time_text;
pub mod tips;
pub mod wagers;

#[cfg(test)]
mod json_shapes;

use std::sync::Arc;

use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::AppState;

pub use error::Error;

/// Roobet requires this text wherever the weighted board is shown (page,
/// JSON, Discord embeds); one copy so the wording never drifts.
pub const WEIGHTING_DISCLOSURE: &str = "Weighted wager counts slots and house games only \
(dice excluded) by RTP: RTP ≤ 97% counts 100%, RTP > 97% counts 50%, RTP ≥ 98% counts 10%.";

/// Rows a public board shows: the prize ranks of the default tables, and the
/// length of the seed's export lists.
pub const PUBLIC_ROWS: usize = 10;

/// The Content-Security-Policy of every page: our own scripts, styles and
/// fonts only (the templates have no inline script or style), images from
/// us, Discord's emoji CDN (tier and challenge emojis) and any `https:`
/// host (the `COMMUNITY_LOGO_URL`), no plugins, no `<base>` rewriting,
/// forms only to us, and no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data: https:; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of the pages meant to be framed (OBS overlays, the embed
/// widget): the same, except that any site may frame them.
pub const FRAMABLE_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
img-src 'self' data: https:; object-src 'none'; base-uri 'none'; form-action 'self'; \
frame-ancestors *";

/// Adds the security headers to every answer of `router` that does not set
/// them itself: a route that must be framed (an overlay or embed page) sets
/// its own `Content-Security-Policy` and `X-Frame-Options` and keeps them.
pub fn with_security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let headers: [(HeaderName, &'static str); 4] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    headers.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    })
}

/// The public pages and JSON documents.
pub fn routes(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .merge(json_routes())
        .merge(page_routes(state))
        .merge(live_routes())
}

/// `/api/events` (a stream: no ETag buffering, no compression) and the
/// rate-limited `/api/find` (an answer per person: never cached).
fn live_routes() -> Router<Arc<AppState>> {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD]);
    Router::new()
        .route("/api/events", get(live::events))
        .route("/api/find", get(find::api_find))
        .layer(cors)
}

/// The overlays and the embed widget: framable by any site, branded, and
/// otherwise under the same headers as every page. Merged after
/// [`with_security_headers`] so its `frame-ancestors 'none'` and
/// `X-Frame-Options: DENY` do not apply here; its layers are route layers,
/// so an unmatched path (the merged fallback) keeps the strict headers.
pub fn framable_routes(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    let headers: [(HeaderName, &'static str); 3] = [
        (
            header::CONTENT_SECURITY_POLICY,
            FRAMABLE_CONTENT_SECURITY_POLICY,
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    let router = Router::new()
        .route("/overlay/leaderboard", get(overlays::leaderboard))
        .route("/overlay/multipliers", get(overlays::multipliers))
        .route("/overlay/challenges", get(overlays::challenges))
        .route("/overlay/alerts", get(overlays::alerts))
        .route("/embed/leaderboard", get(overlays::embed_leaderboard))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            branding::brand,
        ))
        .route_layer(CompressionLayer::new());
    headers.into_iter().fold(router, |router, (name, value)| {
        router.route_layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ))
    })
}

/// JSON documents: open CORS for reads (community websites fetch them from
/// the browser) and one ETag/Cache-Control policy for all of them.
fn json_routes() -> Router<Arc<AppState>> {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD]);
    Router::new()
        .route("/api/leaderboard", get(api::leaderboard))
        .route("/api/leaderboard/{month}", get(api::past_leaderboard))
        .route("/api/multipliers", get(api::multipliers))
        .route("/api/challenges", get(challenges::api_active))
        .route("/api/challenges/history", get(challenges::api_history))
        .route(
            "/ActiveSlotChallenges.json",
            get(challenges::active_slot_challenges),
        )
        .route("/challengeHistory.json", get(challenges::challenge_history))
        .route("/latestLBResults.json", get(seed_docs::latest_lb_results))
        .route(
            "/LatestMultiLBResults.json",
            get(seed_docs::latest_multi_lb_results),
        )
        .route("/api/wagers", get(wagers::wagers))
        .route("/allWagerData.json", get(wagers::all_wager_data))
        .route("/api/tips", get(tips::api_tips))
        .route("/allTimeTips.json", get(tips::all_time_tips))
        .layer(axum::middleware::from_fn(cache::etag))
        .layer(cors)
}

/// Server-rendered pages, compressed (they are the largest bodies we send).
fn page_routes(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(pages::home))
        .route("/multipliers", get(pages::multipliers))
        .route("/challenges", get(challenges::page))
        .route("/history", get(pages::history))
        .route("/history/{month}", get(pages::history_month))
        .route("/tips", get(tips::page))
        .route("/embed", get(overlays::embed_help))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            branding::brand,
        ))
        .layer(CompressionLayer::new())
}
