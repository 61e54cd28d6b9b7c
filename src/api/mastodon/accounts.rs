//! Accounts: the signed-in person (`verify_credentials`), looking accounts up, and
//! registration through an app (`POST /api/v1/accounts`).

use super::{
    entities::{Account, CredentialAccount, Token},
    extract::{Auth, MaybeAuth, Params, lenient},
    hydrate,
};
use crate::{
    domain::{Locale, Scopes},
    error::{AppError, AppResult},
    limits::{self, ClientIp},
    service::{self, accounts::Registration, accounts::SignedUp, directory},
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, State},
};
use serde::Deserialize;

/// `GET /api/v1/accounts/verify_credentials`.
pub async fn verify_credentials(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<CredentialAccount>> {
    let user = auth.require_user(&["read:accounts", "profile"])?;
    let account = auth.0.account.as_ref().ok_or_else(AppError::not_found)?;
    let prefs = crate::service::preferences::get(&state, account.id).await?;
    let mut entity = CredentialAccount::from_rows(&state, account, user, &prefs);
    entity.account = hydrate::account(&state, account).await?;
    Ok(Json(entity))
}

/// `GET /api/v1/accounts/:id`.
pub async fn get(
    State(state): State<AppState>,
    _auth: MaybeAuth,
    Path(id): Path<String>,
) -> AppResult<Json<Account>> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let account = directory::shown_by_id(&state, id).await?;
    Ok(Json(hydrate::account(&state, &account).await?))
}

#[derive(Deserialize)]
pub struct LookupQuery {
    #[serde(default)]
    acct: String,
}

/// `GET /api/v1/accounts/lookup?acct=name` (or `name@this-domain`, `@name`, a known
/// `name@other-domain`).
pub async fn lookup(
    State(state): State<AppState>,
    _auth: MaybeAuth,
    Params(q): Params<LookupQuery>,
) -> AppResult<Json<Account>> {
    let acct = q.acct.trim().trim_start_matches('@');
    if acct.is_empty() {
        return Err(AppError::bad_request("error-acct-missing"));
    }
    // A remote account is found once federation has fetched it (as Mastodon, no WebFinger
    // here: `/api/v2/search?resolve=true` fetches).
    let account = directory::shown_by_handle(&state, acct)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(hydrate::account(&state, &account).await?))
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    password: Option<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    agreement: bool,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    locale: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    reason: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    invite_code: Option<String>,
}

/// `POST /api/v1/accounts`: registration through an app, under the instance's registration
/// mode. Needs an app token with `write:accounts`; answers with a token for the new account
/// (which, awaiting approval, cannot be used until an administrator approves). In approval
/// mode an address that already has an account gets the same answer, with a decoy token that
/// is refused as a pending account's is (`service::accounts::sign_up`).
pub async fn register(
    State(state): State<AppState>,
    ip: ClientIp,
    auth: Auth,
    Params(form): Params<RegisterForm>,
) -> AppResult<Json<Token>> {
    let access = auth.require(&["write:accounts"])?;
    if access.user.is_some() {
        return Err(AppError::forbidden("error-already-signed-in"));
    }
    limits::check(&state.limits.registration, &ip.key())?;
    let registration = Registration {
        username: form.username.unwrap_or_default(),
        email: form.email.unwrap_or_default(),
        password: form.password.unwrap_or_default(),
        password_confirmation: None,
        agreement: form.agreement,
        locale: form.locale.as_deref().and_then(|l| Locale::parse(l).ok()),
        reason: form.reason.unwrap_or_default(),
        invite_code: form.invite_code,
    };
    let scopes: Scopes = access.scopes.clone();
    let issued = match service::accounts::sign_up(&state, registration).await? {
        SignedUp::Account(user) => {
            service::oauth::issue_for_registration(
                &state,
                access.token.app_id,
                user.account_id,
                scopes,
            )
            .await?
        }
        SignedUp::AddressInUse => service::oauth::issue_decoy(&state, scopes).await?,
    };
    Ok(Json(issued.into()))
}
