//! The mail scenario: `mails` notification e-mails (as when that many members are told of a
//! mission) queued in the database, then sent by coopol's mail worker to the test SMTP sink
//! (scripts/smtp.sh, aiosmtpd writing each message to a file): how fast they are queued,
//! how fast they leave, and the CPU each costs. Without a sink (`COOPOL_TEST_SMTP_*`) the
//! scenario is skipped.

use crate::{cpu, server};
use anyhow::{Result, bail};
use coopol::mail::Mail;
use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// Sizes.
pub struct Params {
    /// Messages queued and sent.
    pub mails: usize,
}

/// What was measured.
pub struct Outcome {
    /// Seconds to queue every message (one transaction).
    pub queue_s: f64,
    /// Seconds from the server's start until the sink had every message.
    pub send_s: f64,
    /// The CPU used while sending.
    pub cpu: cpu::Usage,
    /// Messages the sink received more than once (0 without a crash).
    pub duplicates: usize,
    /// Seconds of CPU the SMTP sink (aiosmtpd, another process) used while receiving them,
    /// when its process is known (`scripts/smtp.sh` writes `DIR.pid`).
    pub sink_cpu_s: Option<f64>,
}

/// The test sink, when one runs.
pub struct Sink {
    host: String,
    port: String,
    dir: PathBuf,
}

impl Sink {
    /// The sink named by `COOPOL_TEST_SMTP_*`, if any.
    pub fn from_env() -> Option<Sink> {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
        Some(Sink {
            host: var("COOPOL_TEST_SMTP_HOST")?,
            port: var("COOPOL_TEST_SMTP_PORT")?,
            dir: PathBuf::from(var("COOPOL_TEST_SMTP_DIR")?),
        })
    }
}

/// How many messages the recipients of this run got (files in their folders).
fn received(dir: &Path, prefix: &str) -> (usize, usize) {
    let (mut total, mut folders) = (0, 0);
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(prefix) {
                folders += 1;
                total += std::fs::read_dir(entry.path())
                    .map(|files| {
                        files
                            .flatten()
                            .filter(|f| f.path().extension().is_some_and(|e| e == "eml"))
                            .count()
                    })
                    .unwrap_or(0);
            }
        }
    }
    (total, folders)
}

pub async fn run(
    bin: &Path,
    dir: &Path,
    database: &server::Database,
    sink: &Sink,
    p: &Params,
) -> Result<Outcome> {
    let mut coopol = server::Coopol::new(bin, dir, &database.url);
    coopol.env.extend([
        ("COOPOL_SMTP_HOST".to_string(), sink.host.clone()),
        ("COOPOL_SMTP_PORT".to_string(), sink.port.clone()),
        ("COOPOL_SMTP_SECURITY".to_string(), "none".to_string()),
    ]);
    coopol.migrate()?;
    let prefix = format!("bench-{}-", coopol::crypto::random_code(6).to_lowercase());
    let db = coopol::db::Db::connect(&database.url, 2).await?;
    let base = coopol.base();
    let started = Instant::now();
    let mut tx = db.begin().await?;
    let now = coopol::clock::now();
    for i in 0..p.mails {
        let to = format!("{prefix}{i}@bench.example");
        let mail = Mail::Notification {
            notification: "event_short".into(),
            actor: "Secrétariat de section".into(),
            handle: "@secretariat@bench.example".into(),
            excerpt: "Distribution de tracts samedi au marché : il manque encore trois personnes pour le créneau de 10 h.".into(),
            link: format!("{base}/events/1"),
            unsubscribe: format!("{base}/mail/unsubscribe/{i}.event_short.00000000000000000000000000000000"),
            leave: None,
            calendar: None,
        };
        coopol::db::mail::enqueue(
            &mut tx,
            &coopol::db::mail::NewMail {
                recipient: &to,
                account_id: None,
                locale: if i % 5 == 0 { "en" } else { "fr" },
                kind: mail.kind(),
                params: &serde_json::to_string(&mail)?,
                now,
            },
        )
        .await?;
    }
    tx.commit().await?;
    let queue_s = started.elapsed().as_secs_f64();
    db.close().await;

    // Before the process exists: its CPU counts from its birth (start-up included, a few
    // hundredths of a second).
    let before = cpu::sample(None);
    let sink_pid: Option<u32> = std::fs::read_to_string(format!("{}.pid", sink.dir.display()))
        .ok()
        .and_then(|p| p.trim().parse().ok());
    let sink_before = sink_pid.and_then(cpu::process_ticks);
    let started = Instant::now();
    coopol.start().await?;
    let deadline = started + Duration::from_secs(600);
    loop {
        let (total, folders) = received(&sink.dir, &prefix);
        if folders >= p.mails {
            let send_s = started.elapsed().as_secs_f64();
            let cpu = cpu::since(&before, &cpu::sample(coopol.pid()));
            let sink_cpu_s = match (sink_before, sink_pid.and_then(cpu::process_ticks)) {
                (Some(a), Some(b)) => Some(b.saturating_sub(a) as f64 / cpu::TICKS_PER_S),
                _ => None,
            };
            coopol.stop();
            return Ok(Outcome {
                queue_s,
                send_s,
                cpu,
                duplicates: total - folders,
                sink_cpu_s,
            });
        }
        if Instant::now() > deadline {
            coopol.stop();
            bail!(
                "only {folders} of {} messages arrived in 10 minutes",
                p.mails
            );
        }
        // Listing the sink's folders costs the benchmark's CPU: not too often.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
