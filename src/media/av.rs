//! Video and sound, with Debian's `ffmpeg` when it is installed: `ffprobe` says what a file
//! holds (streams, size, duration), `ffmpeg` copies the streams into a new file without the
//! container's metadata (a phone's video carries the place it was shot) and takes a poster
//! frame. Without ffmpeg, files are accepted with their type told from their bytes and their
//! size checked, and kept as they came.

use super::Refusal;
use std::{path::Path, process::Stdio, time::Duration};
use tokio::process::Command;

/// How long one ffmpeg or ffprobe run may take.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The ffmpeg commands, when they can be run.
#[derive(Debug, Clone)]
pub struct Ffmpeg {
    ffmpeg: String,
    ffprobe: String,
}

/// What ffprobe found in a file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Probe {
    pub has_video: bool,
    pub has_audio: bool,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<u64>,
}

impl Ffmpeg {
    /// Finds `ffmpeg` (the configured command, and `ffprobe` beside it) by running both with
    /// `-version`; `None` when the command is empty or does not run.
    pub async fn find(command: &str) -> Option<Ffmpeg> {
        let command = command.trim();
        if command.is_empty() {
            return None;
        }
        let ffprobe = match command.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/ffprobe"),
            None => "ffprobe".to_string(),
        };
        for program in [command, ffprobe.as_str()] {
            let ran = Command::new(program)
                .arg("-version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .await;
            if !ran.is_ok_and(|s| s.success()) {
                return None;
            }
        }
        Some(Ffmpeg {
            ffmpeg: command.to_string(),
            ffprobe,
        })
    }

    /// Streams, size and duration of a file.
    pub async fn probe(&self, path: &Path) -> Result<Probe, Refusal> {
        let output = run(Command::new(&self.ffprobe)
            .args([
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
            ])
            .arg(path))
        .await?;
        let json: serde_json::Value =
            serde_json::from_slice(&output).map_err(|_| Refusal::Unreadable)?;
        let mut probe = Probe::default();
        for stream in json["streams"].as_array().into_iter().flatten() {
            match stream["codec_type"].as_str() {
                // Cover art in a sound file is a "video" stream of one picture.
                Some("video") if stream["disposition"]["attached_pic"].as_i64() != Some(1) => {
                    probe.has_video = true;
                    probe.width = stream["width"].as_u64().map(|w| w as u32);
                    probe.height = stream["height"].as_u64().map(|h| h as u32);
                }
                Some("audio") => probe.has_audio = true,
                _ => {}
            }
        }
        probe.duration_ms = json["format"]["duration"]
            .as_str()
            .and_then(|d| d.parse::<f64>().ok())
            .filter(|d| d.is_finite() && *d >= 0.0)
            .map(|d| (d * 1000.0) as u64);
        if !probe.has_video && !probe.has_audio {
            return Err(Refusal::Unreadable);
        }
        Ok(probe)
    }

    /// Copies the streams of `input` into `output` (muxer `format`) without metadata or
    /// chapters, and with the index first for MP4 (so playback starts before the end arrives).
    pub async fn strip(&self, input: &Path, output: &Path, format: &str) -> Result<(), Refusal> {
        let mut command = Command::new(&self.ffmpeg);
        command
            .args(["-v", "error", "-nostdin", "-y", "-i"])
            .arg(input)
            .args([
                "-map",
                "0:v?",
                "-map",
                "0:a?",
                "-map_metadata",
                "-1",
                "-map_chapters",
                "-1",
                "-c",
                "copy",
            ]);
        if format == "mp4" || format == "ipod" || format == "mov" {
            command.args(["-movflags", "+faststart"]);
        }
        command.args(["-f", format]).arg(output);
        run(&mut command).await.map(|_| ())
    }

    /// The first frame of a video, as a PNG.
    pub async fn poster(&self, input: &Path) -> Result<Vec<u8>, Refusal> {
        run(Command::new(&self.ffmpeg)
            .args(["-v", "error", "-nostdin", "-i"])
            .arg(input)
            .args([
                "-frames:v",
                "1",
                "-an",
                "-f",
                "image2pipe",
                "-c:v",
                "png",
                "-",
            ]))
        .await
    }
}

async fn run(command: &mut Command) -> Result<Vec<u8>, Refusal> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command.spawn().map_err(|_| Refusal::Unreadable)?;
    let output = tokio::time::timeout(TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| Refusal::Unreadable)?
        .map_err(|_| Refusal::Unreadable)?;
    if !output.status.success() {
        tracing::debug!(
            stderr = %String::from_utf8_lossy(&output.stderr),
            "ffmpeg refused a file"
        );
        return Err(Refusal::Unreadable);
    }
    Ok(output.stdout)
}
