//! Hashtags people follow (`followed_tags`) and feature on their profile (`featured_tags`),
//! and what is counted about a tag: its use per day, a person's use of it. Names are stored
//! as `status_tags` stores them (lower case, without `#`).
//!
//! Every count reads public posts only (never a followers-only or direct post, never a
//! group's closed circle, stored with visibility `group`): what was said there is not told.

use super::{Result, placeholders, statuses::Page};
use sqlx::AnyPool;

/// Follows a tag; false when it was followed already.
pub async fn follow(
    db: &mut sqlx::AnyConnection,
    account_id: i64,
    name: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO followed_tags (account_id, name, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, name) DO NOTHING",
    )
    .bind(account_id)
    .bind(name)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Stops following a tag; false when it was not followed.
pub async fn unfollow(db: &AnyPool, account_id: i64, name: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM followed_tags WHERE account_id = $1 AND name = $2")
        .bind(account_id)
        .bind(name)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Which of `names` an account follows.
pub async fn followed_among(
    db: &AnyPool,
    account_id: i64,
    names: &[String],
) -> Result<Vec<String>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT name FROM followed_tags WHERE account_id = $1 AND name IN ({})",
        placeholders(2, names.len())
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(account_id);
    for n in names {
        q = q.bind(n.as_str());
    }
    q.fetch_all(db).await
}

/// Which of `names` someone here follows (by the `followed_tags_name` index).
pub async fn followed_here(
    db: impl sqlx::AnyExecutor<'_>,
    names: &[String],
) -> Result<Vec<String>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT name FROM followed_tags WHERE name IN ({})",
        placeholders(1, names.len())
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
    for n in names {
        q = q.bind(n.as_str());
    }
    q.fetch_all(db).await
}

/// The tags an account follows, at most `limit`, oldest first.
pub async fn followed_names(db: &AnyPool, account_id: i64, limit: i64) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT name FROM followed_tags WHERE account_id = $1 ORDER BY id LIMIT $2")
        .bind(account_id)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// How many tags an account follows, its row taken for the rest of the transaction first (as
/// [`featured_count`]), so that two follows at once keep the limit.
pub async fn followed_count(conn: &mut sqlx::AnyConnection, account_id: i64) -> Result<i64> {
    sqlx::query("UPDATE accounts SET updated_at = updated_at WHERE id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT COUNT(*) FROM followed_tags WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&mut *conn)
        .await
}

/// A page of the tags an account follows, by the follow's id (newest first): (id, name).
pub async fn followed(db: &AnyPool, account_id: i64, page: Page) -> Result<Vec<(i64, String)>> {
    let (lower, order) = page.bounds();
    let sql = format!(
        "SELECT id, name FROM followed_tags WHERE account_id = $1 \
         AND ($2 IS NULL OR id < $2) AND ($3 IS NULL OR id > $3) ORDER BY id {order} LIMIT $4"
    );
    let mut rows: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(account_id)
        .bind(page.max_id)
        .bind(lower)
        .bind(page.limit)
        .fetch_all(db)
        .await?;
    if order == "ASC" {
        rows.reverse();
    }
    Ok(rows)
}

/// Per tag of `names` and day (days of `day` microseconds from `origin`, numbered from 0): the
/// public posts (not boosts) carrying it, from here and elsewhere, by accounts not deleted, and
/// how many people wrote them: (name, day, uses, accounts). `first_id` is the smallest post id
/// written at `origin`, so that older posts are not read.
pub async fn history(
    db: &AnyPool,
    names: &[String],
    first_id: i64,
    origin: i64,
    day: i64,
) -> Result<Vec<(String, i64, i64, i64)>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT t.name, (s.created_at - $2) / $3 AS d, COUNT(*), COUNT(DISTINCT s.account_id) \
         FROM status_tags t JOIN statuses s ON s.id = t.status_id \
         JOIN accounts a ON a.id = s.account_id \
         WHERE t.status_id >= $1 AND s.visibility = 'public' AND s.reblog_of_id IS NULL \
         AND a.deleted_at IS NULL AND s.created_at >= $2 AND t.name IN ({}) \
         GROUP BY 1, 2",
        placeholders(4, names.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(first_id)
        .bind(origin)
        .bind(day);
    for n in names {
        q = q.bind(n.as_str());
    }
    q.fetch_all(db).await
}

/// A featured tag, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeaturedRow {
    /// Its id.
    pub id: i64,
    /// The account featuring it.
    pub account_id: i64,
    /// The tag.
    pub name: String,
    /// When it was featured.
    pub created_at: i64,
}

/// How many tags an account features, its row taken for the rest of the transaction first: two
/// additions at once (two processes on one PostgreSQL database) wait for each other, so the
/// limit holds (PostgreSQL locks the row; SQLite takes its write lock now).
pub async fn featured_count(conn: &mut sqlx::AnyConnection, account_id: i64) -> Result<i64> {
    sqlx::query("UPDATE accounts SET updated_at = updated_at WHERE id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT COUNT(*) FROM featured_tags WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&mut *conn)
        .await
}

/// Features a tag (or finds it featured already): its row.
pub async fn feature(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    name: &str,
    now: i64,
) -> Result<FeaturedRow> {
    sqlx::query(
        "INSERT INTO featured_tags (account_id, name, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, name) DO NOTHING",
    )
    .bind(account_id)
    .bind(name)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(
        "SELECT id, account_id, name, created_at FROM featured_tags \
         WHERE account_id = $1 AND name = $2",
    )
    .bind(account_id)
    .bind(name)
    .fetch_one(&mut *conn)
    .await
}

/// Whether an account features a tag.
pub async fn is_featured(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    name: &str,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM featured_tags WHERE account_id = $1 AND name = $2",
    )
    .bind(account_id)
    .bind(name)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// An account's featured tags, in the order they were added.
pub async fn featured(db: &AnyPool, account_id: i64) -> Result<Vec<FeaturedRow>> {
    sqlx::query_as(
        "SELECT id, account_id, name, created_at FROM featured_tags WHERE account_id = $1 \
         ORDER BY id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Stops featuring one of an account's featured tags; false when it has none with this id.
pub async fn unfeature(db: &AnyPool, account_id: i64, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM featured_tags WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// For each of `names`, an account's public and unlisted posts (not boosts) carrying it: (name,
/// how many, when the newest was written).
pub async fn use_by(
    db: &AnyPool,
    account_id: i64,
    names: &[String],
) -> Result<Vec<(String, i64, Option<i64>)>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT t.name, COUNT(*), MAX(s.created_at) FROM status_tags t \
         JOIN statuses s ON s.id = t.status_id \
         WHERE s.account_id = $1 AND t.name IN ({}) \
         AND s.visibility IN ('public', 'unlisted') AND s.reblog_of_id IS NULL \
         GROUP BY t.name",
        placeholders(2, names.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(account_id);
    for n in names {
        q = q.bind(n.as_str());
    }
    q.fetch_all(db).await
}

/// The tags an account used most in its public and unlisted posts written from `first_id` on,
/// leaving out those it features: most used first.
pub async fn most_used(
    db: &AnyPool,
    account_id: i64,
    first_id: i64,
    limit: i64,
) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT t.name FROM statuses s JOIN status_tags t ON t.status_id = s.id \
         WHERE s.account_id = $1 AND s.id >= $2 \
         AND s.visibility IN ('public', 'unlisted') AND s.reblog_of_id IS NULL \
         AND NOT EXISTS (SELECT 1 FROM featured_tags ft WHERE ft.account_id = $1 \
                         AND ft.name = t.name) \
         GROUP BY t.name ORDER BY COUNT(*) DESC, MAX(s.id) DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(first_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// For each of the posts that are public (not boosts), the local accounts following one of its
/// tags, other than its author: (post, account) pairs. The streams add them to who has the
/// post in their home timeline, as the home query does.
pub async fn tag_followers(db: &AnyPool, status_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT t.status_id, ft.account_id FROM status_tags t \
         JOIN followed_tags ft ON ft.name = t.name \
         JOIN statuses s ON s.id = t.status_id \
         WHERE t.status_id IN ({}) AND s.visibility = 'public' AND s.reblog_of_id IS NULL \
         AND ft.account_id <> s.account_id",
        placeholders(1, status_ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in status_ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// An account's posts carrying a tag, as [`super::statuses::by_account`] reads its posts
/// (public and unlisted ones, and followers-only ones when `include_private`; `only` as
/// there), newest first: Mastodon's `tagged` of an account's statuses, the page a featured
/// tag links to.
pub async fn by_account_tagged(
    db: &AnyPool,
    account_id: i64,
    include_private: bool,
    name: &str,
    only: super::statuses::AccountPosts,
    page: Page,
) -> Result<Vec<super::statuses::StatusRow>> {
    let (lower, order) = page.bounds();
    let mut filters = String::new();
    if only.exclude_replies {
        filters.push_str(
            " AND (s.in_reply_to_uri IS NULL OR s.in_reply_to_account_id = s.account_id)",
        );
    }
    if only.exclude_reblogs || only.only_media {
        filters.push_str(" AND s.reblog_of_id IS NULL");
    }
    if only.only_media {
        filters.push_str(
            " AND EXISTS (SELECT 1 FROM media m WHERE m.status_id = s.id AND m.state <> 'removed')",
        );
    }
    let sql = format!(
        concat!(
            "SELECT ",
            crate::status_columns!(),
            " FROM status_tags t JOIN statuses s ON s.id = t.status_id \
             WHERE t.name = $1 AND s.account_id = $2 \
             AND (s.visibility IN ('public', 'unlisted') OR ($3 = 1 AND s.visibility = 'private')) \
             {filters} AND ($4 IS NULL OR s.id < $4) AND ($5 IS NULL OR s.id > $5) \
             ORDER BY s.id {order} LIMIT $6"
        ),
        filters = filters,
        order = order
    );
    let mut rows: Vec<super::statuses::StatusRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(name)
        .bind(account_id)
        .bind(super::flag(include_private))
        .bind(page.max_id)
        .bind(lower)
        .bind(page.limit)
        .fetch_all(db)
        .await?;
    if order == "ASC" {
        rows.reverse();
    }
    Ok(rows)
}
