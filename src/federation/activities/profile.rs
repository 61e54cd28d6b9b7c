//! `Update` and `Delete` of an actor (a profile changed, an account deleted).

use super::audience::account;
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow},
    error::{AppError, AppResult},
    federation::{
        objects::ApAccount,
        protocol::{self, Activity, PUBLIC},
        receive::{Outcome, permanent},
        render,
    },
    service::outgoing::Outgoing,
    state::AppState,
};
use activitypub_federation::traits::Object;
use serde_json::json;

/// The types of actors an `Update` may carry.
pub(super) const ACTOR_TYPES: &[&str] =
    &["Person", "Service", "Application", "Group", "Organization"];

/// `Update(Person)` (or `Group`) of a local profile.
fn update(state: &AppState, account: &AccountRow) -> AppResult<Activity> {
    // Embedded in the activity, which carries the context.
    let mut person = render::actor_object(state, account).map_err(AppError::internal)?;
    person.context = None;
    Activity::new(
        &format!("{}#updates/{}", account.uri, crate::clock::now()),
        "Update",
        &account.uri,
        render::to_json(&person),
        vec![PUBLIC.to_string()],
        vec![render::actor_urls(account).followers],
    )
    .map_err(AppError::internal)
}

/// `Delete(Person)` of a deleted local account.
fn delete(account: &AccountRow) -> AppResult<Activity> {
    Activity::new(
        &format!("{}#delete", account.uri),
        "Delete",
        &account.uri,
        json!(account.uri),
        vec![PUBLIC.to_string()],
        Vec::new(),
    )
    .map_err(AppError::internal)
}

pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    Ok(match outgoing {
        Outgoing::UpdateActor { account_id } => {
            let Some(me) = account(state, *account_id).await? else {
                return Ok(None);
            };
            if me.deleted_at.is_some() {
                return Ok(None);
            }
            Some(Prepared {
                actor_id: me.id,
                body: update(state, &me)?.to_json(),
                inboxes: db::social::remote_follower_inboxes(state.pool(), me.id).await?,
            })
        }
        Outgoing::DeleteActor {
            account_id,
            inboxes,
        } => {
            let Some(me) = account(state, *account_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: me.id,
                body: delete(&me)?.to_json(),
                inboxes: inboxes.clone(),
            })
        }
        _ => None,
    })
}

/// A remote actor changed its profile.
pub(super) async fn updated(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    if activity.object_id() != Some(actor.uri.as_str()) {
        return Err(permanent("an actor may only update itself"));
    }
    let json: protocol::Actor = serde_json::from_value(activity.object.clone())
        .map_err(|e| permanent(&format!("unreadable actor: {e}")))?;
    let data = crate::federation::data(state);
    let url = json.id.clone();
    ApAccount::verify(&json, &url, &data).await?;
    ApAccount::from_json(json, &data).await?;
    Ok(Outcome::Applied("profile updated"))
}

/// A remote actor deleted itself: its account and posts go.
pub(super) async fn deleted(state: &AppState, actor: &AccountRow) -> Result<Outcome> {
    let account = ApAccount::new(actor.clone())?;
    account.delete(&crate::federation::data(state)).await?;
    Ok(Outcome::Applied("account deleted with its posts"))
}
