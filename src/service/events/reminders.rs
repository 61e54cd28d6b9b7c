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

/// How long before an event a shortfall is announced to the organizing group's members.
pub const SHORT_ALERT_BEFORE_MICROS: i64 = 48 * 3_600_000_000;
/// How long after its end an event's organizer may still be asked to record attendance
/// (events that ended before, as when the server was down, are left alone).
pub const ATTENDANCE_WITHIN_MICROS: i64 = 48 * 3_600_000_000;

/// Announces, two days before, the events of a group here (a mission's shifts above all)
/// that are still short of people, to the group's members here who have not signed up. Each
/// event is claimed once. Returns how many were announced.
pub async fn send_short_alerts(state: &AppState, now: i64) -> AppResult<usize> {
    let due =
        db::events::due_short_alerts(state.pool(), now, now + SHORT_ALERT_BEFORE_MICROS).await?;
    let mut sent = 0;
    for id in due {
        let Some(row) = db::events::by_id(state.pool(), id).await? else {
            continue;
        };
        let Some(status) = db::statuses::by_id(state.pool(), id).await? else {
            continue;
        };
        let mut tx = state.db.begin().await?;
        if !db::events::claim_short_alert(&mut tx, id, now).await? {
            continue;
        }
        let group = match row.organizer_id {
            Some(o) => db::groups::by_id(&mut *tx, o).await?,
            None => None,
        };
        let taken = db::events::accepted_count(&mut *tx, id).await?;
        if row.capacity.is_some_and(|c| taken < c) {
            let signed_up: std::collections::HashSet<i64> =
                db::events::participants(state.pool(), id)
                    .await?
                    .into_iter()
                    .map(|p| p.account_id)
                    .collect();
            let mut told = match &group {
                Some(g) => db::groups::local_members(&mut tx, g.account_id).await?,
                None => Vec::new(),
            };
            told.extend(crate::service::notifications::near_mission(&mut tx, &status, &row).await?);
            told.sort_unstable();
            told.dedup();
            let from = group.as_ref().map_or(status.account_id, |g| g.account_id);
            let rows: Vec<_> = told
                .into_iter()
                .filter(|m| *m != status.account_id && !signed_up.contains(m))
                .map(|m| (m, from, NotificationKind::MissionShort, Some(id)))
                .collect();
            if !rows.is_empty() {
                db::social::notify_many(&mut tx, &rows, now).await?;
                sent += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// Asks the organizer of each local event that just ended (with participants) to record who
/// came. Each event is claimed once. Returns how many were asked.
pub async fn ask_attendance(state: &AppState, now: i64) -> AppResult<usize> {
    let due = db::events::due_attendance(state.pool(), now, now - ATTENDANCE_WITHIN_MICROS).await?;
    let mut asked = 0;
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
        // Asked by the organizing group, or else by the instance (one cannot notify oneself).
        let Some(teller) = row
            .organizer_id
            .filter(|o| *o != status.account_id)
            .or(instance.as_ref().map(|a| a.id))
        else {
            continue;
        };
        let mut tx = state.db.begin().await?;
        if !db::events::claim_attendance(&mut tx, id, now).await? {
            continue;
        }
        db::social::notify(
            &mut tx,
            status.account_id,
            teller,
            NotificationKind::EventAttendance,
            Some(id),
            now,
        )
        .await?;
        tx.commit().await?;
        asked += 1;
    }
    Ok(asked)
}

/// Runs [`send_reminders`], [`send_short_alerts`] and [`ask_attendance`] every minute until
/// `stop`.
pub async fn run_reminders(state: AppState, stop: tokio_util::sync::CancellationToken) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tick.tick() => {
                let now = clock::now();
                if let Err(e) = send_reminders(&state, now).await {
                    tracing::warn!(error = %e.message(crate::domain::Locale::En), "reminders failed");
                }
                if let Err(e) = send_short_alerts(&state, now).await {
                    tracing::warn!(error = %e.message(crate::domain::Locale::En), "shortfall alerts failed");
                }
                if let Err(e) = ask_attendance(&state, now).await {
                    tracing::warn!(error = %e.message(crate::domain::Locale::En), "attendance requests failed");
                }
            }
        }
    }
}
