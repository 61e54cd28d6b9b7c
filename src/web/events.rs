//! The event pages: an event (or a mission with its shifts) with sign-up, waiting list and
//! the organizers' tools; creating an event or a mission; the missions board; the agenda;
//! and the calendar feeds (iCalendar) phone calendars subscribe to.

use super::{Ctx, form::CsrfForm, redirect_with_flash, render_status};
use crate::{
    clock,
    db::{self, accounts::AccountRow, events::ParticipantRow},
    error::{AppError, AppResult},
    service::{
        events::{self, Decision, Event, Joined, NewEventInput, ShiftInput},
        groups,
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

/// An event as the pages show it.
pub struct EventCard {
    /// The event.
    pub event: Event,
    /// Its page.
    pub path: String,
    /// When and where, on one line.
    pub when_where: String,
    /// Participants accepted.
    pub taken: i64,
    /// Places left, when limited.
    pub remaining: Option<i64>,
}

/// Cards for events, with their counts in one query.
pub async fn cards(state: &AppState, list: Vec<Event>) -> AppResult<Vec<EventCard>> {
    let ids: Vec<i64> = list.iter().map(|e| e.row.status_id).collect();
    let counts = events::counts(state, &ids).await?;
    Ok(list
        .into_iter()
        .map(|event| {
            let taken = if event.is_local() {
                counts
                    .iter()
                    .find(|(id, _)| *id == event.row.status_id)
                    .map_or(0, |(_, n)| *n)
            } else {
                event.row.remote_participants.unwrap_or(0)
            };
            EventCard {
                path: format!("/events/{}", event.row.status_id),
                when_where: events::when_where(&event.row),
                remaining: event.row.capacity.map(|c| (c - taken).max(0)),
                taken,
                event,
            }
        })
        .collect())
}

fn viewer(c: &Ctx) -> Option<i64> {
    c.user.as_ref().map(|u| u.account_id)
}

async fn me(state: &AppState, c: &Ctx) -> AppResult<AccountRow> {
    let user = c.require_user()?;
    db::accounts::by_id(state.pool(), user.account_id)
        .await?
        .ok_or_else(AppError::not_found)
}

// ---------------------------------------------------------------------------------------------
// An event's page

/// A participation as organizers see it.
pub struct ParticipantLine {
    row: ParticipantRow,
    account: AccountRow,
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    c: Ctx,
    e: EventCard,
    /// The caller's participation state, if any.
    mine: Option<String>,
    /// A mission's shifts, with the caller's state in each.
    shifts: Vec<(EventCard, Option<String>)>,
    organizer: bool,
    participants: Vec<ParticipantLine>,
    error: Option<String>,
    message: String,
}

impl EventPage {
    fn state_label(&self, s: &str) -> String {
        self.c.t(&format!("event-participation-{s}"))
    }

    fn cancelled(&self) -> bool {
        self.e.event.row.status == "cancelled"
    }

    fn full(&self) -> bool {
        self.e.remaining == Some(0)
    }

    fn asks_message(&self) -> bool {
        self.e.event.row.join_mode == "approval"
    }

    fn started(&self) -> bool {
        self.e.event.row.starts_at <= clock::now()
    }

    fn sign_in_path(&self) -> String {
        super::sign_in_url(&self.e.path)
    }

    fn open(&self) -> bool {
        !self.cancelled()
            && self.e.event.row.ends_at > clock::now()
            && matches!(self.e.event.row.join_mode.as_str(), "free" | "approval")
    }
}

async fn event_page(
    state: &AppState,
    c: Ctx,
    id: i64,
    error: Option<(String, String)>,
) -> AppResult<EventPage> {
    let v = viewer(&c);
    let event = events::get(state, v, id).await?;
    let mine = match v {
        Some(v) => db::events::participant(state.pool(), id, v)
            .await?
            .map(|p| p.state),
        None => None,
    };
    let (organizer, participants) = match &c.user {
        Some(_) => {
            let me = me(state, &c).await?;
            if events::is_organizer(state, &event, &me).await? && event.is_local() {
                let rows = events::participants(state, &me, &event).await?;
                let ids: Vec<i64> = rows.iter().map(|p| p.account_id).collect();
                let accounts = db::accounts::by_ids(state.pool(), &ids).await?;
                let lines = rows
                    .into_iter()
                    .filter_map(|row| {
                        let account = accounts.iter().find(|a| a.id == row.account_id)?.clone();
                        Some(ParticipantLine { row, account })
                    })
                    .collect();
                (true, lines)
            } else {
                (false, Vec::new())
            }
        }
        None => (false, Vec::new()),
    };
    let mut shifts = Vec::new();
    if event.row.is_mission != 0 {
        let list = events::shifts(state, v, &event).await?;
        for card in cards(state, list).await? {
            let state_in = match v {
                Some(v) => db::events::participant(state.pool(), card.event.row.status_id, v)
                    .await?
                    .map(|p| p.state),
                None => None,
            };
            shifts.push((card, state_in));
        }
    }
    let e = cards(state, vec![event]).await?.remove(0);
    let (message, error) = match error {
        Some((m, e)) => (m, Some(e)),
        None => (String::new(), None),
    };
    Ok(EventPage {
        c,
        e,
        mine,
        shifts,
        organizer,
        participants,
        error,
        message,
    })
}

/// `GET /events/{id}`.
pub async fn page(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    Ok(super::render(&event_page(&state, c, id, None).await?))
}

#[derive(Deserialize, Default)]
pub struct JoinForm {
    #[serde(default)]
    message: String,
    #[serde(default)]
    waiting_list: Option<String>,
}

/// `POST /events/{id}/{join|leave|cancel}`.
pub async fn action(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, action)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let me = me(&state, &c).await?;
    let event = events::get(&state, Some(me.id), id).await?;
    let back = format!("/events/{id}");
    match action.as_str() {
        "join" => {
            match events::join(
                &state,
                &me,
                &event,
                Some(&f.message),
                f.waiting_list.is_some(),
            )
            .await
            {
                Ok(outcome) => Ok(redirect_with_flash(&state, &back, joined_flash(outcome))),
                Err(e) if e.status.is_client_error() => {
                    let message = e.message(c.locale);
                    let page = event_page(&state, c, id, Some((f.message, message))).await?;
                    Ok(render_status(e.status, &page))
                }
                Err(e) => Err(e),
            }
        }
        "leave" => {
            events::leave(&state, &me, &event).await?;
            Ok(redirect_with_flash(&state, &back, "flash-event-left"))
        }
        "cancel" => {
            events::cancel(&state, &me, &event).await?;
            Ok(redirect_with_flash(&state, &back, "flash-event-cancelled"))
        }
        _ => Err(AppError::not_found()),
    }
}

fn joined_flash(outcome: Joined) -> &'static str {
    match outcome {
        Joined::Accepted => "flash-event-joined",
        Joined::Pending => "flash-event-requested",
        Joined::Waiting => "flash-event-waiting",
    }
}

/// `POST /events/{id}/shifts/{shift_id}/{join|leave}`.
pub async fn shift_action(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, shift_id, action)): Path<(String, String, String)>,
    CsrfForm(f): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let shift_id: i64 = shift_id.parse().map_err(|_| AppError::not_found())?;
    let me = me(&state, &c).await?;
    let mission = events::get(&state, Some(me.id), id).await?;
    let shift = events::shift_of(&state, Some(me.id), &mission, shift_id).await?;
    let back = format!("/events/{id}");
    match action.as_str() {
        "join" => {
            let outcome = events::join(&state, &me, &shift, None, f.waiting_list.is_some()).await?;
            Ok(redirect_with_flash(&state, &back, joined_flash(outcome)))
        }
        "leave" => {
            events::leave(&state, &me, &shift).await?;
            Ok(redirect_with_flash(&state, &back, "flash-event-left"))
        }
        _ => Err(AppError::not_found()),
    }
}

/// `GET /events/{id}/participants.csv` (organizers).
pub async fn participants_csv(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let me = me(&state, &c).await?;
    let event = events::get(&state, Some(me.id), id).await?;
    let csv = events::participants_csv(&state, &me, &event).await?;
    Ok(crate::download::csv(&format!("participants-{id}"), csv))
}

/// `POST /events/{id}/participants/{account_id}/{approve|reject|attended|absent}`.
pub async fn decide(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, account_id, action)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let account_id: i64 = account_id.parse().map_err(|_| AppError::not_found())?;
    let me = me(&state, &c).await?;
    let event = events::get(&state, Some(me.id), id).await?;
    let decision = match action.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        "attended" => Decision::Attended,
        "absent" => Decision::Absent,
        _ => return Err(AppError::not_found()),
    };
    events::decide(&state, &me, &event, account_id, decision).await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/events/{id}"),
        "flash-settings-saved",
    ))
}

// ---------------------------------------------------------------------------------------------
// Creating

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
}

impl NewEventPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
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

    fn modes(&self) -> [&'static str; 2] {
        ["free", "approval"]
    }

    fn audiences(&self) -> [&'static str; 3] {
        ["public", "sympathizers", "members"]
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
    Ok(super::render(&NewEventPage {
        c,
        f: NewEventForm {
            group: q.group,
            ..Default::default()
        },
        errors: Vec::new(),
        action: "/events".into(),
        editing: false,
    }))
}

/// What the form asks to create or change.
fn input_of(f: &NewEventForm) -> NewEventInput {
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let capacity = match opt(&f.capacity) {
        None => None,
        Some(n) => match n.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => Some(0),
        },
    };
    NewEventInput {
        name: f.name.clone(),
        description: f.description.clone(),
        start_time: f.start_time.clone(),
        end_time: f.end_time.clone(),
        timezone: Some("Europe/Paris".into()),
        place_name: opt(&f.place_name),
        street: opt(&f.street),
        postcode: opt(&f.postcode),
        locality: opt(&f.locality),
        online_url: opt(&f.online_url),
        capacity,
        join_mode: opt(&f.join_mode),
        group: opt(&f.group),
        audience: opt(&f.audience),
        ..Default::default()
    }
}

/// `POST /events`: creates an event, or a mission when shifts are filled in.
pub async fn create(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<NewEventForm>,
) -> AppResult<Response> {
    let me = me(&state, &c).await?;
    let input = input_of(&f);
    let shifts: Vec<ShiftInput> = f
        .shifts()
        .into_iter()
        .map(|(s, e, n)| ShiftInput {
            start_time: s.to_string(),
            end_time: e.to_string(),
            needed: n.trim().parse().unwrap_or(0),
        })
        .collect();
    let result = if shifts.is_empty() {
        events::create(&state, &me, input).await
    } else {
        events::create_mission(&state, &me, input, shifts)
            .await
            .map(|(m, _)| m)
    };
    match result {
        Ok(e) => Ok(redirect_with_flash(
            &state,
            &format!("/events/{}", e.row.status_id),
            "flash-event-created",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            Ok(render_status(
                e.status,
                &NewEventPage {
                    c,
                    f,
                    errors,
                    action: "/events".into(),
                    editing: false,
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
    let me = me(&state, &c).await?;
    let event = events::get(&state, Some(me.id), id).await?;
    if !events::is_organizer(&state, &event, &me).await? {
        return Err(AppError::forbidden("error-event-organizers-only"));
    }
    let r = &event.row;
    let tz: chrono_tz::Tz = r.timezone.parse().unwrap_or(chrono_tz::Europe::Paris);
    let local = |t: i64| {
        clock::to_datetime(t)
            .with_timezone(&tz)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let source = event.status.source.clone().unwrap_or_default();
    let prefix = format!("{}\n\n", events::when_where(r));
    let f = NewEventForm {
        name: r.name.clone(),
        description: source
            .strip_prefix(&prefix)
            .unwrap_or(if source == events::when_where(r) {
                ""
            } else {
                &source
            })
            .to_string(),
        start_time: local(r.starts_at),
        end_time: local(r.ends_at),
        place_name: r.place_name.clone().unwrap_or_default(),
        street: r.street.clone().unwrap_or_default(),
        postcode: r.postcode.clone().unwrap_or_default(),
        locality: r.locality.clone().unwrap_or_default(),
        online_url: r.online_url.clone().unwrap_or_default(),
        capacity: r.capacity.map(|c| c.to_string()).unwrap_or_default(),
        join_mode: r.join_mode.clone(),
        ..Default::default()
    };
    Ok(super::render(&NewEventPage {
        c,
        f,
        errors: Vec::new(),
        action: format!("/events/{id}/edit"),
        editing: true,
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
    let me = me(&state, &c).await?;
    let event = events::get(&state, Some(me.id), id).await?;
    match events::update(&state, &me, &event, input_of(&f)).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &format!("/events/{id}"),
            "flash-event-updated",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            Ok(render_status(
                e.status,
                &NewEventPage {
                    c,
                    f,
                    errors,
                    action: format!("/events/{id}/edit"),
                    editing: true,
                },
            ))
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Agenda and board

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage {
    c: Ctx,
    upcoming: Vec<EventCard>,
    mine: Vec<EventCard>,
    /// When the private calendar link was made, if there is one.
    link_made: Option<i64>,
    /// A link just made (shown once).
    new_link: Option<String>,
}

/// `GET /agenda`: upcoming events (those the visitor may see), and mine.
pub async fn agenda(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    Ok(super::render(&agenda_page(&state, c, None).await?))
}

/// `POST /agenda/calendar-link`: a new private calendar link (the old one stops working),
/// shown once; `POST /agenda/calendar-link/revoke` ends it.
pub async fn calendar_link(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(_): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let me = me(&state, &c).await?;
    let token = events::new_calendar_link(&state, &me).await?;
    let link = state.config.url(&format!("/calendar/{token}/events.ics"));
    Ok(super::render(&agenda_page(&state, c, Some(link)).await?))
}

/// `POST /agenda/calendar-link/revoke`.
pub async fn revoke_calendar_link(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(_): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let me = me(&state, &c).await?;
    events::revoke_calendar_link(&state, &me).await?;
    Ok(redirect_with_flash(
        &state,
        "/agenda",
        "flash-calendar-link-revoked",
    ))
}

/// `GET /calendar/{token}/events.ics`: a person's events, at their private link.
pub async fn private_ics(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let list = events::calendar_of_link(&state, &token)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(calendar(
        "coopol",
        events::icalendar(&state.config.instance_name, &list),
    ))
}

async fn agenda_page(state: &AppState, c: Ctx, new_link: Option<String>) -> AppResult<AgendaPage> {
    let v = viewer(&c);
    let list = events::search(
        state,
        v,
        db::events::Search {
            from: Some(clock::now()),
            limit: 100,
            ..Default::default()
        },
    )
    .await?;
    let upcoming = cards(state, list).await?;
    let mut mine_list = Vec::new();
    if let Some(v) = v {
        for id in db::events::events_of(state.pool(), v).await? {
            if let Ok(e) = events::get(state, Some(v), id).await
                && e.row.ends_at > clock::now()
            {
                mine_list.push(e);
            }
        }
        mine_list.sort_by_key(|e| e.row.starts_at);
    }
    let mine = cards(state, mine_list).await?;
    let link_made = match v {
        Some(v) => db::events::calendar_link_made(state.pool(), v).await?,
        None => None,
    };
    Ok(AgendaPage {
        c,
        upcoming,
        mine,
        link_made,
        new_link,
    })
}

#[derive(Template)]
#[template(path = "missions.html")]
struct MissionsPage {
    c: Ctx,
    postcode: String,
    entries: Vec<(EventCard, i64, Vec<EventCard>)>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    #[serde(default)]
    postcode: String,
}

/// `GET /missions`: the missions that need people, in my groups and near my postcode.
pub async fn board(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<BoardQuery>,
) -> AppResult<Response> {
    let me = me(&state, &c).await?;
    let (list, error) = match events::board(&state, &me, Some(&q.postcode), 50).await {
        Ok(list) => (list, None),
        Err(e) if e.status.is_client_error() => (Vec::new(), Some(e.message(c.locale))),
        Err(e) => return Err(e),
    };
    let mut entries = Vec::new();
    for entry in list {
        let missing = entry.missing();
        let shifts = cards(&state, entry.shifts.into_iter().map(|(s, _)| s).collect()).await?;
        let mission = cards(&state, vec![entry.mission]).await?.remove(0);
        entries.push((mission, missing, shifts));
    }
    Ok(super::render(&MissionsPage {
        c,
        postcode: q.postcode,
        entries,
        error,
    }))
}

/// A group's upcoming events, for its page.
pub async fn of_group(
    state: &AppState,
    viewer: Option<i64>,
    group: &groups::Group,
) -> AppResult<Vec<EventCard>> {
    let list = events::search(
        state,
        viewer,
        db::events::Search {
            from: Some(clock::now()),
            organizer_id: Some(group.account.id),
            limit: 10,
            ..Default::default()
        },
    )
    .await?;
    cards(state, list).await
}

// ---------------------------------------------------------------------------------------------
// Calendar feeds
fn calendar(name: &str, body: String) -> Response {
    let filename: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}.ics\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /events/{id}/calendar.ics`: one event, as the visitor may see it.
pub async fn event_ics(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let viewer = c.user.as_ref().map(|u| u.account_id);
    let event = events::get(&state, viewer, id).await?;
    let name = event.row.name.clone();
    Ok(calendar(&name, events::icalendar(&name, &[event])))
}

/// `GET /groups/{handle}/calendar.ics`: a group's public events, from a week ago on.
pub async fn group_ics(
    State(state): State<AppState>,
    Path(handle): Path<String>,
) -> AppResult<Response> {
    let group = groups::find(&state, &handle, false).await?;
    let list = events::search(
        &state,
        None,
        db::events::Search {
            organizer_id: Some(group.account.id),
            from: Some(clock::now() - 7 * 24 * 3600 * 1_000_000),
            cancelled: true,
            limit: 500,
            ..Default::default()
        },
    )
    .await?;
    let name = if group.account.display_name.trim().is_empty() {
        group.account.username.clone()
    } else {
        group.account.display_name.clone()
    };
    Ok(calendar(
        &group.account.username,
        events::icalendar(&name, &list),
    ))
}
