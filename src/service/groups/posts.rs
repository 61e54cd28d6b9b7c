//! Posts in a group: writing to a circle, distributing a post to the group's readers, the
//! group's timeline, and moderation of posts (removals, here and by a remote group, and
//! thread locks).

use super::{Group, may_post, require_role, standing};
use crate::{
    clock,
    db::{
        self,
        accounts::AccountRow,
        statuses::{Page, StatusRow},
    },
    domain::{Circle, Invalid, MemberRole},
    error::{AppError, AppResult},
    service::outgoing::{self, Outgoing},
    state::AppState,
};

/// The longest title of a discussion.
pub const MAX_TITLE: usize = 200;

/// What a member writes to a group.
#[derive(Debug, Clone, Default)]
pub struct GroupPost {
    /// The text.
    pub text: String,
    /// `public`, `sympathizers`, `members`.
    pub audience: String,
    /// A discussion's title.
    pub title: Option<String>,
    /// The post it answers (a reply in a discussion).
    pub in_reply_to_id: Option<i64>,
    /// Content warning.
    pub spoiler_text: String,
}

/// A local member posts to a group.
pub async fn post(
    state: &AppState,
    author: &AccountRow,
    group: &Group,
    input: GroupPost,
) -> AppResult<StatusRow> {
    let mut errors = Vec::new();
    let circle = Circle::parse(&input.audience)
        .map_err(|e| errors.push(e))
        .ok();
    let title = input
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    if let Some(t) = &title
        && let Err(e) = crate::domain::check_length("title", t, 1, MAX_TITLE)
    {
        errors.push(e);
    }
    if let Err(e) = crate::domain::status::check_status_text(&input.text, &input.spoiler_text) {
        errors.push(e);
    }
    let Some(circle) = circle.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors));
    };
    if !may_post(state, group, author.id, circle).await? {
        return Err(AppError::forbidden("error-group-post-forbidden"));
    }
    let parent = match input.in_reply_to_id {
        Some(id) => {
            let p = crate::service::statuses::visible(state, Some(author.id), id)
                .await
                .map_err(|_| {
                    AppError::invalid(vec![Invalid::new("in_reply_to_id", "error-reply-target")])
                })?;
            if thread_root(state, &p).await?.thread_locked != 0 {
                return Err(AppError::forbidden("error-thread-locked"));
            }
            Some(p)
        }
        None => None,
    };
    crate::service::statuses::create_in_group(
        state,
        author,
        crate::service::statuses::Compose {
            text: input.text,
            spoiler_text: input.spoiler_text,
            in_reply_to_id: parent.map(|p| p.id),
            ..Default::default()
        },
        Some((group, circle, title)),
    )
    .await
}

/// The first post of a thread.
pub async fn thread_root(state: &AppState, status: &StatusRow) -> AppResult<StatusRow> {
    let mut current = status.clone();
    for _ in 0..100 {
        let Some(pid) = current.in_reply_to_id else {
            break;
        };
        match db::statuses::by_id(state.pool(), pid).await? {
            Some(p) => current = p,
            None => break,
        }
    }
    Ok(current)
}

/// Distributes a post in a local group: the group's timeline, its local readers' home
/// timelines, and an `Announce` to its remote readers. Runs in the caller's transaction.
pub async fn distribute(
    conn: &mut sqlx::AnyConnection,
    group: &Group,
    status_id: i64,
    circle: Circle,
) -> AppResult<()> {
    if !db::groups::add_post(conn, group.account.id, status_id, circle).await? {
        return Ok(());
    }
    let mut readers = db::groups::local_members(conn, group.account.id).await?;
    if circle != Circle::Members {
        readers.extend(db::social::local_followers(conn, group.account.id).await?);
    }
    db::social::add_to_feeds(conn, status_id, &readers).await?;
    if group.is_local() {
        outgoing::push(
            conn,
            &Outgoing::GroupAnnounce {
                group_id: group.account.id,
                status_id,
            },
        )
        .await?;
    }
    Ok(())
}

/// The circle a viewer may read in a group's timeline, and the posts of one page.
pub async fn timeline(
    state: &AppState,
    viewer: Option<i64>,
    group: &Group,
    only: Option<Circle>,
    page: Page,
) -> AppResult<Vec<StatusRow>> {
    let standing = standing(state, group, viewer).await?;
    Ok(db::groups::timeline(
        state.pool(),
        group.account.id,
        standing.level(),
        only.map(Circle::as_str),
        page,
    )
    .await?)
}

/// A post of `group` that `by` (one of its moderators) may take out of it, as
/// [`remove_post`] would find it: what a confirmation page shows before it is removed.
pub async fn moderated_post(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
    status_id: i64,
) -> AppResult<StatusRow> {
    Ok(removable(state, by, group, status_id).await?.0)
}

/// The post and the group's circle it was posted to, when `by` moderates `group` and the
/// post is one of the group's.
async fn removable(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
    status_id: i64,
) -> AppResult<(StatusRow, Circle)> {
    require_role(state, group, by, MemberRole::Moderator).await?;
    let status = db::statuses::by_id(state.pool(), status_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let in_group = db::groups::post_groups(state.pool(), status_id)
        .await?
        .into_iter()
        .find(|(g, _)| *g == group.account.id);
    match in_group {
        Some((_, circle)) => Ok((status, circle)),
        None => Err(AppError::not_found()),
    }
}

/// A moderator removes a post from a local group: it is deleted here, and the removal is
/// announced to everyone who received it.
pub async fn remove_post(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
    status_id: i64,
) -> AppResult<()> {
    let (status, circle) = removable(state, by, group, status_id).await?;
    let gone = crate::service::streams::deletion(state, &status).await?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    db::statuses::delete(&mut tx, status.id, &status.uri, now).await?;
    outgoing::push(
        &mut tx,
        &Outgoing::GroupRemove {
            group_id: group.account.id,
            moderator_id: by.id,
            status_id: status.id,
            status_uri: status.uri.clone(),
            circle,
        },
    )
    .await?;
    db::groups::audit(
        &mut *tx,
        group.account.id,
        by.id,
        "post_removed",
        &status.uri,
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    state.streams.publish(vec![gone]);
    Ok(())
}

/// What a remote group's removal did here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// A remote post written in the group: deleted here.
    Deleted,
    /// Taken out of the group's circles only (a local post, or one shared from elsewhere).
    Unplaced,
    /// Not in the group here: nothing done.
    NotHere,
}

/// A remote group's moderators removed a post from it. A group removes only its own
/// placement (docs/SECURITY.md, rule T6): the post leaves the group's circles; a remote post
/// written in the group (its home) is deleted here, since the group decides what is shown in
/// it; a local post is never deleted by another server, and an id unknown here is not
/// remembered (no tombstone: that would refuse a post before it exists).
pub async fn removed_remote(
    state: &AppState,
    group: &Group,
    status_uri: &str,
) -> AppResult<Removal> {
    let Some(status) = db::statuses::by_uri(state.pool(), status_uri).await? else {
        return Ok(Removal::NotHere);
    };
    let home = status.group_id == Some(group.account.id);
    let gone = if home && status.local == 0 {
        Some(crate::service::streams::deletion(state, &status).await?)
    } else {
        None
    };
    let mut tx = state.db.begin().await?;
    let removal = if home && status.local == 0 {
        // Remembered as deleted only when the group's server is the post's: a group does
        // not refuse for good another server's posts (a post merely naming it is "in" it).
        if crate::domain::same_origin_ids(&status.uri, &group.account.uri) {
            db::statuses::delete(&mut tx, status.id, &status.uri, clock::now()).await?;
        } else {
            db::statuses::forget(&mut tx, status.id).await?;
        }
        Removal::Deleted
    } else if db::groups::remove_post(&mut tx, group.account.id, status.id).await? || home {
        Removal::Unplaced
    } else {
        Removal::NotHere
    };
    tx.commit().await?;
    if let Some(gone) = gone {
        state.streams.publish(vec![gone]);
    }
    Ok(removal)
}

/// A moderator locks (or unlocks) a thread of a local group: no more replies.
pub async fn lock_thread(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
    status_id: i64,
    locked: bool,
) -> AppResult<StatusRow> {
    require_role(state, group, by, MemberRole::Moderator).await?;
    let status = db::statuses::by_id(state.pool(), status_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let in_group = db::groups::post_groups(state.pool(), status_id)
        .await?
        .iter()
        .any(|(g, _)| *g == group.account.id);
    if !in_group {
        return Err(AppError::not_found());
    }
    let root = thread_root(state, &status).await?;
    db::groups::set_thread_locked(state.pool(), root.id, locked).await?;
    db::groups::audit(
        state.pool(),
        group.account.id,
        by.id,
        if locked {
            "thread_locked"
        } else {
            "thread_unlocked"
        },
        &root.uri,
        clock::now(),
    )
    .await?;
    db::statuses::by_id(state.pool(), root.id)
        .await?
        .ok_or_else(AppError::not_found)
}
