//! `user_preferences`: a person's posting and reading preferences (no row: the defaults).

use super::Result;
use sqlx::{AnyPool, FromRow};

/// A person's preferences as stored.
#[derive(Debug, Clone, FromRow)]
pub struct PreferencesRow {
    /// public, unlisted, private or direct.
    pub default_visibility: String,
    /// 1 when new posts are marked sensitive.
    pub default_sensitive: i64,
    /// The language of new posts, if chosen.
    pub default_language: Option<String>,
    /// default, show_all or hide_all.
    pub expand_media: String,
    /// 1 when content warnings open by themselves.
    pub expand_spoilers: i64,
}

impl Default for PreferencesRow {
    fn default() -> Self {
        PreferencesRow {
            default_visibility: "public".into(),
            default_sensitive: 0,
            default_language: None,
            expand_media: "default".into(),
            expand_spoilers: 0,
        }
    }
}

/// A person's preferences (the defaults when none were saved).
pub async fn get(db: &AnyPool, account_id: i64) -> Result<PreferencesRow> {
    Ok(sqlx::query_as(
        "SELECT default_visibility, default_sensitive, default_language, expand_media, \
         expand_spoilers FROM user_preferences WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await?
    .unwrap_or_default())
}

/// Saves a person's preferences.
pub async fn save(db: &AnyPool, account_id: i64, p: &PreferencesRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_preferences (account_id, default_visibility, default_sensitive, \
         default_language, expand_media, expand_spoilers) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (account_id) DO UPDATE SET default_visibility = excluded.default_visibility, \
         default_sensitive = excluded.default_sensitive, default_language = excluded.default_language, \
         expand_media = excluded.expand_media, expand_spoilers = excluded.expand_spoilers",
    )
    .bind(account_id)
    .bind(&p.default_visibility)
    .bind(p.default_sensitive)
    .bind(&p.default_language)
    .bind(&p.expand_media)
    .bind(p.expand_spoilers)
    .execute(db)
    .await?;
    Ok(())
}
