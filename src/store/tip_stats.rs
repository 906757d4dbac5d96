//! Figures for `/tipstats`, all read from the payouts ledger by SQL. The
//! seed added a hard-coded constant to its lifetime total; here every number
//! an admin sees is a `COUNT`/`SUM` over rows, so it can be checked against
//! the ledger.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::StoreError;
use crate::domain::money::Cents;
use crate::domain::payout_keys::PayoutKind;
use crate::store::payouts::PayoutStatus;

/// Count and amount of one group of payouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// How many payouts.
    pub count: i64,
    /// Their total amount.
    pub amount: Cents,
}

impl Tally {
    fn add(self, other: Tally) -> Tally {
        Tally {
            count: self.count.saturating_add(other.count),
            amount: self.amount + other.amount,
        }
    }
}

/// Payouts really sent in one window, by kind. Dry-run records are left
/// out: no money moved for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentTotals {
    /// One entry per [`PayoutKind::ALL`], in that order, zero-filled so
    /// every kind is shown even when nothing of it was sent.
    pub by_kind: Vec<(PayoutKind, Tally)>,
}

impl SentTotals {
    /// All kinds together.
    pub fn total(&self) -> Tally {
        self.by_kind
            .iter()
            .fold(Tally::default(), |sum, (_, t)| sum.add(*t))
    }
}

fn tally(row: &sqlx::any::AnyRow, count_at: usize) -> Result<Tally, StoreError> {
    Ok(Tally {
        count: row.try_get(count_at)?,
        amount: Cents::new(row.try_get(count_at + 1)?),
    })
}

/// Sent payouts with `sent_ms >= since_ms`, or all of them for `None`.
pub async fn sent_since(
    conn: &mut AnyConnection,
    since_ms: Option<i64>,
) -> Result<SentTotals, StoreError> {
    const SELECT: &str = "SELECT kind, COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) \
        FROM payouts WHERE status IN ('sent', 'imported') AND dry_run = 0";
    let rows = match since_ms {
        Some(since) => {
            sqlx::query(AssertSqlSafe(format!(
                "{SELECT} AND sent_ms >= $1 GROUP BY kind"
            )))
            .bind(since)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query(AssertSqlSafe(format!("{SELECT} GROUP BY kind")))
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let mut by_kind: Vec<(PayoutKind, Tally)> = PayoutKind::ALL
        .into_iter()
        .map(|k| (k, Tally::default()))
        .collect();
    for row in &rows {
        let kind: String = row.try_get(0)?;
        let kind = PayoutKind::parse(&kind).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if let Some(entry) = by_kind.iter_mut().find(|(k, _)| *k == kind) {
            entry.1 = tally(row, 1)?;
        }
    }
    Ok(SentTotals { by_kind })
}

/// Payouts recorded as sent by a dry run (no API call), for a footnote.
pub async fn dry_run_sent(conn: &mut AnyConnection) -> Result<Tally, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM payouts \
         WHERE status = 'sent' AND dry_run <> 0",
    )
    .fetch_one(&mut *conn)
    .await?;
    tally(&row, 0)
}

/// The statuses that are not final, or final but needing an admin, in the
/// order `/tipstats` lists them.
pub const OPEN_STATUSES: [PayoutStatus; 5] = [
    PayoutStatus::Unknown,
    PayoutStatus::Failed,
    PayoutStatus::AwaitingApproval,
    PayoutStatus::Pending,
    PayoutStatus::Sending,
];

/// Count and amount per status of [`OPEN_STATUSES`], zero-filled.
pub async fn open_by_status(
    conn: &mut AnyConnection,
) -> Result<Vec<(PayoutStatus, Tally)>, StoreError> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM payouts \
         WHERE status IN ('unknown', 'failed', 'awaiting_approval', 'pending', 'sending') \
         GROUP BY status",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<(PayoutStatus, Tally)> = OPEN_STATUSES
        .into_iter()
        .map(|s| (s, Tally::default()))
        .collect();
    for row in &rows {
        let status: String = row.try_get(0)?;
        if let Some(entry) = out.iter_mut().find(|(s, _)| s.as_str() == status) {
            entry.1 = tally(row, 1)?;
        }
    }
    Ok(out)
}

/// One payout an admin may have to act on, as `/tipstats` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenPayout {
    /// Row id, used by the reconcile buttons.
    pub id: i64,
    /// Idempotency key.
    pub key: String,
    /// Recipient's username (mask it before showing).
    pub username: String,
    /// Amount.
    pub amount: Cents,
    /// Last error or refusal message.
    pub error: Option<String>,
    /// Sending attempts so far.
    pub attempts: i64,
}

/// The oldest `limit` payouts with `status`, queue order (manual first).
pub async fn open_payouts(
    conn: &mut AnyConnection,
    status: PayoutStatus,
    limit: i64,
) -> Result<Vec<OpenPayout>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, idempotency_key, username, amount_cents, error, attempts FROM payouts \
         WHERE status = $1 ORDER BY priority DESC, id LIMIT $2",
    )
    .bind(status.as_str())
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OpenPayout {
                id: r.try_get(0)?,
                key: r.try_get(1)?,
                username: r.try_get(2)?,
                amount: Cents::new(r.try_get(3)?),
                error: r.try_get(4)?,
                attempts: r.try_get(5)?,
            })
        })
        .collect()
}
