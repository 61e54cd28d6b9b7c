//! What the instance's discovery endpoints read: known domains, weekly activity (with
//! `weekly_logins`), the profile directory, suggestions (with `suggestion_dismissals`) and
//! trends (tags, posts and links of the last days' public local posts).
//!
//! Every read here is bounded: by a page (`LIMIT`/`OFFSET`), by a range of post ids (ids grow
//! with time, so "the last 7 days" is a range of the primary key), or by the few rows a
//! person or a week has.

use super::Result;
use sqlx::AnyPool;

/// The domains of the remote accounts known here, sorted.
pub async fn peers(db: &AnyPool) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT DISTINCT domain FROM accounts WHERE domain IS NOT NULL AND deleted_at IS NULL \
         ORDER BY domain",
    )
    .fetch_all(db)
    .await
}

/// How many domains are known here.
pub async fn domain_count(db: &AnyPool) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(DISTINCT domain) FROM accounts WHERE domain IS NOT NULL \
         AND deleted_at IS NULL",
    )
    .fetch_one(db)
    .await
}

/// Records that a local person used the server in the week starting at `week`.
pub async fn record_login(db: &AnyPool, week: i64, account_id: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO weekly_logins (week, account_id) \
         SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM users WHERE account_id = $2) \
         ON CONFLICT (week, account_id) DO NOTHING",
    )
    .bind(week)
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Counts per week since `origin` (weeks of `week` microseconds, numbered from 0): local posts
/// (boosts left out), people who used the server, registrations.
pub async fn weekly_activity(
    db: &AnyPool,
    origin: i64,
    week: i64,
    first_post_id: i64,
) -> Result<Vec<(i64, i64, i64, i64)>> {
    let posts: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT (created_at - $1) / $2 AS w, COUNT(*) FROM statuses \
         WHERE id >= $3 AND local = 1 AND reblog_of_id IS NULL AND created_at >= $1 \
         GROUP BY 1",
    )
    .bind(origin)
    .bind(week)
    .bind(first_post_id)
    .fetch_all(db)
    .await?;
    let logins: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT (week - $1) / $2 AS w, COUNT(*) FROM weekly_logins WHERE week >= $1 \
         GROUP BY 1",
    )
    .bind(origin)
    .bind(week)
    .fetch_all(db)
    .await?;
    let registrations: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT (created_at - $1) / $2 AS w, COUNT(*) FROM users WHERE created_at >= $1 \
         GROUP BY 1",
    )
    .bind(origin)
    .bind(week)
    .fetch_all(db)
    .await?;
    let mut weeks: std::collections::BTreeMap<i64, (i64, i64, i64)> = Default::default();
    for (w, n) in posts {
        weeks.entry(w).or_default().0 = n;
    }
    for (w, n) in logins {
        weeks.entry(w).or_default().1 = n;
    }
    for (w, n) in registrations {
        weeks.entry(w).or_default().2 = n;
    }
    Ok(weeks
        .into_iter()
        .map(|(w, (p, l, r))| (w, p, l, r))
        .collect())
}

/// How the directory is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryOrder {
    /// By the latest post, newest first (Mastodon's `active`).
    Active,
    /// By creation, newest first (`new`).
    New,
}

/// A page of the profile directory (account ids, in order): discoverable people and groups that are neither deleted
/// nor awaiting approval or disabled, limited nor suspended, and have posted (`Active`), local ones alone when
/// `local_only`; someone the viewer blocks, mutes or is blocked by is left out.
pub async fn directory(
    db: &AnyPool,
    viewer: Option<i64>,
    order: DirectoryOrder,
    local_only: bool,
    offset: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    let order_by = match order {
        DirectoryOrder::Active => "st.last_status_at DESC, a.id DESC",
        DirectoryOrder::New => "a.created_at DESC, a.id DESC",
    };
    let sql = format!(
        "SELECT a.id FROM accounts a \
         JOIN account_stats st ON st.account_id = a.id \
         LEFT JOIN users u ON u.account_id = a.id \
         WHERE a.discoverable = 1 AND a.deleted_at IS NULL \
         AND a.actor_type IN ('Person', 'Group') \
         AND st.last_status_at IS NOT NULL \
         AND (a.domain IS NOT NULL OR a.actor_type = 'Group' OR u.state = 'active') \
         AND NOT EXISTS (SELECT 1 FROM account_sanctions sx WHERE sx.account_id = a.id) \
         AND ($1 = 0 OR a.domain IS NULL) \
         AND ($2 = 0 OR (a.id <> $2 \
              AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = $2 \
                  AND b.target_account_id = a.id) OR (b.account_id = a.id \
                  AND b.target_account_id = $2)) \
              AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = $2 \
                  AND m.target_account_id = a.id))) \
         ORDER BY {order_by} LIMIT $3 OFFSET $4"
    );
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(local_only))
        .bind(viewer.unwrap_or(0))
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await
}

/// Where a suggestion comes from, as Mastodon names its sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionSource {
    /// The instance's administrators and moderators, and its local groups.
    Staff,
    /// Local people many follow.
    Global,
}

/// The accounts worth following for `viewer` (ids, in order, with why): the instance's staff and local groups
/// the viewer is not in, then local people by their followers; never the viewer, someone they
/// follow (or asked to), block, mute or are blocked by, or dismissed; only discoverable, active
/// accounts that are not deleted.
pub async fn suggestions(
    db: &AnyPool,
    viewer: i64,
    limit: i64,
) -> Result<Vec<(i64, SuggestionSource)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT a.id, CASE WHEN a.actor_type = 'Group' OR u.role IN ('admin', 'moderator') \
         THEN 1 ELSE 0 END AS staff \
         FROM accounts a \
         LEFT JOIN users u ON u.account_id = a.id \
         LEFT JOIN account_stats st ON st.account_id = a.id \
         WHERE a.domain IS NULL AND a.deleted_at IS NULL AND a.discoverable = 1 \
         AND a.id <> $1 \
         AND ((a.actor_type = 'Person' AND u.state = 'active') OR (a.actor_type = 'Group' \
              AND NOT EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = a.id \
                  AND gm.account_id = $1))) \
         AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $1 \
              AND f.target_account_id = a.id) \
         AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = $1 \
              AND b.target_account_id = a.id) OR (b.account_id = a.id \
              AND b.target_account_id = $1)) \
         AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = $1 \
              AND m.target_account_id = a.id) \
         AND NOT EXISTS (SELECT 1 FROM suggestion_dismissals d WHERE d.account_id = $1 \
              AND d.target_account_id = a.id) \
         ORDER BY staff DESC, COALESCE(st.followers, 0) DESC, a.id \
         LIMIT $2",
    )
    .bind(viewer)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, staff)| {
            let source = if staff == 1 {
                SuggestionSource::Staff
            } else {
                SuggestionSource::Global
            };
            (id, source)
        })
        .collect())
}

/// Records that `account_id` does not want `target` suggested again.
pub async fn dismiss_suggestion(
    db: &AnyPool,
    account_id: i64,
    target: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO suggestion_dismissals (account_id, target_account_id, created_at) \
         VALUES ($1, $2, $3) ON CONFLICT (account_id, target_account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(target)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The posts trends read: public local posts (no boosts) with ids from `first_id`, by
/// accounts neither deleted nor disabled, limited nor suspended (`db::sanctions`). A post of a group's closed circle is stored with
/// visibility `group`, a followers-only or direct one with its own: none of them is `public`.
const TRENDING_POSTS: &str = "statuses s JOIN accounts a ON a.id = s.account_id \
     WHERE s.id >= $1 AND s.visibility = 'public' AND s.local = 1 \
     AND s.reblog_of_id IS NULL AND a.deleted_at IS NULL AND a.discoverable = 1 \
     AND NOT EXISTS (SELECT 1 FROM account_sanctions sx WHERE sx.account_id = a.id)";

/// Tags of the trending posts by distinct accounts, then by uses.
pub async fn trending_tags(
    db: &AnyPool,
    first_id: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT t.name FROM status_tags t JOIN ({}) p ON p.id = t.status_id \
         GROUP BY t.name ORDER BY COUNT(DISTINCT p.account_id) DESC, COUNT(*) DESC, t.name \
         LIMIT $2 OFFSET $3",
        format_args!("SELECT s.id, s.account_id FROM {TRENDING_POSTS}")
    );
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(first_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await
}

/// Per tag and day (days of `day` microseconds from `origin`, numbered from 0): uses and
/// distinct accounts, among the trending posts.
pub async fn tag_history(
    db: &AnyPool,
    first_id: i64,
    origin: i64,
    day: i64,
    names: &[String],
) -> Result<Vec<(String, i64, i64, i64)>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT t.name, (s.created_at - $2) / $3 AS d, COUNT(*), COUNT(DISTINCT s.account_id) \
         FROM status_tags t JOIN statuses s ON s.id = t.status_id \
         JOIN accounts a ON a.id = s.account_id \
         WHERE s.id >= $1 AND s.visibility = 'public' AND s.local = 1 \
         AND s.reblog_of_id IS NULL AND a.deleted_at IS NULL AND a.discoverable = 1 \
         AND s.created_at >= $2 AND t.name IN ({}) \
         GROUP BY 1, 2",
        super::placeholders(4, names.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(first_id)
        .bind(origin)
        .bind(day);
    for n in names {
        q = q.bind(n.as_str());
    }
    q.fetch_all(db).await
}

/// The trending posts' ids by favourites and boosts received since `since` (the ones with
/// none left out), most first.
pub async fn trending_statuses(
    db: &AnyPool,
    first_id: i64,
    since: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    let sql = format!(
        "SELECT id FROM (SELECT s.id, \
         (SELECT COUNT(*) FROM favourites f WHERE f.status_id = s.id AND f.created_at >= $2) \
         + (SELECT COUNT(*) FROM statuses r WHERE r.reblog_of_id = s.id AND r.id >= $1) \
         AS score FROM {TRENDING_POSTS}) ranked WHERE score > 0 \
         ORDER BY score DESC, id DESC LIMIT $3 OFFSET $4"
    );
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(first_id)
        .bind(since)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await
}

/// The links (ready preview cards) of the trending posts by distinct accounts: (card id, one
/// post showing it, for the card's picture).
pub async fn trending_links(
    db: &AnyPool,
    first_id: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    let sql = format!(
        "SELECT sc.card_id, MAX(p.id) FROM status_cards sc \
         JOIN ({}) p ON p.id = sc.status_id \
         JOIN preview_cards c ON c.id = sc.card_id AND c.state = 'ready' \
         GROUP BY sc.card_id \
         ORDER BY COUNT(DISTINCT p.account_id) DESC, COUNT(*) DESC, sc.card_id DESC \
         LIMIT $2 OFFSET $3",
        format_args!("SELECT s.id, s.account_id FROM {TRENDING_POSTS}")
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(first_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await
}

/// Per card and day, as [`tag_history`]: (card id, day, uses, accounts).
pub async fn link_history(
    db: &AnyPool,
    first_id: i64,
    origin: i64,
    day: i64,
    card_ids: &[i64],
) -> Result<Vec<(i64, i64, i64, i64)>> {
    if card_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT sc.card_id, (s.created_at - $2) / $3 AS d, COUNT(*), \
         COUNT(DISTINCT s.account_id) \
         FROM status_cards sc JOIN statuses s ON s.id = sc.status_id \
         JOIN accounts a ON a.id = s.account_id \
         WHERE s.id >= $1 AND s.visibility = 'public' AND s.local = 1 \
         AND s.reblog_of_id IS NULL AND a.deleted_at IS NULL AND a.discoverable = 1 \
         AND s.created_at >= $2 AND sc.card_id IN ({}) \
         GROUP BY 1, 2",
        super::placeholders(4, card_ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(first_id)
        .bind(origin)
        .bind(day);
    for id in card_ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}
