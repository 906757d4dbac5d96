//! Each player's latest figures per period: the persisted form of a poll
//! cycle, from which the published boards are rebuilt.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::StoreError;
use crate::domain::money::{Cents, Multiplier};
use crate::domain::players::{Activity, Hit, PlayerFigures};

/// Which kind of period a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    /// A calendar month (key `yyyy-mm`).
    Month,
    /// An ISO week (key = its Monday, `yyyy-mm-dd`).
    Week,
}

impl PeriodKind {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Week => "week",
        }
    }
}

/// Rows per multi-row statement: 17 parameters each stays far below
/// SQLite's and PostgreSQL's bind limits, and a 100k-player cycle needs a
/// few hundred statements instead of 100k round trips (sizes: see
/// [`super::batches`]).
const BATCH_ROWS: usize = 512;

/// Stores a player's figures for a period. `figure_reached_ms` (the
/// monthly tie-break "who reached the figure first") moves only when the
/// weighted figure changes.
pub async fn upsert(
    conn: &mut AnyConnection,
    kind: PeriodKind,
    period_key: &str,
    figures: &PlayerFigures,
    now_ms: i64,
) -> Result<(), StoreError> {
    upsert_many(
        conn,
        kind,
        period_key,
        std::slice::from_ref(figures),
        now_ms,
    )
    .await
}

/// [`upsert`] for many players, in batches.
pub async fn upsert_many(
    conn: &mut AnyConnection,
    kind: PeriodKind,
    period_key: &str,
    players: &[PlayerFigures],
    now_ms: i64,
) -> Result<(), StoreError> {
    for batch in super::batches(players, BATCH_ROWS) {
        let values = super::values_rows(conn, batch.len(), 17);
        let sql = format!(
            "INSERT INTO player_snapshots (period_kind, period_key, uid, username, wagered_cents, \
             weighted_cents, best_multiplier_x100, best_bet_cents, best_payout_cents, best_game_id, \
             best_game_title, sessions, weighted_sessions, payout_cents, net_cents, \
             figure_reached_ms, updated_ms) VALUES {} \
             ON CONFLICT (period_kind, period_key, uid) DO UPDATE SET \
             username = excluded.username, wagered_cents = excluded.wagered_cents, \
             weighted_cents = excluded.weighted_cents, \
             best_multiplier_x100 = excluded.best_multiplier_x100, \
             best_bet_cents = excluded.best_bet_cents, best_payout_cents = excluded.best_payout_cents, \
             best_game_id = excluded.best_game_id, best_game_title = excluded.best_game_title, \
             sessions = excluded.sessions, weighted_sessions = excluded.weighted_sessions, \
             payout_cents = excluded.payout_cents, net_cents = excluded.net_cents, \
             figure_reached_ms = CASE WHEN player_snapshots.weighted_cents = excluded.weighted_cents \
                 THEN player_snapshots.figure_reached_ms ELSE excluded.figure_reached_ms END, \
             updated_ms = excluded.updated_ms",
            values
        );
        let mut query = sqlx::query(AssertSqlSafe(sql.as_str()));
        for figures in batch {
            let hit = figures.best_hit.as_ref();
            query = query
                .bind(kind.as_str())
                .bind(period_key)
                .bind(&figures.uid)
                .bind(&figures.username)
                .bind(figures.wagered.cents())
                .bind(figures.weighted_wagered.cents())
                .bind(hit.map(|h| h.multiplier.0))
                .bind(hit.map(|h| h.bet.cents()))
                .bind(hit.map(|h| h.payout.cents()))
                .bind(hit.map(|h| h.game_id.clone()))
                .bind(hit.map(|h| h.game_title.clone()))
                .bind(stored_count(figures.activity.sessions))
                .bind(stored_count(figures.activity.weighted_sessions))
                .bind(figures.activity.payout.map(Cents::cents))
                .bind(figures.activity.net.map(Cents::cents))
                .bind(now_ms)
                .bind(now_ms);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Every player's stored figures for a period, `weighted_since_ms` set from
/// when their weighted figure last changed.
pub async fn load(
    conn: &mut AnyConnection,
    kind: PeriodKind,
    period_key: &str,
) -> Result<Vec<PlayerFigures>, StoreError> {
    let rows = sqlx::query(
        "SELECT uid, username, wagered_cents, weighted_cents, best_multiplier_x100, \
         best_bet_cents, best_payout_cents, best_game_id, best_game_title, figure_reached_ms, \
         sessions, weighted_sessions, payout_cents, net_cents \
         FROM player_snapshots WHERE period_kind = $1 AND period_key = $2 ORDER BY uid",
    )
    .bind(kind.as_str())
    .bind(period_key)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let multiplier: Option<i64> = r.try_get(4)?;
            let best_hit = match multiplier {
                Some(m) => Some(Hit {
                    multiplier: Multiplier(m),
                    bet: Cents::new(r.try_get::<Option<i64>, _>(5)?.unwrap_or(0)),
                    payout: Cents::new(r.try_get::<Option<i64>, _>(6)?.unwrap_or(0)),
                    game_id: r.try_get::<Option<String>, _>(7)?.unwrap_or_default(),
                    game_title: r.try_get::<Option<String>, _>(8)?.unwrap_or_default(),
                }),
                None => None,
            };
            Ok(PlayerFigures {
                uid: r.try_get(0)?,
                username: r.try_get(1)?,
                wagered: Cents::new(r.try_get(2)?),
                weighted_wagered: Cents::new(r.try_get(3)?),
                weighted_since_ms: r.try_get(9)?,
                best_hit,
                activity: Activity {
                    sessions: loaded_count(r.try_get(10)?),
                    weighted_sessions: loaded_count(r.try_get(11)?),
                    payout: r.try_get::<Option<i64>, _>(12)?.map(Cents::new),
                    net: r.try_get::<Option<i64>, _>(13)?.map(Cents::new),
                },
            })
        })
        .collect()
}

/// A count as stored: BIGINT is signed, and no casino reports 2^63 sessions.
fn stored_count(count: Option<u64>) -> Option<i64> {
    count.and_then(|n| i64::try_from(n).ok())
}

/// A stored count back; a negative one (never written) reads as absent.
pub(crate) fn loaded_count(count: Option<i64>) -> Option<u64> {
    count.and_then(|n| u64::try_from(n).ok())
}

/// How many players a period has stored (the "suspicious empty answer" check).
pub async fn count(
    conn: &mut AnyConnection,
    kind: PeriodKind,
    period_key: &str,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM player_snapshots WHERE period_kind = $1 AND period_key = $2",
    )
    .bind(kind.as_str())
    .bind(period_key)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}
