//! `statuses` (posts and boosts), `mentions`, `status_tags`, `favourites`, `tombstones`,
//! `idempotency_keys`, and the paged reads timelines are made of.

use super::{Result, placeholders};
use sqlx::{AnyPool, FromRow};

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

/// Direct answers to a post.
pub async fn replies(db: &AnyPool, status_id: i64) -> Result<Vec<StatusRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        status_columns!(),
        " FROM statuses s WHERE s.in_reply_to_id = $1 ORDER BY s.id"
    ))
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

/// Replaces a post's text after an edit.
pub async fn update_content(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    content: &str,
    source: Option<&str>,
    spoiler_text: &str,
    sensitive: bool,
    edited_at: i64,
) -> Result<()> {
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

/// Whether an object was deleted.
pub async fn is_tombstoned(db: &AnyPool, uri: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tombstones WHERE uri = $1")
        .bind(uri)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

/// Records the accounts a post mentions.
pub async fn insert_mentions(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    account_ids: &[i64],
) -> Result<()> {
    for chunk in super::padded_chunks(account_ids, super::INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO mentions (status_id, account_id) VALUES {} ON CONFLICT DO NOTHING",
            super::rows_sharing_first(chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(status_id);
        for account_id in chunk.iter() {
            q = q.bind(*account_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records the mentions of several posts: (post, account) pairs.
pub async fn insert_mentions_many(
    conn: &mut sqlx::AnyConnection,
    pairs: &[(i64, i64)],
) -> Result<()> {
    for chunk in super::padded_chunks(pairs, super::rows_per_statement(2)) {
        let sql = format!(
            "INSERT INTO mentions (status_id, account_id) VALUES {} ON CONFLICT DO NOTHING",
            super::rows(chunk.len(), 2)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for (status_id, account_id) in chunk.iter() {
            q = q.bind(*status_id).bind(*account_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records the hashtags of several new posts: (post, name) pairs.
pub async fn insert_tags_many(conn: &mut sqlx::AnyConnection, pairs: &[(i64, &str)]) -> Result<()> {
    for chunk in super::padded_chunks(pairs, super::rows_per_statement(2)) {
        let sql = format!(
            "INSERT INTO status_tags (status_id, name) VALUES {} ON CONFLICT DO NOTHING",
            super::rows(chunk.len(), 2)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for (status_id, name) in chunk.iter() {
            q = q.bind(*status_id).bind(*name);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Replaces the mentions of a post (after an edit).
pub async fn replace_mentions(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    account_ids: &[i64],
) -> Result<()> {
    sqlx::query("DELETE FROM mentions WHERE status_id = $1")
        .bind(status_id)
        .execute(&mut *conn)
        .await?;
    insert_mentions(conn, status_id, account_ids).await
}

/// The accounts a post mentions.
pub async fn mentioned_ids(db: impl sqlx::AnyExecutor<'_>, status_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar("SELECT account_id FROM mentions WHERE status_id = $1 ORDER BY account_id")
        .bind(status_id)
        .fetch_all(db)
        .await
}

/// Mentions of many posts: (status id, account id) pairs.
pub async fn mentions_of(db: &AnyPool, status_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT status_id, account_id FROM mentions WHERE status_id IN ({}) ORDER BY account_id",
        placeholders(1, status_ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in status_ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Whether an account is mentioned by a post.
pub async fn is_mentioned(db: &AnyPool, status_id: i64, account_id: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mentions WHERE status_id = $1 AND account_id = $2",
    )
    .bind(status_id)
    .bind(account_id)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Records the hashtags of a post (lower case).
pub async fn replace_tags(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    tags: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM status_tags WHERE status_id = $1")
        .bind(status_id)
        .execute(&mut *conn)
        .await?;
    for chunk in super::padded_chunks(tags, super::INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO status_tags (status_id, name) VALUES {} ON CONFLICT DO NOTHING",
            super::rows_sharing_first(chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(status_id);
        for tag in chunk.iter() {
            q = q.bind(tag);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Hashtags of many posts: (status id, name) pairs.
pub async fn tags_of(db: &AnyPool, status_ids: &[i64]) -> Result<Vec<(i64, String)>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT status_id, name FROM status_tags WHERE status_id IN ({}) ORDER BY name",
        placeholders(1, status_ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in status_ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// What is counted next to a post, and what its viewer did with it.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct StatusCounts {
    /// The post.
    pub id: i64,
    /// Answers.
    pub replies: i64,
    /// Boosts.
    pub reblogs: i64,
    /// Likes.
    pub favourites: i64,
    /// 1 when the viewer liked it.
    pub favourited: i64,
    /// 1 when the viewer boosted it.
    pub reblogged: i64,
}

/// The counts of many posts (kept by triggers, migration 0011), and what `viewer` (0: nobody)
/// did with them, in one query.
pub async fn counts_of(db: &AnyPool, viewer: i64, status_ids: &[i64]) -> Result<Vec<StatusCounts>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(2, status_ids.len());
    let sql = format!(
        "SELECT s.id, COALESCE(st.replies, 0) AS replies, COALESCE(st.reblogs, 0) AS reblogs, \
           COALESCE(st.favourites, 0) AS favourites, \
           (SELECT COUNT(*) FROM favourites f WHERE f.account_id = $1 AND f.status_id = s.id) \
             AS favourited, \
           (SELECT COUNT(*) FROM statuses b WHERE b.reblog_of_id = s.id AND b.account_id = $1) \
             AS reblogged \
         FROM statuses s LEFT JOIN status_stats st ON st.status_id = s.id \
         WHERE s.id IN ({list})"
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(viewer);
    for id in status_ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Counts every post's answers, boosts and likes again from the rows (the triggers of
/// migration 0011 keep them otherwise): for data loaded with the triggers disabled, or counts
/// that drifted. Returns how many posts have something to count.
pub async fn recount_stats(conn: &mut sqlx::AnyConnection) -> Result<u64> {
    sqlx::query("DELETE FROM status_stats")
        .execute(&mut *conn)
        .await?;
    let written = sqlx::query(
        "INSERT INTO status_stats (status_id, replies, reblogs, favourites) \
         SELECT s.id, \
           (SELECT COUNT(*) FROM statuses r WHERE r.in_reply_to_id = s.id), \
           (SELECT COUNT(*) FROM statuses b WHERE b.reblog_of_id = s.id), \
           (SELECT COUNT(*) FROM favourites f WHERE f.status_id = s.id) \
         FROM statuses s \
         WHERE EXISTS (SELECT 1 FROM statuses r WHERE r.in_reply_to_id = s.id) \
            OR EXISTS (SELECT 1 FROM statuses b WHERE b.reblog_of_id = s.id) \
            OR EXISTS (SELECT 1 FROM favourites f WHERE f.status_id = s.id)",
    )
    .execute(&mut *conn)
    .await?;
    Ok(written.rows_affected())
}

/// A page request, as Mastodon's API pages: newest first below `max_id` and above `since_id`,
/// or oldest first just above `min_id`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Page {
    /// Only ids below.
    pub max_id: Option<i64>,
    /// Only ids above (newest first).
    pub since_id: Option<i64>,
    /// Only ids above, the ones just above (then returned newest first).
    pub min_id: Option<i64>,
    /// How many.
    pub limit: i64,
}

impl Page {
    /// The lower bound and the ORDER BY direction for this page.
    pub(crate) fn bounds(&self) -> (Option<i64>, &'static str) {
        match self.min_id {
            Some(min) => (Some(min), "ASC"),
            None => (self.since_id, "DESC"),
        }
    }
}

/// Runs a paged query over statuses. `from_where` is a fixed SQL fragment (never user input)
/// with `$1` and `$2` free for the caller's parameters, bound by `bind`; the page bounds take
/// `$3`, `$4` and `$5`.
async fn paged<'q>(
    db: &AnyPool,
    from_where: &'static str,
    id_column: &'static str,
    page: Page,
    bind: impl FnOnce(
        sqlx::query::QueryAs<'q, sqlx::Any, StatusRow, sqlx::any::AnyArguments>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, StatusRow, sqlx::any::AnyArguments>,
) -> Result<Vec<StatusRow>> {
    let (lower, order) = page.bounds();
    let sql = format!(
        concat!(
            "SELECT ",
            status_columns!(),
            " {from_where} AND ($3 IS NULL OR {id} < $3) AND ($4 IS NULL OR {id} > $4) \
             ORDER BY {id} {order} LIMIT $5"
        ),
        from_where = from_where,
        id = id_column,
        order = order
    );
    let q = bind(sqlx::query_as(sqlx::AssertSqlSafe(sql)));
    let mut rows = q
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

/// A home timeline page: the feed of `account_id`.
pub async fn home(db: &AnyPool, account_id: i64, page: Page) -> Result<Vec<StatusRow>> {
    paged(
        db,
        "FROM feeds f JOIN statuses s ON s.id = f.status_id WHERE f.account_id = $1 AND $2 = 0",
        "f.status_id",
        page,
        |q| q.bind(account_id).bind(0i64),
    )
    .await
}

/// A public timeline page: public posts (not boosts), all, local only (`scope` 1) or remote
/// only (`scope` 2), without those of accounts `viewer` blocks or is blocked by.
pub async fn public(db: &AnyPool, scope: i64, viewer: i64, page: Page) -> Result<Vec<StatusRow>> {
    paged(
        db,
        "FROM statuses s WHERE s.visibility = 'public' AND s.reblog_of_id IS NULL \
         AND ($1 = 0 OR ($1 = 1 AND s.local = 1) OR ($1 = 2 AND s.local = 0)) \
         AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = $2 AND b.target_account_id = s.account_id) \
                         OR (b.account_id = s.account_id AND b.target_account_id = $2))",
        "s.id",
        page,
        |q| q.bind(scope).bind(viewer),
    )
    .await
}

/// A hashtag timeline page: public posts with the tag.
pub async fn tagged(db: &AnyPool, tag: &str, viewer: i64, page: Page) -> Result<Vec<StatusRow>> {
    paged(
        db,
        "FROM status_tags t JOIN statuses s ON s.id = t.status_id WHERE t.name = $1 \
         AND s.visibility = 'public' AND s.reblog_of_id IS NULL \
         AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = $2 AND b.target_account_id = s.account_id) \
                         OR (b.account_id = s.account_id AND b.target_account_id = $2))",
        "s.id",
        page,
        |q| q.bind(tag.to_lowercase()).bind(viewer),
    )
    .await
}

/// An account's posts and boosts a viewer may see: public and unlisted ones, and followers-only
/// ones when `include_private` is 1 (the viewer follows the account or is the account).
pub async fn by_account(
    db: &AnyPool,
    account_id: i64,
    include_private: bool,
    page: Page,
) -> Result<Vec<StatusRow>> {
    paged(
        db,
        "FROM statuses s WHERE s.account_id = $1 \
         AND (s.visibility IN ('public', 'unlisted') OR ($2 = 1 AND s.visibility = 'private'))",
        "s.id",
        page,
        |q| q.bind(account_id).bind(super::flag(include_private)),
    )
    .await
}

/// Direct messages involving an account (sent or received), newest first.
pub async fn direct(db: &AnyPool, account_id: i64, page: Page) -> Result<Vec<StatusRow>> {
    paged(
        db,
        "FROM statuses s WHERE s.visibility = 'direct' AND (s.account_id = $1 \
         OR EXISTS (SELECT 1 FROM mentions m WHERE m.status_id = s.id AND m.account_id = $1)) AND $2 = 0",
        "s.id",
        page,
        |q| q.bind(account_id).bind(0i64),
    )
    .await
}

/// How many local posts exist (NodeInfo).
pub async fn count_local(db: &AnyPool) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM statuses WHERE local = 1 AND reblog_of_id IS NULL")
        .fetch_one(db)
        .await
}

/// A favourite.
#[derive(Debug, Clone, FromRow)]
pub struct FavouriteRow {
    /// Its id (pages "favourited by").
    pub id: i64,
    /// Who.
    pub account_id: i64,
    /// Which post.
    pub status_id: i64,
    /// The Like activity's id.
    pub uri: Option<String>,
}

/// Records a favourite; returns false when it already existed.
pub async fn insert_favourite(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    status_id: i64,
    uri: Option<&str>,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO favourites (account_id, status_id, uri, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(status_id)
    .bind(uri)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A favourite by account and post.
pub async fn favourite(
    db: &AnyPool,
    account_id: i64,
    status_id: i64,
) -> Result<Option<FavouriteRow>> {
    sqlx::query_as("SELECT id, account_id, status_id, uri FROM favourites WHERE account_id = $1 AND status_id = $2")
        .bind(account_id)
        .bind(status_id)
        .fetch_optional(db)
        .await
}

/// A favourite by its Like activity's id.
pub async fn favourite_by_uri(db: &AnyPool, uri: &str) -> Result<Option<FavouriteRow>> {
    sqlx::query_as("SELECT id, account_id, status_id, uri FROM favourites WHERE uri = $1")
        .bind(uri)
        .fetch_optional(db)
        .await
}

/// Removes a favourite.
pub async fn delete_favourite(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM favourites WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Who favourited a post (favourite id, account id), newest first, paged by favourite id.
pub async fn favourited_by(
    db: &AnyPool,
    status_id: i64,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT id, account_id FROM favourites WHERE status_id = $1 AND ($2 IS NULL OR id < $2) \
         ORDER BY id DESC LIMIT $3",
    )
    .bind(status_id)
    .bind(max_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Who boosted a post (boost id, account id), newest first, paged by boost id.
pub async fn reblogged_by(
    db: &AnyPool,
    status_id: i64,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT id, account_id FROM statuses WHERE reblog_of_id = $1 AND ($2 IS NULL OR id < $2) \
         ORDER BY id DESC LIMIT $3",
    )
    .bind(status_id)
    .bind(max_id)
    .bind(limit)
    .fetch_all(db)
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
    .bind(now - 3_600_000_000)
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

/// Hashtags in use that start with `prefix`.
pub async fn search_tags(db: &AnyPool, prefix: &str, limit: i64) -> Result<Vec<String>> {
    let pattern = format!("{}%", prefix.to_lowercase().replace(['%', '_'], ""));
    // Only hashtags someone used in public: a tag used only in a closed circle, a direct or a
    // followers-only post is what was said there (docs/SECURITY.md, rule P3).
    sqlx::query_scalar(
        "SELECT DISTINCT t.name FROM status_tags t WHERE t.name LIKE $1 \
         AND EXISTS (SELECT 1 FROM statuses s WHERE s.id = t.status_id \
                     AND s.visibility IN ('public', 'unlisted')) \
         ORDER BY t.name LIMIT $2",
    )
    .bind(pattern)
    .bind(limit)
    .fetch_all(db)
    .await
}
