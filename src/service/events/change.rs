//! Changing an event (editing, cancelling), one occurrence or the following ones of a series,
//! and who is told: every participant, and the other servers (an `Update`).

use super::{
    Event, get,
    input::{NewEventInput, check_input, row_of},
    participation::promote,
    present::when_where,
    require_organizer,
};
use crate::{
    clock,
    db::{
        self,
        accounts::AccountRow,
        events::{EventRow, ParticipantRow},
    },
    domain::{
        Invalid, NotificationKind,
        event::{EventStatus, ParticipationState},
    },
    error::{AppError, AppResult},
    service::{
        groups,
        outgoing::{self, Outgoing},
        statuses,
    },
    state::AppState,
};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};

/// Which occurrences of a recurring event a change applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Occurrences {
    /// This one only.
    #[default]
    This,
    /// This one and those that follow (of its series; the same as `This` for a single event).
    Following,
}

impl Occurrences {
    /// `this` or `following` (API and forms); empty is `this`.
    pub fn parse(s: Option<&str>) -> AppResult<Self> {
        match s.map(str::trim).unwrap_or("") {
            "" | "this" => Ok(Occurrences::This),
            "following" => Ok(Occurrences::Following),
            _ => Err(AppError::invalid(vec![Invalid::new(
                "occurrences",
                "error-event-scope",
            )])),
        }
    }
}

/// The events a change to `event` applies to: it, and with [`Occurrences::Following`] the
/// occurrences of its series that follow it and are not cancelled.
async fn targets(state: &AppState, event: &Event, scope: Occurrences) -> AppResult<Vec<Event>> {
    let mut out = vec![event.clone()];
    if let (Occurrences::Following, Some(series)) = (scope, event.row.series_id) {
        for row in db::events::series_after(state.pool(), series, event.row.starts_at).await? {
            if row.status_id == event.row.status_id || row.status == EventStatus::Cancelled {
                continue;
            }
            let status = db::statuses::by_id(state.pool(), row.status_id)
                .await?
                .ok_or_else(AppError::not_found)?;
            out.push(Event { status, row });
        }
    }
    Ok(out)
}

/// `t` moved as `from` moved to `to`: both old times read on the wall clock of their zone
/// `old_tz`, the result on that of `tz`. A change from 09:00 to 10:00 on one Saturday makes
/// 10:00 of every following Saturday, clock changes or not; a time a clock change skips
/// becomes the hour after.
fn moved(
    t: i64,
    from: i64,
    to: DateTime<Utc>,
    old_tz: chrono_tz::Tz,
    tz: chrono_tz::Tz,
) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    let wall = |micros: i64| {
        clock::to_datetime(micros)
            .with_timezone(&old_tz)
            .naive_local()
    };
    let delta = to.with_timezone(&tz).naive_local() - wall(from);
    let target = wall(t).checked_add_signed(delta)?;
    tz.from_local_datetime(&target)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(target + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|d| d.with_timezone(&Utc))
}

/// A checked change to one event, ready to be written.
struct Change {
    event: Event,
    row: EventRow,
    text: String,
    html: String,
    participants: Vec<ParticipantRow>,
}

/// An organizer edits a local event (name, text, times, place, capacity, how to take part),
/// or with [`Occurrences::Following`] also the occurrences of its series that follow (their
/// times moved as this one's are). Each change federates as an `Update` (to the audience and
/// the remote participants), the participants are told, and a larger capacity lets the
/// waiting list in. Every occurrence is checked before any is written; one transaction.
/// Returns `event` as changed.
pub async fn update(
    state: &AppState,
    who: &AccountRow,
    event: &Event,
    input: NewEventInput,
    scope: Occurrences,
) -> AppResult<Event> {
    require_organizer(state, event, who).await?;
    if !event.is_local() {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-event-remote",
        ));
    }
    if event.status() == EventStatus::Cancelled {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-event-cancelled",
        ));
    }
    let checked = check_input(&input, state.config.default_time_zone)?;
    // This occurrence's new media, checked before anything is written.
    let media = match &input.media_ids {
        Some(ids) => {
            Some(crate::service::media::for_post(state, who, ids, Some(event.row.status_id)).await?)
        }
        None => None,
    };
    let group_departement = match event.row.organizer_id {
        Some(o) => groups::load(state, o)
            .await?
            .and_then(|g| g.row.departement.clone()),
        None => None,
    };
    let now = clock::now();
    let mut changes = Vec::new();
    for target in targets(state, event, scope).await? {
        let (starts, ends) = if target.row.status_id == event.row.status_id {
            (checked.starts, checked.ends)
        } else {
            let tz = checked.tz;
            let old_tz = target.row.timezone.0;
            let (start, end) = (target.row.starts_at, target.row.ends_at);
            match (
                moved(start, event.row.starts_at, checked.starts, old_tz, tz),
                moved(end, event.row.ends_at, checked.ends, old_tz, tz),
            ) {
                (Some(s), Some(e)) => (s, e),
                _ => {
                    return Err(AppError::invalid(vec![Invalid::new(
                        "start_time",
                        "error-event-time-invalid",
                    )]));
                }
            }
        };
        let taken = db::events::accepted_count(state.pool(), target.row.status_id).await?;
        if let Some(c) = input.capacity
            && c < taken
        {
            return Err(AppError::invalid(vec![
                Invalid::new("capacity", "error-event-capacity-taken").arg("count", taken),
            ]));
        }
        // What the organizer typed, over what stays (its post, organizer, mission, series).
        let typed = row_of(&checked, &input, group_departement.clone());
        let row = EventRow {
            starts_at: starts.timestamp_micros(),
            ends_at: ends.timestamp_micros(),
            status_id: target.row.status_id,
            latitude: target.row.latitude.clone(),
            longitude: target.row.longitude.clone(),
            organizer_id: target.row.organizer_id,
            is_mission: target.row.is_mission,
            mission_id: target.row.mission_id,
            remote_participants: target.row.remote_participants,
            series_id: target.row.series_id,
            recurrence: target.row.recurrence.clone(),
            ..typed
        };
        let text = format!(
            "{}\n\n{}",
            when_where(state.config.default_locale, &row),
            input.description.trim()
        )
        .trim()
        .to_string();
        crate::domain::status::check_status_text(&text, "")?;
        let html = crate::domain::status::render(&text, &[], |t| statuses::tag_url(state, t));
        let participants = db::events::participants(state.pool(), target.row.status_id).await?;
        changes.push(Change {
            event: target,
            row,
            text,
            html,
            participants,
        });
    }
    let mut tx = state.db.begin().await?;
    for change in &changes {
        let id = change.row.status_id;
        db::events::lock(&mut tx, id).await?;
        // Checked again under the event's lock: someone may have signed up since the check
        // above, and a capacity below those taking part is refused (nothing written).
        let taken = db::events::accepted_count(&mut *tx, id).await?;
        if let Some(c) = change.row.capacity
            && c < taken
        {
            return Err(AppError::invalid(vec![
                Invalid::new("capacity", "error-event-capacity-taken").arg("count", taken),
            ]));
        }
        db::statuses::update_content(
            &mut tx,
            id,
            &change.html,
            Some(&change.text),
            "",
            false,
            now,
        )
        .await?;
        db::statuses::set_title(&mut tx, id, Some(&change.row.name)).await?;
        if let Some(media) = media.as_ref().filter(|_| id == event.row.status_id)
            && !db::media::attach(&mut tx, who.id, id, media, now).await?
        {
            return Err(crate::domain::Invalid::new("media_ids", "error-media-used").into());
        }
        db::events::upsert(&mut tx, &change.row).await?;
        let updated = Event {
            status: change.event.status.clone(),
            row: change.row.clone(),
        };
        promote(&mut tx, &updated, now).await?;
        changed(
            &mut tx,
            who,
            &change.event,
            &change.participants,
            NotificationKind::EventUpdated,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    for change in &changes {
        state.streams.edited(change.row.status_id);
    }
    get(state, Some(who.id), event.row.status_id).await
}

/// After a change by an organizer: every participant (but the organizer and those refused)
/// is told with a notification of `kind`, and the event's `Update` federates.
async fn changed(
    tx: &mut sqlx::AnyConnection,
    who: &AccountRow,
    event: &Event,
    participants: &[ParticipantRow],
    kind: NotificationKind,
    now: i64,
) -> AppResult<()> {
    for p in participants
        .iter()
        .filter(|p| p.state != ParticipationState::Rejected && p.account_id != who.id)
    {
        db::social::notify(
            tx,
            p.account_id,
            who.id,
            kind,
            Some(event.row.status_id),
            now,
        )
        .await?;
    }
    outgoing::push(
        tx,
        &Outgoing::UpdateStatus {
            status_id: event.row.status_id,
        },
    )
    .await?;
    Ok(())
}

/// Cancels an event, or with [`Occurrences::Following`] also the occurrences of its series
/// that follow: each status changes, the change federates (an `Update` with `ical:status`
/// CANCELLED), and every participant is told.
pub async fn cancel(
    state: &AppState,
    who: &AccountRow,
    event: &Event,
    scope: Occurrences,
) -> AppResult<Event> {
    require_organizer(state, event, who).await?;
    if !event.is_local() {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-event-remote",
        ));
    }
    let now = clock::now();
    let mut list = Vec::new();
    for target in targets(state, event, scope).await? {
        let participants = db::events::participants(state.pool(), target.row.status_id).await?;
        list.push((target, participants));
    }
    let mut tx = state.db.begin().await?;
    for (target, participants) in &list {
        db::events::set_status(&mut tx, target.row.status_id, EventStatus::Cancelled, now).await?;
        changed(
            &mut tx,
            who,
            target,
            participants,
            NotificationKind::EventCancelled,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    for (target, _) in &list {
        state.streams.edited(target.row.status_id);
    }
    get(state, Some(who.id), event.row.status_id).await
}
