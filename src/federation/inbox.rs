//! The inboxes. A POST is checked (size, signature, replay, that the actor signed it and that
//! the activity comes from the actor's server), stored, and answered 202; a worker then
//! processes stored activities, so a crash between the two loses nothing, and the same
//! activity received twice is stored once.

use super::{
    receive::{self, Failure, Outcome},
    signatures::SignatureError,
    verify,
};
use crate::{clock, db, error::AppError, state::AppState};
use axum::{
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use serde_json::Value;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

/// The largest activity accepted (Mastodon's limit is the same order).
pub const MAX_ACTIVITY_BYTES: usize = 1024 * 1024;

fn reject(status: StatusCode, why: &str) -> Response {
    tracing::debug!(status = status.as_u16(), why, "inbox refused a request");
    (status, axum::Json(serde_json::json!({ "error": why }))).into_response()
}

/// `POST /inbox` and `/actor/inbox`.
pub async fn shared(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    accept(&state, method, uri, headers, body).await
}

/// `POST /users/:name/inbox`.
pub async fn personal(
    State(state): State<AppState>,
    Path(username): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match db::accounts::local_by_username(state.pool(), &username).await {
        Ok(Some(a)) if a.deleted_at.is_none() => accept(&state, method, uri, headers, body).await,
        Ok(_) => reject(StatusCode::NOT_FOUND, "no such actor"),
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn accept(
    state: &AppState,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match axum::body::to_bytes(body, MAX_ACTIVITY_BYTES).await {
        Ok(b) => b,
        Err(_) => return reject(StatusCode::PAYLOAD_TOO_LARGE, "the activity is too large"),
    };
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return reject(StatusCode::BAD_REQUEST, "the body is not JSON"),
    };
    if super::protocol::depth(&value) > super::protocol::MAX_NESTING {
        return reject(StatusCode::BAD_REQUEST, "the activity is nested too deeply");
    }
    let (Some(id), Some(actor)) = (
        value
            .get("id")
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok()),
        value
            .get("actor")
            .and_then(super::protocol::id_of)
            .and_then(|s| Url::parse(s).ok()),
    ) else {
        return reject(
            StatusCode::BAD_REQUEST,
            "the activity needs an id and an actor",
        );
    };

    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let signer = match verify::signer(state, &method, path, &headers, Some(&body)).await {
        Ok(signer) => signer,
        Err(SignatureError::Key(why)) if is_self_deletion(&value, &actor) => {
            // An account we never knew deleting itself: nothing to do, and fetching its key
            // would fail anyway. Mastodon answers the same way.
            tracing::debug!(why, "ignored the deletion of an unknown actor");
            return StatusCode::ACCEPTED.into_response();
        }
        Err(e) => return reject(StatusCode::UNAUTHORIZED, &e.to_string()),
    };
    if signer.uri != actor.as_str() {
        return reject(
            StatusCode::UNAUTHORIZED,
            "the activity's actor did not sign it",
        );
    }
    if !super::protocol::same_origin(&id, &actor) {
        return reject(
            StatusCode::BAD_REQUEST,
            "the activity id is not on the actor's server",
        );
    }
    // Replays: a signature is good once.
    if let Some(fp) = verify::fingerprint(&headers) {
        let expires = clock::now()
            + (super::signatures::MAX_AGE + super::signatures::MAX_FUTURE).as_micros() as i64;
        match db::federation::remember_signature(state.pool(), &fp, expires).await {
            Ok(true) => {}
            Ok(false) => return reject(StatusCode::UNAUTHORIZED, "the signature was already used"),
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    super::delivery::heard_from(state, &super::protocol::domain_of(&actor)).await;

    let text = String::from_utf8_lossy(&body);
    match db::federation::enqueue_inbox(state.pool(), id.as_str(), &signer.uri, &text, clock::now())
        .await
    {
        Ok(new) => {
            tracing::debug!(activity = %id, new, "activity received");
            state.inbox_ready.notify_one();
            StatusCode::ACCEPTED.into_response()
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

fn is_self_deletion(value: &Value, actor: &Url) -> bool {
    value.get("type").and_then(Value::as_str) == Some("Delete")
        && value.get("object").and_then(super::protocol::id_of) == Some(actor.as_str())
}

/// How long a claimed activity is reserved for the process that claimed it.
const LEASE: Duration = Duration::from_secs(300);
/// How many times processing is tried before an activity is given up.
const MAX_ATTEMPTS: i64 = 8;

/// Processes stored activities until `stop`: in order, several actors at once, each actor's
/// activities one after the other (a Follow before its Undo).
pub async fn run(state: AppState, stop: CancellationToken) {
    loop {
        if stop.is_cancelled() {
            break;
        }
        let batch = match db::federation::claim_inbox(&state.db, &state.claim(LEASE), 64).await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(error = %e, "inbox: cannot claim activities");
                Vec::new()
            }
        };
        if batch.is_empty() {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = state.inbox_ready.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
            continue;
        }
        // Group by signer, keeping each group's order.
        let mut groups: Vec<(String, Vec<db::federation::QueuedActivity>)> = Vec::new();
        for item in batch {
            match groups.iter_mut().find(|(s, _)| *s == item.signer) {
                Some((_, items)) => items.push(item),
                None => groups.push((item.signer.clone(), vec![item])),
            }
        }
        let tasks = groups.into_iter().map(|(_, items)| {
            let state = state.clone();
            async move {
                for item in items {
                    handle(&state, item).await;
                }
            }
        });
        futures::future::join_all(tasks).await;
    }
}

async fn handle(state: &AppState, item: db::federation::QueuedActivity) {
    let result = receive::process(state, &item.signer, &item.body).await;
    let pool = state.pool();
    let outcome = match result {
        Ok(Outcome::Applied(what)) => {
            tracing::debug!(activity = %item.activity_uri, what, "activity applied");
            db::federation::finish_inbox(pool, item.id).await
        }
        Ok(Outcome::Ignored(why)) => {
            tracing::debug!(activity = %item.activity_uri, why, "activity ignored");
            db::federation::finish_inbox(pool, item.id).await
        }
        Err(Failure::Retry(why)) if item.attempts < MAX_ATTEMPTS => {
            let delay = retry_delay(item.attempts);
            tracing::info!(activity = %item.activity_uri, why, attempt = item.attempts, "activity will be retried");
            db::federation::retry_inbox(pool, item.id, clock::after(delay), &why).await
        }
        Err(Failure::Retry(why) | Failure::Permanent(why)) => {
            tracing::info!(activity = %item.activity_uri, why, "activity refused");
            db::federation::fail_inbox(pool, item.id, &why).await
        }
    };
    if let Err(e) = outcome {
        tracing::warn!(error = %e, "inbox: cannot record the outcome of an activity");
    }
}

/// 10 s, 40 s, 2.5 min, 10 min, 40 min, then an hour.
fn retry_delay(attempts: i64) -> Duration {
    let secs = 10u64.saturating_mul(4u64.saturating_pow(attempts.clamp(1, 6) as u32 - 1));
    Duration::from_secs(secs.min(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(1), Duration::from_secs(10));
        assert_eq!(retry_delay(2), Duration::from_secs(40));
        assert_eq!(retry_delay(8), Duration::from_secs(3600));
    }
}
