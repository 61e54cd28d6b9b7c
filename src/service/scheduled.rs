//! Scheduled posts: a post asked for later (`scheduled_at`) is checked as it would be
//! published, kept with its parameters and its media (reserved to it), listed, moved and
//! cancelled by its author, and published at its time by the scheduling worker. The worker
//! claims due rows in the database (a lease plus the process's heartbeat, `FOR UPDATE SKIP
//! LOCKED` on PostgreSQL) and publishes each in the transaction that deletes its row: exactly
//! one post, whichever process publishes it, and none lost when a process dies on the way.

use crate::{
    clock,
    db::{self, accounts::AccountRow, scheduled::ScheduledRow, statuses::Page},
    domain::{Invalid, Visibility, poll::NewPoll},
    error::{AppError, AppResult},
    service::statuses::{self as posts, Compose},
    state::AppState,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The most posts a person may have scheduled (Mastodon's).
pub const MAX_TOTAL: i64 = 300;
/// The most posts a person may schedule for one day (Mastodon's).
pub const MAX_PER_DAY: i64 = 25;
/// How long a claim lasts.
const LEASE: Duration = Duration::from_secs(60);
/// How often the worker looks for due posts.
const IDLE: Duration = Duration::from_secs(1);

/// What was asked, kept until publication (Mastodon's `ScheduledStatus.params`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    pub text: String,
    #[serde(default)]
    pub spoiler_text: String,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub visibility: Option<Visibility>,
    #[serde(default)]
    pub in_reply_to_id: Option<i64>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub media_ids: Vec<i64>,
    #[serde(default)]
    pub poll: Option<NewPoll>,
    #[serde(default)]
    pub idempotency: Option<String>,
    /// The app it was asked from.
    #[serde(default)]
    pub application_id: Option<i64>,
}

impl Params {
    /// What the post asks, to check or publish it; `scheduled_id` frees the media reserved to
    /// that scheduled post for it.
    fn compose(&self, scheduled_id: Option<i64>) -> Compose {
        Compose {
            text: self.text.clone(),
            spoiler_text: self.spoiler_text.clone(),
            sensitive: self.sensitive,
            visibility: self.visibility,
            in_reply_to_id: self.in_reply_to_id,
            language: self.language.clone(),
            idempotency_key: None,
            event: None,
            media_ids: (!self.media_ids.is_empty())
                .then(|| self.media_ids.iter().map(i64::to_string).collect()),
            poll: self.poll.clone(),
            scheduled_id,
        }
    }
}

/// A scheduled post as shown: its row, what it asks, and its media.
#[derive(Debug, Clone)]
pub struct Scheduled {
    pub row: ScheduledRow,
    pub params: Params,
    pub media: Vec<db::media::MediaRow>,
}

async fn with_media(state: &AppState, rows: Vec<ScheduledRow>) -> AppResult<Vec<Scheduled>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links = db::scheduled::media_of_many(state.pool(), &ids).await?;
    let media_ids: Vec<i64> = links.iter().map(|(_, m)| *m).collect();
    let media = db::media::by_ids(state.pool(), &media_ids).await?;
    rows.into_iter()
        .map(|row| {
            let params: Params = serde_json::from_str(&row.params).map_err(|e| {
                AppError::internal(anyhow::anyhow!("scheduled post {}: {e}", row.id))
            })?;
            let media = params
                .media_ids
                .iter()
                .filter_map(|id| media.iter().find(|m| m.id == *id).cloned())
                .collect();
            Ok(Scheduled { row, params, media })
        })
        .collect()
}

/// Schedules a post for `at` (Unix microseconds, already checked to be far enough ahead):
/// checked now as it would be published, its media reserved to it. A request repeated with
/// the same Idempotency-Key answers the post it scheduled.
pub async fn schedule(
    state: &AppState,
    author: &AccountRow,
    params: Params,
    at: i64,
) -> AppResult<Scheduled> {
    if let Some(key) = params.idempotency.as_deref()
        && let Some(row) = db::scheduled::by_idempotency_key(state.pool(), author.id, key).await?
    {
        return Ok(with_media(state, vec![row]).await?.remove(0));
    }
    crate::limits::check(&state.limits.posting, &author.id)?;
    let day = 86_400_000_000;
    let day_start = at - at.rem_euclid(day);
    let (total, that_day) =
        db::scheduled::counts(state.pool(), author.id, day_start, day_start + day).await?;
    if total >= MAX_TOTAL {
        return Err(Invalid::new("scheduled_at", "error-scheduled-too-many")
            .arg("max", MAX_TOTAL)
            .into());
    }
    if that_day >= MAX_PER_DAY {
        return Err(
            Invalid::new("scheduled_at", "error-scheduled-too-many-that-day")
                .arg("max", MAX_PER_DAY)
                .into(),
        );
    }
    // Checked as it would be published now: text, reply, media, poll, mentions.
    posts::draft(state, author, params.compose(None), None).await?;
    let id = state.ids.next();
    let now = clock::now();
    let json = serde_json::to_string(&params).map_err(AppError::internal)?;
    let mut tx = state.db.begin().await?;
    let new = db::scheduled::NewScheduled {
        id,
        account_id: author.id,
        scheduled_at: at,
        params: &json,
        idempotency_key: params.idempotency.as_deref(),
        now,
    };
    if !db::scheduled::insert(&mut tx, &new, &params.media_ids).await? {
        return Err(Invalid::new("media_ids", "error-media-used").into());
    }
    tx.commit().await?;
    get(state, author, id).await
}

/// One of my scheduled posts, or 404.
pub async fn get(state: &AppState, me: &AccountRow, id: i64) -> AppResult<Scheduled> {
    let row = db::scheduled::get(state.pool(), me.id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(with_media(state, vec![row]).await?.remove(0))
}

/// A page of my scheduled posts.
pub async fn list(state: &AppState, me: &AccountRow, page: &Page) -> AppResult<Vec<Scheduled>> {
    let rows = db::scheduled::list(state.pool(), me.id, page).await?;
    with_media(state, rows).await
}

/// Moves one of my scheduled posts to another time (already checked).
pub async fn reschedule(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    at: i64,
) -> AppResult<Scheduled> {
    if !db::scheduled::reschedule(state.pool(), me.id, id, at).await? {
        return Err(AppError::not_found());
    }
    get(state, me, id).await
}

/// Cancels one of my scheduled posts; its media become unattached uploads again.
pub async fn cancel(state: &AppState, me: &AccountRow, id: i64) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if !db::scheduled::delete(&mut tx, me.id, id, clock::now()).await? {
        return Err(AppError::not_found());
    }
    tx.commit().await?;
    Ok(())
}

/// The scheduling worker: runs until `stop`.
pub async fn run(state: AppState, stop: tokio_util::sync::CancellationToken) {
    loop {
        let worked = match step(&state).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = ?e, "publishing scheduled posts failed");
                false
            }
        };
        if stop.is_cancelled() {
            return;
        }
        if !worked {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(IDLE) => {}
            }
        }
    }
}

/// Publishes the scheduled posts that are due and claimed now; gives how many were handled.
pub async fn step(state: &AppState) -> AppResult<usize> {
    let claim = state.claim(LEASE);
    let rows = db::scheduled::claim(state.pool(), state.db.backend(), &claim, 16).await?;
    let n = rows.len();
    for row in rows {
        if let Err(e) = publish(state, &row).await {
            if e.status.is_client_error() {
                // The post can no longer be published as asked (its reply target or media
                // gone, its author's text now refused): it waits for its author, with why.
                tracing::info!(scheduled = row.id, error = %e, "a scheduled post cannot be published");
                let why = e.fields.first().map(|f| f.key).unwrap_or(e.key);
                db::scheduled::set_error(state.pool(), row.id, why).await?;
            } else {
                tracing::warn!(scheduled = row.id, error = ?e, "a scheduled post will be tried again");
                db::scheduled::release(state.pool(), row.id).await?;
            }
        }
    }
    Ok(n)
}

/// Publishes one claimed scheduled post, in the transaction that deletes its row.
async fn publish(state: &AppState, row: &ScheduledRow) -> AppResult<()> {
    let author = db::accounts::by_id(state.pool(), row.account_id)
        .await?
        .filter(|a| a.is_local() && a.deleted_at.is_none())
        .ok_or_else(|| {
            AppError::new(axum::http::StatusCode::GONE, "error-scheduled-author-gone")
        })?;
    let params: Params = serde_json::from_str(&row.params).map_err(AppError::internal)?;
    let draft = posts::draft(state, &author, params.compose(Some(row.id)), None).await?;
    let mut tx = state.db.begin().await?;
    if !db::scheduled::take(&mut tx, row.id, &state.process_id, clock::now()).await? {
        // Cancelled meanwhile, or no longer ours: nothing to publish.
        return Ok(());
    }
    let id = posts::write(state, &mut tx, &draft).await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    state.streams.created([id]);
    Ok(())
}
