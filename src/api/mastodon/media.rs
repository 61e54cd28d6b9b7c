//! Media: `POST /api/v2/media` (processed after the answer: 202 until ready, 200 when it was
//! quick), `POST /api/v1/media` (answers once processed), `GET` and `PUT /api/v1/media/:id`
//! (state, alt text and focal point).

use super::{
    entities::MediaAttachment,
    extract::{Auth, Params, lenient},
    hydrate::media_entity,
    statuses::{me, parse_id},
};
use crate::{
    db::media::MediaRow,
    domain::media::MediaState,
    error::{AppError, AppResult},
    media::Refusal,
    service::media::{self, Describe},
    state::AppState,
};
use axum::{
    Json,
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use std::time::Duration;

/// How long `POST /api/v2/media` waits for processing before answering 202 (a picture is
/// usually ready by then, as on Mastodon, which processes pictures before answering).
const V2_WAIT: Duration = Duration::from_secs(5);
/// How long `POST /api/v1/media` waits (it answers with the processed file).
const V1_WAIT: Duration = Duration::from_secs(120);

/// `POST /api/v2/media`.
pub async fn upload_v2(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    upload(state, auth, headers, body, V2_WAIT).await
}

/// `POST /api/v1/media`.
pub async fn upload_v1(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    upload(state, auth, headers, body, V1_WAIT).await
}

async fn upload(
    state: AppState,
    auth: Auth,
    headers: HeaderMap,
    body: Body,
    wait: Duration,
) -> AppResult<Response> {
    let me = me(&auth, &["write:media"])?;
    let mut form = crate::upload::read(&state, &headers, body, &["file", "thumbnail"]).await?;
    if form.files.contains_key("thumbnail") {
        form.discard().await;
        return Err(AppError::invalid(vec![crate::domain::Invalid::new(
            "thumbnail",
            "error-media-thumbnail",
        )]));
    }
    let Some(file) = form.take_file("file") else {
        form.discard().await;
        return Err(AppError::invalid(vec![crate::domain::Invalid::new(
            "file",
            "error-required",
        )]));
    };
    let describe = Describe {
        description: form.text("description").map(str::to_string),
        focus: form.text("focus").map(str::to_string),
    };
    let row = media::create(&state, &me, file, &describe).await?;
    let row = media::settled(&state, row.id, wait).await?;
    answer(&state, row, StatusCode::ACCEPTED).await
}

/// The answer for a medium: 200 when ready, `pending` while processing, a 422 naming why
/// when processing refused it (which forgets it).
async fn answer(state: &AppState, row: MediaRow, pending: StatusCode) -> AppResult<Response> {
    match row.state {
        MediaState::Ready => Ok(Json(media_entity(state, &row)).into_response()),
        MediaState::Processing => Ok((pending, Json(media_entity(state, &row))).into_response()),
        MediaState::Failed => {
            media::forget_failed(state, &row).await?;
            Err(media::refused(Refusal::from_key(
                row.error.as_deref().unwrap_or_default(),
            )))
        }
        MediaState::Removed => Err(AppError::not_found()),
    }
}

/// `GET /api/v1/media/:id`: 206 while processing (as Mastodon), 200 once ready.
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:statuses", "write:media"])?;
    let row = media::mine(&state, &me, parse_id(&id)?).await?;
    answer(&state, row, StatusCode::PARTIAL_CONTENT).await
}

/// `DELETE /api/v1/media/:id`: an upload not attached to anything (as Mastodon 4.4); an
/// attached one is refused (422), since it belongs to its post.
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<serde_json::Value>> {
    let me = me(&auth, &["write:media"])?;
    media::delete_unattached(&state, &me, parse_id(&id)?).await?;
    Ok(Json(serde_json::json!({})))
}

#[derive(Deserialize)]
pub struct UpdateForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    description: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    focus: Option<String>,
}

/// `PUT /api/v1/media/:id`: alt text and focal point (also of an attached medium).
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(form): Params<UpdateForm>,
) -> AppResult<Json<MediaAttachment>> {
    let me = me(&auth, &["write:media"])?;
    let describe = Describe {
        description: form.description,
        focus: form.focus.filter(|f| !f.is_empty()),
    };
    let row = media::update(&state, &me, parse_id(&id)?, &describe).await?;
    Ok(Json(media_entity(&state, &row)))
}
