//! `lists`, `list_accounts` and `list_feeds`: a person's lists of accounts they follow, and
//! each list's timeline, filled on write like the home timeline's `feeds`.

use super::{Result, placeholders};
use sqlx::{AnyPool, FromRow};

/// A list.
#[derive(Debug, Clone, FromRow)]
pub struct ListRow {
    /// Its id.
    pub id: i64,
    /// Its owner.
    pub account_id: i64,
    /// Its name.
    pub title: String,
    /// `followed`, `list` or `none`.
    pub replies_policy: String,
    /// 1: its members' posts stay out of the owner's home timeline.
    pub exclusive: i64,
}

const COLUMNS: &str = "id, account_id, title, replies_policy, exclusive";

/// Which posts of `s` a list `l` shows, as Mastodon's `FeedManager#filter_from_list?`: posts
/// that are no answer, answers to oneself or to the list's owner, and other answers as the
/// list's replies policy says (`followed`: to someone the owner follows; `list`: to a member
/// of the list; `none`: no other). An answer to a post not known here counts as an answer to
/// someone else.
const SHOWS: &str = "(s.in_reply_to_uri IS NULL \
     OR s.in_reply_to_account_id = s.account_id OR s.in_reply_to_account_id = l.account_id \
     OR (l.replies_policy = 'followed' AND EXISTS (SELECT 1 FROM follows fo \
         WHERE fo.account_id = l.account_id AND fo.target_account_id = s.in_reply_to_account_id \
         AND fo.state = 'accepted')) \
     OR (l.replies_policy = 'list' AND EXISTS (SELECT 1 FROM list_accounts m \
         WHERE m.list_id = l.id AND m.account_id = s.in_reply_to_account_id)))";

/// Records a list.
pub async fn insert(conn: &mut sqlx::AnyConnection, list: &ListRow, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO lists (id, account_id, title, replies_policy, exclusive, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(list.id)
    .bind(list.account_id)
    .bind(&list.title)
    .bind(&list.replies_policy)
    .bind(list.exclusive)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Changes a list's title, replies policy and exclusivity (its owner's only).
pub async fn update(conn: &mut sqlx::AnyConnection, list: &ListRow) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE lists SET title = $1, replies_policy = $2, exclusive = $3 \
         WHERE id = $4 AND account_id = $5",
    )
    .bind(&list.title)
    .bind(&list.replies_policy)
    .bind(list.exclusive)
    .bind(list.id)
    .bind(list.account_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes one of `owner`'s lists (its members and timeline go with it).
pub async fn delete(db: &AnyPool, owner: i64, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM lists WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(owner)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// One of `owner`'s lists.
pub async fn get(db: impl sqlx::AnyExecutor<'_>, owner: i64, id: i64) -> Result<Option<ListRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM lists WHERE id = $1 AND account_id = $2"
    )))
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await
}

/// `owner`'s lists, oldest first (as Mastodon lists them).
pub async fn of_owner(db: &AnyPool, owner: i64) -> Result<Vec<ListRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM lists WHERE account_id = $1 ORDER BY id"
    )))
    .bind(owner)
    .fetch_all(db)
    .await
}

/// `owner`'s lists that hold `member`.
pub async fn holding(db: &AnyPool, owner: i64, member: i64) -> Result<Vec<ListRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM lists l JOIN list_accounts la ON la.list_id = l.id \
         WHERE l.account_id = $1 AND la.account_id = $2 ORDER BY l.id",
        "l.id, l.account_id, l.title, l.replies_policy, l.exclusive"
    )))
    .bind(owner)
    .bind(member)
    .fetch_all(db)
    .await
}

/// Of `candidates`, the accounts `owner` follows (accepted).
pub async fn followed_among(
    conn: &mut sqlx::AnyConnection,
    owner: i64,
    candidates: &[i64],
) -> Result<Vec<i64>> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT target_account_id FROM follows WHERE account_id = $1 AND state = 'accepted' \
         AND target_account_id IN ({})",
        placeholders(2, candidates.len())
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(owner);
    for c in candidates {
        q = q.bind(*c);
    }
    q.fetch_all(&mut *conn).await
}

/// Adds a member to a list and puts the member's posts that the owner's home timeline holds
/// in the list's timeline, as the list's replies policy shows them.
pub async fn add_member(
    conn: &mut sqlx::AnyConnection,
    list_id: i64,
    member: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO list_accounts (list_id, account_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(list_id)
    .bind(member)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let sql = format!(
        "INSERT INTO list_feeds (list_id, status_id) \
         SELECT l.id, s.id FROM lists l \
         JOIN feeds f ON f.account_id = l.account_id \
         JOIN statuses s ON s.id = f.status_id \
         WHERE l.id = $1 AND s.account_id = $2 AND {SHOWS} \
         ON CONFLICT DO NOTHING"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(list_id)
        .bind(member)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Takes a member out of a list, with their posts out of its timeline.
pub async fn remove_member(
    conn: &mut sqlx::AnyConnection,
    list_id: i64,
    member: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM list_accounts WHERE list_id = $1 AND account_id = $2")
        .bind(list_id)
        .bind(member)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "DELETE FROM list_feeds WHERE list_id = $1 AND status_id IN \
         (SELECT id FROM statuses WHERE account_id = $2)",
    )
    .bind(list_id)
    .bind(member)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes `member` out of every list of `owner` (after an unfollow or a block): Mastodon's list
/// members are follows.
pub async fn remove_member_everywhere(
    conn: &mut sqlx::AnyConnection,
    owner: i64,
    member: i64,
) -> Result<()> {
    let lists: Vec<i64> = sqlx::query_scalar(
        "SELECT l.id FROM lists l JOIN list_accounts la ON la.list_id = l.id \
         WHERE l.account_id = $1 AND la.account_id = $2",
    )
    .bind(owner)
    .bind(member)
    .fetch_all(&mut *conn)
    .await?;
    for list_id in lists {
        remove_member(conn, list_id, member).await?;
    }
    Ok(())
}

/// A page of a list's members: (membership order key, account), newest first. The key is the
/// member's account id, which pages as Mastodon's `max_id`/`since_id` do here.
pub async fn members_page(
    db: &AnyPool,
    list_id: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT account_id, account_id FROM list_accounts WHERE list_id = $1 \
         AND ($2 IS NULL OR account_id < $2) AND ($3 IS NULL OR account_id > $3) \
         ORDER BY account_id DESC LIMIT $4",
    )
    .bind(list_id)
    .bind(max_id)
    .bind(since_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Puts new posts in the timelines of the lists holding their authors, for the lists whose
/// owner's home timeline holds them (so a list never shows what its owner may not read), as
/// each list's replies policy says. Called right after the posts enter home timelines.
pub async fn fan_out(conn: &mut sqlx::AnyConnection, status_ids: &[i64]) -> Result<()> {
    for chunk in super::padded_chunks(status_ids, super::INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO list_feeds (list_id, status_id) \
             SELECT l.id, s.id FROM statuses s \
             JOIN list_accounts la ON la.account_id = s.account_id \
             JOIN lists l ON l.id = la.list_id \
             JOIN feeds f ON f.account_id = l.account_id AND f.status_id = s.id \
             WHERE s.id IN ({}) AND {SHOWS} \
             ON CONFLICT DO NOTHING",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for id in chunk.iter() {
            q = q.bind(*id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The lists holding each post in their timeline: (post, list, owner).
pub async fn readers(db: &AnyPool, status_ids: &[i64]) -> Result<Vec<(i64, i64, i64)>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT lf.status_id, lf.list_id, l.account_id FROM list_feeds lf \
         JOIN lists l ON l.id = lf.list_id WHERE lf.status_id IN ({})",
        placeholders(1, status_ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in status_ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// The owners of exclusive lists holding each of `authors`: (owner, author) pairs. Their
/// home timelines and `user` streams leave those authors' posts to the lists.
pub async fn exclusive_owners(db: &AnyPool, authors: &[i64]) -> Result<Vec<(i64, i64)>> {
    if authors.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT l.account_id, la.account_id FROM list_accounts la \
         JOIN lists l ON l.id = la.list_id WHERE l.exclusive = 1 AND la.account_id IN ({})",
        placeholders(1, authors.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in authors {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Keeps the newest `keep` entries of every list's timeline, at most `chunk` rows a statement.
pub async fn trim(db: &super::Db, keep: i64, chunk: i64) -> Result<u64> {
    let mut removed = 0;
    let mut after = 0i64;
    loop {
        let lists: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM lists WHERE id > $1 ORDER BY id LIMIT 500")
                .bind(after)
                .fetch_all(db.pool())
                .await?;
        let Some(&last) = lists.last() else {
            return Ok(removed);
        };
        after = last;
        for list_id in lists {
            let cut: Option<i64> = sqlx::query_scalar(
                "SELECT status_id FROM list_feeds WHERE list_id = $1 \
                 ORDER BY status_id DESC LIMIT 1 OFFSET $2",
            )
            .bind(list_id)
            .bind(keep)
            .fetch_optional(db.pool())
            .await?;
            let Some(cut) = cut else { continue };
            loop {
                let mut conn = db.writer().await?;
                let n = sqlx::query(
                    "DELETE FROM list_feeds WHERE list_id = $1 AND status_id IN \
                     (SELECT status_id FROM list_feeds WHERE list_id = $1 AND status_id <= $2 \
                      ORDER BY status_id LIMIT $3)",
                )
                .bind(list_id)
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
