//! `Create`, `Update` and `Delete` of posts (notes, and the objects stored as notes: articles,
//! pages, questions, events...).

use super::audience::{
    account, as_event, circle_inboxes, group_post_inboxes, load_group, mentioned_accounts,
    post_inboxes, shared_inbox_of,
};
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow},
    domain::{Circle, Visibility},
    error::{AppError, AppResult},
    federation::{
        objects::{self, ApNote},
        protocol::{self, Activity, same_origin},
        receive::{Outcome, permanent},
        render::{self, GroupAddress},
    },
    service::{groups, outgoing::Outgoing, statuses as posts},
    state::AppState,
};
use activitypub_federation::traits::Object;
use serde_json::{Value, json};
use url::Url;

/// Types of objects stored as posts (Mastodon's list: notes, and what it converts to notes).
pub const POST_TYPES: &[&str] = &[
    "Note", "Article", "Page", "Question", "Event", "Video", "Audio", "Image",
];

/// `Create(Note)` or `Update(Note)` of a post: by its author, addressed as the post is,
/// published when the post was (a `Create`) or when it was edited (an `Update`: the object's
/// `updated`, else now; never the original publication, which would date the edit back).
pub fn create_or_update(kind: &str, note: Value) -> AppResult<Activity> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    // The author: `actor` when `attributedTo` names the group (an event written in one).
    let actor = note["actor"]
        .as_str()
        .or_else(|| note["attributedTo"].as_str())
        .unwrap_or_default()
        .to_string();
    let id = note["id"].as_str().unwrap_or_default();
    let activity_id = if kind == "Create" {
        format!("{id}/activity")
    } else {
        format!("{id}#updates/{}", crate::clock::now())
    };
    let (to, cc) = (strings(&note["to"]), strings(&note["cc"]));
    let time = |field: &str| {
        note[field]
            .as_str()
            .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
            .map(|p| p.with_timezone(&chrono::Utc))
    };
    let published = if kind == "Create" {
        time("published")
    } else {
        time("updated")
    };
    let mut activity =
        Activity::new(&activity_id, kind, &actor, note, to, cc).map_err(AppError::internal)?;
    if published.is_some() {
        activity.published = published;
    }
    Ok(activity)
}

/// `Delete(Tombstone)` of a post, saying what it was (`formerType`: `Note` or `Event`), as
/// Gancio needs to delete an event and Mobilizon and Pleroma send.
fn delete(
    actor: &str,
    uri: &str,
    former_type: &str,
    to: Vec<String>,
    cc: Vec<String>,
) -> AppResult<Activity> {
    Activity::new(
        &format!("{uri}#delete"),
        "Delete",
        actor,
        json!({ "id": uri, "type": "Tombstone", "formerType": former_type, "atomUri": uri }),
        to,
        cc,
    )
    .map_err(AppError::internal)
}

/// A moderator's `Delete` of a post in a group (announced by the group): by the moderator,
/// with the group as its audience, addressed like the circle the post was in (Lemmy refuses a
/// removal that is not public: `to` the public for a public post, the group in `cc`), and a
/// `summary` (the reason, empty), which marks it for Lemmy as a moderator's removal rather
/// than the author's own deletion.
pub(super) fn removal(
    moderator: &str,
    group: &GroupAddress,
    circle: Circle,
    status_id: i64,
    uri: &str,
) -> AppResult<Activity> {
    let to = render::circle_readers(circle, group);
    let mut activity = delete(moderator, uri, "Note", to, vec![group.uri.clone()])?;
    activity.id =
        Url::parse(&format!("{}#removals/{status_id}", group.uri)).map_err(AppError::internal)?;
    activity.audience = json!(group.uri);
    activity.summary = Some(String::new());
    Ok(activity)
}

pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    Ok(match outgoing {
        Outgoing::CreateStatus { status_id } | Outgoing::UpdateStatus { status_id } => {
            let Some(status) = db::statuses::by_id(state.pool(), *status_id).await? else {
                return Ok(None);
            };
            let Some(author) = account(state, status.account_id).await? else {
                return Ok(None);
            };
            let mentioned = mentioned_accounts(state, status.id).await?;
            let tags: Vec<String> = db::statuses::tags_of(state.pool(), &[status.id])
                .await?
                .into_iter()
                .map(|(_, t)| t)
                .collect();
            let group = match status.group_id {
                Some(g) => load_group(state, g).await?,
                None => None,
            };
            let media = db::media::of_statuses(state.pool(), &[status.id]).await?;
            let note = render::note(
                state,
                &status,
                &render::NoteParts {
                    author: &author,
                    mentioned: &mentioned,
                    tags: &tags,
                    group: group.as_ref().map(|(_, _, a)| a),
                    media: &media,
                },
            )
            .map_err(AppError::internal)?;
            let note = as_event(state, note, &status).await?;
            let kind = if matches!(outgoing, Outgoing::CreateStatus { .. }) {
                "Create"
            } else {
                "Update"
            };
            let visibility = status.visibility;
            let mut inboxes = match (status.group_id, status.circle) {
                (Some(g), Some(c)) => {
                    // A new post in a local group reaches its circle through the group's
                    // Announce; an edit goes to the circle directly.
                    let include_circle = kind == "Update";
                    group_post_inboxes(state, &status, g, c, &mentioned, include_circle).await?
                }
                _ => {
                    post_inboxes(
                        state,
                        author.id,
                        visibility,
                        &mentioned,
                        status.in_reply_to_account_id,
                    )
                    .await?
                }
            };
            // An event's changes (a cancellation) reach its participants elsewhere, followers
            // or not.
            // Only those who may still read it: a closed circle's event goes to its
            // participants inside the circle, never to one who left it (docs/SECURITY.md,
            // rule T9).
            if kind == "Update" {
                let public = visibility.is_public();
                for (account_id, inbox) in
                    db::events::remote_participant_inboxes(state.pool(), status.id).await?
                {
                    if inboxes.contains(&inbox)
                        || (!public && !posts::can_see(state, Some(account_id), &status).await?)
                    {
                        continue;
                    }
                    inboxes.push(inbox);
                }
            }
            Some(Prepared {
                actor_id: author.id,
                body: create_or_update(kind, note)?.to_json(),
                inboxes,
            })
        }
        Outgoing::DeleteStatus {
            account_id,
            uri,
            visibility,
            mentioned,
            in_reply_to_account_id,
            group_id,
            circle,
            was_event,
        } => {
            let Some(author) = account(state, *account_id).await? else {
                return Ok(None);
            };
            let mentioned = db::accounts::by_ids(state.pool(), mentioned).await?;
            let visibility = *visibility;
            let followers = render::actor_urls(&author).followers;
            let mention_uris: Vec<String> = mentioned.iter().map(|a| a.uri.clone()).collect();
            let group = match group_id {
                Some(g) => load_group(state, *g).await?,
                None => None,
            };
            let (to, cc, inboxes) = match (group, *circle) {
                (Some((g, _, address)), Some(c)) => {
                    let (to, cc) = render::group_addressing(c, &address, &followers, &mention_uris);
                    let mut inboxes = if g.is_local() {
                        circle_inboxes(state, g.id, c).await?
                    } else {
                        shared_inbox_of(&g).into_iter().collect()
                    };
                    if c == Circle::Public {
                        inboxes.extend(
                            post_inboxes(
                                state,
                                author.id,
                                Visibility::Public,
                                &mentioned,
                                *in_reply_to_account_id,
                            )
                            .await?,
                        );
                    }
                    (to, cc, inboxes)
                }
                _ => {
                    let (to, cc) = render::addressing(visibility, &followers, &mention_uris);
                    let inboxes = post_inboxes(
                        state,
                        author.id,
                        visibility,
                        &mentioned,
                        *in_reply_to_account_id,
                    )
                    .await?;
                    (to, cc, inboxes)
                }
            };
            Some(Prepared {
                actor_id: author.id,
                body: delete(
                    &author.uri,
                    uri,
                    if *was_event { "Event" } else { "Note" },
                    to,
                    cc,
                )?
                .to_json(),
                inboxes,
            })
        }
        _ => None,
    })
}

/// Whether a post concerns this server: someone here follows its author, it names someone here,
/// or it answers a post we have.
async fn is_relevant(state: &AppState, author: &AccountRow, note: &protocol::Note) -> Result<bool> {
    if db::social::has_local_followers(state.pool(), author.id).await? {
        return Ok(true);
    }
    if addresses_us(state.config.public_url.as_str(), note) {
        return Ok(true);
    }
    if let Some(parent) = &note.in_reply_to
        && db::statuses::by_uri(state.pool(), parent.as_str())
            .await?
            .is_some()
    {
        return Ok(true);
    }
    // A public post with a hashtag someone here follows: it goes to their home timelines.
    let followed = db::tags::followed_here(state.pool(), &objects::hashtags(note)).await?;
    Ok(!objects::followed_hashtags(note, |t| followed.iter().any(|f| f == t)).is_empty())
}

/// Whether a post is addressed to, or mentions, an actor of this server.
pub fn addresses_us(ours: &str, note: &protocol::Note) -> bool {
    note.to
        .iter()
        .chain(note.cc.iter())
        .any(|a| a.starts_with(ours))
        || note
            .tag
            .iter()
            .any(|t| t.href.as_deref().is_some_and(|h| h.starts_with(ours)))
}

/// Reads an embedded object as a post.
pub fn parse_note(object: &Value) -> Result<protocol::Note> {
    if protocol::depth(object) > protocol::MAX_NESTING {
        return Err(permanent("nested too deeply"));
    }
    serde_json::from_value(object.clone())
        .map_err(|e| permanent(&format!("unreadable object: {e}")))
}

/// A remote post arrives.
pub(super) async fn created(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    let Some(kind) = activity.object_type() else {
        return Ok(Outcome::Ignored("a Create must embed its object"));
    };
    if !POST_TYPES.contains(&kind) {
        return Ok(Outcome::Ignored("objects of this type are not stored"));
    }
    let note = parse_note(&activity.object)?;
    check_authorship(&actor.uri, &note)?;
    if let Some(vote) = super::poll::received(state, actor, &note).await? {
        return Ok(vote);
    }
    if db::statuses::is_tombstoned(state.pool(), note.id.as_str()).await? {
        return Ok(Outcome::Ignored("the post was deleted"));
    }
    if db::statuses::by_uri(state.pool(), note.id.as_str())
        .await?
        .is_some()
    {
        return Ok(Outcome::Ignored("the post is already here"));
    }
    if !is_relevant(state, actor, &note).await? {
        return Ok(Outcome::Ignored(
            "nobody here follows the author or is addressed",
        ));
    }
    let data = crate::federation::data(state);
    let url = note.id.clone();
    ApNote::verify(&note, &url, &data).await?;
    // A post written in a group here is passed on as this very activity (FEP-1b12).
    if addresses_us(state.config.public_url.as_str(), &note) {
        db::peers::remember_create(state.pool(), note.id.as_str(), activity.id.as_str()).await?;
    }
    // The actor is the author (checked above): no need to look it up again.
    objects::store_note(&data, note, actor).await?;
    Ok(Outcome::Applied("post stored"))
}

/// Whether the actor wrote the post, on its own server.
pub fn check_authorship(actor: &str, note: &protocol::Note) -> Result<()> {
    let actor_url = Url::parse(actor).map_err(|_| permanent("invalid actor"))?;
    if !same_origin(&note.id, &actor_url) {
        return Err(permanent("the object id is not on the actor's server"));
    }
    match note.author() {
        Some(author) if author.as_str() == actor => Ok(()),
        _ => Err(permanent("the actor is not the author")),
    }
}

/// A remote post changed.
pub(super) async fn updated(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    match activity.object_type() {
        Some(kind) if POST_TYPES.contains(&kind) => {
            let note = parse_note(&activity.object)?;
            check_authorship(&actor.uri, &note)?;
            apply_update(state, actor, &note, activity.id.as_str()).await
        }
        _ => Ok(Outcome::Ignored(
            "updates of this kind of object have no effect here",
        )),
    }
}

/// An edit of a remote post, once the note is known to be its author's (`actor`), as its own
/// server gives it (rules T2, T4); `update_uri` is the id of the `Update`.
pub(super) async fn apply_update(
    state: &AppState,
    actor: &AccountRow,
    note: &protocol::Note,
    update_uri: &str,
) -> Result<Outcome> {
    // A poll's new counts come in an `Update` that changes nothing else (without `updated`, or
    // the same): not an edit (as Mastodon's implicit update), and kept even when the post is
    // not newer.
    let poll = super::poll::read(note).is_some_and(|p| p.is_ok());
    let updated = if poll && note.updated.is_none() {
        false
    } else {
        let post = objects::remote_status(state, note, actor).await?;
        posts::update_remote(state, post, update_uri).await?
    };
    let row = db::statuses::by_uri(state.pool(), note.id.as_str()).await?;
    if let Some(row) = &row
        && poll
        && row.account_id == actor.id
    {
        super::poll::store_remote(state, note, row).await?;
    }
    if updated {
        if let Some(row) = row {
            objects::store_event_data(state, note, &row).await?;
        }
        Ok(Outcome::Applied("post updated"))
    } else if poll && row.is_some_and(|r| r.account_id == actor.id) {
        Ok(Outcome::Applied("poll counts updated"))
    } else {
        Ok(Outcome::Ignored(
            "update of a post unknown here, or older than the version we have",
        ))
    }
}

/// A remote post deleted (or, by a group, removed from it).
pub(super) async fn deleted(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    let Some(object_id) = activity.object_id() else {
        return Err(permanent("a Delete needs an object"));
    };
    let object_url = Url::parse(object_id).map_err(|_| permanent("invalid object id"))?;
    let actor_url = Url::parse(&actor.uri).map_err(|_| permanent("invalid actor"))?;
    if actor.actor_type == "Group"
        && let Some(group) = groups::load(state, actor.id).await?
    {
        // A group deleting what is not its own post: its moderators removing a post written
        // in it, by someone of its server or another.
        let stored = db::statuses::by_uri(state.pool(), object_id).await?;
        let own = stored.as_ref().is_some_and(|s| s.account_id == actor.id);
        if !own && (!same_origin(&object_url, &actor_url) || stored.is_some()) {
            return super::group_post::removal_received(state, &group, object_id).await;
        }
    }
    if !same_origin(&object_url, &actor_url) {
        return Err(permanent(
            "an actor may only delete objects of its own server",
        ));
    }
    posts::delete_remote(state, object_id, actor).await?;
    Ok(Outcome::Applied("post deleted"))
}
