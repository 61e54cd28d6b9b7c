//! Scheduled posts (`scheduled_statuses`): what a person asked to publish later, the media
//! reserved to it (`media.scheduled_status_id`, `used_for = 'scheduled'`), and the claims of
//! the worker that publishes them. A row is claimed with a lease (and the claiming process's
//! heartbeat), and published in the transaction that deletes it: exactly once, whichever
//! process does it, and again after a crash if the transaction did not commit.

use super::{Backend, Result, federation::Claim, placeholders, statuses::Page};
use sqlx::{AnyPool, FromRow};

/// A scheduled post.
#[derive(Debug, Clone, FromRow)]
pub struct ScheduledRow {
    pub id: i64,
    pub account_id: i64,
    /// When it is to be published (Unix microseconds).
    pub scheduled_at: i64,
    /// What was asked, as JSON (`service::scheduled::Params`).
    pub params: String,
    /// Why it could not be published, when it could not (a translation key).
    pub error: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, account_id, scheduled_at, params, error, created_at";

/// A new scheduled post.
pub struct NewScheduled<'a> {
    pub id: i64,
    pub account_id: i64,
    pub scheduled_at: i64,
    pub params: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub now: i64,
}

/// Records a scheduled post and reserves its media to it; false (the caller rolls back)
/// when a medium is no longer free.
pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    new: &NewScheduled<'_>,
    media_ids: &[i64],
) -> Result<bool> {
    sqlx::query(
        "INSERT INTO scheduled_statuses (id, account_id, scheduled_at, params, \
         idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new.id)
    .bind(new.account_id)
    .bind(new.scheduled_at)
    .bind(new.params)
    .bind(new.idempotency_key)
    .bind(new.now)
    .execute(&mut *conn)
    .await?;
    for id in media_ids {
        let done = sqlx::query(
            "UPDATE media SET used_for = 'scheduled', scheduled_status_id = $2, updated_at = $4 \
             WHERE id = $1 AND account_id = $3 AND used_for = 'none' AND state = 'ready' \
             AND remote_url IS NULL",
        )
        .bind(*id)
        .bind(new.id)
        .bind(new.account_id)
        .bind(new.now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A scheduled post already asked for with this Idempotency-Key.
pub async fn by_idempotency_key(
    db: &AnyPool,
    account_id: i64,
    key: &str,
) -> Result<Option<ScheduledRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM scheduled_statuses WHERE account_id = $1 AND idempotency_key = $2"
    )))
    .bind(account_id)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// One of a person's scheduled posts.
pub async fn get(db: &AnyPool, account_id: i64, id: i64) -> Result<Option<ScheduledRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM scheduled_statuses WHERE id = $1 AND account_id = $2"
    )))
    .bind(id)
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// A page of a person's scheduled posts, newest first (by id, as Mastodon pages them).
pub async fn list(db: &AnyPool, account_id: i64, page: &Page) -> Result<Vec<ScheduledRow>> {
    let (lower, order) = page.bounds();
    let sql = format!(
        "SELECT {COLUMNS} FROM scheduled_statuses WHERE account_id = $1 \
         AND ($2 IS NULL OR id < $2) AND ($3 IS NULL OR id > $3) ORDER BY id {order} LIMIT $4"
    );
    let mut rows: Vec<ScheduledRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
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

/// How many posts a person has scheduled, in all and between two times.
pub async fn counts(db: &AnyPool, account_id: i64, from: i64, until: i64) -> Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN scheduled_at >= $2 AND scheduled_at < $3 \
         THEN 1 ELSE 0 END), 0) AS BIGINT) FROM scheduled_statuses WHERE account_id = $1",
    )
    .bind(account_id)
    .bind(from)
    .bind(until)
    .fetch_one(db)
    .await
}

/// Moves a scheduled post to another time (and lets it be tried again if it had failed).
pub async fn reschedule(db: &AnyPool, account_id: i64, id: i64, at: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE scheduled_statuses SET scheduled_at = $3, error = NULL \
         WHERE id = $1 AND account_id = $2",
    )
    .bind(id)
    .bind(account_id)
    .bind(at)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The media a scheduled post holds, in the order asked.
pub async fn media_of<'e>(db: impl sqlx::AnyExecutor<'e>, id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM media WHERE scheduled_status_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(db)
        .await
}

/// The media of several scheduled posts: (scheduled post, medium).
pub async fn media_of_many(db: &AnyPool, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT scheduled_status_id, id FROM media WHERE scheduled_status_id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Gives a scheduled post's media back (unattached uploads again), in `conn`'s transaction.
async fn release_media(conn: &mut sqlx::AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE media SET used_for = 'none', scheduled_status_id = NULL, updated_at = $2 \
         WHERE scheduled_status_id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Cancels a person's scheduled post: its media become unattached uploads again.
pub async fn delete(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    id: i64,
    now: i64,
) -> Result<bool> {
    release_media(conn, id, now).await?;
    let done = sqlx::query("DELETE FROM scheduled_statuses WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims scheduled posts that are due: not failed, not held by a live claim.
pub async fn claim(
    db: &AnyPool,
    backend: Backend,
    claim: &Claim<'_>,
    limit: i64,
) -> Result<Vec<ScheduledRow>> {
    let free = "(locked_until IS NULL OR locked_until < $1 OR NOT EXISTS \
                (SELECT 1 FROM processes p WHERE p.id = locked_by AND p.heartbeat_at > $4))";
    let skip = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    // The outer conditions repeat the inner ones: on PostgreSQL, a row another process
    // claimed meanwhile is checked again and left out.
    let sql = format!(
        "UPDATE scheduled_statuses SET locked_until = $2, locked_by = $5 \
         WHERE id IN (SELECT id FROM scheduled_statuses WHERE scheduled_at <= $1 \
         AND error IS NULL AND {free} ORDER BY scheduled_at LIMIT $3{skip}) \
         AND error IS NULL AND {free} RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(claim.now)
        .bind(claim.lease_until)
        .bind(limit)
        .bind(claim.stale_before)
        .bind(claim.process)
        .fetch_all(db)
        .await
}

/// Takes a claimed scheduled post for publication, in the transaction that publishes it:
/// its media become free for the post, and the row goes. False when it is no longer this
/// process's (cancelled, or taken by another after the claim was lost).
pub async fn take(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    process: &str,
    now: i64,
) -> Result<bool> {
    release_media(conn, id, now).await?;
    let done = sqlx::query("DELETE FROM scheduled_statuses WHERE id = $1 AND locked_by = $2")
        .bind(id)
        .bind(process)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Records why a scheduled post could not be published; it waits for its author (who may
/// change its time, which tries again, or cancel it).
pub async fn set_error(db: &AnyPool, id: i64, key: &str) -> Result<()> {
    sqlx::query(
        "UPDATE scheduled_statuses SET error = $2, locked_by = NULL, locked_until = NULL \
         WHERE id = $1",
    )
    .bind(id)
    .bind(key)
    .execute(db)
    .await?;
    Ok(())
}

/// Gives a claim back (a failure that may pass: the next round tries again).
pub async fn release(db: &AnyPool, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE scheduled_statuses SET locked_by = NULL, locked_until = NULL WHERE id = $1",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}
