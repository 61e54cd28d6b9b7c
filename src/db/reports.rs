//! `reports`, `report_statuses`, `report_rules`, `report_notes`: reports made here or received
//! from other servers, the posts and rules they name, moderators' notes; the queue's pages.

use super::Result;
use crate::domain::report::Category;
use sqlx::{AnyConnection, AnyExecutor, AnyPool, FromRow};

/// A report.
#[derive(Debug, Clone, FromRow)]
pub struct ReportRow {
    /// Its id.
    pub id: i64,
    /// Who reported (a local person, or the actor of a `Flag`), if still known.
    pub account_id: Option<i64>,
    /// The reported account.
    pub target_account_id: i64,
    /// The server a `Flag` came from (`None`: made here).
    pub origin_domain: Option<String>,
    /// The `Flag`'s id (received, or sent when forwarded).
    pub uri: Option<String>,
    /// Why.
    pub category: Category,
    /// The reporter's comment.
    pub comment: String,
    /// 1 when a copy went to the reported account's server.
    pub forwarded: i64,
    /// The moderator handling it.
    pub assigned_account_id: Option<i64>,
    /// When it was resolved (`None`: open).
    pub action_taken_at: Option<i64>,
    /// Who resolved it.
    pub action_taken_by_account_id: Option<i64>,
    /// When it was made.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
}

const COLUMNS: &str = "id, account_id, target_account_id, origin_domain, uri, category, comment, \
     forwarded, assigned_account_id, action_taken_at, action_taken_by_account_id, created_at, \
     updated_at";

/// Records a report with its posts and rules (in the caller's transaction).
pub async fn insert(
    conn: &mut AnyConnection,
    r: &ReportRow,
    status_ids: &[i64],
    rule_ids: &[i64],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO reports (id, account_id, target_account_id, origin_domain, uri, category, \
         comment, forwarded, assigned_account_id, action_taken_at, action_taken_by_account_id, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(r.id)
    .bind(r.account_id)
    .bind(r.target_account_id)
    .bind(r.origin_domain.as_deref())
    .bind(r.uri.as_deref())
    .bind(r.category)
    .bind(&r.comment)
    .bind(r.forwarded)
    .bind(r.assigned_account_id)
    .bind(r.action_taken_at)
    .bind(r.action_taken_by_account_id)
    .bind(r.created_at)
    .bind(r.updated_at)
    .execute(&mut *conn)
    .await?;
    for s in status_ids {
        sqlx::query("INSERT INTO report_statuses (report_id, status_id) VALUES ($1, $2)")
            .bind(r.id)
            .bind(s)
            .execute(&mut *conn)
            .await?;
    }
    for rule in rule_ids {
        sqlx::query("INSERT INTO report_rules (report_id, rule_id) VALUES ($1, $2)")
            .bind(r.id)
            .bind(rule)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Sets the id of the `Flag` a forwarded report was sent as.
pub async fn set_forwarded(conn: &mut AnyConnection, id: i64, uri: &str) -> Result<()> {
    sqlx::query("UPDATE reports SET forwarded = 1, uri = $2 WHERE id = $1")
        .bind(id)
        .bind(uri)
        .execute(conn)
        .await?;
    Ok(())
}

/// One report.
pub async fn by_id(db: impl AnyExecutor<'_>, id: i64) -> Result<Option<ReportRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM reports WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Whether a `Flag` with this id is already a report here.
pub async fn uri_known(db: &AnyPool, uri: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE uri = $1")
        .bind(uri)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

/// How many reports from this server are still open.
pub async fn open_from(db: &AnyPool, domain: &str) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM reports WHERE origin_domain = $1 AND action_taken_at IS NULL",
    )
    .bind(domain)
    .fetch_one(db)
    .await
}

/// The posts a report names, by id.
pub async fn status_ids(db: impl AnyExecutor<'_>, report_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT status_id FROM report_statuses WHERE report_id = $1 ORDER BY status_id",
    )
    .bind(report_id)
    .fetch_all(db)
    .await
}

/// The rules a report names, by id.
pub async fn rule_ids(db: impl AnyExecutor<'_>, report_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar("SELECT rule_id FROM report_rules WHERE report_id = $1 ORDER BY rule_id")
        .bind(report_id)
        .fetch_all(db)
        .await
}

/// The posts and rules of several reports at once: `(report id, id)` pairs.
pub async fn statuses_of(db: &AnyPool, report_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    pairs(db, "report_statuses", "status_id", report_ids).await
}

/// See [`statuses_of`].
pub async fn rules_of(db: &AnyPool, report_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    pairs(db, "report_rules", "rule_id", report_ids).await
}

async fn pairs(
    db: &AnyPool,
    table: &str,
    column: &str,
    report_ids: &[i64],
) -> Result<Vec<(i64, i64)>> {
    if report_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = report_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT report_id, {column} FROM {table} WHERE report_id IN ({list}) \
         ORDER BY report_id, {column}"
    )))
    .fetch_all(db)
    .await
}

/// Which reports a page of the queue shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    /// `Some(true)`: only resolved ones; `Some(false)`: only open ones; `None`: both, the open
    /// ones first.
    pub resolved: Option<bool>,
    /// Only those made by this account.
    pub account_id: Option<i64>,
    /// Only those about this account.
    pub target_account_id: Option<i64>,
    /// Only those from other servers (`Some(true)`) or made here (`Some(false)`).
    pub remote: Option<bool>,
}

/// A page of reports by id: newest first below `max_id` and above `since_id`, or the ones
/// just above `min_id` (then returned newest first). With both states, open ones come first
/// (a page then bounds by id within the state it ends in; apps always ask for one state).
pub async fn page(
    db: &AnyPool,
    f: &Filter,
    max_id: Option<i64>,
    since_id: Option<i64>,
    min_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ReportRow>> {
    let (lower, order) = match min_id {
        Some(min) => (Some(min), "ASC"),
        None => (since_id, "DESC"),
    };
    let state = match f.resolved {
        Some(true) => "action_taken_at IS NOT NULL",
        Some(false) => "action_taken_at IS NULL",
        None => "1 = 1",
    };
    let origin = match f.remote {
        Some(true) => "origin_domain IS NOT NULL",
        Some(false) => "origin_domain IS NULL",
        None => "1 = 1",
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM reports WHERE {state} AND {origin} \
         AND ($1 IS NULL OR account_id = $1) AND ($2 IS NULL OR target_account_id = $2) \
         AND ($3 IS NULL OR id < $3) AND ($4 IS NULL OR id > $4) \
         ORDER BY CASE WHEN action_taken_at IS NULL THEN 0 ELSE 1 END, id {order} LIMIT $5"
    );
    let mut rows: Vec<ReportRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(f.account_id)
        .bind(f.target_account_id)
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

/// Sets (or clears) who handles a report; whether it exists.
pub async fn assign(
    db: impl AnyExecutor<'_>,
    id: i64,
    moderator: Option<i64>,
    now: i64,
) -> Result<bool> {
    let done =
        sqlx::query("UPDATE reports SET assigned_account_id = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(moderator)
            .bind(now)
            .execute(db)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Resolves a report (`by` `Some`) or opens it again (`None`); whether it changed (it was
/// open, or resolved, respectively): two moderators resolving at once resolve it once.
pub async fn set_resolved(
    db: impl AnyExecutor<'_>,
    id: i64,
    by: Option<i64>,
    now: i64,
) -> Result<bool> {
    let done = match by {
        Some(by) => sqlx::query(
            "UPDATE reports SET action_taken_at = $2, action_taken_by_account_id = $3, \
             updated_at = $2 WHERE id = $1 AND action_taken_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(by),
        None => sqlx::query(
            "UPDATE reports SET action_taken_at = NULL, action_taken_by_account_id = NULL, \
             updated_at = $2 WHERE id = $1 AND action_taken_at IS NOT NULL",
        )
        .bind(id)
        .bind(now),
    }
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A moderator's note on a report.
#[derive(Debug, Clone, FromRow)]
pub struct NoteRow {
    /// Its id.
    pub id: i64,
    /// The report.
    pub report_id: i64,
    /// Who wrote it, if still known.
    pub account_id: Option<i64>,
    /// The note.
    pub content: String,
    /// When.
    pub created_at: i64,
}

/// Adds a note.
pub async fn insert_note(db: impl AnyExecutor<'_>, n: &NoteRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO report_notes (id, report_id, account_id, content, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(n.id)
    .bind(n.report_id)
    .bind(n.account_id)
    .bind(&n.content)
    .bind(n.created_at)
    .execute(db)
    .await?;
    Ok(())
}

/// A report's notes, oldest first.
pub async fn notes(db: &AnyPool, report_id: i64) -> Result<Vec<NoteRow>> {
    sqlx::query_as(
        "SELECT id, report_id, account_id, content, created_at FROM report_notes \
         WHERE report_id = $1 ORDER BY id",
    )
    .bind(report_id)
    .fetch_all(db)
    .await
}
