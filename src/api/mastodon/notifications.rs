//! Notifications: list, one, dismiss one, clear all.

use super::{
    entities::{Marker, Notification},
    extract::{Auth, Params, lenient},
    hydrate,
    pagination::{PageParams, paged},
    statuses::{me, parse_id},
};
use crate::{
    clock,
    db::notifications::MarkerRow,
    domain::{Invalid, NotificationKind},
    error::{AppError, AppResult},
    service::{notifications, timelines},
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
    /// With the notifications waiting in requests (the notification policy).
    #[serde(default, deserialize_with = "lenient::bool")]
    include_filtered: bool,
}

/// `GET /api/v1/notifications`.
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:notifications"])?;
    let kinds = kinds(&q.types, &q.exclude_types);
    if kinds.is_empty() {
        return Ok(paged(&state, &uri, Vec::<Notification>::new(), None, None));
    }
    let rows =
        timelines::notifications(&state, me.id, &kinds, q.include_filtered, q.page.page()?).await?;
    let newest = rows.first().map(|n| n.id);
    let oldest = rows.last().map(|n| n.id);
    let mut entities = hydrate::notifications(&state, me.id, &rows).await?;
    super::curation::filtered::notifications(&state, me.id, &mut entities).await?;
    Ok(paged(&state, &uri, entities, newest, oldest))
}

/// The kinds `types[]` and `exclude_types[]` leave. Types this server does not have are
/// ignored, as on Mastodon (apps ask for `poll` or `status`); asking only for those leaves
/// none, not every kind.
fn kinds(types: &[String], exclude_types: &[String]) -> Vec<NotificationKind> {
    let named = |names: &[String], k: NotificationKind| names.iter().any(|n| n == k.as_str());
    NotificationKind::ALL
        .into_iter()
        .filter(|k| types.is_empty() || named(types, *k))
        .filter(|k| !named(exclude_types, *k))
        .collect()
}

#[derive(Deserialize)]
pub struct UnreadQuery {
    #[serde(default, deserialize_with = "lenient::strings")]
    types: Vec<String>,
    #[serde(default, deserialize_with = "lenient::strings")]
    exclude_types: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

/// `GET /api/v1/notifications/unread_count`: the notifications past the `notifications`
/// marker, counted up to `limit` (100 by default, 1000 at most, as Mastodon).
pub async fn unread_count(
    State(state): State<AppState>,
    auth: Auth,
    Params(q): Params<UnreadQuery>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["read:notifications"])?;
    let limit = match q.limit.as_deref() {
        None => 100,
        Some(l) => l
            .parse::<i64>()
            .map_err(|_| AppError::invalid(vec![Invalid::new("limit", "error-number")]))?,
    }
    .clamp(1, notifications::UNREAD_CAP);
    let count = notifications::unread_count(&state, me.id, &kinds(&q.types, &q.exclude_types))
        .await?
        .min(limit);
    Ok(Json(json!({ "count": count })))
}

/// `GET /api/v1/markers`: the markers asked for with `timeline[]` (`home`, `notifications`).
pub async fn markers(
    State(state): State<AppState>,
    auth: Auth,
    Params(q): Params<MarkersQuery>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["read:statuses"])?;
    for t in &q.timeline {
        if !notifications::MARKER_TIMELINES.contains(&t.as_str()) {
            return Err(AppError::invalid(vec![Invalid::new(
                "timeline",
                "error-marker-timeline",
            )]));
        }
    }
    let rows = notifications::markers(&state, me.id).await?;
    Ok(Json(markers_json(
        rows.iter().filter(|m| q.timeline.contains(&m.timeline)),
    )))
}

#[derive(Deserialize)]
pub struct MarkersQuery {
    #[serde(default, deserialize_with = "lenient::strings")]
    timeline: Vec<String>,
}

#[derive(Deserialize)]
pub struct MarkerParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    last_read_id: Option<String>,
}

#[derive(Deserialize)]
pub struct SetMarkers {
    home: Option<MarkerParams>,
    notifications: Option<MarkerParams>,
}

/// `POST /api/v1/markers`: `home[last_read_id]`, `notifications[last_read_id]`.
pub async fn set_markers(
    State(state): State<AppState>,
    auth: Auth,
    Params(q): Params<SetMarkers>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:statuses"])?;
    let mut set = Vec::new();
    for (timeline, params) in [("home", q.home), ("notifications", q.notifications)] {
        let Some(params) = params else { continue };
        let id = params
            .last_read_id
            .as_deref()
            .and_then(|id| id.parse::<i64>().ok())
            .filter(|id| *id >= 0)
            .ok_or_else(|| {
                AppError::invalid(vec![Invalid::new(
                    if timeline == "home" {
                        "home[last_read_id]"
                    } else {
                        "notifications[last_read_id]"
                    },
                    "error-marker-id",
                )])
            })?;
        set.push((timeline, id));
    }
    if set.is_empty() {
        return Err(AppError::invalid(vec![Invalid::new(
            "timeline",
            "error-marker-timeline",
        )]));
    }
    let mut rows = Vec::new();
    for (timeline, id) in set {
        rows.push(notifications::set_marker(&state, me.id, timeline, id).await?);
    }
    Ok(Json(markers_json(rows.iter())))
}

fn markers_json<'a>(rows: impl Iterator<Item = &'a MarkerRow>) -> Value {
    let map: serde_json::Map<String, Value> = rows
        .map(|m| {
            (
                m.timeline.clone(),
                serde_json::to_value(Marker {
                    last_read_id: m.last_read_id.to_string(),
                    version: m.version,
                    updated_at: clock::to_rfc3339(m.updated_at),
                })
                .unwrap_or(Value::Null),
            )
        })
        .collect();
    Value::Object(map)
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
