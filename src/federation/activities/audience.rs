//! Who receives what we send: the inboxes of a post's audience, of a group's circle, of one
//! account; and the rows an activity is built from.

use crate::{
    db::{self, accounts::AccountRow},
    domain::{Circle, Visibility},
    error::AppResult,
    federation::render,
    state::AppState,
};
use serde_json::Value;

pub(super) async fn account(state: &AppState, id: i64) -> AppResult<Option<AccountRow>> {
    Ok(db::accounts::by_id(state.pool(), id).await?)
}

/// Two accounts (an actor and whom it acts on), or `None` if either is gone.
pub(super) async fn both(
    state: &AppState,
    a: i64,
    b: i64,
) -> AppResult<Option<(AccountRow, AccountRow)>> {
    Ok(match (account(state, a).await?, account(state, b).await?) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    })
}

pub(super) fn inbox_of(a: &AccountRow) -> Option<String> {
    if a.is_local() {
        None
    } else {
        a.inbox_url.clone()
    }
}

pub(super) fn shared_inbox_of(a: &AccountRow) -> Option<String> {
    if a.is_local() {
        None
    } else {
        a.delivery_inbox().map(str::to_string)
    }
}

/// The inboxes that should see a post: followers (unless direct), mentioned accounts, and the
/// author of the post it answers (unless direct).
pub(super) async fn post_inboxes(
    state: &AppState,
    author_id: i64,
    visibility: Visibility,
    mentioned: &[AccountRow],
    parent_author: Option<i64>,
) -> AppResult<Vec<String>> {
    let mut inboxes = Vec::new();
    if visibility != Visibility::Direct {
        inboxes.extend(db::social::remote_follower_inboxes(state.pool(), author_id).await?);
        // As Mastodon: a public or unlisted reply also goes to the author it answers; a
        // followers-only one only to followers and the people it mentions.
        if matches!(visibility, Visibility::Public | Visibility::Unlisted)
            && let Some(parent) = parent_author
            && let Some(a) = account(state, parent).await?
        {
            inboxes.extend(shared_inbox_of(&a));
        }
        inboxes.extend(mentioned.iter().filter_map(shared_inbox_of));
    } else {
        // Direct messages go to each recipient's own inbox, so that servers sorting shared
        // deliveries by addressing cannot show them to anyone else.
        inboxes.extend(mentioned.iter().filter_map(inbox_of));
    }
    Ok(inboxes)
}

pub(super) async fn mentioned_accounts(
    state: &AppState,
    status_id: i64,
) -> AppResult<Vec<AccountRow>> {
    let ids = db::statuses::mentioned_ids(state.pool(), status_id).await?;
    Ok(db::accounts::by_ids(state.pool(), &ids).await?)
}

/// A group's actor, what coopol knows of it, and where its posts are addressed.
pub(in crate::federation) async fn load_group(
    state: &AppState,
    group_id: i64,
) -> AppResult<
    Option<(
        AccountRow,
        Option<db::groups::GroupRow>,
        render::GroupAddress,
    )>,
> {
    let Some(account) = account(state, group_id).await? else {
        return Ok(None);
    };
    let row = db::groups::by_id(state.pool(), group_id).await?;
    let address = render::group_address(&account, row.as_ref());
    Ok(Some((account, row, address)))
}

/// The remote inboxes of a local group's circle: members always; followers unless members
/// only; affiliated sections (groups following it) in every circle, since they pass the
/// members circle on to their own members.
pub(super) async fn circle_inboxes(
    state: &AppState,
    group_id: i64,
    circle: Circle,
) -> AppResult<Vec<String>> {
    let mut inboxes = db::groups::remote_member_inboxes(state.pool(), group_id).await?;
    if circle == Circle::Members {
        inboxes.extend(db::groups::remote_group_follower_inboxes(state.pool(), group_id).await?);
    } else {
        inboxes.extend(db::social::remote_follower_inboxes(state.pool(), group_id).await?);
    }
    Ok(inboxes)
}

/// The inboxes a group post (written here) goes to from its author: the group's server when
/// the group is remote (it passes the post on), the circle when it is local, plus, for a
/// public post, everyone a public post reaches.
pub(super) async fn group_post_inboxes(
    state: &AppState,
    status: &db::statuses::StatusRow,
    group_id: i64,
    circle: Circle,
    mentioned: &[AccountRow],
    include_circle: bool,
) -> AppResult<Vec<String>> {
    let mut inboxes = Vec::new();
    if let Some(group) = account(state, group_id).await? {
        if group.is_local() {
            if include_circle {
                inboxes.extend(circle_inboxes(state, group_id, circle).await?);
            }
        } else {
            inboxes.extend(shared_inbox_of(&group));
        }
    }
    if circle == Circle::Public {
        inboxes.extend(
            post_inboxes(
                state,
                status.account_id,
                Visibility::Public,
                mentioned,
                status.in_reply_to_account_id,
            )
            .await?,
        );
    }
    Ok(inboxes)
}

/// A rendered post, as an `Event` when it is one.
pub(in crate::federation) async fn as_event(
    state: &AppState,
    note: crate::federation::protocol::Note,
    status: &db::statuses::StatusRow,
) -> AppResult<Value> {
    match db::events::by_id(state.pool(), status.id).await? {
        Some(event) => {
            let participants = db::events::accepted_count(state.pool(), status.id).await?;
            Ok(render::event(state, note, status, &event, participants))
        }
        None => super::poll::with_poll(state, render::to_json(&note), status.id).await,
    }
}
