//! What the administrators' dashboard reads: each figure one query, bounded by an index or
//! a cap, so that the page stays cheap on a large instance (docs/BENCHMARKS.md, `dashboard`).
//!
//! Counts of queues are capped at [`COUNT_CAP`] rows: past it the page says "more than", and
//! counting a backlog of millions costs no more than counting the cap.

use super::Result;
use sqlx::{AnyPool, FromRow};

/// The most rows a queue's count reads.
pub const COUNT_CAP: i64 = 100_000;

/// Local accounts by state: (state, count).
pub async fn users_by_state(db: &AnyPool) -> Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT state, COUNT(*) FROM users GROUP BY state ORDER BY state")
        .fetch_all(db)
        .await
}

/// Local people who used the server in the week starting at `week`.
pub async fn active_in_week(db: &AnyPool, week: i64) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM weekly_logins WHERE week = $1")
        .bind(week)
        .fetch_one(db)
        .await
}

/// A queue's size (capped at [`COUNT_CAP`]) and when its oldest row was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Queue {
    /// Rows waiting, at most [`COUNT_CAP`].
    pub count: i64,
    /// When the oldest was made (Unix microseconds), when there is one.
    pub oldest_at: Option<i64>,
}

async fn queue(db: &AnyPool, count_sql: &'static str, oldest_sql: &'static str) -> Result<Queue> {
    let count: i64 = sqlx::query_scalar(count_sql)
        .bind(COUNT_CAP)
        .fetch_one(db)
        .await?;
    let oldest_at: Option<i64> = sqlx::query_scalar(oldest_sql).fetch_optional(db).await?;
    Ok(Queue { count, oldest_at })
}

/// Incoming activities waiting to be processed (`inbox_queue_ready` index).
pub async fn inbox(db: &AnyPool) -> Result<Queue> {
    queue(
        db,
        "SELECT COUNT(*) FROM (SELECT 1 FROM inbox_queue WHERE state = 'queued' LIMIT $1) q",
        "SELECT received_at FROM inbox_queue WHERE state = 'queued' ORDER BY id LIMIT 1",
    )
    .await
}

/// Reports waiting for a moderator (`reports_open` index), capped at [`COUNT_CAP`].
pub async fn open_reports(db: &AnyPool) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM reports WHERE action_taken_at IS NULL LIMIT $1) q",
    )
    .bind(COUNT_CAP)
    .fetch_one(db)
    .await
}

/// Incoming activities given up on (kept for the record until purged).
pub async fn inbox_failed(db: &AnyPool) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM inbox_queue WHERE state = 'failed' LIMIT $1) q",
    )
    .bind(COUNT_CAP)
    .fetch_one(db)
    .await
}

/// Changes recorded by services, not yet turned into activities.
pub async fn outbox(db: &AnyPool) -> Result<Queue> {
    queue(
        db,
        "SELECT COUNT(*) FROM (SELECT 1 FROM outbox_events LIMIT $1) q",
        "SELECT created_at FROM outbox_events ORDER BY id LIMIT 1",
    )
    .await
}

/// Deliveries to other servers still to make (ids grow with time: the oldest is the first).
pub async fn deliveries(db: &AnyPool) -> Result<Queue> {
    queue(
        db,
        "SELECT COUNT(*) FROM (SELECT 1 FROM deliveries LIMIT $1) q",
        "SELECT created_at FROM deliveries ORDER BY id LIMIT 1",
    )
    .await
}

/// E-mails still to send.
pub async fn mail(db: &AnyPool) -> Result<Queue> {
    queue(
        db,
        "SELECT COUNT(*) FROM (SELECT 1 FROM mail_queue LIMIT $1) q",
        "SELECT created_at FROM mail_queue ORDER BY id LIMIT 1",
    )
    .await
}

/// Web pushes still to send.
pub async fn pushes(db: &AnyPool) -> Result<Queue> {
    queue(
        db,
        "SELECT COUNT(*) FROM (SELECT 1 FROM push_deliveries LIMIT $1) q",
        "SELECT created_at FROM push_deliveries ORDER BY id LIMIT 1",
    )
    .await
}

/// A host our deliveries fail to reach.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct HostRow {
    pub host: String,
    pub failing_since: i64,
    pub parked_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub last_failure_at: Option<i64>,
    /// Deliveries waiting for it (capped at [`COUNT_CAP`]).
    pub waiting: i64,
}

/// How many hosts are failing, and how many of them are parked.
pub async fn host_counts(db: &AnyPool) -> Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT \
         (SELECT COUNT(*) FROM hosts WHERE failing_since IS NOT NULL), \
         (SELECT COUNT(*) FROM hosts WHERE parked_at IS NOT NULL)",
    )
    .fetch_one(db)
    .await
}

/// The `limit` hosts failing longest, with their waiting deliveries (`deliveries_host`).
pub async fn failing_hosts(db: &AnyPool, limit: i64) -> Result<Vec<HostRow>> {
    sqlx::query_as(
        "SELECT h.host, h.failing_since, h.parked_at, h.last_success_at, h.last_failure_at, \
         (SELECT COUNT(*) FROM (SELECT 1 FROM deliveries d WHERE d.host = h.host LIMIT $2) q) \
           AS waiting \
         FROM hosts h WHERE h.failing_since IS NOT NULL \
         ORDER BY h.failing_since, h.host LIMIT $1",
    )
    .bind(limit)
    .bind(COUNT_CAP)
    .fetch_all(db)
    .await
}

/// Media files kept: count and bytes, for uploads here and copies of other servers' media.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromRow)]
pub struct MediaUsage {
    pub local_files: i64,
    pub local_bytes: i64,
    pub remote_files: i64,
    pub remote_bytes: i64,
}

/// What the media table says is stored (the store, a folder or a bucket, holds these files;
/// previews are not counted, the table has no size for them).
pub async fn media(db: &AnyPool) -> Result<MediaUsage> {
    sqlx::query_as(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN remote_url IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) \
           AS local_files, \
         CAST(COALESCE(SUM(CASE WHEN remote_url IS NULL THEN file_size ELSE 0 END), 0) AS BIGINT) \
           AS local_bytes, \
         CAST(COALESCE(SUM(CASE WHEN remote_url IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT) \
           AS remote_files, \
         CAST(COALESCE(SUM(CASE WHEN remote_url IS NULL THEN 0 ELSE file_size END), 0) AS BIGINT) \
           AS remote_bytes \
         FROM media WHERE file_key IS NOT NULL AND state <> 'removed'",
    )
    .fetch_one(db)
    .await
}

/// The database's size on disk in bytes: SQLite's pages (the main file; the write-ahead log
/// is bounded apart), PostgreSQL's `pg_database_size`. The one figure whose query differs
/// between the backends: neither has the other's.
pub async fn database_bytes(db: &super::Db) -> Result<i64> {
    let sql = match db.backend() {
        super::Backend::Sqlite => {
            "SELECT p.page_count * s.page_size FROM pragma_page_count() p, pragma_page_size() s"
        }
        super::Backend::Postgres => "SELECT CAST(pg_database_size(current_database()) AS BIGINT)",
    };
    sqlx::query_scalar(sql).fetch_one(db.pool()).await
}
