//! The media sweep: files nobody uses any more leave the store, then their rows go. Run with
//! the hourly chores (once per hour for the whole instance).

use crate::{db, error::AppResult, state::AppState};
use std::time::Duration;

/// How long a failed upload is kept, so that an app polling it learns why it failed.
const KEEP_FAILED: Duration = Duration::from_secs(3600);
/// Rows examined per statement.
const BATCH: i64 = 200;

/// Removes the files and rows of media that are marked removed, uploads never attached for
/// `media_unattached_hours`, the media of deleted posts (here and from other servers), and
/// failed uploads after an hour; then the copies of other servers' files made more than
/// `media_remote_cache_days` ago (their rows stay: the next request copies them again). Gives
/// how many media were removed, and copies forgotten.
pub async fn sweep(state: &AppState, now: i64) -> AppResult<u64> {
    let removed = sweep_removed(state, now).await?;
    let uncached = match state.config.media.remote_cache_for {
        Some(keep) => uncache(state, now - keep.as_micros() as i64, now).await?,
        None => 0,
    };
    Ok(removed + uncached)
}

/// Removes the copies of remote files made before `before`, keeping their rows.
async fn uncache(state: &AppState, before: i64, now: i64) -> AppResult<u64> {
    let mut forgotten = 0;
    loop {
        let rows = db::media::cached_before(state.pool(), before, BATCH).await?;
        for row in &rows {
            let Some(cached_at) = row.cached_at else {
                continue;
            };
            // The files first: a copy made again lands on the same keys, which must not be
            // removed after it (a request in between finds the file gone: 404 once).
            for key in [row.file_key.as_deref(), row.preview_key.as_deref()]
                .into_iter()
                .flatten()
            {
                state
                    .media
                    .store
                    .delete(key)
                    .await
                    .map_err(crate::error::AppError::internal)?;
            }
            db::media::uncache(state.pool(), row.id, cached_at, now).await?;
            forgotten += 1;
        }
        if (rows.len() as i64) < BATCH {
            return Ok(forgotten);
        }
    }
}

async fn sweep_removed(state: &AppState, now: i64) -> AppResult<u64> {
    let unattached_before = now - state.config.media.unattached_after.as_micros() as i64;
    let failed_before = now - KEEP_FAILED.as_micros() as i64;
    let mut removed = 0;
    loop {
        let rows =
            db::media::to_sweep(state.pool(), unattached_before, failed_before, BATCH).await?;
        if rows.is_empty() {
            return Ok(removed);
        }
        for row in &rows {
            for key in [row.file_key.as_deref(), row.preview_key.as_deref()]
                .into_iter()
                .flatten()
            {
                state
                    .media
                    .store
                    .delete(key)
                    .await
                    .map_err(crate::error::AppError::internal)?;
            }
            if let Some(spool) = row.spool.as_deref() {
                let _ = tokio::fs::remove_file(spool).await;
            }
            db::media::delete(state.pool(), row.id).await?;
            removed += 1;
        }
        if (rows.len() as i64) < BATCH {
            return Ok(removed);
        }
    }
}
