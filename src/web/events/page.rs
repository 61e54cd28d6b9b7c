//! An event's page: the event (or a mission with its shifts), signing up (with a message or
//! on the waiting list), leaving, and the organizers' tools: the participants with their
//! decisions and attendance, invitations, the CSV export, cancelling.

use super::{EventCard, cards, viewer};
use crate::{
    clock,
    db::{self, accounts::AccountRow, events::ParticipantRow},
    domain::event::{EventJoinMode, EventStatus, ParticipationState},
    error::{AppError, AppResult},
    service::events::{self, Decision, Joined},
    state::AppState,
    web::{Ctx, confirm, form::CsrfForm, redirect_with_flash, render_status},
};
use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;

/// A participation as organizers see it.
pub struct ParticipantLine {
    row: ParticipantRow,
    account: AccountRow,
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    c: Ctx,
    e: EventCard,
    /// The caller's participation state, if any.
    mine: Option<ParticipationState>,
    /// A mission's shifts, with the caller's state in each.
    shifts: Vec<(EventCard, Option<ParticipationState>)>,
    organizer: bool,
    participants: Vec<ParticipantLine>,
    error: Option<String>,
    message: String,
    /// The other upcoming occurrences of a recurring event.
    series: Vec<EventCard>,
    /// The organizers' invitation form, as typed, and why it was refused.
    invite_handle: String,
    invite_error: Option<String>,
    /// The event's text, without the when-and-where line the page shows itself.
    text: String,
}

impl EventPage {
    fn state_label(&self, s: &ParticipationState) -> String {
        self.c.t(&format!("event-participation-{s}"))
    }

    fn cancelled(&self) -> bool {
        self.e.event.row.status == EventStatus::Cancelled
    }

    fn full(&self) -> bool {
        self.e.remaining == Some(0)
    }

    fn asks_message(&self) -> bool {
        self.e.event.row.join_mode == EventJoinMode::Approval && !self.invited()
    }

    fn started(&self) -> bool {
        self.e.event.row.starts_at <= clock::now()
    }

    fn sign_in_path(&self) -> String {
        crate::web::sign_in_url(&self.e.path)
    }

    fn open_to_invitations(&self) -> bool {
        self.e.event.row.ends_at > clock::now()
            && self.e.event.row.join_mode != EventJoinMode::External
    }

    fn invited(&self) -> bool {
        self.mine == Some(ParticipationState::Invited)
    }

    /// Whether the viewer may sign up now: free or approval events, or any they are invited to.
    fn can_join(&self) -> bool {
        !self.cancelled()
            && self.open_to_invitations()
            && (self.invited()
                || (self.mine.is_none()
                    && matches!(
                        self.e.event.row.join_mode,
                        EventJoinMode::Free | EventJoinMode::Approval
                    )))
    }
}

/// What a refused form on the event page gets back: what was typed and why.
enum Refused {
    Join(String, String),
    Invite(String, String),
}

async fn event_page(
    state: &AppState,
    c: Ctx,
    id: i64,
    refused: Option<Refused>,
) -> AppResult<EventPage> {
    let v = viewer(&c);
    let event = events::get(state, v, id).await?;
    let mine = match v {
        Some(v) => events::standing(state, id, v).await?,
        None => None,
    };
    let (organizer, participants) = match &c.user {
        Some(_) => {
            let me = c.me()?;
            if events::is_organizer(state, &event, &me).await? && event.is_local() {
                let rows = events::participants(state, &me, &event).await?;
                let ids: Vec<i64> = rows.iter().map(|p| p.account_id).collect();
                let accounts = crate::service::directory::by_id_map(state, &ids).await?;
                let lines = rows
                    .into_iter()
                    .filter_map(|row| {
                        let account = accounts.get(&row.account_id)?.clone();
                        Some(ParticipantLine { row, account })
                    })
                    .collect();
                (true, lines)
            } else {
                (false, Vec::new())
            }
        }
        None => (false, Vec::new()),
    };
    let mut shifts = Vec::new();
    if event.row.is_mission != 0 {
        let list = events::shifts(state, v, &event).await?;
        for card in cards(state, list).await? {
            let state_in = match v {
                Some(v) => events::standing(state, card.event.row.status_id, v).await?,
                None => None,
            };
            shifts.push((card, state_in));
        }
    }
    let series = match event.row.series_id {
        Some(series_id) => {
            let list = events::search(
                state,
                v,
                db::events::Search {
                    from: Some(clock::now()),
                    series_id: Some(series_id),
                    limit: 200,
                    ..Default::default()
                },
            )
            .await?;
            let others = list.into_iter().filter(|o| o.row.status_id != id).collect();
            cards(state, others).await?
        }
        None => Vec::new(),
    };
    let e = cards(state, vec![event]).await?.remove(0);
    let (mut message, mut error, mut invite_handle, mut invite_error) =
        (String::new(), None, String::new(), None);
    match refused {
        Some(Refused::Join(m, e)) => (message, error) = (m, Some(e)),
        Some(Refused::Invite(h, e)) => (invite_handle, invite_error) = (h, Some(e)),
        None => {}
    }
    let text = events::description_html(
        state.config.default_locale,
        &e.event.row,
        e.event.status.source.as_deref(),
        &e.event.status.content,
    )
    .to_string();
    Ok(EventPage {
        c,
        e,
        text,
        mine,
        shifts,
        organizer,
        participants,
        error,
        message,
        series,
        invite_handle,
        invite_error,
    })
}

/// `GET /events/{id}`.
pub async fn page(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    Ok(crate::web::render(&event_page(&state, c, id, None).await?))
}

#[derive(Deserialize, Default)]
pub struct JoinForm {
    #[serde(default)]
    message: String,
    #[serde(default)]
    waiting_list: Option<String>,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    handle: String,
    /// The page to come back to (a timeline's or the board's sign-up), a path here.
    #[serde(default)]
    next: Option<String>,
    /// `1` from the confirmation page (cancelling asks first).
    #[serde(default)]
    confirm: Option<String>,
}

impl JoinForm {
    /// Where to go after a sign-up or a departure: the page it was made from when given (a
    /// path here, never another site), else the event's page.
    fn back(&self, event_page: String) -> String {
        match self.next.as_deref() {
            Some(next) => crate::web::safe_next(Some(next)),
            None => event_page,
        }
    }
}

/// `POST /events/{id}/{join|leave|cancel|invite}`.
pub async fn action(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, action)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let me = c.me()?;
    let event = events::get(&state, Some(me.id), id).await?;
    let page_path = format!("/events/{id}");
    let back = match action.as_str() {
        "join" | "leave" => f.back(page_path),
        _ => page_path,
    };
    match action.as_str() {
        "join" => {
            match events::join(
                &state,
                &me,
                &event,
                Some(&f.message),
                f.waiting_list.is_some(),
            )
            .await
            {
                Ok(outcome) => Ok(redirect_with_flash(&state, &back, joined_flash(outcome))),
                Err(e) if e.status.is_client_error() => {
                    let message = e.message(c.locale);
                    let page =
                        event_page(&state, c, id, Some(Refused::Join(f.message, message))).await?;
                    Ok(render_status(e.status, &page))
                }
                Err(e) => Err(e),
            }
        }
        "leave" => {
            events::leave(&state, &me, &event).await?;
            Ok(redirect_with_flash(&state, &back, "flash-event-left"))
        }
        "cancel" => {
            let scope = events::Occurrences::parse(Some(&f.scope))?;
            if !confirm::confirmed(f.confirm.as_deref()) {
                // Organizers only, before anything is shown to them.
                if !events::is_organizer(&state, &event, &me).await? {
                    return Err(AppError::forbidden("error-event-organizers-only"));
                }
                let following = f.scope == "following";
                let title = if following {
                    "confirm-cancel-following-title"
                } else {
                    "confirm-cancel-event-title"
                };
                let p = confirm::Confirmation {
                    title: c.ta(title, "name", &event.row.name),
                    subject: format!(
                        "{}\n{}",
                        event.row.name,
                        events::when_where(c.locale, &event.row)
                    ),
                    consequence: c.t("confirm-cancel-event-text"),
                    action: format!("/events/{id}/cancel"),
                    fields: vec![("scope", f.scope.clone())],
                    back,
                };
                return Ok(confirm::page(c, p));
            }
            events::cancel(&state, &me, &event, scope).await?;
            Ok(redirect_with_flash(&state, &back, "flash-event-cancelled"))
        }
        "invite" => {
            // Organizers only, before anything is looked up for them.
            if !events::is_organizer(&state, &event, &me).await? {
                return Err(AppError::forbidden("error-event-organizers-only"));
            }
            let invited = match crate::web::groups::find_person(&state, f.handle.trim()).await {
                Ok(target) => events::invite(&state, &me, &event, &target)
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            };
            match invited {
                Ok(()) => Ok(redirect_with_flash(&state, &back, "flash-event-invited")),
                Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
                    let message = e.message(c.locale);
                    let refused = Refused::Invite(f.handle, message);
                    let page = event_page(&state, c, id, Some(refused)).await?;
                    Ok(render_status(e.status, &page))
                }
                Err(e) => Err(e),
            }
        }
        _ => Err(AppError::not_found()),
    }
}

fn joined_flash(outcome: Joined) -> &'static str {
    match outcome {
        Joined::Accepted => "flash-event-joined",
        Joined::Pending => "flash-event-requested",
        Joined::Waiting => "flash-event-waiting",
    }
}

/// `POST /events/{id}/shifts/{shift_id}/{join|leave}`.
pub async fn shift_action(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, shift_id, action)): Path<(String, String, String)>,
    CsrfForm(f): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let shift_id: i64 = shift_id.parse().map_err(|_| AppError::not_found())?;
    let me = c.me()?;
    let mission = events::get(&state, Some(me.id), id).await?;
    let shift = events::shift_of(&state, Some(me.id), &mission, shift_id).await?;
    let back = f.back(format!("/events/{id}"));
    match action.as_str() {
        "join" => {
            let outcome = events::join(&state, &me, &shift, None, f.waiting_list.is_some()).await?;
            Ok(redirect_with_flash(&state, &back, joined_flash(outcome)))
        }
        "leave" => {
            events::leave(&state, &me, &shift).await?;
            Ok(redirect_with_flash(&state, &back, "flash-event-left"))
        }
        _ => Err(AppError::not_found()),
    }
}

/// `GET /events/{id}/participants.csv` (organizers).
pub async fn participants_csv(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let me = c.me()?;
    let event = events::get(&state, Some(me.id), id).await?;
    let csv = events::participants_csv(&state, &me, &event).await?;
    Ok(crate::download::csv(&format!("participants-{id}"), csv))
}

/// `POST /events/{id}/participants/{account_id}/{approve|reject|attended|absent}`.
pub async fn decide(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, account_id, action)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let account_id: i64 = account_id.parse().map_err(|_| AppError::not_found())?;
    let me = c.me()?;
    let event = events::get(&state, Some(me.id), id).await?;
    let decision = match action.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        "attended" => Decision::Attended,
        "absent" => Decision::Absent,
        _ => return Err(AppError::not_found()),
    };
    events::decide(&state, &me, &event, account_id, decision).await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/events/{id}"),
        "flash-settings-saved",
    ))
}
