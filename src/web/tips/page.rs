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
use crate::store::public_tips::{self, Listing};
use crate::store::tip_stats::{self, SentTotals, Tally};

use super::super::time_text::{human, iso};
use super::super::Error;
use super::{detail, kind_label, public_rows, tally_by_kind, TipRow};

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
    test_data: bool,
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
            test_data: row.test_data,
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
    /// The demo: dry-run tips are listed and counted, under a banner.
    test_data: bool,
}

impl TipsPage {
    fn new(totals: &SentTotals, rows: &[TipRow], dry_run: Tally, listing: Listing) -> Self {
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
            test_data: listing == Listing::WithDryRuns,
        }
    }
}

/// `1 tip`, `1,204 tips`.
fn tips(count: i64) -> String {
    crate::domain::wording::count(count, "tip")
}

async fn load(state: &AppState) -> Result<TipsPage, Error> {
    let listing = state.tips_listing();
    let mut conn = state.store.pool().acquire().await.map_err(Error::db)?;
    if listing == Listing::WithDryRuns {
        // The demo: totals over every listed row, dry runs included (a
        // demo ledger is small enough to read whole).
        let all = public_tips::all_sent(&mut conn, listing).await?;
        drop(conn);
        let rows = public_rows(&all, &state.public_ids);
        let totals = tally_by_kind(&rows);
        let shown = rows
            .len()
            .min(usize::try_from(PAGE_ROWS).unwrap_or(usize::MAX));
        return Ok(TipsPage::new(
            &totals,
            &rows[..shown],
            Tally::default(),
            listing,
        ));
    }
    let totals = tip_stats::sent_since(&mut conn, None).await?;
    let latest = public_tips::latest_sent(&mut conn, PAGE_ROWS, listing).await?;
    let dry_run = tip_stats::dry_run_sent(&mut conn).await?;
    drop(conn);
    let rows = public_rows(&latest, &state.public_ids);
    Ok(TipsPage::new(&totals, &rows, dry_run, listing))
}

/// `GET /tips`.
pub async fn page(State(state): State<Arc<AppState>>) -> Response {
    let rendered = load(&state).await;
    match rendered.and_then(|page| page.render().map_err(Error::from)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => e.into_page(),
    }
}
