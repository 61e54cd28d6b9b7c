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
}

/// Cards for events, with their fill in one query.
pub async fn cards(state: &AppState, list: Vec<Event>) -> AppResult<Vec<EventCard>> {
    let ids: Vec<i64> = list.iter().map(|e| e.row.status_id).collect();
    let fills = events::fills(state, &ids).await?;
    let mut media = crate::service::media::of_statuses(state, &ids).await?;
    Ok(list
        .into_iter()
        .map(|event| {
            let fill = fills.get(&event.row.status_id).copied().unwrap_or_default();
            EventCard {
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
