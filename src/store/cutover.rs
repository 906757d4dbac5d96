//! Taking over from the original bot: the first-run state, the held
//! milestone payouts of a first run, and the rows `import-legacy` and
//! `baseline` write. Everything here is idempotent (unique keys, inserts
//! that lose quietly) so a second import or baseline changes nothing.

use sqlx::{AnyConnection, Row};

use super::payouts::{NewPayout, PayoutStatus};
use super::{payouts, settings, StoreError};
use crate::domain::money::Cents;

/// Settings key of the first-run state (see [`FirstRunState`]).
pub const FIRST_RUN_KEY: &str = "cutover.first_run";

/// Where a database stands with respect to the original bot's payouts.
///
/// Stored under [`FIRST_RUN_KEY`]. It is absent until the first successful
/// poll cycle (or `import-legacy` / `baseline`) decides it. That cycle finds
/// the database empty (no successful cycle, no payout ever recorded) and
/// writes `holding` — or `released` under `FIRST_RUN_PAYS_EXISTING` — while a
/// deployment that ran before this setting existed becomes `established`
/// and keeps paying as before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstRunState {
    /// The first cycle held the milestones it found: the operator has not
    /// run `import-legacy` or `baseline` nor set `FIRST_RUN_PAYS_EXISTING`.
    Holding,
    /// `import-legacy` ran: what the original bot paid is in the ledger.
    Imported,
    /// `baseline` ran: tiers reached before it count as paid.
    Baselined,
    /// `FIRST_RUN_PAYS_EXISTING=true`: held tiers were released to be paid.
    Released,
    /// The database had payouts or cycles before this state existed.
    Established,
}

impl FirstRunState {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holding => "holding",
            Self::Imported => "imported",
            Self::Baselined => "baselined",
            Self::Released => "released",
            Self::Established => "established",
        }
    }

    /// Parses the stored text; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Holding,
            Self::Imported,
            Self::Baselined,
            Self::Released,
            Self::Established,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// The stored first-run state, if decided.
pub async fn state(conn: &mut AnyConnection) -> Result<Option<FirstRunState>, StoreError> {
    let Some(text) = settings::get(conn, FIRST_RUN_KEY).await? else {
        return Ok(None);
    };
    FirstRunState::parse(&text)
        .map(Some)
        .ok_or_else(|| StoreError::Corrupt(format!("{FIRST_RUN_KEY} = {text:?}")))
}

/// Records the first-run state.
pub async fn set_state(
    conn: &mut AnyConnection,
    state: FirstRunState,
    now_ms: i64,
) -> Result<(), StoreError> {
    settings::set(conn, FIRST_RUN_KEY, state.as_str(), now_ms).await
}

/// Whether nothing was ever polled or paid here: the test for a first run.
pub async fn is_empty(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM poll_cycles WHERE outcome = 'ok'), \
         (SELECT COUNT(*) FROM payouts)",
    )
    .fetch_one(&mut *conn)
    .await?;
    let cycles: i64 = row.try_get(0)?;
    let payouts: i64 = row.try_get(1)?;
    Ok(cycles == 0 && payouts == 0)
}

/// Count and sum of the payouts with `status`.
pub async fn tally(
    conn: &mut AnyConnection,
    status: PayoutStatus,
) -> Result<(i64, Cents), StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM payouts \
         WHERE status = $1",
    )
    .bind(status.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok((row.try_get(0)?, Cents::new(row.try_get(1)?)))
}

/// Turns every `held` payout into `to` (`pending` to pay them, `baselined`
/// to count them as paid); returns how many.
pub async fn resolve_held(
    conn: &mut AnyConnection,
    to: PayoutStatus,
    now_ms: i64,
) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("UPDATE payouts SET status = $1, updated_ms = $2 WHERE status = 'held'")
            .bind(to.as_str())
            .bind(now_ms)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

/// What recording a row the worker never sends did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// A new ledger row.
    Inserted,
    /// A `held` payout under the same key took this status (the tier the
    /// first run held was in fact paid already, or is now baselined).
    MatchedHeld,
    /// A `pending` payout under the same key took this status: queued here,
    /// but the original had paid it.
    MatchedPending,
    /// The key was there already (a previous import or baseline): nothing changed.
    AlreadyThere,
}

/// Records a payout that is history, not work: `imported` (paid by the
/// original bot) or `baselined` (counted as paid). A `held` row under the
/// same key takes the new status; so does a `pending` one when
/// `settle_pending` (the original's records prove the tier was paid, so
/// the queued copy must not be sent). Any other existing row is left alone
/// (a row in `sending` may be mid-call: never touched).
pub async fn record_settled(
    conn: &mut AnyConnection,
    payout: &NewPayout,
    sent_ms: Option<i64>,
    settle_pending: bool,
    now_ms: i64,
) -> Result<Recorded, StoreError> {
    debug_assert!(matches!(
        payout.status,
        PayoutStatus::Imported | PayoutStatus::Baselined
    ));
    if let Some(existing) = payouts::by_key(conn, &payout.key).await? {
        let from = match existing.status {
            PayoutStatus::Held => PayoutStatus::Held,
            PayoutStatus::Pending if settle_pending => PayoutStatus::Pending,
            _ => return Ok(Recorded::AlreadyThere),
        };
        let changed = sqlx::query(
            "UPDATE payouts SET status = $1, sent_ms = $2, updated_ms = $3 \
             WHERE idempotency_key = $4 AND status = $5",
        )
        .bind(payout.status.as_str())
        .bind(sent_ms)
        .bind(now_ms)
        .bind(&payout.key)
        .bind(from.as_str())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        return Ok(match (changed, from) {
            (0, _) => Recorded::AlreadyThere, // the worker claimed it meanwhile
            (_, PayoutStatus::Held) => Recorded::MatchedHeld,
            _ => Recorded::MatchedPending,
        });
    }
    let created_ms = sent_ms.unwrap_or(now_ms);
    sqlx::query(
        "INSERT INTO payouts (idempotency_key, kind, uid, username, amount_cents, nonce, status, \
         priority, period_key, tier, requested_by, reason, created_ms, updated_ms, sent_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&payout.key)
    .bind(payout.kind.as_str())
    .bind(&payout.uid)
    .bind(&payout.username)
    .bind(payout.amount.cents())
    .bind(payouts::new_nonce()?)
    .bind(payout.status.as_str())
    .bind(payout.period_key.as_deref())
    .bind(payout.tier.map(i64::from))
    .bind(payout.requested_by.as_deref())
    .bind(payout.reason.as_deref())
    .bind(created_ms)
    .bind(now_ms)
    .bind(sent_ms)
    .execute(&mut *conn)
    .await?;
    Ok(Recorded::Inserted)
}

/// A finished or cancelled challenge, or an active one, as imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedChallenge {
    /// `provider:game` as the original stored it.
    pub game_id: String,
    /// Display name.
    pub game_name: String,
    /// Required multiplier in hundredths.
    pub required_x100: i64,
    /// Prize.
    pub prize: Cents,
    /// Minimum bet.
    pub min_bet: Option<Cents>,
    /// Emoji.
    pub emoji: Option<String>,
    /// `active`, `won` or `cancelled`.
    pub status: &'static str,
    /// Discord id of the admin who posted it.
    pub created_by: Option<String>,
    /// That admin's name.
    pub created_by_name: Option<String>,
    /// Start (Unix ms).
    pub start_ms: i64,
    /// End (Unix ms), for won and cancelled ones.
    pub ended_ms: Option<i64>,
    /// The winner of a won one.
    pub winner: Option<ImportedWinner>,
}

/// The winning hit of an imported challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedWinner {
    /// Roobet uid.
    pub uid: String,
    /// Username (unmasked).
    pub username: String,
    /// Winning multiplier in hundredths.
    pub multiplier_x100: i64,
    /// The hit's bet, when the original recorded it.
    pub bet: Option<Cents>,
    /// The hit's payout, when the original recorded it.
    pub payout: Option<Cents>,
}

/// Inserts an imported challenge unless `legacy_key` (a settings key naming
/// the original's challenge) was imported before; returns the new id, or
/// `None` when it was there already.
pub async fn import_challenge(
    conn: &mut AnyConnection,
    legacy_key: &str,
    challenge: &ImportedChallenge,
    now_ms: i64,
) -> Result<Option<i64>, StoreError> {
    if settings::get(conn, legacy_key).await?.is_some() {
        return Ok(None);
    }
    let winner = challenge.winner.as_ref();
    let row = sqlx::query(
        "INSERT INTO challenges (game_id, game_name, required_x100, prize_cents, min_bet_cents, \
         emoji, status, created_by, created_by_name, start_ms, ended_ms, winner_uid, \
         winner_username, winner_x100, winner_bet_cents, winner_payout_cents) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         RETURNING id",
    )
    .bind(&challenge.game_id)
    .bind(&challenge.game_name)
    .bind(challenge.required_x100)
    .bind(challenge.prize.cents())
    .bind(challenge.min_bet.map(|c| c.cents()))
    .bind(challenge.emoji.as_deref())
    .bind(challenge.status)
    .bind(challenge.created_by.as_deref())
    .bind(challenge.created_by_name.as_deref())
    .bind(challenge.start_ms)
    .bind(challenge.ended_ms)
    .bind(winner.map(|w| w.uid.clone()))
    .bind(winner.map(|w| w.username.clone()))
    .bind(winner.map(|w| w.multiplier_x100))
    .bind(winner.and_then(|w| w.bet).map(|c| c.cents()))
    .bind(winner.and_then(|w| w.payout).map(|c| c.cents()))
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get(0)?;
    settings::set(conn, legacy_key, &id.to_string(), now_ms).await?;
    if challenge.status == "won" {
        // The original announced it already: never post it again.
        sqlx::query(
            "INSERT INTO settings (key, value, updated_ms) VALUES ($1, 'imported', $2) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(super::challenges::announced_key(id))
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(Some(id))
}

/// Stores a month's totals unless the month is there already (figures this
/// service recorded win over imported ones); `true` when inserted.
pub async fn import_month_totals(
    conn: &mut AnyConnection,
    month: &str,
    wagered: Cents,
    weighted: Cents,
    is_final: bool,
    now_ms: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO monthly_totals (month, wagered_cents, weighted_cents, players, is_final, \
         updated_ms) VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (month) DO NOTHING",
    )
    .bind(month)
    .bind(wagered.cents())
    .bind(weighted.cents())
    .bind(i64::from(is_final))
    .bind(now_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

/// Records a week as frozen (history) unless it is known already; `true`
/// when inserted, in which case the caller stores its standings.
pub async fn import_final_week(
    conn: &mut AnyConnection,
    week: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO periods (period_kind, period_key, status, finalized_ms) \
         VALUES ('week', $1, 'final', $2) ON CONFLICT (period_kind, period_key) DO NOTHING",
    )
    .bind(week)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

/// Marks a goal as announced for a month; `true` when it was not yet.
pub async fn mark_goal_announced(
    conn: &mut AnyConnection,
    month: &str,
    goal: Cents,
    now_ms: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO goal_announcements (month, goal_cents, announced_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (month, goal_cents) DO NOTHING",
    )
    .bind(month)
    .bind(goal.cents())
    .bind(now_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

/// Stores a board message location unless one is stored already (a message
/// this service posted wins over the original's); `true` when stored.
pub async fn adopt_message(
    conn: &mut AnyConnection,
    key: &str,
    value: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO settings (key, value, updated_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(value)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}
