//! How full events are (places taken and offered, a mission's summed over its shifts), and the
//! events shown with their posts: the card timelines, threads and the board show under an
//! event's or a mission's post.

use crate::{
    db::{self, events::EventRow},
    domain::event::{EventJoinMode, EventStatus, ParticipationState},
    error::AppResult,
    state::AppState,
};
use std::collections::HashMap;

/// Places taken and offered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fill {
    /// Accepted participants (a mission's: over its shifts).
    pub taken: i64,
    /// Places (none: no limit).
    pub capacity: Option<i64>,
}

impl Fill {
    /// Places left, when limited.
    pub fn remaining(&self) -> Option<i64> {
        self.capacity.map(|c| (c - self.taken).max(0))
    }

    /// Whether no place is left.
    pub fn is_full(&self) -> bool {
        self.remaining() == Some(0)
    }
}

/// The fill of each event among `ids` (ids that are not events are left out).
pub async fn fills(state: &AppState, ids: &[i64]) -> AppResult<HashMap<i64, Fill>> {
    Ok(db::events::fills(state.pool(), ids)
        .await?
        .into_iter()
        .map(|f| {
            (
                f.id,
                Fill {
                    taken: f.taken,
                    capacity: f.capacity,
                },
            )
        })
        .collect())
}

/// An event as shown with its post.
#[derive(Debug, Clone)]
pub struct PostEvent {
    /// The event (a shift's row for a shift's own post).
    pub row: EventRow,
    /// How full it is.
    pub fill: Fill,
    /// Where the viewer stands in it, if anywhere.
    pub mine: Option<ParticipationState>,
}

impl PostEvent {
    /// The event whose page has the sign-up buttons: the mission, for a shift.
    pub fn page_id(&self) -> i64 {
        self.row.mission_id.unwrap_or(self.row.status_id)
    }

    /// Whether it is a mission (people sign up for its shifts).
    pub fn is_mission(&self) -> bool {
        self.row.is_mission != 0
    }

    /// Whether it was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.row.status == EventStatus::Cancelled
    }

    /// Whether one click signs the viewer up: an event (not a mission nor a shift) that is
    /// free to join, not full, not over, and that the viewer has not answered yet.
    pub fn one_click(&self) -> bool {
        !self.is_mission()
            && self.row.mission_id.is_none()
            && !self.is_cancelled()
            && self.mine.is_none()
            && self.row.join_mode == EventJoinMode::Free
            && !self.fill.is_full()
            && self.row.ends_at > crate::clock::now()
    }

    /// Where it takes place, on one line (place, street, postcode, town), if said.
    pub fn place(&self) -> Option<String> {
        let parts: Vec<&str> = [
            self.row.place_name.as_deref(),
            self.row.street.as_deref(),
            self.row.postcode.as_deref(),
            self.row.locality.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// The events among posts `status_ids`, with their fill and where `viewer` stands: three
/// queries for a whole page, whatever its number of events.
pub async fn of_statuses(
    state: &AppState,
    viewer: Option<i64>,
    status_ids: &[i64],
) -> AppResult<HashMap<i64, PostEvent>> {
    let rows = db::events::by_ids(state.pool(), status_ids).await?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.status_id).collect();
    let fills = fills(state, &ids).await?;
    let mine = match viewer {
        Some(v) => standings(state, v, &ids).await?,
        None => HashMap::new(),
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.status_id;
            let event = PostEvent {
                fill: fills.get(&id).copied().unwrap_or_default(),
                mine: mine.get(&id).copied(),
                row,
            };
            (id, event)
        })
        .collect())
}

/// Where `who` stands in each of the events `ids` (those it answered or was invited to).
pub async fn standings(
    state: &AppState,
    who: i64,
    ids: &[i64],
) -> AppResult<HashMap<i64, ParticipationState>> {
    Ok(db::events::standings(state.pool(), who, ids)
        .await?
        .into_iter()
        .collect())
}
