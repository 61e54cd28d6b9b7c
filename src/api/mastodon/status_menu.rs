//! The statuses menu of Mastodon apps (docs.joinmastodon.org/methods/statuses,
//! /methods/bookmarks, /methods/favourites): a post's source and edit history, bookmarks,
//! pins, muted threads, several posts at once, translation (not offered here), and the lists
//! of bookmarks and favourites.

use super::{
    entities::{Account, MediaAttachment, Status},
    extract::{Auth, MaybeAuth, Params, lenient},
    hydrate,
    pagination::{PageParams, paged},
    statuses::{me, parse_id, viewer},
};
use crate::{
    clock,
    domain::Invalid,
    error::{AppError, AppResult},
    service::statuses::menu,
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{StatusCode, Uri},
    response::Response,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

/// The routes of the statuses menu.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/statuses", get(many))
        .route("/api/v1/statuses/{id}/source", get(source))
        .route("/api/v1/statuses/{id}/history", get(history))
        .route("/api/v1/statuses/{id}/bookmark", post(bookmark))
        .route("/api/v1/statuses/{id}/unbookmark", post(unbookmark))
        .route("/api/v1/statuses/{id}/pin", post(pin))
        .route("/api/v1/statuses/{id}/unpin", post(unpin))
        .route("/api/v1/statuses/{id}/mute", post(mute))
        .route("/api/v1/statuses/{id}/unmute", post(unmute))
        .route("/api/v1/statuses/{id}/translate", post(translate))
        .route("/api/v1/bookmarks", get(bookmarks))
        .route("/api/v1/favourites", get(favourites))
}

/// What the author wrote (docs.joinmastodon.org/entities/StatusSource).
#[derive(Debug, Serialize)]
pub struct StatusSource {
    pub id: String,
    pub text: String,
    pub spoiler_text: String,
}

/// One version of a post (docs.joinmastodon.org/entities/StatusEdit).
#[derive(Debug, Serialize)]
pub struct StatusEdit {
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub created_at: String,
    pub account: Account,
    pub poll: Option<serde_json::Value>,
    pub media_attachments: Vec<MediaAttachment>,
    pub emojis: Vec<serde_json::Value>,
}

/// `GET /api/v1/statuses/:id/source`.
async fn source(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<StatusSource>> {
    let me = me(&auth, &["read:statuses"])?;
    let s = menu::source(&state, Some(me.id), parse_id(&id)?).await?;
    Ok(Json(StatusSource {
        id: s.status.id.to_string(),
        text: s.text,
        spoiler_text: s.spoiler_text,
    }))
}

/// `GET /api/v1/statuses/:id/history`: every version, oldest first, the current one last.
async fn history(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<StatusEdit>>> {
    let viewer = viewer(&auth);
    let (status, versions) = menu::history(&state, viewer, parse_id(&id)?).await?;
    let author = crate::service::directory::existing(&state, status.account_id).await?;
    let account = hydrate::account(&state, &author).await?;
    let plain = status.local == 0;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| StatusEdit {
                content: v.content,
                // Plain text in Mastodon's API; remote posts keep theirs as sanitized HTML.
                spoiler_text: if plain {
                    crate::domain::html::to_plain_text(&v.spoiler_text)
                } else {
                    v.spoiler_text
                },
                sensitive: v.sensitive,
                created_at: clock::to_rfc3339(v.created_at),
                account: account.clone(),
                poll: None,
                media_attachments: v
                    .media
                    .iter()
                    .map(|m| hydrate::media_entity(&state, m))
                    .collect(),
                emojis: Vec::new(),
            })
            .collect(),
    ))
}

async fn one(
    state: &AppState,
    me: i64,
    row: &crate::db::statuses::StatusRow,
) -> AppResult<Json<Status>> {
    Ok(Json(hydrate::status(state, Some(me), row).await?))
}

/// `POST /api/v1/statuses/:id/bookmark`.
async fn bookmark(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:bookmarks"])?;
    let row = menu::bookmark(&state, &me, parse_id(&id)?).await?;
    one(&state, me.id, &row).await
}

/// `POST /api/v1/statuses/:id/unbookmark`.
async fn unbookmark(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:bookmarks"])?;
    let row = menu::unbookmark(&state, &me, parse_id(&id)?).await?;
    one(&state, me.id, &row).await
}

/// `POST /api/v1/statuses/:id/pin`.
async fn pin(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:accounts"])?;
    let row = menu::pin(&state, &me, parse_id(&id)?).await?;
    one(&state, me.id, &row).await
}

/// `POST /api/v1/statuses/:id/unpin`.
async fn unpin(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:accounts"])?;
    let row = menu::unpin(&state, &me, parse_id(&id)?).await?;
    one(&state, me.id, &row).await
}

/// `POST /api/v1/statuses/:id/mute`.
async fn mute(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:mutes"])?;
    let row = menu::mute(&state, &me, parse_id(&id)?).await?;
    one(&state, me.id, &row).await
}

/// `POST /api/v1/statuses/:id/unmute`.
async fn unmute(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:mutes"])?;
    let row = menu::unmute(&state, &me, parse_id(&id)?).await?;
    one(&state, me.id, &row).await
}

/// `POST /api/v1/statuses/:id/translate`: this server offers no translation (the instance
/// says `configuration.translation.enabled = false`), so, as Mastodon without a translation
/// service, a post one may see answers 403; one one may not see, 404.
async fn translate(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["read:statuses"])?;
    crate::service::statuses::visible(&state, Some(me.id), parse_id(&id)?).await?;
    Err(AppError::new(
        StatusCode::FORBIDDEN,
        "error-translation-unavailable",
    ))
}

#[derive(Deserialize)]
struct ManyQuery {
    #[serde(default, deserialize_with = "lenient::opt_strings")]
    id: Option<Vec<String>>,
}

/// `GET /api/v1/statuses?id[]=1&id[]=2`: the posts the viewer may see, in the order asked (at
/// most 20 ids; more, or an id that is not a number, is refused).
async fn many(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Params(q): Params<ManyQuery>,
) -> AppResult<Json<Vec<Status>>> {
    let viewer = viewer(&auth);
    let asked = q.id.unwrap_or_default();
    if asked.len() > menu::MAX_MANY {
        return Err(AppError::invalid(vec![
            Invalid::new("id", "error-too-many-ids").arg("count", menu::MAX_MANY),
        ]));
    }
    let mut ids = Vec::with_capacity(asked.len());
    for a in &asked {
        // An id that names no post here is left out, as Mastodon does for missing ones.
        match a.trim().parse::<i64>() {
            Ok(id) => ids.push(id),
            Err(_) => return Err(AppError::invalid(vec![Invalid::new("id", "error-number")])),
        }
    }
    let rows = menu::many(&state, viewer, &ids).await?;
    Ok(Json(hydrate::statuses(&state, viewer, &rows).await?))
}

async fn listed(state: &AppState, uri: &Uri, me: i64, listed: menu::Listed) -> AppResult<Response> {
    let entities = hydrate::statuses(state, Some(me), &listed.rows).await?;
    Ok(paged(state, uri, entities, listed.newest, listed.oldest))
}

/// `GET /api/v1/bookmarks`: paged by bookmark, newest first, with a `Link` header.
async fn bookmarks(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:bookmarks"])?;
    let list = menu::bookmarks(&state, &me, page.page()?).await?;
    listed(&state, &uri, me.id, list).await
}

/// `GET /api/v1/favourites`: the posts the person liked, paged by like, newest first.
async fn favourites(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:favourites"])?;
    let list = menu::favourites(&state, &me, page.page()?).await?;
    listed(&state, &uri, me.id, list).await
}
