//! `media`: uploads and the media of other servers, and the files each has in the store.

use super::Result;
use crate::domain::media::{MediaKind, MediaState, MediaUse};
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// A medium as stored.
#[derive(Debug, Clone, FromRow)]
pub struct MediaRow {
    pub id: i64,
    /// Who uploaded it, or whose post or profile it belongs to.
    pub account_id: i64,
    /// The post it is attached to.
    pub status_id: Option<i64>,
    /// Its place among the post's attachments.
    pub position: i64,
    pub used_for: MediaUse,
    pub kind: MediaKind,
    pub state: MediaState,
    /// Why processing failed (a translation key).
    pub error: Option<String>,
    /// The random part of its files' addresses.
    pub token: String,
    /// The type of the stored file (set once processed, or once a remote file is cached).
    pub content_type: Option<String>,
    pub file_key: Option<String>,
    pub file_size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub duration_ms: Option<i64>,
    pub preview_key: Option<String>,
    pub preview_type: Option<String>,
    pub preview_width: Option<i64>,
    pub preview_height: Option<i64>,
    pub blurhash: Option<String>,
    /// Alt text.
    pub description: String,
    pub focus_x: Option<i64>,
    pub focus_y: Option<i64>,
    /// Its address on another server.
    pub remote_url: Option<String>,
    /// When our copy of a remote file was made.
    pub cached_at: Option<i64>,
    /// The spool file of an upload being processed.
    pub spool: Option<String>,
    /// The process processing it.
    pub processed_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl MediaRow {
    /// Whether the medium belongs to another server's post or actor.
    pub fn is_remote(&self) -> bool {
        self.remote_url.is_some()
    }
}

macro_rules! columns {
    () => {
        "id, account_id, status_id, position, used_for, kind, state, error, token, \
         content_type, file_key, file_size, width, height, duration_ms, preview_key, \
         preview_type, preview_width, preview_height, blurhash, description, focus_x, focus_y, \
         remote_url, cached_at, spool, processed_by, created_at, updated_at"
    };
}

/// A new upload, before processing.
pub struct NewUpload<'a> {
    pub id: i64,
    pub account_id: i64,
    pub kind: MediaKind,
    pub token: &'a str,
    pub file_size: i64,
    pub description: &'a str,
    pub focus: Option<(i64, i64)>,
    pub spool: &'a str,
    pub process: &'a str,
    pub now: i64,
}

/// Records an upload waiting for processing.
pub async fn insert_upload(db: impl AnyExecutor<'_>, m: &NewUpload<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO media (id, account_id, used_for, kind, state, token, file_size, \
         description, focus_x, focus_y, spool, processed_by, created_at, updated_at) \
         VALUES ($1, $2, 'none', $3, 'processing', $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(m.id)
    .bind(m.account_id)
    .bind(m.kind)
    .bind(m.token)
    .bind(m.file_size)
    .bind(m.description)
    .bind(m.focus.map(|f| f.0))
    .bind(m.focus.map(|f| f.1))
    .bind(m.spool)
    .bind(m.process)
    .bind(m.now)
    .execute(db)
    .await?;
    Ok(())
}

/// A medium by id.
pub async fn by_id(db: impl AnyExecutor<'_>, id: i64) -> Result<Option<MediaRow>> {
    sqlx::query_as(concat!("SELECT ", columns!(), " FROM media WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Media by ids (in no particular order).
pub async fn by_ids(db: &AnyPool, ids: &[i64]) -> Result<Vec<MediaRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = Vec::new();
    for chunk in super::padded_chunks(ids, super::INSERT_CHUNK) {
        let sql = format!(
            concat!("SELECT ", columns!(), " FROM media WHERE id IN ({})"),
            super::placeholders(1, chunk.len())
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in chunk.iter() {
            query = query.bind(*id);
        }
        rows.extend(query.fetch_all(db).await?);
    }
    rows.sort_by_key(|r: &MediaRow| r.id);
    rows.dedup_by_key(|r| r.id);
    Ok(rows)
}

/// The attachments of posts, in their order, for a page of posts.
pub async fn of_statuses(db: &AnyPool, status_ids: &[i64]) -> Result<Vec<MediaRow>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = Vec::new();
    for chunk in super::padded_chunks(status_ids, super::INSERT_CHUNK) {
        let sql = format!(
            concat!(
                "SELECT ",
                columns!(),
                " FROM media WHERE status_id IN ({}) AND state = 'ready' \
                 ORDER BY status_id, position"
            ),
            super::placeholders(1, chunk.len())
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in chunk.iter() {
            query = query.bind(*id);
        }
        rows.extend(query.fetch_all(db).await?);
    }
    rows.sort_by_key(|r: &MediaRow| (r.status_id, r.position));
    rows.dedup_by_key(|r| r.id);
    Ok(rows)
}

/// What processing found: the files stored and what they are.
pub struct Processed<'a> {
    pub kind: MediaKind,
    pub content_type: &'a str,
    pub file_key: &'a str,
    pub file_size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub duration_ms: Option<i64>,
    pub preview: Option<(&'a str, &'a str, i64, i64)>,
    pub blurhash: Option<&'a str>,
}

/// Marks an upload ready with its files; `false` when it is no longer processing (removed
/// meanwhile).
pub async fn set_ready(db: &AnyPool, id: i64, p: &Processed<'_>, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE media SET state = 'ready', kind = $2, content_type = $3, file_key = $4, \
         file_size = $5, width = $6, height = $7, duration_ms = $8, preview_key = $9, \
         preview_type = $10, preview_width = $11, preview_height = $12, blurhash = $13, \
         spool = NULL, processed_by = NULL, updated_at = $14 \
         WHERE id = $1 AND state = 'processing'",
    )
    .bind(id)
    .bind(p.kind)
    .bind(p.content_type)
    .bind(p.file_key)
    .bind(p.file_size)
    .bind(p.width)
    .bind(p.height)
    .bind(p.duration_ms)
    .bind(p.preview.map(|p| p.0))
    .bind(p.preview.map(|p| p.1))
    .bind(p.preview.map(|p| p.2))
    .bind(p.preview.map(|p| p.3))
    .bind(p.blurhash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks an upload refused, with why.
pub async fn set_failed(db: &AnyPool, id: i64, error: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE media SET state = 'failed', error = $2, spool = NULL, processed_by = NULL, \
         updated_at = $3 WHERE id = $1 AND state = 'processing'",
    )
    .bind(id)
    .bind(error)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Changes alt text and focal point.
pub async fn update_description(
    db: &AnyPool,
    id: i64,
    description: Option<&str>,
    focus: Option<(i64, i64)>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE media SET description = COALESCE($2, description), \
         focus_x = CASE WHEN $3 = 1 THEN $4 ELSE focus_x END, \
         focus_y = CASE WHEN $3 = 1 THEN $5 ELSE focus_y END, updated_at = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(description)
    .bind(i64::from(focus.is_some()))
    .bind(focus.map(|f| f.0))
    .bind(focus.map(|f| f.1))
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Attaches media to a post, in the order given; the post's previous attachments that are not
/// among them are marked removed (the sweep takes them). Each medium must still be ready, and
/// either a free upload of `account_id` or already this post's (kept by any organizer's edit), checked in the statement itself (a
/// concurrent deletion, or another post taking it, since the caller checked): `false` when one
/// is not, and the caller's transaction is then rolled back.
pub async fn attach(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    status_id: i64,
    media_ids: &[i64],
    now: i64,
) -> Result<bool> {
    for (position, id) in media_ids.iter().enumerate() {
        let done = sqlx::query(
            "UPDATE media SET status_id = $2, position = $3, used_for = 'status', \
             updated_at = $4 WHERE id = $1 AND state = 'ready' AND remote_url IS NULL \
             AND ((used_for = 'none' AND account_id = $5) \
                  OR (used_for = 'status' AND status_id = $2))",
        )
        .bind(*id)
        .bind(status_id)
        .bind(position as i64)
        .bind(now)
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
    }
    let kept = if media_ids.is_empty() {
        String::new()
    } else {
        format!(
            " AND id NOT IN ({})",
            super::placeholders(3, media_ids.len())
        )
    };
    let sql = format!(
        "UPDATE media SET status_id = NULL, state = 'removed', updated_at = $2 \
         WHERE status_id = $1{kept}"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(status_id)
        .bind(now);
    for id in media_ids {
        query = query.bind(*id);
    }
    query.execute(&mut *conn).await?;
    Ok(true)
}

/// Marks a medium used as an account's picture or banner.
pub async fn set_use(
    db: impl AnyExecutor<'_>,
    id: i64,
    used_for: MediaUse,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE media SET used_for = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(used_for)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks media for removal by the sweep.
pub async fn remove(db: impl AnyExecutor<'_>, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE media SET state = 'removed', updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks every medium of an account for removal (its account is deleted).
pub async fn remove_all_of(db: impl AnyExecutor<'_>, account_id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE media SET state = 'removed', updated_at = $2 WHERE account_id = $1")
        .bind(account_id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Holds an account's row until the transaction ends (a write that changes nothing: a row lock
/// on PostgreSQL; SQLite's writer transaction holds the whole database already).
pub async fn lock_owner(conn: &mut sqlx::AnyConnection, account_id: i64) -> Result<()> {
    sqlx::query("UPDATE accounts SET updated_at = updated_at WHERE id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The bytes an account's media take in the store.
pub async fn usage_of(db: impl AnyExecutor<'_>, account_id: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(file_size), 0) AS BIGINT) FROM media \
         WHERE account_id = $1 AND state <> 'removed' AND remote_url IS NULL",
    )
    .bind(account_id)
    .fetch_one(db)
    .await
}

/// Media whose files should go: marked removed; uploads never attached and older than
/// `unattached_before`; the media of deleted posts; failed uploads older than `failed_before`.
pub async fn to_sweep(
    db: &AnyPool,
    unattached_before: i64,
    failed_before: i64,
    limit: i64,
) -> Result<Vec<MediaRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM media WHERE state = 'removed' \
           OR (used_for = 'none' AND created_at < $1 AND state <> 'processing') \
           OR (state = 'processing' AND updated_at < $1) \
           OR (used_for = 'status' AND status_id IS NULL) \
           OR (state = 'failed' AND updated_at < $2) \
         ORDER BY id LIMIT $3"
    ))
    .bind(unattached_before)
    .bind(failed_before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Removes media rows (their files are gone).
pub async fn delete(db: &AnyPool, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET avatar_media_id = NULL, avatar_url = NULL WHERE avatar_media_id = $1",
    )
    .bind(id)
    .execute(db)
    .await?;
    sqlx::query(
        "UPDATE accounts SET header_media_id = NULL, header_url = NULL WHERE header_media_id = $1",
    )
    .bind(id)
    .execute(db)
    .await?;
    sqlx::query("DELETE FROM media WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Every upload still processing (after a restart, this process takes back those whose
/// spool file is on this machine).
pub async fn processing(db: &AnyPool) -> Result<Vec<MediaRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM media WHERE state = 'processing' ORDER BY state, created_at"
    ))
    .fetch_all(db)
    .await
}

/// Gives an upload to this process.
/// Only from the process that had it (`previous`): two processes starting at once never
/// both take it.
pub async fn take(
    db: &AnyPool,
    id: i64,
    process: &str,
    previous: Option<&str>,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE media SET processed_by = $2, updated_at = $3 \
         WHERE id = $1 AND state = 'processing' AND COALESCE(processed_by, '') = $4",
    )
    .bind(id)
    .bind(process)
    .bind(now)
    .bind(previous.unwrap_or(""))
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets an account's picture or banner (a medium, and the address shown).
pub async fn set_account_image(
    db: impl AnyExecutor<'_>,
    account_id: i64,
    used_for: MediaUse,
    media: Option<(i64, &str)>,
) -> Result<()> {
    let sql = match used_for {
        MediaUse::Header => {
            "UPDATE accounts SET header_media_id = $2, header_url = $3 WHERE id = $1"
        }
        _ => "UPDATE accounts SET avatar_media_id = $2, avatar_url = $3 WHERE id = $1",
    };
    sqlx::query(sql)
        .bind(account_id)
        .bind(media.map(|m| m.0))
        .bind(media.map(|m| m.1))
        .execute(db)
        .await?;
    Ok(())
}

/// One line of what the store holds, as the database records it: media of one kind, here or
/// of other servers, in one state.
#[derive(Debug, Clone, FromRow)]
pub struct UsageRow {
    pub kind: MediaKind,
    /// 1 for copies of other servers' media, 0 for uploads here.
    pub remote: i64,
    pub state: MediaState,
    /// Media with a file in the store.
    pub media: i64,
    /// Of those, media with a preview in the store too.
    pub previews: i64,
    /// The size of their main files (previews' sizes are not recorded).
    pub bytes: i64,
}

/// What the store holds, by kind, origin (uploads here, cached copies of other servers'
/// media) and state: every medium with a file in the store.
pub async fn usage(db: &AnyPool) -> Result<Vec<UsageRow>> {
    sqlx::query_as(
        "SELECT kind, CASE WHEN remote_url IS NULL THEN 0 ELSE 1 END AS remote, state, \
         COUNT(*) AS media, \
         CAST(SUM(CASE WHEN preview_key IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS previews, \
         CAST(COALESCE(SUM(file_size), 0) AS BIGINT) AS bytes \
         FROM media WHERE file_key IS NOT NULL \
         GROUP BY kind, CASE WHEN remote_url IS NULL THEN 0 ELSE 1 END, state \
         ORDER BY kind, remote, state",
    )
    .fetch_all(db)
    .await
}

/// How many media of other servers are known without a copy here (fetched when someone looks
/// at them), and how many uploads are being processed (their files are not in the store yet).
pub async fn uncached_and_processing(db: &AnyPool) -> Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN remote_url IS NOT NULL AND file_key IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN state = 'processing' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM media",
    )
    .fetch_one(db)
    .await
}

/// Cached copies of other servers' media, after `after_id`, in id order: `limit` at most.
pub async fn cached_remote(db: &AnyPool, after_id: i64, limit: i64) -> Result<Vec<MediaRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM media WHERE remote_url IS NOT NULL AND file_key IS NOT NULL AND id > $1 \
         ORDER BY id LIMIT $2"
    ))
    .bind(after_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Forgets the copy of another server's medium (its files are about to leave the store): its
/// keys and `cached_at` become NULL, so that the next reader fetches it again. `false` when
/// the row no longer has that file (copied anew meanwhile: the new copy stays).
pub async fn forget_copy(db: &AnyPool, id: i64, file_key: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE media SET file_key = NULL, preview_key = NULL, cached_at = NULL, \
         updated_at = $3 WHERE id = $1 AND file_key = $2 AND remote_url IS NOT NULL",
    )
    .bind(id)
    .bind(file_key)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A medium of another server's post or actor, recorded by its address (no file yet).
pub struct NewRemote<'a> {
    pub id: i64,
    /// The post's author, or the actor.
    pub account_id: i64,
    pub status_id: Option<i64>,
    pub position: i64,
    pub used_for: MediaUse,
    pub kind: MediaKind,
    pub token: &'a str,
    pub remote_url: &'a str,
    pub description: &'a str,
    pub blurhash: Option<&'a str>,
    pub focus: Option<(i64, i64)>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub now: i64,
}

/// Records media of other servers (ready to be shown, their files fetched on demand), a
/// statement per 64 media.
pub async fn insert_remote_many(
    conn: &mut sqlx::AnyConnection,
    rows: &[NewRemote<'_>],
) -> Result<()> {
    const COLUMNS: usize = 15;
    for chunk in super::padded_chunks(rows, 64) {
        let sql = format!(
            "INSERT INTO media (id, account_id, status_id, position, used_for, kind, token, \
             remote_url, description, blurhash, focus_x, focus_y, width, height, created_at, \
             state, updated_at) VALUES {} ON CONFLICT (id) DO NOTHING",
            (0..chunk.len())
                .map(|r| {
                    let first = r * COLUMNS + 1;
                    format!(
                        "({}, 'ready', ${})",
                        super::placeholders(first, COLUMNS),
                        first + COLUMNS - 1
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for m in chunk.iter() {
            q = q
                .bind(m.id)
                .bind(m.account_id)
                .bind(m.status_id)
                .bind(m.position)
                .bind(m.used_for)
                .bind(m.kind)
                .bind(m.token)
                .bind(m.remote_url)
                .bind(m.description)
                .bind(m.blurhash)
                .bind(m.focus.map(|f| f.0))
                .bind(m.focus.map(|f| f.1))
                .bind(m.width)
                .bind(m.height)
                .bind(m.now);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Every medium attached to a post, whatever its state, in order.
pub async fn of_status(db: impl AnyExecutor<'_>, status_id: i64) -> Result<Vec<MediaRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM media WHERE status_id = $1 ORDER BY position, id"
    ))
    .bind(status_id)
    .fetch_all(db)
    .await
}

/// Takes a medium off its post (its post's new version no longer has it): the sweep removes
/// it.
pub async fn detach(db: impl AnyExecutor<'_>, id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE media SET status_id = NULL, state = 'removed', updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// What a remote post's new version says of a medium it keeps (same address): its place,
/// alt text, blurhash (a cached picture's own stays when none is given), focal point, size.
pub async fn update_remote(db: impl AnyExecutor<'_>, id: i64, m: &NewRemote<'_>) -> Result<()> {
    sqlx::query(
        "UPDATE media SET position = $2, description = $3, \
         blurhash = COALESCE($4, blurhash), focus_x = $5, focus_y = $6, \
         width = COALESCE(width, $7), height = COALESCE(height, $8), updated_at = $9 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(m.position)
    .bind(m.description)
    .bind(m.blurhash)
    .bind(m.focus.map(|f| f.0))
    .bind(m.focus.map(|f| f.1))
    .bind(m.width)
    .bind(m.height)
    .bind(m.now)
    .execute(db)
    .await?;
    Ok(())
}

/// Gives the fetch of a remote medium's file to `process`, unless another process took it
/// less than `lease_before` ago (its `updated_at` is then newer). `false`: someone else is
/// fetching it, or it is cached.
pub async fn claim_fetch(
    db: &AnyPool,
    id: i64,
    process: &str,
    lease_before: i64,
    now: i64,
    retry_before: i64,
) -> Result<bool> {
    // A failure remembered since `retry_before` is not tried again (a request that waited
    // for the failed fetch would otherwise fetch at once in its turn).
    let done = sqlx::query(
        "UPDATE media SET processed_by = $2, updated_at = $3 \
         WHERE id = $1 AND remote_url IS NOT NULL AND file_key IS NULL AND state = 'ready' \
         AND (processed_by IS NULL OR updated_at < $4) \
         AND (error IS NULL OR updated_at < $5)",
    )
    .bind(id)
    .bind(process)
    .bind(now)
    .bind(lease_before)
    .bind(retry_before)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What fetching a remote medium's file made: the copy in the store, and what it is.
pub struct Cached<'a> {
    pub kind: MediaKind,
    pub content_type: &'a str,
    pub file_key: &'a str,
    pub file_size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub duration_ms: Option<i64>,
    pub preview: Option<(&'a str, &'a str, i64, i64)>,
    pub blurhash: Option<&'a str>,
}

/// Records the copy of a remote medium's file (kept by `process`, which claimed it); `false`
/// when the row changed hands or went meanwhile (the copy is then the caller's to remove).
/// A blurhash or size the remote document gave stays.
pub async fn set_cached(
    db: &AnyPool,
    id: i64,
    process: &str,
    c: &Cached<'_>,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE media SET kind = $3, content_type = $4, file_key = $5, file_size = $6, \
         width = COALESCE($7, width), height = COALESCE($8, height), duration_ms = $9, \
         preview_key = $10, preview_type = $11, preview_width = $12, preview_height = $13, \
         blurhash = COALESCE(blurhash, $14), cached_at = $15, error = NULL, \
         processed_by = NULL, updated_at = $15 \
         WHERE id = $1 AND processed_by = $2 AND state = 'ready' AND file_key IS NULL",
    )
    .bind(id)
    .bind(process)
    .bind(c.kind)
    .bind(c.content_type)
    .bind(c.file_key)
    .bind(c.file_size)
    .bind(c.width)
    .bind(c.height)
    .bind(c.duration_ms)
    .bind(c.preview.map(|p| p.0))
    .bind(c.preview.map(|p| p.1))
    .bind(c.preview.map(|p| p.2))
    .bind(c.preview.map(|p| p.3))
    .bind(c.blurhash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Remembers that fetching a remote medium's file failed (why: a translation key), so that it
/// is not tried again for every request until the failure is old.
pub async fn set_fetch_failed(
    db: &AnyPool,
    id: i64,
    process: &str,
    error: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE media SET error = $3, processed_by = NULL, updated_at = $4 \
         WHERE id = $1 AND processed_by = $2",
    )
    .bind(id)
    .bind(process)
    .bind(error)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Cached copies of remote media made before `before` (to remove; the rows stay).
pub async fn cached_before(db: &AnyPool, before: i64, limit: i64) -> Result<Vec<MediaRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM media WHERE cached_at IS NOT NULL AND cached_at < $1 AND remote_url IS NOT NULL \
         AND state = 'ready' ORDER BY cached_at LIMIT $2"
    ))
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Forgets a remote medium's cached copy (its files are gone; fetched again on demand). Only
/// the copy made at `cached_at` is forgotten: one made again meanwhile stays.
pub async fn uncache(db: &AnyPool, id: i64, cached_at: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE media SET file_key = NULL, content_type = NULL, preview_key = NULL, \
         preview_type = NULL, preview_width = NULL, preview_height = NULL, cached_at = NULL, \
         file_size = 0, updated_at = $3 \
         WHERE id = $1 AND cached_at = $2 AND remote_url IS NOT NULL",
    )
    .bind(id)
    .bind(cached_at)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}
