//! Moving an account (docs/FEDERATION.md, "Moving"): Settings → Déménagement for a person
//! (the old accounts this one is also known as; moving this one to another), and the same two
//! forms on a group's page for its administrators. The rules are `service::moving`'s.

use super::{Ctx, form::CsrfForm, redirect_with_flash, render_status};
use crate::{
    db::accounts::AccountRow,
    domain::MemberRole,
    error::{AppError, AppResult},
    service::{self, groups, moving},
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
        .route("/settings/moving", get(page).post(move_me))
        .route("/settings/moving/aliases", post(add_alias))
        .route("/settings/moving/aliases/remove", post(remove_alias))
        .route("/groups/{handle}/moving", post(move_group))
        .route("/groups/{handle}/moving/aliases", post(add_group_alias))
}

#[derive(Template)]
#[template(path = "settings_moving.html")]
struct MovingPage {
    c: Ctx,
    /// The old accounts this one is also known as.
    aliases: Vec<String>,
    /// The account this one moved to, if it moved.
    moved_to: Option<AccountRow>,
    /// When it may move again, if it moved less than 30 days ago.
    next_move: Option<i64>,
    errors: Vec<(String, String)>,
    alias: String,
    target: String,
}

impl MovingPage {
    async fn of(state: &AppState, c: Ctx, me: &AccountRow) -> AppResult<MovingPage> {
        Ok(MovingPage {
            aliases: me.aliases(),
            moved_to: moving::moved_to(state, me).await?,
            next_move: moving::next_move_at(me),
            c,
            errors: Vec::new(),
            alias: String::new(),
            target: String::new(),
        })
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }
}

/// `GET /settings/moving`.
pub async fn page(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let me = c.me()?;
    Ok(super::render(&MovingPage::of(&state, c, &me).await?))
}

#[derive(Deserialize)]
pub struct AliasForm {
    #[serde(default)]
    alias: String,
}

/// `POST /settings/moving/aliases`: "Déménager depuis un autre compte".
pub async fn add_alias(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<AliasForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    match moving::add_alias(&state, &me, &form.alias).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/settings/moving",
            "flash-alias-added",
        )),
        Err(e) if !e.fields.is_empty() => {
            let mut page = MovingPage::of(&state, c, &me).await?;
            page.errors = super::field_errors(&page.c, &e);
            page.alias = form.alias;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct RemoveAliasForm {
    #[serde(default)]
    uri: String,
}

/// `POST /settings/moving/aliases/remove`.
pub async fn remove_alias(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<RemoveAliasForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    moving::remove_alias(&state, &me, &form.uri).await?;
    Ok(redirect_with_flash(
        &state,
        "/settings/moving",
        "flash-alias-removed",
    ))
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    target: String,
    #[serde(default)]
    password: String,
}

/// `POST /settings/moving`: "Déménager vers un autre compte" (with the password).
pub async fn move_me(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    match moving::move_person(&state, &me, &form.target, &form.password).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            "/settings/moving",
            "flash-moved",
        )),
        Err(e) if !e.fields.is_empty() => {
            let mut page = MovingPage::of(&state, c, &me).await?;
            page.errors = super::field_errors(&page.c, &e);
            page.target = form.target;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

/// A local group `handle` names, for one of its administrators.
async fn administered(state: &AppState, c: &Ctx, handle: &str) -> AppResult<groups::Group> {
    let me = c.me()?;
    let group = groups::find(state, handle, false).await?;
    let standing = groups::standing(state, &group, Some(me.id)).await?;
    if !group.is_local() || standing.role() != Some(MemberRole::Administrator) {
        return Err(AppError::forbidden("error-group-role"));
    }
    Ok(group)
}

/// A refusal of a field, shown as the page's error (the group's forms are on its page).
fn as_page_error(e: AppError) -> AppError {
    match e.fields.first() {
        Some(f) => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, f.key),
        None => e,
    }
}

/// `POST /groups/{handle}/moving/aliases` (administrators): the old group this one is also
/// known as.
pub async fn add_group_alias(
    State(state): State<AppState>,
    c: Ctx,
    Path(handle): Path<String>,
    CsrfForm(form): CsrfForm<AliasForm>,
) -> AppResult<Response> {
    let group = administered(&state, &c, &handle).await?;
    service::moving::add_alias(&state, &group.account, &form.alias)
        .await
        .map_err(as_page_error)?;
    Ok(redirect_with_flash(
        &state,
        &c.profile_path(&group.account),
        "flash-alias-added",
    ))
}

#[derive(Deserialize)]
pub struct GroupMoveForm {
    #[serde(default)]
    target: String,
}

/// `POST /groups/{handle}/moving` (administrators): the group moves to another group, which
/// must name it in its `alsoKnownAs`.
pub async fn move_group(
    State(state): State<AppState>,
    c: Ctx,
    Path(handle): Path<String>,
    CsrfForm(form): CsrfForm<GroupMoveForm>,
) -> AppResult<Response> {
    let group = administered(&state, &c, &handle).await?;
    service::moving::move_account(&state, &group.account, &form.target)
        .await
        .map_err(as_page_error)?;
    Ok(redirect_with_flash(
        &state,
        &c.profile_path(&group.account),
        "flash-moved",
    ))
}
