//! The Mastodon client API (docs.joinmastodon.org/methods), so that Mastodon apps (Tusky,
//! Phanpy, Ivory, toot, Mastodon.py) work with coopol. Handlers are thin: they read
//! parameters with [`extract`], call a service, and answer with [`entities`].

pub mod accounts;
pub mod entities;
pub mod extract;
pub mod instance;
pub mod oauth;

use crate::state::AppState;
use axum::{
    Router,
    routing::{any, get, post},
};

/// The Mastodon API routes (and the OAuth endpoints apps call directly).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/apps", post(oauth::create_app))
        .route("/api/v1/apps/verify_credentials", get(oauth::verify_app))
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/revoke", post(oauth::revoke))
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth::metadata),
        )
        .route("/api/v1/accounts", post(accounts::register))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(accounts::verify_credentials),
        )
        .route("/api/v1/accounts/lookup", get(accounts::lookup))
        .route("/api/v1/accounts/{id}", get(accounts::get))
        // Mastodon.py asks for /api/v1/instance/ with a trailing slash: both forms answer.
        .route("/api/v1/instance", get(instance::v1))
        .route("/api/v1/instance/", get(instance::v1))
        .route("/api/v2/instance", get(instance::v2))
        .route("/api/v2/instance/", get(instance::v2))
        .route("/api/v1/preferences", get(instance::preferences))
        .route("/api/v1/custom_emojis", get(instance::custom_emojis))
        // Unknown API paths answer in JSON, as apps expect, not with the web's 404 page.
        .route("/api/{*rest}", any(not_found))
}

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::not_found()
}
