//! What an organizer types (an event, a mission's shifts) and its checks: every refused field
//! is named, and a checked input becomes an event's row. Creating and editing share these.

use crate::{
    clock,
    db::events::EventRow,
    domain::{
        Circle, Invalid,
        event::{self as rules, EventJoinMode, EventStatus},
        group::{departement_of, parse_postcode},
    },
    error::{AppError, AppResult},
};
use chrono::{DateTime, Utc};

/// What an organizer submits.
#[derive(Debug, Clone, Default)]
pub struct NewEventInput {
    /// The event's name.
    pub name: String,
    /// What it is about (plain text, as posts are written).
    pub description: String,
    /// Start: RFC 3339, or a local time in `timezone`.
    pub start_time: String,
    /// End.
    pub end_time: String,
    /// IANA time zone (default `Europe/Paris`).
    pub timezone: Option<String>,
    /// The place's name.
    pub place_name: Option<String>,
    /// Street address.
    pub street: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Town.
    pub locality: Option<String>,
    /// A link for an online event.
    pub online_url: Option<String>,
    /// Mobilizon's category (default `MOVEMENTS_POLITICS`).
    pub category: Option<String>,
    /// `confirmed` (default) or `tentative`.
    pub status: Option<String>,
    /// Most participants (none: no limit).
    pub capacity: Option<i64>,
    /// `free` (default), `approval`, `invite`, `external`.
    pub join_mode: Option<String>,
    /// Where to sign up when `external`.
    pub external_url: Option<String>,
    /// The organizing group (its id or handle); none: the author organizes.
    pub group: Option<String>,
    /// In a group: `public`, `sympathizers`, `members` (default public).
    pub audience: Option<String>,
    /// Repeats by this rule (RFC 5545 `RRULE`, e.g. `FREQ=WEEKLY;UNTIL=20270626`), each
    /// occurrence an event of its own. Only when creating.
    pub recurrence: Option<String>,
    /// Media attached to the event's post (the event's picture first), as uploaded by the
    /// author: on a recurring event, the first occurrence carries them (a medium belongs to
    /// one post). On an edit, `None` keeps the post's media and `Some` replaces them (this
    /// occurrence's).
    pub media_ids: Option<Vec<String>>,
}

/// One shift of a mission, as an organizer types it.
#[derive(Debug, Clone, Default)]
pub struct ShiftInput {
    /// Start: RFC 3339, or a local time in the mission's zone.
    pub start_time: String,
    /// End.
    pub end_time: String,
    /// Volunteers needed.
    pub needed: i64,
}

pub(super) fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn check_url(field: &'static str, value: &Option<String>, errors: &mut Vec<Invalid>) {
    if let Some(u) = opt(value)
        && !url::Url::parse(&u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        errors.push(Invalid::new(field, "error-event-url"));
    }
}

/// What [`check_input`] read from an organizer's input.
pub(super) struct Checked {
    pub(super) name: String,
    pub(super) starts: DateTime<Utc>,
    pub(super) ends: DateTime<Utc>,
    pub(super) tz: chrono_tz::Tz,
    pub(super) status: EventStatus,
    pub(super) join_mode: EventJoinMode,
    pub(super) postcode: Option<String>,
    pub(super) circle: Circle,
}

/// Checks what an organizer typed (creating or editing), naming every refused field.
/// Events without a zone take `default_zone` (the instance's).
pub(super) fn check_input(
    input: &NewEventInput,
    default_zone: chrono_tz::Tz,
) -> AppResult<Checked> {
    let mut errors = Vec::new();
    let name = input.name.trim().to_string();
    if let Err(e) = rules::check_name(&name) {
        errors.push(e);
    }
    if let Err(e) = crate::domain::check_length(
        "description",
        input.description.trim(),
        0,
        rules::MAX_DESCRIPTION,
    ) {
        errors.push(e);
    }
    let tz = match rules::parse_timezone(input.timezone.as_deref().unwrap_or(default_zone.name())) {
        Ok(tz) => Some(tz),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let mut times: (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = (None, None);
    if let Some(tz) = tz {
        match rules::parse_time("start_time", &input.start_time, tz) {
            Ok(t) => times.0 = Some(t),
            Err(e) => errors.push(e),
        }
        match rules::parse_time("end_time", &input.end_time, tz) {
            Ok(t) => times.1 = Some(t),
            Err(e) => errors.push(e),
        }
    }
    if let (Some(s), Some(e)) = times
        && let Err(err) = rules::check_times(s, e)
    {
        errors.push(err);
    }
    if let Some(s) = times.0
        && s < Utc::now()
    {
        errors.push(Invalid::new("start_time", "error-event-in-past"));
    }
    if let Err(e) = rules::check_capacity("capacity", input.capacity) {
        errors.push(e);
    }
    let join_mode = match rules::EventJoinMode::parse(input.join_mode.as_deref().unwrap_or("")) {
        Ok(m) => m,
        Err(e) => {
            errors.push(e);
            EventJoinMode::Free
        }
    };
    if join_mode == EventJoinMode::External && opt(&input.external_url).is_none() {
        errors.push(Invalid::new("external_url", "error-required"));
    }
    check_url("external_url", &input.external_url, &mut errors);
    check_url("online_url", &input.online_url, &mut errors);
    let status = match input.status.as_deref().map(EventStatus::parse) {
        None => EventStatus::Confirmed,
        Some(Ok(EventStatus::Cancelled)) | Some(Err(_)) => {
            errors.push(Invalid::new("event_status", "error-event-status"));
            EventStatus::Confirmed
        }
        Some(Ok(s)) => s,
    };
    let postcode = match opt(&input.postcode).map(|p| parse_postcode(&p)) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
    };
    for (field, value, max) in [
        ("place_name", &input.place_name, 200),
        ("street", &input.street, 200),
        ("locality", &input.locality, 100),
        ("category", &input.category, 50),
    ] {
        if let Some(v) = opt(value)
            && let Err(e) = crate::domain::check_length(field, &v, 0, max)
        {
            errors.push(e);
        }
    }
    let circle = match input.audience.as_deref().filter(|a| !a.trim().is_empty()) {
        None => Circle::Public,
        Some(a) => match Circle::parse(a.trim()) {
            Ok(c) => c,
            Err(e) => {
                errors.push(e);
                Circle::Public
            }
        },
    };
    let (Some(starts), Some(ends), Some(tz)) = (times.0, times.1, tz) else {
        return Err(AppError::invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    Ok(Checked {
        name,
        starts,
        ends,
        tz,
        status,
        join_mode,
        postcode,
        circle,
    })
}

/// An event's row as an organizer typed it (what creating and editing share); the rest
/// (post, organizer, mission, series) is the caller's. Without a place of its own, an event is
/// in its group's département.
pub(super) fn row_of(
    checked: &Checked,
    input: &NewEventInput,
    group_departement: Option<String>,
) -> EventRow {
    EventRow {
        status_id: 0,
        name: checked.name.clone(),
        starts_at: checked.starts.timestamp_micros(),
        ends_at: checked.ends.timestamp_micros(),
        timezone: rules::Zone(checked.tz),
        status: checked.status,
        join_mode: checked.join_mode,
        external_url: opt(&input.external_url),
        capacity: input.capacity,
        category: Some(opt(&input.category).unwrap_or_else(|| "MOVEMENTS_POLITICS".into())),
        place_name: opt(&input.place_name),
        street: opt(&input.street),
        departement: checked
            .postcode
            .as_deref()
            .map(departement_of)
            .or(group_departement),
        postcode: checked.postcode.clone(),
        locality: opt(&input.locality),
        latitude: None,
        longitude: None,
        online_url: opt(&input.online_url),
        organizer_id: None,
        is_mission: 0,
        mission_id: None,
        remote_participants: None,
        updated_at: clock::now(),
        series_id: None,
        recurrence: None,
    }
}

/// A shift's start, end and the volunteers it needs.
type CheckedShift = (DateTime<Utc>, DateTime<Utc>, i64);

/// Checks a mission's shifts (none for an event): their times read in the mission's zone,
/// each in the future and ending after it starts, each needing 1 to 100,000 volunteers. The
/// mission then spans them. Returns them soonest first.
pub(super) fn check_shifts(
    input: &mut NewEventInput,
    shifts: &[ShiftInput],
    default_zone: chrono_tz::Tz,
) -> AppResult<Vec<CheckedShift>> {
    if shifts.is_empty() {
        return Ok(Vec::new());
    }
    let tz = rules::parse_timezone(input.timezone.as_deref().unwrap_or(default_zone.name()))
        .map_err(|e| AppError::invalid(vec![e]))?;
    if shifts.len() > rules::MAX_SHIFTS {
        return Err(AppError::invalid(vec![
            Invalid::new("shifts", "error-event-shift-count").arg("max", rules::MAX_SHIFTS),
        ]));
    }
    let mut parsed = Vec::with_capacity(shifts.len());
    let now = Utc::now();
    for shift in shifts {
        let start = rules::parse_time("shifts", &shift.start_time, tz);
        let end = rules::parse_time("shifts", &shift.end_time, tz);
        let (start, end) = match (start, end) {
            (Ok(s), Ok(e)) => (s, e),
            (Err(e), _) | (_, Err(e)) => return Err(AppError::invalid(vec![e])),
        };
        rules::check_times(start, end).map_err(|_| {
            AppError::invalid(vec![Invalid::new("shifts", "error-event-end-before-start")])
        })?;
        if start < now {
            return Err(AppError::invalid(vec![Invalid::new(
                "shifts",
                "error-event-in-past",
            )]));
        }
        rules::check_capacity("shifts", Some(shift.needed))
            .map_err(|e| AppError::invalid(vec![e]))?;
        parsed.push((start, end, shift.needed));
    }
    parsed.sort_by_key(|(s, _, _)| *s);
    let first = parsed.iter().map(|(s, _, _)| *s).min().unwrap_or(now);
    let last = parsed.iter().map(|(_, e, _)| *e).max().unwrap_or(now);
    rules::check_times(first, last).map_err(|e| AppError::invalid(vec![e]))?;
    input.start_time = first.to_rfc3339();
    input.end_time = last.to_rfc3339();
    input.capacity = None;
    Ok(parsed)
}
