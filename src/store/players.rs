//! Referred players ever seen, and the exclusion list.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::StoreError;
use crate::domain::names::identity_key;

/// A player as the affiliate API last named them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownPlayer {
    /// Roobet's stable user id (never shown publicly).
    pub uid: String,
    /// The latest username.
    pub username: String,
}

/// Records (or refreshes) a player seen in the affiliate data.
pub async fn upsert(
    conn: &mut AnyConnection,
    uid: &str,
    username: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO players (uid, username, username_lower, first_seen_ms, last_seen_ms) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (uid) DO UPDATE SET username = excluded.username, \
         username_lower = excluded.username_lower, last_seen_ms = excluded.last_seen_ms",
    )
    .bind(uid)
    .bind(username)
    .bind(identity_key(username))
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// [`upsert`] for many players, in multi-row statements.
pub async fn upsert_many(
    conn: &mut AnyConnection,
    players: &[(&str, &str)],
    now_ms: i64,
) -> Result<(), StoreError> {
    for batch in super::batches(players, 1_000) {
        let values = super::values_rows(conn, batch.len(), 5);
        let sql = format!(
            "INSERT INTO players (uid, username, username_lower, first_seen_ms, last_seen_ms) \
             VALUES {} ON CONFLICT (uid) DO UPDATE SET username = excluded.username, \
             username_lower = excluded.username_lower, last_seen_ms = excluded.last_seen_ms",
            values
        );
        let mut query = sqlx::query(AssertSqlSafe(sql.as_str()));
        for (uid, username) in batch {
            query = query
                .bind(*uid)
                .bind(*username)
                .bind(identity_key(username))
                .bind(now_ms)
                .bind(now_ms);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// What a typed name resolves to: nobody, exactly one player, or several
/// whose names are one identity to a reader (never resolved to a guess).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameLookup {
    /// Nobody seen in the window has that name.
    Nobody,
    /// Exactly one player.
    One(KnownPlayer),
    /// More than one player (most recently seen first, at most ten).
    Several(Vec<KnownPlayer>),
}

/// Resolves a username by its [`identity_key`] (case, width, hidden and
/// blank characters ignored) among players seen since `since_ms`. Two
/// players that share the identity are [`NameLookup::Several`]: whatever
/// names a player for money must then refuse.
pub async fn find_by_username(
    conn: &mut AnyConnection,
    username: &str,
    since_ms: i64,
) -> Result<NameLookup, StoreError> {
    let key = identity_key(username);
    if key.is_empty() {
        return Ok(NameLookup::Nobody);
    }
    let rows = sqlx::query(
        "SELECT uid, username FROM players WHERE username_lower = $1 AND last_seen_ms >= $2 \
         ORDER BY last_seen_ms DESC, uid LIMIT 10",
    )
    .bind(key)
    .bind(since_ms)
    .fetch_all(&mut *conn)
    .await?;
    let mut found = rows
        .into_iter()
        .map(|r| {
            Ok(KnownPlayer {
                uid: r.try_get(0)?,
                username: r.try_get(1)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(match found.len() {
        0 => NameLookup::Nobody,
        1 => NameLookup::One(found.remove(0)),
        _ => NameLookup::Several(found),
    })
}

/// Rewrites every stored name key that is not the current
/// [`identity_key`] of its name: keys written by an older release (plain
/// lowercase) would otherwise miss look-alike matches. Run at start-up;
/// reads the table once and writes only the rows that differ.
pub async fn rekey_identities(conn: &mut AnyConnection) -> Result<u64, StoreError> {
    let rows = sqlx::query("SELECT uid, username, username_lower FROM players")
        .fetch_all(&mut *conn)
        .await?;
    let mut stale = Vec::new();
    for row in rows {
        let uid: String = row.try_get(0)?;
        let username: String = row.try_get(1)?;
        let stored: String = row.try_get(2)?;
        let key = identity_key(&username);
        if key != stored {
            stale.push((uid, key));
        }
    }
    for (uid, key) in &stale {
        sqlx::query("UPDATE players SET username_lower = $1 WHERE uid = $2")
            .bind(key)
            .bind(uid)
            .execute(&mut *conn)
            .await?;
    }
    Ok(stale.len() as u64)
}

/// The player with this uid, if ever seen.
pub async fn find_by_uid(
    conn: &mut AnyConnection,
    uid: &str,
) -> Result<Option<KnownPlayer>, StoreError> {
    let row = sqlx::query("SELECT uid, username FROM players WHERE uid = $1")
        .bind(uid)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(KnownPlayer {
            uid: r.try_get(0)?,
            username: r.try_get(1)?,
        })
    })
    .transpose()
}

/// One entry of the exclusion list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    /// The excluded Roobet uid.
    pub uid: String,
    /// Their username when excluded.
    pub username: String,
    /// Why, as the admin wrote it.
    pub reason: Option<String>,
    /// Discord id of the admin who added it.
    pub added_by: Option<String>,
    /// When (Unix ms).
    pub added_ms: i64,
}

/// Adds a player to the exclusion list; `false` if already there.
pub async fn exclude(conn: &mut AnyConnection, entry: &Exclusion) -> Result<bool, StoreError> {
    let added = sqlx::query(
        "INSERT INTO exclusions (uid, username, reason, added_by, added_ms) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (uid) DO NOTHING",
    )
    .bind(&entry.uid)
    .bind(&entry.username)
    .bind(entry.reason.as_deref())
    .bind(entry.added_by.as_deref())
    .bind(entry.added_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(added == 1)
}

/// Removes a player from the exclusion list; `false` if they were not on it.
/// The next cycle (on whichever replica leads) then judges their milestones
/// on the whole month, since a cycle otherwise only looks at players whose
/// figures changed.
pub async fn unexclude(conn: &mut AnyConnection, uid: &str) -> Result<bool, StoreError> {
    let removed = sqlx::query("DELETE FROM exclusions WHERE uid = $1")
        .bind(uid)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if removed == 1 {
        sqlx::query(
            "INSERT INTO settings (key, value, updated_ms) VALUES ($1, '1', 0) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(format!("{RECHECK_PREFIX}{uid}"))
        .execute(&mut *conn)
        .await?;
    }
    Ok(removed == 1)
}

/// Settings key prefix of players whose milestones the next cycle must
/// judge although their figures did not change (they were let back in).
const RECHECK_PREFIX: &str = "milestones.recheck.";

/// The players to judge again this cycle, removed from the list in the
/// caller's transaction (so a failed cycle keeps them for the next one).
pub async fn take_milestone_rechecks(
    conn: &mut AnyConnection,
) -> Result<std::collections::HashSet<String>, StoreError> {
    let rows = sqlx::query("DELETE FROM settings WHERE key LIKE $1 RETURNING key")
        .bind(format!("{RECHECK_PREFIX}%"))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let key: String = r.try_get(0)?;
            Ok(key[RECHECK_PREFIX.len()..].to_owned())
        })
        .collect()
}

/// Whether `uid` is on the exclusion list table (the rewards file's list is
/// seeded into it at startup).
pub async fn is_excluded(conn: &mut AnyConnection, uid: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query("SELECT 1 FROM exclusions WHERE uid = $1")
        .bind(uid)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

/// The whole exclusion list, oldest first.
pub async fn exclusions(conn: &mut AnyConnection) -> Result<Vec<Exclusion>, StoreError> {
    let rows = sqlx::query(
        "SELECT uid, username, reason, added_by, added_ms FROM exclusions ORDER BY added_ms, uid",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Exclusion {
                uid: r.try_get(0)?,
                username: r.try_get(1)?,
                reason: r.try_get(2)?,
                added_by: r.try_get(3)?,
                added_ms: r.try_get(4)?,
            })
        })
        .collect()
}
