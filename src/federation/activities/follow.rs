//! `Follow`, and its `Accept`, `Reject` and `Undo`.

use super::audience::{both, inbox_of};
use super::lookup::local_actor;
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow},
    domain::FollowState,
    error::{AppError, AppResult},
    federation::{
        protocol::{self, Activity},
        receive::{Outcome, permanent},
    },
    service::{outgoing::Outgoing, relationships},
    state::AppState,
};
use serde_json::{Value, json};

/// A `Follow`.
pub(super) fn follow(id: &str, actor: &str, object: &str) -> AppResult<Activity> {
    Activity::new(
        id,
        "Follow",
        actor,
        json!(object),
        vec![object.to_string()],
        Vec::new(),
    )
    .map_err(AppError::internal)
}

/// An `Accept` or `Reject` of a follow, embedding it as Mastodon does.
fn answer(
    kind: &str,
    actor: &AccountRow,
    follower: &AccountRow,
    follow_uri: &str,
) -> AppResult<Activity> {
    let follow = json!({
        "id": follow_uri,
        "type": "Follow",
        "actor": follower.uri,
        "object": actor.uri,
    });
    Activity::new(
        &format!(
            "{}#{}/{}",
            actor.uri,
            kind.to_lowercase(),
            crate::crypto::random_code(16)
        ),
        kind,
        &actor.uri,
        follow,
        vec![follower.uri.clone()],
        Vec::new(),
    )
    .map_err(AppError::internal)
}

/// An `Undo` of an activity, embedding it.
pub(super) fn undo(
    actor: &str,
    inner: Activity,
    to: Vec<String>,
    cc: Vec<String>,
) -> AppResult<Activity> {
    // Ids of our activities often already have a fragment (`actor#follows/x`): one URI has at
    // most one `#`, so the Undo extends the fragment, as Mastodon does (`#follows/x/undo`).
    let inner_id = inner.id.as_str();
    let id = if inner_id.contains('#') {
        format!("{inner_id}/undo")
    } else {
        format!("{inner_id}#undo")
    };
    Activity::new(&id, "Undo", actor, inner.embedded(), to, cc).map_err(AppError::internal)
}

pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    Ok(match outgoing {
        Outgoing::Follow { follow_id } => {
            let Some(row) = db::social::follow_by_id(state.pool(), *follow_id).await? else {
                return Ok(None);
            };
            let Some((me, target)) = both(state, row.account_id, row.target_account_id).await?
            else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: me.id,
                body: follow(row.uri.as_deref().unwrap_or_default(), &me.uri, &target.uri)?
                    .to_json(),
                inboxes: inbox_of(&target).into_iter().collect(),
            })
        }
        Outgoing::UndoFollow {
            account_id,
            target_id,
            follow_uri,
        } => {
            let Some((me, target)) = both(state, *account_id, *target_id).await? else {
                return Ok(None);
            };
            let follow = follow(follow_uri, &me.uri, &target.uri)?;
            Some(Prepared {
                actor_id: me.id,
                body: undo(&me.uri, follow, vec![target.uri.clone()], Vec::new())?.to_json(),
                inboxes: inbox_of(&target).into_iter().collect(),
            })
        }
        Outgoing::AcceptFollow {
            account_id,
            follower_id,
            follow_uri,
        }
        | Outgoing::RejectFollow {
            account_id,
            follower_id,
            follow_uri,
        } => {
            let Some((me, follower)) = both(state, *account_id, *follower_id).await? else {
                return Ok(None);
            };
            let kind = if matches!(outgoing, Outgoing::AcceptFollow { .. }) {
                "Accept"
            } else {
                "Reject"
            };
            Some(Prepared {
                actor_id: me.id,
                body: answer(kind, &me, &follower, follow_uri)?.to_json(),
                inboxes: inbox_of(&follower).into_iter().collect(),
            })
        }
        _ => None,
    })
}

/// A remote account follows one of ours.
pub(super) async fn received(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    let Some(target) = local_actor(state, activity.object_id()).await? else {
        return Ok(Outcome::Ignored(
            "the followed account is not on this server",
        ));
    };
    match relationships::follow_received(state, actor, &target, activity.id.as_str()).await? {
        relationships::FollowOutcome::Accepted => Ok(Outcome::Applied("follow accepted")),
        relationships::FollowOutcome::Pending => {
            Ok(Outcome::Applied("follow request waiting for approval"))
        }
        relationships::FollowOutcome::Refused => Ok(Outcome::Applied("follow refused")),
    }
}

/// The followed account answered one of ours.
pub(super) async fn answered(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
    accept: bool,
) -> Result<Outcome> {
    let Some(follow) = find_follow(state, &activity.object, None, Some(actor)).await? else {
        return Ok(Outcome::Ignored("no such follow request here"));
    };
    // Only the followed account may answer, and only about a local follower.
    if follow.target_account_id != actor.id {
        return Err(permanent("only the followed account may answer a follow"));
    }
    if accept {
        relationships::accept_received(state, &follow).await?;
        if follow.state == FollowState::Pending {
            super::group_post::read_back_later(state, actor);
        }
        Ok(Outcome::Applied("follow accepted by the remote account"))
    } else {
        relationships::reject_received(state, &follow).await?;
        Ok(Outcome::Applied("follow refused by the remote account"))
    }
}

/// A remote follower withdrew its follow (or its request).
pub(super) async fn undone(state: &AppState, actor: &AccountRow, inner: &Value) -> Result<Outcome> {
    let target = local_actor(state, inner.get("object").and_then(protocol::id_of)).await?;
    match find_follow(state, inner, Some(actor), target.as_ref()).await? {
        Some(f) if f.account_id == actor.id => {
            relationships::undo_follow_received(state, &f).await?;
            Ok(Outcome::Applied("follow withdrawn"))
        }
        _ => Ok(Outcome::Ignored("no such follow here")),
    }
}

/// Finds the local follow an Accept/Reject/Undo is about: by the Follow's id, or by the
/// embedded Follow's actor and object (some servers do not keep the id).
async fn find_follow(
    state: &AppState,
    object: &Value,
    follower_hint: Option<&AccountRow>,
    target_hint: Option<&AccountRow>,
) -> Result<Option<db::social::FollowRow>> {
    if let Some(id) = protocol::id_of(object)
        && let Some(f) = db::social::follow_by_uri(state.pool(), id).await?
    {
        return Ok(Some(f));
    }
    let follower = match object.get("actor").and_then(protocol::id_of) {
        Some(uri) => db::accounts::by_uri(state.pool(), uri).await?,
        None => follower_hint.cloned(),
    };
    let target = match object.get("object").and_then(protocol::id_of) {
        Some(uri) => db::accounts::by_uri(state.pool(), uri).await?,
        None => target_hint.cloned(),
    };
    match (follower, target) {
        (Some(f), Some(t)) => Ok(db::social::follow(state.pool(), f.id, t.id).await?),
        _ => Ok(None),
    }
}

pub(super) async fn is_follow(state: &AppState, id: Option<&str>) -> Result<bool> {
    Ok(match id {
        Some(id) => db::social::follow_by_uri(state.pool(), id).await?.is_some(),
        None => false,
    })
}
