//! E-mail use cases: messages queued in the database in the transaction of what they tell of
//! (never sent from a request), the account flows that need e-mail (address confirmation,
//! password reset, address change), one-click unsubscribe links, and the e-mail channel of
//! notifications. The worker that sends the queue is [`worker`]. Without an SMTP server
//! (`smtp_host`) nothing is queued and the flows that need e-mail answer
//! `error-mail-unavailable`.

mod notifications;
mod unsubscribe;
mod worker;

pub use notifications::{NotificationMail, queue_notifications};
pub use unsubscribe::{
    Unsubscribe, check_leave_link, check_unsubscribe, digest_unsubscribe_url, turn_off_email,
    unsubscribe, unsubscribe_url,
};
pub use worker::{run, step};

use super::blocking;
use crate::{
    clock, crypto,
    db::{self, accounts::UserRow},
    domain::{Email, Invalid, Locale, Password, UserState},
    error::{AppError, AppResult},
    mail::Mail,
    state::AppState,
};
use axum::http::StatusCode;
use std::time::Duration;

/// How long a password reset link works.
pub const RESET_VALID_FOR: Duration = Duration::from_secs(3600);
/// How long an address confirmation link works.
pub const CONFIRM_VALID_FOR: Duration = Duration::from_secs(48 * 3600);

const PURPOSE_RESET: &str = "password_reset";
const PURPOSE_CONFIRM: &str = "confirm_email";

/// Whether e-mail is on (an SMTP server is configured).
pub fn enabled(state: &AppState) -> bool {
    state.mail.enabled()
}

/// Refuses what needs e-mail when it is off.
pub fn require_enabled(state: &AppState) -> AppResult<()> {
    if enabled(state) {
        Ok(())
    } else {
        Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "error-mail-unavailable",
        ))
    }
}

/// The language a person's messages are written in: theirs, or the instance's default.
pub fn locale_of(state: &AppState, user: &UserRow) -> Locale {
    user.locale
        .as_deref()
        .and_then(|l| Locale::parse(l).ok())
        .unwrap_or(state.config.default_locale)
}

/// Queues `mail` to `to` in the caller's transaction; does nothing when e-mail is off. Call
/// [`wake`] once the transaction is committed.
pub async fn queue(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    to: &str,
    account_id: Option<i64>,
    locale: Locale,
    mail: &Mail,
) -> AppResult<()> {
    if !enabled(state) {
        return Ok(());
    }
    let params = serde_json::to_string(mail).map_err(AppError::internal)?;
    db::mail::enqueue(
        conn,
        &db::mail::NewMail {
            recipient: to,
            account_id,
            locale: locale.as_str(),
            kind: mail.kind(),
            params: &params,
            now: clock::now(),
        },
    )
    .await?;
    Ok(())
}

/// Wakes the mail worker (after a transaction that queued messages is committed).
pub fn wake(state: &AppState) {
    state.mail.ready.notify_one();
}

/// Whether `token` has the shape of the tokens we make (32 random bytes, URL-safe Base64):
/// anything else is refused before the database is asked.
fn token_shape_ok(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn invalid_link() -> AppError {
    Invalid::new("token", "error-mail-link-invalid").into()
}

/// A new one-time token for `account_id`, recorded (as its SHA-256) in the caller's
/// transaction; gives the token itself, for the link.
async fn new_token(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    purpose: &str,
    email: Option<&str>,
    valid_for: Duration,
) -> AppResult<String> {
    let token = crypto::random_token(32);
    let now = clock::now();
    db::mail::insert_token(
        conn,
        &crypto::token_hash(&token),
        account_id,
        purpose,
        email,
        now,
        now + valid_for.as_micros() as i64,
    )
    .await?;
    Ok(token)
}

fn link(state: &AppState, path: &str, token: &str) -> String {
    state.config.url(&format!("{path}?token={token}"))
}

/// Queues the confirmation of `address` for `user` (a new account's address, or a new address
/// when `change`) in the caller's transaction.
pub async fn send_confirmation(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    user: &UserRow,
    address: &str,
    change: bool,
) -> AppResult<()> {
    if !enabled(state) {
        return Ok(());
    }
    let token = new_token(
        conn,
        user.account_id,
        PURPOSE_CONFIRM,
        Some(address),
        CONFIRM_VALID_FOR,
    )
    .await?;
    let link = link(state, "/auth/confirm", &token);
    let username = user.username.clone();
    let mail = if change {
        Mail::ConfirmEmailChange { username, link }
    } else {
        Mail::ConfirmEmail { username, link }
    };
    queue(
        conn,
        state,
        address,
        Some(user.account_id),
        locale_of(state, user),
        &mail,
    )
    .await
}

/// Tells the owner of `address` that someone tried to use it for another account (a sign-up,
/// or a change of address), with links to sign in and to choose a new password. The one who
/// tried is answered as if the address were free, so nobody learns who has an account.
pub async fn address_in_use(state: &AppState, address: &str) -> AppResult<()> {
    if !enabled(state) {
        return Ok(());
    }
    let Some(owner) = db::accounts::user_by_email(state.pool(), address).await? else {
        return Ok(());
    };
    let mail = Mail::AddressInUse {
        sign_in: state.config.url("/auth/sign_in"),
        reset: state.config.url("/auth/password/new"),
    };
    let mut tx = state.db.begin().await?;
    queue(
        &mut tx,
        state,
        address,
        Some(owner.account_id),
        locale_of(state, &owner),
        &mail,
    )
    .await?;
    tx.commit().await?;
    wake(state);
    Ok(())
}

/// Asks for a password reset link for an address. The answer is the same whether or not the
/// address has an account (only a malformed address is refused); the link, valid for an hour
/// and once, goes to the address when it has one.
pub async fn request_password_reset(state: &AppState, address: &str) -> AppResult<()> {
    require_enabled(state)?;
    let email = Email::parse(address)?;
    let user = db::accounts::user_by_email(state.pool(), email.as_str()).await?;
    let Some(user) = user.filter(|u| u.state != UserState::Disabled) else {
        tracing::info!("password reset asked for an address without a usable account");
        return Ok(());
    };
    let mut tx = state.db.begin().await?;
    let token = new_token(
        &mut tx,
        user.account_id,
        PURPOSE_RESET,
        None,
        RESET_VALID_FOR,
    )
    .await?;
    let mail = Mail::PasswordReset {
        username: user.username.clone(),
        link: link(state, "/auth/password/edit", &token),
    };
    queue(
        &mut tx,
        state,
        &user.email,
        Some(user.account_id),
        locale_of(state, &user),
        &mail,
    )
    .await?;
    tx.commit().await?;
    wake(state);
    tracing::info!(account_id = user.account_id, "password reset link queued");
    Ok(())
}

/// Checks a password reset link without using it (to show the form it opens).
pub async fn check_reset_token(state: &AppState, token: &str) -> AppResult<()> {
    if !token_shape_ok(token) {
        return Err(invalid_link());
    }
    match db::mail::token(state.pool(), &crypto::token_hash(token), PURPOSE_RESET).await? {
        Some(row) if row.expires_at > clock::now() => Ok(()),
        _ => Err(invalid_link()),
    }
}

/// Sets a new password with a reset link's token, which is used up (and the account's
/// address counts as confirmed: the link reached it). Every session and app token of the
/// account ends. Gives the account's id.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    password: &str,
    confirmation: &str,
) -> AppResult<i64> {
    if !token_shape_ok(token) {
        return Err(invalid_link());
    }
    // A mistyped password leaves the link usable.
    let password = Password::parse(password)?;
    if password.expose() != confirmation {
        return Err(Invalid::new("password_confirmation", "error-password-mismatch").into());
    }
    let hash = blocking(move || crypto::hash_password(password.expose())).await?;
    let mut tx = state.db.begin().await?;
    let row = db::mail::take_token(&mut tx, &crypto::token_hash(token), PURPOSE_RESET).await?;
    let Some(row) = row.filter(|r| r.expires_at > clock::now()) else {
        // An expired token is used up all the same.
        tx.commit().await?;
        return Err(invalid_link());
    };
    let user = db::accounts::user_by_id(&mut *tx, row.account_id)
        .await?
        .ok_or_else(invalid_link)?;
    db::mail::confirm_email(&mut tx, row.account_id, &user.email).await?;
    tx.commit().await?;
    db::accounts::update_password(state.pool(), row.account_id, &hash).await?;
    db::sessions::delete_all_for(state.pool(), row.account_id, None).await?;
    let revoked = db::oauth::revoke_all_for(
        &mut *state.pool().acquire().await?,
        row.account_id,
        clock::now(),
    )
    .await?;
    state.streams.revoked(revoked);
    tracing::info!(account_id = row.account_id, "password reset by e-mail link");
    Ok(row.account_id)
}

/// Confirms an address with a confirmation link's token (used up): a new account's, which
/// may then sign in, or a new address, which becomes the account's.
pub async fn confirm(state: &AppState, token: &str) -> AppResult<()> {
    if !token_shape_ok(token) {
        return Err(invalid_link());
    }
    let mut tx = state.db.begin().await?;
    let row = db::mail::take_token(&mut tx, &crypto::token_hash(token), PURPOSE_CONFIRM).await?;
    let Some((row, email)) = row
        .filter(|r| r.expires_at > clock::now())
        .and_then(|r| r.email.clone().map(|e| (r, e)))
    else {
        tx.commit().await?;
        return Err(invalid_link());
    };
    match db::mail::confirm_email(&mut tx, row.account_id, &email).await {
        Ok(_) => {}
        // Another account took the address since the link was sent.
        Err(e) if db::is_unique_violation(&e) => {
            return Err(Invalid::new("email", "error-email-taken").into());
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    tracing::info!(account_id = row.account_id, "e-mail address confirmed");
    Ok(())
}

/// Sends a new confirmation link to an address awaiting confirmation (the sign-in page's
/// "did not receive it?"). The same answer whatever the address.
pub async fn resend_confirmation(state: &AppState, address: &str) -> AppResult<()> {
    require_enabled(state)?;
    let email = Email::parse(address)?;
    let user = db::accounts::user_by_email(state.pool(), email.as_str()).await?;
    if let Some(user) = user.filter(|u| u.email_unconfirmed == 1) {
        let mut tx = state.db.begin().await?;
        send_confirmation(&mut tx, state, &user, &user.email.clone(), false).await?;
        tx.commit().await?;
        wake(state);
    }
    Ok(())
}

/// `POST /api/v1/emails/confirmations`: an app, with the token a registration gave it, asks
/// for the confirmation again, optionally to another address. Only while the address awaits
/// confirmation. A registration's decoy token (an address already taken) gets the same
/// answer and sends nothing.
pub async fn resend_for_token(
    state: &AppState,
    bearer: &str,
    new_address: Option<&str>,
) -> AppResult<()> {
    let hash = crypto::token_hash(bearer);
    let found = db::accounts::token_with_user(state.pool(), &hash).await?;
    let Some((token, joined)) = found else {
        if db::oauth::is_decoy_token(state.pool(), &hash).await? {
            require_enabled(state)?;
            if let Some(address) = new_address {
                Email::parse(address)?;
            }
            return Ok(());
        }
        return Err(AppError::unauthorized("error-token-invalid"));
    };
    if token.revoked_at.is_some() || token.expires_at.is_some_and(|t| t <= clock::now()) {
        return Err(AppError::unauthorized("error-token-invalid"));
    }
    if !token.scopes.allows_any(&["write", "write:accounts"]) {
        return Err(AppError::forbidden("error-scope-missing"));
    }
    let Some((user, _)) = joined else {
        return Err(AppError::forbidden("error-token-invalid"));
    };
    require_enabled(state)?;
    if user.email_unconfirmed != 1 {
        return Err(AppError::forbidden("error-email-already-confirmed"));
    }
    let address = match new_address {
        Some(given) => Email::parse(given)?.as_str().to_string(),
        None => user.email.clone(),
    };
    if address != user.email && db::accounts::email_taken(state.pool(), &address).await? {
        return address_in_use(state, &address).await;
    }
    let mut tx = state.db.begin().await?;
    send_confirmation(&mut tx, state, &user, &address, false).await?;
    tx.commit().await?;
    wake(state);
    Ok(())
}

/// Starts changing a signed-in person's address, after checking their password: a link to
/// the new address confirms it (the address changes then), and the old one is told. A new
/// address that has an account gets the same answer (its owner is told instead).
pub async fn change_email(
    state: &AppState,
    account_id: i64,
    new_address: &str,
    password: &str,
) -> AppResult<()> {
    require_enabled(state)?;
    let user = db::accounts::user_by_id(state.pool(), account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut errors = Vec::new();
    let email = Email::parse(new_address).map_err(|e| errors.push(e)).ok();
    let stored = user.password_hash.clone();
    let typed = password.to_string();
    if !blocking(move || crypto::verify_password(&typed, &stored)).await? {
        errors.push(Invalid::new("current_password", "error-wrong-password"));
    }
    if let Some(email) = &email
        && email.as_str() == user.email
    {
        errors.push(Invalid::new("email", "error-email-unchanged"));
    }
    let (Some(email), true) = (email, errors.is_empty()) else {
        return Err(AppError::invalid(errors));
    };
    if db::accounts::email_taken(state.pool(), email.as_str()).await? {
        tracing::info!(
            account_id,
            "address change to an address in use: its owner is told"
        );
        return address_in_use(state, email.as_str()).await;
    }
    let mut tx = state.db.begin().await?;
    send_confirmation(&mut tx, state, &user, email.as_str(), true).await?;
    let notice = Mail::EmailChanging {
        username: user.username.clone(),
        new_email: email.as_str().to_string(),
    };
    queue(
        &mut tx,
        state,
        &user.email,
        Some(account_id),
        locale_of(state, &user),
        &notice,
    )
    .await?;
    tx.commit().await?;
    wake(state);
    tracing::info!(account_id, "address change asked: confirmation sent");
    Ok(())
}

/// Tells a person their registration was approved (in the approval's transaction).
pub async fn registration_approved(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    user: &UserRow,
) -> AppResult<()> {
    let mail = Mail::RegistrationApproved {
        username: user.username.clone(),
        link: state.config.url("/auth/sign_in"),
    };
    queue(
        conn,
        state,
        &user.email,
        Some(user.account_id),
        locale_of(state, user),
        &mail,
    )
    .await
}

/// Tells a person their registration was refused (in the transaction that removes the
/// account, so the message is not tied to it).
pub async fn registration_refused(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    user: &UserRow,
) -> AppResult<()> {
    let mail = Mail::RegistrationRefused {
        username: user.username.clone(),
    };
    queue(
        conn,
        state,
        &user.email,
        None,
        locale_of(state, user),
        &mail,
    )
    .await
}

/// Removes expired link tokens (with the hourly chores).
pub async fn forget_expired_tokens(state: &AppState, now: i64) -> AppResult<u64> {
    Ok(db::mail::delete_expired_tokens(state.pool(), now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_of_our_shape_reach_the_database() {
        assert!(token_shape_ok(&crypto::random_token(32)));
        for bad in [
            "",
            "short",
            &"a".repeat(44),
            &format!("{}=", "a".repeat(42)),
            &format!("{}%", "a".repeat(42)),
            &format!("{}\n", "a".repeat(42)),
        ] {
            assert!(!token_shape_ok(bad), "{bad:?}");
        }
    }
}
