//! Taking part: joining (with capacity, approval and a waiting list) and leaving, here and
//! from other servers (`Join`, `Leave`, and the answer to a local person's `Join`), and the
//! waiting list promoted when a place frees up.

use super::Event;
use crate::{
    clock,
    db::{self, accounts::AccountRow, events::ParticipantRow},
    domain::{
        NotificationKind,
        event::{EventJoinMode, EventStatus, ParticipationState},
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
pub(super) fn open_to_participants(event: &Event) -> AppResult<()> {
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
    // The event as it is now, under its lock: an organizer may have lowered its capacity,
    // changed how to take part or cancelled it since the caller read it.
    let row = db::events::by_id(&mut *tx, event.row.status_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let event = &Event {
        status: event.status.clone(),
        row,
    };
    open_to_participants(event)?;
    if event.join_mode() == EventJoinMode::Invite && !invited {
        return Err(AppError::forbidden("error-event-invite-only"));
    }
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
    if outcome == Joined::Accepted {
        // The sign-up is confirmed to the person (by e-mail, with the event's calendar file,
        // when they want it so), as an organizer's acceptance is.
        db::notifications::unnotify_post(
            &mut tx,
            who.id,
            event.status.account_id,
            NotificationKind::EventAccepted,
            event.row.status_id,
        )
        .await?;
        db::social::notify(
            &mut tx,
            who.id,
            event.status.account_id,
            NotificationKind::EventAccepted,
            Some(event.row.status_id),
            now,
        )
        .await?;
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

/// Tells an event's author that a participant left.
async fn tell_author_left(
    tx: &mut sqlx::AnyConnection,
    event: &Event,
    who: i64,
    now: i64,
) -> AppResult<()> {
    // Someone who left before and comes back, then leaves again, is told of again.
    db::notifications::unnotify_post(
        tx,
        event.status.account_id,
        who,
        NotificationKind::EventLeft,
        event.row.status_id,
    )
    .await?;
    db::social::notify(
        tx,
        event.status.account_id,
        who,
        NotificationKind::EventLeft,
        Some(event.row.status_id),
        now,
    )
    .await?;
    Ok(())
}

/// The event and the person a reminder's "I can't come any more" link names (checked: a
/// link we did not make is 404).
pub async fn leave_link(
    state: &AppState,
    event_id: i64,
    token: &str,
) -> AppResult<(Event, AccountRow, bool)> {
    let account_id = crate::service::mail::check_leave_link(state, event_id, token).await?;
    let who = db::accounts::by_id(state.pool(), account_id)
        .await?
        .filter(|a| a.is_local())
        .ok_or_else(AppError::not_found)?;
    let event = super::get(state, Some(account_id), event_id).await?;
    let taking_part = db::events::participant(state.pool(), event_id, account_id)
        .await?
        .is_some();
    Ok((event, who, taking_part))
}

/// Follows a reminder's "I can't come any more" link: the person leaves the event (their
/// place goes to the first on the waiting list). Following it again changes nothing.
pub async fn leave_by_link(state: &AppState, event_id: i64, token: &str) -> AppResult<Event> {
    let (event, who, _) = leave_link(state, event_id, token).await?;
    leave(state, &who, &event).await?;
    Ok(event)
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
    if event.is_local() && p.state == ParticipationState::Accepted {
        tell_author_left(&mut tx, event, who.id, now).await?;
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
        tell_author_left(&mut tx, event, who.id, now).await?;
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
pub(super) async fn promote(
    conn: &mut sqlx::AnyConnection,
    event: &Event,
    now: i64,
) -> AppResult<()> {
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

pub(super) async fn is_local_account(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<bool> {
    Ok(db::accounts::by_id(&mut *conn, id)
        .await?
        .is_some_and(|a| a.is_local()))
}

/// Where `who` stands in an event (or a shift), if they asked, were invited or take part.
pub async fn standing(
    state: &AppState,
    event_id: i64,
    who: i64,
) -> AppResult<Option<crate::domain::event::ParticipationState>> {
    Ok(db::events::participant(state.pool(), event_id, who)
        .await?
        .map(|p| p.state))
}

/// How many take part in a local event (a remote one says it itself).
pub async fn participant_count(state: &AppState, event: &Event) -> AppResult<i64> {
    Ok(if event.is_local() {
        db::events::accepted_count(state.pool(), event.row.status_id).await?
    } else {
        event.row.remote_participants.unwrap_or(0)
    })
}

/// The events `who` takes part in, or asked or was invited to (ids).
pub async fn events_of(state: &AppState, who: i64) -> AppResult<Vec<i64>> {
    Ok(db::events::events_of(state.pool(), who).await?)
}
