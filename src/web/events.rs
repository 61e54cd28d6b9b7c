//! The event pages: an event (or a mission with its shifts) with sign-up, waiting list and
//! the organizers' tools; creating an event or a mission; the missions board; the agenda;
//! and the calendar feeds (iCalendar) phone calendars subscribe to.

use super::{Ctx, form::CsrfForm, redirect_with_flash, render_status};
use crate::{
    clock,
    db::{self, accounts::AccountRow, events::ParticipantRow},
    domain::event::{EventJoinMode, EventStatus, ParticipationState},
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
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use serde::Deserialize;

/// An event as the pages show it.
pub struct EventCard {
    /// The event.
    pub event: Event,
    /// Its page.
    pub path: String,
    /// When and where, on one line, in the instance's language (as it starts the event's text).
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
                when_where: events::when_where(state.config.default_locale, &event.row),
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
    mine: Option<ParticipationState>,
    /// A mission's shifts, with the caller's state in each.
    shifts: Vec<(EventCard, Option<ParticipationState>)>,
    organizer: bool,
    participants: Vec<ParticipantLine>,
    error: Option<String>,
    message: String,
    /// The other upcoming occurrences of a recurring event.
    series: Vec<EventCard>,
    /// The organizers' invitation form, as typed, and why it was refused.
    invite_handle: String,
    invite_error: Option<String>,
}

impl EventPage {
    fn state_label(&self, s: &ParticipationState) -> String {
        self.c.t(&format!("event-participation-{s}"))
    }

    fn cancelled(&self) -> bool {
        self.e.event.row.status == EventStatus::Cancelled
    }

    fn full(&self) -> bool {
        self.e.remaining == Some(0)
    }

    fn asks_message(&self) -> bool {
        self.e.event.row.join_mode == EventJoinMode::Approval && !self.invited()
    }

    fn started(&self) -> bool {
        self.e.event.row.starts_at <= clock::now()
    }

    fn sign_in_path(&self) -> String {
        super::sign_in_url(&self.e.path)
    }

    fn open_to_invitations(&self) -> bool {
        self.e.event.row.ends_at > clock::now()
            && self.e.event.row.join_mode != EventJoinMode::External
    }

    fn invited(&self) -> bool {
        self.mine == Some(ParticipationState::Invited)
    }

    /// Whether the viewer may sign up now: free or approval events, or any they are invited to.
    fn can_join(&self) -> bool {
        !self.cancelled()
            && self.open_to_invitations()
            && (self.invited()
                || (self.mine.is_none()
                    && matches!(
                        self.e.event.row.join_mode,
                        EventJoinMode::Free | EventJoinMode::Approval
                    )))
    }
}

/// What a refused form on the event page gets back: what was typed and why.
enum Refused {
    Join(String, String),
    Invite(String, String),
}

async fn event_page(
    state: &AppState,
    c: Ctx,
    id: i64,
    refused: Option<Refused>,
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
            let me = c.me()?;
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
    let series = match event.row.series_id {
        Some(series_id) => {
            let list = events::search(
                state,
                v,
                db::events::Search {
                    from: Some(clock::now()),
                    series_id: Some(series_id),
                    limit: 200,
                    ..Default::default()
                },
            )
            .await?;
            let others = list.into_iter().filter(|o| o.row.status_id != id).collect();
            cards(state, others).await?
        }
        None => Vec::new(),
    };
    let e = cards(state, vec![event]).await?.remove(0);
    let (mut message, mut error, mut invite_handle, mut invite_error) =
        (String::new(), None, String::new(), None);
    match refused {
        Some(Refused::Join(m, e)) => (message, error) = (m, Some(e)),
        Some(Refused::Invite(h, e)) => (invite_handle, invite_error) = (h, Some(e)),
        None => {}
    }
    Ok(EventPage {
        c,
        e,
        mine,
        shifts,
        organizer,
        participants,
        error,
        message,
        series,
        invite_handle,
        invite_error,
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
    #[serde(default)]
    scope: String,
    #[serde(default)]
    handle: String,
}

/// `POST /events/{id}/{join|leave|cancel|invite}`.
pub async fn action(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, action)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let me = c.me()?;
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
                    let page =
                        event_page(&state, c, id, Some(Refused::Join(f.message, message))).await?;
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
            let scope = events::Occurrences::parse(Some(&f.scope))?;
            events::cancel(&state, &me, &event, scope).await?;
            Ok(redirect_with_flash(&state, &back, "flash-event-cancelled"))
        }
        "invite" => {
            // Organizers only, before anything is looked up for them.
            if !events::is_organizer(&state, &event, &me).await? {
                return Err(AppError::forbidden("error-event-organizers-only"));
            }
            let invited = match super::groups::find_person(&state, f.handle.trim()).await {
                Ok(target) => events::invite(&state, &me, &event, &target)
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            };
            match invited {
                Ok(()) => Ok(redirect_with_flash(&state, &back, "flash-event-invited")),
                Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
                    let message = e.message(c.locale);
                    let refused = Refused::Invite(f.handle, message);
                    let page = event_page(&state, c, id, Some(refused)).await?;
                    Ok(render_status(e.status, &page))
                }
                Err(e) => Err(e),
            }
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
    let me = c.me()?;
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
    let me = c.me()?;
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
    let me = c.me()?;
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
    Ok(super::render(&NewEventPage {
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
            let errors = super::field_errors(&c, &e);
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
    Ok(super::render(&NewEventPage {
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
            let errors = super::field_errors(&c, &e);
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

// ---------------------------------------------------------------------------------------------
// Agenda and board

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage {
    c: Ctx,
    q: AgendaQuery,
    /// The list view's events, or a month's.
    upcoming: Vec<EventCard>,
    /// The month view: weeks of days (none outside the month), each with its events.
    weeks: Vec<Vec<Option<AgendaDay>>>,
    /// The month shown (`décembre 2026` is built by the template from these).
    month: Option<(i32, u32)>,
    /// Where the next page of the list view starts, when there is one.
    more: Option<i64>,
    error: Option<String>,
    mine: Vec<EventCard>,
    /// When the private calendar link was made, if there is one.
    link_made: Option<i64>,
    /// A link just made (shown once).
    new_link: Option<String>,
}

/// One day of the month view.
pub struct AgendaDay {
    day: u32,
    today: bool,
    events: Vec<EventCard>,
}

/// The agenda's filters, in its address (`/agenda?view=month&month=2026-12&kind=mission`).
#[derive(Deserialize, Default, Clone)]
pub struct AgendaQuery {
    /// `list` (default) or `month`.
    #[serde(default)]
    view: String,
    /// The month shown (`2026-12`; default: this month).
    #[serde(default)]
    month: String,
    /// `event`, `mission`, or empty.
    #[serde(default)]
    kind: String,
    /// A group's handle: its agenda (a federation's includes its sections').
    #[serde(default)]
    group: String,
    /// A postcode or département.
    #[serde(default)]
    place: String,
    /// From this date (`2026-12-01`; default: now).
    #[serde(default)]
    from: String,
    /// Until this date, included.
    #[serde(default)]
    to: String,
    /// Where the list view's page starts (the next page's link carries it).
    #[serde(default)]
    offset: i64,
}

/// Events per page of the list view.
const AGENDA_PAGE: i64 = 50;

impl AgendaPage {
    fn month_view(&self) -> bool {
        self.month.is_some()
    }

    fn kinds(&self) -> [&'static str; 3] {
        ["", "event", "mission"]
    }

    fn kind_label(&self, k: &str) -> String {
        self.c.t(if k.is_empty() {
            "agenda-kind-all"
        } else {
            match k {
                "mission" => "agenda-kind-mission",
                _ => "agenda-kind-event",
            }
        })
    }

    fn month_title(&self) -> String {
        let Some((y, m)) = self.month else {
            return String::new();
        };
        format!("{} {y}", self.c.t(&format!("month-{m}")))
    }

    fn weekdays(&self) -> Vec<String> {
        (1..=7).map(|d| self.c.t(&format!("weekday-{d}"))).collect()
    }

    /// This agenda's address with some filters changed.
    fn link(&self, changes: &[(&str, &str)]) -> String {
        let q = &self.q;
        let mut pairs: Vec<(&str, String)> = vec![
            ("view", q.view.clone()),
            ("month", q.month.clone()),
            ("kind", q.kind.clone()),
            ("group", q.group.clone()),
            ("place", q.place.clone()),
            ("from", q.from.clone()),
            ("to", q.to.clone()),
        ];
        for (k, v) in changes {
            if let Some(p) = pairs.iter_mut().find(|(key, _)| key == k) {
                p.1 = v.to_string();
            } else {
                pairs.push((k, v.to_string()));
            }
        }
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            s.append_pair(k, v);
        }
        let query = s.finish();
        if query.is_empty() {
            "/agenda".into()
        } else {
            format!("/agenda?{query}")
        }
    }

    fn list_link(&self) -> String {
        self.link(&[("view", ""), ("month", "")])
    }

    fn month_view_link(&self) -> String {
        self.link(&[("view", "month"), ("from", ""), ("to", "")])
    }

    fn next_page(&self) -> String {
        let next = self.more.unwrap_or_default().to_string();
        self.link(&[("offset", &next)])
    }

    fn month_link(&self, delta: i32) -> String {
        let Some((y, m)) = self.month else {
            return "/agenda".into();
        };
        let index = y * 12 + m as i32 - 1 + delta;
        let month = format!("{}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1);
        self.link(&[("view", "month"), ("month", &month)])
    }
}

/// `GET /agenda`: events the visitor may see, as a list (upcoming, filtered by kind, group,
/// place and dates, paged) or a month; and for signed-in people, theirs and their private
/// calendar link.
pub async fn agenda(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<AgendaQuery>,
) -> AppResult<Response> {
    Ok(super::render(&agenda_page(&state, c, q, None).await?))
}

/// `POST /agenda/calendar-link`: a new private calendar link (the old one stops working),
/// shown once; `POST /agenda/calendar-link/revoke` ends it.
pub async fn calendar_link(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(_): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let token = events::new_calendar_link(&state, &me).await?;
    let link = state.config.url(&format!("/calendar/{token}/events.ics"));
    let page = agenda_page(&state, c, AgendaQuery::default(), Some(link)).await?;
    Ok(super::render(&page))
}

/// `POST /agenda/calendar-link/revoke`.
pub async fn revoke_calendar_link(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(_): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let me = c.me()?;
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

/// The agenda's time zone (dates typed in filters, days of the month view).
const AGENDA_TZ: chrono_tz::Tz = chrono_tz::Europe::Paris;

/// The start of a local day in the agenda's zone, as stored times.
fn day_start(day: chrono::NaiveDate) -> i64 {
    use chrono::TimeZone;
    AGENDA_TZ
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or(0, |t| t.timestamp_micros())
}

/// The search an agenda's filters make (refusals name the filter).
async fn agenda_search(
    state: &AppState,
    viewer: Option<i64>,
    q: &AgendaQuery,
) -> AppResult<db::events::Search> {
    use crate::domain::Invalid;
    let date = |field: &'static str, s: &str| {
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .ok()
            .filter(in_agenda_years)
            .ok_or_else(|| AppError::invalid(vec![Invalid::new(field, "error-event-time-invalid")]))
    };
    let mut search = db::events::Search {
        from: Some(clock::now()),
        limit: AGENDA_PAGE,
        offset: q.offset.max(0),
        ..Default::default()
    };
    if !q.from.trim().is_empty() {
        search.from = Some(day_start(date("from", &q.from)?));
    }
    if !q.to.trim().is_empty() {
        search.to = Some(day_start(date("to", &q.to)? + chrono::Days::new(1)));
    }
    search.missions = match q.kind.trim() {
        "" => None,
        "mission" => Some(true),
        "event" => Some(false),
        _ => {
            return Err(AppError::invalid(vec![Invalid::new(
                "kind",
                "error-event-kind",
            )]));
        }
    };
    if !q.group.trim().is_empty() {
        let group = groups::find(state, q.group.trim(), viewer.is_some()).await?;
        search.organizers = events::agenda_organizers(state, &group).await?;
    }
    if !q.place.trim().is_empty() {
        search.departement = Some(
            crate::domain::group::departement_filter(&q.place)
                .map_err(|e| AppError::invalid(vec![e]))?,
        );
    }
    Ok(search)
}

/// Dates the agenda reads (date arithmetic far beyond would overflow).
fn in_agenda_years(d: &chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    (1970..=9999).contains(&d.year())
}

/// The month a month view shows: `2026-12`, or this month.
fn month_of(s: &str) -> AppResult<(i32, u32)> {
    use chrono::Datelike;
    if s.trim().is_empty() {
        let today = Utc::now().with_timezone(&AGENDA_TZ).date_naive();
        return Ok((today.year(), today.month()));
    }
    chrono::NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d")
        .ok()
        .filter(in_agenda_years)
        .map(|d| (d.year(), d.month()))
        .ok_or_else(|| {
            AppError::invalid(vec![crate::domain::Invalid::new(
                "month",
                "error-event-time-invalid",
            )])
        })
}

/// A month's weeks, Monday first, each day with the events starting on it.
fn month_grid(year: i32, month: u32, list: Vec<EventCard>) -> Vec<Vec<Option<AgendaDay>>> {
    use chrono::Datelike;
    let first = chrono::NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
    let today = Utc::now().with_timezone(&AGENDA_TZ).date_naive();
    let mut days: Vec<Option<AgendaDay>> = (0..first.weekday().num_days_from_monday())
        .map(|_| None)
        .collect();
    let mut list = list.into_iter().peekable();
    let mut day = first;
    while day.month() == month {
        let mut events = Vec::new();
        while let Some(card) = list.peek() {
            let starts = clock::to_datetime(card.event.row.starts_at)
                .with_timezone(&AGENDA_TZ)
                .date_naive();
            if starts > day {
                break;
            }
            // Events that started before the month show on its first day.
            events.extend(list.next());
        }
        days.push(Some(AgendaDay {
            day: day.day(),
            today: day == today,
            events,
        }));
        day = day.succ_opt().unwrap_or(day);
        if day.day() == 1 {
            break;
        }
    }
    while !days.len().is_multiple_of(7) {
        days.push(None);
    }
    let mut weeks = Vec::new();
    let mut iter = days.into_iter();
    loop {
        let week: Vec<_> = iter.by_ref().take(7).collect();
        if week.is_empty() {
            break;
        }
        weeks.push(week);
    }
    weeks
}

async fn agenda_page(
    state: &AppState,
    c: Ctx,
    q: AgendaQuery,
    new_link: Option<String>,
) -> AppResult<AgendaPage> {
    let v = viewer(&c);
    let mut error = None;
    let (mut upcoming, mut weeks, mut month, mut more) = (Vec::new(), Vec::new(), None, None);
    let search = match agenda_search(state, v, &q).await {
        Ok(search) => Some(search),
        Err(e) if e.status.is_client_error() => {
            error = Some(e.message(c.locale));
            None
        }
        Err(e) => return Err(e),
    };
    let month_asked = if q.view == "month" {
        match month_of(&q.month) {
            Ok(m) => Some(m),
            Err(e) => {
                error = Some(e.message(c.locale));
                None
            }
        }
    } else {
        None
    };
    if let Some(mut search) = search {
        if let Some((y, m)) = month_asked {
            let first = chrono::NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
            let next = first + chrono::Months::new(1);
            search.from = Some(day_start(first));
            search.to = Some(day_start(next));
            search.limit = 500;
            search.offset = 0;
            let list = cards(state, events::search(state, v, search).await?).await?;
            weeks = month_grid(y, m, list);
            month = Some((y, m));
        } else {
            let (list, next) = events::search_page(state, v, search, AGENDA_PAGE as usize).await?;
            more = next;
            upcoming = cards(state, list).await?;
        }
    }
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
        q,
        upcoming,
        weeks,
        month,
        more,
        error,
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
    let me = c.me()?;
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
            organizers: events::agenda_organizers(state, group).await?,
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
            organizers: events::agenda_organizers(&state, &group).await?,
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
