//! Games seen in the affiliate data, for `/gamestats` autocomplete and
//! titles in challenge announcements.

use sqlx::{AnyConnection, Row};

use super::StoreError;

/// Records (or refreshes) a game's title.
pub async fn upsert(
    conn: &mut AnyConnection,
    game_id: &str,
    title: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO games (game_id, title, last_seen_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (game_id) DO UPDATE SET title = excluded.title, last_seen_ms = excluded.last_seen_ms",
    )
    .bind(game_id)
    .bind(title)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The stored title of a game seen in the affiliate data, if it was seen.
pub async fn title_of(
    conn: &mut AnyConnection,
    game_id: &str,
) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT title FROM games WHERE game_id = $1")
        .bind(game_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Games whose id or title contains `needle` (case-insensitive), most
/// recently seen first.
pub async fn search(
    conn: &mut AnyConnection,
    needle: &str,
    limit: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    let pattern = format!("%{}%", needle.to_lowercase().replace(['%', '_'], ""));
    let rows = sqlx::query(
        "SELECT game_id, title FROM games WHERE LOWER(game_id) LIKE $1 OR LOWER(title) LIKE $1 \
         ORDER BY last_seen_ms DESC, game_id LIMIT $2",
    )
    .bind(pattern)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}
