//! `settings`: instance settings an administrator changes at run time (key, text value);
//! `chores`: when each instance-wide periodic chore is next due.

use super::Result;
use sqlx::{AnyExecutor, AnyPool};

/// The stored value of a setting, if one was ever saved.
pub async fn get(db: &AnyPool, key: &str) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(db)
        .await
}

/// Saves a setting, replacing any previous value.
pub async fn set(db: impl AnyExecutor<'_>, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(db)
    .await?;
    Ok(())
}

/// Saves a setting unless one is already saved (the first of processes racing wins).
pub async fn insert_if_absent(db: &AnyPool, key: &str, value: &str) -> Result<()> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(value)
        .execute(db)
        .await?;
    Ok(())
}

/// Takes this period's turn of an instance-wide chore: true for exactly one caller among the
/// processes sharing the database, once `every` (microseconds) has passed since the turn before,
/// and never again until then, across restarts.
pub async fn take_chore(db: &AnyPool, name: &str, now: i64, every: i64) -> Result<bool> {
    let taken = sqlx::query(
        "INSERT INTO chores (name, next_at) VALUES ($1, $3) \
         ON CONFLICT (name) DO UPDATE SET next_at = $3 WHERE chores.next_at <= $2",
    )
    .bind(name)
    .bind(now)
    .bind(now + every)
    .execute(db)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// The stored values among `keys` (fixed names of the code, never input): (key, value).
pub async fn get_many(db: &AnyPool, keys: &[&str]) -> Result<Vec<(String, String)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let marks = (1..=keys.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT key, value FROM settings WHERE key IN ({marks})");
    // Only numbered placeholders are formatted in.
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for k in keys {
        q = q.bind(*k);
    }
    q.fetch_all(db).await
}
