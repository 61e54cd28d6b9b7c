//! Notification policies and requests (Mastodon 4.3): a person's policy, the summary of what
//! waits, their requests, accepting and dismissing them. The policy itself is applied where
//! notifications are written (`db::social::notify_many`), so that a filtered notification is
//! never listed, streamed, pushed or mailed, even for a moment.

use crate::{
    clock, db,
    db::accounts::AccountRow,
    db::notification_policy::RequestRow,
    db::statuses::{Page, StatusRow},
    domain::notification_policy::NotificationPolicy,
    error::{AppError, AppResult},
    state::AppState,
};

/// What waits in a person's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// How many requests (senders).
    pub pending_requests_count: i64,
    /// How many notifications they hold.
    pub pending_notifications_count: i64,
}

/// At most this many ids in one bulk accept or dismiss.
pub const MAX_BULK: usize = 100;

/// A person's policy.
pub async fn policy(state: &AppState, me: i64) -> AppResult<NotificationPolicy> {
    Ok(db::notification_policy::policy(state.pool(), me).await?)
}

/// Stores a person's policy; it applies to the notifications written from now on.
pub async fn set_policy(state: &AppState, me: i64, p: &NotificationPolicy) -> AppResult<()> {
    Ok(db::notification_policy::set_policy(state.pool(), me, p, clock::now()).await?)
}

/// What waits in a person's requests.
pub async fn summary(state: &AppState, me: i64) -> AppResult<Summary> {
    let (requests, notifications) = db::notification_policy::summary(state.pool(), me).await?;
    Ok(Summary {
        pending_requests_count: requests,
        pending_notifications_count: notifications,
    })
}

/// A page of a person's requests, newest first.
pub async fn requests(state: &AppState, me: i64, page: Page) -> AppResult<Vec<RequestRow>> {
    Ok(db::notification_policy::requests(
        state.pool(),
        me,
        page.max_id,
        page.since_id,
        page.min_id,
        page.limit,
    )
    .await?)
}

/// One of a person's requests, or 404 (someone else's is 404 too).
pub async fn request(state: &AppState, me: i64, id: i64) -> AppResult<RequestRow> {
    db::notification_policy::request(state.pool(), me, id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// The senders of requests and their last posts, to show them.
pub async fn senders_and_posts(
    state: &AppState,
    rows: &[RequestRow],
) -> AppResult<(Vec<AccountRow>, Vec<StatusRow>)> {
    let account_ids: Vec<i64> = rows.iter().map(|r| r.from_account_id).collect();
    let status_ids: Vec<i64> = rows.iter().filter_map(|r| r.last_status_id).collect();
    Ok((
        db::accounts::by_ids(state.pool(), &account_ids).await?,
        db::statuses::by_ids(state.pool(), &status_ids).await?,
    ))
}

/// Accepts one of a person's requests, or 404.
pub async fn accept(state: &AppState, me: i64, id: i64) -> AppResult<()> {
    let r = request(state, me, id).await?;
    accept_senders(state, me, &[r.from_account_id]).await
}

/// Dismisses one of a person's requests, or 404.
pub async fn dismiss(state: &AppState, me: i64, id: i64) -> AppResult<()> {
    let r = request(state, me, id).await?;
    dismiss_senders(state, me, &[r.from_account_id]).await
}

/// Accepts those of `ids` that are the person's requests (Mastodon ignores the others).
pub async fn accept_many(state: &AppState, me: i64, ids: &[i64]) -> AppResult<()> {
    let senders = db::notification_policy::senders(state.pool(), me, ids).await?;
    accept_senders(state, me, &senders).await
}

/// Dismisses those of `ids` that are the person's requests.
pub async fn dismiss_many(state: &AppState, me: i64, ids: &[i64]) -> AppResult<()> {
    let senders = db::notification_policy::senders(state.pool(), me, ids).await?;
    dismiss_senders(state, me, &senders).await
}

async fn accept_senders(state: &AppState, me: i64, senders: &[i64]) -> AppResult<()> {
    if senders.is_empty() {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    db::notification_policy::accept(&mut tx, me, senders, clock::now()).await?;
    tx.commit().await?;
    Ok(())
}

async fn dismiss_senders(state: &AppState, me: i64, senders: &[i64]) -> AppResult<()> {
    if senders.is_empty() {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    db::notification_policy::dismiss(&mut tx, me, senders).await?;
    tx.commit().await?;
    Ok(())
}
