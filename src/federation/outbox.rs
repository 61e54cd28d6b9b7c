//! The outbox worker: turns what services recorded ([`Outgoing`]) into ActivityPub activities
//! (each family's module in `federation::activities` prepares its own) and one delivery row
//! per remote inbox (shared inboxes first, so a server with many followers gets one request),
//! in one transaction with removing the event.

use super::activities;
use crate::{
    clock, db,
    error::{AppError, AppResult},
    service::outgoing::Outgoing,
    state::AppState,
};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

const LEASE: Duration = Duration::from_secs(120);

const MAX_ATTEMPTS: i64 = 10;

/// Handles recorded events until `stop`.
pub async fn run(state: AppState, stop: CancellationToken) {
    loop {
        if stop.is_cancelled() {
            break;
        }
        let events = match db::federation::claim_events(&state.db, &state.claim(LEASE), 100).await {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "outbox: cannot claim events");
                Vec::new()
            }
        };
        if events.is_empty() {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = state.outbox_ready.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
            continue;
        }
        let mut delivered_any = false;
        for event in events {
            match handle(&state, &event).await {
                Ok(queued) => delivered_any |= queued,
                Err(e) => {
                    let why = e.message(crate::domain::Locale::En);
                    if event.attempts >= MAX_ATTEMPTS {
                        tracing::error!(event = event.id, why, "outbox: giving up on an event");
                        let mut conn = match state.pool().acquire().await {
                            Ok(c) => c,
                            Err(_) => continue,
                        };
                        let _ = db::federation::delete_event(&mut conn, event.id).await;
                    } else {
                        tracing::warn!(event = event.id, why, "outbox: event will be retried");
                        let delay = Duration::from_secs(5 * event.attempts.max(1) as u64);
                        let _ = db::federation::retry_event(
                            state.pool(),
                            event.id,
                            clock::after(delay),
                            &why,
                        )
                        .await;
                    }
                }
            }
        }
        if delivered_any {
            super::delivery::wake(&state);
        }
    }
}

/// Builds and queues one event's deliveries; returns whether any delivery was queued.
async fn handle(state: &AppState, event: &db::federation::EventRow) -> AppResult<bool> {
    let outgoing: Outgoing = serde_json::from_str(&event.payload).map_err(AppError::internal)?;
    let prepared = activities::prepare(state, &outgoing).await?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let mut queued = false;
    for p in prepared {
        let mut inboxes: Vec<(String, String)> = p
            .inboxes
            .iter()
            .filter(|i| !i.starts_with(state.config.public_url.as_str()))
            .filter_map(|i| {
                Url::parse(i)
                    .ok()
                    .map(|u| (i.clone(), super::protocol::domain_of(&u)))
            })
            .collect();
        inboxes.sort();
        inboxes.dedup();
        if !inboxes.is_empty() {
            let id = p.body["id"].as_str().unwrap_or_default().to_string();
            let activity_id =
                db::federation::insert_activity(&mut tx, &id, p.actor_id, &p.body.to_string(), now)
                    .await?;
            db::federation::insert_deliveries(&mut tx, activity_id, &inboxes, now).await?;
            queued = true;
        }
    }
    db::federation::delete_event(&mut tx, event.id).await?;
    tx.commit().await?;
    Ok(queued)
}
