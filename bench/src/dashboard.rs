//! The administrators' dashboard on a big database: `media` media rows (half uploads here, half
//! copies of other servers'), `deliveries` waiting deliveries over `hosts` hosts of which a
//! tenth are failing, `inbox` waiting incoming activities and `accounts` local people. Each of
//! the dashboard's queries (`coopol::db::dashboard`) is timed `requests` times on the seeded
//! database through coopol's own pool, then the whole read as the page runs it
//! (`coopol::service::dashboard` runs the queries at once; here they run one after the other,
//! so the sum bounds the page's database time).
//!
//! Seeding writes straight into the database, as the timeline scenario does.

use crate::{ingest::quantile, server::Coopol, server::Database, timeline::batched};
use anyhow::Result;
use coopol::db::dashboard as q;
use std::time::Instant;

/// Sizes of a dashboard run.
#[derive(Clone, Debug)]
pub struct Params {
    /// Local people.
    pub accounts: usize,
    /// Media rows.
    pub media: usize,
    /// Waiting deliveries.
    pub deliveries: usize,
    /// Known hosts (a tenth failing, a fiftieth parked).
    pub hosts: usize,
    /// Waiting incoming activities.
    pub inbox: usize,
    /// Times each query is run.
    pub requests: usize,
}

/// What a dashboard run measured: (query, p50 ms, p99 ms), and the seeding time.
#[derive(Debug, Default)]
pub struct Outcome {
    pub seed_seconds: f64,
    pub queries: Vec<(&'static str, f64, f64)>,
}

async fn seed(database: &Database, p: &Params) -> Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(&database.url).await?;
    let mut tx = conn.begin().await?;
    let postgres = database.url.starts_with("postgres");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_micros() as i64;
    let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM accounts")
        .fetch_one(&mut *tx)
        .await?;
    batched(
        &mut tx,
        "INSERT INTO accounts (id, username, handle_key, uri, public_key_pem, created_at, updated_at) VALUES ",
        "({1}, 'd' || CAST({1} AS TEXT), 'd' || CAST({1} AS TEXT), 'http://seed.invalid/users/d' || CAST({1} AS TEXT), 'none', 0, 0)",
        1,
        p.accounts,
        |i, v| v.push(first + i as i64),
    )
    .await?;
    batched(
        &mut tx,
        "INSERT INTO users (account_id, email, password_hash, state, created_at) VALUES ",
        "({1}, 'd' || CAST({1} AS TEXT) || '@seed.invalid', 'x', CASE WHEN {2} = 0 THEN 'pending' ELSE 'active' END, 0)",
        2,
        p.accounts,
        |i, v| v.extend([first + i as i64, i as i64 % 50]),
    )
    .await?;
    if postgres {
        sqlx::query("SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT MAX(id) FROM accounts))")
            .execute(&mut *tx)
            .await?;
    }
    batched(
        &mut tx,
        "INSERT INTO media (id, account_id, used_for, kind, state, token, file_key, file_size, remote_url, created_at, updated_at) VALUES ",
        "({1}, {2}, 'avatar', 'image', 'ready', 't', 'k', {3}, CASE WHEN {4} = 0 THEN NULL ELSE 'https://remote.invalid/m' END, 0, 0)",
        4,
        p.media,
        |i, v| v.extend([i as i64 + 1, first + (i % p.accounts) as i64, 100_000 + i as i64, i as i64 % 2]),
    )
    .await?;
    batched(
        &mut tx,
        "INSERT INTO hosts (host, failing_since, parked_at, last_success_at) VALUES ",
        "('h' || CAST({1} AS TEXT) || '.invalid', CASE WHEN {2} = 0 THEN {3} ELSE NULL END, CASE WHEN {4} = 0 THEN {3} ELSE NULL END, {3})",
        4,
        p.hosts,
        |i, v| v.extend([i as i64, i as i64 % 10, now - i as i64 * 1_000_000, i as i64 % 50]),
    )
    .await?;
    let activity: i64 = sqlx::query_scalar(
        "INSERT INTO out_activities (uri, actor_id, body, created_at) VALUES ('http://seed.invalid/a', $1, '{}', 0) RETURNING id",
    )
    .bind(first)
    .fetch_one(&mut *tx)
    .await?;
    batched(
        &mut tx,
        "INSERT INTO deliveries (activity_id, inbox_url, host, next_attempt_at, created_at) VALUES ",
        "({1}, 'https://h' || CAST({2} AS TEXT) || '.invalid/inbox', 'h' || CAST({2} AS TEXT) || '.invalid', {3}, {3})",
        3,
        p.deliveries,
        |i, v| v.extend([activity, (i % p.hosts) as i64, now + i as i64]),
    )
    .await?;
    batched(
        &mut tx,
        "INSERT INTO inbox_queue (activity_uri, signer, body, received_at, next_attempt_at) VALUES ",
        "('http://seed.invalid/in/' || CAST({1} AS TEXT), 'http://seed.invalid/u', '{}', {2}, {2})",
        2,
        p.inbox,
        |i, v| v.extend([i as i64, now + i as i64]),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Seeds, then times each query.
pub async fn run(
    bin: &std::path::Path,
    dir: &std::path::Path,
    database: &Database,
    p: &Params,
) -> Result<Outcome> {
    let coopol = Coopol::new(bin, dir, &database.url);
    coopol.migrate()?;
    let t = Instant::now();
    seed(database, p).await?;
    let seed_seconds = t.elapsed().as_secs_f64();
    let db = coopol::db::Db::connect(&database.url, 4).await?;
    let pool = db.pool();
    let mut out = Outcome {
        seed_seconds,
        queries: Vec::new(),
    };
    macro_rules! time {
        ($name:expr, $call:expr) => {{
            let mut lat = Vec::with_capacity(p.requests);
            for _ in 0..p.requests {
                let t = Instant::now();
                let _ = $call.await?;
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            let p50 = quantile(&mut lat, 0.5);
            let p99 = quantile(&mut lat, 0.99);
            out.queries.push(($name, p50, p99));
        }};
    }
    time!("users_by_state", q::users_by_state(pool));
    time!("active_in_week", q::active_in_week(pool, 0));
    time!("inbox", q::inbox(pool));
    time!("inbox_failed", q::inbox_failed(pool));
    time!("outbox", q::outbox(pool));
    time!("deliveries", q::deliveries(pool));
    time!("mail", q::mail(pool));
    time!("pushes", q::pushes(pool));
    time!("host_counts", q::host_counts(pool));
    time!("failing_hosts", q::failing_hosts(pool, 50));
    time!("media", q::media(pool));
    time!("database_bytes", q::database_bytes(&db));
    Ok(out)
}
