//! What a group passes on to its circles (FEP-1b12): its `Announce` of a post written in it,
//! of a moderator's removal, and for Mastodon a plain `Announce(Note)` of a public post (it
//! ignores `Announce(Create)`) with its `Undo` on removal.

use super::audience::{account, as_event, circle_inboxes, load_group, mentioned_accounts};
use super::follow::undo;
use super::lookup::fetch_note;
use super::post::{POST_TYPES, create_or_update, parse_note, removal};
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow},
    domain::{Circle, Visibility},
    error::{AppError, AppResult},
    federation::{
        objects::ApNote,
        protocol::{self, Activity, PUBLIC, same_origin},
        receive::{Outcome, permanent},
        render::{self, GroupAddress},
    },
    service::{groups, outgoing::Outgoing},
    state::AppState,
};
use activitypub_federation::traits::Object;
use serde_json::{Value, json};
use url::Url;

/// A group's `Announce` of something posted in it, addressed to the circle that may read it.
pub(super) fn announce(
    id: &str,
    group: &GroupAddress,
    object: Value,
    circle: Circle,
) -> AppResult<Activity> {
    let mut object = object;
    if let Some(o) = object.as_object_mut() {
        o.remove("@context");
    }
    let (to, cc) = match circle {
        Circle::Public => (vec![PUBLIC.to_string()], vec![group.followers.clone()]),
        Circle::Sympathizers => (
            vec![group.followers.clone(), group.members.clone()],
            Vec::new(),
        ),
        Circle::Members => (vec![group.members.clone()], Vec::new()),
    };
    let mut activity =
        Activity::new(id, "Announce", &group.uri, object, to, cc).map_err(AppError::internal)?;
    activity.audience = json!(group.uri);
    Ok(activity)
}

/// The group's announce and, for a public post, its plain `Announce(Note)` (or their
/// removal).
pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Vec<Prepared>> {
    let mut prepared: Vec<Prepared> = main(state, outgoing).await?.into_iter().collect();
    prepared.extend(plain(state, outgoing).await?);
    Ok(prepared)
}

async fn main(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    Ok(match outgoing {
        Outgoing::GroupAnnounce {
            group_id,
            status_id,
        } => {
            let Some(status) = db::statuses::by_id(state.pool(), *status_id).await? else {
                return Ok(None);
            };
            let Some(circle) = db::groups::post_groups(state.pool(), status.id)
                .await?
                .into_iter()
                .find(|(g, _)| g == group_id)
                .map(|(_, c)| c)
            else {
                return Ok(None);
            };
            let Some((group, _, address)) = load_group(state, *group_id).await? else {
                return Ok(None);
            };
            let Some(author) = account(state, status.account_id).await? else {
                return Ok(None);
            };
            // The post as its own group addresses it (a federation's post passed on by a
            // section keeps the federation as its audience).
            let own_group = match status.group_id {
                Some(g) if g == group.id => Some(address.clone()),
                Some(g) => load_group(state, g).await?.map(|(_, _, a)| a),
                None => None,
            };
            let mentioned = mentioned_accounts(state, status.id).await?;
            let tags: Vec<String> = db::statuses::tags_of(state.pool(), &[status.id])
                .await?
                .into_iter()
                .map(|(_, t)| t)
                .collect();
            let media = db::media::of_statuses(state.pool(), &[status.id]).await?;
            let note = render::note(
                state,
                &status,
                &render::NoteParts {
                    author: &author,
                    mentioned: &mentioned,
                    tags: &tags,
                    group: own_group.as_ref(),
                    media: &media,
                },
            )
            .map_err(AppError::internal)?;
            let note = as_event(state, note, &status).await?;
            // FEP-1b12: the group announces the Create of posts written here; a post from
            // another server is announced as the object itself (its Create is its author's).
            let object = if author.is_local() {
                create_or_update("Create", note)?.embedded()
            } else {
                note
            };
            let id = format!("{}#announces/{}", group.uri, status.id);
            Some(Prepared {
                actor_id: group.id,
                body: announce(&id, &address, object, circle)?.to_json(),
                inboxes: circle_inboxes(state, group.id, circle).await?,
            })
        }
        Outgoing::GroupRemove {
            group_id,
            moderator_id,
            status_id,
            status_uri,
            circle,
        } => {
            let Some((group, _, address)) = load_group(state, *group_id).await? else {
                return Ok(None);
            };
            let moderator = account(state, *moderator_id)
                .await?
                .map(|m| m.uri)
                .unwrap_or_else(|| group.uri.clone());
            let circle = *circle;
            let delete = removal(&moderator, &group.uri, *status_id, status_uri)?;
            let id = format!("{}#announces/{}/delete", group.uri, status_id);
            Some(Prepared {
                actor_id: group.id,
                body: announce(&id, &address, delete.embedded(), circle)?.to_json(),
                inboxes: circle_inboxes(state, group.id, circle).await?,
            })
        }
        _ => None,
    })
}

/// Besides the main activity: a group's plain `Announce(Note)` of a public post, which
/// Mastodon displays (it ignores `Announce(Create)`), and its `Undo` when a moderator removes
/// the post.
async fn plain(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    match outgoing {
        Outgoing::GroupAnnounce {
            group_id,
            status_id,
        } => {
            let Some(status) = db::statuses::by_id(state.pool(), *status_id).await? else {
                return Ok(None);
            };
            if status.circle != Some(Circle::Public) && status.visibility != Visibility::Public {
                return Ok(None);
            }
            let Some((group, _, address)) = load_group(state, *group_id).await? else {
                return Ok(None);
            };
            let mut inboxes = db::social::remote_follower_inboxes(state.pool(), group.id).await?;
            inboxes.extend(db::groups::remote_member_inboxes(state.pool(), group.id).await?);
            let id = format!("{}#announces/{}/note", group.uri, status.id);
            Ok(Some(Prepared {
                actor_id: group.id,
                body: announce(&id, &address, json!(status.uri), Circle::Public)?.to_json(),
                inboxes,
            }))
        }
        Outgoing::GroupRemove {
            group_id,
            status_id,
            status_uri,
            circle,
            ..
        } if *circle == Circle::Public => {
            let Some((group, _, address)) = load_group(state, *group_id).await? else {
                return Ok(None);
            };
            let id = format!("{}#announces/{}/note", group.uri, status_id);
            let announce = announce(&id, &address, json!(status_uri), Circle::Public)?;
            let mut inboxes = db::social::remote_follower_inboxes(state.pool(), group.id).await?;
            inboxes.extend(db::groups::remote_member_inboxes(state.pool(), group.id).await?);
            Ok(Some(Prepared {
                actor_id: group.id,
                body: undo(
                    &group.uri,
                    announce,
                    vec![PUBLIC.to_string()],
                    vec![address.followers.clone()],
                )?
                .to_json(),
                inboxes,
            }))
        }
        _ => Ok(None),
    }
}

/// The circle a group places a post in, if it may (docs/SECURITY.md, rule T5): a post written
/// in the group (its own addressing, read from its own server, named the group) goes in the
/// circle it was written for; a public post not written in it may only be shared in its public
/// circle. The announcer's addressing never decides: a group cannot move a post into a wider
/// circle, nor take a post written elsewhere, or a closed one, into its own.
fn placement(group: &groups::Group, status: &db::statuses::StatusRow) -> Option<Circle> {
    if status.reblog_of_id.is_some() {
        return None;
    }
    if status.group_id == Some(group.account.id) {
        return status.circle;
    }
    let public = status.visibility.is_public();
    (public && status.group_id.is_none()).then_some(Circle::Public)
}

/// A group passes something on to its circle (FEP-1b12): a post (`Announce(Create(Note))`,
/// `Announce(Note)`, or the id of a note), or a moderator's removal (`Announce(Delete)`).
///
/// The post itself comes from its own server: an embedded copy is read only when the group's
/// server is the post's (it speaks for what it hosts); any other is fetched from its origin,
/// and an id of ours is looked up here and nowhere else (rule T4).
pub(super) async fn announced(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    let Some(group) = groups::load(state, actor.id).await? else {
        return Ok(Outcome::Ignored("unknown group"));
    };
    let inner = &activity.object;
    let inner_type = activity.object_type();
    if inner_type == Some("Delete") {
        let Some(uri) = inner.get("object").and_then(protocol::id_of) else {
            return Err(permanent("a Delete needs an object"));
        };
        return removal_received(state, &group, uri).await;
    }
    if super::like::is_vote(inner) {
        return super::like::announced(state, actor, inner).await;
    }
    let note_value = match inner_type {
        Some("Create") => inner.get("object").cloned().unwrap_or(Value::Null),
        Some(t) if POST_TYPES.contains(&t) => inner.clone(),
        None => inner.clone(),
        Some(_) => {
            return Ok(Outcome::Ignored(
                "announces of this kind of activity have no effect here",
            ));
        }
    };
    let mut conn = state.pool().acquire().await?;
    let interested = !db::groups::local_members(&mut conn, group.account.id)
        .await?
        .is_empty()
        || !db::social::local_followers(&mut conn, group.account.id)
            .await?
            .is_empty();
    drop(conn);
    if !interested {
        return Ok(Outcome::Ignored(
            "nobody here follows or belongs to the group",
        ));
    }
    let group_url = Url::parse(&group.account.uri).map_err(|_| permanent("invalid group"))?;
    let status = match note_value {
        Value::Object(_) => {
            let note = parse_note(&note_value)?;
            match db::statuses::by_uri(state.pool(), note.id.as_str()).await? {
                Some(s) => s,
                None if same_origin(&note.id, &group_url)
                    && !state.config.is_local_url(&note.id) =>
                {
                    if db::statuses::is_tombstoned(state.pool(), note.id.as_str()).await? {
                        return Ok(Outcome::Ignored("the post was deleted"));
                    }
                    let data = crate::federation::data(state);
                    let url = note.id.clone();
                    ApNote::verify(&note, &url, &data).await?;
                    ApNote::from_json(note, &data).await?.row
                }
                None => fetch_note(state, note.id).await?,
            }
        }
        other => {
            let Some(uri) = protocol::id_of(&other) else {
                return Err(permanent("an Announce needs an object"));
            };
            match db::statuses::by_uri(state.pool(), uri).await? {
                Some(s) => s,
                None => {
                    fetch_note(
                        state,
                        Url::parse(uri).map_err(|_| permanent("invalid object id"))?,
                    )
                    .await?
                }
            }
        }
    };
    let Some(circle) = placement(&group, &status) else {
        return Ok(Outcome::Ignored(
            "the post was not written in this group, and is not public",
        ));
    };
    let mut tx = state.db.begin().await?;
    groups::distribute(&mut tx, &group, status.id, circle).await?;
    // A federation's members-only announcement goes on to the members of its sections here:
    // the local groups whose affiliation with it was decided (not any local group that
    // follows it, such as a federation of ours following a section back).
    if circle == Circle::Members {
        for section in db::groups::local_affiliated_sections(&mut *tx, group.account.id).await? {
            if let Some(section) = groups::load(state, section).await? {
                groups::distribute(&mut tx, &section, status.id, Circle::Members).await?;
            }
        }
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(Outcome::Applied("group post received"))
}

/// A group's moderators removed a post from it (`Delete`, or `Announce(Delete)`): it leaves the
/// group's circles here; a remote post written in the group is deleted with it. A local post
/// stays its author's, and an id unknown here is not remembered (rule T6).
pub(super) async fn removal_received(
    state: &AppState,
    group: &groups::Group,
    uri: &str,
) -> Result<Outcome> {
    Ok(match groups::removed_remote(state, group, uri).await? {
        groups::Removal::Deleted => Outcome::Applied("post removed by its group"),
        groups::Removal::Unplaced => Outcome::Applied("post taken out of the group"),
        groups::Removal::NotHere => Outcome::Ignored("the removed post is not in the group"),
    })
}
