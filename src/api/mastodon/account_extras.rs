//! Account extras, as Mastodon 4.3 serves them: user domain blocks (`/api/v1/domain_blocks`),
//! notes (`POST /api/v1/accounts/:id/note`), endorsements (`/api/v1/accounts/:id/pin`,
//! `/unpin`, `/api/v1/endorsements`) and familiar followers
//! (`/api/v1/accounts/familiar_followers`).

use super::{
    entities::{Account, Relationship},
    extract::{Auth, Params},
    hydrate,
    pagination::{PageParams, paged},
    statuses::{me, parse_id, people_page},
};
use crate::{
    domain::Invalid,
    error::{AppError, AppResult},
    service::{account_extras, directory, relationships},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::Uri,
    response::Response,
    routing::{get, post},
};
use serde::Serialize;
use serde_json::Value;

/// The most accounts one request may ask about (`id[]`): more is refused, never cut.
pub const MAX_IDS: usize = 100;

/// The routes of account extras.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/domain_blocks",
            get(domain_blocks).post(block_domain).delete(unblock_domain),
        )
        .route("/api/v1/accounts/{id}/note", post(note))
        .route("/api/v1/accounts/{id}/pin", post(pin))
        .route("/api/v1/accounts/{id}/unpin", post(unpin))
        .route("/api/v1/endorsements", get(endorsements))
        .route(
            "/api/v1/accounts/{id}/endorsements",
            get(account_endorsements),
        )
        .route(
            "/api/v1/accounts/familiar_followers",
            get(familiar_followers),
        )
}

/// A text parameter: absent, null and non-text values read as absent; numbers as their text.
fn text(params: &Value, key: &str) -> Option<String> {
    match params.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn domain_param(params: &Value) -> AppResult<String> {
    text(params, "domain")
        .ok_or_else(|| AppError::invalid(vec![Invalid::new("domain", "error-required")]))
}

/// The accounts a request names (`id[]=`, or one `id`), each once, in the order given; ids that
/// are not numbers name nobody (as Mastodon reads them). More than [`MAX_IDS`] is a 422.
pub fn ids_param(params: &Value) -> AppResult<Vec<i64>> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let raw: Vec<String> = match params.get("id") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(scalar).collect(),
        Some(Value::Object(o)) => o.values().filter_map(scalar).collect(),
        Some(other) => scalar(other).into_iter().collect(),
    };
    if raw.len() > MAX_IDS {
        return Err(AppError::invalid(vec![
            Invalid::new("id", "error-too-many-accounts").arg("max", MAX_IDS),
        ]));
    }
    let mut ids = Vec::with_capacity(raw.len());
    for id in raw.iter().filter_map(|s| s.trim().parse::<i64>().ok()) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Checks a follow's options (`reblogs`, `notify`, `languages`): coopol keeps none, so only
/// their defaults pass (boosts shown, no notification of posts, every language); another value
/// is a 422 naming the option, never dropped.
pub fn follow_options(params: &Value) -> AppResult<()> {
    let truthy = |v: &Value| match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_i64() != Some(0)),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "on" | "t" | "yes" => Some(true),
            "false" | "0" | "off" | "f" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    };
    let mut refused = Vec::new();
    match params.get("reblogs") {
        None | Some(Value::Null) => {}
        Some(v) if truthy(v) == Some(true) => {}
        Some(_) => refused.push(Invalid::new("reblogs", "error-follow-option")),
    }
    match params.get("notify") {
        None | Some(Value::Null) => {}
        Some(v) if truthy(v) == Some(false) => {}
        Some(_) => refused.push(Invalid::new("notify", "error-follow-option")),
    }
    match params.get("languages") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) if a.is_empty() => {}
        Some(Value::String(s)) if s.trim().is_empty() => {}
        Some(_) => refused.push(Invalid::new("languages", "error-follow-option")),
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid(refused))
    }
}

/// `GET /api/v1/domain_blocks`: the domains the person blocks, as strings, newest first, with
/// Link headers.
pub async fn domain_blocks(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:blocks", "follow"])?;
    let rows = account_extras::domain_blocks(&state, me.id, page.page_within(100, 200)?).await?;
    let newest = rows.first().map(|r| r.0);
    let oldest = rows.last().map(|r| r.0);
    let domains: Vec<String> = rows.into_iter().map(|(_, d)| d).collect();
    Ok(paged(&state, &uri, domains, newest, oldest))
}

/// `POST /api/v1/domain_blocks` (`domain`): an empty object, as Mastodon answers.
pub async fn block_domain(
    State(state): State<AppState>,
    auth: Auth,
    Params(params): Params<Value>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:blocks", "follow"])?;
    account_extras::block_domain(&state, &me, &domain_param(&params)?).await?;
    Ok(Json(Value::Object(Default::default())))
}

/// `DELETE /api/v1/domain_blocks` (`domain`): an empty object.
pub async fn unblock_domain(
    State(state): State<AppState>,
    auth: Auth,
    Params(params): Params<Value>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:blocks", "follow"])?;
    account_extras::unblock_domain(&state, &me, &domain_param(&params)?).await?;
    Ok(Json(Value::Object(Default::default())))
}

/// `POST /api/v1/accounts/:id/note` (`comment`; empty or absent removes the note).
pub async fn note(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<Value>,
) -> AppResult<Json<Relationship>> {
    let me = me(&auth, &["write:accounts"])?;
    let target = directory::existing(&state, parse_id(&id)?).await?;
    let comment = match params.get("comment") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(AppError::invalid(vec![Invalid::new(
                "comment",
                "error-validation",
            )]));
        }
    };
    account_extras::set_note(&state, &me, &target, &comment).await?;
    let r = relationships::relationship(&state, me.id, target.id).await?;
    Ok(Json(hydrate::relationship(&r)))
}

/// `POST /api/v1/accounts/:id/pin`: endorses an account the person follows.
pub async fn pin(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Relationship>> {
    let me = me(&auth, &["write:accounts"])?;
    let target = directory::existing(&state, parse_id(&id)?).await?;
    account_extras::endorse(&state, &me, &target).await?;
    let r = relationships::relationship(&state, me.id, target.id).await?;
    Ok(Json(hydrate::relationship(&r)))
}

/// `POST /api/v1/accounts/:id/unpin`.
pub async fn unpin(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Relationship>> {
    let me = me(&auth, &["write:accounts"])?;
    let target = directory::existing(&state, parse_id(&id)?).await?;
    account_extras::unendorse(&state, &me, &target).await?;
    let r = relationships::relationship(&state, me.id, target.id).await?;
    Ok(Json(hydrate::relationship(&r)))
}

/// `GET /api/v1/endorsements`: the accounts the person endorses, newest first, with Link
/// headers.
pub async fn endorsements(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:accounts"])?;
    let rows = account_extras::endorsements(&state, me.id, page.page_within(40, 80)?).await?;
    people_page(&state, &uri, rows).await
}

/// `GET /api/v1/accounts/:id/endorsements` (Mastodon 4.4, which Phanpy reads on a profile):
/// the people an account endorses, as its public profile shows them (never groups: rule P10).
/// They fit one page (at most `ENDORSED_ON_PROFILE`), so `limit` shortens it and a page
/// after or before it (`max_id`, `since_id`, `min_id`) is empty.
pub async fn account_endorsements(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Params(page): Params<PageParams>,
) -> AppResult<Json<Vec<Account>>> {
    let page = page.page_within(40, 80)?;
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let account = directory::shown_by_id(&state, id).await?;
    if page.max_id.is_some() || page.since_id.is_some() || page.min_id.is_some() {
        return Ok(Json(Vec::new()));
    }
    let mut people = account_extras::endorsed_people(&state, &account).await?;
    people.truncate(page.limit as usize);
    Ok(Json(hydrate::accounts(&state, &people).await?))
}

/// One entry of familiar followers (docs.joinmastodon.org/entities/FamiliarFollowers).
#[derive(Debug, Serialize)]
pub struct FamiliarFollowers {
    pub id: String,
    pub accounts: Vec<Account>,
}

/// `GET /api/v1/accounts/familiar_followers?id[]=`: for each account, those the person
/// follows who follow it.
pub async fn familiar_followers(
    State(state): State<AppState>,
    auth: Auth,
    Params(params): Params<Value>,
) -> AppResult<Json<Vec<FamiliarFollowers>>> {
    let me = me(&auth, &["read:follows", "follow"])?;
    let ids = ids_param(&params)?;
    let found = account_extras::familiar_followers(&state, me.id, &ids).await?;
    let mut out = Vec::with_capacity(found.len());
    for (id, accounts) in found {
        out.push(FamiliarFollowers {
            id: id.to_string(),
            accounts: hydrate::accounts(&state, &accounts).await?,
        });
    }
    Ok(Json(out))
}
