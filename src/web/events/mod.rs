//! The event pages: an event (or a mission with its shifts) with sign-up, waiting list and
//! the organizers' tools; creating an event or a mission; the missions board; the agenda;
//! and the calendar feeds (iCalendar) phone calendars subscribe to.
//!
//! This module holds the event cards every list shows; each page has a module of its own,
//! its handlers re-exported here for the router: `page` (an event's page and its actions),
//! `edit` (the creation and edit form), `agenda` (the agenda and the private calendar link),
//! `missions` (the missions board), `calendar` (the iCalendar feeds), `fill` (how full an
//! event is, as the pages say it).

mod agenda;
mod calendar;
mod edit;
mod fill;
mod missions;
mod page;

pub use agenda::{agenda, calendar_link, revoke_calendar_link};
pub use calendar::{event_ics, group_ics, private_ics};
pub use edit::{create, edit, edit_page, edit_upload, new_page};
pub use missions::board;
pub use page::{action, decide, page, participants_csv, shift_action};

use super::Ctx;
use crate::{
    clock, db,
    error::AppResult,
    service::{
        events::{self, Event},
        groups,
    },
    state::AppState,
};

/// An event as the pages show it.
pub struct EventCard {
    /// The event.
    pub event: Event,
    /// Its page.
    pub path: String,
    /// Participants accepted (a mission's: over its shifts).
    pub taken: i64,
    /// Places left, when limited.
    pub remaining: Option<i64>,
    /// Places taken and offered (a mission's: summed over its shifts).
    pub fill: events::Fill,
    /// Its picture (the first picture of its post).
    pub picture: Option<crate::db::media::MediaRow>,
    /// Who organizes it ("Organisé par"): its organizing group or person, else its author.
    pub organizer: Option<crate::db::accounts::AccountRow>,
}

/// Cards for events, with their fill in one query.
pub async fn cards(state: &AppState, list: Vec<Event>) -> AppResult<Vec<EventCard>> {
    let ids: Vec<i64> = list.iter().map(|e| e.row.status_id).collect();
    let fills = events::fills(state, &ids).await?;
    let mut media = crate::service::media::of_statuses(state, &ids).await?;
    let mut organizer_ids: Vec<i64> = list.iter().map(organizer_of).collect();
    organizer_ids.sort_unstable();
    organizer_ids.dedup();
    let organizers = crate::service::directory::by_ids(state, &organizer_ids).await?;
    Ok(list
        .into_iter()
        .map(|event| {
            let fill = fills.get(&event.row.status_id).copied().unwrap_or_default();
            EventCard {
                organizer: organizers
                    .iter()
                    .find(|a| a.id == organizer_of(&event) && a.deleted_at.is_none())
                    .cloned(),
                picture: media
                    .remove(&event.row.status_id)
                    .and_then(|m| edit::picture_of(&m)),
                path: format!("/events/{}", event.row.status_id),
                remaining: fill.remaining(),
                taken: fill.taken,
                fill,
                event,
            }
        })
        .collect())
}

fn viewer(c: &Ctx) -> Option<i64> {
    c.user.as_ref().map(|u| u.account_id)
}

/// Who organizes an event: its organizing group or person, else its author.
fn organizer_of(event: &Event) -> i64 {
    event.row.organizer_id.unwrap_or(event.status.account_id)
}

/// A page of a group's upcoming events (`missions`: its missions, else its other events) from
/// `offset`, for its agenda and missions tabs, and the offset of the next page.
pub async fn of_group_page(
    state: &AppState,
    viewer: Option<i64>,
    group: &groups::Group,
    missions: bool,
    offset: i64,
    per_page: usize,
) -> AppResult<(Vec<EventCard>, Option<i64>)> {
    let (list, next) = events::search_page(
        state,
        viewer,
        db::events::Search {
            from: Some(clock::now()),
            organizers: events::agenda_organizers(state, group).await?,
            missions: Some(missions),
            offset,
            ..Default::default()
        },
        per_page,
    )
    .await?;
    Ok((cards(state, list).await?, next))
}
