//! What a group passes on to its circles (FEP-1b12): its `Announce` of the author's `Create` of
//! a post placed in it (and of the author's `Update` of a remote one), of a moderator's
//! removal, and for Mastodon a plain `Announce(Note)` of a public post (it ignores
//! `Announce(Create)`) with its `Undo` on removal, to the servers that do not read the
//! `Announce` of an activity. Received from a group: its `Announce` of a post, of an edit, of a
//! removal, and of the `Undo` of a removal.

use super::audience::{
    account, as_event, both, circle_inboxes, inbox_of, load_group, mentioned_accounts,
};
use super::follow::undo;
use super::lookup::fetch_note;
use super::post::{
    POST_TYPES, apply_update, check_authorship, create_or_update, parse_note, removal,
};
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow},
    domain::{Circle, Visibility},
    error::{AppError, AppResult},
    federation::{
        objects::ApNote,
        protocol::{self, Activity, PUBLIC, same_origin},
        receive::{Failure, Outcome, permanent},
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
    let to = render::circle_readers(circle, group);
    let cc = match circle {
        Circle::Public => vec![group.followers.clone()],
        Circle::Sympathizers | Circle::Members => Vec::new(),
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
        } => announce_post(state, *group_id, *status_id, None).await?,
        Outgoing::GroupAnnounceUpdate {
            group_id,
            status_id,
            activity_uri,
        } => announce_post(state, *group_id, *status_id, Some(activity_uri)).await?,
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
            let delete = removal(&moderator, &address, circle, *status_id, status_uri)?;
            let id = format!("{}#announces/{}/delete", group.uri, status_id);
            Some(Prepared {
                actor_id: group.id,
                body: announce(&id, &address, delete.embedded(), circle)?.to_json(),
                inboxes: circle_inboxes(state, group.id, circle).await?,
            })
        }
        Outgoing::RejectGroupPost {
            group_id,
            author_id,
            status_uri,
        } => {
            let Some((group, author)) = both(state, *group_id, *author_id).await? else {
                return Ok(None);
            };
            let Some(inbox) = inbox_of(&author) else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: group.id,
                body: refusal(&group.uri, &author.uri, status_uri)?.to_json(),
                inboxes: vec![inbox],
            })
        }
        _ => None,
    })
}

/// A group's `Reject` of the `Create` of a post it did not take in: to its author alone,
/// naming only the author, the post and the group (nothing of its circles or members).
fn refusal(group: &str, author: &str, status_uri: &str) -> AppResult<Activity> {
    let id = format!(
        "{group}#rejects/{}",
        crate::crypto::sha256_hex(status_uri.as_bytes())
    );
    let object = json!({ "type": "Create", "actor": author, "object": status_uri });
    Activity::new(
        &id,
        "Reject",
        group,
        object,
        vec![author.to_string()],
        Vec::new(),
    )
    .map_err(AppError::internal)
}

/// A group's `Reject` of the `Create` of a post of ours written in it: it did not take the
/// post in, so it leaves the group's circles here (as a removal by the group: rule T6, the
/// post itself stays its author's). `None` for any other answer.
pub(super) async fn rejected(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
    accept: bool,
) -> Result<Option<Outcome>> {
    if accept || actor.actor_type != "Group" || activity.object_type() != Some("Create") {
        return Ok(None);
    }
    let Some(uri) = activity.object.get("object").and_then(protocol::id_of) else {
        return Err(permanent("a Reject of a Create needs the post"));
    };
    let Some(group) = groups::load(state, actor.id).await? else {
        return Ok(None);
    };
    if !Url::parse(uri).is_ok_and(|u| state.config.is_local_url(&u)) {
        return Ok(Some(Outcome::Ignored(
            "a group refuses only our posts to us",
        )));
    }
    removal_received(state, &group, uri).await.map(Some)
}

/// A group's `Announce` of a post placed in it, to the circle it is in: of its author's
/// `Create` (`update`: `None`), or of the author's `Update` whose id is given.
async fn announce_post(
    state: &AppState,
    group_id: i64,
    status_id: i64,
    update: Option<&str>,
) -> AppResult<Option<Prepared>> {
    let Some(status) = db::statuses::by_id(state.pool(), status_id).await? else {
        return Ok(None);
    };
    let Some(circle) = db::groups::post_groups(state.pool(), status.id)
        .await?
        .into_iter()
        .find(|(g, _)| *g == group_id)
        .map(|(_, c)| c)
    else {
        return Ok(None);
    };
    let Some((group, _, address)) = load_group(state, group_id).await? else {
        return Ok(None);
    };
    let Some(activity) = announcement(state, &group, &address, &status, circle, update).await?
    else {
        return Ok(None);
    };
    Ok(Some(Prepared {
        actor_id: group.id,
        body: activity.to_json(),
        inboxes: circle_inboxes(state, group.id, circle).await?,
    }))
}

/// A local group's `Announce` of a post placed in its `circle`, as it is sent when the post
/// is placed (`update`: `None`; else the id of the author's `Update` it passes on) and as the
/// group's outbox lists it (`routes::outbox`); `None` when the author is gone.
pub(in crate::federation) async fn announcement(
    state: &AppState,
    group: &AccountRow,
    address: &GroupAddress,
    status: &db::statuses::StatusRow,
    circle: Circle,
    update: Option<&str>,
) -> AppResult<Option<Activity>> {
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
        status,
        &render::NoteParts {
            author: &author,
            mentioned: &mentioned,
            tags: &tags,
            group: own_group.as_ref(),
            media: &media,
        },
    )
    .map_err(AppError::internal)?;
    let note = as_event(state, note, status).await?;
    // FEP-1b12 as Lemmy reads it: the group announces its author's activity, whichever server
    // the author is on (Lemmy refuses the `Announce` of a bare note). A post from elsewhere
    // keeps the id of the activity that brought it, when it came by one (Lemmy skips an id it
    // already has); otherwise the id is the group's.
    let (kind, received, id) = match update {
        None => (
            "Create",
            match author.is_local() {
                true => None,
                false => db::peers::create_of(state.pool(), &status.uri).await?,
            },
            format!("{}#announces/{}", group.uri, status.id),
        ),
        Some(uri) => (
            "Update",
            Some(uri.to_string()),
            format!(
                "{}#announces/{}/updates/{}",
                group.uri,
                status.id,
                status.edited_at.unwrap_or_default()
            ),
        ),
    };
    let mut activity = create_or_update(kind, note)?;
    if let Some(received) = received {
        activity.id = Url::parse(&received).map_err(AppError::internal)?;
    } else if !author.is_local() {
        activity.id = Url::parse(&format!("{}#announces/{}/create", group.uri, status.id))
            .map_err(AppError::internal)?;
    }
    Ok(Some(announce(&id, address, activity.embedded(), circle)?))
}

/// Besides the main activity: a group's plain `Announce(Note)` of a public post, which
/// Mastodon displays (it ignores `Announce(Create)`), and its `Undo` when a moderator removes
/// the post. Only to the servers that need it: those that read the `Announce` of an activity
/// (Lemmy, which refuses the plain one) get none (`federation::peers`).
async fn plain(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    let (group_id, status_id, status_uri) = match outgoing {
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
            (*group_id, status.id, status.uri)
        }
        Outgoing::GroupRemove {
            group_id,
            status_id,
            status_uri,
            circle,
            ..
        } if *circle == Circle::Public => (*group_id, *status_id, status_uri.clone()),
        _ => return Ok(None),
    };
    let Some((group, _, address)) = load_group(state, group_id).await? else {
        return Ok(None);
    };
    let mut inboxes = db::social::remote_follower_inboxes(state.pool(), group.id).await?;
    inboxes.extend(db::groups::remote_member_inboxes(state.pool(), group.id).await?);
    let inboxes = crate::federation::peers::plain_announce_readers(state, inboxes).await?;
    if inboxes.is_empty() {
        return Ok(None);
    }
    let id = format!("{}#announces/{}/note", group.uri, status_id);
    let announce = announce(&id, &address, json!(status_uri), Circle::Public)?;
    let body = match outgoing {
        Outgoing::GroupRemove { .. } => undo(
            &group.uri,
            announce,
            vec![PUBLIC.to_string()],
            vec![address.followers.clone()],
        )?
        .to_json(),
        _ => announce.to_json(),
    };
    Ok(Some(Prepared {
        actor_id: group.id,
        body,
        inboxes,
    }))
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
    // Votes first: an `Undo` of a like is a vote's, not a restore.
    if super::like::is_vote(inner) {
        return super::like::announced(state, actor, inner).await;
    }
    if inner_type == Some("Update") {
        return announced_update(state, &group, inner).await;
    }
    if inner_type == Some("Undo") {
        return announced_undo(state, &group, inner).await;
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
                None => {
                    crate::federation::affiliation::learn_group(state, &group, &note_value).await;
                    fetch_note(state, note.id).await?
                }
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
    // Whether the post was written in this group, or is a federation's members-only post
    // passed on by a section it vouches for (one hop: it goes no further).
    let (circle, passed_on) = match placement(&group, &status) {
        Some(circle) => (circle, false),
        None if crate::federation::affiliation::passes_on(state, &group, &status).await? => {
            (Circle::Members, true)
        }
        None => {
            return Ok(Outcome::Ignored(
                "the post was not written in this group, and is not public",
            ));
        }
    };
    let mut tx = state.db.begin().await?;
    groups::distribute(&mut tx, &group, status.id, circle).await?;
    // A federation's members-only announcement goes on to the members of its sections here:
    // the local groups whose affiliation with it was decided (not any local group that
    // follows it, such as a federation of ours following a section back). Not a post this
    // group only passed on: its federation never approved those groups (rule T11).
    if circle == Circle::Members && !passed_on {
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

/// A group passes on an edit of a post placed in it (`Announce(Update)`, as Lemmy sends every
/// edit). Applied only as the author's own (rule T2: the `Update`'s actor is the post's author,
/// a remote one; a post of ours is edited here only), with the note from its own server (rule
/// T4: the embedded copy only when the group's server is the post's, else fetched from its id),
/// and only for a post this group placed. An edit never widens the audience (rule T10, kept by
/// `service::statuses::update_remote`).
async fn announced_update(
    state: &AppState,
    group: &groups::Group,
    update: &Value,
) -> Result<Outcome> {
    let object = update.get("object").cloned().unwrap_or(Value::Null);
    let (Some(actor), Some(uri)) = (
        update.get("actor").and_then(protocol::id_of),
        protocol::id_of(&object),
    ) else {
        return Err(permanent("an Update needs an actor and an object"));
    };
    let Some(status) = db::statuses::by_uri(state.pool(), uri).await? else {
        return Ok(Outcome::Ignored("update of a post unknown here"));
    };
    let placed = db::groups::post_groups(state.pool(), status.id)
        .await?
        .iter()
        .any(|(g, _)| *g == group.account.id);
    if !placed {
        return Ok(Outcome::Ignored("the edited post is not in this group"));
    }
    if status.local != 0 {
        return Ok(Outcome::Ignored(
            "a post of this server is edited here only",
        ));
    }
    let Some(author) = account(state, status.account_id).await? else {
        return Ok(Outcome::Ignored("the post's author is gone"));
    };
    if author.uri != actor {
        return Err(permanent("an actor may only edit its own posts"));
    }
    let url = Url::parse(uri).map_err(|_| permanent("invalid object id"))?;
    let group_url = Url::parse(&group.account.uri).map_err(|_| permanent("invalid group"))?;
    let note = if object.is_object() && same_origin(&url, &group_url) {
        parse_note(&object)?
    } else {
        fetch_fresh(state, url).await?
    };
    check_authorship(&author.uri, &note)?;
    let update_uri = update
        .get("id")
        .and_then(protocol::id_of)
        .unwrap_or(status.uri.as_str())
        .to_string();
    apply_update(state, &author, &note, &update_uri).await
}

/// A post read again from its own server, whatever copy we have (an edit).
async fn fetch_fresh(state: &AppState, url: Url) -> Result<protocol::Note> {
    if state.config.is_local_url(&url) {
        return Err(permanent("no post of this server has this id"));
    }
    let data = crate::federation::data(state);
    let fetched =
        activitypub_federation::fetch::fetch_object_http::<_, protocol::Note>(&url, &data)
            .await
            .map_err(|e| Failure::Retry(format!("the edited post could not be fetched: {e}")))?;
    ApNote::verify(&fetched.object, &fetched.url, &data).await?;
    if fetched.object.id != url {
        return Err(permanent("the fetched post is another one"));
    }
    Ok(fetched.object)
}

/// A group passes on an `Undo`: of a moderator's removal (`Undo(Delete)` with the removal's
/// `summary`, Lemmy's restore), it places the post in the group again, and only that (rule
/// T6): the post is ours, or read again from its own server (rule T4), and goes back only in
/// the circle the group may place it in (rule T5). The author's own deletion is undone by the
/// author's server alone; any other `Undo` passed on by a group does nothing here.
async fn announced_undo(state: &AppState, group: &groups::Group, undo: &Value) -> Result<Outcome> {
    let undone = undo.get("object").cloned().unwrap_or(Value::Null);
    if undone.get("type").and_then(Value::as_str) != Some("Delete") {
        return Ok(Outcome::Ignored(
            "announces of this kind of activity have no effect here",
        ));
    }
    let undo_actor = undo.get("actor").and_then(protocol::id_of);
    if undo_actor.is_none() || undo_actor != undone.get("actor").and_then(protocol::id_of) {
        return Err(permanent("an actor may only undo its own activities"));
    }
    if undone.get("summary").is_none() {
        return Ok(Outcome::Ignored(
            "only a moderator's removal is undone by its group",
        ));
    }
    let Some(uri) = undone.get("object").and_then(protocol::id_of) else {
        return Err(permanent("a Delete needs an object"));
    };
    let url = Url::parse(uri).map_err(|_| permanent("invalid object id"))?;
    let status = match db::statuses::by_uri(state.pool(), uri).await? {
        Some(s) => s,
        None if state.config.is_local_url(&url) => {
            return Ok(Outcome::Ignored("the post was deleted by its author"));
        }
        None => {
            // The removal deleted here a post written in the group; only its own server says
            // whether it exists. A tombstone is lifted only for a post of the group's own
            // server (the one that wrote it), and written again if that server does not serve
            // the post.
            let group_url =
                Url::parse(&group.account.uri).map_err(|_| permanent("invalid group"))?;
            let tombstoned = db::statuses::is_tombstoned(state.pool(), uri).await?;
            if tombstoned && !same_origin(&url, &group_url) {
                return Ok(Outcome::Ignored("the post was deleted by its author"));
            }
            if tombstoned {
                db::statuses::remove_tombstone(state.pool(), uri).await?;
            }
            match fetch_note(state, url).await {
                Ok(s) => s,
                Err(e) => {
                    if tombstoned {
                        let mut conn = state.pool().acquire().await?;
                        db::statuses::add_tombstone(&mut conn, uri, crate::clock::now()).await?;
                    }
                    return Err(e);
                }
            }
        }
    };
    let Some(circle) = placement(group, &status) else {
        return Ok(Outcome::Ignored(
            "the post was not written in this group, and is not public",
        ));
    };
    let mut tx = state.db.begin().await?;
    groups::distribute(&mut tx, group, status.id, circle).await?;
    tx.commit().await?;
    Ok(Outcome::Applied("post placed in the group again"))
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

/// The most items of a group's outbox read back when someone here starts following it.
pub const READ_BACK_ITEMS: usize = 20;

/// A remote group's recent public posts, read back once when a follow or membership of it is
/// accepted here (a local person's, or a local section's affiliation): the first page of its
/// outbox on its own server, at most [`READ_BACK_ITEMS`] items, each the group's `Announce`
/// taken in by the same path as a live one ([`announced`]): the post read only from its own
/// server (rule T4), placed only when written in the group or public (rule T5). Removals and
/// other activities in the outbox are left alone. How many posts were taken in.
pub(super) async fn read_back(state: &AppState, group: &AccountRow) -> usize {
    let (Some(outbox), Some(domain)) = (group.outbox_url.as_deref(), group.domain.as_deref())
    else {
        return 0;
    };
    let Some(items) = super::lookup::first_page(state, outbox, domain).await else {
        return 0;
    };
    let mut taken = 0;
    for item in items.iter().filter(|i| i.is_object()).take(READ_BACK_ITEMS) {
        // The item must be the group's own activity, on its server, as if it had signed it.
        let Ok(activity) =
            crate::federation::receive::parse_activity(&group.uri, &item.to_string())
        else {
            continue;
        };
        if activity.kind != "Announce" || activity.object_type() == Some("Delete") {
            continue;
        }
        match announced(state, group, &activity).await {
            Ok(Outcome::Applied(_)) => taken += 1,
            Ok(_) => {}
            Err(e) => tracing::debug!(group = %group.uri, error = ?e, "outbox item not taken in"),
        }
    }
    taken
}

/// Starts [`read_back`] of a remote group in the background: called once per follow or
/// membership of it accepted here (a pending one, so that a group repeating its `Accept`
/// starts nothing more), it never holds up the inbox worker.
pub(super) fn read_back_later(state: &AppState, group: &AccountRow) {
    if group.actor_type != "Group" || group.is_local() {
        return;
    }
    let (state, group) = (state.clone(), group.clone());
    tokio::spawn(async move {
        let taken = read_back(&state, &group).await;
        tracing::debug!(group = %group.uri, taken, "group outbox read back");
    });
}
