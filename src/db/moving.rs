//! Moving accounts: a local account's `alsoKnownAs`, the record of a move (`movedTo`), and the
//! local people a move concerns (`service::moving`).

use super::Result;
use sqlx::AnyPool;

/// Replaces a local account's `alsoKnownAs` (a JSON array of actor ids).
pub async fn set_aliases(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    aliases_json: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET also_known_as = $2, updated_at = $3 \
         WHERE id = $1 AND domain IS NULL",
    )
    .bind(account_id)
    .bind(aliases_json)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records that an account moved to `target_uri`, unless it already moved after `not_since`
/// (a move at a time: a replayed or repeated `Move` changes nothing). Whether it was recorded.
pub async fn mark_moved(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    target_uri: &str,
    now: i64,
    not_since: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE accounts SET moved_to_uri = $2, moved_at = $3, updated_at = $3 \
         WHERE id = $1 AND (moved_at IS NULL OR moved_at < $4)",
    )
    .bind(account_id)
    .bind(target_uri)
    .bind(now)
    .bind(not_since)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The local accounts that follow `account_id` or asked to (they follow it to its new home).
pub async fn local_followers(db: &AnyPool, account_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT f.account_id FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND a.domain IS NULL AND a.deleted_at IS NULL \
         ORDER BY f.account_id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// The local members of a group (accepted or waiting), who are told of its move.
pub async fn local_members(db: &AnyPool, group_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT m.account_id FROM group_members m JOIN accounts a ON a.id = m.account_id \
         WHERE m.group_id = $1 AND m.state IN ('accepted', 'pending') AND a.domain IS NULL \
         AND a.deleted_at IS NULL ORDER BY m.account_id",
    )
    .bind(group_id)
    .fetch_all(db)
    .await
}

/// The local accounts that block `account_id`, and those that mute it (with whether their mute
/// hides its notifications): what a move carries over to the new account.
pub async fn local_blockers_and_muters(
    db: &AnyPool,
    account_id: i64,
    now: i64,
) -> Result<(Vec<i64>, Vec<(i64, i64)>)> {
    let blockers = sqlx::query_scalar(
        "SELECT b.account_id FROM blocks b JOIN accounts a ON a.id = b.account_id \
         WHERE b.target_account_id = $1 AND a.domain IS NULL ORDER BY b.account_id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await?;
    let muters = sqlx::query_as(
        "SELECT m.account_id, m.notifications FROM mutes m JOIN accounts a ON a.id = m.account_id \
         WHERE m.target_account_id = $1 AND a.domain IS NULL \
         AND (m.expires_at IS NULL OR m.expires_at > $2) ORDER BY m.account_id",
    )
    .bind(account_id)
    .bind(now)
    .fetch_all(db)
    .await?;
    Ok((blockers, muters))
}
