//! The media sweep: files nobody uses any more leave the store, then their rows go. Run with
//! the hourly chores (once per hour for the whole instance).

use crate::{db, error::AppResult, state::AppState};
use std::time::Duration;

/// How long a failed upload is kept, so that an app polling it learns why it failed.
const KEEP_FAILED: Duration = Duration::from_secs(3600);
/// Rows examined per statement.
const BATCH: i64 = 200;

/// Removes the files and rows of media that are marked removed, uploads never attached for
/// `media_unattached_hours`, the media of deleted posts, and failed uploads after an hour.
/// Gives how many media were removed.
pub async fn sweep(state: &AppState, now: i64) -> AppResult<u64> {
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
