//! `push_subscriptions` (one per access token: where and how to push, and what) and
//! `push_deliveries` (the durable queue of pushes owed, claimed like the federation queues:
//! `federation::claim_sql`).

use super::{Db, Result, federation::Claim};
use crate::domain::NotificationKind;
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// A push subscription as stored.
#[derive(Clone, FromRow)]
pub struct SubscriptionRow {
    pub id: i64,
    pub token_id: i64,
    pub account_id: i64,
    /// The bearer token that made it (sent only inside the encrypted payload).
    pub access_token: String,
    pub endpoint: String,
    pub key_p256dh: String,
    pub key_auth: String,
    /// `domain::push::Alerts`' stored form.
    pub alerts: String,
    /// `domain::push::PushPolicy`'s name.
    pub policy: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl std::fmt::Debug for SubscriptionRow {
    /// Leaves the token and the keys out (logs).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubscriptionRow")
            .field("id", &self.id)
            .field("token_id", &self.token_id)
            .field("account_id", &self.account_id)
            .field("alerts", &self.alerts)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, token_id, account_id, access_token, endpoint, key_p256dh, key_auth, \
                       alerts, policy, created_at, updated_at";

/// What a new subscription holds.
pub struct NewSubscription<'a> {
    pub token_id: i64,
    pub account_id: i64,
    pub access_token: &'a str,
    pub endpoint: &'a str,
    pub key_p256dh: &'a str,
    pub key_auth: &'a str,
    pub alerts: &'a str,
    pub policy: &'a str,
    pub now: i64,
}

/// Replaces a token's subscription (and what was owed to the old one) with a new one.
pub async fn replace(
    conn: &mut sqlx::AnyConnection,
    new: &NewSubscription<'_>,
) -> Result<SubscriptionRow> {
    sqlx::query("DELETE FROM push_subscriptions WHERE token_id = $1")
        .bind(new.token_id)
        .execute(&mut *conn)
        .await?;
    // Another request of the same token may have inserted meanwhile (PostgreSQL): the last
    // one wins, as it would have one after the other.
    let sql = format!(
        "INSERT INTO push_subscriptions (token_id, account_id, access_token, endpoint, key_p256dh, \
         key_auth, alerts, policy, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         ON CONFLICT (token_id) DO UPDATE SET access_token = excluded.access_token, \
         endpoint = excluded.endpoint, key_p256dh = excluded.key_p256dh, \
         key_auth = excluded.key_auth, alerts = excluded.alerts, policy = excluded.policy, \
         updated_at = excluded.updated_at RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(new.token_id)
        .bind(new.account_id)
        .bind(new.access_token)
        .bind(new.endpoint)
        .bind(new.key_p256dh)
        .bind(new.key_auth)
        .bind(new.alerts)
        .bind(new.policy)
        .bind(new.now)
        .fetch_one(&mut *conn)
        .await
}

/// A token's subscription.
pub async fn of_token(db: impl AnyExecutor<'_>, token_id: i64) -> Result<Option<SubscriptionRow>> {
    let sql = format!("SELECT {COLUMNS} FROM push_subscriptions WHERE token_id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(token_id)
        .fetch_optional(db)
        .await
}

/// Changes what a token's subscription pushes; gives it as changed, `None` when there is none.
pub async fn update_data(
    db: &AnyPool,
    token_id: i64,
    alerts: &str,
    policy: &str,
    now: i64,
) -> Result<Option<SubscriptionRow>> {
    let sql = format!(
        "UPDATE push_subscriptions SET alerts = $2, policy = $3, updated_at = $4 \
         WHERE token_id = $1 RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(token_id)
        .bind(alerts)
        .bind(policy)
        .bind(now)
        .fetch_optional(db)
        .await
}

/// Removes a token's subscription (and what was owed to it).
pub async fn delete_of_token(db: &AnyPool, token_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM push_subscriptions WHERE token_id = $1")
        .bind(token_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes a subscription (its push service said it is gone, or its token is).
pub async fn delete(db: &AnyPool, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// The subscriptions of some accounts.
pub async fn of_accounts(
    conn: &mut sqlx::AnyConnection,
    account_ids: &[i64],
) -> Result<Vec<SubscriptionRow>> {
    let mut out = Vec::new();
    for chunk in super::padded_chunks(account_ids, super::INSERT_CHUNK) {
        let sql = format!(
            "SELECT {COLUMNS} FROM push_subscriptions WHERE account_id IN ({})",
            super::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_as::<_, SubscriptionRow>(sqlx::AssertSqlSafe(sql));
        for id in chunk.iter() {
            q = q.bind(*id);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    out.sort_by_key(|s| s.id);
    out.dedup_by_key(|s| s.id);
    Ok(out)
}

/// Whether `follower` follows `followed` (accepted).
pub async fn follows(conn: &mut sqlx::AnyConnection, follower: i64, followed: i64) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM follows WHERE account_id = $1 AND target_account_id = $2 \
         AND state = 'accepted'",
    )
    .bind(follower)
    .bind(followed)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// A push to queue: for a subscription, what a notification tells.
pub struct NewPush {
    pub subscription_id: i64,
    pub notification_id: i64,
    pub kind: NotificationKind,
    pub from_account_id: i64,
    pub status_id: Option<i64>,
}

/// Queues pushes, each (subscription, notification) once.
pub async fn queue(conn: &mut sqlx::AnyConnection, pushes: &[NewPush], now: i64) -> Result<()> {
    for chunk in super::padded_chunks(pushes, super::rows_per_statement(7)) {
        let sql = format!(
            "INSERT INTO push_deliveries (subscription_id, notification_id, kind, \
             from_account_id, status_id, next_attempt_at, created_at) VALUES {} \
             ON CONFLICT (subscription_id, notification_id) DO NOTHING",
            super::rows(chunk.len(), 7)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for p in chunk.iter() {
            q = q
                .bind(p.subscription_id)
                .bind(p.notification_id)
                .bind(p.kind)
                .bind(p.from_account_id)
                .bind(p.status_id)
                .bind(now)
                .bind(now);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Claims the pushes due now; gives (delivery id, attempts so far, this one included).
pub async fn claim(db: &Db, claim: &Claim<'_>, limit: i64) -> Result<Vec<(i64, i64)>> {
    let sql = super::federation::claim_sql(super::federation::Queue::Push, db.backend());
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(claim.now)
        .bind(claim.lease_until)
        .bind(limit)
        .bind(claim.stale_before)
        .bind(claim.process)
        .fetch_all(db.pool())
        .await
}

/// Everything a claimed push needs, read in one query.
#[derive(Clone, FromRow)]
pub struct Job {
    pub delivery_id: i64,
    pub subscription_id: i64,
    pub endpoint: String,
    pub key_p256dh: String,
    pub key_auth: String,
    pub access_token: String,
    pub token_revoked_at: Option<i64>,
    pub token_expires_at: Option<i64>,
    pub notification_id: i64,
    pub kind: NotificationKind,
    pub locale: Option<String>,
    pub from_username: String,
    pub from_display_name: String,
    pub from_note_html: String,
    pub from_avatar_url: Option<String>,
    pub status_content: Option<String>,
    pub status_spoiler_text: Option<String>,
}

/// A claimed push, while this process holds it; `None` when the claim was lost (its
/// subscription, sender or post went with it).
pub async fn job(db: &AnyPool, delivery_id: i64, process: &str) -> Result<Option<Job>> {
    sqlx::query_as(
        "SELECT d.id AS delivery_id, s.id AS subscription_id, s.endpoint, s.key_p256dh, \
         s.key_auth, s.access_token, t.revoked_at AS token_revoked_at, \
         t.expires_at AS token_expires_at, d.notification_id, d.kind, u.locale, \
         a.username AS from_username, a.display_name AS from_display_name, \
         a.note_html AS from_note_html, a.avatar_url AS from_avatar_url, \
         st.content AS status_content, st.spoiler_text AS status_spoiler_text \
         FROM push_deliveries d \
         JOIN push_subscriptions s ON s.id = d.subscription_id \
         JOIN oauth_tokens t ON t.id = s.token_id \
         JOIN accounts a ON a.id = d.from_account_id \
         LEFT JOIN users u ON u.account_id = s.account_id \
         LEFT JOIN statuses st ON st.id = d.status_id \
         WHERE d.id = $1 AND d.locked_by = $2",
    )
    .bind(delivery_id)
    .bind(process)
    .fetch_optional(db)
    .await
}

/// Removes a push (sent, or given up), if this process still holds it.
pub async fn finish(db: &AnyPool, delivery_id: i64, process: &str) -> Result<()> {
    sqlx::query("DELETE FROM push_deliveries WHERE id = $1 AND locked_by = $2")
        .bind(delivery_id)
        .bind(process)
        .execute(db)
        .await?;
    Ok(())
}

/// Gives a push back for another attempt at `next_attempt_at`.
pub async fn retry(
    db: &AnyPool,
    delivery_id: i64,
    process: &str,
    next_attempt_at: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE push_deliveries SET next_attempt_at = $3, locked_by = NULL, locked_until = NULL \
         WHERE id = $1 AND locked_by = $2",
    )
    .bind(delivery_id)
    .bind(process)
    .bind(next_attempt_at)
    .execute(db)
    .await?;
    Ok(())
}
