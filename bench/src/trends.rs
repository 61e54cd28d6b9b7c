//! Trends and the directory on a big database: `posts` posts of the last six days by
//! `accounts` local accounts, a fifth of them followers-only; every post with a tag among
//! [`TAGS`], one in ten with a link among [`LINKS`] ready preview cards, one in fifty liked.
//! p50/p99 of `GET /api/v1/trends/tags`, `/trends/statuses`, `/trends/links` (computed when
//! asked, from the public posts of the window: a range of post ids) and `/api/v1/directory`.
//!
//! Seeding writes straight into the database, as the timeline scenario does.

use crate::{
    ingest::quantile,
    server::{Coopol, Database},
    timeline::batched,
};
use anyhow::Result;
use std::time::Instant;

/// Distinct tags.
pub const TAGS: i64 = 997;
/// Distinct links (ready preview cards).
pub const LINKS: i64 = 500;

/// Sizes of a trends run.
#[derive(Clone, Debug)]
pub struct Params {
    /// Seeded accounts (authors).
    pub accounts: usize,
    /// Posts in all, spread over the last six days.
    pub posts: usize,
    /// Requests measured per endpoint.
    pub requests: usize,
}

/// What a trends run measured (latencies in ms).
#[derive(Debug, Default)]
pub struct Outcome {
    /// Seconds spent seeding.
    pub seed_seconds: f64,
    pub tags_p50_ms: f64,
    pub tags_p99_ms: f64,
    pub statuses_p50_ms: f64,
    pub statuses_p99_ms: f64,
    pub links_p50_ms: f64,
    pub links_p99_ms: f64,
    pub directory_p50_ms: f64,
    pub directory_p99_ms: f64,
}

async fn seed(database: &Database, p: &Params) -> Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(&database.url).await?;
    let mut tx = conn.begin().await?;
    let postgres = database.url.starts_with("postgres");
    if postgres {
        for sql in [
            "ALTER TABLE statuses DISABLE TRIGGER USER",
            "ALTER TABLE favourites DISABLE TRIGGER USER",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
    }
    let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM accounts")
        .fetch_one(&mut *tx)
        .await?;
    let n = p.accounts as i64;
    batched(
        &mut tx,
        "INSERT INTO accounts (id, username, handle_key, uri, public_key_pem, created_at, updated_at) VALUES ",
        "({1}, 't' || CAST({1} AS TEXT), 't' || CAST({1} AS TEXT), 'http://seed.invalid/users/t' || CAST({1} AS TEXT), 'none', 0, 0)",
        1,
        p.accounts,
        |i, v| v.push(first + i as i64),
    )
    .await?;
    if postgres {
        sqlx::query("SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT MAX(id) FROM accounts))")
            .execute(&mut *tx)
            .await?;
    }
    // Posts over the last six days, in time order, authors round robin; one in five
    // followers-only (never counted).
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let span_ms: i64 = 6 * 24 * 3_600_000;
    let start_ms = now_ms - span_ms;
    let step = (span_ms / p.posts.max(1) as i64).max(1);
    batched(
        &mut tx,
        "INSERT INTO statuses (id, uri, account_id, local, visibility, content, created_at) VALUES ",
        "({1}, 'http://seed.invalid/t/' || CAST({1} AS TEXT), {2}, 1, CASE WHEN {3} = 0 THEN 'private' ELSE 'public' END, '<p>Tractage samedi au marché, rendez-vous 9 h.</p>', {4})",
        4,
        p.posts,
        |i, v| {
            let ms = start_ms + i as i64 * step;
            v.extend([ms << 16 | (i as i64 & 0xffff), first + (i as i64 % n), i as i64 % 5, ms * 1000]);
        },
    )
    .await?;
    sqlx::query(
        "INSERT INTO status_tags (status_id, name) \
         SELECT id, 'tag' || CAST((account_id * 31 + id % 7) % $1 AS TEXT) FROM statuses",
    )
    .bind(TAGS)
    .execute(&mut *tx)
    .await?;
    batched(
        &mut tx,
        "INSERT INTO preview_cards (url, state, title, created_at) VALUES ",
        "('https://news.invalid/' || CAST({1} AS TEXT), 'ready', 'Article ' || CAST({1} AS TEXT), 0)",
        1,
        LINKS as usize,
        |i, v| v.push(i as i64),
    )
    .await?;
    let first_card: i64 = sqlx::query_scalar("SELECT MIN(id) FROM preview_cards")
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO status_cards (status_id, card_id) \
         SELECT id, $1 + (account_id * 17) % $2 FROM statuses WHERE account_id % 10 = 0",
    )
    .bind(first_card)
    .bind(LINKS)
    .execute(&mut *tx)
    .await?;
    // Active people here, whom the directory lists (a local account without a user is not).
    sqlx::query(
        "INSERT INTO users (account_id, email, password_hash, created_at) \
         SELECT id, 't' || CAST(id AS TEXT) || '@seed.invalid', 'none', 0 FROM accounts WHERE id >= $1",
    )
    .bind(first)
    .execute(&mut *tx)
    .await?;
    // Every fiftieth post, offset by one: the posts at multiples of five are followers-only,
    // and favourites of those never make a trend.
    sqlx::query(
        "INSERT INTO favourites (account_id, status_id, created_at) \
         SELECT $1 + (account_id + 1 - $1) % $2, id, created_at FROM statuses \
         WHERE (id % 65536) % 50 = 1",
    )
    .bind(first)
    .bind(n)
    .execute(&mut *tx)
    .await?;
    if postgres {
        for sql in [
            "ALTER TABLE statuses ENABLE TRIGGER USER",
            "ALTER TABLE favourites ENABLE TRIGGER USER",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
    }
    coopol::db::accounts::recount_stats(&mut tx).await?;
    coopol::db::statuses::recount_stats(&mut tx).await?;
    tx.commit().await?;
    let maintenance = if postgres {
        "VACUUM ANALYZE"
    } else {
        "ANALYZE"
    };
    sqlx::query(maintenance).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// Runs the trends scenario.
pub async fn run(
    bin: &std::path::Path,
    dir: &std::path::Path,
    database: &Database,
    p: &Params,
) -> Result<Outcome> {
    let mut coopol = Coopol::new(bin, dir, &database.url);
    coopol.migrate()?;
    let t = Instant::now();
    seed(database, p).await?;
    let seed_seconds = t.elapsed().as_secs_f64();
    coopol.start().await?;
    let client = reqwest::Client::new();
    let base = coopol.base();
    let measure = |path: &'static str| {
        let client = client.clone();
        let base = base.clone();
        let requests = p.requests;
        async move {
            let mut lat = Vec::with_capacity(requests);
            for _ in 0..requests {
                let t = Instant::now();
                let res = client.get(format!("{base}{path}")).send().await?;
                let ok = res.status().is_success();
                let body = res.bytes().await?;
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                if !ok || body.len() < 100 {
                    anyhow::bail!("{path} answered badly: {}", String::from_utf8_lossy(&body));
                }
            }
            Ok::<_, anyhow::Error>(lat)
        }
    };
    let mut out = Outcome {
        seed_seconds,
        ..Default::default()
    };
    for (path, p50, p99) in [
        (
            "/api/v1/trends/tags",
            &mut out.tags_p50_ms,
            &mut out.tags_p99_ms,
        ),
        (
            "/api/v1/trends/statuses",
            &mut out.statuses_p50_ms,
            &mut out.statuses_p99_ms,
        ),
        (
            "/api/v1/trends/links",
            &mut out.links_p50_ms,
            &mut out.links_p99_ms,
        ),
        (
            "/api/v1/directory?limit=40",
            &mut out.directory_p50_ms,
            &mut out.directory_p99_ms,
        ),
    ] {
        // Warm the caches once, as a running server has them.
        let _ = measure(path).await?;
        let mut lat = measure(path).await?;
        *p50 = quantile(&mut lat, 0.5);
        *p99 = quantile(&mut lat, 0.99);
    }
    coopol.stop();
    Ok(out)
}
