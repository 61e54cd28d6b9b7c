//! Conversations (docs.joinmastodon.org/methods/conversations): a person's threads of direct
//! posts, paged by their newest post, read and removed.

use super::{
    entities::{Account, Status},
    extract::{Auth, Params},
    hydrate,
    pagination::{PageParams, paged},
    statuses::{me, parse_id},
};
use crate::{
    error::AppResult,
    service::conversations::{self, ConversationView},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::Uri,
    response::Response,
    routing::{delete, get, post},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The routes of conversations.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations", get(list))
        // Mastodon.py asks with a trailing slash.
        .route("/api/v1/conversations/", get(list))
        .route("/api/v1/conversations/{id}", delete(remove))
        .route("/api/v1/conversations/{id}/read", post(read))
}

/// A conversation (docs.joinmastodon.org/entities/Conversation).
#[derive(Debug, Clone, Serialize)]
pub struct Conversation {
    pub id: String,
    pub unread: bool,
    pub accounts: Vec<Account>,
    pub last_status: Option<Status>,
}

/// A conversation view as an API entity.
pub fn entity(state: &AppState, c: &ConversationView) -> Conversation {
    Conversation {
        id: c.row.id.to_string(),
        unread: c.row.unread != 0,
        accounts: c
            .accounts
            .iter()
            .map(|a| hydrate::account_entity(state, a))
            .collect(),
        last_status: c
            .last_status
            .as_ref()
            .map(|s| hydrate::status_entity(state, s)),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    page: PageParams,
}

/// `GET /api/v1/conversations`: newest first, paged by their newest post's id (Link header).
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:statuses"])?;
    let page = q.page.page_within(20, 40)?;
    let views = conversations::page(&state, me.id, page).await?;
    let newest = views.first().map(|c| c.row.last_status_id);
    let oldest = views.last().map(|c| c.row.last_status_id);
    let entities: Vec<Conversation> = views.iter().map(|c| entity(&state, c)).collect();
    Ok(paged(&state, &uri, entities, newest, oldest))
}

/// `POST /api/v1/conversations/:id/read`.
pub async fn read(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Conversation>> {
    let me = me(&auth, &["write:conversations"])?;
    let view = conversations::read(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(entity(&state, &view)))
}

/// `DELETE /api/v1/conversations/:id`.
pub async fn remove(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:conversations"])?;
    conversations::remove(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}
