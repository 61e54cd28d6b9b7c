//! The administrators' pages of what the instance says about itself: its rules
//! (`/admin/rules`: write, edit, move, delete) and its about texts (`/admin/about`: name,
//! short description, contact, extended description, privacy policy). A refused form comes
//! back with what was typed and a message by each refused field.

use super::{Ctx, form::CsrfForm, redirect_with_flash, render_status};
use crate::{
    db::rules::RuleRow,
    domain::about::AboutFields,
    error::{AppError, AppResult},
    service::{self, rules::Direction},
    state::AppState,
};
use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use serde::Deserialize;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/rules", get(index).post(create))
        .route("/admin/rules/{id}", get(edit_page).post(update))
        .route("/admin/rules/{id}/{action}", post(action))
        .route("/admin/about", get(about_page).post(save_about))
}

/// What the rule form sends (and shows again, as typed, when refused).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    hint: String,
}

#[derive(Template)]
#[template(path = "admin_rules.html")]
struct RulesPage {
    c: Ctx,
    /// `None`: the list and a new rule's form; `Some(id)`: editing one.
    editing: Option<i64>,
    rules: Vec<RuleRow>,
    f: RuleForm,
    errors: Vec<(String, String)>,
}

impl RulesPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn action(&self) -> String {
        match self.editing {
            Some(id) => format!("/admin/rules/{id}"),
            None => "/admin/rules".into(),
        }
    }

    fn is_last(&self, index: &usize) -> bool {
        *index + 1 == self.rules.len()
    }
}

async fn page(
    state: &AppState,
    c: Ctx,
    editing: Option<i64>,
    f: RuleForm,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> AppResult<Response> {
    c.require_admin()?;
    let rules = if editing.is_none() {
        service::rules::list(state).await?
    } else {
        Vec::new()
    };
    Ok(render_status(
        status,
        &RulesPage {
            c,
            editing,
            rules,
            f,
            errors,
        },
    ))
}

fn id_of(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::not_found())
}

/// `GET /admin/rules`: the rules in their order, and the form of a new one.
async fn index(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    page(
        &state,
        c,
        None,
        RuleForm::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/rules`: adds a rule after the others.
async fn create(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<RuleForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    match service::rules::create(&state, &admin, &f.text, &f.hint).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            "/admin/rules",
            "flash-rule-created",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            page(&state, c, None, f, errors, e.status).await
        }
        Err(e) => Err(e),
    }
}

/// `GET /admin/rules/:id`: the edit form.
async fn edit_page(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let row = service::rules::get(&state, &admin, id_of(&id)?).await?;
    let f = RuleForm {
        text: row.text,
        hint: row.hint,
    };
    page(&state, c, Some(row.id), f, Vec::new(), StatusCode::OK).await
}

/// `POST /admin/rules/:id`: changes its text and hint.
async fn update(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<RuleForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let id = id_of(&id)?;
    match service::rules::update(&state, &admin, id, &f.text, &f.hint).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/admin/rules",
            "flash-rule-saved",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            page(&state, c, Some(id), f, errors, e.status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct EmptyForm {}

/// `POST /admin/rules/:id/{up,down,delete}`.
async fn action(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, action)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let id = id_of(&id)?;
    let flash = match action.as_str() {
        "delete" => {
            service::rules::delete(&state, &admin, id).await?;
            "flash-rule-deleted"
        }
        other => {
            let dir = Direction::parse(other).map_err(|_| AppError::not_found())?;
            service::rules::move_rule(&state, &admin, id, dir).await?;
            "flash-rule-moved"
        }
    };
    Ok(redirect_with_flash(&state, "/admin/rules", flash))
}

/// What the about form sends (and shows again when refused).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AboutForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_description: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    contact_username: String,
    #[serde(default)]
    extended_description: String,
    #[serde(default)]
    privacy_policy: String,
}

impl AboutForm {
    fn fields(&self) -> AboutFields<'_> {
        AboutFields {
            name: &self.name,
            short_description: &self.short_description,
            contact_email: &self.contact_email,
            contact_username: &self.contact_username,
            extended_description: &self.extended_description,
            privacy_policy: &self.privacy_policy,
        }
    }
}

#[derive(Template)]
#[template(path = "admin_about.html")]
struct AboutAdminPage {
    c: Ctx,
    f: AboutForm,
    errors: Vec<(String, String)>,
}

impl AboutAdminPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }
}

/// `GET /admin/about`: the about texts in force (the configuration's until saved).
async fn about_page(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    c.require_admin()?;
    let t = service::about::get(&state).await?.texts;
    let f = AboutForm {
        name: t.name,
        short_description: t.short_description,
        contact_email: t.contact_email,
        contact_username: t.contact_username,
        extended_description: t.extended_description,
        privacy_policy: t.privacy_policy,
    };
    Ok(super::render(&AboutAdminPage {
        c,
        f,
        errors: Vec::new(),
    }))
}

/// `POST /admin/about`: saves them.
async fn save_about(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<AboutForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    match service::about::set(&state, &admin, &f.fields()).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/admin/about",
            "flash-about-saved",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            Ok(render_status(e.status, &AboutAdminPage { c, f, errors }))
        }
        Err(e) => Err(e),
    }
}
