//! `statuses` (posts and boosts), `mentions`, `status_tags`, `favourites`, `tombstones`,
//! `idempotency_keys`, and the paged reads timelines are made of.
//!
//! This module holds [`StatusRow`], its columns, storing posts and the reads and writes of one
//! post, tombstones and idempotency keys; `tags` holds mentions and hashtags, `reactions` likes,
//! who boosted and the counts shown next to a post, and `pages` the paged reads of timelines.
//! Their public items are re-exported here.

use super::{Result, placeholders};
use sqlx::{AnyPool, FromRow};

#[macro_export]
#[doc(hidden)]
macro_rules! status_columns {
    () => {
        "s.id, s.uri, s.url, s.account_id, s.local, s.visibility, s.in_reply_to_id, \
         s.in_reply_to_uri, s.in_reply_to_account_id, s.reblog_of_id, s.content, s.source, \
         s.spoiler_text, s.sensitive, s.language, s.created_at, s.edited_at, s.group_id, \
         s.circle, s.title, s.thread_locked"
    };
}

pub mod menu;
mod pages;
mod reactions;
mod tags;

pub use pages::{AccountPosts, Page, by_account, direct, home, list, not_muted, public, tagged};
pub use reactions::{
    FavouriteRow, StatusCounts, counts_of, delete_favourite, favourite, favourite_by_uri,
    favourited_by, insert_favourite, reblogged_by, recount_stats,
};
pub use tags::{
    insert_mentions, insert_mentions_many, insert_tags_many, is_mentioned, mentioned_ids,
    mentions_of, replace_mentions, replace_tags, search_tags, tags_of,
};

/// A post or a boost as stored.
#[derive(Debug, Clone, FromRow)]
pub struct StatusRow {
    /// Time-ordered id (see `ids`).
    pub id: i64,
    /// ActivityPub id (for a boost, the Announce's id).
    pub uri: String,
    /// Web page of the post, if any.
    pub url: Option<String>,
    /// Author (or booster).
    pub account_id: i64,
    /// 1 when written on this instance.
    pub local: i64,
    /// Who may see it (`group`: the group's closed circle decides).
    pub visibility: crate::domain::Visibility,
    /// The post this answers, when known here.
    pub in_reply_to_id: Option<i64>,
    /// The ActivityPub id of the post this answers.
    pub in_reply_to_uri: Option<String>,
    /// The author of the post this answers, when known.
    pub in_reply_to_account_id: Option<i64>,
    /// For a boost, the boosted post.
    pub reblog_of_id: Option<i64>,
    /// Sanitized HTML.
    pub content: String,
    /// What the author typed (local posts).
    pub source: Option<String>,
    /// Content warning.
    pub spoiler_text: String,
    /// 1 when marked sensitive.
    pub sensitive: i64,
    /// Language tag, if known.
    pub language: Option<String>,
    /// Publication time.
    pub created_at: i64,
    /// Last edit time.
    pub edited_at: Option<i64>,
    /// The group it was written in (its audience), if any.
    pub group_id: Option<i64>,
    /// For a group post, who may read it: `public`, `sympathizers` or `members`.
    pub circle: Option<crate::domain::Circle>,
    /// The title of a discussion.
    pub title: Option<String>,
    /// 1 when a group moderator locked the thread this post starts.
    pub thread_locked: i64,
}

impl StatusRow {
    /// A local post with an id, an author and a visibility, nothing else (unit tests).
    #[cfg(test)]
    pub fn for_tests(
        id: i64,
        uri: &str,
        account_id: i64,
        visibility: crate::domain::Visibility,
    ) -> StatusRow {
        StatusRow {
            id,
            uri: uri.into(),
            url: None,
            account_id,
            local: 1,
            visibility,
            in_reply_to_id: None,
            in_reply_to_uri: None,
            in_reply_to_account_id: None,
            reblog_of_id: None,
            content: String::new(),
            source: None,
            spoiler_text: String::new(),
            sensitive: 0,
            language: None,
            created_at: 1_765_000_000_000_000,
            edited_at: None,
            group_id: None,
            circle: None,
            title: None,
            thread_locked: 0,
        }
    }
}

/// A post to store.
#[derive(Clone)]
pub struct NewStatus<'a> {
    /// ActivityPub id; `None` for local posts, whose id derives from their numeric id.
    pub uri: Option<&'a str>,
    /// Web page.
    pub url: Option<&'a str>,
    /// Author.
    pub account_id: i64,
    /// Written here.
    pub local: bool,
    /// Who may see it.
    pub visibility: crate::domain::Visibility,
    /// Parent, when known.
    pub in_reply_to_id: Option<i64>,
    /// Parent's ActivityPub id.
    pub in_reply_to_uri: Option<&'a str>,
    /// Parent's author.
    pub in_reply_to_account_id: Option<i64>,
    /// Boosted post.
    pub reblog_of_id: Option<i64>,
    /// HTML.
    pub content: &'a str,
    /// Source text.
    pub source: Option<&'a str>,
    /// Content warning.
    pub spoiler_text: &'a str,
    /// Sensitive.
    pub sensitive: bool,
    /// Language.
    pub language: Option<&'a str>,
    /// Publication time.
    pub created_at: i64,
    /// The group it is written in.
    pub group_id: Option<i64>,
    /// Its circle, for a group post.
    pub circle: Option<crate::domain::Circle>,
    /// A discussion's title.
    pub title: Option<&'a str>,
}

/// Inserts a post under a fresh time-ordered id; `uri_for(id)` gives local posts their
/// ActivityPub id. Returns `None` when a post with the same ActivityPub id exists (the same
/// object arriving by two routes takes effect once).
pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    ids: &crate::ids::IdGenerator,
    new: &NewStatus<'_>,
    uri_for: impl Fn(i64) -> (String, Option<String>),
) -> Result<Option<i64>> {
    for _ in 0..5 {
        let id = ids.at(new.created_at);
        let (uri, url) = match new.uri {
            Some(uri) => (uri.to_string(), new.url.map(str::to_string)),
            None => uri_for(id),
        };
        let row = NewStatus {
            uri: Some(&uri),
            url: url.as_deref(),
            ..new.clone()
        };
        if !insert_many(conn, &[(id, row)]).await?.is_empty() {
            return Ok(Some(id));
        }
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM statuses WHERE uri = $1")
            .bind(&uri)
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_some() {
            return Ok(None);
        }
        // The id collided with another process's: try the next one.
    }
    Err(sqlx::Error::Protocol(
        "could not allocate a status id".into(),
    ))
}

/// Inserts posts under the ids given, a few statements at most; returns
/// the ids inserted. A post whose ActivityPub id or id is already taken is skipped (the caller
/// tells which from the ids returned).
pub async fn insert_many(
    conn: &mut sqlx::AnyConnection,
    rows: &[(i64, NewStatus<'_>)],
) -> Result<Vec<i64>> {
    const COLUMNS: usize = 19;
    let mut inserted = Vec::with_capacity(rows.len());
    for chunk in super::padded_chunks(rows, super::rows_per_statement(COLUMNS)) {
        let sql = format!(
            "INSERT INTO statuses (id, uri, url, account_id, local, visibility, in_reply_to_id, \
             in_reply_to_uri, in_reply_to_account_id, reblog_of_id, content, source, \
             spoiler_text, sensitive, language, created_at, group_id, circle, title) \
             VALUES {} ON CONFLICT DO NOTHING RETURNING id",
            super::rows(chunk.len(), COLUMNS)
        );
        let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for (id, new) in chunk.iter() {
            q = q
                .bind(*id)
                .bind(new.uri)
                .bind(new.url)
                .bind(new.account_id)
                .bind(super::flag(new.local))
                .bind(new.visibility)
                .bind(new.in_reply_to_id)
                .bind(new.in_reply_to_uri)
                .bind(new.in_reply_to_account_id)
                .bind(new.reblog_of_id)
                .bind(new.content)
                .bind(new.source)
                .bind(new.spoiler_text)
                .bind(super::flag(new.sensitive))
                .bind(new.language)
                .bind(new.created_at)
                .bind(new.group_id)
                .bind(new.circle)
                .bind(new.title);
        }
        inserted.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(inserted)
}

/// A post by id.
pub async fn by_id(db: impl sqlx::AnyExecutor<'_>, id: i64) -> Result<Option<StatusRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        status_columns!(),
        " FROM statuses s WHERE s.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// A post by ActivityPub id.
pub async fn by_uri(db: impl sqlx::AnyExecutor<'_>, uri: &str) -> Result<Option<StatusRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        status_columns!(),
        " FROM statuses s WHERE s.uri = $1"
    ))
    .bind(uri)
    .fetch_optional(db)
    .await
}

/// The posts among some ActivityPub ids, a query per 512 ids.
pub async fn by_uris(conn: &mut sqlx::AnyConnection, uris: &[&str]) -> Result<Vec<StatusRow>> {
    let mut found = Vec::new();
    for chunk in super::padded_chunks(uris, super::INSERT_CHUNK) {
        let sql = format!(
            concat!(
                "SELECT ",
                status_columns!(),
                " FROM statuses s WHERE s.uri IN ({})"
            ),
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for uri in chunk.iter() {
            q = q.bind(*uri);
        }
        found.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// The ActivityPub ids, among some, of posts deleted here (tombstones).
pub async fn tombstoned_among(
    conn: &mut sqlx::AnyConnection,
    uris: &[&str],
) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for chunk in super::padded_chunks(uris, super::INSERT_CHUNK) {
        let sql = format!(
            "SELECT uri FROM tombstones WHERE uri IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for uri in chunk.iter() {
            q = q.bind(*uri);
        }
        found.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// Posts by ids, in no particular order.
pub async fn by_ids(db: &AnyPool, ids: &[i64]) -> Result<Vec<StatusRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!(
            "SELECT ",
            status_columns!(),
            " FROM statuses s WHERE s.id IN ({})"
        ),
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// The boost of `status_id` by `account_id`, if any.
pub async fn reblog_by(db: &AnyPool, account_id: i64, status_id: i64) -> Result<Option<StatusRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        status_columns!(),
        " FROM statuses s WHERE s.account_id = $1 AND s.reblog_of_id = $2"
    ))
    .bind(account_id)
    .bind(status_id)
    .fetch_optional(db)
    .await
}

/// Direct answers to a post, without a mission's shifts (part of the mission's post).
pub async fn replies(db: &AnyPool, status_id: i64) -> Result<Vec<StatusRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        concat!(
            "SELECT ",
            status_columns!(),
            " FROM statuses s WHERE s.in_reply_to_id = $1 AND {} ORDER BY s.id"
        ),
        super::events::NOT_SHIFT
    )))
    .bind(status_id)
    .fetch_all(db)
    .await
}

/// Links the answers that arrived before their parent (`in_reply_to_uri` known, id not) to
/// the parents just stored, given by ActivityPub id. The conditions are those of the partial
/// index `statuses_orphans` (migration 0012), written the same way so that both databases
/// use it (with `IS NULL`, SQLite would walk the index of every post without a parent).
pub async fn adopt_orphans(conn: &mut sqlx::AnyConnection, parent_uris: &[&str]) -> Result<()> {
    for chunk in super::padded_chunks(parent_uris, super::INSERT_CHUNK) {
        let sql = format!(
            "UPDATE statuses SET \
             in_reply_to_id = (SELECT p.id FROM statuses p WHERE p.uri = statuses.in_reply_to_uri), \
             in_reply_to_account_id = \
               (SELECT p.account_id FROM statuses p WHERE p.uri = statuses.in_reply_to_uri) \
             WHERE in_reply_to_uri IN ({}) \
             AND COALESCE(in_reply_to_id, 0) = 0 AND in_reply_to_uri IS NOT NULL",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for uri in chunk.iter() {
            q = q.bind(*uri);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Changes a post's title (an event renamed).
pub async fn set_title(conn: &mut sqlx::AnyConnection, id: i64, title: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE statuses SET title = $2 WHERE id = $1")
        .bind(id)
        .bind(title)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Replaces a post's text after an edit, keeping the version replaced (`menu::snapshot`).
pub async fn update_content(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    content: &str,
    source: Option<&str>,
    spoiler_text: &str,
    sensitive: bool,
    edited_at: i64,
) -> Result<()> {
    // The version replaced stays in the post's history.
    menu::snapshot(conn, id).await?;
    sqlx::query(
        "UPDATE statuses SET content = $2, source = $3, spoiler_text = $4, sensitive = $5, \
         edited_at = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(content)
    .bind(source)
    .bind(spoiler_text)
    .bind(super::flag(sensitive))
    .bind(edited_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes a post (its boosts, mentions, likes, feed entries and notifications go with it) and
/// remembers its ActivityPub id so that it cannot come back.
pub async fn delete(conn: &mut sqlx::AnyConnection, id: i64, uri: &str, now: i64) -> Result<()> {
    forget(conn, id).await?;
    add_tombstone(conn, uri, now).await
}

/// Deletes a post without remembering its id: it may arrive again (a group removed here a
/// post of another server, which only that server may refuse for good).
pub async fn forget(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    sqlx::query(
        "DELETE FROM received_creates WHERE object_uri = (SELECT uri FROM statuses WHERE id = $1)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM statuses WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Remembers that an object was deleted.
pub async fn add_tombstone(conn: &mut sqlx::AnyConnection, uri: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO tombstones (uri, deleted_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(uri)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Forgets that an object was deleted (its own server serves it again).
pub async fn remove_tombstone(db: &AnyPool, uri: &str) -> Result<()> {
    sqlx::query("DELETE FROM tombstones WHERE uri = $1")
        .bind(uri)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether an object was deleted.
pub async fn is_tombstoned(db: &AnyPool, uri: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tombstones WHERE uri = $1")
        .bind(uri)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

/// How many local posts exist (NodeInfo).
pub async fn count_local(db: &AnyPool) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM statuses WHERE local = 1 AND reblog_of_id IS NULL")
        .fetch_one(db)
        .await
}

/// The post an Idempotency-Key already made, if any.
pub async fn idempotent(
    db: &AnyPool,
    account_id: i64,
    key: &str,
    since: i64,
) -> Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT status_id FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND created_at > $3",
    )
    .bind(account_id)
    .bind(key)
    .bind(since)
    .fetch_optional(db)
    .await
}

/// How long an `Idempotency-Key` names the post it created (Mastodon keeps it an hour).
pub const IDEMPOTENCY_WINDOW_MICROS: i64 = 3_600_000_000;

/// Remembers the post an Idempotency-Key made; false when the key was taken meanwhile.
pub async fn remember_idempotency(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    key: &str,
    status_id: i64,
    now: i64,
) -> Result<bool> {
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND created_at <= $3",
    )
    .bind(account_id)
    .bind(key)
    .bind(now - IDEMPOTENCY_WINDOW_MICROS)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(
        "INSERT INTO idempotency_keys (account_id, key, status_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(key)
    .bind(status_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
