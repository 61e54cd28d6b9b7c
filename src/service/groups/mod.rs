//! Groups: sections, federations, thematic groups and initiatives. Creating them, joining and
//! leaving, moderating members, posting to a circle, reading a group's timeline, listing and
//! exporting members, and the directory.
//!
//! Who may read a group post is decided by `group_posts` (see `db::groups::can_read`): the
//! post's circle in each group it appears in, and the viewer's membership or following there.
//! A group on another server decides its own membership; what we store of it is what it told
//! us (Accept of our people's Join).
//!
//! This module holds the `Group` type, loading and finding groups, and where a viewer stands
//! (roles, who may post); each use case has its file: `create`, `membership`, `moderation`,
//! `members` (lists, CSV export, audit log), `posts`, `directory` and `affiliation`. Their
//! public items are re-exported here.

mod affiliation;
mod create;
mod directory;
mod members;
mod membership;
mod moderation;
mod posts;

pub use affiliation::{
    affiliate, affiliation_requests, answer_affiliation, federations_of, sections,
};
pub(crate) use create::create_requested;
pub use create::{
    Creation, MAX_DISPLAY_NAME, MAX_SUMMARY, NewGroupInput, RemoteGroupInfo, create, create_or_ask,
    remember_remote, search_text,
};
pub use directory::{DirectoryQuery, directory, my_groups};
pub(crate) use members::csv_field;
pub use members::{audit_log, members, members_csv};
pub use membership::{
    JoinOutcome, MAX_MESSAGE, invited_by_group, join, join_answered, join_received, leave,
    leave_received, removed_by_group, set_listed,
};
pub use moderation::{Moderation, invite, moderate, set_role};
pub use posts::{
    GroupPost, MAX_TITLE, Removal, distribute, lock_thread, moderated_post, post, remove_post,
    removed_remote, thread_root, timeline,
};

use crate::{
    db::{
        self,
        accounts::AccountRow,
        groups::{GroupRow, MemberRow},
    },
    domain::{Circle, GroupKind, JoinMode, MemberRole, MembershipState},
    error::{AppError, AppResult},
    state::AppState,
};
use axum::http::StatusCode;

/// A group: its actor and what coopol knows of it.
#[derive(Debug, Clone)]
pub struct Group {
    /// The actor.
    pub account: AccountRow,
    /// Kind, join mode, place.
    pub row: GroupRow,
}

impl Group {
    /// Its kind.
    pub fn kind(&self) -> GroupKind {
        self.row.kind
    }

    /// How people join.
    pub fn join_mode(&self) -> JoinMode {
        self.row.join_mode
    }

    /// Whether the group lives on this server (we decide its membership).
    pub fn is_local(&self) -> bool {
        self.account.is_local()
    }

    /// Whether the group is joined by following it: a group elsewhere whose actor names no
    /// `members` collection (Lemmy, Mbin and other FEP-1b12 groups) keeps no membership but
    /// its followers, and answers a `Join` with an error. There the membership recorded here
    /// is the follow (its id is the `Follow`'s), and no separate follow row is kept
    /// (docs/decisions/0027-a-community-joined-by-following.md).
    pub fn joined_by_follow(&self) -> bool {
        !self.is_local() && self.row.members_url.is_none()
    }
}

/// A group by account id (local or remote), if it exists and is not deleted.
pub async fn load(state: &AppState, id: i64) -> AppResult<Option<Group>> {
    Ok(load_many(state, &[id]).await?.pop())
}

/// What coopol knows of a group with no `groups` row: a remote group known before coopol
/// knew groups has what every group has.
fn row_of_unknown(account: &AccountRow) -> GroupRow {
    GroupRow {
        account_id: account.id,
        kind: GroupKind::Other,
        join_mode: default_join_mode(account),
        sympathizers_can_post: 0,
        postcode: None,
        commune: None,
        departement: None,
        members_url: None,
        created_by: None,
        created_at: account.created_at,
    }
}

/// How a group that does not say joins: with approval when it approves its followers.
pub(crate) fn default_join_mode(account: &AccountRow) -> JoinMode {
    if account.locked != 0 {
        JoinMode::Approval
    } else {
        JoinMode::Open
    }
}

/// How many members a local group has (a remote group's members are not known here).
pub async fn member_count(state: &AppState, group: &Group) -> AppResult<Option<i64>> {
    if !group.is_local() {
        return Ok(None);
    }
    Ok(Some(
        db::groups::member_count(state.pool(), group.account.id).await?,
    ))
}

/// Whether a local group's sympathizers circle does not reach all its sympathizers: some follow
/// it from other servers, and only coopol shows a post of that circle (Mastodon drops the
/// group's `Announce` of a post that is not public, Lemmy refuses it: docs/FEDERATION.md §13).
/// `None` for a group of another server, whose followers are not known here. Says whether, never
/// who nor how many.
pub async fn sympathizers_elsewhere(state: &AppState, group: &Group) -> AppResult<Option<bool>> {
    if !group.is_local() {
        return Ok(None);
    }
    Ok(Some(
        db::social::has_remote_person_followers(state.pool(), group.account.id).await?,
    ))
}

/// A group or 404.
pub async fn get(state: &AppState, id: i64) -> AppResult<Group> {
    load(state, id).await?.ok_or_else(AppError::not_found)
}

/// Groups by ids, in the order given: accounts of type `Group`, not deleted; one without a
/// `groups` row has what every group has ([`load`] and lists agree).
pub async fn load_many(state: &AppState, ids: &[i64]) -> AppResult<Vec<Group>> {
    let accounts = db::accounts::by_ids(state.pool(), ids).await?;
    let rows = db::groups::by_ids(state.pool(), ids).await?;
    let mut out = Vec::new();
    for id in ids {
        let Some(account) = accounts
            .iter()
            .find(|a| a.id == *id && a.actor_type == "Group" && a.deleted_at.is_none())
        else {
            continue;
        };
        let row = match rows.iter().find(|r| r.account_id == *id) {
            Some(r) => r.clone(),
            None => row_of_unknown(account),
        };
        out.push(Group {
            account: account.clone(),
            row,
        });
    }
    Ok(out)
}

/// A group by id: a number (a local or known remote group), a handle `name`, `@name`,
/// `name@host`, `@name@host` or `!name@host` (Lemmy's), or the URL of its actor. Unknown remote handles are looked up on their server when
/// `resolve` is set (signed-in callers), so anyone cannot make us fetch arbitrary hosts.
pub async fn find(state: &AppState, id: &str, resolve: bool) -> AppResult<Group> {
    if let Ok(n) = id.trim().parse::<i64>() {
        return get(state, n).await;
    }
    let id = id.trim();
    let (handle, _) = crate::domain::handle_parts(id);
    // Another server's group, when unknown here, is fetched (`service::Remote`).
    let fetch = |term: String| async move {
        match state.remote().filter(|_| resolve) {
            Some(remote) => remote.account(state, &term).await,
            None => None,
        }
    };
    let account = if id.starts_with("https://") || id.starts_with("http://") {
        match db::accounts::by_uri(state.pool(), id).await? {
            Some(a) => Some(a),
            None => fetch(id.to_string()).await,
        }
    } else {
        match handle.split_once('@') {
            None => db::accounts::local_by_username(state.pool(), handle).await?,
            Some((name, host)) if host.eq_ignore_ascii_case(&state.config.domain) => {
                db::accounts::local_by_username(state.pool(), name).await?
            }
            Some((name, host)) => {
                match db::accounts::by_handle(state.pool(), name, Some(host)).await? {
                    Some(a) => Some(a),
                    None => fetch(format!("{name}@{host}")).await,
                }
            }
        }
    };
    match account {
        Some(a) => get(state, a.id).await,
        None => Err(AppError::not_found()),
    }
}

/// Where a viewer stands in a group.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    /// The membership, whatever its state.
    pub membership: Option<MemberRow>,
    /// Follows the group (a sympathizer).
    pub following: bool,
}

impl Standing {
    /// The role of an accepted member.
    pub fn role(&self) -> Option<MemberRole> {
        self.membership
            .as_ref()
            .filter(|m| m.state == MembershipState::Accepted)
            .map(|m| m.role)
    }

    /// Whether an accepted member.
    pub fn is_member(&self) -> bool {
        self.role().is_some()
    }

    /// The highest circle the viewer reads: 0 public, 1 sympathizers, 2 members.
    pub fn level(&self) -> i64 {
        if self.is_member() {
            2
        } else if self.following {
            1
        } else {
            0
        }
    }
}

/// Where `viewer` stands in `group`.
pub async fn standing(state: &AppState, group: &Group, viewer: Option<i64>) -> AppResult<Standing> {
    let Some(v) = viewer else {
        return Ok(Standing::default());
    };
    Ok(Standing {
        membership: db::groups::member(state.pool(), group.account.id, v).await?,
        following: db::social::follows(state.pool(), v, group.account.id).await?,
    })
}

/// Refuses unless `who` is an accepted member of a local group with at least `role`.
async fn require_role(
    state: &AppState,
    group: &Group,
    who: &AccountRow,
    role: MemberRole,
) -> AppResult<MemberRole> {
    if !group.is_local() {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-group-remote",
        ));
    }
    let standing = standing(state, group, Some(who.id)).await?;
    match standing.role() {
        Some(r) if r >= role => Ok(r),
        _ => Err(AppError::forbidden("error-group-role")),
    }
}

/// Counts the administrators of a group.
async fn administrators(state: &AppState, group_id: i64) -> AppResult<i64> {
    Ok(db::groups::administrator_count(state.pool(), group_id).await?)
}

/// Whether `author` may post to `group` in `circle`: members always; followers in the public
/// and sympathizers circles when the group allows it. For a remote group, our records of the
/// membership decide here; its server decides again.
pub async fn may_post(
    state: &AppState,
    group: &Group,
    author_id: i64,
    circle: Circle,
) -> AppResult<bool> {
    let standing = standing(state, group, Some(author_id)).await?;
    if standing.is_member() {
        return Ok(true);
    }
    Ok(standing.following && group.row.sympathizers_can_post != 0 && circle != Circle::Members)
}

/// Tells the staff of a local group here (its administrators and moderators) of a request
/// about it, in the caller's transaction: someone asks to join, a section asks to be
/// affiliated. Remote groups decide on their own server.
pub(crate) async fn tell_staff(
    tx: &mut sqlx::AnyConnection,
    group_id: i64,
    from: i64,
    kind: crate::domain::NotificationKind,
    now: i64,
) -> AppResult<()> {
    let staff = db::groups::local_staff(tx, group_id).await?;
    let rows: Vec<_> = staff
        .into_iter()
        .map(|s| (s, from, kind, group_id))
        .collect();
    db::notifications::notify_about_group(tx, &rows, now).await?;
    Ok(())
}

/// The staff's notifications of a request, once it is decided or withdrawn.
pub(crate) async fn request_settled(
    tx: &mut sqlx::AnyConnection,
    group_id: i64,
    from: i64,
    kind: crate::domain::NotificationKind,
) -> AppResult<()> {
    db::notifications::unnotify_about_group(tx, from, kind, group_id).await?;
    Ok(())
}
