//! Mutes (Mastodon's): a person stops seeing an account's posts and boosts in their home,
//! list and public timelines and streams, and with `notifications` stops being notified by
//! it, for a while (`duration`) or until they unmute. Mutes are private: the muted account is
//! told nothing, and nothing federates. Timelines and notifications read the mutes in force
//! in their own queries (`db::statuses::not_muted`, `db::social::notify`), so a mute past its
//! end stops counting at once; the hourly chores delete it ([`chores`]).

use crate::{
    clock,
    db::{self, accounts::AccountRow, mutes::MuteRow},
    error::{AppError, AppResult},
    state::AppState,
};
use std::time::Duration;

/// `me`'s mute of `other`, if one is in force.
pub async fn get(state: &AppState, me: i64, other: i64) -> AppResult<Option<MuteRow>> {
    Ok(db::mutes::get(state.pool(), me, other, clock::now()).await?)
}

/// Mutes `target` (again: the new settings replace the old). `duration`: seconds, 0 or `None`
/// for good.
pub async fn mute(
    state: &AppState,
    me: &AccountRow,
    target: &AccountRow,
    notifications: bool,
    duration: Option<u64>,
) -> AppResult<()> {
    if me.id == target.id {
        return Err(AppError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "error-mute-self",
        ));
    }
    let expires_at = duration
        .filter(|d| *d > 0)
        .map(|d| clock::after(Duration::from_secs(d)));
    let mute = MuteRow {
        id: state.ids.next(),
        account_id: me.id,
        target_account_id: target.id,
        notifications: db::flag(notifications),
        expires_at,
    };
    db::mutes::upsert(state.pool(), &mute, clock::now()).await?;
    Ok(())
}

/// Lifts `me`'s mute of `target` (nothing when there is none).
pub async fn unmute(state: &AppState, me: &AccountRow, target: &AccountRow) -> AppResult<()> {
    Ok(db::mutes::delete(state.pool(), me.id, target.id).await?)
}

/// A page of `me`'s mutes in force, newest first.
pub async fn page(state: &AppState, me: i64, page: db::statuses::Page) -> AppResult<Vec<MuteRow>> {
    Ok(db::mutes::page(
        state.pool(),
        me,
        page.max_id,
        page.since_id.or(page.min_id),
        page.limit,
        clock::now(),
    )
    .await?)
}

/// The hourly chores of this part: mutes past their end are deleted, and list timelines are
/// cut to the home timelines' length (`home_feed_length`). Returns what went: (mutes, list
/// entries).
pub async fn chores(state: &AppState, now: i64) -> AppResult<(u64, u64)> {
    let mutes = db::mutes::delete_expired(state.pool(), now).await?;
    let entries = db::lists::trim(&state.db, state.config.home_feed_length, 1000).await?;
    Ok((mutes, entries))
}
