//! Reading: home, public, hashtag and account timelines, direct messages, notifications.
//! Paging follows Mastodon's `max_id`, `since_id`, `min_id` and `limit`.

use crate::{
    db::{
        self,
        accounts::AccountRow,
        social::NotificationRow,
        statuses::{Page, StatusRow},
    },
    domain::NotificationKind,
    error::AppResult,
    state::AppState,
};

/// The most items a page may hold, and the default.
pub const MAX_LIMIT: i64 = 40;
/// The default page size.
pub const DEFAULT_LIMIT: i64 = 20;

/// Clamps a requested page size.
pub fn limit(requested: Option<i64>) -> i64 {
    requested.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// A local account's home timeline: its feed and the public posts with a tag it follows.
pub async fn home(state: &AppState, me: i64, page: Page) -> AppResult<Vec<StatusRow>> {
    let tags = db::tags::followed_names(state.pool(), me, super::tags::MAX_FOLLOWED_TAGS).await?;
    Ok(db::statuses::home(state.pool(), me, &tags, page, crate::clock::now()).await?)
}

/// Where public posts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Here and elsewhere.
    All,
    /// Written here.
    Local,
    /// Written elsewhere.
    Remote,
}

/// Whether the public timeline shows a post: public (not unlisted, followers-only, direct
/// or a group's closed circle) and not a boost, as `db::statuses::public` selects them. The
/// live streams ask this of each new post instead of reading the timeline again.
pub fn on_public_timeline(status: &StatusRow) -> bool {
    status.visibility == crate::domain::Visibility::Public && status.reblog_of_id.is_none()
}

/// Public posts.
pub async fn public(
    state: &AppState,
    viewer: Option<i64>,
    scope: Scope,
    page: Page,
) -> AppResult<Vec<StatusRow>> {
    let scope = match scope {
        Scope::All => 0,
        Scope::Local => 1,
        Scope::Remote => 2,
    };
    Ok(db::statuses::public(
        state.pool(),
        scope,
        viewer.unwrap_or(0),
        page,
        crate::clock::now(),
    )
    .await?)
}

/// Public posts with a hashtag.
pub async fn tag(
    state: &AppState,
    viewer: Option<i64>,
    name: &str,
    page: Page,
) -> AppResult<Vec<StatusRow>> {
    Ok(db::statuses::tagged(
        state.pool(),
        name.trim_start_matches('#'),
        viewer.unwrap_or(0),
        page,
        crate::clock::now(),
    )
    .await?)
}

/// Which of an account's posts a page lists.
pub use crate::db::statuses::AccountPosts;

/// An account's posts, as `viewer` may see them.
pub async fn account(
    state: &AppState,
    viewer: Option<i64>,
    account: &AccountRow,
    only: AccountPosts,
    page: Page,
) -> AppResult<Vec<StatusRow>> {
    let Some(private) = account_access(state, viewer, account).await? else {
        return Ok(Vec::new());
    };
    Ok(db::statuses::by_account(state.pool(), account.id, private, only, page).await?)
}

/// What `viewer` may read of an account's posts: `None` when either blocks the other, else
/// whether its followers-only posts too (the viewer follows the account or is the account).
pub async fn account_access(
    state: &AppState,
    viewer: Option<i64>,
    account: &AccountRow,
) -> AppResult<Option<bool>> {
    if let Some(v) = viewer
        && db::social::blocked_either_way(state.pool(), v, account.id).await?
    {
        return Ok(None);
    }
    Ok(Some(match viewer {
        Some(v) if v == account.id => true,
        Some(v) => db::social::follows(state.pool(), v, account.id).await?,
        None => false,
    }))
}

/// Direct messages sent or received by a local account.
pub async fn direct(state: &AppState, me: i64, page: Page) -> AppResult<Vec<StatusRow>> {
    Ok(db::statuses::direct(state.pool(), me, page).await?)
}

/// A page of notifications, of the given kinds (all when empty), with those waiting in
/// requests (the notification policy's filtered ones) only if `include_filtered`.
pub async fn notifications(
    state: &AppState,
    me: i64,
    kinds: &[NotificationKind],
    include_filtered: bool,
    page: Page,
) -> AppResult<Vec<NotificationRow>> {
    Ok(db::social::notifications(
        state.pool(),
        me,
        kinds,
        include_filtered,
        page.max_id,
        page.since_id,
        page.min_id,
        page.limit,
    )
    .await?)
}

/// One of `me`'s notifications, or 404.
pub async fn notification(state: &AppState, me: i64, id: i64) -> AppResult<NotificationRow> {
    db::social::notification(state.pool(), me, id)
        .await?
        .ok_or_else(crate::error::AppError::not_found)
}

/// Dismisses one of `me`'s notifications, or 404.
pub async fn dismiss(state: &AppState, me: i64, id: i64) -> AppResult<()> {
    if !db::social::dismiss(state.pool(), me, id).await? {
        return Err(crate::error::AppError::not_found());
    }
    Ok(())
}

/// Dismisses all of `me`'s notifications.
pub async fn clear(state: &AppState, me: i64) -> AppResult<()> {
    Ok(db::social::clear(state.pool(), me).await?)
}
