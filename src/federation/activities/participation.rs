//! Taking part in events (Mobilizon's participation): `Join`, `Leave`, the organizer's
//! `Accept` or `Reject`, and `Invite`, in the shapes of `membership`.

use super::audience::{both, inbox_of};
use super::lookup::{fetch_note, local_event};
use super::membership::{answer, invite, join, join_message, leave};
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow},
    domain::event::ParticipationState,
    error::AppResult,
    federation::{
        protocol::{self, Activity},
        receive::{Outcome, permanent},
    },
    service::{events, outgoing::Outgoing},
    state::AppState,
};
use serde_json::Value;
use url::Url;

pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    Ok(match outgoing {
        Outgoing::JoinEvent { participant_id } => {
            let Some(p) = db::events::participant_by_id(state.pool(), *participant_id).await?
            else {
                return Ok(None);
            };
            let Some(event) = db::statuses::by_id(state.pool(), p.event_id).await? else {
                return Ok(None);
            };
            let Some((me, organizer)) = both(state, p.account_id, event.account_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: me.id,
                body: join(
                    p.uri.as_deref().unwrap_or_default(),
                    &me.uri,
                    &event.uri,
                    &p.message,
                )?
                .to_json(),
                inboxes: inbox_of(&organizer).into_iter().collect(),
            })
        }
        Outgoing::LeaveEvent {
            event_id,
            account_id,
        } => {
            let Some(event) = db::statuses::by_id(state.pool(), *event_id).await? else {
                return Ok(None);
            };
            let Some((me, organizer)) = both(state, *account_id, event.account_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: me.id,
                body: leave(&me.uri, &event.uri)?.to_json(),
                inboxes: inbox_of(&organizer).into_iter().collect(),
            })
        }
        Outgoing::AnswerEventJoin {
            participant_id,
            accept,
        } => {
            let Some(p) = db::events::participant_by_id(state.pool(), *participant_id).await?
            else {
                return Ok(None);
            };
            let Some(event) = db::statuses::by_id(state.pool(), p.event_id).await? else {
                return Ok(None);
            };
            let Some((organizer, participant)) =
                both(state, event.account_id, p.account_id).await?
            else {
                return Ok(None);
            };
            let kind = if *accept { "Accept" } else { "Reject" };
            Some(Prepared {
                actor_id: organizer.id,
                body: answer(
                    kind,
                    &organizer,
                    &participant,
                    p.uri.as_deref().unwrap_or_default(),
                    &event.uri,
                )?
                .to_json(),
                inboxes: inbox_of(&participant).into_iter().collect(),
            })
        }
        Outgoing::InviteToEvent { participant_id } => {
            let Some(p) = db::events::participant_by_id(state.pool(), *participant_id).await?
            else {
                return Ok(None);
            };
            let Some(event) = db::statuses::by_id(state.pool(), p.event_id).await? else {
                return Ok(None);
            };
            let Some((author, invitee)) = both(state, event.account_id, p.account_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: author.id,
                body: invite(&author, &event.uri, &invitee)?.to_json(),
                inboxes: inbox_of(&invitee).into_iter().collect(),
            })
        }
        _ => None,
    })
}

/// Someone asks to take part in an event here; `None` when the object is not one.
pub(super) async fn joined(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Option<Outcome>> {
    let Some(event) = local_event(state, activity.object_id()).await? else {
        return Ok(None);
    };
    if actor.actor_type != "Person" {
        return Ok(Some(Outcome::Ignored("only people take part in events")));
    }
    let outcome = events::join_received(
        state,
        actor,
        &event,
        activity.id.as_str(),
        &join_message(activity),
    )
    .await?;
    Ok(Some(Outcome::Applied(match outcome {
        ParticipationState::Accepted => "taking part in the event",
        ParticipationState::Pending => "asking to take part, waiting for the organizers",
        ParticipationState::Waiting => "on the event's waiting list",
        ParticipationState::Rejected => "refused: the event is closed to this request",
        // A Join is an answer to an invitation, never one.
        ParticipationState::Invited => "invited",
    })))
}

/// Someone leaves an event here; `None` when the object is not one.
pub(super) async fn left(
    state: &AppState,
    actor: &AccountRow,
    object: Option<&str>,
) -> Result<Option<Outcome>> {
    let Some(event) = local_event(state, object).await? else {
        return Ok(None);
    };
    Ok(Some(
        if events::leave_received(state, actor, &event).await? {
            Outcome::Applied("left the event")
        } else {
            Outcome::Ignored("not taking part in the event")
        },
    ))
}

/// An event's organizer answered a local person's request; `None` when the answer is not
/// about a participation.
pub(super) async fn answered(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
    accept: bool,
) -> Result<Option<Outcome>> {
    let Some(p) = find_event_join(state, &activity.object).await? else {
        return Ok(None);
    };
    // Only the event's organizer (its author) answers, about a local person's request.
    let organizer = db::statuses::by_id(state.pool(), p.event_id)
        .await?
        .map(|s| s.account_id);
    if organizer != Some(actor.id) {
        return Err(permanent("only the event's organizer may answer a Join"));
    }
    events::answered(state, &p, accept).await?;
    Ok(Some(Outcome::Applied(if accept {
        "participation accepted by the organizer"
    } else {
        "participation refused by the organizer"
    })))
}

/// An invitation to an event (its origin and invitee checked by `membership::invited`);
/// `None` when the object is not an event.
pub(super) async fn invited(
    state: &AppState,
    actor: &AccountRow,
    uri: &str,
    url: &Url,
    invitee: &AccountRow,
) -> Result<Option<Outcome>> {
    let Some(event) = invited_event(state, uri, url).await? else {
        return Ok(None);
    };
    // Only the event's author, or the group organizing it, speaks for it.
    if actor.id != event.status.account_id && Some(actor.id) != event.row.organizer_id {
        return Ok(Some(Outcome::Ignored(
            "only the event's organizers invite to it",
        )));
    }
    Ok(Some(
        if events::invited_received(state, actor, &event, invitee).await? {
            Outcome::Applied("invitation to the event recorded")
        } else {
            Outcome::Ignored("already taking part or invited")
        },
    ))
}

/// The local person's participation an `Accept`/`Reject` answers: by the Join's id, or by
/// the embedded Join's actor and event.
async fn find_event_join(
    state: &AppState,
    object: &Value,
) -> Result<Option<db::events::ParticipantRow>> {
    if let Some(id) = protocol::id_of(object)
        && let Some(p) = db::events::participant_by_uri(state.pool(), id).await?
    {
        return Ok(Some(p));
    }
    if object.get("type").and_then(Value::as_str) != Some("Join") {
        return Ok(None);
    }
    let (Some(person), Some(event)) = (
        object.get("actor").and_then(protocol::id_of),
        object.get("object").and_then(protocol::id_of),
    ) else {
        return Ok(None);
    };
    let (Some(person), Some(event)) = (
        db::accounts::by_uri(state.pool(), person)
            .await?
            .filter(|a| a.is_local()),
        db::statuses::by_uri(state.pool(), event).await?,
    ) else {
        return Ok(None);
    };
    Ok(db::events::participant(state.pool(), event.id, person.id).await?)
}

/// The event an `Invite` is about: known here, or fetched from its server when its object is
/// not a known group (an invitation may name an event not seen yet).
async fn invited_event(state: &AppState, uri: &str, url: &Url) -> Result<Option<events::Event>> {
    let status = match db::statuses::by_uri(state.pool(), uri).await? {
        Some(s) => s,
        None if db::accounts::by_uri(state.pool(), uri).await?.is_some() => return Ok(None),
        None => match fetch_note(state, url.clone()).await {
            Ok(s) => s,
            // Not a post: the group path reads it.
            Err(_) => return Ok(None),
        },
    };
    Ok(db::events::by_id(state.pool(), status.id)
        .await?
        .map(|row| events::Event { status, row }))
}
