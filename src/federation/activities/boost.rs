//! A person's `Announce` of a post (a boost), and its `Undo`.

use super::audience::{both, shared_inbox_of};
use super::follow::undo;
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow, statuses::StatusRow},
    error::{AppError, AppResult},
    federation::{
        objects::ApNote,
        protocol::{Activity, PUBLIC},
        receive::{Outcome, permanent},
        render,
    },
    service::{outgoing::Outgoing, statuses as posts},
    state::AppState,
};
use activitypub_federation::fetch::object_id::ObjectId;
use serde_json::json;
use url::Url;

/// The `Announce` of a boost, addressed as Mastodon does: public, to the booster's followers
/// and the author of the post.
fn announce_of(
    id: &str,
    booster: &AccountRow,
    original_uri: &str,
    original_author: &str,
) -> AppResult<Activity> {
    let followers = render::actor_urls(booster).followers;
    Activity::new(
        id,
        "Announce",
        &booster.uri,
        json!(original_uri),
        vec![PUBLIC.to_string()],
        vec![original_author.to_string(), followers],
    )
    .map_err(AppError::internal)
}

/// The `Announce` of a stored boost, published when it was.
pub fn announce(
    boost: &StatusRow,
    booster: &AccountRow,
    original: &StatusRow,
    original_author: &AccountRow,
) -> AppResult<Activity> {
    let mut activity = announce_of(&boost.uri, booster, &original.uri, &original_author.uri)?;
    activity.published = Some(crate::clock::to_datetime(boost.created_at));
    Ok(activity)
}

pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    Ok(match outgoing {
        Outgoing::Announce { reblog_id } => {
            let Some(boost) = db::statuses::by_id(state.pool(), *reblog_id).await? else {
                return Ok(None);
            };
            let Some(original_id) = boost.reblog_of_id else {
                return Ok(None);
            };
            let Some(original) = db::statuses::by_id(state.pool(), original_id).await? else {
                return Ok(None);
            };
            let Some((me, author)) = both(state, boost.account_id, original.account_id).await?
            else {
                return Ok(None);
            };
            let mut inboxes = db::social::remote_follower_inboxes(state.pool(), me.id).await?;
            inboxes.extend(shared_inbox_of(&author));
            Some(Prepared {
                actor_id: me.id,
                body: announce(&boost, &me, &original, &author)?.to_json(),
                inboxes,
            })
        }
        Outgoing::UndoAnnounce {
            account_id,
            reblog_uri,
            status_uri,
            author_id,
        } => {
            let Some((me, author)) = both(state, *account_id, *author_id).await? else {
                return Ok(None);
            };
            let followers = render::actor_urls(&me).followers;
            let announce = announce_of(reblog_uri, &me, status_uri, &author.uri)?;
            let mut inboxes = db::social::remote_follower_inboxes(state.pool(), me.id).await?;
            inboxes.extend(shared_inbox_of(&author));
            Some(Prepared {
                actor_id: me.id,
                body: undo(&me.uri, announce, vec![PUBLIC.to_string()], vec![followers])?.to_json(),
                inboxes,
            })
        }
        _ => None,
    })
}

/// Someone boosts a post.
pub(super) async fn received(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    if activity
        .object_type()
        .is_some_and(|t| !super::POST_TYPES.contains(&t))
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
            let data = crate::federation::data(state);
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

/// A boost withdrawn.
pub(super) async fn undone(
    state: &AppState,
    actor: &AccountRow,
    inner_id: Option<&str>,
) -> Result<Outcome> {
    match inner_id {
        Some(uri) => {
            posts::delete_remote(state, uri, actor).await?;
            Ok(Outcome::Applied("boost withdrawn"))
        }
        None => Err(permanent("an undone boost needs its id")),
    }
}

/// A boost withdrawn by its id alone, if the id is a boost's.
pub(super) async fn undone_by_id(
    state: &AppState,
    actor: &AccountRow,
    uri: &str,
) -> Result<Option<Outcome>> {
    let is_boost = db::statuses::by_uri(state.pool(), uri)
        .await?
        .is_some_and(|s| s.reblog_of_id.is_some());
    if !is_boost {
        return Ok(None);
    }
    posts::delete_remote(state, uri, actor).await?;
    Ok(Some(Outcome::Applied("boost withdrawn")))
}
