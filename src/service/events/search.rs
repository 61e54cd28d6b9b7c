//! Finding events: a group's agenda, searches (paged, skipping what the viewer may not see),
//! participant counts, and the board of missions that need people.

use super::{Event, shifts, visible_events};
use crate::{
    clock,
    db::{self, accounts::AccountRow},
    domain::group::{departement_of, parse_postcode},
    error::{AppError, AppResult},
    service::{groups::Group, statuses},
    state::AppState,
};

/// Whose events a group's agenda shows: the group's, and a federation's sections' too.
pub async fn agenda_organizers(state: &AppState, group: &Group) -> AppResult<Vec<i64>> {
    let mut ids = vec![group.account.id];
    if group.kind() == crate::domain::group::GroupKind::Federation {
        ids.extend(db::groups::affiliated(state.pool(), group.account.id).await?);
    }
    Ok(ids)
}

/// How many take part in each event.
pub async fn counts(state: &AppState, ids: &[i64]) -> AppResult<Vec<(i64, i64)>> {
    Ok(db::events::accepted_counts(state.pool(), ids).await?)
}

/// The events `viewer` may see among a search's results.
pub async fn search(
    state: &AppState,
    viewer: Option<i64>,
    query: db::events::Search,
) -> AppResult<Vec<Event>> {
    let rows = db::events::search(state.pool(), &query).await?;
    visible_events(state, viewer, rows).await
}

/// A page of at most `want` events `viewer` may see, from `query.offset` (in the search's own
/// order, counting the events hidden from `viewer` too), and the offset the next page starts
/// at when there is more. Hidden events are skipped, so a page is full whenever enough events
/// follow; at most 20 rounds of the database are read per page.
pub async fn search_page(
    state: &AppState,
    viewer: Option<i64>,
    mut query: db::events::Search,
    want: usize,
) -> AppResult<(Vec<Event>, Option<i64>)> {
    let batch = (want as i64 + 1).max(50);
    query.limit = batch;
    let mut found: Vec<(i64, Event)> = Vec::new();
    for _ in 0..20 {
        let rows = db::events::search(state.pool(), &query).await?;
        let read = rows.len() as i64;
        for (i, row) in rows.into_iter().enumerate() {
            if let Ok(status) = statuses::visible(state, viewer, row.status_id).await {
                found.push((query.offset + i as i64, Event { status, row }));
                if found.len() > want {
                    let next = found.pop().map(|(at, _)| at);
                    return Ok((found.into_iter().map(|(_, e)| e).collect(), next));
                }
            }
        }
        query.offset += read;
        if read < batch {
            return Ok((found.into_iter().map(|(_, e)| e).collect(), None));
        }
    }
    // Many hidden events in a row: this page ends here, the next goes on from there.
    Ok((
        found.into_iter().map(|(_, e)| e).collect(),
        Some(query.offset),
    ))
}

/// A mission on the board, with how short of volunteers it is.
#[derive(Debug, Clone)]
pub struct BoardEntry {
    /// The mission.
    pub mission: Event,
    /// Its shifts, with volunteers signed up.
    pub shifts: Vec<(Event, i64)>,
}

impl BoardEntry {
    /// Volunteers still needed, over all shifts.
    pub fn missing(&self) -> i64 {
        self.shifts
            .iter()
            .map(|(s, taken)| (s.row.capacity.unwrap_or(0) - taken).max(0))
            .sum()
    }

    /// The start of the soonest shift still short of volunteers.
    pub fn next_open(&self) -> i64 {
        self.shifts
            .iter()
            .filter(|(s, taken)| s.row.capacity.is_some_and(|c| c > *taken))
            .map(|(s, _)| s.row.starts_at)
            .min()
            .unwrap_or(i64::MAX)
    }
}

/// The missions that need people, in `viewer`'s groups or in the département of `postcode`,
/// most urgent first: the soonest open shift, then the emptiest.
pub async fn board(
    state: &AppState,
    viewer: &AccountRow,
    postcode: Option<&str>,
    limit: usize,
) -> AppResult<Vec<BoardEntry>> {
    let departement = match postcode.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(departement_of(
            &parse_postcode(p).map_err(|e| AppError::invalid(vec![e]))?,
        )),
        None => None,
    };
    let my_groups: Vec<i64> = db::groups::groups_of(state.pool(), viewer.id)
        .await?
        .into_iter()
        .filter(|m| m.state == crate::domain::MembershipState::Accepted)
        .map(|m| m.group_id)
        .collect();
    // The missions of my groups and those near me, each chosen in the database (soonest
    // first, a bounded number of each), never a page of all missions filtered here.
    let open = |organizers: Vec<i64>, departement: Option<String>| db::events::Search {
        from: Some(clock::now()),
        open_missions: true,
        organizers,
        departement,
        limit: 500,
        ..Default::default()
    };
    let mut found = Vec::new();
    if !my_groups.is_empty() {
        found.extend(search(state, Some(viewer.id), open(my_groups.clone(), None)).await?);
    }
    if departement.is_some() {
        for m in search(
            state,
            Some(viewer.id),
            open(Vec::new(), departement.clone()),
        )
        .await?
        {
            if !found
                .iter()
                .any(|f: &Event| f.row.status_id == m.row.status_id)
            {
                found.push(m);
            }
        }
    }
    let mut out = Vec::new();
    for mission in found {
        let list = shifts(state, Some(viewer.id), &mission).await?;
        let ids: Vec<i64> = list.iter().map(|s| s.row.status_id).collect();
        let counts = counts(state, &ids).await?;
        let shifts = list
            .into_iter()
            .map(|s| {
                let taken = counts
                    .iter()
                    .find(|(id, _)| *id == s.row.status_id)
                    .map_or(0, |(_, n)| *n);
                (s, taken)
            })
            .collect();
        out.push(BoardEntry { mission, shifts });
    }
    out.sort_by_key(|e| (e.next_open(), -e.missing()));
    out.truncate(limit);
    Ok(out)
}
