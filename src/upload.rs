//! Requests that carry files: a `multipart/form-data` body read as it arrives, each file
//! written to the media spool (`service::media::Upload`) chunk by chunk, so that an upload
//! holds a few kilobytes in memory whatever its size. Used by the API's and the web
//! interface's upload handlers alike.

use crate::{
    error::{AppError, AppResult},
    service::media::{Spooled, Upload},
    state::AppState,
};
use axum::{
    body::Body,
    http::{HeaderMap, StatusCode, header},
};
use std::collections::HashMap;

/// The longest text field accepted beside files.
const MAX_TEXT_BYTES: usize = 64 * 1024;
/// The most text, over all text fields, and the most fields a form may have: the body limit
/// of upload routes is the largest file, which text must not take in memory instead.
const MAX_TEXTS_BYTES: usize = 256 * 1024;
const MAX_FIELDS: usize = 200;

/// A multipart body read: its files (spooled) and its text fields.
#[derive(Debug, Default)]
pub struct Form {
    /// Files by field name (the first of each name).
    pub files: HashMap<String, Spooled>,
    /// Text fields by name (the last of each name).
    pub texts: HashMap<String, String>,
    /// Files the spool refused (their type or size), by field name, when read by
    /// [`read_keeping_refused`]: a page shows the form again with what was typed.
    pub refused: HashMap<String, AppError>,
}

impl Form {
    /// A text field.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts.get(name).map(String::as_str)
    }

    /// Takes a file out of the form.
    pub fn take_file(&mut self, name: &str) -> Option<Spooled> {
        self.files.remove(name)
    }

    /// Removes every file still in the form from the spool (the request was refused).
    pub async fn discard(self) {
        for (_, file) in self.files {
            file.discard().await;
        }
    }
}

/// Reads a multipart body. `file_fields` names the fields that may carry files; a file in any
/// other field, or a body that is not multipart, is refused, as is a file refused by the
/// spool (type or size). A file field left empty (a form's file input with no file chosen:
/// no name, no bytes) is skipped. On error, nothing stays in the spool.
pub async fn read(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    file_fields: &[&str],
) -> AppResult<Form> {
    read_body(state, headers, body, file_fields, false).await
}

/// Reads a multipart body as [`read`] does, except that a file the spool refuses (its type or
/// its size) does not end the reading: the refusal is kept in [`Form::refused`] under its
/// field's name and the rest of the body is read, so that a web form comes back with what was
/// typed in it. Other errors (a body that is not multipart, a file in another field, a body
/// over the request limit) still refuse the whole request.
pub async fn read_keeping_refused(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    file_fields: &[&str],
) -> AppResult<Form> {
    read_body(state, headers, body, file_fields, true).await
}

/// The multipart reader of a request's body; 415 when it is not `multipart/form-data` with a
/// boundary.
fn multipart(headers: &HeaderMap, body: Body) -> AppResult<multer::Multipart<'static>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(content_type).map_err(|_| {
        AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "error-unsupported-content-type",
        )
    })?;
    Ok(multer::Multipart::new(body.into_data_stream(), boundary))
}

async fn read_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    file_fields: &[&str],
    keep_refused: bool,
) -> AppResult<Form> {
    let mut multipart = multipart(headers, body)?;
    let mut form = Form::default();
    let result = read_fields(state, &mut multipart, &mut form, file_fields, keep_refused).await;
    match result {
        Ok(()) => Ok(form),
        Err(e) => {
            form.discard().await;
            Err(e)
        }
    }
}

async fn read_fields(
    state: &AppState,
    multipart: &mut multer::Multipart<'_>,
    form: &mut Form,
    file_fields: &[&str],
    keep_refused: bool,
) -> AppResult<()> {
    let bad_form = |e: multer::Error| -> AppError {
        match e {
            multer::Error::StreamReadFailed(_) => {
                AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "error-too-large")
            }
            _ => AppError::bad_request("error-bad-form"),
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad_form)? {
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        if field.file_name().is_some() || file_fields.contains(&name.as_str()) {
            if !file_fields.contains(&name.as_str()) {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "error-files-not-accepted",
                ));
            }
            let unnamed = field.file_name().is_none_or(str::is_empty);
            // Begun at the first byte, so that an empty file input costs no spool file.
            let mut upload: Option<Upload> = None;
            let mut refusal: Option<AppError> = None;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) if refusal.is_some() || chunk.is_empty() => {}
                    Ok(Some(chunk)) => {
                        let current = match upload.as_mut() {
                            Some(u) => u,
                            None => upload.insert(Upload::begin(state).await?),
                        };
                        if let Err(e) = current.write(state, &chunk).await {
                            // A refused upload has removed its spool file.
                            upload = None;
                            if keep_refused && e.status.is_client_error() {
                                refusal = Some(e);
                            } else {
                                return Err(e);
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        if let Some(mut u) = upload {
                            u.discard().await;
                        }
                        return Err(bad_form(e));
                    }
                }
            }
            let finished = match (upload, refusal) {
                (_, Some(refusal)) => Err(refusal),
                (Some(upload), None) => upload.finish(state).await,
                // An empty file input: nothing was chosen.
                (None, None) if unnamed => continue,
                (None, None) => Upload::begin(state).await?.finish(state).await,
            };
            match finished {
                Ok(spooled) => {
                    if let Some(earlier) = form.files.insert(name, spooled) {
                        earlier.discard().await;
                    }
                }
                Err(e) if keep_refused && e.status.is_client_error() => {
                    form.refused.entry(name).or_insert(e);
                }
                Err(e) => return Err(e),
            }
        } else {
            let before: usize = form.texts.values().map(String::len).sum();
            if form.texts.len() >= MAX_FIELDS {
                return Err(AppError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "error-too-large",
                ));
            }
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
                text.extend_from_slice(&chunk);
                if text.len() > MAX_TEXT_BYTES || before + text.len() > MAX_TEXTS_BYTES {
                    return Err(AppError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "error-too-large",
                    ));
                }
            }
            let text =
                String::from_utf8(text).map_err(|_| AppError::bad_request("error-bad-form"))?;
            form.texts.insert(name, text);
        }
    }
    Ok(())
}

/// A `multipart/form-data` body whose one file is a small text file (a CSV to import): its
/// text fields, and the file's bytes in memory, never more than `max_file_bytes` (the field
/// `file_field` refused with `error-import-too-large` beyond).
pub struct TextFileForm {
    pub texts: HashMap<String, String>,
    pub file: Vec<u8>,
}

/// Reads a [`TextFileForm`]; a file in another field is refused.
pub async fn read_text_file(
    headers: &HeaderMap,
    body: Body,
    file_field: &'static str,
    max_file_bytes: usize,
) -> AppResult<TextFileForm> {
    let mut multipart = multipart(headers, body)?;
    let mut form = TextFileForm {
        texts: HashMap::new(),
        file: Vec::new(),
    };
    let bad_form = |e: multer::Error| -> AppError {
        match e {
            multer::Error::StreamReadFailed(_) => {
                AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "error-too-large")
            }
            _ => AppError::bad_request("error-bad-form"),
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad_form)? {
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        let is_file = name == file_field;
        if field.file_name().is_some() && !is_file {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-files-not-accepted",
            ));
        }
        if form.texts.len() >= MAX_FIELDS {
            return Err(AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "error-too-large",
            ));
        }
        let max = if is_file {
            max_file_bytes
        } else {
            MAX_TEXT_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
            // A file too large is read to its end (the body's own limit bounds it) without
            // being kept, so that the browser gets the answer rather than a cut connection.
            if bytes.len() <= max {
                bytes.extend_from_slice(&chunk);
            }
        }
        if bytes.len() > max {
            return Err(if is_file {
                crate::domain::Invalid::new(file_field, "error-import-too-large")
                    .arg("max", max_file_bytes / 1024)
                    .into()
            } else {
                AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "error-too-large")
            });
        }
        if is_file {
            form.file = bytes;
        } else {
            let text =
                String::from_utf8(bytes).map_err(|_| AppError::bad_request("error-bad-form"))?;
            form.texts.insert(name, text);
        }
    }
    Ok(form)
}
