//! Final standings of closed periods: the history pages and
//! `/api/leaderboard/{yyyy}-{mm}` read these.

use sqlx::{AnyConnection, Row};

use super::snapshots::PeriodKind;
use super::StoreError;
use crate::domain::money::{Cents, Multiplier};
use crate::domain::players::Hit;

/// One row of a frozen board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalStanding {
    /// 1-based rank.
    pub rank: u32,
    /// Roobet uid (never shown publicly).
    pub uid: String,
    /// Username at the close (mask before showing).
    pub username: String,
    /// Total wager in the period.
    pub wagered: Cents,
    /// Weighted wager in the period.
    pub weighted: Cents,
    /// Best hit (weekly boards).
    pub hit: Option<Hit>,
    /// Prize won (zero outside the prize ranks).
    pub prize: Cents,
}

/// Stores a frozen board. Run in the roll-over transaction.
pub async fn insert(
    conn: &mut AnyConnection,
    kind: PeriodKind,
    key: &str,
    rows: &[FinalStanding],
) -> Result<(), StoreError> {
    for row in rows {
        let hit = row.hit.as_ref();
        sqlx::query(
            "INSERT INTO final_standings (period_kind, period_key, rank, uid, username, \
             wagered_cents, weighted_cents, best_multiplier_x100, best_bet_cents, \
             best_payout_cents, best_game_id, best_game_title, prize_cents) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (period_kind, period_key, rank) DO NOTHING",
        )
        .bind(kind.as_str())
        .bind(key)
        .bind(i64::from(row.rank))
        .bind(&row.uid)
        .bind(&row.username)
        .bind(row.wagered.cents())
        .bind(row.weighted.cents())
        .bind(hit.map(|h| h.multiplier.0))
        .bind(hit.map(|h| h.bet.cents()))
        .bind(hit.map(|h| h.payout.cents()))
        .bind(hit.map(|h| h.game_id.clone()))
        .bind(hit.map(|h| h.game_title.clone()))
        .bind(row.prize.cents())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A frozen board, rank order; empty when the period was never frozen.
pub async fn load(
    conn: &mut AnyConnection,
    kind: PeriodKind,
    key: &str,
) -> Result<Vec<FinalStanding>, StoreError> {
    let rows = sqlx::query(
        "SELECT rank, uid, username, wagered_cents, weighted_cents, best_multiplier_x100, \
         best_bet_cents, best_payout_cents, best_game_id, best_game_title, prize_cents \
         FROM final_standings WHERE period_kind = $1 AND period_key = $2 ORDER BY rank",
    )
    .bind(kind.as_str())
    .bind(key)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let multiplier: Option<i64> = r.try_get(5)?;
            let hit = match multiplier {
                Some(m) => Some(Hit {
                    multiplier: Multiplier(m),
                    bet: Cents::new(r.try_get::<Option<i64>, _>(6)?.unwrap_or(0)),
                    payout: Cents::new(r.try_get::<Option<i64>, _>(7)?.unwrap_or(0)),
                    game_id: r.try_get::<Option<String>, _>(8)?.unwrap_or_default(),
                    game_title: r.try_get::<Option<String>, _>(9)?.unwrap_or_default(),
                }),
                None => None,
            };
            let rank: i64 = r.try_get(0)?;
            Ok(FinalStanding {
                rank: u32::try_from(rank)
                    .map_err(|_| StoreError::Corrupt(format!("rank {rank}")))?,
                uid: r.try_get(1)?,
                username: r.try_get(2)?,
                wagered: Cents::new(r.try_get(3)?),
                weighted: Cents::new(r.try_get(4)?),
                hit,
                prize: Cents::new(r.try_get(10)?),
            })
        })
        .collect()
}

/// Keys of every frozen period of a kind, newest first.
pub async fn frozen_keys(
    conn: &mut AnyConnection,
    kind: PeriodKind,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT period_key FROM periods WHERE period_kind = $1 AND status = 'final' \
         ORDER BY period_key DESC",
    )
    .bind(kind.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| r.try_get(0).map_err(StoreError::from))
        .collect()
}
