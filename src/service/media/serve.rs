//! Serving media files: addresses, and opening a file for a request.

use crate::media::ByteRange;
use crate::{
    db::{self, media::MediaRow},
    domain::media::{Format, MediaKind, MediaState, MediaUse},
    error::{AppError, AppResult},
    state::AppState,
};
use std::ops::Range;

/// Which file of a medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The file itself.
    Original,
    /// Its preview (a picture, or a video's poster frame).
    Small,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Original => "original",
            Variant::Small => "small",
        }
    }

    /// The variant a file name (`original.jpg`, `small`) asks for.
    pub fn of_name(name: &str) -> Option<Variant> {
        match name.split_once('.').map_or(name, |(stem, _)| stem) {
            "original" => Some(Variant::Original),
            "small" => Some(Variant::Small),
            _ => None,
        }
    }
}

/// The address of a medium's file on this server (`None` for a preview it does not have).
/// Remote media are served from here too, so that readers' addresses never reach the server
/// they came from: before their file is copied here (no type known yet) the address has no
/// extension, and a remote picture's preview is announced, made with the copy.
pub fn url(state: &AppState, row: &MediaRow, variant: Variant) -> Option<String> {
    path(row, variant).map(|path| state.config.url(&path))
}

/// The path of a medium's file on this server (see [`url`]), for pages that link within it.
pub fn path(row: &MediaRow, variant: Variant) -> Option<String> {
    let content_type = match variant {
        Variant::Original => row.content_type.as_deref(),
        Variant::Small => match row.preview_type.as_deref() {
            Some(t) => Some(t),
            None if row.is_remote() && row.file_key.is_none() && row.kind == MediaKind::Image => {
                None
            }
            None => return None,
        },
    };
    let extension = content_type
        .and_then(Format::from_content_type)
        .map(|f| format!(".{}", f.extension()))
        .unwrap_or_default();
    Some(format!(
        "/media/{}/{}/{}{extension}",
        row.id,
        row.token,
        variant.name()
    ))
}

/// A file to send.
pub struct File {
    /// Its type, as recorded when it was stored.
    pub content_type: String,
    /// Whether browsers should save it rather than show it (documents).
    pub download_name: Option<String>,
    /// The whole file's size.
    pub total: u64,
    /// The bytes sent, when a range was asked for and can be given.
    pub range: Option<Range<u64>>,
    /// The bytes.
    pub body: futures::stream::BoxStream<'static, Result<bytes::Bytes, std::io::Error>>,
    /// An identifier of the file's content, for `ETag`.
    pub tag: String,
}

/// Opens the file an address names. `range` is a byte range already checked against nothing
/// (it is clamped to the file, and ignored when it starts past the end: the caller answers
/// 416 when [`File::range`] is `None` but a range was asked for).
pub async fn open(
    state: &AppState,
    id: i64,
    token: &str,
    name: &str,
    range: Option<ByteRange>,
) -> AppResult<File> {
    let variant = Variant::of_name(name).ok_or_else(AppError::not_found)?;
    let row = db::media::by_id(state.pool(), id)
        .await?
        .filter(|r| crate::crypto::constant_time_eq(r.token.as_bytes(), token.as_bytes()))
        .filter(|r| r.state == MediaState::Ready)
        // The media of a deleted post go at once, before the sweep removes their files.
        .filter(|r| !(r.used_for == MediaUse::Status && r.status_id.is_none()))
        .ok_or_else(AppError::not_found)?;
    // Another server's file, not copied here yet (or no longer): copied now.
    let row = super::remote::cached(state, row).await?;
    let (key, content_type) = match variant {
        Variant::Original => (row.file_key.as_deref(), row.content_type.as_deref()),
        Variant::Small => (row.preview_key.as_deref(), row.preview_type.as_deref()),
    };
    let (Some(key), Some(content_type)) = (key, content_type) else {
        return Err(AppError::not_found());
    };
    let wanted = range.clone();
    let fetched = state
        .media
        .store
        .get(key, range)
        .await
        .map_err(AppError::internal)?;
    let fetched = match fetched {
        Some(f) => f,
        // A range past the end: the whole file's size is needed for the 416 answer.
        None if wanted.is_some() => {
            let whole = state
                .media
                .store
                .get(key, None)
                .await
                .map_err(AppError::internal)?
                .ok_or_else(AppError::not_found)?;
            return Ok(File {
                content_type: content_type.to_string(),
                download_name: None,
                total: whole.total,
                range: None,
                body: Box::pin(futures::stream::empty()),
                tag: key.to_string(),
            });
        }
        None => return Err(AppError::not_found()),
    };
    let download_name = (row.kind == MediaKind::Document && variant == Variant::Original)
        .then(|| format!("document-{}.pdf", row.id));
    Ok(File {
        content_type: content_type.to_string(),
        download_name,
        total: fetched.total,
        range: wanted.map(|_| fetched.range.clone()),
        body: fetched.body,
        tag: key.to_string(),
    })
}
