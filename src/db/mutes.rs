//! `mutes`: the accounts a person mutes, for a while or for good, with or without their
//! notifications. A mute past its `expires_at` is ignored by every read, and the hourly chores
//! delete it.

use super::{Result, placeholders};
use sqlx::{AnyPool, FromRow};

/// A mute.
#[derive(Debug, Clone, FromRow)]
pub struct MuteRow {
    /// Its id (pages `GET /api/v1/mutes`).
    pub id: i64,
    /// Who mutes.
    pub account_id: i64,
    /// Who is muted.
    pub target_account_id: i64,
    /// 1: their notifications are not created either.
    pub notifications: i64,
    /// When it ends (Unix microseconds), if it does.
    pub expires_at: Option<i64>,
}

/// Mutes an account, or changes an existing mute (Mastodon's mute is an upsert).
pub async fn upsert(db: &AnyPool, mute: &MuteRow, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO mutes (id, account_id, target_account_id, notifications, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (account_id, target_account_id) \
         DO UPDATE SET notifications = excluded.notifications, expires_at = excluded.expires_at",
    )
    .bind(mute.id)
    .bind(mute.account_id)
    .bind(mute.target_account_id)
    .bind(mute.notifications)
    .bind(mute.expires_at)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Lifts a mute.
pub async fn delete(db: &AnyPool, account_id: i64, target: i64) -> Result<()> {
    sqlx::query("DELETE FROM mutes WHERE account_id = $1 AND target_account_id = $2")
        .bind(account_id)
        .bind(target)
        .execute(db)
        .await?;
    Ok(())
}

/// `account_id`'s mute of `target`, if it is in force at `now`.
pub async fn get(db: &AnyPool, account_id: i64, target: i64, now: i64) -> Result<Option<MuteRow>> {
    sqlx::query_as(
        "SELECT id, account_id, target_account_id, notifications, expires_at FROM mutes \
         WHERE account_id = $1 AND target_account_id = $2 \
         AND (expires_at IS NULL OR expires_at > $3)",
    )
    .bind(account_id)
    .bind(target)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// A page of the mutes in force: newest first, below `max_id` and above `since_id`.
pub async fn page(
    db: &AnyPool,
    account_id: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
    now: i64,
) -> Result<Vec<MuteRow>> {
    sqlx::query_as(
        "SELECT id, account_id, target_account_id, notifications, expires_at FROM mutes \
         WHERE account_id = $1 AND (expires_at IS NULL OR expires_at > $2) \
         AND ($3 IS NULL OR id < $3) AND ($4 IS NULL OR id > $4) ORDER BY id DESC LIMIT $5",
    )
    .bind(account_id)
    .bind(now)
    .bind(max_id)
    .bind(since_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Who mutes each of `authors` at `now`: (muter, muted) pairs, for the live streams.
pub async fn muters_of(db: &AnyPool, authors: &[i64], now: i64) -> Result<Vec<(i64, i64)>> {
    if authors.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT account_id, target_account_id FROM mutes \
         WHERE (expires_at IS NULL OR expires_at > $1) AND target_account_id IN ({})",
        placeholders(2, authors.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(now);
    for id in authors {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Deletes the mutes that ended before `now`.
pub async fn delete_expired(db: &AnyPool, now: i64) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM mutes WHERE expires_at IS NOT NULL AND expires_at <= $1")
            .bind(now)
            .execute(db)
            .await?
            .rows_affected(),
    )
}
