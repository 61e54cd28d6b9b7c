//! The reminder worker: the day before an event, its participants here are reminded and its
//! organizer is told when it is still short of people.

use crate::{
    clock, db,
    domain::{NotificationKind, event::ParticipationState},
    error::AppResult,
    state::AppState,
};

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
            if db::accounts::by_id(&mut *tx, p.account_id)
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
