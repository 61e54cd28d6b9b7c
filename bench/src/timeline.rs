//! Timeline reads on a big database: `accounts` accounts following `follows` others each,
//! `posts` posts, and a few measured people (who sign in) following `follows` accounts each;
//! p50/p99 of `GET /api/v1/timelines/home`. One group (a section) gets a tenth of the posts,
//! spread over its three circles, and the measured people are its members: p50/p99 of
//! `GET /api/coopol/v1/groups/{id}/timeline`. Then each measured person follows a few
//! hashtags carried by posts all over the database, and the home timeline is measured again;
//! then with many filters.
//!
//! Seeding writes straight into the database. Home timelines are fan-out on write (`feeds`),
//! and only the measured people's feeds are filled: filling all of them would write
//! `accounts × follows × posts/accounts` rows (300 million at the default sizes), which is the
//! open problem docs/BENCHMARKS.md describes (home timelines).

use crate::{
    ingest::quantile,
    server::{Coopol, Database},
};
use anyhow::Result;
use std::time::Instant;

/// Sizes of a timeline run.
#[derive(Clone, Debug)]
pub struct Params {
    /// Seeded accounts (authors).
    pub accounts: usize,
    /// Accounts each one follows.
    pub follows: usize,
    /// Posts in all.
    pub posts: usize,
    /// People who sign in and read their home timeline.
    pub readers: usize,
    /// Timeline requests measured.
    pub requests: usize,
}

/// What a timeline run measured.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Seconds spent seeding.
    pub seed_seconds: f64,
    /// Home timeline latency (ms).
    pub home_p50_ms: f64,
    /// Home timeline latency (ms).
    pub home_p99_ms: f64,
    /// Public timeline latency (ms), for comparison.
    pub public_p50_ms: f64,
    /// Public timeline latency (ms).
    pub public_p99_ms: f64,
    /// Posts in the measured group.
    pub group_posts: i64,
    /// Group timeline latency (ms), read by members (all three circles).
    pub group_p50_ms: f64,
    /// Group timeline latency (ms).
    pub group_p99_ms: f64,
    /// Home timeline latency (ms) once each reader has [`FILTERS`] filters of
    /// [`KEYWORDS`] keywords each in the `home` context (matched on every post shown).
    pub home_filtered_p50_ms: f64,
    /// Home timeline latency (ms) with those filters.
    pub home_filtered_p99_ms: f64,
    /// CPU of the home timeline requests (before tags and filters).
    pub home_cpu: crate::cpu::Usage,
    /// Home timeline latency (ms) once each reader follows [`FOLLOWED_TAGS`] hashtags, each
    /// on one post in [`TAGGED_EVERY`] of theirs (before filters).
    pub home_tags_p50_ms: f64,
    /// Home timeline latency (ms) with those tags.
    pub home_tags_p99_ms: f64,
    /// CPU of the home timeline requests with those tags.
    pub home_tags_cpu: crate::cpu::Usage,
}

/// Hashtags each reader follows for the home timeline with followed tags.
pub const FOLLOWED_TAGS: usize = 3;
/// One post in this many carries one of [`TAGS`] hashtags (`sujet0`, `sujet1`...).
pub const TAGGED_EVERY: usize = 20;
/// Distinct hashtags on the seeded posts.
pub const TAGS: usize = 10;

/// Filters each reader makes for the filtered home timeline measurement.
pub const FILTERS: usize = 10;
/// Keywords in each of those filters (half of them whole words).
pub const KEYWORDS: usize = 20;

pub(crate) async fn batched(
    tx: &mut sqlx::AnyConnection,
    prefix: &str,
    row: &str,
    per_row: usize,
    rows: usize,
    mut bind: impl FnMut(usize, &mut Vec<i64>),
) -> Result<()> {
    let per_batch = (30_000 / per_row).min(1000);
    let mut start = 0;
    while start < rows {
        let end = (start + per_batch).min(rows);
        let mut sql = String::from(prefix);
        let mut values = Vec::with_capacity((end - start) * per_row);
        for (k, i) in (start..end).enumerate() {
            if k > 0 {
                sql.push(',');
            }
            let mut r = row.to_string();
            for n in 1..=per_row {
                r = r.replace(&format!("{{{n}}}"), &format!("${}", k * per_row + n));
            }
            sql.push_str(&r);
            bind(i, &mut values);
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in values {
            q = q.bind(v);
        }
        q.execute(&mut *tx).await?;
        start = end;
    }
    Ok(())
}

/// Seeds the database; returns the measured group's id and its number of posts.
async fn seed(database: &Database, p: &Params) -> Result<(i64, i64)> {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(&database.url).await?;
    let mut tx = conn.begin().await?;
    // coopol keeps profile numbers and post counts with triggers (an upsert per follow and
    // per post). On PostgreSQL, millions of updates of the same few thousand rows in one
    // transaction leave long chains of row versions to walk, and seeding would take hours:
    // the triggers are off while seeding and the numbers counted once at the end.
    let postgres = database.url.starts_with("postgres");
    if postgres {
        for sql in [
            "ALTER TABLE follows DISABLE TRIGGER USER",
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
    // Accounts: local, without sign-in (authors only). Text columns from the number.
    batched(
        &mut tx,
        "INSERT INTO accounts (id, username, handle_key, uri, public_key_pem, created_at, updated_at) VALUES ",
        "({1}, 's' || CAST({1} AS TEXT), 's' || CAST({1} AS TEXT), 'http://seed.invalid/users/s' || CAST({1} AS TEXT), 'none', 0, 0)",
        1,
        p.accounts,
        |i, v| v.push(first + i as i64),
    )
    .await?;
    // Explicit ids leave PostgreSQL's identity sequence behind: move it past them.
    if postgres {
        sqlx::query("SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT MAX(id) FROM accounts))")
            .execute(&mut *tx)
            .await?;
    }
    // Follows: account i follows accounts i+1, i+34, i+67... (mod n).
    let follows = p.follows.min(p.accounts - 1) as i64;
    sqlx::query(
        "WITH RECURSIVE ks(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM ks WHERE k + 1 < $3) \
         INSERT INTO follows (account_id, target_account_id, state, created_at) \
         SELECT a.id, $1 + ((a.id - $1 + 1 + ks.k * 33) % $2), 'accepted', 0 \
         FROM accounts a, ks WHERE a.id >= $1 ON CONFLICT DO NOTHING",
    )
    .bind(first)
    .bind(n)
    .bind(follows)
    .execute(&mut *tx)
    .await?;
    // Posts, in time order, authors round robin; ids grow with time like coopol's.
    let base_ms: i64 = 1_700_000_000_000;
    batched(
        &mut tx,
        "INSERT INTO statuses (id, uri, account_id, local, visibility, content, created_at) VALUES ",
        "({1}, 'http://seed.invalid/s/' || CAST({1} AS TEXT), {2}, 1, 'public', '<p>Réunion de section jeudi à 19 h, ordre du jour en pièce jointe.</p>', {3})",
        3,
        p.posts,
        |i, v| {
            let ms = base_ms + i as i64;
            v.extend([ms << 16, first + (i as i64 % n), ms * 1000]);
        },
    )
    .await?;
    // Hashtags: one post in TAGGED_EVERY carries `sujet{k}`, k going round the TAGS tags, so
    // that each tag is on a share of the whole database, most of it by authors the readers do
    // not follow (what a followed tag adds to a home timeline).
    sqlx::query(
        "INSERT INTO status_tags (status_id, name) \
         SELECT id, 'sujet' || CAST((account_id / $2) % $3 AS TEXT) FROM statuses \
         WHERE account_id >= $1 AND account_id % $2 = 0",
    )
    .bind(first)
    .bind(TAGGED_EVERY as i64)
    .bind(TAGS as i64)
    .execute(&mut *tx)
    .await?;
    // Readers (accounts with sign-in, made before) follow `follows` seeded accounts each;
    // their feeds get the newest posts of those accounts, as many as the server keeps (fan-out
    // on write, then the hourly trim). A longer feed would have the server trim it during the
    // measurement.
    sqlx::query(
        "WITH RECURSIVE ks(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM ks WHERE k + 1 < $3) \
         INSERT INTO follows (account_id, target_account_id, state, created_at) \
         SELECT a.id, $1 + ((a.id * 7 + ks.k * 33) % $2), 'accepted', 0 \
         FROM accounts a, ks WHERE a.id < $1 AND a.domain IS NULL ON CONFLICT DO NOTHING",
    )
    .bind(first)
    .bind(n)
    .bind(follows)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO feeds (account_id, status_id) \
         SELECT account_id, id FROM (SELECT f.account_id, s.id, \
           ROW_NUMBER() OVER (PARTITION BY f.account_id ORDER BY s.id DESC) AS n \
           FROM follows f JOIN statuses s ON s.account_id = f.target_account_id \
           WHERE f.account_id < $1) newest \
         WHERE n <= $2",
    )
    .bind(first)
    .bind(crate::server::HOME_FEED_LENGTH)
    .execute(&mut *tx)
    .await?;
    // A section: a tenth of the authors post in it, in the three circles in turn; the
    // readers are its members.
    let group: i64 = first + n;
    sqlx::query(
        "INSERT INTO accounts (id, username, handle_key, uri, actor_type, public_key_pem, created_at, updated_at) \
         VALUES ($1, 'section_bench', 'section_bench', 'http://seed.invalid/users/section_bench', 'Group', 'none', 0, 0)",
    )
    .bind(group)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO groups (account_id, kind, join_mode, postcode, departement, search_text, created_at) \
         VALUES ($1, 'section', 'approval', '64000', '64', 'section_bench', 0)",
    )
    .bind(group)
    .execute(&mut *tx)
    .await?;
    if postgres {
        sqlx::query("SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT MAX(id) FROM accounts))")
            .execute(&mut *tx)
            .await?;
    }
    let group_posts = sqlx::query(
        "INSERT INTO group_posts (group_id, status_id, circle) \
         SELECT $1, id, CASE (account_id / 10) % 3 WHEN 0 THEN 'public' WHEN 1 THEN 'sympathizers' ELSE 'members' END \
         FROM statuses WHERE account_id >= $2 AND account_id % 10 = 0",
    )
    .bind(group)
    .bind(first)
    .execute(&mut *tx)
    .await?
    .rows_affected() as i64;
    sqlx::query(
        "INSERT INTO group_members (group_id, account_id, role, state, created_at, accepted_at) \
         SELECT $1, a.id, 'member', 'accepted', 0, 0 FROM accounts a \
         WHERE a.id < $2 AND a.domain IS NULL AND a.actor_type = 'Person'",
    )
    .bind(group)
    .bind(first)
    .execute(&mut *tx)
    .await?;
    // The profile numbers and post counts: counted once, as coopol's migrations do for
    // existing data (on PostgreSQL its triggers were off while seeding, see above).
    if postgres {
        for sql in [
            "ALTER TABLE follows ENABLE TRIGGER USER",
            "ALTER TABLE statuses ENABLE TRIGGER USER",
            "ALTER TABLE favourites ENABLE TRIGGER USER",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
    }
    coopol::db::accounts::recount_stats(&mut tx).await?;
    coopol::db::statuses::recount_stats(&mut tx).await?;
    tx.commit().await?;
    // Statistics for the planner; on PostgreSQL also the visibility map, without which
    // index-only scans read every row (autovacuum does this on a running server).
    let maintenance = if postgres {
        "VACUUM ANALYZE"
    } else {
        "ANALYZE"
    };
    sqlx::query(maintenance).execute(&mut conn).await?;
    conn.close().await?;
    Ok((group, group_posts))
}

/// Runs the timeline scenario.
pub async fn run(
    bin: &std::path::Path,
    dir: &std::path::Path,
    database: &Database,
    p: &Params,
) -> Result<Outcome> {
    let mut coopol = Coopol::new(bin, dir, &database.url);
    coopol.migrate()?;
    for r in 0..p.readers {
        coopol.create_user(&format!("reader{r}"), "correct horse battery")?;
    }
    let t = Instant::now();
    let (group, group_posts) = seed(database, p).await?;
    let seed_seconds = t.elapsed().as_secs_f64();
    coopol.start().await?;
    let client = reqwest::Client::new();
    let mut tokens = Vec::new();
    for r in 0..p.readers {
        tokens.push(
            coopol
                .token(&client, &format!("reader{r}"), "correct horse battery")
                .await?,
        );
    }
    let measure = |path: String| {
        let client = client.clone();
        let tokens = tokens.clone();
        let base = coopol.base();
        let requests = p.requests;
        async move {
            let mut lat = Vec::with_capacity(requests);
            for i in 0..requests {
                let t = Instant::now();
                let res = client
                    .get(format!("{base}{path}"))
                    .bearer_auth(&tokens[i % tokens.len()])
                    .send()
                    .await?;
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
    // Warm the caches once, as a running server has them.
    let home_path = "/api/v1/timelines/home?limit=20".to_string();
    let group_path = format!("/api/coopol/v1/groups/{group}/timeline?limit=20");
    let _ = measure(home_path.clone()).await?;
    let before = crate::cpu::sample(coopol.pid());
    let mut home = measure(home_path.clone()).await?;
    let home_cpu = crate::cpu::since(&before, &crate::cpu::sample(coopol.pid()));
    let mut public = measure("/api/v1/timelines/public?limit=20".to_string()).await?;
    let _ = measure(group_path.clone()).await?;
    let mut group_lat = measure(group_path).await?;
    // Followed hashtags: each reader follows FOLLOWED_TAGS of them, whose posts come into
    // the home timeline from the whole database (the home query's second source).
    for (r, token) in tokens.iter().enumerate() {
        for k in 0..FOLLOWED_TAGS {
            let res = client
                .post(format!(
                    "{}/api/v1/tags/sujet{}/follow",
                    coopol.base(),
                    (r + k) % TAGS
                ))
                .bearer_auth(token)
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "a tag follow was refused");
        }
    }
    let _ = measure(home_path.clone()).await?;
    let before = crate::cpu::sample(coopol.pid());
    let mut home_tags = measure(home_path.clone()).await?;
    let home_tags_cpu = crate::cpu::since(&before, &crate::cpu::sample(coopol.pid()));
    // Filters, as people who filter a lot have them: every post shown is read by each
    // filter's compiled keywords.
    for token in &tokens {
        for f in 0..FILTERS {
            let keywords: Vec<serde_json::Value> = (0..KEYWORDS)
                .map(|k| serde_json::json!({"keyword": format!("motclé{f}x{k}"), "whole_word": k % 2 == 0}))
                .collect();
            let res = client
                .post(format!("{}/api/v2/filters", coopol.base()))
                .bearer_auth(token)
                .json(&serde_json::json!({
                    "title": format!("filter {f}"), "context": ["home"],
                    "filter_action": "warn", "keywords_attributes": keywords,
                }))
                .send()
                .await?;
            anyhow::ensure!(
                res.status().is_success(),
                "a filter was refused: {}",
                res.text().await?
            );
        }
    }
    let home_path = "/api/v1/timelines/home?limit=20".to_string();
    let _ = measure(home_path.clone()).await?;
    let mut home_filtered = measure(home_path).await?;
    coopol.stop();
    Ok(Outcome {
        seed_seconds,
        home_p50_ms: quantile(&mut home, 0.5),
        home_p99_ms: quantile(&mut home, 0.99),
        public_p50_ms: quantile(&mut public, 0.5),
        public_p99_ms: quantile(&mut public, 0.99),
        group_posts,
        group_p50_ms: quantile(&mut group_lat, 0.5),
        group_p99_ms: quantile(&mut group_lat, 0.99),
        home_filtered_p50_ms: quantile(&mut home_filtered, 0.5),
        home_filtered_p99_ms: quantile(&mut home_filtered, 0.99),
        home_cpu,
        home_tags_p50_ms: quantile(&mut home_tags, 0.5),
        home_tags_p99_ms: quantile(&mut home_tags, 0.99),
        home_tags_cpu,
    })
}
