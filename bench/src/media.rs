//! Media uploads, as a phone posting photos does: `POST /api/v2/media` with a large JPEG, then
//! `GET /api/v1/media/:id` until it answers 200 (processed: decoded, made upright, scaled to
//! at most 3840 x 2160, encoded anew, preview and blurhash made, both files stored).
//!
//! - `media-upload`: one photo after another; the time from the first byte sent until the
//!   medium is ready, and the CPU each upload costs coopol and the benchmark.
//! - `media-memory`: many uploads at once; coopol's peak resident memory (`VmHWM`), since an
//!   upload is spooled to disk as it arrives and processed one at a time per process.
//!
//! - `media-cache`: other servers' pictures, known by their address and copied here when
//!   someone looks at them: `files` distinct pictures on a simulated remote host, asked for by
//!   readers `concurrency` at a time, first when nothing is copied (each request fetches the
//!   file through the federation client, checks and encodes it anew, stores it, serves it),
//!   then again once copied (served from the store); files per second, megabytes per second
//!   and coopol's CPU per file, for both passes.
//!
//! The photos are generated here: a gradient with noise over every pixel, so that JPEG cannot
//! compress them to nothing (a camera's photo of a crowd is as hard).

use crate::{
    cpu,
    server::{Coopol, Database},
};
use anyhow::{Context, Result, bail};
use std::{
    path::Path,
    time::{Duration, Instant},
};

/// Sizes of the `media-upload` scenario.
#[derive(Clone, Debug)]
pub struct UploadParams {
    /// The photo's width and height in pixels (4000 x 3000: 12 megapixels).
    pub width: u32,
    pub height: u32,
    /// Uploads measured, one after another.
    pub repetitions: usize,
}

/// Sizes of the `media-memory` scenario.
#[derive(Clone, Debug)]
pub struct MemoryParams {
    /// Uploads sent at once.
    pub concurrent: usize,
    /// The size each file should reach, in bytes (the photo grows until it does).
    pub file_bytes: usize,
}

/// What `media-upload` measured.
#[derive(Debug)]
pub struct UploadOutcome {
    /// The photo's size in bytes.
    pub file_bytes: usize,
    /// Seconds from the start of each upload until it was ready, in the order sent.
    pub seconds: Vec<f64>,
    /// CPU over all the uploads.
    pub cpu: cpu::Usage,
    /// coopol's peak resident memory, in KiB.
    pub peak_rss_kib: u64,
}

/// What `media-memory` measured.
#[derive(Debug)]
pub struct MemoryOutcome {
    /// Each file's size in bytes.
    pub file_bytes: usize,
    /// The photo's width and height.
    pub width: u32,
    pub height: u32,
    /// coopol's resident memory before the uploads, in KiB.
    pub idle_rss_kib: u64,
    /// coopol's peak resident memory (`VmHWM`) once every upload was ready, in KiB.
    pub peak_rss_kib: u64,
    /// The highest resident memory sampled every 20 ms while the uploads ran, in KiB.
    pub sampled_peak_kib: u64,
    /// Seconds until every upload was ready.
    pub all_ready_s: f64,
}

/// A photo-like JPEG: a gradient with noise over every pixel.
pub fn photo(width: u32, height: u32, quality: u8, seed: u64) -> Result<Vec<u8>> {
    let mut state = seed | 1;
    let mut next = move || {
        // xorshift64*: fast, and good enough for pixels.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
    };
    let mut pixels = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height {
        for x in 0..width {
            let base = [
                (x * 200 / width.max(1)) as u8,
                (y * 200 / height.max(1)) as u8,
                ((x + y) * 100 / (width + height).max(1)) as u8,
            ];
            for b in base {
                pixels.push(b.saturating_add(next() / 12));
            }
        }
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode(
        &pixels,
        width,
        height,
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(out)
}

/// The largest photo of 4:3 proportions whose JPEG stays under `bytes` and near it.
fn photo_of_size(bytes: usize) -> Result<(Vec<u8>, u32, u32)> {
    let (mut width, mut height) = (400u32, 300u32);
    let mut file = photo(width, height, 95, 7)?;
    for _ in 0..4 {
        let scale = (bytes as f64 / file.len() as f64).sqrt() * 0.98;
        width = ((width as f64 * scale) as u32).clamp(16, 7680);
        height = (width * 3 / 4).clamp(12, 4320);
        file = photo(width, height, 95, 7)?;
        if file.len() <= bytes && file.len() as f64 > bytes as f64 * 0.9 {
            break;
        }
    }
    Ok((file, width, height))
}

/// A multipart body holding `file` as the `file` field, and its content type.
fn multipart(file: &[u8], description: &str) -> (Vec<u8>, String) {
    let boundary = "coopol-bench-7d1f0e4b2a9c";
    let mut body = Vec::with_capacity(file.len() + 512);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n\
             {description}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

/// Uploads `body` and waits until the medium is ready; gives its id.
async fn upload_until_ready(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    body: Vec<u8>,
    content_type: &str,
) -> Result<String> {
    let res = client
        .post(format!("{base}/api/v2/media"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await?;
    let status = res.status();
    let answer: serde_json::Value = res.json().await?;
    if !(status == 200 || status == 202) {
        bail!("upload refused: {status} {answer}");
    }
    let id = answer["id"].as_str().context("no media id")?.to_string();
    if status == 200 {
        return Ok(id);
    }
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let res = client
            .get(format!("{base}/api/v1/media/{id}"))
            .bearer_auth(token)
            .send()
            .await?;
        match res.status().as_u16() {
            200 => return Ok(id),
            206 => {}
            other => bail!(
                "media {id}: {other} {}",
                res.text().await.unwrap_or_default()
            ),
        }
        if Instant::now() > deadline {
            bail!("media {id} not ready after 600 s");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Where coopol keeps media in the media scenarios.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediaStore {
    /// The default folder, `data_dir/media`.
    Directory,
    /// The S3 store named by `COOPOL_TEST_S3_ENDPOINT`, `_REGION`, `_BUCKET`,
    /// `_ACCESS_KEY_ID`, `_SECRET_ACCESS_KEY` (what `scripts/garage.sh start` prints).
    S3,
}

impl MediaStore {
    /// The configuration variables that choose this store.
    fn env(&self) -> Result<Vec<(String, String)>> {
        if *self == MediaStore::Directory {
            return Ok(Vec::new());
        }
        let mut env = vec![("COOPOL_MEDIA_STORE".to_string(), "s3".to_string())];
        for name in [
            "ENDPOINT",
            "REGION",
            "BUCKET",
            "ACCESS_KEY_ID",
            "SECRET_ACCESS_KEY",
        ] {
            let value = std::env::var(format!("COOPOL_TEST_S3_{name}")).with_context(|| {
                format!("--media-store s3 needs COOPOL_TEST_S3_{name} (scripts/garage.sh start)")
            })?;
            env.push((format!("COOPOL_S3_{name}"), value));
        }
        Ok(env)
    }
}

/// Starts coopol with one account, and gives it with an HTTP client and a token.
async fn setup(
    bin: &Path,
    dir: &Path,
    database: &Database,
    store: &MediaStore,
) -> Result<(Coopol, reqwest::Client, String)> {
    let mut coopol = Coopol::new(bin, dir, &database.url);
    coopol.env = store.env()?;
    coopol.migrate()?;
    coopol.create_user("photographer", "correct horse battery")?;
    coopol.start().await?;
    let client = reqwest::Client::new();
    let token = coopol
        .token(&client, "photographer", "correct horse battery")
        .await?;
    Ok((coopol, client, token))
}

/// `media-upload`: `p.repetitions` photos uploaded one after another.
pub async fn upload(
    bin: &Path,
    dir: &Path,
    database: &Database,
    store: &MediaStore,
    p: &UploadParams,
) -> Result<UploadOutcome> {
    let file = photo(p.width, p.height, 90, 42)?;
    let (coopol, client, token) = setup(bin, dir, database, store).await?;
    let base = coopol.base();
    let (body, content_type) = multipart(&file, "Manifestation du 1er mai");
    // One upload first, so that the measured ones find the server warm (connections, pages
    // of the database, the allocator's arenas).
    upload_until_ready(&client, &base, &token, body.clone(), &content_type).await?;
    let before = cpu::sample(coopol.pid());
    let mut seconds = Vec::with_capacity(p.repetitions);
    for _ in 0..p.repetitions {
        let start = Instant::now();
        upload_until_ready(&client, &base, &token, body.clone(), &content_type).await?;
        seconds.push(start.elapsed().as_secs_f64());
    }
    let cpu = cpu::since(&before, &cpu::sample(coopol.pid()));
    let (_, peak_rss_kib) = coopol.memory().unwrap_or_default();
    Ok(UploadOutcome {
        file_bytes: file.len(),
        seconds,
        cpu,
        peak_rss_kib,
    })
}

/// `media-memory`: `p.concurrent` uploads of photos of about `p.file_bytes` at once; coopol's
/// peak resident memory.
pub async fn memory(
    bin: &Path,
    dir: &Path,
    database: &Database,
    store: &MediaStore,
    p: &MemoryParams,
) -> Result<MemoryOutcome> {
    let (file, width, height) = photo_of_size(p.file_bytes)?;
    let (coopol, client, token) = setup(bin, dir, database, store).await?;
    let base = coopol.base();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle_rss_kib, _) = coopol.memory().unwrap_or_default();
    let (body, content_type) = multipart(&file, "Cortège");
    let pid = coopol.pid().context("coopol is not running")?;
    let sampled = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sampler = {
        let sampled = sampled.clone();
        tokio::spawn(async move {
            loop {
                if let Some(rss) = resident_kib(pid) {
                    sampled.fetch_max(rss, std::sync::atomic::Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    // The bodies are made before the clock starts (the benchmark's memory is not coopol's).
    let bodies: Vec<Vec<u8>> = (0..p.concurrent).map(|_| body.clone()).collect();
    drop(body);
    let start = Instant::now();
    let uploads = bodies
        .into_iter()
        .map(|body| upload_until_ready(&client, &base, &token, body, &content_type));
    for id in futures::future::join_all(uploads).await {
        id?;
    }
    let all_ready_s = start.elapsed().as_secs_f64();
    let (_, peak_rss_kib) = coopol.memory().unwrap_or_default();
    sampler.abort();
    let sampled_peak_kib = sampled.load(std::sync::atomic::Ordering::Relaxed);
    Ok(MemoryOutcome {
        file_bytes: file.len(),
        width,
        height,
        idle_rss_kib,
        peak_rss_kib,
        sampled_peak_kib,
        all_ready_s,
    })
}

/// A process's resident memory now (`VmRSS`), in KiB.
fn resident_kib(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_jpegs_that_do_not_compress_to_nothing() {
        let file = photo(400, 300, 92, 1).unwrap();
        let decoded = image::load_from_memory(&file).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (400, 300));
        // Over a bit per pixel: noise everywhere.
        assert!(file.len() > 400 * 300 / 8, "{} bytes", file.len());
        assert_ne!(photo(400, 300, 92, 2).unwrap(), file);
    }

    #[test]
    fn a_photo_of_a_size_is_near_it_and_not_over() {
        let (file, width, height) = photo_of_size(200_000).unwrap();
        assert!(file.len() <= 200_000, "{}", file.len());
        assert!(file.len() > 150_000, "{}", file.len());
        assert_eq!(width * 3 / 4, height);
    }

    #[test]
    fn the_multipart_body_holds_the_file_between_its_boundaries() {
        let (body, content_type) = multipart(b"JPEGDATA", "alt");
        let boundary = content_type.split("boundary=").nth(1).unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("name=\"file\"; filename=\"photo.jpg\""));
        assert!(text.contains("\r\n\r\nJPEGDATA\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }
}

/// Sizes of the `media-cache` scenario.
#[derive(Clone, Debug)]
pub struct CacheParams {
    /// Distinct remote pictures.
    pub files: usize,
    /// Their width and height in pixels.
    pub width: u32,
    pub height: u32,
    /// Requests in flight at once.
    pub concurrency: usize,
}

/// One pass of `media-cache`.
#[derive(Debug)]
pub struct CachePass {
    /// Seconds for every file to be served once.
    pub seconds: f64,
    /// Bytes served.
    pub bytes: u64,
    /// coopol's CPU over the pass.
    pub cpu: cpu::Usage,
}

/// What `media-cache` measured.
#[derive(Debug)]
pub struct CacheOutcome {
    /// The remote file's size in bytes.
    pub file_bytes: usize,
    /// When nothing was copied yet: fetched, checked, stored and served.
    pub cold: CachePass,
    /// Once copied: served from the store.
    pub warm: CachePass,
    /// Requests the remote host answered (one per file when each is fetched once).
    pub remote_requests: usize,
}

/// `media-cache`: `p.files` pictures of another server, recorded as media of a remote account
/// (as the inbox records a remote post's attachments), then asked for twice.
pub async fn cache(
    bin: &Path,
    dir: &Path,
    database: &Database,
    store: &MediaStore,
    p: &CacheParams,
) -> Result<CacheOutcome> {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    let file = Arc::new(photo(p.width, p.height, 85, 7)?);
    let asked = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let host = format!("127.0.0.1:{}", listener.local_addr()?.port());
    {
        let file = file.clone();
        let asked = asked.clone();
        let app = axum::Router::new().route(
            "/files/{name}",
            axum::routing::get(move || {
                let file = file.clone();
                asked.fetch_add(1, Ordering::Relaxed);
                async move { ([("content-type", "image/jpeg")], file.as_ref().clone()) }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
    }
    let (coopol, client, _token) = setup(bin, dir, database, store).await?;
    let base = coopol.base();
    // The remote account and its pictures, as the inbox records them (no file yet).
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&database.url).await?;
    let account: i64 = 900_000_000;
    sqlx::query(
        "INSERT INTO accounts (id, username, domain, handle_key, uri, public_key_pem, created_at, updated_at) \
         VALUES ($1, 'photos', $2, $3, $4, 'none', 0, 0)",
    )
    .bind(account)
    .bind(&host)
    .bind(format!("photos@{host}"))
    .bind(format!("http://{host}/users/photos"))
    .execute(&pool)
    .await?;
    let mut urls = Vec::with_capacity(p.files);
    for n in 0..p.files {
        let id = 900_000_000 + n as i64;
        let token = format!("{:032x}", 0x5eed_0000_0000u64 + n as u64);
        sqlx::query(
            "INSERT INTO media (id, account_id, used_for, kind, state, token, remote_url, \
             created_at, updated_at) VALUES ($1, $2, 'avatar', 'image', 'ready', $3, $4, 0, 0)",
        )
        .bind(id)
        .bind(account)
        .bind(&token)
        .bind(format!("http://{host}/files/{n}.jpg"))
        .execute(&pool)
        .await?;
        urls.push(format!("{base}/media/{id}/{token}/original"));
    }
    pool.close().await;
    let pass = |urls: Vec<String>| {
        let client = client.clone();
        let concurrency = p.concurrency;
        async move {
            use futures::StreamExt;
            let results: Vec<Result<u64>> = futures::stream::iter(urls)
                .map(|url| {
                    let client = client.clone();
                    async move {
                        let res = client.get(&url).send().await?;
                        if !res.status().is_success() {
                            bail!("{url}: {}", res.status());
                        }
                        Ok(res.bytes().await?.len() as u64)
                    }
                })
                .buffer_unordered(concurrency)
                .collect()
                .await;
            results.into_iter().sum::<Result<u64>>()
        }
    };
    let mut passes = Vec::new();
    for _ in 0..2 {
        let before = cpu::sample(coopol.pid());
        let start = Instant::now();
        let bytes = pass(urls.clone()).await?;
        let seconds = start.elapsed().as_secs_f64();
        passes.push(CachePass {
            seconds,
            bytes,
            cpu: cpu::since(&before, &cpu::sample(coopol.pid())),
        });
    }
    let warm = passes.pop().context("two passes")?;
    let cold = passes.pop().context("two passes")?;
    Ok(CacheOutcome {
        file_bytes: file.len(),
        cold,
        warm,
        remote_requests: asked.load(Ordering::Relaxed),
    })
}
