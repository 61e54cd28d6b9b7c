//! Groups' governance for administrators (`/admin/groups`): who may create sections,
//! federations and other groups; the creations waiting for a decision; names flagged as
//! looking like another group's; the local groups marked official. And the "official —
//! recognized by …" label the directory and the group pages show.

use super::{Ctx, form::CsrfForm, redirect_with_flash};
use crate::{
    domain::governance::CreationPolicy,
    error::AppResult,
    service::{
        governance::{self, Flag, Request},
        groups::{self, Group},
        official::{self, Recognizer},
    },
    state::AppState,
};
use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    response::Response,
    routing::{get, post},
};
use serde::Deserialize;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/groups", get(page))
        .route("/admin/groups/policy", post(policy))
        .route("/admin/groups/requests/{id}/approve", post(approve))
        .route("/admin/groups/requests/{id}/refuse", post(refuse))
        .route("/admin/groups/flags/{id}/dismiss", post(dismiss))
        .route("/admin/groups/official", post(official_mark))
}

/// "Official — recognized by …" for a group someone recognizes, `None` otherwise.
pub(super) async fn official_label(
    state: &AppState,
    c: &Ctx,
    group: &Group,
) -> AppResult<Option<String>> {
    let by = official::recognizers_of(state, group).await?;
    if by.is_empty() {
        return Ok(None);
    }
    let names: Vec<String> = by
        .iter()
        .map(|r| match r {
            Recognizer::Instance => c.ta(
                "official-by-instance",
                "instance",
                &state.config.instance_name,
            ),
            Recognizer::Federation(f) => c.name_of(&f.account),
        })
        .collect();
    Ok(Some(c.ta(
        "official-recognized-by",
        "by",
        &names.join(", "),
    )))
}

#[derive(Template)]
#[template(path = "admin_groups.html")]
struct GroupsPage {
    c: Ctx,
    sections: CreationPolicy,
    others: CreationPolicy,
    requests: Vec<Request>,
    flags: Vec<Flag>,
    marked: Vec<Group>,
}

impl GroupsPage {
    fn policies(&self) -> [CreationPolicy; 3] {
        CreationPolicy::ALL
    }

    fn policy_label(&self, name: &str) -> String {
        self.c.t(&format!("group-creation-{name}"))
    }

    fn kind_label(&self, kind: &str) -> String {
        self.c.t(&format!("group-kind-{kind}"))
    }

    fn group_path(&self, g: &Group) -> String {
        self.c.profile_path(&g.account)
    }

    fn group_name(&self, g: &Group) -> String {
        format!(
            "{} (@{})",
            self.c.name_of(&g.account),
            self.c.full_handle(&g.account)
        )
    }
}

/// `GET /admin/groups`.
pub async fn page(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let (sections, others) = governance::policies(&state).await?;
    let requests = governance::requests(&state, &admin).await?;
    let flags = governance::flags(&state, &admin).await?;
    let marked = official::marked_groups(&state, &admin).await?;
    Ok(super::render(&GroupsPage {
        c,
        sections,
        others,
        requests,
        flags,
        marked,
    }))
}

#[derive(Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    sections: String,
    #[serde(default)]
    others: String,
}

/// `POST /admin/groups/policy`: who may create groups.
pub async fn policy(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<PolicyForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?;
    let mut errors = Vec::new();
    let sections = CreationPolicy::parse(&f.sections)
        .map_err(|e| {
            errors.push(crate::domain::Invalid {
                field: "sections",
                ..e
            })
        })
        .ok();
    let others = CreationPolicy::parse(&f.others)
        .map_err(|e| {
            errors.push(crate::domain::Invalid {
                field: "others",
                ..e
            })
        })
        .ok();
    let (Some(sections), Some(others)) = (sections, others) else {
        return Err(crate::error::AppError::invalid(errors));
    };
    governance::set_policies(&state, admin, sections, others).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin/groups",
        "flash-settings-saved",
    ))
}

#[derive(Deserialize)]
pub struct EmptyForm {}

/// `POST /admin/groups/requests/{id}/approve`.
pub async fn approve(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?;
    governance::approve(&state, admin, id).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin/groups",
        "flash-group-request-approved",
    ))
}

/// `POST /admin/groups/requests/{id}/refuse`.
pub async fn refuse(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?;
    governance::refuse(&state, admin, id).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin/groups",
        "flash-group-request-refused",
    ))
}

/// `POST /admin/groups/flags/{id}/dismiss`.
pub async fn dismiss(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?;
    governance::dismiss_flag(&state, admin, id).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin/groups",
        "flash-lookalike-dismissed",
    ))
}

#[derive(Deserialize)]
pub struct OfficialForm {
    #[serde(default)]
    group: String,
    #[serde(default)]
    official: String,
}

/// `POST /admin/groups/official`: marks a local group official (`official=1`) or takes the
/// mark away (`official=0`).
pub async fn official_mark(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<OfficialForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?;
    let official = match f.official.as_str() {
        "1" => true,
        "0" => false,
        _ => {
            return Err(crate::error::AppError::invalid(vec![
                crate::domain::Invalid::new("official", "error-official-choice"),
            ]));
        }
    };
    if f.group.trim().is_empty() {
        return Err(crate::error::AppError::invalid(vec![
            crate::domain::Invalid::new("group", "error-required"),
        ]));
    }
    let group = groups::find(&state, &f.group, false).await?;
    official::set_mark(&state, admin, &group, official).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin/groups",
        if official {
            "flash-group-marked-official"
        } else {
            "flash-group-unmarked-official"
        },
    ))
}
