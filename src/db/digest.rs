//! What a person's digest tells: new discussions, upcoming events and missions short of
//! people in the groups they are an accepted member of; and who is due one.

use super::Result;
use crate::domain::DigestFrequency;
use sqlx::AnyPool;

/// Claims up to `limit` people due a digest of `frequency` (last sent before `due_before`),
/// moving their `digest_sent_at` to `now`: each digest is claimed by one process. Gives their
/// account ids.
pub async fn claim_due(
    conn: &mut sqlx::AnyConnection,
    frequency: DigestFrequency,
    due_before: i64,
    now: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT account_id FROM users WHERE digest = $1 AND digest <> 'off' \
         AND digest_sent_at <= $2 AND state = 'active' ORDER BY digest_sent_at LIMIT $3",
    )
    .bind(frequency)
    .bind(due_before)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        let done = sqlx::query(
            "UPDATE users SET digest_sent_at = $3 WHERE account_id = $1 AND digest_sent_at <= $2",
        )
        .bind(id)
        .bind(due_before)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            claimed.push(id);
        }
    }
    Ok(claimed)
}

/// Sets how often a person gets the digest (a new choice starts its period now).
pub async fn set_frequency(
    db: &AnyPool,
    account_id: i64,
    frequency: DigestFrequency,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE users SET digest = $2, digest_sent_at = $3 WHERE account_id = $1")
        .bind(account_id)
        .bind(frequency)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// How often a person gets the digest.
pub async fn frequency(db: &AnyPool, account_id: i64) -> Result<Option<DigestFrequency>> {
    sqlx::query_scalar("SELECT digest FROM users WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(db)
        .await
}

/// First posts (not answers, not events) written since the post id `since_id` in the groups
/// `account_id` is an accepted member of, by others: (post, group), newest first.
pub async fn new_discussions(
    db: &AnyPool,
    account_id: i64,
    since_id: i64,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT gp.status_id, gp.group_id FROM group_members m \
         JOIN group_posts gp ON gp.group_id = m.group_id \
         JOIN statuses s ON s.id = gp.status_id \
         WHERE m.account_id = $1 AND m.state = 'accepted' AND gp.status_id > $2 \
         AND s.in_reply_to_id IS NULL AND s.reblog_of_id IS NULL AND s.account_id <> $1 \
         AND NOT EXISTS (SELECT 1 FROM events e WHERE e.status_id = s.id) \
         ORDER BY gp.status_id DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(since_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Events (not shifts) that the groups `account_id` is an accepted member of organize,
/// starting between `from` and `until`, not cancelled, soonest first.
pub async fn upcoming_events(
    db: &AnyPool,
    account_id: i64,
    from: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT e.status_id FROM events e WHERE e.organizer_id IN \
         (SELECT m.group_id FROM group_members m WHERE m.account_id = $1 AND m.state = 'accepted') \
         AND e.starts_at > $2 AND e.starts_at <= $3 AND e.status <> 'cancelled' \
         AND e.mission_id IS NULL ORDER BY e.starts_at LIMIT $4",
    )
    .bind(account_id)
    .bind(from)
    .bind(until)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Shifts (and events with a capacity) of those groups, starting between `from` and
/// `until`, not cancelled, short of people, that `account_id` has not signed up for,
/// soonest first: (event, places left).
pub async fn missions_needing(
    db: &AnyPool,
    account_id: i64,
    from: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT e.status_id, e.capacity - (SELECT COUNT(*) FROM participants p \
              WHERE p.event_id = e.status_id AND p.state = 'accepted') AS left_places \
         FROM events e WHERE e.organizer_id IN \
         (SELECT m.group_id FROM group_members m WHERE m.account_id = $1 AND m.state = 'accepted') \
         AND e.starts_at > $2 AND e.starts_at <= $3 AND e.status <> 'cancelled' \
         AND e.capacity IS NOT NULL AND e.is_mission = 0 \
         AND e.capacity > (SELECT COUNT(*) FROM participants p \
              WHERE p.event_id = e.status_id AND p.state = 'accepted') \
         AND NOT EXISTS (SELECT 1 FROM participants q WHERE q.event_id = e.status_id \
              AND q.account_id = $1) \
         ORDER BY e.starts_at LIMIT $4",
    )
    .bind(account_id)
    .bind(from)
    .bind(until)
    .bind(limit)
    .fetch_all(db)
    .await
}
