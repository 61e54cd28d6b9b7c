//! coopol's API for events: create, search, read, cancel; take part (with a message, or on
//! the waiting list) and leave; the organizers' participant list and decisions.

use super::super::mastodon::{
    entities::Account,
    extract::{Auth, MaybeAuth, Params, lenient},
    hydrate,
    statuses::{me, viewer},
};
use crate::{
    clock, db,
    domain::Invalid,
    error::{AppError, AppResult},
    service::events::{self, Decision, Event, Joined, NewEventInput},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, RawQuery, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

/// The routes of the events API.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/coopol/v1/events", get(search).post(create))
        .route("/api/coopol/v1/events/{id}", get(show).put(update))
        .route("/api/coopol/v1/events/{id}/cancel", post(cancel))
        .route(
            "/api/coopol/v1/events/{id}/participation",
            post(join).delete(leave),
        )
        .route("/api/coopol/v1/events/{id}/participants", get(participants))
        .route(
            "/api/coopol/v1/events/{id}/participants.csv",
            get(participants_csv),
        )
        .route("/api/coopol/v1/events/{id}/shifts", get(shifts))
        .route(
            "/api/coopol/v1/events/{id}/shifts/{shift_id}/participation",
            post(join_shift).delete(leave_shift),
        )
        .route("/api/coopol/v1/missions", get(board))
        .route(
            "/api/coopol/v1/events/{id}/participants/{account_id}/{action}",
            post(decide),
        )
}

/// Where an event takes place.
#[derive(Debug, Serialize)]
pub struct EventPlace {
    name: Option<String>,
    street: Option<String>,
    postcode: Option<String>,
    locality: Option<String>,
    departement: Option<String>,
}

/// An event as the API shows it.
#[derive(Debug, Serialize)]
pub struct EventEntity {
    id: String,
    uri: String,
    url: Option<String>,
    name: String,
    description: String,
    start_time: String,
    end_time: String,
    timezone: String,
    status: String,
    join_mode: String,
    external_url: Option<String>,
    capacity: Option<i64>,
    participants_count: i64,
    remaining: Option<i64>,
    place: EventPlace,
    online_url: Option<String>,
    category: Option<String>,
    organizer_id: Option<String>,
    group_id: Option<String>,
    audience: Option<String>,
    local: bool,
    /// A mission (its shifts are at `/events/{id}/shifts`).
    is_mission: bool,
    /// The mission a shift belongs to.
    mission_id: Option<String>,
    /// The occurrences of one recurring event share it (search them with `series`).
    series_id: Option<String>,
    /// The rule (RFC 5545 `RRULE`) that made the series.
    recurrence: Option<String>,
    /// The caller's participation: `accepted`, `pending`, `waiting`, `rejected`, or null.
    participation: Option<String>,
}

async fn entity(state: &AppState, e: &Event, viewer: Option<i64>) -> AppResult<EventEntity> {
    let fill = events::fills(state, &[e.row.status_id])
        .await?
        .remove(&e.row.status_id)
        .unwrap_or_default();
    let participation = match viewer {
        Some(v) => events::standing(state, e.row.status_id, v).await?,
        None => None,
    };
    let r = &e.row;
    Ok(EventEntity {
        id: r.status_id.to_string(),
        uri: e.status.uri.clone(),
        url: e.status.url.clone(),
        name: r.name.clone(),
        description: e.status.content.clone(),
        start_time: clock::to_rfc3339(r.starts_at),
        end_time: clock::to_rfc3339(r.ends_at),
        timezone: r.timezone.to_string(),
        status: r.status.to_string(),
        join_mode: r.join_mode.to_string(),
        external_url: r.external_url.clone(),
        capacity: fill.capacity,
        participants_count: fill.taken,
        remaining: fill.remaining(),
        place: EventPlace {
            name: r.place_name.clone(),
            street: r.street.clone(),
            postcode: r.postcode.clone(),
            locality: r.locality.clone(),
            departement: r.departement.clone(),
        },
        online_url: r.online_url.clone(),
        category: r.category.clone(),
        organizer_id: r.organizer_id.map(|o| o.to_string()),
        group_id: e.status.group_id.map(|g| g.to_string()),
        audience: e.status.circle.map(|c| c.to_string()),
        local: e.is_local(),
        is_mission: r.is_mission != 0,
        mission_id: r.mission_id.map(|m| m.to_string()),
        series_id: r.series_id.map(|m| m.to_string()),
        recurrence: r.recurrence.clone(),
        participation: participation.map(|p| p.to_string()),
    })
}

fn event_id(id: &str) -> AppResult<i64> {
    id.trim().parse().map_err(|_| AppError::not_found())
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    description: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    start_time: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    end_time: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    timezone: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    place_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    street: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    postcode: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    locality: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    online_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    category: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    event_status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    capacity: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    join_mode: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    external_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    group: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    audience: Option<String>,
    /// Repeats by this rule (creating only).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    recurrence: Option<String>,
    /// Editing: `this` occurrence (default) or `following` ones too.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    scope: Option<String>,
    /// A mission's shifts.
    #[serde(default)]
    shifts: Option<Vec<ShiftForm>>,
}

#[derive(Deserialize)]
struct ShiftForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    start_time: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    end_time: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    needed: Option<String>,
}

/// An organizer's input from the request.
fn input_of(f: CreateForm) -> AppResult<NewEventInput> {
    let capacity = match f
        .capacity
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| AppError::invalid(vec![Invalid::new("capacity", "error-number")]))?,
        ),
    };
    Ok(NewEventInput {
        name: f.name.unwrap_or_default(),
        description: f.description.unwrap_or_default(),
        start_time: f.start_time.unwrap_or_default(),
        end_time: f.end_time.unwrap_or_default(),
        timezone: f.timezone,
        place_name: f.place_name,
        street: f.street,
        postcode: f.postcode,
        locality: f.locality,
        online_url: f.online_url,
        category: f.category,
        status: f.event_status,
        capacity,
        join_mode: f.join_mode,
        external_url: f.external_url,
        group: f.group,
        audience: f.audience,
        recurrence: f.recurrence,
        media_ids: None,
    })
}

/// `POST /api/coopol/v1/events`.
async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Params(mut f): Params<CreateForm>,
) -> AppResult<Response> {
    let me = me(&auth, &["write"])?;
    let shifts = f.shifts.take();
    let input = input_of(f)?;
    let event = match shifts {
        Some(shifts) => {
            let mut parsed = Vec::with_capacity(shifts.len());
            for shift in shifts {
                let needed = shift
                    .needed
                    .as_deref()
                    .map(str::trim)
                    .unwrap_or_default()
                    .parse::<i64>()
                    .map_err(|_| {
                        AppError::invalid(vec![
                            Invalid::new("shifts", "error-event-capacity")
                                .arg("max", crate::domain::event::MAX_CAPACITY),
                        ])
                    })?;
                parsed.push(events::ShiftInput {
                    start_time: shift.start_time.unwrap_or_default(),
                    end_time: shift.end_time.unwrap_or_default(),
                    needed,
                });
            }
            events::create_mission(&state, &me, input, parsed).await?.0
        }
        None => events::create(&state, &me, input).await?,
    };
    let body = entity(&state, &event, Some(me.id)).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    group: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    from: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    to: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    postcode: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    departement: Option<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    include_cancelled: bool,
    /// `event` or `mission`.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    kind: Option<String>,
    /// Only missions with a shift short of volunteers.
    #[serde(default, deserialize_with = "lenient::bool")]
    open_shifts: bool,
    /// The occurrences of a recurring event.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    series: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    offset: Option<String>,
}

fn time(field: &'static str, v: Option<&str>) -> AppResult<Option<i64>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.timestamp_micros()))
            .map_err(|_| AppError::invalid(vec![Invalid::new(field, "error-event-time-invalid")])),
    }
}

/// `GET /api/coopol/v1/events`: upcoming events the caller may see, soonest first.
async fn search(
    State(state): State<AppState>,
    auth: MaybeAuth,
    RawQuery(raw): RawQuery,
    Params(q): Params<SearchQuery>,
) -> AppResult<Response> {
    let viewer = viewer(&auth);
    let limit = super::number("limit", q.limit.as_deref(), 40)?.clamp(1, 200);
    let offset = super::number("offset", q.offset.as_deref(), 0)?.max(0);
    // A federation's agenda holds its sections' events too.
    let organizers = match q.group.as_deref().filter(|g| !g.trim().is_empty()) {
        Some(g) => {
            let group = crate::service::groups::find(&state, g, viewer.is_some()).await?;
            events::agenda_organizers(&state, &group).await?
        }
        None => Vec::new(),
    };
    let missions = match q.kind.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("mission") => Some(true),
        Some("event") => Some(false),
        Some(_) => {
            return Err(AppError::invalid(vec![Invalid::new(
                "kind",
                "error-event-kind",
            )]));
        }
    };
    let series_id = match q.series.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<i64>()
                .map_err(|_| AppError::invalid(vec![Invalid::new("series", "error-number")]))?,
        ),
    };
    let departement = match (q.departement, q.postcode) {
        (Some(d), _) if !d.trim().is_empty() => Some(d.trim().to_ascii_uppercase()),
        (_, Some(p)) if !p.trim().is_empty() => {
            let p =
                crate::domain::group::parse_postcode(&p).map_err(|e| AppError::invalid(vec![e]))?;
            Some(crate::domain::group::departement_of(&p))
        }
        _ => None,
    };
    let (found, next) = events::search_page(
        &state,
        viewer,
        db::events::Search {
            from: Some(time("from", q.from.as_deref())?.unwrap_or_else(clock::now)),
            to: time("to", q.to.as_deref())?,
            organizers,
            departement,
            missions,
            open_missions: q.open_shifts,
            series_id,
            cancelled: q.include_cancelled,
            limit,
            offset,
        },
        limit as usize,
    )
    .await?;
    let mut out = Vec::with_capacity(found.len());
    for e in &found {
        out.push(entity(&state, e, viewer).await?);
    }
    let mut response = Json(out).into_response();
    // Events hidden from the caller are skipped, so the next page's offset is given.
    if let Some(next) = next {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            if k != "offset" {
                query.append_pair(&k, &v);
            }
        }
        query.append_pair("offset", &next.to_string());
        let link = format!(
            "<{}>; rel=\"next\"",
            state
                .config
                .url(&format!("/api/coopol/v1/events?{}", query.finish()))
        );
        if let Ok(value) = header::HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

/// `GET /api/coopol/v1/events/{id}`.
async fn show(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> AppResult<Json<EventEntity>> {
    let viewer = viewer(&auth);
    let event = events::get(&state, viewer, event_id(&id)?).await?;
    Ok(Json(entity(&state, &event, viewer).await?))
}

/// `PUT /api/coopol/v1/events/{id}`: an organizer edits an event (every field is given
/// again, as when creating; the group and audience stay).
async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(f): Params<CreateForm>,
) -> AppResult<Json<EventEntity>> {
    let me = me(&auth, &["write"])?;
    let event = events::get(&state, Some(me.id), event_id(&id)?).await?;
    let scope = events::Occurrences::parse(f.scope.as_deref())?;
    let event = events::update(&state, &me, &event, input_of(f)?, scope).await?;
    Ok(Json(entity(&state, &event, Some(me.id)).await?))
}

#[derive(Deserialize)]
struct ScopeForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    scope: Option<String>,
}

/// `POST /api/coopol/v1/events/{id}/cancel` (organizers; `scope=following` cancels the
/// occurrences that follow too).
async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(f): Params<ScopeForm>,
) -> AppResult<Json<EventEntity>> {
    let me = me(&auth, &["write"])?;
    let event = events::get(&state, Some(me.id), event_id(&id)?).await?;
    let scope = events::Occurrences::parse(f.scope.as_deref())?;
    let event = events::cancel(&state, &me, &event, scope).await?;
    Ok(Json(entity(&state, &event, Some(me.id)).await?))
}

#[derive(Deserialize)]
struct JoinForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    message: Option<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    waiting_list: bool,
}

/// `POST /api/coopol/v1/events/{id}/participation`.
async fn join(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(f): Params<JoinForm>,
) -> AppResult<Json<EventEntity>> {
    let me = me(&auth, &["write"])?;
    let event = events::get(&state, Some(me.id), event_id(&id)?).await?;
    let _: Joined = events::join(&state, &me, &event, f.message.as_deref(), f.waiting_list).await?;
    Ok(Json(entity(&state, &event, Some(me.id)).await?))
}

/// `DELETE /api/coopol/v1/events/{id}/participation`.
async fn leave(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<EventEntity>> {
    let me = me(&auth, &["write"])?;
    let event = events::get(&state, Some(me.id), event_id(&id)?).await?;
    events::leave(&state, &me, &event).await?;
    Ok(Json(entity(&state, &event, Some(me.id)).await?))
}

/// A participation as organizers see it.
#[derive(Debug, Serialize)]
pub struct ParticipantEntity {
    account: Account,
    state: String,
    message: String,
    attended: Option<bool>,
    requested_at: String,
}

async fn participant_entities(
    state: &AppState,
    rows: &[db::events::ParticipantRow],
) -> AppResult<Vec<ParticipantEntity>> {
    let ids: Vec<i64> = rows.iter().map(|p| p.account_id).collect();
    let accounts = crate::service::directory::by_id_map(state, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        let Some(a) = accounts.get(&p.account_id) else {
            continue;
        };
        out.push(ParticipantEntity {
            account: hydrate::account(state, a).await?,
            state: p.state.to_string(),
            message: p.message.clone(),
            attended: p.attended.map(|a| a != 0),
            requested_at: clock::to_rfc3339(p.created_at),
        });
    }
    Ok(out)
}

/// `GET /api/coopol/v1/events/{id}/participants` (organizers).
async fn participants(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<ParticipantEntity>>> {
    let me = me(&auth, &["read"])?;
    let event = events::get(&state, Some(me.id), event_id(&id)?).await?;
    let rows = events::participants(&state, &me, &event).await?;
    Ok(Json(participant_entities(&state, &rows).await?))
}

/// `GET /api/coopol/v1/events/{id}/participants.csv` (organizers).
async fn participants_csv(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = me(&auth, &["read"])?;
    let event = events::get(&state, Some(me.id), event_id(&id)?).await?;
    let csv = events::participants_csv(&state, &me, &event).await?;
    Ok(crate::download::csv(
        &format!("participants-{}", event.row.status_id),
        csv,
    ))
}

/// `POST /api/coopol/v1/events/{id}/participants/{account_id}/{approve|reject|attended|absent}`,
/// and `.../invite` to invite someone (here or on another server).
async fn decide(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, account_id, action)): Path<(String, String, String)>,
) -> AppResult<Json<Vec<ParticipantEntity>>> {
    let me = me(&auth, &["write"])?;
    let event = events::get(&state, Some(me.id), event_id(&id)?).await?;
    let account_id: i64 = account_id.parse().map_err(|_| AppError::not_found())?;
    if action == "invite" {
        let target = crate::service::directory::existing(&state, account_id).await?;
        let row = events::invite(&state, &me, &event, &target).await?;
        return Ok(Json(participant_entities(&state, &[row]).await?));
    }
    let decision = match action.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        "attended" => Decision::Attended,
        "absent" => Decision::Absent,
        _ => return Err(AppError::not_found()),
    };
    let row = events::decide(&state, &me, &event, account_id, decision).await?;
    Ok(Json(participant_entities(&state, &[row]).await?))
}

/// `GET /api/coopol/v1/events/{id}/shifts`: a mission's shifts, with their fill.
async fn shifts(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<EventEntity>>> {
    let viewer = viewer(&auth);
    let mission = events::get(&state, viewer, event_id(&id)?).await?;
    let mut out = Vec::new();
    for shift in events::shifts(&state, viewer, &mission).await? {
        out.push(entity(&state, &shift, viewer).await?);
    }
    Ok(Json(out))
}

/// `POST /api/coopol/v1/events/{id}/shifts/{shift_id}/participation`: sign up for a shift.
async fn join_shift(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, shift_id)): Path<(String, String)>,
    Params(f): Params<JoinForm>,
) -> AppResult<Json<EventEntity>> {
    let me = me(&auth, &["write"])?;
    let mission = events::get(&state, Some(me.id), event_id(&id)?).await?;
    let shift = events::shift_of(&state, Some(me.id), &mission, event_id(&shift_id)?).await?;
    events::join(&state, &me, &shift, f.message.as_deref(), f.waiting_list).await?;
    Ok(Json(entity(&state, &shift, Some(me.id)).await?))
}

/// `DELETE /api/coopol/v1/events/{id}/shifts/{shift_id}/participation`.
async fn leave_shift(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, shift_id)): Path<(String, String)>,
) -> AppResult<Json<EventEntity>> {
    let me = me(&auth, &["write"])?;
    let mission = events::get(&state, Some(me.id), event_id(&id)?).await?;
    let shift = events::shift_of(&state, Some(me.id), &mission, event_id(&shift_id)?).await?;
    events::leave(&state, &me, &shift).await?;
    Ok(Json(entity(&state, &shift, Some(me.id)).await?))
}

#[derive(Deserialize)]
struct BoardQuery {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    postcode: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

/// A mission on the board.
#[derive(Debug, Serialize)]
pub struct BoardEntity {
    mission: EventEntity,
    /// Volunteers still needed, over all shifts.
    missing: i64,
    shifts: Vec<EventEntity>,
}

/// `GET /api/coopol/v1/missions`: missions that need people in my groups and near my
/// postcode, most urgent first.
async fn board(
    State(state): State<AppState>,
    auth: Auth,
    Params(q): Params<BoardQuery>,
) -> AppResult<Json<Vec<BoardEntity>>> {
    let me = me(&auth, &["read"])?;
    let limit = super::number("limit", q.limit.as_deref(), 20)?.clamp(1, 100) as usize;
    let entries = events::board(&state, &me, q.postcode.as_deref(), limit).await?;
    let mut out = Vec::with_capacity(entries.len());
    for e in &entries {
        let mut shifts = Vec::with_capacity(e.shifts.len());
        for (s, _) in &e.shifts {
            shifts.push(entity(&state, s, Some(me.id)).await?);
        }
        out.push(BoardEntity {
            mission: entity(&state, &e.mission, Some(me.id)).await?,
            missing: e.missing(),
            shifts,
        });
    }
    Ok(Json(out))
}
