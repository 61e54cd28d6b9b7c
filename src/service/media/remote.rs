//! Media of other servers: recorded by their address when a post or an actor arrives, copied
//! into the store the first time someone here asks for the file, and served from here, so that
//! readers' addresses never reach the server they come from (nor the CDN it uses).
//!
//! A copy is made by one process at a time (a lease on the row, `processed_by` and
//! `updated_at`; others asking meanwhile wait for it), through the federation client that
//! refuses private addresses ([`crate::service::Remote::fetch_file`]), within the configured
//! size limit of the file's kind, its type told from its bytes (anything but the pictures,
//! videos, sounds and PDFs accepted for uploads is refused, nothing stored). Pictures are
//! decoded and encoded anew, as uploads are, which gives their preview and blurhash. A failure
//! is remembered on the row (`error`) for [`RETRY_AFTER`], so that a missing file does not
//! cost a fetch per request. The sweep removes copies older than `media_remote_cache_days`;
//! the rows stay and the next request copies the file again.

use super::{Output, Upload};
use crate::{
    clock, crypto,
    db::{self, media::MediaRow},
    domain::media::{MediaKind, MediaUse},
    error::{AppError, AppResult},
    media::Refusal,
    service::RemoteFileError,
    state::AppState,
};
use axum::http::StatusCode;
use futures::StreamExt;
use std::time::Duration;

/// How long a failed fetch is remembered before the file is tried again.
pub const RETRY_AFTER: Duration = Duration::from_secs(3600);
/// How long a process holds the fetch of a file before another may take it over (the fetch's
/// own time limit, and processing).
const LEASE: Duration = Duration::from_secs(120);
/// How long a request waits for a copy another request is making.
const WAIT: Duration = Duration::from_secs(90);

/// The error answering a file that could not be fetched (why: its translation key).
fn failure(key: &'static str) -> AppError {
    match key {
        "error-media-remote-unavailable" => AppError::new(StatusCode::BAD_GATEWAY, key),
        _ => AppError::not_found(),
    }
}

/// Whether a row remembers a recent failure to fetch its file.
fn failed_recently(row: &MediaRow, now: i64) -> bool {
    row.error.is_some()
        && row.processed_by.is_none()
        && row.updated_at > now - RETRY_AFTER.as_micros() as i64
}

/// A remote medium with its file copied here: the row as it is once the copy is made (by this
/// request, or another one it waited for). A file that cannot be fetched or is refused answers
/// 404 (502 when its server did not answer), and is not tried again for a while.
pub async fn cached(state: &AppState, row: MediaRow) -> AppResult<MediaRow> {
    if row.file_key.is_some() || !row.is_remote() {
        return Ok(row);
    }
    if failed_recently(&row, clock::now()) {
        return Err(AppError::not_found());
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut pause = Duration::from_millis(20);
    let mut row = row;
    loop {
        let now = clock::now();
        let lease_before = now - LEASE.as_micros() as i64;
        if db::media::claim_fetch(
            state.pool(),
            row.id,
            &state.process_id,
            lease_before,
            now,
            now - RETRY_AFTER.as_micros() as i64,
        )
        .await?
        {
            return copy(state, &row).await;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(500));
        row = db::media::by_id(state.pool(), row.id)
            .await?
            .ok_or_else(AppError::not_found)?;
        if row.file_key.is_some() {
            return Ok(row);
        }
        if failed_recently(&row, clock::now()) {
            return Err(failure(match row.error.as_deref() {
                Some("error-media-remote-unavailable") => "error-media-remote-unavailable",
                _ => "error-media-remote-missing",
            }));
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(failure("error-media-remote-unavailable"));
        }
    }
}

/// Fetches, checks and stores the file of a row this process claimed; records the copy, or
/// the failure.
async fn copy(state: &AppState, row: &MediaRow) -> AppResult<MediaRow> {
    let outcome = fetch_and_store(state, row).await;
    match outcome {
        Ok(()) => {}
        Err(key) => {
            db::media::set_fetch_failed(state.pool(), row.id, &state.process_id, key, clock::now())
                .await?;
            return Err(failure(key));
        }
    }
    db::media::by_id(state.pool(), row.id)
        .await?
        .filter(|r| r.file_key.is_some())
        .ok_or_else(AppError::not_found)
}

/// Why a copy failed, as the translation key remembered on the row.
type Failed = &'static str;

async fn fetch_and_store(state: &AppState, row: &MediaRow) -> Result<(), Failed> {
    let address = row
        .remote_url
        .as_deref()
        .ok_or("error-media-remote-missing")?;
    let remote = state.remote().ok_or("error-media-remote-unavailable")?;
    let file = remote
        .fetch_file(state, address)
        .await
        .map_err(|e| match e {
            RemoteFileError::Refused => "error-media-remote-refused",
            RemoteFileError::Missing => "error-media-remote-missing",
            RemoteFileError::Unavailable => "error-media-remote-unavailable",
        })?;
    if file
        .length
        .is_some_and(|l| l > super::max_upload_bytes(state))
    {
        return Err(Refusal::TooLarge.key());
    }
    // Refused while it arrived (too large, or not of a type accepted): the spool file is gone.
    let refusal_key = |e: AppError| -> Failed {
        match e.fields.first() {
            Some(f) => Refusal::from_key(f.key).key(),
            None => "error-internal",
        }
    };
    let mut upload = Upload::begin(state).await.map_err(|_| "error-internal")?;
    let mut body = file.body;
    while let Some(chunk) = body.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(_) => {
                upload.discard().await;
                return Err("error-media-remote-unavailable");
            }
        };
        upload.write(state, &chunk).await.map_err(refusal_key)?;
    }
    let spooled = upload.finish(state).await.map_err(refusal_key)?;
    let path = spooled.path.clone();
    let result = store(state, row, &spooled).await;
    let _ = tokio::fs::remove_file(&path).await;
    let _ = tokio::fs::remove_file(path.with_extension("out")).await;
    result
}

/// Stores a fetched file (a picture encoded anew, with its preview and blurhash; anything else
/// as it came) and records the copy.
async fn store(state: &AppState, row: &MediaRow, spooled: &super::Spooled) -> Result<(), Failed> {
    let format = spooled.format;
    let internal = |e: &dyn std::fmt::Display| -> Failed {
        tracing::warn!(media = row.id, error = %e, "a remote file could not be stored");
        "error-internal"
    };
    let (kind, format, file, width, height, preview, blurhash) = match format.kind() {
        MediaKind::Image | MediaKind::Gifv => {
            let permit = state.media.permits.acquire().await;
            let ready = state
                .media
                .process(&spooled.path, format)
                .await
                .map_err(Refusal::key)?;
            drop(permit);
            (
                ready.kind,
                ready.format,
                ready.file,
                ready.width.map(i64::from),
                ready.height.map(i64::from),
                ready.preview,
                ready.blurhash,
            )
        }
        other => (
            other,
            format,
            Output::File(spooled.path.clone()),
            None,
            None,
            None,
            None,
        ),
    };
    let store = &state.media.store;
    let file_key = format!("{}/{}/original.{}", row.id, row.token, format.extension());
    let size = match &file {
        Output::Bytes(bytes) => {
            store
                .put(&file_key, bytes::Bytes::from(bytes.clone()))
                .await
                .map_err(|e| internal(&e))?;
            bytes.len() as u64
        }
        Output::File(path) => store
            .put_file(&file_key, path)
            .await
            .map_err(|e| internal(&e))?,
    };
    let preview = match preview {
        Some(p) => {
            let key = format!("{}/{}/small.{}", row.id, row.token, p.format.extension());
            store
                .put(&key, bytes::Bytes::from(p.bytes))
                .await
                .map_err(|e| internal(&e))?;
            Some((
                key,
                p.format.content_type(),
                i64::from(p.width),
                i64::from(p.height),
            ))
        }
        None => None,
    };
    let recorded = db::media::set_cached(
        state.pool(),
        row.id,
        &state.process_id,
        &db::media::Cached {
            kind,
            content_type: format.content_type(),
            file_key: &file_key,
            file_size: size as i64,
            width,
            height,
            duration_ms: None,
            preview: preview
                .as_ref()
                .map(|(k, t, w, h)| (k.as_str(), *t, *w, *h)),
            blurhash: blurhash.as_deref(),
        },
        clock::now(),
    )
    .await
    .map_err(|e| internal(&e))?;
    if !recorded {
        // Taken over or removed meanwhile. Another attempt that finished first wrote the same
        // keys: a copy the row records stays.
        let now_recorded = db::media::by_id(state.pool(), row.id)
            .await
            .map_err(|e| internal(&e))?
            .and_then(|r| r.file_key)
            .is_some_and(|k| k == file_key);
        if now_recorded {
            return Ok(());
        }
        let _ = store.delete(&file_key).await;
        if let Some((key, ..)) = preview {
            let _ = store.delete(&key).await;
        }
        return Err("error-media-remote-unavailable");
    }
    Ok(())
}

/// Records a remote actor's picture or banner (its `icon` or `image` address) as a remote
/// medium, and shows it from here: `avatar_url`/`header_url` become our address of it. The
/// same address keeps its row (and its copy); another replaces it (the old one goes to the
/// sweep); none removes it.
pub async fn remember_account_image(
    state: &AppState,
    account: &crate::db::accounts::AccountRow,
    used_for: MediaUse,
    remote_url: Option<&str>,
) -> AppResult<()> {
    let current = match used_for {
        MediaUse::Header => account.header_media_id,
        _ => account.avatar_media_id,
    };
    let current = match current {
        Some(id) => db::media::by_id(state.pool(), id).await?,
        None => None,
    };
    let now = clock::now();
    let Some(remote_url) = remote_url else {
        let shown = match used_for {
            MediaUse::Header => account.header_url.is_some(),
            _ => account.avatar_url.is_some(),
        };
        if current.is_some() || shown {
            let mut tx = state.db.begin().await?;
            db::media::set_account_image(&mut *tx, account.id, used_for, None).await?;
            if let Some(old) = &current {
                db::media::remove(&mut *tx, old.id, now).await?;
            }
            tx.commit().await?;
        }
        return Ok(());
    };
    if let Some(kept) = current
        .as_ref()
        .filter(|c| c.remote_url.as_deref() == Some(remote_url))
    {
        let address = super::url(state, kept, super::Variant::Original).unwrap_or_default();
        db::media::set_account_image(
            state.pool(),
            account.id,
            used_for,
            Some((kept.id, &address)),
        )
        .await?;
        return Ok(());
    }
    let token = crypto::random_token(16);
    let id = state.ids.next();
    let mut tx = state.db.begin().await?;
    db::media::insert_remote_many(
        &mut tx,
        &[db::media::NewRemote {
            id,
            account_id: account.id,
            status_id: None,
            position: 0,
            used_for,
            kind: MediaKind::Image,
            token: &token,
            remote_url,
            description: "",
            blurhash: None,
            focus: None,
            width: None,
            height: None,
            now,
        }],
    )
    .await?;
    let row = db::media::by_id(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a new medium vanished")))?;
    let address = super::url(state, &row, super::Variant::Original).unwrap_or_default();
    db::media::set_account_image(&mut *tx, account.id, used_for, Some((id, &address))).await?;
    if let Some(old) = current {
        db::media::remove(&mut *tx, old.id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
