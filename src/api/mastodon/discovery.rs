//! What apps ask to discover the server and its people (docs.joinmastodon.org/methods/instance,
//! /directory, /suggestions, /trends): known domains, weekly activity, languages, the
//! extended description and rules, the profile directory, suggestions and trends. Every value
//! is read from the database by `service::discovery`; where coopol has nothing (translation,
//! rules until moderation adds them), the documented empty shape.

use super::{
    extract::{Auth, MaybeAuth, Params, lenient},
    hydrate,
    statuses::viewer,
};
use crate::{
    error::AppResult,
    service::{self, discovery},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    routing::get,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/instance/peers", get(peers))
        .route("/api/v1/instance/activity", get(activity))
        .route("/api/v1/instance/languages", get(languages))
        .route(
            "/api/v1/instance/translation_languages",
            get(translation_languages),
        )
        .route(
            "/api/v1/instance/extended_description",
            get(extended_description),
        )
        .route("/api/v1/instance/rules", get(rules))
        .route("/api/v1/instance/privacy_policy", get(privacy_policy))
        .route("/api/v1/directory", get(directory))
        .route("/api/v1/suggestions", get(suggestions_v1))
        .route(
            "/api/v1/suggestions/{account_id}",
            axum::routing::delete(dismiss_suggestion),
        )
        .route("/api/v2/suggestions", get(suggestions_v2))
        .route("/api/v1/trends", get(trending_tags))
        .route("/api/v1/trends/tags", get(trending_tags))
        .route("/api/v1/trends/statuses", get(trending_statuses))
        .route("/api/v1/trends/links", get(trending_links))
}

/// The instance's rules in their order, as Mastodon's `Rule` entities: the same list in v1's
/// and v2's instance and `/api/v1/instance/rules`.
pub async fn rules_list(state: &AppState) -> AppResult<Vec<Value>> {
    Ok(service::rules::list(state)
        .await?
        .iter()
        .map(|r| {
            json!({
                "id": r.id.to_string(),
                "text": r.text,
                "hint": r.hint,
                "translations": {}
            })
        })
        .collect())
}

/// `GET /api/v1/instance/peers`: the domains known here, sorted.
async fn peers(State(state): State<AppState>) -> AppResult<Json<Vec<String>>> {
    Ok(Json(discovery::peers(&state).await?))
}

/// `GET /api/v1/instance/activity`: the last twelve weeks, this one first, values as strings.
async fn activity(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let weeks = discovery::activity(&state).await?;
    Ok(Json(Value::Array(
        weeks
            .iter()
            .map(|w| {
                json!({
                    "week": w.week.to_string(),
                    "statuses": w.statuses.to_string(),
                    "logins": w.logins.to_string(),
                    "registrations": w.registrations.to_string(),
                })
            })
            .collect(),
    )))
}

/// `GET /api/v1/instance/languages`: ISO 639-1 codes with their English names.
async fn languages() -> Json<Value> {
    Json(Value::Array(
        discovery::languages()
            .into_iter()
            .map(|(code, name)| json!({ "code": code, "name": name }))
            .collect(),
    ))
}

/// `GET /api/v1/instance/translation_languages`: coopol translates nothing, so no pair.
async fn translation_languages() -> Json<Value> {
    Json(json!({}))
}

/// `GET /api/v1/instance/extended_description`: the about text as sanitized HTML.
async fn extended_description(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let (content, updated_at) = service::about::extended_description(&state).await?;
    Ok(Json(json!({
        "updated_at": crate::clock::to_rfc3339(updated_at),
        "content": content,
    })))
}

/// `GET /api/v1/instance/privacy_policy`: the privacy policy as sanitized HTML (until one is
/// written, the notice of the about page, in the caller's language).
async fn privacy_policy(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> AppResult<Json<Value>> {
    let locale = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::domain::Locale::negotiate)
        .unwrap_or(state.config.default_locale);
    let (content, updated_at) = service::about::privacy_policy(&state, locale).await?;
    Ok(Json(json!({
        "updated_at": crate::clock::to_rfc3339(updated_at),
        "content": content,
    })))
}

/// `GET /api/v1/instance/rules`.
async fn rules(State(state): State<AppState>) -> AppResult<Json<Vec<Value>>> {
    Ok(Json(rules_list(&state).await?))
}

/// `offset` and `limit`, as the directory and trends take them.
#[derive(Debug, Default, Deserialize)]
struct OffsetParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    offset: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

fn number(field: &'static str, v: &Option<String>) -> Result<Option<i64>, crate::domain::Invalid> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| crate::domain::Invalid::new(field, "error-number")),
    }
}

impl OffsetParams {
    fn within(&self, default: i64, max: i64) -> AppResult<(i64, i64)> {
        Ok(discovery::offset_limit(
            number("offset", &self.offset)?,
            number("limit", &self.limit)?,
            default,
            max,
        )?)
    }
}

#[derive(Debug, Default, Deserialize)]
struct DirectoryParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    offset: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    order: Option<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    local: bool,
}

/// `GET /api/v1/directory`: discoverable accounts that posted, by activity or creation.
async fn directory(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Params(p): Params<DirectoryParams>,
) -> AppResult<Json<Value>> {
    let page = OffsetParams {
        offset: p.offset,
        limit: p.limit,
    };
    let (offset, limit) = page.within(40, 80)?;
    let order = discovery::directory_order(p.order.as_deref())?;
    let rows = discovery::directory(&state, viewer(&auth), order, p.local, offset, limit).await?;
    Ok(Json(json!(hydrate::accounts(&state, &rows).await?)))
}

#[derive(Debug, Default, Deserialize)]
struct LimitParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

async fn suggested(
    state: &AppState,
    auth: &Auth,
    p: &LimitParams,
) -> AppResult<Vec<(Value, &'static str)>> {
    let user = auth.require_user(&["read", "read:accounts"])?;
    let (_, limit) = discovery::offset_limit(None, number("limit", &p.limit)?, 40, 80)?;
    let found = discovery::suggestions(state, user.account_id, limit).await?;
    let rows: Vec<_> = found.iter().map(|(a, _)| a.clone()).collect();
    let accounts = hydrate::accounts(state, &rows).await?;
    Ok(accounts
        .into_iter()
        .zip(found)
        .map(|(a, (_, s))| (json!(a), discovery::source_name(s)))
        .collect())
}

/// `GET /api/v1/suggestions`: the accounts alone.
async fn suggestions_v1(
    State(state): State<AppState>,
    auth: Auth,
    Params(p): Params<LimitParams>,
) -> AppResult<Json<Value>> {
    let found = suggested(&state, &auth, &p).await?;
    Ok(Json(Value::Array(
        found.into_iter().map(|(a, _)| a).collect(),
    )))
}

/// `GET /api/v2/suggestions`: each account with why (`source`, and 4.3's `sources`).
async fn suggestions_v2(
    State(state): State<AppState>,
    auth: Auth,
    Params(p): Params<LimitParams>,
) -> AppResult<Json<Value>> {
    let found = suggested(&state, &auth, &p).await?;
    Ok(Json(Value::Array(
        found
            .into_iter()
            .map(|(account, source)| {
                let sources = if source == "staff" {
                    "featured"
                } else {
                    "most_followed"
                };
                json!({ "source": source, "sources": [sources], "account": account })
            })
            .collect(),
    )))
}

/// `DELETE /api/v1/suggestions/:account_id`: never suggested again.
async fn dismiss_suggestion(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let user = auth.require_user(&["read", "read:accounts"])?;
    let target = discovery::parse_account_id(&id)?;
    discovery::dismiss_suggestion(&state, user.account_id, target).await?;
    Ok(Json(json!({})))
}

fn history_json(history: &[discovery::Day]) -> Value {
    Value::Array(
        history
            .iter()
            .map(|d| {
                json!({
                    "day": d.day.to_string(),
                    "uses": d.uses.to_string(),
                    "accounts": d.accounts.to_string(),
                })
            })
            .collect(),
    )
}

/// `GET /api/v1/trends/tags` (and `/api/v1/trends`, its older name).
async fn trending_tags(
    State(state): State<AppState>,
    Params(p): Params<OffsetParams>,
) -> AppResult<Json<Value>> {
    let (offset, limit) = p.within(10, 20)?;
    let tags = discovery::trending_tags(&state, offset, limit).await?;
    Ok(Json(Value::Array(
        tags.iter()
            .map(|(name, history)| {
                json!({
                    "name": name,
                    "url": service::statuses::tag_url(&state, name),
                    "history": history_json(history),
                })
            })
            .collect(),
    )))
}

/// `GET /api/v1/trends/statuses`.
async fn trending_statuses(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Params(p): Params<OffsetParams>,
) -> AppResult<Json<Value>> {
    let (offset, limit) = p.within(20, 40)?;
    let rows = discovery::trending_statuses(&state, offset, limit).await?;
    Ok(Json(json!(
        hydrate::statuses(&state, viewer(&auth), &rows).await?
    )))
}

/// `GET /api/v1/trends/links`: preview cards with their history.
async fn trending_links(
    State(state): State<AppState>,
    Params(p): Params<OffsetParams>,
) -> AppResult<Json<Value>> {
    let (offset, limit) = p.within(10, 20)?;
    let links = discovery::trending_links(&state, offset, limit).await?;
    Ok(Json(Value::Array(
        links
            .iter()
            .map(|(card, history)| {
                let mut v = json!(hydrate::card_entity(&state, card));
                v["history"] = history_json(history);
                v
            })
            .collect(),
    )))
}
