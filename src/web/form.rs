//! Form posts: [`CsrfForm`] reads an `application/x-www-form-urlencoded` body, refuses it
//! unless it carries this browser's CSRF token (and, when the browser says where the form came
//! from, unless that is this instance), and only then decodes it. [`CsrfUpload`] does the same
//! for forms that carry files (`multipart/form-data`), whose files go to the media spool.

use super::Ctx;
use crate::{crypto, error::AppError, state::AppState, upload};
use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::header,
};
use serde::de::DeserializeOwned;

/// The largest form body accepted.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// A form that passed the CSRF check, decoded into `T`.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = ctx_of(&req)?;
        check_origin(&req, state)?;
        if !content_type_is(&req, "application/x-www-form-urlencoded") {
            return Err(AppError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "error-bad-form",
            ));
        }
        Ok(CsrfForm(read_urlencoded(req, &ctx).await?))
    }
}

/// The context the web layer put on the request.
fn ctx_of(req: &Request) -> Result<Ctx, AppError> {
    req.extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("web layer missing")))
}

/// Browsers send Origin with every POST; when it is there it must be us. (A missing Origin is
/// allowed for old browsers: the token in the body still protects them.)
fn check_origin(req: &Request, state: &AppState) -> Result<(), AppError> {
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let ours = state.config.public_url.origin().ascii_serialization();
        if origin.to_str().ok() != Some(ours.as_str()) {
            return Err(AppError::forbidden("error-csrf"));
        }
    }
    Ok(())
}

fn content_type_is(req: &Request, wanted: &str) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with(wanted))
}

/// Reads an url-encoded body, checks its token, decodes it.
async fn read_urlencoded<T: DeserializeOwned>(req: Request, ctx: &Ctx) -> Result<T, AppError> {
    let body = axum::body::to_bytes(req.into_body(), MAX_FORM_BYTES)
        .await
        .map_err(|_| AppError::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE, "error-too-large"))?;
    check_token(&body, &ctx.csrf)?;
    serde_urlencoded::from_bytes::<T>(&body).map_err(|_| AppError::bad_request("error-bad-form"))
}

/// A form that may carry files: the file inputs its type names.
pub trait FileFields {
    /// The names of the form's file inputs (a file in any other field is refused).
    const FILE_FIELDS: &'static [&'static str];
}

/// A form that passed the CSRF check, decoded into `T`, with the files it carried (spooled;
/// those the spool refused, for their type or size, are kept in [`upload::Form::refused`] so
/// that the page comes back with what was typed). A `multipart/form-data` body is read as it
/// arrives (on the upload paths of `app`, whose body limit is the media limit); an url-encoded
/// body (a form without files, or a client that sends none) is read as [`CsrfForm`] does.
///
/// Files are taken from signed-in people only: the body is not read otherwise. The Origin is
/// checked before the body is read, and the token once it is (it travels in the body): a
/// request without this browser's token leaves nothing in the spool.
pub struct CsrfUpload<T> {
    /// The text fields, decoded.
    pub form: T,
    /// The files sent, and those refused.
    pub files: upload::Form,
}

impl<T: DeserializeOwned + FileFields + Send> FromRequest<AppState> for CsrfUpload<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = ctx_of(&req)?;
        ctx.require_user()?;
        check_origin(&req, state)?;
        if content_type_is(&req, "application/x-www-form-urlencoded") {
            return Ok(CsrfUpload {
                form: read_urlencoded(req, &ctx).await?,
                files: upload::Form::default(),
            });
        }
        if !content_type_is(&req, "multipart/form-data") {
            return Err(AppError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "error-bad-form",
            ));
        }
        let (parts, body) = req.into_parts();
        let files =
            upload::read_keeping_refused(state, &parts.headers, body, T::FILE_FIELDS).await?;
        let sent = files.text("csrf").unwrap_or("");
        if sent.is_empty() || !crypto::constant_time_eq(sent.as_bytes(), ctx.csrf.as_bytes()) {
            files.discard().await;
            return Err(AppError::forbidden("error-csrf"));
        }
        let pairs: Vec<(&str, &str)> = files
            .texts
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let decoded = serde_urlencoded::to_string(&pairs)
            .ok()
            .and_then(|encoded| serde_urlencoded::from_str::<T>(&encoded).ok());
        match decoded {
            Some(form) => Ok(CsrfUpload { form, files }),
            None => {
                files.discard().await;
                Err(AppError::bad_request("error-bad-form"))
            }
        }
    }
}

fn check_token(body: &Bytes, expected: &str) -> Result<(), AppError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| AppError::bad_request("error-bad-form"))?;
    let sent = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if sent.is_empty() || !crypto::constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
        return Err(AppError::forbidden("error-csrf"));
    }
    Ok(())
}

/// Deserializes an HTML checkbox: present (any value but "0"/"false") means checked.
pub fn checkbox<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let v: Option<String> = serde::Deserialize::deserialize(d)?;
    Ok(v.is_some_and(|v| v != "0" && v != "false" && v != "off"))
}

/// What a [`CsrfTextFile`] form carries: the name of its one file input and the file's most
/// bytes.
pub trait TextFileField {
    const FILE_FIELD: &'static str;
    const MAX_FILE_BYTES: usize;
}

/// A `multipart/form-data` form with one small text file read in memory (a CSV to import,
/// which the media spool would refuse), after the same Origin and CSRF checks as
/// [`CsrfUpload`]; signed-in people only.
pub struct CsrfTextFile<T> {
    pub form: T,
    pub file: Vec<u8>,
}

impl<T: DeserializeOwned + TextFileField + Send> FromRequest<AppState> for CsrfTextFile<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = ctx_of(&req)?;
        ctx.require_user()?;
        check_origin(&req, state)?;
        if !content_type_is(&req, "multipart/form-data") {
            return Err(AppError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "error-bad-form",
            ));
        }
        let (parts, body) = req.into_parts();
        let read =
            upload::read_text_file(&parts.headers, body, T::FILE_FIELD, T::MAX_FILE_BYTES).await?;
        let sent = read.texts.get("csrf").map(String::as_str).unwrap_or("");
        if sent.is_empty() || !crypto::constant_time_eq(sent.as_bytes(), ctx.csrf.as_bytes()) {
            return Err(AppError::forbidden("error-csrf"));
        }
        let pairs: Vec<(&str, &str)> = read
            .texts
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let form = serde_urlencoded::to_string(&pairs)
            .ok()
            .and_then(|encoded| serde_urlencoded::from_str::<T>(&encoded).ok())
            .ok_or_else(|| AppError::bad_request("error-bad-form"))?;
        Ok(CsrfTextFile {
            form,
            file: read.file,
        })
    }
}
