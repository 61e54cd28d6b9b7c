//! Posts: `/api/v1/statuses` (create, read, edit, delete, thread, like, boost, who liked or
//! boosted).

use super::{
    entities::{Account, Status},
    extract::{Auth, MaybeAuth, Params, lenient},
    hydrate,
    pagination::{PageParams, paged},
};
use crate::{
    db::accounts::AccountRow,
    domain::{Invalid, Visibility},
    error::{AppError, AppResult},
    service::statuses::{self as posts, Compose},
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, Uri},
    response::Response,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// The local account a token acts for.
pub fn me(auth: &Auth, scopes: &[&str]) -> AppResult<AccountRow> {
    auth.require_user(scopes)?;
    auth.0.account.clone().ok_or_else(AppError::not_found)
}

/// The viewer's account id, if the request carries a token.
pub fn viewer(auth: &MaybeAuth) -> Option<i64> {
    auth.0
        .as_ref()
        .and_then(|a| a.user.as_ref())
        .map(|u| u.account_id)
}

/// Parses an id from a path.
pub fn parse_id(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::not_found())
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    sensitive: bool,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    visibility: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    in_reply_to_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    language: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_strings")]
    media_ids: Option<Vec<String>>,
}

impl StatusForm {
    fn compose(self, idempotency_key: Option<String>) -> AppResult<Compose> {
        let visibility = match self.visibility.as_deref().filter(|v| !v.is_empty()) {
            Some(v) => Some(Visibility::parse(v)?),
            None => None,
        };
        let in_reply_to_id = match self.in_reply_to_id.as_deref().filter(|v| !v.is_empty()) {
            Some(v) => Some(
                v.parse()
                    .map_err(|_| Invalid::new("in_reply_to_id", "error-reply-target"))?,
            ),
            None => None,
        };
        Ok(Compose {
            text: self.status.unwrap_or_default(),
            spoiler_text: self.spoiler_text.unwrap_or_default(),
            sensitive: self.sensitive,
            visibility,
            in_reply_to_id,
            language: self.language.filter(|l| !l.is_empty()),
            idempotency_key,
            event: None,
            media_ids: self.media_ids,
        })
    }
}

/// `POST /api/v1/statuses`.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Params(form): Params<StatusForm>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:statuses"])?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| k.chars().take(200).collect::<String>());
    let compose = form.compose(key)?;
    let compose = crate::service::preferences::apply(&state, me.id, compose).await?;
    let status = posts::create(&state, &me, compose).await?;
    Ok(Json(hydrate::status(&state, Some(me.id), &status).await?))
}

/// `GET /api/v1/statuses/:id`.
pub async fn get(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let viewer = viewer(&auth);
    let status = posts::visible(&state, viewer, parse_id(&id)?).await?;
    Ok(Json(hydrate::status(&state, viewer, &status).await?))
}

/// `PUT /api/v1/statuses/:id`.
pub async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(form): Params<StatusForm>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:statuses"])?;
    let compose = form.compose(None)?;
    let status = posts::edit(&state, &me, parse_id(&id)?, compose).await?;
    Ok(Json(hydrate::status(&state, Some(me.id), &status).await?))
}

/// `DELETE /api/v1/statuses/:id`: answers with the post and its source, for "delete and
/// redraft".
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:statuses"])?;
    let staff = auth.0.user.as_ref().is_some_and(|u| u.role.is_staff());
    let id = parse_id(&id)?;
    let row = posts::visible(&state, Some(me.id), id).await?;
    let mut entity = hydrate::status(&state, Some(me.id), &row).await?;
    let deleted = posts::delete(&state, &me, staff, id).await?;
    entity.text = Some(deleted.source.unwrap_or_default());
    Ok(Json(entity))
}

/// `GET /api/v1/statuses/:id/context`.
pub async fn context(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let viewer = viewer(&auth);
    let (ancestors, descendants) = posts::context(&state, viewer, parse_id(&id)?).await?;
    Ok(Json(json!({
        "ancestors": hydrate::statuses(&state, viewer, &ancestors).await?,
        "descendants": hydrate::statuses(&state, viewer, &descendants).await?,
    })))
}

/// `POST /api/v1/statuses/:id/favourite`.
pub async fn favourite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:favourites"])?;
    let status = posts::favourite(&state, &me, parse_id(&id)?).await?;
    Ok(Json(hydrate::status(&state, Some(me.id), &status).await?))
}

/// `POST /api/v1/statuses/:id/unfavourite`.
pub async fn unfavourite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:favourites"])?;
    let status = posts::unfavourite(&state, &me, parse_id(&id)?).await?;
    Ok(Json(hydrate::status(&state, Some(me.id), &status).await?))
}

/// `POST /api/v1/statuses/:id/reblog`: answers with the boost, which wraps the post.
pub async fn reblog(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:statuses"])?;
    let boost = posts::reblog(&state, &me, parse_id(&id)?).await?;
    Ok(Json(hydrate::status(&state, Some(me.id), &boost).await?))
}

/// `POST /api/v1/statuses/:id/unreblog`.
pub async fn unreblog(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:statuses"])?;
    let status = posts::unreblog(&state, &me, parse_id(&id)?).await?;
    Ok(Json(hydrate::status(&state, Some(me.id), &status).await?))
}

async fn people(state: &AppState, uri: &Uri, rows: Vec<(i64, i64)>) -> AppResult<Response> {
    let ordered: Vec<AccountRow> = crate::service::directory::people(state, &rows)
        .await?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    let entities: Vec<Account> = hydrate::accounts(state, &ordered).await?;
    Ok(paged(
        state,
        uri,
        entities,
        rows.first().map(|r| r.0),
        rows.last().map(|r| r.0),
    ))
}

/// `GET /api/v1/statuses/:id/favourited_by`.
pub async fn favourited_by(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let status = posts::visible(&state, viewer(&auth), parse_id(&id)?).await?;
    let page = page.page()?;
    let rows = posts::favourited_by(&state, &status, page.max_id, page.limit).await?;
    people(&state, &uri, rows).await
}

/// `GET /api/v1/statuses/:id/reblogged_by`.
pub async fn reblogged_by(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let status = posts::visible(&state, viewer(&auth), parse_id(&id)?).await?;
    let page = page.page()?;
    let rows = posts::reblogged_by(&state, &status, page.max_id, page.limit).await?;
    people(&state, &uri, rows).await
}

/// Answers a list of people, paged by the ids of the rows that link them.
pub async fn people_page(
    state: &AppState,
    uri: &Uri,
    rows: Vec<(i64, i64)>,
) -> AppResult<Response> {
    people(state, uri, rows).await
}
