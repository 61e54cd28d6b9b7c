//! Scheduled posts (docs.joinmastodon.org/methods/scheduled_statuses): the ScheduledStatus
//! entity, scheduling from `POST /api/v1/statuses` with `scheduled_at`, and
//! `GET /api/v1/scheduled_statuses`, `GET/PUT/DELETE /api/v1/scheduled_statuses/:id`.

use super::{
    entities::MediaAttachment,
    extract::{Auth, Params, lenient},
    hydrate::media_entity,
    pagination::{PageParams, paged},
    statuses::{me, parse_id},
};
use crate::{
    clock,
    db::accounts::AccountRow,
    domain::{Invalid, poll::parse_scheduled_at},
    error::{AppError, AppResult},
    service::{
        scheduled::{self, Params as Asked, Scheduled},
        statuses::Compose,
    },
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::Uri,
    response::Response,
    routing::get,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The routes of scheduled posts.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/scheduled_statuses", get(list))
        .route(
            "/api/v1/scheduled_statuses/{id}",
            get(get_one).put(update).delete(cancel),
        )
}

/// A scheduled post (docs.joinmastodon.org/entities/ScheduledStatus).
#[derive(Debug, Clone, Serialize)]
pub struct ScheduledStatus {
    pub id: String,
    pub scheduled_at: String,
    pub params: Value,
    pub media_attachments: Vec<MediaAttachment>,
}

fn entity(state: &AppState, s: &Scheduled) -> ScheduledStatus {
    let p = &s.params;
    let poll = p.poll.as_ref().map(|poll| {
        json!({
            "options": poll.options,
            "expires_in": poll.expires_in.to_string(),
            "multiple": poll.multiple,
            "hide_totals": poll.hide_totals,
        })
    });
    ScheduledStatus {
        id: s.row.id.to_string(),
        scheduled_at: clock::to_rfc3339(s.row.scheduled_at),
        params: json!({
            "text": p.text,
            "poll": poll,
            "media_ids": (!p.media_ids.is_empty())
                .then(|| p.media_ids.iter().map(i64::to_string).collect::<Vec<_>>()),
            "sensitive": p.sensitive,
            "spoiler_text": Some(&p.spoiler_text).filter(|s| !s.is_empty()),
            "visibility": p.visibility.map(|v| v.api_name()),
            "in_reply_to_id": p.in_reply_to_id.map(|i| i.to_string()),
            "language": p.language,
            "application_id": p.application_id,
            "scheduled_at": Value::Null,
            "idempotency": p.idempotency,
            "with_rate_limit": false,
        }),
        media_attachments: s.media.iter().map(|m| media_entity(state, m)).collect(),
    }
}

/// Schedules what `POST /api/v1/statuses` asked for `at`.
pub async fn schedule(
    state: &AppState,
    me: &AccountRow,
    compose: Compose,
    application_id: i64,
    at: i64,
) -> AppResult<ScheduledStatus> {
    let media_ids = compose
        .media_ids
        .unwrap_or_default()
        .iter()
        .map(|id| id.trim().parse::<i64>())
        .collect::<Result<Vec<i64>, _>>()
        .map_err(|_| Invalid::new("media_ids", "error-media-unknown"))?;
    let asked = Asked {
        text: compose.text,
        spoiler_text: compose.spoiler_text,
        sensitive: compose.sensitive,
        visibility: compose.visibility,
        in_reply_to_id: compose.in_reply_to_id,
        language: compose.language,
        media_ids,
        poll: compose.poll,
        idempotency: compose.idempotency_key.filter(|k| !k.is_empty()),
        application_id: Some(application_id),
    };
    let scheduled = scheduled::schedule(state, me, asked, at).await?;
    Ok(entity(state, &scheduled))
}

/// `GET /api/v1/scheduled_statuses`.
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:statuses"])?;
    let rows = scheduled::list(&state, &me, &page.page()?).await?;
    let (newest, oldest) = (
        rows.first().map(|s| s.row.id),
        rows.last().map(|s| s.row.id),
    );
    let entities: Vec<ScheduledStatus> = rows.iter().map(|s| entity(&state, s)).collect();
    Ok(paged(&state, &uri, entities, newest, oldest))
}

/// `GET /api/v1/scheduled_statuses/:id`.
async fn get_one(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<ScheduledStatus>> {
    let me = me(&auth, &["read:statuses"])?;
    let s = scheduled::get(&state, &me, parse_id(&id)?).await?;
    Ok(Json(entity(&state, &s)))
}

#[derive(Deserialize)]
struct UpdateForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    scheduled_at: Option<String>,
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, Value>,
}

/// `PUT /api/v1/scheduled_statuses/:id`: a new time (at least five minutes ahead).
async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(form): Params<UpdateForm>,
) -> AppResult<Json<ScheduledStatus>> {
    let me = me(&auth, &["write:statuses"])?;
    let id = parse_id(&id)?;
    if let Some(name) = form
        .rest
        .iter()
        .find(|(k, v)| !v.is_null() && k.as_str() != "access_token")
        .map(|(k, _)| k)
    {
        return Err(AppError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "error-status-param-unsupported",
        )
        .arg("name", name.chars().take(64).collect::<String>()));
    }
    // An unknown id is a 404 before the time is looked at.
    scheduled::get(&state, &me, id).await?;
    let text = form
        .scheduled_at
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| Invalid::new("scheduled_at", "error-scheduled-at-invalid"))?;
    let at = parse_scheduled_at(&text, clock::now())?;
    let s = scheduled::reschedule(&state, &me, id, at).await?;
    Ok(Json(entity(&state, &s)))
}

/// `DELETE /api/v1/scheduled_statuses/:id`: answers `{}` as Mastodon.
async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:statuses"])?;
    scheduled::cancel(&state, &me, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}
