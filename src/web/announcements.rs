//! Announcements in the web interface: the administrators' page (`/admin/announcements`:
//! list, write, edit, publish and withdraw, delete) and the banner members see on the home
//! page, each announcement dismissible.

use super::dates::{self, TimeHtml};
use super::{Ctx, form::CsrfForm, redirect_with_flash, render_status};
use crate::{
    clock,
    db::announcements::AnnouncementRow,
    domain::announcement::is_current,
    error::AppResult,
    service::announcements::{self, AnnouncementView, Input},
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
use chrono::{Duration, Utc};
use serde::Deserialize;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/announcements", get(index).post(create))
        .route("/admin/announcements/{id}", get(edit_page).post(update))
        .route("/admin/announcements/{id}/{action}", post(action))
        .route("/announcements/{id}/dismiss", post(dismiss))
}

/// What the form sends (and shows again, as typed, when refused).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AnnouncementForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    all_day: Option<String>,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    published: Option<String>,
}

impl AnnouncementForm {
    fn input(&self) -> Input {
        Input {
            text: self.text.clone(),
            starts_at: self.starts_at.clone(),
            ends_at: self.ends_at.clone(),
            all_day: self.all_day.is_some(),
            timezone: self.timezone.clone(),
        }
    }

    /// The form of a stored announcement, its times in `zone` (the administrator's).
    fn of(row: &AnnouncementRow, zone: chrono_tz::Tz) -> AnnouncementForm {
        let all_day = row.all_day != 0;
        let local = |t: i64, end: bool| {
            let t = clock::to_datetime(t).with_timezone(&zone);
            if all_day {
                // The stored end is the next day's first moment.
                let d = if end { t - Duration::days(1) } else { t };
                d.format("%Y-%m-%d").to_string()
            } else {
                t.format("%Y-%m-%dT%H:%M").to_string()
            }
        };
        AnnouncementForm {
            text: row.text.clone(),
            starts_at: row.starts_at.map(|t| local(t, false)).unwrap_or_default(),
            ends_at: row.ends_at.map(|t| local(t, true)).unwrap_or_default(),
            all_day: all_day.then(|| "on".into()),
            timezone: zone.name().into(),
            published: (row.published != 0).then(|| "on".into()),
        }
    }
}

/// An announcement as the administration page lists it.
struct Listed {
    row: AnnouncementRow,
    reactions: String,
}

#[derive(Template)]
#[template(path = "admin_announcements.html")]
struct AdminAnnouncementsPage {
    c: Ctx,
    /// `None`: the list and a new announcement's form; `Some(id)`: editing one.
    editing: Option<i64>,
    list: Vec<Listed>,
    f: AnnouncementForm,
    errors: Vec<(String, String)>,
}

impl AdminAnnouncementsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn window(&self, row: &AnnouncementRow) -> TimeHtml {
        let c = &self.c;
        match (row.starts_at, row.ends_at) {
            (None, None) => {
                TimeHtml::from_built(dates::escape(&c.t("page-admin-announcements-always")))
            }
            (Some(s), None) => c.ta_when("page-admin-announcements-from", "date", &s),
            (None, Some(e)) => c.ta_when("page-admin-announcements-until", "date", &e),
            (Some(s), Some(e)) => TimeHtml::from_built(format!(
                "{} – {}",
                c.ta_when("page-admin-announcements-from", "date", &s),
                c.when(&e)
            )),
        }
    }

    fn status(&self, row: &AnnouncementRow) -> String {
        let now = Utc::now().timestamp_micros();
        let key = if row.published == 0 {
            "page-admin-announcements-draft"
        } else if is_current(row.starts_at, row.ends_at, now) {
            "page-admin-announcements-shown"
        } else if row.ends_at.is_some_and(|e| e <= now) {
            "page-admin-announcements-ended"
        } else {
            "page-admin-announcements-waiting"
        };
        self.c.t(key)
    }

    fn action(&self) -> String {
        match self.editing {
            Some(id) => format!("/admin/announcements/{id}"),
            None => "/admin/announcements".into(),
        }
    }
}

async fn page(
    state: &AppState,
    c: Ctx,
    editing: Option<i64>,
    f: AnnouncementForm,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let list = if editing.is_none() {
        let rows = announcements::all(state, &admin).await?;
        announcements::views(state, None, rows)
            .await?
            .into_iter()
            .map(|v| Listed {
                reactions: v
                    .reactions
                    .iter()
                    .map(|r| format!("{} {}", r.name, r.count))
                    .collect::<Vec<_>>()
                    .join(" · "),
                row: v.row,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(render_status(
        status,
        &AdminAnnouncementsPage {
            c,
            editing,
            list,
            f,
            errors,
        },
    ))
}

/// `GET /admin/announcements`: every announcement, and the form of a new one.
async fn index(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let f = AnnouncementForm {
        timezone: c.zone.name().into(),
        ..AnnouncementForm::default()
    };
    page(&state, c, None, f, Vec::new(), StatusCode::OK).await
}

/// `POST /admin/announcements`: writes one (published at once if asked).
async fn create(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<AnnouncementForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    match announcements::create(&state, &admin, &f.input(), f.published.is_some()).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            "/admin/announcements",
            "flash-announcement-created",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            page(&state, c, None, f, errors, e.status).await
        }
        Err(e) => Err(e),
    }
}

fn id_of(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| crate::error::AppError::not_found())
}

/// `GET /admin/announcements/:id`: the edit form.
async fn edit_page(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let row = announcements::get(&state, &admin, id_of(&id)?).await?;
    let f = AnnouncementForm::of(&row, c.zone);
    page(&state, c, Some(row.id), f, Vec::new(), StatusCode::OK).await
}

/// `POST /admin/announcements/:id`: changes its text and period.
async fn update(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<AnnouncementForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let id = id_of(&id)?;
    match announcements::update(&state, &admin, id, &f.input()).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            "/admin/announcements",
            "flash-announcement-saved",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            page(&state, c, Some(id), f, errors, e.status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct EmptyForm {}

/// `POST /admin/announcements/:id/{publish,unpublish,delete}`.
async fn action(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, action)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let id = id_of(&id)?;
    let flash = match action.as_str() {
        "publish" => {
            announcements::set_published(&state, &admin, id, true).await?;
            "flash-announcement-published"
        }
        "unpublish" => {
            announcements::set_published(&state, &admin, id, false).await?;
            "flash-announcement-unpublished"
        }
        "delete" => {
            announcements::delete(&state, &admin, id).await?;
            "flash-announcement-deleted"
        }
        _ => return Err(crate::error::AppError::not_found()),
    };
    Ok(redirect_with_flash(&state, "/admin/announcements", flash))
}

/// `POST /announcements/:id/dismiss`: hides an announcement from the banner (and marks it
/// read for the apps).
async fn dismiss(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    announcements::dismiss(&state, me.id, &id).await?;
    Ok(redirect_with_flash(
        &state,
        "/",
        "flash-announcement-dismissed",
    ))
}

/// The announcements a member has not dismissed, for the home page's banner.
pub async fn banner(state: &AppState, c: &Ctx) -> AppResult<Vec<AnnouncementView>> {
    match &c.account {
        Some(me) => announcements::current(state, me.id, false).await,
        None => Ok(Vec::new()),
    }
}
