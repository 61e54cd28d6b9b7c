//! The Mastodon client API (docs.joinmastodon.org/methods), so that Mastodon apps (Tusky,
//! Phanpy, Ivory, toot, Mastodon.py) work with coopol. Handlers are thin: they read
//! parameters with [`extract`], call a service, and answer with [`entities`].

pub mod account_extras;
pub mod accounts;
mod admin_accounts;
pub mod admin_domains;
pub mod admin_reports;
pub mod announcements;
pub mod conversations;
pub mod curation;
pub mod discovery;
pub mod emails;
pub mod entities;
pub mod extract;
pub mod hydrate;
pub mod instance;
pub mod media;
pub mod notification_policy;
pub mod notifications;
pub mod notifications_v2;
pub mod oauth;
pub mod pagination;
pub mod polls;
pub mod push;
pub mod reports;
pub mod scheduled;
pub mod search;
pub mod social;
pub mod status_menu;
pub mod statuses;
pub mod streaming;
pub mod tags;
pub mod timelines;

use crate::state::AppState;
use axum::{
    Router,
    routing::{any, delete, get, patch, post},
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
        .route("/api/v1/emails/confirmations", post(emails::resend))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(accounts::verify_credentials),
        )
        .route("/api/v1/accounts/lookup", get(accounts::lookup))
        .route("/api/v1/accounts/relationships", get(social::relationships))
        .route("/api/v1/accounts/search", get(social::search))
        .route(
            "/api/v1/accounts/update_credentials",
            patch(social::update_credentials),
        )
        .route("/api/v1/accounts/{id}", get(accounts::get))
        .route("/api/v1/accounts/{id}/statuses", get(timelines::account))
        .route("/api/v1/accounts/{id}/followers", get(social::followers))
        .route("/api/v1/accounts/{id}/following", get(social::following))
        .route("/api/v1/accounts/{id}/follow", post(social::follow))
        .route("/api/v1/accounts/{id}/unfollow", post(social::unfollow))
        .route("/api/v1/accounts/{id}/block", post(social::block))
        .route("/api/v1/accounts/{id}/unblock", post(social::unblock))
        .route("/api/v1/follow_requests", get(social::follow_requests))
        .route(
            "/api/v1/follow_requests/{id}/authorize",
            post(social::authorize),
        )
        .route("/api/v1/follow_requests/{id}/reject", post(social::reject))
        .route("/api/v1/blocks", get(social::blocks))
        .route("/api/v1/profile/avatar", delete(social::delete_avatar))
        .route("/api/v1/profile/header", delete(social::delete_header))
        .route("/api/v1/media", post(media::upload_v1))
        .route("/api/v2/media", post(media::upload_v2))
        .route(
            "/api/v1/media/{id}",
            get(media::get).put(media::update).delete(media::delete),
        )
        .route("/api/v1/statuses", post(statuses::create))
        .route(
            "/api/v1/statuses/{id}",
            get(statuses::get)
                .put(statuses::edit)
                .delete(statuses::delete),
        )
        .route("/api/v1/statuses/{id}/context", get(statuses::context))
        .route("/api/v1/statuses/{id}/favourite", post(statuses::favourite))
        .route(
            "/api/v1/statuses/{id}/unfavourite",
            post(statuses::unfavourite),
        )
        .route("/api/v1/statuses/{id}/reblog", post(statuses::reblog))
        .route("/api/v1/statuses/{id}/unreblog", post(statuses::unreblog))
        .route(
            "/api/v1/statuses/{id}/favourited_by",
            get(statuses::favourited_by),
        )
        .route(
            "/api/v1/statuses/{id}/reblogged_by",
            get(statuses::reblogged_by),
        )
        .route("/api/v1/timelines/home", get(timelines::home))
        .route("/api/v1/timelines/public", get(timelines::public))
        .route("/api/v1/timelines/tag/{hashtag}", get(timelines::tag))
        .route("/api/v1/notifications", get(notifications::list))
        .route("/api/v1/notifications/clear", post(notifications::clear))
        .route(
            "/api/v1/notifications/unread_count",
            get(notifications::unread_count),
        )
        .route(
            "/api/v1/markers",
            get(notifications::markers).post(notifications::set_markers),
        )
        .route("/api/v1/notifications/{id}", get(notifications::get))
        .route(
            "/api/v1/notifications/{id}/dismiss",
            post(notifications::dismiss),
        )
        .route(
            "/api/v1/push/subscription",
            post(push::create)
                .get(push::get)
                .put(push::update)
                .delete(push::delete),
        )
        .route("/api/v2/search", get(search::search))
        // Mastodon.py asks for /api/v1/instance/ with a trailing slash: both forms answer.
        .route("/api/v1/instance", get(instance::v1))
        .route("/api/v1/instance/", get(instance::v1))
        .route("/api/v2/instance", get(instance::v2))
        .route("/api/v2/instance/", get(instance::v2))
        .route("/api/v1/preferences", get(instance::preferences))
        .route("/api/v1/custom_emojis", get(instance::custom_emojis))
        .route("/api/v1/streaming", get(streaming::root))
        .route("/api/v1/streaming/", get(streaming::root))
        .route("/api/v1/streaming/health", get(streaming::health))
        .route("/api/v1/streaming/user", get(streaming::sse_path))
        .route(
            "/api/v1/streaming/user/notification",
            get(streaming::sse_path),
        )
        .route("/api/v1/streaming/public", get(streaming::sse_path))
        .route("/api/v1/streaming/public/local", get(streaming::sse_path))
        .route("/api/v1/streaming/public/remote", get(streaming::sse_path))
        .route("/api/v1/streaming/hashtag", get(streaming::sse_path))
        .route("/api/v1/streaming/hashtag/local", get(streaming::sse_path))
        .route("/api/v1/streaming/direct", get(streaming::sse_path))
        .route("/api/v1/streaming/list", get(streaming::sse_path))
        .route("/api/v1/streaming/{*rest}", any(streaming::unknown))
        .merge(curation::routes())
        .merge(notifications_v2::routes())
        .merge(conversations::routes())
        .merge(polls::routes())
        .merge(status_menu::routes())
        .merge(notification_policy::routes())
        .merge(discovery::routes())
        .merge(account_extras::routes())
        .merge(announcements::routes())
        .merge(tags::routes())
        .merge(reports::routes())
        .merge(admin_accounts::routes())
        .merge(admin_domains::routes())
        // Unknown API paths answer in JSON, as apps expect, not with the web's 404 page.
        .route("/api/{*rest}", any(not_found))
}

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::not_found()
}
