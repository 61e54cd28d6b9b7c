//! Streaming: many connections held open on the streaming API (half Server-Sent Events on
//! `/api/v1/streaming/public`, half WebSockets following `public`), the server's resident
//! memory with them all open, then one post and the time until every connection has it.

use crate::server::{Coopol, Database};
use anyhow::{Context, Result, bail};
use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Barrier, Semaphore};

/// The scenario's size.
pub struct Params {
    /// Connections held open.
    pub connections: usize,
}

/// What was measured.
pub struct Outcome {
    /// Resident memory of the idle server, KiB.
    pub idle_rss_kib: u64,
    /// Resident memory with every connection open, KiB.
    pub held_rss_kib: u64,
    /// Peak resident memory, KiB.
    pub peak_rss_kib: u64,
    /// Seconds to open them all.
    pub open_seconds: f64,
    /// Seconds from the post's answer until the first, median, and last connection had it.
    pub first_s: f64,
    pub p50_s: f64,
    pub last_s: f64,
    /// Connections that received it.
    pub received: usize,
}

const MARKER: &str = "bench-stream-marker";

/// One SSE connection, read with a bare socket (as little client memory as possible): opens,
/// signals, waits for the marker, returns when it arrived.
async fn sse(port: u16, opened: Arc<Barrier>, permits: Arc<Semaphore>) -> Result<Instant> {
    let permit = permits.acquire().await?;
    let mut sock = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    sock.write_all(
        format!(
            "GET /api/v1/streaming/public HTTP/1.1\r\nHost: localhost:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .as_bytes(),
    )
    .await?;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    // The answer's head.
    loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed an SSE stream");
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    if !buf.starts_with(b"HTTP/1.1 200") {
        bail!("SSE refused: {}", String::from_utf8_lossy(&buf));
    }
    drop(permit);
    buf.clear();
    opened.wait().await;
    loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed an SSE stream");
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()) {
            return Ok(Instant::now());
        }
        if buf.len() > 64 * 1024 {
            buf.drain(..buf.len() - MARKER.len());
        }
    }
}

/// One WebSocket following `public`.
async fn ws(port: u16, opened: Arc<Barrier>, permits: Arc<Semaphore>) -> Result<Instant> {
    let permit = permits.acquire().await?;
    let url = format!("ws://localhost:{port}/api/v1/streaming?stream=public");
    let (mut sock, _) = tokio_tungstenite::connect_async(url).await?;
    drop(permit);
    opened.wait().await;
    while let Some(msg) = sock.next().await {
        if let tokio_tungstenite::tungstenite::Message::Text(t) = msg?
            && t.as_str().contains(MARKER)
        {
            return Ok(Instant::now());
        }
    }
    bail!("the server closed a WebSocket")
}

/// Raises this process's open-files limit to its hard limit (children inherit it).
fn raise_file_limit(needed: u64) -> Result<()> {
    let out = std::process::Command::new("sh")
        .args(["-c", "ulimit -Hn"])
        .output()?;
    let hard: u64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(u64::MAX);
    if hard < needed {
        bail!("the open-files hard limit ({hard}) is below the {needed} this scenario needs");
    }
    // Without libc in the tree, the limit is read; the soft limit must already allow it.
    let out = std::process::Command::new("sh")
        .args(["-c", "ulimit -Sn"])
        .output()?;
    let soft: u64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(u64::MAX);
    if soft < needed {
        bail!(
            "the open-files soft limit ({soft}) is below the {needed} this scenario needs: run `ulimit -n {hard}` first"
        );
    }
    Ok(())
}

pub async fn run(
    bin: &std::path::Path,
    dir: &std::path::Path,
    database: &Database,
    p: &Params,
) -> Result<Outcome> {
    raise_file_limit(p.connections as u64 + 1_000)?;
    let mut coopol = Coopol::new(bin, dir, &database.url);
    coopol.migrate()?;
    coopol.create_user("poster", "correct horse battery")?;
    coopol.start().await?;
    let client = reqwest::Client::new();
    let token = coopol
        .token(&client, "poster", "correct horse battery")
        .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle_rss_kib, _) = coopol.memory().context("server memory")?;

    let opened = Arc::new(Barrier::new(p.connections + 1));
    let permits = Arc::new(Semaphore::new(256));
    let t = Instant::now();
    let mut tasks = Vec::with_capacity(p.connections);
    for i in 0..p.connections {
        let (o, s) = (opened.clone(), permits.clone());
        let port = coopol.port;
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                sse(port, o, s).await
            } else {
                ws(port, o, s).await
            }
        }));
    }
    tokio::time::timeout(Duration::from_secs(300), opened.wait())
        .await
        .context("the connections did not all open within 5 minutes")?;
    let open_seconds = t.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (held_rss_kib, _) = coopol.memory().context("server memory")?;

    let res = client
        .post(format!("{}/api/v1/statuses", coopol.base()))
        .bearer_auth(&token)
        .form(&[("status", format!("Tous en ligne {MARKER}"))])
        .send()
        .await?;
    let posted = Instant::now();
    if !res.status().is_success() {
        bail!("the post was refused: {}", res.text().await?);
    }
    let mut delays = Vec::with_capacity(p.connections);
    for task in tasks {
        match tokio::time::timeout(Duration::from_secs(120), task).await {
            Ok(Ok(Ok(at))) => delays.push(at.saturating_duration_since(posted).as_secs_f64()),
            Ok(Ok(Err(e))) => eprintln!("streaming: a connection failed: {e:#}"),
            Ok(Err(e)) => eprintln!("streaming: a connection task failed: {e}"),
            Err(_) => eprintln!("streaming: a connection did not receive the post in 2 minutes"),
        }
    }
    let (_, peak_rss_kib) = coopol.memory().context("server memory")?;
    coopol.stop();
    if delays.is_empty() {
        bail!("no connection received the post");
    }
    delays.sort_by(|a, b| a.total_cmp(b));
    Ok(Outcome {
        idle_rss_kib,
        held_rss_kib,
        peak_rss_kib,
        open_seconds,
        first_s: delays[0],
        p50_s: delays[delays.len() / 2],
        last_s: delays[delays.len() - 1],
        received: delays.len(),
    })
}
