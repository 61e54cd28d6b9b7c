//! `group_members.shown_on_profile`: the groups a person chose to show on their profile
//! (docs/SECURITY.md P11).

use super::Result;
use sqlx::AnyPool;

/// An account's accepted memberships, with whether each is shown: `(group_id, shown)`,
/// oldest membership first.
pub async fn choices(db: &AnyPool, account_id: i64) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT group_id, shown_on_profile FROM group_members \
         WHERE account_id = $1 AND state = 'accepted' ORDER BY accepted_at, id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Shows exactly the accepted memberships of `account_id` in `group_ids` and hides the
/// others, in one transaction.
pub async fn set_shown(db: &AnyPool, account_id: i64, group_ids: &[i64]) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE group_members SET shown_on_profile = 0 \
         WHERE account_id = $1 AND shown_on_profile = 1",
    )
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    for id in group_ids {
        sqlx::query(
            "UPDATE group_members SET shown_on_profile = 1 \
             WHERE account_id = $1 AND group_id = $2 AND state = 'accepted'",
        )
        .bind(account_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// The groups `account_id` shows on their profile that `viewer` may see listed, oldest
/// membership first: a group joined by invitation only is listed to its own accepted
/// members alone, whatever the flag says.
pub async fn shown(db: &AnyPool, account_id: i64, viewer: Option<i64>) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT m.group_id FROM group_members m JOIN groups g ON g.account_id = m.group_id \
         WHERE m.account_id = $1 AND m.state = 'accepted' AND m.shown_on_profile = 1 \
         AND (g.join_mode <> 'invite' OR EXISTS (SELECT 1 FROM group_members v \
              WHERE v.group_id = m.group_id AND v.account_id = $2 AND v.state = 'accepted')) \
         ORDER BY m.accepted_at, m.id",
    )
    .bind(account_id)
    .bind(viewer.unwrap_or(0))
    .fetch_all(db)
    .await
}
