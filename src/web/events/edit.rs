//! The form that creates an event (or a mission, from its shift rows) and edits one (this
//! occurrence of a recurring event, or the following too).

use crate::{
    db::{accounts::AccountRow, media::MediaRow},
    domain::media::MediaKind,
    error::{AppError, AppResult},
    service::{
        self,
        events::{self, NewEventInput, ShiftInput},
    },
    state::AppState,
    upload,
    web::{
        Ctx,
        form::{CsrfUpload, FileFields},
        redirect_with_flash, render_status,
        uploads::{MediaSlot, SlotInput, take_slot},
    },
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use serde::Deserialize;

/// The creation form (kept as typed when refused). Up to four shift rows make a mission.
#[derive(Deserialize, Default)]
pub struct NewEventForm {
    #[serde(default)]
    group: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    start_time: String,
    #[serde(default)]
    end_time: String,
    #[serde(default)]
    place_name: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    locality: String,
    #[serde(default)]
    online_url: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    join_mode: String,
    /// `daily`, `weekly`, `biweekly`, `monthly`, or empty.
    #[serde(default)]
    repeat: String,
    /// The last day it repeats (`2027-06-26`).
    #[serde(default)]
    repeat_until: String,
    /// Editing an occurrence: `this` or `following`.
    #[serde(default)]
    scope: String,
    #[serde(default)]
    shift1_start: String,
    #[serde(default)]
    shift1_end: String,
    #[serde(default)]
    shift1_needed: String,
    #[serde(default)]
    shift2_start: String,
    #[serde(default)]
    shift2_end: String,
    #[serde(default)]
    shift2_needed: String,
    #[serde(default)]
    shift3_start: String,
    #[serde(default)]
    shift3_end: String,
    #[serde(default)]
    shift3_needed: String,
    /// The picture's alt text.
    #[serde(default)]
    picture_description: String,
    /// A picture sent with a refused form, kept (its id).
    #[serde(default)]
    picture_kept: String,
    /// Editing: take the event's picture away.
    #[serde(default)]
    remove_picture: Option<String>,
}

impl FileFields for NewEventForm {
    const FILE_FIELDS: &'static [&'static str] = &["picture"];
}

impl NewEventForm {
    fn shifts(&self) -> Vec<(&str, &str, &str)> {
        [
            (&self.shift1_start, &self.shift1_end, &self.shift1_needed),
            (&self.shift2_start, &self.shift2_end, &self.shift2_needed),
            (&self.shift3_start, &self.shift3_end, &self.shift3_needed),
        ]
        .into_iter()
        .map(|(a, b, n)| (a.as_str(), b.as_str(), n.as_str()))
        .filter(|(a, b, n)| !(a.trim().is_empty() && b.trim().is_empty() && n.trim().is_empty()))
        .collect()
    }
}

#[derive(Template)]
#[template(path = "event_new.html")]
struct NewEventPage {
    c: Ctx,
    f: NewEventForm,
    errors: Vec<(String, String)>,
    /// Where the form posts: `/events`, or `/events/{id}/edit`.
    action: String,
    /// Editing an event (its group, audience and shifts stay).
    editing: bool,
    /// Editing an occurrence of a recurring event (this one, or the following too).
    in_series: bool,
    /// The picture's file input: a picture sent (kept when the form is refused), or why it
    /// was refused.
    picture: MediaSlot,
    /// Editing: the event's picture now.
    current_picture: Option<MediaRow>,
    /// The zone the form's times are in: the event's, or its organizer's for a new one.
    zone: chrono_tz::Tz,
}

impl NewEventPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::web::error_for(&self.errors, field)
    }

    /// Which zone the times are typed in.
    fn time_hint(&self) -> String {
        self.c.ta(
            "dates-event-time-hint",
            "zone",
            &crate::web::dates::zone_name(self.c.locale, self.zone),
        )
    }

    fn text_fields(&self) -> Vec<(&'static str, &str)> {
        let mut fields: Vec<(&'static str, &str)> = Vec::new();
        if !self.editing {
            fields.push(("group", &self.f.group));
        }
        fields.extend([
            ("name", self.f.name.as_str()),
            ("place_name", self.f.place_name.as_str()),
            ("street", self.f.street.as_str()),
            ("postcode", self.f.postcode.as_str()),
            ("locality", self.f.locality.as_str()),
            ("online_url", self.f.online_url.as_str()),
        ]);
        fields
    }

    fn shift_rows(&self) -> Vec<(u8, &str, &str, &str)> {
        let f = &self.f;
        vec![
            (1, &f.shift1_start, &f.shift1_end, &f.shift1_needed),
            (2, &f.shift2_start, &f.shift2_end, &f.shift2_needed),
            (3, &f.shift3_start, &f.shift3_end, &f.shift3_needed),
        ]
    }

    fn modes(&self) -> [&'static str; 3] {
        ["free", "approval", "invite"]
    }

    fn audiences(&self) -> [&'static str; 3] {
        ["public", "sympathizers", "members"]
    }

    fn repeats(&self) -> [&'static str; 5] {
        ["", "daily", "weekly", "biweekly", "monthly"]
    }

    fn r_or_none<'a>(&self, r: &'a str) -> &'a str {
        if r.is_empty() { "none" } else { r }
    }

    /// The file types the picture's input offers.
    fn accept_images(&self) -> &'static str {
        crate::web::uploads::ACCEPT_IMAGES
    }
}

/// The picture an event shows: the first picture among its post's media.
pub fn picture_of(media: &[MediaRow]) -> Option<MediaRow> {
    media.iter().find(|m| m.kind == MediaKind::Image).cloned()
}

/// The picture's file input of a form sent: a picture made a medium, or why it was refused
/// (a file that is not a picture is refused here, whatever the server could make of it).
async fn picture_slot(
    state: &AppState,
    c: &Ctx,
    me: &AccountRow,
    f: &NewEventForm,
    files: &mut upload::Form,
) -> AppResult<MediaSlot> {
    let input = SlotInput {
        n: 0,
        file_field: "picture",
        description: &f.picture_description,
        kept: &f.picture_kept,
        drop: false,
    };
    let mut slot = take_slot(state, c, me, files, input).await?;
    if slot
        .media
        .as_ref()
        .is_some_and(|m| m.kind != MediaKind::Image)
    {
        slot.media = None;
        slot.file_error = Some(c.ta(
            "media-file-refused",
            "reason",
            &c.t("error-media-not-image"),
        ));
    }
    Ok(slot)
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    group: String,
}

/// `GET /events/new?group=name`: the form, offered for a group only to those who may create
/// its events (the others get the page saying why).
pub async fn new_page(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let me = c.me()?;
    if !q.group.trim().is_empty() {
        events::may_organize_in(&state, &me, q.group.trim())
            .await
            .map_err(|e| {
                if e.status == axum::http::StatusCode::FORBIDDEN {
                    AppError::forbidden("error-event-group-not-organizer")
                } else {
                    e
                }
            })?;
    }
    Ok(crate::web::render(&NewEventPage {
        zone: c.zone,
        c,
        f: NewEventForm {
            group: q.group,
            ..Default::default()
        },
        errors: Vec::new(),
        action: "/events".into(),
        editing: false,
        in_series: false,
        picture: MediaSlot::empty(0),
        current_picture: None,
    }))
}

/// What the form asks to create or change (a repetition it asks for as a rule); its times are
/// read in `zone` (the organizer's for a new event, the event's own when editing).
fn input_of(f: &NewEventForm, zone: chrono_tz::Tz) -> AppResult<NewEventInput> {
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let capacity = match opt(&f.capacity) {
        None => None,
        Some(n) => match n.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => Some(0),
        },
    };
    let recurrence = crate::domain::event::simple_rule(&f.repeat, &f.repeat_until)
        .map_err(|e| AppError::invalid(vec![e]))?;
    Ok(NewEventInput {
        name: f.name.clone(),
        description: f.description.clone(),
        start_time: f.start_time.clone(),
        end_time: f.end_time.clone(),
        timezone: Some(zone.name().into()),
        place_name: opt(&f.place_name),
        street: opt(&f.street),
        postcode: opt(&f.postcode),
        locality: opt(&f.locality),
        online_url: opt(&f.online_url),
        capacity,
        join_mode: opt(&f.join_mode),
        group: opt(&f.group),
        audience: opt(&f.audience),
        recurrence,
        ..Default::default()
    })
}

/// `POST /events`: creates an event, or a mission when shifts are filled in, with its picture
/// (a multipart form; an url-encoded one creates it without).
pub async fn create(
    State(state): State<AppState>,
    c: Ctx,
    CsrfUpload { form, mut files }: CsrfUpload<NewEventForm>,
) -> AppResult<Response> {
    let result = create_event(&state, c, form, &mut files).await;
    files.discard().await;
    result
}

async fn create_event(
    state: &AppState,
    c: Ctx,
    f: NewEventForm,
    files: &mut upload::Form,
) -> AppResult<Response> {
    let me = c.me()?;
    let picture = picture_slot(state, &c, &me, &f, files).await?;
    let refused = |c: Ctx, f: NewEventForm, errors, picture| {
        render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &NewEventPage {
                zone: c.zone,
                c,
                f,
                errors,
                action: "/events".into(),
                editing: false,
                in_series: false,
                picture,
                current_picture: None,
            },
        )
    };
    if picture.refused() {
        return Ok(refused(c, f, Vec::new(), picture));
    }
    let shifts: Vec<ShiftInput> = f
        .shifts()
        .into_iter()
        .map(|(s, e, n)| ShiftInput {
            start_time: s.to_string(),
            end_time: e.to_string(),
            needed: n.trim().parse().unwrap_or(0),
        })
        .collect();
    let media_ids = picture.kept_id().map(|id| vec![id.to_string()]);
    // Someone who may not create the group's events (the link is not offered to them, but
    // their rights may have changed since the form was shown) gets the form back, as typed,
    // with the reason next to the group's field.
    if !f.group.trim().is_empty()
        && let Err(e) = events::may_organize_in(state, &me, f.group.trim()).await
    {
        return group_refused(c, f, picture, e, refused);
    }
    let result = match input_of(&f, c.zone) {
        Ok(input) => {
            let input = NewEventInput { media_ids, ..input };
            if shifts.is_empty() {
                events::create(state, &me, input).await
            } else {
                events::create_mission(state, &me, input, shifts)
                    .await
                    .map(|(m, _)| m)
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(e) => Ok(redirect_with_flash(
            state,
            &format!("/events/{}", e.row.status_id),
            if e.row.is_mission != 0 {
                "flash-mission-created"
            } else {
                "flash-event-created"
            },
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = crate::web::field_errors(&c, &e);
            let mut page = refused(c, f, errors, picture);
            *page.status_mut() = e.status;
            Ok(page)
        }
        // Rights taken away between the check above and the creation.
        Err(e) if e.status == axum::http::StatusCode::FORBIDDEN && !f.group.trim().is_empty() => {
            group_refused(c, f, picture, e, refused)
        }
        Err(e) => Err(e),
    }
}

/// The creation form refused for its group (unknown, another server's, or not organized by
/// the person): what was typed comes back, with the reason next to the group's field.
fn group_refused(
    c: Ctx,
    f: NewEventForm,
    picture: MediaSlot,
    e: AppError,
    refused: impl FnOnce(Ctx, NewEventForm, Vec<(String, String)>, MediaSlot) -> Response,
) -> AppResult<Response> {
    if !e.status.is_client_error() {
        return Err(e);
    }
    let message = if e.status == axum::http::StatusCode::FORBIDDEN {
        c.t("error-event-group-not-organizer")
    } else {
        e.message(c.locale)
    };
    let status = e.status;
    let mut page = refused(c, f, vec![("group".to_string(), message)], picture);
    *page.status_mut() = status;
    Ok(page)
}

/// `GET /events/{id}/edit` (organizers): the form, filled in.
pub async fn edit_page(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let me = c.me()?;
    let event = events::get(&state, Some(me.id), id).await?;
    if !events::is_organizer(&state, &event, &me).await? {
        return Err(AppError::forbidden("error-event-organizers-only"));
    }
    let r = &event.row;
    let tz = r.timezone.0;
    let local = |t: i64| crate::web::dates::input_value(tz, t);
    let source = event.status.source.clone().unwrap_or_default();
    let f = NewEventForm {
        name: r.name.clone(),
        description: events::description(state.config.default_locale, r, &source)
            .unwrap_or(&source)
            .to_string(),
        start_time: local(r.starts_at),
        end_time: local(r.ends_at),
        place_name: r.place_name.clone().unwrap_or_default(),
        street: r.street.clone().unwrap_or_default(),
        postcode: r.postcode.clone().unwrap_or_default(),
        locality: r.locality.clone().unwrap_or_default(),
        online_url: r.online_url.clone().unwrap_or_default(),
        capacity: r.capacity.map(|c| c.to_string()).unwrap_or_default(),
        join_mode: r.join_mode.to_string(),
        ..Default::default()
    };
    let current_picture = picture_of(
        service::media::of_statuses(&state, &[id])
            .await?
            .remove(&id)
            .as_deref()
            .unwrap_or_default(),
    );
    let f = NewEventForm {
        picture_description: current_picture
            .as_ref()
            .map(|p| p.description.clone())
            .unwrap_or_default(),
        ..f
    };
    Ok(crate::web::render(&NewEventPage {
        zone: event.row.timezone.0,
        c,
        f,
        errors: Vec::new(),
        action: edit_action(id),
        editing: true,
        in_series: event.row.series_id.is_some(),
        picture: MediaSlot::empty(0),
        current_picture,
    }))
}

/// Where the edit form posts: an upload path of its own, the event named in its query.
fn edit_action(id: i64) -> String {
    format!("/events/edit?id={id}")
}

/// The event the edit form's upload path names (`?id=`).
#[derive(Deserialize, Default)]
pub struct EditQuery {
    #[serde(default)]
    id: String,
}

/// `POST /events/edit?id={id}` (organizers): the edit form, with its picture.
pub async fn edit_upload(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<EditQuery>,
    CsrfUpload { form, mut files }: CsrfUpload<NewEventForm>,
) -> AppResult<Response> {
    let result = edit_event(&state, c, &q.id, form, &mut files).await;
    files.discard().await;
    result
}

/// `POST /events/{id}/edit` (organizers): the edit form, url-encoded or with its picture.
pub async fn edit(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    CsrfUpload { form, mut files }: CsrfUpload<NewEventForm>,
) -> AppResult<Response> {
    let result = edit_event(&state, c, &id, form, &mut files).await;
    files.discard().await;
    result
}

async fn edit_event(
    state: &AppState,
    c: Ctx,
    id: &str,
    f: NewEventForm,
    files: &mut upload::Form,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let me = c.me()?;
    let event = events::get(state, Some(me.id), id).await?;
    if !events::is_organizer(state, &event, &me).await? {
        return Err(AppError::forbidden("error-event-organizers-only"));
    }
    let in_series = event.row.series_id.is_some();
    let event_zone = event.row.timezone.0;
    let current_picture = picture_of(
        service::media::of_statuses(state, &[id])
            .await?
            .remove(&id)
            .as_deref()
            .unwrap_or_default(),
    );
    let mut picture = picture_slot(state, &c, &me, &f, files).await?;
    // No new picture: the alt text typed for the current one is saved (its uploader's).
    if picture.media.is_none()
        && !picture.refused()
        && f.remove_picture.is_none()
        && let Some(current) = &current_picture
        && current.description != f.picture_description.trim()
    {
        let describe = service::media::Describe {
            description: Some(f.picture_description.clone()),
            focus: None,
        };
        if let Err(e) = service::media::update(state, &me, current.id, &describe).await {
            if !e.status.is_client_error() {
                return Err(e);
            }
            picture.description_error = Some(e.message(c.locale));
        }
    }
    let refused = |c: Ctx, f: NewEventForm, errors, picture, status| {
        render_status(
            status,
            &NewEventPage {
                c,
                f,
                errors,
                action: edit_action(id),
                editing: true,
                in_series,
                picture,
                current_picture: current_picture.clone(),
                zone: event_zone,
            },
        )
    };
    if picture.refused() {
        return Ok(refused(
            c,
            f,
            Vec::new(),
            picture,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let media_ids = match picture.kept_id() {
        Some(new) => Some(vec![new.to_string()]),
        None if f.remove_picture.is_some() => Some(Vec::new()),
        None => None,
    };
    let result = match (
        input_of(&f, event.row.timezone.0),
        events::Occurrences::parse(Some(&f.scope)),
    ) {
        (Ok(input), Ok(scope)) => {
            let input = NewEventInput { media_ids, ..input };
            events::update(state, &me, &event, input, scope).await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(
            state,
            &format!("/events/{id}"),
            "flash-event-updated",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = crate::web::field_errors(&c, &e);
            Ok(refused(c, f, errors, picture, e.status))
        }
        Err(e) => Err(e),
    }
}
