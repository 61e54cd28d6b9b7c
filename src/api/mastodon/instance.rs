//! What an app asks about the server before anything else: `/api/v1/instance`,
//! `/api/v2/instance`, plus `/api/v1/preferences` and `/api/v1/custom_emojis`.

use super::extract::Auth;
use crate::{domain::RegistrationMode, error::AppResult, service, state::AppState};
use axum::{Json, extract::State};
use serde_json::{Value, json};

/// The Mastodon API version coopol implements, as apps parse it from `version` to decide which
/// endpoints they may call.
pub const MASTODON_API_VERSION: &str = "4.3.0";

/// The `version` string: Mastodon's, then ours, as compatible servers spell it.
pub fn version() -> String {
    format!(
        "{MASTODON_API_VERSION} (compatible; coopol {})",
        env!("CARGO_PKG_VERSION")
    )
}

/// Where the streaming API answers, as Mastodon gives it: this server's address with `wss`
/// (or `ws` under plain http), built from `public_url`.
pub fn streaming_url(state: &AppState) -> String {
    let base = state.config.url("");
    match base.split_once("://") {
        Some(("https", rest)) => format!("wss://{rest}"),
        Some((_, rest)) => format!("ws://{rest}"),
        None => base,
    }
}

fn configuration(state: &AppState) -> Value {
    use crate::domain::media::{MAX_ATTACHMENTS, MAX_DESCRIPTION_CHARS, MAX_INPUT_PIXELS};
    let m = &state.config.media;
    json!({
        "accounts": {
            "max_featured_tags": crate::service::tags::MAX_FEATURED_TAGS,
            "max_pinned_statuses": 5
        },
        "statuses": {
            "max_characters": 5000,
            "max_media_attachments": MAX_ATTACHMENTS,
            "characters_reserved_per_url": 23
        },
        "media_attachments": {
            "supported_mime_types": [
                "image/jpeg", "image/png", "image/gif", "image/webp",
                "video/mp4", "video/webm", "video/quicktime",
                "audio/mpeg", "audio/mp3", "audio/ogg", "audio/opus", "audio/mp4", "audio/x-m4a",
                "application/pdf"
            ],
            "description_limit": MAX_DESCRIPTION_CHARS,
            "image_size_limit": m.max_image_bytes,
            "image_matrix_limit": MAX_INPUT_PIXELS,
            "video_size_limit": m.max_video_bytes,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": MAX_INPUT_PIXELS
        },
        "polls": {
            "max_options": crate::domain::poll::MAX_OPTIONS,
            "max_characters_per_option": crate::domain::poll::MAX_OPTION_CHARS,
            "min_expiration": crate::domain::poll::MIN_EXPIRATION,
            "max_expiration": crate::domain::poll::MAX_EXPIRATION
        },
        "translation": { "enabled": false }
    })
}

/// `GET /api/v2/instance`.
pub async fn v2(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let c = &state.config;
    let mode = service::instance::registration_mode(&state).await?;
    let users = crate::service::directory::active_users(&state).await?;
    let about = service::about::get(&state).await?;
    let contact_account = match service::about::contact_account(&state, &about).await? {
        Some(row) => Some(super::hydrate::account(&state, &row).await?),
        None => None,
    };
    let t = &about.texts;
    let mut configuration = configuration(&state);
    configuration["urls"] = json!({ "streaming": streaming_url(&state) });
    configuration["vapid"] =
        json!({ "public_key": service::push::vapid_keys(&state).await?.public });
    Ok(Json(json!({
        "domain": c.domain,
        "title": t.name,
        "version": version(),
        "source_url": c.source_url,
        "description": t.short_description,
        "usage": { "users": { "active_month": users } },
        "thumbnail": { "url": c.url("/static/header.png") },
        "icon": [],
        "languages": ["fr", "en"],
        "configuration": configuration,
        "registrations": {
            "enabled": mode.accepts_sign_ups(),
            "approval_required": mode == RegistrationMode::Approval,
            "message": null,
            "url": null
        },
        "api_versions": { "mastodon": 2 },
        "contact": { "email": t.contact_email, "account": contact_account },
        "rules": super::discovery::rules_list(&state).await?
    })))
}

/// `GET /api/v1/instance` (the older shape, which Mastodon.py and many apps still read).
pub async fn v1(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let c = &state.config;
    let mode = service::instance::registration_mode(&state).await?;
    let users = crate::service::directory::active_users(&state).await?;
    let (status_count, domain_count) = service::discovery::figures(&state).await?;
    let about = service::about::get(&state).await?;
    let contact_account = match service::about::contact_account(&state, &about).await? {
        Some(row) => Some(super::hydrate::account(&state, &row).await?),
        None => None,
    };
    let t = &about.texts;
    // Not in Mastodon's v1 shape, but harmless there, for apps that read only v1.
    let mut v1_configuration = configuration(&state);
    v1_configuration["vapid"] =
        json!({ "public_key": service::push::vapid_keys(&state).await?.public });
    Ok(Json(json!({
        "uri": c.domain,
        "title": t.name,
        "short_description": t.short_description,
        "description": t.short_description,
        "email": t.contact_email,
        "version": version(),
        "urls": { "streaming_api": streaming_url(&state) },
        "stats": {
            "user_count": users,
            "status_count": status_count,
            "domain_count": domain_count
        },
        "thumbnail": c.url("/static/header.png"),
        "languages": ["fr", "en"],
        "registrations": mode.accepts_sign_ups(),
        "approval_required": mode == RegistrationMode::Approval,
        "invites_enabled": mode == RegistrationMode::Invite,
        "configuration": v1_configuration,
        "contact_account": contact_account,
        "rules": super::discovery::rules_list(&state).await?
    })))
}

/// `GET /api/v1/preferences`.
pub async fn preferences(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Value>> {
    let user = auth.require_user(&["read:accounts"])?;
    let p = service::preferences::get(&state, user.account_id).await?;
    Ok(Json(json!({
        "posting:default:visibility": p.visibility.api_name(),
        "posting:default:sensitive": p.sensitive,
        "posting:default:language": p.language.or_else(|| user.locale.clone()),
        "reading:expand:media": p.expand_media,
        "reading:expand:spoilers": p.expand_spoilers
    })))
}

/// `GET /api/v1/custom_emojis`: coopol has no custom emojis; the list is empty, not missing.
pub async fn custom_emojis() -> Json<Value> {
    Json(json!([]))
}
