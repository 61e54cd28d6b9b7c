//! `web_sessions`: signed-in browsers. The cookie carries a random token; only its SHA-256 is
//! stored, so the table cannot be used to sign in as anyone.

use super::Result;
use sqlx::AnyPool;

/// Stores a new session.
pub async fn insert(
    db: &AnyPool,
    id_hash: &str,
    account_id: i64,
    now: i64,
    expires_at: i64,
    user_agent: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO web_sessions (id_hash, account_id, created_at, last_seen_at, expires_at, \
         user_agent) VALUES ($1, $2, $3, $3, $4, $5)",
    )
    .bind(id_hash)
    .bind(account_id)
    .bind(now)
    .bind(expires_at)
    .bind(user_agent)
    .execute(db)
    .await?;
    Ok(())
}

/// The account of a live session and when it was last seen.
pub async fn find(db: &AnyPool, id_hash: &str, now: i64) -> Result<Option<(i64, i64)>> {
    sqlx::query_as(
        "SELECT account_id, last_seen_at FROM web_sessions WHERE id_hash = $1 AND expires_at > $2",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Extends a session that is being used.
pub async fn touch(db: &AnyPool, id_hash: &str, now: i64, expires_at: i64) -> Result<()> {
    sqlx::query("UPDATE web_sessions SET last_seen_at = $2, expires_at = $3 WHERE id_hash = $1")
        .bind(id_hash)
        .bind(now)
        .bind(expires_at)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends one session.
pub async fn delete(db: &AnyPool, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of an account except, optionally, one (after a password change).
pub async fn delete_all_for(db: &AnyPool, account_id: i64, keep: Option<&str>) -> Result<()> {
    sqlx::query("DELETE FROM web_sessions WHERE account_id = $1 AND ($2 IS NULL OR id_hash <> $2)")
        .bind(account_id)
        .bind(keep)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub async fn delete_expired(db: &AnyPool, now: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
