//! What an incoming activity names, found here: a local actor, group or event, or a post
//! fetched from its own server.

use super::Result;
use crate::{
    db::{self, accounts::AccountRow},
    federation::{objects::ApNote, receive::permanent},
    service::groups,
    state::AppState,
};
use activitypub_federation::fetch::{fetch_object_http, object_id::ObjectId};
use serde_json::Value;
use url::Url;

/// A local actor an object id names, if it is one of ours.
pub(super) async fn local_actor(state: &AppState, id: Option<&str>) -> Result<Option<AccountRow>> {
    let Some(id) = id else { return Ok(None) };
    Ok(db::accounts::by_uri(state.pool(), id)
        .await?
        .filter(|a| a.is_local() && a.deleted_at.is_none() && a.actor_type != "Application"))
}

/// A local group the object of an activity names.
pub(super) async fn local_group(
    state: &AppState,
    id: Option<&str>,
) -> Result<Option<groups::Group>> {
    match local_actor(state, id).await? {
        Some(a) if a.actor_type == "Group" => Ok(groups::load(state, a.id).await?),
        _ => Ok(None),
    }
}

/// A local event the object of an activity names.
pub(super) async fn local_event(
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

/// Fetches a note from its own server (the copy in an activity is not trusted). An id of
/// ours is never fetched: it is here, or it does not exist.
pub(super) async fn fetch_note(state: &AppState, url: Url) -> Result<db::statuses::StatusRow> {
    if state.config.is_local_url(&url) {
        return Err(permanent("no post of this server has this id"));
    }
    let data = crate::federation::data(state);
    match ObjectId::<ApNote>::from(url).dereference(&data).await {
        Ok(note) => Ok(note.row),
        Err(e) if e.status.is_client_error() => {
            Err(permanent("the announced post could not be read"))
        }
        Err(e) => Err(e.into()),
    }
}

/// The items of a remote actor's collection (its `featured` posts, a group's outbox): the
/// collection at `url`, then its first page when the items are not inline, both on the
/// actor's own server (`domain`), never one of ours. `None` when either could not be read.
/// Only the first page: the callers read a bounded number of items.
pub(super) async fn first_page(state: &AppState, url: &str, domain: &str) -> Option<Vec<Value>> {
    let on_server = |address: &str| {
        Url::parse(address).ok().filter(|u| {
            !state.config.is_local_url(u) && crate::federation::protocol::domain_of(u) == domain
        })
    };
    let url = on_server(url)?;
    let data = crate::federation::data(state);
    let mut doc = fetch_object_http::<_, Value>(&url, &data)
        .await
        .ok()?
        .object;
    if items_of(&doc).is_none() {
        doc = match doc.get("first")?.clone() {
            Value::String(page) => {
                fetch_object_http::<_, Value>(&on_server(&page)?, &data)
                    .await
                    .ok()?
                    .object
            }
            embedded => embedded,
        };
    }
    items_of(&doc).cloned()
}

fn items_of(doc: &Value) -> Option<&Vec<Value>> {
    doc.get("orderedItems")
        .or_else(|| doc.get("items"))
        .and_then(Value::as_array)
}
