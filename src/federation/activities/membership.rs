//! Group membership: `Join`, `Leave`, the group's `Accept` or `Reject` of a `Join`, `Invite`
//! and `Remove` (Mobilizon's shapes). A group that keeps no members collection (Lemmy's
//! communities, FEP-1b12) is joined with `Follow` and left with `Undo(Follow)`, and its
//! `Accept`/`Reject` of the Follow answers the membership. Events reuse the same activities
//! (`participation`).

use super::audience::{account, both, inbox_of};
use super::follow::{follow, undo};
use super::lookup::{local_actor, local_group};
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow},
    domain::MembershipState,
    error::{AppError, AppResult},
    federation::{
        objects::ApAccount,
        protocol::{self, Activity, same_origin},
        receive::{Outcome, permanent},
    },
    service::{groups, outgoing::Outgoing},
    state::AppState,
};
use activitypub_federation::fetch::object_id::ObjectId;
use serde_json::{Value, json};
use url::Url;

/// A `Join` of a group or an event, with the message for its moderators (Mobilizon's
/// `participationMessage`, and `content`).
pub(super) fn join(id: &str, actor: &str, object: &str, message: &str) -> AppResult<Activity> {
    let mut activity = Activity::new(
        id,
        "Join",
        actor,
        json!(object),
        vec![object.to_string()],
        Vec::new(),
    )
    .map_err(AppError::internal)?;
    if !message.is_empty() {
        activity.participation_message = Some(message.to_string());
        activity.content = Some(message.to_string());
    }
    Ok(activity)
}

/// A `Leave` of a group or an event.
pub(super) fn leave(actor: &str, object: &str) -> AppResult<Activity> {
    let id = format!("{actor}#leaves/{}", crate::crypto::random_code(16));
    Activity::new(
        &id,
        "Leave",
        actor,
        json!(object),
        vec![object.to_string()],
        Vec::new(),
    )
    .map_err(AppError::internal)
}

/// An `Accept` or `Reject` of a `Join` (of a group, by the group; of an event, by its
/// organizer), embedding the Join as Mobilizon does.
pub(super) fn answer(
    kind: &str,
    organizer: &AccountRow,
    participant: &AccountRow,
    join_uri: &str,
    joined_uri: &str,
) -> AppResult<Activity> {
    let join =
        json!({ "id": join_uri, "type": "Join", "actor": participant.uri, "object": joined_uri });
    Activity::new(
        &format!(
            "{}#{}/{}",
            organizer.uri,
            kind.to_lowercase(),
            crate::crypto::random_code(16)
        ),
        kind,
        &organizer.uri,
        join,
        vec![participant.uri.clone()],
        Vec::new(),
    )
    .map_err(AppError::internal)
}

/// An `Invite` to join a group (as Mobilizon sends it) or to take part in an event: `object`
/// is the group or event, `target` who is invited.
pub(super) fn invite(by: &AccountRow, object: &str, invitee: &AccountRow) -> AppResult<Activity> {
    let mut activity = Activity::new(
        &format!("{}#invites/{}", by.uri, crate::crypto::random_code(16)),
        "Invite",
        &by.uri,
        json!(object),
        vec![invitee.uri.clone()],
        Vec::new(),
    )
    .map_err(AppError::internal)?;
    activity.target = json!(invitee.uri);
    Ok(activity)
}

/// A `Remove` of a member from a group.
fn remove(group: &AccountRow, member: &AccountRow) -> AppResult<Activity> {
    let mut activity = Activity::new(
        &format!("{}#removes/{}", group.uri, crate::crypto::random_code(16)),
        "Remove",
        &group.uri,
        json!(member.uri),
        vec![member.uri.clone()],
        Vec::new(),
    )
    .map_err(AppError::internal)?;
    activity.target = json!(format!("{}/members", group.uri));
    activity.origin = json!(group.uri);
    Ok(activity)
}

pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    Ok(match outgoing {
        Outgoing::JoinGroup { member_id } => {
            let Some(m) = db::groups::member_by_id(state.pool(), *member_id).await? else {
                return Ok(None);
            };
            let Some((me, group)) = member_and_group(state, m.account_id, m.group_id).await? else {
                return Ok(None);
            };
            let id = m.uri.as_deref().unwrap_or_default();
            let body = if group.joined_by_follow() {
                follow(id, &me.uri, &group.account.uri)?
            } else {
                join(id, &me.uri, &group.account.uri, &m.message)?
            };
            Some(Prepared {
                actor_id: me.id,
                body: body.to_json(),
                inboxes: inbox_of(&group.account).into_iter().collect(),
            })
        }
        Outgoing::LeaveGroup {
            group_id,
            account_id,
            join_uri,
        } => {
            let Some((me, group)) = member_and_group(state, *account_id, *group_id).await? else {
                return Ok(None);
            };
            let group_uri = &group.account.uri;
            let body = if group.joined_by_follow() {
                // Lemmy finds the follow by its actor and object; the id is ours when we have it.
                let id = if join_uri.is_empty() {
                    format!("{}#follows/{}", me.uri, crate::crypto::random_code(16))
                } else {
                    join_uri.clone()
                };
                let followed = follow(&id, &me.uri, group_uri)?;
                undo(&me.uri, followed, vec![group_uri.clone()], Vec::new())?
            } else {
                let mut body = leave(&me.uri, group_uri)?;
                if !join_uri.is_empty() {
                    body.in_reply_to = json!(join_uri);
                }
                body
            };
            Some(Prepared {
                actor_id: me.id,
                body: body.to_json(),
                inboxes: inbox_of(&group.account).into_iter().collect(),
            })
        }
        Outgoing::AnswerJoin {
            group_id,
            account_id,
            join_uri,
            accept,
        } => {
            let Some((group, member)) = both(state, *group_id, *account_id).await? else {
                return Ok(None);
            };
            let kind = if *accept { "Accept" } else { "Reject" };
            Some(Prepared {
                actor_id: group.id,
                body: answer(kind, &group, &member, join_uri, &group.uri)?.to_json(),
                inboxes: inbox_of(&member).into_iter().collect(),
            })
        }
        Outgoing::InviteMember {
            group_id,
            by_id,
            account_id,
        } => {
            let Some((group, invitee)) = both(state, *group_id, *account_id).await? else {
                return Ok(None);
            };
            let Some(by) = account(state, *by_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: by.id,
                body: invite(&by, &group.uri, &invitee)?.to_json(),
                inboxes: inbox_of(&invitee).into_iter().collect(),
            })
        }
        Outgoing::RemoveMember {
            group_id,
            account_id,
        } => {
            let Some((group, member)) = both(state, *group_id, *account_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: group.id,
                body: remove(&group, &member)?.to_json(),
                inboxes: inbox_of(&member).into_iter().collect(),
            })
        }
        _ => None,
    })
}

/// A local person and the group they join or leave, or `None` if either is gone.
async fn member_and_group(
    state: &AppState,
    account_id: i64,
    group_id: i64,
) -> AppResult<Option<(AccountRow, groups::Group)>> {
    Ok(
        match (
            account(state, account_id).await?,
            groups::load(state, group_id).await?,
        ) {
            (Some(me), Some(group)) => Some((me, group)),
            _ => None,
        },
    )
}

/// The message sent with a `Join` (Mobilizon's `participationMessage`, or `content`).
pub(super) fn join_message(activity: &Activity) -> String {
    activity
        .participation_message
        .as_deref()
        .or(activity.content.as_deref())
        .map(crate::domain::html::sanitize)
        .map(|m| crate::domain::html::to_plain_text(&m))
        .unwrap_or_default()
}

/// Someone asks to join a group here.
pub(super) async fn joined(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    let Some(group) = local_group(state, activity.object_id()).await? else {
        return Ok(Outcome::Ignored(
            "only groups and events of this server can be joined here",
        ));
    };
    if actor.actor_type != "Person" {
        return Ok(Outcome::Ignored("only people join groups"));
    }
    let message = join_message(activity);
    match groups::join_received(state, actor, &group, activity.id.as_str(), &message).await? {
        groups::JoinOutcome::Joined => Ok(Outcome::Applied("joined the group")),
        groups::JoinOutcome::Pending => Ok(Outcome::Applied(
            "request to join waiting for the moderators, or refused",
        )),
    }
}

/// Someone leaves a group here.
pub(super) async fn left(
    state: &AppState,
    actor: &AccountRow,
    object: Option<&str>,
) -> Result<Outcome> {
    let Some(group) = local_group(state, object).await? else {
        return Ok(Outcome::Ignored(
            "only groups and events of this server can be left here",
        ));
    };
    Ok(if groups::leave_received(state, actor, &group).await? {
        Outcome::Applied("left the group")
    } else {
        Outcome::Ignored("not a member")
    })
}

/// A group answered a local person's request to join it; `None` when the answer is not about
/// a membership.
pub(super) async fn answered(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
    accept: bool,
) -> Result<Option<Outcome>> {
    let Some(m) = find_join(state, &activity.object, actor).await? else {
        return Ok(None);
    };
    // Only the group may answer, and only about a local person's request.
    if m.group_id != actor.id {
        return Err(permanent("only the group may answer a request to join it"));
    }
    if m.state != MembershipState::Pending && accept {
        return Ok(Some(Outcome::Ignored(
            "the membership is not waiting for an answer",
        )));
    }
    groups::join_answered(state, &m, accept).await?;
    if accept {
        super::group_post::read_back_later(state, actor);
    }
    Ok(Some(Outcome::Applied(if accept {
        "membership accepted by the group"
    } else {
        "membership refused by the group"
    })))
}

/// An `Invite` to a group (Mobilizon's shape) or to an event (coopol's), from the group's or
/// event's own server, for a person here.
pub(super) async fn invited(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    let Some(group_uri) = activity.object_id() else {
        return Err(permanent(
            "an Invite needs the group or event as its object",
        ));
    };
    let group_url = Url::parse(group_uri).map_err(|_| permanent("invalid group id"))?;
    let actor_url = Url::parse(&actor.uri).map_err(|_| permanent("invalid actor"))?;
    if !same_origin(&group_url, &actor_url) {
        return Err(permanent(
            "only the group's or event's own server may invite to it",
        ));
    }
    let Some(invitee) = local_actor(state, protocol::id_of(&activity.target)).await? else {
        return Ok(Outcome::Ignored("the invited person is not on this server"));
    };
    if let Some(outcome) =
        super::participation::invited(state, actor, group_uri, &group_url, &invitee).await?
    {
        return Ok(outcome);
    }
    let data = crate::federation::data(state);
    let group = ObjectId::<ApAccount>::from(group_url)
        .dereference(&data)
        .await?;
    let Some(group) = groups::load(state, group.row.id).await? else {
        return Ok(Outcome::Ignored("the invitation is not to a group"));
    };
    groups::invited_by_group(state, &group, &invitee).await?;
    Ok(Outcome::Applied("invitation recorded"))
}

/// A group removed a local member.
pub(super) async fn removed(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    if actor.actor_type != "Group" {
        return Ok(Outcome::Ignored(
            "removals by people (featured posts, moderator lists) are not kept",
        ));
    }
    let Some(member) = local_actor(state, activity.object_id()).await? else {
        return Ok(Outcome::Ignored(
            "removals of posts from featured lists or of moderators are not kept",
        ));
    };
    let Some(group) = groups::load(state, actor.id).await? else {
        return Ok(Outcome::Ignored("unknown group"));
    };
    groups::removed_by_group(state, &group, &member).await?;
    Ok(Outcome::Applied("removed from the group"))
}

/// The pending membership an `Accept`/`Reject` from a group answers: by the Join's (or, for a
/// group joined by following, the Follow's) id, or by the embedded activity's actor.
async fn find_join(
    state: &AppState,
    object: &Value,
    group: &AccountRow,
) -> Result<Option<db::groups::MemberRow>> {
    if let Some(id) = protocol::id_of(object)
        && let Some(m) = db::groups::member_by_uri(state.pool(), id).await?
    {
        return Ok(Some(m));
    }
    let answers_membership = match object.get("type").and_then(Value::as_str) {
        Some("Join") => true,
        Some("Follow") => groups::load(state, group.id)
            .await?
            .is_some_and(|g| g.joined_by_follow()),
        _ => false,
    };
    if !answers_membership {
        return Ok(None);
    }
    let Some(member) = object.get("actor").and_then(protocol::id_of) else {
        return Ok(None);
    };
    match db::accounts::by_uri(state.pool(), member).await? {
        Some(a) if a.is_local() => Ok(db::groups::member(state.pool(), group.id, a.id).await?),
        _ => Ok(None),
    }
}
