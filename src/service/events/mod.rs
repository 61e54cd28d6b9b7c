//! Events: creating one (for a person or in a group's circle), reading it, taking part (with
//! capacity, approval and a waiting list promoted when someone leaves), the organizers' view
//! of participants, and cancelling.
//!
//! An event is a post (see `service::statuses`): who may see it, where it appears and how it
//! federates come from there; the `events` row adds what makes it an event.
//!
//! This module holds the [`Event`] type and how one is read (visibility, organizers, a
//! mission's shifts); each use case has a module of its own, its public items re-exported
//! here: `input` (what an organizer types, and its checks), `create` (events, missions,
//! recurring series), `fill` (how full events are, a mission over its shifts, and the event
//! shown with its post), `participation` (joining, leaving, the waiting list), `organizers`
//! (participants, invitations, decisions), `change` (editing, cancelling, who is told),
//! `search` (agenda, searches, the missions board), `calendar_link` (private calendar links),
//! `present` (the when-and-where and summary lines, iCalendar, CSV), `reminders` (the
//! reminder worker).

mod calendar_link;
mod change;
mod create;
mod fill;
mod input;
mod organizers;
mod participation;
mod present;
mod reminders;
mod search;

pub use calendar_link::{
    calendar_link_made, calendar_of_link, new_calendar_link, revoke_calendar_link,
};
pub use change::{Occurrences, cancel, update};
pub use create::{create, create_mission, create_series};
pub use fill::{Fill, PostEvent, fills, of_statuses, standings};
pub use input::{NewEventInput, ShiftInput};
pub use organizers::{Decision, decide, invite, invited_received, participants};
pub use participation::{
    Joined, answered, events_of, join, join_received, leave, leave_by_link, leave_link,
    leave_received, participant_count, standing,
};
pub use present::{
    description, description_html, icalendar, participants_csv, summary_line, when_where,
    where_parts,
};
pub use reminders::{
    REMINDER_BEFORE_MICROS, ask_attendance, run_reminders, send_reminders, send_short_alerts,
};
pub use search::{BoardEntry, agenda_organizers, board, counts, search, search_page};

use crate::{
    db::{self, accounts::AccountRow, events::EventRow, statuses::StatusRow},
    domain::{
        Invalid, MemberRole,
        event::{EventJoinMode, EventStatus},
    },
    error::{AppError, AppResult},
    service::{
        groups::{self, Group},
        statuses,
    },
    state::AppState,
};
use axum::http::StatusCode;

/// An event with its post.
#[derive(Debug, Clone)]
pub struct Event {
    /// The post (author, audience, text, uri).
    pub status: StatusRow,
    /// The event's data.
    pub row: EventRow,
}

impl Event {
    /// Its status.
    pub fn status(&self) -> EventStatus {
        self.row.status
    }

    /// How people take part.
    pub fn join_mode(&self) -> EventJoinMode {
        self.row.join_mode
    }

    /// Whether it was organized here.
    pub fn is_local(&self) -> bool {
        self.status.local != 0
    }
}

/// An event `viewer` may see.
pub async fn get(state: &AppState, viewer: Option<i64>, id: i64) -> AppResult<Event> {
    let status = statuses::visible(state, viewer, id).await?;
    let row = db::events::by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Event { status, row })
}

/// Whether `who` organizes `event`: its author, or a moderator of its organizing group.
pub async fn is_organizer(state: &AppState, event: &Event, who: &AccountRow) -> AppResult<bool> {
    if event.status.account_id == who.id {
        return Ok(true);
    }
    match event.row.organizer_id {
        Some(o) if o != event.status.account_id => match groups::load(state, o).await? {
            Some(g) => Ok(organizer_role(state, &g, who).await.is_ok()),
            None => Ok(false),
        },
        _ => Ok(false),
    }
}

pub(super) async fn require_organizer(
    state: &AppState,
    event: &Event,
    who: &AccountRow,
) -> AppResult<()> {
    if is_organizer(state, event, who).await? {
        Ok(())
    } else {
        Err(AppError::forbidden("error-event-organizers-only"))
    }
}

/// Refuses unless `who` may create events for the group named `group` (a handle, as the
/// creation form names it): unknown (404), another server's (422), or not one of its
/// moderators and administrators (403). What the event form checks before it is offered.
pub async fn may_organize_in(state: &AppState, who: &AccountRow, group: &str) -> AppResult<()> {
    let group = groups::find(state, group, true).await?;
    organizer_role(state, &group, who).await
}

/// Refuses unless `who` organizes in a local group (moderators and administrators).
pub(super) async fn organizer_role(
    state: &AppState,
    group: &Group,
    who: &AccountRow,
) -> AppResult<()> {
    if !group.is_local() {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-group-remote",
        ));
    }
    match groups::standing(state, group, Some(who.id)).await?.role() {
        Some(r) if r >= MemberRole::Moderator => Ok(()),
        _ => Err(AppError::forbidden("error-group-role")),
    }
}

/// The events among `rows` that `viewer` may see, with their posts.
pub(super) async fn visible_events(
    state: &AppState,
    viewer: Option<i64>,
    rows: Vec<EventRow>,
) -> AppResult<Vec<Event>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if let Ok(status) = statuses::visible(state, viewer, row.status_id).await {
            out.push(Event { status, row });
        }
    }
    Ok(out)
}

/// The shifts of a mission `viewer` may see, each with its number of volunteers.
pub async fn shifts(
    state: &AppState,
    viewer: Option<i64>,
    mission: &Event,
) -> AppResult<Vec<Event>> {
    let rows = db::events::shifts(state.pool(), mission.row.status_id).await?;
    visible_events(state, viewer, rows).await
}

/// A shift of a mission, refused when it belongs to another mission.
pub async fn shift_of(
    state: &AppState,
    viewer: Option<i64>,
    mission: &Event,
    shift_id: i64,
) -> AppResult<Event> {
    let shift = get(state, viewer, shift_id).await?;
    if shift.row.mission_id != Some(mission.row.status_id) {
        return Err(AppError::invalid(vec![Invalid::new(
            "shift",
            "error-event-shift-mismatch",
        )]));
    }
    Ok(shift)
}
