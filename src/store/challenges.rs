//! Slot challenges, active and archived. State changes are conditional
//! updates on `status = 'active'`, so a cancel and a win racing each other
//! (or two replicas closing the same challenge) change the row once.
//! Several active challenges may share a game; each is judged on its own.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use super::{settings, StoreError};
use crate::domain::challenges::{BestAttempt, ChallengeRule, GameIdentifier, NewChallenge};
use crate::domain::money::{Cents, Multiplier};

/// A challenge row as stored (winner fields are set once it is won; the
/// winner's username is unmasked and must be masked at every public edge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeRow {
    /// Storage id, also the public challenge number.
    pub id: i64,
    /// `provider:game`.
    pub game_id: String,
    /// Display name chosen by the admin.
    pub game_name: String,
    /// Required multiplier.
    pub required: Multiplier,
    /// Prize.
    pub prize: Cents,
    /// Minimum bet, if any.
    pub min_bet: Option<Cents>,
    /// Emoji shown with it.
    pub emoji: Option<String>,
    /// `active`, `won` or `cancelled`.
    pub status: String,
    /// Discord id of the admin who created it.
    pub created_by: Option<String>,
    /// Discord name of that admin.
    pub created_by_name: Option<String>,
    /// Start (Unix ms): hits before it do not count.
    pub start_ms: i64,
    /// When it was won or cancelled (Unix ms).
    pub ended_ms: Option<i64>,
    /// Winner's Roobet uid (private).
    pub winner_uid: Option<String>,
    /// Winner's username (unmasked).
    pub winner_username: Option<String>,
    /// Winning multiplier.
    pub winner_multiplier: Option<Multiplier>,
    /// Winning hit's bet.
    pub winner_bet: Option<Cents>,
    /// Winning hit's payout.
    pub winner_payout: Option<Cents>,
}

impl ChallengeRow {
    /// The rule a hit must meet; fails only on a hand-edited game id.
    pub fn rule(&self) -> Result<ChallengeRule, StoreError> {
        let game_id = GameIdentifier::parse(&self.game_id)
            .map_err(|e| StoreError::Corrupt(format!("challenge {} game id: {e}", self.id)))?;
        Ok(ChallengeRule {
            game_id,
            required: self.required,
            min_bet: self.min_bet,
        })
    }

    /// Whether it is still running.
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
}

/// Who created a challenge (for the audit trail and the seed's `posted_by`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Creator {
    /// Discord user id.
    pub id: Option<String>,
    /// Discord username.
    pub name: Option<String>,
}

/// The winning hit to record when closing a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WinRecord {
    /// Roobet uid.
    pub uid: String,
    /// Username at the time (unmasked).
    pub username: String,
    /// Winning multiplier.
    pub multiplier: Multiplier,
    /// The hit's bet.
    pub bet: Cents,
    /// The hit's payout.
    pub payout: Cents,
}

const COLUMNS: &str = "id, game_id, game_name, required_x100, prize_cents, min_bet_cents, emoji, \
    status, created_by, created_by_name, start_ms, ended_ms, winner_uid, winner_username, \
    winner_x100, winner_bet_cents, winner_payout_cents";

fn to_row(r: &sqlx::any::AnyRow) -> Result<ChallengeRow, StoreError> {
    Ok(ChallengeRow {
        id: r.try_get(0)?,
        game_id: r.try_get(1)?,
        game_name: r.try_get(2)?,
        required: Multiplier(r.try_get(3)?),
        prize: Cents(r.try_get(4)?),
        min_bet: r.try_get::<Option<i64>, _>(5)?.map(Cents),
        emoji: r.try_get(6)?,
        status: r.try_get(7)?,
        created_by: r.try_get(8)?,
        created_by_name: r.try_get(9)?,
        start_ms: r.try_get(10)?,
        ended_ms: r.try_get(11)?,
        winner_uid: r.try_get(12)?,
        winner_username: r.try_get(13)?,
        winner_multiplier: r.try_get::<Option<i64>, _>(14)?.map(Multiplier),
        winner_bet: r.try_get::<Option<i64>, _>(15)?.map(Cents),
        winner_payout: r.try_get::<Option<i64>, _>(16)?.map(Cents),
    })
}

async fn select(
    conn: &mut AnyConnection,
    tail: &str,
    limit: i64,
) -> Result<Vec<ChallengeRow>, StoreError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM challenges {tail} LIMIT $1"))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(to_row).collect()
}

/// Stores a new active challenge starting at `start_ms` and returns its id
/// (`None` only if the database refused the row quietly).
pub async fn insert(
    conn: &mut AnyConnection,
    challenge: &NewChallenge,
    creator: &Creator,
    start_ms: i64,
) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "INSERT INTO challenges (game_id, game_name, required_x100, prize_cents, min_bet_cents, \
         emoji, status, created_by, created_by_name, start_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(challenge.game_id.as_str())
    .bind(&challenge.name)
    .bind(challenge.required.0)
    .bind(challenge.prize.0)
    .bind(challenge.min_bet.map(|c| c.0))
    .bind(challenge.emoji.as_deref())
    .bind(creator.id.as_deref())
    .bind(creator.name.as_deref())
    .bind(start_ms)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Every active challenge, oldest first.
pub async fn active(conn: &mut AnyConnection) -> Result<Vec<ChallengeRow>, StoreError> {
    select(conn, "WHERE status = 'active' ORDER BY id", i64::MAX).await
}

/// One challenge by id.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<ChallengeRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM challenges WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(to_row).transpose()
}

/// Finished and cancelled challenges, most recently ended first.
pub async fn archived(
    conn: &mut AnyConnection,
    limit: i64,
) -> Result<Vec<ChallengeRow>, StoreError> {
    select(
        conn,
        "WHERE status <> 'active' ORDER BY ended_ms DESC, id DESC",
        limit,
    )
    .await
}

/// Won challenges only, most recent first.
pub async fn winners(
    conn: &mut AnyConnection,
    limit: i64,
) -> Result<Vec<ChallengeRow>, StoreError> {
    select(
        conn,
        "WHERE status = 'won' ORDER BY ended_ms DESC, id DESC",
        limit,
    )
    .await
}

/// Cancels an active challenge; `false` when it is not active (won,
/// cancelled already, or unknown), in which case nothing changed.
pub async fn cancel(conn: &mut AnyConnection, id: i64, now_ms: i64) -> Result<bool, StoreError> {
    let changed = sqlx::query(
        "UPDATE challenges SET status = 'cancelled', ended_ms = $1 \
         WHERE id = $2 AND status = 'active'",
    )
    .bind(now_ms)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Closes an active challenge with its winner; `false` when it was no
/// longer active (cancelled meanwhile, or closed by another replica): the
/// caller must then record no prize.
pub async fn close_won(
    conn: &mut AnyConnection,
    id: i64,
    win: &WinRecord,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let changed = sqlx::query(
        "UPDATE challenges SET status = 'won', ended_ms = $1, winner_uid = $2, \
         winner_username = $3, winner_x100 = $4, winner_bet_cents = $5, winner_payout_cents = $6 \
         WHERE id = $7 AND status = 'active'",
    )
    .bind(now_ms)
    .bind(&win.uid)
    .bind(&win.username)
    .bind(win.multiplier.0)
    .bind(win.bet.0)
    .bind(win.payout.0)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Settings key marking a win as announced (value: message id, or
/// `claimed` while the post is in flight).
pub fn announced_key(id: i64) -> String {
    format!("challenge.announced.{id}")
}

/// Won challenges whose prize tip was sent at or after `since_ms` and whose
/// announcement was never claimed, oldest first. A win is only news once
/// its money left: a prize still queued, refused or in doubt is not listed.
pub async fn unannounced_wins(
    conn: &mut AnyConnection,
    since_ms: i64,
) -> Result<Vec<ChallengeRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM challenges c WHERE c.status = 'won' \
         AND EXISTS (SELECT 1 FROM payouts p \
                     WHERE p.idempotency_key = 'challenge:' || CAST(c.id AS TEXT) \
                     AND p.status = 'sent' AND p.sent_ms >= $1) \
         AND NOT EXISTS (SELECT 1 FROM settings s \
                         WHERE s.key = 'challenge.announced.' || CAST(c.id AS TEXT)) \
         ORDER BY c.ended_ms, c.id"
    ))
    .bind(since_ms)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(to_row).collect()
}

/// Claims the announcement of a win before posting it; `false` when it was
/// claimed already (announced, or being announced), so it is posted once.
pub async fn claim_announcement(
    conn: &mut AnyConnection,
    id: i64,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO settings (key, value, updated_ms) VALUES ($1, 'claimed', $2) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(announced_key(id))
    .bind(now_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Gives a claim back after Discord definitely refused the post, so the
/// next cycle tries again.
pub async fn release_announcement(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM settings WHERE key = $1 AND value = 'claimed'")
        .bind(announced_key(id))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Settings key of a challenge's top attempts so far (JSON array, best first).
pub fn top_attempts_key(id: i64) -> String {
    format!("challenge.top.{id}")
}

/// Settings key of a challenge's best attempt so far (JSON).
pub fn best_attempt_key(id: i64) -> String {
    format!("challenge.best.{id}")
}
/// The stored top attempts of `active` challenges, by id, best first; a
/// malformed value is skipped (it is only shown, never paid). Values stored
/// before the top 5 were kept fall back to the single best attempt.
pub async fn top_attempts(
    conn: &mut AnyConnection,
    active: &[ChallengeRow],
) -> Result<HashMap<i64, Vec<BestAttempt>>, StoreError> {
    let mut out = HashMap::new();
    let single = best_attempts(conn, active).await?;
    for row in active {
        let stored = settings::get(conn, &top_attempts_key(row.id)).await?;
        let top = stored
            .and_then(|json| serde_json::from_str::<Vec<BestAttempt>>(&json).ok())
            .or_else(|| single.get(&row.id).cloned().map(|b| vec![b]));
        if let Some(top) = top {
            out.insert(row.id, top);
        }
    }
    Ok(out)
}

/// The stored best attempts of `active` challenges, by id; a malformed
/// value is skipped (it is only shown, never paid).
pub async fn best_attempts(
    conn: &mut AnyConnection,
    active: &[ChallengeRow],
) -> Result<HashMap<i64, BestAttempt>, StoreError> {
    let mut out = HashMap::new();
    for row in active {
        if let Some(json) = settings::get(conn, &best_attempt_key(row.id)).await? {
            if let Ok(best) = serde_json::from_str::<BestAttempt>(&json) {
                out.insert(row.id, best);
            }
        }
    }
    Ok(out)
}
