//! `mail_queue` (messages waiting to be sent, claimed with a lease as the federation queues
//! are) and `mail_tokens` (the one-time tokens of links sent by e-mail, as their SHA-256).

use super::{Backend, Result, federation::Claim};
use sqlx::{AnyConnection, AnyPool, FromRow};

/// A message to queue.
pub struct NewMail<'a> {
    /// The address it goes to.
    pub recipient: &'a str,
    /// The account it is for, if it should go when the account does.
    pub account_id: Option<i64>,
    /// The language it is written in (`fr`, `en`).
    pub locale: &'a str,
    /// Its kind (`crate::mail::Mail::kind`).
    pub kind: &'a str,
    /// Its parameters (the `Mail` as JSON).
    pub params: &'a str,
    /// Now.
    pub now: i64,
}

/// Adds a message to the queue, due now; in the caller's transaction, so that it is queued
/// exactly when what it tells of happens.
pub async fn enqueue(conn: &mut AnyConnection, mail: &NewMail<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_queue (recipient, account_id, locale, kind, params, next_attempt_at, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(mail.recipient)
    .bind(mail.account_id)
    .bind(mail.locale)
    .bind(mail.kind)
    .bind(mail.params)
    .bind(mail.now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A claimed message.
#[derive(Debug, Clone, FromRow)]
pub struct QueuedMail {
    pub id: i64,
    pub recipient: String,
    pub locale: String,
    pub kind: String,
    pub params: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    pub created_at: i64,
}

/// Claims up to `limit` messages that are due and not held by a live claim: soonest due
/// first, in the order of `mail_queue_due` (no sort of the backlog). On PostgreSQL rows
/// another process is claiming are skipped (`SKIP LOCKED`), so processes share the queue and
/// never send one message twice, except after a crash (at least once).
pub async fn claim(
    db: &AnyPool,
    backend: Backend,
    claim: &Claim<'_>,
    limit: i64,
) -> Result<Vec<QueuedMail>> {
    let skip_locked = match backend {
        Backend::Postgres => " FOR UPDATE OF m SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE mail_queue SET locked_until = $2, locked_by = $5, attempts = attempts + 1 \
         WHERE id IN (SELECT m.id FROM mail_queue m WHERE m.next_attempt_at <= $1 AND \
         (m.locked_until IS NULL OR m.locked_until < $1 OR NOT EXISTS \
         (SELECT 1 FROM processes p WHERE p.id = m.locked_by AND p.heartbeat_at > $4)) \
         ORDER BY m.next_attempt_at, m.id LIMIT $3{skip_locked}) \
         RETURNING id, recipient, locale, kind, params, attempts, created_at"
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

/// Forgets a message: sent, or given up.
pub async fn delete(db: &AnyPool, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM mail_queue WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Gives a message back for another attempt at `next_attempt_at`, noting why it failed.
pub async fn retry_later(db: &AnyPool, id: i64, next_attempt_at: i64, error: &str) -> Result<()> {
    sqlx::query(
        "UPDATE mail_queue SET next_attempt_at = $2, last_error = $3, locked_by = NULL, \
         locked_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(next_attempt_at)
    .bind(error)
    .execute(db)
    .await?;
    Ok(())
}

/// Releases a stopping process's claims, for others to take at once.
pub async fn release(db: &AnyPool, process: &str) -> Result<()> {
    sqlx::query("UPDATE mail_queue SET locked_until = NULL, locked_by = NULL WHERE locked_by = $1")
        .bind(process)
        .execute(db)
        .await?;
    Ok(())
}

/// A one-time token of a link sent by e-mail.
#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub account_id: i64,
    /// The address a `confirm_email` token confirms.
    pub email: Option<String>,
    pub expires_at: i64,
}

/// Records a token (its SHA-256), replacing the account's earlier ones of the same purpose:
/// only the newest link works.
pub async fn insert_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    account_id: i64,
    purpose: &str,
    email: Option<&str>,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM mail_tokens WHERE account_id = $1 AND purpose = $2")
        .bind(account_id)
        .bind(purpose)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO mail_tokens (token_hash, account_id, purpose, email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(purpose)
    .bind(email)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A token, without using it (to show the form it opens).
pub async fn token(db: &AnyPool, token_hash: &str, purpose: &str) -> Result<Option<TokenRow>> {
    sqlx::query_as(
        "SELECT account_id, email, expires_at FROM mail_tokens \
         WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(token_hash)
    .bind(purpose)
    .fetch_optional(db)
    .await
}

/// Uses a token: deletes it and gives what it was for, so that two uses at once find it once.
pub async fn take_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    purpose: &str,
) -> Result<Option<TokenRow>> {
    sqlx::query_as(
        "DELETE FROM mail_tokens WHERE token_hash = $1 AND purpose = $2 \
         RETURNING account_id, email, expires_at",
    )
    .bind(token_hash)
    .bind(purpose)
    .fetch_optional(conn)
    .await
}

/// Removes expired tokens; gives how many.
pub async fn delete_expired_tokens(db: &AnyPool, now: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM mail_tokens WHERE expires_at < $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Marks an account's address confirmed, setting it to `email` (a new address once
/// confirmed). Fails with a unique violation when another account has that address.
pub async fn confirm_email(conn: &mut AnyConnection, account_id: i64, email: &str) -> Result<bool> {
    let done =
        sqlx::query("UPDATE users SET email = $2, email_unconfirmed = 0 WHERE account_id = $1")
            .bind(account_id)
            .bind(email)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// How many messages wait, and the oldest one's creation time (for the benchmark and logs).
pub async fn backlog(db: &AnyPool) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM mail_queue")
        .fetch_one(db)
        .await
}

/// What a notification's e-mail tells, read for a batch of notifications.
#[derive(Debug, Clone, FromRow)]
pub struct NotificationFacts {
    pub notification_id: i64,
    pub account_id: i64,
    /// The recipient's address.
    pub email: String,
    pub from_username: String,
    pub from_domain: Option<String>,
    pub from_name: String,
    pub status_id: Option<i64>,
    /// The post's HTML (empty without a post).
    pub status_html: Option<String>,
    pub spoiler_text: Option<String>,
    /// An event's name or a discussion's title.
    pub status_title: Option<String>,
    pub author_username: Option<String>,
    pub author_domain: Option<String>,
    /// The group concerned (a request to join it, or to be affiliated with it).
    pub group_username: Option<String>,
    pub group_domain: Option<String>,
}

/// The facts of the notifications `ids` whose recipients can receive e-mail (active, with a
/// confirmed address).
pub async fn notification_facts(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<NotificationFacts>> {
    let mut out = Vec::new();
    for chunk in super::padded_chunks(ids, super::INSERT_CHUNK) {
        let sql = format!(
            "SELECT n.id AS notification_id, n.account_id, u.email, \
             fa.username AS from_username, fa.domain AS from_domain, \
             fa.display_name AS from_name, s.id AS status_id, s.content AS status_html, \
             s.spoiler_text, s.title AS status_title, sa.username AS author_username, sa.domain AS author_domain, \
             ga.username AS group_username, ga.domain AS group_domain \
             FROM notifications n \
             JOIN users u ON u.account_id = n.account_id \
             JOIN accounts fa ON fa.id = n.from_account_id \
             LEFT JOIN statuses s ON s.id = n.status_id \
             LEFT JOIN accounts sa ON sa.id = s.account_id \
             LEFT JOIN accounts ga ON ga.id = n.group_account_id \
             WHERE n.id IN ({}) AND u.state = 'active' AND u.email_unconfirmed = 0",
            super::placeholders(1, chunk.len())
        );
        let mut query = sqlx::query_as::<_, NotificationFacts>(sqlx::AssertSqlSafe(sql));
        for id in chunk.iter() {
            query = query.bind(*id);
        }
        out.extend(query.fetch_all(&mut *conn).await?);
    }
    out.sort_by_key(|f| f.notification_id);
    out.dedup_by_key(|f| f.notification_id);
    Ok(out)
}

/// A secret kept in `settings`, made once for the whole instance: the first process to ask
/// stores `fresh`, every later ask (from any process) reads what was stored.
pub async fn instance_secret(conn: &mut AnyConnection, key: &str, fresh: &str) -> Result<String> {
    if let Some(value) = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(value);
    }
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(fresh)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_one(&mut *conn)
        .await
}
