//! The tips transparency surface: `/api/tips` (ours), `/allTimeTips.json`
//! (the seed's shape, in [`seed`]) and the `/tips` page (in [`page`]).
//!
//! Only payouts the casino confirmed are public (`status = 'sent'`), and
//! dry-run records are left out of every list and total: they were marked
//! sent without a tipping call, so no money moved. Our document states how
//! many were left out; the page says so in words. Rows leave the store as
//! [`TipRow`]s — masked name, opaque public id — so nothing downstream can
//! publish a Roobet uid or a raw username.

mod page;
pub mod seed;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::masking::{mask_username, PublicIdKey};
use crate::domain::money::Cents;
use crate::domain::payout_keys::PayoutKind;
use crate::domain::period::{MonthPeriod, WeekPeriod};
use crate::published::{Rendered, TipsDocs, TipsMarker};
use crate::store::public_tips::{self, Listing, SentTip};
use crate::store::tip_stats::{self, SentTotals, Tally};

use super::time_text::iso;
use super::Error;

pub use page::{page, PAGE_ROWS};
pub use seed::all_time_tips;

/// One confirmed payout in its public form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipRow {
    /// Opaque public id of the recipient (keyed hash of the Roobet uid).
    pub public_id: String,
    /// Masked username of the recipient.
    pub username: String,
    /// What earned it.
    pub kind: PayoutKind,
    /// Amount paid.
    pub amount: Cents,
    /// When the casino confirmed it.
    pub sent_at: DateTime<Utc>,
    /// The month (`yyyy-mm`) or week (`yyyy-mm-dd`) that earned it.
    pub period_key: Option<String>,
    /// Milestone tier number.
    pub tier: Option<u32>,
    /// A dry run the demo lists as test data (no money moved); never true
    /// outside the demo.
    pub test_data: bool,
}

/// Masks and hashes ledger rows; the only way rows reach a public view.
/// Each distinct uid is hashed and each distinct name masked once (a big
/// ledger pays many tips to few players).
pub fn public_rows(tips: &[SentTip], ids: &PublicIdKey) -> Vec<TipRow> {
    let mut public_ids: HashMap<&str, String> = HashMap::new();
    let mut masked: HashMap<&str, String> = HashMap::new();
    tips.iter()
        .map(|t| TipRow {
            public_id: public_ids
                .entry(&t.uid)
                .or_insert_with(|| ids.public_id(&t.uid))
                .clone(),
            username: masked
                .entry(&t.username)
                .or_insert_with(|| mask_username(&t.username))
                .clone(),
            kind: t.kind,
            amount: t.amount,
            sent_at: DateTime::from_timestamp_millis(t.sent_ms).unwrap_or_default(),
            period_key: t.period_key.clone(),
            tier: t.tier.and_then(|t| u32::try_from(t).ok()),
            test_data: t.dry_run,
        })
        .collect()
}

/// How the page names a kind.
pub fn kind_label(kind: PayoutKind) -> &'static str {
    match kind {
        PayoutKind::Milestone => "Wager milestone",
        PayoutKind::Challenge => "Slot challenge",
        PayoutKind::Leaderboard => "Monthly leaderboard",
        PayoutKind::Multiplier => "Weekly multiplier",
        PayoutKind::Manual => "Manual tip",
    }
}

/// What exactly earned a payout, in words (`Rank 7`, `November 2026`,
/// `Week of 2026-11-23`); `None` when the ledger says no more than the kind.
pub fn detail(row: &TipRow) -> Option<String> {
    let period = row.period_key.as_deref();
    match row.kind {
        PayoutKind::Milestone => row.tier.map(|t| format!("Rank {t}")),
        PayoutKind::Leaderboard => period
            .and_then(|p| MonthPeriod::parse(p).ok())
            .map(|m| m.to_string()),
        PayoutKind::Multiplier => period
            .and_then(|p| WeekPeriod::parse(p).ok())
            .map(|w| format!("Week of {}", w.monday().format("%-d %b %Y"))),
        PayoutKind::Challenge | PayoutKind::Manual => None,
    }
}

/// A count and an amount.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TallyDoc {
    /// How many payouts.
    pub count: i64,
    /// Their total, dollars.
    pub amount: f64,
}

impl TallyDoc {
    fn of(tally: Tally) -> Self {
        Self {
            count: tally.count,
            amount: tally.amount.as_dollars_f64(),
        }
    }
}

/// One payout in `/api/tips`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TipDoc {
    /// Opaque public id of the recipient.
    pub public_id: String,
    /// Masked username.
    pub username: String,
    /// `milestone`, `challenge`, `leaderboard`, `multiplier` or `manual`.
    pub kind: &'static str,
    /// Dollars.
    pub amount: f64,
    /// When the casino confirmed it.
    pub sent_at: String,
    /// `sent_at` in Unix seconds.
    pub sent_at_timestamp: i64,
    /// The month (`yyyy-mm`) or week (Monday `yyyy-mm-dd`) that earned it;
    /// `null` for challenges and manual tips.
    pub period: Option<String>,
    /// Milestone tier; `null` for other kinds.
    pub tier: Option<u32>,
    /// `true` on a demo's dry-run tip (no money moved); absent otherwise,
    /// so production documents keep their shape.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub test_data: bool,
}

/// Payouts per `/api/tips` page.
pub const TIPS_PER_PAGE: usize = 100;

/// `GET /api/tips?page=N`: one page of the confirmed payouts, newest first,
/// with the all-time totals on every page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TipsDoc {
    /// The newest payout's time; `null` before the first. Tied to the data,
    /// not the request, so the ETag only changes when a tip is paid.
    pub updated_at: Option<String>,
    /// `updated_at` in Unix seconds.
    pub updated_at_timestamp: Option<i64>,
    /// Every kind together.
    pub totals: TallyDoc,
    /// Per kind, every kind present (zero when none was paid).
    pub by_kind: BTreeMap<&'static str, TallyDoc>,
    /// Dry-run records (marked sent without a tipping call): not listed and
    /// not in the totals, since no money moved.
    pub dry_run_excluded: TallyDoc,
    /// `true` when the document comes from `fts-assistant demo` and lists
    /// dry-run tips as test data (no money was sent); absent in
    /// production, whose shape stays as it was.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub test_data: bool,
    /// This page's payouts, newest first (at most `per_page`).
    pub payouts: Vec<TipDoc>,
    /// This page, from 1 (the newest payouts).
    pub page: usize,
    /// How many pages there are (at least 1, even with no payout).
    pub pages: usize,
    /// Payouts per page.
    pub per_page: usize,
    /// The next page's number (older payouts); `null` on the last page.
    pub next_page: Option<usize>,
}

/// Per-kind tallies of `rows`, every kind present, in [`PayoutKind::ALL`]
/// order: the same figures the page reads by SQL, from the listed rows.
pub fn tally_by_kind(rows: &[TipRow]) -> SentTotals {
    let by_kind = PayoutKind::ALL
        .into_iter()
        .map(|kind| {
            let of_kind = rows.iter().filter(|r| r.kind == kind);
            let tally = of_kind.fold(Tally::default(), |t, r| Tally {
                count: t.count + 1,
                amount: t.amount.saturating_add(r.amount),
            });
            (kind, tally)
        })
        .collect();
    SentTotals { by_kind }
}

/// Builds `/api/tips` from the public rows (newest first) and the dry-run
/// tally, every payout on one page (the shape of each page, for tests).
pub fn tips_doc(rows: &[TipRow], dry_run: Tally) -> TipsDoc {
    let mut pages = tips_pages(rows, dry_run, rows.len().max(1), Listing::RealMoney);
    pages.swap_remove(0)
}

/// `/api/tips` cut into pages of `per_page` payouts: the totals are computed
/// once and repeated on every page. Always at least one page. A
/// [`Listing::WithDryRuns`] document (the demo) is flagged `test_data`.
pub fn tips_pages(
    rows: &[TipRow],
    dry_run: Tally,
    per_page: usize,
    listing: Listing,
) -> Vec<TipsDoc> {
    let per_page = per_page.max(1);
    let totals = tally_by_kind(rows);
    let updated = rows.iter().map(|r| r.sent_at).max();
    let chunks: Vec<&[TipRow]> = if rows.is_empty() {
        vec![&[]]
    } else {
        rows.chunks(per_page).collect()
    };
    let pages = chunks.len();
    let by_kind: BTreeMap<&'static str, TallyDoc> = totals
        .by_kind
        .iter()
        .map(|(kind, tally)| (kind.as_str(), TallyDoc::of(*tally)))
        .collect();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| TipsDoc {
            updated_at: updated.map(iso),
            updated_at_timestamp: updated.map(|t| t.timestamp()),
            totals: TallyDoc::of(totals.total()),
            by_kind: by_kind.clone(),
            dry_run_excluded: TallyDoc::of(dry_run),
            test_data: listing == Listing::WithDryRuns,
            payouts: chunk.iter().map(tip_doc).collect(),
            page: i + 1,
            pages,
            per_page,
            next_page: (i + 1 < pages).then_some(i + 2),
        })
        .collect()
}

fn tip_doc(r: &TipRow) -> TipDoc {
    TipDoc {
        public_id: r.public_id.clone(),
        username: r.username.clone(),
        kind: r.kind.as_str(),
        amount: r.amount.as_dollars_f64(),
        sent_at: iso(r.sent_at),
        sent_at_timestamp: r.sent_at.timestamp(),
        period: r.period_key.clone(),
        tier: r.tier,
        test_data: r.test_data,
    }
}

/// Renders both documents from the ledger's rows of `listing` (newest
/// first). CPU-bound: callers run it off the async workers.
pub fn render_tips(
    sent: &[SentTip],
    ids: &PublicIdKey,
    dry_run: Tally,
    marker: Option<TipsMarker>,
    generated_at: DateTime<Utc>,
    listing: Listing,
) -> TipsDocs {
    let rows = public_rows(sent, ids);
    let mut all_time = seed::all_time_tips_doc(&rows, generated_at);
    all_time.test_data = listing == Listing::WithDryRuns;
    TipsDocs {
        marker,
        api_pages: tips_pages(&rows, dry_run, TIPS_PER_PAGE, listing)
            .iter()
            .map(render)
            .collect(),
        all_time: render(&all_time),
    }
}

/// Serialises a document of plain data (which cannot fail) once.
fn render<T: Serialize>(doc: &T) -> Rendered {
    Rendered::new(serde_json::to_vec(doc).expect("documents of plain data serialise"))
}

/// Rebuilds the tips documents if the public ledger changed since they were
/// built; returns whether it did. Called at startup, by the watcher every
/// `TIPS_REFRESH_SECS` (on every replica), and by whoever just changed a payout's
/// status and wants the documents current at once
/// ([`AppState::refresh_tips`]).
pub async fn refresh(state: &AppState) -> Result<bool, Error> {
    let _guard = state.tips.rebuild_guard().await;
    let mut conn = state.store.pool().acquire().await.map_err(Error::db)?;
    let marker = public_tips::change_marker(&mut conn).await?;
    if state.tips.current().marker == Some(marker) {
        return Ok(false);
    }
    let listing = state.tips_listing();
    let sent = public_tips::all_sent(&mut conn, listing).await?;
    let dry_run = match listing {
        Listing::RealMoney => tip_stats::dry_run_sent(&mut conn).await?,
        // Listed, so none is left out.
        Listing::WithDryRuns => Tally::default(),
    };
    drop(conn);
    let ids = state.public_ids.clone();
    let now = state.clock.now();
    let docs = tokio::task::spawn_blocking(move || {
        render_tips(&sent, &ids, dry_run, Some(marker), now, listing)
    })
    .await
    .map_err(|e| Error::Internal(format!("rendering the tips documents: {e}")))?;
    state.tips.publish(docs);
    Ok(true)
}

/// A pre-rendered document as a response: its bytes and tag (the ETag
/// middleware sees the tag and answers `304` without reading the body).
pub fn rendered_response(doc: &Rendered) -> Response {
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        doc.body.clone(),
    )
        .into_response();
    if let Ok(tag) = HeaderValue::try_from(doc.etag.as_str()) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

/// `?page=` of `/api/tips`.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

/// `GET /api/tips[?page=N]`: page 1 by default; a page past the last is 404.
pub async fn api_tips(
    State(state): State<Arc<AppState>>,
    Query(query): Query<PageQuery>,
) -> Result<Response, Error> {
    let docs = state.tips.current();
    let page = match query.page.as_deref() {
        None => 1,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| Error::BadRequest("page must be a whole number from 1".into()))?,
    };
    let doc = docs.api_pages.get(page - 1).ok_or_else(|| {
        Error::NotFound(format!("there are {} pages of tips", docs.api_pages.len()))
    })?;
    Ok(rendered_response(doc))
}

#[cfg(test)]
mod tests;

/// Page 1 of `/api/tips` as served now: what the live `tips` event carries.
/// Read from the pre-rendered documents, never rebuilt per event.
pub async fn current_tips_doc(state: &AppState) -> Result<serde_json::Value, Error> {
    let docs = state.tips.current();
    let first = docs
        .api_pages
        .first()
        .ok_or_else(|| Error::Internal("no tips page rendered".into()))?;
    serde_json::from_slice(&first.body)
        .map_err(|e| Error::Internal(format!("tips page is not JSON: {e}")))
}
