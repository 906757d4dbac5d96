//! Reads the original bot's PostgreSQL database (for `import-legacy`),
//! read-only, in one repeatable-read snapshot. Its queries live here with
//! every other query of ours; the command in `cli::legacy` connects and
//! turns what is read into an import plan. Every column is cast in SQL to text or a
//! 64-bit integer (money stays decimal text, times become Unix ms), so the
//! rows reach Rust without a float and without depending on the exact
//! column types the original's versions used.

use sqlx::{AnyConnection, AssertSqlSafe, Executor, Row};

use super::StoreError;

/// A row of `milestonetips`: one tier paid to a player in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldMilestone {
    /// Roobet uid.
    pub user_id: String,
    /// `"Rank N"`.
    pub tier: String,
    /// 1-12.
    pub month: i64,
    /// Year.
    pub year: i64,
    /// When it was tipped (Unix ms).
    pub tipped_ms: Option<i64>,
}

/// A row of `manualtips`: one tip sent, of any kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldTip {
    /// Roobet uid.
    pub user_id: String,
    /// Username at the time.
    pub username: String,
    /// Decimal dollars as text.
    pub amount: String,
    /// `milestone`, `manual`, `weekly_multiplier`, `slot_challenge`, or other.
    pub tip_type: String,
    /// 1-12.
    pub month: Option<i64>,
    /// Year.
    pub year: Option<i64>,
    /// When it was sent (Unix ms).
    pub tipped_ms: Option<i64>,
}

/// A row of `weekly_multiplier_payouts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldWeekly {
    /// Monday, `yyyy-mm-dd`.
    pub week_start: String,
    /// 1-based rank.
    pub rank: i64,
    /// Roobet uid.
    pub user_id: String,
    /// Username.
    pub username: String,
    /// Decimal dollars as text.
    pub prize: String,
    /// Decimal multiplier as text.
    pub multiplier: Option<String>,
    /// Game title.
    pub game_name: Option<String>,
}

/// A row of `slot_challenge_logs`: a finished (or cancelled) challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldChallengeLog {
    /// The original's challenge id.
    pub challenge_id: i64,
    /// Game title.
    pub game: String,
    /// `provider:game`.
    pub game_identifier: String,
    /// The winner's Roobet uid, or the cancelling admin's Discord id.
    pub winner_uid: Option<String>,
    /// The winner's (or admin's) name.
    pub winner_username: Option<String>,
    /// Winning multiplier (decimal text).
    pub multiplier: Option<String>,
    /// Winning bet (decimal dollars).
    pub bet: Option<String>,
    /// Winning payout (decimal dollars).
    pub payout: Option<String>,
    /// Required multiplier (decimal text).
    pub required_multiplier: Option<String>,
    /// Prize (decimal dollars).
    pub prize: Option<String>,
    /// Minimum bet (decimal dollars).
    pub min_bet: Option<String>,
    /// Completion time (Unix ms; the column is called `challenge_start`).
    pub completed_ms: Option<i64>,
}

/// A row of `active_slot_challenge`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldActive {
    /// The original's challenge id.
    pub challenge_id: i64,
    /// `provider:game`.
    pub game_identifier: String,
    /// Display name.
    pub game_name: String,
    /// Required multiplier (decimal text).
    pub required_multi: String,
    /// Prize (decimal dollars).
    pub prize: String,
    /// Start (Unix ms).
    pub start_ms: Option<i64>,
    /// Discord id of the admin who posted it.
    pub posted_by: Option<String>,
    /// That admin's name.
    pub posted_by_username: Option<String>,
    /// Emoji.
    pub emoji: Option<String>,
    /// Minimum bet (decimal dollars).
    pub min_bet: Option<String>,
}

/// A row of `monthly_totals`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldMonthTotal {
    /// Year.
    pub year: i64,
    /// 1-12.
    pub month: i64,
    /// Decimal dollars.
    pub total_wager: String,
    /// Decimal dollars.
    pub total_weighted_wager: String,
}

/// Everything the import reads from the original's database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegacyData {
    /// `milestonetips`.
    pub milestones: Vec<OldMilestone>,
    /// `manualtips`.
    pub tips: Vec<OldTip>,
    /// `weekly_multiplier_payouts`.
    pub weekly: Vec<OldWeekly>,
    /// `slot_challenge_logs`.
    pub challenge_logs: Vec<OldChallengeLog>,
    /// `active_slot_challenge`.
    pub active: Vec<OldActive>,
    /// `monthly_totals`.
    pub totals: Vec<OldMonthTotal>,
    /// `settings` (key, value).
    pub settings: Vec<(String, String)>,
    /// Tables the original's version did not have (older versions lack some).
    pub missing_tables: Vec<&'static str>,
}

const TABLES: [&str; 7] = [
    "milestonetips",
    "manualtips",
    "weekly_multiplier_payouts",
    "slot_challenge_logs",
    "active_slot_challenge",
    "monthly_totals",
    "settings",
];

fn ms(column: &str) -> String {
    format!("CAST(FLOOR(EXTRACT(EPOCH FROM {column}) * 1000) AS BIGINT)")
}

/// Reads every table of the original bot's database on `conn` in one
/// read-only repeatable-read snapshot, so the tables agree with each other
/// even while the original is still running.
pub async fn read_snapshot(conn: &mut AnyConnection) -> Result<LegacyData, StoreError> {
    conn.execute("START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let data = read_tables(conn).await;
    conn.execute("ROLLBACK").await.ok();
    data
}

async fn read_tables(conn: &mut AnyConnection) -> Result<LegacyData, StoreError> {
    let mut data = LegacyData::default();
    let mut present = Vec::new();
    for table in TABLES {
        let row = sqlx::query("SELECT CASE WHEN to_regclass($1) IS NULL THEN 0 ELSE 1 END")
            .bind(format!("public.{table}"))
            .fetch_one(&mut *conn)
            .await?;
        if row.try_get::<i64, _>(0)? == 1 {
            present.push(table);
        } else {
            data.missing_tables.push(table);
        }
    }
    let has = |t: &str| present.contains(&t);
    if has("milestonetips") {
        let sql = format!(
            "SELECT CAST(user_id AS TEXT), CAST(tier AS TEXT), CAST(month AS BIGINT), \
             CAST(year AS BIGINT), {} FROM milestonetips \
             ORDER BY year, month, user_id, tipped_at, tier",
            ms("tipped_at")
        );
        for r in sqlx::query(AssertSqlSafe(sql.as_str()))
            .fetch_all(&mut *conn)
            .await?
        {
            data.milestones.push(OldMilestone {
                user_id: r.try_get(0)?,
                tier: r.try_get(1)?,
                month: r.try_get(2)?,
                year: r.try_get(3)?,
                tipped_ms: r.try_get(4)?,
            });
        }
    }
    if has("manualtips") {
        let sql = format!(
            "SELECT CAST(user_id AS TEXT), CAST(username AS TEXT), CAST(amount AS TEXT), \
             CAST(tip_type AS TEXT), CAST(month AS BIGINT), CAST(year AS BIGINT), {} \
             FROM manualtips ORDER BY tipped_at, user_id, amount, tip_type, username",
            ms("tipped_at")
        );
        for r in sqlx::query(AssertSqlSafe(sql.as_str()))
            .fetch_all(&mut *conn)
            .await?
        {
            data.tips.push(OldTip {
                user_id: r.try_get(0)?,
                username: r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
                amount: r.try_get(2)?,
                tip_type: r.try_get::<Option<String>, _>(3)?.unwrap_or_default(),
                month: r.try_get(4)?,
                year: r.try_get(5)?,
                tipped_ms: r.try_get(6)?,
            });
        }
    }
    if has("weekly_multiplier_payouts") {
        let sql = "SELECT CAST(week_start AS TEXT), CAST(rank AS BIGINT), CAST(user_id AS TEXT), \
             CAST(username AS TEXT), CAST(prize_amount AS TEXT), CAST(multiplier AS TEXT), \
             CAST(game_name AS TEXT) FROM weekly_multiplier_payouts ORDER BY week_start, rank";
        for r in sqlx::query(sql).fetch_all(&mut *conn).await? {
            data.weekly.push(OldWeekly {
                week_start: r.try_get(0)?,
                rank: r.try_get(1)?,
                user_id: r.try_get(2)?,
                username: r.try_get::<Option<String>, _>(3)?.unwrap_or_default(),
                prize: r.try_get(4)?,
                multiplier: r.try_get(5)?,
                game_name: r.try_get(6)?,
            });
        }
    }
    if has("slot_challenge_logs") {
        let sql = format!(
            "SELECT CAST(challenge_id AS BIGINT), CAST(game AS TEXT), \
             CAST(game_identifier AS TEXT), CAST(winner_uid AS TEXT), \
             CAST(winner_username AS TEXT), CAST(multiplier AS TEXT), CAST(bet AS TEXT), \
             CAST(payout AS TEXT), CAST(required_multiplier AS TEXT), CAST(prize AS TEXT), \
             CAST(min_bet AS TEXT), {} FROM slot_challenge_logs ORDER BY challenge_id",
            ms("challenge_start")
        );
        for r in sqlx::query(AssertSqlSafe(sql.as_str()))
            .fetch_all(&mut *conn)
            .await?
        {
            data.challenge_logs.push(OldChallengeLog {
                challenge_id: r.try_get(0)?,
                game: r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
                game_identifier: r.try_get::<Option<String>, _>(2)?.unwrap_or_default(),
                winner_uid: r.try_get(3)?,
                winner_username: r.try_get(4)?,
                multiplier: r.try_get(5)?,
                bet: r.try_get(6)?,
                payout: r.try_get(7)?,
                required_multiplier: r.try_get(8)?,
                prize: r.try_get(9)?,
                min_bet: r.try_get(10)?,
                completed_ms: r.try_get(11)?,
            });
        }
    }
    if has("active_slot_challenge") {
        let sql = format!(
            "SELECT CAST(challenge_id AS BIGINT), CAST(game_identifier AS TEXT), \
             CAST(game_name AS TEXT), CAST(required_multi AS TEXT), CAST(prize AS TEXT), {}, \
             CAST(posted_by AS TEXT), CAST(posted_by_username AS TEXT), CAST(emoji AS TEXT), \
             CAST(min_bet AS TEXT) FROM active_slot_challenge ORDER BY challenge_id",
            ms("start_time")
        );
        for r in sqlx::query(AssertSqlSafe(sql.as_str()))
            .fetch_all(&mut *conn)
            .await?
        {
            data.active.push(OldActive {
                challenge_id: r.try_get(0)?,
                game_identifier: r.try_get(1)?,
                game_name: r.try_get(2)?,
                required_multi: r.try_get(3)?,
                prize: r.try_get(4)?,
                start_ms: r.try_get(5)?,
                posted_by: r.try_get(6)?,
                posted_by_username: r.try_get(7)?,
                emoji: r.try_get(8)?,
                min_bet: r.try_get(9)?,
            });
        }
    }
    if has("monthly_totals") {
        let sql = "SELECT CAST(year AS BIGINT), CAST(month AS BIGINT), \
             CAST(total_wager AS TEXT), CAST(total_weighted_wager AS TEXT) \
             FROM monthly_totals ORDER BY year, month";
        for r in sqlx::query(sql).fetch_all(&mut *conn).await? {
            data.totals.push(OldMonthTotal {
                year: r.try_get(0)?,
                month: r.try_get(1)?,
                total_wager: r
                    .try_get::<Option<String>, _>(2)?
                    .unwrap_or_else(|| "0".into()),
                total_weighted_wager: r
                    .try_get::<Option<String>, _>(3)?
                    .unwrap_or_else(|| "0".into()),
            });
        }
    }
    if has("settings") {
        let sql = "SELECT CAST(key AS TEXT), CAST(value AS TEXT) FROM settings ORDER BY key";
        for r in sqlx::query(sql).fetch_all(&mut *conn).await? {
            let value: Option<String> = r.try_get(1)?;
            data.settings
                .push((r.try_get(0)?, value.unwrap_or_default()));
        }
    }
    Ok(data)
}
