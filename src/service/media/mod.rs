//! Media: uploads (spooled as they arrive, processed off the request by this process, one at a
//! time), alt text and focal points, attaching media to posts and profiles, serving files, and
//! the sweep that removes what nobody uses any more.
//!
//! An upload's bytes go to a spool file on this machine while they arrive ([`Upload`]); its
//! type is told from its first bytes and its size checked against the limit of its kind as it
//! grows. [`create`] records it (`processing`) and hands it to [`process`], a task of this
//! process; the result goes to the store and the row becomes `ready` (or `failed`, with why).
//! A process that stops mid-way takes its uploads back at start ([`resume`]).

mod remote;
mod serve;
mod sweep;

pub use remote::{RETRY_AFTER, cached, remember_account_image};
pub use serve::{File, Variant, open, path, url};
pub use sweep::sweep;

use crate::{
    clock, crypto,
    db::{self, accounts::AccountRow, media::MediaRow},
    domain::{
        Invalid,
        media::{Focus, Format, MAX_ATTACHMENTS, MediaKind, MediaState, MediaUse},
    },
    error::{AppError, AppResult},
    media::{Output, Refusal},
    service::outgoing::{self, Outgoing},
    state::AppState,
};
use axum::http::StatusCode;
use std::{path::PathBuf, time::Duration};
use tokio::io::AsyncWriteExt;

/// How many first bytes tell a file's type.
const SNIFF_BYTES: usize = 64 * 1024;

/// The error answering a refused file (422, naming the `file` field).
pub fn refused(refusal: Refusal) -> AppError {
    let status = match refusal {
        Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    AppError::invalid(vec![Invalid::new("file", refusal.key())]).with_status(status)
}

/// The largest upload any kind allows (the request body limit of upload routes).
pub fn max_upload_bytes(state: &AppState) -> u64 {
    let m = &state.config.media;
    m.max_image_bytes
        .max(m.max_video_bytes)
        .max(m.max_document_bytes)
}

fn limit_of(state: &AppState, kind: MediaKind) -> u64 {
    let m = &state.config.media;
    match kind {
        MediaKind::Image | MediaKind::Gifv => m.max_image_bytes,
        MediaKind::Video | MediaKind::Audio => m.max_video_bytes,
        MediaKind::Document => m.max_document_bytes,
    }
}

/// A file arriving: written to the spool as it comes, its type told from its first bytes.
pub struct Upload {
    id: i64,
    path: PathBuf,
    file: tokio::fs::File,
    head: Vec<u8>,
    format: Option<Format>,
    size: u64,
    max: u64,
}

impl Upload {
    /// Starts an upload.
    pub async fn begin(state: &AppState) -> AppResult<Upload> {
        let id = state.ids.next();
        let path = state.media.spool.join(format!("{id}.upload"));
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(AppError::internal)?;
        Ok(Upload {
            id,
            path,
            file,
            head: Vec::new(),
            format: None,
            size: 0,
            max: max_upload_bytes(state),
        })
    }

    /// Adds bytes; refuses a file over its kind's limit, or of a type not accepted, as soon as
    /// that is known (the spool file is then removed).
    pub async fn write(&mut self, state: &AppState, chunk: &[u8]) -> AppResult<()> {
        self.size += chunk.len() as u64;
        if self.format.is_none() && self.head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
            if self.head.len() >= SNIFF_BYTES {
                self.sniff(state).await?;
            }
        }
        if self.size > self.max {
            self.discard().await;
            return Err(refused(Refusal::TooLarge));
        }
        if let Err(e) = self.file.write_all(chunk).await {
            self.discard().await;
            return Err(AppError::internal(e));
        }
        Ok(())
    }

    async fn sniff(&mut self, state: &AppState) -> AppResult<()> {
        match Format::sniff(&self.head) {
            Ok(format) => {
                self.format = Some(format);
                self.max = limit_of(state, format.kind());
                Ok(())
            }
            Err(_) => {
                self.discard().await;
                Err(refused(Refusal::Unsupported))
            }
        }
    }

    /// The whole file has arrived.
    pub async fn finish(mut self, state: &AppState) -> AppResult<Spooled> {
        if self.format.is_none() {
            self.sniff(state).await?;
        }
        if self.size > self.max {
            self.discard().await;
            return Err(refused(Refusal::TooLarge));
        }
        if let Err(e) = self.file.flush().await {
            self.discard().await;
            return Err(AppError::internal(e));
        }
        Ok(Spooled {
            id: self.id,
            // Handed on: this upload's drop no longer removes the file.
            path: std::mem::take(&mut self.path),
            size: self.size,
            format: self.format.expect("sniffed"),
        })
    }

    /// Gives up: the spool file is removed.
    pub async fn discard(&mut self) {
        let path = std::mem::take(&mut self.path);
        if !path.as_os_str().is_empty() {
            let _ = tokio::fs::remove_file(&path).await;
        }
    }
}

/// An upload dropped before it was handed on (a refused request, a client gone mid-way: the
/// request's task is dropped) takes its spool file with it.
impl Drop for Upload {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A file arrived whole in the spool.
#[derive(Debug)]
pub struct Spooled {
    id: i64,
    path: PathBuf,
    size: u64,
    format: Format,
}

impl Spooled {
    /// Removes the spool file (the upload is refused before being recorded).
    pub async fn discard(mut self) {
        let path = std::mem::take(&mut self.path);
        let _ = tokio::fs::remove_file(&path).await;
    }

    /// The spool file, now the caller's to remove (processing takes it).
    fn hand_on(mut self) -> PathBuf {
        std::mem::take(&mut self.path)
    }
}

/// A spooled file dropped before it was recorded or processed (an error on the way, a request
/// dropped while it waited) is removed.
impl Drop for Spooled {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// What an uploader says of a file.
#[derive(Debug, Clone, Default)]
pub struct Describe {
    /// Alt text.
    pub description: Option<String>,
    /// Focal point, `"x,y"`.
    pub focus: Option<String>,
}

impl Describe {
    fn read(&self) -> Result<(Option<String>, Option<Focus>), Vec<Invalid>> {
        let mut refused = Vec::new();
        let description = match self
            .description
            .as_deref()
            .map(crate::domain::media::description)
        {
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                refused.push(e);
                None
            }
            None => None,
        };
        let focus = match self.focus.as_deref().map(Focus::parse) {
            Some(Ok(f)) => Some(f),
            Some(Err(e)) => {
                refused.push(e);
                None
            }
            None => None,
        };
        if refused.is_empty() {
            Ok((description, focus))
        } else {
            Err(refused)
        }
    }
}

/// Records an upload and starts processing it. The description is checked first: a refused
/// one stores nothing.
pub async fn create(
    state: &AppState,
    me: &AccountRow,
    spooled: Spooled,
    describe: &Describe,
) -> AppResult<MediaRow> {
    let (description, focus) = match describe.read() {
        Ok(read) => read,
        Err(fields) => {
            spooled.discard().await;
            return Err(AppError::invalid(fields));
        }
    };
    // The quota is checked and the upload recorded in one transaction that holds the
    // account's row: uploads at once are counted one after another, never both against the
    // same usage.
    let mut tx = state.db.begin().await?;
    if let Some(quota) = state.config.media.quota_bytes {
        db::media::lock_owner(&mut tx, me.id).await?;
        let used = db::media::usage_of(&mut *tx, me.id).await?;
        if used as u64 + spooled.size > quota {
            drop(tx);
            spooled.discard().await;
            return Err(refused(Refusal::OverQuota));
        }
    }
    let token = crypto::random_token(16);
    let spool = spooled.path.display().to_string();
    let now = clock::now();
    db::media::insert_upload(
        &mut *tx,
        &db::media::NewUpload {
            id: spooled.id,
            account_id: me.id,
            kind: spooled.format.kind(),
            token: &token,
            file_size: spooled.size as i64,
            description: description.as_deref().unwrap_or(""),
            focus: focus.map(|f| (f.x, f.y)),
            spool: &spool,
            process: &state.process_id,
            now,
        },
    )
    .await?;
    tx.commit().await?;
    let id = spooled.id;
    let format = spooled.format;
    tokio::spawn(process(state.clone(), id, spooled.hand_on(), format));
    db::media::by_id(state.pool(), id)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("new upload vanished")))
}

/// Waits until an upload is processed, at most `wait`: the row as it then is.
pub async fn settled(state: &AppState, id: i64, wait: Duration) -> AppResult<MediaRow> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut pause = Duration::from_millis(5);
    loop {
        let row = db::media::by_id(state.pool(), id)
            .await?
            .ok_or_else(AppError::not_found)?;
        if row.state != MediaState::Processing || tokio::time::Instant::now() >= deadline {
            return Ok(row);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

/// Processes a spooled upload: checks and converts it, stores its files, records the result.
/// Runs as a task of this process, one file at a time.
pub async fn process(state: AppState, id: i64, path: PathBuf, format: Format) {
    let permit = state.media.permits.acquire().await;
    let outcome = process_file(&state, id, &path, format).await;
    drop(permit);
    let _ = tokio::fs::remove_file(&path).await;
    let _ = tokio::fs::remove_file(path.with_extension("out")).await;
    let now = clock::now();
    let result = match outcome {
        Ok(()) => Ok(()),
        Err(Failure::Refused(refusal)) => {
            db::media::set_failed(state.pool(), id, refusal.key(), now).await
        }
        Err(Failure::Internal(e)) => {
            tracing::warn!(media = id, error = %e, "an upload could not be processed");
            db::media::set_failed(state.pool(), id, "error-internal", now).await
        }
    };
    if let Err(e) = result {
        tracing::warn!(media = id, error = %e, "an upload's state could not be recorded");
    }
}

enum Failure {
    Refused(Refusal),
    Internal(anyhow::Error),
}

impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Self {
        Failure::Refused(r)
    }
}

async fn process_file(
    state: &AppState,
    id: i64,
    path: &std::path::Path,
    format: Format,
) -> Result<(), Failure> {
    let internal = |e: &dyn std::fmt::Display| Failure::Internal(anyhow::anyhow!("{e}"));
    let row = db::media::by_id(state.pool(), id)
        .await
        .map_err(|e| internal(&e))?;
    let Some(row) = row.filter(|r| r.state == MediaState::Processing) else {
        return Ok(());
    };
    let ready = state.media.process(path, format).await?;
    let store = &state.media.store;
    let file_key = format!("{id}/{}/original.{}", row.token, ready.format.extension());
    let size = match &ready.file {
        Output::Bytes(bytes) => {
            let size = bytes.len() as u64;
            store
                .put(&file_key, bytes::Bytes::from(bytes.clone()))
                .await
                .map_err(|e| internal(&e))?;
            size
        }
        Output::File(file) => store
            .put_file(&file_key, file)
            .await
            .map_err(|e| internal(&e))?,
    };
    let preview = match &ready.preview {
        Some(p) => {
            let key = format!("{id}/{}/small.{}", row.token, p.format.extension());
            store
                .put(&key, bytes::Bytes::from(p.bytes.clone()))
                .await
                .map_err(|e| internal(&e))?;
            Some((key, p.format.content_type(), p.width, p.height))
        }
        None => None,
    };
    let done = db::media::set_ready(
        state.pool(),
        id,
        &db::media::Processed {
            kind: ready.kind,
            content_type: ready.format.content_type(),
            file_key: &file_key,
            file_size: size as i64,
            width: ready.width.map(i64::from),
            height: ready.height.map(i64::from),
            duration_ms: ready.duration_ms.map(|d| d as i64),
            preview: preview
                .as_ref()
                .map(|(k, t, w, h)| (k.as_str(), *t, i64::from(*w), i64::from(*h))),
            blurhash: ready.blurhash.as_deref(),
        },
        clock::now(),
    )
    .await
    .map_err(|e| internal(&e))?;
    if !done {
        // Removed while it was processed: its files go now, unless another process finished
        // the same upload first and the row records them.
        let recorded = db::media::by_id(state.pool(), id)
            .await
            .map_err(|e| internal(&e))?
            .and_then(|r| r.file_key)
            .is_some_and(|k| k == file_key);
        if recorded {
            return Ok(());
        }
        let _ = store.delete(&file_key).await;
        if let Some((key, ..)) = preview {
            let _ = store.delete(&key).await;
        }
    }
    Ok(())
}

/// Takes back, at start, the uploads whose spool file is on this machine and that no running
/// process is processing (this one stopped mid-way, or another process on this machine did).
pub async fn resume(state: &AppState) -> AppResult<()> {
    let rows = db::media::processing(state.pool()).await?;
    remove_stray_spool_files(state, &rows);
    for row in rows {
        let Some(spool) = row.spool.as_deref().map(PathBuf::from) else {
            continue;
        };
        if !spool.starts_with(&state.media.spool) || !spool.exists() {
            continue;
        }
        let alive = match row.processed_by.as_deref() {
            Some(p) if p != state.process_id.as_ref() => {
                db::federation::process_alive(state.pool(), p).await?
            }
            _ => false,
        };
        if alive {
            continue;
        }
        let format = match std::fs::File::open(&spool).and_then(|f| {
            use std::io::Read;
            let mut head = Vec::new();
            f.take(SNIFF_BYTES as u64).read_to_end(&mut head)?;
            Ok(head)
        }) {
            Ok(head) => Format::sniff(&head).ok(),
            Err(_) => None,
        };
        let Some(format) = format else {
            db::media::set_failed(
                state.pool(),
                row.id,
                Refusal::Unsupported.key(),
                clock::now(),
            )
            .await?;
            continue;
        };
        let previous = row.processed_by.as_deref();
        if db::media::take(
            state.pool(),
            row.id,
            &state.process_id,
            previous,
            clock::now(),
        )
        .await?
        {
            tokio::spawn(process(state.clone(), row.id, spool, format));
        }
    }
    Ok(())
}

/// Removes the spool files no upload being processed names and that are older than an hour
/// (left by a process killed while a file arrived; a younger one may be another process's
/// upload still arriving on this machine).
fn remove_stray_spool_files(state: &AppState, processing: &[MediaRow]) {
    let Ok(entries) = std::fs::read_dir(&state.media.spool) else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for entry in entries.flatten() {
        let path = entry.path();
        let named = processing
            .iter()
            .filter_map(|r| r.spool.as_deref())
            .any(|s| std::path::Path::new(s) == path);
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        if !named && old && path.is_file() {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// One of my uploads.
pub async fn mine(state: &AppState, me: &AccountRow, id: i64) -> AppResult<MediaRow> {
    db::media::by_id(state.pool(), id)
        .await?
        .filter(|m| m.account_id == me.id && m.remote_url.is_none())
        .filter(|m| m.state != MediaState::Removed)
        .ok_or_else(AppError::not_found)
}

/// Changes the alt text or focal point of one of my uploads (attached or not).
pub async fn update(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    describe: &Describe,
) -> AppResult<MediaRow> {
    let row = mine(state, me, id).await?;
    let (description, focus) = describe.read().map_err(AppError::invalid)?;
    db::media::update_description(
        state.pool(),
        row.id,
        description.as_deref(),
        focus.map(|f| (f.x, f.y)),
        clock::now(),
    )
    .await?;
    if let Some(status_id) = row.status_id {
        // The post's readers elsewhere see the new alt text.
        let mut tx = state.db.begin().await?;
        outgoing::push(&mut tx, &Outgoing::UpdateStatus { status_id }).await?;
        tx.commit().await?;
        state.outbox_ready.notify_one();
    }
    mine(state, me, id).await
}

/// Removes one of my uploads that is attached to nothing.
pub async fn delete_unattached(state: &AppState, me: &AccountRow, id: i64) -> AppResult<()> {
    let row = mine(state, me, id).await?;
    if row.used_for != MediaUse::None {
        return Err(Invalid::new("id", "error-media-used").into());
    }
    discard(state, &row).await
}

/// Forgets a failed upload once its uploader has been told (nothing of it stays).
pub async fn forget_failed(state: &AppState, row: &MediaRow) -> AppResult<()> {
    if row.state == MediaState::Failed {
        db::media::delete(state.pool(), row.id).await?;
    }
    Ok(())
}

/// Checks the media a post is to carry: at most four, mine, processed, and not attached to
/// another post (`status_id` is the post being edited, whose own media may stay). Gives the
/// ids in order.
pub async fn for_post(
    state: &AppState,
    me: &AccountRow,
    ids: &[String],
    status_id: Option<i64>,
) -> AppResult<Vec<i64>> {
    check_for_post(state, me, ids, status_id, &[]).await
}

/// Checks the media a new post is to carry, as [`for_post`]; when it is the publication of
/// a scheduled post, the media reserved to that post are free for it.
pub async fn for_new_post(
    state: &AppState,
    me: &AccountRow,
    ids: &[String],
    scheduled_id: Option<i64>,
) -> AppResult<Vec<i64>> {
    let reserved = match scheduled_id {
        Some(id) => db::scheduled::media_of(state.pool(), id).await?,
        None => Vec::new(),
    };
    check_for_post(state, me, ids, None, &reserved).await
}

async fn check_for_post(
    state: &AppState,
    me: &AccountRow,
    ids: &[String],
    status_id: Option<i64>,
    reserved: &[i64],
) -> AppResult<Vec<i64>> {
    if ids.len() > MAX_ATTACHMENTS {
        return Err(Invalid::new("media_ids", "error-media-too-many")
            .arg("max", MAX_ATTACHMENTS)
            .into());
    }
    let mut wanted = Vec::with_capacity(ids.len());
    for id in ids {
        let id: i64 = id
            .trim()
            .parse()
            .map_err(|_| Invalid::new("media_ids", "error-media-unknown"))?;
        if !wanted.contains(&id) {
            wanted.push(id);
        }
    }
    let rows = db::media::by_ids(state.pool(), &wanted).await?;
    for id in &wanted {
        let row = rows
            .iter()
            .find(|r| r.id == *id)
            .filter(|r| r.account_id == me.id && r.remote_url.is_none())
            .ok_or_else(|| Invalid::new("media_ids", "error-media-unknown"))?;
        match row.state {
            MediaState::Ready => {}
            MediaState::Processing => {
                return Err(Invalid::new("media_ids", "error-media-processing").into());
            }
            MediaState::Failed | MediaState::Removed => {
                return Err(Invalid::new("media_ids", "error-media-unknown").into());
            }
        }
        let free = match row.used_for {
            MediaUse::None => true,
            MediaUse::Status => status_id.is_some() && row.status_id == status_id,
            MediaUse::Scheduled => reserved.contains(&row.id),
            MediaUse::Avatar | MediaUse::Header | MediaUse::Card => false,
        };
        if !free {
            return Err(Invalid::new("media_ids", "error-media-used").into());
        }
    }
    Ok(wanted)
}

/// An uploaded picture for a profile (a person's or a group's avatar or banner), processed
/// before the answer: the ready medium, or why it was refused (nothing of it is then kept).
pub async fn picture(
    state: &AppState,
    me: &AccountRow,
    spooled: Spooled,
    used_for: MediaUse,
) -> AppResult<MediaRow> {
    let field = if used_for == MediaUse::Header {
        "header"
    } else {
        "avatar"
    };
    if spooled.format.kind() != MediaKind::Image {
        spooled.discard().await;
        return Err(AppError::invalid(vec![Invalid::new(
            field,
            "error-media-not-image",
        )]));
    }
    let row = create(state, me, spooled, &Describe::default()).await?;
    let row = settled(state, row.id, Duration::from_secs(120)).await?;
    match row.state {
        MediaState::Ready => Ok(row),
        MediaState::Failed => {
            forget_failed(state, &row).await?;
            let key = Refusal::from_key(row.error.as_deref().unwrap_or_default()).key();
            Err(AppError::invalid(vec![Invalid::new(field, key)]))
        }
        _ => {
            discard(state, &row).await?;
            Err(AppError::internal(anyhow::anyhow!(
                "a picture took too long to process"
            )))
        }
    }
}

/// Gives up an upload: the sweep removes it with its files.
pub async fn discard(state: &AppState, row: &MediaRow) -> AppResult<()> {
    db::media::remove(state.pool(), row.id, clock::now()).await?;
    Ok(())
}

/// Makes one of my uploads my picture or banner (or a group's I administer: the caller
/// checked), replacing the previous one, which the sweep removes.
pub async fn set_account_image(
    state: &AppState,
    account: &AccountRow,
    media: &MediaRow,
    used_for: MediaUse,
) -> AppResult<()> {
    if media.state != MediaState::Ready || media.kind != MediaKind::Image {
        return Err(Invalid::new(
            if used_for == MediaUse::Header {
                "header"
            } else {
                "avatar"
            },
            "error-media-not-image",
        )
        .into());
    }
    let previous = match used_for {
        MediaUse::Header => account.header_media_id,
        _ => account.avatar_media_id,
    };
    let now = clock::now();
    let address = url(state, media, Variant::Original).unwrap_or_default();
    let mut tx = state.db.begin().await?;
    db::media::set_use(&mut *tx, media.id, used_for, now).await?;
    db::media::set_account_image(&mut *tx, account.id, used_for, Some((media.id, &address)))
        .await?;
    if let Some(previous) = previous.filter(|p| *p != media.id) {
        db::media::remove(&mut *tx, previous, now).await?;
    }
    // Followers' servers show the new picture.
    outgoing::push(
        &mut tx,
        &Outgoing::UpdateActor {
            account_id: account.id,
        },
    )
    .await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(())
}

/// Removes an account's picture or banner.
pub async fn clear_account_image(
    state: &AppState,
    account: &AccountRow,
    used_for: MediaUse,
) -> AppResult<()> {
    let previous = match used_for {
        MediaUse::Header => account.header_media_id,
        _ => account.avatar_media_id,
    };
    let mut tx = state.db.begin().await?;
    db::media::set_account_image(&mut *tx, account.id, used_for, None).await?;
    if let Some(previous) = previous {
        db::media::remove(&mut *tx, previous, clock::now()).await?;
    }
    outgoing::push(
        &mut tx,
        &Outgoing::UpdateActor {
            account_id: account.id,
        },
    )
    .await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(())
}

/// The attachments of a page of posts, by post, in order (only ready media).
pub async fn of_statuses(
    state: &AppState,
    status_ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, Vec<MediaRow>>> {
    let mut by_status: std::collections::HashMap<i64, Vec<MediaRow>> = Default::default();
    for row in db::media::of_statuses(state.pool(), status_ids).await? {
        if let Some(status_id) = row.status_id {
            by_status.entry(status_id).or_default().push(row);
        }
    }
    Ok(by_status)
}
