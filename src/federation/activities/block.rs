//! `Block` and `Undo(Block)`.

use super::audience::{both, inbox_of};
use super::follow::undo;
use super::lookup::local_actor;
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow},
    error::{AppError, AppResult},
    federation::{
        protocol::{self, Activity},
        receive::Outcome,
    },
    service::{outgoing::Outgoing, relationships},
    state::AppState,
};
use serde_json::{Value, json};

/// A `Block`.
fn block(id: &str, actor: &str, object: &str) -> AppResult<Activity> {
    Activity::new(
        id,
        "Block",
        actor,
        json!(object),
        vec![object.to_string()],
        Vec::new(),
    )
    .map_err(AppError::internal)
}

pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    let (Outgoing::Block {
        account_id,
        target_id,
        block_uri,
    }
    | Outgoing::UndoBlock {
        account_id,
        target_id,
        block_uri,
    }) = outgoing
    else {
        return Ok(None);
    };
    let Some((me, target)) = both(state, *account_id, *target_id).await? else {
        return Ok(None);
    };
    let block = block(block_uri, &me.uri, &target.uri)?;
    let body = if matches!(outgoing, Outgoing::Block { .. }) {
        block
    } else {
        undo(&me.uri, block, vec![target.uri.clone()], Vec::new())?
    };
    Ok(Some(Prepared {
        actor_id: me.id,
        body: body.to_json(),
        inboxes: inbox_of(&target).into_iter().collect(),
    }))
}

/// A remote account blocks one of ours.
pub(super) async fn received(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    let Some(target) = local_actor(state, activity.object_id()).await? else {
        return Ok(Outcome::Ignored(
            "the blocked account is not on this server",
        ));
    };
    relationships::block_received(state, actor, &target, activity.id.as_str()).await?;
    Ok(Outcome::Applied("block recorded"))
}

/// A block lifted.
pub(super) async fn undone(state: &AppState, actor: &AccountRow, inner: &Value) -> Result<Outcome> {
    let target = db::accounts::by_uri(
        state.pool(),
        inner
            .get("object")
            .and_then(protocol::id_of)
            .unwrap_or_default(),
    )
    .await?;
    let target_id = target.map(|t| t.id).unwrap_or(0);
    relationships::unblock_received(state, actor, target_id, protocol::id_of(inner)).await?;
    Ok(Outcome::Applied("block lifted"))
}

/// A block lifted by its id alone, if the id is a block's.
pub(super) async fn undone_by_id(
    state: &AppState,
    actor: &AccountRow,
    uri: &str,
) -> Result<Option<Outcome>> {
    if db::social::block_by_uri(state.pool(), uri).await?.is_none() {
        return Ok(None);
    }
    relationships::unblock_received(state, actor, 0, Some(uri)).await?;
    Ok(Some(Outcome::Applied("block lifted")))
}
