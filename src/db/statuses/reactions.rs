//! Likes (`favourites`), who liked and who boosted a post, and the counts shown next to posts
//! (`status_stats`, kept by triggers).

use crate::db::{Result, placeholders};
use sqlx::{AnyPool, FromRow};

/// A favourite.
#[derive(Debug, Clone, FromRow)]
pub struct FavouriteRow {
    /// Its id (pages "favourited by").
    pub id: i64,
    /// Who.
    pub account_id: i64,
    /// Which post.
    pub status_id: i64,
    /// The Like activity's id.
    pub uri: Option<String>,
}

/// Records a favourite; returns false when it already existed.
pub async fn insert_favourite(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    status_id: i64,
    uri: Option<&str>,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO favourites (account_id, status_id, uri, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(status_id)
    .bind(uri)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A favourite by account and post.
pub async fn favourite(
    db: &AnyPool,
    account_id: i64,
    status_id: i64,
) -> Result<Option<FavouriteRow>> {
    sqlx::query_as("SELECT id, account_id, status_id, uri FROM favourites WHERE account_id = $1 AND status_id = $2")
        .bind(account_id)
        .bind(status_id)
        .fetch_optional(db)
        .await
}

/// A favourite by its Like activity's id.
pub async fn favourite_by_uri(db: &AnyPool, uri: &str) -> Result<Option<FavouriteRow>> {
    sqlx::query_as("SELECT id, account_id, status_id, uri FROM favourites WHERE uri = $1")
        .bind(uri)
        .fetch_optional(db)
        .await
}

/// Removes a favourite.
pub async fn delete_favourite(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM favourites WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Who favourited a post (favourite id, account id), newest first, paged by favourite id.
pub async fn favourited_by(
    db: &AnyPool,
    status_id: i64,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT id, account_id FROM favourites WHERE status_id = $1 AND ($2 IS NULL OR id < $2) \
         ORDER BY id DESC LIMIT $3",
    )
    .bind(status_id)
    .bind(max_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Who boosted a post (boost id, account id), newest first, paged by boost id.
pub async fn reblogged_by(
    db: &AnyPool,
    status_id: i64,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT id, account_id FROM statuses WHERE reblog_of_id = $1 AND ($2 IS NULL OR id < $2) \
         ORDER BY id DESC LIMIT $3",
    )
    .bind(status_id)
    .bind(max_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// What is counted next to a post, and what its viewer did with it.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct StatusCounts {
    /// The post.
    pub id: i64,
    /// Answers.
    pub replies: i64,
    /// Boosts.
    pub reblogs: i64,
    /// Likes.
    pub favourites: i64,
    /// 1 when the viewer liked it.
    pub favourited: i64,
    /// 1 when the viewer boosted it.
    pub reblogged: i64,
}

/// The counts of many posts (kept by triggers, migration 0011), and what `viewer` (0: nobody)
/// did with them, in one query. A mission's shifts answer it on the wire but are part of it,
/// not answers: they are taken off its count (through `events_mission`, empty for any other
/// post).
pub async fn counts_of(db: &AnyPool, viewer: i64, status_ids: &[i64]) -> Result<Vec<StatusCounts>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(2, status_ids.len());
    let sql = format!(
        "SELECT s.id, COALESCE(st.replies, 0) - (SELECT COUNT(*) FROM events sh \
           JOIN statuses r ON r.id = sh.status_id WHERE sh.mission_id = s.id \
           AND r.in_reply_to_id = s.id) AS replies, COALESCE(st.reblogs, 0) AS reblogs, \
           COALESCE(st.favourites, 0) AS favourites, \
           (SELECT COUNT(*) FROM favourites f WHERE f.account_id = $1 AND f.status_id = s.id) \
             AS favourited, \
           (SELECT COUNT(*) FROM statuses b WHERE b.reblog_of_id = s.id AND b.account_id = $1) \
             AS reblogged \
         FROM statuses s LEFT JOIN status_stats st ON st.status_id = s.id \
         WHERE s.id IN ({list})"
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(viewer);
    for id in status_ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Counts every post's answers, boosts and likes again from the rows (the triggers of
/// migration 0011 keep them otherwise): for data loaded with the triggers disabled, or counts
/// that drifted. Returns how many posts have something to count.
pub async fn recount_stats(conn: &mut sqlx::AnyConnection) -> Result<u64> {
    sqlx::query("DELETE FROM status_stats")
        .execute(&mut *conn)
        .await?;
    let written = sqlx::query(
        "INSERT INTO status_stats (status_id, replies, reblogs, favourites) \
         SELECT s.id, \
           (SELECT COUNT(*) FROM statuses r WHERE r.in_reply_to_id = s.id), \
           (SELECT COUNT(*) FROM statuses b WHERE b.reblog_of_id = s.id), \
           (SELECT COUNT(*) FROM favourites f WHERE f.status_id = s.id) \
         FROM statuses s \
         WHERE EXISTS (SELECT 1 FROM statuses r WHERE r.in_reply_to_id = s.id) \
            OR EXISTS (SELECT 1 FROM statuses b WHERE b.reblog_of_id = s.id) \
            OR EXISTS (SELECT 1 FROM favourites f WHERE f.status_id = s.id)",
    )
    .execute(&mut *conn)
    .await?;
    Ok(written.rows_affected())
}
