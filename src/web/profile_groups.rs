//! The groups a person shows on their profile (docs/SECURITY.md P11): the boxes in
//! Settings → Profile, their form (`POST /settings/profile_groups`), and the list the profile
//! page shows. The rules are `service::profile_groups`'.

use super::{Ctx, form::CsrfForm, redirect_with_flash};
use crate::{
    db::accounts::AccountRow,
    domain::JoinMode,
    error::{AppError, AppResult},
    service::profile_groups,
    state::AppState,
};
use axum::{Router, extract::State, response::Response, routing::post};

/// The routes of this part.
pub fn routes() -> Router<AppState> {
    Router::new().route("/settings/profile_groups", post(save))
}

/// A group in Settings → Profile, with its box.
pub struct GroupBox {
    /// The group's account id (the box's value).
    pub id: i64,
    /// Its name.
    pub name: String,
    /// `name@host`.
    pub handle: String,
    /// Its logo.
    pub avatar: String,
    /// Ticked: shown on the profile.
    pub shown: bool,
    /// Joined by invitation only: shown to its own members alone, whatever the box.
    pub closed: bool,
}

/// The boxes of the signed-in person's groups.
pub async fn boxes(state: &AppState, c: &Ctx) -> AppResult<Vec<GroupBox>> {
    let me = c.require_user()?.account_id;
    Ok(profile_groups::choices(state, me)
        .await?
        .into_iter()
        .map(|ch| GroupBox {
            id: ch.group.account.id,
            name: c.name_of(&ch.group.account),
            handle: c.full_handle(&ch.group.account),
            avatar: c.avatar_of(&ch.group.account),
            shown: ch.shown,
            closed: ch.group.join_mode() == JoinMode::Invite,
        })
        .collect())
}

/// A group on a profile.
pub struct ShownGroup {
    /// Its page.
    pub path: String,
    /// Its name.
    pub name: String,
    /// `name@host`.
    pub handle: String,
    /// Its logo.
    pub avatar: String,
}

/// The groups `account` shows on their profile that the viewer may see.
pub async fn shown(state: &AppState, c: &Ctx, account: &AccountRow) -> AppResult<Vec<ShownGroup>> {
    let viewer = c.user.as_ref().map(|u| u.account_id);
    Ok(profile_groups::shown(state, account.id, viewer)
        .await?
        .into_iter()
        .map(|g| ShownGroup {
            path: c.profile_path(&g.account),
            name: c.name_of(&g.account),
            handle: c.full_handle(&g.account),
            avatar: c.avatar_of(&g.account),
        })
        .collect())
}

/// `POST /settings/profile_groups`: the ticked boxes (`group=<id>`, repeated) are the groups
/// shown; every other group of the person is hidden. A field other than `group` and `csrf`,
/// or a group the person is not a member of, is refused and nothing changes.
async fn save(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let me = c.require_user()?.account_id;
    let mut ids = Vec::new();
    for (name, value) in pairs {
        match name.as_str() {
            "group" => ids.push(value),
            "csrf" => {}
            _ => return Err(AppError::bad_request("error-bad-form")),
        }
    }
    match profile_groups::set(&state, me, &ids).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/settings",
            "flash-profile-groups-saved",
        )),
        Err(e) if !e.fields.is_empty() => {
            let message = super::field_errors(&c, &e)
                .into_iter()
                .next()
                .map_or_else(|| e.message(c.locale), |(_, m)| m);
            super::settings::profile_groups_refused(&state, c, message).await
        }
        Err(e) => Err(e),
    }
}
