//! Lifetime wager figures per player, summed over every month this service
//! recorded, for the `lifetime` part of `/allWagerData.json`. Months that
//! were only backfilled (community totals, no players) are not in here.

use sqlx::{AnyConnection, Row};

use super::snapshots::loaded_count;
use super::StoreError;
use crate::domain::money::Cents;
use crate::domain::players::Activity;

/// One player's figures over every recorded month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifetimeFigures {
    /// Roobet uid (private: publish only its public id).
    pub uid: String,
    /// The latest username seen for the uid (mask before publishing).
    pub username: String,
    /// Total wager over all recorded months.
    pub wagered: Cents,
    /// Weighted wager over all recorded months.
    pub weighted: Cents,
    /// Sums of the export-only figures over the months whose answers had
    /// them; each `None` when no month did.
    pub activity: Activity,
}

/// Every player's lifetime figures, largest total wager first.
pub async fn lifetime_by_player(
    conn: &mut AnyConnection,
) -> Result<Vec<LifetimeFigures>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.uid, COALESCE(p.username, MAX(s.username)), \
         CAST(SUM(s.wagered_cents) AS BIGINT), CAST(SUM(s.weighted_cents) AS BIGINT), \
         CAST(SUM(s.sessions) AS BIGINT), CAST(SUM(s.weighted_sessions) AS BIGINT), \
         CAST(SUM(s.payout_cents) AS BIGINT), CAST(SUM(s.net_cents) AS BIGINT) \
         FROM player_snapshots s LEFT JOIN players p ON p.uid = s.uid \
         WHERE s.period_kind = 'month' GROUP BY s.uid, p.username \
         ORDER BY 3 DESC, s.uid",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LifetimeFigures {
                uid: r.try_get(0)?,
                username: r.try_get(1)?,
                wagered: Cents::new(r.try_get(2)?),
                weighted: Cents::new(r.try_get(3)?),
                activity: Activity {
                    sessions: loaded_count(r.try_get(4)?),
                    weighted_sessions: loaded_count(r.try_get(5)?),
                    payout: r.try_get::<Option<i64>, _>(6)?.map(Cents::new),
                    net: r.try_get::<Option<i64>, _>(7)?.map(Cents::new),
                },
            })
        })
        .collect()
}
