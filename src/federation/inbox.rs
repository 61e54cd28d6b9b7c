//! The inboxes. A POST is checked (size, signature, replay, that the actor signed it and that
//! the activity comes from the actor's server), stored, and answered 202; a worker then
//! processes stored activities, so a crash between the two loses nothing, and the same
//! activity received twice is stored once.

use super::{
    bulk::Prepared,
    receive::{self, Failure, Outcome},
    signatures::SignatureError,
    verify,
};
use crate::{clock, db, error::AppError, limits::ClientIp, state::AppState};
use axum::{
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

/// The largest activity accepted (Mastodon's limit is the same order).
pub const MAX_ACTIVITY_BYTES: usize = 1024 * 1024;

fn reject(status: StatusCode, why: &str) -> Response {
    tracing::debug!(status = status.as_u16(), why, "inbox refused a request");
    (status, axum::Json(serde_json::json!({ "error": why }))).into_response()
}

/// Counts an inbox request against the limit of the server that claims to send it (the host
/// of its signature's key, read without checking it, or the client's address): over the
/// limit, a 429 with `Retry-After` before the body is read or a key fetched.
fn over_limit(state: &AppState, headers: &HeaderMap, client: ClientIp) -> Option<Response> {
    let key = crate::limits::inbox_key(headers, client);
    let wait = state.limits.inbox.check(&key).err()?;
    tracing::debug!(key, "inbox refused a request over the rate limit");
    let seconds = crate::limits::retry_after_seconds(wait);
    let message = crate::i18n::t_args(
        state.config.default_locale,
        "error-rate-limited",
        &[("seconds", seconds.to_string())],
    );
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(serde_json::json!({ "error": message })),
    )
        .into_response();
    response
        .headers_mut()
        .insert(axum::http::header::RETRY_AFTER, seconds.into());
    Some(response)
}

/// Refuses, before the body is read or a key fetched, a request signed with a key of a server
/// the domain policy refuses (suspended, or not allowed in allowlist mode): a 403. The
/// activity's actor is checked again once the envelope is read (the key may be elsewhere).
fn refused_by_policy(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let host = crate::limits::signature_key_host(headers)?;
    crate::service::domain_policy::refuses(state, &host).then(|| {
        reject(
            StatusCode::FORBIDDEN,
            "this server does not federate with yours",
        )
    })
}

/// `POST /inbox` and `/actor/inbox`.
pub async fn shared(
    State(state): State<AppState>,
    client: ClientIp,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(refused) = over_limit(&state, &headers, client) {
        return refused;
    }
    if let Some(refused) = refused_by_policy(&state, &headers) {
        return refused;
    }
    accept(&state, method, uri, headers, body).await
}

/// `POST /users/:name/inbox`.
pub async fn personal(
    State(state): State<AppState>,
    client: ClientIp,
    Path(username): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(refused) = over_limit(&state, &headers, client) {
        return refused;
    }
    if let Some(refused) = refused_by_policy(&state, &headers) {
        return refused;
    }
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
    // Only what routing needs is read here; the activity is read whole when processed.
    let envelope = match super::protocol::Envelope::read(&body) {
        Ok(v) => v,
        Err(_) => return reject(StatusCode::BAD_REQUEST, "the body is not JSON"),
    };
    if super::protocol::nested_deeper_than(&body, super::protocol::MAX_NESTING) {
        return reject(StatusCode::BAD_REQUEST, "the activity is nested too deeply");
    }
    let (Some(id), Some(actor)) = (
        envelope.id.as_str().and_then(|s| Url::parse(s).ok()),
        envelope.actor.as_str().and_then(|s| Url::parse(s).ok()),
    ) else {
        return reject(
            StatusCode::BAD_REQUEST,
            "the activity needs an id and an actor",
        );
    };

    if crate::service::domain_policy::refuses(state, &super::protocol::domain_of(&actor)) {
        return reject(
            StatusCode::FORBIDDEN,
            "this server does not federate with yours",
        );
    }
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let signer = match verify::signer(state, &method, path, &headers, Some(&body)).await {
        Ok(signer) => signer,
        Err(SignatureError::Key(why)) if is_self_deletion(&envelope, &actor) => {
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
    super::delivery::heard_from(state, &super::protocol::domain_of(&actor)).await;
    // Stored before the answer; replays (a signature is good once) are recognised as it is
    // stored, by the activity they bring.
    let arrival = db::federation::Arrival {
        fingerprint: verify::fingerprint(&headers),
        activity_uri: id.to_string(),
        signer: signer.uri.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
        received_at: clock::now(),
    };
    let again = matches!(envelope.kind.as_str(), Some("Follow" | "Undo")).then(|| arrival.clone());
    let mut admitted = admit(state, arrival).await;
    // A Follow and an Undo are recognised by what they do, not only by their id: Gancio follows
    // again after an Undo with the same Follow id, and unfollows again with the same Undo id.
    // Sent anew (another signature) after the first was processed, such an activity is
    // processed again (both are idempotent, and only their actor can sign them); a replay of
    // that request is still one.
    if let (Ok(db::federation::Admitted::Duplicate), Some(mut again)) = (&admitted, again)
        && let Some(fingerprint) = again.fingerprint.clone()
        && matches!(
            db::federation::inbox_state(state.pool(), &again.activity_uri).await,
            Ok(Some(done)) if done != "queued"
        )
    {
        again.activity_uri = format!("{}#again-{}", again.activity_uri, fingerprint);
        admitted = admit(state, again).await;
    }
    match admitted {
        Ok(db::federation::Admitted::Replayed) => {
            reject(StatusCode::UNAUTHORIZED, "the signature was already used")
        }
        Ok(admitted) => {
            tracing::debug!(activity = %id, ?admitted, "activity received");
            StatusCode::ACCEPTED.into_response()
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

/// The inbox's writer: requests hand their arrival over and wait; the writer stores all the
/// arrivals waiting at that moment in one statement. Under load this turns thousands of
/// commits per second into a few dozen, which is what SQLite (one writer) needs; alone, an
/// arrival is stored at once.
pub struct Admission {
    queue: tokio::sync::mpsc::Sender<(
        db::federation::Arrival,
        tokio::sync::oneshot::Sender<Result<db::federation::Admitted, sqlx::Error>>,
    )>,
}

/// Most arrivals stored in one statement.
const ADMISSION_BATCH: usize = 256;

async fn admit(
    state: &AppState,
    arrival: db::federation::Arrival,
) -> Result<db::federation::Admitted, sqlx::Error> {
    let admission = crate::federation::runtime(state).admission.get_or_init(|| {
        let (queue, mut rx) = tokio::sync::mpsc::channel::<(
            db::federation::Arrival,
            tokio::sync::oneshot::Sender<Result<db::federation::Admitted, sqlx::Error>>,
        )>(4 * ADMISSION_BATCH);
        let db = state.db.clone();
        let ready = state.inbox_ready.clone();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(ADMISSION_BATCH);
            while rx.recv_many(&mut batch, ADMISSION_BATCH).await > 0 {
                let (arrivals, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
                let stored = match db.writer().await {
                    Ok(mut conn) => db::federation::admit(&mut conn, &arrivals).await,
                    Err(e) => Err(e),
                };
                match stored {
                    Ok(results) => {
                        for (reply, r) in replies.into_iter().zip(results) {
                            let _ = reply.send(Ok(r));
                        }
                        ready.notify_one();
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, n = arrivals.len(), "cannot store received activities");
                        for reply in replies {
                            let _ = reply.send(Err(sqlx::Error::WorkerCrashed));
                        }
                    }
                }
            }
        });
        Admission { queue }
    });
    let (reply, answer) = tokio::sync::oneshot::channel();
    admission
        .queue
        .send((arrival, reply))
        .await
        .map_err(|_| sqlx::Error::WorkerCrashed)?;
    answer.await.map_err(|_| sqlx::Error::WorkerCrashed)?
}

fn is_self_deletion(envelope: &super::protocol::Envelope, actor: &Url) -> bool {
    envelope.kind.as_str() == Some("Delete") && envelope.object.as_str() == Some(actor.as_str())
}

/// How long a received activity is kept once processed (without its body): the same activity
/// received again is recognised as long, and so is its signature used again.
pub const KEEP_RECEIVED: Duration = Duration::from_secs(2 * 24 * 3600);
// A signature brings its activity (it covers the body's digest): replays are refused as long
// as the signature could be valid.
const _: () = assert!(
    KEEP_RECEIVED.as_secs()
        > super::signatures::MAX_AGE.as_secs() + super::signatures::MAX_FUTURE.as_secs()
);

/// How long a claimed activity is reserved for the process that claimed it.
const LEASE: Duration = Duration::from_secs(300);
/// Most activities claimed at once (a run of `Create`s among them is stored in one
/// transaction).
const CLAIM_BATCH: i64 = 128;
/// How many times processing is tried before an activity is given up.
const MAX_ATTEMPTS: i64 = 8;

/// Processes stored activities until `stop`: in order, several actors at once, each actor's
/// activities one after the other (a Follow before its Undo).
///
/// One task claims batches and parses them (no database needed for that) while the batches
/// before are processed, and hands each activity to a lane, chosen by its signer
/// ([`lane_of`]): a lane processes its batches one after the other, so each actor's order
/// holds. On PostgreSQL there are `POSTGRES_LANES`: with one, a fifth of the cores stayed
/// idle, waiting on the database server; the lanes' database work overlaps. SQLite has one
/// writer, which a second lane would only wait for; its one lane writes a batch while the
/// next is claimed and parsed.
pub async fn run(state: AppState, stop: CancellationToken) {
    let lanes = match state.db.backend() {
        db::Backend::Sqlite => 1,
        db::Backend::Postgres => POSTGRES_LANES,
    };
    let mut queues = Vec::with_capacity(lanes);
    let mut workers = Vec::with_capacity(lanes);
    for _ in 0..lanes {
        // One batch waiting per lane, besides the one it processes: claims stay few ahead.
        let (queue, mut batches) = tokio::sync::mpsc::channel::<Vec<Prepared>>(1);
        let (state, stop) = (state.clone(), stop.clone());
        queues.push(queue);
        workers.push(tokio::spawn(async move {
            while let Some(batch) = batches.recv().await {
                if stop.is_cancelled() {
                    // Left claimed: released with the process's other claims at a clean
                    // stop (`release_claims`), or taken over once the lease ends.
                    break;
                }
                process(&state, batch).await;
            }
        }));
    }
    'claiming: loop {
        if stop.is_cancelled() {
            break;
        }
        let batch = claim(state.clone()).await;
        if batch.is_empty() {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = state.inbox_ready.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
            continue;
        }
        let mut parts: Vec<Vec<Prepared>> = (0..lanes).map(|_| Vec::new()).collect();
        for p in batch {
            parts[lane_of(&p.item.signer, lanes)].push(p);
        }
        for (queue, part) in queues.iter().zip(parts) {
            if !part.is_empty() && queue.send(part).await.is_err() {
                break 'claiming;
            }
        }
    }
    drop(queues);
    for worker in workers {
        let _ = worker.await;
    }
}

/// Lanes of the inbox worker on PostgreSQL (see [`run`]). Two processed up to 17 % more
/// than one in the ingest benchmark; three did worse
/// (docs/decisions/0018-cpu-per-unit-of-work-a-log-that-never-started-over.md).
const POSTGRES_LANES: usize = 2;

/// The lane of a signer's activities: the same signer always gets the same lane.
fn lane_of(signer: &str, lanes: usize) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    signer.hash(&mut h);
    (h.finish() % lanes as u64) as usize
}

/// A claimed batch, in order: runs of `Create`s in bulk, everything else one by one.
async fn process(state: &AppState, batch: Vec<Prepared>) {
    let mut runs: Vec<(bool, Vec<Prepared>)> = Vec::new();
    for p in batch {
        match runs.last_mut() {
            Some((c, items)) if *c == p.create => items.push(p),
            _ => runs.push((p.create, vec![p])),
        }
    }
    for (create, items) in runs {
        if create {
            in_bulk(state, items).await;
        } else {
            one_by_one(state, items.into_iter().map(|p| p.item).collect()).await;
        }
    }
}

/// Claims the next batch and reads it (no database needed for the reading).
async fn claim(state: AppState) -> Vec<Prepared> {
    match db::federation::claim_inbox(&state.db, &state.claim(LEASE), CLAIM_BATCH).await {
        Ok(batch) => batch.into_iter().map(super::bulk::prepare).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "inbox: cannot claim activities");
            Vec::new()
        }
    }
}

/// A run of `Create`s: what the bulk path stores, in one transaction; the rest one by one.
async fn in_bulk(state: &AppState, prepared: Vec<Prepared>) {
    let (run, notes): (Vec<_>, Vec<_>) = prepared.into_iter().map(|p| (p.item, p.note)).unzip();
    let rest = match super::bulk::store_parsed(state, &run, notes).await {
        Ok(stored) => {
            for (id, outcome) in &stored.settled {
                tracing::debug!(queue_id = id, ?outcome, "activity processed in bulk");
            }
            stored.rest
        }
        Err(e) => {
            tracing::warn!(error = %e, n = run.len(), "inbox: a run of posts goes one by one");
            (0..run.len()).collect()
        }
    };
    let mut rest = rest.into_iter().peekable();
    let left = run
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| rest.next_if_eq(&i).map(|_| item))
        .collect();
    one_by_one(state, left).await;
}

/// Activities processed each on its own: several actors at once, each actor's activities
/// in order.
async fn one_by_one(state: &AppState, items: Vec<db::federation::QueuedActivity>) {
    // Group by signer, keeping each group's order.
    let mut groups: Vec<(String, Vec<db::federation::QueuedActivity>)> = Vec::new();
    for item in items {
        match groups.iter_mut().find(|(s, _)| *s == item.signer) {
            Some((_, items)) => items.push(item),
            None => groups.push((item.signer.clone(), vec![item])),
        }
    }
    // SQLite has one writer: concurrent processing only makes transactions wait for the
    // lock (its busy handler sleeps), so there groups go one after the other.
    if state.db.backend() == db::Backend::Sqlite {
        for (_, items) in groups {
            for item in items {
                handle(state, item).await;
            }
        }
        return;
    }
    let tasks = groups.into_iter().map(|(_, items)| async move {
        for item in items {
            handle(state, item).await;
        }
    });
    futures::future::join_all(tasks).await;
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
    fn signers_spread_over_the_lanes_there_are() {
        let signers: Vec<String> = (0..100)
            .map(|i| format!("https://h{i}.example/users/a"))
            .collect();
        for s in &signers {
            assert_eq!(lane_of(s, 1), 0);
            assert!(lane_of(s, 2) < 2);
            assert!(lane_of(s, 3) < 3);
        }
        let first = signers.iter().filter(|s| lane_of(s, 2) == 0).count();
        assert!((20..=80).contains(&first), "{first} of 100 in lane 0");
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(1), Duration::from_secs(10));
        assert_eq!(retry_delay(2), Duration::from_secs(40));
        assert_eq!(retry_delay(8), Duration::from_secs(3600));
    }
}
