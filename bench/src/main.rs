//! coopol-bench: starts the real coopol binary on loopback, against SQLite and PostgreSQL,
//! drives it with simulated remote servers and clients, and prints what it measured (also
//! written as JSON). docs/BENCHMARKS.md explains the scenarios and records results.
//!
//!   scripts/bench                      full sizes, both databases (builds, starts PostgreSQL)
//!   scripts/bench --only media-upload  one scenario (names in `--help`)
//!   coopol-bench --smoke               tiny sizes, seconds (the test suite runs this)

mod baseline;
mod cpu;
mod dashboard;
mod fanout;
mod ingest;
mod mail;
mod media;
mod peers;
mod server;
mod streaming;
mod timeline;
mod trends;

use anyhow::{Context, Result};
use clap::Parser;
use serde_json::{Value, json};
use server::{Backend, Database};
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(about = "Benchmarks for coopol: ingest, fan-out, timelines, memory, durability, media")]
struct Args {
    /// The coopol binary to run (build it with `cargo build --release`).
    #[arg(long, default_value = "target/release/coopol")]
    bin: PathBuf,
    /// PostgreSQL server URL (an account that may create databases); without it only SQLite.
    #[arg(long, env = "COOPOL_BENCH_POSTGRES_URL")]
    postgres: Option<String>,
    /// Skip SQLite.
    #[arg(long)]
    no_sqlite: bool,
    /// Scenarios to run (comma-separated): baseline, ingest, fanout, fanout-hosts, timeline, trends,
    /// dashboard, durability, media-upload, media-memory, media-cache, streaming, mail (needs the SMTP sink
    /// of scripts/smtp.sh: COOPOL_TEST_SMTP_*). Default: all.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Tiny sizes: checks that every scenario works, in seconds.
    #[arg(long)]
    smoke: bool,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/results.json")]
    out: PathBuf,
    /// Where generated RSA keys are cached.
    #[arg(long, default_value = "target/bench/keys")]
    keys: PathBuf,
    /// Posts in the timeline scenario (default 1,000,000; smoke 2,000).
    #[arg(long)]
    posts: Option<usize>,
    /// Where coopol keeps media in the media scenarios: `directory` (its data folder) or `s3`
    /// (the store named by COOPOL_TEST_S3_*: `eval "$(scripts/garage.sh start)"` starts one).
    #[arg(long, default_value = "directory", value_parser = ["directory", "s3"])]
    media_store: String,
    /// Runs of the ingest scenario, each on a fresh database: its results are those of the
    /// run with the median processed rate (every run is printed and listed in the JSON), and
    /// its memory peak the highest of all. The machine's speed moves from one run to the next.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    repeat: u32,
}

struct Sizes {
    ingest: ingest::Params,
    fanout: fanout::Params,
    fanout_hosts: fanout::Params,
    durable_fanout: fanout::Params,
    timeline: timeline::Params,
    trends: trends::Params,
    dashboard: dashboard::Params,
    media_upload: media::UploadParams,
    media_memory: media::MemoryParams,
    media_cache: media::CacheParams,
    mail: mail::Params,
    streaming: streaming::Params,
    baseline_seconds: f64,
}

fn sizes(args: &Args) -> Sizes {
    if args.smoke {
        Sizes {
            ingest: ingest::Params {
                actors: 10,
                activities: 200,
                max_seconds: 10.0,
                concurrency: 8,
            },
            fanout: fanout::Params {
                followers: 50,
                hosts: 10,
                shared_inbox: true,
            },
            fanout_hosts: fanout::Params {
                followers: 50,
                hosts: 50,
                shared_inbox: false,
            },
            durable_fanout: fanout::Params {
                followers: 200,
                hosts: 200,
                shared_inbox: false,
            },
            timeline: timeline::Params {
                accounts: 100,
                follows: 30,
                posts: args.posts.unwrap_or(2_000),
                readers: 2,
                requests: 20,
            },
            trends: trends::Params {
                accounts: 100,
                posts: 2_000,
                requests: 5,
            },
            dashboard: dashboard::Params {
                accounts: 100,
                media: 1_000,
                deliveries: 1_000,
                hosts: 50,
                inbox: 500,
                requests: 5,
            },
            media_upload: media::UploadParams {
                width: 400,
                height: 300,
                repetitions: 2,
            },
            media_memory: media::MemoryParams {
                concurrent: 3,
                file_bytes: 100_000,
            },
            mail: mail::Params { mails: 100 },
            media_cache: media::CacheParams {
                files: 4,
                width: 200,
                height: 150,
                concurrency: 2,
            },
            streaming: streaming::Params { connections: 200 },
            baseline_seconds: 0.3,
        }
    } else {
        Sizes {
            ingest: ingest::Params {
                actors: 1_000,
                activities: 30_000,
                max_seconds: 10.0,
                concurrency: 64,
            },
            fanout: fanout::Params {
                followers: 10_000,
                hosts: 1_000,
                shared_inbox: true,
            },
            fanout_hosts: fanout::Params {
                followers: 10_000,
                hosts: 10_000,
                shared_inbox: false,
            },
            durable_fanout: fanout::Params {
                followers: 2_000,
                hosts: 2_000,
                shared_inbox: false,
            },
            timeline: timeline::Params {
                accounts: 10_000,
                follows: 300,
                posts: args.posts.unwrap_or(1_000_000),
                readers: 10,
                requests: 1_000,
            },
            trends: trends::Params {
                accounts: 10_000,
                posts: 1_000_000,
                requests: 200,
            },
            dashboard: dashboard::Params {
                accounts: 10_000,
                media: 1_000_000,
                deliveries: 200_000,
                hosts: 5_000,
                inbox: 100_000,
                requests: 50,
            },
            media_upload: media::UploadParams {
                width: 4_000,
                height: 3_000,
                repetitions: 10,
            },
            media_memory: media::MemoryParams {
                concurrent: 20,
                file_bytes: 10_000_000,
            },
            mail: mail::Params { mails: 10_000 },
            media_cache: media::CacheParams {
                files: 200,
                width: 1_600,
                height: 1_200,
                concurrency: 16,
            },
            streaming: streaming::Params {
                connections: 10_000,
            },
            baseline_seconds: 6.0,
        }
    }
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let mem_kib: u64 = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .unwrap_or_default()
        .trim()
        .to_string();
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "memory_gib": (mem_kib as f64 / 1024.0 / 1024.0 * 10.0).round() / 10.0,
        "kernel": kernel,
    })
}

/// The media store the media scenarios use.
fn media_store(args: &Args) -> media::MediaStore {
    if args.media_store == "s3" {
        media::MediaStore::S3
    } else {
        media::MediaStore::Directory
    }
}

fn wants(args: &Args, name: &str) -> bool {
    args.only.is_empty() || args.only.iter().any(|o| o == name)
}

/// A fresh folder and database for one scenario.
async fn scratch(root: &Path, backend: &Backend, name: &str) -> Result<(PathBuf, Database)> {
    let dir = root.join(format!("{}-{name}", backend.name()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let db = Database::create(backend, &dir).await?;
    Ok((dir, db))
}

fn mib(kib: u64) -> f64 {
    (kib as f64 / 1024.0 * 10.0).round() / 10.0
}

async fn run_backend(
    args: &Args,
    s: &Sizes,
    backend: &Backend,
    root: &Path,
    keys: &[(String, String)],
) -> Result<Value> {
    let mut out = serde_json::Map::new();
    let bin = &args.bin;

    // Idle memory: started, nothing to do.
    if wants(args, "ingest") || wants(args, "memory") {
        let (dir, db) = scratch(root, backend, "idle").await?;
        let mut c = server::Coopol::new(bin, &dir, &db.url);
        c.start().await?;
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        let (rss, _) = c.memory().unwrap_or_default();
        c.stop();
        db.drop().await?;
        out.insert("idle_rss_mib".into(), json!(mib(rss)));
        println!("[{}] idle: {} MiB resident", backend.name(), mib(rss));
    }
    if wants(args, "ingest") {
        let runs = args.repeat as usize;
        let mut outcomes = Vec::with_capacity(runs);
        for run in 1..=runs {
            let (dir, db) = scratch(root, backend, "ingest").await?;
            let r = ingest::run(bin, &dir, &db, keys, &s.ingest)
                .await
                .context("ingest")?;
            db.drop().await?;
            let which = if runs > 1 {
                format!(" (run {run} of {runs})")
            } else {
                String::new()
            };
            println!(
                "[{}] ingest{which}: {} accepted ({} refused), {:.0}/s accepted, p50 {:.1} ms, p99 {:.1} ms, all processed in {:.2} s ({:.0}/s), peak {} MiB",
                backend.name(),
                r.accepted,
                r.refused,
                r.accepted_per_s,
                r.p50_ms,
                r.p99_ms,
                r.all_processed_s,
                r.processed_per_s,
                mib(r.peak_rss_kib)
            );
            println!(
                "[{}] ingest{which}: {}",
                backend.name(),
                r.cpu.describe(r.accepted, "activity")
            );
            outcomes.push(r);
        }
        let median = median_index(
            &outcomes
                .iter()
                .map(|r| r.processed_per_s)
                .collect::<Vec<_>>(),
        );
        let peak = outcomes.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0);
        if runs > 1 {
            println!(
                "[{}] ingest: reported: run {} of {runs} (median processed rate); peak {} MiB over all runs",
                backend.name(),
                median + 1,
                mib(peak)
            );
        }
        let r = &outcomes[median];
        let all: Vec<Value> = outcomes
            .iter()
            .map(|r| {
                json!({
                    "accepted": r.accepted, "accepted_per_s": r.accepted_per_s.round(),
                    "p99_ms": r.p99_ms, "processed_per_s": r.processed_per_s.round(),
                    "peak_rss_mib": mib(r.peak_rss_kib),
                })
            })
            .collect();
        out.insert("ingest".into(), json!({
            "actors": s.ingest.actors, "sent": s.ingest.activities, "concurrency": s.ingest.concurrency,
            "accepted": r.accepted, "refused": r.refused, "accepted_per_s": r.accepted_per_s.round(),
            "p50_ms": r.p50_ms, "p99_ms": r.p99_ms, "all_processed_s": r.all_processed_s,
            "processed_per_s": r.processed_per_s.round(), "peak_rss_mib": mib(peak),
            "cpu_per_activity": r.cpu.json(r.accepted),
            "reported_run": median + 1, "runs": all,
        }));
    }
    for (name, p) in [("fanout", &s.fanout), ("fanout-hosts", &s.fanout_hosts)] {
        if !wants(args, name) {
            continue;
        }
        let (dir, db) = scratch(root, backend, name).await?;
        let r = fanout::run(bin, &dir, &db, p)
            .await
            .context(name.to_string())?;
        db.drop().await?;
        println!(
            "[{}] {name}: {} followers on {} hosts ({}): {} inboxes in {:.2} s, {} requests, {:.0} signatures/s, {} bad signatures, peak {} MiB",
            backend.name(),
            p.followers,
            p.hosts,
            if p.shared_inbox {
                "shared inboxes"
            } else {
                "no shared inbox"
            },
            r.inboxes,
            r.seconds,
            r.requests,
            r.signatures_per_s,
            r.bad_signatures,
            mib(r.peak_rss_kib)
        );
        println!(
            "[{}] {name}: {}",
            backend.name(),
            r.cpu.describe(r.inboxes, "inbox")
        );
        out.insert(
            name.into(),
            json!({
                "followers": p.followers, "hosts": p.hosts, "shared_inbox": p.shared_inbox,
                "inboxes": r.inboxes, "seconds": r.seconds, "requests": r.requests,
                "signatures_per_s": r.signatures_per_s.round(), "bad_signatures": r.bad_signatures,
                "peak_rss_mib": mib(r.peak_rss_kib),
                "cpu_per_inbox": r.cpu.json(r.inboxes),
            }),
        );
    }
    if wants(args, "timeline") {
        let (dir, db) = scratch(root, backend, "timeline").await?;
        let r = timeline::run(bin, &dir, &db, &s.timeline)
            .await
            .context("timeline")?;
        db.drop().await?;
        println!(
            "[{}] timeline: {} posts, {} accounts x {} follows (seeded in {:.0} s): home p50 {:.2} ms p99 {:.2} ms; public p50 {:.2} ms p99 {:.2} ms; group ({} posts) p50 {:.2} ms p99 {:.2} ms; home with {} filters of {} keywords p50 {:.2} ms p99 {:.2} ms",
            backend.name(),
            s.timeline.posts,
            s.timeline.accounts,
            s.timeline.follows,
            r.seed_seconds,
            r.home_p50_ms,
            r.home_p99_ms,
            r.public_p50_ms,
            r.public_p99_ms,
            r.group_posts,
            r.group_p50_ms,
            r.group_p99_ms,
            timeline::FILTERS,
            timeline::KEYWORDS,
            r.home_filtered_p50_ms,
            r.home_filtered_p99_ms
        );
        println!(
            "[{}] timeline: home {}; with {} followed tags p50 {:.2} ms p99 {:.2} ms, {}",
            backend.name(),
            r.home_cpu.describe(s.timeline.requests, "request"),
            timeline::FOLLOWED_TAGS,
            r.home_tags_p50_ms,
            r.home_tags_p99_ms,
            r.home_tags_cpu.describe(s.timeline.requests, "request"),
        );
        out.insert("timeline".into(), json!({
            "posts": s.timeline.posts, "accounts": s.timeline.accounts, "follows": s.timeline.follows,
            "requests": s.timeline.requests, "seed_seconds": r.seed_seconds,
            "home_p50_ms": r.home_p50_ms, "home_p99_ms": r.home_p99_ms,
            "public_p50_ms": r.public_p50_ms, "public_p99_ms": r.public_p99_ms,
            "group_posts": r.group_posts,
            "group_p50_ms": r.group_p50_ms, "group_p99_ms": r.group_p99_ms,
            "home_filtered_p50_ms": r.home_filtered_p50_ms,
            "home_filtered_p99_ms": r.home_filtered_p99_ms,
            "home_cpu_per_request": r.home_cpu.json(s.timeline.requests),
            "followed_tags": timeline::FOLLOWED_TAGS,
            "home_tags_p50_ms": r.home_tags_p50_ms, "home_tags_p99_ms": r.home_tags_p99_ms,
            "home_tags_cpu_per_request": r.home_tags_cpu.json(s.timeline.requests),
        }));
    }
    if wants(args, "trends") {
        let (dir, db) = scratch(root, backend, "trends").await?;
        let r = trends::run(bin, &dir, &db, &s.trends)
            .await
            .context("trends")?;
        db.drop().await?;
        println!(
            "[{}] trends: {} posts of the last six days by {} accounts, {} tags, {} links (seeded in {:.0} s): tags p50 {:.2} ms p99 {:.2} ms; statuses p50 {:.2} ms p99 {:.2} ms; links p50 {:.2} ms p99 {:.2} ms; directory p50 {:.2} ms p99 {:.2} ms",
            backend.name(),
            s.trends.posts,
            s.trends.accounts,
            trends::TAGS,
            trends::LINKS,
            r.seed_seconds,
            r.tags_p50_ms,
            r.tags_p99_ms,
            r.statuses_p50_ms,
            r.statuses_p99_ms,
            r.links_p50_ms,
            r.links_p99_ms,
            r.directory_p50_ms,
            r.directory_p99_ms
        );
        out.insert(
            "trends".into(),
            json!({
                "posts": s.trends.posts, "accounts": s.trends.accounts,
                "requests": s.trends.requests, "seed_seconds": r.seed_seconds,
                "tags_p50_ms": r.tags_p50_ms, "tags_p99_ms": r.tags_p99_ms,
                "statuses_p50_ms": r.statuses_p50_ms, "statuses_p99_ms": r.statuses_p99_ms,
                "links_p50_ms": r.links_p50_ms, "links_p99_ms": r.links_p99_ms,
                "directory_p50_ms": r.directory_p50_ms, "directory_p99_ms": r.directory_p99_ms,
            }),
        );
    }
    if wants(args, "dashboard") {
        let p = &s.dashboard;
        let (dir, db) = scratch(root, backend, "dashboard").await?;
        let r = dashboard::run(bin, &dir, &db, p)
            .await
            .context("dashboard")?;
        db.drop().await?;
        let each: Vec<String> = r
            .queries
            .iter()
            .map(|(name, p50, p99)| format!("{name} p50 {p50:.2} ms p99 {p99:.2} ms"))
            .collect();
        let total: f64 = r.queries.iter().map(|(_, p50, _)| p50).sum();
        println!(
            "[{}] dashboard: {} accounts, {} media, {} deliveries over {} hosts, {} incoming waiting (seeded in {:.0} s): {}; sum of p50s {:.2} ms",
            backend.name(),
            p.accounts,
            p.media,
            p.deliveries,
            p.hosts,
            p.inbox,
            r.seed_seconds,
            each.join("; "),
            total
        );
        out.insert(
            "dashboard".into(),
            json!({
                "accounts": p.accounts, "media": p.media, "deliveries": p.deliveries,
                "hosts": p.hosts, "inbox": p.inbox, "requests": p.requests,
                "seed_seconds": r.seed_seconds, "sum_p50_ms": total,
                "queries": r.queries.iter().map(|(n, p50, p99)| json!({"query": n, "p50_ms": p50, "p99_ms": p99})).collect::<Vec<_>>(),
            }),
        );
    }
    if wants(args, "streaming") {
        let p = &s.streaming;
        let (dir, db) = scratch(root, backend, "streaming").await?;
        let r = streaming::run(bin, &dir, &db, p)
            .await
            .context("streaming")?;
        db.drop().await?;
        println!(
            "[{}] streaming: {} connections (half SSE, half WebSocket) opened in {:.1} s; resident {} MiB idle, {} MiB with them all open, peak {} MiB; one post reached {} of them: first after {:.3} s, half after {:.3} s, all after {:.3} s",
            backend.name(),
            p.connections,
            r.open_seconds,
            mib(r.idle_rss_kib),
            mib(r.held_rss_kib),
            mib(r.peak_rss_kib),
            r.received,
            r.first_s,
            r.p50_s,
            r.last_s
        );
        out.insert(
            "streaming".into(),
            json!({
                "connections": p.connections, "open_seconds": r.open_seconds,
                "idle_rss_mib": mib(r.idle_rss_kib), "held_rss_mib": mib(r.held_rss_kib),
                "peak_rss_mib": mib(r.peak_rss_kib), "received": r.received,
                "first_s": r.first_s, "p50_s": r.p50_s, "last_s": r.last_s,
            }),
        );
    }
    if wants(args, "media-upload") {
        let p = &s.media_upload;
        let (dir, db) = scratch(root, backend, "media-upload").await?;
        let r = media::upload(bin, &dir, &db, &media_store(args), p)
            .await
            .context("media-upload")?;
        db.drop().await?;
        let mut sorted = r.seconds.clone();
        let p50 = ingest::quantile(&mut sorted, 0.5);
        let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
        println!(
            "[{}] media-upload ({} store): {} photos of {}x{} ({:.1} MB), one after another: ready in {:.2} s (median; {:.2} to {:.2} s), peak {} MiB",
            backend.name(),
            args.media_store,
            r.seconds.len(),
            p.width,
            p.height,
            r.file_bytes as f64 / 1e6,
            p50,
            min,
            max,
            mib(r.peak_rss_kib)
        );
        println!(
            "[{}] media-upload: {}",
            backend.name(),
            r.cpu.describe(r.seconds.len(), "upload")
        );
        out.insert(
            "media-upload".into(),
            json!({
                "store": args.media_store, "width": p.width, "height": p.height,
                "file_bytes": r.file_bytes,
                "uploads": r.seconds.len(), "ready_p50_s": p50, "ready_min_s": min,
                "ready_max_s": max, "ready_s": r.seconds, "peak_rss_mib": mib(r.peak_rss_kib),
                "cpu_per_upload": r.cpu.json(r.seconds.len()),
            }),
        );
    }
    if wants(args, "media-cache") {
        let p = &s.media_cache;
        let (dir, db) = scratch(root, backend, "media-cache").await?;
        let r = media::cache(bin, &dir, &db, &media_store(args), p)
            .await
            .context("media-cache")?;
        db.drop().await?;
        for (name, pass) in [("cold", &r.cold), ("warm", &r.warm)] {
            println!(
                "[{}] media-cache ({} store), {name}: {} remote pictures of {}x{} ({:.0} KB), {} at a time: {:.0} files/s, {:.1} MB/s served; {}",
                backend.name(),
                args.media_store,
                p.files,
                p.width,
                p.height,
                r.file_bytes as f64 / 1e3,
                p.concurrency,
                p.files as f64 / pass.seconds,
                pass.bytes as f64 / 1e6 / pass.seconds,
                pass.cpu.describe(p.files, "file")
            );
        }
        println!(
            "[{}] media-cache: the remote host was asked {} times for {} files",
            backend.name(),
            r.remote_requests,
            p.files
        );
        let pass_json = |pass: &media::CachePass| {
            json!({
                "seconds": pass.seconds, "files_per_s": p.files as f64 / pass.seconds,
                "mb_per_s": pass.bytes as f64 / 1e6 / pass.seconds,
                "cpu_per_file": pass.cpu.json(p.files),
            })
        };
        out.insert(
            "media-cache".into(),
            json!({
                "store": args.media_store, "files": p.files, "width": p.width,
                "height": p.height, "file_bytes": r.file_bytes, "concurrency": p.concurrency,
                "cold": pass_json(&r.cold), "warm": pass_json(&r.warm),
                "remote_requests": r.remote_requests,
            }),
        );
    }
    if wants(args, "media-memory") {
        let p = &s.media_memory;
        let (dir, db) = scratch(root, backend, "media-memory").await?;
        let r = media::memory(bin, &dir, &db, &media_store(args), p)
            .await
            .context("media-memory")?;
        db.drop().await?;
        println!(
            "[{}] media-memory ({} store): {} uploads at once of {:.1} MB ({}x{}): all ready in {:.1} s; resident {} MiB before, peak {} MiB (sampled every 20 ms: {} MiB)",
            backend.name(),
            args.media_store,
            p.concurrent,
            r.file_bytes as f64 / 1e6,
            r.width,
            r.height,
            r.all_ready_s,
            mib(r.idle_rss_kib),
            mib(r.peak_rss_kib),
            mib(r.sampled_peak_kib)
        );
        out.insert(
            "media-memory".into(),
            json!({
                "store": args.media_store, "concurrent": p.concurrent,
                "file_bytes": r.file_bytes, "width": r.width,
                "height": r.height, "all_ready_s": r.all_ready_s,
                "idle_rss_mib": mib(r.idle_rss_kib), "peak_rss_mib": mib(r.peak_rss_kib),
                "sampled_peak_rss_mib": mib(r.sampled_peak_kib),
            }),
        );
    }
    if wants(args, "mail") {
        match mail::Sink::from_env() {
            None => println!(
                "[{}] mail: skipped (no SMTP sink: eval \"$(scripts/smtp.sh start)\")",
                backend.name()
            ),
            Some(sink) => {
                let p = &s.mail;
                let (dir, db) = scratch(root, backend, "mail").await?;
                let r = mail::run(bin, &dir, &db, &sink, p).await.context("mail")?;
                db.drop().await?;
                println!(
                    "[{}] mail: {} notification e-mails queued in {:.2} s ({:.0}/s), sent to the SMTP sink in {:.1} s ({:.0}/s), {} duplicates; {}; the sink's CPU per mail: {}",
                    backend.name(),
                    p.mails,
                    r.queue_s,
                    p.mails as f64 / r.queue_s,
                    r.send_s,
                    p.mails as f64 / r.send_s,
                    r.duplicates,
                    r.cpu.describe(p.mails, "mail"),
                    r.sink_cpu_s
                        .map(|s| format!("{:.0} µs", s * 1e6 / p.mails as f64))
                        .unwrap_or_else(|| "unknown".into())
                );
                out.insert(
                    "mail".into(),
                    json!({
                        "mails": p.mails, "queue_s": r.queue_s,
                        "queued_per_s": p.mails as f64 / r.queue_s,
                        "send_s": r.send_s, "sent_per_s": p.mails as f64 / r.send_s,
                        "duplicates": r.duplicates, "cpu_per_mail": r.cpu.json(p.mails),
                        "sink_cpu_us_per_mail": r.sink_cpu_s.map(|s| s * 1e6 / p.mails as f64),
                    }),
                );
            }
        }
    }
    if wants(args, "durability") {
        let (dir, db) = scratch(root, backend, "kill-fanout").await?;
        let f = fanout::durability(bin, &dir, &db, &s.durable_fanout)
            .await
            .context("durability (fan-out)")?;
        db.drop().await?;
        let (dir, db) = scratch(root, backend, "kill-ingest").await?;
        let i = ingest::durability(bin, &dir, &db, keys, &s.ingest)
            .await
            .context("durability (ingest)")?;
        db.drop().await?;
        println!(
            "[{}] durability: fan-out to {} inboxes, killed after {}: {} lost, {} duplicates; ingest killed after {} accepted: {} lost",
            backend.name(),
            s.durable_fanout.followers,
            f.delivered_before_kill,
            f.lost,
            f.duplicates,
            i.accepted_before_kill,
            i.lost
        );
        out.insert("durability".into(), json!({
            "fanout_inboxes": s.durable_fanout.followers, "fanout_delivered_before_kill": f.delivered_before_kill,
            "fanout_lost": f.lost, "fanout_duplicates": f.duplicates,
            "ingest_accepted_before_kill": i.accepted_before_kill, "ingest_lost": i.lost,
        }));
    }
    Ok(Value::Object(out))
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = Args::parse();
    if !args.bin.exists() {
        anyhow::bail!(
            "{} not found: build it first (cargo build --release)",
            args.bin.display()
        );
    }
    // coopol runs in each scenario's own folder: paths must not be relative.
    args.bin = std::fs::canonicalize(&args.bin)?;
    let s = sizes(&args);
    let root = args.out.parent().unwrap_or(Path::new(".")).join("runs");
    std::fs::create_dir_all(&root)?;
    let root = std::fs::canonicalize(&root)?;
    let machine = machine();
    println!("machine: {machine}");
    let mut results = serde_json::Map::new();
    results.insert("date".into(), json!(chrono_like_now()));
    results.insert("machine".into(), machine);
    results.insert("smoke".into(), json!(args.smoke));

    if wants(&args, "baseline") {
        let b = baseline::measure(&root, s.baseline_seconds).await?;
        println!(
            "baseline: RSA-2048 sign {:.0}/s, verify {:.0}/s (one core); SQLite {:.0} single-row commits/s",
            b.rsa_sign_per_s, b.rsa_verify_per_s, b.sqlite_commits_per_s
        );
        results.insert(
            "baseline".into(),
            json!({
                "rsa_sign_per_s_one_core": b.rsa_sign_per_s.round(),
                "rsa_verify_per_s_one_core": b.rsa_verify_per_s.round(),
                "sqlite_commits_per_s": b.sqlite_commits_per_s.round(),
            }),
        );
    }
    let keys = if wants(&args, "ingest") || wants(&args, "durability") {
        peers::keys(&args.keys, s.ingest.actors)?
    } else {
        Vec::new()
    };
    let mut backends = Vec::new();
    if !args.no_sqlite {
        backends.push(Backend::Sqlite);
    }
    if let Some(pg) = &args.postgres {
        backends.push(Backend::Postgres(pg.clone()));
    }
    for backend in &backends {
        let r = run_backend(&args, &s, backend, &root, &keys).await?;
        results.insert(backend.name().into(), r);
    }
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(
        &args.out,
        serde_json::to_string_pretty(&Value::Object(results))?,
    )?;
    println!("results written to {}", args.out.display());
    Ok(())
}

/// The position of the median of `values` (the lower of the two middle ones for an even
/// count); 0 when empty.
fn median_index(values: &[f64]) -> usize {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    order
        .get(values.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0)
}

/// The current UTC time, RFC 3339 (from coopol's clock, to avoid another dependency).
fn chrono_like_now() -> String {
    coopol::clock::to_rfc3339(coopol::clock::now())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_median_run_is_the_middle_one_by_value() {
        assert_eq!(super::median_index(&[5_200.0]), 0);
        assert_eq!(super::median_index(&[5_600.0, 4_900.0, 5_300.0]), 2);
        assert_eq!(super::median_index(&[4_900.0, 5_600.0, 5_300.0]), 2);
        assert_eq!(super::median_index(&[5_300.0, 5_600.0, 4_900.0]), 0);
        // Even: the lower middle (the more modest claim).
        assert_eq!(super::median_index(&[4.0, 1.0, 3.0, 2.0]), 3);
        assert_eq!(super::median_index(&[]), 0);
    }
}
