//! Media files: the store they live in ([`store`]), and how an uploaded or fetched file is
//! checked and made ready: pictures decoded and encoded anew ([`image`]), video and sound
//! probed and stripped with ffmpeg when it is installed ([`av`]), documents kept as they came
//! once their type is told from their bytes. Nothing here knows the database: services call
//! [`Runtime::process`] and record what it gives.

pub mod av;
pub mod image;
pub mod store;

pub use store::{ByteRange, Fetched, Store, StoreError};

use crate::domain::media::{Format, MAX_DURATION_SECONDS, MediaKind};
use std::path::{Path, PathBuf};
use tokio::sync::{OnceCell, Semaphore};

/// Why a file is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a type accepted (an SVG, an HTML page, an archive, a picture format not read).
    Unsupported,
    /// Of an accepted type, but truncated or damaged.
    Unreadable,
    /// A picture with too many pixels (a decompression bomb, or far larger than needed).
    TooManyPixels,
    /// Larger than the configured limit for its kind.
    TooLarge,
    /// A video or a sound longer than [`MAX_DURATION_SECONDS`].
    TooLong,
    /// The account's quota would be exceeded.
    OverQuota,
}

impl Refusal {
    /// The translation key of the explanation.
    pub fn key(self) -> &'static str {
        match self {
            Refusal::Unsupported => "error-media-type",
            Refusal::Unreadable => "error-media-unreadable",
            Refusal::TooManyPixels => "error-media-pixels",
            Refusal::TooLarge => "error-media-too-large",
            Refusal::TooLong => "error-media-too-long",
            Refusal::OverQuota => "error-media-quota",
        }
    }

    /// The refusal a stored translation key names (a failed upload's `error`).
    pub fn from_key(key: &str) -> Refusal {
        [
            Refusal::Unsupported,
            Refusal::TooManyPixels,
            Refusal::TooLarge,
            Refusal::TooLong,
            Refusal::OverQuota,
        ]
        .into_iter()
        .find(|r| r.key() == key)
        .unwrap_or(Refusal::Unreadable)
    }
}

/// The main file of a medium made ready: in memory (a picture encoded anew) or on disk (a
/// video, a sound, a document).
#[derive(Debug)]
pub enum Output {
    Bytes(Vec<u8>),
    File(PathBuf),
}

/// A medium made ready to store.
#[derive(Debug)]
pub struct Ready {
    pub kind: MediaKind,
    pub format: Format,
    pub file: Output,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<u64>,
    pub preview: Option<image::Encoded>,
    pub blurhash: Option<String>,
}

/// What the media layer keeps for the whole process: the store, ffmpeg when installed, the
/// spool folder of uploads being processed, and how many files are processed at once.
pub struct Runtime {
    pub store: Store,
    /// The folder where uploads wait for processing (on this machine).
    pub spool: PathBuf,
    ffmpeg_command: String,
    ffmpeg: OnceCell<Option<av::Ffmpeg>>,
    /// One file processed at a time per process: decoding a picture takes a core and up to
    /// [`image`]'s allocation cap, and the machine may have two cores.
    pub permits: Semaphore,
}

impl Runtime {
    /// The media runtime of a configuration: opens the store, creates the spool folder.
    pub fn new(config: &crate::config::Config) -> Result<Runtime, StoreError> {
        let spool = config.data_dir.join("spool");
        std::fs::create_dir_all(&spool).map_err(StoreError::from)?;
        Ok(Runtime {
            store: Store::open(&config.media.store)?,
            spool,
            ffmpeg_command: config.media.ffmpeg.clone(),
            ffmpeg: OnceCell::new(),
            permits: Semaphore::new(1),
        })
    }

    /// ffmpeg, when it runs here (looked for once).
    pub async fn ffmpeg(&self) -> Option<&av::Ffmpeg> {
        self.ffmpeg
            .get_or_init(|| async {
                let found = av::Ffmpeg::find(&self.ffmpeg_command).await;
                if found.is_none() {
                    tracing::info!(
                        "ffmpeg not found: video and sound are accepted as they come, without \
                         poster frames, durations or metadata removal"
                    );
                }
                found
            })
            .await
            .as_ref()
    }

    /// Checks and converts the file at `path`, whose format was told from its bytes. Files
    /// made on the way go beside it (`path` + `.out`), for the caller to remove.
    pub async fn process(&self, path: &Path, format: Format) -> Result<Ready, Refusal> {
        match format.kind() {
            MediaKind::Image | MediaKind::Gifv => {
                let bytes = tokio::fs::read(path)
                    .await
                    .map_err(|_| Refusal::Unreadable)?;
                let picture = tokio::task::spawn_blocking(move || image::process(&bytes, format))
                    .await
                    .map_err(|_| Refusal::Unreadable)??;
                Ok(Ready {
                    kind: picture.kind,
                    format: picture.file.format,
                    width: Some(picture.file.width),
                    height: Some(picture.file.height),
                    file: Output::Bytes(picture.file.bytes),
                    duration_ms: None,
                    preview: Some(picture.preview),
                    blurhash: Some(picture.blurhash),
                })
            }
            MediaKind::Video | MediaKind::Audio => self.process_av(path, format).await,
            MediaKind::Document => Ok(Ready {
                kind: MediaKind::Document,
                format,
                file: Output::File(path.to_path_buf()),
                width: None,
                height: None,
                duration_ms: None,
                preview: None,
                blurhash: None,
            }),
        }
    }

    async fn process_av(&self, path: &Path, format: Format) -> Result<Ready, Refusal> {
        let Some(ffmpeg) = self.ffmpeg().await else {
            return Ok(Ready {
                kind: format.kind(),
                format,
                file: Output::File(path.to_path_buf()),
                width: None,
                height: None,
                duration_ms: None,
                preview: None,
                blurhash: None,
            });
        };
        let probe = ffmpeg.probe(path).await?;
        if probe
            .duration_ms
            .is_some_and(|ms| ms > MAX_DURATION_SECONDS * 1000)
        {
            return Err(Refusal::TooLong);
        }
        let (kind, format) = match (probe.has_video, format) {
            (true, Format::Mp3 | Format::M4a) => (MediaKind::Audio, format),
            (true, _) => (MediaKind::Video, format),
            (false, Format::Mp4 | Format::Mov | Format::M4a) => (MediaKind::Audio, Format::M4a),
            (false, Format::Webm | Format::Ogg) => (MediaKind::Audio, Format::Ogg),
            (false, other) => (MediaKind::Audio, other),
        };
        let muxer = match format {
            Format::Mp4 => "mp4",
            Format::Mov => "mov",
            Format::M4a => "ipod",
            Format::Webm => "webm",
            Format::Ogg => "ogg",
            Format::Mp3 => "mp3",
            _ => return Err(Refusal::Unsupported),
        };
        let out = path.with_extension("out");
        ffmpeg.strip(path, &out, muxer).await?;
        let (preview, blurhash) = if kind == MediaKind::Video {
            match ffmpeg.poster(&out).await {
                Ok(png) => tokio::task::spawn_blocking(move || -> Result<_, Refusal> {
                    let poster = image::decode(&png, ::image::ImageFormat::Png)?;
                    let (preview, blurhash) = image::preview_of(&poster)?;
                    Ok((Some(preview), Some(blurhash)))
                })
                .await
                .map_err(|_| Refusal::Unreadable)??,
                Err(_) => (None, None),
            }
        } else {
            (None, None)
        };
        Ok(Ready {
            kind,
            format,
            file: Output::File(out),
            width: probe.width,
            height: probe.height,
            duration_ms: probe.duration_ms,
            preview,
            blurhash,
        })
    }
}
