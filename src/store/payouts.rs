//! The payouts ledger. Every payout is a row with a unique idempotency key,
//! written before any tip is sent, in the same transaction as whatever
//! earned it; a repeated cycle, a restart or a second replica loses the
//! insert race quietly and pays nothing more.

use sqlx::{AnyConnection, Row};

use super::StoreError;
use crate::domain::money::Cents;
use crate::domain::payout_keys::PayoutKind;

/// Where a payout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutStatus {
    /// Waiting for the worker.
    Pending,
    /// Waiting for an admin's approval (monthly board on manual approval).
    AwaitingApproval,
    /// Marked before the tipping call; a crash leaves it here.
    Sending,
    /// The tipping API confirmed it.
    Sent,
    /// The tipping API refused it (not retried).
    Failed,
    /// The outcome is not known (timeout, crash mid-call): an admin reconciles.
    Unknown,
}

impl PayoutStatus {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
        }
    }
}

/// A payout to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayout {
    /// The unique key (see `domain::payout_keys`).
    pub key: String,
    /// What earned it.
    pub kind: PayoutKind,
    /// Recipient's Roobet uid.
    pub uid: String,
    /// Recipient's username at the time.
    pub username: String,
    /// How much.
    pub amount: Cents,
    /// `Pending` or `AwaitingApproval`.
    pub status: PayoutStatus,
    /// The period of the data that earned it (month or week key).
    pub period_key: Option<String>,
    /// Milestone tier number.
    pub tier: Option<u32>,
    /// Discord id of the admin who asked (manual tips).
    pub requested_by: Option<String>,
    /// Why (manual tips, prizes).
    pub reason: Option<String>,
    /// Manual tips jump the queue.
    pub priority: i64,
}

/// A fresh nonce for the tipping API: unique per payout, stored on the row
/// before the call and reused by any retry of the same payout.
pub fn new_nonce() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| StoreError::Corrupt(format!("no randomness for a nonce: {e}")))?;
    Ok(hex::encode(bytes))
}

/// Records a payout intent; `false` when its key already exists (it was
/// earned before: nothing more is owed).
pub async fn insert_intent(
    conn: &mut AnyConnection,
    payout: &NewPayout,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO payouts (idempotency_key, kind, uid, username, amount_cents, nonce, status, \
         priority, period_key, tier, requested_by, reason, created_ms, updated_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&payout.key)
    .bind(payout.kind.as_str())
    .bind(&payout.uid)
    .bind(&payout.username)
    .bind(payout.amount.0)
    .bind(new_nonce()?)
    .bind(payout.status.as_str())
    .bind(payout.priority)
    .bind(payout.period_key.as_deref())
    .bind(payout.tier.map(i64::from))
    .bind(payout.requested_by.as_deref())
    .bind(payout.reason.as_deref())
    .bind(now_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Number of payouts of a kind (tests and `/status`).
pub async fn count_of_kind(conn: &mut AnyConnection, kind: PayoutKind) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) FROM payouts WHERE kind = $1")
        .bind(kind.as_str())
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}
