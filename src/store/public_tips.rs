//! The payouts the public may see: `/api/tips`, `/allTimeTips.json` and the
//! `/tips` page read only through here.
//!
//! A payout is public when the casino confirmed it (`status = 'sent'`) and
//! it was not a dry run (`dry_run = 0`): a dry-run row is marked sent
//! without any tipping call, so no money moved and it must not swell the
//! community's totals. Pending, failed and unknown payouts are never shown.
//! Totals by kind come from [`super::tip_stats::sent_since`], which applies
//! the same filter.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::StoreError;
use crate::domain::money::Cents;
use crate::domain::payout_keys::PayoutKind;

/// The one definition of "public": confirmed, real money.
/// `imported` rows are tips the original bot sent (import-legacy): real
/// money, counted like sent ones.
const PUBLIC: &str = "status IN ('sent', 'imported') AND dry_run = 0";

/// What the demo lists: the public payouts and the dry runs, each row
/// carrying its `dry_run` flag so the caller labels it as test data.
const PUBLIC_AND_DRY_RUNS: &str = "status IN ('sent', 'imported')";

/// Which payouts a public list holds. Production always uses
/// [`Listing::RealMoney`]; only a process started by `fts-assistant demo`
/// asks for [`Listing::WithDryRuns`], and labels those rows as test data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// Confirmed, real money (the one definition of public).
    RealMoney,
    /// Real money and dry runs together (the demo, whose tips are all dry
    /// runs); every row says which it is.
    WithDryRuns,
}

impl Listing {
    /// The listing of this process: dry runs (as test data) only in a
    /// process started by `fts-assistant demo`, real money otherwise.
    pub fn for_process(demo: bool) -> Self {
        if demo {
            Listing::WithDryRuns
        } else {
            Listing::RealMoney
        }
    }

    fn filter(self) -> &'static str {
        match self {
            Listing::RealMoney => PUBLIC,
            Listing::WithDryRuns => PUBLIC_AND_DRY_RUNS,
        }
    }
}

/// One confirmed payout, newest first in every list. Carries the Roobet
/// uid and the raw username so callers can group by player; both must be
/// turned into a public id and a masked name before leaving the process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentTip {
    /// Ledger row id (ordering ties only; never published).
    pub id: i64,
    /// What earned it.
    pub kind: PayoutKind,
    /// Recipient's Roobet uid.
    pub uid: String,
    /// Recipient's username when the payout was earned.
    pub username: String,
    /// Amount paid.
    pub amount: Cents,
    /// When the casino confirmed it (Unix ms); the last update for the
    /// rare row without a send time.
    pub sent_ms: i64,
    /// The month (`yyyy-mm`) or week (`yyyy-mm-dd`) that earned it.
    pub period_key: Option<String>,
    /// Milestone tier number.
    pub tier: Option<i64>,
    /// Recorded by a dry run: no money moved. Only ever true in a
    /// [`Listing::WithDryRuns`] list.
    pub dry_run: bool,
}

fn row_to_tip(r: &sqlx::any::AnyRow) -> Result<SentTip, StoreError> {
    let kind: String = r.try_get(1)?;
    Ok(SentTip {
        id: r.try_get(0)?,
        kind: PayoutKind::parse(&kind).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        uid: r.try_get(2)?,
        username: r.try_get(3)?,
        amount: Cents::new(r.try_get(4)?),
        sent_ms: r.try_get(5)?,
        period_key: r.try_get(6)?,
        tier: r.try_get(7)?,
        dry_run: r.try_get::<i64, _>(8)? != 0,
    })
}

async fn select(
    conn: &mut AnyConnection,
    limit: Option<i64>,
    listing: Listing,
) -> Result<Vec<SentTip>, StoreError> {
    let filter = listing.filter();
    let base = format!(
        "SELECT id, kind, uid, username, amount_cents, COALESCE(sent_ms, updated_ms), \
         period_key, tier, CAST(dry_run AS BIGINT) FROM payouts WHERE {filter} \
         ORDER BY COALESCE(sent_ms, updated_ms) DESC, id DESC"
    );
    let rows = match limit {
        Some(limit) => {
            sqlx::query(AssertSqlSafe(format!("{base} LIMIT $1")))
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
        }
        None => {
            sqlx::query(AssertSqlSafe(base.as_str()))
                .fetch_all(&mut *conn)
                .await?
        }
    };
    rows.iter().map(row_to_tip).collect()
}

/// Rows fetched per query by [`all_sent`].
const BATCH: i64 = 5_000;

/// Every public payout, newest first, for the pre-rendered documents.
/// Fetched in batches (keyset on the listing order), so a ledger of
/// 100,000 payouts never holds 100,000 raw driver rows at once.
pub async fn all_sent(
    conn: &mut AnyConnection,
    listing: Listing,
) -> Result<Vec<SentTip>, StoreError> {
    let filter = listing.filter();
    let mut all = select(conn, Some(BATCH), listing).await?;
    let mut last_batch = all.len();
    while last_batch as i64 == BATCH {
        let Some(last) = all.last() else { break };
        let (at, id) = (last.sent_ms, last.id);
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT id, kind, uid, username, amount_cents, COALESCE(sent_ms, updated_ms), \
             period_key, tier, CAST(dry_run AS BIGINT) FROM payouts WHERE {filter} \
             AND (COALESCE(sent_ms, updated_ms) < $1 \
                  OR (COALESCE(sent_ms, updated_ms) = $1 AND id < $2)) \
             ORDER BY COALESCE(sent_ms, updated_ms) DESC, id DESC LIMIT $3"
        )))
        .bind(at)
        .bind(id)
        .bind(BATCH)
        .fetch_all(&mut *conn)
        .await?;
        last_batch = rows.len();
        for row in &rows {
            all.push(row_to_tip(row)?);
        }
    }
    Ok(all)
}

/// A digest of everything the public tips documents show: count, sum,
/// newest id and newest time of the public payouts, then count and sum of
/// dry runs (which `/api/tips` reports as left out). Any payout becoming
/// public (or ceasing to be) moves it — a tip sent here or one imported
/// from the original bot while serving; one scan of the `sent` and
/// `imported` rows, so the documents can be checked for staleness often
/// without being rebuilt.
pub async fn change_marker(conn: &mut AnyConnection) -> Result<[i64; 6], StoreError> {
    let row = sqlx::query(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN dry_run = 0 THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN dry_run = 0 THEN amount_cents ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(MAX(CASE WHEN dry_run = 0 THEN id END), 0) AS BIGINT), \
         CAST(COALESCE(MAX(CASE WHEN dry_run = 0 THEN COALESCE(sent_ms, updated_ms) END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN dry_run <> 0 THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN dry_run <> 0 THEN amount_cents ELSE 0 END), 0) AS BIGINT) \
         FROM payouts WHERE status IN ('sent', 'imported')",
    )
    .fetch_one(&mut *conn)
    .await?;
    let mut marker = [0i64; 6];
    for (i, value) in marker.iter_mut().enumerate() {
        *value = row.try_get(i)?;
    }
    Ok(marker)
}

/// The newest `limit` public payouts (the page's log).
pub async fn latest_sent(
    conn: &mut AnyConnection,
    limit: i64,
    listing: Listing,
) -> Result<Vec<SentTip>, StoreError> {
    select(conn, Some(limit), listing).await
}

/// Public tips received since `since_ms` by each of `uids` (the monthly
/// board's top rows show "tips this month"); dry runs too under
/// [`Listing::WithDryRuns`]. Players without any are absent.
pub async fn received_since(
    conn: &mut AnyConnection,
    uids: &[&str],
    since_ms: i64,
    listing: Listing,
) -> Result<std::collections::HashMap<String, Cents>, StoreError> {
    let mut out = std::collections::HashMap::new();
    if uids.is_empty() {
        return Ok(out);
    }
    let list: Vec<String> = (0..uids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT uid, CAST(SUM(amount_cents) AS BIGINT) FROM payouts \
         WHERE {} AND COALESCE(sent_ms, updated_ms) >= $1 AND uid IN ({}) GROUP BY uid",
        listing.filter(),
        list.join(", ")
    );
    let mut query = sqlx::query(AssertSqlSafe(sql.as_str())).bind(since_ms);
    for uid in uids {
        query = query.bind(*uid);
    }
    for row in query.fetch_all(&mut *conn).await? {
        out.insert(row.try_get(0)?, Cents::new(row.try_get(1)?));
    }
    Ok(out)
}
