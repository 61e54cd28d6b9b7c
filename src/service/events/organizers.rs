//! The organizers' side of participation: the list of participants, invitations (sent from
//! here, or received from a remote event's organizer), and decisions (approving, refusing,
//! recording attendance).

use super::{
    Event,
    participation::{is_local_account, open_to_participants, promote},
    require_organizer,
};
use crate::{
    clock,
    db::{self, accounts::AccountRow, events::ParticipantRow},
    domain::{Invalid, NotificationKind, event::ParticipationState},
    error::{AppError, AppResult},
    service::{
        outgoing::{self, Outgoing},
        statuses,
    },
    state::AppState,
};
use axum::http::StatusCode;

/// The participants of an event (organizers only).
pub async fn participants(
    state: &AppState,
    who: &AccountRow,
    event: &Event,
) -> AppResult<Vec<ParticipantRow>> {
    require_organizer(state, event, who).await?;
    Ok(db::events::participants(state.pool(), event.row.status_id).await?)
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
