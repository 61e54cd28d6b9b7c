//! One-click unsubscribe (RFC 8058): every message that is not transactional carries a link
//! that turns that kind of e-mail off for its recipient, with no session. The link's token is
//! `{account}.{kind}.{mac}`, where the mac is an HMAC-SHA256 (truncated to 128 bits) of the
//! account and kind under a secret the instance makes once (`settings`), so no table of
//! tokens grows and a token cannot be made for someone else.

use crate::{
    crypto, db,
    domain::NotificationKind,
    error::{AppError, AppResult},
    state::AppState,
};

/// The `settings` key of the secret.
const SECRET_KEY: &str = "mail_unsubscribe_secret";
/// Hex characters of the mac kept (128 bits).
const MAC_LEN: usize = 32;

async fn secret(state: &AppState) -> AppResult<String> {
    let mut conn = state.pool().acquire().await?;
    batch_secret(&mut conn).await
}

/// What a link stops: a kind of notification, or (`None`) the digest, named `digest` in links
/// (no kind has that name).
fn name_of(kind: Option<NotificationKind>) -> &'static str {
    kind.map_or(DIGEST, NotificationKind::as_str)
}

/// The name of the digest in unsubscribe links.
const DIGEST: &str = "digest";

fn mac(secret: &str, account_id: i64, kind: Option<NotificationKind>) -> String {
    let mut mac = crypto::hmac_sha256_hex(
        secret.as_bytes(),
        format!("unsubscribe:{account_id}:{}", name_of(kind)).as_bytes(),
    );
    mac.truncate(MAC_LEN);
    mac
}

/// The unsubscribe address for one person and kind of notification.
pub async fn unsubscribe_url(
    state: &AppState,
    account_id: i64,
    kind: NotificationKind,
) -> AppResult<String> {
    let secret = secret(state).await?;
    Ok(url_with(state, &secret, account_id, Some(kind)))
}

/// The address that turns a person's digest off.
pub async fn digest_unsubscribe_url(state: &AppState, account_id: i64) -> AppResult<String> {
    let secret = secret(state).await?;
    Ok(url_with(state, &secret, account_id, None))
}

/// [`unsubscribe_url`] with the secret already read (for a batch).
pub(super) fn url_with(
    state: &AppState,
    secret: &str,
    account_id: i64,
    kind: Option<NotificationKind>,
) -> String {
    state.config.url(&format!(
        "/mail/unsubscribe/{account_id}.{}.{}",
        name_of(kind),
        mac(secret, account_id, kind)
    ))
}

/// The secret, read on `conn` (in a transaction that writes, another connection would wait
/// for it on SQLite).
pub(super) async fn batch_secret(conn: &mut sqlx::AnyConnection) -> AppResult<String> {
    Ok(db::mail::instance_secret(conn, SECRET_KEY, &crypto::random_token(32)).await?)
}

/// What an unsubscribe link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsubscribe {
    pub account_id: i64,
    /// The kind of notification, or `None` for the digest.
    pub kind: Option<NotificationKind>,
}

/// Reads an unsubscribe token; anything we did not make is 404 (`error-unsubscribe-invalid`).
pub async fn check_unsubscribe(state: &AppState, token: &str) -> AppResult<Unsubscribe> {
    let invalid = || {
        AppError::new(
            axum::http::StatusCode::NOT_FOUND,
            "error-unsubscribe-invalid",
        )
    };
    if token.len() > 100 {
        return Err(invalid());
    }
    // A kind's name may hold a dot (`admin.sign_up`): the account is before the first, the mac
    // after the last.
    let Some((account, rest)) = token.split_once('.') else {
        return Err(invalid());
    };
    let Some((kind, given)) = rest.rsplit_once('.') else {
        return Err(invalid());
    };
    let account_id: i64 = account.parse().map_err(|_| invalid())?;
    let kind = match kind {
        DIGEST => None,
        name => Some(NotificationKind::from_stored(name).ok_or_else(invalid)?),
    };
    if given.len() != MAC_LEN {
        return Err(invalid());
    }
    let expected = mac(&secret(state).await?, account_id, kind);
    if !crypto::constant_time_eq(expected.as_bytes(), given.as_bytes()) {
        return Err(invalid());
    }
    if db::accounts::user_by_id(state.pool(), account_id)
        .await?
        .is_none()
    {
        return Err(invalid());
    }
    Ok(Unsubscribe { account_id, kind })
}

/// Follows an unsubscribe link: that kind of e-mail stops for its person.
pub async fn unsubscribe(state: &AppState, token: &str) -> AppResult<Unsubscribe> {
    let found = check_unsubscribe(state, token).await?;
    match found.kind {
        Some(kind) => turn_off_email(state, found.account_id, kind).await?,
        None => {
            crate::service::digest::set_frequency(
                state,
                found.account_id,
                crate::domain::DigestFrequency::Off,
            )
            .await?;
            tracing::info!(
                account_id = found.account_id,
                "digest turned off by an unsubscribe link"
            );
        }
    }
    Ok(found)
}

/// Turns off e-mail for one kind of notification for one person (their other channels for
/// that kind stay as they were).
pub async fn turn_off_email(
    state: &AppState,
    account_id: i64,
    kind: NotificationKind,
) -> AppResult<()> {
    crate::service::notifications::turn_off(
        state,
        account_id,
        kind,
        crate::service::notifications::Channel::Email,
    )
    .await?;
    tracing::info!(
        account_id,
        kind = kind.as_str(),
        "e-mail turned off by an unsubscribe link"
    );
    Ok(())
}

/// The link in a reminder that frees a participant's place in one click ("I can't come any
/// more"): `/events/{event}/leave/{account}.{mac}`, the mac an HMAC of the account and event
/// under the same secret as unsubscribe links, so no table of tokens grows and no one can
/// make a link for someone else.
pub(super) fn leave_url_with(
    state: &AppState,
    secret: &str,
    account_id: i64,
    event_id: i64,
) -> String {
    state.config.url(&format!(
        "/events/{event_id}/leave/{account_id}.{}",
        leave_mac(secret, account_id, event_id)
    ))
}

fn leave_mac(secret: &str, account_id: i64, event_id: i64) -> String {
    let mut mac = crypto::hmac_sha256_hex(
        secret.as_bytes(),
        format!("leave:{account_id}:{event_id}").as_bytes(),
    );
    mac.truncate(MAC_LEN);
    mac
}

/// Reads a "leave" link's token for an event: the person it was made for. Anything we did not
/// make is 404 (`error-leave-link-invalid`).
pub async fn check_leave_link(state: &AppState, event_id: i64, token: &str) -> AppResult<i64> {
    let invalid = || {
        AppError::new(
            axum::http::StatusCode::NOT_FOUND,
            "error-leave-link-invalid",
        )
    };
    if token.len() > 60 {
        return Err(invalid());
    }
    let (account, given) = token.split_once('.').ok_or_else(invalid)?;
    let account_id: i64 = account.parse().map_err(|_| invalid())?;
    if given.len() != MAC_LEN {
        return Err(invalid());
    }
    let expected = leave_mac(&secret(state).await?, account_id, event_id);
    if !crypto::constant_time_eq(expected.as_bytes(), given.as_bytes()) {
        return Err(invalid());
    }
    Ok(account_id)
}
