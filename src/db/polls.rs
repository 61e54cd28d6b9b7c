//! Polls: `polls` (one per post that has one), `poll_options` (in order, with their counts)
//! and `poll_votes` (one row per choice, by people here and by people elsewhere on ours).

use super::{Result, placeholders};
use sqlx::{AnyPool, FromRow};

/// A poll with one of its options (a page of polls is read as one join).
#[derive(Debug, Clone, FromRow)]
pub struct PollOptionRow {
    pub status_id: i64,
    pub expires_at: Option<i64>,
    pub multiple: i64,
    pub hide_totals: i64,
    pub votes_count: i64,
    pub voters_count: i64,
    pub closed_at: Option<i64>,
    pub position: i64,
    pub title: String,
    pub option_votes: i64,
}

/// A poll, with its options in order.
#[derive(Debug, Clone)]
pub struct PollRow {
    pub status_id: i64,
    pub expires_at: Option<i64>,
    pub multiple: bool,
    pub hide_totals: bool,
    pub votes_count: i64,
    pub voters_count: i64,
    pub closed_at: Option<i64>,
    /// Titles and counts, in order.
    pub options: Vec<(String, i64)>,
}

/// Groups the joined rows (ordered by post, then position) into polls.
fn group(rows: Vec<PollOptionRow>) -> Vec<PollRow> {
    let mut polls: Vec<PollRow> = Vec::new();
    for r in rows {
        match polls.last_mut() {
            Some(p) if p.status_id == r.status_id => p.options.push((r.title, r.option_votes)),
            _ => polls.push(PollRow {
                status_id: r.status_id,
                expires_at: r.expires_at,
                multiple: r.multiple != 0,
                hide_totals: r.hide_totals != 0,
                votes_count: r.votes_count,
                voters_count: r.voters_count,
                closed_at: r.closed_at,
                options: vec![(r.title, r.option_votes)],
            }),
        }
    }
    polls
}

const POLL_SELECT: &str = "SELECT p.status_id, p.expires_at, p.multiple, p.hide_totals, \
     p.votes_count, p.voters_count, p.closed_at, o.position, o.title, \
     o.votes_count AS option_votes FROM polls p JOIN poll_options o ON o.status_id = p.status_id";

/// The polls of some posts, with their options (one query).
pub async fn of_statuses<'e>(db: impl sqlx::AnyExecutor<'e>, ids: &[i64]) -> Result<Vec<PollRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{POLL_SELECT} WHERE p.status_id IN ({}) ORDER BY p.status_id, o.position",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    Ok(group(q.fetch_all(db).await?))
}

/// One post's poll.
pub async fn of_status<'e>(db: impl sqlx::AnyExecutor<'e>, id: i64) -> Result<Option<PollRow>> {
    Ok(of_statuses(db, &[id]).await?.pop())
}

/// What `account_id` chose in some polls: (post, option position).
pub async fn choices_of(db: &AnyPool, account_id: i64, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT status_id, position FROM poll_votes WHERE account_id = $1 \
         AND status_id IN ({}) ORDER BY status_id, position",
        placeholders(2, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(account_id);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// A new poll, as stored.
pub struct NewPollRow<'a> {
    pub status_id: i64,
    pub expires_at: Option<i64>,
    pub multiple: bool,
    pub hide_totals: bool,
    pub options: &'a [String],
    /// The counts of each option (another server's poll), none for a new poll of ours.
    pub counts: Option<&'a [i64]>,
    pub voters_count: i64,
    /// Already over (another server's closed poll): nobody here is told of its end.
    pub closed_at: Option<i64>,
    pub now: i64,
}

/// Writes a post's poll with its options, replacing any it had (another server's edit).
pub async fn upsert(conn: &mut sqlx::AnyConnection, poll: &NewPollRow<'_>) -> Result<()> {
    let votes: i64 = poll.counts.map(|c| c.iter().sum()).unwrap_or(0);
    sqlx::query("DELETE FROM poll_options WHERE status_id = $1")
        .bind(poll.status_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO polls (status_id, expires_at, multiple, hide_totals, votes_count, \
         voters_count, closed_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (status_id) DO UPDATE SET expires_at = $2, multiple = $3, \
         hide_totals = $4, votes_count = $5, voters_count = $6, \
         closed_at = COALESCE(polls.closed_at, $7)",
    )
    .bind(poll.status_id)
    .bind(poll.expires_at)
    .bind(poll.multiple as i64)
    .bind(poll.hide_totals as i64)
    .bind(votes)
    .bind(poll.voters_count)
    .bind(poll.closed_at)
    .bind(poll.now)
    .execute(&mut *conn)
    .await?;
    for (position, title) in poll.options.iter().enumerate() {
        let count = poll
            .counts
            .and_then(|c| c.get(position).copied())
            .unwrap_or(0);
        sqlx::query(
            "INSERT INTO poll_options (status_id, position, title, votes_count) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(poll.status_id)
        .bind(position as i64)
        .bind(title)
        .bind(count)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Sets the counts another server gives for its poll (an `Update` of its `Question`); the
/// options stay. `closed` marks it over when the server says so.
pub async fn set_counts(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    counts: &[i64],
    voters_count: i64,
    expires_at: Option<i64>,
) -> Result<()> {
    for (position, count) in counts.iter().enumerate() {
        sqlx::query(
            "UPDATE poll_options SET votes_count = $3 WHERE status_id = $1 AND position = $2",
        )
        .bind(status_id)
        .bind(position as i64)
        .bind(*count)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "UPDATE polls SET votes_count = $2, voters_count = $3, expires_at = $4 \
         WHERE status_id = $1",
    )
    .bind(status_id)
    .bind(counts.iter().sum::<i64>())
    .bind(voters_count)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a person's vote (one row per choice) and counts it, in `conn`'s transaction.
/// The poll's row is updated first, which holds it until the transaction ends, so that two
/// votes of the same person never both pass: gives false (nothing written, the caller rolls
/// back) when they had already voted.
pub async fn vote(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    account_id: i64,
    choices: &[(i64, String)],
    now: i64,
) -> Result<bool> {
    let updated = sqlx::query(
        "UPDATE polls SET votes_count = votes_count + $2, voters_count = voters_count + 1 \
         WHERE status_id = $1",
    )
    .bind(status_id)
    .bind(choices.len() as i64)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    let before: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM poll_votes WHERE status_id = $1 AND account_id = $2",
    )
    .bind(status_id)
    .bind(account_id)
    .fetch_one(&mut *conn)
    .await?;
    if before > 0 {
        return Ok(false);
    }
    for (position, uri) in choices {
        sqlx::query(
            "INSERT INTO poll_votes (status_id, account_id, position, uri, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(status_id)
        .bind(account_id)
        .bind(*position)
        .bind(uri)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE poll_options SET votes_count = votes_count + 1 \
             WHERE status_id = $1 AND position = $2",
        )
        .bind(status_id)
        .bind(*position)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// Polls past their end and not closed yet (soonest first).
pub async fn due(db: &AnyPool, now: i64, limit: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT status_id FROM polls WHERE closed_at IS NULL AND expires_at <= $1 \
         ORDER BY expires_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Claims a poll's end: true for the one process that handles it.
pub async fn claim_close(conn: &mut sqlx::AnyConnection, status_id: i64, now: i64) -> Result<bool> {
    let done =
        sqlx::query("UPDATE polls SET closed_at = $2 WHERE status_id = $1 AND closed_at IS NULL")
            .bind(status_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// The people here who voted in a poll.
pub async fn local_voters(conn: &mut sqlx::AnyConnection, status_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT DISTINCT v.account_id FROM poll_votes v JOIN accounts a ON a.id = v.account_id \
         WHERE v.status_id = $1 AND a.domain IS NULL ORDER BY v.account_id",
    )
    .bind(status_id)
    .fetch_all(&mut *conn)
    .await
}

/// A vote already recorded under this ActivityPub id (a `Note` delivered twice).
pub async fn vote_known(db: &AnyPool, uri: &str) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM poll_votes WHERE uri = $1")
        .bind(uri)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// Tells people here that a poll ended (Mastodon's `poll` notification, from the poll's
/// author, the author included), once each.
pub async fn notify_end(
    conn: &mut sqlx::AnyConnection,
    account_ids: &[i64],
    author_id: i64,
    status_id: i64,
    now: i64,
) -> Result<()> {
    for account_id in account_ids {
        sqlx::query(
            "INSERT INTO notifications (account_id, from_account_id, type, status_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(*account_id)
        .bind(author_id)
        .bind(crate::domain::NotificationKind::Poll)
        .bind(status_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Records one choice of a person elsewhere in a poll of ours (a vote `Note` carries one
/// choice: a multiple-choice vote comes as several). The poll's row is updated first, which
/// holds it until the transaction ends: gives false (the caller rolls back) when the choice
/// is already counted, or when the poll takes one choice and the person already voted.
pub async fn vote_choice(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    account_id: i64,
    position: i64,
    uri: &str,
    now: i64,
) -> Result<bool> {
    let updated =
        sqlx::query("UPDATE polls SET votes_count = votes_count + 1 WHERE status_id = $1")
            .bind(status_id)
            .execute(&mut *conn)
            .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    let multiple: i64 = sqlx::query_scalar("SELECT multiple FROM polls WHERE status_id = $1")
        .bind(status_id)
        .fetch_one(&mut *conn)
        .await?;
    let earlier: Vec<i64> = sqlx::query_scalar(
        "SELECT position FROM poll_votes WHERE status_id = $1 AND account_id = $2",
    )
    .bind(status_id)
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    if earlier.contains(&position) || (multiple == 0 && !earlier.is_empty()) {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO poll_votes (status_id, account_id, position, uri, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(status_id)
    .bind(account_id)
    .bind(position)
    .bind(uri)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE poll_options SET votes_count = votes_count + 1 \
         WHERE status_id = $1 AND position = $2",
    )
    .bind(status_id)
    .bind(position)
    .execute(&mut *conn)
    .await?;
    if earlier.is_empty() {
        sqlx::query("UPDATE polls SET voters_count = voters_count + 1 WHERE status_id = $1")
            .bind(status_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

/// A person's choices in a poll, with their ActivityPub ids, in order.
pub async fn votes_of(db: &AnyPool, status_id: i64, account_id: i64) -> Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT position, uri FROM poll_votes WHERE status_id = $1 AND account_id = $2 \
         ORDER BY position",
    )
    .bind(status_id)
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Forgets the votes in a poll (another server changed its options: the votes were for
/// others).
pub async fn delete_votes(conn: &mut sqlx::AnyConnection, status_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM poll_votes WHERE status_id = $1")
        .bind(status_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Brings another server's poll's end forward to `at` when that server says it closed: the
/// closing worker then ends it here (once), telling the voters here.
pub async fn set_closed_by_expiry(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE polls SET expires_at = $2 WHERE status_id = $1 AND closed_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(status_id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
