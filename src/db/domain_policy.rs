//! `domain_blocks`, `domain_allows`, `domain_policy_hosts` and `domain_policy_version`: the
//! instance's domain policy, what a suspension removes (follows both ways, queued activities
//! both ways, home timeline entries), and the conditions timelines read it with.

use super::{Result, placeholders, statuses::Page};
use crate::domain::domain_policy::{BlockInput, Severity};
use sqlx::{AnyConnection, AnyExecutor, AnyPool, FromRow};

/// A domain block as stored.
#[derive(Debug, Clone, FromRow)]
pub struct BlockRow {
    /// Its id.
    pub id: i64,
    /// The domain (its subdomains are covered too).
    pub domain: String,
    /// 0 noop, 1 silence, 2 suspend.
    pub severity: i64,
    /// 0/1: their media are not fetched.
    pub reject_media: i64,
    /// 0/1: their reports are dropped.
    pub reject_reports: i64,
    /// For administrators.
    pub private_comment: Option<String>,
    /// For the public list.
    pub public_comment: Option<String>,
    /// 0/1: the public list hides part of the name.
    pub obfuscate: i64,
    /// When it was made.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
}

impl BlockRow {
    /// Its severity (an unknown stored number reads as the strongest, suspend).
    pub fn severity(&self) -> Severity {
        Severity::from_code(self.severity).unwrap_or(Severity::Suspend)
    }

    /// As typed, for the export and for changes.
    pub fn input(&self) -> BlockInput {
        BlockInput {
            domain: self.domain.clone(),
            severity: self.severity(),
            reject_media: self.reject_media != 0,
            reject_reports: self.reject_reports != 0,
            private_comment: self.private_comment.clone(),
            public_comment: self.public_comment.clone(),
            obfuscate: self.obfuscate != 0,
        }
    }
}

/// A domain allowed (allowlist mode).
#[derive(Debug, Clone, FromRow)]
pub struct AllowRow {
    /// Its id.
    pub id: i64,
    /// The domain (its subdomains are covered too).
    pub domain: String,
    /// When it was allowed.
    pub created_at: i64,
}

const BLOCK_COLUMNS: &str = "id, domain, severity, reject_media, reject_reports, private_comment, \
     public_comment, obfuscate, created_at, updated_at";

/// The policy's version: it moves with every change.
pub async fn version(db: impl AnyExecutor<'_>) -> Result<i64> {
    sqlx::query_scalar("SELECT version FROM domain_policy_version WHERE id = 1")
        .fetch_one(db)
        .await
}

/// Moves the version forward (in the change's transaction).
pub async fn bump(conn: &mut AnyConnection) -> Result<()> {
    sqlx::query("UPDATE domain_policy_version SET version = version + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Every block.
pub async fn all_blocks(db: impl AnyExecutor<'_>) -> Result<Vec<BlockRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {BLOCK_COLUMNS} FROM domain_blocks ORDER BY domain"
    )))
    .fetch_all(db)
    .await
}

/// Every allowed domain.
pub async fn all_allows(db: impl AnyExecutor<'_>) -> Result<Vec<AllowRow>> {
    sqlx::query_as("SELECT id, domain, created_at FROM domain_allows ORDER BY domain")
        .fetch_all(db)
        .await
}

/// A page of blocks by id, newest first (or oldest first just above `min_id`, returned
/// newest first).
pub async fn blocks_page(db: &AnyPool, page: Page) -> Result<Vec<BlockRow>> {
    let (lower, order) = page.bounds();
    let mut rows: Vec<BlockRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {BLOCK_COLUMNS} FROM domain_blocks WHERE ($1 IS NULL OR id < $1) \
         AND ($2 IS NULL OR id > $2) ORDER BY id {order} LIMIT $3"
    )))
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

/// A page of allowed domains, as [`blocks_page`].
pub async fn allows_page(db: &AnyPool, page: Page) -> Result<Vec<AllowRow>> {
    let (lower, order) = page.bounds();
    let mut rows: Vec<AllowRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, domain, created_at FROM domain_allows WHERE ($1 IS NULL OR id < $1) \
         AND ($2 IS NULL OR id > $2) ORDER BY id {order} LIMIT $3"
    )))
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

/// One block by id.
pub async fn block(db: impl AnyExecutor<'_>, id: i64) -> Result<Option<BlockRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {BLOCK_COLUMNS} FROM domain_blocks WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The block of exactly `domain`.
pub async fn block_of(db: impl AnyExecutor<'_>, domain: &str) -> Result<Option<BlockRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {BLOCK_COLUMNS} FROM domain_blocks WHERE domain = $1"
    )))
    .bind(domain)
    .fetch_optional(db)
    .await
}

/// Records a block; its id.
pub async fn insert_block(conn: &mut AnyConnection, b: &BlockInput, now: i64) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO domain_blocks (domain, severity, reject_media, reject_reports, \
         private_comment, public_comment, obfuscate, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(&b.domain)
    .bind(b.severity.code())
    .bind(i64::from(b.reject_media))
    .bind(i64::from(b.reject_reports))
    .bind(&b.private_comment)
    .bind(&b.public_comment)
    .bind(i64::from(b.obfuscate))
    .bind(now)
    .fetch_one(&mut *conn)
    .await
}

/// Changes a block (its domain stays).
pub async fn update_block(
    conn: &mut AnyConnection,
    id: i64,
    b: &BlockInput,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE domain_blocks SET severity = $2, reject_media = $3, reject_reports = $4, \
         private_comment = $5, public_comment = $6, obfuscate = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(b.severity.code())
    .bind(i64::from(b.reject_media))
    .bind(i64::from(b.reject_reports))
    .bind(&b.private_comment)
    .bind(&b.public_comment)
    .bind(i64::from(b.obfuscate))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes a block; whether there was one.
pub async fn delete_block(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM domain_blocks WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// One allowed domain by id.
pub async fn allow(db: impl AnyExecutor<'_>, id: i64) -> Result<Option<AllowRow>> {
    sqlx::query_as("SELECT id, domain, created_at FROM domain_allows WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The allow of exactly `domain`.
pub async fn allow_of(db: impl AnyExecutor<'_>, domain: &str) -> Result<Option<AllowRow>> {
    sqlx::query_as("SELECT id, domain, created_at FROM domain_allows WHERE domain = $1")
        .bind(domain)
        .fetch_optional(db)
        .await
}

/// Allows a domain; its id.
pub async fn insert_allow(conn: &mut AnyConnection, domain: &str, now: i64) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO domain_allows (domain, created_at) VALUES ($1, $2) RETURNING id",
    )
    .bind(domain)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
}

/// Deletes an allowed domain; whether there was one.
pub async fn delete_allow(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM domain_allows WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Every remote account domain known (as `accounts.domain` writes them).
pub async fn account_domains(conn: &mut AnyConnection) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT domain FROM accounts WHERE domain IS NOT NULL")
        .fetch_all(&mut *conn)
        .await
}

/// Writes `domain_policy_hosts` anew: the account domains a silence or suspend covers, with
/// the severity that applies to each.
pub async fn replace_hosts(conn: &mut AnyConnection, hosts: &[(String, Severity)]) -> Result<()> {
    sqlx::query("DELETE FROM domain_policy_hosts")
        .execute(&mut *conn)
        .await?;
    for chunk in hosts.chunks(200) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO domain_policy_hosts (domain, severity) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (domain, severity) in chunk {
            q = q.bind(domain).bind(severity.code());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Severs the follows between accounts here and accounts on `domains` (exact account
/// domains), both ways, as Mastodon's suspension does; how many.
pub async fn sever_follows(conn: &mut AnyConnection, domains: &[String]) -> Result<usize> {
    if domains.is_empty() {
        return Ok(0);
    }
    let list = placeholders(1, domains.len());
    let sql = format!(
        "SELECT f.id FROM follows f JOIN accounts a ON a.id = f.account_id \
         JOIN accounts t ON t.id = f.target_account_id \
         WHERE (a.domain IN ({list}) AND t.domain IS NULL) \
            OR (t.domain IN ({list}) AND a.domain IS NULL)"
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
    for d in domains {
        q = q.bind(d);
    }
    let ids: Vec<i64> = q.fetch_all(&mut *conn).await?;
    for id in &ids {
        super::social::delete_follow(conn, *id).await?;
    }
    Ok(ids.len())
}

/// Forgets what is queued with `domains` (exact hosts, with ports): their activities waiting
/// in the inbox, our deliveries to them, their posts in home timelines here, and the
/// notifications their accounts gave our people.
pub async fn drop_queued(conn: &mut AnyConnection, domains: &[String]) -> Result<()> {
    if domains.is_empty() {
        return Ok(());
    }
    let list = placeholders(1, domains.len());
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM deliveries WHERE host IN ({list})"
    )));
    for d in domains {
        q = q.bind(d);
    }
    q.execute(&mut *conn).await?;
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM feeds WHERE status_id IN (SELECT s.id FROM statuses s \
         JOIN accounts a ON a.id = s.account_id WHERE a.domain IN ({list}))"
    )));
    for d in domains {
        q = q.bind(d);
    }
    q.execute(&mut *conn).await?;
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM notifications WHERE from_account_id IN \
         (SELECT id FROM accounts WHERE domain IN ({list}))"
    )));
    for d in domains {
        q = q.bind(d);
    }
    q.execute(&mut *conn).await?;
    for d in domains {
        // The signer is the actor's id, on its domain (the inbox checked it).
        sqlx::query(
            "DELETE FROM inbox_queue WHERE state = 'queued' \
             AND (signer LIKE $1 OR signer LIKE $2)",
        )
        .bind(format!("https://{}/%", like_escaped(d)))
        .bind(format!("http://{}/%", like_escaped(d)))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A domain inside a LIKE pattern: `_` and `%` taken literally would need an escape clause
/// both databases read alike; a checked domain has no `%`, and `_` at worst widens the match
/// to another character, so it is replaced by the one-character wildcard it already is.
fn like_escaped(domain: &str) -> String {
    domain.replace('%', "")
}

/// The condition that keeps out the posts (alias `s`) of accounts on suspended domains.
pub fn not_suspended() -> &'static str {
    "NOT EXISTS (SELECT 1 FROM accounts dpa JOIN domain_policy_hosts dph \
     ON dph.domain = dpa.domain AND dph.severity >= 2 WHERE dpa.id = s.account_id)"
}

/// The condition that keeps out the posts (alias `s`) of accounts on silenced or suspended
/// domains: for the public timelines, as Mastodon limits them.
pub fn not_limited() -> &'static str {
    "NOT EXISTS (SELECT 1 FROM accounts dpa JOIN domain_policy_hosts dph \
     ON dph.domain = dpa.domain WHERE dpa.id = s.account_id)"
}
