//! The home and about pages.

use super::Ctx;
use crate::{
    clock, db,
    domain::RegistrationMode,
    error::{AppError, AppResult},
    service,
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, State},
    response::Response,
};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Ctx,
    description: String,
    sign_up_open: bool,
    handle: String,
}

/// The home page: what this instance is, and the way in.
pub async fn home(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let mode = service::instance::registration_mode(&state).await?;
    let handle = c
        .user
        .as_ref()
        .map(|u| service::accounts::handle(&state, &u.username))
        .unwrap_or_default();
    Ok(super::render(&HomePage {
        c,
        description: state.config.instance_description.clone(),
        sign_up_open: mode.accepts_sign_ups(),
        handle,
    }))
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    c: Ctx,
    description: String,
    contact_email: String,
    source_url: String,
    mode: RegistrationMode,
}

impl AboutPage {
    fn mode_label(&self) -> String {
        self.c
            .t(&format!("registration-mode-{}", self.mode.as_str()))
    }
}

/// Who runs the instance, how to join, and what is done with personal data.
pub async fn about(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let mode = service::instance::registration_mode(&state).await?;
    Ok(super::render(&AboutPage {
        c,
        description: state.config.instance_description.clone(),
        contact_email: state.config.contact_email.clone(),
        source_url: state.config.source_url.clone(),
        mode,
    }))
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    c: Ctx,
    username: String,
    display_name: String,
    handle: String,
    bio_html: String,
    joined: String,
}

/// A local person's public profile page, `/@username`.
pub async fn profile(
    State(state): State<AppState>,
    c: Ctx,
    Path(username): Path<String>,
) -> AppResult<Response> {
    let account = db::accounts::local_by_username(state.pool(), &username)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or_else(AppError::not_found)?;
    // Accounts awaiting approval or disabled are not shown.
    let active = db::accounts::user_by_id(state.pool(), account.id)
        .await?
        .is_some_and(|u| u.state == "active");
    if !active {
        return Err(AppError::not_found());
    }
    Ok(super::render(&ProfilePage {
        handle: service::accounts::handle(&state, &account.username),
        username: account.username,
        display_name: account.display_name,
        bio_html: account.note_html,
        joined: clock::to_date(account.created_at),
        c,
    }))
}
