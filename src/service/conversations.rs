//! Conversations (the Mastodon API's direct messages, Tusky's "Direct" tab): each local person
//! who writes or is named in a direct post has it in a conversation, one per thread and set
//! of other participants, as Mastodon keeps them. A new direct post, written here or arriving
//! from elsewhere, is recorded in the same transaction that stores it
//! ([`record`]); it makes its conversation unread for everyone but its author.
//!
//! Only participants ever see a conversation: rows exist only for the people a post names
//! (who may read it), every read is by its owner, and a post answering a thread from someone
//! outside it starts a conversation of its own (its set of participants differs), so nobody
//! enters a thread by answering it.

use crate::{
    db::{self, accounts::AccountRow, conversations::ConversationRow, statuses::Page},
    error::{AppError, AppResult},
    service::views::{self, AccountView, StatusView},
    state::AppState,
};
use std::collections::HashMap;

/// A conversation as its owner sees it.
#[derive(Debug, Clone)]
pub struct ConversationView {
    /// The conversation.
    pub row: ConversationRow,
    /// The others in it, in the order of their ids.
    pub accounts: Vec<AccountView>,
    /// Its newest post.
    pub last_status: Option<StatusView>,
}

/// Records a new direct post in the conversations of the local people in it: its author
/// (read) and the people it names (unread), in the transaction that stores it. `parent` is
/// the post it answers, whose thread it joins.
pub async fn record(
    tx: &mut sqlx::AnyConnection,
    status_id: i64,
    author: i64,
    author_local: bool,
    parent: Option<i64>,
    named: &[AccountRow],
) -> Result<(), sqlx::Error> {
    let thread = match parent {
        Some(p) => db::conversations::thread_of(tx, p).await?.unwrap_or(p),
        None => status_id,
    };
    let mut everyone: Vec<i64> = named.iter().map(|a| a.id).collect();
    everyone.push(author);
    everyone.sort_unstable();
    everyone.dedup();
    let mut local: Vec<i64> = named
        .iter()
        .filter(|a| a.is_local())
        .map(|a| a.id)
        .collect();
    if author_local {
        local.push(author);
    }
    local.sort_unstable();
    local.dedup();
    for owner in local {
        let others = everyone
            .iter()
            .filter(|id| **id != owner)
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        db::conversations::add(tx, owner, thread, &others, status_id, owner != author).await?;
    }
    Ok(())
}

/// Conversations with their participants and newest posts, as `viewer` sees them.
async fn views_of(
    state: &AppState,
    viewer: i64,
    rows: Vec<ConversationRow>,
) -> AppResult<Vec<ConversationView>> {
    let mut account_ids: Vec<i64> = rows.iter().flat_map(|r| r.participant_ids()).collect();
    account_ids.sort_unstable();
    account_ids.dedup();
    let accounts = db::accounts::by_ids(state.pool(), &account_ids).await?;
    let accounts: HashMap<i64, AccountView> = views::accounts(state, &accounts)
        .await?
        .into_iter()
        .map(|a| (a.row.id, a))
        .collect();
    let status_ids: Vec<i64> = rows.iter().map(|r| r.last_status_id).collect();
    let statuses = db::statuses::by_ids(state.pool(), &status_ids).await?;
    let statuses: HashMap<i64, StatusView> = views::statuses(state, Some(viewer), &statuses)
        .await?
        .into_iter()
        .map(|s| (s.row.id, s))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| ConversationView {
            accounts: row
                .participant_ids()
                .iter()
                .filter_map(|id| accounts.get(id).cloned())
                .collect(),
            last_status: statuses.get(&row.last_status_id).cloned(),
            row,
        })
        .collect())
}

/// A page of `me`'s conversations, by their newest post, newest first.
pub async fn page(state: &AppState, me: i64, page: Page) -> AppResult<Vec<ConversationView>> {
    let ascending = page.min_id.is_some();
    let mut rows = db::conversations::page(
        state.pool(),
        me,
        page.min_id.or(page.since_id),
        page.max_id,
        ascending,
        page.limit,
    )
    .await?;
    if ascending {
        rows.reverse();
    }
    views_of(state, me, rows).await
}

/// Marks one of `me`'s conversations read and gives it back, or 404.
pub async fn read(state: &AppState, me: i64, id: i64) -> AppResult<ConversationView> {
    if !db::conversations::mark_read(state.pool(), me, id).await? {
        return Err(AppError::not_found());
    }
    let row = db::conversations::get(state.pool(), me, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    views_of(state, me, vec![row])
        .await?
        .pop()
        .ok_or_else(AppError::not_found)
}

/// Removes one of `me`'s conversations (the posts stay; a new post in it brings it back),
/// or 404.
pub async fn remove(state: &AppState, me: i64, id: i64) -> AppResult<()> {
    if !db::conversations::remove(state.pool(), me, id).await? {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// The conversations a post is in, each as its owner sees it (for the `direct` stream).
pub async fn of_status(state: &AppState, status_id: i64) -> AppResult<Vec<ConversationView>> {
    let mut out = Vec::new();
    for row in db::conversations::of_status(state.pool(), status_id).await? {
        let owner = row.account_id;
        out.extend(views_of(state, owner, vec![row]).await?);
    }
    Ok(out)
}
