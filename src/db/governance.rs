//! Groups' governance: `group_official_marks` (the instance's marks), `official_vouches`
//! (federations' vouches as their servers publish them, and the claims of the worker that
//! reads them), `group_name_keys` and `lookalike_flags` (look-alike names), `group_requests`
//! (creations waiting for an administrator).

use super::Result;
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// Who recognizes a group as official: a condition on `g.account_id` (a `groups` row named
/// `g`), true when an administrator here marked it, when a federation of this server
/// approved its affiliation, or when a federation elsewhere is listed as vouching for it by
/// its own server (the last read of its `officialSections`). The directory orders by it.
pub const OFFICIAL_CONDITION: &str = "(EXISTS (SELECT 1 FROM group_official_marks om \
     WHERE om.group_id = g.account_id) \
     OR EXISTS (SELECT 1 FROM follows af JOIN accounts afa ON afa.id = af.target_account_id \
     JOIN groups afg ON afg.account_id = af.target_account_id \
     WHERE af.account_id = g.account_id AND af.affiliation = 1 AND af.state = 'accepted' \
     AND afa.domain IS NULL AND afa.deleted_at IS NULL AND afg.kind = 'federation') \
     OR EXISTS (SELECT 1 FROM official_vouches ov JOIN accounts ova ON ova.id = ov.federation_id \
     WHERE ov.section_id = g.account_id AND ov.vouched = 1 AND ova.deleted_at IS NULL))";

/// The groups among `ids` an administrator here marked official.
pub async fn marked(db: &AnyPool, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT group_id FROM group_official_marks WHERE group_id IN ({})",
        super::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Every group an administrator here marked official, by name.
pub async fn all_marked(db: &AnyPool) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT m.group_id FROM group_official_marks m JOIN accounts a ON a.id = m.group_id \
         WHERE a.deleted_at IS NULL ORDER BY a.handle_key",
    )
    .fetch_all(db)
    .await
}

/// Marks a group official; false when it already was.
pub async fn mark(db: impl AnyExecutor<'_>, group_id: i64, by: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO group_official_marks (group_id, marked_by, marked_at) VALUES ($1, $2, $3) \
         ON CONFLICT (group_id) DO NOTHING",
    )
    .bind(group_id)
    .bind(by)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes the mark away; false when there was none.
pub async fn unmark(db: impl AnyExecutor<'_>, group_id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM group_official_marks WHERE group_id = $1")
        .bind(group_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The federations vouching for each of `ids`: pairs (section, federation), from this
/// server's federations' approved affiliations and from the vouches read from other servers.
pub async fn vouchers(db: &AnyPool, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let n = ids.len();
    let sql = format!(
        "SELECT f.account_id, f.target_account_id FROM follows f \
         JOIN accounts fa ON fa.id = f.target_account_id \
         JOIN groups fg ON fg.account_id = f.target_account_id \
         WHERE f.account_id IN ({}) AND f.affiliation = 1 AND f.state = 'accepted' \
         AND fa.domain IS NULL AND fa.deleted_at IS NULL AND fg.kind = 'federation' \
         UNION \
         SELECT v.section_id, v.federation_id FROM official_vouches v \
         JOIN accounts va ON va.id = v.federation_id \
         WHERE v.section_id IN ({}) AND v.vouched = 1 AND va.deleted_at IS NULL",
        super::placeholders(1, n),
        super::placeholders(n + 1, n)
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids.iter().chain(ids) {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// The actor addresses of the sections a local federation vouches for (its approved
/// affiliations), at most `limit`: what its `officialSections` collection publishes.
pub async fn vouched_sections(db: &AnyPool, federation_id: i64, limit: i64) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT a.uri FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.state = 'accepted' AND f.affiliation = 1 \
         AND a.actor_type = 'Group' AND a.deleted_at IS NULL ORDER BY a.id LIMIT $2",
    )
    .bind(federation_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Adds the pairs to check: each local section's approved affiliation with a federation of
/// another server, due now. Gives how many were new.
pub async fn seed_pairs(db: &AnyPool, now: i64) -> Result<u64> {
    let done = sqlx::query(
        "INSERT INTO official_vouches (section_id, federation_id, vouched, due_at) \
         SELECT f.account_id, f.target_account_id, 0, $1 FROM follows f \
         JOIN accounts s ON s.id = f.account_id \
         JOIN accounts fa ON fa.id = f.target_account_id \
         JOIN groups fg ON fg.account_id = f.target_account_id \
         WHERE f.affiliation = 1 AND f.state = 'accepted' AND s.domain IS NULL \
         AND s.actor_type = 'Group' AND fa.domain IS NOT NULL AND fa.deleted_at IS NULL \
         AND fg.kind = 'federation' \
         ON CONFLICT (section_id, federation_id) DO NOTHING",
    )
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Forgets the pairs of local sections whose affiliation ended (the section left, or the
/// federation removed it): the mark goes with it at once, without waiting for a read.
pub async fn prune_pairs(db: &AnyPool) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM official_vouches WHERE section_id IN \
         (SELECT id FROM accounts WHERE domain IS NULL AND actor_type = 'Group') \
         AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.account_id = official_vouches.section_id \
         AND f.target_account_id = official_vouches.federation_id AND f.affiliation = 1 \
         AND f.state = 'accepted')",
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// A pair claimed to be checked: the section's and the federation's account ids.
#[derive(Debug, Clone, FromRow)]
pub struct Pair {
    /// The section.
    pub section_id: i64,
    /// The federation said to vouch for it.
    pub federation_id: i64,
    /// How many reads failed in a row.
    pub failures: i64,
}

/// Claims at most `limit` due pairs for this process until `lease_until`.
pub async fn claim(
    db: &AnyPool,
    process: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<Pair>> {
    // The outer conditions repeat the inner ones: on PostgreSQL, a row another process
    // claimed meanwhile is checked again against them and left out.
    sqlx::query_as(
        "UPDATE official_vouches SET locked_by = $1, locked_until = $2 \
         WHERE (section_id, federation_id) IN (SELECT section_id, federation_id \
                FROM official_vouches WHERE due_at <= $3 \
                AND (locked_until IS NULL OR locked_until < $3) ORDER BY due_at LIMIT $4) \
           AND due_at <= $3 AND (locked_until IS NULL OR locked_until < $3) \
         RETURNING section_id, federation_id, failures",
    )
    .bind(process)
    .bind(lease_until)
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Records what the federation's server said of a claimed pair.
pub async fn checked(db: &AnyPool, pair: &Pair, vouched: bool, now: i64, next: i64) -> Result<()> {
    sqlx::query(
        "UPDATE official_vouches SET vouched = $3, checked_at = $4, due_at = $5, failures = 0, \
         locked_by = NULL, locked_until = NULL WHERE section_id = $1 AND federation_id = $2",
    )
    .bind(pair.section_id)
    .bind(pair.federation_id)
    .bind(super::flag(vouched))
    .bind(now)
    .bind(next)
    .execute(db)
    .await?;
    Ok(())
}

/// Records that the federation's server could not be read: tried again at `next`; what it
/// said last holds until `stale_before`, after which the vouch no longer counts.
pub async fn failed(db: &AnyPool, pair: &Pair, next: i64, stale_before: i64) -> Result<()> {
    sqlx::query(
        "UPDATE official_vouches SET failures = failures + 1, due_at = $3, \
         vouched = CASE WHEN checked_at IS NULL OR checked_at < $4 THEN 0 ELSE vouched END, \
         locked_by = NULL, locked_until = NULL WHERE section_id = $1 AND federation_id = $2",
    )
    .bind(pair.section_id)
    .bind(pair.federation_id)
    .bind(next)
    .bind(stale_before)
    .execute(db)
    .await?;
    Ok(())
}

/// A group's name keys.
pub async fn name_keys(conn: &mut sqlx::AnyConnection, group_id: i64) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT name_key FROM group_name_keys WHERE group_id = $1")
        .bind(group_id)
        .fetch_all(&mut *conn)
        .await
}

/// Replaces a group's name keys.
pub async fn set_name_keys(
    conn: &mut sqlx::AnyConnection,
    group_id: i64,
    keys: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM group_name_keys WHERE group_id = $1")
        .bind(group_id)
        .execute(&mut *conn)
        .await?;
    for key in keys {
        sqlx::query(
            "INSERT INTO group_name_keys (group_id, name_key) VALUES ($1, $2) \
             ON CONFLICT (group_id, name_key) DO NOTHING",
        )
        .bind(group_id)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The other groups (not deleted) sharing one of `keys`: (group, key), earliest first.
pub async fn sharing_keys(
    conn: &mut sqlx::AnyConnection,
    group_id: i64,
    keys: &[String],
) -> Result<Vec<(i64, String)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT k.group_id, k.name_key FROM group_name_keys k JOIN accounts a ON a.id = k.group_id \
         WHERE k.name_key IN ({}) AND k.group_id <> $1 AND a.deleted_at IS NULL \
         ORDER BY k.group_id LIMIT 20",
        super::placeholders(2, keys.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(group_id);
    for k in keys {
        q = q.bind(k.as_str());
    }
    q.fetch_all(&mut *conn).await
}

/// Flags `group_id` as looking like `similar_id`; false when that pair was flagged before,
/// either way (dismissed or not: a dismissed flag is not raised again).
pub async fn flag(
    conn: &mut sqlx::AnyConnection,
    group_id: i64,
    similar_id: i64,
    key: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO lookalike_flags (group_id, similar_id, name_key, created_at) \
         SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM lookalike_flags \
         WHERE group_id = $2 AND similar_id = $1) \
         ON CONFLICT (group_id, similar_id) DO NOTHING",
    )
    .bind(group_id)
    .bind(similar_id)
    .bind(key)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A look-alike flag.
#[derive(Debug, Clone, FromRow)]
pub struct FlagRow {
    /// Its id.
    pub id: i64,
    /// The group whose name looks like another's.
    pub group_id: i64,
    /// The earlier group it looks like.
    pub similar_id: i64,
    /// The key both names share.
    pub name_key: String,
    /// When it was flagged.
    pub created_at: i64,
}

/// The flags no administrator dismissed yet, newest first, at most `limit`.
pub async fn open_flags(db: &AnyPool, limit: i64) -> Result<Vec<FlagRow>> {
    sqlx::query_as(
        "SELECT id, group_id, similar_id, name_key, created_at FROM lookalike_flags \
         WHERE dismissed_at IS NULL ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Dismisses an open flag; gives it, or `None` when there is no such open flag.
pub async fn dismiss(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    by: i64,
    now: i64,
) -> Result<Option<FlagRow>> {
    sqlx::query_as(
        "UPDATE lookalike_flags SET dismissed_at = $3, dismissed_by = $2 \
         WHERE id = $1 AND dismissed_at IS NULL \
         RETURNING id, group_id, similar_id, name_key, created_at",
    )
    .bind(id)
    .bind(by)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await
}

/// Groups (not deleted) that have no name key yet (those from before look-alikes were
/// flagged), at most `limit`.
pub async fn groups_without_keys(db: &AnyPool, limit: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT g.account_id FROM groups g JOIN accounts a ON a.id = g.account_id \
         WHERE a.deleted_at IS NULL AND NOT EXISTS \
         (SELECT 1 FROM group_name_keys k WHERE k.group_id = g.account_id) \
         ORDER BY g.account_id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A creation waiting for an administrator.
#[derive(Debug, Clone, FromRow)]
pub struct RequestRow {
    /// Its id.
    pub id: i64,
    /// Who asked.
    pub account_id: i64,
    /// The handle asked for, in lower case.
    pub name: String,
    /// The kind asked for.
    pub kind: String,
    /// The name to show.
    pub display_name: String,
    /// What was typed, as JSON.
    pub input: String,
    /// When.
    pub created_at: i64,
}

const REQUEST_COLUMNS: &str = "id, account_id, name, kind, display_name, input, created_at";

/// Records a request; `None` when a request for that handle already waits.
#[allow(clippy::too_many_arguments)]
pub async fn insert_request(
    db: &AnyPool,
    account_id: i64,
    name: &str,
    kind: &str,
    display_name: &str,
    input: &str,
    now: i64,
) -> Result<Option<i64>> {
    let result = sqlx::query_scalar(
        "INSERT INTO group_requests (account_id, name, kind, display_name, input, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(account_id)
    .bind(name)
    .bind(kind)
    .bind(display_name)
    .bind(input)
    .bind(now)
    .fetch_one(db)
    .await;
    match result {
        Ok(id) => Ok(Some(id)),
        Err(e) if super::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A waiting request.
pub async fn request(db: &AnyPool, id: i64) -> Result<Option<RequestRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM group_requests WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Whether a request for that handle (lower case) waits.
pub async fn request_for_name(db: &AnyPool, name: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM group_requests WHERE name = $1")
        .bind(name)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

/// The waiting requests, oldest first, at most `limit`.
pub async fn requests(db: &AnyPool, limit: i64) -> Result<Vec<RequestRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM group_requests ORDER BY id LIMIT $1"
    )))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The waiting requests of one person.
pub async fn requests_of(db: &AnyPool, account_id: i64) -> Result<Vec<RequestRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM group_requests WHERE account_id = $1 ORDER BY id"
    )))
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Takes a request out of the queue (the decision is being made); `None` when it is gone.
pub async fn take_request(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Option<RequestRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "DELETE FROM group_requests WHERE id = $1 RETURNING {REQUEST_COLUMNS}"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}
