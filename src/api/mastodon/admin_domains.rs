//! Mastodon's admin API for the domain policy (`/api/v1/admin/domain_blocks`,
//! `/api/v1/admin/domain_allows`, the `Admin::DomainBlock` and `Admin::DomainAllow` entities)
//! and the public list of moderated servers (`/api/v1/instance/domain_blocks`,
//! the `DomainBlock` entity). Administrators only (`service::domain_policy`).

use super::{
    extract::{Auth, MaybeAuth, Params},
    pagination::{PageParams, paged},
    statuses::parse_id,
};
use crate::{
    clock,
    db::domain_policy::{AllowRow, BlockRow},
    domain::Invalid,
    error::{AppError, AppResult},
    service::domain_policy::{self, BlockParams},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::Uri,
    response::Response,
    routing::get,
};
use serde::Serialize;
use serde_json::Value;

/// The routes of the domain policy.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/domain_blocks",
            get(list_blocks).post(create_block),
        )
        .route(
            "/api/v1/admin/domain_blocks/{id}",
            get(show_block).put(update_block).delete(delete_block),
        )
        .route(
            "/api/v1/admin/domain_allows",
            get(list_allows).post(create_allow),
        )
        .route(
            "/api/v1/admin/domain_allows/{id}",
            get(show_allow).delete(delete_allow),
        )
        .route("/api/v1/instance/domain_blocks", get(public_blocks))
}

/// docs.joinmastodon.org/entities/Admin_DomainBlock
#[derive(Debug, Serialize)]
pub struct AdminDomainBlock {
    pub id: String,
    pub domain: String,
    pub digest: String,
    pub created_at: String,
    pub severity: &'static str,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
    pub obfuscate: bool,
}

impl From<BlockRow> for AdminDomainBlock {
    fn from(b: BlockRow) -> Self {
        AdminDomainBlock {
            id: b.id.to_string(),
            digest: domain_policy::digest(&b.domain),
            created_at: clock::to_rfc3339(b.created_at),
            severity: b.severity().as_str(),
            reject_media: b.reject_media != 0,
            reject_reports: b.reject_reports != 0,
            obfuscate: b.obfuscate != 0,
            private_comment: b.private_comment,
            public_comment: b.public_comment,
            domain: b.domain,
        }
    }
}

/// docs.joinmastodon.org/entities/Admin_DomainAllow
#[derive(Debug, Serialize)]
pub struct AdminDomainAllow {
    pub id: String,
    pub domain: String,
    pub created_at: String,
}

impl From<AllowRow> for AdminDomainAllow {
    fn from(a: AllowRow) -> Self {
        AdminDomainAllow {
            id: a.id.to_string(),
            domain: a.domain,
            created_at: clock::to_rfc3339(a.created_at),
        }
    }
}

/// docs.joinmastodon.org/entities/DomainBlock
#[derive(Debug, Serialize)]
pub struct DomainBlock {
    pub domain: String,
    pub digest: String,
    pub severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

const READ_BLOCKS: &[&str] = &["admin:read:domain_blocks"];
const WRITE_BLOCKS: &[&str] = &["admin:write:domain_blocks"];
const READ_ALLOWS: &[&str] = &["admin:read:domain_allows"];
const WRITE_ALLOWS: &[&str] = &["admin:write:domain_allows"];

/// A text parameter: absent or null reads as absent; anything but text is refused.
fn text(params: &Value, key: &'static str, refused: &mut Vec<Invalid>) -> Option<String> {
    match params.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            refused.push(Invalid::new(key, "error-validation"));
            None
        }
    }
}

/// A boolean parameter as apps send it (JSON, or a form's text); anything else is refused.
fn flag(params: &Value, key: &'static str, refused: &mut Vec<Invalid>) -> Option<bool> {
    match params.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
            Some(n.as_i64() == Some(1))
        }
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "on" | "t" | "yes" => Some(true),
            "false" | "0" | "off" | "f" | "no" => Some(false),
            _ => {
                refused.push(Invalid::new(key, "error-domain-policy-boolean"));
                None
            }
        },
        Some(_) => {
            refused.push(Invalid::new(key, "error-domain-policy-boolean"));
            None
        }
    }
}

fn block_params(params: &Value) -> AppResult<BlockParams> {
    let mut refused = Vec::new();
    let p = BlockParams {
        domain: text(params, "domain", &mut refused),
        severity: text(params, "severity", &mut refused),
        reject_media: flag(params, "reject_media", &mut refused),
        reject_reports: flag(params, "reject_reports", &mut refused),
        private_comment: text(params, "private_comment", &mut refused),
        public_comment: text(params, "public_comment", &mut refused),
        obfuscate: flag(params, "obfuscate", &mut refused),
    };
    if refused.is_empty() {
        Ok(p)
    } else {
        Err(AppError::invalid(refused))
    }
}

/// `GET /api/v1/admin/domain_blocks`: newest first, Link headers (`limit` 100, at most 200).
pub async fn list_blocks(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let by = auth.require_user(READ_BLOCKS)?;
    let rows = domain_policy::blocks(&state, by, page.page_within(100, 200)?).await?;
    let newest = rows.first().map(|r| r.id);
    let oldest = rows.last().map(|r| r.id);
    let items: Vec<AdminDomainBlock> = rows.into_iter().map(Into::into).collect();
    Ok(paged(&state, &uri, items, newest, oldest))
}

/// `GET /api/v1/admin/domain_blocks/:id`.
pub async fn show_block(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<AdminDomainBlock>> {
    let by = auth.require_user(READ_BLOCKS)?;
    let row = domain_policy::block(&state, by, parse_id(&id)?).await?;
    Ok(Json(row.into()))
}

/// `POST /api/v1/admin/domain_blocks` (`domain`, `severity`, `reject_media`,
/// `reject_reports`, `private_comment`, `public_comment`, `obfuscate`).
pub async fn create_block(
    State(state): State<AppState>,
    auth: Auth,
    Params(params): Params<Value>,
) -> AppResult<Json<AdminDomainBlock>> {
    let by = auth.require_user(WRITE_BLOCKS)?;
    let row = domain_policy::create_block(&state, by, &block_params(&params)?).await?;
    Ok(Json(row.into()))
}

/// `PUT /api/v1/admin/domain_blocks/:id`: what is sent changes, the rest stays (the domain
/// never changes: a `domain` sent is refused unless it is the block's).
pub async fn update_block(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<Value>,
) -> AppResult<Json<AdminDomainBlock>> {
    let by = auth.require_user(WRITE_BLOCKS)?;
    let id = parse_id(&id)?;
    let p = block_params(&params)?;
    if let Some(domain) = &p.domain {
        let current = domain_policy::block(&state, by, id).await?;
        if !domain.trim().eq_ignore_ascii_case(&current.domain) {
            return Err(AppError::invalid(vec![Invalid::new(
                "domain",
                "error-domain-block-rename",
            )]));
        }
    }
    let row = domain_policy::update_block(&state, by, id, &p).await?;
    Ok(Json(row.into()))
}

/// `DELETE /api/v1/admin/domain_blocks/:id`: an empty object.
pub async fn delete_block(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let by = auth.require_user(WRITE_BLOCKS)?;
    domain_policy::delete_block(&state, by, parse_id(&id)?).await?;
    Ok(Json(Value::Object(Default::default())))
}

/// `GET /api/v1/admin/domain_allows`: newest first, Link headers (`limit` 100, at most 200).
pub async fn list_allows(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let by = auth.require_user(READ_ALLOWS)?;
    let rows = domain_policy::allows(&state, by, page.page_within(100, 200)?).await?;
    let newest = rows.first().map(|r| r.id);
    let oldest = rows.last().map(|r| r.id);
    let items: Vec<AdminDomainAllow> = rows.into_iter().map(Into::into).collect();
    Ok(paged(&state, &uri, items, newest, oldest))
}

/// `GET /api/v1/admin/domain_allows/:id`.
pub async fn show_allow(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<AdminDomainAllow>> {
    let by = auth.require_user(READ_ALLOWS)?;
    let row = domain_policy::allow(&state, by, parse_id(&id)?).await?;
    Ok(Json(row.into()))
}

/// `POST /api/v1/admin/domain_allows` (`domain`).
pub async fn create_allow(
    State(state): State<AppState>,
    auth: Auth,
    Params(params): Params<Value>,
) -> AppResult<Json<AdminDomainAllow>> {
    let by = auth.require_user(WRITE_ALLOWS)?;
    let mut refused = Vec::new();
    let Some(domain) = text(&params, "domain", &mut refused) else {
        if refused.is_empty() {
            refused.push(Invalid::new("domain", "error-required"));
        }
        return Err(AppError::invalid(refused));
    };
    let row = domain_policy::create_allow(&state, by, &domain).await?;
    Ok(Json(row.into()))
}

/// `DELETE /api/v1/admin/domain_allows/:id`: an empty object.
pub async fn delete_allow(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let by = auth.require_user(WRITE_ALLOWS)?;
    domain_policy::delete_allow(&state, by, parse_id(&id)?).await?;
    Ok(Json(Value::Object(Default::default())))
}

/// `GET /api/v1/instance/domain_blocks`: the moderated servers, as `show_domain_blocks`
/// allows (404 otherwise, as Mastodon answers).
pub async fn public_blocks(
    State(state): State<AppState>,
    auth: MaybeAuth,
) -> AppResult<Json<Vec<DomainBlock>>> {
    let signed_in = auth.0.as_ref().is_some_and(|a| a.user.is_some());
    let list = domain_policy::public_list(&state, signed_in)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(
        list.into_iter()
            .map(|b| DomainBlock {
                domain: b.domain,
                digest: b.digest,
                severity: b.severity.as_str(),
                comment: b.comment,
            })
            .collect(),
    ))
}
