//! `Move`: an account (a person or a group) moved to another, as Mastodon does it
//! (`ActivityPub::Activity::Move`, `MoveWorker`). We send one when a local account moves; we
//! believe one received only when the target, read fresh from its own server, names the
//! account that moved in its `alsoKnownAs`; `service::moving` then takes the local followers
//! to the new account.

use super::audience::account;
use super::lookup::local_actor;
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow},
    error::{AppError, AppResult},
    federation::{
        objects::ApAccount,
        protocol::{self, Activity},
        receive::{Failure, Outcome, permanent},
        render,
    },
    service::{moving, outgoing::Outgoing},
    state::AppState,
};
use activitypub_federation::{fetch::fetch_object_http, traits::Object};
use serde_json::json;
use url::Url;

/// `Move` {actor: old, object: old, target: new}, addressed to the old account's followers.
pub(super) fn move_activity(account: &AccountRow, target: &str, at: i64) -> AppResult<Activity> {
    let mut activity = Activity::new(
        &format!("{}#moves/{at}", account.uri),
        "Move",
        &account.uri,
        json!(account.uri),
        vec![render::actor_urls(account).followers],
        Vec::new(),
    )
    .map_err(AppError::internal)?;
    activity.target = json!(target);
    Ok(activity)
}

pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    let Outgoing::Move { account_id } = outgoing else {
        return Ok(None);
    };
    let Some(me) = account(state, *account_id).await? else {
        return Ok(None);
    };
    let (Some(target), Some(at)) = (me.moved_to_uri.as_deref(), me.moved_at) else {
        return Ok(None);
    };
    if me.deleted_at.is_some() {
        return Ok(None);
    }
    let mut inboxes = db::social::remote_follower_inboxes(state.pool(), me.id).await?;
    if me.actor_type == "Group" {
        inboxes.extend(db::groups::remote_member_inboxes(state.pool(), me.id).await?);
    }
    inboxes.sort();
    inboxes.dedup();
    Ok(Some(Prepared {
        actor_id: me.id,
        body: move_activity(&me, target, at)?.to_json(),
        inboxes,
    }))
}

/// The actor at `uri` with its `alsoKnownAs`: one of ours as stored, another server's read
/// fresh from that server (the copy embedded in an activity, or stored here, is not trusted)
/// and stored. The document must be the actor asked for: same id, on the same host.
pub(crate) async fn fresh(state: &AppState, uri: &str) -> Result<(AccountRow, Vec<String>)> {
    let url = Url::parse(uri).map_err(|_| permanent("the target is not an address"))?;
    if state.config.is_local_url(&url) {
        let row = local_actor(state, Some(uri))
            .await?
            .ok_or_else(|| permanent("no account of this server has this id"))?;
        let aliases = row.aliases();
        return Ok((row, aliases));
    }
    let data = crate::federation::data(state);
    let fetched = fetch_object_http::<_, protocol::Actor>(&url, &data)
        .await
        .map_err(|e| match e {
            activitypub_federation::error::Error::NotFound
            | activitypub_federation::error::Error::FetchWrongId(_)
            | activitypub_federation::error::Error::ParseFetchedObject(..) => {
                permanent("the target could not be read from its server")
            }
            other => Failure::Retry(format!("the target could not be read: {other}")),
        })?;
    let json = fetched.object;
    if json.id != url || protocol::domain_of(&fetched.url) != protocol::domain_of(&url) {
        return Err(permanent("the target's server answered for another actor"));
    }
    ApAccount::verify(&json, &url, &data).await?;
    let aliases = json.also_known_as.clone();
    let row = ApAccount::from_json(json, &data).await?.row;
    Ok((row, aliases))
}

/// A remote account says it moved. Believed only when the actor moves itself, to another
/// account of the same kind (a person to a person, a group to a group) whose own server names
/// it in `alsoKnownAs`; a move at a time (`service::moving::PROCESSING_COOLDOWN`).
pub(super) async fn received(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    if activity.object_id() != Some(actor.uri.as_str()) {
        return Err(permanent("an actor may only move itself"));
    }
    let Some(target_uri) = protocol::id_of(&activity.target) else {
        return Err(permanent("a move names its target"));
    };
    if target_uri == actor.uri {
        return Err(permanent("an account cannot move to itself"));
    }
    if moving::moved_recently(actor) {
        return Ok(Outcome::Ignored("this account already moved recently"));
    }
    let (target, aliases) = fresh(state, target_uri).await?;
    if target.id == actor.id {
        return Err(permanent("an account cannot move to itself"));
    }
    if !aliases.iter().any(|a| a == &actor.uri) {
        return Err(permanent(
            "the target does not name the account in its alsoKnownAs",
        ));
    }
    if (target.actor_type == "Group") != (actor.actor_type == "Group") {
        return Err(permanent("a group moves to a group, a person to a person"));
    }
    if target.deleted_at.is_some() || target.is_instance_actor() {
        return Err(permanent("the target is not an account one can follow"));
    }
    Ok(match moving::move_received(state, actor, &target).await? {
        true => Outcome::Applied("account moved: its local followers follow the new one"),
        false => Outcome::Ignored("this account already moved recently"),
    })
}
