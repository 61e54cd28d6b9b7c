//! `Like` and `Undo(Like)`.

use super::audience::{account, both, inbox_of};
use super::follow::undo;
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow},
    error::{AppError, AppResult},
    federation::{
        protocol::{self, Activity},
        receive::{Outcome, permanent},
    },
    service::{outgoing::Outgoing, statuses as posts},
    state::AppState,
};
use serde_json::{Value, json};

/// A `Like`.
fn like(id: &str, actor: &str, object: &str, author: &str) -> AppResult<Activity> {
    Activity::new(
        id,
        "Like",
        actor,
        json!(object),
        vec![author.to_string()],
        Vec::new(),
    )
    .map_err(AppError::internal)
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
            Some(Prepared {
                actor_id: me.id,
                body: like(like_uri, &me.uri, &status.uri, &author.uri)?.to_json(),
                inboxes: inbox_of(&author).into_iter().collect(),
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
            let like = like(like_uri, &me.uri, status_uri, &author.uri)?;
            Some(Prepared {
                actor_id: me.id,
                body: undo(&me.uri, like, vec![author.uri.clone()], Vec::new())?.to_json(),
                inboxes: inbox_of(&author).into_iter().collect(),
            })
        }
        _ => None,
    })
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
