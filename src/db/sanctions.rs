//! `account_sanctions`, `account_warnings`, `appeals`: the sanctions standing on accounts
//! (limited, suspended), every action taken on one with the text its person was told, and
//! their appeals; the conditions timelines, search and the inbox read them with; the reads of
//! the administrators' accounts list.
//!
//! The conditions are SQL fragments over a post aliased `s`, for the shared timeline queries
//! to add with one `AND`: [`not_suspended`] (every listing) and [`not_limited_for`] (the
//! public timelines and hashtags, where a limited account shows only to its followers).

use super::{Result, placeholders};
use crate::domain::{
    Role, UserState,
    sanction::{AccountFilter, Origin, Standing},
};
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// The condition that keeps out the posts and boosts of suspended accounts (`s` is the post,
/// its author or the boosted post's author suspended). Two primary-key lookups a post.
pub fn not_suspended() -> &'static str {
    "NOT EXISTS (SELECT 1 FROM account_sanctions sx WHERE sx.suspended_at IS NOT NULL \
     AND (sx.account_id = s.account_id OR sx.account_id = \
          (SELECT r.account_id FROM statuses r WHERE r.id = s.reblog_of_id)))"
}

/// The condition that keeps out, for the viewer `viewer` (a placeholder; 0 for nobody), the
/// posts of suspended accounts and of limited ones the viewer does not follow (their own
/// posts stay theirs to see).
pub fn not_limited_for(viewer: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM account_sanctions sl WHERE sl.account_id = s.account_id \
         AND (sl.suspended_at IS NOT NULL OR (sl.silenced_at IS NOT NULL \
              AND s.account_id <> {viewer} \
              AND NOT EXISTS (SELECT 1 FROM follows slf WHERE slf.account_id = {viewer} \
                  AND slf.target_account_id = s.account_id AND slf.state = 'accepted'))))"
    )
}

/// The sanctions standing on an account.
#[derive(Debug, Clone, Default, FromRow)]
pub struct SanctionRow {
    /// The account.
    pub account_id: i64,
    /// Since when it is limited.
    pub silenced_at: Option<i64>,
    /// Since when it is suspended.
    pub suspended_at: Option<i64>,
}

/// The sanctions of an account, if any.
pub async fn of(db: impl AnyExecutor<'_>, account_id: i64) -> Result<Option<SanctionRow>> {
    sqlx::query_as(
        "SELECT account_id, silenced_at, suspended_at FROM account_sanctions WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// Whether an account is suspended.
pub async fn is_suspended(db: impl AnyExecutor<'_>, account_id: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM account_sanctions WHERE account_id = $1 AND suspended_at IS NOT NULL",
    )
    .bind(account_id)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Removes the suspended accounts from a batch's authors (the inbox's bulk path).
pub async fn keep_unsuspended(
    conn: &mut sqlx::AnyConnection,
    authors: &mut std::collections::HashMap<String, super::accounts::Author>,
) -> Result<()> {
    let ids: Vec<i64> = authors.values().map(|a| a.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT account_id FROM account_sanctions WHERE suspended_at IS NOT NULL \
         AND account_id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
    for id in &ids {
        q = q.bind(*id);
    }
    let suspended: Vec<i64> = q.fetch_all(&mut *conn).await?;
    if !suspended.is_empty() {
        authors.retain(|_, a| !suspended.contains(&a.id));
    }
    Ok(())
}

/// The sanctions of several accounts (those without any are left out).
pub async fn among(db: &AnyPool, ids: &[i64]) -> Result<Vec<SanctionRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT account_id, silenced_at, suspended_at FROM account_sanctions \
         WHERE account_id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Removes from `ids` the accounts `viewer` (0: nobody) may not find in a search: suspended
/// ones, and limited ones it does not follow.
pub async fn hidden_from_search(db: &AnyPool, viewer: i64, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT x.account_id FROM account_sanctions x WHERE x.account_id IN ({}) \
         AND (x.suspended_at IS NOT NULL OR (x.silenced_at IS NOT NULL AND x.account_id <> $1 \
              AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $1 \
                  AND f.target_account_id = x.account_id AND f.state = 'accepted')))",
        placeholders(2, ids.len())
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(viewer);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Limits an account (or keeps its earlier limit); `false` when it already was.
pub async fn silence(conn: &mut sqlx::AnyConnection, account_id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO account_sanctions (account_id, silenced_at, updated_at) VALUES ($1, $2, $2) \
         ON CONFLICT (account_id) DO UPDATE SET silenced_at = $2, updated_at = $2 \
         WHERE account_sanctions.silenced_at IS NULL",
    )
    .bind(account_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Suspends an account (or keeps its earlier suspension); `false` when it already was.
pub async fn suspend(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    by: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO account_sanctions (account_id, suspended_at, suspended_by, updated_at) \
         VALUES ($1, $2, $3, $2) \
         ON CONFLICT (account_id) DO UPDATE SET suspended_at = $2, suspended_by = $3, updated_at = $2 \
         WHERE account_sanctions.suspended_at IS NULL",
    )
    .bind(account_id)
    .bind(now)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Lifts an account's limit; `false` when it had none. The row goes with its last sanction.
pub async fn unsilence(conn: &mut sqlx::AnyConnection, account_id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE account_sanctions SET silenced_at = NULL, updated_at = $2 \
         WHERE account_id = $1 AND silenced_at IS NOT NULL",
    )
    .bind(account_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    forget_empty(conn, account_id).await?;
    Ok(done.rows_affected() > 0)
}

/// Lifts an account's suspension; `false` when it had none.
pub async fn unsuspend(conn: &mut sqlx::AnyConnection, account_id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE account_sanctions SET suspended_at = NULL, suspended_by = NULL, updated_at = $2 \
         WHERE account_id = $1 AND suspended_at IS NOT NULL",
    )
    .bind(account_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    forget_empty(conn, account_id).await?;
    Ok(done.rows_affected() > 0)
}

async fn forget_empty(conn: &mut sqlx::AnyConnection, account_id: i64) -> Result<()> {
    sqlx::query(
        "DELETE FROM account_sanctions WHERE account_id = $1 \
         AND silenced_at IS NULL AND suspended_at IS NULL",
    )
    .bind(account_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets a local person's state (`active`, `disabled`); `false` when it already was.
pub async fn set_user_state(
    db: impl AnyExecutor<'_>,
    account_id: i64,
    state: UserState,
) -> Result<bool> {
    let done = sqlx::query("UPDATE users SET state = $2 WHERE account_id = $1 AND state <> $2")
        .bind(account_id)
        .bind(state)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Accounts suspended before `before` (their retention is over), at most `limit`.
pub async fn suspended_before(db: &AnyPool, before: i64, limit: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT account_id FROM account_sanctions WHERE suspended_at IS NOT NULL \
         AND suspended_at < $1 ORDER BY suspended_at LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The follows of an account, both ways (to sever a suspended remote account's): the follow's
/// two accounts.
pub async fn follows_of(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT account_id, target_account_id FROM follows \
         WHERE account_id = $1 OR target_account_id = $1",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await
}

/// An action taken on an account, to record.
#[derive(Debug, Clone)]
pub struct NewWarning<'a> {
    /// The account.
    pub account_id: i64,
    /// Who acted.
    pub actor_id: i64,
    /// The action's name (`none`, `disable`, `silence`, `suspend`).
    pub action: &'a str,
    /// The text shown to the person.
    pub text: &'a str,
    /// The report it answers.
    pub report_id: Option<i64>,
    /// Whether the person is told by e-mail.
    pub emailed: bool,
    /// When.
    pub now: i64,
}

/// Records an action on an account; its id.
pub async fn insert_warning(db: impl AnyExecutor<'_>, w: &NewWarning<'_>) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO account_warnings (account_id, actor_id, action, text, report_id, emailed, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(w.account_id)
    .bind(w.actor_id)
    .bind(w.action)
    .bind(w.text)
    .bind(w.report_id)
    .bind(super::flag(w.emailed))
    .bind(w.now)
    .fetch_one(db)
    .await
}

/// An action taken on an account, with its appeal.
#[derive(Debug, Clone, FromRow)]
pub struct WarningRow {
    /// Its id.
    pub id: i64,
    /// The account.
    pub account_id: i64,
    /// The action's name.
    pub action: String,
    /// The text shown to the person.
    pub text: String,
    /// The report it answers.
    pub report_id: Option<i64>,
    /// When.
    pub created_at: i64,
    /// Its appeal's id, if appealed.
    pub appeal_id: Option<i64>,
    /// The appeal's text.
    pub appeal_text: Option<String>,
    /// When it was appealed.
    pub appealed_at: Option<i64>,
    /// `approved` or `rejected`, once decided.
    pub decision: Option<String>,
}

macro_rules! warning_select {
    () => {
        "SELECT w.id, w.account_id, w.action, w.text, w.report_id, w.created_at, \
         p.id AS appeal_id, p.text AS appeal_text, p.created_at AS appealed_at, p.decision \
         FROM account_warnings w LEFT JOIN appeals p ON p.warning_id = w.id "
    };
}

/// The actions taken on an account, newest first (at most `limit`).
pub async fn warnings_of(db: &AnyPool, account_id: i64, limit: i64) -> Result<Vec<WarningRow>> {
    sqlx::query_as(concat!(
        warning_select!(),
        "WHERE w.account_id = $1 ORDER BY w.id DESC LIMIT $2"
    ))
    .bind(account_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// One action, by id.
pub async fn warning(db: impl AnyExecutor<'_>, id: i64) -> Result<Option<WarningRow>> {
    sqlx::query_as(concat!(warning_select!(), "WHERE w.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Records an appeal of a warning; `false` when it was already appealed.
pub async fn insert_appeal(
    db: impl AnyExecutor<'_>,
    warning_id: i64,
    account_id: i64,
    text: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO appeals (warning_id, account_id, text, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (warning_id) DO NOTHING",
    )
    .bind(warning_id)
    .bind(account_id)
    .bind(text)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Decides a pending appeal; `false` when there is none pending.
pub async fn decide_appeal(
    db: impl AnyExecutor<'_>,
    appeal_id: i64,
    decision: &str,
    by: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE appeals SET decision = $2, decided_by = $3, decided_at = $4 \
         WHERE id = $1 AND decision IS NULL",
    )
    .bind(appeal_id)
    .bind(decision)
    .bind(by)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The warning an appeal is about.
pub async fn warning_of_appeal(db: impl AnyExecutor<'_>, appeal_id: i64) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT warning_id FROM appeals WHERE id = $1")
        .bind(appeal_id)
        .fetch_optional(db)
        .await
}

/// Pending appeals, oldest first (at most `limit`), for the administrators' page.
pub async fn pending_appeals(db: &AnyPool, limit: i64) -> Result<Vec<WarningRow>> {
    sqlx::query_as(concat!(
        warning_select!(),
        "WHERE p.id IS NOT NULL AND p.decision IS NULL ORDER BY p.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// What the accounts list shows of a local person.
#[derive(Debug, Clone, FromRow)]
pub struct AdminUserRow {
    /// The account.
    pub account_id: i64,
    /// Their address.
    pub email: String,
    /// Their role.
    pub role: Role,
    /// Whether they may sign in.
    pub state: UserState,
    /// Their language.
    pub locale: Option<String>,
    /// Why they asked to join.
    pub registration_reason: String,
    /// When they registered.
    pub created_at: i64,
    /// 1 while their address awaits confirmation.
    pub email_unconfirmed: i64,
    /// Who invited them (the invite's maker), if anyone.
    pub invited_by: Option<i64>,
}

/// The local people among some accounts.
pub async fn users_among(db: &AnyPool, ids: &[i64]) -> Result<Vec<AdminUserRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT u.account_id, u.email, u.role, u.state, u.locale, u.registration_reason, \
         u.created_at, u.email_unconfirmed, i.created_by AS invited_by \
         FROM users u LEFT JOIN invites i ON i.id = u.invite_id WHERE u.account_id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// `value` as a `LIKE` pattern matching itself literally (with `ESCAPE '\'`), lower-cased.
fn like_literal(value: &str) -> String {
    value
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A page of the accounts list: ids, newest account first (or just above `min_id`, then
/// returned newest first), matching `filter`. Instance actors are not listed.
pub async fn page(
    db: &AnyPool,
    filter: &AccountFilter,
    page: super::statuses::Page,
) -> Result<Vec<i64>> {
    let (lower, order) = page.bounds();
    let roles: Vec<&str> = filter.roles.iter().map(|r| r.as_str()).collect();
    let role_cond = if roles.is_empty() {
        String::from("1 = 1")
    } else {
        format!("u.role IN ({})", placeholders(14, roles.len()))
    };
    let sql = format!(
        "SELECT a.id FROM accounts a LEFT JOIN users u ON u.account_id = a.id \
         LEFT JOIN account_sanctions x ON x.account_id = a.id \
         WHERE a.deleted_at IS NULL AND a.actor_type <> 'Application' \
         AND ($1 IS NULL OR ($1 = 'local' AND a.domain IS NULL) OR ($1 = 'remote' AND a.domain IS NOT NULL)) \
         AND ($2 IS NULL \
              OR ($2 = 'active' AND x.suspended_at IS NULL AND (a.domain IS NOT NULL OR u.state = 'active' OR u.account_id IS NULL)) \
              OR ($2 = 'pending' AND u.state = 'pending') \
              OR ($2 = 'disabled' AND u.state = 'disabled') \
              OR ($2 = 'silenced' AND x.silenced_at IS NOT NULL) \
              OR ($2 = 'suspended' AND x.suspended_at IS NOT NULL)) \
         AND ($3 = 0 OR u.role IN ('moderator', 'admin')) \
         AND ($4 IS NULL OR lower(a.username) LIKE $4 ESCAPE '\\') \
         AND ($5 IS NULL OR lower(a.display_name) LIKE $5 ESCAPE '\\') \
         AND ($6 IS NULL OR lower(a.domain) = $6) \
         AND ($7 IS NULL OR lower(u.email) LIKE $7 ESCAPE '\\') \
         AND ($8 IS NULL OR a.id < $8) AND ($9 IS NULL OR a.id > $9) \
         AND ($11 IS NULL OR EXISTS (SELECT 1 FROM invites i WHERE i.id = u.invite_id AND i.created_by = $11)) \
         AND ($12 IS NULL OR lower(a.username) LIKE $12 ESCAPE '\\' OR lower(a.display_name) LIKE $13 ESCAPE '\\' \
              OR lower(a.domain) LIKE $12 ESCAPE '\\' OR lower(u.email) LIKE $13 ESCAPE '\\') \
         AND {role_cond} ORDER BY a.id {order} LIMIT $10"
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(filter.origin.map(Origin::as_str))
        .bind(filter.standing.map(Standing::as_str))
        .bind(super::flag(filter.staff))
        .bind(
            filter
                .username
                .as_deref()
                .map(|v| format!("{}%", like_literal(v))),
        )
        .bind(
            filter
                .display_name
                .as_deref()
                .map(|v| format!("%{}%", like_literal(v))),
        )
        .bind(filter.by_domain.as_deref().map(str::to_lowercase))
        .bind(
            filter
                .email
                .as_deref()
                .map(|v| format!("%{}%", like_literal(v))),
        )
        .bind(page.max_id)
        .bind(lower)
        .bind(page.limit)
        .bind(filter.invited_by)
        .bind(filter.q.as_deref().map(|v| format!("{}%", like_literal(v))))
        .bind(
            filter
                .q
                .as_deref()
                .map(|v| format!("%{}%", like_literal(v))),
        );
    for r in roles {
        q = q.bind(r);
    }
    let mut ids: Vec<i64> = q.fetch_all(db).await?;
    if order == "ASC" {
        ids.reverse();
    }
    Ok(ids)
}
