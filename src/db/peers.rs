//! `received_creates` and `peer_software`: what coopol keeps of other servers to pass their
//! posts on in the shape each one reads (docs/FEDERATION.md §13).

use super::{Result, placeholders};
use sqlx::{AnyExecutor, AnyPool};

/// Remembers the id of the `Create` that brought a post (its first one wins).
pub async fn remember_create(
    db: impl AnyExecutor<'_>,
    object_uri: &str,
    activity_uri: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO received_creates (object_uri, activity_uri) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(object_uri)
    .bind(activity_uri)
    .execute(db)
    .await?;
    Ok(())
}

/// The id of the `Create` that brought a post, if it came by one.
pub async fn create_of(db: &AnyPool, object_uri: &str) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT activity_uri FROM received_creates WHERE object_uri = $1")
        .bind(object_uri)
        .fetch_optional(db)
        .await
}

/// The software of each host looked up since `fresh_since` (`None` when the lookup failed),
/// for the hosts given; hosts without a fresh answer are absent.
pub async fn software_of(
    db: &AnyPool,
    hosts: &[String],
    fresh_since: i64,
) -> Result<Vec<(String, Option<String>)>> {
    if hosts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT host, software FROM peer_software WHERE checked_at >= $1 AND host IN ({})",
        placeholders(2, hosts.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(fresh_since);
    for h in hosts {
        q = q.bind(h);
    }
    q.fetch_all(db).await
}

/// Records what a host's NodeInfo said (or that it said nothing readable).
pub async fn set_software(
    db: &AnyPool,
    host: &str,
    software: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO peer_software (host, software, checked_at) VALUES ($1, $2, $3) \
         ON CONFLICT (host) DO UPDATE SET software = excluded.software, \
         checked_at = excluded.checked_at",
    )
    .bind(host)
    .bind(software)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}
