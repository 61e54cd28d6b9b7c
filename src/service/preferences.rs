//! A person's posting and reading preferences: the defaults of new posts (visibility,
//! sensitive, language) and how apps show media and content warnings, as Mastodon's
//! `/api/v1/preferences` and an account's `source` give them, changed through
//! `update_credentials` (`source[privacy]`, `source[sensitive]`, `source[language]`) or the
//! settings page.

use crate::{
    db::{self, preferences::PreferencesRow},
    domain::{Invalid, Visibility},
    error::{AppError, AppResult},
    service::statuses::Compose,
    state::AppState,
};

/// A person's preferences, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    /// The visibility of new posts.
    pub visibility: Visibility,
    /// Whether new posts are marked sensitive.
    pub sensitive: bool,
    /// The language of new posts (an ISO 639 code), if chosen.
    pub language: Option<String>,
    /// `default`, `show_all` or `hide_all`.
    pub expand_media: &'static str,
    /// Whether content warnings open by themselves.
    pub expand_spoilers: bool,
}

/// How media may be shown.
pub const EXPAND_MEDIA: [&str; 3] = ["default", "show_all", "hide_all"];

fn from_row(row: PreferencesRow) -> AppResult<Preferences> {
    let visibility = Visibility::parse(&row.default_visibility).map_err(|_| {
        AppError::internal(anyhow::anyhow!(
            "user_preferences.default_visibility holds {:?}",
            row.default_visibility
        ))
    })?;
    let expand_media = EXPAND_MEDIA
        .iter()
        .copied()
        .find(|m| *m == row.expand_media)
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "user_preferences.expand_media holds {:?}",
                row.expand_media
            ))
        })?;
    Ok(Preferences {
        visibility,
        sensitive: row.default_sensitive != 0,
        language: row.default_language,
        expand_media,
        expand_spoilers: row.expand_spoilers != 0,
    })
}

/// A person's preferences (the defaults when none were saved).
pub async fn get(state: &AppState, account_id: i64) -> AppResult<Preferences> {
    from_row(db::preferences::get(state.pool(), account_id).await?)
}

/// What a person may change; `None` keeps the current value.
#[derive(Debug, Default, Clone)]
pub struct Change {
    /// `public`, `unlisted`, `private` or `direct`.
    pub visibility: Option<String>,
    /// Marked sensitive.
    pub sensitive: Option<bool>,
    /// A language code, or empty for none.
    pub language: Option<String>,
    /// `default`, `show_all` or `hide_all`.
    pub expand_media: Option<String>,
    /// Content warnings open.
    pub expand_spoilers: Option<bool>,
}

/// Checks a language code as apps send it (ISO 639-1 or -3, lower case letters).
fn language(field: &'static str, code: &str) -> Result<Option<String>, Invalid> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    if (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(Some(code.to_ascii_lowercase()))
    } else {
        Err(Invalid::new(field, "error-language-invalid"))
    }
}

/// Changes a person's preferences: every refused value is named, and nothing is saved then.
pub async fn change(state: &AppState, account_id: i64, change: Change) -> AppResult<Preferences> {
    let mut row = db::preferences::get(state.pool(), account_id).await?;
    let mut refused = Vec::new();
    if let Some(v) = change.visibility.as_deref() {
        match Visibility::parse(v.trim()) {
            Ok(v) => row.default_visibility = v.api_name().to_string(),
            Err(_) => refused.push(Invalid::new("privacy", "error-visibility-invalid")),
        }
    }
    if let Some(s) = change.sensitive {
        row.default_sensitive = i64::from(s);
    }
    if let Some(l) = change.language.as_deref() {
        match language("language", l) {
            Ok(l) => row.default_language = l,
            Err(e) => refused.push(e),
        }
    }
    if let Some(m) = change.expand_media.as_deref() {
        match EXPAND_MEDIA.iter().find(|x| **x == m.trim()) {
            Some(m) => row.expand_media = m.to_string(),
            None => refused.push(Invalid::new("expand_media", "error-expand-media-invalid")),
        }
    }
    if let Some(s) = change.expand_spoilers {
        row.expand_spoilers = i64::from(s);
    }
    if !refused.is_empty() {
        return Err(AppError::invalid(refused));
    }
    db::preferences::save(state.pool(), account_id, &row).await?;
    from_row(row)
}

/// A new post from an app with the person's defaults where the app named none: visibility
/// (not for an answer, whose place decides), language, and sensitive (as Mastodon: the
/// default marks it when the person's default says so).
pub async fn apply(state: &AppState, account_id: i64, mut compose: Compose) -> AppResult<Compose> {
    let p = get(state, account_id).await?;
    if compose.visibility.is_none() && compose.in_reply_to_id.is_none() {
        compose.visibility = Some(p.visibility);
    }
    if compose.language.is_none() {
        compose.language = p.language;
    }
    compose.sensitive = compose.sensitive || p.sensitive;
    Ok(compose)
}
