//! Web sessions: signing a browser in and out.

use crate::{
    clock, crypto,
    db::{
        self,
        accounts::{AccountRow, UserRow},
    },
    error::AppResult,
    state::AppState,
};

/// Sessions seen within this long are not written to again, to spare the database a write on
/// every page.
const TOUCH_EVERY_MICROS: i64 = 5 * 60 * 1_000_000;

/// Starts a session for a user; returns the token to put in the cookie.
pub async fn start(state: &AppState, account_id: i64, user_agent: &str) -> AppResult<String> {
    let token = crypto::random_token(32);
    let now = clock::now();
    let expires = clock::after(state.config.session_lifetime);
    let agent: String = user_agent.chars().take(300).collect();
    db::sessions::insert(
        state.pool(),
        &crypto::token_hash(&token),
        account_id,
        now,
        expires,
        &agent,
    )
    .await?;
    Ok(token)
}

/// The user of a live session and their account, if the token is one and the user may still
/// sign in.
pub async fn user(state: &AppState, token: &str) -> AppResult<Option<(UserRow, AccountRow)>> {
    let hash = crypto::token_hash(token);
    let now = clock::now();
    let Some((account_id, last_seen)) = db::sessions::find(state.pool(), &hash, now).await? else {
        return Ok(None);
    };
    let Some((user, account)) = db::accounts::user_with_account(state.pool(), account_id).await?
    else {
        return Ok(None);
    };
    if crate::service::accounts::check_can_sign_in(&user).is_err() {
        return Ok(None);
    }
    if now - last_seen > TOUCH_EVERY_MICROS {
        let expires = clock::after(state.config.session_lifetime);
        db::sessions::touch(state.pool(), &hash, now, expires).await?;
        super::discovery::record_use(state, account_id, Some(last_seen)).await?;
    }
    Ok(Some((user, account)))
}

/// Ends a session.
pub async fn end(state: &AppState, token: &str) -> AppResult<()> {
    db::sessions::delete(state.pool(), &crypto::token_hash(token)).await?;
    Ok(())
}

/// The stored form of a session token (to keep one session when ending the others).
pub fn hash(token: &str) -> String {
    crypto::token_hash(token)
}
