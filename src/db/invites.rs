//! `invites`: codes that let people register when registrations are by invitation.

use super::Result;
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// An invite as stored.
#[derive(Debug, Clone, FromRow)]
pub struct InviteRow {
    /// The invite's id.
    pub id: i64,
    /// The code people type or follow in a link.
    pub code: String,
    /// Who made it.
    pub created_by: Option<i64>,
    /// How many registrations it allows (`None`: no limit).
    pub max_uses: Option<i64>,
    /// How many registrations used it.
    pub uses: i64,
    /// When it stops working (`None`: never).
    pub expires_at: Option<i64>,
    /// When an administrator withdrew it.
    pub revoked_at: Option<i64>,
    /// When it was made.
    pub created_at: i64,
}

impl InviteRow {
    /// Whether the invite still lets someone register at time `now`.
    pub fn is_usable(&self, now: i64) -> bool {
        self.revoked_at.is_none()
            && self.expires_at.is_none_or(|t| t > now)
            && self.max_uses.is_none_or(|m| self.uses < m)
    }
}

macro_rules! columns {
    () => {
        "id, code, created_by, max_uses, uses, expires_at, revoked_at, created_at"
    };
}

/// Creates an invite; returns its id.
pub async fn insert(
    db: impl AnyExecutor<'_>,
    code: &str,
    created_by: i64,
    max_uses: Option<i64>,
    expires_at: Option<i64>,
    now: i64,
) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO invites (code, created_by, max_uses, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(code)
    .bind(created_by)
    .bind(max_uses)
    .bind(expires_at)
    .bind(now)
    .fetch_one(db)
    .await
}

/// An invite by code.
pub async fn by_code(db: &AnyPool, code: &str) -> Result<Option<InviteRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM invites WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(db)
    .await
}

/// Every invite, newest first.
pub async fn all(db: &AnyPool) -> Result<Vec<InviteRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM invites ORDER BY created_at DESC, id DESC"
    ))
    .fetch_all(db)
    .await
}

/// Counts one use of an invite, if it is still usable at `now`; returns whether it was.
/// The check and the count are one statement, so two people cannot both take the last use.
pub async fn consume(conn: &mut sqlx::AnyConnection, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE invites SET uses = uses + 1 WHERE id = $1 AND revoked_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2) AND (max_uses IS NULL OR uses < max_uses)",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Withdraws an invite.
pub async fn revoke(db: impl AnyExecutor<'_>, id: i64, now: i64) -> Result<bool> {
    let done =
        sqlx::query("UPDATE invites SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(db)
            .await?;
    Ok(done.rows_affected() > 0)
}
