//! What the live streams read about a change, in batches: who has a post in their home
//! timeline, who blocks or is blocked by its author, notifications by id.

use super::{Result, placeholders, social::NotificationRow};
use sqlx::AnyPool;

/// The local accounts whose home timeline holds each post: (post, account) pairs.
pub async fn feed_readers(db: &AnyPool, status_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT status_id, account_id FROM feeds WHERE status_id IN ({})",
        placeholders(1, status_ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in status_ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// The blocks each of `account_ids` takes part in, either way: (blocker, blocked) pairs.
pub async fn blocks_around(db: &AnyPool, account_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, account_ids.len());
    let sql = format!(
        "SELECT account_id, target_account_id FROM blocks \
         WHERE account_id IN ({list}) OR target_account_id IN ({list})"
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in account_ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Notifications by id (those still there).
pub async fn notifications(db: &AnyPool, ids: &[i64]) -> Result<Vec<NotificationRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, account_id, from_account_id, type, status_id, group_account_id, created_at, \
         group_key FROM notifications \
         WHERE id IN ({}) ORDER BY id",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}
