//! Finding accounts: by id, by handle, by address, by a search; which profiles may be shown;
//! the lists administrators read. Every front-end finds accounts here, with one rule each.

use crate::{
    db::{self, accounts::AccountRow, accounts::UserRow},
    domain::UserState,
    error::{AppError, AppResult},
    state::AppState,
};

/// An account that exists (not deleted), or 404: the target of an action, a timeline's owner.
pub async fn existing(state: &AppState, id: i64) -> AppResult<AccountRow> {
    db::accounts::by_id(state.pool(), id)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or_else(AppError::not_found)
}

/// Accounts by id, to match rows that name them (members, participants, authors).
pub async fn by_id_map(
    state: &AppState,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, AccountRow>> {
    Ok(db::accounts::by_ids(state.pool(), ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

/// Accounts by id, in no particular order; those not found are left out.
pub async fn by_ids(state: &AppState, ids: &[i64]) -> AppResult<Vec<AccountRow>> {
    Ok(db::accounts::by_ids(state.pool(), ids).await?)
}

/// The account an ActivityPub id names, if known here.
pub async fn by_uri(state: &AppState, uri: &str) -> AppResult<Option<AccountRow>> {
    Ok(db::accounts::by_uri(state.pool(), uri).await?)
}

/// Accounts whose name or display name matches, as a search lists them (neither suspended
/// nor limited: `sanctions::searchable`).
pub async fn search(state: &AppState, term: &str, limit: i64) -> AppResult<Vec<AccountRow>> {
    let found = db::accounts::search(state.pool(), term, limit).await?;
    super::sanctions::searchable(state, None, found).await
}

/// Whether others may see a profile: not deleted, and for a local person, an active account
/// (one awaiting approval, or disabled, is not shown).
pub async fn shown(state: &AppState, account: AccountRow) -> AppResult<Option<AccountRow>> {
    if account.deleted_at.is_some() || super::sanctions::is_suspended(state, account.id).await? {
        return Ok(None);
    }
    if account.is_local() && account.actor_type != "Group" {
        let user = db::accounts::user_by_id(state.pool(), account.id).await?;
        if user.is_none_or(|u| u.state != UserState::Active) {
            return Ok(None);
        }
    }
    Ok(Some(account))
}

/// A profile others may see, by id, or 404.
pub async fn shown_by_id(state: &AppState, id: i64) -> AppResult<AccountRow> {
    let account = db::accounts::by_id(state.pool(), id).await?;
    match account {
        Some(a) => shown(state, a).await?,
        None => None,
    }
    .ok_or_else(AppError::not_found)
}

/// A profile known here by its handle: `name`, `@name` or `name@this-domain` (here), or
/// `name@domain` (elsewhere, when already known); `!name@domain` only for a group. Not shown
/// ones are `None`.
pub async fn shown_by_handle(state: &AppState, handle: &str) -> AppResult<Option<AccountRow>> {
    let (handle, group_only) = crate::domain::handle_parts(handle);
    let account = match handle.split_once('@') {
        None => db::accounts::local_by_username(state.pool(), handle).await?,
        Some((name, domain)) if domain.eq_ignore_ascii_case(&state.config.domain) => {
            db::accounts::local_by_username(state.pool(), name).await?
        }
        Some((name, domain)) => db::accounts::by_handle(state.pool(), name, Some(domain)).await?,
    };
    match account {
        Some(a) if !group_only || a.actor_type == "Group" => shown(state, a).await,
        _ => Ok(None),
    }
}

/// A local account by its username (deleted or not: the caller decides), if any.
pub async fn local(state: &AppState, username: &str) -> AppResult<Option<AccountRow>> {
    Ok(db::accounts::local_by_username(state.pool(), username).await?)
}

/// A local account's own profile (its settings, its credentials), or 404.
pub async fn own(state: &AppState, id: i64) -> AppResult<AccountRow> {
    db::accounts::by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Local people, all or in one state, for administrators.
pub async fn users(state: &AppState, in_state: Option<UserState>) -> AppResult<Vec<UserRow>> {
    Ok(db::accounts::users(state.pool(), in_state).await?)
}

/// How many people may use their account here (the instance's figures).
pub async fn active_users(state: &AppState) -> AppResult<i64> {
    Ok(db::accounts::count_users(state.pool(), UserState::Active).await?)
}

/// The accounts of a page of (cursor, account) rows (follow requests, blocks, likes, boosts),
/// in the page's order, with their cursor; deleted ones are left out.
pub async fn people(state: &AppState, rows: &[(i64, i64)]) -> AppResult<Vec<(i64, AccountRow)>> {
    let ids: Vec<i64> = rows.iter().map(|(_, a)| *a).collect();
    let accounts = db::accounts::by_ids(state.pool(), &ids).await?;
    Ok(rows
        .iter()
        .filter_map(|(cursor, id)| {
            accounts
                .iter()
                .find(|a| a.id == *id && a.deleted_at.is_none())
                .map(|a| (*cursor, a.clone()))
        })
        .collect())
}
