//! Hashtags (docs.joinmastodon.org/methods/tags, /methods/followed_tags,
//! /methods/featured_tags): a tag with its week of use and whether the viewer follows it,
//! following and unfollowing, the followed tags page by page, and the tags a person features
//! on their profile.

use super::{
    entities::Tag,
    extract::{Auth, MaybeAuth, Params},
    pagination::{PageParams, paged},
    statuses::{me, parse_id, viewer},
};
use crate::{
    clock,
    error::{AppError, AppResult},
    service::{self, directory, tags},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::Uri,
    response::Response,
    routing::{delete, get, post},
};
use serde_json::{Value, json};

/// The routes of tags, followed tags and featured tags.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tags/{name}", get(show))
        .route("/api/v1/tags/{name}/follow", post(follow))
        .route("/api/v1/tags/{name}/unfollow", post(unfollow))
        .route("/api/v1/followed_tags", get(followed))
        .route("/api/v1/featured_tags", get(featured).post(feature))
        .route("/api/v1/featured_tags/suggestions", get(suggestions))
        .route("/api/v1/featured_tags/{id}", delete(unfeature))
        .route("/api/v1/accounts/{id}/featured_tags", get(account_featured))
}

/// A tag as the Tag entity shows it (`following` only to a signed-in viewer, as on Mastodon).
pub fn entity(state: &AppState, t: tags::TagInfo) -> Tag {
    Tag {
        url: service::statuses::tag_url(state, &t.name),
        history: t
            .history
            .iter()
            .map(|d| {
                json!({
                    "day": d.day.to_string(),
                    "uses": d.uses.to_string(),
                    "accounts": d.accounts.to_string(),
                })
            })
            .collect(),
        following: t.following,
        name: t.name,
    }
}

/// `GET /api/v1/tags/:name`: any well-formed name (404 otherwise), used or not.
async fn show(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(name): Path<String>,
) -> AppResult<Json<Tag>> {
    let t = tags::show(&state, viewer(&auth), &name).await?;
    Ok(Json(entity(&state, t)))
}

/// `POST /api/v1/tags/:name/follow` (following already: the same answer).
async fn follow(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> AppResult<Json<Tag>> {
    let me = me(&auth, &["write:follows", "follow"])?;
    Ok(Json(entity(
        &state,
        tags::follow(&state, &me, &name).await?,
    )))
}

/// `POST /api/v1/tags/:name/unfollow` (not following: the same answer).
async fn unfollow(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> AppResult<Json<Tag>> {
    let me = me(&auth, &["write:follows", "follow"])?;
    Ok(Json(entity(
        &state,
        tags::unfollow(&state, &me, &name).await?,
    )))
}

/// `GET /api/v1/followed_tags`: newest follow first, 100 a page by default, at most 200, with
/// `Link` headers by the follows' ids.
async fn followed(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:follows", "follow"])?;
    let rows = tags::followed(&state, &me, page.page_within(100, 200)?).await?;
    let newest = rows.first().map(|(id, _)| *id);
    let oldest = rows.last().map(|(id, _)| *id);
    let items: Vec<Tag> = rows.into_iter().map(|(_, t)| entity(&state, t)).collect();
    Ok(paged(&state, &uri, items, newest, oldest))
}

/// A featured tag as the FeaturedTag entity shows it: the count as a string and the newest
/// post's day, as Mastodon 4.3 serializes them; `url` is the person's page of the tag.
fn featured_entity(state: &AppState, account: &str, f: &tags::Featured) -> Value {
    let encoded: String = url::form_urlencoded::byte_serialize(f.name.as_bytes()).collect();
    json!({
        "id": f.id.to_string(),
        "name": f.name,
        "url": state.config.url(&format!("/@{account}/tagged/{encoded}")),
        "statuses_count": f.statuses_count.to_string(),
        "last_status_at": f.last_status_at.map(clock::to_date),
    })
}

/// The handle a local person's pages use (`name`), or a remote one's (`name@domain`).
fn handle(account: &crate::db::accounts::AccountRow) -> String {
    match &account.domain {
        None => account.username.clone(),
        Some(d) => format!("{}@{d}", account.username),
    }
}

/// `GET /api/v1/featured_tags`: the person's featured tags.
async fn featured(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Value>>> {
    let me = me(&auth, &["read:accounts"])?;
    let h = handle(&me);
    let list = tags::featured(&state, &me).await?;
    Ok(Json(
        list.iter()
            .map(|f| featured_entity(&state, &h, f))
            .collect(),
    ))
}

/// `POST /api/v1/featured_tags`: `name` (with or without `#`); 422 for a bad name or past the
/// limit.
async fn feature(
    State(state): State<AppState>,
    auth: Auth,
    Params(params): Params<Value>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:accounts"])?;
    let name = match params.get("name") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(AppError::invalid(vec![crate::domain::Invalid::new(
                "name",
                "error-tag-name-empty",
            )]));
        }
    };
    let f = tags::feature(&state, &me, &name).await?;
    Ok(Json(featured_entity(&state, &handle(&me), &f)))
}

/// `DELETE /api/v1/featured_tags/:id`: `{}`, or 404 for someone else's or none.
async fn unfeature(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:accounts"])?;
    tags::unfeature(&state, &me, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v1/featured_tags/suggestions`: the person's most used tags not featured yet.
async fn suggestions(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Tag>>> {
    let me = me(&auth, &["read:accounts"])?;
    let list = tags::suggestions(&state, &me).await?;
    Ok(Json(list.into_iter().map(|t| entity(&state, t)).collect()))
}

/// `GET /api/v1/accounts/:id/featured_tags`: anyone's featured tags (404 for no account).
async fn account_featured(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Value>>> {
    let account = directory::existing(&state, parse_id(&id)?).await?;
    let h = handle(&account);
    let list = tags::featured(&state, &account).await?;
    Ok(Json(
        list.iter()
            .map(|f| featured_entity(&state, &h, f))
            .collect(),
    ))
}
