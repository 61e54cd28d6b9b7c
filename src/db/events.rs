//! `events` and `participants`: what makes a post an event (times, place, capacity, how to
//! take part, the shifts of a mission) and who takes part.

use super::Result;
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// The condition that keeps a mission's shifts out of a list of posts (`s`, the post): a
/// shift is part of its mission's post, never a post of its own in timelines, threads or
/// counts of answers. One lookup by the events' key per post read.
pub const NOT_SHIFT: &str =
    "NOT EXISTS (SELECT 1 FROM events sh WHERE sh.status_id = s.id AND sh.mission_id IS NOT NULL)";

/// An event (or a shift of a mission); its post is the `statuses` row of the same id.
#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    /// The post's id.
    pub status_id: i64,
    /// Its name.
    pub name: String,
    /// Start (Unix microseconds, UTC).
    pub starts_at: i64,
    /// End.
    pub ends_at: i64,
    /// Its time zone.
    pub timezone: crate::domain::event::Zone,
    /// Confirmed, tentative or cancelled.
    pub status: crate::domain::event::EventStatus,
    /// How people take part.
    pub join_mode: crate::domain::event::EventJoinMode,
    /// Where to sign up when `external`.
    pub external_url: Option<String>,
    /// Most participants (none: no limit).
    pub capacity: Option<i64>,
    /// Mobilizon's category.
    pub category: Option<String>,
    /// The place's name.
    pub place_name: Option<String>,
    /// Street address.
    pub street: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Town.
    pub locality: Option<String>,
    /// Département code (from the postcode).
    pub departement: Option<String>,
    /// Latitude, decimal.
    pub latitude: Option<String>,
    /// Longitude, decimal.
    pub longitude: Option<String>,
    /// A link for online events.
    pub online_url: Option<String>,
    /// The organizing group or person.
    pub organizer_id: Option<i64>,
    /// 1 for a mission.
    pub is_mission: i64,
    /// The mission a shift belongs to.
    pub mission_id: Option<i64>,
    /// For remote events, the count their server published.
    pub remote_participants: Option<i64>,
    /// Last change.
    pub updated_at: i64,
    /// The occurrences of one recurring event share this number.
    pub series_id: Option<i64>,
    /// The rule (RFC 5545 `RRULE`) that made the series.
    pub recurrence: Option<String>,
}

const EVENT_COLUMNS: &str = "status_id, name, starts_at, ends_at, timezone, status, join_mode, \
    external_url, capacity, category, place_name, street, postcode, locality, departement, \
    latitude, longitude, online_url, organizer_id, is_mission, mission_id, remote_participants, \
    updated_at, series_id, recurrence";

/// Inserts or replaces an event's row (a remote event seen again replaces its data).
pub async fn upsert(conn: &mut sqlx::AnyConnection, e: &EventRow) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO events ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) \
         ON CONFLICT (status_id) DO UPDATE SET name = excluded.name, \
         starts_at = excluded.starts_at, ends_at = excluded.ends_at, \
         timezone = excluded.timezone, status = excluded.status, \
         join_mode = excluded.join_mode, external_url = excluded.external_url, \
         capacity = excluded.capacity, category = excluded.category, \
         place_name = excluded.place_name, street = excluded.street, \
         postcode = excluded.postcode, locality = excluded.locality, \
         departement = excluded.departement, latitude = excluded.latitude, \
         longitude = excluded.longitude, online_url = excluded.online_url, \
         organizer_id = excluded.organizer_id, is_mission = excluded.is_mission, \
         mission_id = excluded.mission_id, remote_participants = excluded.remote_participants, \
         updated_at = excluded.updated_at, series_id = excluded.series_id, \
         recurrence = excluded.recurrence"
    )))
    .bind(e.status_id)
    .bind(&e.name)
    .bind(e.starts_at)
    .bind(e.ends_at)
    .bind(e.timezone)
    .bind(e.status)
    .bind(e.join_mode)
    .bind(&e.external_url)
    .bind(e.capacity)
    .bind(&e.category)
    .bind(&e.place_name)
    .bind(&e.street)
    .bind(&e.postcode)
    .bind(&e.locality)
    .bind(&e.departement)
    .bind(&e.latitude)
    .bind(&e.longitude)
    .bind(&e.online_url)
    .bind(e.organizer_id)
    .bind(e.is_mission)
    .bind(e.mission_id)
    .bind(e.remote_participants)
    .bind(e.updated_at)
    .bind(e.series_id)
    .bind(&e.recurrence)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An event by its post's id.
pub async fn by_id(db: impl AnyExecutor<'_>, id: i64) -> Result<Option<EventRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE status_id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Events by their posts' ids (in no particular order).
pub async fn by_ids(db: &AnyPool, ids: &[i64]) -> Result<Vec<EventRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE status_id IN ({})",
        super::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// The shifts of a mission, earliest first.
pub async fn shifts(db: &AnyPool, mission_id: i64) -> Result<Vec<EventRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE mission_id = $1 ORDER BY starts_at, status_id"
    )))
    .bind(mission_id)
    .fetch_all(db)
    .await
}

/// The occurrences of a series starting at or after `from`, soonest first.
pub async fn series_after(db: &AnyPool, series_id: i64, from: i64) -> Result<Vec<EventRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE series_id = $1 AND starts_at >= $2 \
         ORDER BY starts_at, status_id"
    )))
    .bind(series_id)
    .bind(from)
    .fetch_all(db)
    .await
}

/// Takes the event's row for the rest of the transaction, before counting its places: two
/// people taking the last place wait for each other (PostgreSQL locks the row; SQLite takes
/// its write lock now instead of failing later when a read turns into a write).
pub async fn lock(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    sqlx::query("UPDATE events SET updated_at = updated_at WHERE status_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Changes an event's status (and those of its shifts).
pub async fn set_status(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    status: crate::domain::event::EventStatus,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE events SET status = $2, updated_at = $3 WHERE status_id = $1 OR mission_id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What an agenda asks for.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Events ending after this time.
    pub from: Option<i64>,
    /// Events starting before this time.
    pub to: Option<i64>,
    /// Organized by one of these groups or people (empty: anyone).
    pub organizers: Vec<i64>,
    /// In this département.
    pub departement: Option<String>,
    /// Only missions (`Some(true)`) or only other events (`Some(false)`).
    pub missions: Option<bool>,
    /// Only missions with a shift short of volunteers.
    pub open_missions: bool,
    /// Only the occurrences of this series.
    pub series_id: Option<i64>,
    /// Include cancelled events.
    pub cancelled: bool,
    /// Most results.
    pub limit: i64,
    /// Results to skip.
    pub offset: i64,
}

/// Events (not shifts) matching a search, soonest first. Who may see each is checked by the
/// caller on the posts.
pub async fn search(db: &AnyPool, s: &Search) -> Result<Vec<EventRow>> {
    let organizers = if s.organizers.is_empty() {
        String::new()
    } else {
        // A group organizes an event only if it took the event in (its author is the group, or
        // the group placed it): an event from elsewhere naming a group is not its event
        // (docs/SECURITY.md, rule T5).
        format!(
            "AND e.organizer_id IN ({}) AND (EXISTS (SELECT 1 FROM statuses st \
             WHERE st.id = e.status_id AND st.account_id = e.organizer_id) \
             OR EXISTS (SELECT 1 FROM group_posts gp WHERE gp.group_id = e.organizer_id \
             AND gp.status_id = e.status_id)) ",
            super::placeholders(10, s.organizers.len())
        )
    };
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events e WHERE e.mission_id IS NULL \
         AND ($1 IS NULL OR e.ends_at > $1) AND ($2 IS NULL OR e.starts_at < $2) \
         AND ($3 IS NULL OR e.departement = $3) AND ($4 = 1 OR e.status <> 'cancelled') \
         AND ($5 IS NULL OR e.is_mission = $5) AND ($6 IS NULL OR e.series_id = $6) \
         AND ($7 = 0 OR (e.is_mission = 1 AND EXISTS (SELECT 1 FROM events sh \
              WHERE sh.mission_id = e.status_id AND sh.capacity IS NOT NULL \
              AND sh.capacity > (SELECT COUNT(*) FROM participants p \
                  WHERE p.event_id = sh.status_id AND p.state = 'accepted')))) \
         {organizers}ORDER BY e.starts_at, e.status_id LIMIT $8 OFFSET $9"
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(s.from)
        .bind(s.to)
        .bind(s.departement.as_deref())
        .bind(super::flag(s.cancelled))
        .bind(s.missions.map(super::flag))
        .bind(s.series_id)
        .bind(super::flag(s.open_missions))
        .bind(s.limit)
        .bind(s.offset);
    for id in &s.organizers {
        query = query.bind(*id);
    }
    query.fetch_all(db).await
}

/// A participation.
#[derive(Debug, Clone, FromRow)]
pub struct ParticipantRow {
    /// Its id.
    pub id: i64,
    /// The event (or shift).
    pub event_id: i64,
    /// Who.
    pub account_id: i64,
    /// Where the participation stands.
    pub state: crate::domain::event::ParticipationState,
    /// The message sent with the request.
    pub message: String,
    /// The Join activity's id.
    pub uri: Option<String>,
    /// 1 came, 0 did not, none not recorded.
    pub attended: Option<i64>,
    /// When asked.
    pub created_at: i64,
    /// When accepted.
    pub accepted_at: Option<i64>,
}

const PARTICIPANT_COLUMNS: &str =
    "id, event_id, account_id, state, message, uri, attended, created_at, accepted_at";

/// One person's participation in an event.
pub async fn participant(
    db: impl AnyExecutor<'_>,
    event_id: i64,
    account_id: i64,
) -> Result<Option<ParticipantRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE event_id = $1 AND account_id = $2"
    )))
    .bind(event_id)
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// A participation by its Join's id.
pub async fn participant_by_uri(db: &AnyPool, uri: &str) -> Result<Option<ParticipantRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE uri = $1"
    )))
    .bind(uri)
    .fetch_optional(db)
    .await
}

/// Records (or replaces) a participation; returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn upsert_participant(
    conn: &mut sqlx::AnyConnection,
    event_id: i64,
    account_id: i64,
    state: crate::domain::event::ParticipationState,
    message: &str,
    uri: Option<&str>,
    now: i64,
) -> Result<i64> {
    let accepted_at = (state == crate::domain::event::ParticipationState::Accepted).then_some(now);
    sqlx::query_scalar(
        "INSERT INTO participants (event_id, account_id, state, message, uri, created_at, \
         accepted_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (event_id, account_id) DO UPDATE SET state = excluded.state, \
         message = excluded.message, uri = excluded.uri, created_at = excluded.created_at, \
         accepted_at = excluded.accepted_at, attended = NULL RETURNING id",
    )
    .bind(event_id)
    .bind(account_id)
    .bind(state)
    .bind(message)
    .bind(uri)
    .bind(now)
    .bind(accepted_at)
    .fetch_one(&mut *conn)
    .await
}

/// Changes a participation's state.
pub async fn set_state(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    state: crate::domain::event::ParticipationState,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE participants SET state = $2, \
         accepted_at = CASE WHEN $2 = 'accepted' THEN $3 ELSE accepted_at END WHERE id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records whether a participant came.
pub async fn set_attended(db: &AnyPool, id: i64, attended: bool) -> Result<()> {
    sqlx::query("UPDATE participants SET attended = $2 WHERE id = $1")
        .bind(id)
        .bind(super::flag(attended))
        .execute(db)
        .await?;
    Ok(())
}

/// Removes a participation.
pub async fn delete_participant(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM participants WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How many take part (accepted).
pub async fn accepted_count(db: impl AnyExecutor<'_>, event_id: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM participants WHERE event_id = $1 AND state = 'accepted'",
    )
    .bind(event_id)
    .fetch_one(db)
    .await
}

/// Accepted participants of several events at once: (event id, count).
pub async fn accepted_counts(db: &AnyPool, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT event_id, COUNT(*) FROM participants WHERE state = 'accepted' \
         AND event_id IN ({}) GROUP BY event_id",
        super::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// The first person on the waiting list.
pub async fn first_waiting(
    db: impl AnyExecutor<'_>,
    event_id: i64,
) -> Result<Option<ParticipantRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE event_id = $1 \
         AND state = 'waiting' ORDER BY id LIMIT 1"
    )))
    .bind(event_id)
    .fetch_optional(db)
    .await
}

/// The participations of an event, in the order they came.
pub async fn participants(db: &AnyPool, event_id: i64) -> Result<Vec<ParticipantRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE event_id = $1 ORDER BY id"
    )))
    .bind(event_id)
    .fetch_all(db)
    .await
}

/// The events someone takes part in or asked to (ids), for their agenda and calendar.
pub async fn events_of(db: &AnyPool, account_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT event_id FROM participants WHERE account_id = $1 \
         AND state IN ('accepted', 'pending', 'waiting') ORDER BY event_id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// The inboxes of an event's remote participants (and people asking), with their account
/// ids, so changes reach them even when they do not follow the organizer.
pub async fn remote_participant_inboxes(db: &AnyPool, event_id: i64) -> Result<Vec<(i64, String)>> {
    let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
        "SELECT a.id, COALESCE(a.shared_inbox_url, a.inbox_url) FROM participants p \
         JOIN accounts a ON a.id = p.account_id \
         WHERE p.event_id = $1 AND p.state IN ('accepted', 'pending', 'waiting', 'invited') \
         AND a.domain IS NOT NULL AND a.deleted_at IS NULL",
    )
    .bind(event_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, inbox)| Some((id, inbox?)))
        .collect())
}

/// A participation by its id.
pub async fn participant_by_id(db: &AnyPool, id: i64) -> Result<Option<ParticipantRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Sets a person's private calendar link (replacing the previous one).
pub async fn set_calendar_link(
    db: &AnyPool,
    account_id: i64,
    token_hash: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO calendar_links (account_id, token_hash, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id) DO UPDATE SET token_hash = excluded.token_hash, \
         created_at = excluded.created_at",
    )
    .bind(account_id)
    .bind(token_hash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Ends a person's private calendar link.
pub async fn delete_calendar_link(db: &AnyPool, account_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM calendar_links WHERE account_id = $1")
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Whose private calendar link this is.
pub async fn calendar_link_owner(db: &AnyPool, token_hash: &str) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT account_id FROM calendar_links WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(db)
        .await
}

/// When a person's private calendar link was made, if they have one.
pub async fn calendar_link_made(db: &AnyPool, account_id: i64) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT created_at FROM calendar_links WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(db)
        .await
}

/// Events (and shifts) starting before `until`, not cancelled, not reminded yet: local ones,
/// and those of other servers in which someone here takes part.
pub async fn due_reminders(db: &AnyPool, now: i64, until: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT e.status_id FROM events e JOIN statuses s ON s.id = e.status_id \
         WHERE e.reminded_at IS NULL AND e.status <> 'cancelled' \
         AND e.starts_at > $1 AND e.starts_at <= $2 \
         AND (s.local = 1 OR EXISTS (SELECT 1 FROM participants p \
              JOIN accounts a ON a.id = p.account_id WHERE p.event_id = e.status_id \
              AND p.state = 'accepted' AND a.domain IS NULL)) \
         ORDER BY e.starts_at LIMIT 200",
    )
    .bind(now)
    .bind(until)
    .fetch_all(db)
    .await
}

/// Claims an event's reminder: true for the one process that gets to send it.
pub async fn claim_reminder(conn: &mut sqlx::AnyConnection, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE events SET reminded_at = $2 WHERE status_id = $1 AND reminded_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Local events of an organizer with a capacity, starting between `now` and `until`, not
/// cancelled, whose shortfall was not announced yet (soonest first).
pub async fn due_short_alerts(db: &AnyPool, now: i64, until: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT e.status_id FROM events e JOIN statuses s ON s.id = e.status_id \
         WHERE e.short_alerted_at IS NULL AND e.status <> 'cancelled' \
         AND e.capacity IS NOT NULL AND e.organizer_id IS NOT NULL AND s.local = 1 \
         AND e.starts_at > $1 AND e.starts_at <= $2 ORDER BY e.starts_at LIMIT 200",
    )
    .bind(now)
    .bind(until)
    .fetch_all(db)
    .await
}

/// Claims an event's shortfall announcement: true for the one process that makes it.
pub async fn claim_short_alert(conn: &mut sqlx::AnyConnection, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE events SET short_alerted_at = $2 WHERE status_id = $1 AND short_alerted_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Local events that ended between `since` and `now`, not cancelled, with participants,
/// whose organizer was not yet asked to record attendance (earliest first).
pub async fn due_attendance(db: &AnyPool, now: i64, since: i64) -> Result<Vec<i64>> {
    // `attendance_asked_at IS NULL` is the partial index's predicate, word for word.
    sqlx::query_scalar(
        "SELECT e.status_id FROM events e JOIN statuses s ON s.id = e.status_id \
         WHERE e.attendance_asked_at IS NULL AND e.ends_at <= $1 AND e.ends_at > $2 \
         AND e.status <> 'cancelled' AND s.local = 1 \
         AND EXISTS (SELECT 1 FROM participants p WHERE p.event_id = e.status_id \
              AND p.state = 'accepted') \
         ORDER BY e.ends_at LIMIT 200",
    )
    .bind(now)
    .bind(since)
    .fetch_all(db)
    .await
}

/// Claims an event's attendance request: true for the one process that sends it.
pub async fn claim_attendance(conn: &mut sqlx::AnyConnection, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE events SET attendance_asked_at = $2 WHERE status_id = $1 \
         AND attendance_asked_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How full an event is: accepted participants and places, a mission's summed over its shifts.
#[derive(Debug, Clone, Copy, FromRow)]
pub struct FillRow {
    /// The event.
    pub id: i64,
    /// Accepted participants (a remote event's as its server published them).
    pub taken: i64,
    /// Places (none: no limit; a mission's is none when a shift has no limit).
    pub capacity: Option<i64>,
}

/// The fill of several events at once. A mission's participants and places are its shifts'
/// (it has none of its own); a remote event's participants are those its server published.
pub async fn fills(db: &AnyPool, ids: &[i64]) -> Result<Vec<FillRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let accepted = |event: &str| {
        format!(
            "(SELECT COUNT(*) FROM participants p WHERE p.event_id = {event} \
             AND p.state = 'accepted')"
        )
    };
    let sql = format!(
        "SELECT e.status_id AS id, \
           CASE WHEN e.is_mission = 1 THEN CAST(COALESCE((SELECT SUM(CASE WHEN ss.local = 1 \
                  THEN {shift_accepted} ELSE COALESCE(sh.remote_participants, 0) END) \
                FROM events sh JOIN statuses ss ON ss.id = sh.status_id \
                WHERE sh.mission_id = e.status_id), 0) AS BIGINT) \
             WHEN s.local = 1 THEN {accepted} \
             ELSE COALESCE(e.remote_participants, 0) END AS taken, \
           CASE WHEN e.is_mission = 0 THEN e.capacity \
             WHEN EXISTS (SELECT 1 FROM events sh WHERE sh.mission_id = e.status_id \
                          AND sh.capacity IS NULL) THEN NULL \
             ELSE CAST((SELECT SUM(sh.capacity) FROM events sh \
                        WHERE sh.mission_id = e.status_id) AS BIGINT) END AS capacity \
         FROM events e JOIN statuses s ON s.id = e.status_id \
         WHERE e.status_id IN ({list})",
        shift_accepted = accepted("sh.status_id"),
        accepted = accepted("e.status_id"),
        list = super::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Where `account_id` stands in each of several events (those it has a participation in).
pub async fn standings(
    db: &AnyPool,
    account_id: i64,
    ids: &[i64],
) -> Result<Vec<(i64, crate::domain::event::ParticipationState)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT event_id, state FROM participants WHERE account_id = $1 AND event_id IN ({})",
        super::placeholders(2, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(account_id);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}
