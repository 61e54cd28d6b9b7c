//! Notifications: list, one, dismiss one, clear all.

use super::{
    entities::Notification,
    extract::{Auth, Params, lenient},
    hydrate,
    pagination::{PageParams, paged},
    statuses::{me, parse_id},
};
use crate::{
    domain::NotificationKind,
    error::{AppError, AppResult},
    service::timelines,
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, State},
    http::Uri,
    response::Response,
};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::strings")]
    types: Vec<String>,
    #[serde(default, deserialize_with = "lenient::strings")]
    exclude_types: Vec<String>,
}

/// `GET /api/v1/notifications`.
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:notifications"])?;
    // Types this server does not have are ignored, as on Mastodon; asking only for those
    // gives an empty page, not every notification.
    let named = |names: &[String], k: NotificationKind| names.iter().any(|n| n == k.as_str());
    let kinds: Vec<NotificationKind> = NotificationKind::ALL
        .into_iter()
        .filter(|k| q.types.is_empty() || named(&q.types, *k))
        .filter(|k| !named(&q.exclude_types, *k))
        .collect();
    if kinds.is_empty() {
        return Ok(paged(&state, &uri, Vec::<Notification>::new(), None, None));
    }
    let rows = timelines::notifications(&state, me.id, &kinds, q.page.page()?).await?;
    let newest = rows.first().map(|n| n.id);
    let oldest = rows.last().map(|n| n.id);
    let entities = hydrate::notifications(&state, me.id, &rows).await?;
    Ok(paged(&state, &uri, entities, newest, oldest))
}

/// `GET /api/v1/notifications/:id`.
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Notification>> {
    let me = me(&auth, &["read:notifications"])?;
    let row = timelines::notification(&state, me.id, parse_id(&id)?).await?;
    hydrate::notifications(&state, me.id, &[row])
        .await?
        .pop()
        .map(Json)
        .ok_or_else(AppError::not_found)
}

/// `POST /api/v1/notifications/:id/dismiss`.
pub async fn dismiss(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:notifications"])?;
    timelines::dismiss(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// `POST /api/v1/notifications/clear`.
pub async fn clear(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:notifications"])?;
    timelines::clear(&state, me.id).await?;
    Ok(Json(json!({})))
}
