//! Lists: `/api/v1/lists`, their members, `/api/v1/accounts/:id/lists` and the list timeline.

use super::{flag, text, texts};
use crate::{
    api::mastodon::{
        curation::filtered,
        extract::{Auth, Params},
        hydrate,
        pagination::{PageParams, paged},
        statuses::{me, parse_id, people_page},
    },
    db::{lists::ListRow, statuses::Page},
    domain::{Invalid, curation::FilterContext},
    error::AppResult,
    service::{
        directory,
        lists::{self, ListInput},
    },
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, State},
    http::Uri,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use serde_json::{Value, json};

/// A list (docs.joinmastodon.org/entities/List).
#[derive(Debug, Serialize)]
pub struct List {
    id: String,
    title: String,
    replies_policy: String,
    exclusive: bool,
}

fn entity(l: &ListRow) -> List {
    List {
        id: l.id.to_string(),
        title: l.title.clone(),
        replies_policy: l.replies_policy.clone(),
        exclusive: l.exclusive != 0,
    }
}

fn input(params: &Value) -> ListInput {
    ListInput {
        title: text(params, "title").map(Option::unwrap_or_default),
        replies_policy: text(params, "replies_policy").map(Option::unwrap_or_default),
        exclusive: flag(params, "exclusive"),
    }
}

/// `GET /api/v1/lists`.
pub async fn index(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<List>>> {
    let me = me(&auth, &["read:lists"])?;
    let lists = lists::all(&state, me.id).await?;
    Ok(Json(lists.iter().map(entity).collect()))
}

/// `POST /api/v1/lists`.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Params(params): Params<Value>,
) -> AppResult<Json<List>> {
    let me = me(&auth, &["write:lists"])?;
    let list = lists::create(&state, me.id, &input(&params)).await?;
    Ok(Json(entity(&list)))
}

/// `GET /api/v1/lists/:id`.
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<List>> {
    let me = me(&auth, &["read:lists"])?;
    Ok(Json(entity(
        &lists::get(&state, me.id, parse_id(&id)?).await?,
    )))
}

/// `PUT /api/v1/lists/:id`.
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<Value>,
) -> AppResult<Json<List>> {
    let me = me(&auth, &["write:lists"])?;
    let list = lists::update(&state, me.id, parse_id(&id)?, &input(&params)).await?;
    Ok(Json(entity(&list)))
}

/// `DELETE /api/v1/lists/:id`.
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:lists"])?;
    lists::delete(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v1/lists/:id/accounts`: pages of 40, or with `limit=0` every member at once
/// (as Mastodon; Tusky asks so), without a `Link` header.
pub async fn members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:lists"])?;
    let all = uri.query().is_some_and(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .unwrap_or_default()
            .iter()
            .any(|(k, v)| k == "limit" && v.trim() == "0")
    });
    let mut page = if all {
        Page {
            limit: lists::MAX_MEMBERS,
            ..Page::default()
        }
    } else {
        page.page()?
    };
    if !all && !uri.query().is_some_and(|q| q.contains("limit=")) {
        page.limit = 40;
    }
    let rows = lists::members(&state, me.id, parse_id(&id)?, page).await?;
    if all {
        let accounts: Vec<i64> = rows.iter().map(|r| r.1).collect();
        let found = directory::by_ids(&state, &accounts).await?;
        return Ok(Json(hydrate::accounts(&state, &found).await?).into_response());
    }
    people_page(&state, &uri, rows).await
}

/// The accounts named by `account_ids[]`: each an id (an unreadable one is refused).
fn account_ids(params: &Value) -> AppResult<Vec<i64>> {
    let raw = texts(params, "account_ids").unwrap_or_default();
    raw.iter()
        .map(|s| {
            s.trim()
                .parse::<i64>()
                .map_err(|_| Invalid::new("account_ids", "error-number").into())
        })
        .collect()
}

/// `POST /api/v1/lists/:id/accounts`: only accounts the owner follows (422 otherwise).
pub async fn add_members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<Value>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:lists"])?;
    let id = parse_id(&id)?;
    lists::get(&state, me.id, id).await?;
    let ids = account_ids(&params)?;
    // Accounts that do not exist are Mastodon's 404.
    for a in &ids {
        directory::existing(&state, *a).await?;
    }
    lists::add(&state, me.id, id, &ids).await?;
    Ok(Json(json!({})))
}

/// `DELETE /api/v1/lists/:id/accounts`.
pub async fn remove_members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<Value>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:lists"])?;
    lists::remove(&state, me.id, parse_id(&id)?, &account_ids(&params)?).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v1/accounts/:id/lists`: my lists holding that account.
pub async fn holding(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<List>>> {
    let me = me(&auth, &["read:lists"])?;
    let account = directory::existing(&state, parse_id(&id)?).await?;
    let lists = lists::holding(&state, me.id, account.id).await?;
    Ok(Json(lists.iter().map(entity).collect()))
}

/// `GET /api/v1/timelines/list/:id`.
pub async fn timeline(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:lists"])?;
    let rows = lists::timeline(&state, me.id, parse_id(&id)?, page.page()?).await?;
    let newest = rows.first().map(|s| s.id);
    let oldest = rows.last().map(|s| s.id);
    let mut entities = hydrate::statuses(&state, Some(me.id), &rows).await?;
    filtered::statuses(&state, Some(me.id), FilterContext::Home, &mut entities).await?;
    Ok(paged(&state, &uri, entities, newest, oldest))
}
