//! `follows`, `blocks`, `notifications` and `feeds` (home timelines): who is connected to whom,
//! and what each local person is told.

use super::{Result, placeholders};
use crate::domain::{FollowState, NotificationKind};
use sqlx::{AnyPool, FromRow};

/// A follow, requested or accepted.
#[derive(Debug, Clone, FromRow)]
pub struct FollowRow {
    /// Its id (pages follow requests).
    pub id: i64,
    /// The follower.
    pub account_id: i64,
    /// The followed.
    pub target_account_id: i64,
    /// The Follow activity's id.
    pub uri: Option<String>,
    /// Requested or in force.
    pub state: FollowState,
}

/// Records a follow (or returns the existing one untouched).
pub async fn insert_follow(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    target_account_id: i64,
    uri: Option<&str>,
    state: FollowState,
    now: i64,
) -> Result<FollowRow> {
    sqlx::query(
        "INSERT INTO follows (account_id, target_account_id, uri, state, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, target_account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(target_account_id)
    .bind(uri)
    .bind(state)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(
        "SELECT id, account_id, target_account_id, uri, state FROM follows \
         WHERE account_id = $1 AND target_account_id = $2",
    )
    .bind(account_id)
    .bind(target_account_id)
    .fetch_one(&mut *conn)
    .await
}

/// The follow of `account_id` to `target`, if any.
pub async fn follow(
    db: impl sqlx::AnyExecutor<'_>,
    account_id: i64,
    target: i64,
) -> Result<Option<FollowRow>> {
    sqlx::query_as(
        "SELECT id, account_id, target_account_id, uri, state FROM follows \
         WHERE account_id = $1 AND target_account_id = $2",
    )
    .bind(account_id)
    .bind(target)
    .fetch_optional(db)
    .await
}

/// A follow by id.
pub async fn follow_by_id(db: &AnyPool, id: i64) -> Result<Option<FollowRow>> {
    sqlx::query_as(
        "SELECT id, account_id, target_account_id, uri, state FROM follows WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// A follow by its Follow activity's id.
pub async fn follow_by_uri(db: &AnyPool, uri: &str) -> Result<Option<FollowRow>> {
    sqlx::query_as(
        "SELECT id, account_id, target_account_id, uri, state FROM follows WHERE uri = $1",
    )
    .bind(uri)
    .fetch_optional(db)
    .await
}

/// Sets a follow's state and, when given, its activity id.
pub async fn set_follow_state(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    state: FollowState,
    uri: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE follows SET state = $2, uri = COALESCE($3, uri) WHERE id = $1")
        .bind(id)
        .bind(state)
        .bind(uri)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Removes a follow.
pub async fn delete_follow(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    super::account_extras::drop_endorsement_of_follow(conn, id).await?;
    sqlx::query("DELETE FROM follows WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether `account_id` follows `target` (accepted).
pub async fn follows(db: impl sqlx::AnyExecutor<'_>, account_id: i64, target: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM follows WHERE account_id = $1 AND target_account_id = $2 AND state = 'accepted'",
    )
    .bind(account_id)
    .bind(target)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Local accounts that follow `target` (accepted): who gets its posts in their home timeline.
pub async fn local_followers(conn: &mut sqlx::AnyConnection, target: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT f.account_id FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.state = 'accepted' AND a.domain IS NULL",
    )
    .bind(target)
    .fetch_all(&mut *conn)
    .await
}

/// The local followers (accepted) of several accounts: (followed, follower) pairs.
pub async fn local_followers_of(
    conn: &mut sqlx::AnyConnection,
    targets: &[i64],
) -> Result<Vec<(i64, i64)>> {
    let mut found = Vec::new();
    for chunk in super::padded_chunks(targets, super::INSERT_CHUNK) {
        let sql = format!(
            "SELECT f.target_account_id, f.account_id FROM follows f \
             JOIN accounts a ON a.id = f.account_id \
             WHERE f.target_account_id IN ({}) AND f.state = 'accepted' AND a.domain IS NULL",
            placeholders(1, chunk.len())
        );
        let mut q =
            sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for id in chunk.iter() {
            q = q.bind(*id);
        }
        found.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// Whether any local account follows `target` (accepted).
pub async fn has_local_followers(db: &AnyPool, target: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.state = 'accepted' AND a.domain IS NULL",
    )
    .bind(target)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// The distinct inboxes (shared when possible) of an account's remote followers.
pub async fn remote_follower_inboxes(db: &AnyPool, target: i64) -> Result<Vec<String>> {
    let rows: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(a.shared_inbox_url, a.inbox_url) FROM follows f \
         JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.state = 'accepted' AND a.domain IS NOT NULL \
         AND a.deleted_at IS NULL",
    )
    .bind(target)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().flatten().collect())
}

/// Whether an account has an accepted remote follower that is not a group (a person, a bot:
/// someone on a server that may not be coopol; groups following a group are its sections).
pub async fn has_remote_person_followers(db: &AnyPool, target: i64) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.state = 'accepted' AND a.domain IS NOT NULL \
         AND a.deleted_at IS NULL AND a.actor_type <> 'Group' LIMIT 1",
    )
    .bind(target)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// The distinct inboxes of the remote accounts an account follows or has asked to follow.
pub async fn remote_following_inboxes(db: &AnyPool, account_id: i64) -> Result<Vec<String>> {
    let rows: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(a.shared_inbox_url, a.inbox_url) FROM follows f \
         JOIN accounts a ON a.id = f.target_account_id \
         WHERE f.account_id = $1 AND a.domain IS NOT NULL AND a.deleted_at IS NULL",
    )
    .bind(account_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().flatten().collect())
}

/// Followers (accepted) of an account, newest first: (follow id, follower id).
pub async fn followers_page(
    db: &AnyPool,
    target: i64,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT id, account_id FROM follows WHERE target_account_id = $1 AND state = 'accepted' \
         AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
    )
    .bind(target)
    .bind(max_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Records that `follower`'s follow of `target` is an affiliation: a section's with a
/// federation, decided by an administrator (docs/SECURITY.md, rule T3).
pub async fn set_affiliation(
    db: impl sqlx::AnyExecutor<'_>,
    follower: i64,
    target: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE follows SET affiliation = 1 WHERE account_id = $1 AND target_account_id = $2",
    )
    .bind(follower)
    .bind(target)
    .execute(db)
    .await?;
    Ok(())
}

/// Whether `follower` follows `target`, or asks to, as an affiliated section.
pub async fn is_affiliation(
    db: impl sqlx::AnyExecutor<'_>,
    follower: i64,
    target: i64,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM follows WHERE account_id = $1 AND target_account_id = $2 \
         AND affiliation = 1",
    )
    .bind(follower)
    .bind(target)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Accounts an account follows (accepted), newest first: (follow id, followed id); without
/// the groups it follows when `hide_groups`.
pub async fn following_page(
    db: &AnyPool,
    account_id: i64,
    max_id: Option<i64>,
    limit: i64,
    hide_groups: bool,
) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT f.id, f.target_account_id FROM follows f \
         JOIN accounts a ON a.id = f.target_account_id \
         WHERE f.account_id = $1 AND f.state = 'accepted' \
         AND ($2 IS NULL OR f.id < $2) AND ($4 = 0 OR a.actor_type <> 'Group') \
         ORDER BY f.id DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(max_id)
    .bind(limit)
    .bind(super::flag(hide_groups))
    .fetch_all(db)
    .await
}

/// Pending follow requests to an account, newest first: (follow id, requester id).
pub async fn follow_requests(
    db: &AnyPool,
    target: i64,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT id, account_id FROM follows WHERE target_account_id = $1 AND state = 'pending' \
         AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
    )
    .bind(target)
    .bind(max_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// (followers, following, pending requests) counts of an account.
pub async fn follow_counts(db: &AnyPool, account_id: i64) -> Result<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM follows WHERE target_account_id = $1 AND state = 'accepted'), \
           (SELECT COUNT(*) FROM follows WHERE account_id = $1 AND state = 'accepted'), \
           (SELECT COUNT(*) FROM follows WHERE target_account_id = $1 AND state = 'pending')",
    )
    .bind(account_id)
    .fetch_one(db)
    .await
}

/// Removes every follow between two accounts, both ways (after a block).
pub async fn delete_follows_between(
    conn: &mut sqlx::AnyConnection,
    a: i64,
    b: i64,
) -> Result<Vec<FollowRow>> {
    let rows: Vec<FollowRow> = sqlx::query_as(
        "SELECT id, account_id, target_account_id, uri, state FROM follows \
         WHERE (account_id = $1 AND target_account_id = $2) \
         OR (account_id = $2 AND target_account_id = $1)",
    )
    .bind(a)
    .bind(b)
    .fetch_all(&mut *conn)
    .await?;
    super::account_extras::drop_endorsements_between(conn, a, b).await?;
    sqlx::query(
        "DELETE FROM follows WHERE (account_id = $1 AND target_account_id = $2) \
         OR (account_id = $2 AND target_account_id = $1)",
    )
    .bind(a)
    .bind(b)
    .execute(&mut *conn)
    .await?;
    Ok(rows)
}

/// A block.
#[derive(Debug, Clone, FromRow)]
pub struct BlockRow {
    /// Its id.
    pub id: i64,
    /// Who blocks.
    pub account_id: i64,
    /// Who is blocked.
    pub target_account_id: i64,
    /// The Block activity's id.
    pub uri: Option<String>,
}

/// Records a block (or keeps the existing one).
pub async fn insert_block(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    target: i64,
    uri: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO blocks (account_id, target_account_id, uri, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, target_account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(target)
    .bind(uri)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The block of `target` by `account_id`, if any.
pub async fn block(db: &AnyPool, account_id: i64, target: i64) -> Result<Option<BlockRow>> {
    sqlx::query_as("SELECT id, account_id, target_account_id, uri FROM blocks WHERE account_id = $1 AND target_account_id = $2")
        .bind(account_id)
        .bind(target)
        .fetch_optional(db)
        .await
}

/// A block by its Block activity's id.
pub async fn block_by_uri(db: &AnyPool, uri: &str) -> Result<Option<BlockRow>> {
    sqlx::query_as("SELECT id, account_id, target_account_id, uri FROM blocks WHERE uri = $1")
        .bind(uri)
        .fetch_optional(db)
        .await
}

/// Removes a block.
pub async fn delete_block(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM blocks WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether either account blocks the other.
pub async fn blocked_either_way(db: impl sqlx::AnyExecutor<'_>, a: i64, b: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM blocks WHERE (account_id = $1 AND target_account_id = $2) \
         OR (account_id = $2 AND target_account_id = $1)",
    )
    .bind(a)
    .bind(b)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Whether an account blocks any account of a domain's (for signed fetches under
/// authorized_fetch: the signer is checked against the object's owner).
pub async fn blocks_account(db: &AnyPool, account_id: i64, target: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM blocks WHERE account_id = $1 AND target_account_id = $2",
    )
    .bind(account_id)
    .bind(target)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Accounts an account blocks, newest first: (block id, account id).
pub async fn blocks_page(
    db: &AnyPool,
    account_id: i64,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT id, target_account_id FROM blocks WHERE account_id = $1 AND ($2 IS NULL OR id < $2) \
         ORDER BY id DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(max_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A notification.
#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    /// Its id.
    pub id: i64,
    /// Who is notified.
    pub account_id: i64,
    /// Who caused it.
    pub from_account_id: i64,
    /// `mention`, `follow`, `follow_request`, `favourite`, `reblog`.
    #[sqlx(rename = "type")]
    pub kind: NotificationKind,
    /// The post concerned.
    pub status_id: Option<i64>,
    /// The group concerned (a request to join it, or to be affiliated with it).
    pub group_account_id: Option<i64>,
    /// When.
    pub created_at: i64,
    /// Its group's key (`NotificationKind::group_key`); `None` for a notification that is
    /// its own group (and in the queries that do not read it).
    #[sqlx(default)]
    pub group_key: Option<String>,
}

impl NotificationRow {
    /// The key of the group it is shown in: its stored key, or `ungrouped-<id>` as Mastodon
    /// names a notification alone.
    pub fn shown_group_key(&self) -> String {
        self.group_key
            .clone()
            .unwrap_or_else(|| format!("ungrouped-{}", self.id))
    }
}

/// Notifies a local account (once per kind, sender and post), as [`notify_many`] does.
pub async fn notify(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    from_account_id: i64,
    kind: NotificationKind,
    status_id: Option<i64>,
    now: i64,
) -> Result<()> {
    notify_many(conn, &[(account_id, from_account_id, kind, status_id)], now).await
}

/// Notifies several local accounts at once: (account, from account, type, post) rows.
/// Nobody is notified of their own doing, of a thread they muted, nor by someone they mute
/// with their notifications; each notification exists once; remote recipients are skipped.
/// The recipient's notification policy is applied in the same statement
/// (`super::notification_policy::VERDICT`): a dropped notification is not written, a
/// filtered one is written `filtered` and already dispatched, so that it is never listed,
/// streamed, pushed or mailed until its request is accepted.
pub async fn notify_many(
    conn: &mut sqlx::AnyConnection,
    rows: &[(i64, i64, NotificationKind, Option<i64>)],
    now: i64,
) -> Result<()> {
    let mut rows: Vec<_> = rows.iter().filter(|r| r.0 != r.1).collect();
    // Nothing comes from a thread the person muted.
    let about: Vec<(i64, i64)> = rows.iter().filter_map(|r| Some((r.0, r.3?))).collect();
    if !about.is_empty() {
        let muted = super::statuses::menu::muted_among(conn, &about).await?;
        if !muted.is_empty() {
            rows.retain(|r| r.3.is_none_or(|s| !muted.contains(&(r.0, s))));
        }
    }
    for chunk in super::padded_chunks(&rows, super::rows_per_statement(6)) {
        let sql = format!(
            "INSERT INTO notifications (account_id, from_account_id, type, status_id, created_at, \
             group_key, filtered, dispatched) \
             SELECT d.a, d.f, d.t, d.s, d.c, d.g, d.verdict, d.verdict FROM ({verdict}) AS d \
             WHERE d.verdict < 2 \
             ON CONFLICT DO NOTHING",
            verdict = super::notification_policy::verdict_sql(&super::rows(chunk.len(), 6)),
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for (account_id, from_account_id, kind, status_id) in chunk.iter() {
            q = q
                .bind(*account_id)
                .bind(*from_account_id)
                .bind(*kind)
                .bind(*status_id)
                .bind(now)
                .bind(kind.group_key(*status_id, now));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Removes a notification of a kind (when the follow request is withdrawn, say).
pub async fn unnotify(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    from_account_id: i64,
    kind: NotificationKind,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM notifications WHERE account_id = $1 AND from_account_id = $2 AND type = $3",
    )
    .bind(account_id)
    .bind(from_account_id)
    .bind(kind)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A page of an account's notifications, newest first, optionally of some kinds only; the
/// filtered ones (waiting in requests) only with `include_filtered`.
#[allow(clippy::too_many_arguments)]
pub async fn notifications(
    db: &AnyPool,
    account_id: i64,
    kinds: &[NotificationKind],
    include_filtered: bool,
    max_id: Option<i64>,
    since_id: Option<i64>,
    min_id: Option<i64>,
    limit: i64,
) -> Result<Vec<NotificationRow>> {
    let kinds_sql = if kinds.is_empty() {
        String::new()
    } else {
        format!(" AND type IN ({})", placeholders(5, kinds.len()))
    };
    let (lower, order) = match min_id {
        Some(min) => (Some(min), "ASC"),
        None => (since_id, "DESC"),
    };
    let filtered = if include_filtered {
        ""
    } else {
        " AND filtered = 0"
    };
    let sql = format!(
        "SELECT id, account_id, from_account_id, type, status_id, group_account_id, created_at, group_key \
         FROM notifications \
         WHERE account_id = $1 AND ($2 IS NULL OR id < $2) AND ($3 IS NULL OR id > $3) \
         AND $4 > 0{filtered}{kinds_sql} ORDER BY id {order} LIMIT $4"
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(account_id)
        .bind(max_id)
        .bind(lower)
        .bind(limit);
    for k in kinds {
        q = q.bind(*k);
    }
    let mut rows: Vec<NotificationRow> = q.fetch_all(db).await?;
    if order == "ASC" {
        rows.reverse();
    }
    Ok(rows)
}

/// One notification of an account.
pub async fn notification(
    db: &AnyPool,
    account_id: i64,
    id: i64,
) -> Result<Option<NotificationRow>> {
    sqlx::query_as(
        "SELECT id, account_id, from_account_id, type, status_id, group_account_id, created_at, group_key \
         FROM notifications \
         WHERE account_id = $1 AND id = $2",
    )
    .bind(account_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Dismisses one notification; false if it was not there.
pub async fn dismiss(db: &AnyPool, account_id: i64, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM notifications WHERE account_id = $1 AND id = $2")
        .bind(account_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Dismisses every notification of an account.
pub async fn clear(db: &AnyPool, account_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM notifications WHERE account_id = $1")
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Puts a post in home timelines, and in the timelines of the lists of those people that
/// hold its author (`lists::fan_out`).
pub async fn add_to_feeds(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    account_ids: &[i64],
) -> Result<()> {
    for chunk in super::padded_chunks(account_ids, super::INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO feeds (status_id, account_id) VALUES {} ON CONFLICT DO NOTHING",
            super::rows_sharing_first(chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(status_id);
        for account_id in chunk.iter() {
            q = q.bind(*account_id);
        }
        q.execute(&mut *conn).await?;
    }
    super::lists::fan_out(conn, &[status_id]).await
}

/// Adds posts to home timelines: (post, account) pairs; and to lists, as [`add_to_feeds`].
pub async fn add_to_feeds_many(conn: &mut sqlx::AnyConnection, pairs: &[(i64, i64)]) -> Result<()> {
    for chunk in super::padded_chunks(pairs, super::rows_per_statement(2)) {
        let sql = format!(
            "INSERT INTO feeds (status_id, account_id) VALUES {} ON CONFLICT DO NOTHING",
            super::rows(chunk.len(), 2)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for (status_id, account_id) in chunk.iter() {
            q = q.bind(*status_id).bind(*account_id);
        }
        q.execute(&mut *conn).await?;
    }
    let mut ids: Vec<i64> = pairs.iter().map(|p| p.0).collect();
    ids.sort_unstable();
    ids.dedup();
    super::lists::fan_out(conn, &ids).await
}

/// Keeps the newest `keep` entries of every local person's home timeline and takes the older
/// ones out, at most `chunk` rows per statement (a first trim of a long-grown table must not
/// hold SQLite's writer for long). Returns how many entries went. Pages past the last kept
/// entry come back empty, as on Mastodon; the posts stay everywhere else.
pub async fn trim_feeds(db: &super::Db, keep: i64, chunk: i64) -> Result<u64> {
    let mut removed = 0;
    let mut after = 0i64;
    loop {
        let people: Vec<i64> = sqlx::query_scalar(
            "SELECT account_id FROM users WHERE account_id > $1 ORDER BY account_id LIMIT 500",
        )
        .bind(after)
        .fetch_all(db.pool())
        .await?;
        let Some(&last) = people.last() else {
            return Ok(removed);
        };
        after = last;
        for account_id in people {
            // The newest entry that goes, if the timeline is longer than `keep` (a read: most
            // timelines need no write at all).
            let cut: Option<i64> = sqlx::query_scalar(
                "SELECT status_id FROM feeds WHERE account_id = $1 \
                 ORDER BY status_id DESC LIMIT 1 OFFSET $2",
            )
            .bind(account_id)
            .bind(keep)
            .fetch_optional(db.pool())
            .await?;
            let Some(cut) = cut else { continue };
            loop {
                let mut conn = db.writer().await?;
                let n = sqlx::query(
                    "DELETE FROM feeds WHERE account_id = $1 AND status_id IN \
                     (SELECT status_id FROM feeds WHERE account_id = $1 AND status_id <= $2 \
                      ORDER BY status_id LIMIT $3)",
                )
                .bind(account_id)
                .bind(cut)
                .bind(chunk)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                removed += n;
                if n < chunk as u64 {
                    break;
                }
            }
        }
    }
}

/// Takes an author's posts out of one home timeline (after an unfollow or a block), and the
/// author out of that person's lists (Mastodon's list members are follows).
pub async fn remove_author_from_feed(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    author: i64,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM feeds WHERE account_id = $1 AND status_id IN \
         (SELECT id FROM statuses WHERE account_id = $2)",
    )
    .bind(account_id)
    .bind(author)
    .execute(&mut *conn)
    .await?;
    super::lists::remove_member_everywhere(conn, account_id, author).await
}

/// Puts an author's recent posts in one home timeline (after a follow is accepted).
pub async fn backfill_feed(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    author: i64,
    limit: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO feeds (account_id, status_id) SELECT $1, id FROM statuses \
         WHERE account_id = $2 AND visibility IN ('public', 'unlisted', 'private') \
         ORDER BY id DESC LIMIT $3 ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(author)
    .bind(limit)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
