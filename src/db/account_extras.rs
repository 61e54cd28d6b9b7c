//! `user_domain_blocks`, `account_notes`, `endorsements`: what a person keeps about other
//! accounts (Mastodon's account domain blocks, notes and endorsements), the batch reads of
//! relationships, and familiar followers.

use super::{Result, placeholders, social::FollowRow, statuses::Page};
use sqlx::AnyPool;

/// The condition that keeps out, for the viewer `viewer` (a placeholder), the posts and boosts
/// of accounts on a domain they block (`s` is the post). Read through the accounts' primary
/// key and the blocks' `(account_id, domain)` index: two lookups a post.
pub fn not_domain_blocked(viewer: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM accounts da JOIN user_domain_blocks udb \
         ON udb.account_id = {viewer} AND udb.domain = da.domain \
         WHERE da.id = s.account_id OR da.id = \
              (SELECT r.account_id FROM statuses r WHERE r.id = s.reblog_of_id))"
    )
}

/// Records `account_id`'s block of `domain`; `false` when it was already there.
pub async fn block_domain(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    account_id: i64,
    domain: &str,
    now: i64,
) -> Result<bool> {
    Ok(sqlx::query(
        "INSERT INTO user_domain_blocks (id, account_id, domain, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, domain) DO NOTHING",
    )
    .bind(id)
    .bind(account_id)
    .bind(domain)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        > 0)
}

/// Whether `account_id` blocks the domain of `other`.
pub async fn blocks_domain_of(
    db: impl sqlx::AnyExecutor<'_>,
    account_id: i64,
    other: i64,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts a JOIN user_domain_blocks udb \
         ON udb.account_id = $1 AND udb.domain = a.domain WHERE a.id = $2",
    )
    .bind(account_id)
    .bind(other)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Lifts a block of a domain (nothing when there is none).
pub async fn unblock_domain(db: &AnyPool, account_id: i64, domain: &str) -> Result<()> {
    sqlx::query("DELETE FROM user_domain_blocks WHERE account_id = $1 AND domain = $2")
        .bind(account_id)
        .bind(domain)
        .execute(db)
        .await?;
    Ok(())
}

/// A page of a person's blocked domains: (block id, domain), newest first, as [`Page`] says.
pub async fn domain_blocks_page(
    db: &AnyPool,
    account_id: i64,
    page: Page,
) -> Result<Vec<(i64, String)>> {
    let (lower, order) = page.bounds();
    let sql = format!(
        "SELECT id, domain FROM user_domain_blocks WHERE account_id = $1 \
         AND ($2 IS NULL OR id < $2) AND ($3 IS NULL OR id > $3) ORDER BY id {order} LIMIT $4"
    );
    let mut rows: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(account_id)
        .bind(page.max_id)
        .bind(lower)
        .bind(page.limit)
        .fetch_all(db)
        .await?;
    if order == "ASC" {
        rows.reverse();
    }
    Ok(rows)
}

/// The follows of `account_id` (accepted or asked) by accounts on `domain`.
pub async fn followers_on_domain(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    domain: &str,
) -> Result<Vec<FollowRow>> {
    sqlx::query_as(
        "SELECT f.id, f.account_id, f.target_account_id, f.uri, f.state FROM follows f \
         JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND a.domain = $2",
    )
    .bind(account_id)
    .bind(domain)
    .fetch_all(&mut *conn)
    .await
}

/// Deletes the notifications `account_id` received from accounts on `domain`, and the
/// permissions they were given past its notification policy (Mastodon's clean-up after a
/// domain block).
pub async fn forget_domain_notifications(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    domain: &str,
) -> Result<u64> {
    let n = sqlx::query(
        "DELETE FROM notifications WHERE account_id = $1 AND from_account_id IN \
         (SELECT id FROM accounts WHERE domain = $2)",
    )
    .bind(account_id)
    .bind(domain)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query(
        "DELETE FROM notification_permissions WHERE account_id = $1 AND from_account_id IN \
         (SELECT id FROM accounts WHERE domain = $2)",
    )
    .bind(account_id)
    .bind(domain)
    .execute(&mut *conn)
    .await?;
    Ok(n)
}

/// Who blocks the domain of each of `authors`: (blocker, author) pairs, for the live streams.
pub async fn domain_blockers_of(db: &AnyPool, authors: &[i64]) -> Result<Vec<(i64, i64)>> {
    if authors.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT udb.account_id, a.id FROM accounts a \
         JOIN user_domain_blocks udb ON udb.domain = a.domain WHERE a.id IN ({})",
        placeholders(1, authors.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in authors {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// A query over `me` (`$1`) and `n` accounts (`$2...`): `head (the ids) tail`.
fn among_sql(head: &str, tail: &str, n: usize) -> String {
    format!("{head} ({}){tail}", placeholders(2, n))
}

macro_rules! bind_among {
    ($q:expr, $me:expr, $ids:expr) => {{
        let mut q = $q.bind($me);
        for id in $ids {
            q = q.bind(*id);
        }
        q
    }};
}

/// The follows between `me` and each of `ids`, both ways.
pub async fn follows_among(db: &AnyPool, me: i64, ids: &[i64]) -> Result<Vec<FollowRow>> {
    let list = placeholders(2, ids.len());
    let sql = format!(
        "SELECT id, account_id, target_account_id, uri, state FROM follows \
         WHERE (account_id = $1 AND target_account_id IN ({list})) \
         OR (target_account_id = $1 AND account_id IN ({list}))"
    );
    // Each id is written twice: SQLite binds `$n` by name, PostgreSQL by number, so the
    // same placeholder twice binds once on both.
    bind_among!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), me, ids)
        .fetch_all(db)
        .await
}

/// `me`'s memberships of the groups among `ids` that are joined by following them (on another
/// server, with no members collection: Lemmy's communities), as (group, state): there the
/// membership is `me`'s follow of the group (`service::groups::Group::joined_by_follow`).
pub async fn follow_memberships_among(
    db: &AnyPool,
    me: i64,
    ids: &[i64],
) -> Result<Vec<(i64, crate::domain::MembershipState)>> {
    let list = placeholders(2, ids.len());
    let sql = format!(
        "SELECT m.group_id, m.state FROM group_members m \
         JOIN accounts a ON a.id = m.group_id \
         LEFT JOIN groups g ON g.account_id = m.group_id \
         WHERE m.account_id = $1 AND m.group_id IN ({list}) \
         AND a.domain IS NOT NULL AND g.members_url IS NULL"
    );
    bind_among!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), me, ids)
        .fetch_all(db)
        .await
}

/// The blocks between `me` and each of `ids`, both ways: (blocker, blocked).
pub async fn blocks_among(db: &AnyPool, me: i64, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    let list = placeholders(2, ids.len());
    let sql = format!(
        "SELECT account_id, target_account_id FROM blocks \
         WHERE (account_id = $1 AND target_account_id IN ({list})) \
         OR (target_account_id = $1 AND account_id IN ({list}))"
    );
    bind_among!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), me, ids)
        .fetch_all(db)
        .await
}

/// `me`'s mutes in force at `now` of each of `ids`: (muted, notifications too).
pub async fn mutes_among(db: &AnyPool, me: i64, ids: &[i64], now: i64) -> Result<Vec<(i64, i64)>> {
    let sql = among_sql(
        "SELECT target_account_id, notifications FROM mutes WHERE account_id = $1 \
         AND target_account_id IN",
        &format!(
            " AND (expires_at IS NULL OR expires_at > ${})",
            ids.len() + 2
        ),
        ids.len(),
    );
    bind_among!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), me, ids)
        .bind(now)
        .fetch_all(db)
        .await
}

/// Those of `ids` whose domain `me` blocks.
pub async fn domain_blocked_among(db: &AnyPool, me: i64, ids: &[i64]) -> Result<Vec<i64>> {
    let sql = among_sql(
        "SELECT a.id FROM accounts a JOIN user_domain_blocks udb \
         ON udb.account_id = $1 AND udb.domain = a.domain WHERE a.id IN",
        "",
        ids.len(),
    );
    bind_among!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), me, ids)
        .fetch_all(db)
        .await
}

/// `me`'s notes on each of `ids`: (account, note).
pub async fn notes_among(db: &AnyPool, me: i64, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    let sql = among_sql(
        "SELECT target_account_id, comment FROM account_notes WHERE account_id = $1 \
         AND target_account_id IN",
        "",
        ids.len(),
    );
    bind_among!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), me, ids)
        .fetch_all(db)
        .await
}

/// Those of `ids` that `me` endorses (and still follows).
pub async fn endorsed_among(db: &AnyPool, me: i64, ids: &[i64]) -> Result<Vec<i64>> {
    let sql = among_sql(
        "SELECT e.target_account_id FROM endorsements e JOIN follows f \
         ON f.account_id = e.account_id AND f.target_account_id = e.target_account_id \
         AND f.state = 'accepted' WHERE e.account_id = $1 AND e.target_account_id IN",
        "",
        ids.len(),
    );
    bind_among!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), me, ids)
        .fetch_all(db)
        .await
}

/// Sets (or, with `None`, removes) `me`'s note on `target`.
pub async fn set_note(
    db: &AnyPool,
    me: i64,
    target: i64,
    comment: Option<&str>,
    now: i64,
) -> Result<()> {
    match comment {
        Some(comment) => {
            sqlx::query(
                "INSERT INTO account_notes (account_id, target_account_id, comment, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, target_account_id) \
                 DO UPDATE SET comment = excluded.comment, updated_at = excluded.updated_at",
            )
            .bind(me)
            .bind(target)
            .bind(comment)
            .bind(now)
            .execute(db)
            .await?;
        }
        None => {
            sqlx::query(
                "DELETE FROM account_notes WHERE account_id = $1 AND target_account_id = $2",
            )
            .bind(me)
            .bind(target)
            .execute(db)
            .await?;
        }
    }
    Ok(())
}

/// Endorses `target`, if `me` follows it (accepted), in one statement, so that a follow ended
/// meanwhile is never endorsed; `false` when `me` does not follow it. Endorsing again keeps the
/// first endorsement.
pub async fn endorse(db: &AnyPool, id: i64, me: i64, target: i64, now: i64) -> Result<bool> {
    if !super::social::follows(db, me, target).await? {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO endorsements (id, account_id, target_account_id, created_at) \
         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM follows WHERE account_id = $2 \
         AND target_account_id = $3 AND state = 'accepted') \
         ON CONFLICT (account_id, target_account_id) DO NOTHING",
    )
    .bind(id)
    .bind(me)
    .bind(target)
    .bind(now)
    .execute(db)
    .await?;
    Ok(true)
}

/// Lifts an endorsement (nothing when there is none).
pub async fn unendorse(db: &AnyPool, me: i64, target: i64) -> Result<()> {
    sqlx::query("DELETE FROM endorsements WHERE account_id = $1 AND target_account_id = $2")
        .bind(me)
        .bind(target)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends the endorsements that go with follows about to end: the follow `follow_id`.
pub async fn drop_endorsement_of_follow(
    conn: &mut sqlx::AnyConnection,
    follow_id: i64,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM endorsements WHERE EXISTS (SELECT 1 FROM follows f WHERE f.id = $1 \
         AND f.account_id = endorsements.account_id \
         AND f.target_account_id = endorsements.target_account_id)",
    )
    .bind(follow_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends the endorsements between two accounts, both ways (their follows end).
pub async fn drop_endorsements_between(
    conn: &mut sqlx::AnyConnection,
    a: i64,
    b: i64,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM endorsements WHERE (account_id = $1 AND target_account_id = $2) \
         OR (account_id = $2 AND target_account_id = $1)",
    )
    .bind(a)
    .bind(b)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A page of the accounts `me` endorses and still follows: (endorsement id, account), newest
/// first, as [`Page`] says.
pub async fn endorsements_page(db: &AnyPool, me: i64, page: Page) -> Result<Vec<(i64, i64)>> {
    let (lower, order) = page.bounds();
    let sql = format!(
        "SELECT e.id, e.target_account_id FROM endorsements e JOIN follows f \
         ON f.account_id = e.account_id AND f.target_account_id = e.target_account_id \
         AND f.state = 'accepted' JOIN accounts a ON a.id = e.target_account_id \
         WHERE e.account_id = $1 AND a.deleted_at IS NULL \
         AND ($2 IS NULL OR e.id < $2) AND ($3 IS NULL OR e.id > $3) ORDER BY e.id {order} LIMIT $4"
    );
    let mut rows: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(me)
        .bind(page.max_id)
        .bind(lower)
        .bind(page.limit)
        .fetch_all(db)
        .await?;
    if order == "ASC" {
        rows.reverse();
    }
    Ok(rows)
}

/// The accounts `account_id` endorses that its public profile shows, newest first: people
/// (never groups: which groups someone follows is theirs alone, docs/SECURITY.md P2 and P10)
/// it still follows, not deleted.
pub async fn endorsed_people(db: &AnyPool, account_id: i64, limit: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT e.target_account_id FROM endorsements e JOIN follows f \
         ON f.account_id = e.account_id AND f.target_account_id = e.target_account_id \
         AND f.state = 'accepted' JOIN accounts a ON a.id = e.target_account_id \
         WHERE e.account_id = $1 AND a.deleted_at IS NULL AND a.actor_type <> 'Group' \
         AND a.actor_type <> 'Application' ORDER BY e.id DESC LIMIT $2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// For each of `targets`, up to `per_target` accounts `viewer` follows that follow it (both
/// follows accepted): (target, follower), the follows `viewer` made last first. Accounts that
/// are deleted, and groups as followers, are left out.
pub async fn familiar_followers(
    db: &AnyPool,
    viewer: i64,
    targets: &[i64],
    per_target: i64,
) -> Result<Vec<(i64, i64)>> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT t, a FROM (SELECT f.target_account_id AS t, f.account_id AS a, \
             ROW_NUMBER() OVER (PARTITION BY f.target_account_id ORDER BY mine.id DESC) AS rn \
             FROM follows f \
             JOIN follows mine ON mine.account_id = $1 AND mine.target_account_id = f.account_id \
                 AND mine.state = 'accepted' \
             JOIN accounts fa ON fa.id = f.account_id \
             WHERE f.state = 'accepted' AND fa.deleted_at IS NULL AND fa.actor_type NOT IN ('Group', 'Application') \
             AND f.target_account_id IN ({})) AS x \
         WHERE x.rn <= ${} ORDER BY x.t, x.rn",
        placeholders(2, targets.len()),
        targets.len() + 2
    );
    bind_among!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), viewer, targets)
        .bind(per_target)
        .fetch_all(db)
        .await
}
