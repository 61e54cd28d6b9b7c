//! Form posts: [`CsrfForm`] reads an `application/x-www-form-urlencoded` body, refuses it
//! unless it carries this browser's CSRF token (and, when the browser says where the form came
//! from, unless that is this instance), and only then decodes it.

use super::Ctx;
use crate::{crypto, error::AppError, state::AppState};
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
        let ctx = req
            .extensions()
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("web layer missing")))?;

        // Browsers send Origin with every POST; when it is there it must be us. (A missing
        // Origin is allowed for old browsers: the token below still protects them.)
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            let ours = state.config.public_url.origin().ascii_serialization();
            if origin.to_str().ok() != Some(ours.as_str()) {
                return Err(AppError::forbidden("error-csrf"));
            }
        }
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "error-bad-form",
            ));
        }
        let body = axum::body::to_bytes(req.into_body(), MAX_FORM_BYTES)
            .await
            .map_err(|_| {
                AppError::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE, "error-too-large")
            })?;
        check_token(&body, &ctx.csrf)?;
        let value = serde_urlencoded::from_bytes::<T>(&body)
            .map_err(|_| AppError::bad_request("error-bad-form"))?;
        Ok(CsrfForm(value))
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
