//! App registration and the OAuth endpoints apps call without a browser: `/api/v1/apps`,
//! `/oauth/token`, `/oauth/revoke`, and the authorization server metadata (RFC 8414).

use super::{
    entities::{Application, Token},
    extract::{Auth, Params, lenient},
};
use crate::{
    error::AppResult,
    limits::{self, ClientIp},
    service::{self, oauth::TokenParams},
    state::AppState,
};
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, header},
};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct AppForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    client_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::strings")]
    redirect_uris: Vec<String>,
    #[serde(default, deserialize_with = "lenient::space_separated")]
    scopes: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    website: Option<String>,
}

/// `POST /api/v1/apps`: registers an app.
pub async fn create_app(
    State(state): State<AppState>,
    Params(form): Params<AppForm>,
) -> AppResult<Json<Application>> {
    let registered = service::oauth::register_app(
        &state,
        service::oauth::NewApp {
            name: form.client_name.unwrap_or_default(),
            redirect_uris: form.redirect_uris,
            scopes: form.scopes.unwrap_or_default(),
            website: form.website,
        },
    )
    .await?;
    let vapid_key = service::push::vapid_keys(&state).await?.public;
    Ok(Json(Application::from_row(
        &registered.app,
        Some(&registered.client_secret),
        vapid_key,
    )))
}

/// `GET /api/v1/apps/verify_credentials`: the app a token belongs to.
pub async fn verify_app(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Application>> {
    let app = crate::service::oauth::app(&state, auth.0.token.app_id).await?;
    let vapid_key = service::push::vapid_keys(&state).await?.public;
    Ok(Json(Application::from_row(&app, None, vapid_key)))
}

/// Fills in the client credentials from HTTP Basic authentication (RFC 6749 2.3.1), which
/// some clients use instead of body parameters.
fn with_basic_auth(headers: &HeaderMap, mut params: TokenParams) -> TokenParams {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok());
    if let Some((id, secret)) = basic.as_deref().and_then(|s| s.split_once(':')) {
        let decode = |s: &str| percent_decode(s);
        if params.client_id.is_empty() {
            params.client_id = decode(id);
        }
        if params.client_secret.as_deref().is_none_or(str::is_empty) {
            params.client_secret = Some(decode(secret));
        }
    }
    params
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// `POST /oauth/token`. Limited per client address, and the password grant also as a
/// sign-in (per address, and per account in `service::accounts::authenticate`).
pub async fn token(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Params(params): Params<TokenParams>,
) -> AppResult<Json<Token>> {
    limits::check(&state.limits.token, &ip.key())?;
    if params.grant_type == "password" {
        limits::check(&state.limits.sign_in, &ip.key())?;
    }
    let params = with_basic_auth(&headers, params);
    let issued = service::oauth::token(&state, &params).await?;
    Ok(Json(issued.into()))
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(flatten)]
    client: TokenParams,
    #[serde(default)]
    token: String,
}

/// `POST /oauth/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Params(form): Params<RevokeForm>,
) -> AppResult<Json<Value>> {
    let client = with_basic_auth(&headers, form.client);
    service::oauth::revoke(&state, &client, &form.token).await?;
    Ok(Json(json!({})))
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414), as Mastodon 4.3 publishes it.
pub async fn metadata(State(state): State<AppState>) -> Json<Value> {
    let c = &state.config;
    let scopes: Vec<&str> = vec![
        "read",
        "write",
        "follow",
        "push",
        "profile",
        "read:accounts",
        "read:blocks",
        "read:bookmarks",
        "read:favourites",
        "read:filters",
        "read:follows",
        "read:lists",
        "read:mutes",
        "read:notifications",
        "read:search",
        "read:statuses",
        "write:accounts",
        "write:blocks",
        "write:bookmarks",
        "write:conversations",
        "write:favourites",
        "write:filters",
        "write:follows",
        "write:lists",
        "write:media",
        "write:mutes",
        "write:notifications",
        "write:reports",
        "write:statuses",
    ];
    Json(json!({
        "issuer": c.url("/"),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": c.url("/oauth/authorize"),
        "token_endpoint": c.url("/oauth/token"),
        "revocation_endpoint": c.url("/oauth/revoke"),
        "app_registration_endpoint": c.url("/api/v1/apps"),
        "scopes_supported": scopes,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
    }))
}
