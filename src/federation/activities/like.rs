//! `Like` and `Undo(Like)`, and votes a group passes on (`Announce(Like)`, `Announce(Undo(Like))`).

use super::audience::{account, both, inbox_of};
use super::follow::undo;
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow, statuses::StatusRow},
    error::{AppError, AppResult},
    federation::{
        objects::ApAccount,
        protocol::{self, Activity, same_origin},
        receive::{self, Outcome, permanent},
    },
    service::{outgoing::Outgoing, statuses as posts},
    state::AppState,
};
use activitypub_federation::fetch::object_id::ObjectId;
use serde_json::{Value, json};
use url::Url;

/// A `Like`; of a post written in a group, with `audience: group` and the group in `cc`.
fn like(
    id: &str,
    actor: &str,
    object: &str,
    author: &str,
    group: Option<&AccountRow>,
) -> AppResult<Activity> {
    let cc = group.map(|g| vec![g.uri.clone()]).unwrap_or_default();
    let mut activity = Activity::new(
        id,
        "Like",
        actor,
        json!(object),
        vec![author.to_string()],
        cc,
    )
    .map_err(AppError::internal)?;
    activity.audience = like_audience(group);
    Ok(activity)
}

/// The group a post was written in, when that group is on another server: a like of the post
/// (and its withdrawal) goes to the group as well as to the author, since Lemmy's communities
/// count votes only from what reaches them (FEP-1b12).
async fn remote_group(
    state: &AppState,
    status: Option<&StatusRow>,
) -> AppResult<Option<AccountRow>> {
    let Some(group_id) = status.and_then(|s| s.group_id) else {
        return Ok(None);
    };
    Ok(account(state, group_id).await?.filter(|g| !g.is_local()))
}

/// The author's inbox and the group's.
fn like_inboxes(author: &AccountRow, group: Option<&AccountRow>) -> Vec<String> {
    inbox_of(author)
        .into_iter()
        .chain(group.and_then(inbox_of))
        .collect()
}

pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    Ok(match outgoing {
        Outgoing::Like {
            account_id,
            status_id,
            like_uri,
        } => {
            let Some(me) = account(state, *account_id).await? else {
                return Ok(None);
            };
            let Some(status) = db::statuses::by_id(state.pool(), *status_id).await? else {
                return Ok(None);
            };
            let Some(author) = account(state, status.account_id).await? else {
                return Ok(None);
            };
            let group = remote_group(state, Some(&status)).await?;
            Some(Prepared {
                actor_id: me.id,
                body: like(like_uri, &me.uri, &status.uri, &author.uri, group.as_ref())?.to_json(),
                inboxes: like_inboxes(&author, group.as_ref()),
            })
        }
        Outgoing::UndoLike {
            account_id,
            status_uri,
            author_id,
            like_uri,
        } => {
            let Some((me, author)) = both(state, *account_id, *author_id).await? else {
                return Ok(None);
            };
            let status = db::statuses::by_uri(state.pool(), status_uri).await?;
            let group = remote_group(state, status.as_ref()).await?;
            let like = like(like_uri, &me.uri, status_uri, &author.uri, group.as_ref())?;
            let (to, cc) = (like.to.clone(), like.cc.clone());
            let mut body = undo(&me.uri, like, to, cc)?;
            body.audience = like_audience(group.as_ref());
            Some(Prepared {
                actor_id: me.id,
                body: body.to_json(),
                inboxes: like_inboxes(&author, group.as_ref()),
            })
        }
        _ => None,
    })
}

/// A like's `audience`: the group the post was written in, if any.
fn like_audience(group: Option<&AccountRow>) -> Value {
    group.map(|g| json!(g.uri)).unwrap_or(Value::Null)
}

/// Someone likes a post of ours.
pub(super) async fn received(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
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

/// Whether what a group announces is a vote or its withdrawal (`Like`, `Dislike`, `Undo` of
/// either).
pub(super) fn is_vote(inner: &Value) -> bool {
    let vote = |v: &Value| {
        matches!(
            v.get("type").and_then(Value::as_str),
            Some("Like" | "Dislike")
        )
    };
    vote(inner)
        || (inner.get("type").and_then(Value::as_str) == Some("Undo")
            && inner.get("object").is_some_and(vote))
}

/// A group passes on a vote or its withdrawal (Lemmy's communities announce `Like`, `Dislike`
/// and their `Undo`, FEP-1b12). A like is its actor's own: the embedded one is read only when
/// the liker is on the group's own server, which speaks for its people (its signature was
/// checked); a like from elsewhere is not taken on the group's word. Dislikes are not counted.
pub(super) async fn announced(
    state: &AppState,
    group: &AccountRow,
    inner: &Value,
) -> Result<Outcome> {
    let undone = inner
        .get("object")
        .filter(|_| inner.get("type").and_then(Value::as_str) == Some("Undo"));
    let vote = undone.unwrap_or(inner);
    if vote.get("type").and_then(Value::as_str) == Some("Dislike") {
        return Ok(Outcome::Ignored("dislikes are not counted"));
    }
    let Some(liker) = inner.get("actor").and_then(protocol::id_of) else {
        return Err(permanent("a Like needs an actor"));
    };
    let liker_url = Url::parse(liker).map_err(|_| permanent("invalid actor"))?;
    let group_url = Url::parse(&group.uri).map_err(|_| permanent("invalid group"))?;
    if !same_origin(&liker_url, &group_url) || state.config.is_local_url(&liker_url) {
        return Ok(Outcome::Ignored(
            "a like announced by a group counts only from the group's own server",
        ));
    }
    // Its id must be on the liker's server, as for a Like (or Undo) received directly.
    let activity = receive::parse_activity(liker, &inner.to_string())?;
    if let Some(undone) = undone {
        if undone.get("actor").and_then(protocol::id_of) != Some(liker) {
            return Err(permanent("an actor may only undo its own activities"));
        }
        let Some(liker) = db::accounts::by_uri(state.pool(), liker).await? else {
            return Ok(Outcome::Ignored("no such like here"));
        };
        return self::undone(state, &liker, undone).await;
    }
    let data = crate::federation::data(state);
    let liker = ObjectId::<ApAccount>::from(liker_url)
        .dereference(&data)
        .await?
        .row;
    if db::sanctions::is_suspended(state.pool(), liker.id).await? {
        return Ok(Outcome::Ignored("the actor is suspended here"));
    }
    received(state, &liker, &activity).await
}

/// A like withdrawn.
pub(super) async fn undone(state: &AppState, actor: &AccountRow, inner: &Value) -> Result<Outcome> {
    let status_uri = inner.get("object").and_then(protocol::id_of);
    posts::unfavourite_remote(state, actor.id, protocol::id_of(inner), status_uri).await?;
    Ok(Outcome::Applied("like withdrawn"))
}

/// A like withdrawn by its id alone, if the id is a like's.
pub(super) async fn undone_by_id(
    state: &AppState,
    actor: &AccountRow,
    uri: &str,
) -> Result<Option<Outcome>> {
    if db::statuses::favourite_by_uri(state.pool(), uri)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    posts::unfavourite_remote(state, actor.id, Some(uri), None).await?;
    Ok(Some(Outcome::Applied("like withdrawn")))
}
