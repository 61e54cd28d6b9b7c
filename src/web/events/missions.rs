//! The missions board: the missions that need people, in my groups and near my postcode.

use super::{EventCard, cards};
use crate::{error::AppResult, service::events, state::AppState, web::Ctx};
use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "missions.html")]
struct MissionsPage {
    c: Ctx,
    postcode: String,
    entries: Vec<(EventCard, i64, Vec<EventCard>)>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    #[serde(default)]
    postcode: String,
}

/// `GET /missions`: the missions that need people, in my groups and near my postcode.
pub async fn board(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<BoardQuery>,
) -> AppResult<Response> {
    let me = c.me()?;
    let (list, error) = match events::board(&state, &me, Some(&q.postcode), 50).await {
        Ok(list) => (list, None),
        Err(e) if e.status.is_client_error() => (Vec::new(), Some(e.message(c.locale))),
        Err(e) => return Err(e),
    };
    let mut entries = Vec::new();
    for entry in list {
        let missing = entry.missing();
        let shifts = cards(&state, entry.shifts.into_iter().map(|(s, _)| s).collect()).await?;
        let mission = cards(&state, vec![entry.mission]).await?.remove(0);
        entries.push((mission, missing, shifts));
    }
    Ok(crate::web::render(&MissionsPage {
        c,
        postcode: q.postcode,
        entries,
        error,
    }))
}
