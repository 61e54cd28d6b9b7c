//! `instance_rules`: the instance's rules, in their order; deleted ones keep their row
//! (`deleted_at`) so that what names them by id still reads.

use super::Result;
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// A rule as stored.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct RuleRow {
    pub id: i64,
    pub text: String,
    pub hint: String,
    pub position: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

macro_rules! columns {
    () => {
        "id, text, hint, position, created_at, updated_at, deleted_at"
    };
}

/// The rules in force, in their order.
pub async fn list(db: impl AnyExecutor<'_>) -> Result<Vec<RuleRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM instance_rules WHERE deleted_at IS NULL ORDER BY position, id"
    ))
    .fetch_all(db)
    .await
}

/// One rule in force.
pub async fn get(db: impl AnyExecutor<'_>, id: i64) -> Result<Option<RuleRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM instance_rules WHERE id = $1 AND deleted_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Rules by id, deleted ones included (what a report cites).
pub async fn by_ids(db: &AnyPool, ids: &[i64]) -> Result<Vec<RuleRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    // The list holds integers only.
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        concat!(
            "SELECT ",
            columns!(),
            " FROM instance_rules WHERE id IN ({}) ORDER BY position, id"
        ),
        list
    )))
    .fetch_all(db)
    .await
}

/// How many rules are in force.
pub async fn count(db: impl AnyExecutor<'_>) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM instance_rules WHERE deleted_at IS NULL")
        .fetch_one(db)
        .await
}

/// Adds a rule after the others; returns it.
pub async fn insert(db: impl AnyExecutor<'_>, text: &str, hint: &str, now: i64) -> Result<RuleRow> {
    sqlx::query_as(concat!(
        "INSERT INTO instance_rules (text, hint, position, created_at, updated_at) \
         SELECT $1, $2, COALESCE(MAX(position), 0) + 1, $3, $3 FROM instance_rules \
         RETURNING ",
        columns!()
    ))
    .bind(text)
    .bind(hint)
    .bind(now)
    .fetch_one(db)
    .await
}

/// Changes a rule's text and hint; false when it is not in force.
pub async fn update(
    db: impl AnyExecutor<'_>,
    id: i64,
    text: &str,
    hint: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE instance_rules SET text = $2, hint = $3, updated_at = $4 \
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(text)
    .bind(hint)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a rule deleted; false when it was not in force.
pub async fn delete(db: impl AnyExecutor<'_>, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE instance_rules SET deleted_at = $2, updated_at = $2 \
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets a rule's position (moving swaps the positions of two neighbours in one transaction).
pub async fn set_position(
    db: impl AnyExecutor<'_>,
    id: i64,
    position: i64,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE instance_rules SET position = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(position)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}
