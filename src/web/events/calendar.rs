//! The calendar feeds (iCalendar) phone calendars subscribe to: an event's, a group's agenda,
//! and a person's at their private link.

use crate::{
    clock, db,
    error::{AppError, AppResult},
    service::{events, groups},
    state::AppState,
    web::Ctx,
};
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};

fn calendar(name: &str, body: String) -> Response {
    let filename: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}.ics\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /events/{id}/calendar.ics`: one event, as the visitor may see it.
pub async fn event_ics(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let viewer = c.user.as_ref().map(|u| u.account_id);
    let event = events::get(&state, viewer, id).await?;
    let name = event.row.name.clone();
    Ok(calendar(&name, events::icalendar(&name, &[event])))
}

/// `GET /calendar/{token}/events.ics`: a person's events, at their private link.
pub async fn private_ics(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let list = events::calendar_of_link(&state, &token)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(calendar(
        "coopol",
        events::icalendar(&state.config.instance_name, &list),
    ))
}

/// `GET /groups/{handle}/calendar.ics`: a group's public events, from a week ago on.
pub async fn group_ics(
    State(state): State<AppState>,
    Path(handle): Path<String>,
) -> AppResult<Response> {
    let group = groups::find(&state, &handle, false).await?;
    let list = events::search(
        &state,
        None,
        db::events::Search {
            organizers: events::agenda_organizers(&state, &group).await?,
            from: Some(clock::now() - 7 * 24 * 3600 * 1_000_000),
            cancelled: true,
            limit: 500,
            ..Default::default()
        },
    )
    .await?;
    let name = if group.account.display_name.trim().is_empty() {
        group.account.username.clone()
    } else {
        group.account.display_name.clone()
    };
    Ok(calendar(
        &group.account.username,
        events::icalendar(&name, &list),
    ))
}
