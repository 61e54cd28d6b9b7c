//! Fan-out: one local author with many remote followers spread over many loopback hosts; one
//! post; how long until every inbox has it, verified by a sink that checks every signature.
//! Also the delivery half of the durability scenario (SIGKILL mid-delivery, restart).

use crate::{
    peers::Peers,
    server::{Coopol, Database},
};
use anyhow::{Context, Result, bail};
use std::time::{Duration, Instant};

/// Sizes of a fan-out run.
#[derive(Clone, Debug)]
pub struct Params {
    /// Remote followers.
    pub followers: usize,
    /// Hosts they are spread over.
    pub hosts: usize,
    /// Whether hosts have a shared inbox (one request per host) or not (one per follower).
    pub shared_inbox: bool,
}

/// What a fan-out run measured.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Inboxes expected to get the post.
    pub inboxes: usize,
    /// Seconds from the API call until every inbox had it.
    pub seconds: f64,
    /// Requests the sink received (all kinds).
    pub requests: u64,
    /// Signed deliveries per second (verified by the sink).
    pub signatures_per_s: f64,
    /// Requests whose signature did not verify (must be 0).
    pub bad_signatures: u64,
    /// Resident memory peak of coopol (KiB).
    pub peak_rss_kib: u64,
    /// CPU used from the API call until every inbox had the post.
    pub cpu: crate::cpu::Usage,
}

/// Durability of delivery across SIGKILL.
#[derive(Debug, Default)]
pub struct Durability {
    /// Inboxes that had the post when coopol was killed.
    pub delivered_before_kill: usize,
    /// Inboxes that never got it after the restart (must be 0).
    pub lost: usize,
    /// Deliveries received more than once (allowed: delivery is at least once).
    pub duplicates: u64,
}

struct Setup {
    coopol: Coopol,
    peers: Peers,
    token: String,
    client: reqwest::Client,
    expected: usize,
}

/// Seeds `followers` remote accounts following `author`, straight into the database (the
/// scenario measures delivery, not how followers arrived).
async fn seed_followers(
    database: &Database,
    author: &str,
    peers: &Peers,
    p: &Params,
) -> Result<()> {
    let db = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&database.url)
        .await?;
    let author_id: i64 =
        sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1 AND domain IS NULL")
            .bind(author)
            .fetch_one(&db)
            .await?;
    let now = coopol::clock::now();
    let mut tx = db.begin().await?;
    for batch in (0..p.followers).collect::<Vec<_>>().chunks(200) {
        let mut sql = String::from(
            "INSERT INTO accounts (username, domain, handle_key, actor_type, uri, public_key_pem, key_id, \
             inbox_url, shared_inbox_url, created_at, updated_at) VALUES ",
        );
        for k in 0..batch.len() {
            if k > 0 {
                sql.push(',');
            }
            let p: Vec<String> = (1..=9).map(|n| format!("${}", k * 9 + n)).collect();
            sql.push_str(&format!(
                "({}, {}, {}, 'Person', {}, 'none', {}, {}, {}, {}, {})",
                p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for &i in batch {
            let port = peers.ports[i % p.hosts];
            let domain = format!("localhost:{port}");
            let uri = format!("http://{domain}/users/f{i}");
            q = q
                .bind(format!("f{i}"))
                .bind(domain.clone())
                .bind(format!("f{i}@{domain}"))
                .bind(uri.clone())
                .bind(format!("{uri}#main-key"))
                .bind(format!("{uri}/inbox"))
                .bind(p.shared_inbox.then(|| format!("http://{domain}/inbox")))
                .bind(now)
                .bind(now);
        }
        q.execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO follows (account_id, target_account_id, uri, state, created_at) \
         SELECT id, $1, uri || '#follow', 'accepted', $2 FROM accounts WHERE domain IS NOT NULL",
    )
    .bind(author_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    db.close().await;
    Ok(())
}

async fn setup(
    bin: &std::path::Path,
    dir: &std::path::Path,
    database: &Database,
    p: &Params,
) -> Result<Setup> {
    // Many hosts: answers close their connections, or 10,000 idle ones stay open. The hosts'
    // ports are taken first, so that coopol's is not among them.
    let peers = Peers::start(p.hosts, &[], p.hosts > 2000).await?;
    let mut coopol = Coopol::new(bin, dir, &database.url);
    coopol.migrate()?;
    coopol.create_user("author", "correct horse battery")?;
    seed_followers(database, "author", &peers, p).await?;
    coopol.start().await?;
    let client = reqwest::Client::new();
    let token = coopol
        .token(&client, "author", "correct horse battery")
        .await?;
    let actor: serde_json::Value = client
        .get(format!("{}/users/author", coopol.base()))
        .header("accept", "application/activity+json")
        .send()
        .await?
        .json()
        .await?;
    peers.sink.trust(
        actor["publicKey"]["id"].as_str().context("key id")?,
        actor["publicKey"]["publicKeyPem"].as_str().context("key")?,
    )?;
    let expected = if p.shared_inbox {
        p.hosts.min(p.followers)
    } else {
        p.followers
    };
    Ok(Setup {
        coopol,
        peers,
        token,
        client,
        expected,
    })
}

async fn publish(s: &Setup, marker: &str) -> Result<()> {
    s.peers.sink.reset(marker);
    let res = s
        .client
        .post(format!("{}/api/v1/statuses", s.coopol.base()))
        .bearer_auth(&s.token)
        .json(&serde_json::json!({"status": format!("Tractage samedi 9 h au marché ({marker})")}))
        .send()
        .await?;
    if !res.status().is_success() {
        bail!("posting failed: {}", res.status());
    }
    Ok(())
}

async fn wait_delivered(s: &Setup, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while s.peers.sink.delivered().0 < s.expected {
        if Instant::now() > deadline {
            bail!(
                "only {} of {} inboxes got the post after {timeout:?}",
                s.peers.sink.delivered().0,
                s.expected
            );
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(())
}

/// Runs the fan-out scenario.
pub async fn run(
    bin: &std::path::Path,
    dir: &std::path::Path,
    database: &Database,
    p: &Params,
) -> Result<Outcome> {
    let mut s = setup(bin, dir, database, p).await?;
    let cpu_before = crate::cpu::sample(s.coopol.pid());
    let start = Instant::now();
    publish(&s, "fanout-1").await?;
    wait_delivered(&s, Duration::from_secs(600)).await?;
    let seconds = start.elapsed().as_secs_f64();
    let cpu = crate::cpu::since(&cpu_before, &crate::cpu::sample(s.coopol.pid()));
    // Let stragglers (duplicates, other activities) arrive before counting requests.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let requests = s
        .peers
        .sink
        .requests
        .load(std::sync::atomic::Ordering::SeqCst);
    let bad = s
        .peers
        .sink
        .bad_signatures
        .load(std::sync::atomic::Ordering::SeqCst);
    let peak = s.coopol.memory().map_or(0, |m| m.1);
    s.coopol.stop();
    Ok(Outcome {
        inboxes: s.expected,
        seconds,
        requests,
        signatures_per_s: s.expected as f64 / seconds,
        bad_signatures: bad,
        peak_rss_kib: peak,
        cpu,
    })
}

/// Posts, SIGKILLs coopol once part of the inboxes have the post, restarts it, and counts.
pub async fn durability(
    bin: &std::path::Path,
    dir: &std::path::Path,
    database: &Database,
    p: &Params,
) -> Result<Durability> {
    let mut s = setup(bin, dir, database, p).await?;
    publish(&s, "kill-1").await?;
    let deadline = Instant::now() + Duration::from_secs(120);
    while s.peers.sink.delivered().0 < (s.expected / 5).max(1) {
        if Instant::now() > deadline {
            bail!("deliveries never started");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    s.coopol.kill9();
    let before = s.peers.sink.delivered().0;
    s.coopol.start().await?;
    let lost = match wait_delivered(&s, Duration::from_secs(600)).await {
        Ok(()) => 0,
        Err(_) => s.expected - s.peers.sink.delivered().0,
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (inboxes, total) = s.peers.sink.delivered();
    s.coopol.stop();
    Ok(Durability {
        delivered_before_kill: before,
        lost,
        duplicates: total - inboxes as u64,
    })
}
