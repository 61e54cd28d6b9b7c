//! Pinned posts, as Mastodon federates them: `Add` and `Remove` of a post to and from its
//! author's `featured` collection (sent to the author's followers), what other servers'
//! ones do here (only the actor's own collection, only the actor's own posts), and fetching
//! another server's `featured` collection when apps ask for its pinned posts.

use super::lookup::fetch_note;
use super::{Prepared, Result};
use crate::{
    clock,
    db::{self, accounts::AccountRow, statuses::StatusRow},
    error::{AppError, AppResult},
    federation::{
        objects::ApNote,
        protocol::{self, Activity},
        receive::{Outcome, permanent},
        render,
    },
    service::{
        outgoing::Outgoing,
        statuses::menu::{self, FeaturedRefusal},
    },
    state::AppState,
};
use activitypub_federation::fetch::object_id::ObjectId;
use serde_json::json;
use url::Url;

/// The address of a local actor's `featured` collection (the actor document names it).
pub(crate) fn featured_url(account: &AccountRow) -> String {
    format!("{}/collections/featured", account.uri)
}

/// An `Add` (pin) or `Remove` (unpin) of a post to the actor's `featured` collection.
pub(super) fn change(
    kind: &str,
    actor: &AccountRow,
    status_uri: &str,
    at: i64,
) -> AppResult<Activity> {
    let fragment = if kind == "Add" { "pins" } else { "unpins" };
    let mut activity = Activity::new(
        &format!("{}#{fragment}/{at}", actor.uri),
        kind,
        &actor.uri,
        json!(status_uri),
        vec![render::actor_urls(actor).followers],
        Vec::new(),
    )
    .map_err(AppError::internal)?;
    activity.target = json!(featured_url(actor));
    Ok(activity)
}

pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    let (kind, account_id, status_uri) = match outgoing {
        Outgoing::Pin {
            account_id,
            status_uri,
        } => ("Add", *account_id, status_uri),
        Outgoing::Unpin {
            account_id,
            status_uri,
        } => ("Remove", *account_id, status_uri),
        _ => return Ok(None),
    };
    let Some(me) = db::accounts::by_id(state.pool(), account_id).await? else {
        return Ok(None);
    };
    let inboxes = db::social::remote_follower_inboxes(state.pool(), me.id).await?;
    if inboxes.is_empty() {
        return Ok(None);
    }
    Ok(Some(Prepared {
        actor_id: me.id,
        body: change(kind, &me, status_uri, clock::now())?.to_json(),
        inboxes,
    }))
}

/// An `Add` to a collection: applied when it is the actor's own `featured` collection and
/// the post is the actor's; `None` when the collection is no featured collection known here
/// (another module may know it).
pub(super) async fn added(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Option<Outcome>> {
    let Some(target) = protocol::id_of(&activity.target) else {
        return Ok(None);
    };
    if !menu::is_featured_of(state, actor, target).await? {
        return Ok(if db_names_featured(state, target).await? {
            Some(Outcome::Ignored(
                "a featured collection is changed only by its own actor",
            ))
        } else {
            None
        });
    }
    let Some(object) = activity.object_id() else {
        return Err(permanent("an Add needs an object"));
    };
    let status = match db::statuses::by_uri(state.pool(), object).await? {
        Some(s) => s,
        None => {
            let Ok(url) = Url::parse(object) else {
                return Err(permanent("the pinned post's id is not a URL"));
            };
            // A post of another server is never fetched on this actor's word.
            if actor.domain.as_deref() != Some(protocol::domain_of(&url).as_str()) {
                return Ok(Some(Outcome::Ignored("an actor pins only its own posts")));
            }
            fetch_note(state, url).await?
        }
    };
    match menu::pin_remote(state, actor, &status).await? {
        Ok(()) => Ok(Some(Outcome::Applied("post pinned"))),
        Err(FeaturedRefusal::NotTheirPost) => {
            Ok(Some(Outcome::Ignored("an actor pins only its own posts")))
        }
    }
}

/// A `Remove` from a collection: applied when it is the actor's own `featured` collection;
/// `None` when the collection is no featured collection known here.
pub(super) async fn removed(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Option<Outcome>> {
    let Some(target) = protocol::id_of(&activity.target) else {
        return Ok(None);
    };
    if !menu::is_featured_of(state, actor, target).await? {
        return Ok(if db_names_featured(state, target).await? {
            Some(Outcome::Ignored(
                "a featured collection is changed only by its own actor",
            ))
        } else {
            None
        });
    }
    let Some(status) =
        db::statuses::by_uri(state.pool(), activity.object_id().unwrap_or_default()).await?
    else {
        return Ok(Some(Outcome::Ignored("the unpinned post is not here")));
    };
    menu::unpin_remote(state, actor, &status).await?;
    Ok(Some(Outcome::Applied("post unpinned")))
}

/// Whether an address is the `featured` collection of an account known here (one of ours, or
/// another server's as its actor document named it).
async fn db_names_featured(state: &AppState, target: &str) -> Result<bool> {
    if let Some(local) = target
        .strip_suffix("/collections/featured")
        .filter(|_| target.starts_with(state.config.public_url.as_str()))
    {
        return Ok(db::accounts::by_uri(state.pool(), local).await?.is_some());
    }
    Ok(db::statuses::menu::featured_owner(state.pool(), target)
        .await?
        .is_some())
}

/// How many of a featured collection's items are read.
const MOST_ITEMS: usize = menu::MAX_REMOTE_PINNED;

/// The posts of a remote actor's `featured` collection (see `service::Remote::featured`):
/// the collection and its first page on the actor's own server, at most [`MOST_ITEMS`]
/// items, each a post of that server fetched from it (or known here).
pub(crate) async fn fetch(
    state: &AppState,
    account: &AccountRow,
    url: &str,
) -> Option<Vec<StatusRow>> {
    let domain = account.domain.as_deref()?;
    let items = super::lookup::first_page(state, url, domain).await?;
    let data = crate::federation::data(state);
    let mut rows = Vec::new();
    for item in items.iter().take(MOST_ITEMS) {
        let Some(id) = protocol::id_of(item).and_then(|i| Url::parse(i).ok()) else {
            continue;
        };
        if protocol::domain_of(&id) != domain {
            continue;
        }
        let known = db::statuses::by_uri(state.pool(), id.as_str()).await.ok()?;
        let row = match known {
            Some(row) => Some(row),
            None => ObjectId::<ApNote>::from(id)
                .dereference(&data)
                .await
                .ok()
                .map(|n| n.row),
        };
        if let Some(row) = row.filter(|r| r.account_id == account.id) {
            rows.push(row);
        }
    }
    Some(rows)
}
