//! `announcements`, `announcement_reads` and `announcement_reactions`: what the instance's
//! administrators announce, who dismissed it, and the reactions it received.

use super::{Result, placeholders};
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// An announcement.
#[derive(Debug, Clone, FromRow)]
pub struct AnnouncementRow {
    /// Its id.
    pub id: i64,
    /// The text as typed.
    pub text: String,
    /// The text rendered (sanitized HTML).
    pub content: String,
    /// The accounts it mentions (comma-separated ids).
    pub mention_ids: String,
    /// The local posts it links to (comma-separated ids).
    pub status_ids: String,
    /// Its hashtags (space-separated, lower case).
    pub tags: String,
    /// When it starts being shown, if it waits.
    pub starts_at: Option<i64>,
    /// When it stops being shown, if it ends.
    pub ends_at: Option<i64>,
    /// 1: its times are whole days.
    pub all_day: i64,
    /// 1: published.
    pub published: i64,
    /// When it was (last) published.
    pub published_at: Option<i64>,
    /// What the streams were told: 0 nothing, 1 shown, 2 ended.
    pub streamed: i64,
    /// When it was written.
    pub created_at: i64,
    /// When it was last changed.
    pub updated_at: i64,
}

impl AnnouncementRow {
    /// The ids of a comma-separated column.
    pub fn ids(column: &str) -> Vec<i64> {
        column
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect()
    }
}

const COLUMNS: &str = "id, text, content, mention_ids, status_ids, tags, starts_at, ends_at, \
     all_day, published, published_at, streamed, created_at, updated_at";

/// The condition of the announcements shown at `$1`: published, started, not ended.
const CURRENT: &str = "published = 1 AND (starts_at IS NULL OR starts_at <= $1) \
     AND (ends_at IS NULL OR ends_at > $1)";

/// Records an announcement (not published).
pub async fn insert(db: impl AnyExecutor<'_>, a: &AnnouncementRow, created_by: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO announcements (id, text, content, mention_ids, status_ids, tags, \
         starts_at, ends_at, all_day, published, published_at, streamed, created_by, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, NULL, 0, $10, $11, $11)",
    )
    .bind(a.id)
    .bind(&a.text)
    .bind(&a.content)
    .bind(&a.mention_ids)
    .bind(&a.status_ids)
    .bind(&a.tags)
    .bind(a.starts_at)
    .bind(a.ends_at)
    .bind(a.all_day)
    .bind(created_by)
    .bind(a.created_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Replaces an announcement's text and window, and what the streams were told of it.
pub async fn update(db: impl AnyExecutor<'_>, a: &AnnouncementRow) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE announcements SET text = $1, content = $2, mention_ids = $3, status_ids = $4, \
         tags = $5, starts_at = $6, ends_at = $7, all_day = $8, streamed = $9, updated_at = $10 \
         WHERE id = $11",
    )
    .bind(&a.text)
    .bind(&a.content)
    .bind(&a.mention_ids)
    .bind(&a.status_ids)
    .bind(&a.tags)
    .bind(a.starts_at)
    .bind(a.ends_at)
    .bind(a.all_day)
    .bind(a.streamed)
    .bind(a.updated_at)
    .bind(a.id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Publishes (`published_at` set) or withdraws an announcement, with what the streams are
/// told of it.
pub async fn set_published(
    db: impl AnyExecutor<'_>,
    id: i64,
    published_at: Option<i64>,
    streamed: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE announcements SET published = $1, published_at = $2, streamed = $3, \
         updated_at = $4 WHERE id = $5",
    )
    .bind(i64::from(published_at.is_some()))
    .bind(published_at)
    .bind(streamed)
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes an announcement (its reads and reactions go with it).
pub async fn delete(db: impl AnyExecutor<'_>, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM announcements WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// One announcement.
pub async fn by_id(db: &AnyPool, id: i64) -> Result<Option<AnnouncementRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM announcements WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Every announcement, the newest first (the administration page).
pub async fn all(db: &AnyPool) -> Result<Vec<AnnouncementRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM announcements ORDER BY id DESC"
    )))
    .fetch_all(db)
    .await
}

/// The announcements shown at `now`, in Mastodon's order (by start, else publication).
pub async fn current(db: &AnyPool, now: i64) -> Result<Vec<AnnouncementRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM announcements WHERE {CURRENT} \
         ORDER BY COALESCE(starts_at, published_at, created_at), id"
    )))
    .bind(now)
    .fetch_all(db)
    .await
}

/// One announcement, if it is shown at `now`.
pub async fn current_by_id(db: &AnyPool, id: i64, now: i64) -> Result<Option<AnnouncementRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM announcements WHERE {CURRENT} AND id = $2"
    )))
    .bind(now)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Which of `ids` `account_id` dismissed.
pub async fn read_ids(db: &AnyPool, account_id: i64, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT announcement_id FROM announcement_reads WHERE account_id = $1 \
         AND announcement_id IN ({})",
        placeholders(2, ids.len())
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(account_id);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Records that `account_id` dismissed an announcement (once).
pub async fn dismiss(db: &AnyPool, account_id: i64, id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO announcement_reads (account_id, announcement_id, created_at) \
         VALUES ($1, $2, $3) ON CONFLICT (account_id, announcement_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// A reaction's name and count on an announcement.
#[derive(Debug, Clone, FromRow)]
pub struct ReactionCount {
    /// The announcement.
    pub announcement_id: i64,
    /// The emoji.
    pub name: String,
    /// How many people reacted so.
    pub count: i64,
}

/// The reactions of `ids`, each announcement's in the order they were first given.
pub async fn reactions(db: &AnyPool, ids: &[i64]) -> Result<Vec<ReactionCount>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT announcement_id, name, COUNT(*) AS count FROM announcement_reactions \
         WHERE announcement_id IN ({}) GROUP BY announcement_id, name \
         ORDER BY announcement_id, MIN(created_at), name",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// The reactions `account_id` gave to `ids`: (announcement, name).
pub async fn my_reactions(
    db: &AnyPool,
    account_id: i64,
    ids: &[i64],
) -> Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT announcement_id, name FROM announcement_reactions WHERE account_id = $1 \
         AND announcement_id IN ({})",
        placeholders(2, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(account_id);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Adds a reaction in `tx` unless the announcement already carries `limit` other names:
/// `Some(true)` when added, `Some(false)` when it was there, `None` when refused. The
/// announcement's row is updated first, so that two reactions at once count one after the
/// other.
pub async fn react(
    tx: &mut sqlx::AnyConnection,
    id: i64,
    account_id: i64,
    name: &str,
    limit: usize,
    now: i64,
) -> Result<Option<bool>> {
    sqlx::query("UPDATE announcements SET id = id WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT name) FROM announcement_reactions \
         WHERE announcement_id = $1 AND name <> $2",
    )
    .bind(id)
    .bind(name)
    .fetch_one(&mut *tx)
    .await?;
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM announcement_reactions WHERE announcement_id = $1 AND name = $2 LIMIT 1",
    )
    .bind(id)
    .bind(name)
    .fetch_optional(&mut *tx)
    .await?;
    if exists.is_none() && usize::try_from(others).unwrap_or(usize::MAX) >= limit {
        return Ok(None);
    }
    let done = sqlx::query(
        "INSERT INTO announcement_reactions (announcement_id, account_id, name, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (announcement_id, name, account_id) DO NOTHING",
    )
    .bind(id)
    .bind(account_id)
    .bind(name)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(Some(done.rows_affected() > 0))
}

/// Removes `account_id`'s reaction; whether there was one.
pub async fn unreact(db: &AnyPool, id: i64, account_id: i64, name: &str) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM announcement_reactions \
         WHERE announcement_id = $1 AND account_id = $2 AND name = $3",
    )
    .bind(id)
    .bind(account_id)
    .bind(name)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// How many people reacted to `id` with `name`.
pub async fn reaction_count(db: &AnyPool, id: i64, name: &str) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM announcement_reactions WHERE announcement_id = $1 AND name = $2",
    )
    .bind(id)
    .bind(name)
    .fetch_one(db)
    .await
}

/// Claims the published announcements that started being shown and whose start the streams
/// were not told: each is returned to one caller only, whichever process asks.
pub async fn claim_started(db: &AnyPool, now: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "UPDATE announcements SET streamed = 1 WHERE streamed = 0 AND {CURRENT} RETURNING id"
    )))
    .bind(now)
    .fetch_all(db)
    .await
}

/// Claims the shown announcements that ended (once each, as [`claim_started`]).
pub async fn claim_ended(db: &AnyPool, now: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "UPDATE announcements SET streamed = 2 WHERE published = 1 AND streamed = 1 \
         AND ends_at IS NOT NULL AND ends_at <= $1 RETURNING id",
    )
    .bind(now)
    .fetch_all(db)
    .await
}
