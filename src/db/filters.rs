//! `filters`, `filter_keywords` and `filter_statuses`: Mastodon's filters v2, each with its
//! keywords and posts.

use super::Result;
use sqlx::{AnyPool, FromRow};

/// A filter.
#[derive(Debug, Clone, FromRow)]
pub struct FilterRow {
    /// Its id.
    pub id: i64,
    /// Its owner.
    pub account_id: i64,
    /// Its name.
    pub title: String,
    /// The contexts where it applies, space-separated.
    pub context: String,
    /// `warn`, `hide` or `blur`.
    pub action: String,
    /// When it stops applying, if it does.
    pub expires_at: Option<i64>,
}

/// A keyword of a filter.
#[derive(Debug, Clone, FromRow)]
pub struct KeywordRow {
    /// Its id.
    pub id: i64,
    /// Its filter.
    pub filter_id: i64,
    /// The words matched.
    pub keyword: String,
    /// 1: matched at word boundaries only.
    pub whole_word: i64,
}

/// A post a filter matches.
#[derive(Debug, Clone, FromRow)]
pub struct FilterStatusRow {
    /// Its id.
    pub id: i64,
    /// Its filter.
    pub filter_id: i64,
    /// The post.
    pub status_id: i64,
}

const FILTER: &str = "id, account_id, title, context, action, expires_at";

/// Records a filter.
pub async fn insert(conn: &mut sqlx::AnyConnection, f: &FilterRow, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO filters (id, account_id, title, context, action, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(f.id)
    .bind(f.account_id)
    .bind(&f.title)
    .bind(&f.context)
    .bind(&f.action)
    .bind(f.expires_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Changes a filter's title, contexts, action and end.
pub async fn update(conn: &mut sqlx::AnyConnection, f: &FilterRow) -> Result<()> {
    sqlx::query(
        "UPDATE filters SET title = $1, context = $2, action = $3, expires_at = $4 \
         WHERE id = $5 AND account_id = $6",
    )
    .bind(&f.title)
    .bind(&f.context)
    .bind(&f.action)
    .bind(f.expires_at)
    .bind(f.id)
    .bind(f.account_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes one of `owner`'s filters (with its keywords and posts).
pub async fn delete(conn: &mut sqlx::AnyConnection, owner: i64, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM filters WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(owner)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// One of `owner`'s filters.
pub async fn get(db: impl sqlx::AnyExecutor<'_>, owner: i64, id: i64) -> Result<Option<FilterRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FILTER} FROM filters WHERE id = $1 AND account_id = $2"
    )))
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await
}

/// `owner`'s filters, oldest first; with `active_at`, only those not expired then.
pub async fn of_owner(db: &AnyPool, owner: i64, active_at: Option<i64>) -> Result<Vec<FilterRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FILTER} FROM filters WHERE account_id = $1 \
         AND ($2 IS NULL OR expires_at IS NULL OR expires_at > $2) ORDER BY id"
    )))
    .bind(owner)
    .bind(active_at)
    .fetch_all(db)
    .await
}

/// The keywords of `owner`'s filters (of one filter with `filter_id`), oldest first.
pub async fn keywords(
    db: impl sqlx::AnyExecutor<'_>,
    owner: i64,
    filter_id: Option<i64>,
) -> Result<Vec<KeywordRow>> {
    sqlx::query_as(
        "SELECT k.id, k.filter_id, k.keyword, k.whole_word FROM filter_keywords k \
         JOIN filters f ON f.id = k.filter_id WHERE f.account_id = $1 \
         AND ($2 IS NULL OR k.filter_id = $2) ORDER BY k.id",
    )
    .bind(owner)
    .bind(filter_id)
    .fetch_all(db)
    .await
}

/// One keyword of `owner`'s filters.
pub async fn keyword(
    db: impl sqlx::AnyExecutor<'_>,
    owner: i64,
    id: i64,
) -> Result<Option<KeywordRow>> {
    sqlx::query_as(
        "SELECT k.id, k.filter_id, k.keyword, k.whole_word FROM filter_keywords k \
         JOIN filters f ON f.id = k.filter_id WHERE f.account_id = $1 AND k.id = $2",
    )
    .bind(owner)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Adds a keyword to a filter.
pub async fn insert_keyword(
    conn: &mut sqlx::AnyConnection,
    k: &KeywordRow,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO filter_keywords (id, filter_id, keyword, whole_word, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(k.id)
    .bind(k.filter_id)
    .bind(&k.keyword)
    .bind(k.whole_word)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Changes a keyword of a filter.
pub async fn update_keyword(conn: &mut sqlx::AnyConnection, k: &KeywordRow) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE filter_keywords SET keyword = $1, whole_word = $2 WHERE id = $3 AND filter_id = $4",
    )
    .bind(&k.keyword)
    .bind(k.whole_word)
    .bind(k.id)
    .bind(k.filter_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes a keyword of a filter.
pub async fn delete_keyword(
    conn: &mut sqlx::AnyConnection,
    filter_id: i64,
    id: i64,
) -> Result<bool> {
    let done = sqlx::query("DELETE FROM filter_keywords WHERE id = $1 AND filter_id = $2")
        .bind(id)
        .bind(filter_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The posts of `owner`'s filters (of one filter with `filter_id`), oldest first.
pub async fn statuses(
    db: &AnyPool,
    owner: i64,
    filter_id: Option<i64>,
) -> Result<Vec<FilterStatusRow>> {
    sqlx::query_as(
        "SELECT fs.id, fs.filter_id, fs.status_id FROM filter_statuses fs \
         JOIN filters f ON f.id = fs.filter_id WHERE f.account_id = $1 \
         AND ($2 IS NULL OR fs.filter_id = $2) ORDER BY fs.id",
    )
    .bind(owner)
    .bind(filter_id)
    .fetch_all(db)
    .await
}

/// One post of `owner`'s filters.
pub async fn status(db: &AnyPool, owner: i64, id: i64) -> Result<Option<FilterStatusRow>> {
    sqlx::query_as(
        "SELECT fs.id, fs.filter_id, fs.status_id FROM filter_statuses fs \
         JOIN filters f ON f.id = fs.filter_id WHERE f.account_id = $1 AND fs.id = $2",
    )
    .bind(owner)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Adds a post to a filter; `false` when the filter already has it.
pub async fn insert_status(db: &AnyPool, s: &FilterStatusRow, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO filter_statuses (id, filter_id, status_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(s.id)
    .bind(s.filter_id)
    .bind(s.status_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes a post of a filter.
pub async fn delete_status(db: &AnyPool, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM filter_statuses WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}
