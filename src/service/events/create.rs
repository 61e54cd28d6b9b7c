//! Creating an event, a mission with its shifts, and the occurrences of a recurring one: all
//! checked and drafted first, then written in one transaction.

use super::{
    Event, get,
    input::{NewEventInput, ShiftInput, check_input, check_shifts, opt, row_of},
    organizer_role,
    present::when_where,
};
use crate::{
    db::{self, accounts::AccountRow, events::EventRow},
    domain::{Circle, Invalid, NotificationKind, Visibility, event as rules},
    error::{AppError, AppResult},
    service::{
        groups::{self, Group},
        statuses::{self, Compose},
    },
    state::AppState,
};
use chrono::{DateTime, Utc};

/// Creates an event. In a group, only its moderators and administrators organize. With a
/// `recurrence`, every occurrence is created and the first is returned.
pub async fn create(
    state: &AppState,
    author: &AccountRow,
    input: NewEventInput,
) -> AppResult<Event> {
    let mut series = create_series(state, author, input, Vec::new()).await?;
    Ok(series.remove(0).0)
}

/// Creates a mission: an event whose purpose is to gather volunteers, with shifts, each an
/// event of its own (a reply to the mission) with the number of volunteers it needs. The
/// mission spans its shifts. With a `recurrence`, the first occurrence is returned.
pub async fn create_mission(
    state: &AppState,
    author: &AccountRow,
    input: NewEventInput,
    shifts: Vec<ShiftInput>,
) -> AppResult<(Event, Vec<Event>)> {
    if shifts.is_empty() {
        return Err(AppError::invalid(vec![
            Invalid::new("shifts", "error-event-shift-count").arg("max", rules::MAX_SHIFTS),
        ]));
    }
    let mut series = create_series(state, author, input, shifts).await?;
    Ok(series.remove(0))
}

/// Creates an event, or a mission when `shifts` are given, and when the input has a
/// `recurrence`, each of its occurrences (sharing a series number): everything is checked
/// first, then written in one transaction. Returns every occurrence with its shifts, soonest
/// first.
pub async fn create_series(
    state: &AppState,
    author: &AccountRow,
    mut input: NewEventInput,
    shifts: Vec<ShiftInput>,
) -> AppResult<Vec<(Event, Vec<Event>)>> {
    // An event (with its shifts and occurrences) is one post against the author's limit.
    crate::limits::check(&state.limits.posting, &author.id)?;
    let shifts = check_shifts(&mut input, &shifts, state.config.default_time_zone)?;
    let checked = check_input(&input, state.config.default_time_zone)?;
    let group = match opt(&input.group) {
        Some(g) => {
            let group = groups::find(state, &g, true).await?;
            organizer_role(state, &group, author).await?;
            Some(group)
        }
        None => None,
    };
    let recurrence = opt(&input.recurrence);
    let starts = match &recurrence {
        Some(rule) => rules::occurrences(
            rule,
            checked.starts,
            checked.ends - checked.starts,
            checked.tz,
        )
        .map_err(|e| AppError::invalid(vec![e]))?,
        None => vec![checked.starts],
    };
    let series_id = recurrence.as_ref().map(|_| state.ids.next());
    let group_departement = group.as_ref().and_then(|g| g.row.departement.clone());
    let base = EventRow {
        capacity: if shifts.is_empty() {
            input.capacity
        } else {
            None
        },
        organizer_id: Some(group.as_ref().map_or(author.id, |g| g.account.id)),
        is_mission: i64::from(!shifts.is_empty()),
        series_id,
        recurrence,
        ..row_of(&checked, &input, group_departement)
    };
    let at = |t: DateTime<Utc>| t.timestamp_micros();
    let local = |t: DateTime<Utc>| t.with_timezone(&checked.tz).format("%H:%M").to_string();
    // Every post is drafted (checked and rendered) before anything is written.
    let mut drafts = Vec::with_capacity(starts.len());
    for start in starts {
        let offset = start - checked.starts;
        let row = EventRow {
            starts_at: at(checked.starts + offset),
            ends_at: at(checked.ends + offset),
            ..base.clone()
        };
        // A medium belongs to one post: the first occurrence carries the event's media.
        let media_ids = if drafts.is_empty() {
            input.media_ids.clone()
        } else {
            None
        };
        let main = draft_event(
            state,
            author,
            group.as_ref(),
            checked.circle,
            row,
            &input.description,
            media_ids,
        )
        .await?;
        // Those the description names are told of the first occurrence only.
        let main = if drafts.is_empty() {
            main
        } else {
            main.without_mentions()
        };
        let mut shift_drafts = Vec::with_capacity(shifts.len());
        for (s, e, needed) in &shifts {
            let (s, e) = (*s + offset, *e + offset);
            let row = EventRow {
                name: format!("{} · {}–{}", checked.name, local(s), local(e)),
                starts_at: at(s),
                ends_at: at(e),
                capacity: Some(*needed),
                is_mission: 0,
                series_id: None,
                recurrence: None,
                ..base.clone()
            };
            shift_drafts.push(
                draft_event(state, author, group.as_ref(), checked.circle, row, "", None).await?,
            );
        }
        drafts.push((main, shift_drafts));
    }
    let mut written = Vec::with_capacity(drafts.len());
    let mut tx = state.db.begin().await?;
    for (main, shift_drafts) in drafts {
        let id = statuses::write(state, &mut tx, &main).await?;
        let mut shift_ids = Vec::with_capacity(shift_drafts.len());
        for mut shift in shift_drafts {
            // A shift answers its mission: apps show shifts in the mission's thread.
            shift.parent = Some(statuses::Parent {
                id,
                uri: statuses::status_uri(state, &author.username, id),
                account_id: author.id,
            });
            if let Some(e) = shift.event.as_mut() {
                e.mission_id = Some(id);
            }
            shift_ids.push(statuses::write(state, &mut tx, &shift).await?);
        }
        written.push((id, shift_ids));
    }
    // A new mission is announced here (once for a series) to its group's members, and, when
    // everyone may read it, to the people near it who asked to hear of missions there.
    if let (Some((first, _)), false) = (written.first(), shifts.is_empty()) {
        let from = group.as_ref().map_or(author.id, |g| g.account.id);
        let mut told: Vec<i64> = match &group {
            Some(g) => db::groups::local_members(&mut tx, g.account.id).await?,
            None => Vec::new(),
        };
        if let (Some(status), Some(event)) = (
            db::statuses::by_id(&mut *tx, *first).await?,
            db::events::by_id(&mut *tx, *first).await?,
        ) {
            told.extend(
                crate::service::notifications::near_mission(&mut tx, &status, &event).await?,
            );
        }
        told.sort_unstable();
        told.dedup();
        let rows: Vec<_> = told
            .into_iter()
            .filter(|m| *m != author.id)
            .map(|m| (m, from, NotificationKind::MissionNew, Some(*first)))
            .collect();
        db::social::notify_many(&mut tx, &rows, crate::clock::now()).await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    // A mission is one post on the streams too: its shifts are part of it.
    state.streams.created(written.iter().map(|(id, _)| *id));
    let mut out = Vec::with_capacity(written.len());
    for (id, shift_ids) in written {
        let mut shifts = Vec::with_capacity(shift_ids.len());
        for s in shift_ids {
            shifts.push(get(state, Some(author.id), s).await?);
        }
        out.push((get(state, Some(author.id), id).await?, shifts));
    }
    Ok(out)
}

/// Drafts an event's post: its name as title, its text starting with when and where (feeds
/// and Mastodon apps show the text), in the group's `circle` when a group organizes it, with
/// its media.
async fn draft_event(
    state: &AppState,
    author: &AccountRow,
    group: Option<&Group>,
    circle: Circle,
    row: EventRow,
    description: &str,
    media_ids: Option<Vec<String>>,
) -> AppResult<statuses::Draft> {
    let name = row.name.clone();
    let compose = Compose {
        text: format!(
            "{}\n\n{}",
            when_where(state.config.default_locale, &row),
            description.trim()
        )
        .trim()
        .to_string(),
        visibility: Some(Visibility::Public),
        event: Some(row),
        media_ids,
        ..Default::default()
    };
    statuses::draft(
        state,
        author,
        compose,
        group.map(|g| (g, circle, Some(name))),
    )
    .await
}
