//! Administrators' part of coopol's API: the deliveries given up
//! (`GET /api/coopol/v1/admin/delivery_failures`, `service::dashboard::delivery_failures`),
//! newest first, paged by `max_id` with a `Link` header as Mastodon's lists are.

use super::super::mastodon::{
    extract::{Auth, Params, lenient},
    pagination::paged,
};
use crate::{
    clock, db::federation::DeliveryFailure, domain::Invalid, error::AppResult, service::dashboard,
    state::AppState,
};
use axum::{Router, extract::State, http::Uri, response::Response, routing::get};
use serde::{Deserialize, Serialize};

const READ: &[&str] = &["admin:read"];

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/coopol/v1/admin/delivery_failures",
        get(delivery_failures),
    )
}

/// A delivery given up, as the API shows it.
#[derive(Debug, Serialize)]
pub struct DeliveryFailureEntity {
    id: String,
    host: String,
    inbox: String,
    activity_id: String,
    activity_type: String,
    status: i64,
    error: String,
    attempts: i64,
    failed_at: String,
}

impl From<DeliveryFailure> for DeliveryFailureEntity {
    fn from(f: DeliveryFailure) -> Self {
        DeliveryFailureEntity {
            id: f.id.to_string(),
            host: f.host,
            inbox: f.inbox_url,
            activity_id: f.activity_uri,
            activity_type: f.activity_type,
            status: f.status,
            error: f.error,
            attempts: f.attempts,
            failed_at: clock::to_rfc3339(f.failed_at),
        }
    }
}

#[derive(Deserialize)]
pub struct FailuresQuery {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    host: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    max_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

/// A number parameter, absent when empty.
fn number(field: &'static str, v: &Option<String>) -> Result<Option<i64>, Invalid> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| Invalid::new(field, "error-number")),
    }
}

/// `GET /api/coopol/v1/admin/delivery_failures` (`host`, `max_id`, `limit` up to 200, 40 by
/// default): administrators only, with the `admin:read` scope.
async fn delivery_failures(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(q): Params<FailuresQuery>,
) -> AppResult<Response> {
    let by = auth.require_user(READ)?;
    let max_id = number("max_id", &q.max_id)?;
    let limit = number("limit", &q.limit)?.unwrap_or(40).clamp(1, 200);
    let host = q.host.as_deref().map(str::trim).filter(|h| !h.is_empty());
    let found = dashboard::delivery_failures(&state, by, host, max_id, limit).await?;
    let newest = found.items.first().map(|f| f.id);
    let oldest = found.items.last().map(|f| f.id);
    let items: Vec<DeliveryFailureEntity> = found.items.into_iter().map(Into::into).collect();
    Ok(paged(&state, &uri, items, newest, oldest))
}
