//! Account sanctions in the web interface: the accounts list for moderators and
//! administrators (`/admin/accounts`: search, local/remote, standing), an account's page
//! with its past actions and the form that acts (with a reason, an optional report, and an
//! e-mail to the person unless unticked), the administrators' pending appeals
//! (`/admin/appeals`), and a person's own warnings with their appeal forms
//! (`/settings/warnings`). Who may do what is decided in `service::sanctions`.

use super::{Ctx, form::CsrfForm, redirect_with_flash, render_status};
use crate::{
    db::{sanctions::WarningRow, statuses::Page},
    domain::{
        Invalid,
        sanction::{AccountFilter, Origin, SanctionKind, Standing},
    },
    error::{AppError, AppResult},
    service::sanctions::{self, ActionInput, AdminAccount},
    state::AppState,
};
use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use serde::Deserialize;

/// How many accounts a page of the list shows.
const PAGE: i64 = 50;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(index))
        .route("/admin/accounts/{id}", get(show))
        .route("/admin/accounts/{id}/action", post(act))
        .route("/admin/accounts/{id}/lift/{what}", post(lift))
        .route("/admin/appeals", get(appeals))
        .route("/admin/appeals/{id}/{decision}", post(decide))
        .route("/settings/warnings", get(warnings))
        .route("/settings/warnings/{id}/appeal", post(appeal))
}

fn id_of(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::not_found())
}

fn kind_label(c: &Ctx, kind: &str) -> String {
    c.ta("sanction-kind", "kind", kind)
}

/// What the list's search form sends.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    max_id: String,
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct ListPage {
    c: Ctx,
    q: String,
    origin: String,
    status: String,
    standings: Vec<&'static str>,
    accounts: Vec<AdminAccount>,
    next: Option<String>,
}

impl ListPage {
    fn status_label(&self, s: &str) -> String {
        self.c.t(&format!("page-admin-accounts-status-{s}"))
    }
}

/// `GET /admin/accounts`.
async fn index(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let mut errors = Vec::new();
    let origin = match q.origin.trim() {
        "" => None,
        o => Origin::parse(o).map_err(|e| errors.push(e)).ok(),
    };
    let standing = match q.status.trim() {
        "" => None,
        s => Standing::parse(s).map_err(|e| errors.push(e)).ok(),
    };
    let max_id = match q.max_id.trim() {
        "" => None,
        t => t
            .parse::<i64>()
            .map_err(|_| errors.push(Invalid::new("max_id", "error-number")))
            .ok(),
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let search = q.q.trim().to_string();
    let filter = AccountFilter {
        origin,
        standing,
        q: (!search.is_empty()).then(|| search.clone()),
        ..AccountFilter::default()
    };
    let page = Page {
        max_id,
        limit: PAGE,
        ..Page::default()
    };
    let accounts = sanctions::list(&state, &me, &filter, page).await?;
    let next = (accounts.len() as i64 == PAGE)
        .then(|| accounts.last().map(|a| a.account.id))
        .flatten()
        .map(|last| {
            let query = serde_urlencoded::to_string([
                ("q", search.as_str()),
                ("origin", q.origin.trim()),
                ("status", q.status.trim()),
                ("max_id", &last.to_string()),
            ])
            .unwrap_or_default();
            format!("/admin/accounts?{query}")
        });
    Ok(render_status(
        StatusCode::OK,
        &ListPage {
            c,
            q: search,
            origin: q.origin.trim().to_string(),
            status: q.status.trim().to_string(),
            standings: Standing::ALL.iter().map(|s| s.as_str()).collect(),
            accounts,
            next,
        },
    ))
}

/// What the action form sends.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ActionForm {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    report_id: String,
    #[serde(default)]
    send_email: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_account.html")]
struct AccountPage {
    c: Ctx,
    a: AdminAccount,
    history: Vec<WarningRow>,
    kinds: Vec<&'static str>,
    f: ActionForm,
    errors: Vec<(String, String)>,
    until: Option<super::dates::TimeHtml>,
}

impl AccountPage {
    fn kind_label(&self, kind: &str) -> String {
        kind_label(&self.c, kind)
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn date(&self, micros: &i64) -> super::dates::TimeHtml {
        self.c.day(micros)
    }

    fn decision(&self, d: &str) -> String {
        self.c
            .ta("page-admin-account-appeal-decided", "decision", d)
    }

    fn appealed(&self, text: &str) -> String {
        self.c.ta("page-admin-account-appealed", "text", text)
    }

    fn is_admin(&self) -> bool {
        self.c.is_admin()
    }
}

async fn account_page(
    state: &AppState,
    c: Ctx,
    id: i64,
    f: ActionForm,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let a = sanctions::get(state, &me, id).await?;
    let history = sanctions::history(state, &me, id).await?;
    let until = a.sanction.suspended_at.map(|t| {
        let end = t + state.config.moderation.suspension_retention.as_micros() as i64;
        c.ta_when("page-admin-account-suspended-until", "until", &end)
    });
    let kinds = SanctionKind::ALL
        .iter()
        .filter(|k| k.allowed_to(me.role))
        .map(|k| k.as_str())
        .collect();
    Ok(render_status(
        status,
        &AccountPage {
            c,
            a,
            history,
            kinds,
            f,
            errors,
            until,
        },
    ))
}

/// `GET /admin/accounts/:id`.
async fn show(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let f = ActionForm {
        send_email: Some("on".into()),
        ..ActionForm::default()
    };
    account_page(&state, c, id_of(&id)?, f, Vec::new(), StatusCode::OK).await
}

/// `POST /admin/accounts/:id/action`.
async fn act(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ActionForm>,
) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let id = id_of(&id)?;
    let mut errors = Vec::new();
    let kind = SanctionKind::parse(&f.kind)
        .map_err(|e| errors.push(e))
        .unwrap_or(SanctionKind::Warn);
    let report_id = match f.report_id.trim() {
        "" => None,
        r => r
            .parse::<i64>()
            .map_err(|_| errors.push(Invalid::new("report_id", "error-number")))
            .ok(),
    };
    let result = if errors.is_empty() {
        sanctions::act(
            &state,
            &me,
            id,
            ActionInput {
                kind,
                text: f.text.clone(),
                report_id,
                send_email: f.send_email.is_some(),
            },
        )
        .await
    } else {
        Err(AppError::invalid(errors))
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &format!("/admin/accounts/{id}"),
            "flash-sanction-done",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            account_page(&state, c, id, f, errors, e.status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct EmptyForm {}

/// `POST /admin/accounts/:id/lift/{unsilence,unsuspend,enable,delete}`.
async fn lift(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, what)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let id = id_of(&id)?;
    match what.as_str() {
        "unsilence" => sanctions::unsilence(&state, &me, id).await?,
        "unsuspend" => sanctions::unsuspend(&state, &me, id).await?,
        "enable" => sanctions::enable(&state, &me, id).await?,
        "delete" => {
            sanctions::delete(&state, &me, id).await?;
            return Ok(redirect_with_flash(
                &state,
                "/admin/accounts",
                "flash-sanction-done",
            ));
        }
        _ => return Err(AppError::not_found()),
    }
    Ok(redirect_with_flash(
        &state,
        &format!("/admin/accounts/{id}"),
        "flash-sanction-done",
    ))
}

#[derive(Template)]
#[template(path = "admin_appeals.html")]
struct AppealsPage {
    c: Ctx,
    list: Vec<WarningRow>,
}

impl AppealsPage {
    fn kind_label(&self, kind: &str) -> String {
        kind_label(&self.c, kind)
    }
}

/// `GET /admin/appeals`.
async fn appeals(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let list = sanctions::pending_appeals(&state, &me).await?;
    Ok(render_status(StatusCode::OK, &AppealsPage { c, list }))
}

/// `POST /admin/appeals/:id/{approve,reject}`.
async fn decide(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, decision)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::not_found()),
    };
    sanctions::decide_appeal(&state, &me, id_of(&id)?, approve).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin/appeals",
        "flash-sanction-done",
    ))
}

/// What an appeal form sends.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AppealForm {
    #[serde(default)]
    text: String,
}

#[derive(Template)]
#[template(path = "settings_warnings.html")]
struct WarningsPage {
    c: Ctx,
    list: Vec<WarningRow>,
    /// The warning whose appeal was refused, with the text typed and the messages.
    failed: Option<(i64, String)>,
    errors: Vec<(String, String)>,
}

impl WarningsPage {
    fn kind_label(&self, kind: &str) -> String {
        kind_label(&self.c, kind)
    }

    fn date(&self, micros: &i64) -> super::dates::TimeHtml {
        self.c.day(micros)
    }

    fn typed(&self, id: &i64) -> &str {
        match &self.failed {
            Some((f, text)) if f == id => text,
            _ => "",
        }
    }

    fn error_of(&self, id: &i64) -> Option<&str> {
        match &self.failed {
            Some((f, _)) if f == id => super::error_for(&self.errors, "text"),
            _ => None,
        }
    }
}

/// `GET /settings/warnings`.
async fn warnings(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let list = sanctions::my_warnings(&state, &me).await?;
    Ok(render_status(
        StatusCode::OK,
        &WarningsPage {
            c,
            list,
            failed: None,
            errors: Vec::new(),
        },
    ))
}

/// `POST /settings/warnings/:id/appeal`.
async fn appeal(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<AppealForm>,
) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let id = id_of(&id)?;
    match sanctions::appeal(&state, &me, id, &f.text).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/settings/warnings",
            "flash-appeal-sent",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            let list = sanctions::my_warnings(&state, &me).await?;
            Ok(render_status(
                e.status,
                &WarningsPage {
                    c,
                    list,
                    failed: Some((id, f.text)),
                    errors,
                },
            ))
        }
        Err(e) => Err(e),
    }
}
