//! `settings`: instance settings an administrator changes at run time (key, text value).

use super::Result;
use sqlx::AnyPool;

/// The stored value of a setting, if one was ever saved.
pub async fn get(db: &AnyPool, key: &str) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(db)
        .await
}

/// Saves a setting, replacing any previous value.
pub async fn set(db: &AnyPool, key: &str, value: &str) -> Result<()> {
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
