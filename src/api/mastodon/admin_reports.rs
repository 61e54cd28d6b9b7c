//! The moderation queue for apps (docs.joinmastodon.org/methods/admin/reports,
//! entities/Admin_Report, Admin_Account): list, show, assign to oneself, unassign, resolve,
//! reopen. Moderators and administrators with the admin scopes; the rules of who may act are
//! the service's (`service::reports`).

use super::admin_accounts::{self, AdminAccountEntity};
use super::extract::{Auth, Params, lenient};
use super::hydrate;
use super::pagination::{PageParams, paged};
use crate::{
    clock,
    db::{accounts::UserRow, reports::Filter},
    domain::Invalid,
    error::{AppError, AppResult},
    service::{
        reports::{self, ReportView},
        sanctions,
    },
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

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/reports", get(index))
        .route("/api/v1/admin/reports/{id}", get(show))
        .route(
            "/api/v1/admin/reports/{id}/assign_to_self",
            post(assign_to_self),
        )
        .route("/api/v1/admin/reports/{id}/unassign", post(unassign))
        .route("/api/v1/admin/reports/{id}/resolve", post(resolve))
        .route("/api/v1/admin/reports/{id}/reopen", post(reopen))
}

const READ: &[&str] = &["admin:read", "admin:read:reports"];
const WRITE: &[&str] = &["admin:write", "admin:write:reports"];

/// A report as the admin API shows it (Mastodon's `Admin::Report`).
#[derive(Debug, Serialize)]
pub struct AdminReport {
    pub id: String,
    pub action_taken: bool,
    pub action_taken_at: Option<String>,
    pub category: String,
    pub comment: String,
    pub forwarded: bool,
    pub created_at: String,
    pub updated_at: String,
    pub account: Option<AdminAccountEntity>,
    pub target_account: AdminAccountEntity,
    pub assigned_account: Option<AdminAccountEntity>,
    pub action_taken_by_account: Option<AdminAccountEntity>,
    pub statuses: Vec<super::entities::Status>,
    pub rules: Vec<Value>,
}

/// The reports as entities, their accounts and posts loaded once for the page.
async fn entities(
    state: &AppState,
    viewer: &UserRow,
    views: &[ReportView],
) -> AppResult<Vec<AdminReport>> {
    let mut rows = Vec::new();
    let mut statuses = Vec::new();
    for v in views {
        rows.push(v.target.clone());
        rows.extend(v.reporter.clone());
        rows.extend(v.assigned.clone());
        rows.extend(v.resolved_by.clone());
        statuses.extend(v.statuses.iter().cloned());
    }
    rows.sort_by_key(|a| a.id);
    rows.dedup_by_key(|a| a.id);
    let admins = sanctions::of_accounts(state, viewer, rows).await?;
    let accounts: HashMap<String, AdminAccountEntity> = admin_accounts::entities(state, &admins)
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let by_row = |r: &crate::db::accounts::AccountRow| {
        accounts
            .get(&r.id.to_string())
            .cloned()
            .expect("every account of the page was loaded")
    };
    let status_entities: HashMap<String, super::entities::Status> =
        hydrate::statuses(state, Some(viewer.account_id), &statuses)
            .await?
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
    Ok(views
        .iter()
        .map(|v| {
            let r = &v.row;
            AdminReport {
                id: r.id.to_string(),
                action_taken: r.action_taken_at.is_some(),
                action_taken_at: r.action_taken_at.map(clock::to_rfc3339),
                category: r.category.as_str().to_string(),
                comment: r.comment.clone(),
                forwarded: r.forwarded != 0,
                created_at: clock::to_rfc3339(r.created_at),
                updated_at: clock::to_rfc3339(r.updated_at),
                account: v.reporter.as_ref().map(by_row),
                target_account: by_row(&v.target),
                assigned_account: v.assigned.as_ref().map(by_row),
                action_taken_by_account: v.resolved_by.as_ref().map(by_row),
                statuses: v
                    .statuses
                    .iter()
                    .filter_map(|s| status_entities.get(&s.id.to_string()).cloned())
                    .collect(),
                rules: v
                    .rule_ids
                    .iter()
                    .map(|id| json!({"id": id.to_string(), "text": "", "hint": ""}))
                    .collect(),
            }
        })
        .collect())
}

#[derive(Debug, Default, Deserialize)]
struct IndexParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    resolved: Option<String>,
    /// Mastodon.py's: with `resolved`, both states.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    unresolved: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    target_account_id: Option<String>,
    #[serde(flatten)]
    page: PageParams,
}

fn opt_id(field: &'static str, v: Option<&str>) -> Result<Option<i64>, Invalid> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| Invalid::new(field, "error-number")),
    }
}

/// `GET /api/v1/admin/reports`: open reports (or resolved ones with `resolved=true`, both with
/// Mastodon.py's `unresolved=true` too), newest first, 100 a page at most 200, by reporter or
/// reported account.
async fn index(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(p): Params<IndexParams>,
) -> AppResult<Response> {
    let me = auth.require_user(READ)?;
    let flag = |field: &'static str, v: Option<&str>| match v.map(str::trim) {
        None | Some("") => Ok(false),
        Some(t) if t.eq_ignore_ascii_case("true") || t == "1" => Ok(true),
        Some(t) if t.eq_ignore_ascii_case("false") || t == "0" => Ok(false),
        Some(_) => Err(AppError::invalid(vec![Invalid::new(
            field,
            "error-report-resolved",
        )])),
    };
    let resolved = flag("resolved", p.resolved.as_deref())?;
    let unresolved = flag("unresolved", p.unresolved.as_deref())?;
    let resolved = match (resolved, unresolved) {
        (true, true) => None,
        (true, false) => Some(true),
        (false, _) => Some(false),
    };
    let mut refused = Vec::new();
    let account_id = opt_id("account_id", p.account_id.as_deref()).unwrap_or_else(|e| {
        refused.push(e);
        None
    });
    let target_account_id = opt_id("target_account_id", p.target_account_id.as_deref())
        .unwrap_or_else(|e| {
            refused.push(e);
            None
        });
    if !refused.is_empty() {
        return Err(AppError::invalid(refused));
    }
    let page = p.page.page_within(100, 200)?;
    let filter = Filter {
        resolved,
        account_id,
        target_account_id,
        remote: None,
    };
    let views = reports::list(&state, me, &filter, &page).await?;
    let newest = views.first().map(|v| v.row.id);
    let oldest = views.last().map(|v| v.row.id);
    let list = entities(&state, me, &views).await?;
    Ok(paged(&state, &uri, list, newest, oldest))
}

fn report_id(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::not_found())
}

async fn one(state: &AppState, me: &UserRow, view: ReportView) -> AppResult<Json<AdminReport>> {
    let mut list = entities(state, me, std::slice::from_ref(&view)).await?;
    list.pop().map(Json).ok_or_else(AppError::not_found)
}

/// `GET /api/v1/admin/reports/:id`.
async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<AdminReport>> {
    let me = auth.require_user(READ)?;
    let view = reports::get(&state, me, report_id(&id)?).await?;
    one(&state, me, view).await
}

/// `POST /api/v1/admin/reports/:id/assign_to_self`.
async fn assign_to_self(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<AdminReport>> {
    let me = auth.require_user(WRITE)?;
    let view = reports::assign(&state, me, report_id(&id)?, true).await?;
    one(&state, me, view).await
}

/// `POST /api/v1/admin/reports/:id/unassign`.
async fn unassign(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<AdminReport>> {
    let me = auth.require_user(WRITE)?;
    let view = reports::assign(&state, me, report_id(&id)?, false).await?;
    one(&state, me, view).await
}

/// `POST /api/v1/admin/reports/:id/resolve`.
async fn resolve(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<AdminReport>> {
    let me = auth.require_user(WRITE)?;
    let view = reports::resolve(&state, me, report_id(&id)?, true).await?;
    one(&state, me, view).await
}

/// `POST /api/v1/admin/reports/:id/reopen`.
async fn reopen(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<AdminReport>> {
    let me = auth.require_user(WRITE)?;
    let view = reports::resolve(&state, me, report_id(&id)?, false).await?;
    one(&state, me, view).await
}
