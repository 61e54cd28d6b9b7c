//! Notification policies and requests (Mastodon 4.3). The policy is applied where
//! notifications are written (`db::social::notify_many`, with [`verdict_sql`]); a request is
//! not a row of its own but the filtered notifications of one sender to one person, named by
//! the id of the oldest of them (ids are never given again, so a request's id stays its own
//! until it is accepted or dismissed, and a later request of the same sender gets another).

use crate::domain::notification_policy::{
    NEW_ACCOUNT_MICROS, NEW_FOLLOWER_MICROS, NotificationPolicy, POLICY_KINDS, PolicyAction,
};
use sqlx::{AnyPool, FromRow, Result};

/// A `SELECT` over the `VALUES` rows given (recipient, sender, kind, post, now, group key:
/// `$n` placeholders, each once and in order) giving each row as `a, f, t, s, c, g` and its
/// `verdict` under its recipient's policy: 0 accept, 1 filter, 2 drop (the strongest action
/// among the policy's fields that apply, as Mastodon's drop then filter conditions). Rows
/// whose recipient is not local, who mutes the sender's notifications, or blocks the sender's
/// domain, and those of a suspended sender (`db::sanctions`), are left out; a limited sender
/// the person does not follow falls under `for_limited_accounts`. Only
/// the kinds of [`POLICY_KINDS`] are subject to it, and never from a sender whose request the
/// person accepted.
pub fn verdict_sql(values: &str) -> String {
    let kinds = POLICY_KINDS
        .iter()
        .map(|k| format!("'{}'", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let d = NotificationPolicy::default();
    let applies = |level: i64| {
        format!(
            "(x.not_following = 1 AND x.p_following = {level}) \
             OR (x.not_follower = 1 AND x.p_followers = {level}) \
             OR (x.new_account = 1 AND x.p_new = {level}) \
             OR (x.private_mention = 1 AND x.not_following = 1 AND x.p_private = {level}) \
             OR (x.limited = 1 AND x.not_following = 1 AND x.p_limited = {level})"
        )
    };
    format!(
        "SELECT x.a, x.f, x.t, x.s, x.c, x.g, \
         CASE WHEN x.subject = 0 THEN 0 WHEN {drop} THEN 2 WHEN {filter} THEN 1 ELSE 0 END AS verdict \
         FROM (SELECT v.column1 AS a, v.column2 AS f, v.column3 AS t, v.column4 AS s, \
             v.column5 AS c, v.column6 AS g, \
             CASE WHEN v.column3 IN ({kinds}) AND NOT EXISTS (SELECT 1 FROM notification_permissions np \
                 WHERE np.account_id = v.column1 AND np.from_account_id = v.column2) THEN 1 ELSE 0 END AS subject, \
             CASE WHEN EXISTS (SELECT 1 FROM follows fo WHERE fo.account_id = v.column1 \
                 AND fo.target_account_id = v.column2 AND fo.state = 'accepted') THEN 0 ELSE 1 END AS not_following, \
             CASE WHEN EXISTS (SELECT 1 FROM follows fo WHERE fo.account_id = v.column2 \
                 AND fo.target_account_id = v.column1 AND fo.state = 'accepted' \
                 AND fo.created_at <= v.column5 - {NEW_FOLLOWER_MICROS}) THEN 0 ELSE 1 END AS not_follower, \
             CASE WHEN sa.created_at > v.column5 - {NEW_ACCOUNT_MICROS} THEN 1 ELSE 0 END AS new_account, \
             CASE WHEN v.column3 = 'mention' AND EXISTS (SELECT 1 FROM statuses st WHERE st.id = v.column4 \
                 AND st.visibility = 'direct' AND NOT EXISTS (SELECT 1 FROM statuses up \
                     JOIN mentions um ON um.status_id = up.id AND um.account_id = v.column2 \
                     WHERE up.id = st.in_reply_to_id AND up.account_id = v.column1)) \
                 THEN 1 ELSE 0 END AS private_mention, \
             CASE WHEN EXISTS (SELECT 1 FROM account_sanctions ls WHERE ls.account_id = v.column2 \
                 AND ls.silenced_at IS NOT NULL) THEN 1 ELSE 0 END AS limited, \
             COALESCE(p.for_not_following, {pf}) AS p_following, \
             COALESCE(p.for_not_followers, {pn}) AS p_followers, \
             COALESCE(p.for_new_accounts, {pa}) AS p_new, \
             COALESCE(p.for_private_mentions, {pp}) AS p_private, \
             COALESCE(p.for_limited_accounts, {pl}) AS p_limited \
             FROM (VALUES {values}) AS v \
             JOIN accounts ra ON ra.id = v.column1 AND ra.domain IS NULL \
             JOIN accounts sa ON sa.id = v.column2 \
             LEFT JOIN notification_policies p ON p.account_id = v.column1 \
             WHERE NOT EXISTS (SELECT 1 FROM mutes mu WHERE mu.account_id = v.column1 \
                 AND mu.target_account_id = v.column2 AND mu.notifications = 1 \
                 AND (mu.expires_at IS NULL OR mu.expires_at > v.column5)) \
             AND NOT EXISTS (SELECT 1 FROM user_domain_blocks udb \
                 WHERE udb.account_id = v.column1 AND udb.domain = sa.domain) \
             AND NOT EXISTS (SELECT 1 FROM account_sanctions sx WHERE sx.account_id = v.column2 \
                 AND sx.suspended_at IS NOT NULL)) AS x",
        drop = applies(2),
        filter = applies(1),
        pf = d.for_not_following.stored(),
        pn = d.for_not_followers.stored(),
        pa = d.for_new_accounts.stored(),
        pp = d.for_private_mentions.stored(),
        pl = d.for_limited_accounts.stored(),
    )
}

#[derive(Debug, Clone, FromRow)]
struct PolicyRow {
    for_not_following: i64,
    for_not_followers: i64,
    for_new_accounts: i64,
    for_private_mentions: i64,
    for_limited_accounts: i64,
}

/// A person's policy (Mastodon's defaults without a row).
pub async fn policy(db: &AnyPool, account_id: i64) -> Result<NotificationPolicy> {
    let row: Option<PolicyRow> = sqlx::query_as(
        "SELECT for_not_following, for_not_followers, for_new_accounts, for_private_mentions, \
         for_limited_accounts FROM notification_policies WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await?;
    Ok(match row {
        None => NotificationPolicy::default(),
        Some(r) => NotificationPolicy {
            for_not_following: PolicyAction::from_stored(r.for_not_following),
            for_not_followers: PolicyAction::from_stored(r.for_not_followers),
            for_new_accounts: PolicyAction::from_stored(r.for_new_accounts),
            for_private_mentions: PolicyAction::from_stored(r.for_private_mentions),
            for_limited_accounts: PolicyAction::from_stored(r.for_limited_accounts),
        },
    })
}

/// Stores a person's policy whole.
pub async fn set_policy(
    db: &AnyPool,
    account_id: i64,
    p: &NotificationPolicy,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO notification_policies (account_id, for_not_following, for_not_followers, \
         for_new_accounts, for_private_mentions, for_limited_accounts, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (account_id) DO UPDATE SET for_not_following = excluded.for_not_following, \
         for_not_followers = excluded.for_not_followers, for_new_accounts = excluded.for_new_accounts, \
         for_private_mentions = excluded.for_private_mentions, \
         for_limited_accounts = excluded.for_limited_accounts, updated_at = excluded.updated_at",
    )
    .bind(account_id)
    .bind(p.for_not_following.stored())
    .bind(p.for_not_followers.stored())
    .bind(p.for_new_accounts.stored())
    .bind(p.for_private_mentions.stored())
    .bind(p.for_limited_accounts.stored())
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// How many requests a person has, and how many notifications they hold.
pub async fn summary(db: &AnyPool, account_id: i64) -> Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT COUNT(DISTINCT from_account_id), COUNT(*) FROM notifications \
         WHERE account_id = $1 AND filtered = 1",
    )
    .bind(account_id)
    .fetch_one(db)
    .await
}

/// A request: the filtered notifications of one sender.
#[derive(Debug, Clone, FromRow)]
pub struct RequestRow {
    /// The oldest of its notifications' id.
    pub id: i64,
    /// The sender.
    pub from_account_id: i64,
    /// How many notifications it holds.
    pub notifications_count: i64,
    /// When its first notification was written.
    pub created_at: i64,
    /// When its last one was.
    pub updated_at: i64,
    /// The post of its newest notification about one.
    pub last_status_id: Option<i64>,
}

const REQUESTS: &str = "SELECT r.id, r.from_account_id, r.notifications_count, r.created_at, r.updated_at, \
     (SELECT n2.status_id FROM notifications n2 WHERE n2.account_id = $1 \
         AND n2.from_account_id = r.from_account_id AND n2.filtered = 1 AND n2.status_id IS NOT NULL \
         ORDER BY n2.id DESC LIMIT 1) AS last_status_id \
     FROM (SELECT MIN(id) AS id, from_account_id, COUNT(*) AS notifications_count, \
         MIN(created_at) AS created_at, MAX(created_at) AS updated_at \
         FROM notifications WHERE account_id = $1 AND filtered = 1 GROUP BY from_account_id) AS r";

/// A page of a person's requests, newest first (oldest first from `min_id`, then reversed).
pub async fn requests(
    db: &AnyPool,
    account_id: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    min_id: Option<i64>,
    limit: i64,
) -> Result<Vec<RequestRow>> {
    let (lower, order) = match min_id {
        Some(min) => (Some(min), "ASC"),
        None => (since_id, "DESC"),
    };
    let sql = format!(
        "{REQUESTS} WHERE ($2 IS NULL OR r.id < $2) AND ($3 IS NULL OR r.id > $3) \
         ORDER BY r.id {order} LIMIT $4"
    );
    let mut rows: Vec<RequestRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(account_id)
        .bind(max_id)
        .bind(lower)
        .bind(limit)
        .fetch_all(db)
        .await?;
    if order == "ASC" {
        rows.reverse();
    }
    Ok(rows)
}

/// One of a person's requests.
pub async fn request(db: &AnyPool, account_id: i64, id: i64) -> Result<Option<RequestRow>> {
    let sql = format!("{REQUESTS} WHERE r.id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(account_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The senders of those of `ids` that are requests of the person (others are left out).
pub async fn senders(db: &AnyPool, account_id: i64, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT n.from_account_id FROM notifications n WHERE n.account_id = $1 AND n.filtered = 1 \
         AND n.id IN ({}) AND NOT EXISTS (SELECT 1 FROM notifications o WHERE o.account_id = $1 \
             AND o.from_account_id = n.from_account_id AND o.filtered = 1 AND o.id < n.id)",
        super::placeholders(2, ids.len())
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(account_id);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Accepts the requests of these senders: their notifications join the list (already
/// dispatched: nothing is pushed or mailed late), and what they send later is not filtered.
pub async fn accept(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    senders: &[i64],
    now: i64,
) -> Result<()> {
    for from in senders {
        sqlx::query(
            "INSERT INTO notification_permissions (account_id, from_account_id, created_at) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(account_id)
        .bind(*from)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE notifications SET filtered = 0 \
             WHERE account_id = $1 AND from_account_id = $2 AND filtered = 1",
        )
        .bind(account_id)
        .bind(*from)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Dismisses the requests of these senders: their filtered notifications are deleted.
pub async fn dismiss(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    senders: &[i64],
) -> Result<()> {
    for from in senders {
        sqlx::query(
            "DELETE FROM notifications WHERE account_id = $1 AND from_account_id = $2 AND filtered = 1",
        )
        .bind(account_id)
        .bind(*from)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
