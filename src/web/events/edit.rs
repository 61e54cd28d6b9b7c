//! The form that creates an event (or a mission, from its shift rows) and edits one (this
//! occurrence of a recurring event, or the following too).

use crate::{
    clock,
    error::{AppError, AppResult},
    service::events::{self, NewEventInput, ShiftInput},
    state::AppState,
    web::{Ctx, form::CsrfForm, redirect_with_flash, render_status},
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
}

impl NewEventPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::web::error_for(&self.errors, field)
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
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    group: String,
}

/// `GET /events/new?group=name`.
pub async fn new_page(c: Ctx, Query(q): Query<NewQuery>) -> AppResult<Response> {
    c.require_user()?;
    Ok(crate::web::render(&NewEventPage {
        c,
        f: NewEventForm {
            group: q.group,
            ..Default::default()
        },
        errors: Vec::new(),
        action: "/events".into(),
        editing: false,
        in_series: false,
    }))
}

/// What the form asks to create or change (a repetition it asks for as a rule).
fn input_of(f: &NewEventForm) -> AppResult<NewEventInput> {
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
        timezone: Some(crate::domain::event::DEFAULT_ZONE.name().into()),
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

/// `POST /events`: creates an event, or a mission when shifts are filled in.
pub async fn create(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<NewEventForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let shifts: Vec<ShiftInput> = f
        .shifts()
        .into_iter()
        .map(|(s, e, n)| ShiftInput {
            start_time: s.to_string(),
            end_time: e.to_string(),
            needed: n.trim().parse().unwrap_or(0),
        })
        .collect();
    let result = match input_of(&f) {
        Ok(input) if shifts.is_empty() => events::create(&state, &me, input).await,
        Ok(input) => events::create_mission(&state, &me, input, shifts)
            .await
            .map(|(m, _)| m),
        Err(e) => Err(e),
    };
    match result {
        Ok(e) => Ok(redirect_with_flash(
            &state,
            &format!("/events/{}", e.row.status_id),
            "flash-event-created",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = crate::web::field_errors(&c, &e);
            Ok(render_status(
                e.status,
                &NewEventPage {
                    c,
                    f,
                    errors,
                    action: "/events".into(),
                    editing: false,
                    in_series: false,
                },
            ))
        }
        Err(e) => Err(e),
    }
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
    let local = |t: i64| {
        clock::to_datetime(t)
            .with_timezone(&tz)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let source = event.status.source.clone().unwrap_or_default();
    let prefix = format!("{}\n\n", events::when_where(state.config.default_locale, r));
    let f = NewEventForm {
        name: r.name.clone(),
        description: source
            .strip_prefix(&prefix)
            .unwrap_or(
                if source == events::when_where(state.config.default_locale, r) {
                    ""
                } else {
                    &source
                },
            )
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
    Ok(crate::web::render(&NewEventPage {
        c,
        f,
        errors: Vec::new(),
        action: format!("/events/{id}/edit"),
        editing: true,
        in_series: event.row.series_id.is_some(),
    }))
}

/// `POST /events/{id}/edit` (organizers).
pub async fn edit(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<NewEventForm>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let me = c.me()?;
    let event = events::get(&state, Some(me.id), id).await?;
    let in_series = event.row.series_id.is_some();
    let result = match (input_of(&f), events::Occurrences::parse(Some(&f.scope))) {
        (Ok(input), Ok(scope)) => events::update(&state, &me, &event, input, scope).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &format!("/events/{id}"),
            "flash-event-updated",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = crate::web::field_errors(&c, &e);
            Ok(render_status(
                e.status,
                &NewEventPage {
                    c,
                    f,
                    errors,
                    action: format!("/events/{id}/edit"),
                    editing: true,
                    in_series,
                },
            ))
        }
        Err(e) => Err(e),
    }
}
