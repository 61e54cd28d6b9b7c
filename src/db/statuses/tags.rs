//! A post's tags, as ActivityPub calls them: the accounts it mentions (`mentions`) and its
//! hashtags (`status_tags`).

use crate::db::{self, Result, placeholders};
use sqlx::AnyPool;

/// Records the accounts a post mentions.
pub async fn insert_mentions(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    account_ids: &[i64],
) -> Result<()> {
    for chunk in db::padded_chunks(account_ids, db::INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO mentions (status_id, account_id) VALUES {} ON CONFLICT DO NOTHING",
            db::rows_sharing_first(chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(status_id);
        for account_id in chunk.iter() {
            q = q.bind(*account_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records the mentions of several posts: (post, account) pairs.
pub async fn insert_mentions_many(
    conn: &mut sqlx::AnyConnection,
    pairs: &[(i64, i64)],
) -> Result<()> {
    for chunk in db::padded_chunks(pairs, db::rows_per_statement(2)) {
        let sql = format!(
            "INSERT INTO mentions (status_id, account_id) VALUES {} ON CONFLICT DO NOTHING",
            db::rows(chunk.len(), 2)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(db::positional(conn, sql)));
        for (status_id, account_id) in chunk.iter() {
            q = q.bind(*status_id).bind(*account_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records the hashtags of several new posts: (post, name) pairs.
pub async fn insert_tags_many(conn: &mut sqlx::AnyConnection, pairs: &[(i64, &str)]) -> Result<()> {
    for chunk in db::padded_chunks(pairs, db::rows_per_statement(2)) {
        let sql = format!(
            "INSERT INTO status_tags (status_id, name) VALUES {} ON CONFLICT DO NOTHING",
            db::rows(chunk.len(), 2)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(db::positional(conn, sql)));
        for (status_id, name) in chunk.iter() {
            q = q.bind(*status_id).bind(*name);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Replaces the mentions of a post (after an edit).
pub async fn replace_mentions(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    account_ids: &[i64],
) -> Result<()> {
    sqlx::query("DELETE FROM mentions WHERE status_id = $1")
        .bind(status_id)
        .execute(&mut *conn)
        .await?;
    insert_mentions(conn, status_id, account_ids).await
}

/// The accounts a post mentions.
pub async fn mentioned_ids(db: impl sqlx::AnyExecutor<'_>, status_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar("SELECT account_id FROM mentions WHERE status_id = $1 ORDER BY account_id")
        .bind(status_id)
        .fetch_all(db)
        .await
}

/// Mentions of many posts: (status id, account id) pairs.
pub async fn mentions_of(db: &AnyPool, status_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT status_id, account_id FROM mentions WHERE status_id IN ({}) ORDER BY account_id",
        placeholders(1, status_ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in status_ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Whether an account is mentioned by a post.
pub async fn is_mentioned(db: &AnyPool, status_id: i64, account_id: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mentions WHERE status_id = $1 AND account_id = $2",
    )
    .bind(status_id)
    .bind(account_id)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Records the hashtags of a post (lower case).
pub async fn replace_tags(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    tags: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM status_tags WHERE status_id = $1")
        .bind(status_id)
        .execute(&mut *conn)
        .await?;
    for chunk in db::padded_chunks(tags, db::INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO status_tags (status_id, name) VALUES {} ON CONFLICT DO NOTHING",
            db::rows_sharing_first(chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(status_id);
        for tag in chunk.iter() {
            q = q.bind(tag);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Hashtags of many posts: (status id, name) pairs.
pub async fn tags_of(db: &AnyPool, status_ids: &[i64]) -> Result<Vec<(i64, String)>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT status_id, name FROM status_tags WHERE status_id IN ({}) ORDER BY name",
        placeholders(1, status_ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in status_ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Hashtags in use that start with `prefix`.
pub async fn search_tags(db: &AnyPool, prefix: &str, limit: i64) -> Result<Vec<String>> {
    let pattern = format!("{}%", prefix.to_lowercase().replace(['%', '_'], ""));
    // Only hashtags someone used in public: a tag used only in a closed circle, a direct or a
    // followers-only post is what was said there (docs/SECURITY.md, rule P3).
    sqlx::query_scalar(
        "SELECT DISTINCT t.name FROM status_tags t WHERE t.name LIKE $1 \
         AND EXISTS (SELECT 1 FROM statuses s WHERE s.id = t.status_id \
                     AND s.visibility IN ('public', 'unlisted')) \
         ORDER BY t.name LIMIT $2",
    )
    .bind(pattern)
    .bind(limit)
    .fetch_all(db)
    .await
}
