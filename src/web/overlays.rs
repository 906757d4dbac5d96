//! OBS overlays and the embeddable widget (issue 16): small transparent
//! pages a streamer adds as a Browser Source, and a compact board a
//! community site puts in an iframe. Server-rendered (they show the board
//! even before the script connects), then kept live by `static/live.js`
//! over `/api/events`. These routes may be framed by any site; see
//! [`super::framable_routes`].
//!
//! Query options, validated (a bad value is a 400 naming the allowed ones,
//! so a streamer sees the mistake in the OBS preview instead of a silently
//! different overlay): `theme=dark|light` (default dark), `rows=3..10`
//! (default 5; the embed defaults to 10), `scale=0.5..3` (default 1,
//! rounded to the nearest 0.25).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::money::{Cents, Multiplier};

use super::public;
use super::Error;

/// The raw query of an overlay.
#[derive(Debug, Default, Deserialize)]
pub struct OverlayQuery {
    /// `dark` or `light`.
    pub theme: Option<String>,
    /// Rows shown, 3 to 10.
    pub rows: Option<String>,
    /// Zoom factor, 0.5 to 3.
    pub scale: Option<String>,
}

/// Validated overlay options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlayOptions {
    /// `dark` or `light`.
    pub theme: &'static str,
    /// Rows shown.
    pub rows: usize,
    /// The scale in percent, a multiple of 25 (`scale-150` in the CSS).
    pub scale_percent: u32,
}

impl OverlayOptions {
    /// Parses `query`; `default_rows` when `rows` is absent or empty.
    pub fn parse(query: &OverlayQuery, default_rows: usize) -> Result<Self, String> {
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        let theme = match given(&query.theme) {
            None | Some("dark") => "dark",
            Some("light") => "light",
            Some(other) => return Err(format!("theme={other}: use dark or light")),
        };
        let rows = match given(&query.rows) {
            None => default_rows,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (3..=10).contains(&n) => n,
                _ => return Err(format!("rows={v}: use a whole number from 3 to 10")),
            },
        };
        let scale_percent = match given(&query.scale) {
            None => 100,
            Some(v) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() && (0.5..=3.0).contains(&x) => {
                    ((x * 4.0).round() as u32) * 25
                }
                _ => return Err(format!("scale={v}: use a number from 0.5 to 3 (e.g. 1.5)")),
            },
        };
        Ok(Self {
            theme,
            rows,
            scale_percent,
        })
    }
}

/// One line of an overlay list (also what `live.js` renders from the
/// documents, in the same shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Rank, or the challenge number.
    pub rank: String,
    /// Masked player, or the challenge's game.
    pub name: String,
    /// The main figure (weighted wager, multiplier, required multiplier).
    pub figure: String,
    /// Secondary text (prize, game).
    pub detail: String,
}

#[derive(Template)]
#[template(path = "overlay.html")]
struct OverlayPage {
    kind: &'static str,
    heading: String,
    subheading: String,
    options: OverlayOptions,
    lines: Vec<Line>,
    empty: &'static str,
    embed: bool,
    home: String,
}

fn bad_option(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        format!("{message}\nOptions: theme=dark|light, rows=3..10, scale=0.5..3\n"),
    )
        .into_response()
}

fn render(page: &OverlayPage) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => Error::from(e).into_page(),
    }
}

fn leaderboard_page(state: &AppState, options: OverlayOptions, embed: bool) -> OverlayPage {
    let published = state.board.current();
    let month = &published.month;
    let pool: Cents = month.prizes.iter().sum();
    OverlayPage {
        kind: "leaderboard",
        heading: format!("{} leaderboard", month.period),
        subheading: format!("{pool} prize pool"),
        lines: public::month_rows(&month.entries, &state.public_ids)
            .into_iter()
            .take(options.rows)
            .map(|r| Line {
                rank: r.rank.to_string(),
                name: r.username,
                figure: r.weighted.to_string(),
                detail: if r.prize.is_positive() {
                    r.prize.to_string()
                } else {
                    String::new()
                },
            })
            .collect(),
        options,
        empty: "No ranked players yet",
        embed,
        home: format!("{}/", state.config.public_base_url),
    }
}

/// `GET /overlay/leaderboard`: this month's top rows.
pub async fn leaderboard(
    State(state): State<Arc<AppState>>,
    Query(query): Query<OverlayQuery>,
) -> Response {
    match OverlayOptions::parse(&query, 5) {
        Ok(options) => render(&leaderboard_page(&state, options, false)),
        Err(message) => bad_option(message),
    }
}

/// `GET /embed/leaderboard`: the compact board for an iframe.
pub async fn embed_leaderboard(
    State(state): State<Arc<AppState>>,
    Query(query): Query<OverlayQuery>,
) -> Response {
    match OverlayOptions::parse(&query, 10) {
        Ok(options) => render(&leaderboard_page(&state, options, true)),
        Err(message) => bad_option(message),
    }
}

/// `GET /overlay/multipliers`: this week's best hits.
pub async fn multipliers(
    State(state): State<Arc<AppState>>,
    Query(query): Query<OverlayQuery>,
) -> Response {
    let options = match OverlayOptions::parse(&query, 5) {
        Ok(options) => options,
        Err(message) => return bad_option(message),
    };
    let published = state.board.current();
    let week = &published.week;
    let pool: Cents = week.prizes.iter().sum();
    render(&OverlayPage {
        kind: "multipliers",
        heading: "Weekly multipliers".into(),
        subheading: format!("{pool} prize pool"),
        lines: public::week_rows(&week.entries)
            .into_iter()
            .take(options.rows)
            .map(|r| Line {
                rank: r.rank.to_string(),
                name: r.username,
                figure: r.multiplier.to_string(),
                detail: r.game_title,
            })
            .collect(),
        options,
        empty: "No hits yet this week",
        embed: false,
        home: format!("{}/multipliers", state.config.public_base_url),
    })
}

/// `GET /overlay/challenges`: the active slot challenges.
pub async fn challenges(
    State(state): State<Arc<AppState>>,
    Query(query): Query<OverlayQuery>,
) -> Response {
    let options = match OverlayOptions::parse(&query, 5) {
        Ok(options) => options,
        Err(message) => return bad_option(message),
    };
    let doc = match super::challenges::active_doc(&state).await {
        Ok(doc) => doc,
        Err(e) => return e.into_page(),
    };
    render(&OverlayPage {
        kind: "challenges",
        heading: "Slot challenges".into(),
        subheading: "First to hit wins".into(),
        lines: doc
            .challenges
            .iter()
            .take(options.rows)
            .map(|c| Line {
                rank: format!("#{}", c.id),
                name: c.game_name.clone(),
                figure: format!(
                    "≥ {}",
                    Multiplier((c.required_multiplier * 100.0).round() as i64)
                ),
                detail: Cents::new((c.prize * 100.0).round() as i64).to_string(),
            })
            .collect(),
        options,
        empty: "No active challenges",
        embed: false,
        home: format!("{}/challenges", state.config.public_base_url),
    })
}

/// `GET /overlay/alerts`: empty until a milestone tip or a challenge prize
/// is sent; then a short animated card.
pub async fn alerts(
    State(state): State<Arc<AppState>>,
    Query(query): Query<OverlayQuery>,
) -> Response {
    let options = match OverlayOptions::parse(&query, 5) {
        Ok(options) => options,
        Err(message) => return bad_option(message),
    };
    render(&OverlayPage {
        kind: "alerts",
        heading: String::new(),
        subheading: String::new(),
        lines: Vec::new(),
        options,
        empty: "",
        embed: false,
        home: format!("{}/", state.config.public_base_url),
    })
}

/// One overlay in the help page's table.
struct OverlayHelp {
    path: &'static str,
    size: &'static str,
    what: &'static str,
}

#[derive(Template)]
#[template(path = "embed.html")]
struct EmbedHelpPage {
    nav: &'static str,
    base: String,
    snippet: String,
    overlays: Vec<OverlayHelp>,
}

/// `GET /embed`: how to put the board on a site (the iframe snippet) or on
/// stream (the overlay URLs and sizes).
pub async fn embed_help(State(state): State<Arc<AppState>>) -> Response {
    let base = state.config.public_base_url.clone();
    let snippet = format!(
        "<iframe src=\"{base}/embed/leaderboard\" width=\"380\" height=\"660\" \
frameborder=\"0\" loading=\"lazy\" title=\"Leaderboard\"></iframe>"
    );
    let page = EmbedHelpPage {
        nav: "embed",
        base,
        snippet,
        overlays: vec![
            OverlayHelp {
                path: "/overlay/leaderboard",
                size: "400×420",
                what: "this month's top rows",
            },
            OverlayHelp {
                path: "/overlay/multipliers",
                size: "400×420",
                what: "this week's best multipliers",
            },
            OverlayHelp {
                path: "/overlay/challenges",
                size: "400×420",
                what: "active slot challenges",
            },
            OverlayHelp {
                path: "/overlay/alerts",
                size: "600×200",
                what: "a card when a milestone tip or challenge prize is paid",
            },
        ],
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => Error::from(e).into_page(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(theme: &str, rows: &str, scale: &str) -> OverlayQuery {
        let some = |v: &str| (!v.is_empty()).then(|| v.to_string());
        OverlayQuery {
            theme: some(theme),
            rows: some(rows),
            scale: some(scale),
        }
    }

    #[test]
    fn options_default_and_validate() {
        let o = OverlayOptions::parse(&query("", "", ""), 5).unwrap();
        assert_eq!((o.theme, o.rows, o.scale_percent), ("dark", 5, 100));
        let o = OverlayOptions::parse(&query("light", "10", "1.6"), 5).unwrap();
        assert_eq!((o.theme, o.rows, o.scale_percent), ("light", 10, 150));
        for (t, r, s) in [
            ("blue", "", ""),
            ("", "2", ""),
            ("", "11", ""),
            ("", "x", ""),
            ("", "", "0.4"),
            ("", "", "NaN"),
            ("", "", "inf"),
        ] {
            assert!(
                OverlayOptions::parse(&query(t, r, s), 5).is_err(),
                "{t} {r} {s}"
            );
        }
    }
}
