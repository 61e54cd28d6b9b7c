//! A person's private calendar link: a secret address phone calendars subscribe to, listing
//! the events they take part in.

use super::{Event, get};
use crate::{
    clock,
    db::{self, accounts::AccountRow},
    error::AppResult,
    state::AppState,
};

/// Makes a new private calendar link for `who` (the previous one stops working); returns
/// its secret, shown once.
pub async fn new_calendar_link(state: &AppState, who: &AccountRow) -> AppResult<String> {
    let token = crate::crypto::random_token(32);
    db::events::set_calendar_link(
        state.pool(),
        who.id,
        &crate::crypto::token_hash(&token),
        clock::now(),
    )
    .await?;
    Ok(token)
}

/// Ends `who`'s private calendar link.
pub async fn revoke_calendar_link(state: &AppState, who: &AccountRow) -> AppResult<()> {
    Ok(db::events::delete_calendar_link(state.pool(), who.id).await?)
}

/// The events a private calendar link's owner takes part in or asked to (from a week ago),
/// as they may see them; `None` for an unknown or revoked link.
pub async fn calendar_of_link(state: &AppState, token: &str) -> AppResult<Option<Vec<Event>>> {
    let Some(owner) =
        db::events::calendar_link_owner(state.pool(), &crate::crypto::token_hash(token)).await?
    else {
        return Ok(None);
    };
    let since = clock::now() - 7 * 24 * 3600 * 1_000_000;
    let mut out = Vec::new();
    for id in db::events::events_of(state.pool(), owner).await? {
        if let Ok(e) = get(state, Some(owner), id).await
            && e.row.ends_at > since
        {
            out.push(e);
        }
    }
    out.sort_by_key(|e| e.row.starts_at);
    Ok(Some(out))
}

/// When `who` made their private calendar link, if they have one.
pub async fn calendar_link_made(state: &AppState, who: i64) -> AppResult<Option<i64>> {
    Ok(db::events::calendar_link_made(state.pool(), who).await?)
}
