//! `conversations` and `conversation_statuses`: each local person's threads of direct posts,
//! one per thread and set of other participants, and the posts each holds.

use sqlx::{AnyPool, FromRow, Result};

/// A person's conversation.
#[derive(Debug, Clone, FromRow)]
pub struct ConversationRow {
    /// Its id.
    pub id: i64,
    /// Whose.
    pub account_id: i64,
    /// The others in it (sorted account ids, comma-separated).
    pub participants: String,
    /// Whether a post came since they last read it (0/1).
    pub unread: i64,
    /// Its newest post.
    pub last_status_id: i64,
}

impl ConversationRow {
    /// The others in it.
    pub fn participant_ids(&self) -> Vec<i64> {
        self.participants
            .split(',')
            .filter_map(|s| s.parse().ok())
            .collect()
    }
}

/// The thread a post belongs to, when it is in a conversation.
pub async fn thread_of(conn: &mut sqlx::AnyConnection, status_id: i64) -> Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT c.thread_id FROM conversation_statuses cs \
         JOIN conversations c ON c.id = cs.conversation_id WHERE cs.status_id = $1 LIMIT 1",
    )
    .bind(status_id)
    .fetch_optional(&mut *conn)
    .await
}

/// Puts a post in a person's conversation (made if new), read or unread.
pub async fn add(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    thread_id: i64,
    participants: &str,
    status_id: i64,
    unread: bool,
) -> Result<()> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO conversations (account_id, thread_id, participants, unread) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, thread_id, participants) \
         DO UPDATE SET unread = $4 RETURNING id",
    )
    .bind(account_id)
    .bind(thread_id)
    .bind(participants)
    .bind(i64::from(unread))
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO conversation_statuses (conversation_id, status_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(status_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

const SELECT: &str = "SELECT c.id, c.account_id, c.participants, c.unread, \
     MAX(cs.status_id) AS last_status_id FROM conversations c \
     JOIN conversation_statuses cs ON cs.conversation_id = c.id";
const GROUP: &str = "GROUP BY c.id, c.account_id, c.participants, c.unread";

/// A page of a person's conversations by their newest post, newest first (or the ones just
/// above `min_id`, oldest first, when `ascending`).
pub async fn page(
    db: &AnyPool,
    account_id: i64,
    above: Option<i64>,
    below: Option<i64>,
    ascending: bool,
    limit: i64,
) -> Result<Vec<ConversationRow>> {
    let order = if ascending { "ASC" } else { "DESC" };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.account_id = $1 {GROUP} \
         HAVING ($2 IS NULL OR MAX(cs.status_id) > $2) AND ($3 IS NULL OR MAX(cs.status_id) < $3) \
         ORDER BY last_status_id {order} LIMIT $4"
    )))
    .bind(account_id)
    .bind(above)
    .bind(below)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// One of a person's conversations (one with posts left).
pub async fn get(db: &AnyPool, account_id: i64, id: i64) -> Result<Option<ConversationRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.account_id = $1 AND c.id = $2 {GROUP}"
    )))
    .bind(account_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The conversations a post is in, whoever's.
pub async fn of_status(db: &AnyPool, status_id: i64) -> Result<Vec<ConversationRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.id IN (SELECT conversation_id FROM conversation_statuses \
         WHERE status_id = $1) {GROUP}"
    )))
    .bind(status_id)
    .fetch_all(db)
    .await
}

/// Marks a person's conversation read; false if it is not theirs.
pub async fn mark_read(db: &AnyPool, account_id: i64, id: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE conversations SET unread = 0 WHERE account_id = $1 AND id = $2")
        .bind(account_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes a person's conversation (its posts stay); false if it is not theirs.
pub async fn remove(db: &AnyPool, account_id: i64, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM conversations WHERE account_id = $1 AND id = $2")
        .bind(account_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}
