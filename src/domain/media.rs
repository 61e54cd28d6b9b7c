//! Media: what a file is (told from its bytes, never from its name or what a client says),
//! the states of an upload, alt text and focal points, and the limits every server of this
//! kind keeps (Mastodon's, so that apps that read them behave).

use super::Invalid;

/// At most this many attachments on one post (as Mastodon).
pub const MAX_ATTACHMENTS: usize = 4;
/// The longest alt text, in characters (as Mastodon).
pub const MAX_DESCRIPTION_CHARS: usize = 1500;
/// An image with more pixels than this is refused before it is decoded (a decompression
/// bomb, or a picture nobody needs at that size): Mastodon's `image_matrix_limit`.
pub const MAX_INPUT_PIXELS: u64 = 7680 * 4320;
/// Stored images are made no larger than this many pixels (Mastodon's 3840 x 2160).
pub const MAX_STORED_PIXELS: u64 = 3840 * 2160;
/// Previews (`small`) are made no larger than this many pixels (640 x 360, as Mastodon).
pub const PREVIEW_PIXELS: u64 = 640 * 360;
/// An animated GIF may hold at most this many pixels over all its frames.
pub const MAX_ANIMATION_PIXELS: u64 = 100 * 1920 * 1080;
/// How long a video or an audio file may last, in seconds, when it can be measured.
pub const MAX_DURATION_SECONDS: u64 = 3 * 3600;

/// What a medium is, as Mastodon's API names it (`document` is its `unknown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Gifv,
    Video,
    Audio,
    Document,
}

impl MediaKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Gifv => "gifv",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Document => "document",
        }
    }

    /// The name in Mastodon's API (`type`).
    pub fn api_name(self) -> &'static str {
        match self {
            MediaKind::Document => "unknown",
            other => other.as_str(),
        }
    }

    /// Reads a stored name.
    pub fn from_stored(s: &str) -> Option<Self> {
        Some(match s {
            "image" => MediaKind::Image,
            "gifv" => MediaKind::Gifv,
            "video" => MediaKind::Video,
            "audio" => MediaKind::Audio,
            "document" => MediaKind::Document,
            _ => return None,
        })
    }
}

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaState {
    /// Uploaded, being checked and converted.
    Processing,
    /// Ready to be attached and shown.
    Ready,
    /// Refused by processing (the row says why); removed once the uploader was told.
    Failed,
    /// To be removed with its files by the sweep.
    Removed,
}

impl MediaState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaState::Processing => "processing",
            MediaState::Ready => "ready",
            MediaState::Failed => "failed",
            MediaState::Removed => "removed",
        }
    }

    /// Reads a stored name.
    pub fn from_stored(s: &str) -> Option<Self> {
        Some(match s {
            "processing" => MediaState::Processing,
            "ready" => MediaState::Ready,
            "failed" => MediaState::Failed,
            "removed" => MediaState::Removed,
            _ => return None,
        })
    }
}

/// What a medium is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaUse {
    /// Uploaded, not attached yet (removed after a day).
    None,
    /// Attached to a post (or an event, which is a post).
    Status,
    /// An account's picture (a person's avatar, a group's logo).
    Avatar,
    /// An account's banner.
    Header,
    /// The picture of a link's preview card (a medium of the instance actor).
    Card,
    /// Reserved to a scheduled post (`media.scheduled_status_id`), attached when it is
    /// published.
    Scheduled,
}

impl MediaUse {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaUse::None => "none",
            MediaUse::Status => "status",
            MediaUse::Avatar => "avatar",
            MediaUse::Header => "header",
            MediaUse::Card => "card",
            MediaUse::Scheduled => "scheduled",
        }
    }

    /// Reads a stored name.
    pub fn from_stored(s: &str) -> Option<Self> {
        Some(match s {
            "none" => MediaUse::None,
            "status" => MediaUse::Status,
            "avatar" => MediaUse::Avatar,
            "header" => MediaUse::Header,
            "card" => MediaUse::Card,
            "scheduled" => MediaUse::Scheduled,
            _ => return None,
        })
    }
}

/// A file format accepted, told from the file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
    Mp4,
    Webm,
    Mov,
    Mp3,
    Ogg,
    M4a,
    Pdf,
}

impl Format {
    /// The format of a file from its first bytes (at least the first 64 KiB, or the whole file
    /// when smaller): `Err` names the type found when it is not one accepted (an SVG, an HTML
    /// page, an AVIF or HEIC picture, an archive), or says nothing was recognised.
    pub fn sniff(head: &[u8]) -> Result<Format, Unsupported> {
        let Some(found) = infer::get(head) else {
            return Err(Unsupported(None));
        };
        Ok(match found.mime_type() {
            "image/jpeg" => Format::Jpeg,
            "image/png" => Format::Png,
            "image/gif" => Format::Gif,
            "image/webp" => Format::Webp,
            "video/mp4" => Format::Mp4,
            "video/webm" => Format::Webm,
            "video/quicktime" => Format::Mov,
            "audio/mpeg" => Format::Mp3,
            "audio/ogg" | "audio/opus" | "video/ogg" | "application/ogg" => Format::Ogg,
            "audio/m4a" | "audio/x-m4a" | "audio/mp4" => Format::M4a,
            "application/pdf" => Format::Pdf,
            other => return Err(Unsupported(Some(other.to_string()))),
        })
    }

    /// What kind of medium a file of this format makes (before probing: an MP4 may turn out
    /// to hold only sound).
    pub fn kind(self) -> MediaKind {
        match self {
            Format::Jpeg | Format::Png | Format::Gif | Format::Webp => MediaKind::Image,
            Format::Mp4 | Format::Webm | Format::Mov => MediaKind::Video,
            Format::Mp3 | Format::Ogg | Format::M4a => MediaKind::Audio,
            Format::Pdf => MediaKind::Document,
        }
    }

    /// The MIME type files of this format are served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
            Format::Mp4 => "video/mp4",
            Format::Webm => "video/webm",
            Format::Mov => "video/quicktime",
            Format::Mp3 => "audio/mpeg",
            Format::Ogg => "audio/ogg",
            Format::M4a => "audio/mp4",
            Format::Pdf => "application/pdf",
        }
    }

    /// The file name extension of this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Webp => "webp",
            Format::Mp4 => "mp4",
            Format::Webm => "webm",
            Format::Mov => "mov",
            Format::Mp3 => "mp3",
            Format::Ogg => "ogg",
            Format::M4a => "m4a",
            Format::Pdf => "pdf",
        }
    }

    /// The format served with a MIME type (for files this server stored).
    pub fn from_content_type(content_type: &str) -> Option<Format> {
        [
            Format::Jpeg,
            Format::Png,
            Format::Gif,
            Format::Webp,
            Format::Mp4,
            Format::Webm,
            Format::Mov,
            Format::Mp3,
            Format::Ogg,
            Format::M4a,
            Format::Pdf,
        ]
        .into_iter()
        .find(|f| f.content_type() == content_type)
    }
}

/// A file of a type that is not accepted; the type found, when one was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub Option<String>);

/// A focal point (Mastodon's `focus`, "x,y", each from -1.0 to 1.0), kept in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Focus {
    pub x: i64,
    pub y: i64,
}

impl Focus {
    /// Reads `"x,y"` as Mastodon's API sends it.
    pub fn parse(text: &str) -> Result<Focus, Invalid> {
        let invalid = || Invalid::new("focus", "error-focus");
        let (x, y) = text.trim().split_once(',').ok_or_else(invalid)?;
        let read = |s: &str| -> Result<i64, Invalid> {
            let v: f64 = s.trim().parse().map_err(|_| invalid())?;
            if !v.is_finite() || !(-1.0..=1.0).contains(&v) {
                return Err(invalid());
            }
            Ok((v * 100.0).round() as i64)
        };
        Ok(Focus {
            x: read(x)?,
            y: read(y)?,
        })
    }

    /// From a remote document's `focalPoint` ([x, y]); out-of-range values are clamped.
    pub fn from_remote(x: f64, y: f64) -> Option<Focus> {
        if !x.is_finite() || !y.is_finite() {
            return None;
        }
        let clamp = |v: f64| (v.clamp(-1.0, 1.0) * 100.0).round() as i64;
        Some(Focus {
            x: clamp(x),
            y: clamp(y),
        })
    }

    /// x as Mastodon shows it.
    pub fn x(self) -> f64 {
        self.x as f64 / 100.0
    }

    /// y as Mastodon shows it.
    pub fn y(self) -> f64 {
        self.y as f64 / 100.0
    }
}

/// Alt text: at most [`MAX_DESCRIPTION_CHARS`] characters, trimmed.
pub fn description(text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(Invalid::new("description", "error-description-too-long"));
    }
    Ok(text.to_string())
}

/// A remote description (`name`), cut to the same length instead of refused.
pub fn remote_description(text: &str) -> String {
    text.trim().chars().take(MAX_DESCRIPTION_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_from_bytes() {
        assert_eq!(
            Format::sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0"),
            Ok(Format::Jpeg)
        );
        assert_eq!(
            Format::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Ok(Format::Png)
        );
        assert_eq!(Format::sniff(b"GIF89a\x01\0\x01\0"), Ok(Format::Gif));
        assert_eq!(Format::sniff(b"%PDF-1.7\n%\xe2\xe3"), Ok(Format::Pdf));
        assert!(Format::sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>").is_err());
        assert!(Format::sniff(b"<!DOCTYPE html><html><script>").is_err());
        assert!(Format::sniff(b"hello").is_err());
        assert!(Format::sniff(b"").is_err());
    }

    #[test]
    fn focus_is_two_numbers_from_minus_one_to_one() {
        assert_eq!(Focus::parse("0.5,-0.25"), Ok(Focus { x: 50, y: -25 }));
        assert_eq!(Focus::parse(" -1 , 1 "), Ok(Focus { x: -100, y: 100 }));
        for bad in [
            "", "0.5", "2,0", "0,-1.5", "a,b", "NaN,0", "inf,0", "0.5;0.5",
        ] {
            assert!(Focus::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Focus::from_remote(3.0, -0.5),
            Some(Focus { x: 100, y: -50 })
        );
        assert_eq!(Focus::from_remote(f64::NAN, 0.0), None);
    }

    #[test]
    fn alt_text_has_a_limit() {
        assert_eq!(description("  une affiche  ").unwrap(), "une affiche");
        assert!(description(&"é".repeat(1500)).is_ok());
        assert!(description(&"é".repeat(1501)).is_err());
        assert_eq!(remote_description(&"x".repeat(2000)).len(), 1500);
    }
}
