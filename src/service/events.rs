//! Events: creating one (for a person or in a group's circle), reading it, taking part (with
//! capacity, approval and a waiting list promoted when someone leaves), the organizers' view
//! of participants, and cancelling.
//!
//! An event is a post (see `service::statuses`): who may see it, where it appears and how it
//! federates come from there; the `events` row adds what makes it an event.

use super::{
    groups::{self, Group},
    statuses::{self, Compose},
};
use crate::{
    clock,
    db::{
        self,
        accounts::AccountRow,
        events::{EventRow, ParticipantRow},
        statuses::StatusRow,
    },
    domain::{
        Circle, Invalid, MemberRole, NotificationKind, Visibility,
        event::{self as rules, EventJoinMode, EventStatus, ParticipationState},
        group::{departement_of, parse_postcode},
    },
    error::{AppError, AppResult},
    service::outgoing::{self, Outgoing},
    state::AppState,
};
use axum::http::StatusCode;
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
}

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

fn opt(s: &Option<String>) -> Option<String> {
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

/// The line Mastodon readers see under the name: when, where, how to take part. Mastodon
/// shows an event's `name` and `summary` only, so everything needed is here.
pub fn summary_line(row: &EventRow, url: &str) -> String {
    format!("{} · ✋ {url}", when_where(row))
}

/// When and where, on one line (`📅 2026-12-05 09:00 – 12:00 (Europe/Paris) · 📍 place`).
pub fn when_where(row: &EventRow) -> String {
    let tz = row.timezone.0;
    let start = clock::to_datetime(row.starts_at).with_timezone(&tz);
    let end = clock::to_datetime(row.ends_at).with_timezone(&tz);
    let when = if start.date_naive() == end.date_naive() {
        format!(
            "{} – {}",
            start.format("%Y-%m-%d %H:%M"),
            end.format("%H:%M")
        )
    } else {
        format!(
            "{} – {}",
            start.format("%Y-%m-%d %H:%M"),
            end.format("%Y-%m-%d %H:%M")
        )
    };
    let mut parts = vec![format!("📅 {when} ({})", row.timezone)];
    let place: Vec<&str> = [
        row.place_name.as_deref(),
        row.street.as_deref(),
        row.postcode.as_deref(),
        row.locality.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.is_empty())
    .collect();
    if !place.is_empty() {
        parts.push(format!("📍 {}", place.join(", ")));
    }
    if let Some(online) = &row.online_url {
        parts.push(format!("🔗 {online}"));
    }
    if row.status == EventStatus::Cancelled {
        parts.insert(0, "❌ CANCELLED / ANNULÉ".to_string());
    }
    parts.join(" · ")
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
    let shifts = check_shifts(&mut input, &shifts)?;
    let checked = check_input(&input)?;
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
        let main = draft_event(
            state,
            author,
            group.as_ref(),
            checked.circle,
            row,
            &input.description,
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
            shift_drafts
                .push(draft_event(state, author, group.as_ref(), checked.circle, row, "").await?);
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
    tx.commit().await?;
    state.outbox_ready.notify_one();
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

/// A shift's start, end and the volunteers it needs.
type CheckedShift = (DateTime<Utc>, DateTime<Utc>, i64);

/// Checks a mission's shifts (none for an event): their times read in the mission's zone,
/// each in the future and ending after it starts, each needing 1 to 100,000 volunteers. The
/// mission then spans them. Returns them soonest first.
fn check_shifts(input: &mut NewEventInput, shifts: &[ShiftInput]) -> AppResult<Vec<CheckedShift>> {
    if shifts.is_empty() {
        return Ok(Vec::new());
    }
    let tz = rules::parse_timezone(input.timezone.as_deref().unwrap_or("Europe/Paris"))
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

/// Drafts an event's post: its name as title, its text starting with when and where (feeds
/// and Mastodon apps show the text), in the group's `circle` when a group organizes it.
async fn draft_event(
    state: &AppState,
    author: &AccountRow,
    group: Option<&Group>,
    circle: Circle,
    row: EventRow,
    description: &str,
) -> AppResult<statuses::Draft> {
    let name = row.name.clone();
    let compose = Compose {
        text: format!("{}\n\n{}", when_where(&row), description.trim())
            .trim()
            .to_string(),
        visibility: Some(Visibility::Public),
        event: Some(row),
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

/// What [`check_input`] read from an organizer's input.
struct Checked {
    name: String,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    tz: chrono_tz::Tz,
    status: EventStatus,
    join_mode: EventJoinMode,
    postcode: Option<String>,
    circle: Circle,
}

/// Checks what an organizer typed (creating or editing), naming every refused field.
fn check_input(input: &NewEventInput) -> AppResult<Checked> {
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
    let tz = match rules::parse_timezone(input.timezone.as_deref().unwrap_or("Europe/Paris")) {
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
fn row_of(checked: &Checked, input: &NewEventInput, group_departement: Option<String>) -> EventRow {
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

/// Refuses unless `who` organizes in a local group (moderators and administrators).
async fn organizer_role(state: &AppState, group: &Group, who: &AccountRow) -> AppResult<()> {
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

async fn require_organizer(state: &AppState, event: &Event, who: &AccountRow) -> AppResult<()> {
    if is_organizer(state, event, who).await? {
        Ok(())
    } else {
        Err(AppError::forbidden("error-event-organizers-only"))
    }
}

/// What became of a request to take part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// Takes part.
    Accepted,
    /// Waits for an organizer.
    Pending,
    /// On the waiting list.
    Waiting,
}

/// Refuses taking part in (or inviting to) a cancelled or past event, or one whose sign-up
/// happens elsewhere.
fn open_to_participants(event: &Event) -> AppResult<()> {
    if event.status() == EventStatus::Cancelled {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-event-cancelled",
        ));
    }
    if event.row.ends_at < clock::now() {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-event-past",
        ));
    }
    if event.join_mode() == EventJoinMode::External {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-event-external",
        ));
    }
    Ok(())
}

/// A local person asks to take part in a local event. A full event is refused unless
/// `waiting_list` is asked for.
pub async fn join(
    state: &AppState,
    who: &AccountRow,
    event: &Event,
    message: Option<&str>,
    waiting_list: bool,
) -> AppResult<Joined> {
    let message = message.unwrap_or_default().trim().to_string();
    crate::domain::check_length("message", &message, 0, groups::MAX_MESSAGE)
        .map_err(|e| AppError::invalid(vec![e]))?;
    open_to_participants(event)?;
    // An invitation lets in where only invited people may come, without approval.
    let invited = match db::events::participant(state.pool(), event.row.status_id, who.id).await? {
        // An organizer's refusal stands: no asking again.
        Some(p) if p.state == ParticipationState::Rejected => {
            return Err(AppError::forbidden("error-event-refused"));
        }
        Some(p) if p.state == ParticipationState::Invited => true,
        Some(_) => {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "error-event-already-joined",
            ));
        }
        None => false,
    };
    if event.join_mode() == EventJoinMode::Invite && !invited {
        return Err(AppError::forbidden("error-event-invite-only"));
    }
    let now = clock::now();
    if !event.is_local() {
        // The event's server decides: a `Join`, pending until it answers.
        let join_uri = format!("{}#joins/{}", who.uri, crate::crypto::random_code(16));
        let mut tx = state.db.begin().await?;
        let id = db::events::upsert_participant(
            &mut tx,
            event.row.status_id,
            who.id,
            ParticipationState::Pending,
            &message,
            Some(&join_uri),
            now,
        )
        .await?;
        outgoing::push(&mut tx, &Outgoing::JoinEvent { participant_id: id }).await?;
        tx.commit().await?;
        state.outbox_ready.notify_one();
        return Ok(Joined::Pending);
    }
    let mut tx = state.db.begin().await?;
    db::events::lock(&mut tx, event.row.status_id).await?;
    let taken = db::events::accepted_count(&mut *tx, event.row.status_id).await?;
    let full = event.row.capacity.is_some_and(|c| taken >= c);
    let outcome = if full {
        if !waiting_list {
            return Err(AppError::new(StatusCode::CONFLICT, "error-event-full"));
        }
        Joined::Waiting
    } else if event.join_mode() == EventJoinMode::Approval && !invited {
        Joined::Pending
    } else {
        Joined::Accepted
    };
    let state_name = match outcome {
        Joined::Accepted => ParticipationState::Accepted,
        Joined::Pending => ParticipationState::Pending,
        Joined::Waiting => ParticipationState::Waiting,
    };
    db::events::upsert_participant(
        &mut tx,
        event.row.status_id,
        who.id,
        state_name,
        &message,
        None,
        now,
    )
    .await?;
    if outcome == Joined::Accepted || outcome == Joined::Pending {
        tell_author(&mut tx, event, who, now).await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// Tells an event's author that `who` takes part or asks to.
async fn tell_author(
    tx: &mut sqlx::AnyConnection,
    event: &Event,
    who: &AccountRow,
    now: i64,
) -> AppResult<()> {
    let (author, id) = (event.status.account_id, Some(event.row.status_id));
    db::social::notify(
        tx,
        author,
        who.id,
        NotificationKind::EventParticipation,
        id,
        now,
    )
    .await?;
    Ok(())
}

/// Someone leaves an event; the first on the waiting list takes the free place.
pub async fn leave(state: &AppState, who: &AccountRow, event: &Event) -> AppResult<()> {
    let Some(p) = db::events::participant(state.pool(), event.row.status_id, who.id).await? else {
        return Ok(());
    };
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    db::events::lock(&mut tx, event.row.status_id).await?;
    db::events::delete_participant(&mut tx, p.id).await?;
    // Declining an invitation to a remote event: no Join was sent, so no Leave either.
    if !event.is_local() && p.state != ParticipationState::Invited {
        outgoing::push(
            &mut tx,
            &Outgoing::LeaveEvent {
                event_id: event.row.status_id,
                account_id: who.id,
            },
        )
        .await?;
    } else if p.state == ParticipationState::Accepted {
        promote(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(())
}

/// A remote person asks to take part in a local event (`Join`). Answered at once when there
/// is room and no approval is needed; a full event puts them on the waiting list (answered
/// when a place frees up); a cancelled, past or external event is refused, and an
/// invite-only one unless they were invited (an invitation also skips approval).
pub async fn join_received(
    state: &AppState,
    who: &AccountRow,
    event: &Event,
    join_uri: &str,
    message: &str,
) -> AppResult<ParticipationState> {
    // Taking part is reading: an event of a closed circle does not exist for anyone outside
    // it, whatever their server says (docs/SECURITY.md, rule T9).
    if !statuses::can_see(state, Some(who.id), &event.status).await? {
        return Err(AppError::not_found());
    }
    let message: String = message.trim().chars().take(groups::MAX_MESSAGE).collect();
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    db::events::lock(&mut tx, event.row.status_id).await?;
    let existing = db::events::participant(&mut *tx, event.row.status_id, who.id).await?;
    let invited = existing
        .as_ref()
        .is_some_and(|p| p.state == ParticipationState::Invited);
    let closed = open_to_participants(event).is_err()
        || (event.join_mode() == EventJoinMode::Invite && !invited);
    let taken = db::events::accepted_count(&mut *tx, event.row.status_id).await?;
    let asking_again = existing.as_ref().filter(|_| !invited).map(|p| p.state);
    let outcome = match asking_again {
        Some(s) => s,
        None if closed => ParticipationState::Rejected,
        None if event.row.capacity.is_some_and(|c| taken >= c) => ParticipationState::Waiting,
        None if event.join_mode() == EventJoinMode::Approval && !invited => {
            ParticipationState::Pending
        }
        None => ParticipationState::Accepted,
    };
    let id = db::events::upsert_participant(
        &mut tx,
        event.row.status_id,
        who.id,
        outcome,
        &message,
        Some(join_uri),
        now,
    )
    .await?;
    match outcome {
        ParticipationState::Accepted | ParticipationState::Rejected => {
            outgoing::push(
                &mut tx,
                &Outgoing::AnswerEventJoin {
                    participant_id: id,
                    accept: outcome == ParticipationState::Accepted,
                },
            )
            .await?;
        }
        _ => {}
    }
    if asking_again.is_none() && outcome != ParticipationState::Rejected {
        tell_author(&mut tx, event, who, now).await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(outcome)
}

/// A remote person leaves a local event (`Leave`, or `Undo` of their `Join`).
pub async fn leave_received(state: &AppState, who: &AccountRow, event: &Event) -> AppResult<bool> {
    let Some(p) = db::events::participant(state.pool(), event.row.status_id, who.id).await? else {
        return Ok(false);
    };
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    db::events::lock(&mut tx, event.row.status_id).await?;
    db::events::delete_participant(&mut tx, p.id).await?;
    if p.state == ParticipationState::Accepted {
        promote(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(true)
}

/// The server of a remote event answered a local person's `Join`.
pub async fn answered(
    state: &AppState,
    participation: &ParticipantRow,
    accept: bool,
) -> AppResult<()> {
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let new_state = if accept {
        ParticipationState::Accepted
    } else {
        ParticipationState::Rejected
    };
    db::events::set_state(&mut tx, participation.id, new_state, now).await?;
    if let Some(status) = db::statuses::by_id(&mut *tx, participation.event_id).await? {
        db::social::notify(
            &mut tx,
            participation.account_id,
            status.account_id,
            if accept {
                NotificationKind::EventAccepted
            } else {
                NotificationKind::EventRefused
            },
            Some(participation.event_id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Gives free places to the waiting list, first come first served.
async fn promote(conn: &mut sqlx::AnyConnection, event: &Event, now: i64) -> AppResult<()> {
    loop {
        let taken = db::events::accepted_count(&mut *conn, event.row.status_id).await?;
        if event.row.capacity.is_some_and(|c| taken >= c) {
            return Ok(());
        }
        let Some(next) = db::events::first_waiting(&mut *conn, event.row.status_id).await? else {
            return Ok(());
        };
        db::events::set_state(conn, next.id, ParticipationState::Accepted, now).await?;
        db::social::notify(
            conn,
            next.account_id,
            event.status.account_id,
            NotificationKind::EventPromoted,
            Some(event.row.status_id),
            now,
        )
        .await?;
        // Someone elsewhere waits for the answer to their Join.
        if next.uri.is_some() && !is_local_account(conn, next.account_id).await? {
            outgoing::push(
                conn,
                &Outgoing::AnswerEventJoin {
                    participant_id: next.id,
                    accept: true,
                },
            )
            .await?;
        }
    }
}

async fn is_local_account(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<bool> {
    Ok(db::accounts::by_id_in(&mut *conn, id)
        .await?
        .is_some_and(|a| a.is_local()))
}

/// The participants of an event (organizers only).
pub async fn participants(
    state: &AppState,
    who: &AccountRow,
    event: &Event,
) -> AppResult<Vec<ParticipantRow>> {
    require_organizer(state, event, who).await?;
    Ok(db::events::participants(state.pool(), event.row.status_id).await?)
}

/// The participants as CSV (organizers): handle, name, state, attendance, message, date.
/// Cells that a spreadsheet would run as formulas are quoted.
pub async fn participants_csv(
    state: &AppState,
    who: &AccountRow,
    event: &Event,
) -> AppResult<String> {
    let rows = participants(state, who, event).await?;
    let ids: Vec<i64> = rows.iter().map(|p| p.account_id).collect();
    let accounts = db::accounts::by_ids(state.pool(), &ids).await?;
    let mut out = String::from("handle,display_name,state,attended,message,requested_at\r\n");
    for p in &rows {
        let Some(a) = accounts.iter().find(|a| a.id == p.account_id) else {
            continue;
        };
        let handle = match &a.domain {
            Some(d) => format!("{}@{d}", a.username),
            None => format!("{}@{}", a.username, state.config.domain),
        };
        let attended = match p.attended {
            Some(1) => "yes",
            Some(_) => "no",
            None => "",
        };
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            groups::csv_field(&handle),
            groups::csv_field(&a.display_name),
            p.state,
            attended,
            groups::csv_field(&p.message),
            clock::to_rfc3339(p.created_at),
        ));
    }
    Ok(out)
}

/// What an organizer does with a participation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Accepts a pending request (if there is room).
    Approve,
    /// Refuses a request, or removes a participant.
    Reject,
    /// Records that they came.
    Attended,
    /// Records that they did not come.
    Absent,
}

/// An organizer invites someone (here or on another server) to a local event: they are told
/// (a notification here; an `Invite` to their server otherwise) and may then take part, even
/// when only invited people may. Someone who already takes part, asked, or was invited is
/// refused (409); someone refused before may be invited again.
pub async fn invite(
    state: &AppState,
    who: &AccountRow,
    event: &Event,
    target: &AccountRow,
) -> AppResult<ParticipantRow> {
    require_organizer(state, event, who).await?;
    if !event.is_local() {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-event-remote",
        ));
    }
    open_to_participants(event)?;
    if target.actor_type == "Group" {
        return Err(AppError::invalid(vec![Invalid::new(
            "account",
            "error-event-invite-person",
        )]));
    }
    // A members-only event stays members-only: an invitation does not open it to others.
    if !statuses::can_see(state, Some(target.id), &event.status).await? {
        return Err(AppError::invalid(vec![Invalid::new(
            "account",
            "error-event-invitee-cannot-see",
        )]));
    }
    if let Some(p) = db::events::participant(state.pool(), event.row.status_id, target.id).await?
        && p.state != ParticipationState::Rejected
    {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "error-event-already-invited",
        ));
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let id = db::events::upsert_participant(
        &mut tx,
        event.row.status_id,
        target.id,
        ParticipationState::Invited,
        "",
        None,
        now,
    )
    .await?;
    if target.is_local() {
        db::social::notify(
            &mut tx,
            target.id,
            who.id,
            NotificationKind::EventInvited,
            Some(event.row.status_id),
            now,
        )
        .await?;
    } else {
        outgoing::push(&mut tx, &Outgoing::InviteToEvent { participant_id: id }).await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    db::events::participant_by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// A remote event's organizer invited a local person (`Invite` of the event): they are told
/// and may take part. An invitation to someone already taking part, or to a cancelled or past
/// event, changes nothing. The caller checks that `by` speaks for the event.
pub async fn invited_received(
    state: &AppState,
    by: &AccountRow,
    event: &Event,
    invitee: &AccountRow,
) -> AppResult<bool> {
    if open_to_participants(event).is_err() {
        return Ok(false);
    }
    // An organizer changing their mind about someone refused may invite them again.
    if db::events::participant(state.pool(), event.row.status_id, invitee.id)
        .await?
        .is_some_and(|p| p.state != ParticipationState::Rejected)
    {
        return Ok(false);
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    db::events::upsert_participant(
        &mut tx,
        event.row.status_id,
        invitee.id,
        ParticipationState::Invited,
        "",
        None,
        now,
    )
    .await?;
    db::social::notify(
        &mut tx,
        invitee.id,
        by.id,
        NotificationKind::EventInvited,
        Some(event.row.status_id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// An organizer decides on a participation.
pub async fn decide(
    state: &AppState,
    who: &AccountRow,
    event: &Event,
    account_id: i64,
    decision: Decision,
) -> AppResult<ParticipantRow> {
    require_organizer(state, event, who).await?;
    let p = db::events::participant(state.pool(), event.row.status_id, account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let now = clock::now();
    match decision {
        Decision::Approve => {
            if p.state == ParticipationState::Accepted {
                return Ok(p);
            }
            // Invited people answer for themselves.
            if p.state == ParticipationState::Invited {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "error-event-invitation-unanswered",
                ));
            }
            let mut tx = state.db.begin().await?;
            db::events::lock(&mut tx, event.row.status_id).await?;
            let taken = db::events::accepted_count(&mut *tx, event.row.status_id).await?;
            if event.row.capacity.is_some_and(|c| taken >= c) {
                return Err(AppError::new(StatusCode::CONFLICT, "error-event-full"));
            }
            db::events::set_state(&mut tx, p.id, ParticipationState::Accepted, now).await?;
            db::social::notify(
                &mut tx,
                p.account_id,
                who.id,
                NotificationKind::EventAccepted,
                Some(event.row.status_id),
                now,
            )
            .await?;
            if !is_local_account(&mut tx, p.account_id).await? {
                outgoing::push(
                    &mut tx,
                    &Outgoing::AnswerEventJoin {
                        participant_id: p.id,
                        accept: true,
                    },
                )
                .await?;
            }
            tx.commit().await?;
            state.outbox_ready.notify_one();
        }
        Decision::Reject => {
            let mut tx = state.db.begin().await?;
            db::events::lock(&mut tx, event.row.status_id).await?;
            db::events::set_state(&mut tx, p.id, ParticipationState::Rejected, now).await?;
            if p.state == ParticipationState::Accepted {
                promote(&mut tx, event, now).await?;
            }
            if !is_local_account(&mut tx, p.account_id).await? {
                outgoing::push(
                    &mut tx,
                    &Outgoing::AnswerEventJoin {
                        participant_id: p.id,
                        accept: false,
                    },
                )
                .await?;
            }
            tx.commit().await?;
            state.outbox_ready.notify_one();
        }
        Decision::Attended | Decision::Absent => {
            if event.row.starts_at > now {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "error-event-not-started",
                ));
            }
            if p.state != ParticipationState::Accepted {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "error-event-not-participant",
                ));
            }
            db::events::set_attended(state.pool(), p.id, decision == Decision::Attended).await?;
        }
    }
    db::events::participant(state.pool(), event.row.status_id, account_id)
        .await?
        .ok_or_else(AppError::not_found)
}

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
    let checked = check_input(&input)?;
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
        let text = format!("{}\n\n{}", when_where(&row), input.description.trim())
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
        db::events::set_status(&mut tx, target.row.status_id, "cancelled", now).await?;
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
    get(state, Some(who.id), event.row.status_id).await
}

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

/// The events among `rows` that `viewer` may see, with their posts.
async fn visible_events(
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

/// Events as an iCalendar (RFC 5545) document that phone calendars can subscribe to. Times
/// are in UTC (`...Z`, valid without a VTIMEZONE); the organizer's zone is named in
/// `X-WR-TIMEZONE` for clients that show it.
pub fn icalendar(name: &str, list: &[Event]) -> String {
    use icalendar::{Calendar, Component, EventLike};
    let mut calendar = Calendar::new();
    calendar.name(name);
    if let Some(first) = list.first() {
        calendar.timezone(first.row.timezone.as_str());
    }
    for e in list {
        let url = e.status.url.clone().unwrap_or_else(|| e.status.uri.clone());
        let place: Vec<&str> = [
            e.row.place_name.as_deref(),
            e.row.street.as_deref(),
            e.row.postcode.as_deref(),
            e.row.locality.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect();
        let mut event = icalendar::Event::new();
        event
            .uid(&e.status.uri)
            .summary(&e.row.name)
            .description(&format!(
                "{}\n\n{url}",
                crate::domain::html::to_plain_text(&e.status.content)
            ))
            .starts(clock::to_datetime(e.row.starts_at))
            .ends(clock::to_datetime(e.row.ends_at))
            .timestamp(clock::to_datetime(
                e.row.updated_at.max(e.status.created_at),
            ))
            .url(&url)
            .status(match e.status() {
                EventStatus::Confirmed => icalendar::EventStatus::Confirmed,
                EventStatus::Tentative => icalendar::EventStatus::Tentative,
                EventStatus::Cancelled => icalendar::EventStatus::Cancelled,
            });
        if !place.is_empty() {
            event.location(&place.join(", "));
        } else if let Some(online) = &e.row.online_url {
            event.location(online);
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
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
    let found = search(
        state,
        Some(viewer.id),
        db::events::Search {
            from: Some(clock::now()),
            open_missions: true,
            limit: 500,
            ..Default::default()
        },
    )
    .await?;
    let mut out = Vec::new();
    for mission in found {
        let mine = mission
            .row
            .organizer_id
            .is_some_and(|o| my_groups.contains(&o));
        let near = departement.is_some() && mission.row.departement == departement;
        if !mine && !near {
            continue;
        }
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

/// Makes a new private calendar link for `who` (the previous one stops working); returns
/// its secret, shown once.
pub async fn new_calendar_link(state: &AppState, who: &AccountRow) -> AppResult<String> {
    let token = crate::crypto::random_token(32);
    db::events::set_calendar_link(
        state.pool(),
        who.id,
        &crate::crypto::token_hash(&token),
        clock::now(),
    )
    .await?;
    Ok(token)
}

/// Ends `who`'s private calendar link.
pub async fn revoke_calendar_link(state: &AppState, who: &AccountRow) -> AppResult<()> {
    Ok(db::events::delete_calendar_link(state.pool(), who.id).await?)
}

/// The events a private calendar link's owner takes part in or asked to (from a week ago),
/// as they may see them; `None` for an unknown or revoked link.
pub async fn calendar_of_link(state: &AppState, token: &str) -> AppResult<Option<Vec<Event>>> {
    let Some(owner) =
        db::events::calendar_link_owner(state.pool(), &crate::crypto::token_hash(token)).await?
    else {
        return Ok(None);
    };
    let since = clock::now() - 7 * 24 * 3600 * 1_000_000;
    let mut out = Vec::new();
    for id in db::events::events_of(state.pool(), owner).await? {
        if let Ok(e) = get(state, Some(owner), id).await
            && e.row.ends_at > since
        {
            out.push(e);
        }
    }
    out.sort_by_key(|e| e.row.starts_at);
    Ok(Some(out))
}

/// How long before an event its reminders go out.
pub const REMINDER_BEFORE_MICROS: i64 = 24 * 3_600_000_000;

/// Sends the day-before reminders that are due: each participant here is reminded (of events
/// here and elsewhere: every server reminds its own people, as Mobilizon does), and the
/// organizer of a local event is told when it (or a mission's shift) is still short of people. Each
/// event is claimed once, so several processes never remind twice. Returns how many events
/// were reminded.
pub async fn send_reminders(state: &AppState, now: i64) -> AppResult<usize> {
    let due = db::events::due_reminders(state.pool(), now, now + REMINDER_BEFORE_MICROS).await?;
    let mut sent = 0;
    let instance = if due.is_empty() {
        None
    } else {
        db::accounts::instance_actor(state.pool()).await?
    };
    for id in due {
        let Some(row) = db::events::by_id(state.pool(), id).await? else {
            continue;
        };
        let Some(status) = db::statuses::by_id(state.pool(), id).await? else {
            continue;
        };
        let participants = db::events::participants(state.pool(), id).await?;
        let taken = participants
            .iter()
            .filter(|p| p.state == ParticipationState::Accepted)
            .count() as i64;
        let mut tx = state.db.begin().await?;
        if !db::events::claim_reminder(&mut tx, id, now).await? {
            continue;
        }
        for p in participants
            .iter()
            .filter(|p| p.state == ParticipationState::Accepted)
        {
            if db::accounts::by_id_in(&mut *tx, p.account_id)
                .await?
                .is_some_and(|a| a.is_local())
            {
                db::social::notify(
                    &mut tx,
                    p.account_id,
                    status.account_id,
                    NotificationKind::EventReminder,
                    Some(id),
                    now,
                )
                .await?;
            }
        }
        // Told by the organizing group, or else by the instance (one cannot notify oneself).
        let teller = match row.organizer_id.filter(|o| *o != status.account_id) {
            Some(group) => Some(group),
            None => instance.as_ref().map(|a| a.id),
        };
        let short = status.local != 0 && row.capacity.is_some_and(|c| taken < c);
        if let Some(teller) = teller.filter(|_| short) {
            db::social::notify(
                &mut tx,
                status.account_id,
                teller,
                NotificationKind::EventShort,
                Some(id),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// Runs [`send_reminders`] every minute until `stop`.
pub async fn run_reminders(state: AppState, stop: tokio_util::sync::CancellationToken) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tick.tick() => {
                if let Err(e) = send_reminders(&state, clock::now()).await {
                    tracing::warn!(error = %e.message(crate::domain::Locale::En), "reminders failed");
                }
            }
        }
    }
}
