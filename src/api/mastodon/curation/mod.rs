//! What a person chooses to see, as Mastodon's API offers it: lists (`/api/v1/lists`, the list
//! timeline, `/api/v1/accounts/:id/lists`), filters (`/api/v2/filters` and its keywords and
//! posts, `/api/v1/filters` as Mastodon maps it) and mutes (`/api/v1/accounts/:id/mute`,
//! `/unmute`, `/api/v1/mutes`); and [`filtered`], which applies a person's filters to the
//! posts an answer carries.

pub mod filtered;
mod filters;
mod lists;
mod mutes;

use crate::state::AppState;
use axum::{
    Router,
    routing::{get, post},
};
use serde_json::Value;

/// The routes of lists, filters and mutes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/lists", get(lists::index).post(lists::create))
        .route(
            "/api/v1/lists/{id}",
            get(lists::show).put(lists::update).delete(lists::delete),
        )
        .route(
            "/api/v1/lists/{id}/accounts",
            get(lists::members)
                .post(lists::add_members)
                .delete(lists::remove_members),
        )
        .route("/api/v1/accounts/{id}/lists", get(lists::holding))
        .route("/api/v1/timelines/list/{id}", get(lists::timeline))
        .route("/api/v2/filters", get(filters::index).post(filters::create))
        .route(
            "/api/v2/filters/{id}",
            get(filters::show)
                .put(filters::update)
                .delete(filters::delete),
        )
        .route(
            "/api/v2/filters/{id}/keywords",
            get(filters::keywords).post(filters::add_keyword),
        )
        .route(
            "/api/v2/filters/keywords/{id}",
            get(filters::keyword)
                .put(filters::update_keyword)
                .delete(filters::delete_keyword),
        )
        .route(
            "/api/v2/filter_keywords/{id}",
            get(filters::keyword)
                .put(filters::update_keyword)
                .delete(filters::delete_keyword),
        )
        .route(
            "/api/v2/filters/{id}/statuses",
            get(filters::statuses).post(filters::add_status),
        )
        .route(
            "/api/v2/filters/statuses/{id}",
            get(filters::status).delete(filters::delete_status),
        )
        .route(
            "/api/v2/filter_statuses/{id}",
            get(filters::status).delete(filters::delete_status),
        )
        .route(
            "/api/v1/filters",
            get(filters::v1_index).post(filters::v1_create),
        )
        .route(
            "/api/v1/filters/{id}",
            get(filters::v1_show)
                .put(filters::v1_update)
                .delete(filters::v1_delete),
        )
        .route("/api/v1/accounts/{id}/mute", post(mutes::mute))
        .route("/api/v1/accounts/{id}/unmute", post(mutes::unmute))
        .route("/api/v1/mutes", get(mutes::index))
}

/// A parameter as text, whether the app sent a string, a number or a boolean; `None` when
/// absent, `Some(None)` when given empty or null.
fn text(params: &Value, key: &str) -> Option<Option<String>> {
    match params.get(key)? {
        Value::Null => Some(None),
        Value::String(s) if s.trim().is_empty() => Some(None),
        Value::String(s) => Some(Some(s.clone())),
        Value::Number(n) => Some(Some(n.to_string())),
        Value::Bool(b) => Some(Some(b.to_string())),
        _ => Some(Some(String::new())),
    }
}

/// A parameter as a boolean, as Rails reads one (`true`, `1`, `"true"`, `"on"`...).
fn flag(params: &Value, key: &str) -> Option<bool> {
    match params.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_i64() != Some(0)),
        Value::String(s) => Some(!matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "f" | "false" | "off" | "no"
        )),
        Value::Null => Some(false),
        _ => Some(true),
    }
}

/// A parameter as a list of texts (`key[]=a&key[]=b`, a JSON array, or one value).
fn texts(params: &Value, key: &str) -> Option<Vec<String>> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match params.get(key)? {
        Value::Array(items) => Some(items.iter().filter_map(scalar).collect()),
        Value::Object(o) => Some(o.values().filter_map(scalar).collect()),
        Value::Null => Some(Vec::new()),
        other => Some(scalar(other).into_iter().collect()),
    }
}
