//! The mail worker (started with the server): claims due messages in the database (a lease,
//! as the federation queues are claimed, so processes sharing a database never send one twice
//! except after a crash), renders each in its recipient's language and sends it. A message
//! that fails for a while (server unreachable, 4xx) is tried again later, each wait longer,
//! until `mail_give_up_hours`; one refused for good (5xx) is given up at once. Both are
//! logged; what the message told of has happened already.

use crate::{
    clock,
    db::{self, mail::QueuedMail},
    domain::Locale,
    error::AppResult,
    mail::{Mail, SendError, Transport, render},
    state::AppState,
};
use futures::StreamExt;
use std::time::Duration;

/// How long a claim lasts (a backstop: a live process's claims hold while it beats).
const LEASE: Duration = Duration::from_secs(300);
/// How often the worker looks for due messages when not woken.
const IDLE: Duration = Duration::from_secs(1);
/// Messages claimed at once.
const BATCH: i64 = 64;
/// Messages sent at once, each on its own pooled connection (`mail::Transport` keeps as
/// many): an SMTP exchange waits on round trips more than it works.
const PARALLEL: usize = 32;
/// The first wait after a failure; each next one is twice as long, up to [`MAX_WAIT`].
const FIRST_WAIT: Duration = Duration::from_secs(15);
const MAX_WAIT: Duration = Duration::from_secs(3600);

/// The wait before attempt `attempts + 1`.
fn backoff(attempts: i64) -> Duration {
    let doublings = attempts.clamp(1, 20) as u32 - 1;
    FIRST_WAIT
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(MAX_WAIT)
}

/// The mail worker: runs until `stop`; returns at once when e-mail is off.
pub async fn run(state: AppState, stop: tokio_util::sync::CancellationToken) {
    if !state.mail.enabled() {
        return;
    }
    loop {
        let worked = match step(&state).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = ?e, "mail step failed");
                false
            }
        };
        if stop.is_cancelled() {
            return;
        }
        if !worked {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = state.mail.ready.notified() => {}
                _ = tokio::time::sleep(IDLE) => {}
            }
        }
    }
}

/// Sends the messages claimed now; gives how many were claimed.
pub async fn step(state: &AppState) -> AppResult<usize> {
    let Some(transport) = state.mail.transport.as_ref() else {
        return Ok(0);
    };
    let claimed =
        db::mail::claim(state.pool(), state.db.backend(), &state.claim(LEASE), BATCH).await?;
    let n = claimed.len();
    futures::stream::iter(claimed)
        .for_each_concurrent(PARALLEL, |row| async move {
            let id = row.id;
            if let Err(e) = send_one(state, transport, row).await {
                // The claim runs out and the message is tried again.
                tracing::warn!(mail = id, error = ?e, "mail could not be recorded as sent");
            }
        })
        .await;
    Ok(n)
}

async fn send_one(state: &AppState, transport: &Transport, row: QueuedMail) -> AppResult<()> {
    let mail: Mail = match serde_json::from_str(&row.params) {
        Ok(mail) => mail,
        Err(e) => {
            tracing::error!(mail = row.id, kind = %row.kind, error = %e, "unreadable queued mail given up");
            return Ok(db::mail::delete(state.pool(), row.id).await?);
        }
    };
    let locale = Locale::parse(&row.locale).unwrap_or(state.config.default_locale);
    // The name administrators gave the instance (`service::about`), or the configuration's.
    let instance_name = crate::service::about::name(state).await?;
    let rendered = match render(
        &mail,
        locale,
        &instance_name,
        state.config.public_url.as_str(),
    ) {
        Ok(rendered) => rendered,
        Err(e) => {
            tracing::error!(mail = row.id, kind = %row.kind, error = %e, "mail could not be rendered: given up");
            return Ok(db::mail::delete(state.pool(), row.id).await?);
        }
    };
    let now = clock::now();
    match transport.send(&row.recipient, &rendered).await {
        Ok(()) => {
            tracing::info!(mail = row.id, kind = %row.kind, attempts = row.attempts, "mail sent");
            db::mail::delete(state.pool(), row.id).await?;
        }
        Err(SendError::Permanent(why)) => {
            tracing::warn!(mail = row.id, kind = %row.kind, error = %why, "mail refused by the server: given up");
            db::mail::delete(state.pool(), row.id).await?;
        }
        Err(SendError::Temporary(why)) => {
            let give_up_after = state
                .config
                .mail
                .as_ref()
                .map(|m| m.give_up_after)
                .unwrap_or(Duration::from_secs(48 * 3600));
            let wait = backoff(row.attempts);
            if now + wait.as_micros() as i64 - row.created_at > give_up_after.as_micros() as i64 {
                tracing::warn!(mail = row.id, kind = %row.kind, attempts = row.attempts, error = %why, "mail not sent in time: given up");
                db::mail::delete(state.pool(), row.id).await?;
            } else {
                tracing::info!(mail = row.id, kind = %row.kind, attempts = row.attempts, error = %why, retry_in_s = wait.as_secs(), "mail not sent: will try again");
                let why: String = why.chars().take(500).collect();
                db::mail::retry_later(state.pool(), row.id, now + wait.as_micros() as i64, &why)
                    .await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(15));
        assert_eq!(backoff(2), Duration::from_secs(30));
        assert_eq!(backoff(5), Duration::from_secs(240));
        assert_eq!(backoff(12), MAX_WAIT);
        assert_eq!(backoff(1_000), MAX_WAIT);
    }
}
