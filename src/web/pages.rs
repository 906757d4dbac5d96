//! The public pages: server-rendered with askama (HTML-escaped by default),
//! readable without JavaScript; a small script only keeps the countdown
//! ticking.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Datelike, TimeDelta, Utc};

use crate::app::AppState;
use crate::domain::money::Cents;
use crate::domain::period::{MonthPeriod, WeekPeriod};

use super::emoji::EmojiView;
use super::find::{self, FindView};
use super::public::{self, HitRow, MonthRow, PrizeRow};
use super::time_text::{countdown, human, iso};
use super::{Error, WEIGHTING_DISCLOSURE};

/// How fresh the shown data is, for the page header.
struct Freshness {
    /// When the data was fetched, as text, with its ISO twin.
    updated: Option<(String, String)>,
    /// A warning to show when the data is old or missing.
    stale: Option<String>,
}

/// The data counts as stale past two poll intervals: one missed poll is
/// normal jitter, two in a row mean the figures may be wrong.
fn freshness(state: &AppState, updated_at: Option<DateTime<Utc>>) -> Freshness {
    let now = state.clock.now();
    let limit = TimeDelta::seconds(2 * state.config.poll_interval_secs as i64);
    let stale = match updated_at {
        Some(at) if now - at > limit => Some(format!(
            "The data is {} old: updates are delayed, so the figures below may be behind.",
            crate::domain::wording::count((now - at).num_minutes(), "minute")
        )),
        Some(_) => None,
        None if state.polling_enabled() => {
            Some("No data yet: the first update has not arrived.".to_string())
        }
        None => None,
    };
    Freshness {
        updated: updated_at.map(|at| (human(at), iso(at))),
        stale,
    }
}

/// A period end, counted down on the server and ticked on by the browser.
struct Countdown {
    text: String,
    left_secs: i64,
    end_timestamp: i64,
    end_text: String,
}

impl Countdown {
    fn until(now: DateTime<Utc>, end_exclusive: DateTime<Utc>) -> Self {
        Self {
            text: countdown(now, end_exclusive),
            left_secs: (end_exclusive - now).num_seconds().max(0),
            end_timestamp: end_exclusive.timestamp(),
            end_text: human(end_exclusive - TimeDelta::seconds(1)),
        }
    }
}

/// `23 Nov – 29 Nov 2026` (the first year shown only when the week spans two).
fn week_label(week: WeekPeriod) -> String {
    let (monday, sunday) = (week.monday(), week.sunday());
    let first = if monday.year() == sunday.year() {
        monday.format("%-d %b")
    } else {
        monday.format("%-d %b %Y")
    };
    format!("{first} – {}", sunday.format("%-d %b %Y"))
}

#[derive(Template)]
#[template(path = "index.html")]
struct HomePage {
    nav: &'static str,
    month: String,
    /// This month's board: tier badges and a tips column.
    live: bool,
    rows: Vec<MonthRow>,
    prizes: Vec<PrizeRow>,
    prize_pool: Cents,
    disclosure: &'static str,
    countdown: Countdown,
    fresh: Freshness,
    find_query: String,
    find: Option<FindView>,
}

/// Query of `/`: `?find=USERNAME` answers the "find me" form.
#[derive(Debug, Default, serde::Deserialize)]
pub struct HomeQuery {
    /// The exact username typed in the form.
    #[serde(default)]
    pub find: Option<String>,
}

#[derive(Template)]
#[template(path = "multipliers.html")]
struct MultipliersPage {
    nav: &'static str,
    week: String,
    rows: Vec<HitRow>,
    prizes: Vec<PrizeRow>,
    prize_pool: Cents,
    min_bet: Option<Cents>,
    countdown: Countdown,
    fresh: Freshness,
}

/// One frozen month in the archive list.
struct MonthLink {
    key: String,
    name: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    nav: &'static str,
    months: Vec<MonthLink>,
}

#[derive(Template)]
#[template(path = "history_month.html")]
struct HistoryMonthPage {
    nav: &'static str,
    month: String,
    /// Frozen month: no tips column.
    live: bool,
    rows: Vec<MonthRow>,
    prize_pool: Cents,
    disclosure: &'static str,
}

fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => Error::from(e).into_page(),
    }
}

/// `GET /`: this month's weighted-wager board, and with `?find=` the
/// "find me" answer (rate-limited per client like `/api/find`).
pub async fn home(
    State(state): State<Arc<AppState>>,
    find::Peer(peer): find::Peer,
    headers: HeaderMap,
    Query(query): Query<HomeQuery>,
) -> Response {
    let find_query = query.find.unwrap_or_default().trim().to_string();
    let find =
        (!find_query.is_empty()).then(|| find::lookup(&state, peer, &headers, &find_query).into());
    let published = state.board.current();
    let month = &published.month;
    render(&HomePage {
        nav: "home",
        month: month.period.to_string(),
        live: true,
        rows: public::current_month_rows(month, &state.public_ids),
        prizes: public::prize_rows(&month.prizes),
        prize_pool: month.prizes.iter().sum(),
        disclosure: WEIGHTING_DISCLOSURE,
        countdown: Countdown::until(state.clock.now(), month.period.end_exclusive()),
        fresh: freshness(&state, published.updated_at),
        find_query,
        find,
    })
}

/// `GET /multipliers`: this week's highest-multiplier board.
pub async fn multipliers(State(state): State<Arc<AppState>>) -> Response {
    let published = state.board.current();
    let week = &published.week;
    render(&MultipliersPage {
        nav: "multipliers",
        week: week_label(week.period),
        rows: public::week_rows(&week.entries),
        prizes: public::prize_rows(&week.prizes),
        prize_pool: week.prizes.iter().sum(),
        min_bet: week.min_bet,
        countdown: Countdown::until(state.clock.now(), week.period.end_exclusive()),
        fresh: freshness(&state, published.updated_at),
    })
}

/// `GET /history`: every frozen month, newest first.
pub async fn history(State(state): State<Arc<AppState>>) -> Response {
    match public::frozen_months(&state).await {
        Ok(months) => render(&HistoryPage {
            nav: "history",
            months: months
                .into_iter()
                .map(|m| MonthLink {
                    key: m.key(),
                    name: m.to_string(),
                })
                .collect(),
        }),
        Err(e) => e.into_page(),
    }
}

/// `GET /history/{yyyy}-{mm}`: a closed month's final standings.
pub async fn history_month(
    State(state): State<Arc<AppState>>,
    Path(month): Path<String>,
) -> Response {
    let month = match MonthPeriod::parse(&month) {
        Ok(month) => month,
        Err(e) => return Error::BadRequest(e.to_string()).into_page(),
    };
    match public::frozen_month(&state, month).await {
        Ok(Some(standings)) => render(&HistoryMonthPage {
            nav: "history",
            month: month.to_string(),
            live: false,
            prize_pool: standings.iter().map(|s| s.prize).sum(),
            rows: public::frozen_rows(&standings, &state.public_ids),
            disclosure: WEIGHTING_DISCLOSURE,
        }),
        Ok(None) => {
            Error::NotFound(format!("There are no final standings for {month}.")).into_page()
        }
        Err(e) => e.into_page(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn week_labels_show_the_year_once_unless_the_week_spans_two() {
        let week = |y, m, d| WeekPeriod::new(NaiveDate::from_ymd_opt(y, m, d).unwrap()).unwrap();
        assert_eq!(week_label(week(2026, 11, 23)), "23 Nov – 29 Nov 2026");
        assert_eq!(week_label(week(2026, 12, 28)), "28 Dec 2026 – 3 Jan 2027");
    }
}
