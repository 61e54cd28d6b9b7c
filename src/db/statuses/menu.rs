//! What the statuses menu of Mastodon apps keeps: earlier versions of edited posts
//! (`status_edits`), bookmarks, pinned posts (`status_pins`, ours and other servers'
//! `featured` collections, with `featured_fetches`), muted threads (`thread_mutes`), and the
//! paged lists of bookmarks and favourites.

use super::StatusRow;
use crate::db::{Result, placeholders};
use sqlx::{AnyPool, FromRow};
use std::collections::HashSet;

/// An earlier version of a post.
#[derive(Debug, Clone, FromRow)]
pub struct EditRow {
    /// Its id (versions are in id order).
    pub id: i64,
    /// The post.
    pub status_id: i64,
    /// Its HTML.
    pub content: String,
    /// Its content warning.
    pub spoiler_text: String,
    /// 1 when marked sensitive.
    pub sensitive: i64,
    /// Its media's ids, a JSON array.
    pub media_ids: String,
    /// When this version was published.
    pub created_at: i64,
}

impl EditRow {
    /// The media ids this version carried, in order.
    pub fn media(&self) -> Vec<i64> {
        serde_json::from_str(&self.media_ids).unwrap_or_default()
    }
}

/// Keeps the version of a post as it is now, before an edit replaces it: called by
/// `update_content` in the edit's transaction, so every edit (local, remote, of an event)
/// leaves its history.
pub async fn snapshot(conn: &mut sqlx::AnyConnection, status_id: i64) -> Result<()> {
    let media: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM media WHERE status_id = $1 AND state = 'ready' ORDER BY position",
    )
    .bind(status_id)
    .fetch_all(&mut *conn)
    .await?;
    let media = serde_json::to_string(&media).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "INSERT INTO status_edits (status_id, content, spoiler_text, sensitive, media_ids, created_at) \
         SELECT id, content, spoiler_text, sensitive, $2, COALESCE(edited_at, created_at) \
         FROM statuses WHERE id = $1",
    )
    .bind(status_id)
    .bind(media)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The earlier versions of a post, oldest first (bounded: a post edited more often shows its
/// latest ones).
pub async fn edits(db: &AnyPool, status_id: i64) -> Result<Vec<EditRow>> {
    let mut rows: Vec<EditRow> = sqlx::query_as(
        "SELECT id, status_id, content, spoiler_text, sensitive, media_ids, created_at \
         FROM status_edits WHERE status_id = $1 ORDER BY id DESC LIMIT 100",
    )
    .bind(status_id)
    .fetch_all(db)
    .await?;
    rows.reverse();
    Ok(rows)
}

/// Adds a bookmark; false when it existed.
pub async fn bookmark(db: &AnyPool, account_id: i64, status_id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO bookmarks (account_id, status_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(status_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes a bookmark.
pub async fn unbookmark(db: &AnyPool, account_id: i64, status_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM bookmarks WHERE account_id = $1 AND status_id = $2")
        .bind(account_id)
        .bind(status_id)
        .execute(db)
        .await?;
    Ok(())
}

/// A page of (row id, post id) pairs of a table of `account_id`'s (bookmarks or favourites),
/// paged by the row's id as Mastodon pages them: newest first below `max_id` and above
/// `since_id`, or the ones just above `min_id`.
async fn page_of(
    db: &AnyPool,
    table: &'static str,
    account_id: i64,
    page: super::Page,
) -> Result<Vec<(i64, i64)>> {
    let (lower, order) = page.bounds();
    let sql = format!(
        "SELECT id, status_id FROM {table} WHERE account_id = $1 \
         AND ($2 IS NULL OR id < $2) AND ($3 IS NULL OR id > $3) ORDER BY id {order} LIMIT $4"
    );
    let mut rows: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
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

/// A page of a person's bookmarks: (bookmark id, post id), newest first.
pub async fn bookmarks(
    db: &AnyPool,
    account_id: i64,
    page: super::Page,
) -> Result<Vec<(i64, i64)>> {
    page_of(db, "bookmarks", account_id, page).await
}

/// A page of a person's favourites: (favourite id, post id), newest first.
pub async fn favourites(
    db: &AnyPool,
    account_id: i64,
    page: super::Page,
) -> Result<Vec<(i64, i64)>> {
    page_of(db, "favourites", account_id, page).await
}

/// Pins a post for an account; false when it was pinned.
pub async fn pin(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    status_id: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO status_pins (account_id, status_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(status_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Unpins a post; false when it was not pinned.
pub async fn unpin(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    status_id: i64,
) -> Result<bool> {
    let done = sqlx::query("DELETE FROM status_pins WHERE account_id = $1 AND status_id = $2")
        .bind(account_id)
        .bind(status_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// How many posts an account has pinned, its row taken for the rest of the transaction first:
/// two pins at once (two processes on one PostgreSQL database) wait for each other, so the
/// limit holds (PostgreSQL locks the row; SQLite takes its write lock now).
pub async fn pin_count(conn: &mut sqlx::AnyConnection, account_id: i64) -> Result<i64> {
    sqlx::query("UPDATE accounts SET updated_at = updated_at WHERE id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT COUNT(*) FROM status_pins WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&mut *conn)
        .await
}

/// An account's pinned posts (their own), most recently pinned first.
pub async fn pinned(db: impl sqlx::AnyExecutor<'_>, account_id: i64) -> Result<Vec<StatusRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        status_columns!(),
        " FROM status_pins p JOIN statuses s ON s.id = p.status_id \
         WHERE p.account_id = $1 AND s.account_id = p.account_id ORDER BY p.id DESC LIMIT 40"
    ))
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Replaces a remote actor's pinned posts with those its `featured` collection lists now
/// (posts by that actor only; the caller checked).
pub async fn replace_pins(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    status_ids: &[i64],
    now: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM status_pins WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    // Oldest pin first, so that the first item of the collection gets the highest id.
    for id in status_ids.iter().rev() {
        pin(conn, account_id, *id, now).await?;
    }
    Ok(())
}

/// Remembers the address of a remote actor's `featured` collection (from its actor
/// document); a changed address is fetched anew.
pub async fn remember_featured(db: &AnyPool, account_id: i64, url: Option<&str>) -> Result<()> {
    match url {
        Some(url) => {
            sqlx::query(
                "INSERT INTO featured_fetches (account_id, featured_url, fetched_at) VALUES ($1, $2, 0) \
                 ON CONFLICT (account_id) DO UPDATE SET featured_url = excluded.featured_url, \
                 fetched_at = 0 WHERE featured_fetches.featured_url <> excluded.featured_url",
            )
            .bind(account_id)
            .bind(url)
            .execute(db)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM featured_fetches WHERE account_id = $1")
                .bind(account_id)
                .execute(db)
                .await?;
        }
    }
    Ok(())
}

/// The address of a remote actor's `featured` collection, if its actor document names one.
pub async fn featured_url(db: &AnyPool, account_id: i64) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT featured_url FROM featured_fetches WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(db)
        .await
}

/// The remote account whose `featured` collection is at an address, if any.
pub async fn featured_owner(db: &AnyPool, url: &str) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT account_id FROM featured_fetches WHERE featured_url = $1")
        .bind(url)
        .fetch_optional(db)
        .await
}

/// Claims the fetch of a remote actor's `featured` collection: its address when it was not
/// fetched since `stale_before` (it now counts as fetched), so that one process fetches it at
/// a time and at most once in a while.
pub async fn claim_featured_fetch(
    db: &AnyPool,
    account_id: i64,
    now: i64,
    stale_before: i64,
) -> Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE featured_fetches SET fetched_at = $2 WHERE account_id = $1 AND fetched_at < $3 \
         RETURNING featured_url",
    )
    .bind(account_id)
    .bind(now)
    .bind(stale_before)
    .fetch_optional(db)
    .await
}

/// Mutes a thread (given by its first post) for an account.
pub async fn mute_thread(db: &AnyPool, account_id: i64, root_id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO thread_mutes (account_id, status_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(root_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Unmutes a thread.
pub async fn unmute_thread(db: &AnyPool, account_id: i64, root_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM thread_mutes WHERE account_id = $1 AND status_id = $2")
        .bind(account_id)
        .bind(root_id)
        .execute(db)
        .await?;
    Ok(())
}

/// How far up a thread is walked to find its first post (the depth the API shows too).
pub const THREAD_DEPTH: i64 = 64;

/// The posts above each of some posts (each post itself included), as (post, ancestor)
/// pairs, walking at most [`THREAD_DEPTH`] answers up: one recursive query.
fn ancestors_sql(n: usize) -> String {
    format!(
        "WITH RECURSIVE up(start, id, parent, depth) AS ( \
           SELECT id, id, in_reply_to_id, 0 FROM statuses WHERE id IN ({}) \
           UNION ALL \
           SELECT up.start, s.id, s.in_reply_to_id, up.depth + 1 FROM statuses s \
           JOIN up ON s.id = up.parent WHERE up.depth < {THREAD_DEPTH}) ",
        placeholders(1, n)
    )
}

/// The first post of the thread a post is in (the post itself when it answers nothing known
/// here).
pub async fn thread_root(db: impl sqlx::AnyExecutor<'_>, status_id: i64) -> Result<i64> {
    let sql = format!(
        "{}SELECT id FROM up ORDER BY depth DESC LIMIT 1",
        ancestors_sql(1)
    );
    let root: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(status_id)
        .fetch_optional(db)
        .await?;
    Ok(root.unwrap_or(status_id))
}

/// Whether `account_id` wrote or is named in a post of the thread above `status_id` (the post
/// included): whether they take part in it.
pub async fn takes_part(db: &AnyPool, account_id: i64, status_id: i64) -> Result<bool> {
    let sql = format!(
        "{}SELECT COUNT(*) FROM up JOIN statuses s ON s.id = up.id WHERE s.account_id = ${} \
         OR EXISTS (SELECT 1 FROM mentions m WHERE m.status_id = up.id AND m.account_id = ${})",
        ancestors_sql(1),
        2,
        2
    );
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(status_id)
        .bind(account_id)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

/// Among (account, post) pairs, those where the account muted the post's thread.
pub async fn muted_among(
    conn: &mut sqlx::AnyConnection,
    pairs: &[(i64, i64)],
) -> Result<HashSet<(i64, i64)>> {
    let mut status_ids: Vec<i64> = pairs.iter().map(|p| p.1).collect();
    status_ids.sort_unstable();
    status_ids.dedup();
    let mut muted = HashSet::new();
    for chunk in crate::db::padded_chunks(&status_ids, crate::db::INSERT_CHUNK) {
        let sql = format!(
            "{}SELECT m.account_id, up.start FROM up JOIN thread_mutes m ON m.status_id = up.id",
            ancestors_sql(chunk.len())
        );
        let mut q =
            sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(crate::db::positional(conn, sql)));
        for id in chunk.iter() {
            q = q.bind(*id);
        }
        muted.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(pairs
        .iter()
        .copied()
        .filter(|p| muted.contains(p))
        .collect())
}

/// What a viewer did to posts of the statuses menu: bookmarked, pinned (by its author: the
/// viewer's own pins), thread muted. One query each for a page.
#[derive(Debug, Default, Clone)]
pub struct MenuState {
    /// Posts the viewer bookmarked.
    pub bookmarked: HashSet<i64>,
    /// Posts pinned by their author (the viewer, for their own posts).
    pub pinned: HashSet<i64>,
    /// Posts whose thread the viewer muted.
    pub muted: HashSet<i64>,
}

/// The viewer's bookmarks, pins and muted threads among a page of posts.
pub async fn menu_state(db: &AnyPool, viewer: i64, status_ids: &[i64]) -> Result<MenuState> {
    let mut state = MenuState::default();
    if status_ids.is_empty() {
        return Ok(state);
    }
    let list = placeholders(2, status_ids.len());
    let bookmarks =
        format!("SELECT status_id FROM bookmarks WHERE account_id = $1 AND status_id IN ({list})");
    let pins = format!(
        "SELECT status_id FROM status_pins WHERE account_id = $1 AND status_id IN ({list})"
    );
    for (sql, into) in [
        (bookmarks, &mut state.bookmarked),
        (pins, &mut state.pinned),
    ] {
        let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).bind(viewer);
        for id in status_ids {
            q = q.bind(*id);
        }
        into.extend(q.fetch_all(db).await?);
    }
    let mut conn = db.acquire().await?;
    let pairs: Vec<(i64, i64)> = status_ids.iter().map(|id| (viewer, *id)).collect();
    state.muted = muted_among(&mut conn, &pairs)
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    Ok(state)
}
