//! Creating a group: the form and its answer.

use crate::{
    error::AppResult,
    service::groups,
    state::AppState,
    web::{Ctx, form::CsrfForm, redirect_with_flash, render_status},
};
use askama::Template;
use axum::{extract::State, response::Response};
use serde::Deserialize;

/// The creation form (kept as typed when refused).
#[derive(Deserialize, Default)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    join_mode: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    commune: String,
    #[serde(default)]
    departement: String,
    #[serde(default)]
    sympathizers_can_post: Option<String>,
}

#[derive(Template)]
#[template(path = "group_new.html")]
struct NewGroupPage {
    c: Ctx,
    f: CreateForm,
    errors: Vec<(String, String)>,
}

impl NewGroupPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::web::error_for(&self.errors, field)
    }

    fn kinds(&self) -> [&'static str; 4] {
        ["section", "federation", "theme", "initiative"]
    }

    fn modes(&self) -> [&'static str; 3] {
        ["open", "approval", "invite"]
    }

    fn kind_chosen(&self, k: &str) -> bool {
        self.f.kind == k || (self.f.kind.is_empty() && k == "section")
    }

    fn mode_chosen(&self, m: &str) -> bool {
        self.f.join_mode == m || (self.f.join_mode.is_empty() && m == "approval")
    }
}

/// `GET /groups/new`.
pub async fn new_page(c: Ctx) -> AppResult<Response> {
    c.require_user()?;
    Ok(crate::web::render(&NewGroupPage {
        c,
        f: CreateForm::default(),
        errors: Vec::new(),
    }))
}

/// `POST /groups`: creates a group; its creator is its first administrator.
pub async fn create(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<CreateForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let result = groups::create_or_ask(
        &state,
        &me,
        groups::NewGroupInput {
            name: f.name.trim().to_string(),
            display_name: f.display_name.clone(),
            kind: f.kind.clone(),
            summary: f.summary.clone(),
            join_mode: opt(&f.join_mode),
            postcode: opt(&f.postcode),
            commune: opt(&f.commune),
            departement: opt(&f.departement),
            sympathizers_can_post: f.sympathizers_can_post.is_some(),
        },
    )
    .await;
    match result {
        Ok(groups::Creation::Created(g)) => Ok(redirect_with_flash(
            &state,
            &c.profile_path(&g.account),
            "flash-group-created",
        )),
        Ok(groups::Creation::Asked(_)) => Ok(redirect_with_flash(
            &state,
            "/groups",
            "flash-group-creation-requested",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = crate::web::field_errors(&c, &e);
            Ok(render_status(e.status, &NewGroupPage { c, f, errors }))
        }
        Err(e) => Err(e),
    }
}
