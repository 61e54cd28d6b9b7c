//! The ActivityPub part of a person's data archive (`service::export`): their actor, and the
//! `Create` of each of their posts and the `Announce` of each boost, rendered as they are
//! served to other servers, every visibility and circle included (the archive is its
//! owner's). Handed to the export worker at start (`app`), as services never name federation.

use super::{activities, render, routes};
use crate::{
    db::{self, accounts::AccountRow},
    error::{AppError, AppResult},
    service::export::ActivityParts,
    state::AppState,
};
use futures::{FutureExt, future::BoxFuture};

/// How many posts are read at a time.
const BATCH: i64 = 200;

/// Renders `account`'s actor and activities (a [`crate::service::export::Render`]).
pub fn render_parts<'a>(
    state: &'a AppState,
    account: &'a AccountRow,
) -> BoxFuture<'a, AppResult<ActivityParts>> {
    parts(state, account).boxed()
}

async fn parts(state: &AppState, account: &AccountRow) -> AppResult<ActivityParts> {
    let actor = render::actor(state, account).map_err(AppError::internal)?;
    let mut items = Vec::new();
    let mut after = 0;
    loop {
        let ids = db::personal_data::post_ids(state.pool(), account.id, after, BATCH).await?;
        let Some(last) = ids.last() else { break };
        after = *last;
        for id in ids {
            let Some(status) = db::statuses::by_id(state.pool(), id).await? else {
                continue;
            };
            if let Some(original_id) = status.reblog_of_id {
                if let Some((original, author)) = routes::boosted(state, original_id).await {
                    let a = activities::announce(&status, account, &original, &author)?;
                    items.push(a.embedded());
                }
            } else {
                let note = routes::note_of(state, &status, account).await?;
                items.push(activities::create_or_update("Create", note)?.embedded());
            }
        }
    }
    Ok(ActivityParts {
        actor,
        activities: items,
    })
}
