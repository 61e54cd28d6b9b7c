//! The missions board: the missions that need people, in my groups and near my postcode, each
//! shift with its fill and its sign-up (or departure) button coming back here.

use super::{EventCard, cards};
use crate::{
    domain::event::ParticipationState, error::AppResult, service::events, state::AppState, web::Ctx,
};
use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::Deserialize;
use std::collections::HashMap;

/// A mission on the board: its card, the volunteers it still needs, and its shifts with where
/// the viewer stands in each.
struct Entry {
    mission: EventCard,
    missing: i64,
    shifts: Vec<(EventCard, Option<ParticipationState>)>,
}

#[derive(Template)]
#[template(path = "missions.html")]
struct MissionsPage {
    c: Ctx,
    postcode: String,
    entries: Vec<Entry>,
    error: Option<String>,
}

impl MissionsPage {
    fn state_label(&self, s: &ParticipationState) -> String {
        self.c.t(&format!("event-participation-{s}"))
    }

    /// The board's own address (with its postcode), where sign-ups come back.
    fn here(&self) -> String {
        if self.postcode.is_empty() {
            "/missions".into()
        } else {
            format!(
                "/missions?postcode={}",
                crate::web::urlencode(&self.postcode)
            )
        }
    }
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
    let shift_ids: Vec<i64> = list
        .iter()
        .flat_map(|entry| entry.shifts.iter().map(|(s, _)| s.row.status_id))
        .collect();
    let mine: HashMap<i64, ParticipationState> =
        events::standings(&state, me.id, &shift_ids).await?;
    let mut entries = Vec::new();
    for entry in list {
        let missing = entry.missing();
        let shifts = cards(&state, entry.shifts.into_iter().map(|(s, _)| s).collect())
            .await?
            .into_iter()
            .map(|s| {
                let state_in = mine.get(&s.event.row.status_id).copied();
                (s, state_in)
            })
            .collect();
        let mission = cards(&state, vec![entry.mission]).await?.remove(0);
        entries.push(Entry {
            mission,
            missing,
            shifts,
        });
    }
    Ok(crate::web::render(&MissionsPage {
        c,
        postcode: q.postcode,
        entries,
        error,
    }))
}
