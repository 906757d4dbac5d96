//! The payouts ledger. Every payout is a row with a unique idempotency key,
//! written before any tip is sent, in the same transaction as whatever
//! earned it; a repeated cycle, a restart or a second replica loses the
//! insert race quietly and pays nothing more.

use std::fmt;

use sqlx::{AnyConnection, AssertSqlSafe, Row};

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
    /// Never sent: the player was excluded while it waited. Terminal; a
    /// later re-inclusion does not bring it back.
    Cancelled,
    /// Paid by the original bot and imported from its database: history
    /// and totals count it, the worker never sends it.
    Imported,
    /// A milestone tier reached before this service took over, counted as
    /// paid by `baseline` so it is never tipped; no money moved here.
    Baselined,
    /// A milestone reached before the first run, held until the operator
    /// chooses `import-legacy`, `baseline` or `FIRST_RUN_PAYS_EXISTING`.
    Held,
}

impl PayoutStatus {
    /// Every status, in declaration order.
    pub const ALL: [PayoutStatus; 10] = [
        Self::Pending,
        Self::AwaitingApproval,
        Self::Sending,
        Self::Sent,
        Self::Failed,
        Self::Unknown,
        Self::Cancelled,
        Self::Imported,
        Self::Baselined,
        Self::Held,
    ];

    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
            Self::Cancelled => "cancelled",
            Self::Imported => "imported",
            Self::Baselined => "baselined",
            Self::Held => "held",
        }
    }

    /// Inverse of [`PayoutStatus::as_str`]; `None` for text no version of
    /// this service writes.
    pub fn parse(text: &str) -> Option<PayoutStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for PayoutStatus {
    /// Same as [`PayoutStatus::as_str`]: replies and audit lines show the
    /// stored word.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
    getrandom::fill(&mut bytes)
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
    .bind(payout.amount.cents())
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

/// A ledger row as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutRow {
    /// Row id.
    pub id: i64,
    /// Unique idempotency key.
    pub key: String,
    /// What earned it.
    pub kind: PayoutKind,
    /// Recipient's Roobet uid.
    pub uid: String,
    /// Recipient's username at the time.
    pub username: String,
    /// Amount.
    pub amount: Cents,
    /// The nonce sent with every try of this payout.
    pub nonce: String,
    /// Where it stands.
    pub status: PayoutStatus,
    /// Sending attempts so far.
    pub attempts: i64,
    /// Period of the data that earned it.
    pub period_key: Option<String>,
    /// Milestone tier.
    pub tier: Option<i64>,
    /// Admin who asked (manual tips).
    pub requested_by: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// Last error or refusal message.
    pub error: Option<String>,
    /// Recorded as sent by a dry run (no API call).
    pub dry_run: bool,
    /// Created (Unix ms).
    pub created_ms: i64,
    /// Sent (Unix ms).
    pub sent_ms: Option<i64>,
    /// Celebrated in Discord (Unix ms).
    pub announced_ms: Option<i64>,
}

const COLUMNS: &str = "id, idempotency_key, kind, uid, username, amount_cents, nonce, status, \
    attempts, period_key, tier, requested_by, reason, error, dry_run, created_ms, sent_ms, announced_ms";

/// Reads one ledger row; kind and status are parsed here, once, so a
/// hand-edited or unknown word is reported as corrupt data instead of
/// travelling on as text.
fn row_to_payout(r: &sqlx::any::AnyRow) -> Result<PayoutRow, StoreError> {
    let kind: String = r.try_get(2)?;
    let kind =
        PayoutKind::parse(&kind).map_err(|e| StoreError::Corrupt(format!("payout kind: {e}")))?;
    let status: String = r.try_get(7)?;
    let status = PayoutStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown payout status {status:?}")))?;
    Ok(PayoutRow {
        id: r.try_get(0)?,
        key: r.try_get(1)?,
        kind,
        uid: r.try_get(3)?,
        username: r.try_get(4)?,
        amount: Cents::new(r.try_get(5)?),
        nonce: r.try_get(6)?,
        status,
        attempts: r.try_get(8)?,
        period_key: r.try_get(9)?,
        tier: r.try_get(10)?,
        requested_by: r.try_get(11)?,
        reason: r.try_get(12)?,
        error: r.try_get(13)?,
        dry_run: r.try_get::<i64, _>(14)? != 0,
        created_ms: r.try_get(15)?,
        sent_ms: r.try_get(16)?,
        announced_ms: r.try_get(17)?,
    })
}

/// The payout with this key.
pub async fn by_key(conn: &mut AnyConnection, key: &str) -> Result<Option<PayoutRow>, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM payouts WHERE idempotency_key = $1"
    )))
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(row_to_payout).transpose()
}

/// The payout with this id.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<PayoutRow>, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM payouts WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(row_to_payout).transpose()
}

/// The queue's lane order, as SQL: prizes (challenge, weekly multiplier,
/// monthly leaderboard) and manual tips in lane 0, milestones in lane 1.
/// A milestone backlog of hundreds of tips must never hold back a prize
/// that was already announced as won.
const LANE: &str = "CASE WHEN kind = 'milestone' THEN 1 ELSE 0 END";

/// The next payout the worker should send: the prize lane before the
/// milestone lane, then manual tips' priority, then oldest first.
pub async fn next_pending(conn: &mut AnyConnection) -> Result<Option<PayoutRow>, StoreError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM payouts WHERE status = 'pending' \
         ORDER BY {LANE}, priority DESC, id LIMIT 1"
    )))
    .fetch_all(&mut *conn)
    .await?;
    rows.first().map(row_to_payout).transpose()
}

/// Statuses of payouts that have not left yet and can still be stopped.
const STOPPABLE: &str = "('pending', 'awaiting_approval', 'held')";

/// Cancels every payout of `uid` that has not left yet (pending, awaiting
/// approval or held), recording `note` (who and why) on each. Called in the
/// transaction that excludes the player, so none of them can be sent after
/// the exclusion commits. Returns the keys cancelled. Terminal: including
/// the player again later does not bring them back.
pub async fn cancel_unsent_of(
    conn: &mut AnyConnection,
    uid: &str,
    note: &str,
    now_ms: i64,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "UPDATE payouts SET status = 'cancelled', error = $1, updated_ms = $2 \
         WHERE uid = $3 AND status IN {STOPPABLE} RETURNING idempotency_key"
    )))
    .bind(note)
    .bind(now_ms)
    .bind(uid)
    .fetch_all(&mut *conn)
    .await?;
    let mut keys = rows
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
    keys.sort();
    Ok(keys)
}

/// The worker's guard before each send: automatic payouts of players on
/// the exclusion list that are still waiting become `cancelled`. Catches a
/// cycle that recorded intents while an exclusion was being committed, and
/// exclusions seeded from `REWARDS_FILE`. Manual tips are an admin's
/// explicit decision and are left alone. Returns how many were cancelled.
pub async fn cancel_unsent_of_excluded(
    conn: &mut AnyConnection,
    now_ms: i64,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(AssertSqlSafe(format!(
        "UPDATE payouts SET status = 'cancelled', updated_ms = $1, \
         error = 'cancelled: the player is on the exclusion list' \
         WHERE status IN {STOPPABLE} AND kind <> 'manual' \
         AND uid IN (SELECT uid FROM exclusions)"
    )))
    .bind(now_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Payouts of `uid` caught mid-flight (`sending`) or with an unknown
/// outcome: an exclusion cannot stop them, an admin must reconcile them.
pub async fn in_flight_of(
    conn: &mut AnyConnection,
    uid: &str,
) -> Result<Vec<PayoutRow>, StoreError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM payouts WHERE uid = $1 AND status IN ('sending', 'unknown') \
         ORDER BY id"
    )))
    .bind(uid)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(row_to_payout).collect()
}

/// Claims a pending payout for sending — its own committed write, made
/// before the tipping call. `false` when someone else claimed it first.
pub async fn mark_sending(
    conn: &mut AnyConnection,
    id: i64,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let changed = sqlx::query(
        "UPDATE payouts SET status = 'sending', attempts = attempts + 1, updated_ms = $1 \
         WHERE id = $2 AND status = 'pending'",
    )
    .bind(now_ms)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Gives a payout claimed by [`mark_sending`] back to the queue, for a
/// sender that found nothing to send it with before any call was made.
pub async fn unclaim(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE payouts SET status = 'pending' WHERE id = $1 AND status = 'sending'")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records what the tipping call did with a payout in `sending`.
pub async fn mark_outcome(
    conn: &mut AnyConnection,
    id: i64,
    status: PayoutStatus,
    error: Option<&str>,
    dry_run: bool,
    now_ms: i64,
) -> Result<(), StoreError> {
    let sent_ms = (status == PayoutStatus::Sent).then_some(now_ms);
    sqlx::query(
        "UPDATE payouts SET status = $1, error = $2, dry_run = $3, sent_ms = $4, updated_ms = $5 \
         WHERE id = $6 AND status = 'sending'",
    )
    .bind(status.as_str())
    .bind(error)
    .bind(i64::from(dry_run))
    .bind(sent_ms)
    .bind(now_ms)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// At startup of the leader: payouts left in `sending` by a crash may or
/// may not have been paid. They become `unknown` for an admin to reconcile;
/// never resent automatically. Returns how many.
pub async fn reset_interrupted(conn: &mut AnyConnection, now_ms: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE payouts SET status = 'unknown', updated_ms = $1, \
         error = 'interrupted while sending: check the casino before retrying' \
         WHERE status = 'sending'",
    )
    .bind(now_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Sent payouts of a kind not yet celebrated in Discord, sent at or after
/// `sent_since_ms`, oldest first, at most `limit`.
///
/// Bounded both ways on purpose: payouts sent before a celebration channel
/// was configured (or while Discord was down for a day) are never celebrated,
/// and without the window every scan would load all of them again, forever.
pub async fn unannounced_sent(
    conn: &mut AnyConnection,
    kind: PayoutKind,
    sent_since_ms: i64,
    limit: i64,
) -> Result<Vec<PayoutRow>, StoreError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM payouts WHERE kind = $1 AND status = 'sent' AND sent_ms >= $2 \
         AND announced_ms IS NULL ORDER BY sent_ms, id LIMIT $3"
    )))
    .bind(kind.as_str())
    .bind(sent_since_ms)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(row_to_payout).collect()
}

/// Reconciliation: an admin checked the casino and found an `unknown`
/// payout was paid. Records it `sent` (keeping the trace of what was
/// unknown in `error`); `false` when it is no longer `unknown`, so two
/// admins clicking at once change it once.
pub async fn mark_reconciled_sent(
    conn: &mut AnyConnection,
    id: i64,
    admin_id: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let Some(row) = by_id(conn, id).await? else {
        return Ok(false);
    };
    let note = format!(
        "reconciled as sent by admin {admin_id}; outcome was unknown: {}",
        row.error.as_deref().unwrap_or("no detail")
    );
    let changed = sqlx::query(
        "UPDATE payouts SET status = 'sent', sent_ms = $1, updated_ms = $1, error = $2 \
         WHERE id = $3 AND status = 'unknown'",
    )
    .bind(now_ms)
    .bind(note)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Reconciliation: puts a payout whose status is one of `from` back to
/// `pending` for the worker, keeping its nonce, so a retry of a payout the
/// casino did receive is recognised as the same payout and not paid
/// twice. Also how an admin approves an `awaiting_approval` prize. `false`
/// when its status is no longer one of `from`.
pub async fn requeue(
    conn: &mut AnyConnection,
    id: i64,
    from: &[PayoutStatus],
    now_ms: i64,
) -> Result<bool, StoreError> {
    if from.is_empty() || from.contains(&PayoutStatus::Sending) {
        // `sending` may be mid-call: putting it back would risk a second tip.
        return Ok(false);
    }
    let allowed: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
    let changed = sqlx::query(AssertSqlSafe(format!(
        "UPDATE payouts SET status = 'pending', updated_ms = $1 \
         WHERE id = $2 AND status IN ({})",
        allowed.join(", ")
    )))
    .bind(now_ms)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Claims the right to announce a sent payout (so two announcers never post
/// twice); `false` when it was already claimed.
pub async fn claim_announcement(
    conn: &mut AnyConnection,
    id: i64,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let changed =
        sqlx::query("UPDATE payouts SET announced_ms = $1 WHERE id = $2 AND announced_ms IS NULL")
            .bind(now_ms)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    Ok(changed == 1)
}

/// Gives an announcement claim back after the post failed, so the next
/// pass tries again.
pub async fn release_announcement(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE payouts SET announced_ms = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Payouts of a kind for one period key (a week's multiplier prizes).
pub async fn of_period(
    conn: &mut AnyConnection,
    kind: PayoutKind,
    period_key: &str,
) -> Result<Vec<PayoutRow>, StoreError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM payouts WHERE kind = $1 AND period_key = $2 ORDER BY idempotency_key"
    )))
    .bind(kind.as_str())
    .bind(period_key)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(row_to_payout).collect()
}
