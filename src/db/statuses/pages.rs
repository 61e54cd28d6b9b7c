//! The paged reads timelines are made of: home, public, hashtag, an account's posts, direct
//! messages.

use super::StatusRow;
use crate::db::{self, Result};
use sqlx::AnyPool;

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

/// Runs a paged query over statuses. `from_where` is SQL made of fixed fragments (never user
/// input) with `$1` and `$2` free for the caller's parameters, bound by `bind`; the page bounds
/// take `$3`, `$4` and `$5`; `now`, when given, is `$6` (for mutes that expire).
async fn paged<'q>(
    db: &AnyPool,
    from_where: &str,
    id_column: &'static str,
    page: Page,
    now: Option<i64>,
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
    let q = bind(sqlx::query_as(sqlx::AssertSqlSafe(sql)))
        .bind(page.max_id)
        .bind(lower)
        .bind(page.limit);
    let q = match now {
        Some(now) => q.bind(now),
        None => q,
    };
    let mut rows = q.fetch_all(db).await?;
    if order == "ASC" {
        rows.reverse();
    }
    Ok(rows)
}

/// The condition that keeps out, for the viewer `viewer` (a placeholder) at the time `$6`,
/// the posts and boosts of the accounts they mute (a mute past its end no longer counts), and
/// of the accounts on the domains they block (`db::account_extras::not_domain_blocked`).
pub fn not_muted(viewer: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM mutes mu WHERE mu.account_id = {viewer} \
         AND (mu.expires_at IS NULL OR mu.expires_at > $6) \
         AND (mu.target_account_id = s.account_id OR mu.target_account_id = \
              (SELECT r.account_id FROM statuses r WHERE r.id = s.reblog_of_id))) AND {} AND {}",
        crate::db::account_extras::not_domain_blocked(viewer),
        crate::db::sanctions::not_suspended()
    )
}

/// A home timeline page: the feed of `account_id` and, for each of `tags` (the hashtags it
/// follows), the public posts (not boosts) carrying it; without the accounts it mutes (at
/// `now`) and those its exclusive lists hold, the tagged posts also without the accounts it
/// blocks or is blocked by (its feed never receives theirs).
///
/// Each source is read as its own page, in its index's order, each stopping once it has a
/// page of posts that pass: the feed (`feeds` by account and post) as before, and each tag
/// (`status_tags_name` by name and post); the answer is the newest of those pages together
/// (a post in several counts once). Sorting all of a tag's posts instead cost 15 ms a request
/// on SQLite for three tags of a thousand posts each (docs/decisions/0026-feature-benchmark-runs.md); without tags the
/// query is the feed's alone.
pub async fn home(
    db: &AnyPool,
    account_id: i64,
    tags: &[String],
    page: Page,
    now: i64,
) -> Result<Vec<StatusRow>> {
    let (lower, order) = page.bounds();
    let muted = not_muted("$1");
    let not_listed = "NOT EXISTS (SELECT 1 FROM list_accounts la JOIN lists l ON l.id = la.list_id \
         WHERE la.account_id = s.account_id AND l.account_id = $1 AND l.exclusive = 1)";
    let mut sources = format!(
        "SELECT id FROM (SELECT f.status_id AS id FROM feeds f \
         JOIN statuses s ON s.id = f.status_id WHERE f.account_id = $1 AND $2 = 0 \
         AND ($3 IS NULL OR f.status_id < $3) AND ($4 IS NULL OR f.status_id > $4) \
         AND {muted} AND {not_listed} AND {not_shift} ORDER BY f.status_id {order} LIMIT $5) fed",
        not_shift = db::events::NOT_SHIFT
    );
    for n in 0..tags.len() {
        sources.push_str(&format!(
            " UNION SELECT id FROM (SELECT t.status_id AS id FROM status_tags t \
             JOIN statuses s ON s.id = t.status_id \
             WHERE t.name = ${p} AND s.visibility = 'public' AND s.reblog_of_id IS NULL \
             AND ($3 IS NULL OR t.status_id < $3) AND ($4 IS NULL OR t.status_id > $4) \
             AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = $1 AND b.target_account_id = s.account_id) \
                             OR (b.account_id = s.account_id AND b.target_account_id = $1)) \
             AND {muted} AND {not_listed} AND {not_shift} ORDER BY t.status_id {order} LIMIT $5) tag{n}",
            p = n + 7,
            not_shift = db::events::NOT_SHIFT
        ));
    }
    let sql = format!(
        concat!(
            "SELECT ",
            status_columns!(),
            " FROM statuses s WHERE s.id IN ({sources}) ORDER BY s.id {order} LIMIT $5"
        ),
        sources = sources,
        order = order
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(account_id)
        .bind(0i64)
        .bind(page.max_id)
        .bind(lower)
        .bind(page.limit)
        .bind(now);
    for t in tags {
        q = q.bind(t.as_str());
    }
    let mut rows: Vec<StatusRow> = q.fetch_all(db).await?;
    if order == "ASC" {
        rows.reverse();
    }
    Ok(rows)
}

/// A list timeline page: the list's feed, without the accounts its owner mutes (at `now`) or
/// blocks, or is blocked by.
pub async fn list(
    db: &AnyPool,
    list_id: i64,
    owner: i64,
    page: Page,
    now: i64,
) -> Result<Vec<StatusRow>> {
    let from_where = format!(
        "FROM list_feeds lf JOIN statuses s ON s.id = lf.status_id WHERE lf.list_id = $1 \
         AND {} AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = $2 AND b.target_account_id = s.account_id) \
                         OR (b.account_id = s.account_id AND b.target_account_id = $2)) AND {}",
        not_muted("$2"),
        db::events::NOT_SHIFT
    );
    paged(db, &from_where, "lf.status_id", page, Some(now), |q| {
        q.bind(list_id).bind(owner)
    })
    .await
}

/// A public timeline page: public posts (not boosts), all, local only (`scope` 1) or remote
/// only (`scope` 2), without those of accounts `viewer` blocks or is blocked by, or mutes at
/// `now`.
pub async fn public(
    db: &AnyPool,
    scope: i64,
    viewer: i64,
    page: Page,
    now: i64,
) -> Result<Vec<StatusRow>> {
    let from_where = format!(
        "FROM statuses s WHERE s.visibility = 'public' AND s.reblog_of_id IS NULL \
         AND ($1 = 0 OR ($1 = 1 AND s.local = 1) OR ($1 = 2 AND s.local = 0)) \
         AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = $2 AND b.target_account_id = s.account_id) \
                         OR (b.account_id = s.account_id AND b.target_account_id = $2)) AND {} AND {} AND {} AND {}",
        not_muted("$2"),
        crate::db::sanctions::not_limited_for("$2"),
        crate::db::domain_policy::not_limited(),
        db::events::NOT_SHIFT
    );
    paged(db, &from_where, "s.id", page, Some(now), |q| {
        q.bind(scope).bind(viewer)
    })
    .await
}

/// A hashtag timeline page: public posts with the tag, without those of accounts `viewer`
/// blocks, is blocked by, or mutes at `now`.
pub async fn tagged(
    db: &AnyPool,
    tag: &str,
    viewer: i64,
    page: Page,
    now: i64,
) -> Result<Vec<StatusRow>> {
    let from_where = format!(
        "FROM status_tags t JOIN statuses s ON s.id = t.status_id WHERE t.name = $1 \
         AND s.visibility = 'public' AND s.reblog_of_id IS NULL \
         AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = $2 AND b.target_account_id = s.account_id) \
                         OR (b.account_id = s.account_id AND b.target_account_id = $2)) AND {} AND {} AND {} AND {}",
        not_muted("$2"),
        crate::db::sanctions::not_limited_for("$2"),
        crate::db::domain_policy::not_limited(),
        db::events::NOT_SHIFT
    );
    paged(db, &from_where, "s.id", page, Some(now), |q| {
        q.bind(tag.to_lowercase()).bind(viewer)
    })
    .await
}

/// An account's posts and boosts a viewer may see: public and unlisted ones, and followers-only
/// ones when `include_private` is 1 (the viewer follows the account or is the account).
pub async fn by_account(
    db: &AnyPool,
    account_id: i64,
    include_private: bool,
    only: AccountPosts,
    page: Page,
) -> Result<Vec<StatusRow>> {
    let mut from_where = String::from(
        "FROM statuses s WHERE s.account_id = $1 \
         AND (s.visibility IN ('public', 'unlisted') OR ($2 = 1 AND s.visibility = 'private'))",
    );
    from_where.push_str(&format!(" AND {}", db::sanctions::not_suspended()));
    from_where.push_str(&format!(" AND {}", db::domain_policy::not_suspended()));
    from_where.push_str(&format!(" AND {}", db::events::NOT_SHIFT));
    if only.exclude_replies {
        // Replies to others leave; a thread the author continues stays, as on Mastodon.
        from_where.push_str(
            " AND (s.in_reply_to_uri IS NULL OR s.in_reply_to_account_id = s.account_id)",
        );
    }
    if only.exclude_reblogs || only.only_media {
        from_where.push_str(" AND s.reblog_of_id IS NULL");
    }
    if only.only_media {
        from_where.push_str(
            " AND EXISTS (SELECT 1 FROM media m WHERE m.status_id = s.id AND m.state <> 'removed')",
        );
    }
    paged(db, &from_where, "s.id", page, None, |q| {
        q.bind(account_id).bind(db::flag(include_private))
    })
    .await
}

/// Which of an account's posts a page lists (Mastodon's `exclude_replies`, `exclude_reblogs`,
/// `only_media`): chosen in the query, so that every page is full and paging goes on.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountPosts {
    /// Leave out replies to others.
    pub exclude_replies: bool,
    /// Leave out boosts.
    pub exclude_reblogs: bool,
    /// Only posts with attachments (no boosts).
    pub only_media: bool,
}

/// Direct messages involving an account (sent or received), newest first.
pub async fn direct(db: &AnyPool, account_id: i64, page: Page) -> Result<Vec<StatusRow>> {
    paged(
        db,
        "FROM statuses s WHERE s.visibility = 'direct' AND (s.account_id = $1 \
         OR EXISTS (SELECT 1 FROM mentions m WHERE m.status_id = s.id AND m.account_id = $1)) AND $2 = 0",
        "s.id",
        page,
        None,
        |q| q.bind(account_id).bind(0i64),
    )
    .await
}
