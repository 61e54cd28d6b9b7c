//! The administration page: registration mode, pending registrations, people and roles, invite
//! codes.

use super::{Ctx, form::CsrfForm, redirect_with_flash};
use crate::{
    clock,
    db::{accounts::UserRow, invites::InviteRow},
    domain::{RegistrationMode, Role, UserState},
    error::{AppError, AppResult},
    service::{self, directory},
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, State},
    response::Response,
};
use serde::Deserialize;

/// An invite as the admin page lists it.
struct InviteView {
    id: i64,
    code: String,
    url: String,
    uses: i64,
    max_uses: Option<i64>,
    expires: Option<super::dates::TimeHtml>,
    usable: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    c: Ctx,
    mode: RegistrationMode,
    modes: Vec<RegistrationMode>,
    pending: Vec<UserRow>,
    users: Vec<UserRow>,
    invites: Vec<InviteView>,
    roles: Vec<Role>,
    dashboard: super::dashboard::DashboardView,
}

impl AdminPage {
    fn mode_label(&self, mode: &RegistrationMode) -> String {
        self.c.t(&format!("registration-mode-{}", mode.as_str()))
    }

    fn role_label(&self, role: &Role) -> String {
        super::role_label(&self.c, role.as_str())
    }

    fn state_label(&self, state: &UserState) -> String {
        self.c.t(&format!("user-state-{state}"))
    }

    fn date(&self, micros: &i64) -> super::dates::TimeHtml {
        self.c.day(micros)
    }
}

/// The administration page.
pub async fn index(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    c.require_admin()?;
    let dashboard = super::dashboard::view(&state, &c).await?;
    let mode = service::instance::registration_mode(&state).await?;
    let pending = directory::users(&state, Some(UserState::Pending)).await?;
    let users = directory::users(&state, None)
        .await?
        .into_iter()
        .filter(|u| u.state != UserState::Pending)
        .collect();
    let now = clock::now();
    let invites = service::instance::invites(&state)
        .await?
        .into_iter()
        .map(|i: InviteRow| InviteView {
            usable: i.is_usable(now),
            url: service::instance::invite_url(&state, &i.code),
            id: i.id,
            code: i.code,
            uses: i.uses,
            max_uses: i.max_uses,
            expires: i.expires_at.map(|t| c.when(&t)),
        })
        .collect();
    Ok(super::render(&AdminPage {
        c,
        mode,
        modes: RegistrationMode::ALL.to_vec(),
        pending,
        users,
        invites,
        roles: Role::ALL.to_vec(),
        dashboard,
    }))
}

#[derive(Deserialize)]
pub struct ModeForm {
    #[serde(default)]
    registration_mode: String,
}

/// Changes the registration mode.
pub async fn registration_mode(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<ModeForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?;
    let mode = RegistrationMode::parse(&form.registration_mode)?;
    service::instance::set_registration_mode(&state, admin, mode).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin",
        "flash-settings-saved",
    ))
}

#[derive(Deserialize)]
pub struct EmptyForm {}

/// Approves a pending registration.
pub async fn approve(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?;
    service::accounts::approve(&state, admin, id).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin",
        "flash-registration-approved",
    ))
}

/// Refuses a pending registration.
pub async fn reject(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?;
    service::accounts::reject(&state, admin, id).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin",
        "flash-registration-rejected",
    ))
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// Changes a person's role.
pub async fn role(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?;
    let role = Role::parse(&form.role)?;
    service::accounts::set_role(&state, admin, id, role).await?;
    Ok(redirect_with_flash(&state, "/admin", "flash-role-changed"))
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    max_uses: String,
    #[serde(default)]
    valid_days: String,
}

/// Makes an invite code.
pub async fn create_invite(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?;
    let parse = |field: &'static str, text: &str| -> AppResult<Option<i64>> {
        match text.trim() {
            "" | "0" => Ok(None),
            t => t
                .parse::<i64>()
                .map(Some)
                .map_err(|_| crate::domain::Invalid::new(field, "error-number").into()),
        }
    };
    let max_uses = parse("max_uses", &form.max_uses)?;
    let valid_days = parse("valid_days", &form.valid_days)?
        .map(|d| {
            u64::try_from(d).map_err(|_| {
                AppError::from(crate::domain::Invalid::new("valid_days", "error-number"))
            })
        })
        .transpose()?;
    service::instance::create_invite(&state, admin.account_id, max_uses, valid_days).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin#invites",
        "flash-invite-created",
    ))
}

/// Withdraws an invite code.
pub async fn revoke_invite(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?;
    service::instance::revoke_invite(&state, admin, id).await?;
    Ok(redirect_with_flash(
        &state,
        "/admin#invites",
        "flash-invite-revoked",
    ))
}
