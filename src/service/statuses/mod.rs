//! Posts: writing, editing, deleting, liking and boosting them; storing those that arrive from
//! other servers; deciding who may see each one; reading threads.
//!
//! Who sees a post is decided here, once: public and unlisted posts by anyone, followers-only
//! posts by the author's accepted followers and the accounts it mentions, direct posts by the
//! accounts it mentions; blocks hide in both directions.
//!
//! This module holds the addresses of posts, tags and profiles and the visibility rules
//! (`can_see`, `visible`, `visible_by_uri`, and what an edit may not widen); each use case has
//! its file: `compose` (writing, editing and deleting a local post), `reactions` (likes and
//! boosts, ours and other servers'), `remote` (posts from other servers: stored, edited,
//! deleted), `thread` (a post's context) and `menu` (source, history, bookmarks, pins, muted
//! threads, several posts at once). Their public items are re-exported here.

mod compose;
pub mod menu;
mod reactions;
mod remote;
mod thread;

pub use compose::{Compose, Draft, Parent, create, create_in_group, delete, draft, edit, write};
pub use reactions::{
    favourite, favourite_remote, favourited_by, reblog, reblog_remote, reblogged_by, unfavourite,
    unfavourite_remote, unreblog,
};
pub use remote::{
    Placement, RemoteMedia, RemoteStatus, delete_remote, store_remote, update_remote, write_remotes,
};
pub use thread::context;

use crate::{
    db::{self, accounts::AccountRow, statuses::StatusRow},
    domain::Visibility,
    error::{AppError, AppResult},
    state::AppState,
};

/// The ActivityPub id of a local post.
pub fn status_uri(state: &AppState, username: &str, id: i64) -> String {
    state
        .config
        .url(&format!("/users/{username}/statuses/{id}"))
}

/// The web page of a local post.
pub fn status_url(state: &AppState, username: &str, id: i64) -> String {
    state.config.url(&format!("/@{username}/{id}"))
}

/// The page of a hashtag.
pub fn tag_url(state: &AppState, tag: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(tag.as_bytes()).collect();
    state.config.url(&format!("/tags/{encoded}"))
}

/// The web page of an account (remote: its own server's page).
pub fn profile_url(state: &AppState, account: &AccountRow) -> String {
    match &account.domain {
        None => state.config.url(&format!("/@{}", account.username)),
        Some(_) => account.url.clone().unwrap_or_else(|| account.uri.clone()),
    }
}

/// Whether `viewer` (an account, local or remote; `None` for the public) may see `status`.
pub async fn can_see(state: &AppState, viewer: Option<i64>, status: &StatusRow) -> AppResult<bool> {
    if viewer == Some(status.account_id) {
        return Ok(true);
    }
    if super::sanctions::is_suspended(state, status.account_id).await? {
        return Ok(false);
    }
    if let Some(v) = viewer
        && db::social::blocked_either_way(state.pool(), v, status.account_id).await?
    {
        return Ok(false);
    }
    if status.visibility == Visibility::Group {
        return Ok(match viewer {
            Some(v) => db::groups::can_read(state.pool(), status.id, v).await?,
            None => false,
        });
    }
    Ok(match (status.visibility, viewer) {
        (Visibility::Public | Visibility::Unlisted, _) => true,
        (_, None) => false,
        (Visibility::Private, Some(v)) => {
            db::social::follows(state.pool(), v, status.account_id).await?
                || db::statuses::is_mentioned(state.pool(), status.id, v).await?
        }
        // Handled above: the group decides.
        (Visibility::Group, Some(_)) => false,
        (Visibility::Direct, Some(v)) => {
            db::statuses::is_mentioned(state.pool(), status.id, v).await?
        }
    })
}

/// A post by its ActivityPub id, if known here and `viewer` may see it.
pub async fn visible_by_uri(
    state: &AppState,
    viewer: Option<i64>,
    uri: &str,
) -> AppResult<Option<StatusRow>> {
    match db::statuses::by_uri(state.pool(), uri).await? {
        Some(s) if can_see(state, viewer, &s).await? => Ok(Some(s)),
        _ => Ok(None),
    }
}

/// A post `viewer` may see, or 404 (a post one may not see does not exist for them).
pub async fn visible(state: &AppState, viewer: Option<i64>, id: i64) -> AppResult<StatusRow> {
    let status = db::statuses::by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !can_see(state, viewer, &status).await? {
        return Err(AppError::not_found());
    }
    Ok(status)
}

/// The accounts an edit names for the first time who could not read the post as it was: an
/// edit never widens who reads a post (docs/SECURITY.md, rule T10). In a group's closed
/// circles being named is no way in (the group decides), so there they are only not told.
async fn outsiders(
    state: &AppState,
    status: &StatusRow,
    before: &[i64],
    mentioned: &[AccountRow],
) -> AppResult<Vec<i64>> {
    let mut outside = Vec::new();
    for m in mentioned
        .iter()
        .filter(|m| m.id != status.account_id && !before.contains(&m.id))
    {
        if !can_see(state, Some(m.id), status).await? {
            outside.push(m.id);
        }
    }
    Ok(outside)
}

/// Hashtags in use that start with `prefix`.
pub async fn search_tags(state: &AppState, prefix: &str, limit: i64) -> AppResult<Vec<String>> {
    Ok(db::statuses::search_tags(state.pool(), prefix, limit).await?)
}
