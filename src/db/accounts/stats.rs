//! The numbers profiles show (followers, following, posts), kept by triggers (migration 0010)
//! in `account_stats`, and counted again on demand.

use super::AccountRow;
use crate::db::{self, Result};
use sqlx::{AnyPool, FromRow};

/// The columns of [`AccountStats`] over `accounts a`, and the join they need: the numbers are
/// kept by triggers (migration 0010), not counted when read.
macro_rules! stats_columns {
    () => {
        "a.id AS stats_id, COALESCE(st.followers, 0) AS followers, \
         COALESCE(st.following, 0) AS following, COALESCE(st.statuses, 0) AS statuses, \
         st.last_status_at AS last_status_at"
    };
}

macro_rules! stats_join {
    () => {
        " LEFT JOIN account_stats st ON st.account_id = a.id"
    };
}

/// Counts every account's numbers again from the rows (the triggers of migration 0010 keep
/// them otherwise): for data loaded with the triggers disabled, or numbers that drifted.
/// Returns how many accounts were counted. Run it in a transaction (`coopol recount` does).
pub async fn recount_stats(conn: &mut sqlx::AnyConnection) -> Result<u64> {
    sqlx::query("DELETE FROM account_stats")
        .execute(&mut *conn)
        .await?;
    let written = sqlx::query(
        "INSERT INTO account_stats (account_id, followers, following, statuses, last_status_at) \
         SELECT a.id, \
           (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = a.id AND f.state = 'accepted'), \
           (SELECT COUNT(*) FROM follows f WHERE f.account_id = a.id AND f.state = 'accepted'), \
           (SELECT COUNT(*) FROM statuses s WHERE s.account_id = a.id \
              AND s.visibility NOT IN ('direct', 'group')), \
           (SELECT MAX(s.created_at) FROM statuses s WHERE s.account_id = a.id \
              AND s.visibility <> 'group') \
         FROM accounts a",
    )
    .execute(&mut *conn)
    .await?;
    Ok(written.rows_affected())
}

/// What profiles show in numbers.
#[derive(Debug, Clone, FromRow)]
pub struct AccountStats {
    /// The account.
    #[sqlx(rename = "stats_id")]
    pub id: i64,
    /// Accepted followers.
    pub followers: i64,
    /// Accounts it follows (accepted).
    pub following: i64,
    /// Posts (boosts included; direct messages and closed circles' posts not).
    pub statuses: i64,
    /// When it last posted (not counting closed circles).
    pub last_status_at: Option<i64>,
}

/// The numbers of many accounts, in one query.
pub async fn stats_of(db: &AnyPool, ids: &[i64]) -> Result<Vec<AccountStats>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!(
            "SELECT ",
            stats_columns!(),
            " FROM accounts a",
            stats_join!(),
            " WHERE a.id IN ({})"
        ),
        db::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// An account with its numbers.
#[derive(Debug, Clone, FromRow)]
pub struct AccountWithStats {
    /// The account.
    #[sqlx(flatten)]
    pub account: AccountRow,
    /// Its numbers.
    #[sqlx(flatten)]
    pub stats: AccountStats,
}

/// Accounts by ids with their numbers, in one query, in no particular order.
pub async fn with_stats_by_ids(db: &AnyPool, ids: &[i64]) -> Result<Vec<AccountWithStats>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!(
            "SELECT ",
            account_columns!("a."),
            ", ",
            stats_columns!(),
            " FROM accounts a",
            stats_join!(),
            " WHERE a.id IN ({})"
        ),
        db::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}
