//! OAuth 2 as Mastodon apps use it: app registration, the authorization-code grant (with PKCE
//! S256), the password and client-credentials grants, revocation (RFC 7009), and checking the
//! bearer tokens that come with API calls.

use super::accounts;
use crate::{
    clock, crypto,
    db::{
        self,
        accounts::{AccountRow, UserRow},
        oauth::AppRow,
        oauth::TokenRow,
    },
    domain::{Invalid, Scopes, check_length},
    error::{AppError, AppResult},
    state::AppState,
};
use std::time::Duration;
use url::Url;

/// The redirect URI that asks for the code to be shown instead of sent (out-of-band).
pub const OOB_REDIRECT_URI: &str = "urn:ietf:wg:oauth:2.0:oob";

/// How long an authorization code may wait to be exchanged.
const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// What an app registers with.
#[derive(Debug, Default, Clone)]
pub struct NewApp {
    /// `client_name`.
    pub name: String,
    /// `redirect_uris`: one or several, separated by spaces or new lines.
    pub redirect_uris: Vec<String>,
    /// `scopes`, space-separated (default `read`).
    pub scopes: String,
    /// `website`.
    pub website: Option<String>,
}

/// A registered app and its client secret, which is shown this once and stored only hashed.
pub struct RegisteredApp {
    /// The stored app.
    pub app: AppRow,
    /// The client secret.
    pub client_secret: String,
}

/// Registers a client app.
pub async fn register_app(state: &AppState, new: NewApp) -> AppResult<RegisteredApp> {
    let mut errors = Vec::new();
    let name = new.name.trim();
    if let Err(e) = check_length("client_name", name, 1, 200) {
        errors.push(e);
    }
    let uris: Vec<String> = new
        .redirect_uris
        .iter()
        .flat_map(|s| s.split_whitespace())
        .map(str::to_string)
        .collect();
    if uris.is_empty() {
        errors.push(Invalid::new("redirect_uris", "error-required"));
    }
    for uri in &uris {
        if let Err(e) = check_redirect_uri(uri) {
            errors.push(e);
            break;
        }
    }
    let scopes = Scopes::parse(&new.scopes).map_err(|e| errors.push(e)).ok();
    let website = new
        .website
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty());
    if let Some(w) = website {
        let ok =
            Url::parse(w).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) && w.len() <= 2000;
        if !ok {
            errors.push(Invalid::new("website", "error-url-invalid"));
        }
    }
    let Some(scopes) = scopes.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors));
    };

    let client_id = crypto::random_token(32);
    let client_secret = crypto::random_token(32);
    let id = db::oauth::insert_app(
        state.pool(),
        &db::oauth::NewApp {
            name,
            website,
            redirect_uris: &uris.join("\n"),
            scopes: &scopes.to_string(),
            client_id: &client_id,
            client_secret_hash: &crypto::token_hash(&client_secret),
            now: clock::now(),
        },
    )
    .await?;
    let app = db::oauth::app_by_id(state.pool(), id)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("app vanished after insert")))?;
    Ok(RegisteredApp { app, client_secret })
}

/// Redirect URIs must be absolute, without fragment, and not a script or data scheme; custom
/// schemes (`tusky://`, `com.example.app:/`) are how mobile apps get the code back.
fn check_redirect_uri(uri: &str) -> Result<(), Invalid> {
    if uri == OOB_REDIRECT_URI {
        return Ok(());
    }
    let invalid = || Invalid::new("redirect_uris", "error-redirect-uri-invalid");
    if uri.len() > 2000 {
        return Err(invalid());
    }
    let url = Url::parse(uri).map_err(|_| invalid())?;
    let scheme = url.scheme();
    if url.fragment().is_some() || matches!(scheme, "javascript" | "data" | "vbscript" | "file") {
        return Err(invalid());
    }
    Ok(())
}

/// The query of `GET /oauth/authorize`.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
pub struct AuthorizeParams {
    /// Must be `code`.
    #[serde(default)]
    pub response_type: String,
    /// The app's client id.
    #[serde(default)]
    pub client_id: String,
    /// Where to send the code; one of the app's redirect URIs.
    #[serde(default)]
    pub redirect_uri: String,
    /// The scopes asked for (default `read`).
    #[serde(default)]
    pub scope: Option<String>,
    /// An opaque value the app gets back.
    #[serde(default)]
    pub state: Option<String>,
    /// PKCE: `BASE64URL(SHA256(verifier))`.
    #[serde(default)]
    pub code_challenge: Option<String>,
    /// PKCE: only `S256` is accepted (`plain` protects nothing).
    #[serde(default)]
    pub code_challenge_method: Option<String>,
}

/// A checked authorization request, ready to show on the consent page.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    /// The app asking.
    pub app: AppRow,
    /// Where the answer goes.
    pub redirect_uri: String,
    /// The scopes asked for, all within the app's.
    pub scopes: Scopes,
    /// The app's state value.
    pub state: Option<String>,
    /// The PKCE challenge.
    pub code_challenge: Option<String>,
}

/// Why an authorization request cannot go on.
pub enum AuthorizeError {
    /// The app or its redirect URI cannot be trusted: show the error, never redirect.
    Show(AppError),
    /// The app is known but the request is wrong: send the error back to the app.
    Redirect(String),
}

impl From<AppError> for AuthorizeError {
    fn from(e: AppError) -> Self {
        AuthorizeError::Show(e)
    }
}

/// Checks an authorization request (RFC 6749 4.1.1, RFC 7636).
pub async fn check_authorize(
    state: &AppState,
    params: &AuthorizeParams,
) -> Result<AuthorizeRequest, AuthorizeError> {
    let app = db::oauth::app_by_client_id(state.pool(), &params.client_id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::bad_request("error-oauth-unknown-client"))?;
    let redirect_uri = if params.redirect_uri.is_empty() {
        // Allowed when the app registered exactly one redirect URI (RFC 6749 3.1.2.3).
        let mut uris = app.redirect_uri_list();
        match (uris.next(), uris.next()) {
            (Some(only), None) => only.to_string(),
            _ => return Err(AppError::bad_request("error-oauth-redirect-mismatch").into()),
        }
    } else {
        params.redirect_uri.clone()
    };
    if !app.redirect_uri_list().any(|u| u == redirect_uri) {
        return Err(AppError::bad_request("error-oauth-redirect-mismatch").into());
    }
    let back = |error: &str| {
        AuthorizeError::Redirect(redirect_with(
            &redirect_uri,
            &[
                ("error", error),
                ("state", params.state.as_deref().unwrap_or("")),
            ],
        ))
    };
    if params.response_type != "code" {
        return Err(back("unsupported_response_type"));
    }
    let scopes =
        Scopes::parse(params.scope.as_deref().unwrap_or("")).map_err(|_| back("invalid_scope"))?;
    let app_scopes = &app.scopes;
    if !app_scopes.covers(&scopes) {
        return Err(back("invalid_scope"));
    }
    let code_challenge = params.code_challenge.clone().filter(|c| !c.is_empty());
    if code_challenge.is_some() {
        let method = params.code_challenge_method.as_deref().unwrap_or("plain");
        let well_formed = code_challenge.as_deref().is_some_and(|c| {
            (43..=128).contains(&c.len())
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
        });
        if method != "S256" || !well_formed {
            return Err(back("invalid_request"));
        }
    }
    Ok(AuthorizeRequest {
        app,
        redirect_uri,
        scopes,
        state: params.state.clone(),
        code_challenge,
    })
}

/// What happens after a person authorizes an app.
pub enum Authorized {
    /// Send the browser to this URL (the app's redirect URI with `code` and `state`).
    Redirect(String),
    /// Show this code for the person to copy into the app (out-of-band redirect URI).
    ShowCode(String),
}

/// Issues an authorization code for a signed-in person who approved the request.
pub async fn grant_code(
    state: &AppState,
    user: &UserRow,
    req: &AuthorizeRequest,
) -> AppResult<Authorized> {
    let code = crypto::random_token(32);
    db::oauth::insert_code(
        state.pool(),
        &crypto::token_hash(&code),
        &db::oauth::CodeRow {
            app_id: req.app.id,
            account_id: user.account_id,
            redirect_uri: req.redirect_uri.clone(),
            scopes: req.scopes.clone(),
            code_challenge: req.code_challenge.clone(),
            expires_at: clock::after(CODE_LIFETIME),
        },
    )
    .await?;
    if req.redirect_uri == OOB_REDIRECT_URI {
        return Ok(Authorized::ShowCode(code));
    }
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = &req.state {
        params.push(("state", s));
    }
    Ok(Authorized::Redirect(redirect_with(
        &req.redirect_uri,
        &params,
    )))
}

/// The URL to send a person back to the app with when they deny access.
pub fn denied_redirect(req: &AuthorizeRequest) -> Option<String> {
    (req.redirect_uri != OOB_REDIRECT_URI).then(|| {
        redirect_with(
            &req.redirect_uri,
            &[
                ("error", "access_denied"),
                ("state", req.state.as_deref().unwrap_or("")),
            ],
        )
    })
}

/// Appends query parameters to a redirect URI (empty values are left out).
fn redirect_with(uri: &str, params: &[(&str, &str)]) -> String {
    match Url::parse(uri) {
        Ok(mut url) => {
            {
                let mut q = url.query_pairs_mut();
                for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
                    q.append_pair(k, v);
                }
            }
            url.to_string()
        }
        Err(_) => uri.to_string(),
    }
}

/// The body of `POST /oauth/token`.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct TokenParams {
    /// `authorization_code`, `password` or `client_credentials`.
    #[serde(default)]
    pub grant_type: String,
    /// The app's client id.
    #[serde(default)]
    pub client_id: String,
    /// The app's client secret (optional with PKCE).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// `authorization_code`: the code.
    #[serde(default)]
    pub code: Option<String>,
    /// `authorization_code`: the redirect URI the code was sent to.
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// `authorization_code` with PKCE: the verifier.
    #[serde(default)]
    pub code_verifier: Option<String>,
    /// `password`, `client_credentials`: the scopes wanted.
    #[serde(default)]
    pub scope: Option<String>,
    /// `password`: the e-mail address (or username).
    #[serde(default)]
    pub username: Option<String>,
    /// `password`: the password.
    #[serde(default)]
    pub password: Option<String>,
}

/// A new access token.
pub struct IssuedToken {
    /// The token itself, given to the app once.
    pub token: String,
    /// What it may do.
    pub scopes: Scopes,
    /// When it was made.
    pub created_at: i64,
}

fn oauth_error(status: axum::http::StatusCode, code: &'static str, key: &'static str) -> AppError {
    AppError::new(status, key).oauth(code)
}

fn invalid_client() -> AppError {
    oauth_error(
        axum::http::StatusCode::UNAUTHORIZED,
        "invalid_client",
        "error-oauth-invalid-client",
    )
}

fn invalid_grant(key: &'static str) -> AppError {
    oauth_error(axum::http::StatusCode::BAD_REQUEST, "invalid_grant", key)
}

/// Finds the app and checks its secret; `secret_required` is false only for PKCE exchanges.
async fn authenticate_client(
    state: &AppState,
    params: &TokenParams,
    secret_required: bool,
) -> AppResult<AppRow> {
    let app = db::oauth::app_by_client_id(state.pool(), &params.client_id)
        .await?
        .ok_or_else(invalid_client)?;
    match params.client_secret.as_deref().filter(|s| !s.is_empty()) {
        Some(secret) => {
            let hash = crypto::token_hash(secret);
            if !crypto::constant_time_eq(hash.as_bytes(), app.client_secret_hash.as_bytes()) {
                return Err(invalid_client());
            }
        }
        None if secret_required => return Err(invalid_client()),
        None => {}
    }
    Ok(app)
}

/// Exchanges a grant for an access token (RFC 6749 section 4).
pub async fn token(state: &AppState, params: &TokenParams) -> AppResult<IssuedToken> {
    match params.grant_type.as_str() {
        "authorization_code" => {
            let code = params
                .code
                .as_deref()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| invalid_request("error-oauth-missing-code"))?;
            let has_verifier = params
                .code_verifier
                .as_deref()
                .is_some_and(|v| !v.is_empty());
            let app = authenticate_client(state, params, !has_verifier).await?;
            let stored = db::oauth::take_code(state.pool(), &crypto::token_hash(code))
                .await?
                .filter(|c| c.app_id == app.id && c.expires_at > clock::now())
                .ok_or_else(|| invalid_grant("error-oauth-invalid-code"))?;
            if let Some(uri) = params.redirect_uri.as_deref().filter(|u| !u.is_empty())
                && uri != stored.redirect_uri
            {
                return Err(invalid_grant("error-oauth-redirect-mismatch"));
            }
            match (&stored.code_challenge, params.code_verifier.as_deref()) {
                (Some(challenge), Some(verifier)) => {
                    let computed = crypto::sha256_base64url(verifier.as_bytes());
                    if !crypto::constant_time_eq(computed.as_bytes(), challenge.as_bytes()) {
                        return Err(invalid_grant("error-oauth-pkce-mismatch"));
                    }
                }
                (Some(_), None) => return Err(invalid_grant("error-oauth-pkce-mismatch")),
                // Without a challenge the app must have proven itself with its secret.
                (None, _) if params.client_secret.as_deref().is_none_or(str::is_empty) => {
                    return Err(invalid_client());
                }
                (None, _) => {}
            }
            let user = db::accounts::user_by_id(state.pool(), stored.account_id)
                .await?
                .ok_or_else(|| invalid_grant("error-oauth-invalid-code"))?;
            accounts::check_can_sign_in(&user)?;
            issue(state, app.id, Some(user.account_id), stored.scopes).await
        }
        "password" => {
            let app = authenticate_client(state, params, true).await?;
            let scopes = requested_scopes(&app, params.scope.as_deref())?;
            let login = params.username.as_deref().unwrap_or("");
            let password = params.password.as_deref().unwrap_or("");
            if login.is_empty() || password.is_empty() {
                return Err(invalid_request("error-oauth-missing-credentials"));
            }
            let user = accounts::authenticate(state, login, password)
                .await
                .map_err(|e| match e.status {
                    axum::http::StatusCode::UNAUTHORIZED => {
                        invalid_grant("error-wrong-credentials")
                    }
                    axum::http::StatusCode::FORBIDDEN => {
                        let mut e = e;
                        e.oauth_code = Some("invalid_grant");
                        e.status = axum::http::StatusCode::BAD_REQUEST;
                        e
                    }
                    _ => e,
                })?;
            issue(state, app.id, Some(user.account_id), scopes).await
        }
        "client_credentials" => {
            let app = authenticate_client(state, params, true).await?;
            let scopes = requested_scopes(&app, params.scope.as_deref())?;
            issue(state, app.id, None, scopes).await
        }
        "" => Err(invalid_request("error-oauth-missing-grant-type")),
        _ => Err(oauth_error(
            axum::http::StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "error-oauth-unsupported-grant",
        )),
    }
}

fn invalid_request(key: &'static str) -> AppError {
    oauth_error(axum::http::StatusCode::BAD_REQUEST, "invalid_request", key)
}

/// The scopes asked for, which must be within the app's (default `read`).
fn requested_scopes(app: &AppRow, requested: Option<&str>) -> AppResult<Scopes> {
    let invalid_scope = || {
        oauth_error(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_scope",
            "error-oauth-invalid-scope",
        )
    };
    let scopes = Scopes::parse(requested.unwrap_or("")).map_err(|_| invalid_scope())?;
    let app_scopes = &app.scopes;
    if !app_scopes.covers(&scopes) {
        return Err(invalid_scope());
    }
    Ok(scopes)
}

async fn issue(
    state: &AppState,
    app_id: i64,
    account_id: Option<i64>,
    scopes: Scopes,
) -> AppResult<IssuedToken> {
    let token = crypto::random_token(32);
    let now = clock::now();
    let expires_at = state.config.token_lifetime.map(clock::after);
    db::oauth::insert_token(
        state.pool(),
        &crypto::token_hash(&token),
        app_id,
        account_id,
        &scopes.to_string(),
        now,
        expires_at,
    )
    .await?;
    Ok(IssuedToken {
        token,
        scopes,
        created_at: now,
    })
}

/// Issues a token for a person who just registered through an app (`POST /api/v1/accounts`).
pub async fn issue_for_registration(
    state: &AppState,
    app_id: i64,
    account_id: i64,
    scopes: Scopes,
) -> AppResult<IssuedToken> {
    issue(state, app_id, Some(account_id), scopes).await
}

/// A token for a registration through an app that created nothing (`SignedUp::AddressInUse`):
/// it looks like any token, and every use of it is refused as a pending account's token is
/// (403, awaiting approval), so that neither the answer nor the token tells that the address
/// already had an account.
pub async fn issue_decoy(state: &AppState, scopes: Scopes) -> AppResult<IssuedToken> {
    let token = crypto::random_token(32);
    let now = clock::now();
    db::oauth::insert_decoy_token(state.pool(), &crypto::token_hash(&token), now).await?;
    Ok(IssuedToken {
        token,
        scopes,
        created_at: now,
    })
}

/// Revokes a token (RFC 7009): the app must prove itself; an unknown or already revoked token
/// is not an error, so nothing is learnt about other apps' tokens.
pub async fn revoke(state: &AppState, params: &TokenParams, token: &str) -> AppResult<()> {
    let app = authenticate_client(state, params, true)
        .await
        .map_err(|_| {
            oauth_error(
                axum::http::StatusCode::FORBIDDEN,
                "unauthorized_client",
                "error-oauth-invalid-client",
            )
        })?;
    let hash = crypto::token_hash(token);
    if let Some(id) = db::oauth::revoke_token(state.pool(), &hash, app.id, clock::now()).await? {
        state.streams.revoked([id]);
    }
    // A decoy, revoked, must stop answering "awaiting approval" as a real token would.
    db::oauth::delete_decoy_token(state.pool(), &hash).await?;
    Ok(())
}

/// Who an API call acts for, and what it may do.
#[derive(Debug, Clone)]
pub struct Access {
    /// The token used.
    pub token: TokenRow,
    /// Its scopes.
    pub scopes: Scopes,
    /// The person it acts for (`None` for app-only tokens).
    pub user: Option<UserRow>,
    /// Their account, read with them.
    pub account: Option<AccountRow>,
}

/// Checks a bearer token: it must exist, be neither revoked nor expired, and belong to a person
/// who may sign in (or to no person, for app tokens).
pub async fn authenticate_bearer(state: &AppState, token: &str) -> AppResult<Access> {
    let invalid = || AppError::unauthorized("error-token-invalid");
    let hash = crypto::token_hash(token);
    let Some((row, joined)) = db::accounts::token_with_user(state.pool(), &hash).await? else {
        if db::oauth::is_decoy_token(state.pool(), &hash).await? {
            // As a new account's token is refused: for its unconfirmed address when e-mail is
            // on, for its pending registration otherwise.
            return Err(AppError::forbidden(if super::mail::enabled(state) {
                "error-email-unconfirmed"
            } else {
                "error-account-pending"
            }));
        }
        return Err(invalid());
    };
    let now = clock::now();
    if row.revoked_at.is_some() || row.expires_at.is_some_and(|t| t <= now) {
        return Err(invalid());
    }
    let (user, account) = match (row.account_id, joined) {
        (Some(_), Some((user, account))) => {
            accounts::check_can_sign_in(&user)?;
            (Some(user), Some(account))
        }
        // The person it acted for is gone.
        (Some(_), None) => return Err(invalid()),
        (None, _) => (None, None),
    };
    // At most once a minute: a write on every read would make every API call wait for the
    // database's writer.
    if row.last_used_at.is_none_or(|t| t < now - 60_000_000) {
        db::oauth::touch_token(state.pool(), row.id, now).await?;
        // Within the same once-a-minute write: the week's first use counts as a login.
        if let Some(u) = &user {
            super::discovery::record_use(state, u.account_id, row.last_used_at).await?;
        }
    }
    let scopes = row.scopes.clone();
    Ok(Access {
        token: row,
        scopes,
        user,
        account,
    })
}

/// The app a token was issued to, or 404.
pub async fn app(state: &AppState, id: i64) -> AppResult<AppRow> {
    db::oauth::app_by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_checked() {
        assert!(check_redirect_uri(OOB_REDIRECT_URI).is_ok());
        assert!(check_redirect_uri("https://app.example/callback").is_ok());
        assert!(check_redirect_uri("tusky://oauth").is_ok());
        assert!(check_redirect_uri("com.example.app:/oauth2redirect").is_ok());
        assert!(check_redirect_uri("javascript:alert(1)").is_err());
        assert!(check_redirect_uri("https://app.example/#frag").is_err());
        assert!(check_redirect_uri("not a uri").is_err());
    }

    #[test]
    fn redirects_keep_existing_query() {
        assert_eq!(
            redirect_with(
                "https://a.example/cb?x=1",
                &[("code", "abc"), ("state", "")]
            ),
            "https://a.example/cb?x=1&code=abc"
        );
    }
}
