//! Community totals per month, kept after the month closes (goals,
//! month-to-month chart, `/api/wagers`).

use sqlx::{AnyConnection, Row};

use super::StoreError;
use crate::domain::money::Cents;
use crate::domain::players::MonthTotals;

/// Stores a month's totals (latest figures win; `is_final` once frozen).
pub async fn upsert(
    conn: &mut AnyConnection,
    month: &str,
    totals: &MonthTotals,
    is_final: bool,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO monthly_totals (month, wagered_cents, weighted_cents, players, is_final, updated_ms) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (month) DO UPDATE SET \
         wagered_cents = excluded.wagered_cents, weighted_cents = excluded.weighted_cents, \
         players = excluded.players, is_final = excluded.is_final, updated_ms = excluded.updated_ms",
    )
    .bind(month)
    .bind(totals.wagered.0)
    .bind(totals.weighted.0)
    .bind(i64::from(totals.players))
    .bind(i64::from(is_final))
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every month's totals, oldest first, with whether the month is final.
pub async fn all(conn: &mut AnyConnection) -> Result<Vec<(String, MonthTotals, bool)>, StoreError> {
    let rows = sqlx::query(
        "SELECT month, wagered_cents, weighted_cents, players, is_final FROM monthly_totals ORDER BY month",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let players: i64 = r.try_get(3)?;
            let is_final: i64 = r.try_get(4)?;
            Ok((
                r.try_get(0)?,
                MonthTotals {
                    wagered: Cents(r.try_get(1)?),
                    weighted: Cents(r.try_get(2)?),
                    players: u32::try_from(players).unwrap_or(u32::MAX),
                },
                is_final != 0,
            ))
        })
        .collect()
}
