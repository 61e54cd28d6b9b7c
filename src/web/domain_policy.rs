//! The domain policy page for administrators (`/admin/domains`): the blocks, a new block, the
//! allowlist, the import of a Mastodon CSV block list (a preview with an error per malformed
//! line first, then the import) and its export (`/admin/domains/export`).

use super::{Ctx, form::CsrfForm, redirect_with_flash, render_status};
use crate::{
    db::domain_policy::{AllowRow, BlockRow},
    domain::domain_policy::CsvImport,
    error::{AppError, AppResult},
    i18n,
    service::domain_policy::{self, BlockParams},
    state::AppState,
};
use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/domains", get(index))
        .route("/admin/domains/blocks", post(create_block))
        .route("/admin/domains/blocks/{id}/delete", post(delete_block))
        .route("/admin/domains/allows", post(create_allow))
        .route("/admin/domains/allows/{id}/delete", post(delete_allow))
        .route("/admin/domains/import", post(import))
        .route("/admin/domains/export", get(export))
}

/// A new block as the form sends it.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    domain: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    reject_media: Option<String>,
    #[serde(default)]
    reject_reports: Option<String>,
    #[serde(default)]
    private_comment: String,
    #[serde(default)]
    public_comment: String,
    #[serde(default)]
    obfuscate: Option<String>,
}

/// A domain to allow.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AllowForm {
    #[serde(default)]
    domain: String,
}

/// A block list to preview or import.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    csv: String,
    /// `preview` or `apply`.
    #[serde(default)]
    step: String,
}

#[derive(Deserialize)]
struct EmptyForm {}

/// A line of the preview's errors, its sentence made.
struct PreviewError {
    line: usize,
    text: String,
}

#[derive(Template)]
#[template(path = "admin_domains.html")]
struct DomainsPage {
    c: Ctx,
    allowlist: bool,
    blocks: Vec<BlockRow>,
    allows: Vec<AllowRow>,
    block: BlockForm,
    allow: AllowForm,
    csv: String,
    preview: Option<CsvImport>,
    preview_errors: Vec<PreviewError>,
    errors: Vec<(String, String)>,
}

impl DomainsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn severity(&self, code: &i64) -> String {
        let s = crate::domain::domain_policy::Severity::from_code(*code)
            .unwrap_or(crate::domain::domain_policy::Severity::Suspend);
        self.c.t(&format!("domain-severity-{}", s.as_str()))
    }

    fn level(&self, s: &crate::domain::domain_policy::Severity) -> String {
        self.c.t(&format!("domain-severity-{}", s.as_str()))
    }

    fn chosen(&self, name: &str) -> bool {
        self.block.severity == name || (self.block.severity.is_empty() && name == "silence")
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    c: Ctx,
    block: BlockForm,
    allow: AllowForm,
    csv: String,
    preview: Option<CsvImport>,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let blocks = domain_policy::all_blocks(state, &admin).await?;
    let allows = domain_policy::allows(
        state,
        &admin,
        crate::db::statuses::Page {
            limit: 1000,
            ..Default::default()
        },
    )
    .await?;
    let preview_errors = preview
        .as_ref()
        .map(|p| {
            p.errors
                .iter()
                .map(|e| PreviewError {
                    line: e.line,
                    text: format!(
                        "{}{}",
                        i18n::t_args(c.locale, e.key, &[("max", e.value.clone())]),
                        if e.value.is_empty() {
                            String::new()
                        } else {
                            format!(" : « {} »", e.value)
                        }
                    ),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(render_status(
        status,
        &DomainsPage {
            allowlist: state.config.moderation.federation_mode
                == crate::config::FederationMode::Allowlist,
            c,
            blocks,
            allows,
            block,
            allow,
            csv,
            preview,
            preview_errors,
            errors,
        },
    ))
}

/// `GET /admin/domains`.
async fn index(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    page(
        &state,
        c,
        BlockForm::default(),
        AllowForm::default(),
        String::new(),
        None,
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/domains/blocks`: blocks a domain.
async fn create_block(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<BlockForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let params = BlockParams {
        domain: Some(f.domain.clone()),
        severity: Some(if f.severity.is_empty() {
            "silence".into()
        } else {
            f.severity.clone()
        }),
        reject_media: Some(f.reject_media.is_some()),
        reject_reports: Some(f.reject_reports.is_some()),
        private_comment: Some(f.private_comment.clone()),
        public_comment: Some(f.public_comment.clone()),
        obfuscate: Some(f.obfuscate.is_some()),
    };
    match domain_policy::create_block(&state, &admin, &params).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            "/admin/domains",
            "flash-domain-blocked",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            page(
                &state,
                c,
                f,
                AllowForm::default(),
                String::new(),
                None,
                errors,
                e.status,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

fn id_of(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::not_found())
}

/// `POST /admin/domains/blocks/:id/delete`: lifts a block.
async fn delete_block(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    domain_policy::delete_block(&state, &admin, id_of(&id)?).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin/domains",
        "flash-domain-unblocked",
    ))
}

/// `POST /admin/domains/allows`: allows a domain.
async fn create_allow(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<AllowForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    match domain_policy::create_allow(&state, &admin, &f.domain).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            "/admin/domains",
            "flash-domain-allowed",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e)
                .into_iter()
                .map(|(field, text)| (format!("allow_{field}"), text))
                .collect();
            page(
                &state,
                c,
                BlockForm::default(),
                f,
                String::new(),
                None,
                errors,
                e.status,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/domains/allows/:id/delete`.
async fn delete_allow(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    domain_policy::delete_allow(&state, &admin, id_of(&id)?).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin/domains",
        "flash-domain-disallowed",
    ))
}

/// `POST /admin/domains/import`: `step=preview` shows what the list holds and every malformed
/// line; `step=apply` imports it (nothing when a line is malformed: the preview comes back).
async fn import(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<ImportForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let preview = domain_policy::preview_import(&state, &admin, &f.csv)?;
    if f.step == "apply" && preview.errors.is_empty() && !preview.blocks.is_empty() {
        domain_policy::import(&state, &admin, &f.csv).await?;
        return Ok(redirect_with_flash(
            &state,
            "/admin/domains",
            "flash-domain-imported",
        ));
    }
    let status = if preview.errors.is_empty() && !preview.blocks.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(
        &state,
        c,
        BlockForm::default(),
        AllowForm::default(),
        f.csv,
        Some(preview),
        Vec::new(),
        status,
    )
    .await
}

/// `GET /admin/domains/export`: every block in Mastodon's CSV format, as a download.
async fn export(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let csv = domain_policy::export(&state, &admin).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"domain_blocks.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
