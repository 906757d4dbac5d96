//! `GET /tips`: the community's log of every prize and tip paid, newest
//! first, with the all-time totals by kind. The log shows the latest
//! [`PAGE_ROWS`]; the totals count every confirmed payout (by SQL, not from
//! the shown rows), and the full list is in `/api/tips`.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};

use crate::app::AppState;
use crate::domain::money::Cents;
use crate::store::public_tips;
use crate::store::tip_stats::{self, SentTotals, Tally};

use super::super::time_text::{human, iso};
use super::super::Error;
use super::{detail, kind_label, public_rows, TipRow};

/// Payouts the page lists; older ones are in `/api/tips`.
pub const PAGE_ROWS: i64 = 200;

/// One kind's all-time total.
struct KindTotal {
    label: &'static str,
    amount: Cents,
    tips: String,
}

/// One line of the log.
struct LogRow {
    username: String,
    kind: &'static str,
    detail: Option<String>,
    amount: Cents,
    when: String,
    when_iso: String,
}

impl LogRow {
    fn of(row: &TipRow) -> Self {
        Self {
            username: row.username.clone(),
            kind: kind_label(row.kind),
            detail: detail(row),
            amount: row.amount,
            when: human(row.sent_at),
            when_iso: iso(row.sent_at),
        }
    }
}

#[derive(Template)]
#[template(path = "tips.html")]
struct TipsPage {
    nav: &'static str,
    total: Tally,
    kinds: Vec<KindTotal>,
    rows: Vec<LogRow>,
    latest: Option<(Cents, String, String)>,
    total_tips: String,
    dry_run: Tally,
    dry_run_tips: String,
    page_rows: i64,
}

impl TipsPage {
    fn new(totals: &SentTotals, rows: &[TipRow], dry_run: Tally) -> Self {
        Self {
            nav: "tips",
            total: totals.total(),
            kinds: totals
                .by_kind
                .iter()
                .map(|(kind, t)| KindTotal {
                    label: kind_label(*kind),
                    amount: t.amount,
                    tips: tips(t.count),
                })
                .collect(),
            rows: rows.iter().map(LogRow::of).collect(),
            latest: rows
                .first()
                .map(|r| (r.amount, human(r.sent_at), iso(r.sent_at))),
            total_tips: tips(totals.total().count),
            dry_run_tips: tips(dry_run.count),
            dry_run,
            page_rows: PAGE_ROWS,
        }
    }
}

/// `1 tip`, `12 tips`.
fn tips(count: i64) -> String {
    if count == 1 {
        "1 tip".to_string()
    } else {
        format!("{count} tips")
    }
}

async fn load(state: &AppState) -> Result<TipsPage, Error> {
    let mut conn = state.store.pool().acquire().await.map_err(Error::db)?;
    let totals = tip_stats::sent_since(&mut conn, None).await?;
    let latest = public_tips::latest_sent(&mut conn, PAGE_ROWS).await?;
    let dry_run = tip_stats::dry_run_sent(&mut conn).await?;
    drop(conn);
    let rows = public_rows(&latest, &state.public_ids);
    Ok(TipsPage::new(&totals, &rows, dry_run))
}

/// `GET /tips`.
pub async fn page(State(state): State<Arc<AppState>>) -> Response {
    let rendered = load(&state).await;
    match rendered.and_then(|page| page.render().map_err(Error::from)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => e.into_page(),
    }
}
