//! Filters: `/api/v2/filters` with their keywords and posts, and `/api/v1/filters` (one
//! keyword each), as Mastodon maps them.

use super::{flag, text, texts};
use crate::{
    api::mastodon::{
        extract::{Auth, Params},
        statuses::{me, parse_id},
    },
    clock,
    db::filters::{FilterRow, FilterStatusRow, KeywordRow},
    domain::{Invalid, curation::FilterContext},
    error::AppResult,
    service::filters::{self, Filter as FilterModel, FilterInput, KeywordInput, V1Filter, V1Input},
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, State},
};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// A filter (docs.joinmastodon.org/entities/Filter); `keywords` and `statuses` are left out
/// where Mastodon leaves them out (in a `FilterResult`).
#[derive(Debug, Serialize)]
pub struct Filter {
    id: String,
    title: String,
    context: Vec<&'static str>,
    expires_at: Option<String>,
    filter_action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    keywords: Option<Vec<FilterKeyword>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    statuses: Option<Vec<FilterStatus>>,
}

/// A filter's keyword (docs.joinmastodon.org/entities/FilterKeyword).
#[derive(Debug, Serialize)]
pub struct FilterKeyword {
    id: String,
    keyword: String,
    whole_word: bool,
}

/// A filter's post (docs.joinmastodon.org/entities/FilterStatus).
#[derive(Debug, Serialize)]
pub struct FilterStatus {
    id: String,
    status_id: String,
}

/// A v1 filter (docs.joinmastodon.org/entities/V1_Filter).
#[derive(Debug, Serialize)]
pub struct V1FilterEntity {
    id: String,
    phrase: String,
    context: Vec<&'static str>,
    whole_word: bool,
    expires_at: Option<String>,
    irreversible: bool,
}

/// A filter without its keywords and posts, as a `FilterResult` carries it.
pub fn filter_entity(row: &FilterRow) -> Filter {
    Filter {
        id: row.id.to_string(),
        title: row.title.clone(),
        context: FilterContext::load(&row.context)
            .into_iter()
            .map(FilterContext::as_str)
            .collect(),
        expires_at: row.expires_at.map(clock::to_rfc3339),
        filter_action: row.action.clone(),
        keywords: None,
        statuses: None,
    }
}

fn keyword_entity(k: &KeywordRow) -> FilterKeyword {
    FilterKeyword {
        id: k.id.to_string(),
        keyword: k.keyword.clone(),
        whole_word: k.whole_word != 0,
    }
}

fn status_entity(s: &FilterStatusRow) -> FilterStatus {
    FilterStatus {
        id: s.id.to_string(),
        status_id: s.status_id.to_string(),
    }
}

fn full(f: &FilterModel) -> Filter {
    Filter {
        keywords: Some(f.keywords.iter().map(keyword_entity).collect()),
        statuses: Some(f.statuses.iter().map(status_entity).collect()),
        ..filter_entity(&f.row)
    }
}

fn v1_entity(f: &V1Filter) -> V1FilterEntity {
    V1FilterEntity {
        id: f.keyword.id.to_string(),
        phrase: f.keyword.keyword.clone(),
        context: FilterContext::load(&f.filter.context)
            .into_iter()
            .map(FilterContext::as_str)
            .collect(),
        whole_word: f.keyword.whole_word != 0,
        expires_at: f.filter.expires_at.map(clock::to_rfc3339),
        irreversible: f.filter.action == "hide",
    }
}

/// One keyword as an app sends it, in `keywords_attributes[]` or on its own.
fn keyword_input(o: &Value) -> AppResult<KeywordInput> {
    let id = match text(o, "id").flatten() {
        Some(s) => Some(
            s.trim()
                .parse::<i64>()
                .map_err(|_| Invalid::new("keywords_attributes", "error-number"))?,
        ),
        None => None,
    };
    Ok(KeywordInput {
        id,
        keyword: text(o, "keyword").map(Option::unwrap_or_default),
        whole_word: flag(o, "whole_word"),
        destroy: flag(o, "_destroy").unwrap_or(false),
    })
}

/// `keywords_attributes`: a JSON array of objects, or the form's `keywords_attributes[0][keyword]`
/// (an object by index), or one keyword as `keywords_attributes[][keyword]`.
fn keywords_input(params: &Value) -> AppResult<Vec<KeywordInput>> {
    match params.get("keywords_attributes") {
        Some(Value::Array(items)) => items.iter().map(keyword_input).collect(),
        Some(Value::Object(by_index)) => {
            let mut items: Vec<(&String, &Value)> = by_index.iter().collect();
            items.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(u64::MAX));
            items.into_iter().map(|(_, v)| keyword_input(v)).collect()
        }
        Some(Value::Null) | None => {
            let mut one = Map::new();
            if let Some(o) = params.as_object() {
                for (k, v) in o {
                    if let Some(field) = k
                        .strip_prefix("keywords_attributes[][")
                        .and_then(|f| f.strip_suffix(']'))
                    {
                        one.insert(field.to_string(), v.clone());
                    }
                }
            }
            if one.is_empty() {
                Ok(Vec::new())
            } else {
                Ok(vec![keyword_input(&Value::Object(one))?])
            }
        }
        Some(_) => Err(Invalid::new("keywords_attributes", "error-filter-keywords").into()),
    }
}

fn filter_input(params: &Value) -> AppResult<FilterInput> {
    Ok(FilterInput {
        title: text(params, "title").map(Option::unwrap_or_default),
        context: texts(params, "context"),
        action: text(params, "filter_action").map(Option::unwrap_or_default),
        expires_in: text(params, "expires_in"),
        keywords: keywords_input(params)?,
    })
}

/// `GET /api/v2/filters`.
pub async fn index(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Filter>>> {
    let me = me(&auth, &["read:filters"])?;
    Ok(Json(
        filters::all(&state, me.id)
            .await?
            .iter()
            .map(full)
            .collect(),
    ))
}

/// `POST /api/v2/filters`.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Params(params): Params<Value>,
) -> AppResult<Json<Filter>> {
    let me = me(&auth, &["write:filters"])?;
    let f = filters::create(&state, me.id, &filter_input(&params)?).await?;
    Ok(Json(full(&f)))
}

/// `GET /api/v2/filters/:id`.
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Filter>> {
    let me = me(&auth, &["read:filters"])?;
    Ok(Json(full(
        &filters::get(&state, me.id, parse_id(&id)?).await?,
    )))
}

/// `PUT /api/v2/filters/:id`.
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<Value>,
) -> AppResult<Json<Filter>> {
    let me = me(&auth, &["write:filters"])?;
    let f = filters::update(&state, me.id, parse_id(&id)?, &filter_input(&params)?).await?;
    Ok(Json(full(&f)))
}

/// `DELETE /api/v2/filters/:id`.
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:filters"])?;
    filters::delete(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v2/filters/:id/keywords`.
pub async fn keywords(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<FilterKeyword>>> {
    let me = me(&auth, &["read:filters"])?;
    let ks = filters::keywords(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(ks.iter().map(keyword_entity).collect()))
}

/// `POST /api/v2/filters/:id/keywords`.
pub async fn add_keyword(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<Value>,
) -> AppResult<Json<FilterKeyword>> {
    let me = me(&auth, &["write:filters"])?;
    let k = filters::add_keyword(&state, me.id, parse_id(&id)?, keyword_input(&params)?).await?;
    Ok(Json(keyword_entity(&k)))
}

/// `GET /api/v2/filters/keywords/:id`.
pub async fn keyword(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<FilterKeyword>> {
    let me = me(&auth, &["read:filters"])?;
    let k = filters::keyword(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(keyword_entity(&k)))
}

/// `PUT /api/v2/filters/keywords/:id`.
pub async fn update_keyword(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<Value>,
) -> AppResult<Json<FilterKeyword>> {
    let me = me(&auth, &["write:filters"])?;
    let mut input = keyword_input(&params)?;
    input.id = None;
    let k = filters::update_keyword(&state, me.id, parse_id(&id)?, input).await?;
    Ok(Json(keyword_entity(&k)))
}

/// `DELETE /api/v2/filters/keywords/:id`.
pub async fn delete_keyword(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:filters"])?;
    filters::delete_keyword(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v2/filters/:id/statuses`.
pub async fn statuses(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<FilterStatus>>> {
    let me = me(&auth, &["read:filters"])?;
    let ss = filters::statuses(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(ss.iter().map(status_entity).collect()))
}

/// `POST /api/v2/filters/:id/statuses`.
pub async fn add_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<Value>,
) -> AppResult<Json<FilterStatus>> {
    let me = me(&auth, &["write:filters"])?;
    let status_id = match text(&params, "status_id").flatten() {
        Some(s) => Some(
            s.trim()
                .parse::<i64>()
                .map_err(|_| Invalid::new("status_id", "error-number"))?,
        ),
        None => None,
    };
    let s = filters::add_status(&state, me.id, parse_id(&id)?, status_id).await?;
    Ok(Json(status_entity(&s)))
}

/// `GET /api/v2/filters/statuses/:id`.
pub async fn status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<FilterStatus>> {
    let me = me(&auth, &["read:filters"])?;
    Ok(Json(status_entity(
        &filters::status(&state, me.id, parse_id(&id)?).await?,
    )))
}

/// `DELETE /api/v2/filters/statuses/:id`.
pub async fn delete_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:filters"])?;
    filters::delete_status(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}

fn v1_input(params: &Value) -> V1Input {
    V1Input {
        phrase: text(params, "phrase").map(Option::unwrap_or_default),
        context: texts(params, "context"),
        irreversible: flag(params, "irreversible"),
        whole_word: flag(params, "whole_word"),
        expires_in: text(params, "expires_in"),
    }
}

/// `GET /api/v1/filters`.
pub async fn v1_index(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<V1FilterEntity>>> {
    let me = me(&auth, &["read:filters"])?;
    Ok(Json(
        filters::v1_all(&state, me.id)
            .await?
            .iter()
            .map(v1_entity)
            .collect(),
    ))
}

/// `POST /api/v1/filters`.
pub async fn v1_create(
    State(state): State<AppState>,
    auth: Auth,
    Params(params): Params<Value>,
) -> AppResult<Json<V1FilterEntity>> {
    let me = me(&auth, &["write:filters"])?;
    let f = filters::v1_create(&state, me.id, &v1_input(&params)).await?;
    Ok(Json(v1_entity(&f)))
}

/// `GET /api/v1/filters/:id`.
pub async fn v1_show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<V1FilterEntity>> {
    let me = me(&auth, &["read:filters"])?;
    Ok(Json(v1_entity(
        &filters::v1_get(&state, me.id, parse_id(&id)?).await?,
    )))
}

/// `PUT /api/v1/filters/:id`.
pub async fn v1_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<Value>,
) -> AppResult<Json<V1FilterEntity>> {
    let me = me(&auth, &["write:filters"])?;
    let f = filters::v1_update(&state, me.id, parse_id(&id)?, &v1_input(&params)).await?;
    Ok(Json(v1_entity(&f)))
}

/// `DELETE /api/v1/filters/:id`.
pub async fn v1_delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:filters"])?;
    filters::v1_delete(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}
