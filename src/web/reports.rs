//! Reports in the web interface: the "Signaler" form reached from a post, a profile, a group
//! or an event (`/report?account=…&status=…`), and the moderation queue for moderators and
//! administrators (`/admin/reports`, one report at `/admin/reports/:id` with its posts, its
//! notes, taking it and resolving it). Who may do what is decided by `service::reports`.

use super::{Ctx, form::CsrfForm, redirect_with_flash, render, render_status};
use crate::{
    db::{
        accounts::AccountRow,
        reports::{Filter, NoteRow},
        statuses::{Page, StatusRow},
    },
    domain::{Invalid, report::Category},
    error::{AppError, AppResult},
    service::{
        directory,
        reports::{self, NewReport, ReportView},
        statuses,
    },
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

/// How many reports a page of the queue shows.
const PAGE: i64 = 30;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/report", get(form_page).post(create))
        .route("/admin/reports", get(queue))
        .route("/admin/reports/{id}", get(show))
        .route("/admin/reports/{id}/note", post(note))
        .route("/admin/reports/{id}/{action}", post(act))
}

/// What the form's link carries.
#[derive(Debug, Default, Deserialize)]
struct FormQuery {
    #[serde(default)]
    account: String,
    #[serde(default)]
    status: String,
}

/// What the form sends.
#[derive(Debug, Default, Deserialize)]
struct ReportForm {
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    status_id: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    forward: Option<String>,
    /// The rules' boxes, `rule-<id>=1` each (as the sign-up form sends them).
    #[serde(flatten)]
    rest: std::collections::HashMap<String, String>,
}

impl ReportForm {
    /// The ids of the rules ticked, as texts (the service reads and checks them).
    fn rule_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .rest
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, _)| k.strip_prefix("rule-").map(str::to_string))
            .collect();
        ids.sort();
        ids
    }
}

#[derive(Template)]
#[template(path = "report_new.html")]
struct ReportFormPage {
    c: Ctx,
    target: AccountRow,
    status: Option<StatusRow>,
    categories: Vec<(&'static str, String)>,
    rules: Vec<crate::db::rules::RuleRow>,
    f: ReportForm,
    errors: Vec<(String, String)>,
}

impl ReportFormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn checked(&self, name: &str) -> bool {
        self.f.category == name || (self.f.category.is_empty() && name == "other")
    }

    fn is_ticked(&self, id: &i64) -> bool {
        self.f.rule_ids().contains(&id.to_string())
    }
}

fn id(text: &str) -> AppResult<i64> {
    text.trim().parse().map_err(|_| AppError::not_found())
}

/// The categories a person may choose: `violation` only when the instance has rules.
async fn categories(state: &AppState, c: &Ctx) -> AppResult<Vec<(&'static str, String)>> {
    let rules = !reports::known_rules(state).await?.is_empty();
    Ok(Category::ALL
        .into_iter()
        .filter(|k| rules || *k != Category::Violation)
        .map(|k| (k.as_str(), c.t(&format!("report-category-{}", k.as_str()))))
        .collect())
}

async fn form(
    state: &AppState,
    c: Ctx,
    f: ReportForm,
    errors: Vec<(String, String)>,
    code: StatusCode,
) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let target = directory::shown_by_id(state, id(&f.account_id)?).await?;
    let status = match f.status_id.trim() {
        "" => None,
        s => Some(statuses::visible(state, Some(me.account_id), id(s)?).await?),
    };
    let categories = categories(state, &c).await?;
    let rules = crate::service::rules::list(state).await?;
    Ok(render_status(
        code,
        &ReportFormPage {
            c,
            target,
            status,
            categories,
            rules,
            f,
            errors,
        },
    ))
}

/// `GET /report?account=…&status=…`: the form.
async fn form_page(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<FormQuery>,
) -> AppResult<Response> {
    let f = ReportForm {
        account_id: q.account,
        status_id: q.status,
        ..ReportForm::default()
    };
    form(&state, c, f, Vec::new(), StatusCode::OK).await
}

/// `POST /report`: sends the report to the moderators; back to the profile.
async fn create(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<ReportForm>,
) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let input = NewReport {
        account_id: f.account_id.clone(),
        status_ids: Some(f.status_id.trim().to_string())
            .filter(|s| !s.is_empty())
            .into_iter()
            .collect(),
        comment: f.comment.clone(),
        category: Some(f.category.clone()),
        rule_ids: f.rule_ids(),
        forward: f.forward.is_some(),
        forward_to_domains: None,
    };
    match reports::create(&state, &me, &input).await {
        Ok(r) => {
            let target = directory::existing(&state, r.target_account_id).await?;
            let to = c.profile_path(&target);
            Ok(redirect_with_flash(&state, &to, "flash-report-sent"))
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            form(&state, c, f, errors, e.status).await
        }
        Err(e) => Err(e),
    }
}

/// What the queue's filter sends.
#[derive(Debug, Default, Deserialize)]
struct QueueQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    max_id: String,
}

#[derive(Template)]
#[template(path = "admin_reports.html")]
struct QueuePage {
    c: Ctx,
    state: String,
    origin: String,
    reports: Vec<ReportView>,
    next: Option<String>,
}

impl QueuePage {
    fn category(&self, v: &ReportView) -> String {
        self.c
            .t(&format!("report-category-{}", v.row.category.as_str()))
    }
}

/// `GET /admin/reports`: the queue, open reports first (moderators and administrators).
async fn queue(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let resolved = match q.state.as_str() {
        "" | "open" => Some(false),
        "resolved" => Some(true),
        "all" => None,
        _ => return Err(Invalid::new("state", "error-report-queue-state").into()),
    };
    let remote = match q.origin.as_str() {
        "" => None,
        "local" => Some(false),
        "remote" => Some(true),
        _ => return Err(Invalid::new("origin", "error-report-queue-origin").into()),
    };
    let max_id = match q.max_id.trim() {
        "" => None,
        t => Some(
            t.parse::<i64>()
                .map_err(|_| Invalid::new("max_id", "error-number"))?,
        ),
    };
    let filter = Filter {
        resolved,
        remote,
        ..Filter::default()
    };
    let page = Page {
        max_id,
        since_id: None,
        min_id: None,
        limit: PAGE,
    };
    let list = reports::list(&state, &me, &filter, &page).await?;
    // With both states the page is ordered open first: paging on goes by state.
    let next = (list.len() as i64 == PAGE && resolved.is_some())
        .then(|| list.last().map(|v| v.row.id))
        .flatten()
        .map(|id| {
            format!(
                "/admin/reports?state={}&origin={}&max_id={id}",
                q.state, q.origin
            )
        });
    Ok(render(&QueuePage {
        c,
        state: q.state,
        origin: q.origin,
        reports: list,
        next,
    }))
}

#[derive(Template)]
#[template(path = "admin_report.html")]
struct ReportPage {
    c: Ctx,
    v: ReportView,
    notes: Vec<(NoteRow, Option<AccountRow>)>,
    note: String,
    errors: Vec<(String, String)>,
}

impl ReportPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn category(&self) -> String {
        self.c
            .t(&format!("report-category-{}", self.v.row.category.as_str()))
    }

    fn mine(&self) -> bool {
        self.c.user.as_ref().map(|u| u.account_id) == self.v.row.assigned_account_id
    }
}

async fn report_page(
    state: &AppState,
    c: Ctx,
    id: i64,
    note: String,
    errors: Vec<(String, String)>,
    code: StatusCode,
) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let v = reports::get(state, &me, id).await?;
    let notes = reports::notes(state, &me, id).await?;
    Ok(render_status(
        code,
        &ReportPage {
            c,
            v,
            notes,
            note,
            errors,
        },
    ))
}

/// `GET /admin/reports/:id`: the report, its posts (whoever may read them: reading the ones
/// that are not public is logged), its notes and actions.
async fn show(
    State(state): State<AppState>,
    c: Ctx,
    Path(report): Path<String>,
) -> AppResult<Response> {
    report_page(
        &state,
        c,
        id(&report)?,
        String::new(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
struct NoteForm {
    #[serde(default)]
    content: String,
}

/// `POST /admin/reports/:id/note`: adds a note.
async fn note(
    State(state): State<AppState>,
    c: Ctx,
    Path(report): Path<String>,
    CsrfForm(f): CsrfForm<NoteForm>,
) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let report = id(&report)?;
    match reports::add_note(&state, &me, report, &f.content).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &format!("/admin/reports/{report}"),
            "flash-report-note-added",
        )),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            report_page(&state, c, report, f.content, errors, e.status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct EmptyForm {}

/// `POST /admin/reports/:id/{assign,unassign,resolve,reopen}`.
async fn act(
    State(state): State<AppState>,
    c: Ctx,
    Path((report, action)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let me = c.require_user()?.clone();
    let report = id(&report)?;
    let flash = match action.as_str() {
        "assign" => {
            reports::assign(&state, &me, report, true).await?;
            "flash-report-assigned"
        }
        "unassign" => {
            reports::assign(&state, &me, report, false).await?;
            "flash-report-unassigned"
        }
        "resolve" => {
            reports::resolve(&state, &me, report, true).await?;
            "flash-report-resolved"
        }
        "reopen" => {
            reports::resolve(&state, &me, report, false).await?;
            "flash-report-reopened"
        }
        _ => return Err(AppError::not_found()),
    };
    Ok(redirect_with_flash(
        &state,
        &format!("/admin/reports/{report}"),
        flash,
    ))
}
