//! Notification policy and requests (docs.joinmastodon.org/methods/notifications, Mastodon
//! 4.3): `GET`/`PATCH /api/v2/notifications/policy`, v1's boolean `GET`/`PUT
//! /api/v1/notifications/policy`, and the requests (`/api/v1/notifications/requests`): list,
//! one, accept, dismiss, in bulk, and `merged`.

use super::{
    entities::{Account, Status},
    extract::{Auth, Params, lenient},
    hydrate,
    pagination::{PageParams, paged},
    statuses::{me, parse_id},
};
use crate::{
    clock,
    db::notification_policy::RequestRow,
    domain::{
        Invalid,
        notification_policy::{NotificationPolicy, PolicyAction},
    },
    error::{AppError, AppResult},
    service::notification_policy::{self as policy, MAX_BULK, Summary},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::Uri,
    response::Response,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The routes of the notification policy and requests.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/notifications/policy", get(get_v2).patch(patch_v2))
        .route("/api/v1/notifications/policy", get(get_v1).put(put_v1))
        .route("/api/v1/notifications/requests", get(list))
        .route("/api/v1/notifications/requests/merged", get(merged))
        .route("/api/v1/notifications/requests/accept", post(accept_many))
        .route("/api/v1/notifications/requests/dismiss", post(dismiss_many))
        .route("/api/v1/notifications/requests/{id}", get(one))
        .route("/api/v1/notifications/requests/{id}/accept", post(accept))
        .route("/api/v1/notifications/requests/{id}/dismiss", post(dismiss))
}

fn summary_json(s: Summary) -> Value {
    json!({
        "pending_requests_count": s.pending_requests_count,
        "pending_notifications_count": s.pending_notifications_count,
    })
}

fn v2_json(p: &NotificationPolicy, s: Summary) -> Value {
    json!({
        "for_not_following": p.for_not_following.as_str(),
        "for_not_followers": p.for_not_followers.as_str(),
        "for_new_accounts": p.for_new_accounts.as_str(),
        "for_private_mentions": p.for_private_mentions.as_str(),
        "for_limited_accounts": p.for_limited_accounts.as_str(),
        "summary": summary_json(s),
    })
}

fn v1_json(p: &NotificationPolicy, s: Summary) -> Value {
    json!({
        "filter_not_following": p.for_not_following.v1(),
        "filter_not_followers": p.for_not_followers.v1(),
        "filter_new_accounts": p.for_new_accounts.v1(),
        "filter_private_mentions": p.for_private_mentions.v1(),
        "summary": summary_json(s),
    })
}

/// `GET /api/v2/notifications/policy`.
pub async fn get_v2(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Value>> {
    let me = me(&auth, &["read:notifications"])?;
    let p = policy::policy(&state, me.id).await?;
    Ok(Json(v2_json(&p, policy::summary(&state, me.id).await?)))
}

/// v2's fields, each optional (kept as given when absent).
#[derive(Deserialize)]
pub struct V2Form {
    #[serde(default)]
    for_not_following: Option<Value>,
    #[serde(default)]
    for_not_followers: Option<Value>,
    #[serde(default)]
    for_new_accounts: Option<Value>,
    #[serde(default)]
    for_private_mentions: Option<Value>,
    #[serde(default)]
    for_limited_accounts: Option<Value>,
}

/// Reads one v2 field into `slot`, or notes why it is refused.
fn v2_field(
    field: &'static str,
    value: &Option<Value>,
    slot: &mut PolicyAction,
    errors: &mut Vec<Invalid>,
) {
    match value {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => match PolicyAction::parse(field, s) {
            Ok(a) => *slot = a,
            Err(e) => errors.push(e),
        },
        Some(_) => errors.push(Invalid::new(field, "error-policy-value")),
    }
}

/// `PATCH /api/v2/notifications/policy`: any of the five fields, `accept`, `filter` or
/// `drop`; a bad value refuses the whole change (422).
pub async fn patch_v2(
    State(state): State<AppState>,
    auth: Auth,
    Params(f): Params<V2Form>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:notifications"])?;
    let mut p = policy::policy(&state, me.id).await?;
    let mut errors = Vec::new();
    v2_field(
        "for_not_following",
        &f.for_not_following,
        &mut p.for_not_following,
        &mut errors,
    );
    v2_field(
        "for_not_followers",
        &f.for_not_followers,
        &mut p.for_not_followers,
        &mut errors,
    );
    v2_field(
        "for_new_accounts",
        &f.for_new_accounts,
        &mut p.for_new_accounts,
        &mut errors,
    );
    v2_field(
        "for_private_mentions",
        &f.for_private_mentions,
        &mut p.for_private_mentions,
        &mut errors,
    );
    v2_field(
        "for_limited_accounts",
        &f.for_limited_accounts,
        &mut p.for_limited_accounts,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    policy::set_policy(&state, me.id, &p).await?;
    Ok(Json(v2_json(&p, policy::summary(&state, me.id).await?)))
}

/// `GET /api/v1/notifications/policy`: v1's booleans (anything but `accept` is filtering).
pub async fn get_v1(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Value>> {
    let me = me(&auth, &["read:notifications"])?;
    let p = policy::policy(&state, me.id).await?;
    Ok(Json(v1_json(&p, policy::summary(&state, me.id).await?)))
}

/// v1's fields, each optional.
#[derive(Deserialize)]
pub struct V1Form {
    #[serde(default)]
    filter_not_following: Option<Value>,
    #[serde(default)]
    filter_not_followers: Option<Value>,
    #[serde(default)]
    filter_new_accounts: Option<Value>,
    #[serde(default)]
    filter_private_mentions: Option<Value>,
}

/// Reads one v1 boolean into `slot` (`true` filters, `false` accepts), or notes why not.
fn v1_field(
    field: &'static str,
    value: &Option<Value>,
    slot: &mut PolicyAction,
    errors: &mut Vec<Invalid>,
) {
    let b = match value {
        None | Some(Value::Null) => return,
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" | "on" => Some(true),
            "false" | "0" | "off" => Some(false),
            _ => None,
        },
        Some(Value::Number(n)) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Some(_) => None,
    };
    match b {
        Some(b) => *slot = PolicyAction::from_v1(b),
        None => errors.push(Invalid::new(field, "error-policy-boolean")),
    }
}

/// `PUT /api/v1/notifications/policy`: v1's booleans, mapped as Mastodon maps them.
pub async fn put_v1(
    State(state): State<AppState>,
    auth: Auth,
    Params(f): Params<V1Form>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:notifications"])?;
    let mut p = policy::policy(&state, me.id).await?;
    let mut errors = Vec::new();
    v1_field(
        "filter_not_following",
        &f.filter_not_following,
        &mut p.for_not_following,
        &mut errors,
    );
    v1_field(
        "filter_not_followers",
        &f.filter_not_followers,
        &mut p.for_not_followers,
        &mut errors,
    );
    v1_field(
        "filter_new_accounts",
        &f.filter_new_accounts,
        &mut p.for_new_accounts,
        &mut errors,
    );
    v1_field(
        "filter_private_mentions",
        &f.filter_private_mentions,
        &mut p.for_private_mentions,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    policy::set_policy(&state, me.id, &p).await?;
    Ok(Json(v1_json(&p, policy::summary(&state, me.id).await?)))
}

/// A request (docs.joinmastodon.org/entities/NotificationRequest).
#[derive(Debug, Clone, Serialize)]
pub struct NotificationRequest {
    pub id: String,
    pub created_at: String,
    pub updated_at: String,
    pub account: Account,
    /// A string, as Mastodon gives it.
    pub notifications_count: String,
    pub last_status: Option<Status>,
}

/// Requests as API entities: their senders and last posts loaded in one batch each.
async fn entities(
    state: &AppState,
    me: i64,
    rows: &[RequestRow],
) -> AppResult<Vec<NotificationRequest>> {
    let (accounts, statuses) = policy::senders_and_posts(state, rows).await?;
    let accounts: HashMap<i64, Account> = accounts
        .iter()
        .map(|a| a.id)
        .zip(hydrate::accounts(state, &accounts).await?)
        .collect();
    let statuses: HashMap<i64, Status> = statuses
        .iter()
        .map(|s| s.id)
        .zip(hydrate::statuses(state, Some(me), &statuses).await?)
        .collect();
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(NotificationRequest {
                id: r.id.to_string(),
                created_at: clock::to_rfc3339(r.created_at),
                updated_at: clock::to_rfc3339(r.updated_at),
                account: accounts.get(&r.from_account_id)?.clone(),
                notifications_count: r.notifications_count.to_string(),
                last_status: r.last_status_id.and_then(|s| statuses.get(&s).cloned()),
            })
        })
        .collect())
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    page: PageParams,
}

/// `GET /api/v1/notifications/requests`: newest first, 40 by default, 80 at most, paged by
/// request id (Link header).
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:notifications"])?;
    let rows = policy::requests(&state, me.id, q.page.page_within(40, 80)?).await?;
    let newest = rows.first().map(|r| r.id);
    let oldest = rows.last().map(|r| r.id);
    let body = entities(&state, me.id, &rows).await?;
    Ok(paged(&state, &uri, body, newest, oldest))
}

/// `GET /api/v1/notifications/requests/:id` (404 if not the person's).
pub async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<NotificationRequest>> {
    let me = me(&auth, &["read:notifications"])?;
    let row = policy::request(&state, me.id, parse_id(&id)?).await?;
    entities(&state, me.id, std::slice::from_ref(&row))
        .await?
        .pop()
        .map(Json)
        .ok_or_else(AppError::not_found)
}

/// `POST /api/v1/notifications/requests/:id/accept`.
pub async fn accept(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:notifications"])?;
    policy::accept(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// `POST /api/v1/notifications/requests/:id/dismiss`.
pub async fn dismiss(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:notifications"])?;
    policy::dismiss(&state, me.id, parse_id(&id)?).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub struct BulkForm {
    #[serde(default, deserialize_with = "lenient::strings")]
    id: Vec<String>,
}

/// The ids of a bulk call: at least one, at most [`MAX_BULK`], each a number.
fn bulk_ids(f: &BulkForm) -> AppResult<Vec<i64>> {
    if f.id.is_empty() {
        return Err(AppError::invalid(vec![Invalid::new(
            "id",
            "error-policy-ids",
        )]));
    }
    if f.id.len() > MAX_BULK {
        return Err(AppError::invalid(vec![
            Invalid::new("id", "error-policy-too-many").arg("max", MAX_BULK),
        ]));
    }
    f.id.iter()
        .map(|s| {
            s.trim()
                .parse()
                .map_err(|_| AppError::invalid(vec![Invalid::new("id", "error-number")]))
        })
        .collect()
}

/// `POST /api/v1/notifications/requests/accept` with `id[]` (ids not the person's requests
/// are ignored, as Mastodon does).
pub async fn accept_many(
    State(state): State<AppState>,
    auth: Auth,
    Params(f): Params<BulkForm>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:notifications"])?;
    policy::accept_many(&state, me.id, &bulk_ids(&f)?).await?;
    Ok(Json(json!({})))
}

/// `POST /api/v1/notifications/requests/dismiss` with `id[]`.
pub async fn dismiss_many(
    State(state): State<AppState>,
    auth: Auth,
    Params(f): Params<BulkForm>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:notifications"])?;
    policy::dismiss_many(&state, me.id, &bulk_ids(&f)?).await?;
    Ok(Json(json!({})))
}

/// `GET /api/v1/notifications/requests/merged`: accepted requests are merged in the
/// transaction that accepts them, so this is always `true`, truthfully.
pub async fn merged(auth: Auth) -> AppResult<Json<Value>> {
    me(&auth, &["read:notifications"])?;
    Ok(Json(json!({ "merged": true })))
}
