//! `oauth_apps`, `oauth_codes`, `oauth_tokens`: the Mastodon client API's OAuth 2 state.
//! Secrets (client secrets, codes, tokens) are stored as SHA-256 hashes only.

use super::Result;
use sqlx::{AnyPool, FromRow};

/// A registered client application.
#[derive(Debug, Clone, FromRow)]
pub struct AppRow {
    /// The app's id.
    pub id: i64,
    /// The name the app gave.
    pub name: String,
    /// The app's web site, if it gave one.
    pub website: Option<String>,
    /// Allowed redirect URIs, one per line.
    pub redirect_uris: String,
    /// The scopes the app may ask for.
    pub scopes: crate::domain::Scopes,
    /// The public client id.
    pub client_id: String,
    /// SHA-256 of the client secret.
    pub client_secret_hash: String,
    /// When the app registered.
    pub created_at: i64,
}

impl AppRow {
    /// The allowed redirect URIs.
    pub fn redirect_uri_list(&self) -> impl Iterator<Item = &str> {
        self.redirect_uris.lines().filter(|l| !l.is_empty())
    }
}

/// What a new app registers.
pub struct NewApp<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its web site.
    pub website: Option<&'a str>,
    /// Allowed redirect URIs, one per line.
    pub redirect_uris: &'a str,
    /// Its scopes, space-separated.
    pub scopes: &'a str,
    /// The public client id.
    pub client_id: &'a str,
    /// SHA-256 of the client secret.
    pub client_secret_hash: &'a str,
    /// The time of registration.
    pub now: i64,
}

macro_rules! app_columns {
    () => {
        "id, name, website, redirect_uris, scopes, client_id, client_secret_hash, created_at"
    };
}

/// Registers an app; returns its id.
pub async fn insert_app(db: &AnyPool, app: &NewApp<'_>) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO oauth_apps (name, website, redirect_uris, scopes, client_id, \
         client_secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(app.name)
    .bind(app.website)
    .bind(app.redirect_uris)
    .bind(app.scopes)
    .bind(app.client_id)
    .bind(app.client_secret_hash)
    .bind(app.now)
    .fetch_one(db)
    .await
}

/// An app by client id.
pub async fn app_by_client_id(db: &AnyPool, client_id: &str) -> Result<Option<AppRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        app_columns!(),
        " FROM oauth_apps WHERE client_id = $1"
    ))
    .bind(client_id)
    .fetch_optional(db)
    .await
}

/// An app by id.
pub async fn app_by_id(db: &AnyPool, id: i64) -> Result<Option<AppRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        app_columns!(),
        " FROM oauth_apps WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone, FromRow)]
pub struct CodeRow {
    /// The app it was given to.
    pub app_id: i64,
    /// The person who authorized it.
    pub account_id: i64,
    /// The redirect URI it was sent to (the token request must repeat it).
    pub redirect_uri: String,
    /// The scopes granted.
    pub scopes: crate::domain::Scopes,
    /// The PKCE S256 challenge, when the app sent one.
    pub code_challenge: Option<String>,
    /// When it stops being valid.
    pub expires_at: i64,
}

/// Stores a new authorization code.
pub async fn insert_code(db: &AnyPool, code_hash: &str, code: &CodeRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO oauth_codes (code_hash, app_id, account_id, redirect_uri, scopes, \
         code_challenge, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(code_hash)
    .bind(code.app_id)
    .bind(code.account_id)
    .bind(&code.redirect_uri)
    .bind(&code.scopes)
    .bind(&code.code_challenge)
    .bind(code.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes an authorization code: returns it and deletes it, so it works once only.
pub async fn take_code(db: &AnyPool, code_hash: &str) -> Result<Option<CodeRow>> {
    sqlx::query_as(
        "DELETE FROM oauth_codes WHERE code_hash = $1 RETURNING app_id, account_id, \
         redirect_uri, scopes, code_challenge, expires_at",
    )
    .bind(code_hash)
    .fetch_optional(db)
    .await
}

/// An access token as stored.
#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    /// The token's id.
    pub id: i64,
    /// The app it was given to.
    pub app_id: i64,
    /// The person it acts for (`None` for an app-only token).
    pub account_id: Option<i64>,
    /// The scopes granted.
    pub scopes: crate::domain::Scopes,
    /// When it was made.
    pub created_at: i64,
    /// When it stops working, if ever.
    pub expires_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
    /// When it was last used (to the minute).
    pub last_used_at: Option<i64>,
}

/// Stores a new access token; returns its id.
pub async fn insert_token(
    db: &AnyPool,
    token_hash: &str,
    app_id: i64,
    account_id: Option<i64>,
    scopes: &str,
    now: i64,
    expires_at: Option<i64>,
) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO oauth_tokens (token_hash, app_id, account_id, scopes, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(token_hash)
    .bind(app_id)
    .bind(account_id)
    .bind(scopes)
    .bind(now)
    .bind(expires_at)
    .fetch_one(db)
    .await
}

/// Revokes a token of an app; gives its id when one was revoked.
pub async fn revoke_token(
    db: &AnyPool,
    token_hash: &str,
    app_id: i64,
    now: i64,
) -> Result<Option<i64>> {
    let revoked: Option<i64> = sqlx::query_scalar(
        "UPDATE oauth_tokens SET revoked_at = $3 \
         WHERE token_hash = $1 AND app_id = $2 AND revoked_at IS NULL RETURNING id",
    )
    .bind(token_hash)
    .bind(app_id)
    .bind(now)
    .fetch_optional(db)
    .await?;
    // Its push subscription goes with it (and the copy of the token it keeps).
    sqlx::query(
        "DELETE FROM push_subscriptions WHERE token_id IN \
         (SELECT id FROM oauth_tokens WHERE token_hash = $1 AND app_id = $2)",
    )
    .bind(token_hash)
    .bind(app_id)
    .execute(db)
    .await?;
    Ok(revoked)
}

/// Revokes every token of an account (after a password change, or when it is erased); gives
/// their ids.
pub async fn revoke_all_for(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    now: i64,
) -> Result<Vec<i64>> {
    let revoked: Vec<i64> = sqlx::query_scalar(
        "UPDATE oauth_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL \
         RETURNING id",
    )
    .bind(account_id)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM push_subscriptions WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(revoked)
}

/// Records that a token was used (callers skip it when the stored time is recent).
pub async fn touch_token(db: &AnyPool, id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE oauth_tokens SET last_used_at = $2 \
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(id)
    .bind(now)
    .bind(now - 60_000_000)
    .execute(db)
    .await?;
    Ok(())
}

/// Stores the hash of a decoy token (see migration 0020: the answer to a registration that
/// created nothing).
pub async fn insert_decoy_token(db: &AnyPool, token_hash: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO decoy_tokens (token_hash, created_at) VALUES ($1, $2)")
        .bind(token_hash)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether a token hash is a decoy's.
pub async fn is_decoy_token(db: &AnyPool, token_hash: &str) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM decoy_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// Forgets a decoy token (revoked by the app that holds it, as a real one would be).
pub async fn delete_decoy_token(db: &AnyPool, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM decoy_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}
