//! Mastodon's admin API for accounts (docs.joinmastodon.org/methods/admin/accounts,
//! entities/Admin_Account): the lists (v1 with its flags, v2 with `origin`, `status`,
//! `permissions`, `role_ids[]`), one account, actions (`none`, `disable`, `silence`,
//! `suspend`; `sensitive` refused), lifting them, approving and refusing registrations, and
//! deleting a suspended account. Appeals are made and decided in the web interface
//! (`web::sanctions`), as Mastodon's API has no call for them.

use super::{
    entities::Account,
    extract::{Auth, Params, lenient},
    pagination::{PageParams, paged},
};
use crate::{
    clock,
    db::statuses::Page,
    domain::{
        Invalid,
        sanction::{self, AccountFilter, Origin, SanctionKind, Standing},
    },
    error::{AppError, AppResult},
    service::{self, sanctions::AdminAccount},
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

const READ: &[&str] = &["admin:read", "admin:read:accounts"];
const WRITE: &[&str] = &["admin:write", "admin:write:accounts"];

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/accounts", get(list_v1))
        .route("/api/v2/admin/accounts", get(list_v2))
        .route("/api/v1/admin/accounts/{id}", get(show).delete(destroy))
        .route("/api/v1/admin/accounts/{id}/action", post(action))
        .route("/api/v1/admin/accounts/{id}/enable", post(enable))
        .route("/api/v1/admin/accounts/{id}/unsilence", post(unsilence))
        .route("/api/v1/admin/accounts/{id}/unsuspend", post(unsuspend))
        .route("/api/v1/admin/accounts/{id}/unsensitive", post(unsensitive))
        .route("/api/v1/admin/accounts/{id}/approve", post(approve))
        .route("/api/v1/admin/accounts/{id}/reject", post(reject))
}

/// A role (Mastodon's `Role`).
#[derive(Debug, Clone, Serialize)]
pub struct AdminRole {
    pub id: String,
    pub name: String,
    pub color: String,
    pub permissions: String,
    pub highlighted: bool,
}

/// An account as administrators see it (Mastodon's `Admin::Account`).
#[derive(Debug, Clone, Serialize)]
pub struct AdminAccountEntity {
    pub id: String,
    pub username: String,
    pub domain: Option<String>,
    pub created_at: String,
    pub email: Option<String>,
    /// coopol keeps no sign-in addresses.
    pub ip: Option<String>,
    pub ips: Vec<Value>,
    pub locale: Option<String>,
    pub invite_request: Option<String>,
    pub role: Option<AdminRole>,
    pub confirmed: bool,
    pub approved: bool,
    pub disabled: bool,
    pub silenced: bool,
    pub suspended: bool,
    pub sensitized: bool,
    pub account: Account,
    pub created_by_application_id: Option<String>,
    pub invited_by_account_id: Option<String>,
}

fn role(role: crate::domain::Role) -> AdminRole {
    use crate::domain::Role;
    // Mastodon's permission bits: moderators manage reports, users and taxonomies; an
    // administrator holds `administrator` (1), which implies them all.
    let (name, permissions, highlighted) = match role {
        Role::Member => ("", "0", false),
        Role::Moderator => ("Moderator", "1308", true),
        Role::Admin => ("Admin", "1", true),
    };
    AdminRole {
        id: sanction::role_id(role).to_string(),
        name: name.to_string(),
        color: String::new(),
        permissions: permissions.to_string(),
        highlighted,
    }
}

/// The accounts as entities (their public accounts hydrated in one batch); also the accounts
/// of the admin reports API.
pub(super) async fn entities(
    state: &AppState,
    list: &[AdminAccount],
) -> AppResult<Vec<AdminAccountEntity>> {
    let rows: Vec<_> = list.iter().map(|a| a.account.clone()).collect();
    let accounts = super::hydrate::accounts(state, &rows).await?;
    Ok(list
        .iter()
        .zip(accounts)
        .map(|(a, account)| {
            let user = a.user.as_ref();
            AdminAccountEntity {
                id: a.account.id.to_string(),
                username: a.account.username.clone(),
                domain: a.account.domain.clone(),
                created_at: clock::to_rfc3339(
                    user.map(|u| u.created_at).unwrap_or(a.account.created_at),
                ),
                email: user.map(|u| u.email.clone()),
                ip: None,
                ips: Vec::new(),
                locale: user.and_then(|u| u.locale.clone()),
                invite_request: user
                    .map(|u| u.registration_reason.clone())
                    .filter(|r| !r.is_empty()),
                role: user.map(|u| role(u.role)),
                confirmed: user.is_some_and(|u| u.email_unconfirmed == 0),
                approved: user.is_some_and(|u| u.state != crate::domain::UserState::Pending),
                disabled: a.disabled(),
                silenced: a.silenced(),
                suspended: a.suspended(),
                sensitized: false,
                account,
                created_by_application_id: None,
                invited_by_account_id: user.and_then(|u| u.invited_by).map(|i| i.to_string()),
            }
        })
        .collect())
}

async fn one(
    state: &AppState,
    by: &crate::db::accounts::UserRow,
    id: i64,
) -> AppResult<Json<Value>> {
    let a = service::sanctions::get(state, by, id).await?;
    let mut list = entities(state, std::slice::from_ref(&a)).await?;
    Ok(Json(json!(list.remove(0))))
}

/// An account id from the path (404 for anything that is not one, as Mastodon answers).
fn account_id(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::not_found())
}

/// Paging with Mastodon's default of 100 and largest of 200 for these lists.
fn page(p: &PageParams) -> AppResult<Page> {
    p.page_within(100, 200)
}

async fn listed(
    state: &AppState,
    by: &crate::db::accounts::UserRow,
    uri: &Uri,
    filter: AccountFilter,
    page: Page,
) -> AppResult<Response> {
    let list = service::sanctions::list(state, by, &filter, page).await?;
    let newest = list.first().map(|a| a.account.id);
    let oldest = list.last().map(|a| a.account.id);
    let items = entities(state, &list).await?;
    Ok(paged(state, uri, items, newest, oldest))
}

fn text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A filter coopol cannot apply is refused, never ignored.
fn refuse_unsupported(ip: &Option<String>, errors: &mut Vec<Invalid>) {
    if text(ip.clone()).is_some() {
        errors.push(Invalid::new("ip", "error-admin-ip"));
    }
}

#[derive(Debug, Default, Deserialize)]
struct V1Params {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::bool")]
    local: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    remote: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    active: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    pending: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    disabled: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    silenced: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    suspended: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    sensitized: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    staff: bool,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    by_domain: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    ip: Option<String>,
}

/// `GET /api/v1/admin/accounts`.
async fn list_v1(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(p): Params<V1Params>,
) -> AppResult<Response> {
    let me = auth.require_user(READ)?;
    let mut errors = Vec::new();
    refuse_unsupported(&p.ip, &mut errors);
    if p.sensitized {
        errors.push(Invalid::new("sensitized", "error-sanction-sensitive"));
    }
    let origin = match (p.local, p.remote) {
        (true, true) => {
            errors.push(Invalid::new("remote", "error-admin-filter-both"));
            None
        }
        (true, false) => Some(Origin::Local),
        (false, true) => Some(Origin::Remote),
        _ => None,
    };
    let standings: Vec<Standing> = [
        (p.active, Standing::Active),
        (p.pending, Standing::Pending),
        (p.disabled, Standing::Disabled),
        (p.silenced, Standing::Silenced),
        (p.suspended, Standing::Suspended),
    ]
    .into_iter()
    .filter_map(|(on, s)| on.then_some(s))
    .collect();
    if standings.len() > 1 {
        errors.push(Invalid::new("status", "error-admin-filter-both"));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let filter = AccountFilter {
        origin,
        standing: standings.first().copied(),
        staff: p.staff,
        roles: Vec::new(),
        username: text(p.username),
        display_name: text(p.display_name),
        by_domain: text(p.by_domain),
        email: text(p.email),
        invited_by: None,
        q: None,
    };
    listed(&state, me, &uri, filter, page(&p.page)?).await
}

#[derive(Debug, Default, Deserialize)]
struct V2Params {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    origin: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    permissions: Option<String>,
    #[serde(default, deserialize_with = "lenient::strings")]
    role_ids: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    invited_by: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    by_domain: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    ip: Option<String>,
}

/// `GET /api/v2/admin/accounts`.
async fn list_v2(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(p): Params<V2Params>,
) -> AppResult<Response> {
    let me = auth.require_user(READ)?;
    let mut errors = Vec::new();
    refuse_unsupported(&p.ip, &mut errors);
    let origin = text(p.origin)
        .map(|o| Origin::parse(&o))
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let standing = text(p.status)
        .map(|s| Standing::parse(&s))
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let staff = match text(p.permissions).as_deref() {
        None => false,
        Some("staff") => true,
        Some(_) => {
            errors.push(Invalid::new("permissions", "error-admin-filter"));
            false
        }
    };
    let mut roles = Vec::new();
    for id in &p.role_ids {
        match sanction::role_of_id(id) {
            Ok(r) => roles.push(r),
            Err(e) => errors.push(e),
        }
    }
    let invited_by = match text(p.invited_by) {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(Invalid::new("invited_by", "error-number"));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let filter = AccountFilter {
        origin,
        standing,
        staff,
        roles,
        username: text(p.username),
        display_name: text(p.display_name),
        by_domain: text(p.by_domain),
        email: text(p.email),
        invited_by,
        q: None,
    };
    listed(&state, me, &uri, filter, page(&p.page)?).await
}

/// `GET /api/v1/admin/accounts/:id`.
async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = auth.require_user(READ)?;
    one(&state, me, account_id(&id)?).await
}

#[derive(Debug, Default, Deserialize)]
struct ActionParams {
    #[serde(default, rename = "type", deserialize_with = "lenient::opt_string")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    report_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    warning_preset_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    text: Option<String>,
    /// A boolean as apps send it (JSON `false`, or `"false"`, `"0"` in forms).
    #[serde(default)]
    send_email_notification: Option<Value>,
}

/// `POST /api/v1/admin/accounts/:id/action`: `{}` once done.
async fn action(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(p): Params<ActionParams>,
) -> AppResult<Json<Value>> {
    let me = auth.require_user(WRITE)?;
    let id = account_id(&id)?;
    // coopol has no warning presets: naming one is naming nothing.
    if text(p.warning_preset_id).is_some() {
        return Err(AppError::not_found());
    }
    let mut errors = Vec::new();
    let kind = SanctionKind::parse(p.kind.as_deref().unwrap_or("none"))
        .map_err(|e| errors.push(e))
        .unwrap_or(SanctionKind::Warn);
    let report_id = match text(p.report_id) {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(r) => Some(r),
            Err(_) => {
                errors.push(Invalid::new("report_id", "error-number"));
                None
            }
        },
    };
    // Mastodon's default: the person is told.
    let send_email = match p.send_email_notification {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => b,
        Some(Value::Number(n)) if n.as_i64() == Some(0) => false,
        Some(Value::Number(n)) if n.as_i64() == Some(1) => true,
        Some(Value::String(s)) if matches!(s.trim(), "true" | "1" | "on" | "yes") => true,
        Some(Value::String(s)) if matches!(s.trim(), "false" | "0" | "off" | "no") => false,
        Some(_) => {
            errors.push(Invalid::new(
                "send_email_notification",
                "error-sanction-boolean",
            ));
            true
        }
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    service::sanctions::act(
        &state,
        me,
        id,
        service::sanctions::ActionInput {
            kind,
            text: p.text.unwrap_or_default(),
            report_id,
            send_email,
        },
    )
    .await?;
    Ok(Json(json!({})))
}

/// `POST /api/v1/admin/accounts/:id/enable`.
async fn enable(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = auth.require_user(WRITE)?;
    let id = account_id(&id)?;
    service::sanctions::enable(&state, me, id).await?;
    one(&state, me, id).await
}

/// `POST /api/v1/admin/accounts/:id/unsilence`.
async fn unsilence(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = auth.require_user(WRITE)?;
    let id = account_id(&id)?;
    service::sanctions::unsilence(&state, me, id).await?;
    one(&state, me, id).await
}

/// `POST /api/v1/admin/accounts/:id/unsuspend`.
async fn unsuspend(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = auth.require_user(WRITE)?;
    let id = account_id(&id)?;
    service::sanctions::unsuspend(&state, me, id).await?;
    one(&state, me, id).await
}

/// `POST /api/v1/admin/accounts/:id/unsensitive`: coopol never marks an account sensitive,
/// so there is nothing to lift (422, as for the action).
async fn unsensitive(auth: Auth, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let me = auth.require_user(WRITE)?;
    service::modlog::require_staff(me)?;
    account_id(&id)?;
    Err(Invalid::new("type", "error-sanction-sensitive").into())
}

/// `POST /api/v1/admin/accounts/:id/approve`.
async fn approve(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = auth.require_user(WRITE)?;
    let id = account_id(&id)?;
    service::accounts::approve(&state, me, id).await?;
    one(&state, me, id).await
}

/// `POST /api/v1/admin/accounts/:id/reject`: the pending account is removed; its entity as
/// it was.
async fn reject(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = auth.require_user(WRITE)?;
    let id = account_id(&id)?;
    let before = one(&state, me, id).await?;
    service::accounts::reject(&state, me, id).await?;
    Ok(before)
}

/// `DELETE /api/v1/admin/accounts/:id`: deletes a suspended account at once; its entity as
/// it was.
async fn destroy(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = auth.require_user(WRITE)?;
    let id = account_id(&id)?;
    let before = one(&state, me, id).await?;
    service::sanctions::delete(&state, me, id).await?;
    Ok(before)
}
