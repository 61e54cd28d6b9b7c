//! `moderation_log`: what the instance's moderators and administrators did; and the reads of
//! both logs (this one and the groups' `group_audit`) for the administrators' log page and
//! the retention purge.

use super::Result;
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// An entry to record.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    /// Who acted (`None`: the instance itself).
    pub actor_id: Option<i64>,
    /// The action's stored name.
    pub action: &'a str,
    /// What it was done to (its kind's stored name).
    pub target_kind: &'a str,
    /// Its id, when it has one.
    pub target_id: Option<i64>,
    /// How it was named at the time.
    pub target_label: &'a str,
    /// The parameters, a JSON object of short texts.
    pub params: &'a str,
    /// When.
    pub created_at: i64,
}

/// Records an entry (in the caller's transaction, so that the action and its record are
/// kept or lost together).
pub async fn insert(db: impl AnyExecutor<'_>, e: &NewEntry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO moderation_log (actor_id, action, target_kind, target_id, target_label, \
         params, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.actor_id)
    .bind(e.action)
    .bind(e.target_kind)
    .bind(e.target_id)
    .bind(e.target_label)
    .bind(e.params)
    .bind(e.created_at)
    .execute(db)
    .await?;
    Ok(())
}

/// An entry as the log page reads it, with who acted.
#[derive(Debug, Clone, FromRow)]
pub struct LogRow {
    /// Its id.
    pub id: i64,
    /// Who acted, if still known.
    pub actor_id: Option<i64>,
    /// Their user name.
    pub actor_username: Option<String>,
    /// The action's stored name.
    pub action: String,
    /// What it was done to.
    pub target_kind: String,
    /// Its id.
    pub target_id: Option<i64>,
    /// How it was named at the time.
    pub target_label: String,
    /// The parameters (JSON).
    pub params: String,
    /// When.
    pub created_at: i64,
}

/// Which entries a page shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this action.
    pub action: Option<String>,
    /// Only what this account did.
    pub actor_id: Option<i64>,
    /// Only what was done to this (kind, id).
    pub target: Option<(String, i64)>,
}

/// A page of the log, newest first, before `max_id`.
pub async fn page(
    db: &AnyPool,
    filter: &Filter,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<LogRow>> {
    let (kind, target) = match &filter.target {
        Some((k, id)) => (Some(k.as_str()), Some(*id)),
        None => (None, None),
    };
    sqlx::query_as(
        "SELECT m.id, m.actor_id, a.username AS actor_username, m.action, m.target_kind, \
         m.target_id, m.target_label, m.params, m.created_at \
         FROM moderation_log m LEFT JOIN accounts a ON a.id = m.actor_id \
         WHERE ($1 IS NULL OR m.id < $1) AND ($2 IS NULL OR m.action = $2) \
         AND ($3 IS NULL OR m.actor_id = $3) \
         AND ($4 IS NULL OR (m.target_kind = $4 AND m.target_id = $5)) \
         ORDER BY m.id DESC LIMIT $6",
    )
    .bind(max_id)
    .bind(filter.action.as_deref())
    .bind(filter.actor_id)
    .bind(kind)
    .bind(target)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// An entry of a group's log, as the administrators' log page reads it.
#[derive(Debug, Clone, FromRow)]
pub struct GroupLogRow {
    /// Its id.
    pub id: i64,
    /// The group's user name.
    pub group_username: String,
    /// The group's domain (always ours today: only local groups keep a log).
    pub group_domain: Option<String>,
    /// Who acted, if still known.
    pub actor_username: Option<String>,
    /// The action's stored name (`group-audit-<name>` names it).
    pub action: String,
    /// Its detail.
    pub detail: String,
    /// When.
    pub created_at: i64,
}

/// A page of every group's log, newest first, before `max_id`.
pub async fn group_page(db: &AnyPool, max_id: Option<i64>, limit: i64) -> Result<Vec<GroupLogRow>> {
    sqlx::query_as(
        "SELECT l.id, g.username AS group_username, g.domain AS group_domain, \
         a.username AS actor_username, l.action, l.detail, l.created_at \
         FROM group_audit l JOIN accounts g ON g.id = l.group_id \
         LEFT JOIN accounts a ON a.id = l.account_id \
         WHERE ($1 IS NULL OR l.id < $1) ORDER BY l.id DESC LIMIT $2",
    )
    .bind(max_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Forgets the entries of both logs made before `before`; how many.
pub async fn forget_before(db: &AnyPool, before: i64) -> Result<u64> {
    let site = sqlx::query("DELETE FROM moderation_log WHERE created_at < $1")
        .bind(before)
        .execute(db)
        .await?
        .rows_affected();
    let groups = sqlx::query("DELETE FROM group_audit WHERE created_at < $1")
        .bind(before)
        .execute(db)
        .await?
        .rows_affected();
    Ok(site + groups)
}
