//! Delivering activities to remote inboxes: a dispatcher claims due delivery rows, sends each
//! signed by its actor, with bounded parallelism in all and per host, and records the result:
//! done, retried later with backoff (the first retry within seconds, capped at an hour), or
//! given up: at once when the inbox refuses for good (a 4xx), after [`GIVE_UP_AFTER`] attempts
//! when the inbox keeps answering an error for this one activity while its host takes others.
//! Given-up deliveries are recorded for administrators (`delivery_failures`). A host that fails
//! for longer than `park_hosts_after_days` is parked until it is heard from again.
//!
//! Everything owed is in the database: a process killed mid-delivery leaves claims that expire
//! and are taken up again, so every inbox gets every activity at least once.

use super::signatures::SigningKey;
use crate::{clock, config::Config, db, metrics::Delivery, state::AppState};
use reqwest::{Client, header};
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use url::Url;

/// How long a claimed delivery is reserved for the process that claimed it.
const LEASE: Duration = Duration::from_secs(300);
/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// After how many attempts a delivery is given up when its inbox answers an HTTP error again
/// while the same host took other deliveries since it was queued (the host is up: it is this
/// activity it cannot take, as Gancio's 500 for a `Tombstone` without `formerType`). With the
/// backoff capped at an hour, 24 attempts span about 19 hours: a peer restarted or repaired the
/// same day still gets it. (Mastodon gives up any delivery after 16 retries, about two days.)
/// A host that is down (network errors, or every delivery failing) is never given up this way:
/// it is parked after `park_hosts_after_days`, and its deliveries wait for it.
pub const GIVE_UP_AFTER: i64 = 24;

/// What the delivery side of federation keeps in memory: the HTTP client, limits, caches, and
/// which hosts are parked or failing (to skip database writes for healthy ones).
pub struct Runtime {
    client: Client,
    global: Arc<Semaphore>,
    per_host: usize,
    in_flight: Mutex<HashMap<String, usize>>,
    slot_freed: Notify,
    wake: Notify,
    keys: Mutex<HashMap<i64, SigningKey>>,
    bodies: Mutex<HashMap<i64, Arc<(i64, String)>>>,
    parked: Mutex<HashSet<String>>,
    failing: Mutex<HashSet<String>>,
    finished: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<Finished>>,
}

/// A message to the writer of finished deliveries.
enum Finished {
    /// A delivery (id, activity id) is done.
    Done(i64, i64),
    /// Answer once everything sent before is written.
    Flush(tokio::sync::oneshot::Sender<()>),
}

impl Runtime {
    /// A runtime for a configuration.
    pub fn new(config: &Config) -> Runtime {
        Runtime {
            client: super::http_client(config),
            global: Arc::new(Semaphore::new(config.delivery_parallel)),
            per_host: config.delivery_parallel_per_host,
            in_flight: Mutex::new(HashMap::new()),
            slot_freed: Notify::new(),
            wake: Notify::new(),
            keys: Mutex::new(HashMap::new()),
            bodies: Mutex::new(HashMap::new()),
            parked: Mutex::new(HashSet::new()),
            failing: Mutex::new(HashSet::new()),
            finished: std::sync::OnceLock::new(),
        }
    }
}

impl Runtime {
    /// The HTTP client (also used to fetch other servers' media).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// Wakes the dispatcher (new deliveries were queued).
pub fn wake(state: &AppState) {
    super::runtime(state).delivery.wake.notify_one();
}

/// Called when a host contacts us: if it was parked, its deliveries resume.
pub async fn heard_from(state: &AppState, host: &str) {
    let was_parked = super::runtime(state)
        .delivery
        .parked
        .lock()
        .map(|p| p.contains(host))
        .unwrap_or(false);
    if !was_parked {
        return;
    }
    match db::federation::unpark_host(state.pool(), host, clock::now()).await {
        Ok(_) => {
            if let Ok(mut p) = super::runtime(state).delivery.parked.lock() {
                p.remove(host);
            }
            tracing::info!(host, "host heard from again: deliveries resume");
            wake(state);
        }
        Err(e) => tracing::warn!(error = %e, host, "cannot un-park a host"),
    }
}

/// Reloads the parked hosts from the database (another process may have parked some).
pub async fn refresh_parked(state: &AppState) {
    let hosts: Result<Vec<String>, _> =
        sqlx::query_scalar("SELECT host FROM hosts WHERE parked_at IS NOT NULL")
            .fetch_all(state.pool())
            .await;
    if let (Ok(hosts), Ok(mut p)) = (hosts, super::runtime(state).delivery.parked.lock()) {
        *p = hosts.into_iter().collect();
    }
}

/// Sends deliveries until `stop`.
pub async fn run(state: AppState, stop: CancellationToken) {
    refresh_parked(&state).await;
    let rt = &super::runtime(&state).delivery;
    loop {
        if stop.is_cancelled() {
            break;
        }
        let free = rt.global.available_permits();
        if free == 0 {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = rt.slot_freed.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            continue;
        }
        let saturated: Vec<String> = rt
            .in_flight
            .lock()
            .map(|m| {
                m.iter()
                    .filter(|(_, n)| **n >= rt.per_host)
                    .map(|(h, _)| h.clone())
                    .collect()
            })
            .unwrap_or_default();
        let now = clock::now();
        let claimed = claim(&state, now, free.min(256) as i64, &saturated).await;
        if claimed.is_empty() {
            let wait = match db::federation::next_due(state.pool()).await {
                Ok(Some(due)) if due > now => {
                    Duration::from_micros((due - now) as u64).min(Duration::from_secs(5))
                }
                Ok(Some(_)) => Duration::from_millis(200),
                _ => Duration::from_secs(5),
            };
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = rt.wake.notified() => {}
                _ = rt.slot_freed.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
            continue;
        }
        for row in claimed {
            let over = {
                let mut m = rt.in_flight.lock().expect("in-flight map");
                let n = m.entry(row.host.clone()).or_insert(0);
                if *n >= rt.per_host {
                    true
                } else {
                    *n += 1;
                    false
                }
            };
            if over {
                // Claimed in the same batch as others to this host: give it back for later.
                let _ =
                    db::federation::retry_delivery(state.pool(), row.id, clock::now(), "").await;
                continue;
            }
            let Ok(permit) = rt.global.clone().try_acquire_owned() else {
                release_slot(&state, &row.host);
                let _ =
                    db::federation::retry_delivery(state.pool(), row.id, clock::now(), "").await;
                continue;
            };
            let state = state.clone();
            tokio::spawn(async move {
                deliver(&state, &row).await;
                drop(permit);
                release_slot(&state, &row.host);
            });
        }
    }
}

/// Records a finished delivery. Finished rows are deleted in batches by one writer (a commit
/// per delivery would bound fan-out by the database's commit rate). A crash before the batch
/// is written makes those deliveries go again: delivery is at least once, and receivers
/// deduplicate by activity id.
fn record_finished(state: &AppState, id: i64, activity_id: i64) {
    let _ = finished_queue(state).send(Finished::Done(id, activity_id));
}

fn finished_queue(state: &AppState) -> &tokio::sync::mpsc::UnboundedSender<Finished> {
    super::runtime(state).delivery.finished.get_or_init(|| {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Finished>();
        let pool = state.pool().clone();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(512);
            while rx.recv_many(&mut batch, 512).await > 0 {
                let mut done = Vec::with_capacity(batch.len());
                let mut waiting = Vec::new();
                for m in batch.drain(..) {
                    match m {
                        Finished::Done(id, activity) => done.push((id, activity)),
                        Finished::Flush(reply) => waiting.push(reply),
                    }
                }
                if let Err(e) = db::federation::finish_deliveries(&pool, &done).await {
                    tracing::warn!(error = %e, n = done.len(), "cannot record finished deliveries");
                }
                for reply in waiting {
                    let _ = reply.send(());
                }
            }
        });
        tx
    })
}

/// Writes the finished deliveries recorded so far (at a graceful stop, so that a restart
/// does not send them again).
pub async fn flush_finished(state: &AppState) {
    if super::runtime(state).delivery.finished.get().is_none() {
        return;
    }
    let (reply, done) = tokio::sync::oneshot::channel();
    if finished_queue(state).send(Finished::Flush(reply)).is_ok() {
        let _ = tokio::time::timeout(Duration::from_secs(10), done).await;
    }
}

fn release_slot(state: &AppState, host: &str) {
    if let Ok(mut m) = super::runtime(state).delivery.in_flight.lock()
        && let Some(n) = m.get_mut(host)
    {
        *n = n.saturating_sub(1);
        if *n == 0 {
            m.remove(host);
        }
    }
    super::runtime(state).delivery.slot_freed.notify_one();
}

async fn claim(
    state: &AppState,
    now: i64,
    limit: i64,
    saturated: &[String],
) -> Vec<db::federation::DeliveryRow> {
    match db::federation::claim_deliveries(&state.db, &state.claim(LEASE), limit).await {
        Ok(rows) => {
            // Rows for hosts already at their limit go back at once.
            let (keep, give_back): (Vec<_>, Vec<_>) =
                rows.into_iter().partition(|r| !saturated.contains(&r.host));
            for r in give_back {
                let _ = db::federation::retry_delivery(state.pool(), r.id, now + 500_000, "").await;
            }
            keep
        }
        Err(e) => {
            tracing::warn!(error = %e, "delivery: cannot claim deliveries");
            Vec::new()
        }
    }
}

async fn activity_body(state: &AppState, activity_id: i64) -> Option<Arc<(i64, String)>> {
    if let Some(b) = super::runtime(state)
        .delivery
        .bodies
        .lock()
        .ok()?
        .get(&activity_id)
    {
        return Some(b.clone());
    }
    let row = db::federation::activity(state.pool(), activity_id)
        .await
        .ok()??;
    let body = Arc::new(row);
    if let Ok(mut cache) = super::runtime(state).delivery.bodies.lock() {
        if cache.len() > 1000 {
            cache.clear();
        }
        cache.insert(activity_id, body.clone());
    }
    Some(body)
}

async fn signing_key(state: &AppState, account_id: i64) -> Option<SigningKey> {
    if let Some(k) = super::runtime(state)
        .delivery
        .keys
        .lock()
        .ok()?
        .get(&account_id)
    {
        return Some(k.clone());
    }
    let account = db::accounts::by_id(state.pool(), account_id).await.ok()??;
    let pem = account.private_key_pem.as_deref()?;
    let key = SigningKey::from_pem(format!("{}#main-key", account.uri), pem).ok()?;
    if let Ok(mut keys) = super::runtime(state).delivery.keys.lock() {
        if keys.len() > 10_000 {
            keys.clear();
        }
        keys.insert(account_id, key.clone());
    }
    Some(key)
}

/// The wait before attempt `attempts + 1`: 5 s, 15 s, 45 s, 2 min, 6 min, 20 min, then an
/// hour, with ±10 % jitter so that a recovering host is not hit by everything at once.
pub fn backoff(attempts: i64) -> Duration {
    let base = 5u64
        .saturating_mul(3u64.saturating_pow(attempts.clamp(1, 8) as u32 - 1))
        .min(3600);
    let mut b = [0u8; 1];
    let _ = aws_lc_rs::rand::SecureRandom::fill(&aws_lc_rs::rand::SystemRandom::new(), &mut b);
    let jitter = (f64::from(b[0]) / 255.0 - 0.5) * 0.2;
    Duration::from_secs_f64(base as f64 * (1.0 + jitter))
}

/// How a send ended.
enum Sent {
    Done,
    /// Not sent, for a reason of ours (the domain policy, the activity or its key gone).
    Dropped(String),
    /// The inbox answered this status, which says it will never take the activity.
    Refused(u16, String),
    /// To try again; with the status when the inbox answered one.
    Retry(Option<u16>, String),
}

async fn send(state: &AppState, row: &db::federation::DeliveryRow) -> Sent {
    if crate::service::domain_policy::refuses(state, &row.host) {
        return Sent::Dropped("the domain policy refuses this host".into());
    }
    let Some(body) = activity_body(state, row.activity_id).await else {
        return Sent::Dropped("the activity is gone".into());
    };
    let (actor_id, json) = (body.0, &body.1);
    let Some(key) = signing_key(state, actor_id).await else {
        return Sent::Dropped("the actor has no key".into());
    };
    let Ok(url) = Url::parse(&row.inbox_url) else {
        return Sent::Dropped("invalid inbox URL".into());
    };
    let headers = match key.sign(&reqwest::Method::POST, &url, Some(json.as_bytes())) {
        Ok(h) => h,
        Err(e) => return Sent::Dropped(e),
    };
    let mut request = super::runtime(state)
        .delivery
        .client
        .post(url)
        .timeout(TIMEOUT)
        .header(header::ACCEPT, super::AP_CONTENT_TYPE);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    match request.body(json.clone()).send().await {
        Ok(res) if res.status().is_success() => Sent::Done,
        Ok(res) => {
            let status = res.status();
            // 4xx other than timeouts, rate limits and 401 (the peer could not fetch our key
            // yet, or its cache is stale; Mastodon retries it too): the inbox will never take it.
            if status.is_client_error()
                && status != reqwest::StatusCode::UNAUTHORIZED
                && status != reqwest::StatusCode::REQUEST_TIMEOUT
                && status != reqwest::StatusCode::TOO_MANY_REQUESTS
            {
                Sent::Refused(status.as_u16(), answer(res).await)
            } else {
                Sent::Retry(Some(status.as_u16()), answer(res).await)
            }
        }
        Err(e) => Sent::Retry(None, format!("{e}")),
    }
}

/// What an inbox answered when it did not take a delivery: its status and the start of what
/// it said (one chunk read, at most 200 characters kept), for the log and administrators.
async fn answer(mut res: reqwest::Response) -> String {
    let status = res.status();
    let said = match res.chunk().await {
        Ok(Some(bytes)) => String::from_utf8_lossy(&bytes)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(200)
            .collect::<String>(),
        _ => String::new(),
    };
    if said.is_empty() {
        format!("answered {status}")
    } else {
        format!("answered {status}: {said}")
    }
}

async fn deliver(state: &AppState, row: &db::federation::DeliveryRow) {
    let result = send(state, row).await;
    let now = clock::now();
    let pool = state.pool();
    let mut outcome = match &result {
        Sent::Done => Delivery::Delivered,
        Sent::Dropped(_) => Delivery::Dropped,
        Sent::Refused(..) => Delivery::GivenUp,
        Sent::Retry(..) => Delivery::Retried,
    };
    match result {
        Sent::Done => {
            record_finished(state, row.id, row.activity_id);
            host_answered(state, row, now).await;
        }
        Sent::Dropped(why) => {
            tracing::info!(inbox = %row.inbox_url, why, "delivery dropped");
            record_finished(state, row.id, row.activity_id);
        }
        Sent::Refused(status, why) => {
            give_up(state, row, status, &why, now).await;
            host_answered(state, row, now).await;
        }
        Sent::Retry(Some(status), why)
            if row.attempts >= GIVE_UP_AFTER
                && db::federation::host_took_others_since(pool, row.id)
                    .await
                    .unwrap_or(false) =>
        {
            outcome = Delivery::GivenUp;
            give_up(state, row, status, &why, now).await;
        }
        Sent::Retry(_, why) => {
            let next = clock::after(backoff(row.attempts));
            tracing::debug!(inbox = %row.inbox_url, why, attempt = row.attempts, "delivery will be retried");
            if let Err(e) = db::federation::retry_delivery(pool, row.id, next, &why).await {
                tracing::warn!(error = %e, "cannot reschedule a delivery");
            }
            if let Ok(mut f) = super::runtime(state).delivery.failing.lock() {
                f.insert(row.host.clone());
            }
            match db::federation::host_failed(pool, &row.host, now).await {
                Ok(since) if now - since > state.config.park_hosts_after.as_micros() as i64 => {
                    tracing::warn!(host = %row.host, "host down for too long: parked until heard from");
                    let _ = db::federation::park_host(pool, &row.host, now).await;
                    if let Ok(mut p) = super::runtime(state).delivery.parked.lock() {
                        p.insert(row.host.clone());
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot record a failing host"),
            }
        }
    }
    state.metrics.delivery(outcome);
}

/// The host answered: if it was failing, it is healthy again (one write, only then).
async fn host_answered(state: &AppState, row: &db::federation::DeliveryRow, now: i64) {
    let was_failing = super::runtime(state)
        .delivery
        .failing
        .lock()
        .map(|mut f| f.remove(&row.host))
        .unwrap_or(false);
    if was_failing {
        let _ = db::federation::host_succeeded(state.pool(), &row.host, now).await;
    }
}

/// Gives a delivery up, and records it for administrators.
async fn give_up(
    state: &AppState,
    row: &db::federation::DeliveryRow,
    status: u16,
    why: &str,
    now: i64,
) {
    tracing::info!(inbox = %row.inbox_url, why, attempts = row.attempts, "delivery given up");
    let (activity_uri, activity_type) = match activity_body(state, row.activity_id).await {
        Some(body) => {
            let json: serde_json::Value = serde_json::from_str(&body.1).unwrap_or_default();
            let text = |k: &str| json[k].as_str().unwrap_or_default().to_string();
            (text("id"), text("type"))
        }
        None => (String::new(), String::new()),
    };
    let failure = db::federation::DeliveryFailure {
        id: 0,
        host: row.host.clone(),
        inbox_url: row.inbox_url.clone(),
        activity_uri,
        activity_type,
        status: i64::from(status),
        error: why.to_string(),
        attempts: row.attempts,
        failed_at: now,
    };
    if let Err(e) = db::federation::record_delivery_failure(state.pool(), &failure).await {
        tracing::warn!(error = %e, "cannot record a given-up delivery");
    }
    record_finished(state, row.id, row.activity_id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_starts_in_seconds_and_caps_near_an_hour() {
        let first = backoff(1).as_secs_f64();
        assert!((4.4..=5.6).contains(&first), "{first}");
        let late = backoff(30).as_secs_f64();
        assert!((3200.0..=4000.0).contains(&late), "{late}");
        assert!(backoff(3) > backoff(2));
    }
}
