//! What an incoming activity does, type by type. Called by the inbox worker on activities
//! already stored and whose signature was checked; each handler checks that the actor may do
//! what it claims (its own objects, addressed to us) and calls a service.
//!
//! Every activity ends in an [`Outcome`]: applied, or ignored with a reason. Failures that may
//! pass (a peer that does not answer) are retried; the others are not.

use super::{
    objects::{self, ApAccount, ApNote},
    protocol::{self, Activity, same_origin},
};
use crate::{
    db::{self, accounts::AccountRow},
    domain::Circle,
    domain::event::ParticipationState,
    error::AppError,
    service::{groups, relationships, statuses as posts},
    state::AppState,
};
use activitypub_federation::{fetch::object_id::ObjectId, traits::Object};
use serde_json::Value;
use url::Url;

/// What became of an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It took effect.
    Applied(&'static str),
    /// It was understood and deliberately left without effect, for this reason.
    Ignored(&'static str),
}

/// Why processing failed.
#[derive(Debug)]
pub enum Failure {
    /// Worth trying again later (a peer did not answer, a fetch failed).
    Retry(String),
    /// Will never work (malformed, forbidden).
    Permanent(String),
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        let message = format!(
            "{}{}",
            e.message(crate::domain::Locale::En),
            e.source
                .as_ref()
                .map(|s| format!(": {s:#}"))
                .unwrap_or_default()
        );
        if e.status.is_server_error() || e.status == axum::http::StatusCode::TOO_MANY_REQUESTS {
            Failure::Retry(message)
        } else {
            Failure::Permanent(message)
        }
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure::Retry(e.to_string())
    }
}

type Result<T> = std::result::Result<T, Failure>;

fn permanent(why: &str) -> Failure {
    Failure::Permanent(why.to_string())
}

/// Processes one activity received from `signer`.
pub async fn process(state: &AppState, signer: &str, body: &str) -> Result<Outcome> {
    let activity = parse_activity(signer, body)?;
    let Some(actor) = db::accounts::by_uri(state.pool(), signer).await? else {
        return Err(Failure::Retry("the signer is not stored".into()));
    };
    dispatch(state, &actor, &activity).await
}

/// Reads a stored activity and checks that its signer is its actor, on its server.
pub fn parse_activity(signer: &str, body: &str) -> Result<Activity> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| permanent(&format!("not JSON: {e}")))?;
    if protocol::depth(&value) > protocol::MAX_NESTING {
        return Err(permanent("nested too deeply"));
    }
    let activity: Activity =
        serde_json::from_value(value).map_err(|e| permanent(&format!("not an activity: {e}")))?;
    if activity.actor.as_str() != signer {
        return Err(permanent("the actor is not the signer"));
    }
    if !same_origin(&activity.id, &activity.actor) {
        return Err(permanent("the activity id is not on the actor's server"));
    }
    Ok(activity)
}

/// Routes an activity by type. Public for the fixture tests, which store actors themselves.
pub async fn dispatch(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    match activity.kind.as_str() {
        "Follow" => follow(state, actor, activity).await,
        "Accept" => accept_or_reject(state, actor, activity, true).await,
        "Reject" => accept_or_reject(state, actor, activity, false).await,
        "Undo" => undo(state, actor, activity).await,
        "Create" => create(state, actor, activity).await,
        "Update" => update(state, actor, activity).await,
        "Delete" => delete(state, actor, activity).await,
        "Like" => like(state, actor, activity).await,
        "Announce" => announce(state, actor, activity).await,
        "Block" => block(state, actor, activity).await,
        "Dislike" => Ok(Outcome::Ignored("dislikes are not counted")),
        "EmojiReact" => Ok(Outcome::Ignored("emoji reactions are not supported")),
        "Flag" => Ok(Outcome::Ignored(
            "reports from other servers are not handled yet",
        )),
        "Move" => Ok(Outcome::Ignored("account moves are not supported")),
        "Add" => Ok(Outcome::Ignored(
            "featured collections and moderator lists are not kept",
        )),
        "Remove" => remove(state, actor, activity).await,
        "Lock" => Ok(Outcome::Ignored(
            "thread locks are kept by the group's own server",
        )),
        "Join" => join(state, actor, activity).await,
        "Leave" => leave(state, actor, activity.object_id()).await,
        "Invite" => invite(state, actor, activity).await,
        _ => Ok(Outcome::Ignored("unknown activity type")),
    }
}

/// A local actor an object id names, if it is one of ours.
async fn local_actor(state: &AppState, id: Option<&str>) -> Result<Option<AccountRow>> {
    let Some(id) = id else { return Ok(None) };
    Ok(db::accounts::by_uri(state.pool(), id)
        .await?
        .filter(|a| a.is_local() && a.deleted_at.is_none() && a.actor_type != "Application"))
}

async fn follow(state: &AppState, actor: &AccountRow, activity: &Activity) -> Result<Outcome> {
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

async fn accept_or_reject(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
    accept: bool,
) -> Result<Outcome> {
    if let Some(p) = find_event_join(state, &activity.object).await? {
        // Only the event's organizer (its author) answers, about a local person's request.
        let organizer = db::statuses::by_id(state.pool(), p.event_id)
            .await?
            .map(|s| s.account_id);
        if organizer != Some(actor.id) {
            return Err(permanent("only the event's organizer may answer a Join"));
        }
        crate::service::events::answered(state, &p, accept).await?;
        return Ok(Outcome::Applied(if accept {
            "participation accepted by the organizer"
        } else {
            "participation refused by the organizer"
        }));
    }
    if let Some(m) = find_join(state, &activity.object, actor).await? {
        // Only the group may answer, and only about a local person's request.
        if m.group_id != actor.id {
            return Err(permanent("only the group may answer a request to join it"));
        }
        if m.state != crate::domain::MembershipState::Pending && accept {
            return Ok(Outcome::Ignored(
                "the membership is not waiting for an answer",
            ));
        }
        groups::join_answered(state, &m, accept).await?;
        return Ok(Outcome::Applied(if accept {
            "membership accepted by the group"
        } else {
            "membership refused by the group"
        }));
    }
    let Some(follow) = find_follow(state, &activity.object, None, Some(actor)).await? else {
        return Ok(Outcome::Ignored("no such follow request here"));
    };
    // Only the followed account may answer, and only about a local follower.
    if follow.target_account_id != actor.id {
        return Err(permanent("only the followed account may answer a follow"));
    }
    if accept {
        relationships::accept_received(state, &follow).await?;
        Ok(Outcome::Applied("follow accepted by the remote account"))
    } else {
        relationships::reject_received(state, &follow).await?;
        Ok(Outcome::Applied("follow refused by the remote account"))
    }
}

async fn undo(state: &AppState, actor: &AccountRow, activity: &Activity) -> Result<Outcome> {
    let inner = &activity.object;
    let inner_type = inner.get("type").and_then(Value::as_str);
    let inner_id = protocol::id_of(inner);
    if inner_type == Some("Join") {
        return leave(state, actor, inner.get("object").and_then(protocol::id_of)).await;
    }
    // The undone activity must be the actor's own.
    if let Some(inner_actor) = inner.get("actor").and_then(protocol::id_of)
        && inner_actor != actor.uri
    {
        return Err(permanent("an actor may only undo its own activities"));
    }
    let undoes_follow = inner_type == Some("Follow")
        || (inner_type.is_none() && is_follow(state, inner_id).await?);
    if undoes_follow {
        let target = local_actor(state, inner.get("object").and_then(protocol::id_of)).await?;
        return match find_follow(state, inner, Some(actor), target.as_ref()).await? {
            Some(f) if f.account_id == actor.id => {
                relationships::undo_follow_received(state, &f).await?;
                Ok(Outcome::Applied("follow withdrawn"))
            }
            _ => Ok(Outcome::Ignored("no such follow here")),
        };
    }
    match inner_type {
        Some("Like") => {
            let status_uri = inner.get("object").and_then(protocol::id_of);
            posts::unfavourite_remote(state, actor.id, inner_id, status_uri).await?;
            Ok(Outcome::Applied("like withdrawn"))
        }
        Some("Announce") => match inner_id {
            Some(uri) => {
                posts::delete_remote(state, uri, actor).await?;
                Ok(Outcome::Applied("boost withdrawn"))
            }
            None => Err(permanent("an undone boost needs its id")),
        },
        Some("Block") => {
            let target = db::accounts::by_uri(
                state.pool(),
                inner
                    .get("object")
                    .and_then(protocol::id_of)
                    .unwrap_or_default(),
            )
            .await?;
            let target_id = target.map(|t| t.id).unwrap_or(0);
            relationships::unblock_received(state, actor, target_id, inner_id).await?;
            Ok(Outcome::Applied("block lifted"))
        }
        None => {
            // Only the id was given: find what it named.
            if let Some(uri) = inner_id {
                if db::statuses::favourite_by_uri(state.pool(), uri)
                    .await?
                    .is_some()
                {
                    posts::unfavourite_remote(state, actor.id, Some(uri), None).await?;
                    return Ok(Outcome::Applied("like withdrawn"));
                }
                if db::statuses::by_uri(state.pool(), uri)
                    .await?
                    .is_some_and(|s| s.reblog_of_id.is_some())
                {
                    posts::delete_remote(state, uri, actor).await?;
                    return Ok(Outcome::Applied("boost withdrawn"));
                }
                if db::social::block_by_uri(state.pool(), uri).await?.is_some() {
                    relationships::unblock_received(state, actor, 0, Some(uri)).await?;
                    return Ok(Outcome::Applied("block lifted"));
                }
            }
            Ok(Outcome::Ignored("nothing here matches what was undone"))
        }
        Some(_) => Ok(Outcome::Ignored(
            "undoing this kind of activity has no effect here",
        )),
    }
}

async fn is_follow(state: &AppState, id: Option<&str>) -> Result<bool> {
    Ok(match id {
        Some(id) => db::social::follow_by_uri(state.pool(), id).await?.is_some(),
        None => false,
    })
}

/// Types of objects stored as posts (Mastodon's list: notes, and what it converts to notes).
pub(super) const POST_TYPES: &[&str] = &[
    "Note", "Article", "Page", "Question", "Event", "Video", "Audio", "Image",
];

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
    Ok(false)
}

/// Whether a post is addressed to, or mentions, an actor of this server.
pub(super) fn addresses_us(ours: &str, note: &protocol::Note) -> bool {
    note.to
        .iter()
        .chain(note.cc.iter())
        .any(|a| a.starts_with(ours))
        || note
            .tag
            .iter()
            .any(|t| t.href.as_deref().is_some_and(|h| h.starts_with(ours)))
}

pub fn parse_note(object: &Value) -> Result<protocol::Note> {
    if protocol::depth(object) > protocol::MAX_NESTING {
        return Err(permanent("nested too deeply"));
    }
    serde_json::from_value(object.clone())
        .map_err(|e| permanent(&format!("unreadable object: {e}")))
}

async fn create(state: &AppState, actor: &AccountRow, activity: &Activity) -> Result<Outcome> {
    let Some(kind) = activity.object_type() else {
        return Ok(Outcome::Ignored("a Create must embed its object"));
    };
    if !POST_TYPES.contains(&kind) {
        return Ok(Outcome::Ignored("objects of this type are not stored"));
    }
    let note = parse_note(&activity.object)?;
    check_authorship(&actor.uri, &note)?;
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
    let data = state.fed();
    let url = note.id.clone();
    ApNote::verify(&note, &url, &data).await?;
    // The actor is the author (checked above): no need to look it up again.
    objects::store_note(&data, note, actor).await?;
    Ok(Outcome::Applied("post stored"))
}

pub(super) fn check_authorship(actor: &str, note: &protocol::Note) -> Result<()> {
    let actor_url = Url::parse(actor).map_err(|_| permanent("invalid actor"))?;
    if !same_origin(&note.id, &actor_url) {
        return Err(permanent("the object id is not on the actor's server"));
    }
    match &note.attributed_to {
        Some(author) if author.as_str() == actor => Ok(()),
        _ => Err(permanent("the actor is not the author")),
    }
}

async fn update(state: &AppState, actor: &AccountRow, activity: &Activity) -> Result<Outcome> {
    match activity.object_type() {
        Some(kind) if POST_TYPES.contains(&kind) => {
            let note = parse_note(&activity.object)?;
            check_authorship(&actor.uri, &note)?;
            let post = objects::remote_status(state, &note, actor).await?;
            if posts::update_remote(state, post).await? {
                if let Some(row) = db::statuses::by_uri(state.pool(), note.id.as_str()).await? {
                    objects::store_event_data(state, &note, &row).await?;
                }
                Ok(Outcome::Applied("post updated"))
            } else {
                Ok(Outcome::Ignored(
                    "update of a post unknown here, or older than the version we have",
                ))
            }
        }
        Some("Person" | "Service" | "Application" | "Group" | "Organization") => {
            if activity.object_id() != Some(actor.uri.as_str()) {
                return Err(permanent("an actor may only update itself"));
            }
            let json: protocol::Actor = serde_json::from_value(activity.object.clone())
                .map_err(|e| permanent(&format!("unreadable actor: {e}")))?;
            let data = state.fed();
            let url = json.id.clone();
            ApAccount::verify(&json, &url, &data).await?;
            ApAccount::from_json(json, &data).await?;
            Ok(Outcome::Applied("profile updated"))
        }
        _ => Ok(Outcome::Ignored(
            "updates of this kind of object have no effect here",
        )),
    }
}

async fn delete(state: &AppState, actor: &AccountRow, activity: &Activity) -> Result<Outcome> {
    let Some(object_id) = activity.object_id() else {
        return Err(permanent("a Delete needs an object"));
    };
    if object_id == actor.uri {
        let account = ApAccount::new(actor.clone())?;
        account.delete(&state.fed()).await?;
        return Ok(Outcome::Applied("account deleted with its posts"));
    }
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
            return group_removal(state, &group, object_id).await;
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

async fn like(state: &AppState, actor: &AccountRow, activity: &Activity) -> Result<Outcome> {
    let Some(object) = activity.object_id() else {
        return Err(permanent("a Like needs an object"));
    };
    let Some(status) = db::statuses::by_uri(state.pool(), object).await? else {
        return Ok(Outcome::Ignored("the liked post is not here"));
    };
    if status.local == 0 {
        return Ok(Outcome::Ignored(
            "only likes of posts from this server are counted",
        ));
    }
    if !posts::can_see(state, Some(actor.id), &status).await? {
        return Ok(Outcome::Ignored(
            "the liked post is not visible to the actor",
        ));
    }
    posts::favourite_remote(state, actor.id, &status, activity.id.as_str()).await?;
    Ok(Outcome::Applied("like recorded"))
}

async fn announce(state: &AppState, actor: &AccountRow, activity: &Activity) -> Result<Outcome> {
    if actor.actor_type == "Group" {
        return group_announce(state, actor, activity).await;
    }
    if activity
        .object_type()
        .is_some_and(|t| !POST_TYPES.contains(&t))
    {
        // An Announce(Create(...)) from an actor that is not a group: FEP-1b12 is for groups.
        return Ok(Outcome::Ignored(
            "only groups announce activities (FEP-1b12)",
        ));
    }
    let Some(object) = activity.object_id() else {
        return Err(permanent("an Announce needs an object"));
    };
    let interested = db::social::has_local_followers(state.pool(), actor.id).await?;
    let known = db::statuses::by_uri(state.pool(), object).await?;
    let original = match known {
        Some(s) => s,
        None if interested => {
            // Fetch the boosted post from its own server: the boost's copy, if any, is not
            // trusted.
            let url = Url::parse(object).map_err(|_| permanent("invalid object id"))?;
            let data = state.fed();
            match ObjectId::<ApNote>::from(url).dereference(&data).await {
                Ok(note) => note.row,
                Err(e) if e.status.is_client_error() => {
                    return Ok(Outcome::Ignored("the boosted post could not be read"));
                }
                Err(e) => return Err(e.into()),
            }
        }
        None => return Ok(Outcome::Ignored("nobody here follows the booster")),
    };
    if original.local == 0 && !interested {
        return Ok(Outcome::Ignored("nobody here follows the booster"));
    }
    let published = activity
        .published
        .map(|p| p.timestamp_micros())
        .unwrap_or_else(crate::clock::now);
    posts::reblog_remote(state, actor.id, activity.id.as_str(), &original, published).await?;
    Ok(Outcome::Applied("boost recorded"))
}

async fn block(state: &AppState, actor: &AccountRow, activity: &Activity) -> Result<Outcome> {
    let Some(target) = local_actor(state, activity.object_id()).await? else {
        return Ok(Outcome::Ignored(
            "the blocked account is not on this server",
        ));
    };
    relationships::block_received(state, actor, &target, activity.id.as_str()).await?;
    Ok(Outcome::Applied("block recorded"))
}

/// The pending membership an `Accept`/`Reject` from a group answers: by the Join's id, or by
/// the embedded Join's actor.
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
    if object.get("type").and_then(Value::as_str) != Some("Join") {
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

/// The local person's participation an `Accept`/`Reject` answers: by the Join's id, or by
/// the embedded Join's actor and event.
async fn find_event_join(
    state: &AppState,
    object: &Value,
) -> Result<Option<db::events::ParticipantRow>> {
    if let Some(id) = protocol::id_of(object)
        && let Some(p) = db::events::participant_by_uri(state.pool(), id).await?
    {
        return Ok(Some(p));
    }
    if object.get("type").and_then(Value::as_str) != Some("Join") {
        return Ok(None);
    }
    let (Some(person), Some(event)) = (
        object.get("actor").and_then(protocol::id_of),
        object.get("object").and_then(protocol::id_of),
    ) else {
        return Ok(None);
    };
    let (Some(person), Some(event)) = (
        db::accounts::by_uri(state.pool(), person)
            .await?
            .filter(|a| a.is_local()),
        db::statuses::by_uri(state.pool(), event).await?,
    ) else {
        return Ok(None);
    };
    Ok(db::events::participant(state.pool(), event.id, person.id).await?)
}

/// A local group the object of an activity names.
async fn local_group(state: &AppState, id: Option<&str>) -> Result<Option<groups::Group>> {
    match local_actor(state, id).await? {
        Some(a) if a.actor_type == "Group" => Ok(groups::load(state, a.id).await?),
        _ => Ok(None),
    }
}

/// A local event the object of an activity names.
async fn local_event(
    state: &AppState,
    id: Option<&str>,
) -> Result<Option<crate::service::events::Event>> {
    let Some(id) = id else { return Ok(None) };
    let Some(status) = db::statuses::by_uri(state.pool(), id)
        .await?
        .filter(|s| s.local != 0)
    else {
        return Ok(None);
    };
    Ok(db::events::by_id(state.pool(), status.id)
        .await?
        .map(|row| crate::service::events::Event { status, row }))
}

/// The message sent with a `Join` (Mobilizon's `participationMessage`, or `content`).
fn join_message(activity: &Activity) -> String {
    activity
        .participation_message
        .as_deref()
        .or(activity.content.as_deref())
        .map(crate::domain::html::sanitize)
        .map(|m| crate::domain::html::to_plain_text(&m))
        .unwrap_or_default()
}

async fn join(state: &AppState, actor: &AccountRow, activity: &Activity) -> Result<Outcome> {
    if let Some(event) = local_event(state, activity.object_id()).await? {
        if actor.actor_type != "Person" {
            return Ok(Outcome::Ignored("only people take part in events"));
        }
        let outcome = crate::service::events::join_received(
            state,
            actor,
            &event,
            activity.id.as_str(),
            &join_message(activity),
        )
        .await?;
        return Ok(Outcome::Applied(match outcome {
            ParticipationState::Accepted => "taking part in the event",
            ParticipationState::Pending => "asking to take part, waiting for the organizers",
            ParticipationState::Waiting => "on the event's waiting list",
            ParticipationState::Rejected => "refused: the event is closed to this request",
            // A Join is an answer to an invitation, never one.
            ParticipationState::Invited => "invited",
        }));
    }
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

async fn leave(state: &AppState, actor: &AccountRow, object: Option<&str>) -> Result<Outcome> {
    if let Some(event) = local_event(state, object).await? {
        return Ok(
            if crate::service::events::leave_received(state, actor, &event).await? {
                Outcome::Applied("left the event")
            } else {
                Outcome::Ignored("not taking part in the event")
            },
        );
    }
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

/// An `Invite` to a group (Mobilizon's shape) or to an event (coopol's), from the group's or
/// event's own server, for a person here.
async fn invite(state: &AppState, actor: &AccountRow, activity: &Activity) -> Result<Outcome> {
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
    if let Some(event) = invited_event(state, group_uri, &group_url).await? {
        // Only the event's author, or the group organizing it, speaks for it.
        if actor.id != event.status.account_id && Some(actor.id) != event.row.organizer_id {
            return Ok(Outcome::Ignored("only the event's organizers invite to it"));
        }
        return Ok(
            if crate::service::events::invited_received(state, actor, &event, &invitee).await? {
                Outcome::Applied("invitation to the event recorded")
            } else {
                Outcome::Ignored("already taking part or invited")
            },
        );
    }
    let data = state.fed();
    let group = ObjectId::<ApAccount>::from(group_url)
        .dereference(&data)
        .await?;
    let Some(group) = groups::load(state, group.row.id).await? else {
        return Ok(Outcome::Ignored("the invitation is not to a group"));
    };
    groups::invited_by_group(state, &group, &invitee).await?;
    Ok(Outcome::Applied("invitation recorded"))
}

/// The event an `Invite` is about: known here, or fetched from its server when its object is
/// not a known group (an invitation may name an event not seen yet).
async fn invited_event(
    state: &AppState,
    uri: &str,
    url: &Url,
) -> Result<Option<crate::service::events::Event>> {
    let status = match db::statuses::by_uri(state.pool(), uri).await? {
        Some(s) => s,
        None if db::accounts::by_uri(state.pool(), uri).await?.is_some() => return Ok(None),
        None => match fetch_note(state, url.clone()).await {
            Ok(s) => s,
            // Not a post: the group path reads it.
            Err(_) => return Ok(None),
        },
    };
    Ok(db::events::by_id(state.pool(), status.id)
        .await?
        .map(|row| crate::service::events::Event { status, row }))
}

async fn remove(state: &AppState, actor: &AccountRow, activity: &Activity) -> Result<Outcome> {
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
async fn group_announce(
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
        return group_removal(state, &group, uri).await;
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
                    let data = state.fed();
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
async fn group_removal(state: &AppState, group: &groups::Group, uri: &str) -> Result<Outcome> {
    Ok(match groups::removed_remote(state, group, uri).await? {
        groups::Removal::Deleted => Outcome::Applied("post removed by its group"),
        groups::Removal::Unplaced => Outcome::Applied("post taken out of the group"),
        groups::Removal::NotHere => Outcome::Ignored("the removed post is not in the group"),
    })
}

/// Fetches a note from its own server (the copy in an activity is not trusted). An id of
/// ours is never fetched: it is here, or it does not exist.
async fn fetch_note(state: &AppState, url: Url) -> Result<db::statuses::StatusRow> {
    if state.config.is_local_url(&url) {
        return Err(permanent("no post of this server has this id"));
    }
    let data = state.fed();
    match ObjectId::<ApNote>::from(url).dereference(&data).await {
        Ok(note) => Ok(note.row),
        Err(e) if e.status.is_client_error() => {
            Err(permanent("the announced post could not be read"))
        }
        Err(e) => Err(e.into()),
    }
}
