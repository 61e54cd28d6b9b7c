//! One module per family of activities, each with both directions: how what a service
//! recorded ([`Outgoing`]) becomes the activity we send (`prepare`, rendering a typed
//! [`Activity`]), and what an incoming activity of that family does (`received`). The two
//! tables below register them; `outbox` and `receive` only call these tables.
//!
//! | module | activities |
//! |---|---|
//! | `post` | `Create`, `Update`, `Delete` of posts (notes, articles, events) |
//! | `follow` | `Follow`, its `Accept`, `Reject`, `Undo` |
//! | `like` | `Like`, `Undo(Like)` |
//! | `boost` | a person's `Announce`, `Undo(Announce)` |
//! | `block` | `Block`, `Undo(Block)` |
//! | `profile` | `Update` and `Delete` of an actor |
//! | `membership` | `Join`, `Leave`, `Accept`/`Reject(Join)`, `Invite`, `Remove` for groups |
//! | `participation` | the same for events (Mobilizon's participation) |
//! | `featured` | `Add`/`Remove` of pinned posts to an actor's `featured` collection |
//! | `group_post` | a group's `Announce` of what is posted in it, and of a removal (FEP-1b12) |
//! | `flag` | `Flag`: reports, forwarded from the instance actor and received into the queue |
//! | `moving` | `Move` of an account (a person or a group) to another (`alsoKnownAs`, `movedTo`) |
//!
//! Adding an activity: a new module here with its `prepare` and `received`, one arm in each
//! table (the compiler requires the `prepare` arm for each new [`Outgoing`] variant), and a
//! round-trip test in `tests` below. docs/ARCHITECTURE.md walks through an example.

mod audience;
mod block;
mod boost;
pub(super) mod featured;
mod flag;
mod follow;
mod group_post;
mod like;
mod lookup;
mod membership;
pub(super) mod moving;
mod participation;
pub mod poll;
pub(super) mod post;
mod profile;

pub(super) use audience::{as_event, load_group};
pub use boost::announce;
pub(super) use group_post::announcement;
pub use post::{POST_TYPES, addresses_us, check_authorship, create_or_update, parse_note};

use super::protocol::{self, Activity};
use super::receive::{Failure, Outcome};
use crate::{
    db::accounts::AccountRow, error::AppResult, service::outgoing::Outgoing, state::AppState,
};
use serde_json::Value;

/// An activity ready to deliver.
pub(super) struct Prepared {
    /// The signing (local) actor.
    pub actor_id: i64,
    /// The activity.
    pub body: Value,
    /// Where to.
    pub inboxes: Vec<String>,
}

type Result<T> = std::result::Result<T, Failure>;

/// What to send for something a service recorded: usually one activity, sometimes none (what
/// it was about is gone), sometimes more (a group's public post is also announced plainly,
/// for Mastodon).
pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Vec<Prepared>> {
    use Outgoing as O;
    let one = match outgoing {
        O::CreateStatus { .. } | O::UpdateStatus { .. } | O::DeleteStatus { .. } => {
            post::prepare(state, outgoing).await?
        }
        O::Follow { .. }
        | O::UndoFollow { .. }
        | O::AcceptFollow { .. }
        | O::RejectFollow { .. } => follow::prepare(state, outgoing).await?,
        O::Like { .. } | O::UndoLike { .. } => like::prepare(state, outgoing).await?,
        O::Announce { .. } | O::UndoAnnounce { .. } => boost::prepare(state, outgoing).await?,
        O::Block { .. } | O::UndoBlock { .. } => block::prepare(state, outgoing).await?,
        O::Pin { .. } | O::Unpin { .. } => featured::prepare(state, outgoing).await?,
        O::UpdateActor { .. } | O::DeleteActor { .. } => profile::prepare(state, outgoing).await?,
        O::JoinGroup { .. }
        | O::LeaveGroup { .. }
        | O::AnswerJoin { .. }
        | O::InviteMember { .. }
        | O::RemoveMember { .. } => membership::prepare(state, outgoing).await?,
        O::JoinEvent { .. }
        | O::LeaveEvent { .. }
        | O::AnswerEventJoin { .. }
        | O::InviteToEvent { .. } => participation::prepare(state, outgoing).await?,
        O::PollVote { .. } => return poll::prepare(state, outgoing).await,
        O::Flag { .. } => flag::prepare(state, outgoing).await?,
        O::Move { .. } => moving::prepare(state, outgoing).await?,
        O::GroupAnnounce { .. }
        | O::GroupAnnounceUpdate { .. }
        | O::GroupRemove { .. }
        | O::RejectGroupPost { .. } => {
            return group_post::prepare(state, outgoing).await;
        }
    };
    Ok(one.into_iter().collect())
}

/// What an incoming activity does, by type. Public for the fixture tests, which store actors
/// themselves.
pub async fn received(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    match activity.kind.as_str() {
        "Follow" => follow::received(state, actor, activity).await,
        "Accept" => answered(state, actor, activity, true).await,
        "Reject" => answered(state, actor, activity, false).await,
        "Undo" => undone(state, actor, activity).await,
        "Create" => post::created(state, actor, activity).await,
        "Update" => match activity.object_type() {
            Some(t) if profile::ACTOR_TYPES.contains(&t) => {
                profile::updated(state, actor, activity).await
            }
            _ => post::updated(state, actor, activity).await,
        },
        "Delete" => {
            if activity.object_id() == Some(actor.uri.as_str()) {
                profile::deleted(state, actor).await
            } else {
                post::deleted(state, actor, activity).await
            }
        }
        "Like" => like::received(state, actor, activity).await,
        "Announce" if actor.actor_type == "Group" => {
            group_post::announced(state, actor, activity).await
        }
        "Announce" => boost::received(state, actor, activity).await,
        "Block" => block::received(state, actor, activity).await,
        "Join" => match participation::joined(state, actor, activity).await? {
            Some(outcome) => Ok(outcome),
            None => membership::joined(state, actor, activity).await,
        },
        "Leave" => left(state, actor, activity.object_id()).await,
        "Invite" => membership::invited(state, actor, activity).await,
        "Remove" => match featured::removed(state, actor, activity).await? {
            Some(outcome) => Ok(outcome),
            None => membership::removed(state, actor, activity).await,
        },
        "Dislike" => Ok(Outcome::Ignored("dislikes are not counted")),
        "EmojiReact" => Ok(Outcome::Ignored("emoji reactions are not supported")),
        "Flag" => flag::received(state, actor, activity).await,
        "Move" => moving::received(state, actor, activity).await,
        "Add" => Ok(featured::added(state, actor, activity)
            .await?
            .unwrap_or(Outcome::Ignored(
                "moderator lists and other collections are not kept",
            ))),
        "Lock" => Ok(Outcome::Ignored(
            "thread locks are kept by the group's own server",
        )),
        _ => Ok(Outcome::Ignored("unknown activity type")),
    }
}

/// An `Accept` or `Reject`: of a local person's participation in an event, of their request
/// to join a group, or of a follow.
async fn answered(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
    accept: bool,
) -> Result<Outcome> {
    if let Some(outcome) = participation::answered(state, actor, activity, accept).await? {
        return Ok(outcome);
    }
    if let Some(outcome) = membership::answered(state, actor, activity, accept).await? {
        return Ok(outcome);
    }
    if let Some(outcome) = group_post::rejected(state, actor, activity, accept).await? {
        return Ok(outcome);
    }
    follow::answered(state, actor, activity, accept).await
}

/// An `Undo`, by the type of what it undoes (or, given only its id, by what the id names).
async fn undone(state: &AppState, actor: &AccountRow, activity: &Activity) -> Result<Outcome> {
    let inner = &activity.object;
    let inner_type = inner.get("type").and_then(Value::as_str);
    let inner_id = protocol::id_of(inner);
    if inner_type == Some("Join") {
        return left(state, actor, inner.get("object").and_then(protocol::id_of)).await;
    }
    // The undone activity must be the actor's own.
    if let Some(inner_actor) = inner.get("actor").and_then(protocol::id_of)
        && inner_actor != actor.uri
    {
        return Err(super::receive::permanent(
            "an actor may only undo its own activities",
        ));
    }
    if inner_type == Some("Follow")
        || (inner_type.is_none() && follow::is_follow(state, inner_id).await?)
    {
        return follow::undone(state, actor, inner).await;
    }
    match inner_type {
        Some("Like") => like::undone(state, actor, inner).await,
        Some("Announce") => boost::undone(state, actor, inner_id).await,
        Some("Block") => block::undone(state, actor, inner).await,
        None => {
            // Only the id was given: find what it named.
            if let Some(uri) = inner_id {
                if let Some(outcome) = like::undone_by_id(state, actor, uri).await? {
                    return Ok(outcome);
                }
                if let Some(outcome) = boost::undone_by_id(state, actor, uri).await? {
                    return Ok(outcome);
                }
                if let Some(outcome) = block::undone_by_id(state, actor, uri).await? {
                    return Ok(outcome);
                }
            }
            Ok(Outcome::Ignored("nothing here matches what was undone"))
        }
        Some(_) => Ok(Outcome::Ignored(
            "undoing this kind of activity has no effect here",
        )),
    }
}

/// A `Leave` (or an `Undo(Join)`): of an event here, or of a group here.
async fn left(state: &AppState, actor: &AccountRow, object: Option<&str>) -> Result<Outcome> {
    match participation::left(state, actor, object).await? {
        Some(outcome) => Ok(outcome),
        None => membership::left(state, actor, object).await,
    }
}

#[cfg(test)]
mod tests {
    //! Every activity we send reads back, through the inbox's own reader, as what was sent
    //! (the captured activities of other servers are read and written back in
    //! `tests/fixtures.rs`).

    use super::*;
    use crate::db::{accounts::AccountRow, statuses::StatusRow};
    use crate::domain::{Circle, Visibility};
    use crate::federation::{protocol::PUBLIC, receive};
    use serde_json::json;

    fn person(name: &str) -> AccountRow {
        AccountRow::for_tests(&format!("https://a.example/users/{name}"), name)
    }

    fn status(id: i64, uri: &str, account: &AccountRow) -> StatusRow {
        StatusRow::for_tests(id, uri, account.id, Visibility::Public)
    }

    /// The activity, serialized as it is sent, read back by the inbox (signed by its actor)
    /// and serialized again, gives the same document.
    fn reads_back(sent: Activity) -> Activity {
        let body = sent.to_json().to_string();
        let read = receive::parse_activity(sent.actor.as_str(), &body)
            .unwrap_or_else(|e| panic!("{} does not read back: {e:?}\n{body}", sent.kind));
        assert_eq!(
            read.to_json().get("@context"),
            None,
            "context is never read"
        );
        let mut without_context = sent.clone();
        without_context.context = None;
        assert_eq!(read.to_json(), without_context.to_json(), "{}", sent.kind);
        read
    }

    #[test]
    fn every_activity_we_send_reads_back_as_sent() {
        let alice = person("alice");
        let bob = person("bob");
        let group = AccountRow::for_tests("https://a.example/users/section", "section");
        let address = crate::federation::render::group_address(&group, None);
        let post = status(1, "https://a.example/users/alice/statuses/1", &alice);
        let boost = status(2, "https://a.example/users/bob/statuses/2", &bob);

        let f = follow::follow(
            "https://a.example/users/alice#follows/1",
            &alice.uri,
            &bob.uri,
        )
        .unwrap();
        let read = reads_back(f.clone());
        assert_eq!(read.object_id(), Some(bob.uri.as_str()));
        let u = reads_back(follow::undo(&alice.uri, f, vec![bob.uri.clone()], vec![]).unwrap());
        assert_eq!(u.kind, "Undo");
        assert_eq!(
            u.id.as_str(),
            "https://a.example/users/alice#follows/1/undo"
        );
        assert_eq!(u.object["type"], "Follow");
        assert_eq!(
            u.object.get("@context"),
            None,
            "an embedded activity has no context"
        );

        let b = reads_back(boost::announce(&boost, &bob, &post, &alice).unwrap());
        assert_eq!(b.to, [PUBLIC]);
        assert_eq!(b.cc[0], alice.uri);

        let note = json!({"id": post.uri, "type": "Note", "attributedTo": alice.uri,
                          "to": [PUBLIC], "cc": [], "published": "2026-12-06T07:00:00.000Z"});
        let c = reads_back(post::create_or_update("Create", note.clone()).unwrap());
        assert_eq!(c.id.as_str(), format!("{}/activity", post.uri));
        assert_eq!(
            c.published.unwrap().to_rfc3339(),
            "2026-12-06T07:00:00+00:00"
        );

        // An edit is dated by its edit, not by the post's publication.
        let mut edited = note.clone();
        edited["updated"] = json!("2026-12-06T09:30:00.000Z");
        let e = reads_back(post::create_or_update("Update", edited).unwrap());
        assert_eq!(
            e.published.unwrap().to_rfc3339(),
            "2026-12-06T09:30:00+00:00"
        );
        assert_eq!(e.object["updated"], "2026-12-06T09:30:00.000Z");

        // A moderator's removal, addressed as the circle was (Lemmy refuses one that is not
        // public), with a summary marking it as a removal.
        for circle in [Circle::Public, Circle::Members] {
            let r = reads_back(post::removal(&alice.uri, &address, circle, 1, &post.uri).unwrap());
            assert_eq!(r.audience, json!(group.uri));
            assert_eq!(r.object["type"], "Tombstone");
            assert_eq!(r.cc, vec![group.uri.clone()]);
            assert_eq!(r.summary.as_deref(), Some(""));
            assert_eq!(r.to.contains(&PUBLIC.to_string()), circle == Circle::Public);
        }

        let j = reads_back(
            membership::join(
                "https://a.example/users/bob#joins/1",
                &bob.uri,
                &group.uri,
                "Bonjour",
            )
            .unwrap(),
        );
        assert_eq!(j.participation_message.as_deref(), Some("Bonjour"));
        assert_eq!(membership::join_message(&j), "Bonjour");
        let mut l = membership::leave(&bob.uri, &group.uri).unwrap();
        l.in_reply_to = json!(j.id.as_str());
        assert_eq!(reads_back(l).in_reply_to, json!(j.id.as_str()));
        let a = reads_back(
            membership::answer("Accept", &group, &bob, j.id.as_str(), &group.uri).unwrap(),
        );
        assert_eq!(a.object["type"], "Join");
        let i = reads_back(membership::invite(&group, &group.uri, &bob).unwrap());
        assert_eq!(i.target, json!(bob.uri));

        for kind in ["Add", "Remove"] {
            let pin = reads_back(featured::change(kind, &alice, &post.uri, 7).unwrap());
            assert_eq!(pin.object_id(), Some(post.uri.as_str()));
            assert_eq!(
                pin.target,
                json!("https://a.example/users/alice/collections/featured")
            );
            assert_eq!(pin.to, ["https://a.example/users/alice/followers"]);
        }

        let m = reads_back(moving::move_activity(&alice, &bob.uri, 42).unwrap());
        assert_eq!(m.id.as_str(), "https://a.example/users/alice#moves/42");
        assert_eq!(m.object_id(), Some(alice.uri.as_str()));
        assert_eq!(m.target, json!(bob.uri));

        for circle in [Circle::Public, Circle::Sympathizers, Circle::Members] {
            let g = reads_back(
                group_post::announce(
                    "https://a.example/users/section#announces/1",
                    &address,
                    json!(post.uri),
                    circle,
                )
                .unwrap(),
            );
            assert_eq!(g.audience, json!(group.uri));
            assert_eq!(g.to.contains(&PUBLIC.to_string()), circle == Circle::Public);
        }
    }

    #[test]
    fn an_id_that_is_not_a_url_is_an_error_not_a_document() {
        assert!(
            follow::follow("", "https://a.example/users/alice", "https://b.example/x").is_err()
        );
    }
}
