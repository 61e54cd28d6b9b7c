//! Ingest: many remote actors, each on its own loopback host with its own key, POST signed
//! `Create(Note)` activities to coopol's shared inbox as fast as it accepts them. Also the
//! ingest half of the durability scenario (SIGKILL while activities pour in).

use crate::{
    peers::Peers,
    server::{Coopol, Database},
};
use anyhow::{Result, bail};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::json;
use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use url::Url;

/// Sizes of an ingest run.
#[derive(Clone, Debug)]
pub struct Params {
    /// Remote actors (each on its own host).
    pub actors: usize,
    /// Activities signed in advance and sent.
    pub activities: usize,
    /// Longest time spent sending.
    pub max_seconds: f64,
    /// Requests in flight at once.
    pub concurrency: usize,
}

/// What an ingest run measured.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Activities answered 202.
    pub accepted: usize,
    /// Other answers or errors.
    pub refused: usize,
    /// Accepted per second, over the sending time.
    pub accepted_per_s: f64,
    /// Latency of the POSTs.
    pub p50_ms: f64,
    /// Latency of the POSTs.
    pub p99_ms: f64,
    /// From the first POST until every accepted activity is stored as a post.
    pub all_processed_s: f64,
    /// Accepted and processed per second, over that time.
    pub processed_per_s: f64,
    /// Resident memory peak of coopol during the run (KiB).
    pub peak_rss_kib: u64,
    /// CPU used from the first POST until every activity was processed.
    pub cpu: crate::cpu::Usage,
}

/// One signed request ready to go.
struct Signed {
    headers: HeaderMap,
    body: Vec<u8>,
}

fn note(peers: &Peers, i: usize, alice: &str, run: &str) -> serde_json::Value {
    let actor = &peers.actors[i % peers.actors.len()];
    let id = format!("{}/notes/{run}-{i}", actor.uri);
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{id}/activity"),
        "type": "Create",
        "actor": actor.uri,
        "published": "2026-11-21T10:00:00Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [alice],
        "object": {
            "id": id,
            "type": "Note",
            "attributedTo": actor.uri,
            "content": format!("<p><span class=\"h-card\"><a href=\"{alice}\" class=\"u-url mention\">@alice</a></span> Message {i} : rendez-vous samedi au marché pour le tractage.</p>"),
            "published": "2026-11-21T10:00:00Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [alice],
            "tag": [{"type": "Mention", "href": alice, "name": "@alice"}],
        },
    })
}

/// Signs `range` activities in advance, on every core.
fn sign_all(
    peers: &Peers,
    inbox: &Url,
    alice: &str,
    run: &str,
    range: std::ops::Range<usize>,
) -> Vec<Signed> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let items: Vec<usize> = range.collect();
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|&i| {
                            let body = note(peers, i, alice, run).to_string().into_bytes();
                            let actor = &peers.actors[i % peers.actors.len()];
                            let mut headers = HeaderMap::new();
                            for (k, v) in actor
                                .key
                                .sign(&http::Method::POST, inbox, Some(&body))
                                .expect("sign")
                            {
                                headers.insert(
                                    HeaderName::from_bytes(k.as_ref()).unwrap(),
                                    HeaderValue::from_bytes(v.as_bytes()).unwrap(),
                                );
                            }
                            headers.insert(
                                reqwest::header::CONTENT_TYPE,
                                HeaderValue::from_static("application/activity+json"),
                            );
                            Signed { headers, body }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

async fn remote_posts(db: &sqlx::AnyPool) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM statuses WHERE local = 0")
            .fetch_one(db)
            .await?,
    )
}

/// Waits until `n` remote posts are stored. The count reads the whole table, and polling it
/// every 20 ms took about a tenth of PostgreSQL's time during a run (pg_stat_statements), so
/// the wait follows the rate seen so far: rare polls while much is left, every 20 ms near the
/// end, which is what the measured time depends on.
async fn wait_for_posts(db: &sqlx::AnyPool, n: i64, timeout: Duration) -> Result<()> {
    let start = Instant::now();
    let deadline = start + timeout;
    let first = remote_posts(db).await?;
    loop {
        let now = remote_posts(db).await?;
        if now >= n {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("only {now} of {n} posts stored after {timeout:?}");
        }
        let per_s = (now - first) as f64 / start.elapsed().as_secs_f64().max(1e-3);
        let left = if per_s > 0.0 {
            (n - now) as f64 / per_s
        } else {
            0.0
        };
        let wait = Duration::from_secs_f64(left / 2.0)
            .clamp(Duration::from_millis(20), Duration::from_millis(500));
        tokio::time::sleep(wait).await;
    }
}

/// Sends `requests`, `concurrency` at a time, until all are sent or `max` has passed.
/// Returns (accepted, refused, latencies in ms, sending time).
async fn fire(
    client: &reqwest::Client,
    inbox: &Url,
    requests: Vec<Signed>,
    concurrency: usize,
    max: Duration,
) -> (usize, usize, Vec<f64>, Duration) {
    let queue = Arc::new(Mutex::new(requests.into_iter().rev().collect::<Vec<_>>()));
    let accepted = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (queue, accepted, refused, latencies) = (
            queue.clone(),
            accepted.clone(),
            refused.clone(),
            latencies.clone(),
        );
        let client = client.clone();
        let inbox = inbox.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                if start.elapsed() > max {
                    break;
                }
                let Some(req) = queue.lock().unwrap().pop() else {
                    break;
                };
                let t = Instant::now();
                let res = client
                    .post(inbox.clone())
                    .headers(req.headers)
                    .body(req.body)
                    .send()
                    .await;
                mine.push(t.elapsed().as_secs_f64() * 1000.0);
                match res {
                    Ok(r) if r.status() == reqwest::StatusCode::ACCEPTED => {
                        accepted.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies.lock().unwrap().extend(mine);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = start.elapsed();
    let lat = std::mem::take(&mut *latencies.lock().unwrap());
    (
        accepted.load(Ordering::SeqCst),
        refused.load(Ordering::SeqCst),
        lat,
        elapsed,
    )
}

/// The `q` quantile of `values` (sorted here).
pub fn quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let i = ((values.len() as f64 - 1.0) * q).round() as usize;
    values[i]
}

struct Setup {
    coopol: Coopol,
    peers: Peers,
    db: sqlx::AnyPool,
    inbox: Url,
    alice: String,
    client: reqwest::Client,
}

async fn setup(
    bin: &std::path::Path,
    dir: &std::path::Path,
    database: &Database,
    keys: &[(String, String)],
    p: &Params,
) -> Result<Setup> {
    let peers = Peers::start(p.actors, &keys[..p.actors], false).await?;
    let mut coopol = Coopol::new(bin, dir, &database.url);
    coopol.migrate()?;
    coopol.create_user("alice", "correct horse battery")?;
    coopol.start().await?;
    let db = sqlx::any::AnyPoolOptions::new()
        .max_connections(2)
        .connect(&database.url)
        .await?;
    let inbox = Url::parse(&format!("{}/inbox", coopol.base()))?;
    let alice = format!("{}/users/alice", coopol.base());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(p.concurrency)
        .build()?;
    Ok(Setup {
        coopol,
        peers,
        db,
        inbox,
        alice,
        client,
    })
}

/// Runs the ingest scenario.
pub async fn run(
    bin: &std::path::Path,
    dir: &std::path::Path,
    database: &Database,
    keys: &[(String, String)],
    p: &Params,
) -> Result<Outcome> {
    let s = setup(bin, dir, database, keys, p).await?;
    // Warm-up: every actor once, so coopol knows them all (actors are fetched on first
    // sight); not timed.
    let warm = sign_all(&s.peers, &s.inbox, &s.alice, "warm", 0..p.actors);
    let (ok, _, _, _) = fire(
        &s.client,
        &s.inbox,
        warm,
        p.concurrency,
        Duration::from_secs(600),
    )
    .await;
    wait_for_posts(&s.db, ok as i64, Duration::from_secs(300)).await?;
    let before = remote_posts(&s.db).await?;

    let signed = sign_all(&s.peers, &s.inbox, &s.alice, "run", 0..p.activities);
    let cpu_before = crate::cpu::sample(s.coopol.pid());
    let start = Instant::now();
    let (accepted, refused, mut lat, sending) = fire(
        &s.client,
        &s.inbox,
        signed,
        p.concurrency,
        Duration::from_secs_f64(p.max_seconds),
    )
    .await;
    wait_for_posts(&s.db, before + accepted as i64, Duration::from_secs(600)).await?;
    let all = start.elapsed().as_secs_f64();
    let cpu = crate::cpu::since(&cpu_before, &crate::cpu::sample(s.coopol.pid()));
    let peak = s.coopol.memory().map_or(0, |m| m.1);
    let mut s = s;
    s.coopol.stop();
    s.db.close().await;
    Ok(Outcome {
        accepted,
        refused,
        accepted_per_s: accepted as f64 / sending.as_secs_f64(),
        p50_ms: quantile(&mut lat, 0.5),
        p99_ms: quantile(&mut lat, 0.99),
        all_processed_s: all,
        processed_per_s: accepted as f64 / all,
        peak_rss_kib: peak,
        cpu,
    })
}

/// What the ingest durability run measured.
#[derive(Debug, Default)]
pub struct Durability {
    /// Activities answered 202 before the kill.
    pub accepted_before_kill: usize,
    /// Of those, how many never became posts after the restart (must be 0).
    pub lost: usize,
}

/// Sends activities, SIGKILLs coopol mid-way, restarts it, and checks that every activity
/// answered 202 was processed.
pub async fn durability(
    bin: &std::path::Path,
    dir: &std::path::Path,
    database: &Database,
    keys: &[(String, String)],
    p: &Params,
) -> Result<Durability> {
    let mut s = setup(bin, dir, database, keys, p).await?;
    let warm = sign_all(&s.peers, &s.inbox, &s.alice, "warm", 0..p.actors);
    let (ok, _, _, _) = fire(
        &s.client,
        &s.inbox,
        warm,
        p.concurrency,
        Duration::from_secs(600),
    )
    .await;
    wait_for_posts(&s.db, ok as i64, Duration::from_secs(300)).await?;
    let before = remote_posts(&s.db).await?;

    let signed = sign_all(&s.peers, &s.inbox, &s.alice, "kill", 0..p.activities);
    let client = s.client.clone();
    let inbox = s.inbox.clone();
    let concurrency = p.concurrency;
    let sender = tokio::spawn(async move {
        fire(
            &client,
            &inbox,
            signed,
            concurrency,
            Duration::from_secs(600),
        )
        .await
    });
    // Kill once some activities are in, while more are arriving.
    let deadline = Instant::now() + Duration::from_secs(60);
    while remote_posts(&s.db).await? < before + (p.activities as i64 / 10).max(1) {
        if Instant::now() > deadline {
            bail!("ingest never started");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    s.coopol.kill9();
    let (accepted, _, _, _) = sender.await?;
    s.coopol.start().await?;
    let expected = before + accepted as i64;
    let lost = match wait_for_posts(&s.db, expected, Duration::from_secs(300)).await {
        Ok(()) => 0,
        Err(_) => (expected - remote_posts(&s.db).await?).max(0) as usize,
    };
    s.coopol.stop();
    s.db.close().await;
    Ok(Durability {
        accepted_before_kill: accepted,
        lost,
    })
}
